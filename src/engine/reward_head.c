#include "engine/reward_head.h"

#include <stdlib.h>
#include <string.h>

#include "engine/rng.h"

static void head_scores(const Gpt *m, int B, int T, const int *pos, float *scores) {
    const int C = m->cfg.d_model;
    for (int b = 0; b < B; b++) {
        const float *h = m->a.lnf + ((size_t)b * T + pos[b]) * C;
        /* in double: scores are compared in pairs, and their differences are
         * small next to the terms */
        double s = m->w.headb[0];
        for (int i = 0; i < C; i++) s += (double)h[i] * m->w.headw[i];
        scores[b] = (float)s;
    }
}

void reward_head_forward(Gpt *m, const int *tokens, int B, int T, const int *pos, float *scores) {
    gpt_forward_hidden(m, tokens, B, T);
    head_scores(m, B, T, pos, scores);
}

void reward_head_score(Gpt *m, const int *tokens, int B, int T, const int *pos, float *scores) {
    gpt_forward_hidden_nograd(m, tokens, B, T);
    head_scores(m, B, T, pos, scores);
}

void reward_head_backward(Gpt *m, const int *pos, const float *dscore) {
    if (!m->kept) abort(); /* dbuf_c below is backward scratch */
    if (!m->grads) gpt_zero_grad(m);
    const int B = m->B, T = m->T, C = m->cfg.d_model;
    /* Only the chosen rows of lnf reach a score; every other row's gradient
     * is 0, and the trunk backward spreads the chosen ones back through
     * attention. dbuf_c is the scratch gpt_backward_hidden accepts. */
    float *dlnf = m->s.dbuf_c;
    memset(dlnf, 0, (size_t)B * T * C * sizeof(float));
    for (int b = 0; b < B; b++) {
        size_t row = ((size_t)b * T + pos[b]) * C;
        const float *h = m->a.lnf + row;
        float d = dscore[b];
        for (int i = 0; i < C; i++) {
            m->g.headw[i] += d * h[i];
            dlnf[row + i] = d * m->w.headw[i];
        }
        m->g.headb[0] += d;
    }
    gpt_backward_hidden(m, dlnf);
}

Gpt *reward_head_attach(const Gpt *policy, float w_std, unsigned long long seed) {
    if (policy->cfg.has_head) return NULL;
    GptConfig cfg = policy->cfg;
    cfg.has_head = 1;
    Gpt *m = gpt_new(&cfg);
    if (!m) return NULL;
    /* the head is the blob's tail, so the policy's blob is its prefix */
    memcpy(m->params, policy->params, policy->num_params * sizeof(float));
    Rng r;
    rng_seed(&r, seed);
    for (int i = 0; i < cfg.d_model; i++) m->w.headw[i] = w_std * rng_normal(&r);
    m->w.headb[0] = 0.0f;
    return m;
}
