#include "train/grpo_math.h"

#include <math.h>
#include <string.h>

static const char *const loss_names[] = {"grpo", "dapo", "dr_grpo"};

int grpo_loss_type_from_name(const char *name, GrpoLossType *out) {
    for (int i = 0; i < 3; i++)
        if (strcmp(name, loss_names[i]) == 0) {
            *out = (GrpoLossType)i;
            return 0;
        }
    return -1;
}

const char *grpo_loss_type_name(GrpoLossType t) {
    return (unsigned)t < 3 ? loss_names[t] : "?";
}

int grpo_advantages(const float *rewards, int n_groups, int G, int scale, float eps, float *adv) {
    int zero_var = 0;
    for (int g = 0; g < n_groups; g++) {
        const float *r = rewards + (size_t)g * G;
        float *a = adv + (size_t)g * G;
        double mean = 0, var = 0;
        for (int i = 0; i < G; i++) mean += r[i];
        mean /= G;
        for (int i = 0; i < G; i++) var += (r[i] - mean) * (r[i] - mean);
        var /= G;
        /* equal rewards carry no signal; exact zeros, never 0/0 */
        int flat = 1;
        for (int i = 1; i < G; i++)
            if (r[i] != r[0]) flat = 0;
        if (flat) {
            for (int i = 0; i < G; i++) a[i] = 0.0f;
            zero_var++;
            continue;
        }
        double denom = scale ? sqrt(var) + eps : 1.0;
        for (int i = 0; i < G; i++) a[i] = (float)((r[i] - mean) / denom);
    }
    return zero_var;
}

double grpo_kl(double logp, double ref_logp) {
    double d = ref_logp - logp;
    return exp(d) - d - 1.0;
}

GrpoToken grpo_token(double logp, double old_logp, double ref_logp, double adv, double eps_low,
                     double eps_high, double beta) {
    GrpoToken t = {0};
    double rho = exp(logp - old_logp);
    double clipped = rho < 1.0 - eps_low    ? 1.0 - eps_low
                     : rho > 1.0 + eps_high ? 1.0 + eps_high
                                            : rho;
    double unclipped_obj = rho * adv, clipped_obj = clipped * adv;
    /* min picks the clipped branch exactly when the ratio left the trust
     * region in the direction the advantage rewards; there it is constant */
    int use_clipped = clipped_obj < unclipped_obj;
    double surrogate = use_clipped ? clipped_obj : unclipped_obj;
    double dsurrogate = use_clipped ? 0.0 : rho * adv;
    t.clipped_low = use_clipped && adv < 0;
    t.clipped_high = use_clipped && adv > 0;
    double kl = 0.0, dkl = 0.0;
    if (beta != 0.0) {
        kl = grpo_kl(logp, ref_logp);
        dkl = 1.0 - exp(ref_logp - logp); /* d/dlogp of e^(ref-logp) - (ref-logp) - 1 */
    }
    t.loss = -(surrogate - beta * kl);
    t.dlogp = -dsurrogate + beta * dkl;
    return t;
}

double grpo_token_weight(GrpoLossType t, int n_seqs, int total_tokens, int seq_tokens,
                         int max_len) {
    switch (t) {
    case GRPO_LOSS_GRPO:
        return seq_tokens > 0 ? 1.0 / ((double)n_seqs * seq_tokens) : 0.0;
    case GRPO_LOSS_DAPO:
        return total_tokens > 0 ? 1.0 / total_tokens : 0.0;
    case GRPO_LOSS_DR_GRPO:
        return 1.0 / ((double)n_seqs * max_len);
    }
    return 0.0;
}
