/* A stage kind from outside src/pipeline: the test registers two kinds with
 * stage_kind_register and runs them through the runner with nothing else
 * changed. `tally` has options of its own, an optional checkpoint input, a
 * counter it saves in resume points, a step file and a headline; `blip` has
 * no options, no inputs and no resume points. Both are cached, and a
 * stopped run continues (tally from its resume point, blip from scratch) to
 * the files of a run that was never stopped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/runtime.h"
#include "pipeline/runner.h"
#include "pipeline/stage_kind.h"
#include "pipeline/stage_options.h"
#include "pipeline/stages.h"
#include "script/pipeline.h"
#include "world/csvio.h"
#include "file_helpers.h"

/* What the kinds' functions were asked to do, for the assertions. */
static struct {
    int opens, steps, saves, loads, starts, resumed_starts, finishes, frees;
    unsigned long long seed;
    int had_model;
} calls;

/* ---- tally --------------------------------------------------------------- */

static const char *check_word(const char *v) {
    return v[0] && !strchr(v, ' ') ? NULL : "a word";
}

static const OptSpec tally_options[] = {
    {"steps", OPT_INTEGER, "5", 1, 100, "steps to take", NULL, FIELD_NONE, 0},
    {"add", OPT_NUMBER, "1", 0, 1000, "added times the step number", NULL, FIELD_NONE, 0},
    {"label", OPT_STRING, "t", 0, 0, "written with the count", check_word, FIELD_NONE, 0},
    {"save_every", OPT_INTEGER, "1", 1, 100, "steps between resume points", NULL, FIELD_NONE, 0},
    OPT_END,
};

typedef struct {
    double count, add;
    CsvAppender *log;
} Tally;

static void *tally_open(StageCtx *c, long *total, char *err, size_t errlen) {
    calls.opens++;
    calls.seed = c->seed;
    if (stage_input_count(c, "base") == 1) {
        c->model = stage_input_model(c, "base", 0, err, errlen);
        if (!c->model) return NULL;
    }
    calls.had_model = c->model != NULL;
    Tally *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, errlen, "stage '%s': out of memory", c->st->name);
        return NULL;
    }
    t->add = stage_opt_num(c->st, "add");
    *total = (long)stage_opt_num(c->st, "steps");
    return t;
}

static int tally_columns(const void *state, const char **names, int max) {
    (void)state;
    static const char *const cols[] = {"count", "has_model"};
    int n = max < 2 ? max : 2;
    for (int i = 0; i < n; i++) names[i] = cols[i];
    return n;
}

static int tally_start(void *state, StageCtx *c, int resumed, char *err, size_t errlen) {
    Tally *t = state;
    calls.starts++;
    calls.resumed_starts += resumed;
    char p[4200];
    stage_file(c, "log.csv", p, sizeof p);
    static const char *const header[] = {"step", "count"};
    t->log = csvio_append_open(p, header, 2, err, errlen);
    return t->log ? 0 : -1;
}

static int tally_step(void *state, StageCtx *c, MetricsRow *row, char *err, size_t errlen) {
    Tally *t = state;
    calls.steps++;
    long at = c->done + 1;
    t->count += t->add * (double)at;
    stage_row_set(row, "count", t->count);
    stage_row_set(row, "has_model", c->model != NULL);
    char a[32], b[32];
    snprintf(a, sizeof a, "%ld", at);
    snprintf(b, sizeof b, "%.17g", t->count);
    const char *f[] = {a, b};
    return csvio_append_row(t->log, f, 2, err, errlen);
}

static int tally_save(void *state, StageCtx *c, const char *prefix, char *err, size_t errlen) {
    calls.saves++;
    char p[4200];
    snprintf(p, sizeof p, "%s.state", prefix);
    FILE *f = fopen(p, "w");
    if (!f || fprintf(f, "tally %.17g\n", ((Tally *)state)->count) < 0 || fclose(f)) {
        snprintf(err, errlen, "stage '%s': %s: cannot write", c->st->name, p);
        return -1;
    }
    return 0;
}

static int tally_load(void *state, StageCtx *c, const char *prefix, char *err, size_t errlen) {
    calls.loads++;
    char p[4200];
    snprintf(p, sizeof p, "%s.state", prefix);
    FILE *f = fopen(p, "r");
    int ok = f && fscanf(f, "tally %lf", &((Tally *)state)->count) == 1;
    if (f) fclose(f);
    if (!ok) snprintf(err, errlen, "stage '%s': %s: not a tally resume point", c->st->name, p);
    return ok ? 0 : -1;
}

