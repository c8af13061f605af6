/* Pretraining: learning, exact micro-batching, determinism, exact resume. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/checkpoint.h"
#include "engine/gpt.h"
#include "engine/runtime.h"
#include "engine_fixtures.h"
#include "train/pretrain.h"
#include "train/xent.h"
#include "world/corpus.h"
#include "world/tokenizer.h"

static const GptConfig tiny = {
    .max_seq_len = 64, .vocab_size = TOK_VOCAB_SIZE, .n_layer = 2, .n_head = 2, .d_model = 32};

/* The default base's mix on 2-digit problems: short documents, quick steps. */
static CorpusConfig small_corpus(void) {
    CorpusConfig c;
    assert_int_equal(corpus_config_preset("ready", &c), 0);
    c.tasks[0] = (TaskSpec){TASK_ADD, 2};
    return c;
}

static PretrainConfig small_config(int steps, unsigned long long seed) {
    PretrainConfig c = pretrain_defaults();
    c.batch_size = 8;
    c.seq_len = 64;
    c.steps = steps;
    c.optim.lr = 3e-3f;
    c.optim.warmup_steps = 5;
    c.seed = seed;
    return c;
}

static Gpt *tiny_model(unsigned long long seed) {
    Gpt *m = gpt_new(&tiny);
    gpt_init_random(m, seed);
    return m;
}

static Pretrainer *new_trainer(Gpt *m, const PretrainConfig *pc) {
    CorpusConfig cc = small_corpus();
    char err[256] = "";
    Pretrainer *p = pretrainer_new(m, pc, &cc, err, sizeof err);
    if (!p) fail_msg("pretrainer_new: %s", err);
    return p;
}

/* Runs n steps, writing their losses to trace. */
static void run(Pretrainer *p, float *trace, int n) {
    for (int i = 0; i < n; i++) {
        PretrainStep st;
        assert_int_equal(pretrainer_step(p, &st), 0);
        assert_true(isfinite(st.loss) && st.lr > 0);
        trace[i] = st.loss;
    }
}

static void loss_falls_within_a_few_dozen_steps(void **state) {
    enum { STEPS = 48, GROUP = 8 };
    Gpt *m = tiny_model(3);
    PretrainConfig pc = small_config(STEPS, 5);
    assert_int_equal(pc.length_buckets, GROUP);
    Pretrainer *p = new_trainer(m, &pc);
    float tr[STEPS];
    run(p, tr, STEPS);
    /* Whole groups: within one, short and long documents fall in different
     * steps, whose losses differ. A fresh model starts near ln 64 = 4.16. */
    float first = 0, last = 0;
    for (int i = 0; i < GROUP; i++) {
        first += tr[i] / GROUP;
        last += tr[STEPS - GROUP + i] / GROUP;
    }
    if (!(first > 3.0f && last < first - 1.0f)) fail_msg("loss %g -> %g", first, last);
    PretrainStep st;
    assert_int_equal(pretrainer_step(p, &st), 1); /* all steps done */
    pretrainer_free(p);
    gpt_free(m);
}

static void same_seed_gives_identical_losses(void **state) {
    enum { STEPS = 8 };
    float a[STEPS], b[STEPS], c[STEPS];
    unsigned long long seeds[3] = {7, 7, 8};
    float *out[3] = {a, b, c};
    for (int r = 0; r < 3; r++) {
        Gpt *m = tiny_model(1);
        PretrainConfig pc = small_config(STEPS, seeds[r]);
        Pretrainer *p = new_trainer(m, &pc);
        run(p, out[r], STEPS);
        pretrainer_free(p);
        gpt_free(m);
    }
    assert_memory_equal(a, b, sizeof a);
    assert_true(memcmp(a, c, sizeof a) != 0);
}

/* An interrupted run, continued from its checkpoint and state file, gives the
 * same losses and the same final weights as an uninterrupted one. */
static void resume_continues_with_identical_numbers(void **state) {
    enum { STEPS = 12, CUT = 5 };
    char ck[64], st[64], err[256] = "";
    snprintf(ck, sizeof ck, "/tmp/r1sim_pt_%ld.ckpt", (long)getpid());
    snprintf(st, sizeof st, "/tmp/r1sim_pt_%ld.state", (long)getpid());
    PretrainConfig pc = small_config(STEPS, 9);

    float whole[STEPS], parts[STEPS];
    Gpt *m1 = tiny_model(2);
    Pretrainer *p1 = new_trainer(m1, &pc);
    run(p1, whole, STEPS);
    pretrainer_free(p1);

    Gpt *m2 = tiny_model(2);
    Pretrainer *p2 = new_trainer(m2, &pc);
    run(p2, parts, CUT);
    assert_int_equal(ckpt_save(m2, ck, err, sizeof err), 0);
    assert_int_equal(pretrainer_save_state(p2, st, err, sizeof err), 0);
    run(p2, parts + CUT, 2); /* work after the save is lost on resume */
    pretrainer_free(p2);
    gpt_free(m2);

    Gpt *m3 = ckpt_load(ck, err, sizeof err);
    assert_non_null(m3);
    Pretrainer *p3 = new_trainer(m3, &pc);
    if (pretrainer_load_state(p3, st, err, sizeof err) != 0) fail_msg("load: %s", err);
    run(p3, parts + CUT, STEPS - CUT);
    assert_memory_equal(whole, parts, sizeof whole);
    assert_memory_equal(m1->params, m3->params, m1->num_params * sizeof(float));
    pretrainer_free(p3);
    gpt_free(m3);
    gpt_free(m1);
    unlink(ck);
    unlink(st);
}

