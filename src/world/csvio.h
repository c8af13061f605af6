#ifndef R1SIM_WORLD_CSVIO_H
#define R1SIM_WORLD_CSVIO_H

#include <stdbool.h>
#include <stddef.h>

/* Every CSV file r1sim reads or writes (data/, samples.csv, datasets, eval.csv,
 * metrics.csv) goes through here, so that completions holding commas, quotes,
 * newlines and arbitrary bytes round-trip exactly, and so that a bad file is
 * reported as `file:line: what is wrong` — the line being the physical line of
 * the file, which differs from the record number once fields hold newlines.
 *
 * Parsing and quoting are libcsv's (strict mode). Fields are NUL-terminated
 * strings: a field holding a NUL byte is cut at it. Blank lines are skipped, as
 * libcsv does. Functions that can fail take `err`/`errcap` and write a one-line
 * message there (always NUL-terminated when errcap > 0). */

/* A whole file held in memory: header plus rows of the header's width. */
typedef struct {
    char *path;    /* as given, for messages */
    size_t ncols;  /* header width; every row has exactly this many cells */
    char **header; /* ncols names */
    size_t nrows;  /* data rows, header excluded */
    char **cells;  /* nrows * ncols, row-major: cells[row * ncols + col] */
    int *lines;    /* nrows: physical line (1-based) where each row starts, so that
                      a caller validating a cell can name file:line too */
} CsvTable;

/* Reads and parses a file. 0 on success; -1 with `err` set and *t zeroed. */
int csvio_read(const char *path, CsvTable *t, char *err, size_t errcap);

/* The same for text already in memory; `name` stands in for the path. */
int csvio_parse(const char *name, const char *data, size_t len, CsvTable *t, char *err,
                size_t errcap);

void csvio_free(CsvTable *t);

/* Index of the column called `name`, or -1. */
int csvio_col(const CsvTable *t, const char *name);

/* Looks up several columns at once; on a missing one, says which and lists the
 * columns the file does have. idx receives n indices. */
int csvio_cols(const CsvTable *t, const char *const *names, size_t n, int *idx, char *err,
               size_t errcap);

static inline const char *csvio_cell(const CsvTable *t, size_t row, size_t col) {
    return t->cells[row * t->ncols + col];
}

/* Whole-file writer. Rows go to `path.tmp.<pid>`; csvio_writer_commit fsyncs it
 * and renames it over `path`, so readers (and a crash) see the old file or the
 * new one, never half of one. Any failure — an I/O error or a row of the wrong
 * width — poisons the writer: commit then fails, removes the temporary file and
 * leaves `path` untouched. */
typedef struct CsvWriter CsvWriter;

CsvWriter *csvio_writer_open(const char *path, const char *const *header, size_t ncols, char *err,
                             size_t errcap);
int csvio_writer_row(CsvWriter *w, const char *const *fields, size_t n, char *err, size_t errcap);
/* Finishes and frees w (also on failure). */
int csvio_writer_commit(CsvWriter *w, char *err, size_t errcap);
/* Drops the temporary file and frees w; `path` is untouched. NULL is a no-op. */
void csvio_writer_abort(CsvWriter *w);

/* One call for a table held as cells (row-major, nrows * ncols). */
int csvio_write(const char *path, const char *const *header, size_t ncols, const char *const *cells,
                size_t nrows, char *err, size_t errcap);

/* Appending writer for metrics.csv: opened once per stage, one row per step.
 * Each row is written with a single write(2), so a killed process never leaves
 * a partial row; after a failed write the file is cut back to its previous
 * length. Reopening an existing file (a resumed run) keeps its rows and checks
 * that its header is the one asked for. */
typedef struct CsvAppender CsvAppender;

CsvAppender *csvio_append_open(const char *path, const char *const *header, size_t ncols, char *err,
                               size_t errcap);
int csvio_append_row(CsvAppender *a, const char *const *fields, size_t n, char *err, size_t errcap);
/* fsyncs and closes; NULL is a no-op. Returns -1 if the final sync failed. */
int csvio_append_close(CsvAppender *a, char *err, size_t errcap);

/* Formats one record (terminated by '\n') into a malloc'd buffer, quoting only
 * the fields that need it; *len gets its length. NULL when out of memory.
 * Exposed for the TUI's "copy as CSV" and for tests. */
char *csvio_format_row(const char *const *fields, size_t n, size_t *len);

#endif
