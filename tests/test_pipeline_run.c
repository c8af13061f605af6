/* The runner end to end on tiny real stages (pretrain → eval): the cache
 * reuses what did not change and re-runs what did and everything downstream;
 * a run stopped in the middle of a stage resumes to the same numbers as one
 * that was never stopped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/runtime.h"
#include "world/csvio.h"
#include "pipeline/graph.h"
#include "pipeline/runner.h"
#include "pipeline/stages.h"
#include "file_helpers.h"

static Graph g;
static char err[1024];

static void tiny_graph(const char *lr, const char *k) {
    graph_init(&g);
    const char *pn[] = {"steps",  "batch_size", "seq_len", "context",    "d_model", "n_layer",
                        "n_head", "task",       "warmup",  "save_every", "lr"};
    const char *pv[] = {"6", "4", "32", "32", "16", "1", "2", "add2", "2", "2", lr};
    if (graph_add_stage(&g, "pretrain", "pretrain", NULL, 0, pn, pv, 11, "t", err, sizeof err))
        fail_msg("%s", err);
    const char *en[] = {"task", "n_prompts", "k", "max_new_tokens"};
    const char *ev[] = {"add2", "4", k, "8"};
    const char *in[] = {"pretrain"};
    if (graph_add_stage(&g, "eval", "eval", in, 1, en, ev, 4, "t", err, sizeof err))
        fail_msg("%s", err);
}

typedef struct {
    long stop_after; /* steps of stage 0 before asking to stop; 0: never */
    bool stop;
    StageState final[GRAPH_MAX_STAGES];
} Watch;

static void watch_report(void *ctx, int s, RunnerEvent ev, const StageStatus *st) {
    Watch *w = ctx;
    if (ev == RUNNER_EV_STEP && s == 0 && w->stop_after && st->step >= w->stop_after)
        w->stop = true;
    if (ev == RUNNER_EV_END) w->final[s] = st->state;
}

static bool watch_stop(void *ctx) {
    return ((Watch *)ctx)->stop;
}

static void run_seeded(const char *dir, bool fresh, unsigned long long seed, Watch *w) {
    RunnerOptions o = {.dir = dir,
                       .seed = seed,
                       .fresh = fresh,
                       .report = watch_report,
                       .report_ctx = w,
                       .should_stop = watch_stop,
                       .stop_ctx = w};
    Runner *r = runner_new(&g, &o, err, sizeof err);
    if (!r) fail_msg("%s", err);
    assert_int_equal(runner_start(r), 0); /* the worker thread, as the CLI runs it */
    runner_join(r);
    assert_int_equal(runner_failures(r), 0);
    runner_free(r);
}

static void run(const char *dir, bool fresh, Watch *w) {
    run_seeded(dir, fresh, 1, w);
}

/* The loss column: tokens_per_s is a timing and differs between runs. */
static void assert_same_losses(const char *a, const char *b) {
    CsvTable x, y;
    assert_int_equal(csvio_read(a, &x, err, sizeof err), 0);
    assert_int_equal(csvio_read(b, &y, err, sizeof err), 0);
    assert_int_equal(x.nrows, y.nrows);
    int cx = csvio_col(&x, "loss"), cy = csvio_col(&y, "loss");
    for (size_t i = 0; i < x.nrows; i++) {
        assert_string_equal(csvio_cell(&x, i, 0), csvio_cell(&y, i, 0));
        assert_string_equal(csvio_cell(&x, i, (size_t)cx), csvio_cell(&y, i, (size_t)cy));
    }
    csvio_free(&x);
    csvio_free(&y);
}

static char base_dir[64];

static int setup(void **state) {
    engine_set_threads(1);
    snprintf(base_dir, sizeof base_dir, "/tmp/r1sim-pipe-XXXXXX");
    if (!mkdtemp(base_dir)) return -1;
    return 0;
}

