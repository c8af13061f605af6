#ifndef R1SIM_TRAIN_GRPO_MATH_H
#define R1SIM_TRAIN_GRPO_MATH_H

/* The arithmetic of GRPO as the DeepSeekMath and R1 papers define it, with the
 * options TRL and Open R1 users expect (DAPO's clip-higher, Dr. GRPO's
 * unscaled advantages and constant normaliser). Pure functions, so each can
 * be checked against the formulas on its own. */

typedef enum {
    GRPO_LOSS_GRPO,    /* mean over a sequence's tokens, then mean over sequences */
    GRPO_LOSS_DAPO,    /* mean over all tokens of the batch */
    GRPO_LOSS_DR_GRPO, /* sum over tokens divided by (sequences * max completion length) */
} GrpoLossType;

/* "grpo", "dapo", "dr_grpo" -> type; -1 when unknown. */
int grpo_loss_type_from_name(const char *name, GrpoLossType *out);
const char *grpo_loss_type_name(GrpoLossType t);

/* Group-relative advantages for n_groups groups of G rewards each:
 * A = (r - mean) / (std + eps) with the population std of the group, or
 * A = r - mean when scale is 0 (Dr. GRPO). A group whose rewards are all equal
 * gets zeros. Returns the number of such zero-variance groups. */
int grpo_advantages(const float *rewards, int n_groups, int G, int scale, float eps, float *adv);

/* The unbiased KL estimator (Schulman's k3) of one token:
 * pi_ref/pi - log(pi_ref/pi) - 1 >= 0, with logs given. */
double grpo_kl(double logp, double ref_logp);

typedef struct {
    double loss;      /* -(min(rho A, clip(rho) A) - beta KL) */
    double dlogp;     /* d loss / d logp of this token */
    int clipped_low;  /* A < 0 and rho < 1 - eps_low: the clip is active */
    int clipped_high; /* A > 0 and rho > 1 + eps_high */
} GrpoToken;

/* One token's clipped surrogate with KL penalty; rho = exp(logp - old_logp). */
GrpoToken grpo_token(double logp, double old_logp, double ref_logp, double adv, double eps_low,
                     double eps_high, double beta);

/* Weight of each token of one sequence in the batch loss, for the given loss
 * type: n_seqs sequences in the (mini)batch, total_tokens unmasked tokens in
 * it, seq_tokens in this sequence, max_len the completion length limit. */
double grpo_token_weight(GrpoLossType t, int n_seqs, int total_tokens, int seq_tokens, int max_len);

#endif
