#ifndef R1SIM_TRAIN_EVAL_H
#define R1SIM_TRAIN_EVAL_H

/* Evaluation of one model on one task's held-out set: k samples per prompt
 * in the R1-Zero template. pass@1 is the mean correctness over the k samples
 * (as the R1 paper reports it), maj@k the correctness of the majority answer,
 * pass@k for powers of two up to k the Codex paper's unbiased estimate of
 * "one of k samples is right" from all the samples drawn.
 * "Base readiness" splits accuracy by mode: a completion "thinks" when its
 * thought holds at least one scratch step; separately, accuracy with each mode
 * forced (prefill "</think>" for direct, the first scratch step for thinking)
 * says whether RL will find thinking worth it (docs/design.md). */

#include <stddef.h>

#include "engine/gpt.h"
#include "world/task.h"

typedef struct {
    const char *task;  /* "add3", "sub3", "mul1x3", ... (world/task.h names) */
    int n_prompts;     /* held-out problems (fewer if the set is smaller) */
    int k;             /* samples per prompt */
    float temperature; /* 1 by default; 0 = greedy (then k is 1) */
    int max_new_tokens;
    double cipher_prob; /* share of prompts in the letter cipher (eval_prompt_script) */
    int cipher;         /* nonzero: every prompt in the cipher, as cipher_prob 1 (the CLI's
                           --cipher) */
    int forced_modes;   /* also measure accuracy with each mode forced */
    unsigned long long seed;
} EvalConfig;

EvalConfig eval_defaults(void);

/* The script of held-out problem i: the cipher with probability cipher_prob
 * (1 with cfg->cipher), drawn from a keyed hash of (seed, i) rather than a
 * stream, so that problem i has the same script whatever the model and
 * however many problems are asked for, and raising cipher_prob only moves
 * problems from digits to the cipher. */
WorldScript eval_prompt_script(const EvalConfig *cfg, int i);

enum { EVAL_MAX_PASS_K = 11 }; /* pass@1, 2, 4, ..., 1024 */

typedef struct {
    int n_prompts, k;
    double pass_at_1; /* fractions in [0, 1] */
    double maj_at_k;
    double format_rate;          /* exactly one think block, then one answer block */
    double language_consistency; /* mean share of the thought in the prompt's script */
    double mean_length;          /* completion tokens */
    double aha_per_completion;   /* "wait"s per completion; re-checks are counted apart */
    double think_rate;           /* completions that reasoned step by step */
    double pass_at_1_think;      /* accuracy among those (NaN when none) */
    double pass_at_1_direct;     /* accuracy among the others (NaN when none) */
    double forced_think_acc;     /* with forced_modes; NaN otherwise */
    double forced_direct_acc;
    double check_per_completion; /* "check"s per completion (verification passes) */
    double cipher_share;         /* prompts in the letter cipher */
    double pass_at_1_cipher;     /* pass@1 over those prompts (NaN when none) */
    double language_cipher;      /* language consistency over their thoughts (NaN when none) */
    int n_pass_k;                /* entries below: k = 1, 2, 4, ... up to the samples per prompt */
    int pass_k[EVAL_MAX_PASS_K];
    double pass_at[EVAL_MAX_PASS_K]; /* mean over prompts of pass_at_k (train/pass_at_k.h);
                                        [0] is pass_at_1 */
    double maj_at[EVAL_MAX_PASS_K];  /* majority vote of k' samples; [0] is pass_at_1, the
                                        last maj_at_k when k is a power of two */
} EvalResult;

/* What eval reads from one completion (the text after the templated prompt).
 * Accuracy does not require the format, as with reward_accuracy: the answer
 * is taken from the first <answer> block even when the tags around it are
 * wrong, so format and accuracy stay separate figures. */
typedef struct {
    int correct;        /* the <answer> content is the problem's answer */
    const char *answer; /* that content, pointing into the completion; NULL without one */
    size_t answer_len;
    int well_formed; /* completion_parse's format */
    int thinks;      /* the thought holds at least one scratch step */
    int waits;       /* "wait" as a whole word, anywhere in the completion */
    int checks;      /* "check" as a whole word */
    int n_script;    /* number characters in the thought (completion_script_share) */
    double language; /* their share in the prompt's script; 1 when there are none */
} EvalSampleScore;

