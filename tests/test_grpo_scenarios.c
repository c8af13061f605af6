/* RL for all scenarios in the GRPO trainer: general prompts at an exact
 * share, each reward only where it is defined, a reward counted from a
 * chosen step, and a resumed mixed-scenario run that takes the very steps an
 * uninterrupted one takes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/checkpoint.h"
#include "engine/gpt.h"
#include "train/grpo.h"
#include "world/tokenizer.h"

static const GptConfig cfg = {
    .max_seq_len = 48, .vocab_size = TOK_VOCAB_SIZE, .n_layer = 1, .n_head = 2, .d_model = 32};

static GrpoConfig mixed_config(void) {
    GrpoConfig c = grpo_defaults();
    c.prompts_per_step = 5;
    c.group_size = 2;
    c.max_new_tokens = 8;
    c.steps = 40;
    c.optim.lr = 1e-3f;
    c.general_share = 0.3;
    task_spec_parse("add2", &c.tasks[0]);
    return c;
}

/* Counts what it is called on: task problems and general questions. */
typedef struct {
    long tasks, general;
} Seen;

static double probe(void *ctx, const RewardSample *s) {
    Seen *seen = ctx;
    if (s->problem) seen->tasks++;
    if (s->general) seen->general++;
    assert_true((s->problem == NULL) != (s->general == NULL));
    return 1.0;
}

static double zero(void *ctx, const RewardSample *s) {
    (void)ctx, (void)s;
    return 0.0;
}

static Grpo *make(Gpt *m, GrpoConfig c, RewardTerm *r, int n) {
    char err[256];
    Grpo *g = grpo_new(m, &c, r, n, err, sizeof err);
    if (!g) fail_msg("%s", err);
    return g;
}

static void share_is_exact_over_a_run(void **state) {
    (void)state;
    Gpt *m = gpt_new(&cfg);
    gpt_init_random(m, 3);
    RewardTerm r[] = {{.name = "zero", .fn = zero, .weight = 1.0}};
    GrpoConfig c = mixed_config();
    c.steps = 10;
    Grpo *g = make(m, c, r, 1);
    long general = 0;
    char err[256];
    for (int s = 0; s < c.steps; s++) {
        GrpoStep x;
        if (grpo_step(g, &x, err, sizeof err)) fail_msg("%s", err);
        long here = lround(x.general_share * c.prompts_per_step * c.group_size) / c.group_size;
        assert_true(here == 1 || here == 2); /* 1.5 per step, rounded as it goes */
        general += here;
    }
    assert_int_equal(general, 15); /* 0.3 x 5 prompts x 10 steps */
    grpo_free(g);
    gpt_free(m);
}

/* General prompts from a step on: none before it, the share exact after. */
static void general_prompts_start_at_their_step(void **state) {
    (void)state;
    Gpt *m = gpt_new(&cfg);
    gpt_init_random(m, 3);
    RewardTerm r[] = {{.name = "zero", .fn = zero, .weight = 1.0}};
    GrpoConfig c = mixed_config();
    c.steps = 10;
    c.general_from = 5;
    Grpo *g = make(m, c, r, 1);
    long general = 0;
    char err[256];
    for (int s = 0; s < c.steps; s++) {
        GrpoStep x;
        if (grpo_step(g, &x, err, sizeof err)) fail_msg("%s", err);
        long here = lround(x.general_share * c.prompts_per_step * c.group_size) / c.group_size;
        if (s + 1 < 5)
            assert_int_equal(here, 0);
        else
            assert_true(here == 1 || here == 2);
        general += here;
    }
    assert_int_equal(general, 9); /* 0.3 x 5 prompts x steps 5..10, rounded: 9 */
    grpo_free(g);
    gpt_free(m);
}

static void rewards_apply_only_where_defined(void **state) {
    (void)state;
    Gpt *m = gpt_new(&cfg);
    gpt_init_random(m, 4);
    Seen on_tasks = {0}, on_general = {0}, on_all = {0};
    RewardTerm r[] = {
        {.name = "tasks",
         .fn = probe,
         .ctx = &on_tasks,
         .weight = 1,
         .scope = REWARD_SCOPE_REASONING},
        {.name = "general",
         .fn = probe,
         .ctx = &on_general,
         .weight = 1,
         .scope = REWARD_SCOPE_GENERAL},
        {.name = "all", .fn = probe, .ctx = &on_all, .weight = 1},
    };
    GrpoConfig c = mixed_config();
    Grpo *g = make(m, c, r, 3);
    char err[256];
    for (int s = 0; s < 4; s++) {
        GrpoStep x;
        if (grpo_step(g, &x, err, sizeof err)) fail_msg("%s", err);
        /* a term's mean is over the prompts it applies to */
        assert_true(x.reward_term[0] == 1.0 && x.reward_term[1] == 1.0);
    }
    assert_int_equal(on_tasks.general, 0);
    assert_int_equal(on_general.tasks, 0);
    assert_true(on_tasks.tasks > 0 && on_general.general > 0);
    assert_int_equal(on_all.tasks, on_tasks.tasks);
    assert_int_equal(on_all.general, on_general.general);
    assert_int_equal(on_all.tasks + on_all.general, 4 * c.prompts_per_step * c.group_size);
    /* accuracy is a task-only reward, as the stage sets it up */
    assert_int_equal(reward_builtin_scope("accuracy"), REWARD_SCOPE_REASONING);
    assert_int_equal(reward_builtin_scope("format"), REWARD_SCOPE_ALL);
    grpo_free(g);
    gpt_free(m);
}

