/* The judge of curated pair searches: it accepts the whole search in the
 * prompt's script, for pair3 and pair4 and either script, and refuses a
 * give-up, a guess, a slip, pairs out of order, a second script and
 * anything after the hit, saying which try is wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "world/cot.h"
#include "world/cot_check.h"
#include "world/task.h"

static Problem make(const char *spec, uint64_t a, uint64_t b, WorldScript sc) {
    TaskSpec s;
    Problem p;
    assert_int_equal(task_spec_parse(spec, &s), 0);
    assert_int_equal(task_make(s, a, b, sc, &p), 0);
    return p;
}

static int judge(const Problem *p, WorldScript sc, const char *thought, char *why, size_t cap) {
    return cot_check_pair_search(p, sc, thought, strlen(thought), why, cap);
}

static void the_whole_search_is_accepted(void **state) {
    static const struct {
        const char *spec;
        uint64_t digits, target;
        WorldScript script;
        const char *thought;
    } cases[] = {
        {"pair4", 3859, 14, WORLD_DIGITS,
         "3+8=11 wait. 3+5=08 wait. 3+9=12 wait. 8+5=13 wait. 8+9=17 wait. 5+9=14. so 5+9"},
        {"pair4", 3859, 11, WORLD_DIGITS, "3+8=11. so 3+8"},
        {"pair4", 3859, 14, WORLD_CIPHER,
         "d+i=bb wait. d+f=ai wait. d+j=bc wait. i+f=bd wait. i+j=bh wait. f+j=be. so f+j"},
        {"pair3", 125, 7, WORLD_DIGITS, "1+2=03 wait. 1+5=06 wait. 2+5=07. so 2+5"},
        {"pair4", 47, 11, WORLD_DIGITS,
         "0+0=00 wait. 0+4=04 wait. 0+7=07 wait. 0+4=04 wait. "
         "0+7=07 wait. 4+7=11. so 4+7"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Problem p = make(cases[i].spec, cases[i].digits, cases[i].target, cases[i].script);
        char why[256] = "";
        if (judge(&p, cases[i].script, cases[i].thought, why, sizeof why) != 0)
            fail_msg("'%s' refused: %s", cases[i].thought, why);
    }
}

/* Whatever cot_write's full search writes passes, over many problems in
 * both scripts; the judge does not call the generator, so this ties the
 * two descriptions of a search together. */
static void full_searches_from_the_generator_pass(void **state) {
    TaskSpec spec = {TASK_PAIR, 4};
    WorldRng rng;
    world_rng_seed(&rng, 42);
    for (int n = 0; n < 400; n++) {
        WorldScript sc = n % 2 ? WORLD_CIPHER : WORLD_DIGITS;
        Problem p;
        assert_int_equal(task_generate(spec, sc, &rng, &p), 0);
        CotOptions o = cot_options(COT_FULL, sc);
        char thought[COT_MAX], why[256] = "";
        int len = cot_write(&p, &o, &rng, thought, sizeof thought, NULL);
        assert_true(len > 0);
        if (cot_check_pair_search(&p, sc, thought, (size_t)len, why, sizeof why) != 0)
            fail_msg("%s: '%s' refused: %s", p.prompt, thought, why);
    }
}

static void anything_else_is_refused_with_the_reason(void **state) {
    static const struct {
        const char *thought, *why;
    } cases[] = {
        {"", "stops after 0 tries"},
        {"3+8=11 wait. 3+5=08 wait. ", "stops after 2 tries"},
        {"3+8=11 wait. 3+5=08 wait. so 5+9", "try 3 should be '3+9=12'"},
        {"guess 5+9", "try 1 should be '3+8=11'"},
        {"5+9=14. so 5+9", "try 1 should be '3+8=11'"},
        {"3+8=12 wait. 3+5=08 wait. 3+9=12 wait. 8+5=13 wait. 8+9=17 wait. 5+9=14. so 5+9",
         "try 1 should be '3+8=11'"},
        {"3+8=11 wait. 3+5=8 wait.", "try 2 should be '3+5=08'"},
        {"3+8=11 wait. d+f=ai wait. 3+9=12 wait. 8+5=13 wait. 8+9=17 wait. 5+9=14. so 5+9",
         "try 2 should be '3+5=08'"},
        {"3+8=11. 3+5=08 wait.", "the miss '3+8=11' should be followed by ' wait. '"},
        {"3+8=11 wait. 3+5=08 wait. 3+9=12 wait. 8+5=13 wait. 8+9=17 wait. 5+9=14 wait.",
         "should end the thought with '. so 5+9'"},
        {"3+8=11 wait. 3+5=08 wait. 3+9=12 wait. 8+5=13 wait. 8+9=17 wait. 5+9=14. so 5+9. check",
         "should end the thought"},
        {"3+8=11 wait. 3+5=08 wait. 3+9=12 wait. 8+5=13 wait. 8+9=17 wait. 5+9=14. so 9+5",
         "should end the thought"},
    };
    Problem p = make("pair4", 3859, 14, WORLD_DIGITS);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char why[256] = "";
        if (judge(&p, WORLD_DIGITS, cases[i].thought, why, sizeof why) == 0)
            fail_msg("'%s' accepted", cases[i].thought);
        if (!strstr(why, cases[i].why))
            fail_msg("'%s': expected '%s' in: %s", cases[i].thought, cases[i].why, why);
    }
    /* a digit search is not a cipher search, nor an addition a search */
    char why[256];
    assert_int_equal(
        judge(&p, WORLD_CIPHER,
              "3+8=11 wait. 3+5=08 wait. 3+9=12 wait. 8+5=13 wait. 8+9=17 wait. 5+9=14. so 5+9",
              why, sizeof why),
        -1);
    assert_non_null(strstr(why, "cipher"));
    Problem add = make("add3", 347, 589, WORLD_DIGITS);
    assert_int_equal(judge(&add, WORLD_DIGITS, "so 936", why, sizeof why), -1);
    assert_non_null(strstr(why, "not a pair problem"));
}

/* The other styles of cot_write are what curated data must not hold. */
static void terse_and_guess_styles_are_refused(void **state) {
    static const CotStyle styles[] = {COT_TERSE, COT_GUESS, COT_GUESS_CHECK};
    TaskSpec spec = {TASK_PAIR, 4};
    WorldRng rng;
    world_rng_seed(&rng, 7);
    int refused[3] = {0}, tried = 200;
    for (int n = 0; n < tried; n++) {
        Problem p;
        assert_int_equal(task_generate(spec, WORLD_DIGITS, &rng, &p), 0);
        for (int s = 0; s < 3; s++) {
            CotOptions o = cot_options(styles[s], WORLD_DIGITS);
            char thought[COT_MAX], why[256];
            int len = cot_write(&p, &o, &rng, thought, sizeof thought, NULL);
            refused[s] +=
                cot_check_pair_search(&p, WORLD_DIGITS, thought, (size_t)len, why, sizeof why) != 0;
        }
    }
    /* a guess is never a search; terse and guess_check match a whole search
     * only when the pair happens to come where reading order puts it */
    assert_int_equal(refused[1], tried);
    assert_true(refused[0] > tried / 4 && refused[2] > tried / 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_whole_search_is_accepted),
        cmocka_unit_test(full_searches_from_the_generator_pass),
        cmocka_unit_test(anything_else_is_refused_with_the_reason),
        cmocka_unit_test(terse_and_guess_styles_are_refused),
    };
    return cmocka_run_group_tests_name("world_cot_check", tests, NULL, NULL);
}
