#include "engine/gpt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/fastmath.h"
#include "engine/ops.h"
#include "engine/oom.h"
#include "engine/rng.h"

/* Limits that keep a corrupted or hostile header from asking for absurd memory. */
#define GPT_MAX_SEQ 8192
#define GPT_MAX_VOCAB 65536
#define GPT_MAX_LAYER 64
#define GPT_MAX_DIM 4096
#define GPT_MAX_PARAMS (1ULL << 30)

const char *gpt_config_error(const GptConfig *c) {
    if (c->max_seq_len < 1 || c->max_seq_len > GPT_MAX_SEQ) return "max_seq_len out of range";
    if (c->vocab_size < 2 || c->vocab_size > GPT_MAX_VOCAB) return "vocab_size out of range";
    if (c->n_layer < 1 || c->n_layer > GPT_MAX_LAYER) return "n_layer out of range";
    if (c->d_model < 1 || c->d_model > GPT_MAX_DIM) return "d_model out of range";
    if (c->n_head < 1 || c->n_head > c->d_model) return "n_head out of range";
    if (c->d_model % c->n_head != 0) return "d_model is not a multiple of n_head";
    if (c->has_head != 0 && c->has_head != 1) return "has_head is neither 0 nor 1";
    unsigned long long C = c->d_model, L = c->n_layer;
    unsigned long long n = (unsigned long long)c->vocab_size * C +
                           (unsigned long long)c->max_seq_len * C + L * 12 * C * C + L * 13 * C +
                           2 * C + (unsigned long long)c->has_head * (C + 1);
    if (n > GPT_MAX_PARAMS) return "model too large";
    return NULL;
}

static void tensor_sizes(const GptConfig *c, size_t *s) {
    size_t V = c->vocab_size, T = c->max_seq_len, L = c->n_layer, C = c->d_model;
    size_t H = c->has_head ? 1 : 0;
    size_t sizes[GPT_NUM_TENSORS] = {
        V * C,         T * C, L * C, L * C, L * 3 * C * C, L * 3 * C,
        L * C * C,     L * C, L * C, L * C, L * 4 * C * C, L * 4 * C,
        L * C * 4 * C, L * C, C,     C,     H * C,         H,
    };
    memcpy(s, sizes, sizeof sizes);
}

void gpt_point_tensors(GptTensors *t, float *mem, const size_t *sizes) {
    float **ptrs[GPT_NUM_TENSORS] = {
        &t->wte,      &t->wpe,      &t->ln1w, &t->ln1b, &t->qkvw,  &t->qkvb,
        &t->attprojw, &t->attprojb, &t->ln2w, &t->ln2b, &t->fcw,   &t->fcb,
        &t->fcprojw,  &t->fcprojb,  &t->lnfw, &t->lnfb, &t->headw, &t->headb,
    };
    /* An empty tensor (a policy's head) gets NULL, so misuse faults at once. */
    for (int i = 0; i < GPT_NUM_TENSORS; i++) {
        *ptrs[i] = sizes[i] ? mem : NULL;
        mem += sizes[i];
    }
}

size_t gpt_num_params(const GptConfig *cfg) {
    size_t sizes[GPT_NUM_TENSORS], n = 0;
    tensor_sizes(cfg, sizes);
    for (int i = 0; i < GPT_NUM_TENSORS; i++) n += sizes[i];
    return n;
}

Gpt *gpt_new(const GptConfig *cfg) {
    if (gpt_config_error(cfg)) return NULL;
    Gpt *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->cfg = *cfg;
    tensor_sizes(cfg, m->tensor_size);
    for (int i = 0; i < GPT_NUM_TENSORS; i++) m->num_params += m->tensor_size[i];
    m->params = engine_alloc_floats(m->num_params);
    if (!m->params) {
        free(m);
        return NULL;
    }
    gpt_point_tensors(&m->w, m->params, m->tensor_size);
    return m;
}

void gpt_free(Gpt *m) {
    if (!m) return;
    free(m->params);
    free(m->grads);
    free(m->acts_mem);
    free(m->scratch_mem);
    free(m);
}

