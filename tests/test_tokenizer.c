#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "world/tokenizer.h"

static void round_trip_of_prompt_with_special_tokens(void **state) {
    const char *text = "<bos>user: 347+589? assistant: <think>7+9=16.</think><answer>936</answer>";
    int ids[256];
    int n = tok_encode(text, ids, 256, NULL);
    assert_true(n > 0);
    assert_int_equal(ids[0], TOK_BOS);
    char out[512];
    size_t len = tok_decode(ids, n, out, sizeof out);
    assert_int_equal(len, strlen(text));
    assert_string_equal(out, text);
}

static void every_id_decodes_to_text_that_encodes_back(void **state) {
    for (int id = 0; id < TOK_VOCAB_SIZE; id++) {
        const char *t = tok_text(id);
        assert_non_null(t);
        int back[16];
        assert_int_equal(tok_encode(t, back, 16, NULL), 1);
        assert_int_equal(back[0], id);
    }
    assert_null(tok_text(TOK_VOCAB_SIZE));
    assert_null(tok_text(-1));
}

static void unknown_character_is_reported_with_offset(void **state) {
    int ids[16];
    size_t off = 0;
    assert_int_equal(tok_encode("ab$c", ids, 16, &off), -1);
    assert_int_equal(off, 2);
    assert_int_equal(tok_encode("Abc", ids, 16, &off), -1);
    assert_int_equal(off, 0);
}

static void lone_angle_bracket_is_not_a_token(void **state) {
    int ids[16];
    size_t off = 0;
    assert_int_equal(tok_encode("<thin", ids, 16, &off), -1);
    assert_int_equal(off, 0);
}

static void decode_truncates_like_snprintf(void **state) {
    int ids[] = {TOK_THINK, TOK_BOS};
    char out[4];
    assert_int_equal(tok_decode(ids, 2, out, sizeof out), strlen("<think><bos>"));
    assert_string_equal(out, "<th");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_of_prompt_with_special_tokens),
        cmocka_unit_test(every_id_decodes_to_text_that_encodes_back),
        cmocka_unit_test(unknown_character_is_reported_with_offset),
        cmocka_unit_test(lone_angle_bracket_is_not_a_token),
        cmocka_unit_test(decode_truncates_like_snprintf),
    };
    return cmocka_run_group_tests_name("tokenizer", tests, NULL, NULL);
}
