/* `r1sim table` as a user runs it on hand-written eval.csv files: models as
 * columns in file order, figures as rows with readable labels, a block per
 * task, exact plain and Markdown output, unknown and pass@N columns, empty
 * cells, and bad input refused with one line naming the file and exit 2.
 * The binary is found through $R1SIM (set by `make test`), else ./r1sim. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_harness.h"

#include "cli/eval_table.h"

#define DASH "\xe2\x80\x93"

static int setup(void **state) {
    (void)state;
    return bin_setup("r1sim-cli-table");
}

static int teardown(void **state) {
    (void)state;
    return bin_teardown();
}

static void write_run(const char *name, const char *text) {
    bin_write(name, "eval.csv", text);
}

/* `r1sim table DIR/NAME ARGS`: stdout into out; the exit status must be 0. */
static void table(const char *name, const char *args, char *out, size_t cap) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s table %s/%s %s", bin_path, bin_dir, name, args);
    bin_ok(cmd, out, cap);
}

#define HEADER                                                                                     \
    "model,task,k,pass_at_1,maj_at_k,format_rate,language_consistency,mean_length,"                \
    "aha_per_completion,think_rate,pass_at_1_think,pass_at_1_direct\n"

static const char two_models[] = HEADER "base,pair4,8,0.12,0.15,0.9,1,40.25,0.5,0.8,0.14,\n"
                                        "r1-zero,pair4,8,0.64,0.7,0.99,1,61.3,2.1,1,0.64,\n";

/* pass@1 direct is empty for every model, so the block leaves it out. */
static void two_models_as_columns_aligned(void **state) {
    write_run("two", two_models);
    char out[4096];
    table("two", "", out, sizeof out);
    assert_string_equal(out, "task pair4             base  r1-zero\n"
                             "------------------------------------\n"
                             "pass@1                0.120    0.640\n"
                             "maj@8                 0.150    0.700\n"
                             "format                0.900    0.990\n"
                             "language consistency  1.000    1.000\n"
                             "mean length            40.2     61.3\n"
                             "aha / completion      0.500    2.100\n"
                             "think rate            0.800    1.000\n"
                             "pass@1 thinking       0.140    0.640\n");
}

static void markdown_is_a_pipe_table(void **state) {
    write_run("two", two_models);
    char out[4096];
    table("two", "--md", out, sizeof out);
    assert_string_equal(out, "| task pair4 | base | r1-zero |\n"
                             "|:---|---:|---:|\n"
                             "| pass@1 | 0.120 | 0.640 |\n"
                             "| maj@8 | 0.150 | 0.700 |\n"
                             "| format | 0.900 | 0.990 |\n"
                             "| language consistency | 1.000 | 1.000 |\n"
                             "| mean length | 40.2 | 61.3 |\n"
                             "| aha / completion | 0.500 | 2.100 |\n"
                             "| think rate | 0.800 | 1.000 |\n"
                             "| pass@1 thinking | 0.140 | 0.640 |\n");
}

/* Columns follow the file, not the alphabet; a second task is a second
 * block over the same columns; a model evaluated twice on one task gets a
 * second column rather than losing a row. */
static void models_keep_file_order_and_tasks_make_blocks(void **state) {
    write_run("blocks", "model,task,k,pass_at_1\n"
                        "zeta,add3,4,0.5\n"
                        "alpha,add3,4,0.25\n"
                        "zeta,pair4,4,0.75\n"
                        "zeta,add3,4,1\n");
    char out[4096];
    table("blocks", "", out, sizeof out);
    assert_string_equal(out, "task add3    zeta  alpha  zeta #2\n"
                             "---------------------------------\n"
                             "pass@1      0.500  0.250    1.000\n"
                             "\n"
                             "task pair4   zeta  alpha  zeta #2\n"
                             "---------------------------------\n"
                             "pass@1      0.750      " DASH "        " DASH "\n");
    table("blocks", "--md", out, sizeof out);
    assert_string_equal(out, "| task add3 | zeta | alpha | zeta #2 |\n"
                             "|:---|---:|---:|---:|\n"
                             "| pass@1 | 0.500 | 0.250 | 1.000 |\n"
                             "\n"
                             "| task pair4 | zeta | alpha | zeta #2 |\n"
                             "|:---|---:|---:|---:|\n"
                             "| pass@1 | 0.750 | " DASH " | " DASH " |\n");
}

/* pass_at_N columns the pipeline adds read "pass@N" wherever they sit;
 * columns nobody knows keep their name, numbers formatted, text as it is. */
static void added_and_unknown_columns_are_shown(void **state) {
    write_run("extra", "model,task,k,pass_at_1,pass_at_2,pass_at_16,seconds,note\n"
                       "m,pair4,16,0.5,0.625,0.9375,12,cosine lr\n");
    char out[4096];
    table("extra", "", out, sizeof out);
    assert_string_equal(out, "task pair4          m\n"
                             "---------------------\n"
                             "pass@1          0.500\n"
                             "pass@2          0.625\n"
                             "pass@16         0.938\n"
                             "seconds        12.000\n"
                             "note        cosine lr\n");
}

