#include "pipeline/rundir.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
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
    static const char *const files[] = {"metrics.csv",   "samples.csv", "model.ckpt", "resume",
                                        "eval_rows.csv", "done",        "key"};
    char path[4096];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (rundir_path(path, sizeof path, dir, stage, files[i]) == 0) remove(path);
    /* Resume points are named by their step (stages.c). */
    if (rundir_path(path, sizeof path, dir, stage, NULL)) return;
    DIR *d = opendir(path);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char f[4400];
        if (strncmp(e->d_name, "resume-", 7) != 0) continue;
        snprintf(f, sizeof f, "%s/%s", path, e->d_name);
        remove(f);
    }
    closedir(d);
}

int rundir_exists(const char *path) {
    return access(path, F_OK) == 0;
}

int rundir_rebuild_eval(const char *dir, const Graph *g, const int *order, char *err,
                        size_t errlen) {
    static const char *const header[] = {RUNDIR_EVAL_HEADER};
    char path[4096];
    if (rundir_path(path, sizeof path, dir, NULL, "eval.csv")) return -1;
    CsvWriter *w = csvio_writer_open(path, header, RUNDIR_EVAL_COLS, err, errlen);
    if (!w) return -1;
    for (int k = 0; k < g->n; k++) {
        const Stage *st = &g->stages[order[k]];
        char rows[4096];
        if (strcmp(st->kind->name, "eval") != 0) continue;
        if (rundir_path(rows, sizeof rows, dir, st->name, "eval_rows.csv") || !rundir_exists(rows))
            continue;
        CsvTable t;
        if (csvio_read(rows, &t, err, errlen)) {
            csvio_writer_abort(w);
            return -1;
        }
        for (size_t r = 0; r < t.nrows; r++)
            if (t.ncols == RUNDIR_EVAL_COLS &&
                csvio_writer_row(w, (const char *const *)&t.cells[r * t.ncols], t.ncols, err,
                                 errlen)) {
                csvio_free(&t);
                csvio_writer_abort(w);
                return -1;
            }
        csvio_free(&t);
    }
    return csvio_writer_commit(w, err, errlen);
}
