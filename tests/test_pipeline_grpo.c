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
#include "world/csvio.h"
#include "pipeline/runner.h"
#include "pipeline/step_records.h"
#include "world/tokenizer.h"
#include "script/pipeline.h"

#define SCRIPT "tests/lua/pipe_grpo.lua"

static Graph g;
static char err[4096];
static char dir[64];

static ScriptPipeline *load_with(const char *mode, const char *steps, const char *reset) {
    graph_init(&g);
    ScriptOptions o = {.lua_path = "tests/lua;lua"};
    const char *names[] = {"mode", "rl_steps", "reset"}, *values[] = {mode, steps, reset};
    ScriptParams p = {names, values, 3};
    err[0] = 0;
    return script_pipeline_load(SCRIPT, &p, &o, &g, err, sizeof err);
}

static ScriptPipeline *load(const char *mode) {
    return load_with(mode, "3", "0");
}

typedef struct {
    StageState final[GRAPH_MAX_STAGES];
    char error[GRAPH_MAX_STAGES][1024];
    long stop_at; /* steps of the grpo stage (1) before asking to stop; 0 never */
    bool stop;
} Watch;

static void watch(void *ctx, int s, RunnerEvent ev, const StageStatus *st) {
    Watch *w = ctx;
    if (ev == RUNNER_EV_STEP && s == 1 && w->stop_at && st->step >= w->stop_at) w->stop = true;
    if (ev != RUNNER_EV_END) return;
    w->final[s] = st->state;
    snprintf(w->error[s], sizeof w->error[s], "%s", st->error);
}

static bool watch_stop(void *ctx) {
    return ((Watch *)ctx)->stop;
}

static void run_in(const char *d, bool fresh, Watch *w) {
    RunnerOptions o = {.dir = d,
                       .seed = 1,
                       .fresh = fresh,
                       .report = watch,
                       .report_ctx = w,
                       .should_stop = watch_stop,
                       .stop_ctx = w};
    Runner *r = runner_new(&g, &o, err, sizeof err);
    if (!r) fail_msg("%s", err);
    runner_run(r);
    runner_free(r);
}