static int teardown(void **state) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", base_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_cache_hit_and_miss(void **state) {
    char dir[128];
    snprintf(dir, sizeof dir, "%s/cache", base_dir);
    Watch w = {0};
    tiny_graph("0.001", "2");
    run(dir, false, &w);
    assert_int_equal(w.final[0], STAGE_DONE);
    assert_int_equal(w.final[1], STAGE_DONE);

    memset(&w, 0, sizeof w); /* unchanged: both reused */
    run(dir, false, &w);
    assert_int_equal(w.final[0], STAGE_CACHED);
    assert_int_equal(w.final[1], STAGE_CACHED);

    tiny_graph("0.001", "1"); /* eval option changed: only eval re-runs */
    memset(&w, 0, sizeof w);
    run(dir, false, &w);
    assert_int_equal(w.final[0], STAGE_CACHED);
    assert_int_equal(w.final[1], STAGE_DONE);

    tiny_graph("0.002", "1"); /* pretrain option changed: it and its eval re-run */
    memset(&w, 0, sizeof w);
    run(dir, false, &w);
    assert_int_equal(w.final[0], STAGE_DONE);
    assert_int_equal(w.final[1], STAGE_DONE);

    memset(&w, 0, sizeof w); /* --fresh ignores the cache */
    run(dir, true, &w);
    assert_int_equal(w.final[0], STAGE_DONE);
    assert_int_equal(w.final[1], STAGE_DONE);

    char p[256];
    snprintf(p, sizeof p, "%s/eval.csv", dir);
    CsvTable t;
    assert_int_equal(csvio_read(p, &t, err, sizeof err), 0);
    assert_int_equal(t.nrows, 1);
    assert_string_equal(csvio_cell(&t, 0, 0), "pretrain");
    assert_string_equal(csvio_cell(&t, 0, 1), "add2");
    assert_int_equal(csvio_col(&t, "pass_at_1_direct"), 11);
    csvio_free(&t);
}

/* An eval stage writes its pass@k curve beside its eval row, and the run's
 * pass_at_k.csv gathers it: k = 1, 2, 4 of 4 samples, pass@1 and maj@4 the
 * eval row's own figures. */
static void test_eval_writes_the_pass_at_k_curve(void **state) {
    char dir[128], p[256];
    snprintf(dir, sizeof dir, "%s/passk", base_dir);
    tiny_graph("0.001", "4");
    Watch w = {0};
    run(dir, false, &w);
    assert_int_equal(w.final[1], STAGE_DONE);
    CsvTable e, k;
    snprintf(p, sizeof p, "%s/eval.csv", dir);
    assert_int_equal(csvio_read(p, &e, err, sizeof err), 0);
    snprintf(p, sizeof p, "%s/eval/pass_at_k.csv", dir);
    assert_int_equal(csvio_read(p, &k, err, sizeof err), 0);
    static const char *const header[] = {"model", "task", "n", "k", "pass_at_k", "maj_at_k"};
    assert_int_equal(k.ncols, 6);
    for (int c = 0; c < 6; c++) assert_string_equal(k.header[c], header[c]);
    assert_int_equal(k.nrows, 3);
    for (size_t r = 0; r < 3; r++) {
        assert_string_equal(csvio_cell(&k, r, 0), "pretrain");
        assert_string_equal(csvio_cell(&k, r, 1), "add2");
        assert_string_equal(csvio_cell(&k, r, 2), "4");
        assert_int_equal(atoi(csvio_cell(&k, r, 3)), 1 << r);
    }
    int p1 = csvio_col(&e, "pass_at_1"), mk = csvio_col(&e, "maj_at_k"),
        p4 = csvio_col(&e, "pass_at_4");
    assert_string_equal(csvio_cell(&k, 0, 4), csvio_cell(&e, 0, (size_t)p1));
    assert_string_equal(csvio_cell(&k, 0, 5), csvio_cell(&e, 0, (size_t)p1));
    assert_string_equal(csvio_cell(&k, 2, 4), csvio_cell(&e, 0, (size_t)p4));
    assert_string_equal(csvio_cell(&k, 2, 5), csvio_cell(&e, 0, (size_t)mk));
    csvio_free(&k);
    snprintf(p, sizeof p, "%s/pass_at_k.csv", dir);
    assert_int_equal(csvio_read(p, &k, err, sizeof err), 0);
    assert_int_equal(k.nrows, 3);
    assert_string_equal(csvio_cell(&k, 2, 3), "4");
    csvio_free(&k);
    csvio_free(&e);
}

