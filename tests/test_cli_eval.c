/* `r1sim eval` and `r1sim make-data` as a user runs them: one row (table or
 * CSV with a fixed header), reproducible for a seed, a samples file on
 * request, and errors as one line with exit status 2. The binary is found
 * through $R1SIM (set by `make test`), else ./r1sim. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_harness.h"

static int setup(void **state) {
    (void)state;
    if (bin_setup("r1sim-cli-eval")) return -1;
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "%s init --layers 2 --dim 32 --heads 4 --ctx 80 --seed 3 -o %s/m.bin >/dev/null "
             "2>&1 && "
             "%s init --layers 1 --dim 16 --heads 2 --ctx 20 --seed 3 -o %s/short.bin "
             ">/dev/null 2>&1",
             bin_path, bin_dir, bin_path, bin_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    return bin_teardown();
}

static int count_lines(const char *s) {
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

static const char header[] =
    "model,task,k,pass_at_1,maj_at_k,format_rate,language_consistency,mean_length,"
    "aha_per_completion,think_rate,pass_at_1_think,pass_at_1_direct";

static void csv_row_is_reproducible(void **state) {
    char cmd[512], a[4096], b[4096], err[512];
    snprintf(cmd, sizeof cmd,
             "%s eval %s/m.bin --task add2 -n 4 -k 3 --max-new 16 --seed 5 --threads 1 --csv",
             bin_path, bin_dir);
    assert_int_equal(bin_run(cmd, a, sizeof a, err, sizeof err), 0);
    assert_int_equal(bin_run(cmd, b, sizeof b, err, sizeof err), 0);
    assert_string_equal(a, b);
    assert_int_equal(count_lines(a), 2);
    assert_memory_equal(a, header, strlen(header));
    assert_int_equal(a[strlen(header)], '\n');
    char row[128];
    snprintf(row, sizeof row, "\n%s/m.bin,add2,3,", bin_dir);
    assert_non_null(strstr(a, row));
    /* twelve cells */
    const char *line = strchr(a, '\n') + 1;
    int commas = 0;
    for (const char *p = line; *p && *p != '\n'; p++) commas += *p == ',';
    assert_int_equal(commas, 11);
}

/* --pass-at-k --csv: the rows of a run's pass_at_k.csv, k = 1, 2, 4, 8; the
 * k = 1 row is the plain row's pass@1, and pass@k never falls as k grows. */
static void pass_at_k_rows_follow_the_run_files(void **state) {
    char cmd[512], row[4096], curve[4096], err[512];
    const char *args = "--task add2 -n 4 -k 8 --max-new 12 --seed 2 --threads 1 --csv";
    snprintf(cmd, sizeof cmd, "%s eval %s/m.bin %s", bin_path, bin_dir, args);
    assert_int_equal(bin_run(cmd, row, sizeof row, err, sizeof err), 0);
    snprintf(cmd, sizeof cmd, "%s eval %s/m.bin %s --pass-at-k", bin_path, bin_dir, args);
    assert_int_equal(bin_run(cmd, curve, sizeof curve, err, sizeof err), 0);
    assert_int_equal(count_lines(curve), 5);
    const char *want = "model,task,n,k,pass_at_k,maj_at_k\n";
    assert_memory_equal(curve, want, strlen(want));
    double p1 = -1;
    char prefix[256];
    snprintf(prefix, sizeof prefix, "%s/m.bin,add2,8,", bin_dir);
    const char *at = strstr(row, prefix);
    assert_non_null(at);
    assert_int_equal(sscanf(at + strlen(prefix), "%lf", &p1), 1);
    const char *line = strchr(curve, '\n') + 1;
    double last = -1;
    for (int j = 0; j < 4; j++) {
        int n, k;
        double pass, maj;
        char model[256];
        assert_int_equal(sscanf(line, "%255[^,],add2,%d,%d,%lf,%lf", model, &n, &k, &pass, &maj),
                         5);
        assert_int_equal(n, 8);
        assert_int_equal(k, 1 << j);
        if (j == 0) assert_true(fabs(pass - p1) < 1e-5);
        assert_true(pass >= last - 1e-12);
        last = pass;
        line = strchr(line, '\n') + 1;
    }
}

static void forced_adds_two_columns(void **state) {
    char cmd[512], out[4096], err[512];
    snprintf(cmd, sizeof cmd,
             "%s eval %s/m.bin --task add2 -n 3 -k 2 --max-new 12 --forced --threads 1 --csv",
             bin_path, bin_dir);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 0);
    char expect[512];
    snprintf(expect, sizeof expect, "%s,forced_think_acc,forced_direct_acc\n", header);
    assert_memory_equal(out, expect, strlen(expect));
}

