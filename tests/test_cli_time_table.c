/* Where a run's time goes. The time table `r1sim run` prints when it ends:
 * one line per stage in run order with its state, steps, this run's wall
 * time and share, a total; a stage reused from the cache took no time in
 * this run. And `r1sim run --dry-run`, which trains nothing: each stage's
 * work and an estimate, reused stages marked, nothing written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/time_table.h"
#include "cli_harness.h"

static int setup(void **state) {
    (void)state;
    return bin_setup("r1sim-timetable");
}

static int teardown(void **state) {
    (void)state;
    return bin_teardown();
}

static void formats_minutes_and_hours(void **state) {
    char b[32];
    time_table_format(7.4, b, sizeof b);
    assert_string_equal(b, "0:07");
    time_table_format(230, b, sizeof b);
    assert_string_equal(b, "3:50");
    time_table_format(3909, b, sizeof b);
    assert_string_equal(b, "1:05:09");
    time_table_format(-1, b, sizeof b);
    assert_string_equal(b, "0:00");
}

/* The table's line for a stage: the one starting with its name. */
static const char *line_of(const char *err, const char *name, char *buf, size_t cap) {
    const char *p = strstr(err, "time per stage");
    assert_non_null(p);
    size_t n = strlen(name);
    for (p = strchr(p, '\n'); p && *p; p = strchr(p, '\n')) {
        p++;
        if (strncmp(p, name, n) == 0 && p[n] == ' ') {
            size_t len = strcspn(p, "\n");
            snprintf(buf, cap, "%.*s", (int)len, p);
            return buf;
        }
    }
    fail_msg("no line for '%s' in: %s", name, err);
    return NULL;
}

static void write_two_stage_script(char *script, size_t cap) {
    snprintf(script, cap, "%s/two.lua", bin_dir);
    FILE *f = fopen(script, "w");
    assert_non_null(f);
    fputs("local opts = {steps = 3, d_model = 16, n_layer = 1, n_head = 2, context = 64,\n"
          "  seq_len = 32, batch_size = 2}\n"
          "r1sim.stage{kind = 'pretrain', name = 'first', options = opts}\n"
          "r1sim.stage{kind = 'pretrain', name = 'second',\n"
          "  options = {steps = 2, d_model = 16, n_layer = 1, n_head = 2, context = 64,\n"
          "  seq_len = 32, batch_size = 2}}\n",
          f);
    assert_int_equal(fclose(f), 0);
}

static void lists_every_stage_with_its_time_and_share(void **state) {
    char script[128], cmd[512], out[4096], err[16384], line[256];
    write_two_stage_script(script, sizeof script);
    snprintf(cmd, sizeof cmd, "%s run %s --headless --threads 1 --out %s/run", bin_path, script,
             bin_dir);
    int rc = bin_run(cmd, out, sizeof out, err, sizeof err);
    if (rc != 0) fail_msg("exit %d: %s", rc, err);
    double share_sum = 0;
    const char *names[] = {"first", "second"};
    for (int i = 0; i < 2; i++) {
        line_of(err, names[i], line, sizeof line);
        char name[32], kind[32], st[32], wall[32];
        long steps;
        double share;
        if (sscanf(line, "%31s %31s %31s %ld %31s %lf %%", name, kind, st, &steps, wall, &share) !=
            6)
            fail_msg("unreadable line: %s", line);
        assert_string_equal(kind, "pretrain");
        assert_string_equal(st, "done");
        assert_int_equal(steps, 3 - i);
        assert_non_null(strchr(wall, ':'));
        share_sum += share;
    }
    assert_true(share_sum > 99.0 && share_sum < 101.0);
    line_of(err, "total", line, sizeof line);

    /* again: both reused, no time of this run */
    rc = bin_run(cmd, out, sizeof out, err, sizeof err);
    if (rc != 0) fail_msg("exit %d: %s", rc, err);
    for (int i = 0; i < 2; i++) {
        line_of(err, names[i], line, sizeof line);
        assert_non_null(strstr(line, "cached"));
        assert_non_null(strstr(line, "\xe2\x80\x93"));
    }
}

/* The line of stage `name` in the dry run's table on stdout. */
static void dry_line(const char *out, const char *name, char *buf, size_t cap) {
    size_t n = strlen(name);
    for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, name, n) == 0 && p[n] == ' ') {
            snprintf(buf, cap, "%.*s", (int)strcspn(p, "\n"), p);
            return;
        }
    fail_msg("no line for '%s' in: %s", name, out);
}

static void dry_run_estimates_and_writes_nothing(void **state) {
    char script[128], cmd[512], out[8192], err[4096], line[256], dir[160];
    write_two_stage_script(script, sizeof script);
    snprintf(dir, sizeof dir, "%s/dry", bin_dir);
    /* no stage cache: an earlier test's run of the script fills the shared one */
    snprintf(cmd, sizeof cmd, "%s run %s --dry-run --threads 1 --out %s --no-cache", bin_path,
             script, dir);
    int rc = bin_run(cmd, out, sizeof out, err, sizeof err);
    if (rc != 0) fail_msg("exit %d: %s", rc, err);
    dry_line(out, "first", line, sizeof line);
    /* 3 steps of 2 rows of 32 tokens: 192 trained tokens, 16 wide, 1 layer */
    assert_non_null(strstr(line, " run "));
    assert_non_null(strstr(line, "16x1"));
    assert_non_null(strstr(line, " 192 "));
    assert_non_null(strchr(line, ':'));
    dry_line(out, "total", line, sizeof line);
    FILE *f = fopen(dir, "r");
    if (f) {
        fclose(f);
        fail_msg("--dry-run made the run directory %s", dir);
    }

    /* after a real run into the same directory both stages would be reused */
    snprintf(cmd, sizeof cmd, "%s run %s --headless --threads 1 --out %s", bin_path, script, dir);
    rc = bin_run(cmd, out, sizeof out, err, sizeof err);
    if (rc != 0) fail_msg("exit %d: %s", rc, err);
    snprintf(cmd, sizeof cmd, "%s run %s --dry-run --threads 1 --out %s", bin_path, script, dir);
    rc = bin_run(cmd, out, sizeof out, err, sizeof err);
    if (rc != 0) fail_msg("exit %d: %s", rc, err);
    dry_line(out, "second", line, sizeof line);
    assert_non_null(strstr(line, "reuse"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(formats_minutes_and_hours),
        cmocka_unit_test(lists_every_stage_with_its_time_and_share),
        cmocka_unit_test(dry_run_estimates_and_writes_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
