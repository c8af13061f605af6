#ifndef R1SIM_PIPELINE_RUNDIR_H
#define R1SIM_PIPELINE_RUNDIR_H

/* The run directory's layout, in one place:
 *   DIR/eval.csv                  every eval stage's rows, rebuilt when a run ends
 *   DIR/pass_at_k.csv             every eval stage's pass_at_k.csv, rebuilt with it
 *   DIR/run.csv                   the script, seed and -D the run was made with
 *                                 (cli/run_record.h), for r1sim sweep --collect
 *   DIR/STAGE/metrics.csv         one row per step
 *   DIR/STAGE/samples.csv         completions (eval and grpo stages)
 *   DIR/STAGE/model.ckpt          the checkpoint of a kind that makes one
 *   DIR/STAGE/dataset.csv         the dataset of a kind that makes one (sample),
 *                                 built from its step file kept.csv
 *   DIR/STAGE/sources.csv         rows per input and source (sft)
 *   DIR/STAGE/eval_rows.csv       an eval stage's rows of eval.csv
 *   DIR/STAGE/pass_at_k.csv       an eval stage's pass@k and maj@k, one row per k
 *   DIR/STAGE/resume              step of the last resume point, written after
 *   DIR/STAGE/resume-N.*          its files (weights .ckpt, the kind's .state)
 *   DIR/STAGE/key, DIR/STAGE/done cache bookkeeping (cache.h) */

#include <stddef.h>

#include "pipeline/graph.h"
#include "train/eval.h"

/* DIR/STAGE/FILE (FILE may be NULL for the directory). -1 if it does not fit. */
int rundir_path(char *buf, size_t cap, const char *dir, const char *stage, const char *file);

/* mkdir -p of DIR/STAGE. 0, or -1 with a message. */
int rundir_make(const char *dir, const char *stage, char *err, size_t errlen);

/* Removes DIR/STAGE's files (not the directory), for a re-run from scratch. */
void rundir_clear_stage(const char *dir, const char *stage);

int rundir_exists(const char *path);

#define RUNDIR_EVAL_HEADER                                                                         \
    "model", "task", "k", "pass_at_1", "maj_at_k", "format_rate", "language_consistency",          \
        "mean_length", "aha_per_completion", "think_rate", "pass_at_1_think", "pass_at_1_direct"
enum { RUNDIR_EVAL_COLS = 12 };

/* pass_at_k.csv: the model and task as in eval.csv, n samples per problem,
 * then for k = 1, 2, 4, ... up to n the unbiased pass@k and maj@k (the
 * majority vote of k samples, averaged over blocks of k; train/eval.h). */
#define RUNDIR_PASS_AT_K_HEADER "model", "task", "n", "k", "pass_at_k", "maj_at_k"
enum { RUNDIR_PASS_AT_K_COLS = 6 };

/* Row j of pass_at_k.csv for an eval's result: cells point at model, task
 * and the text in buf, which must outlive them. The eval stage and
 * `r1sim eval --pass-at-k --csv` write the same rows with it. */
void rundir_pass_at_k_row(const EvalResult *e, int j, const char *model, const char *task,
                          char buf[4][32], const char *cells[RUNDIR_PASS_AT_K_COLS]);

/* Rebuilds DIR/eval.csv from the eval_rows.csv of the graph's eval stages
 * that have one, in graph order, and DIR/pass_at_k.csv likewise from their
 * pass_at_k.csv. */
int rundir_rebuild_eval(const char *dir, const Graph *g, const int *order, char *err,
                        size_t errlen);

#endif