static int tally_finish(void *state, StageCtx *c, char *err, size_t errlen) {
    Tally *t = state;
    calls.finishes++;
    int rc = csvio_append_close(t->log, err, errlen);
    t->log = NULL;
    if (rc) return -1;
    char p[4200];
    stage_file(c, "tally.txt", p, sizeof p);
    FILE *f = fopen(p, "w");
    if (!f || fprintf(f, "%s %.17g\n", stage_opt(c->st, "label"), t->count) < 0 || fclose(f)) {
        snprintf(err, errlen, "%s: cannot write", p);
        return -1;
    }
    return 0;
}

static void tally_headline(const char *const *names, const double *values, int n, char *buf,
                           size_t cap) {
    snprintf(buf, cap, "count %g", stage_row_value(names, values, n, "count"));
}

static void tally_free(void *state) {
    Tally *t = state;
    calls.frees++;
    if (t) csvio_append_close(t->log, NULL, 0);
    free(t);
}

static const char *const tally_files[] = {"log.csv", NULL};

static const StageOps tally_ops = {
    .open = tally_open,
    .columns = tally_columns,
    .step = tally_step,
    .save = tally_save,
    .load = tally_load,
    .step_files = tally_files,
    .start = tally_start,
    .finish = tally_finish,
    .headline = tally_headline,
    .free = tally_free,
};

static const StageKind tally_kind = {
    .name = "tally",
    .summary = "a test kind: sums add * step",
    .options = tally_options,
    .roles = {{"base", INPUT_CHECKPOINT, 0, 1, "an optional checkpoint"}},
    .n_roles = 1,
    .code_version = "tally-1",
    .ops = &tally_ops,
};

/* ---- blip ---------------------------------------------------------------- */

static const OptSpec no_options[] = {OPT_END};
static int blip_opens, blip_steps;

static void *blip_open(StageCtx *c, long *total, char *err, size_t errlen) {
    (void)c, (void)err, (void)errlen;
    blip_opens++;
    *total = 4;
    return calloc(1, 1);
}

static int blip_columns(const void *state, const char **names, int max) {
    (void)state;
    if (max < 1) return 0;
    names[0] = "n";
    return 1;
}

static int blip_step(void *state, StageCtx *c, MetricsRow *row, char *err, size_t errlen) {
    (void)state, (void)err, (void)errlen;
    blip_steps++;
    stage_row_set(row, "n", (double)(c->done + 1) * 10);
    return 0;
}

static void blip_headline(const char *const *names, const double *values, int n, char *buf,
                          size_t cap) {
    snprintf(buf, cap, "n %g", stage_row_value(names, values, n, "n"));
}

static const StageOps blip_ops = {
    .open = blip_open,
    .columns = blip_columns,
    .step = blip_step,
    .headline = blip_headline,
    .free = free,
};

static const StageKind blip_kind = {
    .name = "blip",
    .summary = "a test kind without options, inputs or resume points",
    .options = no_options,
    .code_version = "blip-1",
    .ops = &blip_ops,
};

/* ---- the graph and the runner -------------------------------------------- */

static Graph g;
static char err[4096];
static char tmp[64];

static void add(const char *kind, const char *name, const char *input, const char *const *on,
                const char *const *ov, int n) {
    const char *in[] = {input};
    if (graph_add_stage(&g, kind, name, in, input ? 1 : 0, on, ov, n, "t", err, sizeof err))
        fail_msg("%s", err);
}

/* tally (add = a) and blip, and with_model: a tiny pretrain as tally's base. */
static void build(const char *a, bool with_model) {
    graph_init(&g);
    if (with_model) {
        const char *pn[] = {"steps",   "batch_size", "seq_len", "context",
                            "d_model", "n_layer",    "n_head",  "task"};
        const char *pv[] = {"2", "2", "32", "32", "16", "1", "2", "add2"};
        add("pretrain", "base", NULL, pn, pv, 8);
    }
    const char *tn[] = {"add", "label"}, *tv[] = {a, "sum"};
    add("tally", "tally", with_model ? "base" : NULL, tn, tv, 2);
    add("blip", "blip", NULL, NULL, NULL, 0);
}

