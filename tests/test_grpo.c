/* The GRPO trainer end to end on a tiny model: it runs, is deterministic for
 * a seed, keeps its metrics in range, raises a reward it is given, and fails
 * a step whose reward is not finite before it touches the weights. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "engine/gpt.h"
#include "engine/runtime.h"
#include "train/grpo.h"
#include "world/tokenizer.h"

static const GptConfig cfg = {
    .max_seq_len = 40, .vocab_size = TOK_VOCAB_SIZE, .n_layer = 1, .n_head = 2, .d_model = 32};

/* Dense and easy to move: the share of completion characters that are '1'. */
static double ones_share(void *ctx, const RewardSample *s) {
    (void)ctx;
    size_t n = strlen(s->completion), ones = 0;
    for (size_t i = 0; i < n; i++) ones += s->completion[i] == '1';
    return n ? (double)ones / n : 0.0;
}

static GrpoConfig small_config(void) {
    GrpoConfig c = grpo_defaults();
    c.prompts_per_step = 4;
    c.group_size = 8;
    c.max_new_tokens = 8;
    c.steps = 60;
    c.optim.lr = 3e-3f;
    task_spec_parse("add2", &c.tasks[0]);
    return c;
}

static void run_steps(GrpoConfig c, int steps, GrpoStep *trace) {
    Gpt *m = gpt_new(&cfg);
    gpt_init_random(m, 5);
    RewardTerm r[] = {{.name = "ones", .fn = ones_share, .weight = 1.0},
                      {.name = "format", .fn = reward_format, .weight = 0.0}};
    char err[256];
    Grpo *g = grpo_new(m, &c, r, 2, err, sizeof err);
    if (!g) fail_msg("%s", err);
    for (int s = 0; s < steps; s++)
        if (grpo_step(g, &trace[s], err, sizeof err) != 0) fail_msg("step %d: %s", s, err);
    grpo_free(g);
    gpt_free(m);
}

static void metrics_are_in_range_and_deterministic(void **state) {
    GrpoStep a[3], b[3];
    run_steps(small_config(), 3, a);
    run_steps(small_config(), 3, b);
    for (int s = 0; s < 3; s++) {
        assert_int_equal(a[s].step, s + 1);
        assert_true(a[s].accuracy >= 0 && a[s].accuracy <= 1);
        assert_true(a[s].format_rate >= 0 && a[s].format_rate <= 1);
        assert_true(a[s].kl >= 0 && isfinite(a[s].kl));
        assert_true(a[s].clip_low >= 0 && a[s].clip_high <= 1);
        assert_true(a[s].mean_length >= 1 && a[s].max_length <= 8);
        assert_true(a[s].entropy > 0);
        assert_true(isfinite(a[s].loss) && isfinite(a[s].grad_norm));
        /* same seed, same numbers */
        assert_memory_equal(&a[s].reward, &b[s].reward, sizeof(double));
        assert_memory_equal(&a[s].kl, &b[s].kl, sizeof(double));
        assert_memory_equal(&a[s].loss, &b[s].loss, sizeof(double));
    }
    /* the first minibatch starts at the reference, so KL stays small */
    assert_true(a[0].kl < 0.05);
}

static void grpo_raises_the_reward_it_is_given(void **state) {
    enum { STEPS = 60 };
    GrpoStep t[STEPS];
    run_steps(small_config(), STEPS, t);
    double first = 0, last = 0;
    for (int s = 0; s < 5; s++) {
        first += t[s].reward_term[0] / 5;
        last += t[STEPS - 5 + s].reward_term[0] / 5;
    }
    if (!(last > first + 0.2)) fail_msg("ones share %.3f -> %.3f", first, last);
}

static void bad_configs_are_refused(void **state) {
    Gpt *m = gpt_new(&cfg);
    gpt_init_random(m, 1);
    RewardTerm r[] = {{.name = "format", .fn = reward_format, .weight = 1.0}};
    char err[256];
    GrpoConfig c = small_config();
    c.group_size = 1;
    assert_null(grpo_new(m, &c, r, 1, err, sizeof err));
    assert_non_null(strstr(err, "group_size"));
    c = small_config();
    c.max_new_tokens = 100;
    assert_null(grpo_new(m, &c, r, 1, err, sizeof err));
    assert_non_null(strstr(err, "context"));
    gpt_free(m);
}

/* Finite as a double, infinite once weighted into the float total. */
static double overflowing(void *ctx, const RewardSample *s) {
    (void)ctx, (void)s;
    return 1e300;
}

