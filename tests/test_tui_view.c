#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/panels.h"
#include "tui/view.h"

/* The view driven by a fake pipeline: keys in, commands and canvas text out. */

typedef struct {
    TuiModel m;
    TuiCommand cmds[64];
    int n_cmds;
    int snapshots;
} Fake;

static void snapshot(void *ctx, TuiModel *out) {
    Fake *f = ctx;
    f->snapshots++;
    int sel = out->selected;
    *out = f->m;
    out->selected = sel;
}

static void command(void *ctx, TuiCommand c) {
    Fake *f = ctx;
    if (f->n_cmds < 64) f->cmds[f->n_cmds++] = c;
    /* the pipeline validates edits; the fake refuses non-numbers like it */
    if (c.kind == TUI_CMD_SET_OPTION) {
        char *end;
        strtod(c.value, &end);
        if (!c.value[0] || *end)
            snprintf(f->m.log, sizeof f->m.log, "%s: expected a number, got '%s'", c.name, c.value);
        else
            snprintf(f->m.log, sizeof f->m.log, "%s = %s", c.name, c.value);
        f->m.data_gen++;
    }
}

static void stage(Fake *f, const char *name, const char *kind, TuiStageState st) {
    TuiStageView *v = &f->m.stages[f->m.n_stages++];
    snprintf(v->name, sizeof v->name, "%s", name);
    snprintf(v->kind, sizeof v->kind, "%s", kind);
    v->state = st;
    v->report = !strcmp(kind, "eval"); /* as run_view.c marks it */
}

typedef struct {
    Fake f;
    TuiView v;
    TuiCanvas c;
} World;

static int setup(void **state) {
    World *w = calloc(1, sizeof *w);
    stage(&w->f, "pretrain", "pretrain", TUI_STAGE_DONE);
    stage(&w->f, "eval-base", "eval", TUI_STAGE_CACHED);
    stage(&w->f, "cold-start-sft", "sft", TUI_STAGE_RUNNING);
    stage(&w->f, "eval", "eval", TUI_STAGE_WAITING);
    TuiLayoutEdge e[3] = {{0, 1}, {0, 2}, {2, 3}};
    memcpy(w->f.m.edges, e, sizeof e);
    w->f.m.n_edges = 3;
    w->f.m.graph_gen = 1;
    w->f.m.paused = true;
    snprintf(w->f.m.log, sizeof w->f.m.log, "cold-start-sft: step 12/40");
    tui_view_init(&w->v, (TuiSource){&w->f, snapshot, command, NULL});
    tui_view_resize(&w->v, 100, 30);
    assert_int_equal(tui_canvas_init(&w->c, 100, 30, &tui_glyphs_utf8), 0);
    tui_view_poll(&w->v);
    tui_view_render(&w->v, &w->c);
    *state = w;
    return 0;
}

static int teardown(void **state) {
    World *w = *state;
    tui_view_free(&w->v);
    tui_canvas_free(&w->c);
    free(w);
    return 0;
}

static bool shows(const TuiCanvas *c, const char *text) {
    char buf[2048];
    for (int y = 0; y < c->h; y++) {
        tui_canvas_row_utf8(c, y, buf, sizeof buf);
        if (strstr(buf, text)) return true;
    }
    return false;
}

static void key(World *w, int k) {
    tui_view_key(&w->v, (TuiKey){k, 0, 0});
    tui_view_poll(&w->v);
    tui_view_render(&w->v, &w->c);
}

static TuiCommand last_cmd(World *w) {
    assert_true(w->f.n_cmds > 0);
    return w->f.cmds[w->f.n_cmds - 1];
}

static void first_frame_shows_everything(void **state) {
    World *w = *state;
    assert_true(shows(&w->c, "r1sim  paused: cold-start-sft  2/4 stages done"));
    assert_true(shows(&w->c, "cold-start-sft"));
    assert_true(shows(&w->c, "cold-start-sft: step 12/40"));
    assert_true(shows(&w->c, "? help"));
    assert_true(shows(&w->c, "no metrics for this stage yet"));
    assert_int_equal(w->f.n_cmds, 0);
}

/* In the live program the selection follows the running stage until a key
 * picks one. */