static void state_from_another_run_or_damaged_is_refused(void **state) {
    char st[64], err[256] = "";
    snprintf(st, sizeof st, "/tmp/r1sim_pt_bad_%ld.state", (long)getpid());
    Gpt *m = tiny_model(4);
    PretrainConfig pc = small_config(4, 1);
    Pretrainer *p = new_trainer(m, &pc);
    run(p, (float[1]){0}, 1);
    assert_int_equal(pretrainer_save_state(p, st, err, sizeof err), 0);

    PretrainConfig other = pc;
    other.seed = 2;
    Pretrainer *q = new_trainer(m, &other);
    assert_int_equal(pretrainer_load_state(q, st, err, sizeof err), -1);
    assert_non_null(strstr(err, "seed"));
    pretrainer_free(q);

    /* flip one byte of the moments */
    FILE *f = fopen(st, "r+b");
    assert_non_null(f);
    fseek(f, -5, SEEK_END);
    int c = fgetc(f);
    fseek(f, -5, SEEK_END);
    fputc(c ^ 0x40, f);
    fclose(f);
    assert_int_equal(pretrainer_load_state(p, st, err, sizeof err), -1);
    assert_non_null(strstr(err, "checksum"));
    /* a truncated file */
    assert_int_equal(truncate(st, 100), 0);
    assert_int_equal(pretrainer_load_state(p, st, err, sizeof err), -1);
    assert_int_equal(pretrainer_load_state(p, "/nonexistent/x.state", err, sizeof err), -1);
    pretrainer_free(p);
    gpt_free(m);
    unlink(st);
}

static void bad_config_is_refused_with_a_message(void **state) {
    Gpt *m = tiny_model(1);
    CorpusConfig cc = small_corpus();
    char err[256] = "";
    PretrainConfig pc = small_config(4, 1);
    pc.seq_len = 65;
    assert_null(pretrainer_new(m, &pc, &cc, err, sizeof err));
    assert_non_null(strstr(err, "seq_len"));
    pc = small_config(4, 1);
    pc.batch_size = 0;
    assert_null(pretrainer_new(m, &pc, &cc, err, sizeof err));
    pc = small_config(4, 1);
    cc.n_tasks = 0;
    assert_null(pretrainer_new(m, &pc, &cc, err, sizeof err));
    assert_non_null(strstr(err, "corpus"));
    gpt_free(m);
}

/* Micro-batching must not change the gradient: a batch of more than
 * XENT_MICRO_TOKENS positions, split, against one whole forward. */
static void micro_batches_accumulate_the_whole_batch_gradient(void **state) {
    enum { B = 40, T = 64 };
    _Static_assert(B * T > XENT_MICRO_TOKENS, "the batch must be split");
    Gpt *m = fixture_tiny_model(&tiny, 5, 0.1f);
    static int in[B * T], tg[B * T];
    fixture_tokens(in, B * T, tiny.vocab_size, 6);
    fixture_tokens(tg, B * T, tiny.vocab_size, 7);
    for (int i = 0; i < B * T; i += 3) tg[i] = -1;            /* masked */
    for (int i = 0; i < 2 * T; i++) tg[(B - 2) * T + i] = -1; /* whole rows masked too */

    gpt_zero_grad(m);
    gpt_forward(m, in, B, T);
    float ref_loss = gpt_cross_entropy_step(m, tg, 1);
    float *ref = malloc(m->num_params * sizeof *ref);
    memcpy(ref, m->grads, m->num_params * sizeof *ref);

    float *scratch = malloc(xent_scratch_floats(T) * sizeof *scratch);
    long n = 0;
    gpt_zero_grad(m);
    double loss = xent_batch(m, in, tg, B, T, 1, scratch, &n);
    long want = 0;
    for (int i = 0; i < B * T; i++) want += tg[i] >= 0;
    assert_int_equal(n, want);
    assert_float_equal(loss, ref_loss, 1e-4);
    double err2 = 0, ref2 = 0;
    for (size_t i = 0; i < m->num_params; i++) {
        double d = m->grads[i] - ref[i];
        err2 += d * d;
        ref2 += (double)ref[i] * ref[i];
    }
    if (!(sqrt(err2) <= 1e-4 * sqrt(ref2))) fail_msg("relative error %g", sqrt(err2 / ref2));
    free(ref);
    free(scratch);
    gpt_free(m);
}

static int setup(void **state) {
    engine_set_threads(1);
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loss_falls_within_a_few_dozen_steps),
        cmocka_unit_test(same_seed_gives_identical_losses),
        cmocka_unit_test(resume_continues_with_identical_numbers),
        cmocka_unit_test(state_from_another_run_or_damaged_is_refused),
        cmocka_unit_test(bad_config_is_refused_with_a_message),
        cmocka_unit_test(micro_batches_accumulate_the_whole_batch_gradient),
    };
    return cmocka_run_group_tests_name("train_pretrain", tests, setup, NULL);
}