typedef struct {
    StageState final[GRAPH_MAX_STAGES];
    char headline[GRAPH_MAX_STAGES][48];
    char error[GRAPH_MAX_STAGES][1024];
    long resumed_from[GRAPH_MAX_STAGES], steps[GRAPH_MAX_STAGES];
    const char *stop_stage;
    long stop_at;
    bool stop;
} Watch;

static void watch(void *ctx, int s, RunnerEvent ev, const StageStatus *st) {
    Watch *w = ctx;
    if (ev == RUNNER_EV_START) w->resumed_from[s] = st->resumed_from;
    if (ev == RUNNER_EV_STEP && w->stop_stage && strcmp(g.stages[s].name, w->stop_stage) == 0 &&
        st->step >= w->stop_at)
        w->stop = true;
    if (ev != RUNNER_EV_END) return;
    w->final[s] = st->state;
    w->steps[s] = st->step;
    snprintf(w->headline[s], sizeof w->headline[s], "%s", st->headline);
    snprintf(w->error[s], sizeof w->error[s], "%s", st->error);
}

static bool watch_stop(void *ctx) {
    return ((Watch *)ctx)->stop;
}

static void run_in(const char *name, Watch *w) {
    char d[128];
    snprintf(d, sizeof d, "%s/%s", tmp, name);
    RunnerOptions o = {.dir = d,
                       .seed = 1,
                       .report = watch,
                       .report_ctx = w,
                       .should_stop = watch_stop,
                       .stop_ctx = w};
    Runner *r = runner_new(&g, &o, err, sizeof err);
    if (!r) fail_msg("%s", err);
    runner_run(r);
    for (int i = 0; i < g.n; i++)
        if (w->final[i] == STAGE_FAILED) fail_msg("%s: %s", g.stages[i].name, w->error[i]);
    runner_free(r);
}

static int stage(const char *name) {
    int s = graph_find(&g, name);
    assert_true(s >= 0);
    return s;
}

static char *slurp(const char *name, const char *file) {
    char p[256];
    snprintf(p, sizeof p, "%s/%s/%s", tmp, name, file);
    return tf_slurp(p, NULL);
}

static void assert_same(const char *a, const char *b, const char *file) {
    char *x = slurp(a, file), *y = slurp(b, file);
    if (strcmp(x, y)) fail_msg("%s differs between %s and %s:\n%s---\n%s", file, a, b, x, y);
    free(x);
    free(y);
}

