/* The built-in predicates of rejection sampling (train/filters.h) as a table:
 * hand-written completions of add3 and pair4 problems, in digits and in the
 * cipher, each with what correct, well_formed and readable must say about
 * it. A row names what it is about, so that a failure says which case broke. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "train/filters.h"
#include "world/task.h"

typedef struct {
    const char *why;
    const char *question; /* a task prompt; NULL: a prompt without a verifier */
    const char *completion;
    int length, truncated, max_tokens;
    int correct, well_formed, readable;
} Case;

#define OK "</think><answer>936</answer>"

static const Case cases[] = {
    /* add3 in digits: 347+589 = 936 */
    {"right and clean", "347+589?", "7+9=16. 4+8+1=13. 3+5+1=9. so 936" OK, 30, 0, 96, 1, 1, 1},
    {"a leading <think> parses the same", "347+589?", "<think>7+9=16. so 936" OK, 30, 0, 96, 1, 1,
     1},
    {"direct answer (empty thought)", "347+589?", OK, 8, 0, 96, 1, 1, 1},
    {"wrong answer", "347+589?", "7+9=16. so 937</think><answer>937</answer>", 30, 0, 96, 0, 1, 1},
    {"zero-padded answer is wrong", "347+589?", "so 936</think><answer>0936</answer>", 20, 0, 96, 0,
     1, 1},
    {"answer without tags: correct, not formed", "347+589?", "7+9=16. so 936</think>936", 20, 0, 96,
     1, 0, 0},
    {"text after </answer>", "347+589?", "so 936" OK " more", 20, 0, 96, 1, 0, 0},
    {"answer tags twice", "347+589?", "so 936" OK "<answer>936</answer>", 30, 0, 96, 1, 0, 0},
    {"empty answer", "347+589?", "so 936</think><answer></answer>", 20, 0, 96, 0, 0, 0},
    {"no </think>", "347+589?", "7+9=16. so 936<answer>936</answer>", 20, 0, 96, 1, 0, 0},
    {"mixed script: cipher digits in a digit thought", "347+589?", "h+j=bg. 4+8+1=13. so 936" OK,
     30, 0, 96, 1, 1, 0},
    {"one cipher word is enough to mix", "347+589?", "7+9=16. 4+8+1=bd. so 936" OK, 30, 0, 96, 1, 1,
     0},
    {"prose words do not count as cipher", "347+589?", "carry one, check: 7+9=16. so 936" OK, 30, 0,
     96, 1, 1, 1},
    {"repeated trigram run", "347+589?", "carry one now carry one now so 936" OK, 40, 0, 96, 1, 1,
     0},
    {"repeated multi-word step", "347+589?", "7+9= 16 ok 7+9= 16 ok so 936" OK, 40, 0, 96, 1, 1, 0},
    {"a trigram once more without a full repeat", "347+589?", "carry one now carry one so 936" OK,
     40, 0, 96, 1, 1, 1},
    {"over the length limit", "347+589?", "7+9=16. so 936" OK, 31, 0, 30, 1, 1, 0},
    {"at the length limit", "347+589?", "7+9=16. so 936" OK, 30, 0, 30, 1, 1, 1},
    {"truncated", "347+589?", "7+9=16. so 936" OK, 30, 1, 96, 1, 1, 0},
    {"truncated mid-thought", "347+589?", "7+9=16. 4+8+1=13. 3+5", 96, 1, 96, 0, 0, 0},
    /* add3 in the cipher: deh+fij is 347+589; answers are always digits */
    {"cipher prompt, cipher thought", "deh+fij?", "h+j=bg. e+i+b=bd. d+f+b=j. so jdg" OK, 40, 0, 96,
     1, 1, 1},
    {"cipher prompt, digit thought", "deh+fij?", "7+9=16. 4+8+1=13. 3+5+1=9. so 936" OK, 40, 0, 96,
     1, 1, 0},
    {"cipher prompt, answer in the cipher is wrong", "deh+fij?",
     "h+j=bg. so jdg</think><answer>jdg</answer>", 30, 0, 96, 0, 1, 1},
    /* pair4: which two of 3,8,5,9 sum to 14? 5+9, in prompt order */
    {"pair4 right", "3859 sum 14?", "3+8=11. 8+5=13. 5+9=14. so 5+9</think><answer>5+9</answer>",
     40, 0, 96, 1, 1, 1},
    {"pair4 reversed order", "3859 sum 14?", "5+9=14. so 9+5</think><answer>9+5</answer>", 30, 0,
     96, 0, 1, 1},
    {"pair4 wrong pair", "3859 sum 14?", "8+5=13. so 8+5</think><answer>8+5</answer>", 30, 0, 96, 0,
     1, 1},
    {"pair4 looping search", "3859 sum 14?",
     "3+8=11. 3+8=11. 3+8=11. 3+8=11. 3+8=11. 3+8=11. so 5+9</think><answer>5+9</answer>", 60, 0,
     96, 1, 1, 0},
    {"pair4 cipher prompt, cipher thought", "difj sum be?",
     "f+j=be. so f+j</think><answer>5+9</answer>", 30, 0, 96, 1, 1, 1},
    {"pair4 cipher prompt, mixed thought", "difj sum be?",
     "5+9=be. so f+j</think><answer>5+9</answer>", 30, 0, 96, 1, 1, 0},
    /* no verifier: never correct; readable without a script check */
    {"no problem, well formed", NULL, "hello 12 bg" OK, 20, 0, 96, 0, 1, 1},
    {"no problem, malformed", NULL, "hello", 5, 0, 96, 0, 0, 0},
};

