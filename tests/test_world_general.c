#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "world/cipher.h"
#include "world/completion.h"
#include "world/general.h"
#include "world/tokenizer.h"

static int encodes(const char *text) {
    int ids[256];
    return tok_encode(text, ids, 256, NULL) >= 0;
}

static void cipher_maps_digits_to_a_through_j(void **state) {
    char out[32];
    assert_int_equal(cipher_translate("347+589=936", WORLD_CIPHER, out, sizeof out), 11);
    assert_string_equal(out, "deh+fij=jdg");
    cipher_translate("deh+fij=jdg so", WORLD_DIGITS, out, sizeof out);
    assert_string_equal(out, "347+589=936 so");
    assert_int_equal(cipher_translate("0123456789", WORLD_CIPHER, out, 4), 10);
    assert_string_equal(out, "abc");
    WorldScript s;
    assert_int_equal(cipher_char_digit('j', &s), 9);
    assert_int_equal(s, WORLD_CIPHER);
    assert_int_equal(cipher_char_digit('0', &s), 0);
    assert_int_equal(s, WORLD_DIGITS);
    assert_int_equal(cipher_char_digit('k', &s), -1);
    assert_int_equal(cipher_script_from_name("cipher", &s), 0);
    assert_int_equal(s, WORLD_CIPHER);
    assert_string_equal(cipher_script_name(WORLD_DIGITS), "digits");
    assert_int_equal(cipher_script_from_name("latin", &s), -1);
}

