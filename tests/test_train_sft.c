/* SFT: loss on completions only, learning, determinism, exact resume, and
 * errors that name the bad example. */
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
#include "train/sft.h"
#include "world/cot.h"
#include "world/evalset.h"
#include "world/task.h"
#include "world/template.h"
#include "world/tokenizer.h"

static const GptConfig tiny = {
    .max_seq_len = 64, .vocab_size = TOK_VOCAB_SIZE, .n_layer = 2, .n_head = 2, .d_model = 32};

enum { N_EX = 24 };
static char prompts[N_EX][64], completions[N_EX][128];
static SftExample examples[N_EX];

/* add2 problems with full scratchpads in the R1-Zero template. */
static int setup(void **state) {
    engine_set_threads(1);
    WorldRng r;
    world_rng_seed(&r, 42);
    TaskSpec spec = {TASK_ADD, 2};
    for (int i = 0; i < N_EX; i++) {
        Problem p;
        task_generate_train(spec, WORLD_DIGITS, &r, &p);
        char thought[COT_MAX];
        CotOptions o = cot_options(COT_FULL, WORLD_DIGITS);
        cot_write(&p, &o, &r, thought, sizeof thought, NULL);
        tmpl_prompt(p.prompt, prompts[i], sizeof prompts[i]);
        size_t n = tmpl_completion(thought, p.answer, completions[i], sizeof completions[i]);
        snprintf(completions[i] + n, sizeof completions[i] - n, "<eos>");
        examples[i] = (SftExample){.prompt = prompts[i], .completion = completions[i]};
    }
    return 0;
}

static SftConfig small_config(int steps, unsigned long long seed) {
    SftConfig c = sft_defaults();
    c.batch_size = 6;
    c.steps = steps;
    c.optim.lr = 3e-3f;
    c.optim.warmup_steps = 3;
    c.seed = seed;
    return c;
}

static Sft *new_sft(Gpt *m, const SftConfig *c, const SftExample *ex, int n) {
    char err[256] = "";
    Sft *s = sft_new(m, c, ex, n, err, sizeof err);
    if (!s) fail_msg("sft_new: %s", err);
    return s;
}

static void run(Sft *s, float *trace, int n) {
    for (int i = 0; i < n; i++) {
        SftStep st;
        assert_int_equal(sft_step(s, &st), 0);
        assert_true(isfinite(st.loss));
        trace[i] = st.loss;
    }
}

static Gpt *tiny_model(unsigned long long seed) {
    Gpt *m = gpt_new(&tiny);
    gpt_init_random(m, seed);
    return m;
}

static void loss_falls_on_completions(void **state) {
    enum { STEPS = 40 };
    Gpt *m = tiny_model(1);
    SftConfig c = small_config(STEPS, 3);
    Sft *s = new_sft(m, &c, examples, N_EX);
    float tr[STEPS];
    run(s, tr, STEPS);
    float first = (tr[0] + tr[1] + tr[2]) / 3, last = (tr[37] + tr[38] + tr[39]) / 3;
    if (!(first > 3.0f && last < first - 1.5f)) fail_msg("loss %g -> %g", first, last);
    sft_free(s);
    gpt_free(m);
}

/* Tokens of "prompt + completion" and the index where the completion starts. */
static int tokens_of(const SftExample *e, int *ids, int *prompt_len) {
    int np = tok_encode(e->prompt, ids, 128, NULL);
    int nc = tok_encode(e->completion, ids + np, 128, NULL);
    *prompt_len = np;
    return np + nc;
}

/* The gradient of one step is that of the completion tokens alone: a plain
 * cross-entropy with every prompt-position target masked reproduces it, so
 * whatever the targets at prompt positions were, they had no effect; with
 * them unmasked the gradient differs. */