static void selection_follows_the_running_stage_until_picked(void **state) {
    World *w = *state;
    w->v.follow = true;
    tui_view_poll(&w->v);
    assert_int_equal(w->v.selected, 2); /* cold-start-sft runs */
    assert_int_equal(last_cmd(w).kind, TUI_CMD_SELECT);
    w->f.m.stages[2].state = TUI_STAGE_DONE;
    w->f.m.stages[3].state = TUI_STAGE_RUNNING;
    w->f.m.data_gen++;
    tui_view_poll(&w->v);
    assert_int_equal(w->v.selected, 3);
    key(w, TUI_KEY_TAB); /* the user picks pretrain (3 + 1 wraps to 0) */
    assert_int_equal(w->v.selected, 0);
    w->f.m.data_gen++;
    tui_view_poll(&w->v);
    assert_int_equal(w->v.selected, 0); /* pinned */
}

static void space_toggles_run_and_pause(void **state) {
    World *w = *state;
    key(w, ' ');
    assert_int_equal(last_cmd(w).kind, TUI_CMD_RUN);
    w->f.m.paused = false;
    w->f.m.data_gen++;
    tui_view_poll(&w->v);
    key(w, ' ');
    assert_int_equal(last_cmd(w).kind, TUI_CMD_PAUSE);
    key(w, 'n');
    assert_int_equal(last_cmd(w).kind, TUI_CMD_STEP);
}

static void selection_moves_and_is_sent(void **state) {
    World *w = *state;
    key(w, TUI_KEY_TAB);
    assert_int_equal(w->v.selected, 1);
    assert_int_equal(last_cmd(w).kind, TUI_CMD_SELECT);
    assert_int_equal(last_cmd(w).stage, 1);
    key(w, TUI_KEY_BTAB);
    assert_int_equal(w->v.selected, 0);
    key(w, TUI_KEY_BTAB);
    assert_int_equal(w->v.selected, 3);
    key(w, TUI_KEY_LEFT);
    assert_int_equal(w->v.selected, 2); /* eval sits beside cold-start-sft */
    key(w, TUI_KEY_UP);
    assert_int_equal(w->v.selected, 0);
    key(w, TUI_KEY_RIGHT);
    assert_int_equal(w->v.selected, 1); /* and eval-base beside pretrain */
    key(w, TUI_KEY_LEFT);
    assert_int_equal(w->v.selected, 0);
    assert_true(shows(&w->c, "pretrain "));
}

static void enter_escape_and_eval(void **state) {
    World *w = *state;
    snprintf(w->f.m.detail, sizeof w->f.m.detail, "lr = 2e-4\nbeta = 0.04");
    snprintf(w->f.m.eval_table, sizeof w->f.m.eval_table, "model  pass@1\nbase   0.19");
    w->f.m.data_gen++;
    tui_view_poll(&w->v);
    key(w, TUI_KEY_ENTER);
    assert_int_equal(w->v.screen, TUI_SCREEN_DETAIL);
    assert_true(shows(&w->c, "pretrain (pretrain) done"));
    assert_true(shows(&w->c, "beta = 0.04"));
    key(w, TUI_KEY_ESC);
    assert_int_equal(w->v.screen, TUI_SCREEN_FLOW);
    key(w, 'e');
    assert_int_equal(last_cmd(w).kind, TUI_CMD_EVAL);
    assert_int_equal(w->v.screen, TUI_SCREEN_EVAL);
    assert_true(shows(&w->c, "base   0.19"));
    key(w, TUI_KEY_ESC);
    assert_int_equal(w->v.screen, TUI_SCREEN_FLOW);
}

/* p draws every eval's pass@k and maj@k against k, read from the same
 * files as the eval table (so it asks for them again, as e does). */
