#include "engine/sampler.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/fastmath.h"
#include "engine/ops.h"
#include "engine/oom.h"

/* Accumulators in cached attention live in 16-wide local blocks so they stay
 * in registers; a loop that accumulates through memory is bound by
 * store-to-load latency. */
#define ATT_LANES 16

struct Sampler {
    GptConfig cfg;
    int max_batch;
    int tpad;  /* context rounded up to ATT_LANES: the cache's position stride */
    int n;     /* rows of the next extend */
    int *slot; /* (n) the cache slot each row extends: a finished sequence's
                  row leaves the batch while the others keep their caches */
    int *pos;  /* (max_batch) tokens already in each slot's cache */
    /* Per layer, sequence and head: keys in tiles of ATT_LANES positions,
     * each tile (hs, ATT_LANES) contiguous, so a query's scores for a tile are
     * ATT_LANES-wide vector FMAs over one contiguous block; values (T, hs). */
    float *kcache, *vcache;
    /* Step buffers for `rows` rows (sequences x new positions of one
     * extend). They start at one decode step of every sequence, so the
     * decode loop, which hands s->logits to extend, never sees them move,
     * and grow to the largest extend seen: a prefill feeds each distinct
     * prompt prefix once, so sizing them for max_batch * T rows, as the KV
     * cache is, would hold (and, zeroed, touch) 14C+V+2 floats a row that
     * no call uses: 60 MB of a GRPO rollout's 94 at d 128, 64 sequences. */
    size_t rows;
    float *x, *ln, *qkv, *atty, *h, *hg, *logits;
    float *ln_stats; /* (2, rows) LayerNorm mean and rstd of the current step */
    float *scores;
    /* Transposed copies of the weight matrices (qkv, attention projection,
     * MLP in and out per layer, then the tied head), refreshed at the start
     * of every sampler_generate: a decode step's few rows go through
     * mm_rows_wt, which wants the weight with its output dimension
     * contiguous. NULL when the model's width does not suit it. */
    float *wt;
    int wt_ready; /* wt holds this generate's model */
    int *order;   /* (V) for top-k / top-p */
    float *probs;
};

SampleOptions sample_defaults(void) {
    return (SampleOptions){.temperature = 1.0f,
                           .top_k = 0,
                           .top_p = 1.0f,
                           .max_new_tokens = 48,
                           .stop_tokens = NULL,
                           .n_stop = 0};
}

static void step_buffers_free(Sampler *s) {
    float **bufs[] = {&s->x, &s->ln, &s->qkv, &s->atty, &s->h, &s->hg, &s->logits, &s->ln_stats};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) {
        free(*bufs[i]);
        *bufs[i] = NULL;
    }
    s->rows = 0;
}

/* Makes room for `rows` rows in the step buffers. Nothing in them outlives
 * one extend (each starts from the embeddings), so growing drops their
 * contents. 0, or -1 out of memory (the buffers are then freed). */
static int step_buffers_grow(Sampler *s, size_t rows) {
    if (rows <= s->rows) return 0;
    step_buffers_free(s);
    size_t C = s->cfg.d_model, V = s->cfg.vocab_size;
    s->x = engine_alloc_floats(rows * C);
    s->ln = engine_alloc_floats(rows * C);
    s->qkv = engine_alloc_floats(rows * 3 * C);
    s->atty = engine_alloc_floats(rows * C);
    s->h = engine_alloc_floats(rows * 4 * C);
    s->hg = engine_alloc_floats(rows * 4 * C);
    s->logits = engine_alloc_floats(rows * V);
    s->ln_stats = engine_alloc_floats(2 * rows);
    if (!s->x || !s->ln || !s->qkv || !s->atty || !s->h || !s->hg || !s->logits || !s->ln_stats) {
        step_buffers_free(s);
        return -1;
    }
    s->rows = rows;
    return 0;
}