static void append(const char *name, const char *file, const char *text) {
    char p[256];
    snprintf(p, sizeof p, "%s/%s/%s", tmp, name, file);
    FILE *f = fopen(p, "a");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* ---- tests --------------------------------------------------------------- */

static void test_registry(void **state) {
    (void)state;
    assert_ptr_equal(stage_kind_find("tally"), &tally_kind);
    assert_ptr_equal(stage_kind_find("blip"), &blip_kind);
    assert_int_equal(stage_kind_register(&tally_kind), -1); /* the name is taken */
    StageKind again = tally_kind;
    again.name = "sft";
    assert_int_equal(stage_kind_register(&again), -1);
    assert_non_null(strstr(stage_kind_names(), "tally"));
    assert_ptr_equal(stage_kind_at(stage_kind_count() - 1), &blip_kind);
}

/* The kind's own option table validates what a graph gives it. */
static void test_options(void **state) {
    (void)state;
    graph_init(&g);
    const char *n1[] = {"stpes"}, *v1[] = {"3"};
    assert_int_equal(graph_add_stage(&g, "tally", "x", NULL, 0, n1, v1, 1, "t", err, sizeof err),
                     -1);
    if (!strstr(err, "unknown option 'stpes' for kind tally") ||
        !strstr(err, "steps add label save_every"))
        fail_msg("%s", err);
    const char *n2[] = {"add"}, *v2[] = {"-1"};
    assert_int_equal(graph_add_stage(&g, "tally", "x", NULL, 0, n2, v2, 1, "t", err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "outside [0, 1000]"));
    const char *n3[] = {"label"}, *v3[] = {"two words"};
    assert_int_equal(graph_add_stage(&g, "tally", "x", NULL, 0, n3, v3, 1, "t", err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "expected a word"));
    assert_int_equal(graph_add_stage(&g, "blip", "b", NULL, 0, n1, v1, 1, "t", err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "unknown option 'stpes' for kind blip"));
    /* defaults from the table, numbers in their one spelling */
    const char *n4[] = {"add"}, *v4[] = {"2.50"};
    assert_int_equal(graph_add_stage(&g, "tally", "x", NULL, 0, n4, v4, 1, "t", err, sizeof err),
                     0);
    assert_string_equal(stage_opt(&g.stages[0], "steps"), "5");
    assert_string_equal(stage_opt(&g.stages[0], "add"), "2.5");
    assert_string_equal(stage_opt(&g.stages[0], "label"), "t");
    /* blip takes no input; tally takes one checkpoint at most */
    int order[GRAPH_MAX_STAGES];
    const char *in[] = {"x"};
    assert_int_equal(graph_add_stage(&g, "blip", "b", in, 1, NULL, NULL, 0, "t", err, sizeof err),
                     0);
    assert_int_equal(graph_resolve(&g, order, err, sizeof err), -1);
    assert_non_null(strstr(err, "makes no checkpoint, dataset or reward model"));
}

static void test_run_and_cache(void **state) {
    (void)state;
    memset(&calls, 0, sizeof calls);
    blip_opens = blip_steps = 0;
    build("1", false);
    Watch w = {0};
    run_in("cache", &w);
    int t = stage("tally"), b = stage("blip");
    assert_int_equal(w.final[t], STAGE_DONE);
    assert_int_equal(w.final[b], STAGE_DONE);
    assert_string_equal(w.headline[t], "count 15"); /* 1+2+3+4+5 */
    assert_string_equal(w.headline[b], "n 40");
    assert_int_equal(calls.opens, 1);
    assert_int_equal(calls.steps, 5);
    assert_int_equal(calls.loads, 0);
    assert_int_equal(calls.resumed_starts, 0);
    assert_int_equal(calls.finishes, 1);
    assert_int_equal(calls.frees, 1);
    assert_int_equal(calls.had_model, 0);
    /* a kind without a seed option is seeded as seed 0 */
    assert_true(calls.seed == stage_seed_for_run(0, 1));
    /* resume points are written between steps and removed at the end */
    assert_int_equal(calls.saves, 4);
    char p[256];
    snprintf(p, sizeof p, "%s/cache/tally/resume", tmp);
    assert_null(fopen(p, "r"));
    char *m = slurp("cache", "tally/metrics.csv");
    assert_string_equal(m, "step,count,has_model\n1,1,0\n2,3,0\n3,6,0\n4,10,0\n5,15,0\n");
    free(m);
    m = slurp("cache", "tally/tally.txt");
    assert_string_equal(m, "sum 15\n");
    free(m);
    m = slurp("cache", "blip/metrics.csv");
    assert_string_equal(m, "step,n\n1,10\n2,20\n3,30\n4,40\n");
    free(m);

    /* unchanged: both reused, with the headline read back from metrics.csv */
    memset(&w, 0, sizeof w);
    run_in("cache", &w);
    assert_int_equal(w.final[t], STAGE_CACHED);
    assert_int_equal(w.final[b], STAGE_CACHED);
    assert_string_equal(w.headline[t], "count 15");
    assert_string_equal(w.headline[b], "n 40");
    assert_int_equal(w.steps[t], 5);
    assert_int_equal(calls.opens, 1);
    assert_int_equal(blip_opens, 1);

    /* one of the kind's options changed: that stage runs again */
    build("2", false);
    memset(&w, 0, sizeof w);
    run_in("cache", &w);
    assert_int_equal(w.final[t], STAGE_DONE);
    assert_int_equal(w.final[b], STAGE_CACHED);
    assert_string_equal(w.headline[t], "count 30");
    assert_int_equal(calls.opens, 2);
}

/* Stopped after step 2 of 5, with rows logged past the resume point as if
 * the process had died: the rerun loads the counter, cuts both step files
 * back and ends with the files of an uninterrupted run. */
static void resume_case(bool with_model, const char *whole, const char *stopped) {
    build("1.5", with_model);
    int t = stage("tally"), b = stage("blip");
    Watch w = {0};
    run_in(whole, &w);
    assert_int_equal(w.final[t], STAGE_DONE);

    memset(&calls, 0, sizeof calls);
    Watch s1 = {.stop_stage = "tally", .stop_at = 2};
    run_in(stopped, &s1);
    assert_int_equal(s1.final[t], STAGE_STOPPED);
    assert_int_equal(s1.final[b], STAGE_WAITING);
    assert_int_equal(calls.steps, 2);
    assert_int_equal(calls.finishes, 0);
    assert_int_equal(calls.had_model, with_model);
    char d[128];
    snprintf(d, sizeof d, "%s/tally", stopped);
    append(d, "metrics.csv", "3,999,0\n");
    append(d, "log.csv", "3,999\n");

    memset(&calls, 0, sizeof calls);
    Watch s2 = {0};
    run_in(stopped, &s2);
    assert_int_equal(s2.final[t], STAGE_DONE);
    assert_int_equal(s2.final[b], STAGE_DONE);
    assert_int_equal(s2.resumed_from[t], 2);
    assert_int_equal(calls.loads, 1);
    assert_int_equal(calls.resumed_starts, 1);
    assert_int_equal(calls.steps, 3);
    assert_string_equal(s2.headline[t], "count 22.5");
    const char *files[] = {"tally/metrics.csv", "tally/log.csv", "tally/tally.txt",
                           "blip/metrics.csv"};
    for (int i = 0; i < 4; i++) assert_same(whole, stopped, files[i]);
    char *m = slurp(whole, "tally/metrics.csv");
    assert_non_null(strstr(m, with_model ? "5,22.5,1\n" : "5,22.5,0\n"));
    free(m);
}

static void test_resume(void **state) {
    (void)state;
    resume_case(false, "whole", "stopped");
    resume_case(true, "whole-model", "stopped-model");
}

/* A kind without resume points starts again from step 0 after a stop. */
static void test_stop_without_resume_points(void **state) {
    (void)state;
    build("1", false);
    int b = stage("blip");
    blip_opens = blip_steps = 0;
    Watch s1 = {.stop_stage = "blip", .stop_at = 2};
    run_in("blip-stopped", &s1);
    assert_int_equal(s1.final[b], STAGE_STOPPED);
    assert_int_equal(blip_steps, 2);
    Watch s2 = {0};
    run_in("blip-stopped", &s2);
    assert_int_equal(s2.final[stage("tally")], STAGE_CACHED);
    assert_int_equal(s2.final[b], STAGE_DONE);
    assert_int_equal(s2.resumed_from[b], 0);
    assert_int_equal(blip_steps, 2 + 4);
    char *m = slurp("blip-stopped", "blip/metrics.csv");
    assert_string_equal(m, "step,n\n1,10\n2,20\n3,30\n4,40\n");
    free(m);
}

/* The kind is a script's kind too: options, roles and messages. */
static void test_in_a_script(void **state) {
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/kinds.lua", tmp);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("local b = r1sim.stage{kind = 'blip'}\n"
          "r1sim.stage{kind = 'tally', name = 'one', options = {steps = 3, label = 'x'}}\n"
          "if r1sim.param('bad', 0) == 1 then\n"
          "  r1sim.stage{kind = 'tally', name = 'two', inputs = {model = b}}\n"
          "end\n",
          f);
    fclose(f);
    graph_init(&g);
    ScriptPipeline *p = script_pipeline_load(path, NULL, NULL, &g, err, sizeof err);
    if (!p) fail_msg("%s", err);
    assert_int_equal(g.n, 2);
    assert_string_equal(stage_opt(&g.stages[1], "steps"), "3");
    assert_string_equal(stage_opt(&g.stages[1], "add"), "1");
    script_pipeline_free(p);
    const char *n[] = {"bad"}, *v[] = {"1"};
    ScriptParams params = {n, v, 1};
    graph_init(&g);
    assert_null(script_pipeline_load(path, &params, NULL, &g, err, sizeof err));
    char want[160];
    snprintf(want, sizeof want, "%s:4:", path);
    if (!strstr(err, want) || !strstr(err, "no such input role") || !strstr(err, "base"))
        fail_msg("%s", err);
}

static int setup(void **state) {
    (void)state;
    engine_set_threads(1);
    if (stage_kind_register(&tally_kind) || stage_kind_register(&blip_kind)) return -1;
    return tf_scratch(tmp, sizeof tmp, "r1sim-kinds");
}

static int teardown(void **state) {
    (void)state;
    return tf_remove(tmp);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_run_and_cache),
        cmocka_unit_test(test_resume),
        cmocka_unit_test(test_stop_without_resume_points),
        cmocka_unit_test(test_in_a_script),
    };
    return cmocka_run_group_tests_name("pipeline_kinds", tests, setup, teardown);
}
