#include "train/rollout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sampler.h"
#include "world/tokenizer.h"

struct Rollout {
    RolloutConfig cfg;
    int max_prompts, T;
    int n, count; /* prompts and sequences of the last run */
    Sampler *sampler;
    int *prompt_tok; /* (max_prompts, T) */
    int *prompt_len; /* (max_prompts) */
    const int **seq_prompt;
    int *seq_len;
    int *out_tok;  /* (max_prompts * k, max_new_tokens) */
    float *out_lp; /* (max_prompts * k, max_new_tokens) */
    int *out_len;  /* (max_prompts * k) */
    int *stopped;  /* (max_prompts * k) */
    bool (*cancel)(void *ctx);
    void *cancel_ctx;
    char *text; /* (max_prompts * k, cap) */
    size_t cap;
};

void rollout_free(Rollout *r) {
    if (!r) return;
    sampler_free(r->sampler);
    void *bufs[] = {r->prompt_tok, r->prompt_len, r->seq_prompt, r->seq_len, r->out_tok,
                    r->out_lp,     r->out_len,    r->stopped,    r->text};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) free(bufs[i]);
    free(r);
}

/* Bytes the longest decoded completion needs, so decoding never cuts one. */
static size_t text_capacity(int max_new_tokens) {
    size_t longest = 1;
    for (int id = 0; id < TOK_VOCAB_SIZE; id++) {
        const char *t = tok_text(id);
        if (t && strlen(t) > longest) longest = strlen(t);
    }
    return (size_t)max_new_tokens * longest + 1;
}

Rollout *rollout_new(const GptConfig *cfg, int max_prompts, const RolloutConfig *rc) {
    if (max_prompts < 1 || rc->k < 1 || rc->max_new_tokens < 1 || !(rc->temperature >= 0) ||
        !(rc->top_p > 0 && rc->top_p <= 1))
        return NULL;
    Rollout *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->cfg = *rc;
    r->max_prompts = max_prompts;
    r->T = cfg->max_seq_len;
    const size_t P = (size_t)max_prompts, n = P * (size_t)rc->k,
                 maxnew = (size_t)rc->max_new_tokens;
    r->cap = text_capacity(rc->max_new_tokens);
    r->sampler = sampler_new(cfg, (int)n);
    r->prompt_tok = malloc(P * (size_t)r->T * sizeof(int));
    r->prompt_len = malloc(P * sizeof(int));
    r->seq_prompt = malloc(n * sizeof(int *));
    r->seq_len = malloc(n * sizeof(int));
    r->out_tok = malloc(n * maxnew * sizeof(int));
    r->out_lp = malloc(n * maxnew * sizeof(float));
    r->out_len = calloc(n, sizeof(int));
    r->stopped = calloc(n, sizeof(int));
    r->text = calloc(n, r->cap);
    if (!r->sampler || !r->prompt_tok || !r->prompt_len || !r->seq_prompt || !r->seq_len ||
        !r->out_tok || !r->out_lp || !r->out_len || !r->stopped || !r->text) {
        rollout_free(r);
        return NULL;
    }
    return r;
}

