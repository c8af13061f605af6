#include "cli/sweep_collect.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/run_record.h"
#include "cli/text_table.h"
#include "pipeline/rundir.h"
#include "world/csvio.h"

enum { MAX_COLS = 64, MAX_FIGS = 64, COL_NAME = 64 };

typedef struct {
    char dir[4096];
    char name[256];
    RunRecord rec;
    CsvTable eval;
    bool has_eval;
    int group;
} Run;

typedef struct {
    Run *runs;
    int n, cap;
    int n_params;
    char params[MAX_COLS][COL_NAME];
    int n_groups;
    int *group_first; /* a group's first run */
} Runs;

void sweep_mean_std(const double *x, int n, double *mean, double *std) {
    double m = 0, ss = 0;
    for (int i = 0; i < n; i++) m += x[i];
    m = n > 0 ? m / n : 0;
    for (int i = 0; i < n; i++) ss += (x[i] - m) * (x[i] - m);
    *mean = m;
    *std = n > 1 ? sqrt(ss / (n - 1)) : 0;
}

static int has_record(const char *dir) {
    char p[4200];
    struct stat sb;
    snprintf(p, sizeof p, "%s/run.csv", dir);
    return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int add_run(Runs *rs, const char *dir, const char *name, char *err, size_t errlen) {
    if (rs->n == rs->cap) {
        int cap = rs->cap ? 2 * rs->cap : 16;
        Run *grown = realloc(rs->runs, (size_t)cap * sizeof *grown);
        if (!grown) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        rs->runs = grown;
        rs->cap = cap;
    }
    Run *r = &rs->runs[rs->n];
    memset(r, 0, sizeof *r);
    if (snprintf(r->dir, sizeof r->dir, "%s", dir) >= (int)sizeof r->dir ||
        snprintf(r->name, sizeof r->name, "%s", name) >= (int)sizeof r->name) {
        snprintf(err, errlen, "%.200s: path too long", dir);
        return -1;
    }
    if (run_record_read(dir, &r->rec, err, errlen)) return -1;
    char p[4200];
    snprintf(p, sizeof p, "%s/eval.csv", dir);
    struct stat sb;
    if (stat(p, &sb) == 0) {
        if (csvio_read(p, &r->eval, err, errlen)) return -1;
        r->has_eval = r->eval.nrows > 0;
        if (!r->has_eval) csvio_free(&r->eval);
    }
    rs->n++;
    return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b) {
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int gather(Runs *rs, const char *root, char *err, size_t errlen) {
    if (has_record(root)) {
        const char *slash = strrchr(root, '/');
        while (slash && slash[1] == 0 && slash > root) {
            const char *p = slash - 1;
            while (p > root && *p != '/') p--;
            slash = *p == '/' ? p : NULL;
        }
        return add_run(rs, root, slash ? slash + 1 : root, err, errlen);
    }
    struct dirent **list;
    int n = scandir(root, &list, NULL, by_name);
    if (n < 0) {
        snprintf(err, errlen, "%s: cannot read: %s", root, strerror(errno));
        return -1;
    }
    int rc = 0, found = 0;
    for (int i = 0; i < n; i++) {
        char dir[4096];
        if (rc == 0 && list[i]->d_name[0] != '.' &&
            snprintf(dir, sizeof dir, "%s/%s", root, list[i]->d_name) < (int)sizeof dir &&
            has_record(dir)) {
            rc = add_run(rs, dir, list[i]->d_name, err, errlen);
            found++;
        }
        free(list[i]);
    }
    free(list);
    if (rc == 0 && !found) {
        snprintf(err, errlen, "%s: no run directories in it (a run directory holds run.csv)", root);
        rc = -1;
    }
    return rc;
}

static const char *param_of(const Run *r, const char *name) {
    const char *v = run_record_param(&r->rec, name);
    return v ? v : "";
}

static bool same_point(const Runs *rs, const Run *a, const Run *b) {
    if (strcmp(a->rec.script, b->rec.script)) return false;
    for (int c = 0; c < rs->n_params; c++)
        if (strcmp(param_of(a, rs->params[c]), param_of(b, rs->params[c]))) return false;
    return true;
}

/* A figure: a number that is finite ("nan" is no figure). */
static bool number(const char *s, double *v) {
    return cli_text_number(s, v) && isfinite(*v);
}

/* Values compare as numbers where both are, so that beta=0, 0.04, 0.4
 * come in that order (as a grid lists them), not as text sorts them. */
static int by_value(const char *a, const char *b) {
    double x, y;
    if (number(a, &x) && number(b, &y) && x != y) return x < y ? -1 : 1;
    return strcmp(a, b);
}

static const Runs *sorting;

/* Script, then each parameter, then seed, then name: the grid's order
 * whoever made the runs. */
static int by_point(const void *pa, const void *pb) {
    const Run *a = pa, *b = pb;
    int c = strcmp(a->rec.script, b->rec.script);
    for (int p = 0; !c && p < sorting->n_params; p++)
        c = by_value(param_of(a, sorting->params[p]), param_of(b, sorting->params[p]));
    if (!c && a->rec.seed != b->rec.seed) c = a->rec.seed < b->rec.seed ? -1 : 1;
    return c ? c : strcmp(a->name, b->name);
}

static int group_runs(Runs *rs, char *err, size_t errlen) {
    for (int i = 0; i < rs->n; i++)
        for (int j = 0; j < rs->runs[i].rec.n; j++) {
            const char *name = rs->runs[i].rec.names[j];
            int c = 0;
            while (c < rs->n_params && strcmp(rs->params[c], name)) c++;
            if (c < rs->n_params) continue;
            if (rs->n_params == MAX_COLS) {
                snprintf(err, errlen, "%s: more than %d parameters over the runs", rs->runs[i].dir,
                         MAX_COLS);
                return -1;
            }
            snprintf(rs->params[rs->n_params++], COL_NAME, "%s", name);
        }
    sorting = rs;
    if (rs->n > 1) qsort(rs->runs, (size_t)rs->n, sizeof *rs->runs, by_point);
    rs->group_first = malloc((size_t)(rs->n ? rs->n : 1) * sizeof *rs->group_first);
    if (!rs->group_first) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int i = 0; i < rs->n; i++) {
        Run *r = &rs->runs[i];
        r->group = -1;
        for (int g = 0; g < rs->n_groups && r->group < 0; g++)
            if (same_point(rs, &rs->runs[rs->group_first[g]], r)) r->group = g;
        if (r->group < 0) {
            r->group = rs->n_groups;
            rs->group_first[rs->n_groups++] = i;
        }
    }
    return 0;
}

static bool is_key_col(const char *name) {
    return !strcmp(name, "model") || !strcmp(name, "task") || !strcmp(name, "k");
}

/* An eval row's model, task and k, or "" where eval.csv has no such column. */
static const char *eval_key(const CsvTable *t, size_t row, const char *col) {
    int c = csvio_col(t, col);
    return c >= 0 ? csvio_cell(t, row, (size_t)c) : "";
}

static bool same_eval_key(const CsvTable *a, size_t ra, const CsvTable *b, size_t rb) {
    static const char *const keys[] = {"model", "task", "k"};
    for (int i = 0; i < 3; i++)
        if (strcmp(eval_key(a, ra, keys[i]), eval_key(b, rb, keys[i]))) return false;
    return true;
}

typedef struct {
    int n_figs;
    char figs[MAX_FIGS][COL_NAME];
} Figures;

static void figures_of(const Runs *rs, Figures *f) {
    f->n_figs = 0;
    for (int i = 0; i < rs->n; i++) {
        const CsvTable *t = &rs->runs[i].eval;
        if (!rs->runs[i].has_eval) continue;
        for (size_t c = 0; c < t->ncols; c++) {
            if (is_key_col(t->header[c])) continue;
            int k = 0;
            while (k < f->n_figs && strcmp(f->figs[k], t->header[c])) k++;
            if (k == f->n_figs && f->n_figs < MAX_FIGS)
                snprintf(f->figs[f->n_figs++], COL_NAME, "%s", t->header[c]);
        }
    }
}

/* The table printed after a sweep: pass@1 per grid point and model, the
 * point named by the parameters that vary over the runs. */
static int add_table_line(TextTable *tt, const Runs *rs, const Run *first, const char *model, int n,
                          double mean, double std, bool have) {
    char(*c)[TEXT_TABLE_CELL] = text_table_add_line(tt, false);
    if (!c) return -1;
    char label[512] = "";
    size_t at = 0;
    for (int p = 0; p < rs->n_params; p++) {
        bool varies = false;
        for (int i = 0; i < rs->n && !varies; i++)
            varies = strcmp(param_of(&rs->runs[i], rs->params[p]), param_of(first, rs->params[p]));
        if (!varies || at >= sizeof label) continue;
        at += (size_t)snprintf(label + at, sizeof label - at, "%s%s=%s", at ? " " : "",
                               rs->params[p], param_of(first, rs->params[p]));
    }
    text_table_put_text(c[0], TEXT_TABLE_CELL, at ? label : first->rec.script);
    text_table_put_text(c[1], TEXT_TABLE_CELL, model);
    snprintf(c[2], TEXT_TABLE_CELL, "%d", n);
    if (have)
        snprintf(c[3], TEXT_TABLE_CELL, "%.3f \xc2\xb1 %.3f", mean, std);
    else
        text_table_put_text(c[3], TEXT_TABLE_CELL, "");
    return 0;
}

static int write_summary(const Runs *rs, const char *out, FILE *table, char *err, size_t errlen) {
    Figures f;
    figures_of(rs, &f);
    size_t ncols = 1 + (size_t)rs->n_params + 4 + 2 * (size_t)f.n_figs;
    const char **header = calloc(ncols, sizeof *header);
    const char **row = calloc(ncols, sizeof *row);
    char(*names)[COL_NAME + 8] = calloc((size_t)(2 * f.n_figs + 1), sizeof *names);
    char(*nums)[32] = calloc((size_t)(2 * f.n_figs + 1), sizeof *nums);
    double *x = calloc((size_t)(rs->n ? rs->n : 1), sizeof *x);
    TextTable tt = {.ncols = 3};
    char path[4200];
    snprintf(path, sizeof path, "%s/summary.csv", out);
    CsvWriter *w = NULL;
    int rc = -1;
    if (!header || !row || !names || !nums || !x) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    size_t h = 0;
    header[h++] = "script";
    for (int p = 0; p < rs->n_params; p++) header[h++] = rs->params[p];
    header[h++] = "model";
    header[h++] = "task";
    header[h++] = "k";
    header[h++] = "n";
    for (int k = 0; k < f.n_figs; k++) {
        snprintf(names[2 * k], sizeof names[0], "%s_mean", f.figs[k]);
        snprintf(names[2 * k + 1], sizeof names[0], "%s_std", f.figs[k]);
        header[h++] = names[2 * k];
        header[h++] = names[2 * k + 1];
    }
    w = csvio_writer_open(path, header, ncols, err, errlen);
    if (!w) goto done;
    char(*hl)[TEXT_TABLE_CELL] = table ? text_table_add_line(&tt, true) : NULL;
    if (hl) {
        snprintf(hl[0], TEXT_TABLE_CELL, "grid point");
        snprintf(hl[1], TEXT_TABLE_CELL, "model");
        snprintf(hl[2], TEXT_TABLE_CELL, "n");
        snprintf(hl[3], TEXT_TABLE_CELL, "pass@1 mean \xc2\xb1 std");
    }
    for (int g = 0; g < rs->n_groups; g++) {
        /* every eval row (model, task, k) of the point's runs, first seen first */
        for (int i = 0; i < rs->n; i++) {
            const Run *ri = &rs->runs[i];
            if (ri->group != g || !ri->has_eval) continue;
            for (size_t er = 0; er < ri->eval.nrows; er++) {
                bool earlier = false;
                for (int j = 0; j < i && !earlier; j++) {
                    const Run *rj = &rs->runs[j];
                    if (rj->group != g || !rj->has_eval) continue;
                    for (size_t e2 = 0; e2 < rj->eval.nrows && !earlier; e2++)
                        earlier = same_eval_key(&rj->eval, e2, &ri->eval, er);
                }
                for (size_t e2 = 0; e2 < er && !earlier; e2++)
                    earlier = same_eval_key(&ri->eval, e2, &ri->eval, er);
                if (earlier) continue;
                int n = 0;
                for (int j = i; j < rs->n; j++) {
                    const Run *rj = &rs->runs[j];
                    if (rj->group != g || !rj->has_eval) continue;
                    for (size_t e2 = 0; e2 < rj->eval.nrows; e2++)
                        if (same_eval_key(&rj->eval, e2, &ri->eval, er)) {
                            n++;
                            break;
                        }
                }
                size_t c = 0;
                row[c++] = ri->rec.script;
                for (int p = 0; p < rs->n_params; p++) row[c++] = param_of(ri, rs->params[p]);
                row[c++] = eval_key(&ri->eval, er, "model");
                row[c++] = eval_key(&ri->eval, er, "task");
                row[c++] = eval_key(&ri->eval, er, "k");
                snprintf(nums[2 * f.n_figs], sizeof nums[0], "%d", n);
                row[c++] = nums[2 * f.n_figs];
                double pass_mean = 0, pass_std = 0;
                bool have_pass = false;
                for (int k = 0; k < f.n_figs; k++) {
                    int m = 0;
                    for (int j = i; j < rs->n; j++) {
                        const Run *rj = &rs->runs[j];
                        int col = rj->has_eval ? csvio_col(&rj->eval, f.figs[k]) : -1;
                        if (rj->group != g || col < 0) continue;
                        for (size_t e2 = 0; e2 < rj->eval.nrows; e2++)
                            if (same_eval_key(&rj->eval, e2, &ri->eval, er)) {
                                double v;
                                if (number(csvio_cell(&rj->eval, e2, (size_t)col), &v)) x[m++] = v;
                                break;
                            }
                    }
                    double mean, std;
                    sweep_mean_std(x, m, &mean, &std);
                    nums[2 * k][0] = nums[2 * k + 1][0] = 0;
                    if (m > 0) snprintf(nums[2 * k], sizeof nums[0], "%.6g", mean);
                    if (m > 1) snprintf(nums[2 * k + 1], sizeof nums[0], "%.6g", std);
                    row[c++] = nums[2 * k];
                    row[c++] = nums[2 * k + 1];
                    if (!strcmp(f.figs[k], "pass_at_1") && m > 0) {
                        pass_mean = mean;
                        pass_std = std;
                        have_pass = true;
                    }
                }
                if (csvio_writer_row(w, row, ncols, err, errlen)) goto done;
                if (hl && add_table_line(&tt, rs, ri, row[1 + rs->n_params], n, pass_mean, pass_std,
                                         have_pass)) {
                    snprintf(err, errlen, "out of memory");
                    goto done;
                }
            }
        }
    }
    rc = csvio_writer_commit(w, err, errlen);
    w = NULL;
    if (rc == 0 && hl && tt.nlines > 1 && text_table_print_plain(&tt, table)) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
done:
    csvio_writer_abort(w);
    text_table_free(&tt);
    free(header);
    free(row);
    free(names);
    free(nums);
    free(x);
    return rc;
}

static int write_long(const Runs *rs, const char *out, char *err, size_t errlen) {
    size_t ncols = 2 + (size_t)rs->n_params + 5;
    const char **header = calloc(ncols, sizeof *header), **row = calloc(ncols, sizeof *row);
    char path[4200], seed[32];
    snprintf(path, sizeof path, "%s/metrics_long.csv", out);
    CsvWriter *w = NULL;
    int rc = -1;
    if (!header || !row) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    size_t h = 0;
    header[h++] = "run";
    header[h++] = "script";
    for (int p = 0; p < rs->n_params; p++) header[h++] = rs->params[p];
    header[h++] = "seed";
    header[h++] = "stage";
    header[h++] = "step";
    header[h++] = "metric";
    header[h++] = "value";
    w = csvio_writer_open(path, header, ncols, err, errlen);
    if (!w) goto done;
    for (int i = 0; i < rs->n; i++) {
        const Run *r = &rs->runs[i];
        struct dirent **list;
        int n = scandir(r->dir, &list, NULL, by_name);
        if (n < 0) {
            snprintf(err, errlen, "%s: cannot read: %s", r->dir, strerror(errno));
            goto done;
        }
        int bad = 0;
        for (int s = 0; s < n; s++) {
            char mpath[4400];
            struct stat sb;
            const char *stage = list[s]->d_name;
            CsvTable t;
            if (bad || stage[0] == '.' ||
                snprintf(mpath, sizeof mpath, "%s/%s/metrics.csv", r->dir, stage) >=
                    (int)sizeof mpath ||
                stat(mpath, &sb) != 0 || !S_ISREG(sb.st_mode))
                continue;
            if (csvio_read(mpath, &t, err, errlen)) {
                bad = 1;
                continue;
            }
            int step = csvio_col(&t, "step");
            snprintf(seed, sizeof seed, "%llu", r->rec.seed);
            size_t c = 0;
            row[c++] = r->name;
            row[c++] = r->rec.script;
            for (int p = 0; p < rs->n_params; p++) row[c++] = param_of(r, rs->params[p]);
            row[c++] = seed;
            row[c++] = stage;
            for (size_t tr = 0; tr < t.nrows && !bad; tr++)
                for (size_t tc = 0; tc < t.ncols && !bad; tc++) {
                    const char *v = csvio_cell(&t, tr, tc);
                    if ((int)tc == step || !*v) continue;
                    row[c] = step >= 0 ? csvio_cell(&t, tr, (size_t)step) : "";
                    row[c + 1] = t.header[tc];
                    row[c + 2] = v;
                    bad = csvio_writer_row(w, row, ncols, err, errlen) != 0;
                }
            csvio_free(&t);
        }
        for (int s = 0; s < n; s++) free(list[s]);
        free(list);
        if (bad) goto done;
    }
    rc = csvio_writer_commit(w, err, errlen);
    w = NULL;
done:
    csvio_writer_abort(w);
    free(header);
    free(row);
    return rc;
}

int sweep_collect(const char *const *roots, int n_roots, const char *out, FILE *table, char *err,
                  size_t errlen) {
    Runs rs = {0};
    int rc = 0;
    for (int i = 0; i < n_roots && rc == 0; i++) rc = gather(&rs, roots[i], err, errlen);
    if (rc == 0) rc = group_runs(&rs, err, errlen);
    /* made only once there are runs to summarise */
    if (rc == 0) rc = rundir_make(out, NULL, err, errlen);
    if (rc == 0) rc = write_summary(&rs, out, table, err, errlen);
    if (rc == 0) rc = write_long(&rs, out, err, errlen);
    for (int i = 0; i < rs.n; i++)
        if (rs.runs[i].has_eval) csvio_free(&rs.runs[i].eval);
    free(rs.runs);
    free(rs.group_first);
    return rc;
}
