/* The distill stage through the runner, on tiny models: in mode "sft" it
 * trains exactly like an sft stage with the same schedule; in mode
 * "logits" it writes ce and kl beside the loss, resumes after a stop to the
 * metrics and checkpoint of a run never stopped, and refuses a teacher of
 * another vocabulary, or one no larger than the student, naming the stage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/checkpoint.h"
#include "engine/runtime.h"
#include "file_helpers.h"
#include "run_watch.h"

static Graph g;
static char err[4096];
static char tmp[64], data[128], wide_vocab[128];

#define P(q) "<bos>user: " q " assistant: <think>"
static const char csv[] = "prompt,completion\n" P("12+47?") ",so 59</think><answer>59</answer>\n" P(
    "45+54?") ",so 99</think><answer>99</answer>\n" P("01+10?") ",so "
                                                                "11</think><answer>11</"
                                                                "answer>\n" P("20+30?") ",so "
                                                                                        "50</"
                                                                                        "think>"
                                                                                        "<answe"
                                                                                        "r>50</"
                                                                                        "answer"
                                                                                        ">\n";

static void add(const char *kind, const char *name, const char *const *in, int n_in,
                const char *const *on, const char *const *ov, int n) {
    if (graph_add_stage(&g, kind, name, in, n_in, on, ov, n, "t", err, sizeof err))
        fail_msg("%s", err);
}

static void pretrain(const char *name, const char *d_model) {
    const char *pn[] = {"steps",   "batch_size", "seq_len", "context",
                        "d_model", "n_layer",    "n_head",  "task"};
    const char *pv[] = {"2", "2", "32", "64", d_model, "1", "2", "add2"};
    add("pretrain", name, NULL, 0, pn, pv, 8);
}

/* teacher (d 32) and student (d 16) bases, then stage 2: `kind` on the
 * student, with the teacher when given, and the options. */
static void build(const char *kind, const char *teacher, const char *const *on,
                  const char *const *ov, int n) {
    graph_init(&g);
    pretrain("student", "16");
    pretrain("teacher", "32");
    const char *in[] = {"student", data, teacher};
    add(kind, "tune", in, teacher ? 3 : 2, on, ov, n);
    if (teacher) {
        int s = graph_find(&g, "tune");
        if (graph_name_input_role(&g, s, 0, "student", err, sizeof err) ||
            graph_name_input_role(&g, s, 2, "teacher", err, sizeof err))
            fail_msg("%s", err);
    }
}

enum { TUNE = 2 };

static void run_in(const char *name, bool fresh, RunWatch *w) {
    char d[128];
    snprintf(d, sizeof d, "%s/%s", tmp, name);
    w->stop_stage = TUNE;
    rw_run(&g, d, fresh, w);
}

static void run_ok(const char *name) {
    RunWatch w = {0};
    run_in(name, true, &w);
    if (w.final[TUNE] != STAGE_DONE) fail_msg("tune: %s", w.error[TUNE]);
}

static char *slurp(const char *name, const char *file) {
    char p[256];
    snprintf(p, sizeof p, "%s/%s/tune/%s", tmp, name, file);
    return tf_slurp(p, NULL);
}

static void assert_same_metrics(const char *a, const char *b) {
    char pa[256], pb[256];
    snprintf(pa, sizeof pa, "%s/%s/tune/metrics.csv", tmp, a);
    snprintf(pb, sizeof pb, "%s/%s/tune/metrics.csv", tmp, b);
    rw_assert_same_metrics(pa, pb);
}

static void test_sft_mode_is_sft(void **state) {
    (void)state;
    /* sft's schedule: its cosine floor is 0.1 of the peak, distill's 0 */
    const char *on[] = {"steps", "batch_size", "lr", "min_lr"}, *ov[] = {"5", "2", "0.01", "0.1"};
    build("distill", NULL, on, ov, 4);
    run_ok("dsft");
    build("sft", NULL, on, ov, 3);
    run_ok("sft");
    assert_same_metrics("dsft", "sft");
    char pa[256], pb[256];
    snprintf(pa, sizeof pa, "%s/dsft/tune/model.ckpt", tmp);
    snprintf(pb, sizeof pb, "%s/sft/tune/model.ckpt", tmp);
    tf_assert_same_file(pa, pb);
}

