#ifndef R1SIM_ENGINE_ADAMW_H
#define R1SIM_ENGINE_ADAMW_H

/* AdamW over a Gpt's flat parameter blob: decoupled weight decay on the weight
 * matrices and embeddings (not on biases or LayerNorm), global gradient-norm
 * clipping, and a linear warm-up followed by a cosine decay. */

#include "engine/gpt.h"

typedef struct {
    float lr;           /* peak learning rate */
    float beta1, beta2; /* 0.9, 0.999 */
    float eps;          /* 1e-8 */
    float weight_decay; /* decoupled, applied as lr * wd * w */
    float grad_clip;    /* max global L2 norm; <= 0 disables */
    int warmup_steps;   /* linear ramp from lr/warmup to lr */
    int total_steps;    /* cosine decay over the rest; <= 0 keeps lr constant */
    float min_lr_frac;  /* lr floor as a fraction of lr at the end of the cosine */
} AdamWConfig;

typedef struct {
    AdamWConfig cfg;
    float *m, *v;
    size_t n;
    long step; /* number of updates done */
} AdamW;

AdamWConfig adamw_defaults(void);
AdamW *adamw_new(const Gpt *model, const AdamWConfig *cfg);
void adamw_free(AdamW *opt);
/* Learning rate used by update number `step` (0-based). */
float adamw_lr_at(const AdamWConfig *cfg, long step);
/* Global L2 norm of the model's gradients. */
float gpt_grad_norm(const Gpt *model);
/* Clips, updates the parameters and advances the schedule. Returns the
 * gradient norm measured before clipping. */
float adamw_update(AdamW *opt, Gpt *model);

#endif
