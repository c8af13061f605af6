#ifndef R1SIM_CLI_RUN_FILES_H
#define R1SIM_CLI_RUN_FILES_H

/* What the view reads from the run directory rather than from the runner:
 * the eval table (each finished eval stage's eval_rows.csv, so the table
 * grows as the run goes, not only when eval.csv is rebuilt at the end) and
 * the last sample a finished stage wrote to its samples.csv. Called on the
 * view's thread only when something changed, never per frame. */

#include <stdbool.h>
#include <stddef.h>

#include "tui/model.h"

/* Formats the eval rows of `stages` (n names, in run order) as the paper
 * prints its tables: a header, then one row per evaluated model. "" when no
 * stage has rows. */
void run_files_eval_table(const char *dir, const char *const *stages, int n, char *out, size_t cap);

/* The pass@k curves of `stages` (n names, in run order) from each one's
 * pass_at_k.csv, into out (at most max): the model's name and pass@k and
 * maj@k at k = 1, 2, 4, ..., up to the first k missing from that sequence.
 * Returns how many were filled; a stage without the file adds none. */
int run_files_curves(const char *dir, const char *const *stages, int n, TuiCurve *out, int max);

/* The last row of DIR/STAGE/samples.csv: prompt, completion and the other
 * numeric columns as "name value" pairs. -1 when there is none. */
int run_files_last_sample(const char *dir, const char *stage, char *prompt, size_t pcap,
                          char *completion, size_t ccap, char *scores, size_t scap);

#endif
