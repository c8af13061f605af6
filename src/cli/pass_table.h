#ifndef R1SIM_CLI_PASS_TABLE_H
#define R1SIM_CLI_PASS_TABLE_H

/* A run's pass_at_k.csv (pipeline/rundir.h) as a table of the curve: k down
 * the rows, and for every evaluated model a pass@k column and then a maj@k
 * column, so that models sit side by side at each k; one block per task.
 *
 * The file's rows are the eval stages' files one after another: a model's
 * curve is a run of rows with one model and task and rising k. A model with
 * two curves for one task gets a second column, "NAME #2". Rows are the k
 * any curve of the block has, in rising order; a curve without that k (a
 * model evaluated with fewer samples) shows "–". Numbers get 3 decimals.
 * Layout as text_table.h, each block aligned on its own. */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "world/csvio.h"

/* Writes the table to out. 0, or -1 with a one-line message naming the file
 * (and line) in err: a missing column, no rows, a k that is not a positive
 * whole number, a figure that is not a number. Nothing is written on bad
 * input. */
int pass_table_print(const CsvTable *t, bool markdown, FILE *out, char *err, size_t errlen);

#endif
