/* Logit distillation's loss (train/kd_loss.c) on its own and through one
 * step of a model (train/kd_step.c): its gradient matches finite
 * differences of its value at several temperatures and weights; masked rows
 * give nothing; a teacher equal to the student gives zero KL and, at
 * kd_weight 1, zero loss and zero gradient; at kd_weight 0 the step is the
 * plain cross-entropy step. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/adamw.h"
#include "engine/rng.h"
#include "engine/runtime.h"
#include "train/kd_loss.h"
#include "train/kd_step.h"
#include "train/xent.h"
#include "engine_fixtures.h"

enum { ROWS = 4, V = 7 };

static void random_logits(float *z, int n, unsigned long long seed, float scale) {
    Rng r;
    rng_seed(&r, seed);
    for (int i = 0; i < n; i++) z[i] = scale * (2.0f * rng_uniform(&r) - 1.0f);
}

/* The mean loss the rows give, as the trainer forms it. */
static double mean_loss(const float *zs, const float *zt, const int *tg, float t, float w) {
    KdSums s = {0};
    kd_loss_rows(zs, zt, tg, ROWS, V, t, w, 1.0f, NULL, &s);
    return ((1.0 - w) * s.ce + w * s.kl) / (double)s.n;
}

static void test_gradient_matches_finite_differences(void **state) {
    (void)state;
    const float temps[] = {1.0f, 2.0f, 0.5f}, weights[] = {0.0f, 0.3f, 1.0f};
    const int tg[ROWS] = {2, -1, 0, 6}; /* row 1 masked */
    for (int k = 0; k < 3; k++) {
        float zs[ROWS * V], zt[ROWS * V], d[ROWS * V];
        random_logits(zs, ROWS * V, 10 + k, 3.0f);
        random_logits(zt, ROWS * V, 20 + k, 3.0f);
        KdSums s = {0};
        kd_loss_rows(zs, zt, tg, ROWS, V, temps[k], weights[k], 1.0f / 3.0f, d, &s);
        assert_int_equal(s.n, 3);
        for (int i = 0; i < ROWS * V; i++) {
            const float h = 1e-2f;
            float keep = zs[i];
            zs[i] = keep + h;
            double up = mean_loss(zs, zt, tg, temps[k], weights[k]);
            zs[i] = keep - h;
            double down = mean_loss(zs, zt, tg, temps[k], weights[k]);
            zs[i] = keep;
            double fd = (up - down) / (2.0 * h);
            if (fabs(fd - d[i]) > 2e-3 + 1e-2 * fabs(fd))
                fail_msg("T %g w %g logit %d: analytic %g, finite difference %g", temps[k],
                         weights[k], i, d[i], fd);
            if (i / V == 1) assert_true(d[i] == 0.0f);
        }
    }
}

/* The KL is never negative, and T^2 scales it: at a high temperature it
 * stays the size of the T = 1 value's rather than vanishing as 1/T^2. */
static void test_kl_is_nonnegative_and_scaled(void **state) {
    (void)state;
    const int tg[ROWS] = {1, 2, 3, 4};
    float zs[ROWS * V], zt[ROWS * V];
    random_logits(zs, ROWS * V, 3, 0.5f);
    random_logits(zt, ROWS * V, 4, 0.5f);
    KdSums lo = {0}, hi = {0};
    kd_loss_rows(zs, zt, tg, ROWS, V, 1.0f, 1.0f, 1.0f, NULL, &lo);
    kd_loss_rows(zs, zt, tg, ROWS, V, 8.0f, 1.0f, 1.0f, NULL, &hi);
    assert_true(lo.kl > 0.0 && hi.kl > 0.0);
    /* for small logits KL ~ |zs - zt|^2 / (2 T^2) x T^2: the same */
    assert_true(hi.kl > 0.5 * lo.kl && hi.kl < 1.5 * lo.kl);
}

static void test_teacher_equal_to_student_gives_zero(void **state) {
    (void)state;
    const int tg[ROWS] = {0, 3, -1, 5};
    float z[ROWS * V], d[ROWS * V];
    random_logits(z, ROWS * V, 7, 4.0f);
    KdSums s = {0};
    kd_loss_rows(z, z, tg, ROWS, V, 2.0f, 1.0f, 1.0f, d, &s);
    assert_true(fabs(s.kl) < 1e-9);
    for (int i = 0; i < ROWS * V; i++) assert_true(fabsf(d[i]) < 1e-7f);
}

static const GptConfig tiny = {
    .max_seq_len = 8, .vocab_size = 11, .n_layer = 1, .n_head = 2, .d_model = 8};

static void batch(int *in, int *tg, int B, int T) {
    fixture_tokens(in, B * T, tiny.vocab_size, 5);
    fixture_tokens(tg, B * T, tiny.vocab_size, 6);
    for (int i = 0; i < B * T; i += 3) tg[i] = -1;
}

