#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "world/completion.h"
#include "world/cot.h"
#include "world/task.h"
#include "world/tokenizer.h"

static int encodes(const char *text) {
    int ids[1024];
    return tok_encode(text, ids, 1024, NULL) >= 0;
}

static Problem make(const char *spec, uint64_t a, uint64_t b, WorldScript sc) {
    TaskSpec s;
    Problem p;
    assert_int_equal(task_spec_parse(spec, &s), 0);
    assert_int_equal(task_make(s, a, b, sc, &p), 0);
    return p;
}

/* The exact texts the design promises (reliable options, so no RNG is drawn
 * except the terse pad's length). */
static void pads_have_the_documented_form(void **state) {
    static const struct {
        const char *spec;
        uint64_t a, b;
        WorldScript script;
        CotStyle style;
        const char *text;
    } cases[] = {
        {"add3", 347, 589, WORLD_DIGITS, COT_FULL, "7+9+0=16. 4+8+1=13. 3+5+1=09. so 936"},
        {"add3", 347, 589, WORLD_CIPHER, COT_FULL, "h+j+a=bg. e+i+b=bd. d+f+b=aj. so jdg"},
        {"add3", 47, 5, WORLD_DIGITS, COT_FULL, "7+5+0=12. 4+0+1=05. 0+0+0=00. so 52"},
        {"add2", 99, 99, WORLD_DIGITS, COT_FULL, "9+9+0=18. 9+9+1=19. so 198"},
        {"sub3", 347, 189, WORLD_DIGITS, COT_FULL, "17-9-0=08. 14-8-1=05. 03-1-1=01. so 158"},
        {"sub3", 100, 99, WORLD_DIGITS, COT_FULL, "10-9-0=01. 10-9-1=00. 01-0-1=00. so 1"},
        {"sub3", 347, 189, WORLD_CIPHER, COT_FULL, "bh-j-a=ai. be-i-b=af. ad-b-b=ab. so bfi"},
        {"mul1x3", 7, 347, WORLD_DIGITS, COT_FULL, "7*7+0=49. 7*4+4=32. 7*3+3=24. so 2429"},
        {"mul1x2", 3, 12, WORLD_DIGITS, COT_FULL, "3*2+0=06. 3*1+0=03. so 36"},
        {"add3", 347, 589, WORLD_DIGITS, COT_CHECKED,
         "7+9+0=16. 4+8+1=13. 3+5+1=09. so 936. check 7+9+0=16. 4+8+1=13. 3+5+1=09. so 936"},
        {"mul1x2", 7, 47, WORLD_DIGITS, COT_CHECKED,
         "7*7+0=49. 7*4+4=32. so 329. check 7*7+0=49. 7*4+4=32. so 329"},
        {"add3", 347, 589, WORLD_DIGITS, COT_GUESS, "guess 936"},
        {"add3", 347, 589, WORLD_DIGITS, COT_GUESS_CHECK,
         "guess 936. check 7+9+0=16. 4+8+1=13. 3+5+1=09. so 936"},
        {"add1", 7, 9, WORLD_DIGITS, COT_TERSE, "7+9+0=16. so 16"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Problem p = make(cases[i].spec, cases[i].a, cases[i].b, cases[i].script);
        CotOptions o = cot_options(cases[i].style, cases[i].script);
        WorldRng r;
        world_rng_seed(&r, 1);
        char out[COT_MAX];
        CotResult res;
        int n = cot_write(&p, &o, &r, out, sizeof out, &res);
        assert_string_equal(out, cases[i].text);
        assert_int_equal(n, strlen(cases[i].text));
        assert_true(res.correct);
        assert_int_equal(res.slips, 0);
        assert_int_equal(res.waits, 0);
    }
}

static void terse_pads_stop_early(void **state) {
    Problem p = make("add3", 347, 589, WORLD_DIGITS);
    CotOptions o = cot_options(COT_TERSE, WORLD_DIGITS);
    WorldRng r;
    world_rng_seed(&r, 3);
    int seen[4] = {0};
    for (int i = 0; i < 100; i++) {
        char out[COT_MAX];
        CotResult res;
        assert_true(cot_write(&p, &o, &r, out, sizeof out, &res) > 0);
        assert_true(res.steps >= 1 && res.steps <= 2);
        seen[res.steps]++;
        assert_true(res.correct);
        assert_non_null(strstr(out, "so 936"));
    }
    assert_true(seen[1] > 0 && seen[2] > 0);
}

static const char *const specs[] = {"add1",   "add2",   "add3", "add4", "sub2",  "sub3",
                                    "mul1x2", "mul1x3", "add9", "sub9", "mul1x9"};

/* For every style, script and task: the text encodes, its last "so N" (or the
 * guess) is what cot_write reports, and it is the right answer whenever slips
 * were fixed or checked. */
static void every_pad_concludes_what_it_reports(void **state) {
    WorldRng r;
    world_rng_seed(&r, 77);
    for (size_t si = 0; si < sizeof specs / sizeof specs[0]; si++) {
        TaskSpec s;
        task_spec_parse(specs[si], &s);
        for (int style = 0; style < COT_NUM_STYLES; style++) {
            for (int i = 0; i < 60; i++) {
                WorldScript sc = i % 2 ? WORLD_CIPHER : WORLD_DIGITS;
                Problem p;
                task_generate(s, sc, &r, &p);
                CotOptions o = cot_options((CotStyle)style, sc);
                o.slip_prob = (i / 2) % 3 == 0 ? 0.0 : 0.4;
                o.fix_slips = (i / 6) % 2;
                o.guess_wrong_prob = 0.5;
                o.switch_prob = i % 5 == 0 ? 0.3 : 0.0;
                char out[COT_MAX];
                CotResult res;
                int n = cot_write(&p, &o, &r, out, sizeof out, &res);
                assert_true(n > 0 && (size_t)n == strlen(out));
                assert_true(encodes(out));
                assert_int_equal(res.correct, res.value == p.result);
                if (style == COT_GUESS) {
                    assert_int_equal(strncmp(out, "guess ", 6), 0);
                    continue;
                }
                uint64_t v;
                assert_int_equal(cot_final_value(out, (size_t)n, &v), 0);
                assert_true(v == res.value);
                int reliable = o.slip_prob == 0 || o.fix_slips || style == COT_CHECKED ||
                               style == COT_GUESS_CHECK;
                if (reliable) assert_true(res.correct);
                if (o.fix_slips && style != COT_GUESS_CHECK) assert_int_equal(res.waits, res.slips);
                if (!o.fix_slips && style != COT_CHECKED && style != COT_GUESS_CHECK)
                    assert_int_equal(res.correct, res.slips == 0);
                assert_int_equal(completion_count_word(out, (size_t)n, "wait"), res.waits);
                if (o.switch_prob == 0) {
                    int counted;
                    double share = completion_script_share(out, (size_t)n, sc, &counted);
                    assert_true(counted > 0);
                    assert_true(share == 1.0);
                }
            }
        }
    }
}

/* A slip is followed by "wait," and the step redone; the pad then ends right. */
static void slips_are_corrected_after_wait(void **state) {
    Problem p = make("add3", 347, 589, WORLD_DIGITS);
    CotOptions o = cot_options(COT_FULL, WORLD_DIGITS);
    o.slip_prob = 1.0;
    o.fix_slips = 1;
    WorldRng r;
    world_rng_seed(&r, 2);
    char out[COT_MAX];
    CotResult res;
    assert_true(cot_write(&p, &o, &r, out, sizeof out, &res) > 0);
    assert_int_equal(res.slips, 3);
    assert_int_equal(res.waits, 3);
    assert_true(res.correct);
    /* Each step: the slipped result, then the step redone after "wait". */
    assert_non_null(strstr(out, ". wait, 7+9+0=16. 4+8+1="));
    assert_non_null(strstr(out, ". wait, 4+8+1=13. 3+5+1="));
    assert_non_null(strstr(out, ". wait, 3+5+1=09. so 936"));
    assert_null(strstr(out, "7+9+0=16. wait"));
}

/* The checked style's first pass is often wrong; the check says so and fixes it. */
static void checks_catch_first_pass_slips(void **state) {
    Problem p = make("add3", 347, 589, WORLD_DIGITS);
    CotOptions o = cot_options(COT_CHECKED, WORLD_DIGITS);
    o.slip_prob = 0.15;
    WorldRng r;
    world_rng_seed(&r, 4);
    int wrong_first = 0, n = 400;
    for (int i = 0; i < n; i++) {
        char out[COT_MAX];
        CotResult res;
        cot_write(&p, &o, &r, out, sizeof out, &res);
        assert_true(res.correct);
        assert_true(strstr(out, ". check ") != NULL);
        if (res.slips) {
            wrong_first++;
            assert_int_equal(res.waits, 1);
            assert_non_null(strstr(out, "wait, so 936"));
        } else {
            assert_null(strstr(out, "wait"));
        }
    }
    /* 1 - 0.85^3 = 0.386 */
    assert_true(wrong_first > n * 0.3 && wrong_first < n * 0.47);
}

static void wrong_guesses_differ_in_one_digit_and_check_fixes_them(void **state) {
    WorldRng r;
    world_rng_seed(&r, 8);
    for (int i = 0; i < 300; i++) {
        Problem p;
        task_generate((TaskSpec){TASK_ADD, 3}, WORLD_DIGITS, &r, &p);
        CotOptions o = cot_options(COT_GUESS, WORLD_DIGITS);
        o.guess_wrong_prob = 1.0;
        char out[COT_MAX];
        CotResult res;
        cot_write(&p, &o, &r, out, sizeof out, &res);
        assert_false(res.correct);
        char want[32], got[32];
        snprintf(want, sizeof want, "%llu", (unsigned long long)p.result);
        snprintf(got, sizeof got, "%llu", (unsigned long long)res.value);
        assert_int_equal(strlen(want), strlen(got));
        int diff = 0;
        for (size_t k = 0; k < strlen(want); k++) diff += want[k] != got[k];
        assert_int_equal(diff, 1);
        o.style = COT_GUESS_CHECK;
        cot_write(&p, &o, &r, out, sizeof out, &res);
        assert_true(res.correct);
        assert_int_equal(res.waits, 1);
    }
}

static void mixing_puts_both_scripts_in_one_thought(void **state) {
    Problem p = make("add4", 3474, 5891, WORLD_DIGITS);
    CotOptions o = cot_options(COT_FULL, WORLD_DIGITS);
    o.switch_prob = 0.5;
    WorldRng r;
    world_rng_seed(&r, 6);
    int mixed = 0;
    for (int i = 0; i < 50; i++) {
        char out[COT_MAX];
        CotResult res;
        int n = cot_write(&p, &o, &r, out, sizeof out, &res);
        assert_true(res.correct);
        double s = completion_script_share(out, (size_t)n, WORLD_DIGITS, NULL);
        mixed += s > 0.0 && s < 1.0;
        uint64_t v;
        assert_int_equal(cot_final_value(out, (size_t)n, &v), 0);
        assert_true(v == p.result);
    }
    assert_true(mixed > 40);
}

static void pads_are_deterministic_per_seed(void **state) {
    Problem p = make("add3", 347, 589, WORLD_DIGITS);
    CotOptions o = cot_options(COT_CHECKED, WORLD_CIPHER);
    o.slip_prob = 0.3;
    o.switch_prob = 0.2;
    WorldRng a, b;
    world_rng_seed(&a, 11);
    world_rng_seed(&b, 11);
    for (int i = 0; i < 50; i++) {
        char x[COT_MAX], y[COT_MAX];
        cot_write(&p, &o, &a, x, sizeof x, NULL);
        cot_write(&p, &o, &b, y, sizeof y, NULL);
        assert_string_equal(x, y);
    }
}

static void widest_pads_fit_and_small_buffers_are_reported(void **state) {
    Problem p = make("add9", 999999999, 999999999, WORLD_CIPHER);
    CotOptions o = cot_options(COT_CHECKED, WORLD_CIPHER);
    o.slip_prob = 1.0;
    o.fix_slips = 1;
    WorldRng r;
    world_rng_seed(&r, 1);
    char out[COT_MAX];
    assert_true(cot_write(&p, &o, &r, out, sizeof out, NULL) > 0);
    char small[8];
    assert_int_equal(cot_write(&p, &o, &r, small, sizeof small, NULL), -1);
    assert_int_equal(strlen(small), sizeof small - 1);
}

static void final_value_reads_the_last_so(void **state) {
    static const struct {
        const char *text;
        int ok;
        uint64_t v;
    } cases[] = {
        {"7+9=16. so 926. check so 936", 1, 936},
        {"so jdg", 1, 936},
        {"so 9dg", 1, 936},
        {"so 936.", 1, 936},
        {"also 5", 0, 0},
        {"so ", 0, 0},
        {"", 0, 0},
        {"guess 936", 0, 0},
        {"so 12 so x", 1, 12},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t v = 0;
        int rc = cot_final_value(cases[i].text, strlen(cases[i].text), &v);
        assert_int_equal(rc, cases[i].ok ? 0 : -1);
        if (cases[i].ok) assert_true(v == cases[i].v);
    }
}

/* The pair search: every miss is flagged with "wait.", a full search always
 * ends on the answer, a terse one stops early and then names an untried pair,
 * guess_check tries the guess first. */
static void pair_searches_try_pairs_until_one_fits(void **state) {
    Problem p = make("pair4", 3859, 14, WORLD_DIGITS);
    CotOptions o = cot_options(COT_FULL, WORLD_DIGITS);
    WorldRng r;
    world_rng_seed(&r, 1);
    char out[COT_MAX];
    CotResult res;
    cot_write(&p, &o, &r, out, sizeof out, &res);
    assert_string_equal(out, "3+8=11 wait. 3+5=08 wait. 3+9=12 wait. 8+5=13 wait. 8+9=17 wait. "
                             "5+9=14. so 5+9");
    assert_true(res.correct);
    assert_int_equal(res.waits, 5);
    assert_int_equal(res.steps, 6);

    Problem q = make("pair4", 3859, 14, WORLD_CIPHER);
    o = cot_options(COT_FULL, WORLD_CIPHER);
    Problem first = make("pair4", 3859, 11, WORLD_CIPHER);
    cot_write(&first, &o, &r, out, sizeof out, &res);
    assert_string_equal(out, "d+i=bb. so d+i");
    assert_int_equal(res.waits, 0);

    int lucky = 0, wrong = 0;
    o = cot_options(COT_TERSE, WORLD_DIGITS);
    for (int t = 0; t < 300; t++) {
        cot_write(&p, &o, &r, out, sizeof out, &res);
        assert_true(res.waits >= 1 && res.waits <= 5);
        assert_int_equal(res.steps, res.waits); /* the answer is the last pair */
        assert_null(strstr(out, "5+9=14"));     /* so it is never reached */
        const char *so = strstr(out, "so ");
        assert_non_null(so);
        /* The named pair is one the search did not try. */
        char tried[8];
        snprintf(tried, sizeof tried, "%.3s=", so + 3);
        assert_null(strstr(out, tried));
        lucky += res.correct;
        wrong += !res.correct;
    }
    /* Stopping after k of the 5 misses, a random one of the 6 - k untried pairs
     * is right: 1/(6-k) averaged over k = 1..5 is about 0.46. */
    assert_true(lucky > 100 && lucky < 175);
    assert_int_equal(lucky + wrong, 300);

    o = cot_options(COT_GUESS_CHECK, WORLD_DIGITS);
    o.guess_wrong_prob = 0.0;
    cot_write(&p, &o, &r, out, sizeof out, &res);
    assert_string_equal(out, "5+9=14. so 5+9");
    o.guess_wrong_prob = 1.0;
    for (int t = 0; t < 50; t++) {
        cot_write(&p, &o, &r, out, sizeof out, &res);
        assert_true(res.correct);
        assert_int_equal(res.steps, 6); /* the wrong guess, then the rest in order */
        assert_int_equal(res.waits, 5);
        assert_null(strstr(out + 7, "5+9=14 wait"));
    }
    o = cot_options(COT_GUESS, WORLD_CIPHER);
    cot_write(&q, &o, &r, out, sizeof out, &res);
    assert_string_equal(out, "guess f+j");
    assert_true(res.correct);
}

static void prefill_is_the_first_step(void **state) {
    static const struct {
        const char *spec;
        uint64_t a, b;
        WorldScript script;
        const char *text;
    } cases[] = {
        {"add3", 347, 589, WORLD_DIGITS, "7+9+0=16. "},
        {"add3", 347, 589, WORLD_CIPHER, "h+j+a=bg. "},
        {"sub3", 347, 189, WORLD_DIGITS, "17-9-0=08. "},
        {"mul1x3", 7, 347, WORLD_DIGITS, "7*7+0=49. "},
        {"pair4", 3859, 14, WORLD_DIGITS, "3+8=11"},
        {"pair4", 3859, 14, WORLD_CIPHER, "d+i=bb"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Problem p = make(cases[i].spec, cases[i].a, cases[i].b, WORLD_DIGITS);
        char out[32];
        assert_int_equal(cot_prefill(&p, cases[i].script, out, sizeof out), strlen(cases[i].text));
        assert_string_equal(out, cases[i].text);
    }
}

static void style_names_round_trip(void **state) {
    for (int s = 0; s < COT_NUM_STYLES; s++) {
        CotStyle back;
        assert_int_equal(cot_style_from_name(cot_style_name((CotStyle)s), &back), 0);
        assert_int_equal(back, s);
    }
    CotStyle x;
    assert_int_equal(cot_style_from_name("long", &x), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pads_have_the_documented_form),
        cmocka_unit_test(terse_pads_stop_early),
        cmocka_unit_test(every_pad_concludes_what_it_reports),
        cmocka_unit_test(slips_are_corrected_after_wait),
        cmocka_unit_test(checks_catch_first_pass_slips),
        cmocka_unit_test(wrong_guesses_differ_in_one_digit_and_check_fixes_them),
        cmocka_unit_test(mixing_puts_both_scripts_in_one_thought),
        cmocka_unit_test(pads_are_deterministic_per_seed),
        cmocka_unit_test(widest_pads_fit_and_small_buffers_are_reported),
        cmocka_unit_test(final_value_reads_the_last_so),
        cmocka_unit_test(pair_searches_try_pairs_until_one_fits),
        cmocka_unit_test(prefill_is_the_first_step),
        cmocka_unit_test(style_names_round_trip),
    };
    return cmocka_run_group_tests_name("world_cot", tests, NULL, NULL);
}