static void test_resume_matches_uninterrupted(void **state) {
    char a[128], b[128], pa[256], pb[256];
    snprintf(a, sizeof a, "%s/whole", base_dir);
    snprintf(b, sizeof b, "%s/stopped", base_dir);
    tiny_graph("0.001", "2");
    Watch w = {0};
    run(a, false, &w);
    assert_int_equal(w.final[1], STAGE_DONE);

    Watch s = {.stop_after = 3};
    run(b, false, &s);
    assert_int_equal(s.final[0], STAGE_STOPPED);
    assert_int_equal(s.final[1], STAGE_WAITING);
    /* As if the process died after logging a step past its last resume
     * point: the resumed run must drop that row and log the step again. */
    snprintf(pb, sizeof pb, "%s/pretrain/metrics.csv", b);
    FILE *f = fopen(pb, "a");
    assert_non_null(f);
    fputs("4,9,9,9,9\n", f);
    fclose(f);
    memset(&s, 0, sizeof s);
    run(b, false, &s);
    assert_int_equal(s.final[0], STAGE_DONE);
    assert_int_equal(s.final[1], STAGE_DONE);

    snprintf(pa, sizeof pa, "%s/pretrain/model.ckpt", a);
    snprintf(pb, sizeof pb, "%s/pretrain/model.ckpt", b);
    tf_assert_same_file(pa, pb);
    snprintf(pa, sizeof pa, "%s/pretrain/metrics.csv", a);
    snprintf(pb, sizeof pb, "%s/pretrain/metrics.csv", b);
    assert_same_losses(pa, pb);
    snprintf(pa, sizeof pa, "%s/eval.csv", a);
    snprintf(pb, sizeof pb, "%s/eval.csv", b);
    tf_assert_same_file(pa, pb);
}

/* The first loss of a pretrain run (its initialisation and first batch). */
static double first_loss(const char *dir) {
    char p[256];
    snprintf(p, sizeof p, "%s/pretrain/metrics.csv", dir);
    CsvTable t;
    assert_int_equal(csvio_read(p, &t, err, sizeof err), 0);
    double v = atof(csvio_cell(&t, 0, (size_t)csvio_col(&t, "loss")));
    csvio_free(&t);
    return v;
}

/* --seed reaches the stages: another run seed gives another initialisation
 * and corpus, the same one the same numbers, and seed 1 is the stages' own. */
static void test_run_seed_changes_the_numbers(void **state) {
    char a[128], b[128], c[128];
    snprintf(a, sizeof a, "%s/seed1", base_dir);
    snprintf(b, sizeof b, "%s/seed2", base_dir);
    snprintf(c, sizeof c, "%s/seed2again", base_dir);
    tiny_graph("0.001", "2");
    Watch w = {0};
    run_seeded(a, false, 1, &w);
    memset(&w, 0, sizeof w);
    run_seeded(b, false, 2, &w);
    memset(&w, 0, sizeof w);
    run_seeded(c, false, 2, &w);
    assert_true(first_loss(a) != first_loss(b));
    assert_true(first_loss(b) == first_loss(c));
    assert_true(stage_seed_for_run(7, 1) == 7);
    assert_true(stage_seed_for_run(7, 2) != stage_seed_for_run(7, 3));
}

