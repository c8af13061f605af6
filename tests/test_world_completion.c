#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "world/completion.h"
#include "world/task.h"
#include "world/template.h"
#include "world/tokenizer.h"

static void template_has_the_r1_zero_shape(void **state) {
    char prompt[64], completion[128], q[32];
    size_t n = tmpl_prompt("347+589?", prompt, sizeof prompt);
    assert_string_equal(prompt, "<bos>user: 347+589? assistant: <think>");
    assert_int_equal(n, strlen(prompt));
    tmpl_completion("7+9=16. 4+8+1=13. 3+5+1=9. so 936", "936", completion, sizeof completion);
    assert_string_equal(completion,
                        "7+9=16. 4+8+1=13. 3+5+1=9. so 936</think><answer>936</answer>");
    int ids[256];
    assert_true(tok_encode(prompt, ids, 256, NULL) > 0);
    assert_int_equal(ids[0], TOK_BOS);
    assert_true(tok_encode(completion, ids, 256, NULL) > 0);

    assert_int_equal(tmpl_question(prompt, q, sizeof q), 8);
    assert_string_equal(q, "347+589?");
    assert_int_equal(tmpl_question("347+589?", q, sizeof q), -1);
    assert_int_equal(tmpl_question("<bos>user: 347+589? assistant: ", q, sizeof q), -1);
    assert_int_equal(tmpl_question("<bos>user:  assistant: <think>", q, sizeof q), 0);
}