static void prompt_positions_carry_no_loss(void **state) {
    Gpt *m = fixture_tiny_model(&tiny, 9, 0.05f);
    Gpt *ref = gpt_new(&tiny);
    gpt_copy_params(ref, m);
    SftConfig c = small_config(1, 1);
    c.batch_size = 1;
    Sft *s = new_sft(m, &c, &examples[5], 1);
    SftStep st;
    assert_int_equal(sft_step(s, &st), 0);

    int ids[256], np;
    int n = tokens_of(&examples[5], ids, &np);
    int T = n - 1, tg[256], all[256];
    for (int t = 0; t < T; t++) {
        all[t] = ids[t + 1];
        tg[t] = t + 1 >= np ? ids[t + 1] : -1;
    }
    gpt_zero_grad(ref);
    gpt_forward(ref, ids, 1, T);
    float loss = gpt_cross_entropy_step(ref, tg, 1);
    assert_float_equal(st.loss, loss, 1e-5);
    for (size_t i = 0; i < m->num_params; i++)
        if (fabsf(m->grads[i] - ref->grads[i]) > 1e-6f + 1e-4f * fabsf(ref->grads[i]))
            fail_msg("gradient %zu: %g vs masked reference %g", i, m->grads[i], ref->grads[i]);

    gpt_zero_grad(ref);
    gpt_forward(ref, ids, 1, T);
    gpt_cross_entropy_step(ref, all, 1);
    double diff = 0;
    for (size_t i = 0; i < m->num_params; i++) diff += fabsf(m->grads[i] - ref->grads[i]);
    assert_true(diff > 1e-2);
    sft_free(s);
    gpt_free(ref);
    gpt_free(m);
}

static void epochs_set_the_length_and_steps_stop_there(void **state) {
    Gpt *m = tiny_model(1);
    SftConfig c = small_config(0, 1);
    c.epochs = 2;
    c.batch_size = 5;
    Sft *s = new_sft(m, &c, examples, N_EX);
    assert_int_equal(sft_total_steps(s), (2 * N_EX + 4) / 5);
    SftStep st;
    for (long i = 0; i < sft_total_steps(s); i++) assert_int_equal(sft_step(s, &st), 0);
    assert_int_equal(st.step, sft_total_steps(s));
    assert_int_equal(sft_step(s, &st), 1);
    sft_free(s);
    gpt_free(m);
}

static void same_seed_gives_identical_losses(void **state) {
    enum { STEPS = 8 };
    float a[STEPS], b[STEPS], c[STEPS];
    unsigned long long seeds[3] = {4, 4, 5};
    float *out[3] = {a, b, c};
    for (int r = 0; r < 3; r++) {
        Gpt *m = tiny_model(2);
        SftConfig cfg = small_config(STEPS, seeds[r]);
        Sft *s = new_sft(m, &cfg, examples, N_EX);
        run(s, out[r], STEPS);
        sft_free(s);
        gpt_free(m);
    }
    assert_memory_equal(a, b, sizeof a);
    assert_true(memcmp(a, c, sizeof a) != 0); /* another seed, another order */
}

