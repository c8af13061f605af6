/* r1sim plot on a sweep's metrics_long.csv written here by hand: the
 * curves' data (mean and std over seeds per step, per grid point), the
 * gnuplot script, the chart when gnuplot is there and the way to get it when
 * it is not, and the errors a wrong metric or stage gets. */
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
#include "file_helpers.h"

static int setup(void **state) {
    (void)state;
    if (bin_setup("r1sim-plot")) return -1;
    /* two betas x two seeds; pretrain has a loss too */
    bin_write("sw", "metrics_long.csv",
              "run,script,beta,seed,stage,step,metric,value\n"
              "a,x.lua,0,1,zero,1,accuracy,0.2\n"
              "a,x.lua,0,1,zero,2,accuracy,0.4\n"
              "a,x.lua,0,1,zero,1,loss,1\n"
              "a,x.lua,0,1,base,1,loss,3\n"
              "b,x.lua,0,2,zero,1,accuracy,0.4\n"
              "b,x.lua,0,2,zero,2,accuracy,0.8\n"
              "c,x.lua,0.4,1,zero,2,accuracy,0.5\n"
              "c,x.lua,0.4,1,zero,1,accuracy,0.1\n");
    return 0;
}

static int teardown(void **state) {
    (void)state;
    return bin_teardown();
}

static char out[16384], err[16384];

static void data_and_script_without_gnuplot(void **state) {
    (void)state;
    char cmd[1024], path[300];
    snprintf(cmd, sizeof cmd, "PATH=/nonexistent %s plot %s/sw --metric accuracy", bin_path,
             bin_dir);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 0);
    assert_non_null(strstr(err, "gnuplot is not installed (apt-get install gnuplot-nox)"));
    snprintf(path, sizeof path, "%s/sw/plot-accuracy.dat", bin_dir);
    char *d = tf_slurp(path, NULL);
    /* step, mean, sample std, seeds; beta=0.4's steps sorted */
    assert_string_equal(d, "# beta=0\n# step mean std seeds\n"
                           "1 0.3 0.141421356 2\n"
                           "2 0.6 0.282842712 2\n"
                           "\n\n# beta=0.4\n# step mean std seeds\n"
                           "1 0.1 0 1\n"
                           "2 0.5 0 1\n");
    free(d);
    snprintf(path, sizeof path, "%s/sw/plot-accuracy.gp", bin_dir);
    char *g = tf_slurp(path, NULL);
    assert_non_null(strstr(g, "index 0 using 1:($2-$3):($2+$3) with filledcurves"));
    assert_non_null(strstr(g, "index 1 using 1:2 with lines lw 2 lc 2 title 'beta=0.4'"));
    assert_non_null(strstr(g, "plot-accuracy.png'"));
    free(g);
    /* --smooth 2 pools a point with the one before */
    snprintf(cmd, sizeof cmd,
             "PATH=/nonexistent %s plot %s/sw --metric accuracy --smooth 2 -o %s/sw/s.png",
             bin_path, bin_dir, bin_dir);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 0);
    snprintf(path, sizeof path, "%s/sw/s.dat", bin_dir);
    d = tf_slurp(path, NULL);
    assert_non_null(strstr(d, "2 0.45 0.251661148 2\n")); /* 0.2 0.4 0.4 0.8 */
    free(d);
}

static void chart_with_gnuplot(void **state) {
    (void)state;
    if (system("command -v gnuplot >/dev/null 2>&1") != 0) skip();
    char cmd[1024], path[300];
    snprintf(cmd, sizeof cmd, "%s plot %s/sw --metric accuracy --stage zero -o %s/sw/acc.png",
             bin_path, bin_dir, bin_dir);
    bin_ok(cmd, out, sizeof out);
    assert_non_null(strstr(out, "acc.png (2 grid points;"));
    snprintf(path, sizeof path, "%s/sw/acc.png", bin_dir);
    size_t len;
    char *png = tf_slurp(path, &len);
    assert_true(len > 1000);
    assert_memory_equal(png, "\x89PNG", 4);
    free(png);
}

static void wrong_metric_or_stage_is_refused(void **state) {
    (void)state;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s plot %s/sw --metric kl", bin_path, bin_dir);
    char want[512];
    snprintf(want, sizeof want, "%s/sw/metrics_long.csv: no stage has the metric 'kl'", bin_dir);
    bin_refused(cmd, want);
    snprintf(cmd, sizeof cmd, "%s plot %s/sw --metric loss", bin_path, bin_dir);
    snprintf(want, sizeof want,
             "more than one stage has 'loss' (zero, base): name one with --stage");
    bin_refused(cmd, want);
    snprintf(cmd, sizeof cmd, "%s plot %s/none --metric loss", bin_path, bin_dir);
    bin_refused(cmd, "(run r1sim sweep, or r1sim sweep --collect, first)");
    /* compare reads the same data, and needs a terminal */
    snprintf(cmd, sizeof cmd, "%s compare %s/sw --metric kl", bin_path, bin_dir);
    snprintf(want, sizeof want, "%s/sw/metrics_long.csv: no metric kl", bin_dir);
    bin_refused(cmd, want);
    snprintf(cmd, sizeof cmd, "%s compare %s/sw </dev/null", bin_path, bin_dir);
    bin_refused(cmd, "r1sim compare: needs a terminal (r1sim plot draws to a file)");
    snprintf(cmd, sizeof cmd, "%s plot %s/sw", bin_path, bin_dir);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 2);
    assert_non_null(strstr(err, "r1sim plot: --metric is needed"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(data_and_script_without_gnuplot),
        cmocka_unit_test(chart_with_gnuplot),
        cmocka_unit_test(wrong_metric_or_stage_is_refused),
    };
    return cmocka_run_group_tests_name("cli_plot", tests, setup, teardown);
}
