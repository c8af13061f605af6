/* The script API as a user meets it: every broken script is a message naming
 * its file:line, never a crash; -D overrides r1sim.param. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

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
    };
    return cmocka_run_group_tests_name("script_api", tests, NULL, NULL);
}