/* An empty cell, a NaN, a model with no row for a task: all "–", and the
 * dash counts as one column when aligning. Rows that do not share k say so
 * in a k row, and maj@k stays generic. */
static void empty_cells_and_differing_k(void **state) {
    write_run("empty", "model,task,k,pass_at_1,maj_at_k,mean_length\n"
                       "greedy,add3,1,0.5,,nan\n"
                       "sampled,add3,8,,0.75,33.33\n");
    char out[4096];
    table("empty", "", out, sizeof out);
    assert_string_equal(out, "task add3    greedy  sampled\n"
                             "----------------------------\n"
                             "k                 1        8\n"
                             "pass@1        0.500        " DASH "\n"
                             "maj@k             " DASH "    0.750\n"
                             "mean length       " DASH "     33.3\n");
}

static void labels_follow_the_column_names(void **state) {
    static const struct {
        const char *col, *k, *label;
    } cases[] = {
        {"pass_at_1", "8", "pass@1"},
        {"pass_at_32", NULL, "pass@32"},
        {"maj_at_k", "64", "maj@64"},
        {"maj_at_k", NULL, "maj@k"},
        {"maj_at_16", NULL, "maj@16"},
        {"format_rate", NULL, "format"},
        {"language_consistency", NULL, "language consistency"},
        {"mean_length", NULL, "mean length"},
        {"aha_per_completion", NULL, "aha / completion"},
        {"think_rate", NULL, "think rate"},
        {"pass_at_1_think", NULL, "pass@1 thinking"},
        {"pass_at_1_direct", NULL, "pass@1 direct"},
        {"pass_at_", NULL, "pass_at_"},
        {"pass_at_2x", NULL, "pass_at_2x"},
        {"forced_think_acc", NULL, "forced_think_acc"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[64];
        eval_table_label(cases[i].col, cases[i].k, out, sizeof out);
        if (strcmp(out, cases[i].label) != 0)
            fail_msg("%s: '%s', expected '%s'", cases[i].col, out, cases[i].label);
    }
}

/* `r1sim table ARG`: exit 2, nothing on stdout, one line on stderr that
 * holds `expect`. */
static void expect_refused(const char *arg, const char *expect) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s table %s", bin_path, arg);
    bin_refused(cmd, expect);
}

static void bad_input_is_one_line_and_exit_2(void **state) {
    char arg[256], expect[320];
    snprintf(arg, sizeof arg, "%s/no-such-run", bin_dir);
    expect_refused(arg, arg);
    snprintf(arg, sizeof arg, "%s/norun", bin_dir);
    mkdir(arg, 0777);
    snprintf(expect, sizeof expect, "%s/eval.csv: no such file", arg);
    expect_refused(arg, expect);
    write_run("nomodel", "task,pass_at_1\nadd3,0.5\n");
    snprintf(arg, sizeof arg, "%s/nomodel", bin_dir);
    expect_refused(arg, "nomodel/eval.csv:1: no 'model' column");
    write_run("empty", HEADER);
    snprintf(arg, sizeof arg, "%s/empty", bin_dir);
    expect_refused(arg, "empty/eval.csv: no rows");
    write_run("nan", "model,task,pass_at_1\na,add3,0.5\nb,add3,high\n");
    snprintf(arg, sizeof arg, "%s/nan", bin_dir);
    expect_refused(arg, "nan/eval.csv:3: pass_at_1 is 'high', not a number");
    write_run("quote", "model,task,pass_at_1\na,add3,0.5\n\"b,add3,0.5\n");
    snprintf(arg, sizeof arg, "%s/quote", bin_dir);
    expect_refused(arg, "quote/eval.csv:3:");
    /* the file itself may be named, and options are checked */
    snprintf(arg, sizeof arg, "%s/nan/eval.csv", bin_dir);
    expect_refused(arg, "nan/eval.csv:3:");
    snprintf(arg, sizeof arg, "%s/nan %s/quote", bin_dir, bin_dir);
    char cmd[512], out[1024], err[2048];
    snprintf(cmd, sizeof cmd, "%s table %s", bin_path, arg);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 2);
    snprintf(cmd, sizeof cmd, "%s table --markdown %s/nan", bin_path, bin_dir);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 2);
    assert_non_null(strstr(err, "markdown"));
}

static void help_and_usage_name_the_command(void **state) {
    char cmd[256], out[4096], err[1024];
    snprintf(cmd, sizeof cmd, "%s table --help", bin_path);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 0);
    assert_non_null(strstr(out, "usage: r1sim table RUN_DIR [--md]"));
    snprintf(cmd, sizeof cmd, "%s --help", bin_path);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 0);
    assert_non_null(strstr(out, "  table "));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_models_as_columns_aligned),
        cmocka_unit_test(markdown_is_a_pipe_table),
        cmocka_unit_test(models_keep_file_order_and_tasks_make_blocks),
        cmocka_unit_test(added_and_unknown_columns_are_shown),
        cmocka_unit_test(empty_cells_and_differing_k),
        cmocka_unit_test(labels_follow_the_column_names),
        cmocka_unit_test(bad_input_is_one_line_and_exit_2),
        cmocka_unit_test(help_and_usage_name_the_command),
    };
    return cmocka_run_group_tests_name("cli_table", tests, setup, teardown);
}
