#include "train/lm_step.h"

#include <time.h>

#include "train/xent.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void lm_step_with(Gpt *m, AdamW *opt, LmLossFn loss_fn, void *ctx, LmStepResult *out) {
    double t0 = now_s();
    long n = 0;
    gpt_zero_grad(m);
    double loss = loss_fn(ctx, m, &n);
    /* read before the update, which advances the schedule */
    float lr = adamw_lr_at(&opt->cfg, opt->step);
    float norm = adamw_update(opt, m);
    double dt = now_s() - t0;
    if (out) {
        out->loss = loss;
        out->grad_norm = norm;
        out->lr = lr;
        out->tokens = n;
        out->tokens_per_s = dt > 0 ? (double)n / dt : 0.0;
    }
}

typedef struct {
    const int *inputs, *targets;
    int B, T;
    float *scratch;
} XentBatch;

static double xent_loss(void *ctx, Gpt *m, long *n) {
    XentBatch *x = ctx;
    return xent_batch(m, x->inputs, x->targets, x->B, x->T, 1, x->scratch, n);
}

int lm_train_step(Gpt *m, AdamW *opt, const int *inputs, const int *targets, int B, int T,
                  float *scratch, LmStepResult *out) {
    if (B < 1 || T < 1 || T > m->cfg.max_seq_len) return -1;
    XentBatch x = {inputs, targets, B, T, scratch};
    lm_step_with(m, opt, xent_loss, &x, out);
    return 0;
}
