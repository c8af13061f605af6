/* The live view's source over a real runner on a tiny pipeline (pretrain →
 * eval): snapshots show the graph, states, charts and eval table; option
 * edits reach the runner, change the stage's cache key and report refusals in
 * the log; quitting stops the runner with a resume point. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/run_view.h"
#include "engine/runtime.h"
#include "pipeline/graph.h"
#include "pipeline/rundir.h"
#include "pipeline/runner.h"

static Graph g;
static char err[1024];
static char dir[64];
static TuiModel m; /* large: not on the stack */

static void tiny_graph(const char *steps) {
    graph_init(&g);
    const char *pn[] = {"steps",  "batch_size", "seq_len", "context",    "d_model", "n_layer",
                        "n_head", "task",       "warmup",  "save_every", "lr"};
    const char *pv[] = {steps, "4", "32", "32", "16", "1", "2", "add2", "2", "100", "1e-3"};
    if (graph_add_stage(&g, "pretrain", "pretrain", NULL, 0, pn, pv, 11, "t:1", err, sizeof err))
        fail_msg("%s", err);
    const char *en[] = {"task", "n_prompts", "k", "max_new_tokens"};
    const char *ev[] = {"add2", "4", "1", "8"};
    const char *in[] = {"pretrain"};
    if (graph_add_stage(&g, "eval", "eval", in, 1, en, ev, 4, "t:2", err, sizeof err))
        fail_msg("%s", err);
}