static void p_shows_the_pass_at_k_curves(void **state) {
    World *w = *state;
    key(w, 'p');
    assert_int_equal(w->v.screen, TUI_SCREEN_CURVES);
    assert_int_equal(last_cmd(w).kind, TUI_CMD_EVAL);
    assert_true(shows(&w->c, "no pass@k curves yet"));
    TuiCurve base = {"base", 7, {0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f}, {0.2f, 0.2f, 0.2f}};
    TuiCurve zero = {"r1-zero", 3, {0.5f, 0.6f, 0.7f}, {0.5f, 0.55f, 0.6f}};
    w->f.m.curves[0] = base;
    w->f.m.curves[1] = zero;
    w->f.m.n_curves = 2;
    w->f.m.data_gen++;
    tui_view_poll(&w->v);
    tui_view_render(&w->v, &w->c);
    assert_true(shows(&w->c, "pass@k and maj@k against k"));
    assert_true(shows(&w->c, "pass@k"));
    assert_true(shows(&w->c, "maj@k"));
    assert_true(shows(&w->c, "base"));
    assert_true(shows(&w->c, "r1-zero"));
    assert_true(shows(&w->c, "64"));
    assert_true(shows(&w->c, "esc back"));
    key(w, TUI_KEY_ESC);
    assert_int_equal(w->v.screen, TUI_SCREEN_FLOW);
}

/* t shows the time table the source keeps (the one `r1sim run` prints at
 * the end), or says that nothing has run yet. */
static void t_shows_the_time_per_stage(void **state) {
    World *w = *state;
    key(w, 't');
    assert_int_equal(w->v.screen, TUI_SCREEN_TIME);
    assert_true(shows(&w->c, "time per stage (this run)"));
    assert_true(shows(&w->c, "no stage has run yet"));
    snprintf(w->f.m.time_table, sizeof w->f.m.time_table,
             "stage     kind      state  steps  wall  share  tokens/s\n"
             "pretrain  pretrain   done   1600  1:30  100.0 %%     17809");
    w->f.m.data_gen++;
    tui_view_poll(&w->v);
    tui_view_render(&w->v, &w->c);
    assert_true(shows(&w->c, "pretrain  pretrain   done   1600  1:30"));
    assert_true(shows(&w->c, "esc back"));
    key(w, TUI_KEY_ESC);
    assert_int_equal(w->v.screen, TUI_SCREEN_FLOW);
}

static void help_lists_every_key_and_any_key_closes_it(void **state) {
    World *w = *state;
    key(w, '?');
    assert_true(w->v.help);
    for (int i = 0; i < tui_help_count; i++) {
        char line[128];
        snprintf(line, sizeof line, "%-12s %s", tui_help_lines[i].keys, tui_help_lines[i].what);
        if (!shows(&w->c, line)) fail_msg("help misses '%s'", line);
    }
    /* and every key the view handles is in it */
    const char *keys[] = {"space", "n", "arrows", "tab", "enter", "e",
                          "p",     "t", "esc",    "?",   "q",     "click"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        bool found = false;
        for (int j = 0; j < tui_help_count; j++)
            found |= strstr(tui_help_lines[j].keys, keys[i]) != NULL;
        if (!found) fail_msg("key %s not in help", keys[i]);
    }
    int before = w->f.n_cmds;
    key(w, ' ');
    assert_false(w->v.help);
    assert_int_equal(w->f.n_cmds, before); /* the closing key did nothing else */
    assert_false(shows(&w->c, "any key closes"));
}

static void quit_asks_while_a_stage_runs(void **state) {
    World *w = *state;
    key(w, 'q');
    assert_true(w->v.confirm);
    assert_false(w->v.quit);
    assert_true(shows(&w->c, "a stage is running"));
    assert_true(shows(&w->c, " y quit  n stay"));
    key(w, 'n');
    assert_false(w->v.confirm);
    assert_int_equal(w->f.n_cmds, 0);
    /* regression: the key bar kept "y quit  n stay" after the dialog closed */
    assert_false(shows(&w->c, " y quit  n stay"));
    assert_true(shows(&w->c, " space run/pause"));
    key(w, 'q');
    key(w, 'y');
    assert_true(w->v.quit);
    assert_int_equal(last_cmd(w).kind, TUI_CMD_QUIT);
}

static void quit_is_immediate_when_idle(void **state) {
    World *w = *state;
    w->f.m.stages[2].state = TUI_STAGE_DONE;
    w->f.m.data_gen++;
    tui_view_poll(&w->v);
    key(w, 'q');
    assert_true(w->v.quit);
    assert_int_equal(last_cmd(w).kind, TUI_CMD_QUIT);
}

