#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "tui/canvas.h"
#include "tui/term.h"

static char buf[512];

static const char *row(const TuiCanvas *c, int y) {
    tui_canvas_row_utf8(c, y, buf, sizeof buf);
    return buf;
}

static void lines_meet_in_junctions_whatever_the_order(void **state) {
    TuiCanvas c;
    assert_int_equal(tui_canvas_init(&c, 5, 3, &tui_glyphs_utf8), 0);
    tui_canvas_line(&c, 2, 0, 2, 2, TUI_ROLE_EDGE); /* vertical first */
    tui_canvas_line(&c, 0, 1, 4, 1, TUI_ROLE_EDGE);
    assert_string_equal(row(&c, 0), "  │  ");
    assert_string_equal(row(&c, 1), "──┼──");
    tui_canvas_clear(&c);
    tui_canvas_box(&c, 0, 0, 5, 3, TUI_ROLE_BORDER);
    tui_canvas_line(&c, 2, 2, 2, 2, TUI_ROLE_EDGE); /* a lone stub is drawn */
    tui_canvas_line(&c, 2, 2, 2, 3, TUI_ROLE_EDGE); /* an edge leaving the bottom */
    assert_string_equal(row(&c, 0), "╭───╮");
    assert_string_equal(row(&c, 2), "╰─┬─╯");
    tui_canvas_free(&c);
    assert_int_equal(tui_canvas_init(&c, 5, 3, &tui_glyphs_ascii), 0);
    tui_canvas_box(&c, 0, 0, 5, 3, TUI_ROLE_BORDER);
    assert_string_equal(row(&c, 0), "+---+");
    assert_string_equal(row(&c, 1), "|   |");
    tui_canvas_free(&c);
}

static void text_wins_over_lines_but_blanks_do_not(void **state) {
    TuiCanvas c;
    assert_int_equal(tui_canvas_init(&c, 6, 1, &tui_glyphs_ascii), 0);
    tui_canvas_text(&c, 0, 0, "ab", -1, TUI_ROLE_TITLE, 0);
    tui_canvas_fill(&c, 2, 0, 4, 1, ' ', TUI_ROLE_DEFAULT);
    tui_canvas_line(&c, 0, 0, 5, 0, TUI_ROLE_EDGE);
    assert_string_equal(row(&c, 0), "ab----");
    assert_int_equal(tui_canvas_at(&c, 0, 0)->role, TUI_ROLE_TITLE);
    tui_canvas_free(&c);
}

static void long_text_is_cut_with_an_ellipsis(void **state) {
    TuiCanvas c;
    assert_int_equal(tui_canvas_init(&c, 8, 1, &tui_glyphs_utf8), 0);
    assert_int_equal(tui_canvas_text(&c, 0, 0, "cold-start-sft", 6, 0, 0), 6);
    assert_string_equal(row(&c, 0), "cold-…  ");
    tui_canvas_clear(&c);
    assert_int_equal(tui_canvas_text(&c, 0, 0, "sft", 3, 0, 0), 3);
    assert_string_equal(row(&c, 0), "sft     ");
    tui_canvas_free(&c);
}

static void wide_characters_take_two_cells(void **state) {
    TuiCanvas c;
    assert_int_equal(tui_canvas_init(&c, 6, 1, &tui_glyphs_utf8), 0);
    assert_int_equal(tui_text_width("语言x"), 5);
    assert_int_equal(tui_canvas_text(&c, 0, 0, "语言x", -1, 0, 0), 5);
    assert_string_equal(row(&c, 0), "语言x ");
    tui_canvas_put(&c, 1, 0, 'a', 0, 0); /* half of 语 overwritten */
    assert_string_equal(row(&c, 0), " a言x ");
    tui_canvas_free(&c);
}

static void clipping_drops_outside_cells(void **state) {
    TuiCanvas c;
    assert_int_equal(tui_canvas_init(&c, 6, 2, &tui_glyphs_ascii), 0);
    tui_canvas_clip(&c, 1, 0, 3, 1);
    tui_canvas_text(&c, -2, 0, "abcdefgh", -1, 0, 0);
    tui_canvas_line(&c, 0, 1, 5, 1, 0);
    assert_string_equal(row(&c, 0), " def  ");
    assert_string_equal(row(&c, 1), "      ");
    tui_canvas_unclip(&c);
    tui_canvas_put(&c, 9, 9, 'x', 0, 0); /* outside: ignored */
    assert_null(tui_canvas_at(&c, 9, 9));
    tui_canvas_free(&c);
}

static void utf8_round_trips_and_survives_bad_bytes(void **state) {
    const char *s = "a\xE2\x94\x80\xF0\x9F\x98\x80\xFF";
    assert_int_equal(tui_utf8_decode(&s), 'a');
    assert_int_equal(tui_utf8_decode(&s), 0x2500);
    assert_int_equal(tui_utf8_decode(&s), 0x1F600);
    assert_int_equal(tui_utf8_decode(&s), 0xFFFD);
    assert_int_equal(tui_utf8_decode(&s), 0);
    char b[4];
    assert_int_equal(tui_utf8_encode(0x28FF, b), 3);
    assert_memory_equal(b, "\xE2\xA3\xBF", 3);
    assert_true(tui_term_codeset_is_utf8("UTF-8"));
    assert_true(tui_term_codeset_is_utf8("utf8"));
    assert_false(tui_term_codeset_is_utf8("ANSI_X3.4-1968"));
    assert_false(tui_term_codeset_is_utf8(NULL));
}

static void themes_cover_every_role(void **state) {
    /* monochrome must still tell running, failed and selected apart */
    const TuiStyle *m = tui_theme_mono.role;
    assert_int_not_equal(m[TUI_ROLE_RUNNING].attr, m[TUI_ROLE_DONE].attr);
    assert_int_not_equal(m[TUI_ROLE_FAILED].attr, m[TUI_ROLE_RUNNING].attr);
    assert_int_not_equal(m[TUI_ROLE_SELECTED].attr, 0);
    for (int r = 0; r < TUI_ROLE_COUNT; r++) {
        assert_true(m[r].fg == -1 && m[r].bg == -1);
        assert_true(tui_theme_color.role[r].fg >= -1 && tui_theme_color.role[r].fg < 8);
    }
    for (int i = 1; i < 16; i++) {
        assert_int_not_equal(tui_glyphs_utf8.lines[i], 0);
        assert_true(tui_glyphs_ascii.lines[i] > 0 && tui_glyphs_ascii.lines[i] < 128);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lines_meet_in_junctions_whatever_the_order),
        cmocka_unit_test(text_wins_over_lines_but_blanks_do_not),
        cmocka_unit_test(long_text_is_cut_with_an_ellipsis),
        cmocka_unit_test(wide_characters_take_two_cells),
        cmocka_unit_test(clipping_drops_outside_cells),
        cmocka_unit_test(utf8_round_trips_and_survives_bad_bytes),
        cmocka_unit_test(themes_cover_every_role),
    };
    return cmocka_run_group_tests_name("tui_canvas", tests, NULL, NULL);
}
