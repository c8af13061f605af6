/* The stage cache shared between runs, as a user meets it: two runs of one
 * script finishing together store each stage once and agree; a third run
 * trains nothing; toggling an option and back gets the earlier result at
 * once; `r1sim cache ls|prune` show and free the room; bad options refuse.
 * The binary is found through $R1SIM (set by `make test`), else ./r1sim. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_harness.h"
#include "file_helpers.h"

#define SCRIPT "tests/lua/sweep_tiny.lua"

static int setup(void **state) {
    (void)state;
    unsetenv("R1SIM_CACHE");
    return bin_setup("r1sim-stcache");
}

static int teardown(void **state) {
    (void)state;
    return bin_teardown();
}

/* The headless progress line of a stage (on stderr) says how it ended:
 * "cached" or "done". */
static int stage_state_is(const char *out, const char *stage, const char *state) {
    char want[64];
    snprintf(want, sizeof want, "] %s ", stage);
    const char *line = strstr(out, want);
    if (!line) fail_msg("no line for stage %s in: %s", stage, out);
    size_t len = strcspn(line, "\n");
    char buf[256];
    snprintf(buf, sizeof buf, "%.*s", (int)len, line);
    snprintf(want, sizeof want, " %s ", state);
    return strstr(buf, want) != NULL;
}

/* Entries of the cache named PREFIX..., or with prefix NULL, the stored
 * stages (named by their 16-digit keys). */
static int count_entries(const char *dir, const char *prefix) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (prefix ? !strncmp(e->d_name, prefix, strlen(prefix))
                   : strlen(e->d_name) == 16 && strspn(e->d_name, "0123456789abcdef") == 16)
            n++;
    closedir(d);
    return n;
}

static void concurrent_runs_store_each_stage_once(void **state) {
    (void)state;
    char cmd[2048], out[8192], err[4096], path[256], a[256], b[256];
    snprintf(cmd, sizeof cmd,
             "(%s run %s --headless --threads 1 --out %s/a --cache %s/c >/dev/null 2>&1; "
             "echo $? > %s/rc.a) & "
             "(%s run %s --headless --threads 1 --out %s/b --cache %s/c >/dev/null 2>&1; "
             "echo $? > %s/rc.b) & wait",
             bin_path, SCRIPT, bin_dir, bin_dir, bin_dir, bin_path, SCRIPT, bin_dir, bin_dir,
             bin_dir);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 0);
    for (const char *r = "ab"; *r; r++) {
        snprintf(path, sizeof path, "%s/rc.%c", bin_dir, *r);
        char *rc = tf_slurp(path, NULL);
        assert_string_equal(rc, "0\n");
        free(rc);
    }
    snprintf(path, sizeof path, "%s/c", bin_dir);
    /* pretrain, grpo and eval: one entry each, no unfinished copy left */
    assert_int_equal(count_entries(path, NULL), 3);
    assert_int_equal(count_entries(path, "tmp-"), 0);
    snprintf(a, sizeof a, "%s/a/eval.csv", bin_dir);
    snprintf(b, sizeof b, "%s/b/eval.csv", bin_dir);
    tf_assert_same_file(a, b);
    snprintf(a, sizeof a, "%s/a/zero/model.ckpt", bin_dir);
    snprintf(b, sizeof b, "%s/b/zero/model.ckpt", bin_dir);
    tf_assert_same_file(a, b);

    /* a third run directory trains nothing and gets the same results */
    snprintf(cmd, sizeof cmd, "%s run %s --headless --threads 1 --out %s/third --cache %s/c",
             bin_path, SCRIPT, bin_dir, bin_dir);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 0);
    assert_true(stage_state_is(err, "pretrain", "cached"));
    assert_true(stage_state_is(err, "zero", "cached"));
    assert_true(stage_state_is(err, "eval-zero", "cached"));
    snprintf(a, sizeof a, "%s/a/eval.csv", bin_dir);
    snprintf(b, sizeof b, "%s/third/eval.csv", bin_dir);
    tf_assert_same_file(a, b);
}

/* The teacher's toggle: an option changed retrains from that stage on; set
 * back, the earlier results return from the cache though the run directory
 * holds the changed run's. */
