#ifndef R1SIM_TRAIN_XENT_H
#define R1SIM_TRAIN_XENT_H

/* Masked next-token cross-entropy over a padded batch, computed in
 * micro-batches so that activation memory stays bounded whatever the batch
 * size, with gradients equal to those of the whole batch at once: each
 * unmasked target gets dL/dlogp = -1/N for the batch's N targets, however the
 * rows are split. Shared by pretraining and SFT. */

#include "engine/gpt.h"

enum { XENT_MICRO_TOKENS = 2048 }; /* positions per forward: bounds activation memory */

/* Floats of scratch a batch with rows of T positions needs (logp and dlogp). */
size_t xent_scratch_floats(int T);

/* inputs and targets are (B, T); a negative target is masked. Accumulates
 * gradients into the model when backward != 0 (the caller zeroes them).
 * Returns the mean loss over unmasked targets (0 when there are none) and
 * their count in *n_targets (may be NULL). */
double xent_batch(Gpt *m, const int *inputs, const int *targets, int B, int T, int backward,
                  float *scratch, long *n_targets);

#endif
