/* GRPO's arithmetic: advantages, the KL estimator, the clipped objective's
 * gradient through the engine, and the loss normalisers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/gpt.h"
#include "engine_fixtures.h"
#include "train/grpo_math.h"

static void advantages_of_a_mixed_group(void **state) {
    float r[4] = {1, 0, 0, 1}, a[4];
    assert_int_equal(grpo_advantages(r, 1, 4, 1, 1e-4f, a), 0);
    /* mean 0.5, population std 0.5 */
    for (int i = 0; i < 4; i++) assert_float_equal(a[i], (r[i] - 0.5f) / (0.5f + 1e-4f), 1e-6);
    assert_int_equal(grpo_advantages(r, 1, 4, 0, 1e-4f, a), 0);
    for (int i = 0; i < 4; i++) assert_float_equal(a[i], r[i] - 0.5f, 1e-7);
}

static void zero_variance_groups_get_zeros_never_nan(void **state) {
    float r[9] = {1, 1, 1, 0, 0, 0, 0.5f, 1.5f, 0.5f}, a[9];
    for (int scale = 0; scale < 2; scale++) {
        assert_int_equal(grpo_advantages(r, 3, 3, scale, 0.0f, a), 2);
        for (int i = 0; i < 6; i++) assert_true(a[i] == 0.0f);
        for (int i = 6; i < 9; i++) assert_false(isnan(a[i]));
        assert_true(a[7] > 0 && a[6] < 0);
    }
}

static void kl_estimator_is_nonnegative_and_zero_at_equality(void **state) {
    for (double lp = -8; lp <= 0; lp += 0.37)
        for (double ref = -8; ref <= 0; ref += 0.41) assert_true(grpo_kl(lp, ref) >= 0.0);
    assert_true(grpo_kl(-1.25, -1.25) == 0.0);
    /* small differences: k3 ~ d^2 / 2 */
    assert_float_equal(grpo_kl(-1.0, -1.01), 0.5 * 0.01 * 0.01, 1e-6);
}

static void token_clipping_follows_the_sign_of_the_advantage(void **state) {
    /* rho = 1.5 > 1 + 0.2 */
    GrpoToken t = grpo_token(log(1.5), 0.0, log(1.5), 1.0, 0.2, 0.2, 0.0);
    assert_true(t.clipped_high && !t.clipped_low);
    assert_float_equal(t.dlogp, 0.0, 1e-12);
    assert_float_equal(t.loss, -1.2, 1e-12);
    /* same ratio, A < 0: the unclipped branch is the minimum, gradient flows */
    t = grpo_token(log(1.5), 0.0, log(1.5), -1.0, 0.2, 0.2, 0.0);
    assert_false(t.clipped_high || t.clipped_low);
    assert_float_equal(t.dlogp, 1.5, 1e-12);
    /* rho = 0.5 < 1 - 0.2 with A < 0: clipped low */
    t = grpo_token(log(0.5), 0.0, 0.0, -1.0, 0.2, 0.28, 0.0);
    assert_true(t.clipped_low);
    assert_float_equal(t.loss, 0.8, 1e-12);
    /* clip-higher: rho = 1.25 is inside [0.8, 1.28] */
    t = grpo_token(log(1.25), 0.0, 0.0, 2.0, 0.2, 0.28, 0.0);
    assert_false(t.clipped_high);
    assert_float_equal(t.dlogp, -2.5, 1e-12);
}

enum { FD_B = 2, FD_T = 6, FD_N = FD_B * FD_T };

/* The batch objective: DAPO-weighted token losses over unmasked targets. */
static double objective(Gpt *m, const int *tokens, const int *targets, const double *old,
                        const float *ref_lp, const double *adv, double w, double beta) {
    float lp[FD_N];
    gpt_forward(m, tokens, FD_B, FD_T);
    gpt_logp(m, targets, 1.0f, lp, NULL);
    double L = 0;
    for (int i = 0; i < FD_N; i++)
        if (targets[i] >= 0)
            L += w * grpo_token(lp[i], old[i], ref_lp[i], adv[i / FD_T], 0.2, 0.28, beta).loss;
    return L;
}

/* Finite differences of the whole objective through the engine, for A > 0
 * and A < 0, with tokens inside and outside the clip range and beta > 0. */
