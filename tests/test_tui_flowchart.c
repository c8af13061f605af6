#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "tui/flowchart.h"

/* The flowchart rendered as text, compared line by line with what a user sees
 * (trailing blanks trimmed). */

static TuiModel model;

static void stage(const char *name, const char *kind, TuiStageState st, float p, const char *h) {
    TuiStageView *v = &model.stages[model.n_stages++];
    snprintf(v->name, sizeof v->name, "%s", name);
    snprintf(v->kind, sizeof v->kind, "%s", kind);
    v->state = st;
    v->progress = p;
    snprintf(v->headline, sizeof v->headline, "%s", h);
}

/* quick.lua's shape, mid-run: the base done, its eval cached, the SFT running. */
static int quick_model(void **state) {
    memset(&model, 0, sizeof model);
    stage("pretrain", "pretrain", TUI_STAGE_DONE, 1, "loss 1.23");
    stage("eval-base", "eval", TUI_STAGE_CACHED, 1, "pass@1 0.19");
    stage("cold-start-sft", "sft", TUI_STAGE_RUNNING, 0.42f, "loss 0.87");
    stage("eval", "eval", TUI_STAGE_WAITING, 0, "");
    model.edges[0] = (TuiLayoutEdge){0, 1};
    model.edges[1] = (TuiLayoutEdge){0, 2};
    model.edges[2] = (TuiLayoutEdge){2, 3};
    model.n_edges = 3;
    model.selected = 1;
    return 0;
}

static void render(TuiCanvas *c, TuiLayout *lo, int cols, int rows, const TuiGlyphs *g) {
    assert_int_equal(tui_flowchart_layout(lo, &model, rows, cols), 0);
    assert_int_equal(tui_canvas_init(c, lo->canvas_w, lo->canvas_h, g), 0);
    tui_flowchart_draw(c, lo, &model, 0, 0);
}

static void expect_rows(const TuiCanvas *c, const char *const *want, int n) {
    char buf[1024];
    for (int y = 0; y < c->h; y++) {
        size_t len = tui_canvas_row_utf8(c, y, buf, sizeof buf);
        while (len && buf[len - 1] == ' ') buf[--len] = '\0';
        const char *w = y < n ? want[y] : "";
        if (strcmp(buf, w)) fail_msg("row %d:\n got  '%s'\n want '%s'", y, buf, w);
    }
}

static const char *const FULL_ASCII[] = {
    "                    +------------------+",
    "                    | pretrain         |",
    "                    | pretrain    done |",
    "                    | ########### 100% |",
    "                    | loss 1.23        |",
    "                    +-----+------+-----+",
    "                    +-----+      +-----+",
    "                    v                  v",
    "            +--------------+  +----------------+",
    "            |>eval-base    |  | cold-start-sft |",
    "            | eval  cached |  | sft    running |",
    "            | ####### 100% |  | ####.....  42% |",
    "            | pass@1 0.19  |  | loss 0.87      |",
    "            +--------------+  +--------+-------+",
    "                                       |",
    "                                       v",
    "                               +--------------+",
    "                               | eval         |",
    "                               | eval waiting |",
    "                               | .......   0% |",
    "                               |              |",
    "                               +--------------+",
};

static void full_boxes_in_ascii(void **state) {
    TuiCanvas c;
    TuiLayout lo;
    render(&c, &lo, 60, 22, &tui_glyphs_ascii);
    assert_int_equal(lo.mode, TUI_BOX_FULL);
    expect_rows(&c, FULL_ASCII, 22);
    /* roles: running border and state, selected name, edge into the running box */
    assert_int_equal(tui_canvas_at(&c, 31, 8)->role, TUI_ROLE_RUNNING);
    assert_int_equal(tui_canvas_at(&c, 44, 10)->role, TUI_ROLE_RUNNING);
    assert_int_equal(tui_canvas_at(&c, 14, 9)->role, TUI_ROLE_SELECTED);
    assert_int_equal(tui_canvas_at(&c, 39, 7)->role, TUI_ROLE_EDGE_ACTIVE);
    assert_int_equal(tui_canvas_at(&c, 20, 7)->role, TUI_ROLE_EDGE);
    assert_int_equal(tui_canvas_at(&c, 14, 11)->role, TUI_ROLE_BAR_FILL);
    assert_int_equal(tui_canvas_at(&c, 37, 11)->role, TUI_ROLE_BAR_EMPTY);
    tui_canvas_free(&c);
    tui_layout_free(&lo);
}

static const char *const COMPACT_UTF8[] = {
    "                     ╭──────────────╮",
    "                     │ pretrain   ✓ │",
    "                     │ loss 1.23    │",
    "                     ╰────┬────┬────╯",
    "                   ╭──────╯    ╰───────╮",
    "                   ▼                   ▼",
    "           ╭──────────────╮  ╭──────────────────╮",
    "           │▸eval-base  ◆ │  │ cold-start-sft ● │",
    "           │ pass@1 0.19  │  │ ████▋░░░░░░  42% │",
    "           ╰──────────────╯  ╰─────────┬────────╯",
    "                                       │",
    "                                       ▼",
    "                               ╭──────────────╮",
    "                               │ eval       ○ │",
    "                               │ ░░░░░░░   0% │",
    "                               ╰──────────────╯",
};