static void general_prompts_parse_to_their_answers(void **state) {
    static const struct {
        const char *prompt;
        int ok;
        GeneralKind kind;
        const char *answer;
    } cases[] = {
        {"copy: plan?", 1, GEN_COPY, "plan"},
        {"reverse: plan?", 1, GEN_REVERSE, "nalp"},
        {"reverse: a?", 1, GEN_REVERSE, "a"},
        {"cipher: 347?", 1, GEN_TO_CIPHER, "deh"},
        {"cipher: 007?", 1, GEN_TO_CIPHER, "aah"},
        {"digits: deh?", 1, GEN_TO_DIGITS, "347"},
        {"who are you?", 1, GEN_IDENTITY, "i am r1sim."},
        {"what is your name?", 1, GEN_IDENTITY, "i am r1sim."},
        {"copy: ?", 0, 0, ""},
        {"copy: plan", 0, 0, ""},
        {"copy: pl4n?", 0, 0, ""},
        {"cipher: deh?", 0, 0, ""},
        {"digits: 347?", 0, 0, ""},
        {"digits: dek?", 0, 0, ""},
        {"copy: abcdefghijklm?", 0, 0, ""},
        {"tell me who you are?", 1, GEN_IDENTITY, "i am r1sim."},
        {"who are you", 0, 0, ""},
        {"347+589?", 0, 0, ""},
        {"", 0, 0, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        GeneralItem it;
        int rc = general_parse_prompt(cases[i].prompt, &it);
        assert_int_equal(rc, cases[i].ok ? 0 : -1);
        if (!cases[i].ok) continue;
        assert_int_equal(it.kind, cases[i].kind);
        assert_string_equal(it.answer, cases[i].answer);
        assert_int_equal(general_verify(&it, cases[i].answer), 1);
        assert_int_equal(general_verify(&it, ""), 0);
        assert_int_equal(general_verify_span(&it, cases[i].answer, strlen(cases[i].answer)), 1);
    }
}

static void generated_items_are_deterministic_and_self_consistent(void **state) {
    WorldRng a, b;
    world_rng_seed(&a, 3);
    world_rng_seed(&b, 3);
    int seen[GEN_NUM_KINDS] = {0};
    for (int i = 0; i < 1000; i++) {
        GeneralItem x, y, back;
        general_generate_any(&a, &x);
        general_generate_any(&b, &y);
        assert_string_equal(x.prompt, y.prompt);
        assert_string_equal(x.answer, y.answer);
        seen[x.kind]++;
        assert_true(encodes(x.prompt));
        assert_true(encodes(x.answer));
        assert_int_equal(general_parse_prompt(x.prompt, &back), 0);
        assert_int_equal(back.kind, x.kind);
        assert_string_equal(back.answer, x.answer);
        assert_true(general_verify(&x, x.answer));
    }
    for (int k = 0; k < GEN_NUM_KINDS; k++) assert_true(seen[k] > 150);
}

static void kind_names_round_trip(void **state) {
    for (int k = 0; k < GEN_NUM_KINDS; k++) {
        GeneralKind back;
        assert_int_equal(general_kind_from_name(general_kind_name((GeneralKind)k), &back), 0);
        assert_int_equal(back, k);
    }
    GeneralKind x;
    assert_int_equal(general_kind_from_name("poem", &x), -1);
}

/* Held-out items are new questions: no copy, reverse or identity prompt of
 * theirs is one general_generate draws, and each parses back to its answer. */
static void heldout_items_ask_new_questions(void **state) {
    enum { N = 4000 };
    static char train[N][GENERAL_TEXT_MAX];
    WorldRng rng;
    world_rng_seed(&rng, 11);
    for (int i = 0; i < N; i++) {
        GeneralItem it;
        general_generate_any(&rng, &it);
        strcpy(train[i], it.prompt);
    }
    WorldRng a, b;
    world_rng_seed(&a, 12);
    world_rng_seed(&b, 12);
    int seen[GEN_NUM_KINDS] = {0};
    for (int i = 0; i < 1000; i++) {
        GeneralItem x, y, back;
        general_generate_heldout_any(&a, &x);
        general_generate_heldout_any(&b, &y);
        assert_string_equal(x.prompt, y.prompt);
        seen[x.kind]++;
        assert_true(encodes(x.prompt));
        assert_int_equal(general_parse_prompt(x.prompt, &back), 0);
        assert_int_equal(back.kind, x.kind);
        assert_string_equal(back.answer, x.answer);
        if (x.kind == GEN_TO_CIPHER || x.kind == GEN_TO_DIGITS) continue;
        for (int j = 0; j < N; j++)
            if (strcmp(train[j], x.prompt) == 0)
                fail_msg("held-out '%s' is a train prompt", x.prompt);
    }
    for (int k = 0; k < GEN_NUM_KINDS; k++) assert_true(seen[k] > 150);
}

/* Varied items are general_generate's questions with invented copy and
 * reverse arguments most of the time and twelve identity phrasings:
 * deterministic, parseable back to their answers, never a held-out
 * question, and mostly not a built-in word. */
static void varied_items_invent_words_but_never_heldout_ones(void **state) {
    enum { N = 3000 };
    static char heldout[N][GENERAL_TEXT_MAX];
    WorldRng h;
    world_rng_seed(&h, 3);
    for (int i = 0; i < N; i++) {
        GeneralItem it;
        general_generate_heldout_any(&h, &it);
        strcpy(heldout[i], it.prompt);
    }
    static char builtin[N][GENERAL_TEXT_MAX];
    WorldRng t;
    world_rng_seed(&t, 4);
    for (int i = 0; i < N; i++) {
        GeneralItem it;
        general_generate_any(&t, &it);
        strcpy(builtin[i], it.prompt);
    }
    WorldRng a, b;
    world_rng_seed(&a, 21);
    world_rng_seed(&b, 21);
    int words = 0, invented = 0, seen[GEN_NUM_KINDS] = {0}, identities = 0;
    char identity[32][GENERAL_TEXT_MAX];
    for (int i = 0; i < 2000; i++) {
        GeneralItem x, y, back;
        general_generate_varied_any(&a, &x);
        general_generate_varied_any(&b, &y);
        assert_string_equal(x.prompt, y.prompt);
        seen[x.kind]++;
        assert_int_equal(general_parse_prompt(x.prompt, &back), 0);
        assert_int_equal(back.kind, x.kind);
        assert_string_equal(back.answer, x.answer);
        if (x.kind == GEN_TO_CIPHER || x.kind == GEN_TO_DIGITS) continue;
        for (int j = 0; j < N; j++)
            if (strcmp(heldout[j], x.prompt) == 0)
                fail_msg("varied '%s' is a held-out question", x.prompt);
        if (x.kind == GEN_IDENTITY) {
            int k = 0;
            while (k < identities && strcmp(identity[k], x.prompt) != 0) k++;
            if (k == identities && identities < 32) strcpy(identity[identities++], x.prompt);
            continue;
        }
        size_t n = strlen(x.answer);
        assert_true(n >= GENERAL_INVENTED_MIN && n <= GENERAL_INVENTED_MAX);
        int listed = 0;
        for (int j = 0; j < N && !listed; j++) listed = strcmp(builtin[j], x.prompt) == 0;
        listed ? words++ : invented++;
    }
    for (int k = 0; k < GEN_NUM_KINDS; k++) assert_true(seen[k] > 300);
    /* seven in ten invented (a few invented strings are words by chance) */
    assert_true(invented > 2 * words);
    assert_true(words > 0);
    assert_int_equal(identities, 12); /* the corpus's three and nine more */
}

/* Items the generators draw, plus the awkward ones a prompt may hold. */
static void for_each_item(void (*fn)(const GeneralItem *, WorldRng *)) {
    static const char *const odd[] = {"reverse: noon?", "reverse: a?", "copy: a?",
                                      "copy: aaaa?",    "cipher: 7?",  "digits: bb?",
                                      "cipher: 000000?"};
    WorldRng rng;
    world_rng_seed(&rng, 5);
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        GeneralItem it;
        assert_int_equal(general_parse_prompt(odd[i], &it), 0);
        for (int r = 0; r < 50; r++) fn(&it, &rng);
    }
    for (int i = 0; i < 3000; i++) {
        GeneralItem it;
        if (i % 3 == 0)
            general_generate_heldout_any(&rng, &it);
        else if (i % 3 == 1)
            general_generate_varied_any(&rng, &it);
        else
            general_generate_any(&rng, &it);
        fn(&it, &rng);
    }
}

