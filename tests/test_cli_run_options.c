/* The options of `r1sim run` that a typo or a script's -D can get wrong: each
 * either refuses in one line with exit status 2 or says on stderr what it
 * did instead of what was asked, never ignores the value silently. The
 * binary is found through $R1SIM (set by `make test`), else ./r1sim. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_harness.h"

static int setup(void **state) {
    (void)state;
    return bin_setup("r1sim-runopt");
}

static int teardown(void **state) {
    (void)state;
    return bin_teardown();
}

static const char script[] =
    "local steps = r1sim.param('steps', 2)\n"
    "r1sim.stage{kind = 'pretrain', name = 'base',\n"
    "  options = {steps = steps, d_model = 16, n_layer = 1, n_head = 2, context = 64}}\n";

static void empty_out_is_refused(void **state) {
    (void)state;
    bin_write("empty", "s.lua", script);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s run %s/empty/s.lua --dry-run --out ''", bin_path, bin_dir);
    bin_refused(cmd, "r1sim run: --out: expected a directory, got ''");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_out_is_refused),
    };
    return cmocka_run_group_tests_name("cli_run_options", tests, setup, teardown);
}