static void too_small_terminal_says_so(void **state) {
    World *w = *state;
    assert_int_equal(tui_canvas_resize(&w->c, 79, 24), 0);
    tui_view_resize(&w->v, 79, 24);
    tui_view_render(&w->v, &w->c);
    assert_true(shows(&w->c, "terminal too small: 79x24"));
    key(w, ' ');
    assert_int_equal(w->f.n_cmds, 0);
    assert_int_equal(tui_canvas_resize(&w->c, 80, 24), 0);
    tui_view_resize(&w->v, 80, 24);
    tui_view_render(&w->v, &w->c);
    assert_false(shows(&w->c, "too small"));
    assert_true(shows(&w->c, "cold-start-sft"));
}

static void click_selects_then_opens(void **state) {
    World *w = *state;
    TuiRect b = w->v.layout.boxes[3];
    int x = b.x + 2 - w->v.sx + w->v.flow.x, y = b.y + 1 - w->v.sy + w->v.flow.y;
    tui_view_key(&w->v, (TuiKey){TUI_KEY_MOUSE, x, y});
    assert_int_equal(w->v.selected, 3);
    tui_view_key(&w->v, (TuiKey){TUI_KEY_MOUSE, x, y});
    assert_int_equal(w->v.screen, TUI_SCREEN_DETAIL);
    tui_view_key(&w->v, (TuiKey){TUI_KEY_ESC, 0, 0});
    tui_view_key(&w->v, (TuiKey){TUI_KEY_MOUSE, 0, 0}); /* status bar: nothing */
    assert_int_equal(w->v.selected, 3);
}

static void idle_view_does_not_redraw(void **state) {
    World *w = *state;
    tui_view_poll(&w->v);
    assert_int_equal(tui_view_render(&w->v, &w->c), 0);
    w->f.m.data_gen++;
    tui_view_poll(&w->v);
    assert_int_equal(tui_view_render(&w->v, &w->c), TUI_DIRTY_ALL);
    tui_view_key(&w->v, (TuiKey){'x', 0, 0}); /* an unbound key */
    int y0, y1;
    unsigned d = tui_view_render(&w->v, &w->c);
    tui_view_dirty_rows(&w->v, d, &y0, &y1);
    assert_int_equal(d, TUI_DIRTY_STATUS);
}

/* A graph taller than the screen scrolls to keep the selection in view. */
static void selection_scrolls_into_view(void **state) {
    World *w = *state;
    Fake *f = &w->f;
    f->m.n_stages = 0;
    f->m.n_edges = 0;
    char name[32];
    for (int i = 0; i < 12; i++) {
        snprintf(name, sizeof name, "stage-%02d", i);
        stage(f, name, "sft", TUI_STAGE_WAITING);
        if (i) f->m.edges[f->m.n_edges++] = (TuiLayoutEdge){i - 1, i};
    }
    f->m.graph_gen++;
    tui_view_poll(&w->v);
    tui_view_render(&w->v, &w->c);
    assert_true(shows(&w->c, "stage-00"));
    assert_false(shows(&w->c, "stage-11"));
    for (int i = 0; i < 11; i++) key(w, TUI_KEY_DOWN);
    assert_int_equal(w->v.selected, 11);
    assert_true(w->v.sy > 0);
    assert_true(shows(&w->c, "stage-11"));
    assert_false(shows(&w->c, "stage-00"));
}

