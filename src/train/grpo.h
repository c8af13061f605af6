#ifndef R1SIM_TRAIN_GRPO_H
#define R1SIM_TRAIN_GRPO_H

/* GRPO training as the R1 and DeepSeekMath papers define it: each step
 * samples B prompts x G completions from pi_old (the policy as it stands,
 * through the KV-cache sampler), scores them with weighted rule rewards, turns
 * rewards into group-relative advantages, and runs mu passes of clipped,
 * KL-penalised policy-gradient updates over minibatches. The reference model
 * is a frozen copy of the policy at the start (optionally re-copied every N
 * steps). One GRPO step per call, so the pipeline can pause and single-step. */

#include <stdbool.h>

#include "engine/adamw.h"
#include "engine/gpt.h"
#include "train/grpo_math.h"
#include "train/grpo_trace.h"
#include "train/rewards.h"
#include "world/task.h"

enum { GRPO_MAX_REWARDS = 16, GRPO_MAX_TASKS = 8 };

typedef struct {
    int prompts_per_step; /* B */
    int group_size;       /* G */
    int max_new_tokens;
    float temperature;
    float top_p;
    float beta;      /* KL coefficient */
    float eps_low;   /* clip range below 1 */
    float eps_high;  /* clip range above 1 (DAPO's clip-higher when > eps_low) */
    int mu;          /* passes over each rollout batch */
    int minibatches; /* optimizer steps per pass */
    GrpoLossType loss_type;
    int scale_rewards;   /* divide advantages by the group std (0: Dr. GRPO) */
    int mask_truncated;  /* completions that hit max_new_tokens get no loss */
    int ref_reset_every; /* copy the policy into the reference every N steps; 0 never */
    int steps;
    AdamWConfig optim;
    TaskSpec tasks[GRPO_MAX_TASKS];
    int n_tasks;
    double cipher_prob; /* share of prompts written in the letter cipher */
    /* RL for all scenarios: this share of each step's prompts are general
     * questions (world/general.h) instead of tasks, allotted by cumulative
     * rounding so that the share over a run is exact; 0 keeps every prompt a
     * task and the random streams as they were. */
    double general_share;
    /* ... from this step (1-based) on; before it every prompt is a task. As
     * the R1 paper's last RL stage adds general data only in its final 400
     * of 1,700 steps, with the preference reward. 0 or 1: from the first. */
    int general_from;
    unsigned long long seed;
} GrpoConfig;

/* The working defaults at this size (docs/design.md), with the learning rate
 * lowered from the prototype's 2e-4: B 8 x G 8, temperature 1, 96 new tokens,
 * lr 5e-5 (AdamW 0.9/0.99, no weight decay, clip 1.0), beta 0.04, eps 0.2,
 * two minibatches per rollout batch, mu 1, add3 prompts. */
GrpoConfig grpo_defaults(void);

typedef struct {
    long step;
    double reward;                        /* mean weighted total */
    double reward_term[GRPO_MAX_REWARDS]; /* mean of each reward, unweighted, over the
                                             prompts where it applies */
    double accuracy, format_rate;         /* measured whatever the rewards are */
    double kl;                            /* mean per completion token */
    double clip_low, clip_high;           /* share of tokens clipped */
    double entropy;                       /* mean per completion token */
    double mean_length, max_length;       /* completion tokens */
    double aha;                           /* "wait" per completion */
    double checks;                        /* "check" (re-verification) per completion */
    double think_rate;                    /* completions whose thought works a step */
    double zero_variance_groups;          /* share of groups with equal rewards */
    /* With general prompts: accuracy above counts task prompts only; these
     * are the general ones' share of the step and the verifier's verdict on
     * their answers (the true helpfulness a learned reward stands for). */
    double general_share, general_accuracy;
    double loss, grad_norm, lr;
    double tokens_per_s; /* sampled and trained tokens per second */
} GrpoStep;

/* One completion of the last step, for samples.csv and the view. Pointers
 * stay valid until the next grpo_step. */
typedef struct {
    const char *prompt, *completion;
    double reward, advantage;
    double term[GRPO_MAX_REWARDS];
    int length, truncated, group;
} GrpoSample;

typedef struct Grpo Grpo;

/* The policy is borrowed and trained in place; the reference is copied from it
 * now. Rewards are copied (their ctx pointers must outlive the Grpo). */
Grpo *grpo_new(Gpt *policy, const GrpoConfig *cfg, const RewardTerm *rewards, int n_rewards,
               char *err, size_t errlen);
void grpo_free(Grpo *g);

/* One GRPO step. Returns 0, 1 when all steps are done, GRPO_STOPPED when
 * the cancel function (grpo_set_cancel) asked, or -1 on error (err). */
int grpo_step(Grpo *g, GrpoStep *out, char *err, size_t errlen);

enum { GRPO_STOPPED = 2 };

/* Polled while the rollout samples and once more before the update: a step
 * abandoned there has not touched the policy, the optimizer or the step
 * count, and puts both random streams back, so the step taken after a resume
 * is the one an uninterrupted run takes. A stop then waits for one decode
 * step, not for a whole GRPO step (seconds at r1.lua's sizes). */
void grpo_set_cancel(Grpo *g, bool (*cancel)(void *ctx), void *ctx);

/* Resume: the optimizer, the step count and both random streams, so that a
 * resumed stage takes the very steps an uninterrupted one would. The caller
 * saves the policy with ckpt_save, and the reference (grpo_reference) when
 * ref_reset_every makes it differ from the stage's input. 0, or -1 with a
 * message naming the file. */
int grpo_save_state(const Grpo *g, const char *path, char *err, size_t errlen);
int grpo_load_state(Grpo *g, const char *path, char *err, size_t errlen);
Gpt *grpo_reference(Grpo *g);

/* The newest step token by token (grpo_trace.h); valid until the next
 * grpo_step. Empty (n_tok 0) before the first step. */
const GrpoTrace *grpo_trace(const Grpo *g);
/* The configuration's side of a trace (mu, minibatches, loss type, beta,
 * eps, scale_rewards, max_new_tokens), for one read back from files. */
void grpo_trace_config(GrpoTrace *t, const GrpoConfig *c);

int grpo_num_samples(const Grpo *g);
void grpo_sample(const Grpo *g, int i, GrpoSample *out);

#endif
