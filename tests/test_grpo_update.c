/* The GRPO update (length-sorted micro-batches, one layout for many
 * sequences) against a naive reference: each sequence on its own, one
 * forward and backward apiece, the same per-token formulas. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/adamw.h"
#include "engine/gpt.h"
#include "engine/rng.h"
#include "engine_fixtures.h"
#include "train/grpo_math.h"
#include "train/grpo_update.h"

static const GptConfig cfg = {
    .max_seq_len = 24, .vocab_size = 17, .n_layer = 2, .n_head = 2, .d_model = 16};

/* Enough sequences that their rows fill several micro-batches. */
enum { N = 240, MAXLEN = 24 };

typedef struct {
    int prompt[MAXLEN], tokens[MAXLEN];
    float old[MAXLEN];
    GrpoSeq seq[N];
} Batch;

static void make_batch(Batch *b, int n, unsigned long long seed) {
    Rng r;
    rng_seed(&r, seed);
    for (int t = 0; t < MAXLEN; t++) {
        b->prompt[t] = (int)rng_below(&r, cfg.vocab_size);
        b->tokens[t] = (int)rng_below(&r, cfg.vocab_size);
        b->old[t] = -2.0f - 0.1f * (float)rng_below(&r, 10);
    }
    for (int i = 0; i < n; i++) {
        int P = 1 + (int)rng_below(&r, 5), len = 1 + (int)rng_below(&r, MAXLEN - P);
        b->seq[i] = (GrpoSeq){.prompt = b->prompt + (i % 3),
                              .prompt_len = P,
                              .tokens = b->tokens + (i % 2),
                              .len = len - (i % 2 && len == MAXLEN - P ? 1 : 0),
                              .old_logp = b->old,
                              .adv = (float)rng_below(&r, 21) / 10.0f - 1.0f,
                              .masked = i % 7 == 3};
    }
}

/* The per-token loss gradients of one sequence alone; returns its loss. */
static double naive_sequence(Gpt *pol, Gpt *ref, const GrpoSeq *s, const GrpoLossConfig *lc, int n,
                             int total_tokens) {
    const int L = s->prompt_len + s->len, T = L - 1;
    int inp[MAXLEN], tgt[MAXLEN];
    float lp[MAXLEN], rlp[MAXLEN], dl[MAXLEN];
    for (int t = 0; t < T; t++) {
        inp[t] = t < s->prompt_len ? s->prompt[t] : s->tokens[t - s->prompt_len];
        int j = t - (s->prompt_len - 1);
        tgt[t] = j >= 0 && !s->masked ? s->tokens[j] : -1;
    }
    gpt_forward(ref, inp, 1, T);
    gpt_logp(ref, tgt, lc->temperature, rlp, NULL);
    gpt_forward(pol, inp, 1, T);
    gpt_logp(pol, tgt, lc->temperature, lp, NULL);
    double loss = 0;
    for (int t = 0; t < T; t++) {
        dl[t] = 0;
        if (tgt[t] < 0) continue;
        int j = t - (s->prompt_len - 1);
        GrpoToken k =
            grpo_token(lp[t], s->old_logp[j], rlp[t], s->adv, lc->eps_low, lc->eps_high, lc->beta);
        double w = grpo_token_weight(lc->loss_type, n, total_tokens, s->len, lc->max_new_tokens);
        dl[t] = (float)(w * k.dlogp);
        loss += w * k.loss;
    }
    gpt_backward_logp(pol, tgt, dl);
    return loss;
}

static void check_against_naive(GrpoLossType type) {
    Batch *b = calloc(1, sizeof *b);
    make_batch(b, N, 17);
    Gpt *fast = fixture_tiny_model(&cfg, 21, 0.3f), *slow = fixture_tiny_model(&cfg, 21, 0.3f);
    Gpt *ref = fixture_tiny_model(&cfg, 22, 0.3f);
    AdamWConfig oc = adamw_defaults();
    oc.lr = 0.0f; /* parameters stay put: the gradients are what is compared */
    oc.grad_clip = 0.0f;
    AdamW *opt = adamw_new(fast, &oc);
    GrpoUpdate *u = grpo_update_new(&cfg, N);
    const GrpoLossConfig lc = {.temperature = 0.9f,
                               .beta = 0.04f,
                               .eps_low = 0.2f,
                               .eps_high = 0.28f,
                               .loss_type = type,
                               .max_new_tokens = MAXLEN};
    int idx[N];
    for (int i = 0; i < N; i++) idx[i] = (i * 7) % N; /* any order */
    GrpoTotals tot = {0};
    grpo_update_minibatch(u, fast, ref, opt, b->seq, idx, N, &lc, &tot);

    int total_tokens = 0;
    for (int i = 0; i < N; i++)
        if (!b->seq[i].masked) total_tokens += b->seq[i].len;
    gpt_zero_grad(slow);
    double loss = 0;
    for (int i = 0; i < N; i++) loss += naive_sequence(slow, ref, &b->seq[i], &lc, N, total_tokens);
    assert_float_equal(tot.loss, loss, 1e-5 * (1 + fabs(loss)));
    double scale = 0;
    for (size_t p = 0; p < slow->num_params; p++) scale = fmax(scale, fabs(slow->grads[p]));
    assert_true(scale > 1e-3); /* a gradient worth comparing */
    for (size_t p = 0; p < slow->num_params; p++)
        assert_float_equal(fast->grads[p], slow->grads[p], 1e-4 * scale);
    grpo_update_free(u);
    adamw_free(opt);
    gpt_free(fast);
    gpt_free(slow);
    gpt_free(ref);
    free(b);
}

static void update_matches_per_sequence_reference_grpo(void **state) {
    check_against_naive(GRPO_LOSS_GRPO);
}

static void update_matches_per_sequence_reference_dapo(void **state) {
    check_against_naive(GRPO_LOSS_DAPO);
}

/* Without a KL penalty there is no reference to read: a reference model
 * of another shape would crash a forward through it. */
static void beta_zero_never_reads_the_reference(void **state) {
    Batch *b = calloc(1, sizeof *b);
    make_batch(b, 8, 5);
    Gpt *pol = fixture_tiny_model(&cfg, 21, 0.3f);
    AdamWConfig oc = adamw_defaults();
    AdamW *opt = adamw_new(pol, &oc);
    GrpoUpdate *u = grpo_update_new(&cfg, 8);
    const GrpoLossConfig lc = {.temperature = 1.0f,
                               .beta = 0.0f,
                               .eps_low = 0.2f,
                               .eps_high = 0.2f,
                               .loss_type = GRPO_LOSS_GRPO,
                               .max_new_tokens = MAXLEN};
    int idx[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    GrpoTotals tot = {0};
    grpo_update_minibatch(u, pol, NULL, opt, b->seq, idx, 8, &lc, &tot);
    assert_true(tot.tokens > 0);
    assert_true(tot.kl == 0.0 && tot.ref_seconds == 0.0);
    grpo_update_free(u);
    adamw_free(opt);
    gpt_free(pol);
    free(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(update_matches_per_sequence_reference_grpo),
        cmocka_unit_test(update_matches_per_sequence_reference_dapo),
        cmocka_unit_test(beta_zero_never_reads_the_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
