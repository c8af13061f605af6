/* The shared rollout: k completions per prompt laid out prompt-major, each
 * completion continuing its own prompt, the truncation flag against stop
 * tokens, and the refusals (a prompt the context cannot hold, too many
 * prompts, bad settings). Models whose LM head is rigged to always or never
 * emit <eos> make the stop behaviour certain. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/gpt.h"
#include "engine/runtime.h"
#include "train/rollout.h"
#include "world/tokenizer.h"

static const GptConfig tiny = {
    .max_seq_len = 48, .vocab_size = TOK_VOCAB_SIZE, .n_layer = 1, .n_head = 2, .d_model = 32};

static const char *const prompts[] = {
    "<bos>user: 12+34? assistant: <think>",
    "<bos>user: 99+1? assistant: <think>",
    "<bos>user: 5+70? assistant: <think>",
};

static Gpt *random_model(void) {
    Gpt *m = gpt_new(&tiny);
    assert_non_null(m);
    gpt_init_random(m, 5);
    return m;
}

/* With the final LayerNorm's scale zeroed every position's hidden state is its
 * bias, so the logit of token v is bias . wte[v] (the head is tied): a bias
 * of ones and wte[<eos>] of +1 (or -1) per feature makes <eos> certain (or,
 * with </answer> pushed down too, impossible). */
static Gpt *rigged_model(float eos_sign) {
    Gpt *m = random_model();
    const int C = tiny.d_model;
    for (int c = 0; c < C; c++) {
        m->w.lnfw[c] = 0.0f;
        m->w.lnfb[c] = 1.0f;
        m->w.wte[(size_t)TOK_EOS * C + c] = eos_sign;
        if (eos_sign < 0) m->w.wte[(size_t)TOK_ANSWER_END * C + c] = -1.0f;
    }
    return m;
}

static Rollout *new_rollout(int max_prompts, int k, int max_new, float temperature) {
    RolloutConfig rc = {
        .k = k, .max_new_tokens = max_new, .temperature = temperature, .top_p = 1.0f};
    Rollout *r = rollout_new(&tiny, max_prompts, &rc);
    assert_non_null(r);
    return r;
}

static void decoded_equals(const Rollout *r, int i) {
    char text[256];
    tok_decode(rollout_tokens(r, i), rollout_length(r, i), text, sizeof text);
    assert_string_equal(rollout_text(r, i), text);
}

static void each_prompt_gets_k_completions_in_order(void **state) {
    Gpt *m = random_model();
    Rollout *r = new_rollout(3, 4, 10, 1.0f);
    Rng rng;
    rng_seed(&rng, 3);
    char err[256] = "";
    assert_int_equal(rollout_run(r, m, 3, prompts, &rng, err, sizeof err), 0);
    assert_int_equal(rollout_count(r), 12);
    for (int p = 0; p < 3; p++) {
        char back[128];
        tok_decode(rollout_prompt_tokens(r, p), rollout_prompt_length(r, p), back, sizeof back);
        assert_string_equal(back, prompts[p]);
    }
    for (int i = 0; i < 12; i++) {
        int len = rollout_length(r, i);
        assert_true(len >= 1 && len <= 10);
        decoded_equals(r, i);
        for (int t = 0; t < len; t++) {
            float lp = rollout_logp(r, i)[t];
            assert_true(isfinite(lp) && lp <= 0.0f);
        }
    }
    /* the same seed draws the same completions */
    char first[12][256];
    for (int i = 0; i < 12; i++) snprintf(first[i], sizeof first[i], "%s", rollout_text(r, i));
    rng_seed(&rng, 3);
    assert_int_equal(rollout_run(r, m, 3, prompts, &rng, err, sizeof err), 0);
    for (int i = 0; i < 12; i++) assert_string_equal(rollout_text(r, i), first[i]);
    /* fewer prompts, fewer slots */
    assert_int_equal(rollout_run(r, m, 2, prompts, &rng, err, sizeof err), 0);
    assert_int_equal(rollout_count(r), 8);
    rollout_free(r);
    gpt_free(m);
}

/* Greedy decoding makes a completion a function of its prompt alone, so the
 * batch's completion i must be what prompt i / k gives on its own. */
static void completion_i_continues_prompt_i_over_k(void **state) {
    Gpt *m = random_model();
    enum { K = 3, MAXNEW = 12 };
    Rollout *all = new_rollout(3, K, MAXNEW, 0.0f), *one = new_rollout(1, 1, MAXNEW, 0.0f);
    Rng rng;
    rng_seed(&rng, 1);
    char err[256] = "";
    assert_int_equal(rollout_run(all, m, 3, prompts, &rng, err, sizeof err), 0);
    for (int p = 0; p < 3; p++) {
        assert_int_equal(rollout_run(one, m, 1, &prompts[p], &rng, err, sizeof err), 0);
        for (int j = 0; j < K; j++) {
            int i = p * K + j;
            assert_int_equal(rollout_length(all, i), rollout_length(one, 0));
            assert_memory_equal(rollout_tokens(all, i), rollout_tokens(one, 0),
                                sizeof(int) * (size_t)rollout_length(one, 0));
            assert_string_equal(rollout_text(all, i), rollout_text(one, 0));
        }
    }
    rollout_free(all);
    rollout_free(one);
    gpt_free(m);
}

