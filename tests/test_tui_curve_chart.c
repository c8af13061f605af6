/* The chart of pass@k against k: points evenly spaced on the log2 axis and
 * joined, a shorter curve ending at its largest k, the fixed 0..1 scale,
 * and the k under each point. ASCII glyphs, one point per cell, so that
 * every cell can be named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "tui/curve_chart.h"

static uint32_t at(const TuiCanvas *c, int x, int y) {
    return tui_canvas_at(c, x, y)->ch;
}

static void points_spread_over_the_width(void **state) {
    assert_int_equal(tui_curve_slot(0, 3, 18), 0);
    assert_int_equal(tui_curve_slot(1, 3, 18), 9); /* 8.5 rounds up */
    assert_int_equal(tui_curve_slot(2, 3, 18), 17);
    assert_int_equal(tui_curve_slot(6, 7, 36), 35);
    assert_int_equal(tui_curve_slot(0, 1, 18), 0);
}

/* 20 x 6: the legend on row 0, the plot in columns 2..19 of rows 1..4, the
 * k on row 5. */
static void two_curves_on_the_log2_axis(void **state) {
    TuiCanvas c;
    assert_int_equal(tui_canvas_init(&c, 20, 6, &tui_glyphs_ascii), 0);
    const float a[] = {1, 1, 1}, b[] = {0, 0.5f};
    const TuiChartSeries s[] = {{"a", a, 3, 0, TUI_ROLE_SERIES0}, {"b", b, 2, 0, TUI_ROLE_SERIES1}};
    tui_curve_chart_draw(&c, 0, 0, 20, 6, "pass@k", s, 2);
    /* a is 1 at every k: the top row, all the way across */
    for (int x = 2; x < 20; x++) assert_int_equal(at(&c, x, 1), '*');
    /* b climbs from 0 at k = 1 and stops at k = 2, the 9th column */
    assert_int_equal(at(&c, 2, 4), '+');
    assert_int_equal(tui_canvas_at(&c, 2, 4)->role, TUI_ROLE_SERIES1);
    assert_int_equal(at(&c, 10, 3), '+');
    for (int x = 11; x < 20; x++)
        for (int y = 2; y <= 4; y++) assert_int_not_equal(at(&c, x, y), '+');
    /* the fixed scale and the k of each point */
    assert_int_equal(at(&c, 0, 1), '1');
    assert_int_equal(at(&c, 0, 4), '0');
    assert_int_equal(at(&c, 1, 5), '+');
    assert_int_equal(at(&c, 2, 5), '1');
    assert_int_equal(at(&c, 11, 5), '2');
    assert_int_equal(at(&c, 19, 5), '4');
    tui_canvas_free(&c);
}

/* k = 1 ... 64 in 16 columns: labels that would touch are left out, the
 * last one stays. */
static void crowded_labels_are_skipped(void **state) {
    TuiCanvas c;
    assert_int_equal(tui_canvas_init(&c, 18, 5, &tui_glyphs_ascii), 0);
    const float v[] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f};
    const TuiChartSeries s = {"m", v, 7, 0, TUI_ROLE_SERIES0};
    tui_curve_chart_draw(&c, 0, 0, 18, 5, NULL, &s, 1);
    char row[256];
    tui_canvas_row_utf8(&c, 4, row, sizeof row);
    assert_non_null(strstr(row, "1"));
    assert_non_null(strstr(row, "64"));
    assert_null(strstr(row, "816")); /* never run together */
    tui_canvas_free(&c);
}

static void no_curve_says_so(void **state) {
    TuiCanvas c;
    assert_int_equal(tui_canvas_init(&c, 30, 6, &tui_glyphs_utf8), 0);
    tui_curve_chart_draw(&c, 0, 0, 30, 6, "maj@k", NULL, 0);
    char row[256];
    int found = 0;
    for (int y = 0; y < 6; y++) {
        tui_canvas_row_utf8(&c, y, row, sizeof row);
        found |= strstr(row, "no data yet") != NULL;
    }
    assert_true(found);
    tui_canvas_free(&c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(points_spread_over_the_width),
        cmocka_unit_test(two_curves_on_the_log2_axis),
        cmocka_unit_test(crowded_labels_are_skipped),
        cmocka_unit_test(no_curve_says_so),
    };
    return cmocka_run_group_tests_name("tui_curve_chart", tests, NULL, NULL);
}