static void a_scheduled_reward_counts_from_its_step(void **state) {
    (void)state;
    Gpt *m = gpt_new(&cfg);
    gpt_init_random(m, 5);
    Seen seen = {0};
    RewardTerm r[] = {{.name = "late", .fn = probe, .ctx = &seen, .weight = 2, .from_step = 4},
                      {.name = "zero", .fn = zero, .weight = 1}};
    Grpo *g = make(m, mixed_config(), r, 2);
    char err[256];
    for (int s = 1; s <= 6; s++) {
        GrpoStep x;
        if (grpo_step(g, &x, err, sizeof err)) fail_msg("%s", err);
        assert_true(x.reward_term[0] == 1.0); /* computed and charted from the start */
        assert_true(x.reward == (s < 4 ? 0.0 : 2.0));
    }
    grpo_free(g);
    gpt_free(m);
}

static void fill(GrpoStep *x, int steps, Grpo *g) {
    char err[256];
    for (int s = 0; s < steps; s++)
        if (grpo_step(g, &x[s], err, sizeof err)) fail_msg("%s", err);
}

static void resume_takes_the_same_steps(void **state) {
    (void)state;
    char dir[] = "/tmp/r1sim-grpo-scen-XXXXXX", ck[128], st[128], err[256];
    assert_non_null(mkdtemp(dir));
    snprintf(ck, sizeof ck, "%s/p.ckpt", dir);
    snprintf(st, sizeof st, "%s/p.state", dir);
    RewardTerm r[] = {{.name = "format", .fn = reward_format, .weight = 1},
                      {.name = "late",
                       .fn = reward_format,
                       .weight = 1,
                       .from_step = 3,
                       .scope = REWARD_SCOPE_GENERAL}};
    GrpoStep whole[6], part[6];
    Gpt *a = gpt_new(&cfg);
    gpt_init_random(a, 6);
    Grpo *ga = make(a, mixed_config(), r, 2);
    fill(whole, 6, ga);
    grpo_free(ga);
    gpt_free(a);

    Gpt *b = gpt_new(&cfg);
    gpt_init_random(b, 6);
    Grpo *gb = make(b, mixed_config(), r, 2);
    fill(part, 3, gb);
    assert_int_equal(ckpt_save(b, ck, err, sizeof err), 0);
    assert_int_equal(grpo_save_state(gb, st, err, sizeof err), 0);
    grpo_free(gb);
    gpt_free(b);

    Gpt *c = gpt_new(&cfg); /* the input again, as a resumed stage loads it */
    gpt_init_random(c, 6);
    Grpo *gc = make(c, mixed_config(), r, 2);
    Gpt *saved = ckpt_load(ck, err, sizeof err);
    assert_non_null(saved);
    gpt_copy_params(c, saved);
    gpt_free(saved);
    assert_int_equal(grpo_load_state(gc, st, err, sizeof err), 0);
    fill(part + 3, 3, gc);
    for (int s = 0; s < 6; s++) {
        assert_true(part[s].reward == whole[s].reward);
        assert_true(part[s].loss == whole[s].loss);
        assert_true(part[s].kl == whole[s].kl);
        assert_true(part[s].general_share == whole[s].general_share);
        assert_true(part[s].general_accuracy == whole[s].general_accuracy);
        assert_true(part[s].mean_length == whole[s].mean_length);
    }
    grpo_free(gc);
    gpt_free(c);
    remove(ck);
    remove(st);
    rmdir(dir);
}

static void a_share_outside_0_1_is_refused(void **state) {
    (void)state;
    Gpt *m = gpt_new(&cfg);
    gpt_init_random(m, 7);
    RewardTerm r[] = {{.name = "zero", .fn = zero, .weight = 1.0}};
    GrpoConfig c = mixed_config();
    c.general_share = 1.5;
    char err[256];
    assert_null(grpo_new(m, &c, r, 1, err, sizeof err));
    assert_non_null(strstr(err, "general_share"));
    gpt_free(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(share_is_exact_over_a_run),
        cmocka_unit_test(general_prompts_start_at_their_step),
        cmocka_unit_test(rewards_apply_only_where_defined),
        cmocka_unit_test(a_scheduled_reward_counts_from_its_step),
        cmocka_unit_test(resume_takes_the_same_steps),
        cmocka_unit_test(a_share_outside_0_1_is_refused),
    };
    return cmocka_run_group_tests_name("grpo_scenarios", tests, NULL, NULL);
}
