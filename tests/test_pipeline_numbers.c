/* Bad numbers stop a stage, never become a model: an sft stage whose
 * weights overflow fails at that step naming the step and the quantity,
 * writes no model.ckpt, is not marked done, and keeps its last resume point. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/checkpoint.h"
#include "engine/runtime.h"
#include "pipeline/runner.h"
#include "world/tokenizer.h"
#include "file_helpers.h"
#include "run_watch.h"

static Graph g;
static char err[4096];
static char tmp[64];
static char data[128], huge[128];

#define P(q) "<bos>user: " q " assistant: <think>"

static const char csv[] = "prompt,completion\n" P("12+47?") ",so 59</think><answer>59</answer>\n" P(
    "45+54?") ",so 99</think><answer>99</answer>\n";

/* The shape of the tiny base below. */
static GptConfig base_cfg(void) {
    return (GptConfig){
        .max_seq_len = 64, .vocab_size = TOK_VOCAB_SIZE, .n_layer = 1, .n_head = 2, .d_model = 16};
}

/* Finite weights (the checkpoint loads) so large that a forward overflows:
 * the divergence a too-high learning rate ends in, reached in one step. */
static void overflow_weights(Gpt *m) {
    for (size_t i = 0; i < m->num_params; i++) m->params[i] = 1e30f;
}

static void write_huge(const char *path) {
    GptConfig c = base_cfg();
    Gpt *m = gpt_new(&c);
    overflow_weights(m);
    if (ckpt_save(m, path, err, sizeof err)) fail_msg("%s", err);
    gpt_free(m);
}

static void add(const char *kind, const char *name, const char *const *in, int n_in,
                const char *const *on, const char *const *ov, int n) {
    if (graph_add_stage(&g, kind, name, in, n_in, on, ov, n, "t", err, sizeof err))
        fail_msg("%s", err);
}

static int exists(const char *name, const char *file) {
    char p[256];
    snprintf(p, sizeof p, "%s/%s/%s", tmp, name, file);
    return access(p, F_OK) == 0;
}

static void expect_diverged(const RunWatch *w, int s, const char *step) {
    assert_int_equal(w->final[s], STAGE_FAILED);
    if (!strstr(w->error[s], step) || !strstr(w->error[s], "loss is "))
        fail_msg("expected '%s' and 'loss is' in: %s", step, w->error[s]);
}

static void test_diverged_step_fails_the_stage(void **state) {
    (void)state;
    graph_init(&g);
    const char *in[] = {huge, data};
    const char *on[] = {"steps", "batch_size"}, *ov[] = {"3", "2"};
    add("sft", "tune", in, 2, on, ov, 2);
    char d[128];
    snprintf(d, sizeof d, "%s/first", tmp);
    RunWatch w = {0};
    rw_run(&g, d, true, &w);
    expect_diverged(&w, 0, "stage 'tune': step 1: ");
    assert_false(exists("first", "tune/model.ckpt"));
    assert_false(exists("first", "tune/done"));
}

/* A run stopped at step 2 (a resume point) whose saved weights are then
 * made to overflow: the resumed run fails at step 3, and the resume point
 * at 2 is still the one named. */
static void test_failure_keeps_the_resume_point(void **state) {
    (void)state;
    graph_init(&g);
    const char *pn[] = {"steps",   "batch_size", "seq_len", "context",
                        "d_model", "n_layer",    "n_head",  "task"};
    const char *pv[] = {"2", "2", "32", "64", "16", "1", "2", "add2"};
    add("pretrain", "base", NULL, 0, pn, pv, 8);
    const char *in[] = {"base", data};
    const char *on[] = {"steps", "batch_size", "save_every"}, *ov[] = {"5", "2", "100"};
    add("sft", "tune", in, 2, on, ov, 3);
    char d[128];
    snprintf(d, sizeof d, "%s/resumed", tmp);
    RunWatch s1 = {.stop_stage = 1, .stop_at = 2};
    rw_run(&g, d, true, &s1);
    assert_int_equal(s1.final[1], STAGE_STOPPED);
    char p[256];
    snprintf(p, sizeof p, "%s/tune/resume-2.ckpt", d);
    Gpt *m = ckpt_load(p, err, sizeof err);
    if (!m) fail_msg("%s", err);
    overflow_weights(m);
    if (ckpt_save(m, p, err, sizeof err)) fail_msg("%s", err);
    gpt_free(m);

    RunWatch s2 = {0};
    rw_run(&g, d, false, &s2);
    assert_int_equal(s2.resumed_from[1], 2);
    expect_diverged(&s2, 1, "step 3: ");
    assert_false(exists("resumed", "tune/model.ckpt"));
    assert_false(exists("resumed", "tune/done"));
    snprintf(p, sizeof p, "%s/tune/resume", d);
    char *named = tf_slurp(p, NULL);
    assert_string_equal(named, "2\n");
    free(named);
    assert_true(exists("resumed", "tune/resume-2.ckpt"));
}

static int setup(void **state) {
    (void)state;
    engine_set_threads(1);
    if (tf_scratch(tmp, sizeof tmp, "r1sim-numbers")) return -1;
    snprintf(data, sizeof data, "%s/d.csv", tmp);
    snprintf(huge, sizeof huge, "%s/huge.ckpt", tmp);
    if (tf_write(data, csv)) return -1;
    write_huge(huge);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    return tf_remove(tmp);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diverged_step_fails_the_stage),
        cmocka_unit_test(test_failure_keeps_the_resume_point),
    };
    return cmocka_run_group_tests_name("pipeline_numbers", tests, setup, teardown);
}