static double not_a_number(void *ctx, const RewardSample *s) {
    (void)ctx, (void)s;
    return NAN;
}

/* The step fails before its update: the weights stay as they were. */
static void expect_refused_reward(RewardFn fn, const char *expect) {
    Gpt *m = gpt_new(&cfg);
    gpt_init_random(m, 1);
    Gpt *before = gpt_new(&cfg);
    gpt_copy_params(before, m);
    RewardTerm r[] = {{.name = "bad", .fn = fn, .weight = 1.0}};
    char err[256];
    GrpoConfig c = small_config();
    Grpo *g = grpo_new(m, &c, r, 1, err, sizeof err);
    if (!g) fail_msg("%s", err);
    GrpoStep x;
    assert_int_equal(grpo_step(g, &x, err, sizeof err), -1);
    if (!strstr(err, expect)) fail_msg("expected '%s' in: %s", expect, err);
    assert_memory_equal(m->params, before->params, m->num_params * sizeof(float));
    grpo_free(g);
    gpt_free(before);
    gpt_free(m);
}

static void non_finite_rewards_fail_the_step(void **state) {
    expect_refused_reward(overflowing, "reward of completion 1 is infinite");
    expect_refused_reward(not_a_number, "reward 'bad' returned nan");
}

/* Says "stop" at its n-th poll (counting from 1), never again; 0: never. */
typedef struct {
    int polls, stop_at;
} StopAt;

static bool stop_at_poll(void *ctx) {
    StopAt *s = ctx;
    return ++s->polls == s->stop_at;
}

static Grpo *new_run(Gpt **m, char *err, size_t errlen) {
    static const RewardTerm r[] = {{.name = "ones", .fn = ones_share, .weight = 1.0},
                                   {.name = "format", .fn = reward_format, .weight = 0.0}};
    *m = gpt_new(&cfg);
    gpt_init_random(*m, 5);
    GrpoConfig c = small_config();
    Grpo *g = grpo_new(*m, &c, r, 2, err, errlen);
    if (!g) fail_msg("%s", err);
    return g;
}

/* A step abandoned in the middle of its rollout, or after it just before
 * the update, leaves nothing behind: the steps taken after it are the steps
 * of a run never stopped, number for number. */
static void an_abandoned_step_leaves_no_trace(void **state) {
    GrpoStep want[3], got[3], x;
    run_steps(small_config(), 3, want);
    char err[256];
    Gpt *m;
    /* the polls of step 2: one per decode step, then one before the update */
    Grpo *g = new_run(&m, err, sizeof err);
    assert_int_equal(grpo_step(g, &x, err, sizeof err), 0);
    StopAt count = {0, 0};
    grpo_set_cancel(g, stop_at_poll, &count);
    assert_int_equal(grpo_step(g, &x, err, sizeof err), 0);
    grpo_free(g);
    gpt_free(m);
    assert_true(count.polls > 4);
    const int stop_points[] = {1, 4, count.polls};
    for (int k = 0; k < 3; k++) {
        g = new_run(&m, err, sizeof err);
        assert_int_equal(grpo_step(g, &got[0], err, sizeof err), 0);
        StopAt stop = {0, stop_points[k]};
        grpo_set_cancel(g, stop_at_poll, &stop);
        assert_int_equal(grpo_step(g, &x, err, sizeof err), GRPO_STOPPED);
        assert_string_equal(err, "stopped");
        for (int s = 1; s < 3; s++) assert_int_equal(grpo_step(g, &got[s], err, sizeof err), 0);
        for (int s = 0; s < 3; s++) {
            assert_int_equal(got[s].step, s + 1);
            assert_memory_equal(&got[s].reward, &want[s].reward, sizeof(double));
            assert_memory_equal(&got[s].loss, &want[s].loss, sizeof(double));
            assert_memory_equal(&got[s].grad_norm, &want[s].grad_norm, sizeof(double));
        }
        grpo_free(g);
        gpt_free(m);
    }
}

static int setup(void **state) {
    engine_set_threads(1);
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(metrics_are_in_range_and_deterministic),
        cmocka_unit_test(grpo_raises_the_reward_it_is_given),
        cmocka_unit_test(bad_configs_are_refused),
        cmocka_unit_test(non_finite_rewards_fail_the_step),
        cmocka_unit_test(an_abandoned_step_leaves_no_trace),
    };
    return cmocka_run_group_tests_name("grpo", tests, setup, NULL);
}
