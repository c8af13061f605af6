#include "cli/eval_table.h"

#include "cli/cli.h"
#include "cli/text_table.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define EMPTY TEXT_TABLE_EMPTY

static const struct {
    const char *col, *label;
} known[] = {
    {"format_rate", "format"},
    {"language_consistency", "language consistency"},
    {"mean_length", "mean length"},
    {"aha_per_completion", "aha / completion"},
    {"think_rate", "think rate"},
    {"pass_at_1_think", "pass@1 thinking"},
    {"pass_at_1_direct", "pass@1 direct"},
    {"cipher_share", "cipher prompts"},
    {"pass_at_1_cipher", "pass@1 cipher"},
    {"language_cipher", "language cipher"},
    {"win_rate", "win rate vs base"},
    {"rm_score", "reward model score"},
};
enum { N_KNOWN = sizeof known / sizeof known[0], CELL_MAX = TEXT_TABLE_CELL };

static void set_err(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* "pass_at_16" -> "16" for prefix "pass_at_"; NULL when col is not that shape. */
static const char *at_n(const char *col, const char *prefix) {
    size_t n = strlen(prefix);
    if (strncmp(col, prefix, n) != 0 || !col[n]) return NULL;
    for (const char *s = col + n; *s; s++)
        if (*s < '0' || *s > '9') return NULL;
    return col + n;
}

void eval_table_label(const char *col, const char *k, char *out, size_t cap) {
    const char *n;
    if ((n = at_n(col, "pass_at_"))) {
        snprintf(out, cap, "pass@%s", n);
    } else if ((n = at_n(col, "maj_at_"))) {
        snprintf(out, cap, "maj@%s", n);
    } else if (strcmp(col, "maj_at_k") == 0) {
        snprintf(out, cap, "maj@%s", k ? k : "k");
    } else {
        snprintf(out, cap, "%s", col);
        for (int i = 0; i < N_KNOWN; i++)
            if (strcmp(col, known[i].col) == 0) snprintf(out, cap, "%s", known[i].label);
    }
}

/* Figures r1sim itself writes must be numbers; a column someone else added
 * may hold anything and is shown as it is. */
static bool must_be_number(const char *col) {
    if (at_n(col, "pass_at_") || at_n(col, "maj_at_") || strcmp(col, "maj_at_k") == 0 ||
        strcmp(col, "mean_length") == 0)
        return true;
    for (int i = 0; i < N_KNOWN; i++)
        if (strcmp(col, known[i].col) == 0) return true;
    return false;
}

static void format_cell(const char *col, const char *text, char *out, size_t cap) {
    double v;
    if (!cli_text_number(text, &v))
        text_table_put_text(out, cap, text);
    else if (isnan(v))
        snprintf(out, cap, EMPTY);
    else
        snprintf(out, cap, "%.*f", strcmp(col, "mean_length") == 0 ? 1 : 3, v);
}

/* Where the rows go: block (task) and column (model, nth) of each row. */
typedef struct {
    int model, task, k; /* column indices; task and k may be -1 */
    int nblocks, ncols; /* distinct tasks, distinct (model, nth) */
    int *block_first;   /* nblocks: first row of each task */
    int *col_first;     /* ncols: first row of each column, for its name */
    int *col_nth;       /* ncols: 0 for a model's first row on a task, 1 for its second... */
    int *grid;          /* nblocks * ncols: the row, or -1 */
} Layout;

static const char *cell_or_empty(const CsvTable *t, size_t r, int c) {
    return c >= 0 ? csvio_cell(t, r, (size_t)c) : "";
}

static void layout_free(Layout *y) {
    free(y->block_first);
    free(y->col_first);
    free(y->col_nth);
    free(y->grid);
}

static int layout_build(const CsvTable *t, Layout *y) {
    size_t n = t->nrows;
    y->nblocks = y->ncols = 0;
    y->block_first = malloc(n * sizeof(int));
    y->col_first = malloc(n * sizeof(int));
    y->col_nth = malloc(n * sizeof(int));
    int *block_of = malloc(n * sizeof(int)), *col_of = malloc(n * sizeof(int));
    y->grid = NULL;
    int rc = -1;
    if (!y->block_first || !y->col_first || !y->col_nth || !block_of || !col_of) goto out;
    for (size_t r = 0; r < n; r++) {
        const char *task = cell_or_empty(t, r, y->task),
                   *model = csvio_cell(t, r, (size_t)y->model);
        int b = 0, nth = 0, c = 0;
        while (b < y->nblocks && strcmp(cell_or_empty(t, (size_t)y->block_first[b], y->task), task))
            b++;
        if (b == y->nblocks) y->block_first[y->nblocks++] = (int)r;
        for (size_t q = 0; q < r; q++)
            nth += block_of[q] == b && !strcmp(csvio_cell(t, q, (size_t)y->model), model);
        while (c < y->ncols &&
               (y->col_nth[c] != nth ||
                strcmp(csvio_cell(t, (size_t)y->col_first[c], (size_t)y->model), model)))
            c++;
        if (c == y->ncols) {
            y->col_first[y->ncols] = (int)r;
            y->col_nth[y->ncols++] = nth;
        }
        block_of[r] = b;
        col_of[r] = c;
    }
    y->grid = malloc((size_t)y->nblocks * (size_t)y->ncols * sizeof(int));
    if (!y->grid) goto out;
    for (int i = 0; i < y->nblocks * y->ncols; i++) y->grid[i] = -1;
    for (size_t r = 0; r < n; r++) y->grid[block_of[r] * y->ncols + col_of[r]] = (int)r;
    rc = 0;
out:
    free(block_of);
    free(col_of);
    return rc;
}

/* The k every row of block b shares, or NULL when they differ or say none. */
static const char *shared_k(const CsvTable *t, const Layout *y, int b) {
    const char *k = NULL;
    for (int c = 0; c < y->ncols; c++) {
        int r = y->grid[b * y->ncols + c];
        if (r < 0) continue;
        const char *v = cell_or_empty(t, (size_t)r, y->k);
        if (!v[0] || (k && strcmp(k, v))) return NULL;
        k = v;
    }
    return k;
}

static bool is_figure(const Layout *y, size_t c) {
    return (int)c != y->model && (int)c != y->task && (int)c != y->k;
}

static int build_lines(const CsvTable *t, const Layout *y, TextTable *l) {
    for (int b = 0; b < y->nblocks; b++) {
        char(*line)[CELL_MAX] = text_table_add_line(l, true);
        if (!line) return -1;
        const char *tn = cell_or_empty(t, (size_t)y->block_first[b], y->task);
        char task[CELL_MAX];
        snprintf(task, sizeof task, "task%s%s", tn[0] ? " " : "", tn);
        text_table_put_text(line[0], CELL_MAX, task);
        for (int c = 0; c < y->ncols; c++) {
            char name[CELL_MAX];
            text_table_put_text(name, sizeof name,
                                csvio_cell(t, (size_t)y->col_first[c], (size_t)y->model));
            if (y->col_nth[c])
                snprintf(line[1 + c], CELL_MAX, "%.50s #%d", name, y->col_nth[c] + 1);
            else
                snprintf(line[1 + c], CELL_MAX, "%s", name);
        }
        const char *k = shared_k(t, y, b);
        /* with no k to put in "maj@k", each column's k is a row of its own */
        if (!k && y->k >= 0) {
            if (!(line = text_table_add_line(l, false))) return -1;
            snprintf(line[0], CELL_MAX, "k");
            for (int c = 0; c < y->ncols; c++) {
                int r = y->grid[b * y->ncols + c];
                text_table_put_text(line[1 + c], CELL_MAX,
                                    r < 0 ? "" : csvio_cell(t, (size_t)r, (size_t)y->k));
            }
        }
        for (size_t f = 0; f < t->ncols; f++) {
            if (!is_figure(y, f)) continue;
            /* a figure no model of the block has (pass@k of another task,
             * win rate on reasoning prompts) is left out of the block */
            bool any = false;
            for (int c = 0; c < y->ncols && !any; c++) {
                int r = y->grid[b * y->ncols + c];
                any = r >= 0 && csvio_cell(t, (size_t)r, f)[0];
            }
            if (!any) continue;
            if (!(line = text_table_add_line(l, false))) return -1;
            char label[CELL_MAX];
            eval_table_label(t->header[f], k, label, sizeof label);
            text_table_put_text(line[0], CELL_MAX, label);
            for (int c = 0; c < y->ncols; c++) {
                int r = y->grid[b * y->ncols + c];
                format_cell(t->header[f], r < 0 ? "" : csvio_cell(t, (size_t)r, f), line[1 + c],
                            CELL_MAX);
            }
        }
    }
    return 0;
}

/* The first known figure that is not a number, as file:line. */
static int check_numbers(const CsvTable *t, const Layout *y, char *err, size_t errlen) {
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t c = 0; c < t->ncols; c++) {
            const char *v = csvio_cell(t, r, c);
            double x;
            if (is_figure(y, c) && must_be_number(t->header[c]) && v[0] &&
                !cli_text_number(v, &x)) {
                set_err(err, errlen, "%s:%d: %s is '%s', not a number", t->path, t->lines[r],
                        t->header[c], v);
                return -1;
            }
        }
    return 0;
}

int eval_table_print(const CsvTable *t, bool markdown, FILE *out, char *err, size_t errlen) {
    Layout y = {csvio_col(t, "model"),
                csvio_col(t, "task"),
                csvio_col(t, "k"),
                0,
                0,
                NULL,
                NULL,
                NULL,
                NULL};
    if (y.model < 0) {
        set_err(err, errlen, "%s:1: no 'model' column: not an eval.csv", t->path);
        return -1;
    }
    if (t->nrows == 0) {
        set_err(err, errlen, "%s: no rows yet (no eval stage has finished)", t->path);
        return -1;
    }
    if (check_numbers(t, &y, err, errlen)) return -1;
    if (layout_build(t, &y)) {
        layout_free(&y);
        set_err(err, errlen, "%s: out of memory", t->path);
        return -1;
    }
    TextTable l = {y.ncols, 0, 0, NULL, NULL};
    int rc = build_lines(t, &y, &l);
    if (rc == 0 && markdown)
        text_table_print_markdown(&l, out);
    else if (rc == 0)
        rc = text_table_print_plain(&l, out);
    if (rc) set_err(err, errlen, "%s: out of memory", t->path);
    text_table_free(&l);
    layout_free(&y);
    return rc;
}
