#ifndef R1SIM_PIPELINE_STEP_RECORDS_H
#define R1SIM_PIPELINE_STEP_RECORDS_H

/* The recorded steps of a GRPO stage, token by token: DIR/STAGE/tokens.csv
 * in long form, one row per completion token per pass, for every step whose
 * batch goes to samples.csv (the first, every samples_every-th, the last).
 * Columns (r1sim(1) documents them):
 *   step,sample,group,pass,minibatch,pos,token,text,logp_old,logp,logp_ref,
 *   ratio,clip,kl,weight,objective,push
 * sample is the completion's row within the step in samples.csv, which
 * holds its prompt, text, rewards and advantage; minibatch -1 marks a
 * masked completion (no loss). Reading a step back joins the two files
 * into the GrpoTrace the trainer had, so a finished run can be inspected
 * like a running one. */

#include <stddef.h>

#include "pipeline/graph.h"
#include "world/csvio.h"
#include "train/grpo_trace.h"

extern const char *const step_records_columns[];
enum { STEP_RECORDS_NCOLS = 17 };

/* Appends the trace's tokens as rows of tokens.csv. */
int step_records_append(CsvAppender *a, const GrpoTrace *t, char *err, size_t errlen);

/* The options' side of a trace, defined by the grpo kind: B, G, mu,
 * minibatches, loss type, beta, eps, scale_rewards, max_new_tokens and the
 * rewards' names and weights as the total counted them at `step`. */
int stage_grpo_trace_header(const Stage *st, long step, GrpoTrace *t, char *err, size_t errlen);

/* Where each recorded step starts in tokens.csv; grows as the file does. */
typedef struct {
    char path[4200], samples[4200];
    long *step;
    long *offset; /* byte offset of the step's first row; [n] = end of the last */
    int n, cap;
    long scanned;                /* bytes of the file indexed so far (whole rows only) */
    unsigned long long dev, ino; /* which file that was */
    char header[512];
} StepIndex;

/* Opens (or refreshes) the index of DIR/STAGE/tokens.csv: reads the rows
 * added since the last call, or the whole file again when it is another
 * one (a resume rewrote it, a fresh run removed it). 0, or -1 when the file
 * is missing or damaged (err names it), the index then empty. */
int step_index_update(StepIndex *ix, const char *dir, const char *stage, char *err, size_t errlen);
void step_index_free(StepIndex *ix);
/* Position of `step` among the recorded steps (dir 0), or of the nearest
 * recorded step before it (dir -1) or after it (+1); -1 when none. */
int step_index_find(const StepIndex *ix, long step, int dir);

/* Step ix->step[i] of stage st as a trace: samples.csv's rows of the step
 * and the tokens. 0, or -1 with a message naming the file and line. */
int step_records_load(const StepIndex *ix, int i, const Stage *st, GrpoTrace *out, char *err,
                      size_t errlen);

#endif
