#include "cli/text_table.h"

#include <stdlib.h>

#define CELL_MAX TEXT_TABLE_CELL

void text_table_put_text(char *out, size_t cap, const char *s) {
    size_t n = 0;
    for (; s[n] && n + 1 < cap; n++) out[n] = (unsigned char)s[n] < 0x20 ? ' ' : s[n];
    if (s[n])
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    out[n] = 0;
    if (!n) snprintf(out, cap, TEXT_TABLE_EMPTY);
}

/* Characters on screen: UTF-8 continuation bytes take no column. */
static int width_of(const char *s) {
    int w = 0;
    for (; *s; s++) w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

char (*text_table_add_line(TextTable *l, bool header))[CELL_MAX] {
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

void text_table_free(TextTable *l) {
    free(l->cells);
    free(l->header);
    l->cells = NULL;
    l->header = NULL;
    l->nlines = l->cap = 0;
}

static void put_padded(FILE *out, const char *s, int width, bool right) {
    int pad = width - width_of(s);
    if (right) fprintf(out, "%*s", pad > 0 ? pad : 0, "");
    fputs(s, out);
    if (!right) fprintf(out, "%*s", pad > 0 ? pad : 0, "");
}

int text_table_print_plain(const TextTable *l, FILE *out) {
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

void text_table_print_markdown(const TextTable *l, FILE *out) {
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