/* lua/r1.lua's graph; with `later`, what later issues add (25 stages). */
static void r1_graph(World *w, bool later) {
    static const char *const st[][4] = {
        {"pretrain", "pretrain", "", ""},
        {"eval-base", "eval", "pretrain", ""},
        {"r1-zero", "grpo", "pretrain", ""},
        {"eval-r1-zero", "eval", "r1-zero", ""},
        {"sample-r1-zero", "sample", "r1-zero", ""},
        {"cold-start", "sft", "pretrain", "sample-r1-zero"},
        {"eval-dev1", "eval", "cold-start", ""},
        {"reasoning-rl", "grpo", "cold-start", ""},
        {"eval-dev2", "eval", "reasoning-rl", ""},
        {"sample-dev2", "sample", "reasoning-rl", ""},
        {"sft-dev3", "sft", "pretrain", "sample-dev2"},
        {"eval-dev3", "eval", "sft-dev3", ""},
        /* later */
        {"reward-model", "reward_model", "sft-dev3", ""},
        {"rl-all", "grpo", "sft-dev3", "reward-model"},
        {"eval-r1", "eval", "rl-all", ""},
        {"sample-r1", "sample", "rl-all", ""},
        {"student-s", "pretrain", "", ""},
        {"eval-student-s", "eval", "student-s", ""},
        {"distill-s", "distill", "student-s", "sample-r1"},
        {"eval-distill-s", "eval", "distill-s", ""},
        {"rl-student-s", "grpo", "student-s", ""},
        {"student-m", "pretrain", "", ""},
        {"eval-student-m", "eval", "student-m", ""},
        {"distill-m", "distill", "student-m", "sample-r1"},
        {"eval-distill-m", "eval", "distill-m", ""},
    };
    Fake *f = &w->f;
    f->m.n_stages = f->m.n_edges = 0;
    int n = later ? 25 : 12;
    for (int i = 0; i < n; i++) {
        stage(f, st[i][0], st[i][1], TUI_STAGE_WAITING);
        for (int k = 2; k < 4; k++)
            for (int j = 0; j < i; j++)
                if (!strcmp(st[j][0], st[i][k])) f->m.edges[f->m.n_edges++] = (TuiLayoutEdge){j, i};
    }
    f->m.graph_gen++;
}

static void resize(World *w, int cols, int rows) {
    assert_int_equal(tui_canvas_resize(&w->c, cols, rows), 0);
    tui_view_resize(&w->v, cols, rows);
    tui_view_poll(&w->v);
    tui_view_render(&w->v, &w->c);
}

/* The selected box lies whole inside the flowchart's area on screen. */
static bool selection_in_view(const World *w) {
    TuiRect b = w->v.layout.boxes[w->v.selected], f = w->v.flow;
    int x = b.x - w->v.sx + f.x, y = b.y - w->v.sy + f.y;
    return x >= f.x && y >= f.y && x + b.w <= f.x + f.w && y + b.h <= f.y + f.h;
}

/* A name drawn whole: followed by the box's border, or by the run to the
 * eval beside it. */
static bool shows_name(const TuiCanvas *c, const char *name) {
    char a[64], b[64];
    snprintf(a, sizeof a, "%s│", name);
    snprintf(b, sizeof b, "%s├", name);
    return shows(c, a) || shows(c, b);
}

static void r1_fits_120x36_whole(void **state) {
    World *w = *state;
    r1_graph(w, false);
    resize(w, 120, 36);
    for (int i = 0; i < w->f.m.n_stages; i++)
        if (!shows_name(&w->c, w->f.m.stages[i].name))
            fail_msg("%s not shown whole", w->f.m.stages[i].name);
    assert_int_equal(w->v.sy, 0);
    assert_true(w->v.layout.canvas_h <= w->v.flow.h);           /* nothing to scroll to */
    assert_true(shows(&w->c, "no metrics for this stage yet")); /* the side panel stays */
}

/* At 80x24 the graph scrolls: the running stage is followed into view, and
 * every stage the user picks is brought into view, its name whole. */
static void r1_scrolls_to_the_running_stage_at_80x24(void **state) {
    World *w = *state;
    r1_graph(w, false);
    w->f.m.stages[10].state = TUI_STAGE_RUNNING; /* sft-dev3, at the bottom */
    w->v.follow = true;
    resize(w, 80, 24);
    assert_int_equal(w->v.selected, 10);
    assert_true(w->v.sy > 0);
    assert_true(selection_in_view(w));
    assert_true(shows_name(&w->c, "sft-dev3"));
    assert_false(shows_name(&w->c, "pretrain")); /* scrolled past the top */
    for (int i = 0; i < w->f.m.n_stages; i++) {
        key(w, TUI_KEY_TAB);
        assert_true(selection_in_view(w));
        if (!shows_name(&w->c, w->f.m.stages[w->v.selected].name))
            fail_msg("%s not shown whole", w->f.m.stages[w->v.selected].name);
    }
}

