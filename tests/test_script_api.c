/* The script API as a user meets it: every broken script is a message naming
 * its file:line, never a crash; -D overrides r1sim.param. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipeline/cache.h"
#include "pipeline/graph.h"
#include "script/pipeline.h"

#define LUA_DIR "tests/lua/"

static Graph g;
static char err[4096];

static ScriptPipeline *load(const char *file, const ScriptParams *params, size_t mem,
                            long long instr) {
    graph_init(&g);
    ScriptOptions o = {.mem_limit = mem, .instr_limit = instr, .lua_path = "tests/lua"};
    err[0] = 0;
    return script_pipeline_load(file, params, &o, &g, err, sizeof err);
}

static void expect_error(const char *file, const char *where, const char *what) {
    ScriptPipeline *p = load(file, NULL, 8 << 20, 1000000);
    if (p) fail_msg("%s loaded", file);
    if (!strstr(err, where)) fail_msg("expected '%s' in: %s", where, err);
    if (what && !strstr(err, what)) fail_msg("expected '%s' in: %s", what, err);
}

static void test_syntax_error(void **state) {
    expect_error(LUA_DIR "syntax_error.lua", "syntax_error.lua:4:", NULL);
}

static void test_runtime_error(void **state) {
    expect_error(LUA_DIR "runtime_error.lua", "runtime_error.lua:2:", "traceback");
}

static void test_endless_loop(void **state) {
    expect_error(LUA_DIR "endless_loop.lua", "endless_loop.lua:", "instruction limit");
}

static void test_memory_bomb(void **state) {
    expect_error(LUA_DIR "memory_bomb.lua", "memory limit", NULL);
}

static void test_missing_field(void **state) {
    expect_error(LUA_DIR "pipe_missing_kind.lua", "pipe_missing_kind.lua:2:", "stage.kind");
}

static void test_wrong_type(void **state) {
    expect_error(LUA_DIR "pipe_wrong_type.lua",
                 "pipe_wrong_type.lua:2:", "options: expected table, got number");
}

static void test_unknown_option_and_field(void **state) {
    expect_error(LUA_DIR "pipe_unknown_option.lua",
                 "pipe_unknown_option.lua:2:", "unknown option 'stpes'");
    expect_error(LUA_DIR "pipe_unknown_field.lua",
                 "pipe_unknown_field.lua:1:", "stage.optoins: unknown field");
}

static void test_params_and_overrides(void **state) {
    ScriptPipeline *p = load(LUA_DIR "pipe_params.lua", NULL, 8 << 20, 1000000);
    if (!p) fail_msg("%s", err);
    assert_int_equal(g.n, 2);
    assert_string_equal(stage_opt(&g.stages[0], "steps"), "10");
    assert_string_equal(g.stages[0].where, LUA_DIR "pipe_params.lua:5");
    script_pipeline_free(p);

    const char *names[] = {"steps", "lr", "corpus"}, *values[] = {"25", "0.003", "prototype"};
    ScriptParams params = {names, values, 3};
    p = load(LUA_DIR "pipe_params.lua", &params, 8 << 20, 1000000);
    if (!p) fail_msg("%s", err);
    assert_string_equal(stage_opt(&g.stages[0], "steps"), "25");
    assert_string_equal(stage_opt(&g.stages[0], "lr"), "0.003");
    assert_string_equal(stage_opt(&g.stages[0], "corpus"), "prototype");

    /* A hook's runtime error comes back as the stage's failure, file:line first. */
    const char *mn[] = {"loss"};
    double mv[] = {1.5};
    assert_int_equal(g.hooks.on_step(g.hooks.ctx, &g.stages[0], 1, 10, mn, mv, 1, err, sizeof err),
                     0);
    assert_int_equal(g.hooks.on_step(g.hooks.ctx, &g.stages[0], 2, 10, mn, mv, 1, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "pipe_params.lua:14:"));
    script_pipeline_free(p);

    const char *bad_v[] = {"many"};
    ScriptParams bad = {names, bad_v, 1};
    assert_null(load(LUA_DIR "pipe_params.lua", &bad, 8 << 20, 1000000));
    assert_non_null(strstr(err, "-D steps=many: expected a number"));

    const char *typo_n[] = {"setps"}, *typo_v[] = {"5"};
    ScriptParams typo = {typo_n, typo_v, 1};
    assert_null(load(LUA_DIR "pipe_params.lua", &typo, 8 << 20, 1000000));
    assert_non_null(strstr(err, "-D setps"));
}