static void compact_boxes_in_utf8(void **state) {
    TuiCanvas c;
    TuiLayout lo;
    render(&c, &lo, 60, 16, &tui_glyphs_utf8);
    assert_int_equal(lo.mode, TUI_BOX_COMPACT);
    expect_rows(&c, COMPACT_UTF8, 16);
    tui_canvas_free(&c);
    tui_layout_free(&lo);
}

static const char *const TINY_UTF8[] = {
    "                      ╭──────────╮",
    "                      │✓ pretrain│",
    "                      ╰───┬───┬──╯",
    "                   ╭──────╯   ╰──────╮",
    "                   ▼                 ▼",
    "             ╭───────────╮  ╭────────────────╮",
    "             │◆ eval-base│  │● cold-start-sft│",
    "             ╰───────────╯  ╰────────┬───────╯",
    "                                     │",
    "                                     ▼",
    "                                 ╭──────╮",
    "                                 │○ eval│",
    "                                 ╰──────╯",
};

static void tiny_boxes_in_utf8(void **state) {
    TuiCanvas c;
    TuiLayout lo;
    render(&c, &lo, 60, 13, &tui_glyphs_utf8);
    assert_int_equal(lo.mode, TUI_BOX_TINY);
    expect_rows(&c, TINY_UTF8, 13);
    tui_canvas_free(&c);
    tui_layout_free(&lo);
}

static void paused_and_failed_read_as_such(void **state) {
    model.paused = true;
    model.stages[3].state = TUI_STAGE_FAILED;
    TuiCanvas c;
    TuiLayout lo;
    render(&c, &lo, 60, 22, &tui_glyphs_ascii);
    char buf[256];
    tui_canvas_row_utf8(&c, 10, buf, sizeof buf);
    assert_non_null(strstr(buf, "sft     paused"));
    tui_canvas_row_utf8(&c, 18, buf, sizeof buf);
    assert_non_null(strstr(buf, "| eval  failed |"));
    assert_int_equal(tui_canvas_at(&c, 31, 16)->role, TUI_ROLE_FAILED);
    tui_canvas_free(&c);
    tui_layout_free(&lo);
}

/* A scrolled view draws the part of the chart that is in view, and nothing
 * outside the clip. */
static void scrolled_and_clipped(void **state) {
    TuiLayout lo;
    assert_int_equal(tui_flowchart_layout(&lo, &model, 22, 60), 0);
    TuiCanvas c;
    assert_int_equal(tui_canvas_init(&c, 70, 12, &tui_glyphs_ascii), 0);
    tui_canvas_clip(&c, 5, 1, 60, 10);
    tui_flowchart_draw(&c, &lo, &model, 5, 1 - 8); /* scrolled down 8 rows */
    char buf[256];
    tui_canvas_row_utf8(&c, 1, buf, sizeof buf);
    assert_string_equal(buf,
                        "                 +--------------+  +----------------+                 ");
    tui_canvas_row_utf8(&c, 0, buf, sizeof buf);
    for (char *p = buf; *p; p++) assert_int_equal(*p, ' ');
    tui_canvas_row_utf8(&c, 11, buf, sizeof buf);
    for (char *p = buf; *p; p++) assert_int_equal(*p, ' ');
    tui_canvas_free(&c);
    tui_layout_free(&lo);
}

static void bars_use_eighths_when_they_can(void **state) {
    TuiCanvas c;
    assert_int_equal(tui_canvas_init(&c, 4, 1, &tui_glyphs_utf8), 0);
    tui_draw_bar(&c, 0, 0, 4, 0.5f + 1.0f / 32);
    char buf[64];
    tui_canvas_row_utf8(&c, 0, buf, sizeof buf);
    assert_string_equal(buf, "██▏░");
    tui_draw_bar(&c, 0, 0, 4, 0.0f / 0.0f);
    tui_canvas_row_utf8(&c, 0, buf, sizeof buf);
    assert_string_equal(buf, "░░░░");
    tui_canvas_free(&c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(full_boxes_in_ascii, quick_model),
        cmocka_unit_test_setup(compact_boxes_in_utf8, quick_model),
        cmocka_unit_test_setup(tiny_boxes_in_utf8, quick_model),
        cmocka_unit_test_setup(paused_and_failed_read_as_such, quick_model),
        cmocka_unit_test_setup(scrolled_and_clipped, quick_model),
        cmocka_unit_test(bars_use_eighths_when_they_can),
    };
    return cmocka_run_group_tests_name("tui_flowchart", tests, NULL, NULL);
}
