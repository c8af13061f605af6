#ifndef R1SIM_CLI_BENCH_GRPO_H
#define R1SIM_CLI_BENCH_GRPO_H

/* One GRPO step timed as ../anchors' PyTorch loop times it (and
 * bench/torch_grpo_bench.py): B random prompts of P tokens, G completions of
 * exactly N new tokens each (no stop token), pi_old from the sampler, a
 * cheap rule reward (the share of even token ids), group advantages, the
 * reference log-probs, then mu = 1 pass of `minibatches` optimizer steps of
 * the clipped, KL-penalised objective with gradient clipping and AdamW. The
 * update is grpo_update_minibatch, the code the grpo stage runs. */

#include "engine/gpt.h"

typedef struct {
    int B, G, P, N, minibatches;
    float beta;
    GptConfig model;
    int warmup, steps;
    unsigned long long seed;
    /* also time each step with the step inspector's recording: the trace in
     * memory (every step) and its tokens.csv rows (every samples_every-th) */
    int record;
} BenchGrpoOptions;

BenchGrpoOptions bench_grpo_defaults(void);

typedef struct {
    double step_s, rollout_s, reference_s, update_s; /* medians over the timed steps */
    double completion_tokens_per_s;                  /* B * G * N / step_s */
    /* with record: median step with the trace, median time to append one
     * step's rows to tokens.csv, and their bytes */
    double record_step_s, record_write_s, record_bytes_per_step;
} BenchGrpoResult;

/* 0, or -1 with a message (out of memory, a shape that does not fit). */
int bench_grpo(const BenchGrpoOptions *o, BenchGrpoResult *out, char *err, size_t errlen);

#endif