/* 25 stages: every box can still be reached and seen, at both sizes. */
static void a_25_stage_graph_stays_usable(void **state) {
    World *w = *state;
    r1_graph(w, true);
    const int sizes[2][2] = {{80, 24}, {120, 36}};
    for (int k = 0; k < 2; k++) {
        resize(w, sizes[k][0], sizes[k][1]);
        assert_true(w->v.layout.canvas_w <= w->v.flow.w); /* up and down only */
        for (int i = 0; i < w->f.m.n_stages; i++) {
            key(w, TUI_KEY_TAB);
            assert_true(selection_in_view(w));
        }
    }
}

static void options(World *w, bool editable) {
    Fake *f = &w->f;
    const char *names[] = {"steps", "lr", "task"}, *values[] = {"40", "1e-4", "add2"};
    f->m.n_options = 3;
    for (int i = 0; i < 3; i++) {
        snprintf(f->m.options[i].name, sizeof f->m.options[i].name, "%s", names[i]);
        snprintf(f->m.options[i].value, sizeof f->m.options[i].value, "%s", values[i]);
    }
    f->m.options_editable = editable;
    f->m.data_gen++;
    tui_view_poll(&w->v);
}

static void type(World *w, const char *s) {
    while (*s) key(w, *s++);
}

static void detail_edits_an_option_before_the_stage_runs(void **state) {
    World *w = *state;
    options(w, true);
    key(w, TUI_KEY_TAB);
    key(w, TUI_KEY_TAB);
    key(w, TUI_KEY_TAB); /* eval: waiting */
    key(w, TUI_KEY_ENTER);
    assert_int_equal(w->v.screen, TUI_SCREEN_DETAIL);
    assert_true(shows(&w->c, "options (enter edits)"));
    assert_true(shows(&w->c, "lr    = 1e-4"));
    int before = w->f.n_cmds;
    key(w, TUI_KEY_DOWN);
    assert_int_equal(w->v.edit.cursor, 1);
    assert_int_equal(w->v.selected, 3); /* up/down walk options, not stages */
    key(w, TUI_KEY_ENTER);
    assert_true(w->v.edit.editing);
    assert_true(shows(&w->c, "lr    = 1e-4_"));
    assert_true(shows(&w->c, "enter set  esc cancel"));
    key(w, TUI_KEY_BACKSPACE);
    type(w, "3");
    assert_true(shows(&w->c, "lr    = 1e-3_"));
    assert_int_equal(w->f.n_cmds, before); /* nothing sent while typing */
    key(w, TUI_KEY_ENTER);
    assert_false(w->v.edit.editing);
    TuiCommand c = last_cmd(w);
    assert_int_equal(c.kind, TUI_CMD_SET_OPTION);
    assert_int_equal(c.stage, 3);
    assert_string_equal(c.name, "lr");
    assert_string_equal(c.value, "1e-3");
    assert_true(shows(&w->c, "lr = 1e-3")); /* the source's answer, in the log line */
    assert_int_equal(w->v.screen, TUI_SCREEN_DETAIL);
}

static void keys_typed_into_a_value_are_text(void **state) {
    World *w = *state;
    options(w, true);
    key(w, TUI_KEY_ENTER);
    key(w, TUI_KEY_ENTER); /* edit steps */
    key(w, 21);            /* ctrl-u clears */
    assert_int_equal(w->v.edit.len, 0);
    int before = w->f.n_cmds;
    type(w, "q n?e");
    assert_false(w->v.confirm);
    assert_false(w->v.quit);
    assert_false(w->v.help);
    assert_int_equal(w->v.screen, TUI_SCREEN_DETAIL);
    assert_int_equal(w->f.n_cmds, before);
    assert_string_equal(w->v.edit.buf, "q n?e");
    key(w, TUI_KEY_ENTER);
    /* refused by the source: the reason is in the log line */
    assert_string_equal(last_cmd(w).value, "q n?e");
    assert_true(shows(&w->c, "steps: expected a number, got 'q n?e'"));
}

static void escape_cancels_an_edit_then_leaves(void **state) {
    World *w = *state;
    options(w, true);
    key(w, TUI_KEY_ENTER);
    key(w, TUI_KEY_UP); /* already at the top: stays */
    assert_int_equal(w->v.edit.cursor, 0);
    key(w, TUI_KEY_ENTER);
    type(w, "99");
    int before = w->f.n_cmds;
    key(w, TUI_KEY_ESC);
    assert_false(w->v.edit.editing);
    assert_int_equal(w->v.screen, TUI_SCREEN_DETAIL);
    assert_true(shows(&w->c, "steps = 40"));
    key(w, TUI_KEY_ESC);
    assert_int_equal(w->v.screen, TUI_SCREEN_FLOW);
    assert_int_equal(w->f.n_cmds, before);
}

