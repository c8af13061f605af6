#ifndef R1SIM_ENGINE_RATES_H
#define R1SIM_ENGINE_RATES_H

/* What this machine does per second with a model of a given shape, from a
 * short measurement (about half a second): the figures `r1sim run
 * --dry-run` turns a stage's work into an estimated wall time with. */

#include "engine/gpt.h"

typedef struct {
    double train_tok_s;   /* forward, backward and AdamW over full rows */
    double forward_tok_s; /* a no-grad forward (reference, teacher, scoring) */
    double decode_tok_s;  /* new tokens sampled with the KV cache, 64 sequences at once */
} EngineRates;

/* 0, or -1 on a bad shape or out of memory. Random weights: the speed of a
 * dense model does not depend on them. */
int engine_measure_rates(const GptConfig *cfg, EngineRates *out);

#endif