static void completions_parse_as_the_table_says(void **state) {
    static const struct {
        const char *text;
        int well_formed;
        int think_closed;
        const char *thought; /* expected thought text */
        const char *answer;  /* NULL: no answer found */
    } cases[] = {
        /* well formed */
        {"7+9=16. so 16</think><answer>16</answer>", 1, 1, "7+9=16. so 16", "16"},
        {"<think>so 16</think><answer>16</answer>", 1, 1, "so 16", "16"},
        {"</think><answer>936</answer>", 1, 1, "", "936"},
        {"x</think> \n<answer>936</answer>", 1, 1, "x", "936"},
        {"x</think><answer>936</answer><eos>", 1, 1, "x", "936"},
        {"x</think><answer>936</answer><eos><pad><pad>", 1, 1, "x", "936"},
        {"x</think><answer>0936</answer>", 1, 1, "x", "0936"}, /* format ok, accuracy not */
        /* empty */
        {"", 0, 0, "", NULL},
        {"<think>", 0, 0, "", NULL},
        /* missing tags */
        {"so 936", 0, 0, "so 936", NULL},
        {"so 936<answer>936</answer>", 0, 0, "so 936", "936"},
        /* (an answer given after the thought counts without its tags) */
        {"so 936</think>936", 0, 1, "so 936", "936"},
        {"so 936</think> 936\n<eos>", 0, 1, "so 936", "936"},
        {"so 936</think><answer>936", 0, 1, "so 936", "936"},
        {"so 936</think><answer>936<eos>", 0, 1, "so 936", "936"},
        {"so 936</think>936</answer>", 0, 1, "so 936", "936"},
        {"so 936</think>", 0, 1, "so 936", ""},
        {"x</think><answer></answer>", 0, 1, "x", ""},
        /* tags twice */
        {"<think><think>x</think><answer>1</answer>", 0, 1, "<think>x", "1"},
        {"x</think>y</think><answer>1</answer>", 0, 1, "x", "1"},
        {"x</think><answer>1</answer><answer>2</answer>", 0, 1, "x", "1"},
        {"x</think><answer>1<answer>2</answer>", 0, 1, "x", "1<answer>2"},
        {"x<answer>1</answer></think><answer>2</answer>", 0, 1, "x<answer>1</answer>", "2"},
        /* text after </answer> */
        {"x</think><answer>1</answer> ", 0, 1, "x", "1"},
        {"x</think><answer>1</answer>so", 0, 1, "x", "1"},
        {"x</think><answer>1</answer><eos>x", 0, 1, "x", "1"},
        {"x</think><answer>1</answer><bos>", 0, 1, "x", "1"},
        /* text between </think> and <answer> */
        {"x</think>so<answer>1</answer>", 0, 1, "x", "1"},
        {"x<eos></think><answer>1</answer>", 0, 1, "x<eos>", "1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CompletionParts c;
        int wf = completion_parse(cases[i].text, &c);
        if (wf != cases[i].well_formed) fail_msg("case %zu: %s", i, cases[i].text);
        assert_int_equal(c.well_formed, wf);
        assert_int_equal(c.think_closed, cases[i].think_closed);
        assert_non_null(c.thought);
        assert_int_equal(c.thought_len, strlen(cases[i].thought));
        assert_memory_equal(c.thought, cases[i].thought, c.thought_len);
        if (!cases[i].answer) {
            assert_null(c.answer);
        } else {
            assert_non_null(c.answer);
            assert_int_equal(c.answer_len, strlen(cases[i].answer));
            assert_memory_equal(c.answer, cases[i].answer, c.answer_len);
        }
    }
}

static void parsed_answers_feed_the_verifier(void **state) {
    Problem p;
    assert_int_equal(task_parse_prompt("347+589?", &p), 0);
    static const struct {
        const char *completion;
        int right;
    } cases[] = {
        {"7+9=16. 4+8+1=13. 3+5+1=9. so 936</think><answer>936</answer>", 1},
        {"</think><answer>936</answer>", 1},
        {"</think><answer>926</answer>", 0},
        {"</think><answer> 936</answer>", 0},
        {"</think><answer>0936</answer>", 0},
        {"</think><answer>12a</answer>", 0},
        {"</think><answer></answer>", 0},
        {"so 936</think>936", 1},
        {"so 936</think><answer>936<eos>", 1},
        {"so 936</think>926<eos>", 0},
        {"so 936", 0},
        {"", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CompletionParts c;
        completion_parse(cases[i].completion, &c);
        assert_int_equal(task_verify_span(&p, c.answer, c.answer_len), cases[i].right);
    }
}

static void direct_answers_have_empty_thoughts(void **state) {
    CompletionParts c;
    completion_parse("</think><answer>936</answer>", &c);
    assert_true(completion_thought_is_empty(&c));
    completion_parse(" \n</think><answer>936</answer>", &c);
    assert_true(completion_thought_is_empty(&c));
    completion_parse("so 936</think><answer>936</answer>", &c);
    assert_false(completion_thought_is_empty(&c));
}

static void script_share_counts_number_characters_only(void **state) {
    static const struct {
        const char *text;
        WorldScript script;
        double share;
        int counted;
    } cases[] = {
        {"7+9=16. 4+8+1=13. 3+5+1=9. so 936", WORLD_DIGITS, 1.0, 16},
        {"7+9=16. 4+8+1=13. 3+5+1=9. so 936", WORLD_CIPHER, 0.0, 16},
        {"h+j=bg. e+i+b=bd. d+f+b=j. so jdg", WORLD_CIPHER, 1.0, 16},
        {"7+9=16. e+i+b=bd. so 936", WORLD_DIGITS, 7.0 / 12.0, 12},
        {"wait, check so guess not", WORLD_DIGITS, 1.0, 0},
        {"", WORLD_CIPHER, 1.0, 0},
        {"bad", WORLD_CIPHER, 1.0, 3}, /* a word of a..j letters reads as a cipher number */
        {"1b", WORLD_DIGITS, 0.5, 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int counted = -1;
        double s = completion_script_share(cases[i].text, strlen(cases[i].text), cases[i].script,
                                           &counted);
        assert_int_equal(counted, cases[i].counted);
        assert_true(s > cases[i].share - 1e-12 && s < cases[i].share + 1e-12);
    }
}

static void words_are_counted_whole(void **state) {
    const char *t = "wait, 13 not 12. wait. await waiting check checks,wait";
    assert_int_equal(completion_count_word(t, strlen(t), "wait"), 3);
    assert_int_equal(completion_count_word(t, strlen(t), "check"), 1);
    assert_int_equal(completion_count_word(t, 4, "wait"), 1);
    assert_int_equal(completion_count_word(t, strlen(t), ""), 0);
}

static void looping_thoughts_are_found(void **state) {
    static const struct {
        const char *text;
        int n, repeats, found;
    } cases[] = {
        /* trigrams */
        {"a b c a b c a b c", 3, 3, 1},
        {"a b c a b c a b c", 3, 4, 0},
        {"x a b c a b c y", 3, 2, 1},
        {"a b c a b d a b c", 3, 2, 0},
        {"5+5=10. so 10 5+5=10. so 10 5+5=10. so 10", 3, 3, 1},
        {"7+9=16. 4+8+1=13. 3+5+1=9. so 936", 3, 2, 0}, /* a healthy thought */
        {"w w w w w w", 3, 2, 1},                       /* one word six times */
        {"w w w w w", 3, 2, 0},
        {"so 936 so 936 so 936", 3, 2, 0}, /* period two: not a trigram loop */
        {"so 936 so 936 so 936", 2, 3, 1}, /* but a bigram one */
        {"so 936 so 936 so 936", 2, 4, 0},
        {"  a\nb c\ta b  c ", 3, 2, 1}, /* any whitespace separates words */
        {"16. 16 16. 16", 1, 2, 0},     /* punctuation is part of a word */
        {"aaaaaaaaaaaa", 3, 2, 0},      /* one word, however repetitive */
        {"", 3, 2, 0},
        {"a b c a b c", 3, 1, 0}, /* fewer than two repeats is no loop */
        {"a b c a b c", 0, 2, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *t = cases[i].text;
        int got = completion_repeated_ngram_run(t, strlen(t), cases[i].n, cases[i].repeats);
        if (got != cases[i].found)
            fail_msg("'%s' n=%d x%d: got %d", t, cases[i].n, cases[i].repeats, got);
        if (cases[i].n == 3)
            assert_int_equal(completion_repeated_trigram_run(t, strlen(t), cases[i].repeats), got);
    }
    /* len bounds the text: the loop's last word lies beyond it */
    const char *t = "a b c a b c a b c";
    assert_int_equal(completion_repeated_trigram_run(t, strlen(t) - 1, 3), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(template_has_the_r1_zero_shape),
        cmocka_unit_test(completions_parse_as_the_table_says),
        cmocka_unit_test(parsed_answers_feed_the_verifier),
        cmocka_unit_test(direct_answers_have_empty_thoughts),
        cmocka_unit_test(script_share_counts_number_characters_only),
        cmocka_unit_test(words_are_counted_whole),
        cmocka_unit_test(looping_thoughts_are_found),
    };
    return cmocka_run_group_tests_name("world_completion", tests, NULL, NULL);
}