/* The graph is resolved and running once the script has loaded: a hook that
 * declares a stage fails its stage and leaves the graph as it was. */
static void test_hook_cannot_declare(void **state) {
    (void)state;
    ScriptPipeline *p = load(LUA_DIR "hook_declares.lua", NULL, 8 << 20, 1000000);
    if (!p) fail_msg("%s", err);
    assert_int_equal(g.n, 1);
    const char *mn[] = {"loss"};
    double mv[] = {1.5};
    assert_int_equal(
        g.hooks.on_stage_end(g.hooks.ctx, &g.stages[0], "done", mn, mv, 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "hook_declares.lua:7: r1sim.stage: stages, rewards, filters and "
                                "groups are declared when the script loads"));
    assert_int_equal(g.n, 1);
    script_pipeline_free(p);
}

/* The shipped R1-Zero script: the pair search by default, with its own corpus
 * and length of pretraining; -D task=add3 switches the whole world. */
static void test_shipped_r1_zero_picks_its_world(void **state) {
    graph_init(&g);
    ScriptOptions o = {.mem_limit = 8 << 20, .instr_limit = 1000000, .lua_path = "lua"};
    ScriptPipeline *p = script_pipeline_load("lua/r1_zero.lua", NULL, &o, &g, err, sizeof err);
    if (!p) fail_msg("%s", err);
    int pre = graph_find(&g, "pretrain"), rl = graph_find(&g, "r1-zero");
    assert_true(pre >= 0 && rl >= 0);
    assert_string_equal(stage_opt(&g.stages[pre], "task"), "pair4");
    assert_string_equal(stage_opt(&g.stages[pre], "corpus"), "search");
    assert_string_equal(stage_opt(&g.stages[pre], "steps"), "1600");
    assert_string_equal(stage_opt(&g.stages[rl], "task"), "pair4");
    script_pipeline_free(p);

    const char *names[] = {"task"}, *values[] = {"add3"};
    ScriptParams params = {names, values, 1};
    graph_init(&g);
    p = script_pipeline_load("lua/r1_zero.lua", &params, &o, &g, err, sizeof err);
    if (!p) fail_msg("%s", err);
    assert_string_equal(stage_opt(&g.stages[pre], "corpus"), "ready");
    assert_string_equal(stage_opt(&g.stages[pre], "steps"), "3200");
    assert_string_equal(stage_opt(&g.stages[rl], "task"), "add3");
    script_pipeline_free(p);
}

static void test_groups(void **state) {
    ScriptPipeline *p = load(LUA_DIR "pipe_groups.lua", NULL, 8 << 20, 1000000);
    if (!p) fail_msg("%s", err);
    assert_int_equal(g.n, 4);
    assert_string_equal(g.stages[0].group, "");
    assert_string_equal(g.stages[1].group, "step 1 · distill");
    assert_string_equal(g.stages[2].group, "other");
    assert_string_equal(g.stages[3].group, "");
    script_pipeline_free(p);
    expect_error(LUA_DIR "pipe_group_bad.lua",
                 "pipe_group_bad.lua:2:", "r1sim.group: expected a string or nil, got number");
}

/* Every kind has plain words for its detail, drawn from its options; a
 * script's note replaces them. */
