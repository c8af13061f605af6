#ifndef R1SIM_TRAIN_KD_STEP_H
#define R1SIM_TRAIN_KD_STEP_H

/* One optimizer step of logit distillation on a prepared batch: the teacher
 * reads the same rows as the student, and the student minimises
 * kd_loss.h's mix of cross-entropy and T^2 KL(teacher || student) over the
 * unmasked targets, its gradient entering the engine through
 * gpt_backward_logits. Off-policy (GKD's supervised case): the rows are a
 * fixed dataset's, not the student's own samples. */

#include "engine/adamw.h"
#include "engine/gpt.h"
#include "train/lm_step.h"

typedef struct {
    Gpt *teacher; /* same vocabulary as the student, context at least its */
    float temperature;
    float weight; /* of the KL term; 1 - weight on the cross-entropy */
} KdTeacher;

/* No teacher yet, temperature 2, weight 0.5. */
KdTeacher kd_defaults(void);

typedef struct {
    LmStepResult lm; /* loss is the mix */
    double ce, kl;   /* means over the unmasked targets, kl including T^2 */
} KdStepResult;

/* Floats of scratch for rows of T positions over a vocabulary of V. */
size_t kd_scratch_floats(int T, int V);

/* inputs and targets are (B, T), a negative target masked, as for
 * lm_train_step. 0, or -1 (nothing done) on a bad shape. */
int kd_train_step(Gpt *student, const KdTeacher *kd, AdamW *opt, const int *inputs,
                  const int *targets, int B, int T, float *scratch, KdStepResult *out);

#endif
