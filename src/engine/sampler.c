#include "engine/sampler.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/fastmath.h"
#include "engine/ops.h"

struct Sampler {
    GptConfig cfg;
    int max_batch;
    int n;    /* live sequences */
    int *pos; /* (n) tokens already in each sequence's cache */
    /* caches (L, max_batch, T, C) */
    float *kcache, *vcache;
    /* step buffers sized for max_batch * T rows */
    size_t rows;
    float *x, *ln, *qkv, *atty, *h, *hg, *logits, *scores;
    int *order; /* (V) for top-k / top-p */
    float *probs;
    float *ln_stats; /* (2, rows) LayerNorm mean and rstd of the current step */
};

SampleOptions sample_defaults(void) {
    return (SampleOptions){.temperature = 1.0f, .top_k = 0, .top_p = 1.0f, .max_new_tokens = 48,
                           .stop_tokens = NULL, .n_stop = 0};
}

Sampler *sampler_new(const GptConfig *cfg, int max_batch) {
    if (gpt_config_error(cfg) || max_batch < 1) return NULL;
    Sampler *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->cfg = *cfg;
    s->max_batch = max_batch;
    size_t C = cfg->d_model, L = cfg->n_layer, T = cfg->max_seq_len, V = cfg->vocab_size;
    size_t rows = (size_t)max_batch * T;
    s->rows = rows;
    s->pos = calloc((size_t)max_batch, sizeof(int));
    s->order = calloc(V, sizeof(int));
    s->kcache = engine_alloc_floats(L * max_batch * T * C);
    s->vcache = engine_alloc_floats(L * max_batch * T * C);
    s->x = engine_alloc_floats(rows * C);
    s->ln = engine_alloc_floats(rows * C);
    s->qkv = engine_alloc_floats(rows * 3 * C);
    s->atty = engine_alloc_floats(rows * C);
    s->h = engine_alloc_floats(rows * 4 * C);
    s->hg = engine_alloc_floats(rows * 4 * C);
    s->logits = engine_alloc_floats(rows * V);
    s->scores = engine_alloc_floats((size_t)max_batch * cfg->n_head * T);
    s->probs = engine_alloc_floats(V);
    s->ln_stats = engine_alloc_floats(2 * rows);
    if (!s->pos || !s->order || !s->kcache || !s->vcache || !s->x || !s->ln || !s->qkv ||
        !s->atty || !s->h || !s->hg || !s->logits || !s->scores || !s->probs || !s->ln_stats) {
        sampler_free(s);
        return NULL;
    }
    return s;
}

void sampler_free(Sampler *s) {
    if (!s) return;
    free(s->pos);
    free(s->order);
    free(s->kcache);
    free(s->vcache);
    free(s->x);
    free(s->ln);
    free(s->qkv);
    free(s->atty);
    free(s->h);
    free(s->hg);
    free(s->logits);
    free(s->scores);
    free(s->probs);
    free(s->ln_stats);
    free(s);
}

void sampler_reset(Sampler *s, int n) {
    s->n = n;
    memset(s->pos, 0, (size_t)n * sizeof(int));
}

/* Attention for the t new positions of every sequence against its cache
 * (which already holds the new keys and values). Rows of q/out are (n, t). */
static void cached_attention(Sampler *s, int l, int t) {
    const int C = s->cfg.d_model, NH = s->cfg.n_head, T = s->cfg.max_seq_len, hs = C / NH;
    const float scale = 1.0f / sqrtf((float)hs);
    const int n = s->n;
#pragma omp parallel for collapse(2) schedule(static) if (n * NH * t > 8)
    for (int i = 0; i < n; i++)
        for (int hd = 0; hd < NH; hd++) {
            const float *kc = s->kcache + (((size_t)l * s->max_batch + i) * T) * C + hd * hs;
            const float *vc = s->vcache + (((size_t)l * s->max_batch + i) * T) * C + hd * hs;
            float *sc = s->scores + ((size_t)i * NH + hd) * T;
            for (int j = 0; j < t; j++) {
                int len = s->pos[i] + j + 1; /* positions visible to this query */
                const float *q = s->qkv + ((size_t)i * t + j) * 3 * C + hd * hs;
                float mx = -INFINITY;
                for (int p = 0; p < len; p++) {
                    const float *k = kc + (size_t)p * C;
                    float d = 0.0f;
#pragma omp simd reduction(+ : d)
                    for (int e = 0; e < hs; e++) d += q[e] * k[e];
                    d *= scale;
                    sc[p] = d;
                    mx = d > mx ? d : mx;
                }
                float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
                for (int p = 0; p < len; p++) {
                    sc[p] = exp_approx(sc[p] - mx);
                    sum += sc[p];
                }
                float inv = 1.0f / sum;
                float *y = s->atty + ((size_t)i * t + j) * C + hd * hs;
                for (int e = 0; e < hs; e++) y[e] = 0.0f;
                for (int p = 0; p < len; p++) {
                    const float *v = vc + (size_t)p * C;
                    float a = sc[p] * inv;
                    for (int e = 0; e < hs; e++) y[e] += a * v[e];
                }
            }
        }
}

