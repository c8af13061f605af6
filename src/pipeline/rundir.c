#include "pipeline/rundir.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "world/csvio.h"

int rundir_path(char *buf, size_t cap, const char *dir, const char *stage, const char *file) {
    int n;
    if (stage && file)
        n = snprintf(buf, cap, "%s/%s/%s", dir, stage, file);
    else if (stage)
        n = snprintf(buf, cap, "%s/%s", dir, stage);
    else
        n = snprintf(buf, cap, "%s/%s", dir, file ? file : "");
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static int mkdir_p(char *path) {
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        int r = mkdir(path, 0777);
        *p = '/';
        if (r && errno != EEXIST) return -1;
    }
    return mkdir(path, 0777) && errno != EEXIST ? -1 : 0;
}

int rundir_make(const char *dir, const char *stage, char *err, size_t errlen) {
    char path[4096];
    if (rundir_path(path, sizeof path, dir, stage, NULL) || mkdir_p(path)) {
        snprintf(err, errlen, "%s/%s: cannot create directory: %s", dir, stage ? stage : "",
                 strerror(errno));
        return -1;
    }
    return 0;
}

void rundir_clear_stage(const char *dir, const char *stage) {
    /* Everything in DIR/STAGE is the stage's own: its kind's outputs, resume
     * points and cache bookkeeping. */
    char path[4096];
    if (rundir_path(path, sizeof path, dir, stage, NULL)) return;
    DIR *d = opendir(path);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char f[4400];
        struct stat sb;
        snprintf(f, sizeof f, "%s/%s", path, e->d_name);
        if (e->d_name[0] != '.' && lstat(f, &sb) == 0 && S_ISREG(sb.st_mode)) remove(f);
    }
    closedir(d);
}

int rundir_exists(const char *path) {
    return access(path, F_OK) == 0;
}

/* The union of the stages' columns, RUNDIR_EVAL_HEADER first and the rest
 * (pass@k of each stage's k) in order of first appearance, so that stages
 * with different k share one table. */
enum { EVAL_MAX_COLS = 64 };

static int add_col(const char **cols, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (strcmp(cols[i], name) == 0) return n;
    if (n < EVAL_MAX_COLS) cols[n++] = name;
    return n;
}

/* DIR/OUT from the STAGE/ROWS of the graph's eval stages, under the union
 * of their columns with `fixed` first. */
static int rebuild(const char *dir, const Graph *g, const int *order, const char *rows_name,
                   const char *out_name, const char *const *fixed, int nfixed, char *err,
                   size_t errlen) {
    char path[4096];
    if (rundir_path(path, sizeof path, dir, NULL, out_name)) return -1;
    CsvTable *t = calloc((size_t)g->n + 1, sizeof *t);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int nt = 0, rc = -1, ncols = 0;
    const char *cols[EVAL_MAX_COLS];
    for (int i = 0; i < nfixed; i++) ncols = add_col(cols, ncols, fixed[i]);
    for (int k = 0; k < g->n; k++) {
        const Stage *st = &g->stages[order[k]];
        char rows[4096];
        if (!st->kind->makes_eval_row) continue;
        if (rundir_path(rows, sizeof rows, dir, st->name, rows_name) || !rundir_exists(rows))
            continue;
        if (csvio_read(rows, &t[nt], err, errlen)) goto done;
        for (size_t c = 0; c < t[nt].ncols; c++) ncols = add_col(cols, ncols, t[nt].header[c]);
        nt++;
    }
    CsvWriter *w = csvio_writer_open(path, cols, (size_t)ncols, err, errlen);
    if (!w) goto done;
    for (int i = 0; i < nt; i++) {
        int at[EVAL_MAX_COLS];
        for (int c = 0; c < ncols; c++) at[c] = csvio_col(&t[i], cols[c]);
        for (size_t r = 0; r < t[i].nrows; r++) {
            const char *f[EVAL_MAX_COLS];
            for (int c = 0; c < ncols; c++)
                f[c] = at[c] >= 0 ? csvio_cell(&t[i], r, (size_t)at[c]) : "";
            if (csvio_writer_row(w, f, (size_t)ncols, err, errlen)) {
                csvio_writer_abort(w);
                goto done;
            }
        }
    }
    rc = csvio_writer_commit(w, err, errlen);
done:
    for (int i = 0; i < nt; i++) csvio_free(&t[i]);
    free(t);
    return rc;
}

int rundir_rebuild_eval(const char *dir, const Graph *g, const int *order, char *err,
                        size_t errlen) {
    static const char *const eval[] = {RUNDIR_EVAL_HEADER};
    static const char *const pass[] = {RUNDIR_PASS_AT_K_HEADER};
    if (rebuild(dir, g, order, "eval_rows.csv", "eval.csv", eval, RUNDIR_EVAL_COLS, err, errlen))
        return -1;
    return rebuild(dir, g, order, "pass_at_k.csv", "pass_at_k.csv", pass, RUNDIR_PASS_AT_K_COLS,
                   err, errlen);
}

void rundir_pass_at_k_row(const EvalResult *e, int j, const char *model, const char *task,
                          char buf[4][32], const char *cells[RUNDIR_PASS_AT_K_COLS]) {
    snprintf(buf[0], sizeof buf[0], "%d", e->k);
    snprintf(buf[1], sizeof buf[1], "%d", e->pass_k[j]);
    snprintf(buf[2], sizeof buf[2], "%.6g", e->pass_at[j]);
    snprintf(buf[3], sizeof buf[3], "%.6g", e->maj_at[j]);
    const char *row[RUNDIR_PASS_AT_K_COLS] = {model, task, buf[0], buf[1], buf[2], buf[3]};
    memcpy(cells, row, sizeof row);
}
