#include "train/kd_step.h"

#include "train/kd_loss.h"
#include "train/xent.h"

/* Micro-batches of at most XENT_MICRO_TOKENS positions, as for the
 * cross-entropy, bound both models' activations. */
static int micro_rows(int T) {
    int r = XENT_MICRO_TOKENS / T;
    return r > 0 ? r : 1;
}

KdTeacher kd_defaults(void) {
    /* Hinton et al.'s middle ground: T 2 softens the teacher enough to show
     * its second choices, and half the loss stays on the data's own tokens. */
    return (KdTeacher){.teacher = NULL, .temperature = 2.0f, .weight = 0.5f};
}

size_t kd_scratch_floats(int T, int V) {
    return (size_t)micro_rows(T) * (size_t)T * (size_t)V;
}

typedef struct {
    const KdTeacher *kd;
    const int *inputs, *targets;
    int B, T;
    float *dlogits;
    KdSums sums;
} KdBatch;

static double kd_loss(void *ctx, Gpt *m, long *n_out) {
    KdBatch *x = ctx;
    const int T = x->T, V = m->cfg.vocab_size;
    long n = 0;
    for (long i = 0; i < (long)x->B * T; i++) n += x->targets[i] >= 0;
    *n_out = n;
    if (n == 0) return 0.0;
    const int rows = micro_rows(T);
    for (int r0 = 0; r0 < x->B; r0 += rows) {
        int nb = x->B - r0 < rows ? x->B - r0 : rows;
        const int *in = x->inputs + (size_t)r0 * T, *tg = x->targets + (size_t)r0 * T;
        int any = 0;
        for (int i = 0; i < nb * T && !any; i++) any = tg[i] >= 0;
        if (!any) continue;
        gpt_forward_nograd(x->kd->teacher, in, nb, T);
        gpt_forward(m, in, nb, T);
        kd_loss_rows(m->a.logits, x->kd->teacher->a.logits, tg, nb * T, V, x->kd->temperature,
                     x->kd->weight, 1.0f / (float)n, x->dlogits, &x->sums);
        gpt_backward_logits(m, x->dlogits);
    }
    const double w = x->kd->weight;
    return ((1.0 - w) * x->sums.ce + w * x->sums.kl) / (double)n;
}

int kd_train_step(Gpt *student, const KdTeacher *kd, AdamW *opt, const int *inputs,
                  const int *targets, int B, int T, float *scratch, KdStepResult *out) {
    if (B < 1 || T < 1 || T > student->cfg.max_seq_len || T > kd->teacher->cfg.max_seq_len ||
        kd->teacher->cfg.vocab_size != student->cfg.vocab_size)
        return -1;
    KdBatch x = {
        .kd = kd, .inputs = inputs, .targets = targets, .B = B, .T = T, .dlogits = scratch};
    LmStepResult r;
    lm_step_with(student, opt, kd_loss, &x, &r);
    if (out) {
        out->lm = r;
        long n = x.sums.n > 0 ? x.sums.n : 1;
        out->ce = x.sums.ce / (double)n;
        out->kl = x.sums.kl / (double)n;
    }
    return 0;
}
