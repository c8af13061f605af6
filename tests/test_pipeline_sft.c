/* The sft stage on its own, through the runner: its datasets' columns are
 * found by name (a file without `completion` fails the stage naming the
 * file), `task` and `limit` choose the rows (sources.csv counts them per
 * dataset), a choice that leaves nothing fails with a message, and a
 * stopped stage resumes to the numbers of one that was never stopped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/runtime.h"
#include "pipeline/runner.h"
#include "world/csvio.h"
#include "file_helpers.h"
#include "run_watch.h"

static Graph g;
static char err[4096];
static char tmp[64];
static char data_a[128], data_b[128], no_completion[128], header_only[128], bad_row[128];

#define P(q) "<bos>user: " q " assistant: <think>"

/* add2 and pair4 rows, reordered columns (completion before prompt) */
static const char csv_a[] =
    "completion,task,prompt\n"
    "so 59</think><answer>59</answer>,add2," P(
        "12+47?") "\n"
                  "so 5+9</think><answer>5+9</answer>,pair4," P(
                      "3859 sum 14?") "\n"
                                      "so 99</think><answer>99</answer>,add2," P(
                                          "45+54?") "\n"
                                                    "so 11</think><answer>11</answer>,add2," P(
                                                        "01+10?") "\n";
/* no task column, extra columns */
static const char csv_b[] =
    "id,prompt,completion,note\n"
    "1," P("20+30?") ",so 50</think><answer>50</answer>,x\n"
                     "2," P("21+31?") ",so 52</think><answer>52</answer>,y\n";
static const char csv_no_completion[] = "task,prompt,answer\n"
                                        "add2," P("12+47?") ",59\n";
static const char csv_header_only[] = "task,prompt,completion\n";
/* the row on line 4 (after a blank line) has a character outside the vocabulary */
static const char csv_bad_row[] =
    "task,prompt,completion\n\n"
    "add2," P("12+47?") ",so 59</think><answer>59</answer>\n"
                        "add2," P("45+54?") ",so 99</think><answer>99</answer> #OK\n";

/* base (a tiny pretrain) -> tune (sft on the given datasets and options) */
static void build(const char *const *data, int n_data, const char *const *on, const char *const *ov,
                  int n) {
    graph_init(&g);
    const char *pn[] = {"steps",   "batch_size", "seq_len", "context",
                        "d_model", "n_layer",    "n_head",  "task"};
    const char *pv[] = {"2", "2", "32", "64", "16", "1", "2", "add2"};
    if (graph_add_stage(&g, "pretrain", "base", NULL, 0, pn, pv, 8, "t", err, sizeof err))
        fail_msg("%s", err);
    const char *in[8] = {"base"}; /* unnamed: the checkpoint fills policy, CSVs dataset */
    for (int i = 0; i < n_data; i++) in[i + 1] = data[i];
    if (graph_add_stage(&g, "sft", "tune", in, n_data + 1, on, ov, n, "t", err, sizeof err))
        fail_msg("%s", err);
}

static void run_in(const char *name, bool fresh, RunWatch *w) {
    char d[128];
    snprintf(d, sizeof d, "%s/%s", tmp, name);
    w->stop_stage = 1;
    rw_run(&g, d, fresh, w);
    if (w->final[0] != STAGE_DONE && w->final[0] != STAGE_CACHED) fail_msg("base: %s", w->error[0]);
}

/* The tune stage fails with a message holding both texts. */
static void expect_failure(const char *name, const char *a, const char *b) {
    RunWatch w = {0};
    run_in(name, true, &w);
    assert_int_equal(w.final[1], STAGE_FAILED);
    if (!strstr(w.error[1], a) || (b && !strstr(w.error[1], b)))
        fail_msg("expected '%s' and '%s' in: %s", a, b ? b : "", w.error[1]);
    char p[256];
    snprintf(p, sizeof p, "%s/%s/tune/model.ckpt", tmp, name);
    assert_null(fopen(p, "r"));
}

