/* A sweep's grid (its parsing, errors, run order and names) and its
 * summary: the statistics on hand-computed cases, and summary.csv and
 * metrics_long.csv built from run directories written here by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/sweep_collect.h"
#include "cli/sweep_grid.h"
#include "file_helpers.h"

static char err[1024];

static void grid_parses_axes_and_orders_runs(void **state) {
    (void)state;
    SweepGrid g = {.seeds = 2};
    assert_int_equal(sweep_grid_add(&g, "beta=0,0.04,0.4", err, sizeof err), 0);
    assert_int_equal(sweep_grid_add(&g, "loss_type=grpo,dr_grpo", err, sizeof err), 0);
    assert_int_equal(sweep_grid_points(&g), 6);
    assert_int_equal(sweep_grid_runs(&g), 12);
    char name[128];
    /* seeds vary fastest, then the last axis */
    assert_int_equal(sweep_grid_run_name(&g, 0, name, sizeof name), 0);
    assert_string_equal(name, "beta=0,loss_type=grpo_s1");
    assert_int_equal(sweep_grid_run_name(&g, 1, name, sizeof name), 0);
    assert_string_equal(name, "beta=0,loss_type=grpo_s2");
    assert_int_equal(sweep_grid_run_name(&g, 2, name, sizeof name), 0);
    assert_string_equal(name, "beta=0,loss_type=dr_grpo_s1");
    assert_int_equal(sweep_grid_run_name(&g, 11, name, sizeof name), 0);
    assert_string_equal(name, "beta=0.4,loss_type=dr_grpo_s2");
    int point, seed, idx[SWEEP_MAX_AXES];
    sweep_grid_run(&g, 7, &point, &seed);
    assert_int_equal(point, 3);
    assert_int_equal(seed, 2);
    sweep_grid_point(&g, point, idx);
    assert_int_equal(idx[0], 1);
    assert_int_equal(idx[1], 1);
    /* a directory name holds no slash or space of a value */
    SweepGrid t = {.seeds = 1};
    assert_int_equal(sweep_grid_add(&t, "task=a/b c", err, sizeof err), 0);
    assert_int_equal(sweep_grid_run_name(&t, 0, name, sizeof name), 0);
    assert_string_equal(name, "task=a_b_c_s1");
    assert_int_equal(sweep_grid_run_name(&t, 0, name, 8), -1);
    /* no axes: the seeds alone */
    SweepGrid none = {.seeds = 3};
    assert_int_equal(sweep_grid_runs(&none), 3);
    assert_int_equal(sweep_grid_run_name(&none, 2, name, sizeof name), 0);
    assert_string_equal(name, "s3");
}

static void grid_errors_say_what_is_wrong(void **state) {
    (void)state;
    static const struct {
        const char *spec, *want;
    } bad[] = {
        {"beta", "--grid beta: expected name=value,value,..."},
        {"=1,2", "--grid =1,2: expected name=value,value,..."},
        {"beta=", "--grid beta: no values (name=value,value,...)"},
        {"beta=1,,2", "--grid beta: an empty value in '1,,2'"},
        {"beta=1,", "--grid beta: an empty value in '1,'"},
        {"beta=1,1", "--grid beta: the value '1' is listed twice"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        SweepGrid g = {.seeds = 1};
        assert_int_equal(sweep_grid_add(&g, bad[i].spec, err, sizeof err), -1);
        assert_string_equal(err, bad[i].want);
        assert_int_equal(g.n_axes, 0);
    }
    SweepGrid g = {.seeds = 1};
    assert_int_equal(sweep_grid_add(&g, "beta=1", err, sizeof err), 0);
    assert_int_equal(sweep_grid_add(&g, "beta=2", err, sizeof err), -1);
    assert_string_equal(err, "--grid beta: given twice (list every value in one --grid)");
}

static void mean_and_sample_std_by_hand(void **state) {
    (void)state;
    double m, s;
    const double a[] = {1, 2, 3, 4};
    sweep_mean_std(a, 4, &m, &s);
    assert_float_equal(m, 2.5, 1e-12);
    assert_float_equal(s, sqrt(5.0 / 3.0), 1e-12); /* squares 2.25+0.25+0.25+2.25 over 3 */
    const double b[] = {0.2, 0.4};
    sweep_mean_std(b, 2, &m, &s);
    assert_float_equal(m, 0.3, 1e-12);
    assert_float_equal(s, sqrt(0.02), 1e-12);
    const double c[] = {7};
    sweep_mean_std(c, 1, &m, &s);
    assert_float_equal(m, 7, 0);
    assert_float_equal(s, 0, 0);
}

static char root[256];

static void put(const char *rel, const char *text) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *p = path + strlen(root) + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(path, 0777);
            *p = '/';
        }
    assert_int_equal(tf_write(path, text), 0);
}

