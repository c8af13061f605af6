#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script/host_lua.h"
#include "script/spec.h"

typedef struct {
    double beta;
    long long group_size;
    bool scale_rewards;
    char *loss;
} Options;

typedef struct {
    char *name;
    char *kind;
    ScriptRef reward;
    Options options;
} Stage;

static const SpecField options_spec[] = {
    {"beta", SPEC_NUMBER, .offset = offsetof(Options, beta), .def_number = 0.04},
    {"group_size", SPEC_INTEGER, .offset = offsetof(Options, group_size), .def_number = 8, .min = 2,
     .max = 1024},
    {"scale_rewards", SPEC_BOOLEAN, .offset = offsetof(Options, scale_rewards), .def_number = 1},
    {"loss", SPEC_STRING, .offset = offsetof(Options, loss), .def_string = "grpo",
     .choices = (const char *const[]){"grpo", "dapo", "dr_grpo", NULL}},
    {NULL},
};

static const SpecField stage_spec[] = {
    {"name", SPEC_STRING, .required = true, .offset = offsetof(Stage, name)},
    {"kind", SPEC_STRING, .required = true, .offset = offsetof(Stage, kind)},
    {"reward", SPEC_FUNCTION, .offset = offsetof(Stage, reward)},
    {"options", SPEC_TABLE, .offset = offsetof(Stage, options), .fields = options_spec},
    {"note", SPEC_STRING, .offset = SPEC_NO_OUT},
    {NULL},
};

static int make_host(void **state) {
    char err[256];
    ScriptOptions o = {.mem_limit = 8 << 20, .instr_limit = 1000000};
    *state = script_host_new(&o, err, sizeof err);
    return *state ? 0 : -1;
}

static int free_host(void **state) {
    script_host_free(*state);
    return 0;
}

/* Evaluates `return <expr>` and reads the table through the spec as stages[3]. */
static int read_stage(ScriptHost *h, const char *expr, Stage *st, char *err, size_t errcap) {
    char src[1024];
    snprintf(src, sizeof src, "return %s", expr);
    ScriptRef r;
    if (script_host_run_string(h, "pipeline.lua", src, &r) != 0)
        fail_msg("%s", script_host_error(h));
    lua_State *L = script_host_state(h);
    lua_rawgeti(L, LUA_REGISTRYINDEX, r);
    int rc = script_spec_read(L, -1, "stages[3]", stage_spec, st, err, errcap);
    lua_pop(L, 1);
    script_host_unref(h, r);
    return rc;
}

static void full_table_is_read_and_defaults_fill_the_rest(void **state) {
    ScriptHost *h = *state;
    Stage st;
    char err[256];
    assert_int_equal(read_stage(h,
                                "{ name = 'r1-zero', kind = 'grpo', note = 'x',"
                                "  reward = function(s) return 1 end,"
                                "  options = { beta = 0.1, group_size = 16.0, loss = 'dapo' } }",
                                &st, err, sizeof err),
                     0);
    assert_string_equal(st.name, "r1-zero");
    assert_string_equal(st.kind, "grpo");
    assert_int_not_equal(st.reward, SCRIPT_NOREF);
    assert_true(st.options.beta == 0.1);
    assert_int_equal(st.options.group_size, 16);
    assert_true(st.options.scale_rewards);
    assert_string_equal(st.options.loss, "dapo");
    double score = 0;
    assert_int_equal(script_host_call_score(h, st.reward, NULL, 0, &score), 0);
    assert_true(score == 1.0);
    script_spec_release(script_host_state(h), stage_spec, &st);
    assert_null(st.name);
    assert_int_equal(st.reward, SCRIPT_NOREF);

    assert_int_equal(read_stage(h, "{ name = 'sft', kind = 'sft' }", &st, err, sizeof err), 0);
    assert_true(st.options.beta == 0.04);
    assert_int_equal(st.options.group_size, 8);
    assert_string_equal(st.options.loss, "grpo");
    assert_int_equal(st.reward, SCRIPT_NOREF);
    script_spec_release(script_host_state(h), stage_spec, &st);
}

