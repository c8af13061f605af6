#ifndef R1SIM_ENGINE_SAMPLER_H
#define R1SIM_ENGINE_SAMPLER_H

/* Batched generation with a KV cache: many sequences advance together, one
 * GEMM per weight matrix per step, each sequence attending over its own
 * cache. Prompts may have different lengths. The log-probability returned
 * for each sampled token is under softmax(logits / temperature) of the model
 * (before top-k / top-p truncation): for GRPO these are the pi_old values. */

#include <stdbool.h>

#include "engine/gpt.h"
#include "engine/rng.h"

typedef struct {
    float temperature;      /* 0 means greedy (argmax); logp then uses temperature 1 */
    int top_k;              /* 0 = off */
    float top_p;            /* 1 = off */
    int max_new_tokens;     /* per sequence; also bounded by the model's context */
    const int *stop_tokens; /* a sampled stop token ends its sequence (and is kept) */
    int n_stop;
    /* Polled before each decode step; true abandons the call, which then
     * returns SAMPLER_CANCELLED with its outputs unspecified (NULL: never).
     * A stop then waits for one decode step, not for a whole batch. */
    bool (*cancel)(void *ctx);
    void *cancel_ctx;
} SampleOptions;

enum { SAMPLER_CANCELLED = 1 };

SampleOptions sample_defaults(void);

typedef struct Sampler Sampler;

/* A sampler for up to max_batch sequences of the model's context length. */
Sampler *sampler_new(const GptConfig *cfg, int max_batch);
void sampler_free(Sampler *s);

/* Forgets every sequence; the next extend starts at position 0 for n sequences. */
void sampler_reset(Sampler *s, int n);

/* Appends t tokens to each of the n sequences (tokens is (n, t)) and writes
 * the logits at every appended position to logits (n, t, V) when not NULL,
 * else only the last position's to last_logits (n, V) when not NULL. Each
 * sequence must have room for t more positions. */
void sampler_extend(Sampler *s, const Gpt *m, const int *tokens, int t, float *logits,
                    float *last_logits);

/* Generates completions for n prompts. prompts[i] has prompt_len[i] >= 1
 * tokens. out_tokens and out_logp are (n, opt->max_new_tokens); out_len[i]
 * is the number of generated tokens; out_stopped[i] is 1 if a stop token
 * ended sequence i (0 if it ran out of length). Returns 0, SAMPLER_CANCELLED
 * when opt->cancel asked, SAMPLER_BAD_PROMPT if a prompt does not fit the
 * context (or n the batch), or SAMPLER_NO_MEMORY. */
enum { SAMPLER_BAD_PROMPT = -1, SAMPLER_NO_MEMORY = -2 };
int sampler_generate(Sampler *s, const Gpt *m, int n, const int *const *prompts,
                     const int *prompt_len, const SampleOptions *opt, Rng *rng, int *out_tokens,
                     float *out_logp, int *out_len, int *out_stopped);

#endif