/* Cut inside the second epoch, so the resumed run must rebuild the shuffle. */
static void resume_continues_with_identical_numbers(void **state) {
    enum { STEPS = 12, CUT = 7 };
    char ck[64], st[64], err[256] = "";
    snprintf(ck, sizeof ck, "/tmp/r1sim_sft_%ld.ckpt", (long)getpid());
    snprintf(st, sizeof st, "/tmp/r1sim_sft_%ld.state", (long)getpid());
    SftConfig c = small_config(STEPS, 6);
    float whole[STEPS], parts[STEPS];

    Gpt *m1 = tiny_model(3);
    Sft *s1 = new_sft(m1, &c, examples, N_EX);
    run(s1, whole, STEPS);
    sft_free(s1);

    Gpt *m2 = tiny_model(3);
    Sft *s2 = new_sft(m2, &c, examples, N_EX);
    run(s2, parts, CUT);
    assert_int_equal(ckpt_save(m2, ck, err, sizeof err), 0);
    assert_int_equal(sft_save_state(s2, st, err, sizeof err), 0);
    sft_free(s2);
    gpt_free(m2);

    Gpt *m3 = ckpt_load(ck, err, sizeof err);
    assert_non_null(m3);
    Sft *s3 = new_sft(m3, &c, examples, N_EX);
    if (sft_load_state(s3, st, err, sizeof err) != 0) fail_msg("load: %s", err);
    run(s3, parts + CUT, STEPS - CUT);
    assert_memory_equal(whole, parts, sizeof whole);
    assert_memory_equal(m1->params, m3->params, m1->num_params * sizeof(float));
    sft_free(s3);

    /* other data, or a pretraining state, is refused */
    Sft *s4 = new_sft(m3, &c, examples + 1, N_EX - 1);
    assert_int_equal(sft_load_state(s4, st, err, sizeof err), -1);
    assert_non_null(strstr(err, "example count"));
    sft_free(s4);
    gpt_free(m3);
    gpt_free(m1);
    unlink(ck);
    unlink(st);
}

static void bad_examples_are_named_by_index(void **state) {
    Gpt *m = tiny_model(1);
    SftConfig c = small_config(4, 1);
    char err[256] = "";
    char long_completion[256];
    memset(long_completion, '7', 200);
    long_completion[200] = '\0';
    SftExample ex[4] = {examples[0], examples[1], examples[2], examples[3]};

    ex[2].completion = "so 46</think><answer>46</answer> #OK";
    assert_null(sft_new(m, &c, ex, 4, err, sizeof err));
    if (!strstr(err, "example 2") || !strstr(err, "'O'")) fail_msg("message: %s", err);

    ex[2] = examples[2];
    ex[3].completion = long_completion;
    assert_null(sft_new(m, &c, ex, 4, err, sizeof err));
    if (!strstr(err, "example 3") || !strstr(err, "too long")) fail_msg("message: %s", err);

    ex[3] = examples[3];
    ex[1].completion = "";
    assert_null(sft_new(m, &c, ex, 4, err, sizeof err));
    assert_non_null(strstr(err, "example 1"));

    /* read from a file, it is named by its file and line instead */
    ex[1].file = "data/x.csv";
    ex[1].line = 7;
    assert_null(sft_new(m, &c, ex, 4, err, sizeof err));
    assert_string_equal(err, "data/x.csv:7: empty completion");

    ex[1] = examples[1];
    ex[0].prompt = "<bos>user: \t? assistant: <think>";
    assert_null(sft_new(m, &c, ex, 4, err, sizeof err));
    if (!strstr(err, "example 0") || !strstr(err, "0x09")) fail_msg("message: %s", err);

    /* exactly filling the context is fine: the last token is only a target */
    ex[0] = examples[0];
    static char fits[128];
    int ids[256], np;
    int n = tokens_of(&examples[0], ids, &np);
    int pad = tiny.max_seq_len + 1 - n;
    size_t clen = strlen(examples[0].completion);
    snprintf(fits, sizeof fits, "%.*s%.*s", (int)clen, examples[0].completion, pad,
             "7777777777777777777777777777777777777777");
    ex[0].completion = fits;
    Sft *s = sft_new(m, &c, ex, 4, err, sizeof err);
    if (!s) fail_msg("a fitting example was refused: %s", err);
    sft_free(s);
    gpt_free(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loss_falls_on_completions),
        cmocka_unit_test(prompt_positions_carry_no_loss),
        cmocka_unit_test(epochs_set_the_length_and_steps_stop_there),
        cmocka_unit_test(same_seed_gives_identical_losses),
        cmocka_unit_test(resume_continues_with_identical_numbers),
        cmocka_unit_test(bad_examples_are_named_by_index),
    };
    return cmocka_run_group_tests_name("train_sft", tests, setup, NULL);
}