/* Every character of s is one the kind's right answers use. */
static int in_answer_alphabet(const GeneralItem *it, const char *s) {
    if (it->kind == GEN_IDENTITY) return encodes(s);
    for (; *s; s++) {
        WorldScript sc;
        int d = cipher_char_digit(*s, &sc);
        int ok = it->kind == GEN_TO_CIPHER   ? d >= 0 && sc == WORLD_CIPHER
                 : it->kind == GEN_TO_DIGITS ? d >= 0 && sc == WORLD_DIGITS
                                             : (*s >= 'a' && *s <= 'z') || *s == ' ';
        if (!ok) return 0;
    }
    return 1;
}

static void check_wrong(const GeneralItem *it, WorldRng *rng) {
    char w[GENERAL_TEXT_MAX];
    general_wrong_answer(it, rng, w);
    if (general_verify(it, w) || !*w) fail_msg("'%s': wrong answer '%s'", it->prompt, w);
    if (!in_answer_alphabet(it, w)) fail_msg("'%s': '%s' leaves the alphabet", it->prompt, w);
    int d = (int)strlen(w) - (int)strlen(it->answer);
    /* a slip, a swap, a dropped or doubled letter; names differ by a few */
    if (d < (it->kind == GEN_IDENTITY ? -3 : -1) || d > 1)
        fail_msg("'%s': '%s' is not about as long as '%s'", it->prompt, w, it->answer);
}

static void check_longer_wrong(const GeneralItem *it, WorldRng *rng) {
    char w[GENERAL_TEXT_MAX];
    general_longer_wrong_answer(it, rng, w);
    if (general_verify(it, w)) fail_msg("'%s': right answer '%s'", it->prompt, w);
    if (strlen(w) <= strlen(it->answer))
        fail_msg("'%s': '%s' is not longer than '%s'", it->prompt, w, it->answer);
    if (!in_answer_alphabet(it, w)) fail_msg("'%s': '%s' leaves the alphabet", it->prompt, w);
}

static void wrong_answers_are_wrong_and_plausible(void **state) {
    for_each_item(check_wrong);
    for_each_item(check_longer_wrong);
    /* the same stream gives the same mistakes */
    GeneralItem it;
    general_parse_prompt("reverse: plan?", &it);
    WorldRng a, b;
    world_rng_seed(&a, 9);
    world_rng_seed(&b, 9);
    int unreversed = 0;
    for (int i = 0; i < 200; i++) {
        char x[GENERAL_TEXT_MAX], y[GENERAL_TEXT_MAX];
        general_wrong_answer(&it, &a, x);
        general_wrong_answer(&it, &b, y);
        assert_string_equal(x, y);
        unreversed += strcmp(x, "plan") == 0;
    }
    assert_true(unreversed > 20); /* the mistake most like the task: not reversing */
}

static void helpful_means_well_formed_and_exactly_right(void **state) {
    GeneralItem it;
    assert_int_equal(general_parse_prompt("reverse: plan?", &it), 0);
    static const struct {
        const char *completion;
        int helpful;
    } cases[] = {
        {"sure.</think><answer>nalp</answer><eos>", 1},
        {"</think><answer>nalp</answer>", 1},
        {"<think>here it is.</think>\n<answer>nalp</answer><eos><pad>", 1},
        {"sure.</think><answer>lpan</answer><eos>", 0},
        {"sure.</think><answer>plan</answer><eos>", 0},
        {"sure.</think><answer>by the way, cats nap. nalp</answer><eos>", 0},
        {"sure.</think><answer>nalp nalp</answer><eos>", 0},
        {"sure.</think><answer></answer><eos>", 0},
        {"sure.</think><answer>i do not know.</answer><eos>", 0},
        {"</think>nalp<eos>", 0},                           /* no answer tags */
        {"</think><answer>nalp</answer> and more<eos>", 0}, /* text after the answer */
        {"</think><answer>nalp", 0},
        {"", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (general_helpful(&it, cases[i].completion) != cases[i].helpful)
            fail_msg("'%s' should be %s", cases[i].completion,
                     cases[i].helpful ? "helpful" : "unhelpful");
    assert_int_equal(general_helpful(&it, NULL), 0);
    /* the accuracy reading, by contrast, takes the untagged answer */
    CompletionParts p;
    completion_parse("</think>nalp<eos>", &p);
    assert_true(general_verify_span(&it, p.answer, p.answer_len));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cipher_maps_digits_to_a_through_j),
        cmocka_unit_test(general_prompts_parse_to_their_answers),
        cmocka_unit_test(generated_items_are_deterministic_and_self_consistent),
        cmocka_unit_test(kind_names_round_trip),
        cmocka_unit_test(heldout_items_ask_new_questions),
        cmocka_unit_test(varied_items_invent_words_but_never_heldout_ones),
        cmocka_unit_test(wrong_answers_are_wrong_and_plausible),
        cmocka_unit_test(helpful_means_well_formed_and_exactly_right),
    };
    return cmocka_run_group_tests_name("world_general", tests, NULL, NULL);
}