static void truncated_means_no_stop_token(void **state) {
    Rng rng;
    rng_seed(&rng, 2);
    char err[256] = "";
    Gpt *stops = rigged_model(1.0f), *runs_on = rigged_model(-1.0f);
    Rollout *r = new_rollout(3, 2, 6, 1.0f);
    assert_int_equal(rollout_run(r, stops, 3, prompts, &rng, err, sizeof err), 0);
    for (int i = 0; i < rollout_count(r); i++) {
        assert_int_equal(rollout_length(r, i), 1);
        assert_int_equal(rollout_truncated(r, i), 0);
        assert_string_equal(rollout_text(r, i), "<eos>");
    }
    assert_int_equal(rollout_run(r, runs_on, 3, prompts, &rng, err, sizeof err), 0);
    for (int i = 0; i < rollout_count(r); i++) {
        assert_int_equal(rollout_length(r, i), 6);
        assert_int_equal(rollout_truncated(r, i), 1);
        assert_null(strstr(rollout_text(r, i), "<eos>"));
        decoded_equals(r, i);
    }
    /* the context ends a completion early: still truncated, not stopped */
    char longp[64];
    memset(longp, '1', 45);
    longp[45] = '\0';
    const char *lp[] = {longp};
    assert_int_equal(rollout_run(r, runs_on, 1, lp, &rng, err, sizeof err), 0);
    assert_int_equal(rollout_length(r, 0), tiny.max_seq_len - 45);
    assert_int_equal(rollout_truncated(r, 0), 1);
    rollout_free(r);
    gpt_free(stops);
    gpt_free(runs_on);
}

static void bad_requests_are_refused(void **state) {
    Gpt *m = random_model();
    Rollout *r = new_rollout(2, 2, 4, 1.0f);
    Rng rng;
    rng_seed(&rng, 1);
    char err[256] = "";
    char longp[64];
    memset(longp, '1', 48); /* the whole context: no room for one new token */
    longp[48] = '\0';
    const char *too_long[] = {prompts[0], longp};
    assert_int_equal(rollout_run(r, m, 2, too_long, &rng, err, sizeof err), -1);
    assert_non_null(strstr(err, "context"));
    assert_non_null(strstr(err, "48 tokens"));
    assert_int_equal(rollout_count(r), 0);
    const char *bad_char[] = {"<bos>user: 1~2? assistant:"};
    err[0] = '\0';
    assert_int_equal(rollout_run(r, m, 1, bad_char, &rng, err, sizeof err), -1);
    assert_non_null(strstr(err, "vocabulary"));
    const char *empty[] = {""};
    assert_int_equal(rollout_run(r, m, 1, empty, &rng, err, sizeof err), -1);
    assert_int_equal(rollout_run(r, m, 3, prompts, &rng, err, sizeof err), -1); /* room for 2 */
    assert_int_equal(rollout_run(r, m, 0, prompts, &rng, err, sizeof err), -1);
    /* a refused prompt draws no random numbers */
    Rng fresh;
    rng_seed(&fresh, 1);
    assert_memory_equal(&rng, &fresh, sizeof rng);
    rollout_free(r);

    RolloutConfig bad[] = {{0, 4, 1.0f, 1.0f},
                           {2, 0, 1.0f, 1.0f},
                           {2, 4, -1.0f, 1.0f},
                           {2, 4, 1.0f, 0.0f},
                           {2, 4, 1.0f, 1.5f}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_null(rollout_new(&tiny, 2, &bad[i]));
    assert_null(rollout_new(&tiny, 0, &(RolloutConfig){2, 4, 1.0f, 1.0f}));
    gpt_free(m);
}

static void batch_size_follows_the_memory_budget(void **state) {
    GptConfig small = tiny, big = tiny, huge = tiny;
    big.d_model = 256;
    big.n_layer = 8;
    big.max_seq_len = 256;
    huge.d_model = 4096;
    huge.n_layer = 64;
    huge.max_seq_len = 4096;
    int s = rollout_batch_for(&small), b = rollout_batch_for(&big);
    assert_true(s >= 1 && s <= 1024);
    assert_true(b >= 1 && b < s);
    assert_int_equal(rollout_batch_for(&huge), 1);
}

int main(void) {
    engine_set_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_prompt_gets_k_completions_in_order),
        cmocka_unit_test(completion_i_continues_prompt_i_over_k),
        cmocka_unit_test(truncated_means_no_stop_token),
        cmocka_unit_test(bad_requests_are_refused),
        cmocka_unit_test(batch_size_follows_the_memory_budget),
    };
    return cmocka_run_group_tests_name("train_rollout", tests, NULL, NULL);
}