static void clipped_objective_gradient_matches_finite_differences(void **state) {
    enum { B = FD_B, T = FD_T, N = FD_N };
    const GptConfig cfg = {
        .max_seq_len = 8, .vocab_size = 13, .n_layer = 1, .n_head = 2, .d_model = 8};
    Gpt *m = fixture_tiny_model(&cfg, 21, 0.3f);
    Gpt *ref = fixture_tiny_model(&cfg, 22, 0.3f);
    int tokens[N], targets[N];
    fixture_tokens(tokens, N, 13, 23);
    fixture_tokens(targets, N, 13, 24);
    targets[0] = targets[T] = -1; /* prompt positions carry no loss */
    double adv[B] = {1.3, -0.7};
    float logp[N], ref_lp[N];
    gpt_forward(ref, tokens, B, T);
    gpt_logp(ref, targets, 1.0f, ref_lp, NULL);
    gpt_forward(m, tokens, B, T);
    gpt_logp(m, targets, 1.0f, logp, NULL);
    /* old logps place the ratios alternately inside (x1.05) and outside
     * (x1.6 or x0.5) the clip range [0.8, 1.28] */
    double old[N];
    for (int i = 0; i < N; i++) {
        double ratio = (i % 2) ? 1.05 : ((i / T) == 0 ? 1.6 : 0.5);
        old[i] = logp[i] - log(ratio);
    }
    const double beta = 0.04;
    double w = grpo_token_weight(GRPO_LOSS_DAPO, B, N - 2, T - 1, T);
    float dlogp[N];
    int clipped = 0, unclipped = 0;
    for (int i = 0; i < N; i++) {
        dlogp[i] = 0;
        if (targets[i] < 0) continue;
        GrpoToken t = grpo_token(logp[i], old[i], ref_lp[i], adv[i / T], 0.2, 0.28, beta);
        dlogp[i] = (float)(w * t.dlogp);
        if (t.clipped_low || t.clipped_high)
            clipped++;
        else
            unclipped++;
    }
    assert_true(clipped >= 2 && unclipped >= 2);
    gpt_zero_grad(m);
    gpt_forward(m, tokens, B, T);
    gpt_logp(m, targets, 1.0f, logp, NULL);
    gpt_backward_logp(m, targets, dlogp);
    float *grad = malloc(m->num_params * sizeof(float));
    memcpy(grad, m->grads, m->num_params * sizeof(float));
    /* every 7th parameter: enough to cover every tensor, cheap enough to run */
    const float h = 1e-3f;
    int checked = 0;
    for (size_t i = 0; i < m->num_params; i += 7) {
        float saved = m->params[i];
        double lp, lm;
        m->params[i] = saved + h;
        lp = objective(m, tokens, targets, old, ref_lp, adv, w, beta);
        m->params[i] = saved - h;
        lm = objective(m, tokens, targets, old, ref_lp, adv, w, beta);
        m->params[i] = saved;
        double num = (lp - lm) / (2 * h);
        /* a perturbation of h moves ratios by ~1e-3, far from any clip edge
         * (the closest ratio sits 0.05 away), so the objective is smooth here */
        if (fabs(num - grad[i]) > 2e-4 + 2e-2 * fabs(grad[i]))
            fail_msg("param %zu: analytic %g numeric %g", i, grad[i], num);
        checked++;
    }
    assert_true(checked > 50);
    free(grad);
    gpt_free(m);
    gpt_free(ref);
}

static void loss_normalisers(void **state) {
    /* 3 sequences of 2, 5 and 1 tokens, limit 8 */
    int lens[3] = {2, 5, 1}, total = 8;
    double sum_grpo = 0, sum_dapo = 0, sum_dr = 0;
    for (int s = 0; s < 3; s++) {
        sum_grpo += lens[s] * grpo_token_weight(GRPO_LOSS_GRPO, 3, total, lens[s], 8);
        sum_dapo += lens[s] * grpo_token_weight(GRPO_LOSS_DAPO, 3, total, lens[s], 8);
        sum_dr += lens[s] * grpo_token_weight(GRPO_LOSS_DR_GRPO, 3, total, lens[s], 8);
    }
    assert_float_equal(sum_grpo, 1.0, 1e-12);         /* each sequence weighs 1/3 */
    assert_float_equal(sum_dapo, 1.0, 1e-12);         /* each token weighs 1/8 */
    assert_float_equal(sum_dr, 8.0 / (3 * 8), 1e-12); /* constant B*G*max_len */
    /* grpo: a short sequence's tokens weigh more than a long one's */
    assert_true(grpo_token_weight(GRPO_LOSS_GRPO, 3, total, 1, 8) >
                grpo_token_weight(GRPO_LOSS_GRPO, 3, total, 5, 8));
    assert_float_equal(grpo_token_weight(GRPO_LOSS_GRPO, 3, total, 0, 8), 0.0, 0);
    GrpoLossType t;
    assert_int_equal(grpo_loss_type_from_name("dr_grpo", &t), 0);
    assert_int_equal(t, GRPO_LOSS_DR_GRPO);
    assert_int_equal(grpo_loss_type_from_name("ppo", &t), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(advantages_of_a_mixed_group),
        cmocka_unit_test(zero_variance_groups_get_zeros_never_nan),
        cmocka_unit_test(kl_estimator_is_nonnegative_and_zero_at_equality),
        cmocka_unit_test(token_clipping_follows_the_sign_of_the_advantage),
        cmocka_unit_test(clipped_objective_gradient_matches_finite_differences),
        cmocka_unit_test(loss_normalisers),
    };
    return cmocka_run_group_tests_name("grpo_math", tests, NULL, NULL);
}
