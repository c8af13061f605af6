#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "script/host.h"

/* Paths are relative to the repository root, where `make test` runs. */
#define LUA_DIR "tests/lua"

static char printed[1024];

static void capture_print(void *ctx, const char *line) {
    size_t n = strlen(printed);
    snprintf(printed + n, sizeof printed - n, "%s\n", line);
}

static ScriptHost *host_with(size_t mem, long long instr, bool unsafe) {
    ScriptOptions o = {.mem_limit = mem,
                       .instr_limit = instr,
                       .unsafe = unsafe,
                       .lua_path = LUA_DIR,
                       .print = capture_print};
    char err[256];
    ScriptHost *h = script_host_new(&o, err, sizeof err);
    if (!h) fail_msg("script_host_new: %s", err);
    return h;
}

static int make_host(void **state) {
    *state = host_with(8 << 20, 1000000, false);
    return 0;
}

static int free_host(void **state) {
    script_host_free(*state);
    return 0;
}

static void assert_starts_with(const char *s, const char *prefix) {
    if (strncmp(s, prefix, strlen(prefix)) != 0)
        fail_msg("'%s'\n  does not start with '%s'", s, prefix);
}

static void assert_contains(const char *s, const char *part) {
    if (!strstr(s, part)) fail_msg("'%s'\n  does not contain '%s'", s, part);
}

static void syntax_error_names_file_and_line(void **state) {
    ScriptHost *h = *state;
    assert_int_equal(script_host_run_file(h, LUA_DIR "/syntax_error.lua", NULL), -1);
    assert_starts_with(script_host_error(h), LUA_DIR "/syntax_error.lua:4: unexpected symbol");
}

static void runtime_error_has_line_and_traceback(void **state) {
    ScriptHost *h = *state;
    assert_int_equal(script_host_run_file(h, LUA_DIR "/runtime_error.lua", NULL), -1);
    const char *e = script_host_error(h);
    assert_starts_with(e, LUA_DIR "/runtime_error.lua:2: attempt to index a nil value");
    assert_contains(e, "\nstack traceback:\n");
    assert_contains(e, LUA_DIR "/runtime_error.lua:5: in function 'score'");
    assert_contains(e, "in main chunk");
    /* The host's own trampoline is not part of the user's story. */
    assert_null(strstr(e, "[C]: in ?"));
}

static void missing_file_is_reported(void **state) {
    ScriptHost *h = *state;
    assert_int_equal(script_host_run_file(h, LUA_DIR "/nope.lua", NULL), -1);
    assert_string_equal(script_host_error(h),
                        "cannot open " LUA_DIR "/nope.lua: No such file or directory");
}

