#include "cli/pass_table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/text_table.h"

enum { COL_MODEL, COL_TASK, COL_K, COL_PASS, COL_MAJ, NEED };
enum { K_MAX = 1 << 20 };

/* One model's curve: rows [first, first + n) of the file. */
typedef struct {
    int first, n;
    int block, nth; /* task block; 0 for a model's first curve on the task, 1 its second... */
} Curve;

static const char *cell(const CsvTable *t, int r, const int *col, int which) {
    return csvio_cell(t, (size_t)r, (size_t)col[which]);
}

/* k of every row, checked; figures must be numbers or empty. */
static int check_rows(const CsvTable *t, const int *col, int *ks, char *err, size_t errlen) {
    for (size_t r = 0; r < t->nrows; r++) {
        const char *k = csvio_cell(t, r, (size_t)col[COL_K]);
        char *end;
        long v = strtol(k, &end, 10);
        if (!k[0] || *end || v < 1 || v > K_MAX) {
            snprintf(err, errlen, "%s:%d: k is '%s', not a whole number from 1 to %d", t->path,
                     t->lines[r], k, K_MAX);
            return -1;
        }
        ks[r] = (int)v;
        for (int f = COL_PASS; f <= COL_MAJ; f++) {
            const char *s = csvio_cell(t, r, (size_t)col[f]);
            double x;
            if (s[0] && !cli_text_number(s, &x)) {
                snprintf(err, errlen, "%s:%d: %s is '%s', not a number", t->path, t->lines[r],
                         t->header[col[f]], s);
                return -1;
            }
        }
    }
    return 0;
}

/* Splits the rows into curves and the curves into task blocks (in order of
 * first appearance); returns the number of curves. *first_of gets a row of
 * each block, for its task's name. */
static int find_curves(const CsvTable *t, const int *col, const int *ks, Curve *cv, int *first_of,
                       int *nblocks) {
    int n = 0;
    *nblocks = 0;
    for (int r = 0; r < (int)t->nrows; r++) {
        bool same = r > 0 && ks[r] > ks[r - 1] &&
                    !strcmp(cell(t, r, col, COL_MODEL), cell(t, r - 1, col, COL_MODEL)) &&
                    !strcmp(cell(t, r, col, COL_TASK), cell(t, r - 1, col, COL_TASK));
        if (same) {
            cv[n - 1].n++;
            continue;
        }
        int b = 0;
        while (b < *nblocks &&
               strcmp(cell(t, first_of[b], col, COL_TASK), cell(t, r, col, COL_TASK)))
            b++;
        if (b == *nblocks) first_of[(*nblocks)++] = r;
        int nth = 0;
        for (int i = 0; i < n; i++)
            nth += cv[i].block == b &&
                   !strcmp(cell(t, cv[i].first, col, COL_MODEL), cell(t, r, col, COL_MODEL));
        cv[n++] = (Curve){r, 1, b, nth};
    }
    return n;
}

static void format_figure(const char *text, char *out, size_t cap) {
    double v;
    if (!cli_text_number(text, &v) || isnan(v))
        snprintf(out, cap, TEXT_TABLE_EMPTY);
    else
        snprintf(out, cap, "%.3f", v);
}