Sampler *sampler_new(const GptConfig *cfg, int max_batch) {
    if (gpt_config_error(cfg) || max_batch < 1) return NULL;
    Sampler *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->cfg = *cfg;
    s->max_batch = max_batch;
    size_t C = cfg->d_model, L = cfg->n_layer, T = cfg->max_seq_len, V = cfg->vocab_size;
    s->pos = calloc((size_t)max_batch, sizeof(int));
    s->slot = calloc((size_t)max_batch, sizeof(int));
    s->order = calloc(V, sizeof(int));
    s->tpad = (cfg->max_seq_len + ATT_LANES - 1) / ATT_LANES * ATT_LANES;
    s->kcache = engine_alloc_floats(L * max_batch * (size_t)s->tpad * C);
    s->vcache = engine_alloc_floats(L * max_batch * (size_t)s->tpad * C);
    s->scores = engine_alloc_floats((size_t)max_batch * cfg->n_head * (T + ATT_LANES));
    s->probs = engine_alloc_floats(V);
    if (mm_rows_wt_fits(1, (int)C)) s->wt = engine_alloc_floats(L * 12 * C * C + C * V);
    if (!s->pos || !s->slot || !s->order || !s->kcache || !s->vcache || !s->scores || !s->probs ||
        step_buffers_grow(s, (size_t)max_batch) != 0) {
        sampler_free(s);
        return NULL;
    }
    return s;
}

void sampler_free(Sampler *s) {
    if (!s) return;
    free(s->pos);
    free(s->slot);
    free(s->order);
    free(s->kcache);
    free(s->vcache);
    step_buffers_free(s);
    free(s->scores);
    free(s->probs);
    free(s->wt);
    free(s);
}

void sampler_reset(Sampler *s, int n) {
    s->n = n;
    memset(s->pos, 0, (size_t)n * sizeof(int));
    for (int i = 0; i < n; i++) s->slot[i] = i;
}

/* Start of the key tiles / the (T, hs) value block of one head. */
static size_t cache_at(const Sampler *s, int l, int i, int hd) {
    const int C = s->cfg.d_model;
    return (((size_t)l * s->max_batch + i) * C + (size_t)hd * (C / s->cfg.n_head)) * s->tpad;
}

static void cache_store(Sampler *s, int l, int i, int pos, const float *k, const float *v) {
    const int NH = s->cfg.n_head, hs = s->cfg.d_model / NH;
    const size_t tile = (size_t)(pos / ATT_LANES) * hs * ATT_LANES + pos % ATT_LANES;
    for (int hd = 0; hd < NH; hd++) {
        float *kt = s->kcache + cache_at(s, l, i, hd) + tile;
        float *vt = s->vcache + cache_at(s, l, i, hd) + (size_t)pos * hs;
        for (int e = 0; e < hs; e++) {
            kt[(size_t)e * ATT_LANES] = k[hd * hs + e];
            vt[e] = v[hd * hs + e];
        }
    }
}

/* Copies the first n positions of sequence `from`'s cache to sequence `to`. */
static void cache_copy(Sampler *s, int from, int to, int n) {
    const int L = s->cfg.n_layer, NH = s->cfg.n_head, hs = s->cfg.d_model / NH;
    for (int l = 0; l < L; l++)
        for (int hd = 0; hd < NH; hd++) {
            /* whole tiles: positions past n in the last tile are never read */
            size_t tiles = (size_t)(n + ATT_LANES - 1) / ATT_LANES;
            memcpy(s->kcache + cache_at(s, l, to, hd), s->kcache + cache_at(s, l, from, hd),
                   tiles * hs * ATT_LANES * sizeof(float));
            memcpy(s->vcache + cache_at(s, l, to, hd), s->vcache + cache_at(s, l, from, hd),
                   (size_t)n * hs * sizeof(float));
        }
}

/* Attention for the t new positions of every sequence against its cache
 * (which already holds the new keys and values). Rows of q/out are (n, t). */
