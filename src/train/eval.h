#ifndef R1SIM_TRAIN_EVAL_H
#define R1SIM_TRAIN_EVAL_H

/* Evaluation of one model on one task's held-out set: k samples per prompt
 * in the R1-Zero template. pass@1 is the mean correctness over the k samples
 * (as the R1 paper reports it), maj@k the correctness of the majority answer.
 * "Base readiness" splits accuracy by mode: a completion "thinks" when its
 * thought holds at least one scratch step; separately, accuracy with each mode
 * forced (prefill "</think>" for direct, the first scratch step for thinking)
 * says whether RL will find thinking worth it (DESIGN.md). */

#include "engine/gpt.h"

typedef struct {
    const char *task;   /* "add3", "sub3", "mul1x3", ... (world/task.h names) */
    int n_prompts;      /* held-out problems (fewer if the set is smaller) */
    int k;              /* samples per prompt */
    float temperature;  /* 1 by default; 0 = greedy (then k is 1) */
    int max_new_tokens;
    int cipher;         /* prompts in the letter cipher instead of digits */
    int forced_modes;   /* also measure accuracy with each mode forced */
    unsigned long long seed;
} EvalConfig;

EvalConfig eval_defaults(void);

typedef struct {
    int n_prompts, k;
    double pass_at_1;            /* fractions in [0, 1] */
    double maj_at_k;
    double format_rate;          /* exactly one think block, then one answer block */
    double language_consistency; /* mean share of the thought in the prompt's script */
    double mean_length;          /* completion tokens */
    double aha_per_completion;   /* "wait" / re-check occurrences */
    double think_rate;           /* completions that reasoned step by step */
    double pass_at_1_think;      /* accuracy among those (NaN when none) */
    double pass_at_1_direct;     /* accuracy among the others (NaN when none) */
    double forced_think_acc;     /* with forced_modes; NaN otherwise */
    double forced_direct_acc;
} EvalResult;

/* Progress callback: called after each batch of prompts with done/total. */
typedef void (*EvalProgress)(void *ctx, int done, int total);

int eval_model(const Gpt *model, const EvalConfig *cfg, EvalResult *out, EvalProgress progress,
               void *ctx, char *err, size_t errlen);

/* Writes one sample per line to a CSV (prompt, completion, correct, ...)
 * when samples_path is not NULL; used for the run directory's samples.csv. */
int eval_model_with_samples(const Gpt *model, const EvalConfig *cfg, EvalResult *out,
                            const char *samples_path, EvalProgress progress, void *ctx,
                            char *err, size_t errlen);

#endif
