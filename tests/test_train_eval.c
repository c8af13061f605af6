/* Eval: the aggregation on hand-written completions (right, wrong, malformed,
 * thinking, direct, "wait", maj@k ties), the scratch-step test, and eval_model
 * on a tiny random model: fields in range, deterministic for a seed, and a
 * samples.csv that the aggregation reproduces. */
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

#include "engine/gpt.h"
#include "engine/runtime.h"
#include "world/csvio.h"
#include "train/eval.h"
#include "train/eval_general.h"
#include "train/pass_at_k.h"
#include "world/tokenizer.h"

static const GptConfig tiny = {
    .max_seq_len = 72, .vocab_size = TOK_VOCAB_SIZE, .n_layer = 2, .n_head = 2, .d_model = 32};

static void scratch_steps_are_recognised(void **state) {
    static const struct {
        const char *text;
        int step;
    } cases[] = {
        {"7+9=16. ", 1},  {"h+j=bg.", 1},      {"14-8-1=5. so 158", 1},
        {"7*4+4=32", 1},  {"check 9+7=16", 1}, {"wait, 4+8+1=13.", 1},
        {"guess 926", 0}, {"so 936", 0},       {"", 0},
        {"x=5", 0},       {"16=16", 0},        {"=16", 0},
        {"9+=1", 0},      {"like+a=b", 0},     {"a+b=bob", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = eval_thought_has_step(cases[i].text, strlen(cases[i].text));
        if (got != cases[i].step) fail_msg("'%s': got %d", cases[i].text, got);
    }
}

static void one_completion_is_scored(void **state) {
    EvalResult r;
    const char *p[] = {"347+589?"};
    const char *c[] = {"</think><answer>936</answer>"};
    assert_int_equal(eval_aggregate(p, 1, 1, c, NULL, &r), 0);
    assert_true(r.pass_at_1 == 1.0 && r.maj_at_k == 1.0 && r.format_rate == 1.0);
    /* </think> <answer> 9 3 6 </answer>: lengths NULL counts tokens */
    assert_true(r.mean_length == 6.0);
    assert_true(r.think_rate == 0.0);
    assert_true(isnan(r.pass_at_1_think));
    assert_true(r.pass_at_1_direct == 1.0);
    assert_true(r.language_consistency == 1.0); /* no thought: nothing in the wrong script */
    assert_true(isnan(r.forced_think_acc) && isnan(r.forced_direct_acc));
}

/* Four prompts x four completions, every figure worked out by hand. */
static void aggregation_matches_hand_count(void **state) {
    const char *prompts[] = {"347+589?", "<bos>user: 120+305? assistant: <think>", "deh+fij?",
                             "050+050?"};
    const char *comps[] = {
        /* 347+589 = 936 */
        "7+9=16. 4+8+1=13. 3+5+1=9. so 936</think><answer>936</answer>", /* right, thinks */
        "</think><answer>926</answer>",                                  /* wrong, direct */
        "guess 926. check 9+7=16. 8+4+1=13. 5+3+1=9. wait, 936 not 926. so 936"
        "</think><answer>936</answer>", /* right, thinks, one wait, one check */
        "so 936<answer>936</answer>",   /* right but malformed: no </think> */
        /* 120+305 = 425; tie 425 (drawn first) vs 415 */
        "</think><answer>425</answer>", "</think><answer>415</answer>",
        "</think><answer>415</answer><answer>x</answer>", /* malformed, first answer wrong */
        "</think><answer>425</answer><eos>",
        /* deh+fij? = 936, cipher prompt */
        "h+j=bg. e+i+b=bd. d+f+b=j. so jdg</think><answer>936</answer>", /* right, all cipher */
        "h+j=bg. 4+8+1=13. d+f+b=j. so 936</think><answer>936</answer>", /* right, half mixed */
        "<eos>",                                                         /* nothing */
        "</think><answer>935</answer>",
        /* 050+050 = 100; three-way tie, the wrong 110 drawn first */
        "</think><answer>110</answer>", "</think><answer>100</answer>",
        "5+5=10. so 100",                /* truncated: thinks, no answer */
        "</think><answer> 100</answer>", /* a space makes it wrong */
    };
    int lengths[16];
    for (int i = 0; i < 16; i++) lengths[i] = i + 1;
    EvalResult r;
    assert_int_equal(eval_aggregate(prompts, 4, 4, comps, lengths, &r), 0);
    assert_int_equal(r.n_prompts, 4);
    assert_int_equal(r.k, 4);
    assert_float_equal(r.pass_at_1, 8.0 / 16, 1e-12);
    assert_float_equal(r.maj_at_k, 3.0 / 4, 1e-12);
    assert_float_equal(r.format_rate, 12.0 / 16, 1e-12);
    assert_float_equal(r.think_rate, 5.0 / 16, 1e-12);
    assert_float_equal(r.pass_at_1_think, 4.0 / 5, 1e-12);
    assert_float_equal(r.pass_at_1_direct, 4.0 / 11, 1e-12);
    assert_float_equal(r.aha_per_completion, 1.0 / 16, 1e-12);
    assert_float_equal(r.check_per_completion, 1.0 / 16, 1e-12);
    /* thoughts with numbers: five wholly in script, one half (8 of 16 characters) */
    assert_float_equal(r.language_consistency, 5.5 / 6, 1e-12);
    assert_float_equal(r.mean_length, 8.5, 1e-12);
}

static void majority_ties_go_to_the_answer_drawn_first(void **state) {
    const char *p[] = {"347+589?"};
    const char *right_first[] = {"</think><answer>936</answer>", "</think><answer>1</answer>",
                                 "</think><answer>1</answer>", "</think><answer>936</answer>"};
    const char *wrong_first[] = {"</think><answer>1</answer>", "</think><answer>936</answer>",
                                 "</think><answer>936</answer>", "</think><answer>1</answer>"};
    const char *no_answers[] = {"5+5=", "</think>", "<answer></answer>", "<eos>"};
    const char *majority_wrong[] = {"</think><answer>936</answer>", "</think><answer>2</answer>",
                                    "no<answer>2</answer>", "</think><answer>7</answer>"};
    EvalResult r;
    assert_int_equal(eval_aggregate(p, 1, 4, right_first, NULL, &r), 0);
    assert_true(r.maj_at_k == 1.0 && r.pass_at_1 == 0.5);
    assert_int_equal(eval_aggregate(p, 1, 4, wrong_first, NULL, &r), 0);
    assert_true(r.maj_at_k == 0.0 && r.pass_at_1 == 0.5);
    assert_int_equal(eval_aggregate(p, 1, 4, no_answers, NULL, &r), 0);
    assert_true(r.maj_at_k == 0.0 && r.pass_at_1 == 0.0 && r.format_rate == 0.0);
    /* malformed answers vote too, as they count for pass@1 */
    assert_int_equal(eval_aggregate(p, 1, 4, majority_wrong, NULL, &r), 0);
    assert_true(r.maj_at_k == 0.0 && r.pass_at_1 == 0.25);
}

static void aggregation_refuses_non_task_prompts(void **state) {
    const char *p[] = {"copy: plan?"};
    const char *c[] = {"</think><answer>plan</answer>"};
    EvalResult r;
    assert_int_equal(eval_aggregate(p, 1, 1, c, NULL, &r), -1);
    assert_int_equal(eval_aggregate(p, 0, 1, c, NULL, &r), -1);
}

/* ---- on a model ------------------------------------------------------------ */

static Gpt *tiny_model(void) {
    Gpt *m = gpt_new(&tiny);
    assert_non_null(m);
    gpt_init_random(m, 5);
    return m;
}

static EvalConfig small_config(void) {
    EvalConfig c = eval_defaults();
    c.task = "add2";
    c.n_prompts = 6;
    c.k = 3;
    c.max_new_tokens = 20;
    c.forced_modes = 1;
    c.seed = 11;
    return c;
}

static int in01(double x) {
    return x >= 0.0 && x <= 1.0;
}

static int count_progress(void *ctx, int done, int total) {
    int *calls = ctx;
    assert_true(done > 0 && done <= total);
    assert_int_equal(total, 18); /* 6 prompts in three modes */
    calls[0]++;
    calls[1] = done;
    return 0;
}

/* Asks to stop after the first batch. */
static int stop_at_once(void *ctx, int done, int total) {
    (void)done, (void)total;
    ++*(int *)ctx;
    return 1;
}

static void progress_can_stop_the_eval_between_batches(void **state) {
    Gpt *m = tiny_model();
    EvalConfig c = small_config();
    EvalResult a;
    char err[256] = "";
    int calls = 0;
    assert_int_equal(eval_model(m, &c, &a, stop_at_once, &calls, err, sizeof err), EVAL_ESTOPPED);
    assert_int_equal(calls, 1);
    assert_string_equal(err, "stopped");
    gpt_free(m);
}

static void fields_are_in_range_and_deterministic(void **state) {
    Gpt *m = tiny_model();
    EvalConfig c = small_config();
    EvalResult a, b;
    char err[256] = "";
    int calls[2] = {0, 0};
    assert_int_equal(eval_model(m, &c, &a, count_progress, calls, err, sizeof err), 0);
    assert_true(calls[0] >= 3);
    assert_int_equal(calls[1], 18);
    assert_int_equal(a.n_prompts, 6);
    assert_int_equal(a.k, 3);
    assert_true(in01(a.pass_at_1) && in01(a.maj_at_k) && in01(a.format_rate));
    assert_true(in01(a.language_consistency) && in01(a.think_rate));
    assert_true(isnan(a.pass_at_1_think) || in01(a.pass_at_1_think));
    assert_true(isnan(a.pass_at_1_direct) || in01(a.pass_at_1_direct));
    assert_true(isnan(a.pass_at_1_think) == (a.think_rate == 0.0));
    assert_true(in01(a.forced_think_acc) && in01(a.forced_direct_acc));
    assert_true(a.mean_length >= 1.0 && a.mean_length <= 20.0);
    assert_true(a.aha_per_completion >= 0.0 && a.check_per_completion >= 0.0);
    assert_int_equal(eval_model(m, &c, &b, NULL, NULL, err, sizeof err), 0);
    assert_memory_equal(&a, &b, sizeof a);
    c.forced_modes = 0;
    assert_int_equal(eval_model(m, &c, &b, NULL, NULL, err, sizeof err), 0);
    assert_true(isnan(b.forced_think_acc) && isnan(b.forced_direct_acc));
    /* forced modes sample after the free ones, so they leave those alone */
    assert_true(b.pass_at_1 == a.pass_at_1 && b.mean_length == a.mean_length);
    c.temperature = 0;
    assert_int_equal(eval_model(m, &c, &b, NULL, NULL, err, sizeof err), 0);
    assert_int_equal(b.k, 1);
    gpt_free(m);
}

/* General prompts too: a stop asked for after the first batch ends there,
 * and a run that is not stopped counts every question. */
static int count_general(void *ctx, int done, int total) {
    int *seen = ctx;
    assert_int_equal(total, 40);
    assert_true(done > seen[1] && done <= total);
    seen[0]++;
    seen[1] = done;
    return 0;
}

static void progress_can_stop_a_general_eval(void **state) {
    Gpt *m = tiny_model();
    EvalGeneralConfig gc = {.n_prompts = 40,
                            .k = 2,
                            .max_new_tokens = 4,
                            .temperature = 1,
                            .seed = 3,
                            .progress = stop_at_once};
    EvalGeneralResult r;
    char err[256] = "";
    int calls = 0;
    gc.progress_ctx = &calls;
    assert_int_equal(eval_general(m, &gc, &r, NULL, NULL, err, sizeof err), EVAL_ESTOPPED);
    assert_int_equal(calls, 1);
    assert_string_equal(err, "stopped");
    int seen[2] = {0, 0};
    gc.progress = count_general;
    gc.progress_ctx = seen;
    assert_int_equal(eval_general(m, &gc, &r, NULL, NULL, err, sizeof err), 0);
    assert_int_equal(seen[1], 40);
    assert_true(seen[0] >= 1);
    gpt_free(m);
}

static void samples_csv_reproduces_the_result(void **state) {
    Gpt *m = tiny_model();
    EvalConfig c = small_config();
    char path[] = "/tmp/r1sim-eval-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    EvalResult r;
    char err[256] = "";
    assert_int_equal(eval_model_with_samples(m, &c, &r, path, NULL, NULL, err, sizeof err), 0);
    CsvTable t;
    assert_int_equal(csvio_read(path, &t, err, sizeof err), 0);
    unlink(path);
    assert_int_equal(t.ncols, EVAL_SAMPLES_COLS);
    static const char *const names[] = {EVAL_SAMPLES_HEADER};
    int idx[EVAL_SAMPLES_COLS];
    assert_int_equal(csvio_cols(&t, names, EVAL_SAMPLES_COLS, idx, err, sizeof err), 0);
    assert_int_equal(t.nrows, 6 * 3 * 3);
    /* free rows come first, prompt-major; the prompts are templated */
    const char *prompts[6], *comps[18];
    int lens[18], modes[3] = {0, 0, 0};
    double think_right = 0;
    for (size_t i = 0; i < t.nrows; i++) {
        const char *mode = csvio_cell(&t, i, (size_t)idx[1]);
        const char *comp = csvio_cell(&t, i, (size_t)idx[3]);
        assert_string_equal(csvio_cell(&t, i, (size_t)idx[0]), "add2");
        if (strcmp(mode, "free") == 0) {
            assert_true(i < 18);
            prompts[i / 3] = csvio_cell(&t, i, (size_t)idx[2]);
            comps[i] = comp;
            lens[i] = atoi(csvio_cell(&t, i, (size_t)idx[10]));
            modes[0]++;
        } else if (strcmp(mode, "think") == 0) {
            assert_true(strstr(comp, "=") != NULL); /* starts with the first scratch step */
            assert_string_equal(csvio_cell(&t, i, (size_t)idx[8]), "1");
            think_right += atoi(csvio_cell(&t, i, (size_t)idx[6]));
            modes[1]++;
        } else {
            assert_string_equal(mode, "direct");
            assert_memory_equal(comp, "</think>", 8);
            modes[2]++;
        }
    }
    assert_int_equal(modes[0], 18);
    assert_int_equal(modes[1], 18);
    assert_int_equal(modes[2], 18);
    assert_float_equal(think_right / 18, r.forced_think_acc, 1e-12);
    EvalResult again;
    assert_int_equal(eval_aggregate(prompts, 6, 3, comps, lens, &again), 0);
    assert_float_equal(again.pass_at_1, r.pass_at_1, 1e-12);
    assert_float_equal(again.maj_at_k, r.maj_at_k, 1e-12);
    assert_float_equal(again.format_rate, r.format_rate, 1e-12);
    assert_float_equal(again.think_rate, r.think_rate, 1e-12);
    assert_float_equal(again.mean_length, r.mean_length, 1e-12);
    assert_float_equal(again.language_consistency, r.language_consistency, 1e-12);
    csvio_free(&t);
    gpt_free(m);
}

static void bad_configs_are_refused(void **state) {
    Gpt *m = tiny_model();
    EvalConfig c = small_config();
    EvalResult r;
    char err[256] = "";
    c.task = "div3";
    assert_int_equal(eval_model(m, &c, &r, NULL, NULL, err, sizeof err), EVAL_EBADCONFIG);
    assert_non_null(strstr(err, "div3"));
    c = small_config();
    c.k = 0;
    assert_int_equal(eval_model(m, &c, &r, NULL, NULL, err, sizeof err), EVAL_EBADCONFIG);
    /* a context too short for the prompt */
    GptConfig shortc = tiny;
    shortc.max_seq_len = 24;
    Gpt *s = gpt_new(&shortc);
    gpt_init_random(s, 1);
    c = small_config();
    assert_int_equal(eval_model(s, &c, &r, NULL, NULL, err, sizeof err), EVAL_EBADCONFIG);
    assert_non_null(strstr(err, "context"));
    /* only the forced think prefill overflows: refused before any sampling */
    shortc.max_seq_len = 30;
    Gpt *s2 = gpt_new(&shortc);
    gpt_init_random(s2, 1);
    assert_int_equal(eval_model(s2, &c, &r, NULL, NULL, err, sizeof err), EVAL_EBADCONFIG);
    gpt_free(s2);
    /* a samples file that cannot be written leaves no result */
    assert_int_equal(
        eval_model_with_samples(m, &c, &r, "/nonexistent/dir/s.csv", NULL, NULL, err, sizeof err),
        -1);
    gpt_free(s);
    gpt_free(m);
}

/* ---- pass@k ---------------------------------------------------------------- */

static void pass_at_k_averages_over_prompts(void **state) {
    const char *p[] = {"347+589?", "deh+fij?"};
    const char *right = "</think><answer>936</answer>", *wrong = "</think><answer>1</answer>";
    const char *c[] = {wrong, right, wrong, wrong, right, right, right, right};
    EvalResult r;
    assert_int_equal(eval_aggregate(p, 2, 4, c, NULL, &r), 0);
    assert_int_equal(r.n_pass_k, 3);
    assert_int_equal(r.pass_k[0], 1);
    assert_int_equal(r.pass_k[1], 2);
    assert_int_equal(r.pass_k[2], 4);
    assert_true(r.pass_at[0] == r.pass_at_1);
    assert_float_equal(r.pass_at[0], (0.25 + 1.0) / 2, 1e-12);
    assert_float_equal(r.pass_at[1], (0.5 + 1.0) / 2, 1e-12);
    assert_float_equal(r.pass_at[2], 1.0, 1e-12);
    assert_float_equal(r.cipher_share, 0.5, 1e-12);
    /* k = 3 reaches pass@2 only; one sample, pass@1 only */
    assert_int_equal(eval_aggregate(p, 1, 3, c, NULL, &r), 0);
    assert_int_equal(r.n_pass_k, 2);
    assert_float_equal(r.pass_at[1], pass_at_k(3, 1, 2), 1e-12);
    assert_int_equal(eval_aggregate(p, 2, 1, c + 1, NULL, &r), 0);
    assert_int_equal(r.n_pass_k, 1);
    assert_true(r.pass_at[0] == r.pass_at_1 && r.pass_at_1 == 0.5);
}

/* maj@k' votes within blocks of consecutive samples: prompt 0's samples are
 * 936 936 | 1 1 | 1 2 | 1 936 (right answer 936), prompt 1's
 * 1 936 | 1 2 | 2 1 | 936 3. */
static void maj_at_k_votes_within_blocks(void **state) {
    const char *p[] = {"347+589?", "347+589?"};
    const char *r = "</think><answer>936</answer>", *w1 = "</think><answer>1</answer>",
               *w2 = "</think><answer>2</answer>", *w3 = "</think><answer>3</answer>";
    const char *c[] = {r, r, w1, w1, w1, w2, w1, r, w1, r, w1, w2, w2, w1, r, w3};
    EvalResult e;
    assert_int_equal(eval_aggregate(p, 2, 8, c, NULL, &e), 0);
    assert_int_equal(e.n_pass_k, 4);
    assert_true(e.maj_at[0] == e.pass_at_1);
    assert_float_equal(e.pass_at_1, 5.0 / 16, 1e-12);
    /* pairs: prompt 0 (936 936) (1 1) (1 2 -> 1) (1 936 -> 1): 1 of 4;
     * prompt 1 (1 936 -> 1) (1 2 -> 1) (2 1 -> 2) (936 3 -> 936): 1 of 4 */
    assert_float_equal(e.maj_at[1], (0.25 + 0.25) / 2, 1e-12);
    /* fours: prompt 0 (936 936 1 1 -> 936, first drawn) (1 2 1 936 -> 1);
     * prompt 1 (1 936 1 2 -> 1) (2 1 936 3 -> 2) */
    assert_float_equal(e.maj_at[2], (0.5 + 0.0) / 2, 1e-12);
    /* all eight: prompt 0 has 1 four times against 936 three times,
     * prompt 1 has 1 three times */
    assert_float_equal(e.maj_at[3], 0.0, 1e-12);
    assert_true(e.maj_at[3] == e.maj_at_k);
    /* k = 6: pass@4 and maj@4 from one block of four, the last two samples
     * unused by maj@4 but counted by pass@4 */
    assert_int_equal(eval_aggregate(p, 1, 6, c, NULL, &e), 0);
    assert_int_equal(e.n_pass_k, 3);
    assert_float_equal(e.maj_at[2], 1.0, 1e-12);
    assert_float_equal(e.pass_at[2], pass_at_k(6, 2, 4), 1e-12);
    assert_float_equal(e.maj_at[1], 1.0 / 3, 1e-12); /* (936 936) (1 1) (1 2) */
}

/* ---- the script of each prompt --------------------------------------------- */

static void cipher_prob_sets_the_share_of_cipher_prompts(void **state) {
    EvalConfig c = eval_defaults();
    enum { N = 2000 };
    int none = 0, all = 0, half = 0, moved_back = 0;
    for (int i = 0; i < N; i++) {
        c.cipher_prob = 0.0;
        none += eval_prompt_script(&c, i) == WORLD_CIPHER;
        c.cipher_prob = 1.0;
        all += eval_prompt_script(&c, i) == WORLD_CIPHER;
        c.cipher_prob = 0.5;
        WorldScript s = eval_prompt_script(&c, i);
        half += s == WORLD_CIPHER;
        assert_int_equal(eval_prompt_script(&c, i), s); /* a pure function */
        c.cipher_prob = 0.7;                            /* more cipher moves no prompt back */
        moved_back += s == WORLD_CIPHER && eval_prompt_script(&c, i) != WORLD_CIPHER;
    }
    assert_int_equal(none, 0);
    assert_int_equal(all, N);
    assert_true(half > 0.45 * N && half < 0.55 * N);
    assert_int_equal(moved_back, 0);
    /* the legacy flag means everything in the cipher */
    c.cipher_prob = 0.0;
    c.cipher = 1;
    assert_int_equal(eval_prompt_script(&c, 7), WORLD_CIPHER);
    /* another seed, another draw */
    EvalConfig d = eval_defaults();
    c = eval_defaults();
    c.cipher_prob = d.cipher_prob = 0.5;
    d.seed = c.seed + 1;
    int differ = 0;
    for (int i = 0; i < 64; i++) differ += eval_prompt_script(&c, i) != eval_prompt_script(&d, i);
    assert_true(differ > 0);
}

static void eval_model_follows_cipher_prob(void **state) {
    Gpt *m = tiny_model();
    EvalConfig c = small_config();
    c.forced_modes = 0;
    c.n_prompts = 12;
    EvalResult digits, ciphered, legacy, mixed;
    char err[256] = "";
    assert_int_equal(eval_model(m, &c, &digits, NULL, NULL, err, sizeof err), 0);
    assert_true(digits.cipher_share == 0.0);
    c.cipher_prob = 1.0;
    assert_int_equal(eval_model(m, &c, &ciphered, NULL, NULL, err, sizeof err), 0);
    assert_true(ciphered.cipher_share == 1.0);
    c.cipher_prob = 0.0;
    c.cipher = 1;
    assert_int_equal(eval_model(m, &c, &legacy, NULL, NULL, err, sizeof err), 0);
    assert_memory_equal(&legacy, &ciphered, sizeof legacy);
    c.cipher = 0;
    c.cipher_prob = 0.5;
    assert_int_equal(eval_model(m, &c, &mixed, NULL, NULL, err, sizeof err), 0);
    int expect = 0;
    for (int i = 0; i < 12; i++) expect += eval_prompt_script(&c, i) == WORLD_CIPHER;
    assert_true(expect > 0 && expect < 12);
    assert_float_equal(mixed.cipher_share, expect / 12.0, 1e-12);
    assert_int_equal(mixed.n_pass_k, 2); /* k = 3 */
    c.cipher_prob = 1.5;
    assert_int_equal(eval_model(m, &c, &mixed, NULL, NULL, err, sizeof err), EVAL_EBADCONFIG);
    assert_non_null(strstr(err, "cipher_prob"));
    gpt_free(m);
}

int main(void) {
    engine_set_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scratch_steps_are_recognised),
        cmocka_unit_test(one_completion_is_scored),
        cmocka_unit_test(aggregation_matches_hand_count),
        cmocka_unit_test(majority_ties_go_to_the_answer_drawn_first),
        cmocka_unit_test(aggregation_refuses_non_task_prompts),
        cmocka_unit_test(fields_are_in_range_and_deterministic),
        cmocka_unit_test(progress_can_stop_the_eval_between_batches),
        cmocka_unit_test(progress_can_stop_a_general_eval),
        cmocka_unit_test(samples_csv_reproduces_the_result),
        cmocka_unit_test(bad_configs_are_refused),
        cmocka_unit_test(pass_at_k_averages_over_prompts),
        cmocka_unit_test(maj_at_k_votes_within_blocks),
        cmocka_unit_test(cipher_prob_sets_the_share_of_cipher_prompts),
        cmocka_unit_test(eval_model_follows_cipher_prob),
    };
    return cmocka_run_group_tests_name("train_eval", tests, NULL, NULL);
}