static void cached_attention(Sampler *s, int l, int t) {
    const int C = s->cfg.d_model, NH = s->cfg.n_head, hs = C / NH, Tp = s->tpad;
    const float scale = 1.0f / sqrtf((float)hs);
    const int n = s->n;
#pragma omp parallel for collapse(2) schedule(static) if (n * NH * t > 8)
    for (int i = 0; i < n; i++)
        for (int hd = 0; hd < NH; hd++) {
            const int sl = s->slot[i];
            const float *kt = s->kcache + cache_at(s, l, sl, hd);
            const float *vc = s->vcache + cache_at(s, l, sl, hd);
            float *restrict sc = s->scores + ((size_t)i * NH + hd) * Tp;
            for (int j = 0; j < t; j++) {
                int len = s->pos[sl] + j + 1; /* positions visible to this query */
                const float *q = s->qkv + ((size_t)i * t + j) * 3 * C + hd * hs;
                /* scores, one key tile at a time; the cache is padded to whole tiles */
                for (int p0 = 0; p0 < len; p0 += ATT_LANES) {
                    float acc[ATT_LANES] = {0};
                    const float *ktile = kt + (size_t)p0 * hs;
                    for (int e = 0; e < hs; e++) {
                        const float qe = q[e] * scale;
                        const float *krow = ktile + (size_t)e * ATT_LANES;
#pragma omp simd
                        for (int u = 0; u < ATT_LANES; u++) acc[u] += qe * krow[u];
                    }
                    for (int u = 0; u < ATT_LANES; u++) sc[p0 + u] = acc[u];
                }
                float mx = sc[0];
                for (int p = 1; p < len; p++) mx = sc[p] > mx ? sc[p] : mx;
                float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
                for (int p = 0; p < len; p++) {
                    sc[p] = exp_approx(sc[p] - mx);
                    sum += sc[p];
                }
                float inv = 1.0f / sum;
                float *y = s->atty + ((size_t)i * t + j) * C + hd * hs;
                int e0 = 0;
                for (; e0 + ATT_LANES <= hs; e0 += ATT_LANES) {
                    float acc[ATT_LANES] = {0};
                    for (int p = 0; p < len; p++) {
                        const float *v = vc + (size_t)p * hs + e0;
                        const float a = sc[p];
#pragma omp simd
                        for (int u = 0; u < ATT_LANES; u++) acc[u] += a * v[u];
                    }
                    for (int u = 0; u < ATT_LANES; u++) y[e0 + u] = acc[u] * inv;
                }
                for (int e = e0; e < hs; e++) {
                    float acc = 0.0f;
                    for (int p = 0; p < len; p++) acc += sc[p] * vc[(size_t)p * hs + e];
                    y[e] = acc * inv;
                }
            }
        }
}

/* Offsets of layer l's transposed matrices in s->wt, and of the head's. */
static size_t wt_layer(const Sampler *s, int l) {
    return (size_t)l * 12 * s->cfg.d_model * s->cfg.d_model;
}
static size_t wt_head(const Sampler *s) {
    return wt_layer(s, s->cfg.n_layer);
}

static void wt_refresh(Sampler *s, const Gpt *m) {
    const int C = s->cfg.d_model, V = s->cfg.vocab_size;
    const size_t cc = (size_t)C * C;
    for (int l = 0; l < s->cfg.n_layer; l++) {
        float *d = s->wt + wt_layer(s, l);
        transpose_into(d, m->w.qkvw + 3 * cc * l, 3 * C, C);
        transpose_into(d + 3 * cc, m->w.attprojw + cc * l, C, C);
        transpose_into(d + 4 * cc, m->w.fcw + 4 * cc * l, 4 * C, C);
        transpose_into(d + 8 * cc, m->w.fcprojw + 4 * cc * l, C, 4 * C);
    }
    transpose_into(s->wt + wt_head(s), m->w.wte, V, C);
    s->wt_ready = 1;
}

/* out = beta out + inp w^T for w (N, K), or its transposed copy at wt_at. */
static void product(const Sampler *s, float *out, const float *inp, const float *w, size_t wt_at,
                    int M, int N, int K, float beta) {
    if (s->wt_ready && mm_rows_wt_fits(M, N))
        mm_rows_wt(out, inp, s->wt + wt_at, M, N, K, beta);
    else
        mm_inp_wT(out, inp, w, M, N, K, beta);
}