int rollout_run(Rollout *r, const Gpt *m, int n, const char *const *prompts, Rng *rng, char *err,
                size_t errlen) {
    r->n = r->count = 0;
    if (n < 1 || n > r->max_prompts || m->cfg.max_seq_len != r->T) {
        snprintf(err, errlen, "rollout: %d prompts for room of %d (context %d, built for %d)", n,
                 r->max_prompts, m->cfg.max_seq_len, r->T);
        return -1;
    }
    /* Every prompt is checked before any is sampled, so a bad one costs no
     * time and no random numbers. */
    for (int i = 0; i < n; i++) {
        int len = tok_encode(prompts[i], r->prompt_tok + (size_t)i * r->T, r->T, NULL);
        if (len < 0) {
            snprintf(err, errlen, "prompt '%s' holds a character outside the vocabulary",
                     prompts[i]);
            return -1;
        }
        if (len == 0) {
            snprintf(err, errlen, "prompt %d is empty", i);
            return -1;
        }
        if (len >= r->T) {
            snprintf(err, errlen,
                     "prompt '%s' takes %d tokens, leaving no room in the model's context of %d",
                     prompts[i], len, r->T);
            return -1;
        }
        r->prompt_len[i] = len;
    }
    const int k = r->cfg.k, count = n * k;
    for (int q = 0; q < count; q++) {
        r->seq_prompt[q] = r->prompt_tok + (size_t)(q / k) * r->T;
        r->seq_len[q] = r->prompt_len[q / k];
    }
    int stops[] = {TOK_ANSWER_END, TOK_EOS};
    SampleOptions o = sample_defaults();
    o.temperature = r->cfg.temperature;
    o.top_p = r->cfg.top_p;
    o.max_new_tokens = r->cfg.max_new_tokens;
    o.stop_tokens = stops;
    o.n_stop = 2;
    o.cancel = r->cancel;
    o.cancel_ctx = r->cancel_ctx;
    int rc = sampler_generate(r->sampler, m, count, r->seq_prompt, r->seq_len, &o, rng, r->out_tok,
                              r->out_lp, r->out_len, r->stopped);
    if (rc == SAMPLER_CANCELLED) {
        r->n = r->count = 0;
        snprintf(err, errlen, "stopped");
        return ROLLOUT_CANCELLED;
    }
    if (rc != 0) {
        snprintf(err, errlen, "rollout: %s",
                 rc == SAMPLER_NO_MEMORY ? "out of memory while sampling"
                                         : "a prompt does not fit the context");
        return -1;
    }
    for (int q = 0; q < count; q++)
        tok_decode(rollout_tokens(r, q), r->out_len[q], r->text + (size_t)q * r->cap, r->cap);
    r->n = n;
    r->count = count;
    return 0;
}

void rollout_set_cancel(Rollout *r, bool (*cancel)(void *ctx), void *ctx) {
    r->cancel = cancel;
    r->cancel_ctx = ctx;
}

int rollout_count(const Rollout *r) {
    return r->count;
}

const char *rollout_text(const Rollout *r, int i) {
    return r->text + (size_t)i * r->cap;
}

int rollout_length(const Rollout *r, int i) {
    return r->out_len[i];
}

int rollout_truncated(const Rollout *r, int i) {
    return !r->stopped[i];
}

const int *rollout_tokens(const Rollout *r, int i) {
    return r->out_tok + (size_t)i * r->cfg.max_new_tokens;
}

const float *rollout_logp(const Rollout *r, int i) {
    return r->out_lp + (size_t)i * r->cfg.max_new_tokens;
}

const int *rollout_prompt_tokens(const Rollout *r, int p) {
    return r->prompt_tok + (size_t)p * r->T;
}

int rollout_prompt_length(const Rollout *r, int p) {
    return r->prompt_len[p];
}

/* As many sequences as fit a fixed memory budget (the sampler keeps a KV
 * cache and step buffers of a full context per sequence), so a big model does
 * not blow the run's memory and a small one still advances many sequences per
 * GEMM. On 2 threads 96 MB beat 32 MB by 2x on a d128 model (fewer, fuller
 * decode steps; small batches also suffer most when another process holds a
 * core) and cost M-size models nothing. Depends only on the model's shape, so
 * results are the same for a seed on any machine. */
int rollout_batch_for(const GptConfig *c) {
    const double budget = 96.0 * 1024 * 1024;
    double C = c->d_model, T = c->max_seq_len, L = c->n_layer, V = c->vocab_size;
    double per_seq = 4.0 * (2 * L * (T + 16) * C + T * (14 * C + V));
    double n = budget / per_seq;
    return n < 1 ? 1 : n > 1024 ? 1024 : (int)n;
}
