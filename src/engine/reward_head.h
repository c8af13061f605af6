#ifndef R1SIM_ENGINE_REWARD_HEAD_H
#define R1SIM_ENGINE_REWARD_HEAD_H

/* The scalar head of a reward model: score[b] = lnf[b, pos[b]] . w + b, the
 * trunk's final-LayerNorm output at one chosen position per row (say the last
 * token of the completion) against a learned vector. Its w and b are the last
 * two tensors of the model's blob (cfg.has_head = 1), so AdamW, clipping,
 * copies and checkpoints treat them like any other parameter; the trunk's
 * gradients come from gpt_backward_hidden, the backward every loss shares. */

#include "engine/gpt.h"

/* Runs the trunk over tokens (B, T) without the LM head and writes one score
 * per row. pos[b] in [0, T): the causal trunk makes score[b] depend on
 * tokens[b, 0..pos[b]] only. m must have a head. */
void reward_head_forward(Gpt *m, const int *tokens, int B, int T, const int *pos, float *scores);

/* The same scores through the no-grad forward (gpt.h), for scoring without
 * training: one layer's activations, no backward afterwards. */
void reward_head_score(Gpt *m, const int *tokens, int B, int T, const int *pos, float *scores);

/* After reward_head_forward with the same pos: backward from dL/dscore (B),
 * accumulating into the head's and the trunk's gradients. */
void reward_head_backward(Gpt *m, const int *pos, const float *dscore);

/* A reward model with policy's trunk (a copy; policy has no head) and a fresh
 * head: w ~ N(0, w_std^2) from seed (w_std 0 gives w = 0), b = 0. NULL on bad
 * input or OOM. */
Gpt *reward_head_attach(const Gpt *policy, float w_std, unsigned long long seed);

#endif