static void started_stage_options_are_fixed(void **state) {
    World *w = *state;
    options(w, false);
    key(w, TUI_KEY_ENTER);
    assert_true(shows(&w->c, "options (fixed: started)"));
    key(w, TUI_KEY_DOWN);
    key(w, TUI_KEY_ENTER); /* nothing to edit: back to the flowchart */
    assert_false(w->v.edit.editing);
    assert_int_equal(w->v.screen, TUI_SCREEN_FLOW);
    assert_int_equal(w->f.n_cmds, 0);
}

static void an_edit_ends_when_the_stage_starts(void **state) {
    World *w = *state;
    options(w, true);
    key(w, TUI_KEY_ENTER);
    key(w, TUI_KEY_ENTER);
    assert_true(w->v.edit.editing);
    w->f.m.options_editable = false; /* the runner reached the stage */
    w->f.m.data_gen++;
    tui_view_poll(&w->v);
    int before = w->f.n_cmds;
    key(w, TUI_KEY_ENTER);
    assert_false(w->v.edit.editing);
    assert_int_equal(w->f.n_cmds, before);
}

static void another_stage_resets_the_option_cursor(void **state) {
    World *w = *state;
    options(w, true);
    key(w, TUI_KEY_ENTER);
    key(w, TUI_KEY_DOWN);
    key(w, TUI_KEY_DOWN);
    assert_int_equal(w->v.edit.cursor, 2);
    key(w, TUI_KEY_TAB);
    assert_int_equal(w->v.selected, 1);
    assert_int_equal(w->v.edit.cursor, 0);
}

/* The detail opens with the stage's plain words, and r asks for the
 * script's options back. */
static void detail_note_and_reset(void **state) {
    World *w = *state;
    options(w, true);
    snprintf(w->f.m.note, sizeof w->f.m.note,
             "An evaluation: 8 held-out problems, scored by the same rule checks as the rewards.");
    w->f.m.data_gen++;
    key(w, TUI_KEY_TAB);
    key(w, TUI_KEY_TAB);
    key(w, TUI_KEY_TAB);
    key(w, TUI_KEY_ENTER);
    assert_true(shows(&w->c, "An evaluation: 8 held-out problems,"));
    assert_true(shows(&w->c, "r reset"));
    key(w, 'r');
    TuiCommand c = last_cmd(w);
    assert_int_equal(c.kind, TUI_CMD_RESET_OPTIONS);
    assert_int_equal(c.stage, 3);
    /* outside the detail, r does nothing */
    key(w, TUI_KEY_ESC);
    int before = w->f.n_cmds;
    key(w, 'r');
    assert_int_equal(w->f.n_cmds, before);
}

int main(void) {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(first_frame_shows_everything),
        T(space_toggles_run_and_pause),
        T(selection_follows_the_running_stage_until_picked),
        T(selection_moves_and_is_sent),
        T(enter_escape_and_eval),
        T(p_shows_the_pass_at_k_curves),
        T(t_shows_the_time_per_stage),
        T(help_lists_every_key_and_any_key_closes_it),
        T(quit_asks_while_a_stage_runs),
        T(quit_is_immediate_when_idle),
        T(too_small_terminal_says_so),
        T(click_selects_then_opens),
        T(idle_view_does_not_redraw),
        T(selection_scrolls_into_view),
        T(r1_fits_120x36_whole),
        T(r1_scrolls_to_the_running_stage_at_80x24),
        T(a_25_stage_graph_stays_usable),
        T(detail_edits_an_option_before_the_stage_runs),
        T(keys_typed_into_a_value_are_text),
        T(escape_cancels_an_edit_then_leaves),
        T(started_stage_options_are_fixed),
        T(an_edit_ends_when_the_stage_starts),
        T(another_stage_resets_the_option_cursor),
        T(detail_note_and_reset),
    };
    return cmocka_run_group_tests_name("tui_view", tests, NULL, NULL);
}
