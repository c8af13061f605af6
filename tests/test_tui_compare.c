/* The compare screen drawn on a canvas: the header names the panel and its
 * place, the legend a line per grid point in its series' colour, the chart
 * the curves; the keys step through the panels and leave. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tui/compare.h"

static void row_text(const TuiCanvas *c, int y, char *buf, size_t cap) {
    tui_canvas_row_utf8(c, y, buf, cap);
}

static void panel_with_legend(void **state) {
    (void)state;
    TuiCanvas c;
    assert_int_equal(tui_canvas_init(&c, 60, 16, &tui_glyphs_utf8), 0);
    const float a[] = {0.1f, 0.2f, 0.4f, NAN, 0.8f}, b[] = {0.1f, 0.1f, 0.2f, 0.2f, 0.3f};
    const TuiChartSeries s[] = {{"beta=0", a, 5, 1, TUI_ROLE_SERIES0},
                                {"beta=0.4", b, 5, 1, TUI_ROLE_SERIES1}};
    const TuiComparePanel panels[] = {{"r1-zero: accuracy", s, 2}, {"r1-zero: kl", s, 1}};
    tui_compare_draw(&c, "runs/sweep-beta", panels, 2, 0);
    char row[512];
    row_text(&c, 0, row, sizeof row);
    assert_non_null(strstr(row, "runs/sweep-beta  [1/2] r1-zero: accuracy"));
    row_text(&c, 13, row, sizeof row);
    assert_non_null(strstr(row, "beta=0"));
    assert_int_equal(tui_canvas_at(&c, 2, 13)->role, TUI_ROLE_SERIES0);
    row_text(&c, 14, row, sizeof row);
    assert_non_null(strstr(row, "beta=0.4"));
    assert_int_equal(tui_canvas_at(&c, 2, 14)->role, TUI_ROLE_SERIES1);
    row_text(&c, 15, row, sizeof row);
    assert_non_null(strstr(row, "q: quit"));
    /* some dot of the first curve is drawn in the chart's rows */
    int dots = 0;
    for (int y = 1; y < 13; y++)
        for (int x = 0; x < 60; x++) dots += tui_canvas_at(&c, x, y)->role == TUI_ROLE_SERIES0;
    assert_true(dots > 0);
    tui_compare_draw(&c, "runs/sweep-beta", panels, 2, 1);
    row_text(&c, 0, row, sizeof row);
    assert_non_null(strstr(row, "[2/2] r1-zero: kl"));
    tui_canvas_free(&c);
}

static void keys_step_and_leave(void **state) {
    (void)state;
    assert_int_equal(tui_compare_key(0, 3, TUI_KEY_RIGHT), 1);
    assert_int_equal(tui_compare_key(2, 3, TUI_KEY_TAB), 0);
    assert_int_equal(tui_compare_key(0, 3, TUI_KEY_LEFT), 2);
    assert_int_equal(tui_compare_key(1, 3, TUI_KEY_END), 2);
    assert_int_equal(tui_compare_key(2, 3, TUI_KEY_HOME), 0);
    assert_int_equal(tui_compare_key(1, 3, 'x'), 1);
    assert_int_equal(tui_compare_key(1, 3, 'q'), -1);
    assert_int_equal(tui_compare_key(1, 3, TUI_KEY_ESC), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(panel_with_legend),
        cmocka_unit_test(keys_step_and_leave),
    };
    return cmocka_run_group_tests_name("tui_compare", tests, NULL, NULL);
}