void gpt_init_random(Gpt *m, unsigned long long seed) {
    Rng r;
    rng_seed(&r, seed);
    const GptConfig *c = &m->cfg;
    float resid_std = 0.02f / sqrtf(2.0f * c->n_layer);
    GptTensors *w = &m->w;
    float *normal02[] = {w->wte, w->wpe, w->qkvw, w->fcw};
    size_t nsize[] = {m->tensor_size[0], m->tensor_size[1], m->tensor_size[4], m->tensor_size[10]};
    for (int t = 0; t < 4; t++)
        for (size_t i = 0; i < nsize[t]; i++) normal02[t][i] = 0.02f * rng_normal(&r);
    for (size_t i = 0; i < m->tensor_size[6]; i++) w->attprojw[i] = resid_std * rng_normal(&r);
    for (size_t i = 0; i < m->tensor_size[12]; i++) w->fcprojw[i] = resid_std * rng_normal(&r);
    float *ones[] = {w->ln1w, w->ln2w, w->lnfw};
    size_t osize[] = {m->tensor_size[2], m->tensor_size[8], m->tensor_size[14]};
    for (int t = 0; t < 3; t++)
        for (size_t i = 0; i < osize[t]; i++) ones[t][i] = 1.0f;
    float *zeros[] = {w->ln1b, w->qkvb, w->attprojb, w->ln2b, w->fcb, w->fcprojb, w->lnfb};
    int zidx[] = {3, 5, 7, 9, 11, 13, 15};
    for (int t = 0; t < 7; t++) memset(zeros[t], 0, m->tensor_size[zidx[t]] * sizeof(float));
    /* Drawn after the trunk, so a seed gives a reward model the trunk it
     * gives a policy. */
    if (c->has_head) {
        for (int i = 0; i < c->d_model; i++) w->headw[i] = 0.02f * rng_normal(&r);
        w->headb[0] = 0.0f;
    }
}

int gpt_params_finite(const Gpt *m) {
    /* A double sum of floats cannot overflow, so it is non-finite exactly
     * when some term is: one add per weight and no branch. */
    double sum = 0;
    for (size_t i = 0; i < m->num_params; i++) sum += m->params[i];
    return isfinite(sum);
}

void gpt_copy_params(Gpt *dst, const Gpt *src) {
    memcpy(dst->params, src->params, src->num_params * sizeof(float));
}

/* Residual-stream slots for `layers` layer slots: a no-grad forward keeps
 * one layer's activations but passes the stream between layers in two
 * slots, each block reading one and writing the other. */
static size_t resid_slots(const GptConfig *c, size_t layers) {
    size_t L = c->n_layer;
    if (layers >= 2) return layers;
    return L < 2 ? L : 2;
}

/* Floats of activation memory for a capacity of `rows` rows, `att`
 * attention entries per layer and `layers` layer slots (n_layer, or 1 for
 * no-grad forwards only), in the order ensure_acts lays them out. */
static size_t act_sizes(const GptConfig *c, size_t rows, size_t att, size_t layers, size_t *sizes) {
    size_t C = c->d_model, L = layers, V = c->vocab_size;
    size_t v[] = {resid_slots(c, layers) * rows * C,
                  L * rows * C,
                  L * rows,
                  L * rows,
                  L * rows * 3 * C,
                  L * rows * C,
                  L * rows * C,
                  L * rows * C,
                  L * rows,
                  L * rows,
                  L * rows * 4 * C,
                  L * rows * 4 * C,
                  L * att,
                  rows * C,
                  rows * C,
                  rows,
                  rows,
                  rows * V,
                  rows * V};
    size_t n = sizeof v / sizeof v[0], total = 0;
    for (size_t i = 0; i < n; i++) {
        if (sizes) sizes[i] = v[i];
        total += (v[i] + 15) / 16 * 16;
    }
    return total;
}

size_t gpt_memory_bytes(const Gpt *m) {
    size_t n = m->num_params * (m->grads ? 2 : 1);
    if (m->acts_mem) n += act_sizes(&m->cfg, m->act_rows, m->act_att, m->act_layers, NULL);
    if (m->scratch_mem)
        n += m->scratch_rows * m->cfg.d_model * 6 + m->scratch_att + 2 * m->scratch_rows;
    return n * sizeof(float);
}

