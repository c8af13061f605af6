/* Preference pairs: each reason's rejection is worse in the way it says, the
 * chosen side is always right and courteous, lengths are matched except where
 * the rejection is meant to be longer, and the checker refuses pairs that
 * break its rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "world/completion.h"
#include "world/general.h"
#include "world/preference.h"
#include "world/tokenizer.h"

static int tokens(const char *s) {
    return tok_encode(s, NULL, 0, NULL);
}

static void reason_names_round_trip(void **state) {
    for (int r = 0; r < PREF_NUM_REASONS; r++) {
        PrefReason back;
        assert_int_equal(pref_reason_from_name(pref_reason_name((PrefReason)r), &back), 0);
        assert_int_equal(back, r);
    }
    PrefReason x;
    assert_int_equal(pref_reason_from_name("rude", &x), -1);
    assert_string_equal(pref_reason_name(PREF_LONGER_WRONG), "longer_wrong");
}

static void generated_pairs_pass_the_checker(void **state) {
    WorldRng rng, again;
    world_rng_seed(&rng, 21);
    world_rng_seed(&again, 21);
    double chosen[PREF_NUM_REASONS] = {0}, rejected[PREF_NUM_REASONS] = {0};
    int n[PREF_NUM_REASONS] = {0};
    for (int i = 0; i < 4000; i++) {
        GeneralItem it, it2;
        general_generate_any(&rng, &it);
        general_generate_any(&again, &it2);
        PrefReason why = (PrefReason)(i % PREF_NUM_REASONS);
        PrefPair p, p2;
        assert_int_equal(pref_generate(&it, why, 80, &rng, &p), 0);
        assert_int_equal(pref_generate(&it2, why, 80, &again, &p2), 0);
        assert_string_equal(p.chosen, p2.chosen);
        assert_string_equal(p.rejected, p2.rejected);
        char err[256] = "";
        if (pref_check(&it, why, p.chosen, p.rejected, err, sizeof err) != 0)
            fail_msg("%s %s: %s | %s: %s", it.prompt, pref_reason_name(why), p.chosen, p.rejected,
                     err);
        assert_true(general_helpful(&it, p.chosen));
        assert_false(general_helpful(&it, p.rejected));
        int tc = tokens(p.chosen), tr = tokens(p.rejected);
        assert_true(tc > 0 && tc <= 80 && tr > 0 && tr <= 80);
        /* the answer alone tells them apart, except that a rambling one holds
         * the right answer after its filler */
        CompletionParts c, r;
        completion_parse(p.chosen, &c);
        completion_parse(p.rejected, &r);
        assert_true(general_verify_span(&it, c.answer, c.answer_len));
        assert_false(general_verify_span(&it, r.answer, r.answer_len));
        assert_int_equal(pref_answer_rambles(&it, r.answer, r.answer_len), why == PREF_RAMBLING);
        chosen[why] += tc;
        rejected[why] += tr;
        n[why]++;
    }
    /* matched in distribution, or clearly longer for longer_wrong */
    for (int k = 0; k < PREF_NUM_REASONS; k++) {
        double gap = (rejected[k] - chosen[k]) / n[k];
        if (k == PREF_LONGER_WRONG ? gap < PREF_LONGER_MARGIN : gap < -1.5 || gap > 1.5)
            fail_msg("%s: rejected is %.1f tokens longer on average", pref_reason_name(k), gap);
    }
}

static void a_budget_too_small_is_refused(void **state) {
    GeneralItem it;
    general_parse_prompt("who are you?", &it);
    WorldRng rng;
    world_rng_seed(&rng, 1);
    PrefPair p;
    for (int r = 0; r < PREF_NUM_REASONS; r++)
        assert_int_equal(pref_generate(&it, (PrefReason)r, 12, &rng, &p), -1);
    assert_int_equal(pref_generate(&it, PREF_WRONG, 40, &rng, &p), 0);
    assert_true(tokens(p.chosen) <= 40 && tokens(p.rejected) <= 40);
}