/* 1 when the thought holds a scratch step: a number, an operator (+ - *), a
 * number, optionally more operator-number pairs, then "=" and a number, in
 * either script ("7+9=16", "h+j=bg", "14-8-1=5"). A guess ("guess 926") or a
 * bare "so 936" is not one: those are direct answers written in the thought. */
int eval_thought_has_step(const char *thought, size_t len);

void eval_score_completion(const Problem *p, const char *completion, EvalSampleScore *out);

/* The aggregation behind eval_model, as a pure function of text, so that it
 * can be checked on hand-written completions. prompts holds n_prompts task
 * questions ("347+589?") or templated prompts; completions holds k per prompt,
 * prompt-major (completion j of prompt i at i*k + j). lengths (may be NULL)
 * gives each completion's token count; NULL counts the tokens of the text.
 * maj@k votes over the extracted answers (well formed or not); a tie goes to
 * the tied answer drawn first, which is as good as a fair coin because the k
 * samples are exchangeable, and unlike "smallest answer" favours no value.
 * Language consistency averages over the thoughts that hold any number
 * characters, so that direct answers do not dilute the script mixing of the
 * thoughts as the think rate moves (1 when no thought holds any).
 * The aha count is "wait" alone, as GRPO's training metric counts it: a check
 * that agrees with the first pass adds length but reflects on nothing, while
 * "wait" marks a check that caught a wrong step; checks are counted apart.
 * pass@k averages pass_at_k(k samples, correct ones, k') over prompts.
 * maj@k' for k' = 2, 4, ... below k splits each prompt's k samples into
 * floor(k / k') blocks of consecutive samples and averages the blocks'
 * majority votes (ties as above): each block is an independent draw of k'
 * samples, so every sample counts, and at k' = k it is maj@k itself.
 * forced_* are left NaN. Returns 0, or -1 when a prompt is not a task
 * question or an argument is out of range. */
int eval_aggregate(const char *const *prompts, int n_prompts, int k, const char *const *completions,
                   const int *lengths, EvalResult *out);

/* Progress callback: called after each batch of prompts with done/total;
 * nonzero stops the eval there, which then returns EVAL_ESTOPPED. */
typedef int (*EvalProgress)(void *ctx, int done, int total);

/* Returns 0; EVAL_EBADCONFIG when the request cannot be evaluated at all (an
 * unknown task, a bad count, a prompt the model's context cannot hold: bad
 * input); -1 for a failure while running (memory, the samples file). err gets
 * a one-line message either way. */
enum { EVAL_EBADCONFIG = -2, EVAL_ESTOPPED = -3 };

int eval_model(const Gpt *model, const EvalConfig *cfg, EvalResult *out, EvalProgress progress,
               void *ctx, char *err, size_t errlen);

/* Also writes every sample to a CSV when samples_path is not NULL (the run
 * directory's samples.csv), one row per completion, through csvio, under the
 * header EVAL_SAMPLES_HEADER: the task, the mode ("free"; "think" and "direct"
 * for the forced ones), the templated prompt, the completion (for a forced
 * mode it starts with the prefill), the extracted answer (empty without one),
 * the expected answer, then correct, format and thinks as 0/1, the thought's
 * share in the prompt's script, the completion's tokens and its "wait"s. The
 * file appears only when the whole eval succeeds. */
#define EVAL_SAMPLES_HEADER                                                                        \
    "task", "mode", "prompt", "completion", "answer", "expected", "correct", "format", "thinks",   \
        "language", "length", "waits"
enum { EVAL_SAMPLES_COLS = 12 };

int eval_model_with_samples(const Gpt *model, const EvalConfig *cfg, EvalResult *out,
                            const char *samples_path, EvalProgress progress, void *ctx, char *err,
                            size_t errlen);

#endif
