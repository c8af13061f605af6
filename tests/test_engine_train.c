/* Training behaviour: AdamW schedule, overfitting one batch, determinism. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/adamw.h"
#include "engine/gpt.h"
#include "engine/runtime.h"
#include "engine_fixtures.h"

static const GptConfig cfg = {
    .max_seq_len = 32, .vocab_size = 64, .n_layer = 2, .n_head = 4, .d_model = 64};
enum { B = 4, T = 32 };

static void schedule_warms_up_then_decays_by_cosine(void **state) {
    AdamWConfig c = adamw_defaults();
    c.lr = 1.0f;
    c.warmup_steps = 10;
    c.total_steps = 110;
    c.min_lr_frac = 0.1f;
    assert_float_equal(adamw_lr_at(&c, 0), 0.1f, 1e-6);
    assert_float_equal(adamw_lr_at(&c, 9), 1.0f, 1e-6);
    assert_float_equal(adamw_lr_at(&c, 10), 1.0f, 1e-6);
    assert_float_equal(adamw_lr_at(&c, 60), 0.55f, 1e-5); /* half way: (1 + 0.1) / 2 */
    assert_float_equal(adamw_lr_at(&c, 110), 0.1f, 1e-6);
    assert_float_equal(adamw_lr_at(&c, 500), 0.1f, 1e-6);
    c.total_steps = 0;
    assert_float_equal(adamw_lr_at(&c, 500), 1.0f, 1e-6);
}

static void clipping_bounds_the_update(void **state) {
    Gpt *m = gpt_new(&cfg);
    gpt_init_random(m, 1);
    gpt_zero_grad(m);
    for (size_t i = 0; i < m->num_params; i++) m->grads[i] = 1.0f;
    AdamWConfig c = adamw_defaults();
    c.grad_clip = 1.0f;
    AdamW *o = adamw_new(m, &c);
    float norm = adamw_update(o, m);
    assert_float_equal(norm, sqrtf((float)m->num_params), 1e-2f * norm);
    /* m = 0.1 g/|g|: the update direction is unchanged but moments saw the clipped gradient */
    assert_float_equal(o->m[0], 0.1f / norm, 1e-9f);
    adamw_free(o);
    gpt_free(m);
}

/* Trains on one fixed batch; returns the loss trace. */
static void train_trace(float *trace, int steps, unsigned long long seed) {
    Gpt *m = gpt_new(&cfg);
    gpt_init_random(m, seed);
    int tokens[B * (T + 1)], inp[B * T], tgt[B * T];
    fixture_tokens(tokens, B * (T + 1), cfg.vocab_size, seed + 1);
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            inp[b * T + t] = tokens[b * (T + 1) + t];
            tgt[b * T + t] = tokens[b * (T + 1) + t + 1];
        }
    AdamWConfig c = adamw_defaults();
    c.lr = 3e-3f;
    c.weight_decay = 0.0f;
    AdamW *o = adamw_new(m, &c);
    for (int s = 0; s < steps; s++) {
        gpt_zero_grad(m);
        gpt_forward(m, inp, B, T);
        trace[s] = gpt_cross_entropy_step(m, tgt, 1);
        adamw_update(o, m);
    }
    adamw_free(o);
    gpt_free(m);
}

static void one_batch_overfits_below_0_05(void **state) {
    enum { STEPS = 300 };
    float trace[STEPS];
    train_trace(trace, STEPS, 7);
    /* random tokens start near ln 64 = 4.16 */
    assert_true(trace[0] > 3.5f && trace[0] < 4.8f);
    if (!(trace[STEPS - 1] < 0.05f)) fail_msg("final loss %g", trace[STEPS - 1]);
}

static void same_seed_gives_identical_loss_trace(void **state) {
    enum { STEPS = 20 };
    float a[STEPS], b[STEPS], c[STEPS];
    train_trace(a, STEPS, 11);
    train_trace(b, STEPS, 11);
    train_trace(c, STEPS, 12);
    assert_memory_equal(a, b, sizeof a);
    assert_true(memcmp(a, c, sizeof a) != 0);
}

static int setup(void **state) {
    engine_set_threads(2);
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(schedule_warms_up_then_decays_by_cosine),
        cmocka_unit_test(clipping_bounds_the_update),
        cmocka_unit_test(one_batch_overfits_below_0_05),
        cmocka_unit_test(same_seed_gives_identical_loss_trace),
    };
    return cmocka_run_group_tests_name("engine_train", tests, setup, NULL);
}