/* Grows activation memory to hold B*T rows (and B*NH*T*T attention
 * entries) in every layer's slot when the forward keeps them for backward,
 * else in one, and then the backward scratch, which a no-grad forward does
 * not need. Memory only grows, so steady training never allocates. */
static void ensure_acts(Gpt *m, int B, int T, int keep) {
    size_t rows = (size_t)B * T, C = m->cfg.d_model;
    size_t att = (size_t)B * m->cfg.n_head * T * T;
    size_t layers = keep ? (size_t)m->cfg.n_layer : 1;
    if (rows > m->act_rows || att > m->act_att || layers > m->act_layers) {
        if (rows < m->act_rows) rows = m->act_rows;
        if (att < m->act_att) att = m->act_att;
        if (layers < m->act_layers) layers = m->act_layers;
        free(m->acts_mem);
        size_t sizes[19];
        size_t need = act_sizes(&m->cfg, rows, att, layers, sizes);
        m->acts_mem = engine_alloc_floats(need);
        if (!m->acts_mem) engine_out_of_memory("the activations", need * sizeof(float));
        float **ptrs[] = {&m->a.resid1,   &m->a.ln1,      &m->a.ln1_mean, &m->a.ln1_rstd,
                          &m->a.qkv,      &m->a.atty,     &m->a.resid2,   &m->a.ln2,
                          &m->a.ln2_mean, &m->a.ln2_rstd, &m->a.fch,      &m->a.gelu,
                          &m->a.att,      &m->a.residf,   &m->a.lnf,      &m->a.lnf_mean,
                          &m->a.lnf_rstd, &m->a.logits,   &m->a.probs};
        float *p = m->acts_mem;
        for (size_t i = 0; i < 19; i++) {
            *ptrs[i] = p;
            p += (sizes[i] + 15) / 16 * 16;
        }
        m->act_rows = rows;
        m->act_att = att;
        m->act_layers = layers;
    }
    if (!keep) return;
    if (rows > m->scratch_rows || att > m->scratch_att) {
        if (rows < m->scratch_rows) rows = m->scratch_rows;
        if (att < m->scratch_att) att = m->scratch_att;
        free(m->scratch_mem);
        size_t need = rows * C * 6 + att + 2 * rows;
        m->scratch_mem = engine_alloc_floats(need);
        if (!m->scratch_mem) engine_out_of_memory("the backward scratch", need * sizeof(float));
        float *p = m->scratch_mem;
        m->s.dresid = p;
        m->s.dbuf_c = p += rows * C;
        m->s.dbuf_4c = p += rows * C;
        m->s.datt = p += rows * 4 * C;
        m->s.rowbuf = p + att;
        m->scratch_rows = rows;
        m->scratch_att = att;
    }
}

