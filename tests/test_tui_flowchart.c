#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
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
    v->report = !strcmp(kind, "eval"); /* as run_view.c marks it */
    snprintf(v->headline, sizeof v->headline, "%s", h);
}

/* The four-stage shape of tests/lua/e2e_pipeline.lua (the old quick.lua),
 * mid-run: the base done, its eval cached, the SFT running; each eval beside
 * the model it reads. */
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
    "         +------------------+   +-----------------+",
    "         | pretrain         +-->|>eval-base       |",
    "         | pretrain    done |   | eval     cached |",
    "         | ########### 100% |   | ########## 100% |",
    "         | loss 1.23        |   | pass@1 0.19     |",
    "         +--------+---------+   +-----------------+",
    "                  v",
    "         +-----------------+   +-----------------+",
    "         | cold-start-sft  +-->| eval            |",
    "         | sft     running |   | eval    waiting |",
    "         | ####......  42% |   | ..........   0% |",
    "         | loss 0.87       |   |                 |",
    "         +-----------------+   +-----------------+",
};

static void full_boxes_in_ascii(void **state) {
    TuiCanvas c;
    TuiLayout lo;
    render(&c, &lo, 60, 13, &tui_glyphs_ascii);
    assert_int_equal(lo.mode, TUI_BOX_FULL);
    expect_rows(&c, FULL_ASCII, 13);
    /* roles: running border and state, selected name, edge into the running box */
    assert_int_equal(tui_canvas_at(&c, 9, 7)->role, TUI_ROLE_RUNNING);
    assert_int_equal(tui_canvas_at(&c, 19, 9)->role, TUI_ROLE_RUNNING);
    assert_int_equal(tui_canvas_at(&c, 35, 1)->role, TUI_ROLE_SELECTED);
    assert_int_equal(tui_canvas_at(&c, 18, 6)->role, TUI_ROLE_EDGE_ACTIVE);
    assert_int_equal(tui_canvas_at(&c, 29, 8)->role, TUI_ROLE_EDGE);
    assert_int_equal(tui_canvas_at(&c, 11, 3)->role, TUI_ROLE_BAR_FILL);
    assert_int_equal(tui_canvas_at(&c, 16, 10)->role, TUI_ROLE_BAR_EMPTY);
    tui_canvas_free(&c);
    tui_layout_free(&lo);
}

/* A group's label stands on the top border of each of its boxes: whole
 * where it fits, else its head before " · ". */
static void group_labels_on_top_borders(void **state) {
    snprintf(model.stages[0].group, TUI_TEXT, "step 2 · R1-Zero");
    snprintf(model.stages[1].group, TUI_TEXT, "step 2 · R1-Zero");
    snprintf(model.stages[2].group, TUI_TEXT, "a · b");
    TuiCanvas c;
    TuiLayout lo;
    render(&c, &lo, 60, 13, &tui_glyphs_ascii);
    char row[1024];
    tui_canvas_row_utf8(&c, 0, row, sizeof row);
    if (strcmp(row, "         +- step 2 ---------+   +- step 2 --------+         "))
        fail_msg("row 0: '%s'", row);
    tui_canvas_row_utf8(&c, 7, row, sizeof row);
    if (strcmp(row, "         +- a · b ---------+   +-----------------+          "))
        fail_msg("row 7: '%s'", row);
    assert_int_equal(tui_canvas_at(&c, 12, 0)->role, TUI_ROLE_KIND);
    tui_canvas_free(&c);
    tui_layout_free(&lo);
}

static const char *const COMPACT_UTF8[] = {
    "         ╭─────────────────╮   ╭─────────────────╮",
    "         │ pretrain      ✓ ├──▶│▸eval-base     ◆ │",
    "         │ loss 1.23       │   │ pass@1 0.19     │",
    "         ╰────────┬────────╯   ╰─────────────────╯",
    "                  ▼",
    "         ╭──────────────────╮   ╭─────────────────╮",
    "         │ cold-start-sft ● ├──▶│ eval          ○ │",
    "         │ ████▋░░░░░░  42% │   │ ░░░░░░░░░░   0% │",
    "         ╰──────────────────╯   ╰─────────────────╯",
};