static int setup(void **state) {
    engine_set_threads(1);
    snprintf(dir, sizeof dir, "/tmp/r1sim-view-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

typedef struct {
    Runner *r;
    RunView *v;
    TuiSource src;
} Run;

static void start(Run *x) {
    RunnerOptions o = {.dir = dir, .seed = 1, .start_paused = true};
    x->r = runner_new(&g, &o, err, sizeof err);
    if (!x->r) fail_msg("%s", err);
    x->v = run_view_new();
    assert_non_null(x->v);
    run_view_attach(x->v, x->r, dir);
    x->src = run_view_source(x->v);
    assert_int_equal(runner_start(x->r), 0);
}

static void finish(Run *x) {
    runner_join(x->r);
    runner_free(x->r);
    run_view_free(x->v);
}

static void snap(Run *x, int selected) {
    m.selected = selected;
    x->src.snapshot(x->src.ctx, &m);
}

static void cmd(Run *x, TuiCommandKind kind, int stage, const char *name, const char *value) {
    TuiCommand c = {.kind = kind, .stage = stage};
    if (name) snprintf(c.name, sizeof c.name, "%s", name);
    if (value) snprintf(c.value, sizeof c.value, "%s", value);
    x->src.command(x->src.ctx, c);
}

/* Snapshots (as the view does, every few ms) until pred holds; 30 s at most. */
static bool wait_for(Run *x, int selected, bool (*pred)(const void *), const void *arg) {
    for (int i = 0; i < 6000; i++) {
        snap(x, selected);
        if (pred(arg)) return true;
        nanosleep(&(struct timespec){0, 5000000}, NULL);
    }
    return false;
}

static bool log_has(const void *text) {
    return strstr(m.log, text) != NULL;
}
static bool first_running(const void *unused) {
    return m.n_stages == 2 && m.stages[0].state == TUI_STAGE_RUNNING;
}
static bool all_done(const void *unused) {
    return m.stages[0].state == TUI_STAGE_DONE && m.stages[1].state == TUI_STAGE_DONE;
}
static bool stage0_at_2(const void *unused) {
    return m.stages[0].progress >= 2.0f / 6.0f - 1e-6f;
}

static const char *opt(const char *name) {
    for (int i = 0; i < m.n_options; i++)
        if (!strcmp(m.options[i].name, name)) return m.options[i].value;
    return NULL;
}

static void key_of(char *out, size_t cap) {
    const char *k = strstr(m.detail, "cache key ");
    assert_non_null(k);
    snprintf(out, cap, "%.16s", k + 10);
}

static void graph_states_and_edits(void **state) {
    Run x;
    tiny_graph("6");
    start(&x);
    assert_true(wait_for(&x, 1, first_running, NULL));
    assert_true(m.paused);
    assert_string_equal(m.stages[0].name, "pretrain");
    assert_string_equal(m.stages[1].kind, "eval");
    assert_int_equal(m.n_edges, 1);
    assert_int_equal(m.edges[0].from, 0);
    assert_int_equal(m.edges[0].to, 1);
    assert_int_equal(m.graph_gen, 1);

    /* the eval stage waits: its options are editable and shown */
    assert_true(m.options_editable);
    assert_string_equal(opt("k"), "1");
    assert_non_null(strstr(m.detail, "inputs: pretrain"));
    char before[20], after[20];
    key_of(before, sizeof before);
    cmd(&x, TUI_CMD_SET_OPTION, 1, "k", "2");
    assert_true(wait_for(&x, 1, log_has, "eval.k = 2: key"));
    assert_string_equal(opt("k"), "2");
    key_of(after, sizeof after);
    assert_string_not_equal(before, after); /* the edit changes the cache key */
    assert_non_null(strstr(m.log, after));

    /* refusals come back through the log line */
    cmd(&x, TUI_CMD_SET_OPTION, 1, "n_prompts", "many");
    assert_true(wait_for(&x, 1, log_has, "n_prompts"));
    assert_string_equal(opt("n_prompts"), "4");
    cmd(&x, TUI_CMD_SET_OPTION, 0, "lr", "1e-2");
    assert_true(wait_for(&x, 0, log_has, "has started"));
    assert_false(m.options_editable);

    /* an idle snapshot changes nothing, so the view does not redraw */
    snap(&x, 0);
    unsigned gen = m.data_gen;
    snap(&x, 0);
    assert_int_equal(m.data_gen, gen);

    run_view_print(x.v, "hello from the script");
    snap(&x, 0);
    assert_string_equal(m.log, "hello from the script");
    assert_true(m.data_gen != gen);

    cmd(&x, TUI_CMD_RUN, -1, NULL, NULL);
    assert_true(wait_for(&x, 0, all_done, NULL));
    assert_false(m.paused);
    snap(&x, 0);
    assert_true(m.n_series >= 1);
    assert_string_equal(m.series[0].name, "loss");
    assert_int_equal(m.series[0].step0, 1);
    assert_int_equal(m.series[0].n, 6);
    assert_float_equal(m.stages[0].progress, 1.0f, 1e-6f);
    assert_non_null(strstr(m.stages[0].headline, "loss"));
    cmd(&x, TUI_CMD_EVAL, -1, NULL, NULL);
    snap(&x, 1);
    assert_non_null(strstr(m.eval_table, "pass@1"));
    assert_non_null(strstr(m.eval_table, "maj@2"));
    assert_non_null(strstr(m.eval_table, "\npretrain "));
    assert_non_null(strstr(m.eval_table, " think"));
    /* the eval's pass@k curve, k = 1 and 2 of its 2 samples, from its
     * pass_at_k.csv: pass@1 and maj@1 are one figure */
    assert_int_equal(m.n_curves, 1);
    assert_string_equal(m.curves[0].name, "pretrain");
    assert_int_equal(m.curves[0].n, 2);
    assert_true(m.curves[0].pass[0] == m.curves[0].maj[0]);
    assert_true(m.curves[0].pass[1] >= m.curves[0].pass[0]);
    /* one line per row, and every line fits an 80-column screen inside its
     * frame (two borders, a space either side) */
    for (const char *l = m.eval_table; *l;) {
        size_t n = strcspn(l, "\n");
        assert_true(n <= 76);
        l += n + (l[n] == '\n');
    }
    /* the eval stage's sample, read back from its samples.csv */
    assert_non_null(strstr(m.sample_prompt, "user:"));
    assert_non_null(strstr(m.sample_rewards, "correct"));
    cmd(&x, TUI_CMD_QUIT, -1, NULL, NULL);
    finish(&x);
}

static void quit_stops_with_a_resume_point(void **state) {
    Run x;
    tiny_graph("6");
    start(&x);
    assert_true(wait_for(&x, 0, first_running, NULL));
    cmd(&x, TUI_CMD_STEP, -1, NULL, NULL);
    cmd(&x, TUI_CMD_STEP, -1, NULL, NULL);
    assert_true(wait_for(&x, 0, stage0_at_2, NULL));
    assert_true(m.n_series >= 1 && m.series[0].n == 2); /* live, from the ring */
    cmd(&x, TUI_CMD_QUIT, -1, NULL, NULL);
    assert_true(run_view_quit(x.v));
    runner_join(x.r);
    assert_int_equal(runner_stopped(x.r), 1);
    snap(&x, 0);
    assert_true(strstr(m.log, "stopped") != NULL);
    assert_non_null(strstr(m.stages[0].headline, "stopped 2/6"));
    char p[256];
    rundir_path(p, sizeof p, dir, "pretrain", "resume");
    assert_true(rundir_exists(p));
    finish(&x);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(graph_states_and_edits, setup, teardown),
        cmocka_unit_test_setup_teardown(quit_stops_with_a_resume_point, setup, teardown),
    };
    return cmocka_run_group_tests_name("cli_run_view", tests, NULL, NULL);
}