static void toggled_option_and_back_is_cached(void **state) {
    (void)state;
    char cmd[1024], out[8192], err[4096], first[256], again[256];
    snprintf(cmd, sizeof cmd, "%s run %s --headless --threads 1 --out %s/t", bin_path, SCRIPT,
             bin_dir);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 0);
    snprintf(first, sizeof first, "%s/t-first.csv", bin_dir);
    snprintf(again, sizeof again, "%s/t/eval.csv", bin_dir);
    char *text = tf_slurp(again, NULL);
    assert_int_equal(tf_write(first, text), 0);
    free(text);

    snprintf(cmd, sizeof cmd, "%s run %s --headless --threads 1 --out %s/t -D format_weight=0",
             bin_path, SCRIPT, bin_dir);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 0);
    assert_true(stage_state_is(err, "pretrain", "cached"));
    assert_true(stage_state_is(err, "zero", "done"));
    assert_true(stage_state_is(err, "eval-zero", "done"));

    snprintf(cmd, sizeof cmd, "%s run %s --headless --threads 1 --out %s/t", bin_path, SCRIPT,
             bin_dir);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 0);
    assert_true(stage_state_is(err, "zero", "cached"));
    assert_true(stage_state_is(err, "eval-zero", "cached"));
    tf_assert_same_file(first, again);

    /* --no-cache: the run directory's own cache only, so the toggle retrains */
    snprintf(cmd, sizeof cmd,
             "%s run %s --headless --threads 1 --out %s/t -D format_weight=0 --no-cache", bin_path,
             SCRIPT, bin_dir);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 0);
    snprintf(cmd, sizeof cmd, "%s run %s --headless --threads 1 --out %s/t --no-cache", bin_path,
             SCRIPT, bin_dir);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 0);
    assert_true(stage_state_is(err, "zero", "done"));
}

static void cache_ls_and_prune(void **state) {
    (void)state;
    char cmd[1024], out[8192];
    char err[4096];
    snprintf(cmd, sizeof cmd, "%s run %s --headless --threads 1 --out %s/l/run", bin_path, SCRIPT,
             bin_dir);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 0);
    snprintf(cmd, sizeof cmd, "%s cache ls --cache %s/l/.cache", bin_path, bin_dir);
    bin_ok(cmd, out, sizeof out);
    assert_non_null(strstr(out, ": 3 entries, "));
    assert_non_null(strstr(out, "pretrain   pretrain"));
    assert_non_null(strstr(out, "eval-zero      eval"));
    /* R1SIM_CACHE names the default */
    snprintf(cmd, sizeof cmd, "R1SIM_CACHE=%s/l/.cache %s cache prune --older-than 1", bin_dir,
             bin_path);
    bin_ok(cmd, out, sizeof out);
    assert_non_null(strstr(out, "removed 0 of 3 entries"));
    snprintf(cmd, sizeof cmd, "%s cache prune --cache %s/l/.cache", bin_path, bin_dir);
    bin_ok(cmd, out, sizeof out);
    assert_non_null(strstr(out, "removed 3 of 3 entries"));
    snprintf(cmd, sizeof cmd, "%s cache ls --cache %s/l/.cache", bin_path, bin_dir);
    bin_ok(cmd, out, sizeof out);
    assert_non_null(strstr(out, ": 0 entries, 0 B"));
}

static void bad_cache_options_are_refused(void **state) {
    (void)state;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s run %s --dry-run --out %s/x --cache ''", bin_path, SCRIPT,
             bin_dir);
    bin_refused(cmd, "r1sim run: --cache: expected a directory, got ''");
    snprintf(cmd, sizeof cmd, "%s run %s --dry-run --out %s/x --cache %s/c --no-cache", bin_path,
             SCRIPT, bin_dir, bin_dir);
    bin_refused(cmd, "r1sim run: --cache and --no-cache: one or the other");
    snprintf(cmd, sizeof cmd, "%s cache prune --older-than soon", bin_path);
    bin_refused(cmd, "r1sim cache: --older-than: expected a number");
    snprintf(cmd, sizeof cmd, "%s cache clean", bin_path);
    char out[4096], err[4096];
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 2);
    assert_non_null(strstr(err, "r1sim cache: unknown action 'clean' (ls or prune)"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(concurrent_runs_store_each_stage_once),
        cmocka_unit_test(toggled_option_and_back_is_cached),
        cmocka_unit_test(cache_ls_and_prune),
        cmocka_unit_test(bad_cache_options_are_refused),
    };
    return cmocka_run_group_tests_name("cli_stage_cache", tests, setup, teardown);
}
