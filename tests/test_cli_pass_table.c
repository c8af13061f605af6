/* `r1sim table RUN_DIR --pass-at-k` on hand-written pass_at_k.csv files: k
 * down the rows, each model's pass@k then maj@k across, exact plain and
 * Markdown output, curves of different length, a model's second curve, a
 * block per task, and bad input refused with one line naming the file and
 * exit 2. The binary is found through $R1SIM (set by `make test`). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_harness.h"

#define DASH "\xe2\x80\x93"
#define HEADER "model,task,n,k,pass_at_k,maj_at_k\n"

static int setup(void **state) {
    return bin_setup("r1sim-cli-pass-table");
}

static int teardown(void **state) {
    return bin_teardown();
}

static void write_run(const char *name, const char *text) {
    bin_write(name, "pass_at_k.csv", text);
}

/* `r1sim table DIR/NAME --pass-at-k ARGS`, which must succeed. */
static void table(const char *name, const char *args, char *out, size_t cap) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s table %s/%s --pass-at-k %s", bin_path, bin_dir, name, args);
    bin_ok(cmd, out, cap);
}

static const char base_and_zero[] = HEADER "base,pair4,4,1,0.25,0.25\n"
                                           "base,pair4,4,2,0.4166667,0.3\n"
                                           "base,pair4,4,4,0.6,0.35\n"
                                           "r1-zero,pair4,4,1,0.5,0.5\n"
                                           "r1-zero,pair4,4,2,0.6,0.55\n"
                                           "r1-zero,pair4,4,4,0.7,0.6\n";

static void models_side_by_side_at_each_k(void **state) {
    write_run("two", base_and_zero);
    char out[4096];
    table("two", "", out, sizeof out);
    assert_string_equal(out,
                        "task pair4: k  base pass@k  r1-zero pass@k  base maj@k  r1-zero maj@k\n"
                        "---------------------------------------------------------------------\n"
                        "1                    0.250           0.500       0.250          0.500\n"
                        "2                    0.417           0.600       0.300          0.550\n"
                        "4                    0.600           0.700       0.350          0.600\n");
    table("two", "--md", out, sizeof out);
    assert_string_equal(
        out, "| task pair4: k | base pass@k | r1-zero pass@k | base maj@k | r1-zero maj@k |\n"
             "|:---|---:|---:|---:|---:|\n"
             "| 1 | 0.250 | 0.500 | 0.250 | 0.500 |\n"
             "| 2 | 0.417 | 0.600 | 0.300 | 0.550 |\n"
             "| 4 | 0.600 | 0.700 | 0.350 | 0.600 |\n");
}

/* A curve with fewer samples leaves its longer rows empty; the same model
 * again on the task is a second curve; another task is a block of its own. */
static void short_curves_second_curves_and_tasks(void **state) {
    write_run("mixed", HEADER "a,add3,2,1,0.1,0.1\n"
                              "a,add3,2,2,0.2,\n"
                              "b,add3,4,1,0.3,0.3\n"
                              "b,add3,4,2,0.4,0.35\n"
                              "b,add3,4,4,0.5,0.4\n"
                              "a,add3,1,1,0.9,0.9\n"
                              "a,pair4,1,1,0.05,0.05\n");
    char out[4096];
    table("mixed", "--md", out, sizeof out);
    assert_string_equal(
        out, "| task add3: k | a pass@k | b pass@k | a #2 pass@k | a maj@k | b maj@k | a "
             "#2 maj@k |\n"
             "|:---|---:|---:|---:|---:|---:|---:|\n"
             "| 1 | 0.100 | 0.300 | 0.900 | 0.100 | 0.300 | 0.900 |\n"
             "| 2 | 0.200 | 0.400 | " DASH " | " DASH " | 0.350 | " DASH " |\n"
             "| 4 | " DASH " | 0.500 | " DASH " | " DASH " | 0.400 | " DASH " |\n"
             "\n"
             "| task pair4: k | a pass@k | a maj@k |\n"
             "|:---|---:|---:|\n"
             "| 1 | 0.050 | 0.050 |\n");
}

/* Exit 2, nothing on stdout, one line on stderr holding `expect`. */
static void expect_refused(const char *arg, const char *expect) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s table %s --pass-at-k", bin_path, arg);
    bin_refused(cmd, expect);
}

static void bad_input_is_one_line_and_exit_2(void **state) {
    char arg[256], expect[320];
    snprintf(arg, sizeof arg, "%s/norun", bin_dir);
    mkdir(arg, 0777);
    snprintf(expect, sizeof expect, "%s/pass_at_k.csv: no such file", arg);
    expect_refused(arg, expect);
    static const struct {
        const char *name, *text, *expect;
    } cases[] = {
        {"nomaj", "model,task,n,k,pass_at_k\na,add3,1,1,0.5\n",
         "nomaj/pass_at_k.csv:1: no column 'maj_at_k'"},
        {"empty", HEADER, "empty/pass_at_k.csv: no rows"},
        {"badk", HEADER "a,add3,2,1,0.5,0.5\na,add3,2,two,0.5,0.5\n",
         "badk/pass_at_k.csv:3: k is 'two'"},
        {"zerok", HEADER "a,add3,2,0,0.5,0.5\n", "zerok/pass_at_k.csv:2: k is '0'"},
        {"nan", HEADER "a,add3,2,1,high,0.5\n", "nan/pass_at_k.csv:2: pass_at_k is 'high'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_run(cases[i].name, cases[i].text);
        snprintf(arg, sizeof arg, "%s/%s", bin_dir, cases[i].name);
        expect_refused(arg, cases[i].expect);
    }
    /* the file may be named itself */
    snprintf(arg, sizeof arg, "%s/nan/pass_at_k.csv", bin_dir);
    expect_refused(arg, "nan/pass_at_k.csv:2:");
}

static void help_names_the_flag(void **state) {
    char cmd[256], out[4096];
    snprintf(cmd, sizeof cmd, "%s table --help", bin_path);
    bin_ok(cmd, out, sizeof out);
    assert_non_null(strstr(out, "--pass-at-k"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(models_side_by_side_at_each_k),
        cmocka_unit_test(short_curves_second_curves_and_tasks),
        cmocka_unit_test(bad_input_is_one_line_and_exit_2),
        cmocka_unit_test(help_names_the_flag),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
