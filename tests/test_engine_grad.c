/* Finite-difference check of every parameter tensor through both backward
 * entries (dL/dlogp and dL/dlogits) on a tiny model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/gpt.h"
#include "engine/rng.h"
#include "engine_fixtures.h"

enum { B = 2, T = 5 };
static const GptConfig cfg = {
    .max_seq_len = 6, .vocab_size = 11, .n_layer = 2, .n_head = 2, .d_model = 8};
static const char *const tensor_names[GPT_TRUNK_TENSORS] = {
    "wte",  "wpe",  "ln1w", "ln1b", "qkvw",    "qkvb",    "attprojw", "attprojb",
    "ln2w", "ln2b", "fcw",  "fcb",  "fcprojw", "fcprojb", "lnfw",     "lnfb"};

typedef struct {
    int tokens[B * T];
    int targets[B * T];
    float coef[B * T];       /* L = sum coef_i * logp_i */
    float rcoef[B * T * 11]; /* L = sum rcoef_ij * logits_ij */
} Problem;

static void make_problem(Problem *p) {
    fixture_tokens(p->tokens, B * T, cfg.vocab_size, 1);
    fixture_tokens(p->targets, B * T, cfg.vocab_size, 2);
    p->targets[3] = -1; /* a masked row must contribute nothing */
    Rng r;
    rng_seed(&r, 3);
    for (int i = 0; i < B * T; i++) p->coef[i] = rng_normal(&r);
    for (int i = 0; i < B * T * cfg.vocab_size; i++) p->rcoef[i] = rng_normal(&r);
}

/* Evaluated in double from the float forward, so the only float error is the
 * forward's own. */
static double loss_logp(Gpt *m, const Problem *p, float temperature) {
    float logp[B * T];
    gpt_forward(m, p->tokens, B, T);
    gpt_logp(m, p->targets, temperature, logp, NULL);
    double l = 0;
    for (int i = 0; i < B * T; i++) l += (double)p->coef[i] * logp[i];
    return l;
}

static double loss_logits(Gpt *m, const Problem *p) {
    gpt_forward(m, p->tokens, B, T);
    double l = 0;
    for (int i = 0; i < B * T * cfg.vocab_size; i++) l += (double)p->rcoef[i] * m->a.logits[i];
    return l;
}

/* Central differences with h = 1e-2 on weights of scale 0.3: the truncation
 * error O(h^2 f''') and the float round-off of the loss (~1e-7 * |L| / h, with
 * |L| ~ 10) both stay near 1e-4, so a gradient entry passes when it is within
 * 1e-3 + 3e-2 * |g| of the numerical value. A wrong backward is off by far more
 * (a sign, a missing term or a transposed index gives O(|g|) errors). */
static void check_all_tensors(Gpt *m, const Problem *p, int via_logits, float temperature) {
    gpt_zero_grad(m);
    if (via_logits) {
        loss_logits(m, p);
        gpt_backward_logits(m, p->rcoef);
    } else {
        loss_logp(m, p, temperature);
        gpt_backward_logp(m, p->targets, p->coef);
    }
    float *grad = malloc(m->num_params * sizeof(float));
    for (size_t i = 0; i < m->num_params; i++) grad[i] = m->grads[i];
    const float h = 1e-2f;
    size_t off = 0;
    for (int t = 0; t < GPT_TRUNK_TENSORS; t++) {
        double max_err = 0, max_g = 0;
        for (size_t i = 0; i < m->tensor_size[t]; i++) {
            float *w = &m->params[off + i];
            float saved = *w;
            *w = saved + h;
            double lp = via_logits ? loss_logits(m, p) : loss_logp(m, p, temperature);
            *w = saved - h;
            double lm = via_logits ? loss_logits(m, p) : loss_logp(m, p, temperature);
            *w = saved;
            double num = (lp - lm) / (2.0 * h);
            double ana = grad[off + i];
            double err = fabs(num - ana);
            if (err > 1e-3 + 3e-2 * fabs(ana))
                fail_msg("%s via %s: tensor %s[%zu]: analytic %.6g, numeric %.6g", "backward",
                         via_logits ? "dlogits" : "dlogp", tensor_names[t], i, ana, num);
            if (err > max_err) max_err = err;
            if (fabs(ana) > max_g) max_g = fabs(ana);
        }
        /* every tensor must actually receive gradient, or the check is vacuous */
        if (max_g < 1e-3) fail_msg("tensor %s got no gradient", tensor_names[t]);
        off += m->tensor_size[t];
    }
    free(grad);
}