static void test_notes(void **state) {
    ScriptPipeline *p = load(LUA_DIR "pipe_notes.lua", NULL, 8 << 20, 1000000);
    if (!p) fail_msg("%s", err);
    char note[600];
    stage_note(&g.stages[0], note, sizeof note);
    assert_non_null(strstr(note, "Pretraining: the base model learns"));
    assert_non_null(strstr(note, "over 1 steps"));
    stage_note(&g.stages[1], note, sizeof note);
    assert_string_equal(note, "Our first look at the base: how often is it right?");
    g.stages[1].note[0] = 0;
    stage_note(&g.stages[1], note, sizeof note);
    assert_non_null(strstr(note, "An evaluation: 7 held-out problems of add2"));
    script_pipeline_free(p);
    for (int i = 0; i < stage_kind_count(); i++)
        if (strcmp(stage_kind_at(i)->name, "dummy") != 0) assert_non_null(stage_kind_at(i)->note);
    expect_error(LUA_DIR "pipe_note_bad.lua",
                 "pipe_note_bad.lua:2:", "stage 'b': note: expected a string, got number");
}

/* The keys of a shipped script's stages, by name, as the cache sees them. */
static int script_keys(const char *file, const char *const *names, const char *const *values,
                       int n_params, char stage_names[][GRAPH_NAME], uint64_t *keys,
                       char groups[][GRAPH_NAME]) {
    graph_init(&g);
    ScriptOptions o = {.mem_limit = 64 << 20, .instr_limit = 100000000, .lua_path = "lua"};
    ScriptParams params = {names, values, n_params};
    ScriptPipeline *p = script_pipeline_load(file, &params, &o, &g, err, sizeof err);
    if (!p) fail_msg("%s: %s", file, err);
    int order[GRAPH_MAX_STAGES];
    if (graph_resolve(&g, order, err, sizeof err)) fail_msg("%s", err);
    if (cache_keys(&g, order, 1, keys, err, sizeof err)) fail_msg("%s", err);
    for (int i = 0; i < g.n; i++) {
        snprintf(stage_names[i], GRAPH_NAME, "%s", g.stages[i].name);
        if (groups) snprintf(groups[i], GRAPH_NAME, "%s", g.stages[i].group);
    }
    int n = g.n;
    script_pipeline_free(p);
    return n;
}

/* open_r1.lua: every stage, for every -D step, is r1.lua's stage of that
 * name with the same cache key (one run directory serves both), in its
 * step's group; a step declares what it needs and no more. */
static void test_open_r1_steps_share_r1_keys(void **state) {
    static char r1_names[GRAPH_MAX_STAGES][GRAPH_NAME], names[GRAPH_MAX_STAGES][GRAPH_NAME],
        groups[GRAPH_MAX_STAGES][GRAPH_NAME];
    uint64_t r1_keys[GRAPH_MAX_STAGES], keys[GRAPH_MAX_STAGES];
    int n_r1 = script_keys("lua/r1.lua", NULL, NULL, 0, r1_names, r1_keys, NULL);
    const char *pn[] = {"step"};
    const char *steps[] = {"0", "1", "2", "3"};
    const int want_n[] = {33, 25, 4, 20};
    for (int s = 0; s < 4; s++) {
        const char *pv[] = {steps[s]};
        int n = script_keys("lua/open_r1.lua", pn, pv, 1, names, keys, groups);
        if (n != want_n[s]) fail_msg("step %s: %d stages, expected %d", steps[s], n, want_n[s]);
        for (int i = 0; i < n; i++) {
            int j = 0;
            while (j < n_r1 && strcmp(r1_names[j], names[i]) != 0) j++;
            if (j == n_r1) fail_msg("step %s: '%s' is not one of r1.lua's", steps[s], names[i]);
            if (keys[i] != r1_keys[j])
                fail_msg("step %s: '%s' has another key", steps[s], names[i]);
            const char *want = "";
            if (!strcmp(names[i], "r1-zero")) want = "step 2 · R1-Zero";
            if (!strcmp(names[i], "rl-all")) want = "step 3 · multi-stage";
            if (!strcmp(names[i], "distill-m-sft")) want = "step 1 · distill";
            if (!strcmp(names[i], "pretrain") || !strcmp(names[i], "r1-zero") ||
                !strcmp(names[i], "rl-all") || !strcmp(names[i], "distill-m-sft"))
                assert_string_equal(groups[i], want);
        }
    }
    /* step 1 from a finished checkpoint: the students and the teacher's eval alone */
    char ckpt[] = "/tmp/r1sim-teacher-XXXXXX.ckpt";
    int fd = mkstemps(ckpt, 5);
    assert_true(fd >= 0);
    close(fd);
    const char *tn[] = {"step", "teacher"}, *tv[] = {"1", ckpt};
    int n = script_keys("lua/open_r1.lua", tn, tv, 2, names, keys, groups);
    remove(ckpt);
    assert_int_equal(n, 14);
    for (int i = 0; i < n; i++) {
        assert_string_not_equal(names[i], "pretrain");
        assert_string_equal(groups[i], "step 1 · distill");
    }
}

