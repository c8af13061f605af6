#ifndef R1SIM_CLI_EVAL_TABLE_H
#define R1SIM_CLI_EVAL_TABLE_H

/* A run's eval.csv laid out as the DeepSeek-R1 paper lays out its Table 2:
 * models as columns, figures as rows, one block of rows per task.
 *
 * eval.csv has a row per (model, task); its columns are model, task, k and
 * then the figures. Columns follow the models in the file's order; a model
 * with two rows for one task gets a second column, "NAME #2". Figure rows
 * follow the file's columns: the known ones get readable labels ("pass@1",
 * "maj@8" when the block's rows share k, "format", ...), any pass_at_N column
 * "pass@N", and unknown columns their own name, so that columns the pipeline
 * adds show up without a change here. Numbers get 3 decimals (mean length 1);
 * an empty cell, a NaN or a model without a row for the task is "–".
 *
 * Plain text is aligned for a terminal (labels left, numbers right, two
 * spaces between columns, display width counted in UTF-8 characters);
 * markdown gives one pipe table per task. */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "world/csvio.h"

/* Writes the table to out. 0, or -1 with a one-line message naming the file
 * (and line) in err: no model column, no rows, a known figure that is not a
 * number. Nothing is written on failure. */
int eval_table_print(const CsvTable *t, bool markdown, FILE *out, char *err, size_t errlen);

/* The row label of eval.csv column `col` ("pass_at_4" -> "pass@4"); k is the
 * block's shared k for maj_at_k, or NULL when its rows differ. */
void eval_table_label(const char *col, const char *k, char *out, size_t cap);

#endif