static void compact_boxes_in_utf8(void **state) {
    TuiCanvas c;
    TuiLayout lo;
    render(&c, &lo, 60, 9, &tui_glyphs_utf8);
    assert_int_equal(lo.mode, TUI_BOX_COMPACT);
    expect_rows(&c, COMPACT_UTF8, 9);
    tui_canvas_free(&c);
    tui_layout_free(&lo);
}

static const char *const TINY_UTF8[] = {
    "                 ╭──────────╮   ╭───────────╮",
    "                 │✓ pretrain├──▶│◆ eval-base│",
    "                 ╰────┬─────╯   ╰───────────╯",
    "                      ▼",
    "              ╭────────────────╮   ╭──────╮",
    "              │● cold-start-sft├──▶│○ eval│",
    "              ╰────────────────╯   ╰──────╯",
};

static void tiny_boxes_in_utf8(void **state) {
    TuiCanvas c;
    TuiLayout lo;
    render(&c, &lo, 60, 7, &tui_glyphs_utf8);
    assert_int_equal(lo.mode, TUI_BOX_TINY);
    expect_rows(&c, TINY_UTF8, 7);
    tui_canvas_free(&c);
    tui_layout_free(&lo);
}

static void paused_and_failed_read_as_such(void **state) {
    model.paused = true;
    model.stages[3].state = TUI_STAGE_FAILED;
    TuiCanvas c;
    TuiLayout lo;
    render(&c, &lo, 60, 13, &tui_glyphs_ascii);
    char buf[256];
    tui_canvas_row_utf8(&c, 9, buf, sizeof buf);
    assert_non_null(strstr(buf, "| sft      paused |"));
    assert_non_null(strstr(buf, "| eval     failed |"));
    assert_int_equal(tui_canvas_at(&c, 33, 7)->role, TUI_ROLE_FAILED);
    tui_canvas_free(&c);
    tui_layout_free(&lo);
}

/* A scrolled view draws the part of the chart that is in view, and nothing
 * outside the clip. */
static void scrolled_and_clipped(void **state) {
    TuiLayout lo;
    assert_int_equal(tui_flowchart_layout(&lo, &model, 13, 60), 0);
    TuiCanvas c;
    assert_int_equal(tui_canvas_init(&c, 70, 12, &tui_glyphs_ascii), 0);
    tui_canvas_clip(&c, 5, 1, 60, 10);
    tui_flowchart_draw(&c, &lo, &model, 5, 1 - 7); /* scrolled down 7 rows */
    char buf[256];
    tui_canvas_row_utf8(&c, 1, buf, sizeof buf);
    assert_string_equal(buf,
                        "              +-----------------+   +-----------------+               ");
    tui_canvas_row_utf8(&c, 0, buf, sizeof buf);
    for (char *p = buf; *p; p++) assert_int_equal(*p, ' ');
    tui_canvas_row_utf8(&c, 11, buf, sizeof buf);
    for (char *p = buf; *p; p++) assert_int_equal(*p, ' ');
    tui_canvas_free(&c);
    tui_layout_free(&lo);
}

