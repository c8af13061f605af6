#ifndef R1SIM_TRAIN_GRPO_TRACE_H
#define R1SIM_TRAIN_GRPO_TRACE_H

/* Everything one GRPO step did, token by token, as plain data: the rollout
 * batch (each completion's rewards, group statistics and advantage) and, for
 * every completion token at every pass, the numbers the update used: the
 * log-probs under pi_old, pi_theta and pi_ref, the ratio, the clip, the KL
 * term, the token's weight under the loss type's normaliser and its signed
 * share of the objective. The trainer fills one every step (grpo_trace);
 * stage_grpo writes recorded steps to tokens.csv, and the step inspector
 * draws it, so it holds no pointers into the trainer. */

#include <stddef.h>

#include "train/grpo_math.h"

enum { GRPO_TRACE_REWARDS = 16, GRPO_TRACE_NAME = 24, GRPO_TRACE_PROMPT = 96 };

typedef struct {
    int seq;       /* completion index in the batch, prompt-major (group = seq / G) */
    int pass;      /* 0 .. mu-1 */
    int minibatch; /* optimizer update within the step, 0-based over passes */
    int pos;       /* token index within the completion */
    int token;     /* tokenizer id */
    float logp_old, logp, logp_ref; /* logp_ref = logp when beta is 0 (no reference) */
    float ratio;                    /* exp(logp - logp_old) */
    signed char clip;               /* -1: the low clip is active, +1 the high one, 0 neither */
    float kl;                       /* k3 estimator; 0 when beta is 0 */
    float weight;                   /* the loss type's normaliser for this token */
    /* weight * (min(rho A, clip(rho) A) - beta KL): the objective's terms sum
     * over a minibatch to minus the loss it minimised */
    float objective;
    /* -weight * dloss/dlogp: > 0 the update raises this token's probability
     * (reinforced), < 0 lowers it (suppressed); before gradient clipping */
    float push;
} GrpoTraceToken;

typedef struct {
    int group;
    float reward, advantage;
    float term[GRPO_TRACE_REWARDS]; /* each reward, unweighted; 0 where it does not apply */
    int length, truncated, masked;
    int tok0, n_tok; /* its tokens in tok[], pass-major within the completion */
} GrpoTraceSeq;

typedef struct {
    long step; /* 1-based: the step this batch trained */
    int B, G, n, mu, minibatches;
    GrpoLossType loss_type;
    float beta, eps_low, eps_high;
    int scale_rewards, max_new_tokens;
    double loss; /* the step's loss as reported: mean over its updates */
    int n_rewards;
    char reward_name[GRPO_TRACE_REWARDS][GRPO_TRACE_NAME];
    float reward_weight[GRPO_TRACE_REWARDS];
    char (*prompt)[GRPO_TRACE_PROMPT]; /* (B) */
    float *group_mean, *group_std;     /* (B) population std, as the advantages use */
    GrpoTraceSeq *seq;                 /* (n) */
    GrpoTraceToken *tok;               /* n_tok, sorted by (seq, pass, pos) */
    size_t n_tok, cap_tok;
    int cap_B, cap_n;
} GrpoTrace;

/* Sizes the per-prompt and per-completion arrays for B prompts of G
 * completions and empties the token list (keeping its memory). -1 on OOM. */
int grpo_trace_reset(GrpoTrace *t, int B, int G);
/* Appends one token; -1 on OOM (the trace then misses it, nothing else). */
int grpo_trace_add(GrpoTrace *t, const GrpoTraceToken *tok);
/* Orders tokens by (seq, pass, pos) and sets each completion's tok0/n_tok. */
void grpo_trace_finish(GrpoTrace *t);
/* A deep copy into *dst (whose memory is reused); -1 on OOM. */
int grpo_trace_copy(GrpoTrace *dst, const GrpoTrace *src);
void grpo_trace_free(GrpoTrace *t);

/* Groups of the batch whose rewards are all equal: no signal, zero advantage. */
int grpo_trace_zero_variance_groups(const GrpoTrace *t);

#endif
