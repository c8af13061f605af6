#ifndef R1SIM_CLI_TEXT_TABLE_H
#define R1SIM_CLI_TEXT_TABLE_H

/* Lines of cells laid out for a terminal or as Markdown, shared by the
 * tables `r1sim table` prints. Every line holds 1 + ncols cells, the label
 * first; a header line starts a block. The whole table is held before
 * anything is printed, so that widths are measured over every block.
 *
 * Plain text: labels left, numbers right, two spaces between columns, a rule
 * under each header, a blank line between blocks, display width counted in
 * UTF-8 characters. Markdown: one pipe table per block. */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum { TEXT_TABLE_CELL = 64 };

typedef struct {
    int ncols, nlines, cap;
    char (*cells)[TEXT_TABLE_CELL]; /* nlines * (1 + ncols) */
    bool *header;                   /* nlines: a block's header line */
} TextTable;

/* A new line of empty cells, or NULL when out of memory. */
char (*text_table_add_line(TextTable *l, bool header))[TEXT_TABLE_CELL];
void text_table_free(TextTable *l);

/* Copies s into a cell: control characters become blanks (they would break
 * the alignment or the markdown row), a text cut to fit is cut between UTF-8
 * characters, and empty text is TEXT_TABLE_EMPTY. */
void text_table_put_text(char *out, size_t cap, const char *s);

#define TEXT_TABLE_EMPTY "\xe2\x80\x93" /* "–": an en dash reads as "no figure", a 0 would not */

/* 0, or -1 when out of memory (nothing printed). */
int text_table_print_plain(const TextTable *l, FILE *out);
void text_table_print_markdown(const TextTable *l, FILE *out);

#endif
