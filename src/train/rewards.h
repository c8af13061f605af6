#ifndef R1SIM_TRAIN_REWARDS_H
#define R1SIM_TRAIN_REWARDS_H

/* Rule-based rewards, as R1-Zero uses them (accuracy and format) plus those
 * Open R1 and DAPO users reach for: tag count, language consistency,
 * cosine-scaled length, repetition penalty, soft overlong punishment. Each
 * reads one sample; a script may add its own through the same signature. */

#include <stddef.h>

#include "world/general.h"
#include "world/task.h"

typedef struct {
    const char *prompt;         /* templated prompt text */
    const char *completion;     /* generated text, after the prompt's "<think>" */
    const Problem *problem;     /* the task instance, or NULL for a non-task prompt */
    const GeneralItem *general; /* the general question, or NULL for a task prompt */
    int length;                 /* completion tokens */
    int max_length;             /* the stage's completion limit */
    int truncated;              /* ran out of length before a stop token */
} RewardSample;

typedef double (*RewardFn)(void *ctx, const RewardSample *s);

/* Scores n samples at once (a learned reward model runs one batched
 * forward). 0, or -1 with a message. */
typedef int (*RewardBatchFn)(void *ctx, const RewardSample *const *s, int n, double *out, char *err,
                             size_t errlen);

/* Where a reward is defined (RL for all scenarios): rule rewards where an
 * answer can be checked, a learned one where it cannot. */
typedef enum { REWARD_SCOPE_ALL, REWARD_SCOPE_REASONING, REWARD_SCOPE_GENERAL } RewardScope;

typedef struct {
    const char *name;
    RewardFn fn;
    void *ctx;
    double weight;
    /* Zero-initialised, a term applies to every prompt from the first step. */
    RewardScope scope;
    long from_step;      /* counts towards the total from this step (1-based) on */
    RewardBatchFn batch; /* used instead of fn when set */
} RewardTerm;

/* The scope a built-in reward has: accuracy needs a task's verifier. */
RewardScope reward_builtin_scope(const char *name);

/* 1 when the <answer> content is the task's answer, else 0. */
double reward_accuracy(void *ctx, const RewardSample *s);
/* 1 for exactly one thought then one answer block and nothing after. */
double reward_format(void *ctx, const RewardSample *s);
/* 0.25 each for exactly one </think>, one <answer>, one </answer>, and
 * nothing but <eos> after </answer>: partial credit on the way to format. */
double reward_tag_count(void *ctx, const RewardSample *s);
/* Share of the thought's number characters in the prompt's script. */
double reward_language(void *ctx, const RewardSample *s);
/* Repeated word trigrams: -(1 - unique/total), 0 for short thoughts. */
double reward_repetition(void *ctx, const RewardSample *s);

/* Cosine-scaled length (Yeo et al., "Demystifying long CoT"): correct answers
 * earn from max_correct (length 0) down to min_correct (max_length), wrong
 * ones from min_wrong (length 0) up to max_wrong: shorter when right, longer
 * when wrong. */
typedef struct {
    double min_correct, max_correct, min_wrong, max_wrong;
} CosineLengthParams;
double reward_cosine_length(void *ctx /* CosineLengthParams* */, const RewardSample *s);

/* DAPO's soft overlong punishment: 0 up to max_length - cache, then linearly
 * down to -1 at max_length, -1 when truncated. */
typedef struct {
    int cache; /* tokens of the soft zone */
} OverlongParams;
double reward_soft_overlong(void *ctx /* OverlongParams* */, const RewardSample *s);

/* Built-in rewards by name ("accuracy", "format", "tag_count", "language",
 * "repetition", "cosine_length", "soft_overlong"); NULL when unknown. The
 * parametrised ones use defaults (Open R1's cosine values; a cache of a
 * quarter of max_length). */
RewardFn reward_builtin(const char *name, void **ctx);

#endif