/* r1.lua's graph (lua/r1.lua), R1-Zero done, the cold start running. */
static int r1_model(void **state) {
    memset(&model, 0, sizeof model);
    static const char *const st[][3] = {
        {"pretrain", "pretrain", ""},
        {"eval-base", "eval", "pretrain"},
        {"r1-zero", "grpo", "pretrain"},
        {"eval-r1-zero", "eval", "r1-zero"},
        {"sample-r1-zero", "sample", "r1-zero"},
        {"cold-start", "sft", "pretrain"},
        {"eval-dev1", "eval", "cold-start"},
        {"reasoning-rl", "grpo", "cold-start"},
        {"eval-dev2", "eval", "reasoning-rl"},
        {"sample-dev2", "sample", "reasoning-rl"},
        {"sft-dev3", "sft", "pretrain"},
        {"eval-dev3", "eval", "sft-dev3"},
    };
    for (int i = 0; i < 12; i++) {
        stage(st[i][0], st[i][1], i < 5 ? TUI_STAGE_DONE : TUI_STAGE_WAITING, i < 5, "");
        for (int j = 0; j < i; j++)
            if (!strcmp(st[j][0], st[i][2])) model.edges[model.n_edges++] = (TuiLayoutEdge){j, i};
    }
    model.edges[model.n_edges++] = (TuiLayoutEdge){4, 5};  /* R1-Zero's samples */
    model.edges[model.n_edges++] = (TuiLayoutEdge){9, 10}; /* Dev2's samples */
    model.stages[5].state = TUI_STAGE_RUNNING;
    model.stages[5].progress = 0.3f;
    model.selected = 5;
    return 0;
}

static bool canvas_shows(const TuiCanvas *c, const char *text) {
    char buf[2048];
    for (int y = 0; y < c->h; y++) {
        tui_canvas_row_utf8(c, y, buf, sizeof buf);
        if (strstr(buf, text)) return true;
    }
    return false;
}

/* In the flowchart areas of 120x36 and 80x24 terminals: each name whole, each
 * edge a line of cells from border to border ending in an arrow that points
 * into its target. */
static void r1_draws_every_name_and_edge(void **state) {
    const int sizes[2][2] = {{80, 33}, {80, 21}};
    for (int k = 0; k < 2; k++) {
        TuiCanvas c;
        TuiLayout lo;
        render(&c, &lo, sizes[k][0], sizes[k][1], &tui_glyphs_utf8);
        for (int i = 0; i < model.n_stages; i++) { /* "name│", or "name├──▶" */
            char a[64], b[64];
            snprintf(a, sizeof a, "%s│", model.stages[i].name);
            snprintf(b, sizeof b, "%s├", model.stages[i].name);
            if (!canvas_shows(&c, a) && !canvas_shows(&c, b))
                fail_msg("%s not drawn whole", model.stages[i].name);
        }
        for (int e = 0; e < model.n_edges; e++) {
            const TuiLayoutPath *p = &lo.edges[e];
            assert_true(p->npts >= 2);
            for (int j = 0; j + 1 < p->npts; j++) {
                TuiPoint a = p->pts[j], b = p->pts[j + 1];
                int dx = (b.x > a.x) - (b.x < a.x), dy = (b.y > a.y) - (b.y < a.y);
                for (int x = a.x, y = a.y; x != b.x || y != b.y; x += dx, y += dy)
                    if (!tui_canvas_at(&c, x, y)->lines && !tui_canvas_at(&c, x, y)->ch)
                        fail_msg("edge %d has a hole at %d,%d", e, x, y);
            }
            TuiPoint y = p->pts[p->npts - 2], z = p->pts[p->npts - 1];
            uint32_t arrow = p->beside ? tui_glyphs_utf8.arrow_right : tui_glyphs_utf8.arrow_down;
            int tx = z.x - (z.x > y.x) + (z.x < y.x), ty = z.y - (z.y > y.y);
            if (p->beside && z.x < y.x) arrow = tui_glyphs_utf8.arrow_left;
            assert_int_equal(tui_canvas_glyph(&c, tx, ty), arrow);
        }
        tui_canvas_free(&c);
        tui_layout_free(&lo);
    }
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
        cmocka_unit_test_setup(group_labels_on_top_borders, quick_model),
        cmocka_unit_test_setup(paused_and_failed_read_as_such, quick_model),
        cmocka_unit_test_setup(scrolled_and_clipped, quick_model),
        cmocka_unit_test_setup(r1_draws_every_name_and_edge, r1_model),
        cmocka_unit_test(bars_use_eighths_when_they_can),
    };
    return cmocka_run_group_tests_name("tui_flowchart", tests, NULL, NULL);
}
