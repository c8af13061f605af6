/* r1sim sweep as a researcher runs it: the same summary for any -j, for
 * --list run one command at a time then --collect, and after a Ctrl-C and
 * a second run of the same command; a Slurm script that bash accepts and
 * that names every run; bad grids refused in one line. The binary is found
 * through $R1SIM (set by `make test`), else ./r1sim. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_harness.h"
#include "file_helpers.h"

#define SCRIPT "tests/lua/sweep_tiny.lua"
#define GRID "--grid beta=0,0.4 --grid format_weight=0,0.5 --seeds 2"

static int setup(void **state) {
    (void)state;
    unsetenv("R1SIM_CACHE");
    return bin_setup("r1sim-sweep");
}

static int teardown(void **state) {
    (void)state;
    return bin_teardown();
}

static char out[65536], err[65536];

static void sweep_ok(const char *extra, const char *dir) {
    char cmd[1024];
    /* a cache of its own: each sweep compared here trains its stages */
    snprintf(cmd, sizeof cmd, "%s sweep %s %s %s --out %s/%s --cache %s/%s.cache", bin_path, SCRIPT,
             GRID, extra, bin_dir, dir, bin_dir, dir);
    int rc = bin_run(cmd, out, sizeof out, err, sizeof err);
    if (rc != 0) fail_msg("exit %d: %s", rc, err);
}

static void same_summary(const char *a, const char *b) {
    char pa[256], pb[256];
    snprintf(pa, sizeof pa, "%s/%s/summary.csv", bin_dir, a);
    snprintf(pb, sizeof pb, "%s/%s/summary.csv", bin_dir, b);
    tf_assert_same_file(pa, pb);
}

/* -j 2 runs two at a time on one thread each; -j 1 one at a time on every
 * thread: the same numbers, byte for byte. */
static void any_j_gives_the_same_summary(void **state) {
    (void)state;
    sweep_ok("-j 2", "j2");
    assert_non_null(strstr(err, "8 runs (4 grid points x 2 seeds), 2 at a time"));
    assert_non_null(strstr(err, "[8/8] "));
    assert_non_null(strstr(out, "grid point"));
    sweep_ok("-j 1", "j1");
    same_summary("j1", "j2");
    char path[256];
    snprintf(path, sizeof path, "%s/j2/summary.csv", bin_dir);
    char *s = tf_slurp(path, NULL);
    /* 4 points x 1 evaluated model, and the header */
    int lines = 0;
    for (char *p = s; *p; p++) lines += *p == '\n';
    assert_int_equal(lines, 5);
    assert_non_null(strstr(s, "script,beta,format_weight,model,task,k,n,pass_at_1_mean"));
    free(s);
    /* the base is trained once per seed: 2 pretrain entries in the cache */
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s cache ls --cache %s/j2.cache", bin_path, bin_dir);
    bin_ok(cmd, out, sizeof out);
    int pretrain = 0;
    for (char *p = out; (p = strstr(p, "pretrain   pretrain")); p++) pretrain++;
    assert_int_equal(pretrain, 2);
}

/* What --list prints, run one command after another by a shell, then
 * --collect: the summary the sweep itself writes. */
static void list_then_collect_equals_the_sweep(void **state) {
    (void)state;
    char cmd[1024], path[256];
    snprintf(cmd, sizeof cmd, "%s sweep %s %s --list --out %s/listed", bin_path, SCRIPT, GRID,
             bin_dir);
    bin_ok(cmd, out, sizeof out);
    int lines = 0;
    for (char *p = out; *p; p++) lines += *p == '\n';
    assert_int_equal(lines, 8);
    snprintf(path, sizeof path, "%s/cmds.sh", bin_dir);
    assert_int_equal(tf_write(path, out), 0);
    snprintf(cmd, sizeof cmd, "sh -e %s >/dev/null 2>&1", path);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 0);
    snprintf(cmd, sizeof cmd, "%s sweep --collect %s/listed", bin_path, bin_dir);
    bin_ok(cmd, out, sizeof out);
    sweep_ok("-j 2", "swept");
    same_summary("listed", "swept");
}

static void slurm_script_names_every_run(void **state) {
    (void)state;
    char cmd[1024], path[256];
    snprintf(path, sizeof path, "%s/sl/job.sh", bin_dir);
    snprintf(cmd, sizeof cmd, "%s sweep %s %s --slurm %s --out %s/sl", bin_path, SCRIPT, GRID, path,
             bin_dir);
    bin_ok(cmd, out, sizeof out);
    snprintf(cmd, sizeof cmd, "bash -n %s", path);
    bin_ok(cmd, out, sizeof out);
    char *s = tf_slurp(path, NULL);
    assert_non_null(strstr(s, "#SBATCH --array=0-7\n"));
    static const char *const runs[] = {
        "beta=0,format_weight=0_s1",     "beta=0,format_weight=0_s2",
        "beta=0,format_weight=0.5_s1",   "beta=0,format_weight=0.5_s2",
        "beta=0.4,format_weight=0_s1",   "beta=0.4,format_weight=0_s2",
        "beta=0.4,format_weight=0.5_s1", "beta=0.4,format_weight=0.5_s2"};
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        char want[160];
        snprintf(want, sizeof want, "--out %s/sl/%s --cache", bin_dir, runs[i]);
        if (!strstr(s, want)) fail_msg("no run %s in:\n%s", runs[i], s);
    }
    assert_non_null(strstr(s, "sweep --collect"));
    free(s);
    /* an array task runs its command: task 3 is the fourth run */
    snprintf(cmd, sizeof cmd, "SLURM_ARRAY_TASK_ID=3 bash %s >/dev/null 2>&1", path);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 0);
    snprintf(path, sizeof path, "%s/sl/%s/eval.csv", bin_dir, runs[3]);
    free(tf_slurp(path, NULL));
}

