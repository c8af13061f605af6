#include "cli/eval_table.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define EMPTY "\xe2\x80\x93" /* "–": an en dash reads as "no figure", a 0 would not */

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
enum { N_KNOWN = sizeof known / sizeof known[0], CELL_MAX = 64 };

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

static bool parse_number(const char *s, double *v) {
    char *end;
    if (!s[0]) return false;
    *v = strtod(s, &end);
    return *end == 0;
}

/* Control characters would break the alignment (or the markdown row); a
 * text cut to fit is cut between UTF-8 characters. Empty text is EMPTY. */
static void put_text(char *out, size_t cap, const char *s) {
    size_t n = 0;
    for (; s[n] && n + 1 < cap; n++) out[n] = (unsigned char)s[n] < 0x20 ? ' ' : s[n];
    if (s[n])
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    out[n] = 0;
    if (!n) snprintf(out, cap, EMPTY);
}

static void format_cell(const char *col, const char *text, char *out, size_t cap) {
    double v;
    if (!parse_number(text, &v))
        put_text(out, cap, text);
    else if (isnan(v))
        snprintf(out, cap, EMPTY);
    else
        snprintf(out, cap, "%.*f", strcmp(col, "mean_length") == 0 ? 1 : 3, v);
}

/* Characters on screen: UTF-8 continuation bytes take no column. */
static int width_of(const char *s) {
    int w = 0;
    for (; *s; s++) w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

/* The table as lines of cells before it is laid out: line i holds
 * 1 + ncols cells (the label first), so that widths can be measured over
 * every block before anything is printed. */
typedef struct {
    int ncols, nlines, cap;
    char (*cells)[CELL_MAX]; /* nlines * (1 + ncols) */
    bool *header;            /* nlines: a block's header line */
} Lines;

static char (*add_line(Lines *l, bool header))[CELL_MAX] {
    if (l->nlines == l->cap) {
        int cap = l->cap ? 2 * l->cap : 16;
        void *c = realloc(l->cells, (size_t)cap * (size_t)(1 + l->ncols) * CELL_MAX);
        if (!c) return NULL;
        l->cells = c;
        bool *h = realloc(l->header, (size_t)cap * sizeof *h);
        if (!h) return NULL;
        l->header = h;
        l->cap = cap;
    }
    l->header[l->nlines] = header;
    char(*line)[CELL_MAX] = l->cells + (size_t)l->nlines++ * (size_t)(1 + l->ncols);
    for (int c = 0; c <= l->ncols; c++) line[c][0] = 0;
    return line;
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

static int build_lines(const CsvTable *t, const Layout *y, Lines *l) {
    for (int b = 0; b < y->nblocks; b++) {
        char(*line)[CELL_MAX] = add_line(l, true);
        if (!line) return -1;
        const char *tn = cell_or_empty(t, (size_t)y->block_first[b], y->task);
        char task[CELL_MAX];
        snprintf(task, sizeof task, "task%s%s", tn[0] ? " " : "", tn);
        put_text(line[0], CELL_MAX, task);
        for (int c = 0; c < y->ncols; c++) {
            char name[CELL_MAX];
            put_text(name, sizeof name, csvio_cell(t, (size_t)y->col_first[c], (size_t)y->model));
            if (y->col_nth[c])
                snprintf(line[1 + c], CELL_MAX, "%.50s #%d", name, y->col_nth[c] + 1);
            else
                snprintf(line[1 + c], CELL_MAX, "%s", name);
        }
        const char *k = shared_k(t, y, b);
        /* with no k to put in "maj@k", each column's k is a row of its own */
        if (!k && y->k >= 0) {
            if (!(line = add_line(l, false))) return -1;
            snprintf(line[0], CELL_MAX, "k");
            for (int c = 0; c < y->ncols; c++) {
                int r = y->grid[b * y->ncols + c];
                put_text(line[1 + c], CELL_MAX,
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
            if (!(line = add_line(l, false))) return -1;
            char label[CELL_MAX];
            eval_table_label(t->header[f], k, label, sizeof label);
            put_text(line[0], CELL_MAX, label);
            for (int c = 0; c < y->ncols; c++) {
                int r = y->grid[b * y->ncols + c];
                format_cell(t->header[f], r < 0 ? "" : csvio_cell(t, (size_t)r, f), line[1 + c],
                            CELL_MAX);
            }
        }
    }
    return 0;
}

static void put_padded(FILE *out, const char *s, int width, bool right) {
    int pad = width - width_of(s);
    if (right) fprintf(out, "%*s", pad > 0 ? pad : 0, "");
    fputs(s, out);
    if (!right) fprintf(out, "%*s", pad > 0 ? pad : 0, "");
}

static int print_plain(const Lines *l, FILE *out) {
    int n = 1 + l->ncols, total = 0;
    int *w = calloc((size_t)n, sizeof *w);
    if (!w) return -1;
    for (int i = 0; i < l->nlines; i++)
        for (int c = 0; c < n; c++) {
            int cw = width_of(l->cells[(size_t)i * (size_t)n + (size_t)c]);
            if (cw > w[c]) w[c] = cw;
        }
    for (int c = 0; c < n; c++) total += w[c] + (c ? 2 : 0);
    for (int i = 0; i < l->nlines; i++) {
        const char(*line)[CELL_MAX] = l->cells + (size_t)i * (size_t)n;
        if (l->header[i] && i) fputc('\n', out);
        put_padded(out, line[0], w[0], false);
        for (int c = 1; c < n; c++) {
            fputs("  ", out);
            put_padded(out, line[c], w[c], true);
        }
        fputc('\n', out);
        if (l->header[i]) {
            for (int x = 0; x < total; x++) fputc('-', out);
            fputc('\n', out);
        }
    }
    free(w);
    return 0;
}

/* A '|' inside a cell would end it. */
static void put_md_cell(FILE *out, const char *s) {
    fputs("| ", out);
    for (; *s; s++) {
        if (*s == '|') fputc('\\', out);
        fputc(*s, out);
    }
    fputc(' ', out);
}

static void print_markdown(const Lines *l, FILE *out) {
    int n = 1 + l->ncols;
    for (int i = 0; i < l->nlines; i++) {
        const char(*line)[CELL_MAX] = l->cells + (size_t)i * (size_t)n;
        if (l->header[i] && i) fputc('\n', out);
        for (int c = 0; c < n; c++) put_md_cell(out, line[c]);
        fputs("|\n", out);
        if (l->header[i]) {
            fputs("|:---", out);
            for (int c = 1; c < n; c++) fputs("|---:", out);
            fputs("|\n", out);
        }
    }
}

/* The first known figure that is not a number, as file:line. */
static int check_numbers(const CsvTable *t, const Layout *y, char *err, size_t errlen) {
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t c = 0; c < t->ncols; c++) {
            const char *v = csvio_cell(t, r, c);
            double x;
            if (is_figure(y, c) && must_be_number(t->header[c]) && v[0] && !parse_number(v, &x)) {
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
    Lines l = {y.ncols, 0, 0, NULL, NULL};
    int rc = build_lines(t, &y, &l);
    if (rc == 0 && markdown)
        print_markdown(&l, out);
    else if (rc == 0)
        rc = print_plain(&l, out);
    if (rc) set_err(err, errlen, "%s: out of memory", t->path);
    free(l.cells);
    free(l.header);
    layout_free(&y);
    return rc;
}
