#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tui/chart.h"

/* Braille cells are checked as the dots they must hold: column 0 of a cell is
 * dots 1,2,3,7 top to bottom, column 1 dots 4,5,6,8. */

static char row[1024];

static const char *row_of(const TuiCanvas *c, int y) {
    tui_canvas_row_utf8(c, y, row, sizeof row);
    return row;
}

static void plot(TuiCanvas *c, const TuiGlyphs *g, int w, int h, const float *v, int n, float lo,
                 float hi) {
    assert_int_equal(tui_canvas_init(c, w, h, g), 0);
    TuiChartSeries s = {"x", v, n, 0, TUI_ROLE_SERIES0};
    tui_chart_plot(c, 0, 0, w, h, &s, 1, lo, hi);
}

static void rising_line_two_samples_per_cell(void **state) {
    TuiCanvas c;
    const float v[] = {0, 1, 2, 3};
    plot(&c, &tui_glyphs_utf8, 2, 1, v, 4, 0, 3);
    /* levels 0,1 in cell 0 (dots 7 and 6), levels 2,3 in cell 1 (dots 2 and 4) */
    assert_string_equal(row_of(&c, 0), "\u2860\u280A");
    assert_int_equal(tui_canvas_at(&c, 0, 0)->role, TUI_ROLE_SERIES0);
    tui_canvas_free(&c);
}

static void jumps_are_filled_across_cells(void **state) {
    TuiCanvas c;
    const float v[] = {0, 7};
    plot(&c, &tui_glyphs_utf8, 1, 2, v, 2, 0, 7);
    assert_string_equal(row_of(&c, 0), "\u28B8"); /* right column full */
    assert_string_equal(row_of(&c, 1), "\u2878"); /* dot 7, then dots 6 5 4 */
    tui_canvas_free(&c);
}

static void nan_is_a_gap(void **state) {
    TuiCanvas c;
    const float v[] = {0, NAN, 3, 3};
    plot(&c, &tui_glyphs_utf8, 2, 1, v, 4, 0, 3);
    assert_string_equal(row_of(&c, 0), "\u2840\u2809");
    tui_canvas_free(&c);
}

static void long_histories_are_averaged(void **state) {
    TuiCanvas c;
    const float v[] = {0, 0, 1, 1, 2, 2, 3, 3};
    plot(&c, &tui_glyphs_utf8, 2, 1, v, 8, 0, 3);
    assert_string_equal(row_of(&c, 0), "\u2860\u280A");
    tui_canvas_free(&c);
}

static void ascii_draws_one_point_per_cell(void **state) {
    TuiCanvas c;
    const float v[] = {0, 1, 2, 3};
    plot(&c, &tui_glyphs_ascii, 4, 3, v, 4, 0, 3);
    assert_string_equal(row_of(&c, 0), "   *");
    assert_string_equal(row_of(&c, 1), " ** ");
    assert_string_equal(row_of(&c, 2), "*   ");
    tui_canvas_free(&c);
}

static void autoscale_skips_nan_and_pads_flat_series(void **state) {
    const float a[] = {NAN, 2, -1, INFINITY}, b[] = {5, NAN};
    TuiChartSeries s[2] = {{"a", a, 4, 0, TUI_ROLE_SERIES0}, {"b", b, 2, 10, TUI_ROLE_SERIES1}};
    float lo, hi;
    assert_true(tui_chart_range(s, 2, &lo, &hi));
    assert_float_equal(lo, -1, 0);
    assert_float_equal(hi, 5, 0);
    assert_true(tui_chart_range(&s[1], 1, &lo, &hi));
    assert_float_equal(lo, 4.5, 1e-6);
    assert_float_equal(hi, 5.5, 1e-6);
    const float z[] = {0};
    TuiChartSeries zs = {"z", z, 1, 0, TUI_ROLE_SERIES0};
    assert_true(tui_chart_range(&zs, 1, &lo, &hi));
    assert_float_equal(lo, -0.5, 0);
    assert_float_equal(hi, 0.5, 0);
    TuiChartSeries none = {"n", b + 1, 1, 0, TUI_ROLE_SERIES0};
    assert_false(tui_chart_range(&none, 1, &lo, &hi));
    assert_false(tui_chart_range(NULL, 0, &lo, &hi));
}

static void single_point_sits_mid_height(void **state) {
    TuiCanvas c;
    const float v[] = {5};
    assert_int_equal(tui_canvas_init(&c, 1, 1, &tui_glyphs_utf8), 0);
    TuiChartSeries s = {"x", v, 1, 0, TUI_ROLE_SERIES0};
    float lo, hi;
    tui_chart_range(&s, 1, &lo, &hi);
    tui_chart_plot(&c, 0, 0, 1, 1, &s, 1, lo, hi);
    assert_string_equal(row_of(&c, 0), "\u2802"); /* dot 2: level 2 of 0..3 */
    tui_canvas_free(&c);
}

static void whole_chart_has_labels_and_axis(void **state) {
    TuiCanvas c;
    assert_int_equal(tui_canvas_init(&c, 24, 5, &tui_glyphs_ascii), 0);
    float acc[20], kl[20];
    for (int i = 0; i < 20; i++) acc[i] = 0.2f + 0.03f * (float)i, kl[i] = NAN;
    kl[19] = 0.25f;
    TuiChartSeries s[2] = {{"acc", acc, 20, 100, TUI_ROLE_SERIES0},
                           {"kl", kl, 20, 100, TUI_ROLE_SERIES1}};
    TuiChart ch = {"grpo", s, 2, false, 0, 0};
    tui_chart_draw(&c, 0, 0, 24, 5, &ch);
    assert_string_equal(row_of(&c, 0), "grpo * acc + kl         ");
    /* 20 steps in 19 columns: averaged; kl only at its last step */
    assert_string_equal(row_of(&c, 1), "0.77|              *****");
    assert_string_equal(row_of(&c, 2), "    |    **********     ");
    assert_string_equal(row_of(&c, 3), " 0.2|****              +");
    assert_string_equal(row_of(&c, 4), "    +100        step 119");
    tui_canvas_free(&c);
}

static void empty_chart_says_so(void **state) {
    TuiCanvas c;
    assert_int_equal(tui_canvas_init(&c, 20, 4, &tui_glyphs_utf8), 0);
    TuiChartSeries s = {"loss", NULL, 0, 0, TUI_ROLE_SERIES0};
    TuiChart ch = {"loss", &s, 1, false, 0, 0};
    tui_chart_draw(&c, 0, 0, 20, 4, &ch);
    assert_non_null(strstr(row_of(&c, 1), "no data yet"));
    tui_canvas_clear(&c);
    tui_chart_draw(&c, 0, 0, 20, 4, &(TuiChart){"loss", NULL, 0, false, 0, 0});
    assert_non_null(strstr(row_of(&c, 1), "no data yet"));
    tui_canvas_free(&c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rising_line_two_samples_per_cell),
        cmocka_unit_test(jumps_are_filled_across_cells),
        cmocka_unit_test(nan_is_a_gap),
        cmocka_unit_test(long_histories_are_averaged),
        cmocka_unit_test(ascii_draws_one_point_per_cell),
        cmocka_unit_test(autoscale_skips_nan_and_pads_flat_series),
        cmocka_unit_test(single_point_sits_mid_height),
        cmocka_unit_test(whole_chart_has_labels_and_axis),
        cmocka_unit_test(empty_chart_says_so),
    };
    return cmocka_run_group_tests_name("tui_chart", tests, NULL, NULL);
}
