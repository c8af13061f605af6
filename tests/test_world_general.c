#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "world/cipher.h"
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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cipher_maps_digits_to_a_through_j),
        cmocka_unit_test(general_prompts_parse_to_their_answers),
        cmocka_unit_test(generated_items_are_deterministic_and_self_consistent),
        cmocka_unit_test(kind_names_round_trip),
    };
    return cmocka_run_group_tests_name("world_general", tests, NULL, NULL);
}