/* sources.csv of a run: rows per dataset, in input order (the files here
 * have no source column, so each row's source is its input). */
static void expect_sources(const char *name, const char *const *src, const int *rows, int n) {
    char p[256];
    snprintf(p, sizeof p, "%s/%s/tune/sources.csv", tmp, name);
    CsvTable t;
    if (csvio_read(p, &t, err, sizeof err)) fail_msg("%s", err);
    assert_int_equal(t.nrows, (size_t)n);
    for (int i = 0; i < n; i++) {
        assert_string_equal(csvio_cell(&t, (size_t)i, 0), src[i]);
        assert_string_equal(csvio_cell(&t, (size_t)i, 1), src[i]);
        assert_int_equal(atoi(csvio_cell(&t, (size_t)i, 2)), rows[i]);
    }
    csvio_free(&t);
}

static void run_ok(const char *name) {
    RunWatch w = {0};
    run_in(name, true, &w);
    if (w.final[1] != STAGE_DONE) fail_msg("tune: %s", w.error[1]);
}

static void test_missing_column_names_the_file(void **state) {
    (void)state;
    const char *data[] = {data_a, no_completion};
    const char *on[] = {"steps"}, *ov[] = {"2"};
    build(data, 2, on, ov, 1);
    expect_failure("nocol", no_completion, "completion");
}

static void test_columns_by_name_and_sources(void **state) {
    (void)state;
    const char *data[] = {data_a, data_b};
    const char *on[] = {"steps", "batch_size"}, *ov[] = {"3", "2"};
    build(data, 2, on, ov, 2);
    run_ok("all");
    const int rows[] = {4, 2};
    expect_sources("all", data, rows, 2);
    char p[256];
    snprintf(p, sizeof p, "%s/all/tune/metrics.csv", tmp);
    CsvTable t;
    assert_int_equal(csvio_read(p, &t, err, sizeof err), 0);
    assert_int_equal(t.nrows, 3);
    csvio_free(&t);
}

/* task keeps the rows of that task */
static void test_task_filter(void **state) {
    (void)state;
    const char *data[] = {data_a};
    const char *on[] = {"steps", "task"}, *ov[] = {"2", "pair4"};
    build(data, 1, on, ov, 2);
    run_ok("task");
    const int rows[] = {1};
    expect_sources("task", data, rows, 1);
    ov[1] = "add2";
    build(data, 1, on, ov, 2);
    run_ok("task2");
    const int rows2[] = {3};
    expect_sources("task2", data, rows2, 1);
}

/* limit counts rows over every dataset, in input order */
static void test_limit(void **state) {
    (void)state;
    const char *data[] = {data_a, data_b};
    const char *on[] = {"steps", "limit"}, *ov[] = {"2", "3"};
    build(data, 2, on, ov, 2);
    run_ok("limit3");
    const int rows[] = {3, 0};
    expect_sources("limit3", data, rows, 2);
    ov[1] = "5";
    build(data, 2, on, ov, 2);
    run_ok("limit5");
    const int rows5[] = {4, 1};
    expect_sources("limit5", data, rows5, 2);
    const char *swapped[] = {data_b, data_a};
    build(swapped, 2, on, ov, 2);
    run_ok("limit5b");
    const int rows5b[] = {2, 3};
    expect_sources("limit5b", swapped, rows5b, 2);
}

static void test_no_usable_rows(void **state) {
    (void)state;
    const char *data[] = {data_a};
    const char *on[] = {"steps", "task"}, *ov[] = {"2", "mul1x3"};
    build(data, 1, on, ov, 2);
    expect_failure("none", "stage 'tune'", "no usable rows for task mul1x3");
    const char *empty[] = {header_only};
    build(empty, 1, on, ov, 1);
    expect_failure("empty", "stage 'tune'", "no usable rows");
}

/* A row the model cannot take is named by its file and line, not by its
 * index among every dataset's rows. */