static void table_has_a_header_and_one_row(void **state) {
    char cmd[512], out[4096], err[512];
    snprintf(cmd, sizeof cmd, "%s eval %s/m.bin --task add2 -n 3 -k 2 --max-new 12 --threads 1",
             bin_path, bin_dir);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 0);
    assert_int_equal(count_lines(out), 2);
    assert_non_null(strstr(out, "pass@1"));
    assert_non_null(strstr(out, "maj@k"));
    assert_non_null(strstr(out, "add2"));
    /* greedy decoding draws one completion per problem */
    snprintf(cmd, sizeof cmd,
             "%s eval %s/m.bin --task add2 -n 3 -k 5 --temp 0 --max-new 12 --threads 1 --csv",
             bin_path, bin_dir);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 0);
    assert_non_null(strstr(out, ",add2,1,"));
}

static void samples_file_is_written(void **state) {
    char cmd[512], out[4096], err[512], path[128];
    snprintf(path, sizeof path, "%s/samples.csv", bin_dir);
    snprintf(cmd, sizeof cmd,
             "%s eval %s/m.bin --task add2 -n 2 -k 2 --max-new 8 --threads 1 --samples-csv %s",
             bin_path, bin_dir, path);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 0);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[256];
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    assert_string_equal(line, "task,mode,prompt,completion,answer,expected,correct,format,"
                              "thinks,language,length,waits\n");
}

static void expect_usage_error(const char *args, const char *expect) {
    char cmd[512], out[4096], err[1024];
    snprintf(cmd, sizeof cmd, "%s eval %s", bin_path, args);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 2);
    if (!strstr(err, expect)) fail_msg("'%s': expected '%s' in: %s", args, expect, err);
    assert_string_equal(out, "");
}

static void errors_are_one_line_with_status_2(void **state) {
    char args[256];
    snprintf(args, sizeof args, "%s/m.bin --task div3", bin_dir);
    expect_usage_error(args, "--task");
    snprintf(args, sizeof args, "%s/m.bin -k 0", bin_dir);
    expect_usage_error(args, "-k");
    snprintf(args, sizeof args, "%s/m.bin --temp hot", bin_dir);
    expect_usage_error(args, "--temp");
    expect_usage_error("", "CKPT");
    snprintf(args, sizeof args, "%s/missing.bin", bin_dir);
    expect_usage_error(args, "missing.bin");
    /* a context of 20 cannot hold the 26-token add2 prompt */
    snprintf(args, sizeof args, "%s/short.bin --task add2 -n 2 -k 1", bin_dir);
    expect_usage_error(args, "context");
    char cmd[256], out[4096], err[512];
    snprintf(cmd, sizeof cmd, "%s eval %s/short.bin --task add2", bin_path, bin_dir);
    bin_run(cmd, out, sizeof out, err, sizeof err);
    assert_int_equal(count_lines(err), 1);
    snprintf(cmd, sizeof cmd, "%s eval --help", bin_path);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 0);
    assert_non_null(strstr(out, "usage: r1sim eval"));
}

static void make_data_writes_files_that_pass_its_check(void **state) {
    char cmd[512], out[4096], err[512];
    snprintf(cmd, sizeof cmd, "%s make-data %s/data", bin_path, bin_dir);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 0);
    assert_non_null(strstr(out, "coldstart.csv"));
    assert_non_null(strstr(out, "eval_add3.csv"));
    snprintf(cmd, sizeof cmd, "%s make-data --check %s/data", bin_path, bin_dir);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 0);
    snprintf(cmd, sizeof cmd,
             "printf 'prompt,answer\\nx\\n' > %s/eval_add3.csv && %s make-data "
             "--check %s/eval_add3.csv",
             bin_dir, bin_path, bin_dir);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 2);
    assert_non_null(strstr(err, "eval_add3.csv:2:"));
    snprintf(cmd, sizeof cmd, "%s make-data", bin_path);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_row_is_reproducible),
        cmocka_unit_test(pass_at_k_rows_follow_the_run_files),
        cmocka_unit_test(forced_adds_two_columns),
        cmocka_unit_test(table_has_a_header_and_one_row),
        cmocka_unit_test(samples_file_is_written),
        cmocka_unit_test(errors_are_one_line_with_status_2),
        cmocka_unit_test(make_data_writes_files_that_pass_its_check),
    };
    return cmocka_run_group_tests_name("cli_eval", tests, setup, teardown);
}