static void run(Watch *w) {
    run_in(dir, true, w);
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

/* tokens.csv read back: each recorded token's ratio, KL and objective term
 * follow from its recorded log-probs and its completion's advantage, the
 * terms sum to the loss in metrics.csv, and the tokens spell the completion
 * samples.csv holds. */
static void test_recorded_steps_read_back(void **state) {
    ScriptPipeline *p = load("ok");
    if (!p) fail_msg("%s", err);
    Watch w = {0};
    run(&w);
    int z = graph_find(&g, "zero");
    if (w.final[z] != STAGE_DONE) fail_msg("zero: %s", w.error[z]);
    StepIndex ix = {0};
    if (step_index_update(&ix, dir, "zero", err, sizeof err)) fail_msg("%s", err);
    assert_int_equal(ix.n, 3); /* samples_every = 1 */
    assert_int_equal(step_index_find(&ix, 2, 0), 1);
    assert_int_equal(step_index_find(&ix, 2, 1), 2);
    assert_int_equal(step_index_find(&ix, 1, -1), -1);
    char path[256];
    CsvTable m, s;
    snprintf(path, sizeof path, "%s/zero/metrics.csv", dir);
    assert_int_equal(csvio_read(path, &m, err, sizeof err), 0);
    snprintf(path, sizeof path, "%s/zero/samples.csv", dir);
    assert_int_equal(csvio_read(path, &s, err, sizeof err), 0);
    GrpoTrace t = {0};
    for (int i = 0; i < ix.n; i++) {
        if (step_records_load(&ix, i, &g.stages[z], &t, err, sizeof err)) fail_msg("%s", err);
        assert_int_equal(t.step, i + 1);
        assert_int_equal(t.n, 4);
        assert_string_equal(t.reward_name[1], "brevity");
        assert_float_equal(t.reward_weight[1], 0.5, 1e-6);
        double want = cell(&m, (size_t)i, "loss");
        assert_float_equal(t.loss, want, 1e-5 + 1e-4 * fabs(want));
        for (size_t k = 0; k < t.n_tok; k++) {
            const GrpoTraceToken *x = &t.tok[k];
            double rho = exp((double)x->logp - x->logp_old);
            assert_float_equal(x->ratio, rho, 1e-5 * rho);
            double d = (double)x->logp_ref - x->logp;
            assert_float_equal(x->kl, exp(d) - d - 1, 1e-6);
            double A = t.seq[x->seq].advantage;
            double c = rho < 1 - t.eps_low    ? 1 - t.eps_low
                       : rho > 1 + t.eps_high ? 1 + t.eps_high
                                              : rho;
            double sur = rho * A < c * A ? rho * A : c * A;
            assert_float_equal(x->objective, x->weight * (sur - t.beta * x->kl), 1e-6);
        }
        for (int j = 0; j < t.n; j++) {
            const GrpoTraceSeq *q = &t.seq[j];
            int ids[64];
            assert_int_equal(q->n_tok, q->length);
            for (int k = 0; k < q->n_tok; k++) ids[k] = t.tok[q->tok0 + k].token;
            char text[256];
            tok_decode(ids, q->n_tok, text, sizeof text);
            size_t row = (size_t)(i * 4 + j);
            assert_string_equal(text, csvio_cell(&s, row, (size_t)csvio_col(&s, "completion")));
            assert_float_equal(q->advantage, cell(&s, row, "advantage"), 1e-5);
        }
    }
    grpo_trace_free(&t);
    step_index_free(&ix);
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

/* Every column but the timing of two files, row by row. */
static void assert_same_rows(const char *a, const char *b) {
    CsvTable x, y;
    assert_int_equal(csvio_read(a, &x, err, sizeof err), 0);
    assert_int_equal(csvio_read(b, &y, err, sizeof err), 0);
    assert_int_equal(x.nrows, y.nrows);
    assert_int_equal(x.ncols, y.ncols);
    int skip = csvio_col(&x, "tokens_per_s");
    for (size_t i = 0; i < x.nrows; i++)
        for (size_t c = 0; c < x.ncols; c++)
            if ((int)c != skip && strcmp(csvio_cell(&x, i, c), csvio_cell(&y, i, c)))
                fail_msg("%s row %zu col %s: %s vs %s", a, i, x.header[c], csvio_cell(&x, i, c),
                         csvio_cell(&y, i, c));
    csvio_free(&x);
    csvio_free(&y);
}

/* A GRPO stage stopped mid-way resumes to the numbers of an uninterrupted
 * run: same rollouts, same updates, same samples; also when its reference
 * model moves (ref_reset_every), which the resume point then keeps. */
static void test_resume_matches_uninterrupted(void **state) {
    const char *resets[] = {"0", "2"};
    for (int k = 0; k < 2; k++) {
        char a[96], b[96], fa[128], fb[128];
        snprintf(a, sizeof a, "%s/whole%d", dir, k);
        snprintf(b, sizeof b, "%s/stopped%d", dir, k);
        ScriptPipeline *p = load_with("ok", "5", resets[k]);
        if (!p) fail_msg("%s", err);
        Watch w = {0};
        run_in(a, true, &w);
        assert_int_equal(w.final[1], STAGE_DONE);
        Watch s1 = {.stop_at = 3};
        run_in(b, true, &s1);
        assert_int_equal(s1.final[1], STAGE_STOPPED);
        Watch s2 = {0};
        run_in(b, false, &s2);
        assert_int_equal(s2.final[1], STAGE_DONE);
        script_pipeline_free(p);
        const char *files[] = {"metrics.csv", "samples.csv", "tokens.csv"};
        for (int f = 0; f < 3; f++) {
            snprintf(fa, sizeof fa, "%s/zero/%s", a, files[f]);
            snprintf(fb, sizeof fb, "%s/zero/%s", b, files[f]);
            assert_same_rows(fa, fb);
        }
    }
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
        cmocka_unit_test(test_recorded_steps_read_back),
        cmocka_unit_test(test_lua_reward_error_fails_the_stage),
        cmocka_unit_test(test_misspelt_reward_fails_the_load),
        cmocka_unit_test(test_reward_code_is_in_the_key),
        cmocka_unit_test(test_resume_matches_uninterrupted),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