/* Through the model: a copy of the student as its teacher, all weight on
 * the KL: nothing to learn, so the loss and every gradient are zero. */
static void test_step_with_itself_as_teacher_is_zero(void **state) {
    (void)state;
    enum { B = 2, T = 6 };
    Gpt *m = fixture_tiny_model(&tiny, 1, 0.5f), *t = fixture_tiny_model(&tiny, 2, 0.5f);
    gpt_copy_params(t, m);
    int in[B * T], tg[B * T];
    batch(in, tg, B, T);
    AdamWConfig oc = adamw_defaults();
    AdamW *opt = adamw_new(m, &oc);
    float *scratch = malloc(kd_scratch_floats(T, tiny.vocab_size) * sizeof *scratch);
    KdTeacher kd = {.teacher = t, .temperature = 2.0f, .weight = 1.0f};
    KdStepResult r;
    assert_int_equal(kd_train_step(m, &kd, opt, in, tg, B, T, scratch, &r), 0);
    assert_true(fabs(r.lm.loss) < 1e-6 && fabs(r.kl) < 1e-6);
    assert_true(r.ce > 0.5);
    assert_true(r.lm.grad_norm < 1e-5f);
    free(scratch);
    adamw_free(opt);
    gpt_free(m);
    gpt_free(t);
}

/* kd_weight 0: the same gradients as the cross-entropy of xent.c. */
static void test_weight_zero_is_cross_entropy(void **state) {
    (void)state;
    enum { B = 3, T = 5 };
    Gpt *a = fixture_tiny_model(&tiny, 3, 0.5f), *b = fixture_tiny_model(&tiny, 3, 0.5f),
        *t = fixture_tiny_model(&tiny, 4, 0.5f);
    int in[B * T], tg[B * T];
    batch(in, tg, B, T);
    AdamWConfig oc = adamw_defaults();
    AdamW *opt = adamw_new(a, &oc);
    float *scratch = malloc(kd_scratch_floats(T, tiny.vocab_size) * sizeof *scratch);
    KdTeacher kd = {.teacher = t, .temperature = 3.0f, .weight = 0.0f};
    KdStepResult r;
    assert_int_equal(kd_train_step(a, &kd, opt, in, tg, B, T, scratch, &r), 0);
    float *xs = malloc(xent_scratch_floats(T) * sizeof *xs);
    gpt_zero_grad(b);
    double ce = xent_batch(b, in, tg, B, T, 1, xs, NULL);
    assert_true(fabs(ce - r.ce) < 1e-5 && fabs(ce - r.lm.loss) < 1e-5);
    /* a's gradients are still there after its step; b's were never applied */
    for (size_t i = 0; i < a->num_params; i++)
        if (fabsf(a->grads[i] - b->grads[i]) > 1e-5f + 1e-3f * fabsf(b->grads[i]))
            fail_msg("gradient %zu: %g vs %g", i, a->grads[i], b->grads[i]);
    free(xs);
    free(scratch);
    adamw_free(opt);
    gpt_free(a);
    gpt_free(b);
    gpt_free(t);
}

/* A teacher of another vocabulary is refused, not read out of bounds. */
static void test_other_vocabulary_refused(void **state) {
    (void)state;
    GptConfig big = tiny;
    big.vocab_size = 13;
    Gpt *m = fixture_tiny_model(&tiny, 1, 0.5f), *t = fixture_tiny_model(&big, 2, 0.5f);
    int in[4] = {1, 2, 3, 4}, tg[4] = {2, 3, 4, 5};
    AdamWConfig oc = adamw_defaults();
    AdamW *opt = adamw_new(m, &oc);
    float *scratch = malloc(kd_scratch_floats(4, big.vocab_size) * sizeof *scratch);
    KdTeacher kd = {.teacher = t, .temperature = 1.0f, .weight = 0.5f};
    assert_int_equal(kd_train_step(m, &kd, opt, in, tg, 1, 4, scratch, NULL), -1);
    assert_int_equal(opt->step, 0);
    free(scratch);
    adamw_free(opt);
    gpt_free(m);
    gpt_free(t);
}

int main(void) {
    engine_set_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gradient_matches_finite_differences),
        cmocka_unit_test(test_kl_is_nonnegative_and_scaled),
        cmocka_unit_test(test_teacher_equal_to_student_gives_zero),
        cmocka_unit_test(test_step_with_itself_as_teacher_is_zero),
        cmocka_unit_test(test_weight_zero_is_cross_entropy),
        cmocka_unit_test(test_other_vocabulary_refused),
    };
    return cmocka_run_group_tests_name("train_kd_loss", tests, NULL, NULL);
}