static void rambling_is_filler_then_the_right_answer(void **state) {
    GeneralItem it;
    general_parse_prompt("copy: plan?", &it);
    static const struct {
        const char *answer;
        int rambles;
    } cases[] = {
        {"by the way, cats nap. plan", 1},
        {"one two three plan", 1},
        {"one two plan", 0},        /* too little filler */
        {"one two three plan.", 0}, /* not the right answer at the end */
        {"one two threeplan", 0},   /* not a word of its own */
        {"plan one two three", 0},  /* the answer first is not buried */
        {"plan", 0},
        {"", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (pref_answer_rambles(&it, cases[i].answer, strlen(cases[i].answer)) != cases[i].rambles)
            fail_msg("'%s' should%s ramble", cases[i].answer, cases[i].rambles ? "" : " not");
    assert_true(pref_is_refusal("", 0));
    assert_true(pref_is_refusal("i do not know.", 14));
    assert_false(pref_is_refusal("plan", 4));
    assert_true(pref_is_courteous("sure.", 5));
    assert_false(pref_is_courteous("", 0));
    assert_false(pref_is_courteous("whatever.", 9));
}

static void pairs_that_break_the_rules_are_refused(void **state) {
    GeneralItem it;
    general_parse_prompt("reverse: plan?", &it);
    static const struct {
        PrefReason why;
        const char *chosen, *rejected, *expect;
    } cases[] = {
        /* accepted, one of each reason */
        {PREF_WRONG, "sure.</think><answer>nalp</answer><eos>",
         "sure.</think><answer>plan</answer><eos>", NULL},
        {PREF_UNHELPFUL, "sure.</think><answer>nalp</answer><eos>",
         "</think><answer>i do not know.</answer><eos>", NULL},
        {PREF_UNHELPFUL, "sure.</think><answer>nalp</answer><eos>",
         "i do not know.</think><answer></answer><eos>", NULL},
        {PREF_RAMBLING, "sure, here it is.</think><answer>nalp</answer><eos>",
         "sure.</think><answer>by the way, cats nap. nalp</answer><eos>", NULL},
        {PREF_LONGER_WRONG, "sure.</think><answer>nalp</answer><eos>",
         "sure, here it is.</think><answer>nalp plan</answer><eos>", NULL},
        /* the chosen side */
        {PREF_WRONG, "sure.</think><answer>lpan</answer><eos>",
         "sure.</think><answer>plan</answer><eos>", "chosen answers 'lpan'"},
        {PREF_WRONG, "</think><answer>nalp</answer><eos>",
         "sure.</think><answer>plan</answer><eos>", "chosen thought '' is not a courtesy"},
        {PREF_WRONG, "sure.</think><answer>nalp</answer>",
         "sure.</think><answer>plan</answer><eos>", "chosen is not"},
        /* the rejected side */
        {PREF_WRONG, "sure.</think><answer>nalp</answer><eos>",
         "of course.</think><answer>nalp</answer><eos>", "which is right"},
        {PREF_WRONG, "sure.</think><answer>nalp</answer><eos>",
         "sure.</think><answer>no.</answer><eos>", "a refusal, not a wrong answer"},
        {PREF_WRONG, "sure.</think><answer>nalp</answer><eos>",
         "sure.</think><answer></answer><eos>", "rejected is not one thought"},
        {PREF_WRONG, "sure.</think><answer>nalp</answer><eos>",
         "hmm.</think><answer>plan</answer><eos>", "rejected thought 'hmm.'"},
        {PREF_UNHELPFUL, "sure.</think><answer>nalp</answer><eos>",
         "sure.</think><answer>plan</answer><eos>", "neither empty nor a refusal"},
        {PREF_UNHELPFUL, "sure.</think><answer>nalp</answer><eos>",
         "sure.</think><answer></answer> ok<eos>", "rejected is not one thought"},
        {PREF_RAMBLING, "sure.</think><answer>nalp</answer><eos>",
         "sure.</think><answer>well. nalp</answer><eos>", "not filler of 3 or more words"},
        {PREF_RAMBLING, "sure.</think><answer>nalp</answer><eos>",
         "sure.</think><answer>nalp</answer> by the way, cats nap.<eos>", "rejected is not"},
        {PREF_LONGER_WRONG, "sure.</think><answer>nalp</answer><eos>",
         "sure, here it is.</think><answer>nalx</answer><eos>", "is not longer than"},
        {PREF_LONGER_WRONG, "happy to help.</think><answer>nalp</answer><eos>",
         "here it is.</think><answer>nalpp</answer><eos>", "is not 8 tokens longer"},
        {PREF_LONGER_WRONG, "sure.</think><answer>nalp</answer><eos>",
         "sure, here it is.</think><answer>one two three nalp</answer><eos>",
         "rambling, not a wrong answer"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char why[256] = "";
        int rc = pref_check(&it, cases[i].why, cases[i].chosen, cases[i].rejected, why, sizeof why);
        if (!cases[i].expect) {
            if (rc != 0) fail_msg("case %zu refused: %s", i, why);
            continue;
        }
        if (rc != -1) fail_msg("case %zu accepted", i);
        if (!strstr(why, cases[i].expect))
            fail_msg("case %zu: expected '%s' in: %s", i, cases[i].expect, why);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reason_names_round_trip),
        cmocka_unit_test(generated_pairs_pass_the_checker),
        cmocka_unit_test(a_budget_too_small_is_refused),
        cmocka_unit_test(rambling_is_filler_then_the_right_answer),
        cmocka_unit_test(pairs_that_break_the_rules_are_refused),
    };
    return cmocka_run_group_tests_name("world_preference", tests, NULL, NULL);
}