static void test_table(void **state) {
    (void)state;
    static const FilterBuiltin preds[] = {FILTER_CORRECT, FILTER_WELL_FORMED, FILTER_READABLE};
    static const char *const pred_names[] = {"correct", "well_formed", "readable"};
    int failures = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const Case *c = &cases[i];
        Problem p;
        if (c->question && task_parse_prompt(c->question, &p))
            fail_msg("case '%s': '%s' is not a task prompt", c->why, c->question);
        FilterInput in = {.problem = c->question ? &p : NULL,
                          .completion = c->completion,
                          .length = c->length,
                          .truncated = c->truncated,
                          .max_tokens = c->max_tokens};
        const int want[] = {c->correct, c->well_formed, c->readable};
        for (int f = 0; f < 3; f++) {
            int got = filter_passes(preds[f], &in);
            if (got != want[f]) {
                print_error("case '%s': %s gave %d, expected %d\n", c->why, pred_names[f], got,
                            want[f]);
                failures++;
            }
        }
    }
    assert_int_equal(failures, 0);
}

/* The cipher prompts above are what task_parse_prompt says they are. */
static void test_cipher_prompts_are_the_digit_problems(void **state) {
    (void)state;
    Problem a, b;
    assert_int_equal(task_parse_prompt("deh+fij?", &a), 0);
    assert_int_equal(a.script, WORLD_CIPHER);
    assert_string_equal(a.answer, "936");
    assert_int_equal(task_parse_prompt("difj sum be?", &b), 0);
    assert_int_equal(b.script, WORLD_CIPHER);
    assert_int_equal(b.spec.kind, TASK_PAIR);
    assert_string_equal(b.answer, "5+9");
    TaskSpec spec;
    Problem m;
    assert_int_equal(task_spec_parse("pair4", &spec), 0);
    assert_int_equal(task_make(spec, 3859, 14, WORLD_DIGITS, &m), 0);
    assert_string_equal(m.prompt, "3859 sum 14?");
    assert_string_equal(m.answer, "5+9");
}

static void test_names(void **state) {
    (void)state;
    assert_int_equal(filter_builtin("correct"), FILTER_CORRECT);
    assert_int_equal(filter_builtin("well_formed"), FILTER_WELL_FORMED);
    assert_int_equal(filter_builtin("readable"), FILTER_READABLE);
    assert_int_equal(filter_builtin("Correct"), FILTER_NONE);
    assert_int_equal(filter_builtin("correct+readable"), FILTER_NONE);
    assert_int_equal(filter_builtin(""), FILTER_NONE);
    const char *list = filter_builtin_names();
    assert_non_null(strstr(list, "correct"));
    assert_non_null(strstr(list, "well_formed"));
    assert_non_null(strstr(list, "readable"));
    /* FILTER_NONE passes nothing */
    Problem p;
    assert_int_equal(task_parse_prompt("347+589?", &p), 0);
    FilterInput in = {&p, "so 936" OK, 10, 0, 96};
    assert_int_equal(filter_passes(FILTER_NONE, &in), 0);
    assert_int_equal(filter_passes(FILTER_CORRECT, &in), 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_cipher_prompts_are_the_digit_problems),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests_name("train_filters", tests, NULL, NULL);
}