/* Ctrl-C while the runs train: every run stops at a consistent point, the
 * sweep says how to go on, and the same command finishes with the numbers
 * of a sweep never stopped. */
static void stopped_sweep_continues_to_the_same_summary(void **state) {
    (void)state;
    char cmd[2048];
    const char *longer = "-D pretrain_steps=3000 -j 2";
    snprintf(cmd, sizeof cmd,
             "%s sweep %s %s %s --out %s/stopped --cache %s/stopped.cache >/dev/null "
             "2>%s/stop.err & p=$!; "
             "while [ ! -s %s/stopped/beta=0,format_weight=0_s1/pretrain/metrics.csv ]; do "
             "sleep 0.05; done; kill -INT $p; wait $p; echo $?",
             bin_path, SCRIPT, GRID, longer, bin_dir, bin_dir, bin_dir, bin_dir);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 0);
    char path[256];
    snprintf(path, sizeof path, "%s/stop.err", bin_dir);
    char *e = tf_slurp(path, NULL);
    if (strcmp(out, "1\n") != 0) fail_msg("the stopped sweep exits %s: %s", out, e);
    assert_non_null(strstr(e, "run the same command again to continue"));
    free(e);
    sweep_ok(longer, "stopped");
    assert_non_null(strstr(err, "r1sim sweep: 8 runs done"));
    sweep_ok(longer, "whole");
    same_summary("stopped", "whole");
}

/* A sweep file holds a sweep's words, comments aside; the command line
 * adds to them. */
static void sweep_file_gives_the_words(void **state) {
    (void)state;
    bin_write("sf", "my.sweep",
              "# two betas, two seeds\n" SCRIPT " --grid beta=0,0.4 # the KL penalty\n"
              "\t--seeds 2\n");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s sweep %s/sf/my.sweep --list --out %s/sf/out -D rl_steps=2",
             bin_path, bin_dir, bin_dir);
    bin_ok(cmd, out, sizeof out);
    int lines = 0;
    for (char *p = out; *p; p++) lines += *p == '\n';
    assert_int_equal(lines, 4);
    assert_non_null(strstr(out, " --seed 2 -D rl_steps=2 -D beta=0.4 --out "));
    snprintf(cmd, sizeof cmd, "%s sweep %s/sf/none.sweep", bin_path, bin_dir);
    bin_refused(cmd, "none.sweep: No such file or directory");
    bin_write("sf", "empty.sweep", "# nothing but a comment\n");
    snprintf(cmd, sizeof cmd, "%s sweep %s/sf/empty.sweep", bin_path, bin_dir);
    bin_refused(cmd, "empty.sweep: no script in it");
}

static void bad_sweeps_are_refused(void **state) {
    (void)state;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s sweep %s --grid lr=1,2 --out %s/bad", bin_path, SCRIPT, bin_dir);
    bin_refused(cmd, "r1sim sweep: --grid lr: tests/lua/sweep_tiny.lua has no r1sim.param('lr', "
                     "...) (it has: pretrain_steps, rl_steps, beta, format_weight)");
    snprintf(cmd, sizeof cmd, "%s sweep %s --grid beta= --out %s/bad", bin_path, SCRIPT, bin_dir);
    bin_refused(cmd, "r1sim sweep: --grid beta: no values (name=value,value,...)");
    snprintf(cmd, sizeof cmd, "%s sweep %s -j 0 --out %s/bad", bin_path, SCRIPT, bin_dir);
    bin_refused(cmd, "r1sim sweep: -j: expected an integer from 1 to 256, got '0'");
    snprintf(cmd, sizeof cmd, "%s sweep %s --grid beta=x --out %s/bad", bin_path, SCRIPT, bin_dir);
    bin_refused(cmd, "r1sim sweep: tests/lua/sweep_tiny.lua:17: -D beta=x: expected a number");
    snprintf(cmd, sizeof cmd, "%s sweep %s --grid beta=0 -D beta=1 --out %s/bad", bin_path, SCRIPT,
             bin_dir);
    bin_refused(cmd, "r1sim sweep: --grid beta: also given as -D");
    snprintf(cmd, sizeof cmd, "%s sweep --collect %s/nothing", bin_path, bin_dir);
    int rc = bin_run(cmd, out, sizeof out, err, sizeof err);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(err, "nothing: cannot read"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(any_j_gives_the_same_summary),
        cmocka_unit_test(list_then_collect_equals_the_sweep),
        cmocka_unit_test(slurm_script_names_every_run),
        cmocka_unit_test(stopped_sweep_continues_to_the_same_summary),
        cmocka_unit_test(sweep_file_gives_the_words),
        cmocka_unit_test(bad_sweeps_are_refused),
    };
    return cmocka_run_group_tests_name("cli_sweep", tests, setup, teardown);
}
