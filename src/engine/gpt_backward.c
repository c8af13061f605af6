#include <stdlib.h>
#include <string.h>

#include "engine/gpt.h"
#include "engine/oom.h"
#include "engine/ops.h"

void gpt_zero_grad(Gpt *m) {
    if (!m->grads) {
        m->grads = engine_alloc_floats(m->num_params);
        if (!m->grads) engine_out_of_memory("the gradients", m->num_params * sizeof(float));
        gpt_point_tensors(&m->g, m->grads, m->tensor_size);
        return;
    }
    memset(m->grads, 0, m->num_params * sizeof(float));
}

/* Everything below the logits, given dlogits (BT, V). */
void gpt_backward_logits(Gpt *m, const float *dlogits) {
    if (!m->kept) abort(); /* no scratch (dbuf_c) after a no-grad forward */
    if (!m->grads) gpt_zero_grad(m);
    const int BT = m->B * m->T, C = m->cfg.d_model, V = m->cfg.vocab_size;
    /* logits = lnf @ wte^T (tied head) */
    mm_dw_acc(m->g.wte, dlogits, m->a.lnf, BT, V, C);
    mm_dout_w(m->s.dbuf_c, dlogits, m->w.wte, BT, V, C, 0.0f);
    gpt_backward_hidden(m, m->s.dbuf_c);
}

void gpt_backward_hidden(Gpt *m, const float *dlnf) {
    /* a no-grad forward overwrote each layer's activations with the next's */
    if (!m->kept) abort();
    if (!m->grads) gpt_zero_grad(m);
    const int B = m->B, T = m->T, BT = B * T;
    const int C = m->cfg.d_model, L = m->cfg.n_layer, NH = m->cfg.n_head;
    const GptTensors *w = &m->w;
    GptTensors *g = &m->g;
    const GptActs *a = &m->a;
    GptScratch *s = &m->s;

    /* dlnf is consumed here, before the blocks reuse dbuf_c. */
    memset(s->dresid, 0, (size_t)BT * C * sizeof(float));
    layernorm_backward(s->dresid, g->lnfw, g->lnfb, dlnf, a->residf, w->lnfw, a->lnf_mean,
                       a->lnf_rstd, BT, C);

    for (int l = L - 1; l >= 0; l--) {
        size_t o1 = (size_t)l * BT * C, o3 = 3 * o1, o4 = 4 * o1, on = (size_t)l * BT;
        const float *resid1 = a->resid1 + o1, *ln1 = a->ln1 + o1, *qkv = a->qkv + o3;
        const float *atty = a->atty + o1, *resid2 = a->resid2 + o1, *ln2 = a->ln2 + o1;
        const float *fch = a->fch + o4, *gelu = a->gelu + o4;
        const float *att = a->att + (size_t)l * B * NH * T * T;
        size_t lc = (size_t)l * C, lcc = (size_t)l * C * C;
        float *dqkv = s->dbuf_4c; /* (BT, 3C) fits in (BT, 4C) */

        /* out = resid2 + gelu(fch) @ fcprojw^T + fcprojb */
        mm_dw_acc(g->fcprojw + 4 * lcc, s->dresid, gelu, BT, C, 4 * C);
        bias_backward(g->fcprojb + lc, s->dresid, BT, C);
        mm_dout_w(s->dbuf_4c, s->dresid, w->fcprojw + 4 * lcc, BT, C, 4 * C, 0.0f);
        gelu_backward_inplace(s->dbuf_4c, fch, BT * 4 * C);
        /* fch = ln2 @ fcw^T + fcb */
        mm_dw_acc(g->fcw + 4 * lcc, s->dbuf_4c, ln2, BT, 4 * C, C);
        bias_backward(g->fcb + 4 * lc, s->dbuf_4c, BT, 4 * C);
        mm_dout_w(s->dbuf_c, s->dbuf_4c, w->fcw + 4 * lcc, BT, 4 * C, C, 0.0f);
        /* ln2 = LayerNorm(resid2); dresid becomes d(resid2) */
        layernorm_backward(s->dresid, g->ln2w + lc, g->ln2b + lc, s->dbuf_c, resid2, w->ln2w + lc,
                           a->ln2_mean + on, a->ln2_rstd + on, BT, C);
        /* resid2 = resid1 + atty @ attprojw^T + attprojb */
        mm_dw_acc(g->attprojw + lcc, s->dresid, atty, BT, C, C);
        bias_backward(g->attprojb + lc, s->dresid, BT, C);
        mm_dout_w(s->dbuf_c, s->dresid, w->attprojw + lcc, BT, C, C, 0.0f);
        /* atty = attention(qkv) */
        attention_backward(dqkv, s->datt, s->dbuf_c, qkv, att, B, T, C, NH);
        /* qkv = ln1 @ qkvw^T + qkvb */
        mm_dw_acc(g->qkvw + 3 * lcc, dqkv, ln1, BT, 3 * C, C);
        bias_backward(g->qkvb + 3 * lc, dqkv, BT, 3 * C);
        mm_dout_w(s->dbuf_c, dqkv, w->qkvw + 3 * lcc, BT, 3 * C, C, 0.0f);
        /* ln1 = LayerNorm(resid1); dresid becomes d(resid1) */
        layernorm_backward(s->dresid, g->ln1w + lc, g->ln1b + lc, s->dbuf_c, resid1, w->ln1w + lc,
                           a->ln1_mean + on, a->ln1_rstd + on, BT, C);
    }

    /* resid1[0] = wte[token] + wpe[t] */
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            const float *d = s->dresid + ((size_t)b * T + t) * C;
            float *gt = g->wte + (size_t)m->tokens[b * T + t] * C;
            float *gp = g->wpe + (size_t)t * C;
            for (int i = 0; i < C; i++) {
                gt[i] += d[i];
                gp[i] += d[i];
            }
        }
}

void gpt_backward_logp(Gpt *m, const int *targets, const float *dlogp) {
    const int BT = m->B * m->T, V = m->cfg.vocab_size;
    float inv_t = 1.0f / m->logp_temperature;
    /* logp = z[tg]/t - logsumexp(z/t)  =>  dz_j = dlogp (onehot_j - p_j) / t.
     * The softmax in probs is overwritten with dlogits. */
    float *dl = m->a.probs;
    for (int i = 0; i < BT; i++) {
        float *row = dl + (size_t)i * V;
        int tg = targets[i];
        float d = tg >= 0 ? dlogp[i] * inv_t : 0.0f;
        for (int j = 0; j < V; j++) row[j] = -d * row[j];
        if (tg >= 0) row[tg] += d;
    }
    gpt_backward_logits(m, dl);
}

float gpt_cross_entropy_step(Gpt *m, const int *targets, int backward) {
    if (!m->kept) abort(); /* rowbuf is backward scratch, absent after a no-grad forward */
    const int BT = m->B * m->T;
    float *logp = m->s.rowbuf, *dlogp = m->s.rowbuf + BT;
    gpt_logp(m, targets, 1.0f, logp, NULL);
    int n = 0;
    double sum = 0.0;
    for (int i = 0; i < BT; i++)
        if (targets[i] >= 0) {
            sum += logp[i];
            n++;
        }
    if (n == 0) return 0.0f;
    if (backward) {
        for (int i = 0; i < BT; i++) dlogp[i] = -1.0f / n;
        gpt_backward_logp(m, targets, dlogp);
    }
    return (float)(-sum / n);
}
