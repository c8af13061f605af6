#ifndef R1SIM_TRAIN_ROLLOUT_H
#define R1SIM_TRAIN_ROLLOUT_H

/* Sampling k completions of each of a batch of prompts through the KV-cache
 * sampler, the one routine behind GRPO's rollouts, eval and rejection
 * sampling. Sequences are laid out prompt-major (completion j of prompt i is
 * i*k + j) and drawn in that order from the caller's Rng, so a caller that
 * moves to this routine keeps its numbers for a seed. The sampler draws step
 * by step across the whole batch, so a prompt's samples for a seed depend on
 * the batch it is in (greedy ones do not). Buffers are allocated once; every
 * pointer returned stays valid until the next rollout_run. */

#include <stdbool.h>
#include <stddef.h>

#include "engine/gpt.h"
#include "engine/rng.h"

typedef struct {
    int k; /* samples per prompt */
    int max_new_tokens;
    float temperature; /* 0 greedy */
    float top_p;       /* 1 off */
} RolloutConfig;

enum { ROLLOUT_CANCELLED = 1 };

typedef struct Rollout Rollout;

/* Room for up to max_prompts prompts x k samples per call. NULL on OOM (or
 * when a count is below 1, temperature is negative or top_p is outside
 * (0, 1]). */
Rollout *rollout_new(const GptConfig *cfg, int max_prompts, const RolloutConfig *rc);
void rollout_free(Rollout *r);

/* Polled between decode steps; true abandons rollout_run, which then returns
 * ROLLOUT_CANCELLED (NULL, the default: never). */
void rollout_set_cancel(Rollout *r, bool (*cancel)(void *ctx), void *ctx);

/* Samples k completions of each of n prompts (n <= max_prompts); prompts[i] is
 * the templated prompt text (any prefill included). Stops at </answer> or
 * <eos>; generation is also bounded by the model's context. 0,
 * ROLLOUT_CANCELLED (cfg.cancel asked; the outputs are not valid), or -1 with
 * a one-line message (a prompt that does not fit the context). */
int rollout_run(Rollout *r, const Gpt *m, int n, const char *const *prompts, Rng *rng, char *err,
                size_t errlen);

int rollout_count(const Rollout *r); /* n*k of the last run; completion i belongs to prompt i / k */
const char *rollout_text(const Rollout *r, int i); /* decoded completion (text after the prompt) */
int rollout_length(const Rollout *r, int i);       /* generated tokens */
int rollout_truncated(const Rollout *r, int i);    /* 1: hit max_new_tokens without a stop token */
const int *rollout_tokens(const Rollout *r, int i);
const float *rollout_logp(const Rollout *r, int i); /* sampling-policy log-probs (pi_old) */

/* Prompt p of the last run (p < n) as encoded, for trainers that lay out
 * prompt and completion as training rows. */
const int *rollout_prompt_tokens(const Rollout *r, int p);
int rollout_prompt_length(const Rollout *r, int p);

/* Sequences per call that fit eval's fixed memory budget for this model shape. */
int rollout_batch_for(const GptConfig *cfg);

#endif
