/* The step inspector's source over a real runner on a tiny pretrain → grpo
 * pipeline: while the grpo stage runs its newest step comes from memory,
 * marked live; once it is done, from tokens.csv, and the recorded steps
 * before and after a step are found; a stage that records no steps says
 * so. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/run_steps.h"
#include "engine/runtime.h"
#include "file_helpers.h"
#include "pipeline/graph.h"
#include "pipeline/runner.h"

static Graph g;
static char err[1024];
static char dir[64];

static void tiny_graph(void) {
    graph_init(&g);
    const char *pn[] = {"steps",  "batch_size", "seq_len", "context",    "d_model", "n_layer",
                        "n_head", "task",       "warmup",  "save_every", "lr"};
    const char *pv[] = {"4", "4", "32", "48", "16", "1", "2", "add2", "1", "100", "1e-3"};
    if (graph_add_stage(&g, "pretrain", "pretrain", NULL, 0, pn, pv, 11, "t:1", err, sizeof err))
        fail_msg("%s", err);
    const char *gn[] = {"task",       "steps",          "prompts_per_step",
                        "group_size", "max_new_tokens", "samples_every",
                        "beta"};
    const char *gv[] = {"add2", "5", "2", "2", "8", "2", "0.1"};
    const char *in[] = {"pretrain"};
    if (graph_add_stage(&g, "grpo", "zero", in, 1, gn, gv, 7, "t:2", err, sizeof err))
        fail_msg("%s", err);
}

static void sleep_ms(int ms) {
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

static void steps_live_then_recorded(void **state) {
    tiny_graph();
    RunnerOptions o = {.dir = dir, .seed = 1, .start_paused = true};
    Runner *r = runner_new(&g, &o, err, sizeof err);
    assert_non_null(r);
    RunSteps rs = {0};
    TuiStep t = {0};
    TuiStepInfo info;
    char msg[256];
    assert_int_equal(runner_start(r), 0);
    /* nothing yet: the stage has not run; asking also tells the worker to
     * keep its newest step from now on (a run nobody inspects copies none) */
    assert_int_equal(
        run_steps_fetch(&rs, r, dir, 1, TUI_STEP_NEWEST, 0, 0, &t, &info, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "has not run yet"));
    /* single steps into the grpo stage, then look at its newest step */
    StageStatus st;
    RunnerCmd one = {.kind = CMD_STEP};
    for (int k = 0; k < 40; k++) {
        runner_status(r, 1, &st);
        if (st.state == STAGE_RUNNING && st.step >= 2) break;
        long before = st.step;
        StageStatus s0;
        runner_status(r, 0, &s0);
        long before0 = s0.step;
        runner_command(r, &one);
        for (int i = 0; i < 20000; i++) { /* until that step is taken */
            runner_status(r, 1, &st);
            runner_status(r, 0, &s0);
            if ((st.step != before || s0.step != before0) && runner_paused(r)) break;
            sleep_ms(1);
        }
    }
    runner_status(r, 1, &st);
    assert_int_equal(st.state, STAGE_RUNNING);
    assert_int_equal(st.step, 2);
    assert_int_equal(
        run_steps_fetch(&rs, r, dir, 1, TUI_STEP_NEWEST, 0, 0, &t, &info, msg, sizeof msg), 1);
    assert_true(info.live);
    assert_int_equal(info.index, -1);
    assert_int_equal(t.step, 2);
    assert_int_equal(t.n, 4);
    assert_true(info.base.set && info.base.beta == 0.04f);
    /* the same step again: nothing copied */
    assert_int_equal(
        run_steps_fetch(&rs, r, dir, 1, TUI_STEP_NEWEST, 0, info.seq, &t, &info, msg, sizeof msg),
        0);
    /* a recorded step while it runs: steps 1 and 2 are in tokens.csv */
    assert_int_equal(run_steps_fetch(&rs, r, dir, 1, 2, -1, 0, &t, &info, msg, sizeof msg), 1);
    assert_false(info.live);
    assert_int_equal(t.step, 1);
    RunnerCmd go = {.kind = CMD_RUN};
    runner_command(r, &go);
    runner_join(r);
    assert_int_equal(runner_failures(r), 0);

    /* done: the newest is the last recorded step; recorded are 1, 2, 4, 5 */
    assert_int_equal(
        run_steps_fetch(&rs, r, dir, 1, TUI_STEP_NEWEST, 0, 0, &t, &info, msg, sizeof msg), 1);
    assert_false(info.live);
    assert_int_equal(info.count, 4);
    assert_int_equal(info.index, 3);
    assert_int_equal(t.step, 5);
    assert_int_equal(
        run_steps_fetch(&rs, r, dir, 1, TUI_STEP_NEWEST, 0, info.seq, &t, &info, msg, sizeof msg),
        0);
    assert_int_equal(run_steps_fetch(&rs, r, dir, 1, 5, -1, 0, &t, &info, msg, sizeof msg), 1);
    assert_int_equal(t.step, 4);
    assert_int_equal(run_steps_fetch(&rs, r, dir, 1, 2, 1, 0, &t, &info, msg, sizeof msg), 1);
    assert_int_equal(t.step, 4);
    assert_int_equal(run_steps_fetch(&rs, r, dir, 1, 1, -1, 0, &t, &info, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "no recorded step before step 1 (recorded: 1 to 5)"));
    assert_int_equal(t.step, 4); /* untouched by a refusal */
    assert_int_equal(
        run_steps_fetch(&rs, r, dir, 0, TUI_STEP_NEWEST, 0, 0, &t, &info, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "tokens.csv"));
    tui_step_free(&t);
    run_steps_free(&rs);
    runner_free(r);
}

static int setup(void **state) {
    engine_set_threads(1);
    return tf_scratch(dir, sizeof dir, "r1sim-steps");
}

static int teardown(void **state) {
    return tf_remove(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(steps_live_then_recorded),
    };
    return cmocka_run_group_tests_name("cli_run_steps", tests, setup, teardown);
}
