/* Every rule reward on a table of samples: well formed, missing tags, tags
 * twice, text after </answer>, empty, overlong, mixed scripts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "train/rewards.h"

typedef struct {
    const char *what;
    const char *completion;
    double accuracy, format, tag_count;
} FormatCase;

/* The prompt is 347+589? (answer 936); completions follow the template's
 * opening <think>. */
static const FormatCase format_cases[] = {
    {"well formed, right", "7+9=16. 4+8+1=13. 3+5+1=9. so 936</think><answer>936</answer>", 1, 1,
     1},
    {"well formed with eos", "so 936</think><answer>936</answer><eos>", 1, 1, 1},
    {"well formed, wrong", "so 926</think><answer>926</answer>", 0, 1, 1},
    {"direct answer", "</think><answer>936</answer>", 1, 1, 1},
    {"missing </think>", "so 936<answer>936</answer>", 1, 0, 0.75},
    {"missing </answer>", "so 936</think><answer>936", 1, 0, 0.5},
    {"missing </answer>, eos", "so 936</think><answer> 936 <eos>", 1, 0, 0.5},
    {"answer tags missing", "so 936</think>936<eos>", 1, 0, 0.25},
    {"answer tags missing, wrong", "so 936</think>93<eos>", 0, 0, 0.25},
    {"unclosed thought only", "7+9=16. so 936", 0, 0, 0},
    {"answer twice", "</think><answer>936</answer><answer>936</answer>", 1, 0, 0.25},
    {"think closed twice", "a</think>b</think><answer>936</answer>", 1, 0, 0.75},
    {"text after </answer>", "</think><answer>936</answer> ok", 1, 0, 0.75},
    {"empty", "", 0, 0, 0},
    {"empty answer", "</think><answer></answer>", 0, 0, 1},
    {"leading zero", "</think><answer>0936</answer>", 0, 1, 1},
    {"no tags at all", "936", 0, 0, 0},
};

static Problem problem_347_589(void) {
    Problem p;
    assert_int_equal(task_parse_prompt("347+589?", &p), 0);
    return p;
}

static void accuracy_format_and_tag_count_table(void **state) {
    Problem p = problem_347_589();
    for (size_t i = 0; i < sizeof format_cases / sizeof format_cases[0]; i++) {
        const FormatCase *c = &format_cases[i];
        RewardSample s = {.prompt = "<bos>user: 347+589? assistant: <think>",
                          .completion = c->completion,
                          .problem = &p,
                          .length = 20,
                          .max_length = 64};
        double a = reward_accuracy(NULL, &s), f = reward_format(NULL, &s);
        double t = reward_tag_count(NULL, &s);
        if (a != c->accuracy || f != c->format || t != c->tag_count)
            fail_msg("%s: accuracy %g format %g tags %g, expected %g %g %g", c->what, a, f, t,
                     c->accuracy, c->format, c->tag_count);
    }
}

static void language_reward_is_the_share_in_the_prompts_script(void **state) {
    Problem p = problem_347_589(); /* a digits prompt */
    RewardSample s = {.completion = "7+9=bg. 4+8+1=13. so 936</think><answer>936</answer>",
                      .problem = &p};
    double r = reward_language(NULL, &s);
    assert_true(r > 0.5 && r < 1.0); /* "bg" is cipher, the rest digits */
    s.completion = "7+9=16. so 936</think><answer>936</answer>";
    assert_float_equal(reward_language(NULL, &s), 1.0, 1e-12);
    s.completion = "h+j=bg.</think><answer>936</answer>";
    assert_float_equal(reward_language(NULL, &s), 0.0, 1e-12);
}

static void repetition_penalises_repeated_trigrams(void **state) {
    RewardSample s = {.completion = "7+9=16. 4+8+1=13. so 936</think><answer>936</answer>"};
    assert_float_equal(reward_repetition(NULL, &s), 0.0, 1e-12);
    s.completion = "wait so 936 wait so 936 wait so 936 wait so 936</think><answer>936</answer>";
    double r = reward_repetition(NULL, &s);
    assert_true(r < -0.5 && r >= -1.0);
}

static void cosine_length_prefers_short_right_and_long_wrong(void **state) {
    Problem p = problem_347_589();
    RewardSample right = {
        .completion = "</think><answer>936</answer>", .problem = &p, .max_length = 100};
    RewardSample wrong = {
        .completion = "</think><answer>1</answer>", .problem = &p, .max_length = 100};
    right.length = wrong.length = 0;
    assert_float_equal(reward_cosine_length(NULL, &right), 1.0, 1e-9);
    assert_float_equal(reward_cosine_length(NULL, &wrong), -1.0, 1e-9);
    right.length = wrong.length = 100;
    assert_float_equal(reward_cosine_length(NULL, &right), 0.5, 1e-9);
    assert_float_equal(reward_cosine_length(NULL, &wrong), -0.5, 1e-9);
    right.length = 50;
    assert_float_equal(reward_cosine_length(NULL, &right), 0.75, 1e-9);
}

static void soft_overlong_zone(void **state) {
    OverlongParams o = {.cache = 20};
    RewardSample s = {.completion = "", .max_length = 100};
    int lens[] = {10, 80, 90, 99, 100};
    double want[] = {0, 0, -0.5, -0.95, -1};
    for (int i = 0; i < 5; i++) {
        s.length = lens[i];
        assert_float_equal(reward_soft_overlong(&o, &s), want[i], 1e-9);
    }
    s.length = 60;
    s.truncated = 1;
    assert_float_equal(reward_soft_overlong(&o, &s), -1.0, 1e-12);
}

static void builtins_by_name(void **state) {
    void *ctx = (void *)1;
    assert_ptr_equal(reward_builtin("format", &ctx), reward_format);
    assert_null(ctx);
    assert_null(reward_builtin("nonsense", &ctx));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accuracy_format_and_tag_count_table),
        cmocka_unit_test(language_reward_is_the_share_in_the_prompts_script),
        cmocka_unit_test(repetition_penalises_repeated_trigrams),
        cmocka_unit_test(cosine_length_prefers_short_right_and_long_wrong),
        cmocka_unit_test(soft_overlong_zone),
        cmocka_unit_test(builtins_by_name),
    };
    return cmocka_run_group_tests_name("rewards", tests, NULL, NULL);
}