static void bad_tables_name_the_field_path(void **state) {
    ScriptHost *h = *state;
    static const struct {
        const char *expr, *want;
    } cases[] = {
        {"{ kind = 'grpo' }", "stages[3].name: missing required field (string)"},
        {"{ name = 'a', kind = 'grpo', options = { beta = 'high' } }",
         "stages[3].options.beta: expected number, got string"},
        {"{ name = 'a', kind = 'grpo', options = { betta = 0.1 } }",
         "stages[3].options.betta: unknown field (did you mean 'beta'?)"},
        {"{ name = 'a', kind = 'grpo', zzz = 1, nmae = 2 }",
         "stages[3]: unknown fields 'nmae' (did you mean 'name'?), 'zzz'"},
        {"{ name = 'a', kind = 'grpo', options = { group_size = 1.5 } }",
         "stages[3].options.group_size: expected integer, got 1.5"},
        {"{ name = 'a', kind = 'grpo', options = { group_size = 1 } }",
         "stages[3].options.group_size: 1 is out of range [2, 1024]"},
        {"{ name = 'a', kind = 'grpo', options = { loss = 'ppo' } }",
         "stages[3].options.loss: expected one of 'grpo', 'dapo', 'dr_grpo', got 'ppo'"},
        {"{ name = 'a', kind = 'grpo', options = { beta = 0/0 } }",
         "stages[3].options.beta: expected a finite number"},
        {"{ name = 'a', kind = 'grpo', reward = 'accuracy' }",
         "stages[3].reward: expected function, got string"},
        {"{ name = 'a', kind = 'grpo', options = 3 }",
         "stages[3].options: expected table, got number"},
        {"{ 'a', name = 'a', kind = 'grpo' }",
         "stages[3]: unexpected number key [1] (expected named fields)"},
        {"'grpo'", "stages[3]: expected table, got string"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Stage st;
        char err[256] = "";
        assert_int_equal(read_stage(h, cases[i].expr, &st, err, sizeof err), -1);
        if (strncmp(err, cases[i].want, strlen(cases[i].want)) != 0)
            fail_msg("case %zu: got '%s', want '%s'", i, err, cases[i].want);
        script_spec_release(script_host_state(h), stage_spec, &st);
    }
}

/* r1sim.stage{...} as the script module will write it. */
static int l_stage(lua_State *L) {
    Stage st;
    char err[256];
    int rc = script_spec_read(L, 1, "stage", stage_spec, &st, err, sizeof err);
    script_spec_release(L, stage_spec, &st);
    if (rc != 0) return script_spec_raise(L, err);
    return 0;
}

static void error_raised_from_lua_names_the_scripts_line(void **state) {
    ScriptHost *h = *state;
    lua_State *L = script_host_state(h);
    lua_pushcfunction(L, l_stage);
    lua_setglobal(L, "stage");
    assert_int_equal(script_host_run_string(h, "pipeline.lua",
                                            "stage{ name = 'base', kind = 'pretrain' }\n"
                                            "stage{ name = 'r1-zero', kind = 'grpo',\n"
                                            "       options = { beta = 'high' } }\n",
                                            NULL),
                     -1);
    const char *e = script_host_error(h);
    const char *want = "pipeline.lua:2: stage.options.beta: expected number, got string\n"
                       "stack traceback:";
    if (strncmp(e, want, strlen(want)) != 0) fail_msg("got '%s'", e);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(full_table_is_read_and_defaults_fill_the_rest, make_host,
                                        free_host),
        cmocka_unit_test_setup_teardown(bad_tables_name_the_field_path, make_host, free_host),
        cmocka_unit_test_setup_teardown(error_raised_from_lua_names_the_scripts_line, make_host,
                                        free_host),
    };
    return cmocka_run_group_tests_name("script_spec", tests, NULL, NULL);
}
