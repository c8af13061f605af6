/* The tokens.csv index against files that change under it: a row being
 * appended is indexed once whole, a damaged row empties the index (and the
 * next call reads the file anew), a file cut back or replaced by a resume
 * is indexed afresh, a removed one leaves nothing behind, and a step whose
 * rows no longer match the index is refused rather than shown wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "file_helpers.h"
#include "pipeline/graph.h"
#include "pipeline/step_records.h"

static char dir[64], path[200], err[512];

static const char header[] =
    "step,sample,group,pass,minibatch,pos,token,text,logp_old,logp,logp_ref,ratio,clip,kl,weight,"
    "objective,push\n";

/* One token of completion `sample` (of a B 1 x G 2 step). */
static void row(char *buf, size_t cap, long step, int sample) {
    snprintf(buf, cap, "%ld,%d,0,0,0,0,10,\"3\",-1,-1,-1,1,0,0,0.5,0,0\n", step, sample);
}

/* Writes the header and rows of the given steps (two rows each); a new
 * file (a new inode) when fresh, else appended. */
static void write_steps_to(const char *file, const long *steps, int n, int fresh) {
    FILE *f = fopen(file, fresh ? "w" : "a");
    assert_non_null(f);
    if (fresh) fputs(header, f);
    for (int i = 0; i < n; i++)
        for (int p = 0; p < 2; p++) {
            char r[160];
            row(r, sizeof r, steps[i], p);
            fputs(r, f);
        }
    fclose(f);
}

static void write_steps(const long *steps, int n, int fresh) {
    write_steps_to(path, steps, n, fresh);
}

/* Written beside it and renamed over it, as a resume's cut does. */
static void replace_file(const long *steps, int n) {
    char tmp[240];
    snprintf(tmp, sizeof tmp, "%s.new", path);
    write_steps_to(tmp, steps, n, 1);
    assert_int_equal(rename(tmp, path), 0);
}

static void index_follows_the_file(void **state) {
    (void)state;
    StepIndex ix = {0};
    const long a[] = {1, 10};
    write_steps(a, 2, 1);
    assert_int_equal(step_index_update(&ix, dir, "zero", err, sizeof err), 0);
    assert_int_equal(ix.n, 2);
    assert_int_equal(ix.step[1], 10);
    /* half a row: not indexed until whole */
    FILE *f = fopen(path, "a");
    fputs("20,0,0,0,0,0,10,\"3\"", f);
    fclose(f);
    assert_int_equal(step_index_update(&ix, dir, "zero", err, sizeof err), 0);
    assert_int_equal(ix.n, 2);
    f = fopen(path, "a");
    fputs(",-1,-1,-1,1,0,0,0.1,0,0\n", f);
    fclose(f);
    assert_int_equal(step_index_update(&ix, dir, "zero", err, sizeof err), 0);
    assert_int_equal(ix.n, 3);
    assert_int_equal(ix.step[2], 20);
    /* a resume rewrites it, cut back and then grown past the old size:
     * another inode, so it is indexed afresh */
    const long b[] = {1, 5, 6, 7};
    replace_file(b, 4);
    assert_int_equal(step_index_update(&ix, dir, "zero", err, sizeof err), 0);
    assert_int_equal(ix.n, 4);
    assert_int_equal(ix.step[1], 5);
    assert_int_equal(ix.step[3], 7);
    assert_int_equal(step_index_find(&ix, 6, 1), 3);
    /* a damaged row: an error, and an empty index, not a half one */
    f = fopen(path, "a");
    fputs("junk\n", f);
    fclose(f);
    assert_int_equal(step_index_update(&ix, dir, "zero", err, sizeof err), -1);
    assert_non_null(strstr(err, "a row without a step"));
    assert_int_equal(ix.n, 0);
    assert_int_equal(step_index_find(&ix, 6, 0), -1);
    /* steps out of order are damage too */
    const long c[] = {10, 5};
    write_steps(c, 2, 1);
    assert_int_equal(step_index_update(&ix, dir, "zero", err, sizeof err), -1);
    assert_non_null(strstr(err, "step 5 after step 10"));
    assert_int_equal(ix.n, 0);
    /* removed (a fresh run): nothing left */
    write_steps(a, 2, 1);
    assert_int_equal(step_index_update(&ix, dir, "zero", err, sizeof err), 0);
    assert_int_equal(ix.n, 2);
    remove(path);
    assert_int_equal(step_index_update(&ix, dir, "zero", err, sizeof err), -1);
    assert_int_equal(ix.n, 0);
    step_index_free(&ix);
}

/* Rows that are not the indexed step's are refused when read back. */
static void a_step_that_moved_is_refused(void **state) {
    (void)state;
    Graph g;
    graph_init(&g);
    const char *pn[] = {"steps", "context", "d_model", "n_layer", "n_head", "task"};
    const char *pv[] = {"1", "32", "16", "1", "2", "add2"};
    assert_int_equal(
        graph_add_stage(&g, "pretrain", "base", NULL, 0, pn, pv, 6, "t:1", err, sizeof err), 0);
    const char *gn[] = {"task", "steps", "prompts_per_step", "group_size", "max_new_tokens"};
    const char *gv[] = {"add2", "10", "1", "2", "8"};
    const char *in[] = {"base"};
    if (graph_add_stage(&g, "grpo", "zero", in, 1, gn, gv, 5, "t:2", err, sizeof err))
        fail_msg("%s", err);
    char sp[160];
    snprintf(sp, sizeof sp, "%s/zero/samples.csv", dir);
    FILE *f = fopen(sp, "w");
    assert_non_null(f);
    fputs("step,group,prompt,completion,reward,advantage,length,truncated,accuracy,format\n", f);
    for (int step = 1; step <= 10; step += 9)
        for (int i = 0; i < 2; i++) fprintf(f, "%d,0,p,3,%d,%d,1,0,%d,1\n", step, i, i ? 1 : -1, i);
    fclose(f);
    const long a[] = {1, 10};
    write_steps(a, 2, 1);
    StepIndex ix = {0};
    assert_int_equal(step_index_update(&ix, dir, "zero", err, sizeof err), 0);
    GrpoTrace t = {0};
    if (step_records_load(&ix, 0, &g.stages[1], &t, err, sizeof err)) fail_msg("%s", err);
    assert_int_equal(t.step, 1);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.seq[1].n_tok, 1);
    assert_float_equal(t.seq[1].advantage, 1, 1e-6);
    /* the same bytes, other steps: the same size and inode, so only the
     * rows themselves can tell */
    f = fopen(path, "r+");
    assert_non_null(f);
    fseek(f, (long)strlen(header), SEEK_SET);
    fputc('7', f); /* step 1 -> 7 in its first row */
    fclose(f);
    assert_int_equal(step_records_load(&ix, 0, &g.stages[1], &t, err, sizeof err), -1);
    assert_non_null(strstr(err, "is of step 7 (the file changed)"));
    grpo_trace_free(&t);
    step_index_free(&ix);
}

static int setup(void **state) {
    (void)state;
    if (tf_scratch(dir, sizeof dir, "r1sim-steprec")) return -1;
    char d[128];
    snprintf(d, sizeof d, "%s/zero", dir);
    if (mkdir(d, 0755)) return -1;
    snprintf(path, sizeof path, "%s/zero/tokens.csv", dir);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    return tf_remove(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(index_follows_the_file),
        cmocka_unit_test(a_step_that_moved_is_refused),
    };
    return cmocka_run_group_tests_name("pipeline_step_records", tests, setup, teardown);
}