static int cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Block b: a header, then a line per k any of its curves has. */
static int add_block(TextTable *l, const CsvTable *t, const int *col, const int *ks,
                     const Curve *cv, int ncurves, int b, int row_of_task, int *kbuf) {
    int *in = kbuf, nk = 0, nc = 0;
    char(*line)[TEXT_TABLE_CELL] = text_table_add_line(l, true);
    if (!line) return -1;
    char label[TEXT_TABLE_CELL];
    snprintf(label, sizeof label, "task %.40s: k", cell(t, row_of_task, col, COL_TASK));
    text_table_put_text(line[0], TEXT_TABLE_CELL, label);
    for (int i = 0; i < ncurves; i++) {
        if (cv[i].block != b) continue;
        char name[TEXT_TABLE_CELL], full[TEXT_TABLE_CELL];
        text_table_put_text(name, sizeof name, cell(t, cv[i].first, col, COL_MODEL));
        if (cv[i].nth)
            snprintf(full, sizeof full, "%.40s #%d", name, cv[i].nth + 1);
        else
            snprintf(full, sizeof full, "%.50s", name);
        snprintf(line[1 + nc], TEXT_TABLE_CELL, "%.50s pass@k", full);
        snprintf(line[1 + l->ncols / 2 + nc], TEXT_TABLE_CELL, "%.50s maj@k", full);
        nc++;
        for (int r = cv[i].first; r < cv[i].first + cv[i].n; r++) {
            bool seen = false;
            for (int j = 0; j < nk && !seen; j++) seen = in[j] == ks[r];
            if (!seen) in[nk++] = ks[r];
        }
    }
    qsort(in, (size_t)nk, sizeof *in, cmp_int);
    for (int j = 0; j < nk; j++) {
        if (!(line = text_table_add_line(l, false))) return -1;
        snprintf(line[0], TEXT_TABLE_CELL, "%d", in[j]);
        int c = 0;
        for (int i = 0; i < ncurves; i++) {
            if (cv[i].block != b) continue;
            snprintf(line[1 + c], TEXT_TABLE_CELL, TEXT_TABLE_EMPTY);
            snprintf(line[1 + l->ncols / 2 + c], TEXT_TABLE_CELL, TEXT_TABLE_EMPTY);
            for (int r = cv[i].first; r < cv[i].first + cv[i].n; r++)
                if (ks[r] == in[j]) {
                    format_figure(cell(t, r, col, COL_PASS), line[1 + c], TEXT_TABLE_CELL);
                    format_figure(cell(t, r, col, COL_MAJ), line[1 + l->ncols / 2 + c],
                                  TEXT_TABLE_CELL);
                }
            c++;
        }
    }
    return 0;
}

int pass_table_print(const CsvTable *t, bool markdown, FILE *out, char *err, size_t errlen) {
    static const char *const need[NEED] = {"model", "task", "k", "pass_at_k", "maj_at_k"};
    int col[NEED];
    if (csvio_cols(t, need, NEED, col, err, errlen)) return -1;
    if (t->nrows == 0) {
        snprintf(err, errlen, "%s: no rows yet (no eval stage has finished)", t->path);
        return -1;
    }
    size_t n = t->nrows;
    int *ks = malloc(n * sizeof *ks), *first_of = malloc(n * sizeof *first_of),
        *kbuf = malloc(n * sizeof *kbuf);
    Curve *cv = malloc(n * sizeof *cv);
    TextTable *l = calloc(n, sizeof *l); /* a block each, as wide as its own curves */
    int rc = -1, nblocks = 0;
    if (!ks || !first_of || !kbuf || !cv || !l) {
        snprintf(err, errlen, "%s: out of memory", t->path);
        goto done;
    }
    if (check_rows(t, col, ks, err, errlen)) goto done;
    int ncurves = find_curves(t, col, ks, cv, first_of, &nblocks);
    for (int b = 0; b < nblocks; b++) {
        for (int i = 0; i < ncurves; i++) l[b].ncols += 2 * (cv[i].block == b);
        if (add_block(&l[b], t, col, ks, cv, ncurves, b, first_of[b], kbuf)) {
            snprintf(err, errlen, "%s: out of memory", t->path);
            goto done;
        }
    }
    for (int b = 0; b < nblocks; b++) {
        if (b) fputc('\n', out);
        if (markdown)
            text_table_print_markdown(&l[b], out);
        else if (text_table_print_plain(&l[b], out)) {
            snprintf(err, errlen, "%s: out of memory", t->path);
            goto done;
        }
    }
    rc = 0;
done:
    for (int b = 0; l && b < nblocks; b++) text_table_free(&l[b]);
    free(l);
    free(ks);
    free(first_of);
    free(kbuf);
    free(cv);
    return rc;
}