static void test_bad_row_names_file_and_line(void **state) {
    (void)state;
    const char *data[] = {data_a, bad_row};
    const char *on[] = {"steps"}, *ov[] = {"2"};
    build(data, 2, on, ov, 1);
    char want[192];
    snprintf(want, sizeof want, "%s:4: completion has 'O'", bad_row);
    expect_failure("badrow", "stage 'tune': ", want);
}

static void assert_same_rows(const char *a, const char *b) {
    char pa[256], pb[256];
    snprintf(pa, sizeof pa, "%s/%s/tune/metrics.csv", tmp, a);
    snprintf(pb, sizeof pb, "%s/%s/tune/metrics.csv", tmp, b);
    rw_assert_same_metrics(pa, pb);
}

static char *slurp(const char *name, const char *file, size_t *len) {
    char p[256];
    snprintf(p, sizeof p, "%s/%s/%s", tmp, name, file);
    return tf_slurp(p, len);
}

/* Stopped at step 3 of 6 (resume points every 2 steps, and one at the
 * stop), twice: with the stop on a resume point and between them. */
static void test_resume_matches_uninterrupted(void **state) {
    (void)state;
    const char *data[] = {data_a, data_b};
    const char *on[] = {"steps", "batch_size", "save_every", "lr"}, *ov[] = {"6", "2", "2", "0.01"};
    build(data, 2, on, ov, 4);
    RunWatch w = {0};
    run_in("whole", true, &w);
    assert_int_equal(w.final[1], STAGE_DONE);
    const long stops[] = {3, 4};
    const char *dirs[] = {"stopped3", "stopped4"};
    for (int k = 0; k < 2; k++) {
        RunWatch s1 = {.stop_at = stops[k]};
        run_in(dirs[k], true, &s1);
        assert_int_equal(s1.final[1], STAGE_STOPPED);
        RunWatch s2 = {0};
        run_in(dirs[k], false, &s2);
        assert_int_equal(s2.final[0], STAGE_CACHED);
        assert_int_equal(s2.final[1], STAGE_DONE);
        assert_int_equal(s2.resumed_from[1], stops[k]);
        assert_same_rows("whole", dirs[k]);
        size_t la, lb;
        char *x = slurp("whole", "tune/model.ckpt", &la),
             *y = slurp(dirs[k], "tune/model.ckpt", &lb);
        if (la != lb || memcmp(x, y, la))
            fail_msg("model.ckpt differs after resuming at %ld", stops[k]);
        free(x);
        free(y);
    }
}

static int setup(void **state) {
    (void)state;
    engine_set_threads(1);
    if (tf_scratch(tmp, sizeof tmp, "r1sim-sft")) return -1;
    snprintf(data_a, sizeof data_a, "%s/a.csv", tmp);
    snprintf(data_b, sizeof data_b, "%s/b.csv", tmp);
    snprintf(no_completion, sizeof no_completion, "%s/no_completion.csv", tmp);
    snprintf(header_only, sizeof header_only, "%s/header_only.csv", tmp);
    snprintf(bad_row, sizeof bad_row, "%s/bad_row.csv", tmp);
    return tf_write(data_a, csv_a) || tf_write(data_b, csv_b) ||
                   tf_write(no_completion, csv_no_completion) ||
                   tf_write(header_only, csv_header_only) || tf_write(bad_row, csv_bad_row)
               ? -1
               : 0;
}

static int teardown(void **state) {
    (void)state;
    return tf_remove(tmp);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_missing_column_names_the_file),
        cmocka_unit_test(test_columns_by_name_and_sources),
        cmocka_unit_test(test_task_filter),
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_no_usable_rows),
        cmocka_unit_test(test_bad_row_names_file_and_line),
        cmocka_unit_test(test_resume_matches_uninterrupted),
    };
    return cmocka_run_group_tests_name("pipeline_sft", tests, setup, teardown);
}