/* quick.lua is r1.lua with other defaults and nothing else: given r1.lua's
 * defaults back through -D, it declares r1.lua's stages, in r1.lua's order,
 * with r1.lua's cache keys (and so the same options and inputs). If r1.lua
 * gains a stage, or quick.lua a default that is not a parameter, this says. */
static void test_quick_is_r1_with_other_defaults(void **state) {
    static char r1_names[GRAPH_MAX_STAGES][GRAPH_NAME], names[GRAPH_MAX_STAGES][GRAPH_NAME];
    uint64_t r1_keys[GRAPH_MAX_STAGES], keys[GRAPH_MAX_STAGES];
    int n_r1 = script_keys("lua/r1.lua", NULL, NULL, 0, r1_names, r1_keys, NULL);
    assert_int_equal(n_r1, 33);
    /* quick.lua's defaults, alone: every stage named as in r1.lua, other keys */
    int n = script_keys("lua/quick.lua", NULL, NULL, 0, names, keys, NULL);
    assert_int_equal(n, n_r1);
    for (int i = 0; i < n; i++) {
        assert_string_equal(names[i], r1_names[i]);
        if (keys[i] == r1_keys[i])
            fail_msg("'%s' has r1.lua's key with quick.lua's defaults", names[i]);
    }
    /* r1.lua's defaults for every name quick.lua's defaults{} sets */
    const char *pn[] = {"task",
                        "d_model",
                        "n_layer",
                        "pretrain_steps",
                        "student_s",
                        "student_m",
                        "rl_lr",
                        "rl_steps",
                        "reasoning_rl_steps",
                        "rl_all_steps",
                        "zero_sample_prompts",
                        "dev2_sample_prompts",
                        "distill_sample_prompts",
                        "distill_epochs",
                        "coldstart_curated",
                        "general_ratio",
                        "dev3_epochs",
                        "dev3_lr",
                        "rm_epochs",
                        "rm_lr",
                        "general_prompts"};
    const char *pv[] = {"pair4", "128", "4",   "1600", "64x2", "96x3", "5e-5",
                        "200",   "150", "120", "256",  "1024", "1024", "2",
                        "1",     "0.5", "4",   "1e-3", "3",    "5e-4", "400"};
    n = script_keys("lua/quick.lua", pn, pv, (int)(sizeof pn / sizeof pn[0]), names, keys, NULL);
    assert_int_equal(n, n_r1);
    for (int i = 0; i < n; i++) {
        assert_string_equal(names[i], r1_names[i]);
        if (keys[i] != r1_keys[i]) fail_msg("'%s': another key than r1.lua's", names[i]);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_shipped_r1_zero_picks_its_world),
        cmocka_unit_test(test_runtime_error),
        cmocka_unit_test(test_endless_loop),
        cmocka_unit_test(test_memory_bomb),
        cmocka_unit_test(test_missing_field),
        cmocka_unit_test(test_wrong_type),
        cmocka_unit_test(test_unknown_option_and_field),
        cmocka_unit_test(test_params_and_overrides),
        cmocka_unit_test(test_hook_cannot_declare),
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_notes),
        cmocka_unit_test(test_open_r1_steps_share_r1_keys),
        cmocka_unit_test(test_quick_is_r1_with_other_defaults),
    };
    return cmocka_run_group_tests_name("script_api", tests, NULL, NULL);
}