static void forward_hidden(Gpt *m, const int *tokens, int B, int T, int keep) {
    ensure_acts(m, B, T, keep);
    m->B = B;
    m->T = T;
    m->tokens = tokens;
    m->kept = keep;
    const int C = m->cfg.d_model, L = m->cfg.n_layer, NH = m->cfg.n_head;
    const int BT = B * T;
    const GptTensors *w = &m->w;
    GptActs *a = &m->a;

    /* encoder: token + position embedding into the first block's input */
    float *x = a->resid1;
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            float *o = x + ((size_t)b * T + t) * C;
            const float *te = w->wte + (size_t)tokens[b * T + t] * C;
            const float *pe = w->wpe + (size_t)t * C;
            for (int i = 0; i < C; i++) o[i] = te[i] + pe[i];
        }

    for (int l = 0; l < L; l++) {
        /* layer l's slot when kept for backward, else slot 0 for every layer
         * and the residual stream alternating between two slots */
        const int slot = keep ? l : 0, in_slot = keep ? l : l % 2,
                  out_slot = keep ? l + 1 : 1 - in_slot;
        size_t o1 = (size_t)slot * BT * C, o3 = 3 * o1, o4 = 4 * o1, on = (size_t)slot * BT;
        float *resid1 = a->resid1 + (size_t)in_slot * BT * C, *ln1 = a->ln1 + o1,
              *qkv = a->qkv + o3;
        float *atty = a->atty + o1, *resid2 = a->resid2 + o1, *ln2 = a->ln2 + o1;
        float *fch = a->fch + o4, *gelu = a->gelu + o4;
        float *out = l + 1 < L ? a->resid1 + (size_t)out_slot * BT * C : a->residf;

        layernorm_forward(ln1, a->ln1_mean + on, a->ln1_rstd + on, resid1, w->ln1w + l * C,
                          w->ln1b + l * C, BT, C);
        bias_broadcast(qkv, w->qkvb + (size_t)l * 3 * C, BT, 3 * C);
        mm_inp_wT(qkv, ln1, w->qkvw + (size_t)l * 3 * C * C, BT, 3 * C, C, 1.0f);
        float *att = a->att + (size_t)slot * B * NH * T * T;
        attention_forward(atty, att, qkv, B, T, C, NH);
        resid_bias(resid2, resid1, w->attprojb + l * C, BT, C);
        mm_inp_wT(resid2, atty, w->attprojw + (size_t)l * C * C, BT, C, C, 1.0f);
        layernorm_forward(ln2, a->ln2_mean + on, a->ln2_rstd + on, resid2, w->ln2w + l * C,
                          w->ln2b + l * C, BT, C);
        bias_broadcast(fch, w->fcb + (size_t)l * 4 * C, BT, 4 * C);
        mm_inp_wT(fch, ln2, w->fcw + (size_t)l * 4 * C * C, BT, 4 * C, C, 1.0f);
        gelu_forward(gelu, fch, BT * 4 * C);
        resid_bias(out, resid2, w->fcprojb + l * C, BT, C);
        mm_inp_wT(out, gelu, w->fcprojw + (size_t)l * C * 4 * C, BT, C, 4 * C, 1.0f);
    }
    layernorm_forward(a->lnf, a->lnf_mean, a->lnf_rstd, a->residf, w->lnfw, w->lnfb, BT, C);
}

void gpt_forward_hidden(Gpt *m, const int *tokens, int B, int T) {
    forward_hidden(m, tokens, B, T, 1);
}

void gpt_forward_hidden_nograd(Gpt *m, const int *tokens, int B, int T) {
    forward_hidden(m, tokens, B, T, 0);
}

static void lm_head(Gpt *m) {
    mm_inp_wT(m->a.logits, m->a.lnf, m->w.wte, m->B * m->T, m->cfg.vocab_size, m->cfg.d_model,
              0.0f);
}

void gpt_forward(Gpt *m, const int *tokens, int B, int T) {
    gpt_forward_hidden(m, tokens, B, T);
    lm_head(m);
}

void gpt_forward_nograd(Gpt *m, const int *tokens, int B, int T) {
    gpt_forward_hidden_nograd(m, tokens, B, T);
    lm_head(m);
}

void gpt_logp(Gpt *m, const int *targets, float temperature, float *logp, float *entropy) {
    const int V = m->cfg.vocab_size, BT = m->B * m->T;
    float inv_t = 1.0f / temperature;
#pragma omp parallel for if (BT * V > 32768) schedule(static)
    for (int i = 0; i < BT; i++) {
        const float *z = m->a.logits + (size_t)i * V;
        float *p = m->a.probs + (size_t)i * V;
        float mx = z[0] * inv_t;
        for (int j = 1; j < V; j++) mx = z[j] * inv_t > mx ? z[j] * inv_t : mx;
        float sum = 0.0f;
        for (int j = 0; j < V; j++) {
            p[j] = exp_approx(z[j] * inv_t - mx);
            sum += p[j];
        }
        float inv = 1.0f / sum, logsum = logf(sum);
        float ent = 0.0f;
        for (int j = 0; j < V; j++) {
            p[j] *= inv;
            /* -sum p log p with log p = z/t - mx - log(sum) */
            if (p[j] > 0.0f) ent -= p[j] * (z[j] * inv_t - mx - logsum);
        }
        if (entropy) entropy[i] = ent;
        int tg = targets ? targets[i] : -1;
        if (logp) logp[i] = tg >= 0 ? z[tg] * inv_t - mx - logsum : 0.0f;
    }
    m->logp_temperature = temperature;
}