static const char *const kd_names[] = {"steps", "batch_size", "lr", "mode", "save_every"};
static const char *const kd_values[] = {"6", "2", "0.01", "logits", "2"};

static void test_logits_resume_matches_uninterrupted(void **state) {
    (void)state;
    build("distill", "teacher", kd_names, kd_values, 5);
    run_ok("whole");
    char *head = slurp("whole", "metrics.csv");
    if (strncmp(head, "step,loss,grad_norm,lr,tokens_per_s,ce,kl\n", 42))
        fail_msg("metrics.csv header: %.60s", head);
    free(head);
    const long stops[] = {3, 4};
    const char *dirs[] = {"stopped3", "stopped4"};
    for (int k = 0; k < 2; k++) {
        RunWatch s1 = {.stop_at = stops[k]};
        run_in(dirs[k], true, &s1);
        assert_int_equal(s1.final[TUNE], STAGE_STOPPED);
        RunWatch s2 = {0};
        run_in(dirs[k], false, &s2);
        assert_int_equal(s2.final[TUNE], STAGE_DONE);
        assert_int_equal(s2.resumed_from[TUNE], stops[k]);
        assert_same_metrics("whole", dirs[k]);
        char pa[256], pb[256];
        snprintf(pa, sizeof pa, "%s/whole/tune/model.ckpt", tmp);
        snprintf(pb, sizeof pb, "%s/%s/tune/model.ckpt", tmp, dirs[k]);
        tf_assert_same_file(pa, pb);
    }
}

static void expect_failure(const char *name, const char *teacher, const char *what) {
    build("distill", teacher, kd_names, kd_values, 5);
    RunWatch w = {0};
    run_in(name, true, &w);
    assert_int_equal(w.final[TUNE], STAGE_FAILED);
    if (!strstr(w.error[TUNE], "stage 'tune'") || !strstr(w.error[TUNE], what))
        fail_msg("expected '%s' in: %s", what, w.error[TUNE]);
}

static void test_teacher_of_another_vocabulary_refused(void **state) {
    (void)state;
    expect_failure("vocab", wide_vocab, "teacher vocabulary 80 differs from the student's 64");
}

static void test_teacher_no_larger_than_student_refused(void **state) {
    (void)state;
    expect_failure("same", "student", "must be smaller than the teacher");
}

static int setup(void **state) {
    (void)state;
    engine_set_threads(1);
    if (tf_scratch(tmp, sizeof tmp, "r1sim-distill")) return -1;
    snprintf(data, sizeof data, "%s/data.csv", tmp);
    snprintf(wide_vocab, sizeof wide_vocab, "%s/wide.ckpt", tmp);
    FILE *f = fopen(data, "w");
    if (!f || fputs(csv, f) < 0 || fclose(f)) return -1;
    /* a larger model over a tokenizer of 80 ids */
    GptConfig wc = {.max_seq_len = 64, .vocab_size = 80, .n_layer = 2, .n_head = 2, .d_model = 32};
    Gpt *w = gpt_new(&wc);
    if (!w) return -1;
    gpt_init_random(w, 1);
    int rc = ckpt_save(w, wide_vocab, err, sizeof err);
    gpt_free(w);
    return rc;
}

static int teardown(void **state) {
    (void)state;
    return tf_remove(tmp);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sft_mode_is_sft),
        cmocka_unit_test(test_logits_resume_matches_uninterrupted),
        cmocka_unit_test(test_teacher_of_another_vocabulary_refused),
        cmocka_unit_test(test_teacher_no_larger_than_student_refused),
    };
    return cmocka_run_group_tests_name("pipeline_distill", tests, setup, teardown);
}