void sampler_extend(Sampler *s, const Gpt *m, const int *tokens, int t, float *logits,
                    float *last_logits) {
    const int C = s->cfg.d_model, L = s->cfg.n_layer, T = s->cfg.max_seq_len;
    const int V = s->cfg.vocab_size, n = s->n, R = n * t;
    const GptTensors *w = &m->w;
    float *ln_mean = s->ln_stats, *ln_rstd = s->ln_stats + s->rows;

    for (int i = 0; i < n; i++)
        for (int j = 0; j < t; j++) {
            float *o = s->x + ((size_t)i * t + j) * C;
            const float *te = w->wte + (size_t)tokens[i * t + j] * C;
            const float *pe = w->wpe + (size_t)(s->pos[i] + j) * C;
            for (int e = 0; e < C; e++) o[e] = te[e] + pe[e];
        }
    for (int l = 0; l < L; l++) {
        size_t lc = (size_t)l * C, lcc = (size_t)l * C * C;
        layernorm_forward(s->ln, ln_mean, ln_rstd, s->x, w->ln1w + lc, w->ln1b + lc, R, C);
        bias_broadcast(s->qkv, w->qkvb + 3 * lc, R, 3 * C);
        mm_inp_wT(s->qkv, s->ln, w->qkvw + 3 * lcc, R, 3 * C, C, 1.0f);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < t; j++) {
                const float *row = s->qkv + ((size_t)i * t + j) * 3 * C;
                size_t at = (((size_t)l * s->max_batch + i) * T + s->pos[i] + j) * C;
                memcpy(s->kcache + at, row + C, (size_t)C * sizeof(float));
                memcpy(s->vcache + at, row + 2 * C, (size_t)C * sizeof(float));
            }
        cached_attention(s, l, t);
        /* x = x + atty @ attprojw^T + attprojb: beta 1 accumulates onto the residual */
        for (int r = 0; r < R; r++) {
            float *xr = s->x + (size_t)r * C;
            for (int e = 0; e < C; e++) xr[e] += w->attprojb[lc + e];
        }
        mm_inp_wT(s->x, s->atty, w->attprojw + lcc, R, C, C, 1.0f);
        layernorm_forward(s->ln, ln_mean, ln_rstd, s->x, w->ln2w + lc, w->ln2b + lc, R, C);
        bias_broadcast(s->h, w->fcb + 4 * lc, R, 4 * C);
        mm_inp_wT(s->h, s->ln, w->fcw + 4 * lcc, R, 4 * C, C, 1.0f);
        gelu_forward(s->hg, s->h, R * 4 * C);
        for (int r = 0; r < R; r++) {
            float *xr = s->x + (size_t)r * C;
            for (int e = 0; e < C; e++) xr[e] += w->fcprojb[lc + e];
        }
        mm_inp_wT(s->x, s->hg, w->fcprojw + 4 * lcc, R, C, 4 * C, 1.0f);
    }
    for (int i = 0; i < n; i++) s->pos[i] += t;
    if (logits) {
        layernorm_forward(s->ln, ln_mean, ln_rstd, s->x, w->lnfw, w->lnfb, R, C);
        mm_inp_wT(logits, s->ln, w->wte, R, V, C, 0.0f);
    } else if (last_logits) {
        /* only the last position of each sequence is needed */
        for (int i = 0; i < n; i++)
            memcpy(s->atty + (size_t)i * C, s->x + ((size_t)i * t + t - 1) * C,
                   (size_t)C * sizeof(float));
        layernorm_forward(s->ln, ln_mean, ln_rstd, s->atty, w->lnfw, w->lnfb, n, C);
        mm_inp_wT(last_logits, s->ln, w->wte, n, V, C, 0.0f);
    }
}

static int cmp_desc(const void *a, const void *b, void *probs) {
    const float *p = probs;
    float x = p[*(const int *)a], y = p[*(const int *)b];
    return (x < y) - (x > y);
}

/* Picks a token from one row of logits; writes its log-probability under
 * softmax(logits / temperature) (temperature 1 when greedy). */
