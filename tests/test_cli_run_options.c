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
#include <unistd.h>

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

/* The later -D wins, and says so: the dry run prints the later value's
 * steps (4 x batch_size x seq_len tokens, not 3 x). */
static void repeated_define_takes_the_later_value(void **state) {
    (void)state;
    bin_write("twice", "s.lua", script);
    char cmd[512], out[4096], err[1024], once[4096];
    snprintf(cmd, sizeof cmd, "%s run %s/twice/s.lua --dry-run -D steps=4 --out %s/twice/o",
             bin_path, bin_dir, bin_dir);
    bin_ok(cmd, once, sizeof once);
    snprintf(cmd, sizeof cmd,
             "%s run %s/twice/s.lua --dry-run -D steps=3 -Dsteps=4 --out %s/twice/o", bin_path,
             bin_dir, bin_dir);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 0);
    assert_string_equal(
        err, "r1sim run: note: -D steps given twice; the later value '4' wins over '3'\n");
    /* the estimate's seconds vary; the tokens column does not */
    char *a = strstr(once, "base"), *b = strstr(out, "base");
    assert_non_null(a);
    assert_non_null(b);
    assert_memory_equal(a, b, 50);
}

/* More threads than CPUs is capped, with a note naming both counts. */
static void threads_above_the_cpus_are_capped(void **state) {
    (void)state;
    bin_write("threads", "s.lua", script);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus >= 256) skip(); /* no count above the CPUs that --threads accepts */
    char cmd[512], out[4096], err[1024], want[256];
    snprintf(cmd, sizeof cmd, "%s run %s/threads/s.lua --dry-run --threads %ld --out %s/threads/o",
             bin_path, bin_dir, cpus + 1, bin_dir);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 0);
    snprintf(want, sizeof want,
             "r1sim run: note: --threads %ld is more than the %ld CPUs online; using %ld\n",
             cpus + 1, cpus, cpus);
    assert_string_equal(err, want);
    /* the CPUs' own count passes without a word */
    snprintf(cmd, sizeof cmd, "%s run %s/threads/s.lua --dry-run --threads %ld --out %s/threads/o",
             bin_path, bin_dir, cpus, bin_dir);
    bin_ok(cmd, out, sizeof out);
}

/* R1SIM_THREADS follows --threads' rules: capped with a note, a value that
 * is not a count refused, and no matter when --threads is given. */
static void threads_from_the_environment_are_checked(void **state) {
    (void)state;
    bin_write("envthreads", "s.lua", script);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus >= 256) skip();
    char cmd[512], out[4096], err[1024], want[256];
    snprintf(cmd, sizeof cmd,
             "R1SIM_THREADS=%ld %s run %s/envthreads/s.lua --dry-run --out %s/envthreads/o",
             cpus + 1, bin_path, bin_dir, bin_dir);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 0);
    snprintf(want, sizeof want,
             "r1sim run: note: R1SIM_THREADS %ld is more than the %ld CPUs online; using %ld\n",
             cpus + 1, cpus, cpus);
    assert_string_equal(err, want);
    snprintf(cmd, sizeof cmd,
             "R1SIM_THREADS=two %s run %s/envthreads/s.lua --dry-run --out %s/envthreads/o",
             bin_path, bin_dir, bin_dir);
    bin_refused(cmd, "r1sim run: R1SIM_THREADS: expected an integer from 1 to 256, got 'two'");
    snprintf(cmd, sizeof cmd,
             "R1SIM_THREADS=two %s run %s/envthreads/s.lua --dry-run --threads 1 --out "
             "%s/envthreads/o",
             bin_path, bin_dir, bin_dir);
    bin_ok(cmd, out, sizeof out);
}

/* A -D value reaches an option through r1sim.param: too long for it, it is
 * refused at the line that uses it, as a value written in the script is. */
static void too_long_define_is_refused_at_its_line(void **state) {
    (void)state;
    bin_write("long", "s.lua",
              "local rewards = r1sim.param('rewards', 'accuracy=1')\n"
              "local base = r1sim.stage{kind = 'pretrain', name = 'base',\n"
              "  options = {steps = 2, d_model = 16, n_layer = 1, n_head = 2, context = 64}}\n"
              "r1sim.stage{kind = 'grpo', name = 'g', inputs = base,\n"
              "  options = {task = 'add2', rewards = rewards}}\n");
    char zeros[251], cmd[1024], want[256];
    memset(zeros, '0', sizeof zeros - 1);
    zeros[sizeof zeros - 1] = 0;
    snprintf(cmd, sizeof cmd,
             "%s run %s/long/s.lua --dry-run -D rewards=accuracy=1,format=%s1 --out %s/long/o",
             bin_path, bin_dir, zeros, bin_dir);
    snprintf(want, sizeof want,
             "r1sim run: %s/long/s.lua:4: stage 'g'.options.rewards: the value is 269 characters, "
             "at most 255",
             bin_dir);
    bin_refused(cmd, want);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_out_is_refused),
        cmocka_unit_test(repeated_define_takes_the_later_value),
        cmocka_unit_test(threads_above_the_cpus_are_capped),
        cmocka_unit_test(threads_from_the_environment_are_checked),
        cmocka_unit_test(too_long_define_is_refused_at_its_line),
    };
    return cmocka_run_group_tests_name("cli_run_options", tests, setup, teardown);
}
