#ifndef R1SIM_TUI_STEP_MODEL_H
#define R1SIM_TUI_STEP_MODEL_H

/* One GRPO step as the step inspector draws it: plain data that the source
 * (cli/run_steps.c) fills from the trainer's trace, so the view never sees a
 * training type. Per completion its rewards, advantage and mask; per token
 * and pass its spelling and the numbers the update used (r1sim(1),
 * tokens.csv, says what each is). */

#include <stddef.h>

enum { TUI_STEP_REWARDS = 16, TUI_STEP_NAME = 24, TUI_STEP_PROMPT = 96, TUI_TOKEN_TEXT = 12 };

typedef enum { TUI_LOSS_GRPO, TUI_LOSS_DAPO, TUI_LOSS_DR_GRPO } TuiLossType;

typedef struct {
    int seq, pass, minibatch, pos; /* minibatch -1: a masked completion */
    char text[TUI_TOKEN_TEXT];     /* the token's spelling */
    float logp_old, logp, logp_ref, ratio;
    signed char clip; /* -1 low clip active, +1 high, 0 neither */
    float kl, weight, objective, push;
} TuiStepToken;

typedef struct {
    int group;
    float reward, advantage;
    float term[TUI_STEP_REWARDS];
    int length, truncated, masked;
    int tok0, n_tok; /* its tokens in tok[], pass-major */
} TuiStepSeq;

typedef struct {
    long step;
    int B, G, n, mu, minibatches;
    TuiLossType loss_type;
    char loss_name[12];
    float beta, eps_low, eps_high;
    int scale_rewards, max_new_tokens;
    double loss;
    int zero_variance_groups; /* groups whose rewards are all equal */
    int n_rewards;
    char reward_name[TUI_STEP_REWARDS][TUI_STEP_NAME];
    float reward_weight[TUI_STEP_REWARDS];
    char (*prompt)[TUI_STEP_PROMPT]; /* (B) */
    float *group_mean, *group_std;   /* (B) */
    TuiStepSeq *seq;                 /* (n) */
    TuiStepToken *tok;               /* n_tok */
    size_t n_tok;
    int cap_B, cap_n;
    size_t cap_tok;
} TuiStep;

/* Sizes the arrays for B prompts of G completions and n_tok tokens (their
 * memory kept between steps) and sets B, G, n and n_tok. -1 on OOM. */
int tui_step_reserve(TuiStep *s, int B, int G, size_t n_tok);
void tui_step_free(TuiStep *s);

#endif