static void wait_for(Runner *r, long step) {
    StageStatus st;
    for (int i = 0; i < 20000; i++) {
        runner_status(r, 0, &st);
        if (st.step >= step && runner_paused(r)) return;
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    fail_msg("stage 0 never reached step %ld", step);
}

/* The view's controls: start paused, single steps, an option edit of a stage
 * not yet started, then run to the end. */
static void test_commands(void **state) {
    char dir[128];
    snprintf(dir, sizeof dir, "%s/commands", base_dir);
    tiny_graph("0.001", "2");
    RunnerOptions o = {.dir = dir, .seed = 1, .start_paused = true};
    Runner *r = runner_new(&g, &o, err, sizeof err);
    assert_non_null(r);
    assert_int_equal(runner_start(r), 0);
    RunnerCmd step = {.kind = CMD_STEP};
    runner_command(r, &step);
    wait_for(r, 1);
    runner_command(r, &step);
    wait_for(r, 2);
    struct timespec ts = {0, 20000000};
    nanosleep(&ts, NULL);
    StageStatus st;
    runner_status(r, 0, &st);
    assert_int_equal(st.step, 2); /* paused: no step without a command */
    assert_int_equal(st.state, STAGE_RUNNING);

    char script_k[64];
    snprintf(script_k, sizeof script_k, "%s", stage_opt(&g.stages[1], "k"));
    RunnerCmd edit = {.kind = CMD_SET_OPTION, .stage = 1};
    snprintf(edit.name, sizeof edit.name, "k");
    snprintf(edit.value, sizeof edit.value, "3");
    runner_command(r, &edit);
    RunnerCmd bad = edit;
    bad.stage = 0; /* running: refused */
    runner_command(r, &bad);
    runner_command(r, &step); /* commands are applied in order before this step */
    wait_for(r, 3);
    char msg[512];
    runner_message(r, msg, sizeof msg);
    assert_non_null(strstr(msg, "has started"));
    assert_string_equal(stage_opt(&g.stages[1], "k"), "3");
    uint64_t edited_key = runner_key(r, 1);

    /* reset: the script's options and key again; a second reset says so */
    RunnerCmd reset = {.kind = CMD_RESET_OPTIONS, .stage = 1};
    runner_command(r, &reset);
    runner_command(r, &step);
    wait_for(r, 4);
    runner_message(r, msg, sizeof msg);
    assert_non_null(strstr(msg, "1 option back to the script's"));
    assert_string_equal(stage_opt(&g.stages[1], "k"), script_k);
    assert_true(runner_key(r, 1) != edited_key);
    runner_command(r, &reset);
    RunnerCmd reset_running = {.kind = CMD_RESET_OPTIONS, .stage = 0};
    runner_command(r, &step);
    wait_for(r, 5);
    runner_message(r, msg, sizeof msg);
    assert_non_null(strstr(msg, "the options are the script's already"));
    runner_command(r, &reset_running);
    runner_command(r, &step);
    wait_for(r, 6);
    runner_message(r, msg, sizeof msg);
    assert_non_null(strstr(msg, "has started"));
    runner_command(r, &edit); /* k = 3 again, for the eval below */

    RunnerCmd go = {.kind = CMD_RUN};
    runner_command(r, &go);
    runner_join(r);
    assert_int_equal(runner_failures(r), 0);
    runner_status(r, 1, &st);
    assert_int_equal(st.state, STAGE_DONE);
    MetricsRow rows[16];
    size_t n = metrics_ring_snapshot(runner_metrics(r), rows, 16, NULL);
    assert_int_equal(n, 7); /* 6 pretrain steps and the eval */
    assert_int_equal(rows[5].step, 6);
    assert_int_equal(rows[6].stage, 1);
    runner_free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cache_hit_and_miss),
        cmocka_unit_test(test_eval_writes_the_pass_at_k_curve),
        cmocka_unit_test(test_resume_matches_uninterrupted),
        cmocka_unit_test(test_run_seed_changes_the_numbers),
        cmocka_unit_test(test_commands),
    };
    return cmocka_run_group_tests_name("pipeline_run", tests, setup, teardown);
}
