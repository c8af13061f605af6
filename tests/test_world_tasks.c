#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "world/evalset.h"
#include "world/task.h"
#include "world/template.h"
#include "world/tokenizer.h"

static int encodes(const char *text) {
    int ids[1024];
    return tok_encode(text, ids, 1024, NULL) >= 0;
}

static void task_lists_parse(void **state) {
    static const struct {
        const char *list;
        int n;
    } cases[] = {
        {"add3", 1}, {"add3,sub3", 2}, {"add3,sub3,", 2},      {"add3,ad4", -1},
        {"", -1},    {",", -1},        {"add3,add3,add3", -1}, /* more than max = 2 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TaskSpec t[2];
        int n = task_spec_parse_list(cases[i].list, t, 2);
        if (n != cases[i].n) fail_msg("'%s': %d, want %d", cases[i].list, n, cases[i].n);
        if (n == 2) assert_int_equal(t[1].kind, TASK_SUB);
    }
}

static void task_names_parse_and_print(void **state) {
    static const struct {
        const char *name;
        int ok;
        TaskKind kind;
        int width;
    } cases[] = {
        {"add3", 1, TASK_ADD, 3},   {"add1", 1, TASK_ADD, 1},   {"sub2", 1, TASK_SUB, 2},
        {"mul1x3", 1, TASK_MUL, 3}, {"add9", 1, TASK_ADD, 9},   {"add0", 0, 0, 0},
        {"add10", 0, 0, 0},         {"add", 0, 0, 0},           {"mul3", 0, 0, 0},
        {"mul1x", 0, 0, 0},         {"Add3", 0, 0, 0},          {"", 0, 0, 0},
        {"add3 ", 0, 0, 0},         {"pair4", 1, TASK_PAIR, 4}, {"pair3", 1, TASK_PAIR, 3},
        {"pair5", 0, 0, 0},         {"pair2", 0, 0, 0},         {"pair6", 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TaskSpec s;
        int rc = task_spec_parse(cases[i].name, &s);
        assert_int_equal(rc, cases[i].ok ? 0 : -1);
        if (!cases[i].ok) continue;
        assert_int_equal(s.kind, cases[i].kind);
        assert_int_equal(s.width, cases[i].width);
        char back[16];
        task_spec_name(s, back, sizeof back);
        assert_string_equal(back, cases[i].name);
    }
}

static void problems_are_written_at_fixed_width(void **state) {
    static const struct {
        const char *spec;
        uint64_t a, b;
        WorldScript script;
        const char *prompt, *answer;
    } cases[] = {
        {"add3", 347, 589, WORLD_DIGITS, "347+589?", "936"},
        {"add3", 47, 5, WORLD_DIGITS, "047+005?", "52"},
        {"add3", 0, 0, WORLD_DIGITS, "000+000?", "0"},
        {"add3", 999, 999, WORLD_DIGITS, "999+999?", "1998"},
        {"add3", 347, 589, WORLD_CIPHER, "deh+fij?", "936"},
        {"sub3", 347, 189, WORLD_DIGITS, "347-189?", "158"},
        {"sub3", 347, 347, WORLD_DIGITS, "347-347?", "0"},
        {"sub2", 5, 3, WORLD_CIPHER, "af-ad?", "2"},
        {"mul1x3", 7, 347, WORLD_DIGITS, "7*347?", "2429"},
        {"mul1x3", 0, 347, WORLD_DIGITS, "0*347?", "0"},
        {"mul1x2", 9, 9, WORLD_CIPHER, "j*aj?", "81"},
        {"pair4", 3859, 14, WORLD_DIGITS, "3859 sum 14?", "5+9"},
        {"pair4", 3859, 11, WORLD_DIGITS, "3859 sum 11?", "3+8"},
        {"pair4", 402, 6, WORLD_DIGITS, "0402 sum 06?", "4+2"},
        {"pair4", 3859, 14, WORLD_CIPHER, "difj sum be?", "5+9"},
        {"pair3", 901, 10, WORLD_DIGITS, "901 sum 10?", "9+1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TaskSpec s;
        Problem p;
        assert_int_equal(task_spec_parse(cases[i].spec, &s), 0);
        assert_int_equal(task_make(s, cases[i].a, cases[i].b, cases[i].script, &p), 0);
        assert_string_equal(p.prompt, cases[i].prompt);
        assert_string_equal(p.answer, cases[i].answer);
    }
}

static void operands_that_do_not_fit_are_refused(void **state) {
    Problem p;
    assert_int_equal(task_make((TaskSpec){TASK_ADD, 3}, 1000, 1, WORLD_DIGITS, &p), -1);
    assert_int_equal(task_make((TaskSpec){TASK_SUB, 3}, 100, 101, WORLD_DIGITS, &p), -1);
    assert_int_equal(task_make((TaskSpec){TASK_MUL, 3}, 10, 101, WORLD_DIGITS, &p), -1);
    assert_int_equal(task_make((TaskSpec){TASK_ADD, 0}, 0, 0, WORLD_DIGITS, &p), -1);
    assert_int_equal(task_make((TaskSpec){TASK_ADD, 10}, 0, 0, WORLD_DIGITS, &p), -1);
    /* A pair target that no pair reaches, or that two pairs of positions reach. */
    assert_int_equal(task_make((TaskSpec){TASK_PAIR, 4}, 3859, 15, WORLD_DIGITS, &p), -1);
    assert_int_equal(task_make((TaskSpec){TASK_PAIR, 4}, 3559, 8, WORLD_DIGITS, &p), -1);
    assert_int_equal(task_make((TaskSpec){TASK_PAIR, 4}, 3654, 9, WORLD_DIGITS, &p), -1);
    assert_int_equal(task_make((TaskSpec){TASK_PAIR, 4}, 10000, 1, WORLD_DIGITS, &p), -1);
    assert_int_equal(task_make((TaskSpec){TASK_PAIR, 2}, 12, 3, WORLD_DIGITS, &p), -1);
    WorldRng r;
    world_rng_seed(&r, 1);
    assert_int_equal(task_generate((TaskSpec){TASK_ADD, 0}, WORLD_DIGITS, &r, &p), -1);
    assert_int_equal(task_generate_train((TaskSpec){TASK_NUM_KINDS, 3}, WORLD_DIGITS, &r, &p), -1);
    assert_int_equal(task_generate((TaskSpec){TASK_SUB, 2}, WORLD_DIGITS, &r, &p), 0);
}

/* Leading zeros, spaces and signs do not count: one spelling per answer. */
static void verifier_accepts_only_the_canonical_answer(void **state) {
    static const struct {
        const char *spec;
        uint64_t a, b;
        const char *answer;
        int right;
    } cases[] = {
        {"add3", 347, 589, "936", 1},   {"add3", 347, 589, "937", 0},
        {"add3", 347, 589, "", 0},      {"add3", 347, 589, "12a", 0},
        {"add3", 347, 589, " 936", 0},  {"add3", 347, 589, "936 ", 0},
        {"add3", 347, 589, "0936", 0},  {"add3", 347, 589, "+936", 0},
        {"add3", 347, 589, "jdg", 0},   {"add3", 347, 589, "93", 0},
        {"add3", 347, 589, "9360", 0},  {"add3", 0, 0, "0", 1},
        {"add3", 0, 0, "00", 0},        {"add3", 0, 0, "", 0},
        {"sub3", 347, 289, "58", 1},    {"sub3", 347, 289, "058", 0},
        {"sub3", 347, 289, "-58", 0},   {"sub3", 5, 5, "0", 1},
        {"mul1x3", 7, 347, "2429", 1},  {"mul1x3", 7, 347, "2428", 0},
        {"mul1x3", 7, 347, "2,429", 0}, {"mul1x3", 0, 999, "0", 1},
        {"pair4", 3859, 14, "5+9", 1},  {"pair4", 3859, 14, "9+5", 0},
        {"pair4", 3859, 14, "14", 0},   {"pair4", 3859, 14, "5+9 ", 0},
        {"pair4", 3859, 14, "59", 0},   {"pair4", 3859, 14, "3+8", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TaskSpec s;
        Problem p;
        assert_int_equal(task_spec_parse(cases[i].spec, &s), 0);
        assert_int_equal(task_make(s, cases[i].a, cases[i].b, WORLD_DIGITS, &p), 0);
        assert_int_equal(task_verify(&p, cases[i].answer), cases[i].right);
        assert_int_equal(task_verify_span(&p, cases[i].answer, strlen(cases[i].answer)),
                         cases[i].right);
    }
    Problem p;
    task_make((TaskSpec){TASK_ADD, 3}, 347, 589, WORLD_CIPHER, &p);
    assert_int_equal(task_verify(&p, "936"), 1); /* answers are digits even for cipher prompts */
    assert_int_equal(task_verify(&p, NULL), 0);
    assert_int_equal(task_verify_span(&p, "9361", 3), 1);
}

static void prompts_parse_back_into_problems(void **state) {
    static const struct {
        const char *prompt;
        int ok;
        const char *spec;
        const char *answer;
        WorldScript script;
    } cases[] = {
        {"347+589?", 1, "add3", "936", WORLD_DIGITS},
        {"deh+fij?", 1, "add3", "936", WORLD_CIPHER},
        {"047+005?", 1, "add3", "52", WORLD_DIGITS},
        {"47+89?", 1, "add2", "136", WORLD_DIGITS},
        {"347-189?", 1, "sub3", "158", WORLD_DIGITS},
        {"7*347?", 1, "mul1x3", "2429", WORLD_DIGITS},
        {"h*deh?", 1, "mul1x3", "2429", WORLD_CIPHER},
        {"3859 sum 14?", 1, "pair4", "5+9", WORLD_DIGITS},
        {"difj sum be?", 1, "pair4", "5+9", WORLD_CIPHER},
        {"38591 sum 09?", 0, "", "", 0}, /* pair5 does not fit the budget */
        {"385 sum 13?", 1, "pair3", "8+5", WORLD_DIGITS},
        {"3859 sum 4?", 0, "", "", 0},  /* the target has two digits */
        {"3859 sum 15?", 0, "", "", 0}, /* no pair reaches it */
        {"3559 sum 08?", 0, "", "", 0}, /* two pairs reach it */
        {"difj sum 14?", 0, "", "", 0}, /* mixed scripts */
        {"38 sum 11?", 0, "", "", 0},   /* too few digits to search */
        {"3859 sum 14", 0, "", "", 0},
        {"189-347?", 0, "", "", 0},  /* would go negative */
        {"47+589?", 0, "", "", 0},   /* unequal widths */
        {"de7+fij?", 0, "", "", 0},  /* mixed scripts in an operand */
        {"347+fij?", 0, "", "", 0},  /* mixed scripts across operands */
        {"347+589", 0, "", "", 0},   /* no question mark */
        {"347+589? ", 0, "", "", 0}, /* trailing text */
        {"347*589?", 0, "", "", 0},  /* mul needs a one-digit factor */
        {"347/589?", 0, "", "", 0},
        {"+589?", 0, "", "", 0},
        {"", 0, "", "", 0},
        {"1234567890+1234567890?", 0, "", "", 0},
        {"who are you?", 0, "", "", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Problem p;
        int rc = task_parse_prompt(cases[i].prompt, &p);
        assert_int_equal(rc, cases[i].ok ? 0 : -1);
        if (!cases[i].ok) continue;
        char name[16];
        task_spec_name(p.spec, name, sizeof name);
        assert_string_equal(name, cases[i].spec);
        assert_string_equal(p.answer, cases[i].answer);
        assert_string_equal(p.prompt, cases[i].prompt);
        assert_int_equal(p.script, cases[i].script);
    }
}

/* Pairs of positions whose digits sum to a pair problem's target. */
static int pair_count(const Problem *p) {
    int n = 0;
    for (int i = 0; i < p->spec.width; i++)
        for (int j = i + 1; j < p->spec.width; j++)
            n += (uint64_t)(task_pair_digit(p, i) + task_pair_digit(p, j)) == p->b;
    return n;
}

static const char *const all_specs[] = {"add1", "add2",   "add3",   "add4",   "sub1",
                                        "sub2", "sub3",   "mul1x1", "mul1x2", "mul1x3",
                                        "add9", "mul1x9", "pair3",  "pair4"};
enum { N_SPECS = sizeof all_specs / sizeof all_specs[0] };

static void generators_are_deterministic_fixed_width_and_verifiable(void **state) {
    for (int si = 0; si < N_SPECS; si++) {
        TaskSpec s;
        assert_int_equal(task_spec_parse(all_specs[si], &s), 0);
        WorldRng r1, r2, r3;
        world_rng_seed(&r1, 42);
        world_rng_seed(&r2, 42);
        world_rng_seed(&r3, 43);
        int differs = 0;
        size_t expect_len = s.kind == TASK_PAIR ? (size_t)s.width + strlen(" sum ") + 2 + 1
                                                : (size_t)(s.kind == TASK_MUL ? 1 : s.width) + 1 +
                                                      (size_t)s.width + 1;
        for (int i = 0; i < 200; i++) {
            WorldScript sc = i % 2 ? WORLD_CIPHER : WORLD_DIGITS;
            Problem p, q, o;
            task_generate(s, sc, &r1, &p);
            task_generate(s, sc, &r2, &q);
            task_generate(s, sc, &r3, &o);
            assert_string_equal(p.prompt, q.prompt);
            differs += strcmp(p.prompt, o.prompt) != 0;
            assert_int_equal(strlen(p.prompt), expect_len);
            assert_true(encodes(p.prompt));
            assert_true(encodes(p.answer));
            assert_int_equal(task_verify(&p, p.answer), 1);
            if (s.kind == TASK_SUB) assert_true(p.a >= p.b);
            if (s.kind == TASK_PAIR) assert_true(pair_count(&p) == 1);
            Problem back;
            assert_int_equal(task_parse_prompt(p.prompt, &back), 0);
            assert_true(back.a == p.a && back.b == p.b && back.spec.kind == s.kind &&
                        back.spec.width == s.width && back.script == sc);
        }
        if (s.width > 1) assert_true(differs > 100);
    }
}

static void generated_operands_cover_the_range(void **state) {
    /* Zero-padded small operands must occur: fixed width means all values. */
    TaskSpec s = {TASK_ADD, 3};
    WorldRng r;
    world_rng_seed(&r, 5);
    int small = 0, big = 0;
    for (int i = 0; i < 2000; i++) {
        Problem p;
        task_generate(s, WORLD_DIGITS, &r, &p);
        small += p.a < 100;
        big += p.a >= 900;
    }
    assert_true(small > 100 && small < 300);
    assert_true(big > 100 && big < 300);
}

static void eval_membership_ignores_script_order_and_template(void **state) {
    TaskSpec s = {TASK_ADD, 3};
    int found = 0;
    for (uint64_t a = 0; a < 1000 && found < 20; a += 7) {
        for (uint64_t b = 0; b < 1000 && found < 20; b += 13) {
            Problem p, c, swapped;
            task_make(s, a, b, WORLD_DIGITS, &p);
            task_make(s, a, b, WORLD_CIPHER, &c);
            task_make(s, b, a, WORLD_DIGITS, &swapped);
            int e = world_is_eval_problem(&p);
            assert_int_equal(world_is_eval_problem(&c), e);
            assert_int_equal(world_is_eval_problem(&swapped), e);
            assert_int_equal(world_is_eval_prompt(p.prompt), e);
            assert_int_equal(world_is_eval_prompt(c.prompt), e);
            char full[64];
            tmpl_prompt(p.prompt, full, sizeof full);
            assert_int_equal(world_is_eval_prompt(full), e);
            found += e;
        }
    }
    assert_int_equal(found, 20);
    assert_int_equal(world_is_eval_prompt("who are you?"), 0);
    assert_int_equal(world_is_eval_prompt(""), 0);
}

static void held_out_share_is_about_one_in_denom(void **state) {
    TaskSpec s = {TASK_ADD, 3};
    WorldRng r;
    world_rng_seed(&r, 9);
    int held = 0, n = 8000;
    for (int i = 0; i < n; i++) {
        Problem p;
        task_generate(s, WORLD_DIGITS, &r, &p);
        held += world_is_eval_problem(&p);
    }
    double share = (double)held / n;
    assert_true(share > 0.5 / WORLD_EVAL_DENOM && share < 1.5 / WORLD_EVAL_DENOM);
}

static void eval_sets_are_fixed_distinct_and_held_out(void **state) {
    for (int si = 0; si < N_SPECS; si++) {
        TaskSpec s;
        task_spec_parse(all_specs[si], &s);
        static Problem a[300], b[300], c[300];
        int n = evalset_generate(s, WORLD_DIGITS, 300, a);
        assert_int_equal(evalset_generate(s, WORLD_DIGITS, 300, b), n);
        assert_int_equal(evalset_generate(s, WORLD_CIPHER, 300, c), n);
        if (s.width >= (s.kind == TASK_PAIR ? 4 : 3)) assert_int_equal(n, 300);
        assert_true(n > 0);
        for (int i = 0; i < n; i++) {
            assert_string_equal(a[i].prompt, b[i].prompt);
            assert_true(a[i].a == c[i].a && a[i].b == c[i].b && c[i].script == WORLD_CIPHER);
            assert_true(world_is_eval_problem(&a[i]));
            for (int j = 0; j < i; j++) assert_string_not_equal(a[i].prompt, a[j].prompt);
        }
    }
}

static void training_prompts_never_hit_the_eval_set(void **state) {
    for (int si = 0; si < N_SPECS; si++) {
        TaskSpec s;
        task_spec_parse(all_specs[si], &s);
        static Problem ev[200];
        int n = evalset_generate(s, WORLD_DIGITS, 200, ev);
        WorldRng r;
        world_rng_seed(&r, 1234);
        for (int i = 0; i < 1000; i++) {
            Problem p;
            task_generate_train(s, i % 2 ? WORLD_CIPHER : WORLD_DIGITS, &r, &p);
            assert_false(world_is_eval_problem(&p));
            assert_false(world_is_eval_prompt(p.prompt));
            for (int j = 0; j < n; j++) {
                int same = p.a == ev[j].a && p.b == ev[j].b;
                if (s.kind == TASK_ADD) same = same || (p.a == ev[j].b && p.b == ev[j].a);
                assert_false(same);
            }
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(task_names_parse_and_print),
        cmocka_unit_test(task_lists_parse),
        cmocka_unit_test(problems_are_written_at_fixed_width),
        cmocka_unit_test(operands_that_do_not_fit_are_refused),
        cmocka_unit_test(verifier_accepts_only_the_canonical_answer),
        cmocka_unit_test(prompts_parse_back_into_problems),
        cmocka_unit_test(generators_are_deterministic_fixed_width_and_verifiable),
        cmocka_unit_test(generated_operands_cover_the_range),
        cmocka_unit_test(eval_membership_ignores_script_order_and_template),
        cmocka_unit_test(held_out_share_is_about_one_in_denom),
        cmocka_unit_test(eval_sets_are_fixed_distinct_and_held_out),
        cmocka_unit_test(training_prompts_never_hit_the_eval_set),
    };
    return cmocka_run_group_tests_name("world_tasks", tests, NULL, NULL);
}
