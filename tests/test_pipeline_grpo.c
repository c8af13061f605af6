/* The grpo stage through a script: a reward written in Lua is called on every
 * completion with the right fields and weighs into the total; its errors fail
 * the stage with the script's file:line; a misspelt reward fails the load;
 * editing a reward's code changes the stage's cache key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/runtime.h"
#include "pipeline/cache.h"
#include "pipeline/csvio.h"
#include "pipeline/runner.h"
#include "script/pipeline.h"

#define SCRIPT "tests/lua/pipe_grpo.lua"

static Graph g;
static char err[4096];
static char dir[64];

static ScriptPipeline *load(const char *mode) {
    graph_init(&g);
    ScriptOptions o = {.lua_path = "tests/lua;lua"};
    const char *names[] = {"mode"}, *values[] = {mode};
    ScriptParams p = {names, values, 1};
    err[0] = 0;
    return script_pipeline_load(SCRIPT, &p, &o, &g, err, sizeof err);
}

typedef struct {
    StageState final[GRAPH_MAX_STAGES];
    char error[GRAPH_MAX_STAGES][1024];
} Watch;

static void watch(void *ctx, int s, RunnerEvent ev, const StageStatus *st) {
    Watch *w = ctx;
    if (ev != RUNNER_EV_END) return;
    w->final[s] = st->state;
    snprintf(w->error[s], sizeof w->error[s], "%s", st->error);
}

static void run(Watch *w) {
    RunnerOptions o = {.dir = dir, .seed = 1, .fresh = true, .report = watch, .report_ctx = w};
    Runner *r = runner_new(&g, &o, err, sizeof err);
    if (!r) fail_msg("%s", err);
    runner_run(r);
    runner_free(r);
}

static double cell(const CsvTable *t, size_t row, const char *col) {
    int c = csvio_col(t, col);
    if (c < 0) fail_msg("no column %s", col);
    return atof(csvio_cell(t, row, (size_t)c));
}

static void test_lua_reward_in_a_run(void **state) {
    ScriptPipeline *p = load("ok");
    if (!p) fail_msg("%s", err);
    Watch w = {0};
    run(&w);
    int z = graph_find(&g, "zero");
    if (w.final[z] != STAGE_DONE) fail_msg("zero: %s", w.error[z]);

    char path[256];
    CsvTable m, s;
    snprintf(path, sizeof path, "%s/zero/metrics.csv", dir);
    assert_int_equal(csvio_read(path, &m, err, sizeof err), 0);
    assert_int_equal(m.nrows, 3);
    for (size_t i = 0; i < m.nrows; i++) {
        /* the mean of -length/8 over the batch is -mean_length/8 */
        assert_float_equal(cell(&m, i, "reward_brevity"), -cell(&m, i, "mean_length") / 8, 1e-6);
        assert_float_equal(cell(&m, i, "reward"),
                           cell(&m, i, "reward_accuracy") + 0.5 * cell(&m, i, "reward_brevity"),
                           1e-5);
    }
    snprintf(path, sizeof path, "%s/zero/samples.csv", dir);
    assert_int_equal(csvio_read(path, &s, err, sizeof err), 0);
    assert_int_equal(s.nrows, 3 * 4); /* every step's 2 x 2 completions */
    for (size_t i = 0; i < s.nrows; i++) {
        assert_float_equal(cell(&s, i, "brevity"), -cell(&s, i, "length") / 8, 1e-6);
        assert_float_equal(cell(&s, i, "reward"),
                           cell(&s, i, "accuracy") + 0.5 * cell(&s, i, "brevity"), 1e-5);
    }
    csvio_free(&m);
    csvio_free(&s);
    script_pipeline_free(p);
}

static void test_lua_reward_error_fails_the_stage(void **state) {
    ScriptPipeline *p = load("error");
    if (!p) fail_msg("%s", err);
    Watch w = {0};
    run(&w);
    int z = graph_find(&g, "zero");
    assert_int_equal(w.final[z], STAGE_FAILED);
    if (!strstr(w.error[z], "pipe_grpo.lua:16") || !strstr(w.error[z], "reward 'brevity'"))
        fail_msg("unexpected message: %s", w.error[z]);
    script_pipeline_free(p);
}

static void test_misspelt_reward_fails_the_load(void **state) {
    assert_null(load("typo"));
    if (!strstr(err, "pipe_grpo.lua:") || !strstr(err, "'acuracy'"))
        fail_msg("unexpected message: %s", err);
}

static void test_reward_code_is_in_the_key(void **state) {
    uint64_t k1[GRAPH_MAX_STAGES], k2[GRAPH_MAX_STAGES], k3[GRAPH_MAX_STAGES];
    int order[GRAPH_MAX_STAGES];
    uint64_t *keys[] = {k1, k2, k3};
    const char *modes[] = {"ok", "alt", "ok"};
    for (int i = 0; i < 3; i++) {
        ScriptPipeline *p = load(modes[i]);
        if (!p) fail_msg("%s", err);
        assert_int_equal(graph_resolve(&g, order, err, sizeof err), 0);
        assert_int_equal(cache_keys(&g, order, 1, keys[i], err, sizeof err), 0);
        script_pipeline_free(p);
    }
    int pre = 0, zero = 1;
    assert_true(k1[pre] == k2[pre]);   /* pretrain uses no reward */
    assert_true(k1[zero] != k2[zero]); /* another reward body: another key */
    assert_true(k1[zero] == k3[zero]); /* the same body: the same key */
}

static int setup(void **state) {
    engine_set_threads(1);
    snprintf(dir, sizeof dir, "/tmp/r1sim-grpo-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lua_reward_in_a_run),
        cmocka_unit_test(test_lua_reward_error_fails_the_stage),
        cmocka_unit_test(test_misspelt_reward_fails_the_load),
        cmocka_unit_test(test_reward_code_is_in_the_key),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