static void gradients_through_dlogp_match_finite_differences(void **state) {
    Problem p;
    make_problem(&p);
    Gpt *m = fixture_tiny_model(&cfg, 42, 0.3f);
    check_all_tensors(m, &p, 0, 1.0f);
    gpt_free(m);
}

static void gradients_through_dlogp_with_temperature(void **state) {
    Problem p;
    make_problem(&p);
    Gpt *m = fixture_tiny_model(&cfg, 43, 0.3f);
    check_all_tensors(m, &p, 0, 0.7f);
    gpt_free(m);
}

static void gradients_through_dlogits_match_finite_differences(void **state) {
    Problem p;
    make_problem(&p);
    Gpt *m = fixture_tiny_model(&cfg, 44, 0.3f);
    check_all_tensors(m, &p, 1, 1.0f);
    gpt_free(m);
}

static void gradients_accumulate_across_backward_calls(void **state) {
    Problem p;
    make_problem(&p);
    Gpt *m = fixture_tiny_model(&cfg, 45, 0.3f);
    gpt_zero_grad(m);
    loss_logp(m, &p, 1.0f);
    gpt_backward_logp(m, p.targets, p.coef);
    float *once = malloc(m->num_params * sizeof(float));
    for (size_t i = 0; i < m->num_params; i++) once[i] = m->grads[i];
    loss_logp(m, &p, 1.0f);
    gpt_backward_logp(m, p.targets, p.coef);
    for (size_t i = 0; i < m->num_params; i++)
        assert_float_equal(m->grads[i], 2.0f * once[i], 1e-5f + 1e-4f * fabsf(once[i]));
    free(once);
    gpt_free(m);
}

/* A no-grad forward must give the training forward's numbers bit for bit
 * (the reference policy's and the teacher's logits feed GRPO and
 * distillation, whose metrics a cache key promises), in less memory, and
 * must leave a model that trains afterwards as if it had never run. Three
 * layers: the residual stream's two slots swap an odd number of times. */
static void nograd_forward_matches_and_leaves_training_alone(void **state) {
    Problem p;
    make_problem(&p);
    GptConfig c3 = cfg;
    c3.n_layer = 3;
    Gpt *kept = fixture_tiny_model(&c3, 46, 0.3f), *nograd = fixture_tiny_model(&c3, 46, 0.3f);
    float lp_kept[B * T], lp_nograd[B * T];
    gpt_forward(kept, p.tokens, B, T);
    gpt_logp(kept, p.targets, 0.7f, lp_kept, NULL);
    gpt_forward_nograd(nograd, p.tokens, B, T);
    gpt_logp(nograd, p.targets, 0.7f, lp_nograd, NULL);
    size_t V = (size_t)c3.vocab_size;
    assert_memory_equal(kept->a.logits, nograd->a.logits, (size_t)B * T * V * sizeof(float));
    assert_memory_equal(kept->a.lnf, nograd->a.lnf, (size_t)B * T * c3.d_model * sizeof(float));
    assert_memory_equal(lp_kept, lp_nograd, sizeof lp_kept);
    assert_true(gpt_memory_bytes(nograd) < gpt_memory_bytes(kept));

    /* then a training step on each: the same gradients */
    gpt_zero_grad(kept);
    gpt_zero_grad(nograd);
    loss_logp(kept, &p, 1.0f);
    gpt_backward_logp(kept, p.targets, p.coef);
    loss_logp(nograd, &p, 1.0f);
    gpt_backward_logp(nograd, p.targets, p.coef);
    assert_memory_equal(kept->grads, nograd->grads, kept->num_params * sizeof(float));
    /* and a no-grad forward into a blob laid out for training */
    gpt_forward_nograd(kept, p.tokens, B, T);
    assert_memory_equal(kept->a.logits, nograd->a.logits, (size_t)B * T * V * sizeof(float));
    gpt_free(kept);
    gpt_free(nograd);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gradients_through_dlogp_match_finite_differences),
        cmocka_unit_test(gradients_through_dlogp_with_temperature),
        cmocka_unit_test(gradients_through_dlogits_match_finite_differences),
        cmocka_unit_test(gradients_accumulate_across_backward_calls),
        cmocka_unit_test(nograd_forward_matches_and_leaves_training_alone),
    };
    return cmocka_run_group_tests_name("engine_grad", tests, NULL, NULL);
}
