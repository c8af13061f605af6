#ifndef R1SIM_TRAIN_GRPO_UPDATE_H
#define R1SIM_TRAIN_GRPO_UPDATE_H

/* The policy-gradient half of a GRPO step, apart from where the completions
 * came from: given sequences (prompt and completion tokens, the sampling
 * policy's log-probs, an advantage each), one optimizer step of the clipped,
 * KL-penalised objective over a minibatch of them. grpo.c feeds it a rollout
 * of the world's prompts; `r1sim bench --grpo` feeds it random prompts, so
 * that the benchmark times the very code the stages run. */

#include "engine/adamw.h"
#include "engine/gpt.h"
#include "train/grpo_math.h"
#include "train/grpo_trace.h"

typedef struct {
    const int *prompt; /* prompt tokens */
    int prompt_len;
    const int *tokens; /* completion tokens */
    int len;
    const float *old_logp; /* (len) under the sampling policy */
    float adv;
    int masked; /* no loss from this sequence (a truncated one under mask_truncated) */
} GrpoSeq;

typedef struct {
    float temperature; /* of the sampling, so that logp matches pi_old */
    float beta;        /* 0: no reference forward at all */
    float eps_low, eps_high;
    GrpoLossType loss_type;
    int max_new_tokens; /* Dr. GRPO's constant normaliser */
} GrpoLossConfig;

typedef struct {
    double loss, entropy, tokens, clip_low, clip_high;
    double kl;          /* summed over tokens; stays 0 without a reference (beta 0) */
    double ref_seconds; /* wall time of the reference forwards */
} GrpoTotals;

typedef struct GrpoUpdate GrpoUpdate;

/* Buffers for micro-batches of a model of this shape, for minibatches of up
 * to max_seqs sequences. NULL on OOM. */
GrpoUpdate *grpo_update_new(const GptConfig *cfg, int max_seqs);
void grpo_update_free(GrpoUpdate *u);

/* Every token of the following minibatch updates goes to t, labelled with
 * this pass and minibatch (seq = the index into seqs); NULL stops recording.
 * Recording reads the values the update computes anyway. */
void grpo_update_trace(GrpoUpdate *u, GrpoTrace *t, int pass, int minibatch);

/* One optimizer step over seqs[idx[0..n)], n <= max_seqs: forward, loss,
 * backward in micro-batches of sequences of like length (at most a fixed
 * number of padded rows each), then AdamW. The reference
 * is read only when beta > 0. Adds to *tot; returns the gradient norm. */
float grpo_update_minibatch(GrpoUpdate *u, Gpt *policy, Gpt *ref, AdamW *opt, const GrpoSeq *seqs,
                            const int *idx, int n, const GrpoLossConfig *lc, GrpoTotals *tot);

#endif
