#include "train/xent.h"

static int micro_rows(int T) {
    int r = XENT_MICRO_TOKENS / T;
    return r > 0 ? r : 1;
}

/* A batch with rows shorter than T packs more rows into a micro-batch, but
 * never more than max(XENT_MICRO_TOKENS, T) positions, so size for that. */
size_t xent_scratch_floats(int T) {
    size_t most = (size_t)(T > XENT_MICRO_TOKENS ? T : XENT_MICRO_TOKENS);
    return 2 * most;
}

double xent_batch(Gpt *m, const int *inputs, const int *targets, int B, int T, int backward,
                  float *scratch, long *n_targets) {
    long n = 0;
    for (long i = 0; i < (long)B * T; i++) n += targets[i] >= 0;
    if (n_targets) *n_targets = n;
    if (n == 0) return 0.0;
    int rows = micro_rows(T);
    float *logp = scratch, *dlogp = scratch + (size_t)rows * T;
    for (int i = 0; i < rows * T; i++) dlogp[i] = -1.0f / (float)n;
    double sum = 0.0;
    for (int r0 = 0; r0 < B; r0 += rows) {
        int nb = B - r0 < rows ? B - r0 : rows;
        const int *tg = targets + (size_t)r0 * T;
        int any = 0;
        for (int i = 0; i < nb * T && !any; i++) any = tg[i] >= 0;
        if (!any) continue; /* nothing to learn from an all-padding micro-batch */
        gpt_forward(m, inputs + (size_t)r0 * T, nb, T);
        gpt_logp(m, tg, 1.0f, logp, NULL);
        for (int i = 0; i < nb * T; i++)
            if (tg[i] >= 0) sum += logp[i];
        if (backward) gpt_backward_logp(m, tg, dlogp);
    }
    return -sum / (double)n;
}
