/* The shared LM step: it reports the loss of the weights it started from and
 * the rate the schedule gave, learns a fixed batch, masks what it is told to,
 * and refuses a shape it cannot train without touching the model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/gpt.h"
#include "engine/runtime.h"
#include "train/lm_step.h"
#include "train/xent.h"
#include "world/tokenizer.h"

static const GptConfig tiny = {
    .max_seq_len = 16, .vocab_size = TOK_VOCAB_SIZE, .n_layer = 1, .n_head = 2, .d_model = 32};

enum { B = 3, T = 8 };

typedef struct {
    Gpt *m;
    AdamW *opt;
    int in[B * T], tg[B * T];
    float *scratch;
} Fixture;

static int setup(void **state) {
    Fixture *f = calloc(1, sizeof *f);
    f->m = gpt_new(&tiny);
    gpt_init_random(f->m, 4);
    AdamWConfig oc = adamw_defaults();
    oc.lr = 1e-2f;
    oc.warmup_steps = 4;
    f->opt = adamw_new(f->m, &oc);
    f->scratch = malloc(xent_scratch_floats(T) * sizeof(float));
    /* a fixed pattern: row b counts up from b, the targets one step ahead */
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            f->in[b * T + t] = TOK_NUM_SPECIAL + (b + t) % 10;
            f->tg[b * T + t] = TOK_NUM_SPECIAL + (b + t + 1) % 10;
        }
    *state = f;
    return 0;
}

static int teardown(void **state) {
    Fixture *f = *state;
    adamw_free(f->opt);
    gpt_free(f->m);
    free(f->scratch);
    free(f);
    return 0;
}

static void reports_the_starting_loss_and_the_scheduled_rate(void **state) {
    Fixture *f = *state;
    double before = xent_batch(f->m, f->in, f->tg, B, T, 0, f->scratch, NULL);
    LmStepResult r;
    assert_int_equal(lm_train_step(f->m, f->opt, f->in, f->tg, B, T, f->scratch, &r), 0);
    assert_true(fabs(r.loss - before) < 1e-9);
    assert_int_equal(r.tokens, B * T);
    assert_true(r.lr == adamw_lr_at(&f->opt->cfg, 0));
    assert_true(r.grad_norm > 0 && isfinite(r.grad_norm));
    assert_int_equal(f->opt->step, 1);
    assert_int_equal(lm_train_step(f->m, f->opt, f->in, f->tg, B, T, f->scratch, &r), 0);
    assert_true(r.lr == adamw_lr_at(&f->opt->cfg, 1) && r.lr > adamw_lr_at(&f->opt->cfg, 0));
}

static void learns_a_fixed_batch(void **state) {
    Fixture *f = *state;
    LmStepResult first, r;
    assert_int_equal(lm_train_step(f->m, f->opt, f->in, f->tg, B, T, f->scratch, &first), 0);
    for (int i = 0; i < 40; i++) lm_train_step(f->m, f->opt, f->in, f->tg, B, T, f->scratch, &r);
    assert_true(r.loss < 0.5 * first.loss);
}

static void masked_targets_are_not_counted(void **state) {
    Fixture *f = *state;
    for (int i = 0; i < B * T; i++)
        if (i % T < 5) f->tg[i] = -1; /* e.g. a prompt */
    LmStepResult r;
    assert_int_equal(lm_train_step(f->m, f->opt, f->in, f->tg, B, T, f->scratch, &r), 0);
    assert_int_equal(r.tokens, B * (T - 5));
    for (int i = 0; i < B * T; i++) f->tg[i] = -1;
    assert_int_equal(lm_train_step(f->m, f->opt, f->in, f->tg, B, T, f->scratch, NULL), 0);
    assert_int_equal(lm_train_step(f->m, f->opt, f->in, f->tg, B, T, f->scratch, &r), 0);
    assert_true(r.loss == 0.0 && r.tokens == 0);
}

static void bad_shapes_change_nothing(void **state) {
    Fixture *f = *state;
    float *before = malloc(f->m->num_params * sizeof(float));
    memcpy(before, f->m->params, f->m->num_params * sizeof(float));
    LmStepResult r;
    assert_int_equal(lm_train_step(f->m, f->opt, f->in, f->tg, 0, T, f->scratch, &r), -1);
    assert_int_equal(lm_train_step(f->m, f->opt, f->in, f->tg, B, 0, f->scratch, &r), -1);
    assert_int_equal(lm_train_step(f->m, f->opt, f->in, f->tg, 1, 17, f->scratch, &r), -1);
    assert_int_equal(f->opt->step, 0);
    assert_memory_equal(before, f->m->params, f->m->num_params * sizeof(float));
    free(before);
}

int main(void) {
    engine_set_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(reports_the_starting_loss_and_the_scheduled_rate, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(learns_a_fixed_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(masked_targets_are_not_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_shapes_change_nothing, setup, teardown),
    };
    return cmocka_run_group_tests_name("train_lm_step", tests, NULL, NULL);
}