static void run_dir(const char *name, const char *beta, int seed, const char *pass,
                    const char *len) {
    char rel[256], text[512];
    snprintf(rel, sizeof rel, "%s/run.csv", name);
    snprintf(text, sizeof text, "key,value\nscript,x.lua\nseed,%d\nparam.beta,%s\n", seed, beta);
    put(rel, text);
    snprintf(rel, sizeof rel, "%s/eval.csv", name);
    snprintf(text, sizeof text,
             "model,task,k,pass_at_1,mean_length\nbase,pair4,4,0.1,%s\nzero,pair4,4,%s,%s\n", len,
             pass, len);
    put(rel, text);
    snprintf(rel, sizeof rel, "%s/zero/metrics.csv", name);
    put(rel, "step,loss,reward\n1,0.5,0.25\n2,0.4,\n");
}

static void summary_from_hand_made_runs(void **state) {
    (void)state;
    assert_int_equal(tf_scratch(root, sizeof root, "r1sim-sweep"), 0);
    /* made in any order, named anyhow: the grid's order comes back */
    run_dir("r4", "0.4", 2, "0.5", "12");
    run_dir("r1", "0", 1, "0.2", "10");
    run_dir("r3", "0.4", 1, "0.3", "14");
    run_dir("r2", "0", 2, "0.4", "10");
    run_dir("r5", "0.04", 1, "0.25", "11");
    put("notarun/readme", "not a run: no run.csv\n");
    const char *roots[] = {root};
    char *table = NULL;
    size_t tlen = 0;
    FILE *tf = open_memstream(&table, &tlen);
    assert_int_equal(sweep_collect(roots, 1, root, tf, err, sizeof err), 0);
    fclose(tf);
    char path[512];
    snprintf(path, sizeof path, "%s/summary.csv", root);
    char *got = tf_slurp(path, NULL);
    assert_string_equal(got, "script,beta,model,task,k,n,pass_at_1_mean,pass_at_1_std,"
                             "mean_length_mean,mean_length_std\n"
                             "x.lua,0,base,pair4,4,2,0.1,0,10,0\n"
                             "x.lua,0,zero,pair4,4,2,0.3,0.141421,10,0\n"
                             "x.lua,0.04,base,pair4,4,1,0.1,,11,\n"
                             "x.lua,0.04,zero,pair4,4,1,0.25,,11,\n"
                             "x.lua,0.4,base,pair4,4,2,0.1,0,13,1.41421\n"
                             "x.lua,0.4,zero,pair4,4,2,0.4,0.141421,13,1.41421\n");
    free(got);
    assert_non_null(strstr(table, "beta=0.4"));
    assert_non_null(strstr(table, "0.400 \xc2\xb1 0.141"));
    free(table);
    snprintf(path, sizeof path, "%s/metrics_long.csv", root);
    got = tf_slurp(path, NULL);
    /* three cells per run (the empty reward is no figure), runs in grid order */
    const char *want_start = "run,script,beta,seed,stage,step,metric,value\n"
                             "r1,x.lua,0,1,zero,1,loss,0.5\n"
                             "r1,x.lua,0,1,zero,1,reward,0.25\n"
                             "r1,x.lua,0,1,zero,2,loss,0.4\n"
                             "r2,x.lua,0,2,zero,1,loss,0.5\n";
    assert_memory_equal(got, want_start, strlen(want_start));
    int lines = 0;
    for (char *p = got; *p; p++) lines += *p == '\n';
    assert_int_equal(lines, 1 + 5 * 3);
    free(got);

    /* one run directory alone is collected too */
    char one[300], out[300];
    snprintf(one, sizeof one, "%s/r5", root);
    snprintf(out, sizeof out, "%s/r5", root);
    const char *single[] = {one};
    assert_int_equal(sweep_collect(single, 1, out, NULL, err, sizeof err), 0);
    /* a directory with no runs is an error that names it */
    snprintf(one, sizeof one, "%s/notarun", root);
    assert_int_equal(sweep_collect(single, 1, out, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "notarun: no run directories in it"));
    /* a damaged run.csv is named with its line */
    put("r6/run.csv", "key,value\nscript,x.lua\nseed,abc\n");
    const char *again[] = {root};
    assert_int_equal(sweep_collect(again, 1, root, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "r6/run.csv:3: seed: expected a number, got 'abc'"));
    tf_remove(root);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(grid_parses_axes_and_orders_runs),
        cmocka_unit_test(grid_errors_say_what_is_wrong),
        cmocka_unit_test(mean_and_sample_std_by_hand),
        cmocka_unit_test(summary_from_hand_made_runs),
    };
    return cmocka_run_group_tests_name("sweep", tests, NULL, NULL);
}