void sampler_extend(Sampler *s, const Gpt *m, const int *tokens, int t, float *logits,
                    float *last_logits) {
    const int C = s->cfg.d_model, L = s->cfg.n_layer;
    const int V = s->cfg.vocab_size, n = s->n, R = n * t;
    const GptTensors *w = &m->w;
    /* as the training forward's activations do (gpt.c): there is no step
     * to hand an error to */
    if (step_buffers_grow(s, (size_t)R) != 0)
        engine_out_of_memory("the sampler's step buffers",
                             (size_t)R * (11 * (size_t)C + (size_t)V + 2) * sizeof(float));
    float *ln_mean = s->ln_stats, *ln_rstd = s->ln_stats + s->rows;

    for (int i = 0; i < n; i++)
        for (int j = 0; j < t; j++) {
            float *o = s->x + ((size_t)i * t + j) * C;
            const float *te = w->wte + (size_t)tokens[i * t + j] * C;
            const float *pe = w->wpe + (size_t)(s->pos[s->slot[i]] + j) * C;
            for (int e = 0; e < C; e++) o[e] = te[e] + pe[e];
        }
    for (int l = 0; l < L; l++) {
        size_t lc = (size_t)l * C, lcc = (size_t)l * C * C;
        layernorm_forward(s->ln, ln_mean, ln_rstd, s->x, w->ln1w + lc, w->ln1b + lc, R, C);
        bias_broadcast(s->qkv, w->qkvb + 3 * lc, R, 3 * C);
        const size_t wl = s->wt ? wt_layer(s, l) : 0, cc = (size_t)C * C;
        product(s, s->qkv, s->ln, w->qkvw + 3 * lcc, wl, R, 3 * C, C, 1.0f);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < t; j++) {
                const float *row = s->qkv + ((size_t)i * t + j) * 3 * C;
                cache_store(s, l, s->slot[i], s->pos[s->slot[i]] + j, row + C, row + 2 * C);
            }
        cached_attention(s, l, t);
        /* x = x + atty @ attprojw^T + attprojb: beta 1 accumulates onto the residual */
        for (int r = 0; r < R; r++) {
            float *xr = s->x + (size_t)r * C;
            for (int e = 0; e < C; e++) xr[e] += w->attprojb[lc + e];
        }
        product(s, s->x, s->atty, w->attprojw + lcc, wl + 3 * cc, R, C, C, 1.0f);
        layernorm_forward(s->ln, ln_mean, ln_rstd, s->x, w->ln2w + lc, w->ln2b + lc, R, C);
        bias_broadcast(s->h, w->fcb + 4 * lc, R, 4 * C);
        product(s, s->h, s->ln, w->fcw + 4 * lcc, wl + 4 * cc, R, 4 * C, C, 1.0f);
        gelu_forward(s->hg, s->h, R * 4 * C);
        for (int r = 0; r < R; r++) {
            float *xr = s->x + (size_t)r * C;
            for (int e = 0; e < C; e++) xr[e] += w->fcprojb[lc + e];
        }
        product(s, s->x, s->hg, w->fcprojw + 4 * lcc, wl + 8 * cc, R, C, 4 * C, 1.0f);
    }
    for (int i = 0; i < n; i++) s->pos[s->slot[i]] += t;
    if (logits) {
        layernorm_forward(s->ln, ln_mean, ln_rstd, s->x, w->lnfw, w->lnfb, R, C);
        product(s, logits, s->ln, w->wte, s->wt ? wt_head(s) : 0, R, V, C, 0.0f);
    } else if (last_logits) {
        /* only the last position of each sequence is needed */
        for (int i = 0; i < n; i++)
            memcpy(s->atty + (size_t)i * C, s->x + ((size_t)i * t + t - 1) * C,
                   (size_t)C * sizeof(float));
        layernorm_forward(s->ln, ln_mean, ln_rstd, s->atty, w->lnfw, w->lnfb, n, C);
        product(s, last_logits, s->ln, w->wte, s->wt ? wt_head(s) : 0, n, V, C, 0.0f);
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
    if (n < 1 || n > s->max_batch) return SAMPLER_BAD_PROMPT;
    int min_len = prompt_len[0], max_len = prompt_len[0];
    for (int i = 0; i < n; i++) {
        if (prompt_len[i] < 1 || prompt_len[i] > T) return SAMPLER_BAD_PROMPT;
        if (prompt_len[i] < min_len) min_len = prompt_len[i];
        if (prompt_len[i] > max_len) max_len = prompt_len[i];
    }
    sampler_reset(s, n);
    for (int i = 0; i < n; i++) {
        out_len[i] = 0;
        out_stopped[i] = 0;
    }
    if (maxnew <= 0) return 0;
    if (s->wt) wt_refresh(s, m); /* the model may have trained since the last call */
    /* Prefill the part every prompt shares in one batched step, except the
     * last token of the shortest prompt, which the decode loop feeds. */
    int pre = min_len - 1;
    int *step_tok = malloc((size_t)n * (pre > 1 ? pre : 1) * sizeof(int));
    if (!step_tok) return SAMPLER_NO_MEMORY;
    if (pre > 0) {
        /* GRPO samples G completions of each prompt: prefill each distinct
         * prefix once (in slots 0..k-1) and copy its cache to the others. */
        int *rep = calloc((size_t)n, sizeof(int));
        if (!rep) {
            free(step_tok);
            return SAMPLER_NO_MEMORY;
        }
        int k = 0;
        for (int i = 0; i < n; i++) {
            rep[i] = -1;
            for (int j = 0; j < i && rep[i] < 0; j++)
                if (memcmp(prompts[j], prompts[i], (size_t)pre * sizeof(int)) == 0) rep[i] = rep[j];
            if (rep[i] < 0) {
                memcpy(step_tok + (size_t)k * pre, prompts[i], (size_t)pre * sizeof(int));
                rep[i] = k++;
            }
        }
        sampler_reset(s, k);
        sampler_extend(s, m, step_tok, pre, NULL, NULL);
        /* descending order: slot i < k still holds prefix i until every
         * sequence that needs it (all of index >= i) has been served */
        for (int i = n - 1; i >= 0; i--)
            if (rep[i] != i) cache_copy(s, rep[i], i, pre);
        s->n = n;
        for (int i = 0; i < n; i++) s->pos[i] = pre;
        free(rep);
    }
    /* Each decode step feeds every unfinished sequence one token: its next
     * prompt token while its prompt lasts, else the token it sampled last.
     * A finished sequence's row leaves the batch (rows stay in slot order,
     * so sampling draws in the order it always did), so a long completion
     * costs its own rows only, not those of the group that stopped early. */
    int active = n, rc = 0;
    for (int i = 0; i < n; i++) s->slot[i] = i;
    for (int step = pre; active > 0; step++) {
        if (opt->cancel && opt->cancel(opt->cancel_ctx)) {
            rc = SAMPLER_CANCELLED;
            break;
        }
        int full = 0;
        for (int r = 0; r < active; r++) {
            const int i = s->slot[r];
            if (step < prompt_len[i])
                step_tok[r] = prompts[i][step];
            else if (out_len[i] > 0)
                step_tok[r] = out_tokens[(size_t)i * maxnew + out_len[i] - 1];
            else
                step_tok[r] = prompts[i][prompt_len[i] - 1];
            if (s->pos[i] >= T) full = 1;
        }
        if (full) break;
        s->n = active;
        sampler_extend(s, m, step_tok, 1, NULL, s->logits);
        int kept = 0;
        for (int r = 0; r < active; r++) {
            const int i = s->slot[r];
            int finished = 0;
            if (step + 1 >= prompt_len[i]) {
                float lp;
                int tok = pick_token(s, s->logits + (size_t)r * V, opt, rng, &lp);
                out_tokens[(size_t)i * maxnew + out_len[i]] = tok;
                out_logp[(size_t)i * maxnew + out_len[i]] = lp;
                out_len[i]++;
                int stop = 0;
                for (int k = 0; k < opt->n_stop; k++)
                    if (tok == opt->stop_tokens[k]) stop = 1;
                if (stop) out_stopped[i] = 1;
                finished = stop || out_len[i] >= maxnew || prompt_len[i] + out_len[i] >= T;
            }
            if (!finished) s->slot[kept++] = i;
        }
        active = kept;
    }
    /* every slot is a row again, as sampler_extend's callers expect; they
     * go through BLIS, the copies being this call's */
    s->wt_ready = 0;
    s->n = n;
    for (int i = 0; i < n; i++) s->slot[i] = i;
    free(step_tok);
    return rc;
}