static int pick_token(Sampler *s, const float *z, const SampleOptions *o, Rng *rng, float *logp) {
    const int V = s->cfg.vocab_size;
    float temp = o->temperature > 0.0f ? o->temperature : 1.0f;
    float mx = z[0] / temp;
    for (int j = 1; j < V; j++) mx = z[j] / temp > mx ? z[j] / temp : mx;
    float sum = 0.0f;
    for (int j = 0; j < V; j++) sum += (s->probs[j] = exp_approx(z[j] / temp - mx));
    float logsum = logf(sum);
    int tok = 0;
    if (o->temperature <= 0.0f) {
        for (int j = 1; j < V; j++)
            if (z[j] > z[tok]) tok = j;
    } else {
        int keep = V;
        int truncate = (o->top_k > 0 && o->top_k < V) || (o->top_p > 0.0f && o->top_p < 1.0f);
        if (truncate) {
            for (int j = 0; j < V; j++) s->order[j] = j;
            qsort_r(s->order, (size_t)V, sizeof(int), cmp_desc, s->probs);
            if (o->top_k > 0 && o->top_k < keep) keep = o->top_k;
            if (o->top_p > 0.0f && o->top_p < 1.0f) {
                float cum = 0.0f, target = o->top_p * sum;
                for (int j = 0; j < keep; j++) {
                    cum += s->probs[s->order[j]];
                    if (cum >= target) {
                        keep = j + 1;
                        break;
                    }
                }
            }
            float kept = 0.0f;
            for (int j = 0; j < keep; j++) kept += s->probs[s->order[j]];
            float u = rng_uniform(rng) * kept, c = 0.0f;
            tok = s->order[keep - 1];
            for (int j = 0; j < keep; j++) {
                c += s->probs[s->order[j]];
                if (u < c) {
                    tok = s->order[j];
                    break;
                }
            }
        } else {
            float u = rng_uniform(rng) * sum, c = 0.0f;
            tok = V - 1;
            for (int j = 0; j < V; j++) {
                c += s->probs[j];
                if (u < c) {
                    tok = j;
                    break;
                }
            }
        }
    }
    *logp = z[tok] / temp - mx - logsum;
    return tok;
}

int sampler_generate(Sampler *s, const Gpt *m, int n, const int *const *prompts,
                     const int *prompt_len, const SampleOptions *opt, Rng *rng, int *out_tokens,
                     float *out_logp, int *out_len, int *out_stopped) {
    const int T = s->cfg.max_seq_len, V = s->cfg.vocab_size, maxnew = opt->max_new_tokens;
    if (n < 1 || n > s->max_batch) return -1;
    int min_len = prompt_len[0], max_len = prompt_len[0];
    for (int i = 0; i < n; i++) {
        if (prompt_len[i] < 1 || prompt_len[i] > T) return -1;
        if (prompt_len[i] < min_len) min_len = prompt_len[i];
        if (prompt_len[i] > max_len) max_len = prompt_len[i];
    }
    sampler_reset(s, n);
    for (int i = 0; i < n; i++) {
        out_len[i] = 0;
        out_stopped[i] = 0;
    }
    if (maxnew <= 0) return 0;
    /* Prefill the part every prompt shares in one batched step, except the
     * last token of the shortest prompt, which the decode loop feeds. */
    int pre = min_len - 1;
    int *step_tok = malloc((size_t)n * (pre > 1 ? pre : 1) * sizeof(int));
    if (!step_tok) return -1;
    if (pre > 0) {
        for (int i = 0; i < n; i++) memcpy(step_tok + (size_t)i * pre, prompts[i], pre * sizeof(int));
        sampler_extend(s, m, step_tok, pre, NULL, NULL);
    }
    int *done = calloc((size_t)n, sizeof(int));
    if (!done) {
        free(step_tok);
        return -1;
    }
    /* Each decode step feeds every sequence one token: its next prompt token
     * while its prompt lasts, else the token it sampled last. Finished
     * sequences keep being fed (their outputs are ignored) so that the batch
     * stays one GEMM. */
    int active = n;
    for (int step = pre; active > 0; step++) {
        for (int i = 0; i < n; i++) {
            if (step < prompt_len[i]) step_tok[i] = prompts[i][step];
            else if (out_len[i] > 0) step_tok[i] = out_tokens[(size_t)i * maxnew + out_len[i] - 1];
            else step_tok[i] = prompts[i][prompt_len[i] - 1];
        }
        int full = 0;
        for (int i = 0; i < n; i++)
            if (s->pos[i] >= T) full = 1;
        if (full) break;
        sampler_extend(s, m, step_tok, 1, NULL, s->logits);
        for (int i = 0; i < n; i++) {
            if (done[i] || step + 1 < prompt_len[i]) continue;
            float lp;
            int tok = pick_token(s, s->logits + (size_t)i * V, opt, rng, &lp);
            out_tokens[(size_t)i * maxnew + out_len[i]] = tok;
            out_logp[(size_t)i * maxnew + out_len[i]] = lp;
            out_len[i]++;
            int stop = 0;
            for (int k = 0; k < opt->n_stop; k++)
                if (tok == opt->stop_tokens[k]) stop = 1;
            if (stop) out_stopped[i] = 1;
            if (stop || out_len[i] >= maxnew || prompt_len[i] + out_len[i] >= T) {
                done[i] = 1;
                active--;
            }
        }
    }
    free(done);
    free(step_tok);
    return 0;
}