static void endless_loop_hits_instruction_limit(void **state) {
    ScriptHost *h = *state;
    assert_int_equal(
        script_host_run_string(h, "loop.lua", "local x = 0\nwhile true do end\n", NULL), -1);
    assert_starts_with(script_host_error(h),
                       "loop.lua:2: instruction limit exceeded (1000000 instructions per call)");
    assert_true(script_host_instructions(h) >= 1000000);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Found by fuzz_pipeline: each `3 .. s` is one instruction that copies all
 * of s, so 5 million of them took minutes; the time limit ends the call
 * within it. */
static void instructions_that_each_cost_much_hit_the_time_limit(void **state) {
    (void)state;
    ScriptOptions o = {.mem_limit = 32 << 20, .instr_limit = 5000000, .time_limit = 0.5};
    char err[256];
    ScriptHost *h = script_host_new(&o, err, sizeof err);
    assert_non_null(h);
    double t0 = now_s();
    assert_int_equal(script_host_run_string(h, "grow.lua",
                                            "local s = \"0123456789abcdef\"\n"
                                            "while true do\n"
                                            "  s = 3 .. s\n"
                                            "end\n",
                                            NULL),
                     -1);
    double took = now_s() - t0;
    assert_starts_with(script_host_error(h), "grow.lua:3: time limit exceeded (0.5 s per call)");
    assert_true(took >= 0.5 && took < 3.0);
    /* the next call has its own time */
    assert_int_equal(script_host_run_string(h, "ok.lua", "return 1\n", NULL), 0);
    script_host_free(h);
}

static void pcall_in_script_cannot_swallow_the_limit(void **state) {
    ScriptHost *h = *state;
    assert_int_equal(script_host_run_file(h, LUA_DIR "/endless_loop.lua", NULL), -1);
    const char *e = script_host_error(h);
    assert_starts_with(e, LUA_DIR "/endless_loop.lua:");
    assert_contains(e, "instruction limit exceeded");

    /* xpcall whose handler loops too. */
    assert_int_equal(script_host_run_string(h, "x.lua",
                                            "xpcall(function() while true do end end,\n"
                                            "       function() while true do end end)\n"
                                            "return 1\n",
                                            NULL),
                     -1);
    assert_contains(script_host_error(h), "instruction limit exceeded");

    /* The budget is re-armed for the next call. */
    assert_int_equal(script_host_run_string(h, "ok.lua",
                                            "local n = 0\n"
                                            "for i = 1, 1000 do n = n + i end\n"
                                            "assert(n == 500500)\n",
                                            NULL),
                     0);
    assert_string_equal(script_host_error(h), "");
}

static void string_doubling_hits_memory_limit(void **state) {
    ScriptHost *h = *state;
    assert_int_equal(script_host_run_file(h, LUA_DIR "/memory_bomb.lua", NULL), -1);
    const char *e = script_host_error(h);
    assert_starts_with(e, LUA_DIR "/memory_bomb.lua:3: memory limit exceeded (8.0 MiB");
    assert_contains(e, "stack traceback:\n\t" LUA_DIR "/memory_bomb.lua:3: in main chunk");
    /* The garbage was collected; the host carries on. */
    assert_true(script_host_memory(h) < (1 << 20));
    assert_int_equal(script_host_run_string(h, "ok.lua", "return 1", NULL), 0);
}

static void table_growth_and_string_rep_hit_memory_limit(void **state) {
    ScriptHost *h = host_with(4 << 20, 100000000, false);
    assert_int_equal(script_host_run_string(h, "grow.lua",
                                            "local t = {}\n"
                                            "local function grow(i) t[i] = { i, tostring(i) } end\n"
                                            "for i = 1, math.huge do grow(i) end\n",
                                            NULL),
                     -1);
    const char *e = script_host_error(h);
    assert_starts_with(e, "grow.lua:2: memory limit exceeded (4.0 MiB");
    assert_contains(e, "grow.lua:2: in function 'grow'");
    assert_contains(e, "grow.lua:3: in main chunk");

    assert_int_equal(
        script_host_run_string(h, "rep.lua", "\nlocal s = string.rep('x', 1 << 30)\n", NULL), -1);
    assert_starts_with(script_host_error(h), "rep.lua:2: memory limit exceeded");

    /* Repeating an empty string allocates nothing and so was never stopped by
     * the memory cap; it used to loop inside C for ever. */
    assert_int_equal(
        script_host_run_string(h, "empty.lua",
                               "assert(string.rep('', 1 << 62) == '')\n"
                               "assert(('x'):rep(1 << 62, '') ~= nil) -- unreachable\n",
                               NULL),
        -1);
    assert_starts_with(script_host_error(h), "empty.lua:2: resulting string too large");
    assert_int_equal(script_host_run_string(h, "sep.lua",
                                            "assert(string.rep('', 3, ',') == ',,')\n"
                                            "assert(string.rep('', 1, ',') == '')\n"
                                            "assert(string.rep('ab', 2, '-') == 'ab-ab')\n",
                                            NULL),
                     0);

    /* A memory error the script catches itself is its own business. */
    assert_int_equal(script_host_run_string(h, "caught.lua",
                                            "local ok, e = pcall(string.rep, 'x', 1 << 30)\n"
                                            "assert(not ok and e == 'not enough memory')\n",
                                            NULL),
                     0);
    script_host_free(h);
}

static void sandbox_hides_io_os_and_binary_chunks(void **state) {
    ScriptHost *h = *state;
    if (script_host_run_file(h, LUA_DIR "/sandbox_probe.lua", NULL) != 0)
        fail_msg("%s", script_host_error(h));
    assert_int_equal(script_host_run_string(h, "esc.lua", "os.execute('true')\n", NULL), -1);
    assert_starts_with(script_host_error(h),
                       "esc.lua:1: attempt to index a nil value (global 'os')");
    /* Finalizers would run with hooks off, outside the budget. */
    assert_int_equal(
        script_host_run_string(h, "gc.lua", "setmetatable({}, { __gc = function() end })", NULL),
        -1);
    assert_starts_with(script_host_error(h), "gc.lua:1: __gc metamethods are not allowed");
    /* xpcall still works as in plain Lua. */
    if (script_host_run_string(
            h, "xp.lua",
            "local ok, m = xpcall(error, function(m) return 'h:' .. m end, 'x')\n"
            "assert(not ok and m == 'h:x')\n"
            "assert(select('#', xpcall(math.max, print, 1, 2)) == 2)\n",
            NULL) != 0)
        fail_msg("%s", script_host_error(h));
}

static void unsafe_opens_everything(void **state) {
    ScriptHost *h = host_with(0, 0, true);
    if (script_host_run_string(h, "unsafe.lua",
                               "assert(io.open and os.time and debug.traceback and package)\n"
                               "assert(require('mod_rewards').format)\n",
                               NULL) != 0)
        fail_msg("%s", script_host_error(h));
    script_host_free(h);
}

static void require_loads_from_lua_path_only(void **state) {
    ScriptHost *h = *state;
    if (script_host_run_string(h, "req.lua",
                               "local r = require('mod_rewards')\n"
                               "assert(r == require('mod_rewards'), 'loaded twice')\n"
                               "assert(r.format({ completion = '<answer>1</answer>' }) == 1)\n",
                               NULL) != 0)
        fail_msg("%s", script_host_error(h));
    assert_int_equal(script_host_run_string(h, "req.lua", "require('../../etc/passwd')", NULL), -1);
    assert_starts_with(script_host_error(h), "req.lua:1: bad module name '../../etc/passwd'");
    assert_int_equal(script_host_run_string(h, "req.lua", "\nrequire('nothere')", NULL), -1);
    assert_starts_with(script_host_error(h),
                       "req.lua:2: module 'nothere' not found:\n\tno file '" LUA_DIR
                       "/nothere.lua'");
}

static void print_goes_to_the_callback(void **state) {
    ScriptHost *h = *state;
    printed[0] = '\0';
    assert_int_equal(script_host_run_string(h, "p.lua", "print('step', 3, nil, true)", NULL), 0);
    assert_string_equal(printed, "step\t3\tnil\ttrue\n");
}

static const char rewards_src[] =
    "function accuracy(s)\n"
    "  return s.completion:find('<answer>' .. s.answer .. '</answer>',\n"
    "                           1, true) and 1.0 or 0.0\n"
    "end\n"
    "function forgot(s)\n"
    "  local r = 1\n"
    "end\n"
    "function stringy(s) return '1' end\n"
    "function nan(s) return 0/0 end\n"
    "function broken(s)\n"
    "  return s.prompt + 1\n"
    "end\n"
    "function lengthy(s) return #s.completion + s.steps + (s.ok and 1 or 0) end\n";

static void score_function_round_trip(void **state) {
    ScriptHost *h = *state;
    assert_int_equal(script_host_run_string(h, "rewards.lua", rewards_src, NULL), 0);
    ScriptRef acc = script_host_global_function(h, "accuracy");
    assert_int_not_equal(acc, SCRIPT_NOREF);
    ScriptValue s[] = {
        {.key = "prompt", .kind = SCRIPT_STR, .s = "347+589?"},
        {.key = "completion",
         .kind = SCRIPT_STR,
         .s = "<think>7+9=16.</think><answer>936</answer>"},
        {.key = "answer", .kind = SCRIPT_STR, .s = "936"},
    };
    double score = -1;
    assert_int_equal(script_host_call_score(h, acc, s, 3, &score), 0);
    assert_true(score == 1.0);
    s[2].s = "937";
    assert_int_equal(script_host_call_score(h, acc, s, 3, &score), 0);
    assert_true(score == 0.0);

    /* Strings with explicit lengths may hold any byte. */
    ScriptRef len = script_host_global_function(h, "lengthy");
    ScriptValue t[] = {
        {.key = "completion", .kind = SCRIPT_STR, .s = "a\0b", .len = 3},
        {.key = "steps", .kind = SCRIPT_INT, .i = 10},
        {.key = "ok", .kind = SCRIPT_BOOL, .b = true},
    };
    assert_int_equal(script_host_call_score(h, len, t, 3, &score), 0);
    assert_true(score == 14.0);
    script_host_unref(h, acc);
    script_host_unref(h, len);
}

static void bad_score_results_name_the_function(void **state) {
    ScriptHost *h = *state;
    assert_int_equal(script_host_run_string(h, "rewards.lua", rewards_src, NULL), 0);
    ScriptValue s[] = {{.key = "prompt", .kind = SCRIPT_STR, .s = "1+1?"}};
    double score;
    static const struct {
        const char *fn, *want;
    } cases[] = {
        {"forgot", "rewards.lua:5: score function returned nil, expected a number or boolean "
                   "(missing return?)"},
        {"stringy", "rewards.lua:8: score function returned string, expected a number or boolean"},
        {"nan", "rewards.lua:9: score function returned "},
        {"broken", "rewards.lua:11: attempt to add a 'string' with a 'number'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ScriptRef f = script_host_global_function(h, cases[i].fn);
        assert_int_not_equal(f, SCRIPT_NOREF);
        assert_int_equal(script_host_call_score(h, f, s, 1, &score), -1);
        assert_starts_with(script_host_error(h), cases[i].want);
        script_host_unref(h, f);
    }
    assert_contains(script_host_error(h), "in function 'broken'");
    assert_int_equal(script_host_global_function(h, "nosuch"), SCRIPT_NOREF);
    assert_string_equal(script_host_error(h),
                        "global 'nosuch' is not defined, expected a function");
}

static void result_reference_is_returned(void **state) {
    ScriptHost *h = *state;
    ScriptRef r = 12345;
    assert_int_equal(script_host_run_string(h, "nothing.lua", "local x = 1", &r), 0);
    assert_int_equal(r, SCRIPT_NOREF);
    assert_int_equal(script_host_run_string(h, "fn.lua", "return function(s) return 0.5 end", &r),
                     0);
    double score = 0;
    assert_int_equal(script_host_call_score(h, r, NULL, 0, &score), 0);
    assert_true(score == 0.5);
    script_host_unref(h, r);
}

static void tiny_memory_cap_fails_cleanly(void **state) {
    ScriptOptions o = {.mem_limit = 4096};
    char err[256] = "";
    ScriptHost *h = script_host_new(&o, err, sizeof err);
    assert_null(h);
    assert_true(strlen(err) > 0);
}

int main(void) {
#define T(f) cmocka_unit_test_setup_teardown(f, make_host, free_host)
    const struct CMUnitTest tests[] = {
        T(syntax_error_names_file_and_line),
        T(runtime_error_has_line_and_traceback),
        T(missing_file_is_reported),
        T(endless_loop_hits_instruction_limit),
        T(pcall_in_script_cannot_swallow_the_limit),
        cmocka_unit_test(instructions_that_each_cost_much_hit_the_time_limit),
        T(string_doubling_hits_memory_limit),
        cmocka_unit_test(table_growth_and_string_rep_hit_memory_limit),
        T(sandbox_hides_io_os_and_binary_chunks),
        cmocka_unit_test(unsafe_opens_everything),
        T(require_loads_from_lua_path_only),
        T(print_goes_to_the_callback),
        T(score_function_round_trip),
        T(bad_score_results_name_the_function),
        T(result_reference_is_returned),
        cmocka_unit_test(tiny_memory_cap_fails_cleanly),
    };
    return cmocka_run_group_tests_name("script_host", tests, NULL, NULL);
}
