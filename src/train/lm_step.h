#ifndef R1SIM_TRAIN_LM_STEP_H
#define R1SIM_TRAIN_LM_STEP_H

/* One optimizer step of next-token cross-entropy on a prepared batch: the
 * step every language-modelling trainer (pretraining, SFT, distillation)
 * shares once it has laid out its rows, so that they differ only in what the
 * rows hold and which targets are masked. */

#include "engine/adamw.h"
#include "engine/gpt.h"

typedef struct {
    double loss;         /* mean over unmasked targets (0 when there are none) */
    float grad_norm;     /* before clipping */
    float lr;            /* the rate this step used */
    long tokens;         /* unmasked targets trained on */
    double tokens_per_s; /* of this call; the caller's batch assembly is not timed */
} LmStepResult;

/* inputs and targets are (B, T); a negative target is masked. scratch holds
 * xent_scratch_floats(T) floats. Zeroes the gradients, accumulates them over
 * the batch, and takes one AdamW step at the schedule's current rate. out may
 * be NULL. 0, or -1 (nothing done) when B or T is below 1 or T exceeds the
 * model's context. */
int lm_train_step(Gpt *m, AdamW *opt, const int *inputs, const int *targets, int B, int T,
                  float *scratch, LmStepResult *out);

/* The loss of one step: accumulates the batch's gradients into m (zeroed
 * by the caller) and returns the mean loss, its unmasked targets in *n. */
typedef double (*LmLossFn)(void *ctx, Gpt *m, long *n);

/* lm_train_step with another loss (distillation's): zero, loss, one AdamW
 * step, timed the same way. */
void lm_step_with(Gpt *m, AdamW *opt, LmLossFn loss, void *ctx, LmStepResult *out);

#endif
