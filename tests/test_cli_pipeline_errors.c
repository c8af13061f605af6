/* `r1sim run` on scripts whose sample, sft and distill stages are declared
 * wrong: an unknown keep predicate, general_ratio outside [0, 1), a dataset
 * input naming a stage that makes no dataset, a general CSV without a
 * completion column, a distill mode and teacher that disagree, an input file
 * that is not there, a script's own r1sim.fail, an option value longer than
 * the graph keeps, a task filter on a CSV without a task column. Each is
 * refused when the script loads: exit status 2, nothing on stdout, the
 * message on stderr naming the script's file:line (and the CSV file), and
 * nothing written to the run directory. The binary is found through $R1SIM
 * (set by `make test`), else ./r1sim. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli_harness.h"

static int setup(void **state) {
    (void)state;
    return bin_setup("r1sim-clibad");
}

static int teardown(void **state) {
    (void)state;
    return bin_teardown();
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

/* Entries of a directory besides . and ..; 0 when it does not exist. */
static int entries(const char *path) {
    DIR *d = opendir(path);
    if (!d) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

static const char base_stage[] =
    "local base = r1sim.stage{kind = 'pretrain', name = 'base',\n"
    "  options = {steps = 2, d_model = 16, n_layer = 1, n_head = 2, context = 64}}\n";

/* Writes NAME.lua (base_stage, then body, so body's first line is line 3),
 * runs it and checks the refusal: the first stderr line names the script
 * at `line` and holds `what` (and `what2`); a traceback may follow only
 * when traceback is set (an error raised inside r1sim.stage, documented in
 * r1sim(1) as reported with one). */
static void expect_refusal(const char *name, const char *body, int line, const char *what,
                           const char *what2, int traceback) {
    char script[128], out_dir[128], cmd[1024], out[4096], err[8192];
    snprintf(script, sizeof script, "%s/%s.lua", bin_dir, name);
    snprintf(out_dir, sizeof out_dir, "%s/out-%s", bin_dir, name);
    char text[2048];
    snprintf(text, sizeof text, "%s%s", base_stage, body);
    write_file(script, text);
    snprintf(cmd, sizeof cmd, "%s run %s --headless --out %s", bin_path, script, out_dir);
    int rc = bin_run(cmd, out, sizeof out, err, sizeof err);
    if (rc != 2) fail_msg("%s: exit status %d, stderr: %s", name, rc, err);
    assert_string_equal(out, "");
    char want[256];
    snprintf(want, sizeof want, "r1sim run: %s:%d: ", script, line);
    if (strncmp(err, want, strlen(want)) != 0)
        fail_msg("%s: expected stderr to start with '%s': %s", name, want, err);
    char *nl = strchr(err, '\n');
    assert_non_null(nl);
    *nl = 0;
    if (!strstr(err, what) || (what2 && !strstr(err, what2)))
        fail_msg("%s: expected '%s' and '%s' in: %s", name, what, what2 ? what2 : "", err);
    const char *rest = nl + 1;
    if (!traceback && *rest) fail_msg("%s: not one line; after the first: %s", name, rest);
    if (traceback && *rest && strncmp(rest, "stack traceback:\n", 17) != 0)
        fail_msg("%s: after the first line, not a traceback: %s", name, rest);
    if (entries(out_dir)) fail_msg("%s: the run directory %s is not empty", name, out_dir);
}

static void test_unknown_keep_predicate(void **state) {
    (void)state;
    expect_refusal("keep",
                   "r1sim.filter('short', function(s) return s.length < 10 end)\n"
                   "r1sim.stage{kind = 'sample', name = 'samp', inputs = base,\n"
                   "  options = {keep = 'correct+short+bogus'}}\n",
                   4, "stage 'samp': keep: 'bogus' is neither a built-in predicate", "r1sim.filter",
                   0);
    /* the same name as a reward is not a filter */
    expect_refusal("keep2",
                   "r1sim.reward('short', function(s) return 1 end)\n"
                   "r1sim.stage{kind = 'sample', name = 'samp', inputs = base,\n"
                   "  options = {keep = 'short'}}\n",
                   4, "keep: 'short' is neither", NULL, 0);
}

static void test_general_ratio_outside_range(void **state) {
    (void)state;
    const char *ratios[] = {"1", "1.5", "-0.25"};
    for (int i = 0; i < 3; i++) {
        char body[512], name[32];
        snprintf(body, sizeof body,
                 "\nr1sim.stage{kind = 'sample', name = 'samp', inputs = base,\n"
                 "  options = {general_ratio = %s}}\n",
                 ratios[i]);
        snprintf(name, sizeof name, "ratio%d", i);
        expect_refusal(name, body, 4, "option 'general_ratio'", "[0, 1)", 0);
    }
}

static void test_dataset_input_that_makes_no_dataset(void **state) {
    (void)state;
    expect_refusal("noset",
                   "local ev = r1sim.stage{kind = 'eval', name = 'ev', inputs = base,\n"
                   "  options = {task = 'add2'}}\n"
                   "r1sim.stage{kind = 'sft', name = 'tune', inputs = {policy = base, dataset = "
                   "ev}}\n",
                   5, "stage 'tune': input 'ev'", "makes no checkpoint, dataset or reward model",
                   0);
    /* a stage that makes a checkpoint is not a dataset either */
    expect_refusal("ckptset",
                   "r1sim.stage{kind = 'sft', name = 'tune', inputs = {policy = base, dataset = "
                   "base}}\n",
                   3, "stage 'tune': input 'base' for dataset makes no dataset", NULL, 0);
}

static void test_general_csv_without_completion(void **state) {
    (void)state;
    char csv[128], body[1024];
    snprintf(csv, sizeof csv, "%s/nocomp.csv", bin_dir);
    write_file(csv, "prompt,answer\nhi,1\n");
    snprintf(body, sizeof body,
             "r1sim.stage{kind = 'sample', name = 'samp',\n"
             "  inputs = {policy = base, general = '%s'}, options = {general_ratio = 0.25}}\n",
             csv);
    char want[192];
    snprintf(want, sizeof want, "%s:1: no column 'completion'", csv);
    expect_refusal("gencsv", body, 3, "stage 'samp': general input", want, 0);
    /* and one that does not exist */
    snprintf(body, sizeof body,
             "r1sim.stage{kind = 'sample', name = 'samp',\n"
             "  inputs = {policy = base, general = '%s/missing.csv'}}\n",
             bin_dir);
    snprintf(want, sizeof want, "'%s/missing.csv': No such file or directory", bin_dir);
    expect_refusal("genmissing", body, 3, "stage 'samp': input file", want, 0);
}

/* RL for all scenarios: the learned reward needs a reward model, a policy is
 * not one, and the general share is a share. */
static void test_preference_needs_a_reward_model(void **state) {
    (void)state;
    expect_refusal("norm",
                   "r1sim.stage{kind = 'grpo', name = 'all', inputs = base,\n"
                   "  options = {task = 'add2', rewards = 'accuracy=1,preference@5=1'}}\n",
                   3, "stage 'all': rewards: 'preference' needs a reward model", NULL, 0);
    expect_refusal("policyrm",
                   "r1sim.stage{kind = 'grpo', name = 'all',\n"
                   "  inputs = {policy = base, reward_model = base},\n"
                   "  options = {task = 'add2', rewards = 'preference=1'}}\n",
                   3, "stage 'all': input 'base' for reward_model makes no reward model", NULL, 0);
    expect_refusal("badshare",
                   "r1sim.stage{kind = 'grpo', name = 'all', inputs = base,\n"
                   "  options = {task = 'add2', general_share = 1.5}}\n",
                   3, "option 'general_share' = 1.5 is outside [0, 1]", NULL, 0);
    expect_refusal("badfrom",
                   "r1sim.stage{kind = 'grpo', name = 'all', inputs = base,\n"
                   "  options = {task = 'add2', rewards = 'accuracy@x=1'}}\n",
                   3, "accuracy=1", NULL, 0);
}

/* distill: a teacher is given exactly when the logits are distilled. */
static void test_distill_mode_and_teacher_disagree(void **state) {
    (void)state;
    expect_refusal("kdnoteacher",
                   "r1sim.stage{kind = 'distill', name = 'kd',\n"
                   "  inputs = {student = base, dataset = 'data/coldstart.csv'},\n"
                   "  options = {mode = 'logits'}}\n",
                   3, "stage 'kd': mode \"logits\" needs a teacher input", NULL, 0);
    expect_refusal("kdteacher",
                   "local big = r1sim.stage{kind = 'pretrain', name = 'big',\n"
                   "  options = {steps = 2, d_model = 32, n_layer = 1, n_head = 2, context = 64}}\n"
                   "r1sim.stage{kind = 'distill', name = 'kd',\n"
                   "  inputs = {student = base, teacher = big, dataset = 'data/coldstart.csv'}}\n",
                   5, "stage 'kd': a teacher input needs mode \"logits\"", NULL, 0);
    expect_refusal("kdmode",
                   "r1sim.stage{kind = 'distill', name = 'kd',\n"
                   "  inputs = {student = base, dataset = 'data/coldstart.csv'},\n"
                   "  options = {mode = 'soft'}}\n",
                   3, "option 'mode'", "sft or logits", 0);
}

/* A task filter needs a task column to filter by: without one, every row
 * would pass as if of the task. */
static void test_task_filter_without_task_column(void **state) {
    (void)state;
    char csv[128], body[1024], want[256];
    snprintf(csv, sizeof csv, "%s/notask.csv", bin_dir);
    write_file(csv, "prompt,completion\nhi,there\n");
    snprintf(body, sizeof body,
             "r1sim.stage{kind = 'sft', name = 'tune', inputs = {policy = base, dataset = '%s'},\n"
             "  options = {task = 'add2'}}\n",
             csv);
    snprintf(want, sizeof want, "%s:1: no column 'task'", csv);
    expect_refusal("notask", body, 3, want, "for option task = 'add2'", 0);
    /* distill reads its dataset through the same code */
    snprintf(body, sizeof body,
             "r1sim.stage{kind = 'distill', name = 'kd',\n"
             "  inputs = {student = base, dataset = '%s'}, options = {task = 'add3'}}\n",
             csv);
    expect_refusal("notaskkd", body, 3, want, "for option task = 'add3'", 0);
}

/* An input file that is not there stops the script at load, naming the
 * stage and the path, for checkpoints and datasets alike. */
static void test_missing_input_file(void **state) {
    (void)state;
    expect_refusal("nockpt",
                   "r1sim.stage{kind = 'eval', name = 'ev',\n"
                   "  inputs = 'runs/nowhere/model.ckpt', options = {task = 'add2'}}\n",
                   3, "stage 'ev': input file 'runs/nowhere/model.ckpt'", "No such file", 0);
    expect_refusal("nocsv",
                   "r1sim.stage{kind = 'sft', name = 'tune',\n"
                   "  inputs = {policy = base, dataset = 'data/nowhere.csv'}}\n",
                   3, "stage 'tune': input file 'data/nowhere.csv'",
                   "No such file or directory (looked in ., ", 0);
}

/* A value longer than the graph keeps is refused, not cut short: a rewards
 * list losing its tail would train with weights nobody wrote. */
static void test_option_value_too_long(void **state) {
    (void)state;
    char body[1024], zeros[251];
    memset(zeros, '0', sizeof zeros - 1);
    zeros[sizeof zeros - 1] = 0;
    snprintf(body, sizeof body,
             "r1sim.stage{kind = 'grpo', name = 'all', inputs = base,\n"
             "  options = {task = 'add2', rewards = 'accuracy=1,format=%s1'}}\n",
             zeros);
    expect_refusal("longopt", body, 3, "stage 'all'.options.rewards: the value is 269 characters",
                   "at most 255", 0);
    snprintf(body, sizeof body,
             "r1sim.stage{kind = 'pretrain', name = 'p', model = {d_model = '%s%s'}}\n", zeros,
             zeros);
    expect_refusal("longmodel", body, 3, "stage 'p'.model.d_model: the value is 500 characters",
                   NULL, 0);
}

/* r1sim.fail: a script's own check of a -D value, in one line at its line. */
static void test_script_fail(void **state) {
    (void)state;
    expect_refusal("fail", "\nr1sim.fail('-D teacher: expected r1 or r1-zero')\n", 4,
                   "-D teacher: expected r1 or r1-zero", NULL, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_preference_needs_a_reward_model),
        cmocka_unit_test(test_unknown_keep_predicate),
        cmocka_unit_test(test_general_ratio_outside_range),
        cmocka_unit_test(test_dataset_input_that_makes_no_dataset),
        cmocka_unit_test(test_general_csv_without_completion),
        cmocka_unit_test(test_distill_mode_and_teacher_disagree),
        cmocka_unit_test(test_missing_input_file),
        cmocka_unit_test(test_script_fail),
        cmocka_unit_test(test_option_value_too_long),
        cmocka_unit_test(test_task_filter_without_task_column),
    };
    return cmocka_run_group_tests_name("cli_pipeline_errors", tests, setup, teardown);
}
