/* run_args_parse on its own: what `r1sim run`'s words become, and the one
 * line (and the exit status) each refusal gives. stderr is caught in a
 * temporary file for the messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/run_args.h"

static char said[8192]; /* what the last parse wrote on stderr */

static int parse(RunArgs *a, const char *const *words) {
    char *argv[128];
    int argc = 0;
    argv[argc++] = "run";
    for (; *words; words++) argv[argc++] = (char *)*words;
    argv[argc] = NULL;
    fflush(stderr);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    int saved = dup(2);
    dup2(fileno(tmp), 2);
    int rc = run_args_parse(argc, argv, a);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    size_t n = fread(said, 1, sizeof said - 1, tmp);
    said[n] = 0;
    fclose(tmp);
    return rc;
}

static void words_become_options(void **state) {
    (void)state;
    RunArgs a;
    const char *w[] = {"--headless", "lua/r1_zero.lua", "-D", "beta=0.1", "-Dtask=add3", "--seed",
                       "7",          "--fresh",         NULL};
    assert_int_equal(parse(&a, w), 0);
    assert_string_equal(a.script, "lua/r1_zero.lua");
    assert_string_equal(a.out, "runs/r1_zero"); /* from the script's name */
    assert_true(a.headless && a.fresh && !a.dry && !a.unsafe && !a.help);
    assert_int_equal(a.seed, 7);
    assert_int_equal(a.n_defs, 2);
    assert_string_equal(a.names[0], "beta");
    assert_string_equal(a.values[0], "0.1");
    assert_string_equal(a.names[1], "task");
    assert_string_equal(a.values[1], "add3");
    assert_string_equal(said, "");
    run_args_free(&a);
}

static void a_repeated_define_keeps_the_later_value_with_a_note(void **state) {
    (void)state;
    RunArgs a;
    const char *w[] = {"s.lua", "-D", "k=1", "-Dk=2", NULL};
    assert_int_equal(parse(&a, w), 0);
    assert_int_equal(a.n_defs, 1);
    assert_string_equal(a.values[0], "2");
    assert_string_equal(said, "r1sim run: note: -D k given twice; the later value '2' wins over "
                              "'1'\n");
    run_args_free(&a);
}

static void help_asks_for_the_usage_and_nothing_else(void **state) {
    (void)state;
    RunArgs a;
    const char *w[] = {"s.lua", "-h", "--bogus", NULL};
    assert_int_equal(parse(&a, w), 0);
    assert_true(a.help);
    assert_string_equal(said, "");
    run_args_free(&a);
}

/* Each refusal: exit status 2 and its first line. */
static void refusals_say_what_was_wrong(void **state) {
    (void)state;
    static const struct {
        const char *w[4];
        const char *first_line;
    } cases[] = {
        {{"s.lua", "--out", NULL}, "r1sim run: --out needs a value\n"},
        {{"s.lua", "--out", "", NULL}, "r1sim run: --out: expected a directory, got ''\n"},
        {{"s.lua", "--seed", "-1", NULL},
         "r1sim run: --seed: expected an integer from 0 to 2147483647, got '-1'\n"},
        {{"s.lua", "--threads", "0", NULL},
         "r1sim run: --threads: expected an integer from 1 to 256, got '0'\n"},
        {{"s.lua", "-D", "=v", NULL}, "r1sim run: -D: expected name=value, got '=v'\n"},
        {{"s.lua", "-Dnovalue", NULL}, "r1sim run: -D: expected name=value, got 'novalue'\n"},
        {{"s.lua", "--bogus", NULL}, "r1sim run: unknown option '--bogus'\n"},
        {{"a.lua", "b.lua", NULL}, "r1sim run: one script only (got 'a.lua' and 'b.lua')\n"},
        {{"--headless", NULL}, "usage: r1sim run SCRIPT.lua"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        RunArgs a;
        assert_int_equal(parse(&a, cases[i].w), CLI_EXIT_USAGE);
        assert_memory_equal(said, cases[i].first_line, strlen(cases[i].first_line));
        run_args_free(&a);
    }
}

static void at_most_64_names(void **state) {
    (void)state;
    static char defs[RUN_ARGS_MAX_DEFS + 1][32];
    const char *w[RUN_ARGS_MAX_DEFS + 3];
    int n = 0;
    w[n++] = "s.lua";
    for (int i = 0; i <= RUN_ARGS_MAX_DEFS; i++) {
        snprintf(defs[i], sizeof defs[i], "-Dn%d=1", i);
        w[n++] = defs[i];
    }
    w[n] = NULL;
    RunArgs a;
    assert_int_equal(parse(&a, w), CLI_EXIT_USAGE);
    assert_string_equal(said, "r1sim run: -D: at most 64 names\n");
    run_args_free(&a);
    w[n - 1] = NULL; /* 64 are fine */
    assert_int_equal(parse(&a, w), 0);
    assert_int_equal(a.n_defs, RUN_ARGS_MAX_DEFS);
    run_args_free(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(words_become_options),
        cmocka_unit_test(a_repeated_define_keeps_the_later_value_with_a_note),
        cmocka_unit_test(help_asks_for_the_usage_and_nothing_else),
        cmocka_unit_test(refusals_say_what_was_wrong),
        cmocka_unit_test(at_most_64_names),
    };
    return cmocka_run_group_tests_name("cli_run_args", tests, NULL, NULL);
}
