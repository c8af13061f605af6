/* The KV-cache path against the full forward, and the sampler's contract. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/gpt.h"
#include "engine/sampler.h"
#include "engine_fixtures.h"

static const GptConfig cfg = {
    .max_seq_len = 24, .vocab_size = 17, .n_layer = 2, .n_head = 2, .d_model = 16};

static float max_abs_diff(const float *a, const float *b, size_t n) {
    float d = 0;
    for (size_t i = 0; i < n; i++) d = fmaxf(d, fabsf(a[i] - b[i]));
    return d;
}

/* Both paths do the same float operations in a different order (BLIS blocks
 * versus per-head loops), so they agree to float round-off, not bit for bit:
 * 1e-4 on logits of magnitude ~1 is far below any real discrepancy (a wrong
 * position or a missing mask shifts logits by ~0.1 with these weights). */
static void cached_logits_equal_full_forward_at_every_position(void **state) {
    enum { N = 3, T = 24 };
    Gpt *m = fixture_tiny_model(&cfg, 7, 0.2f);
    int tokens[N * T];
    fixture_tokens(tokens, N * T, cfg.vocab_size, 9);
    gpt_forward(m, tokens, N, T);
    const float *full = m->a.logits;

    Sampler *s = sampler_new(&cfg, N);
    sampler_reset(s, N);
    /* feed a 5-token prefill, then one token at a time, then a chunk of 4 */
    int chunks[] = {5, 1, 1, 1, 4, 1, 11};
    float *logits = malloc(sizeof(float) * N * T * cfg.vocab_size);
    int at = 0;
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        int t = chunks[c];
        int step[N * T];
        for (int i = 0; i < N; i++) memcpy(step + i * t, tokens + i * T + at, t * sizeof(int));
        sampler_extend(s, m, step, t, logits, NULL);
        for (int i = 0; i < N; i++)
            for (int j = 0; j < t; j++) {
                const float *a = logits + ((size_t)i * t + j) * cfg.vocab_size;
                const float *b = full + ((size_t)i * T + at + j) * cfg.vocab_size;
                float d = max_abs_diff(a, b, cfg.vocab_size);
                if (d > 1e-4f)
                    fail_msg("sequence %d position %d: |cached - full| = %g", i, at + j, d);
            }
        at += t;
    }
    assert_int_equal(at, T);
    free(logits);
    sampler_free(s);
    gpt_free(m);
}

static void greedy_generation_is_deterministic_and_matches_full_forward(void **state) {
    Gpt *m = fixture_tiny_model(&cfg, 8, 0.3f);
    Sampler *s = sampler_new(&cfg, 2);
    int p0[] = {1, 2, 3}, p1[] = {4, 5, 6, 7, 8};
    const int *prompts[] = {p0, p1};
    int lens[] = {3, 5};
    SampleOptions o = sample_defaults();
    o.temperature = 0.0f;
    o.max_new_tokens = 10;
    int out[2 * 10], len[2], stopped[2];
    float lp[2 * 10];
    Rng r;
    rng_seed(&r, 1);
    assert_int_equal(sampler_generate(s, m, 2, prompts, lens, &o, &r, out, lp, len, stopped), 0);
    assert_int_equal(len[0], 10);
    assert_int_equal(len[1], 10);
    /* each greedy token is the argmax of the full forward over prompt + generated */
    for (int i = 0; i < 2; i++) {
        int seq[24];
        memcpy(seq, prompts[i], lens[i] * sizeof(int));
        memcpy(seq + lens[i], out + i * 10, 10 * sizeof(int));
        int T = lens[i] + 10;
        gpt_forward(m, seq, 1, T);
        for (int j = 0; j < 10; j++) {
            const float *z = m->a.logits + (size_t)(lens[i] - 1 + j) * cfg.vocab_size;
            int best = 0;
            for (int v = 1; v < cfg.vocab_size; v++)
                if (z[v] > z[best]) best = v;
            assert_int_equal(out[i * 10 + j], best);
            assert_true(lp[i * 10 + j] <= 0.0f);
        }
    }
    int out2[2 * 10], len2[2], stopped2[2];
    float lp2[2 * 10];
    assert_int_equal(sampler_generate(s, m, 2, prompts, lens, &o, &r, out2, lp2, len2, stopped2),
                     0);
    assert_memory_equal(out, out2, sizeof out);
    sampler_free(s);
    gpt_free(m);
}

static void sampled_logp_matches_full_forward_and_seed_repeats(void **state) {
    Gpt *m = fixture_tiny_model(&cfg, 10, 0.3f);
    enum { N = 4, NEW = 12 };
    Sampler *s = sampler_new(&cfg, N);
    /* two distinct prompts, each twice: the shared-prefix prefill must give
     * every sequence its own prompt's cache */
    int p[] = {3, 1, 4, 1}, p2[] = {2, 7, 1, 8};
    const int *prompts[] = {p, p2, p2, p};
    int lens[] = {4, 4, 4, 4};
    SampleOptions o = sample_defaults();
    o.temperature = 0.8f;
    o.max_new_tokens = NEW;
    int out[N * NEW], len[N], stopped[N];
    float lp[N * NEW];
    Rng r;
    rng_seed(&r, 5);
    sampler_generate(s, m, N, prompts, lens, &o, &r, out, lp, len, stopped);
    for (int i = 0; i < N; i++) {
        int seq[24];
        memcpy(seq, prompts[i], sizeof p);
        memcpy(seq + 4, out + i * NEW, NEW * sizeof(int));
        int targets[24];
        for (int j = 0; j < 16; j++) targets[j] = j + 1 < 16 ? seq[j + 1] : -1;
        float full_lp[16];
        gpt_forward(m, seq, 1, 16);
        gpt_logp(m, targets, 0.8f, full_lp, NULL);
        for (int j = 0; j < NEW; j++) assert_float_equal(lp[i * NEW + j], full_lp[3 + j], 1e-4);
    }
    int out2[N * NEW], len2[N], stopped2[N];
    float lp2[N * NEW];
    rng_seed(&r, 5);
    sampler_generate(s, m, N, prompts, lens, &o, &r, out2, lp2, len2, stopped2);
    assert_memory_equal(out, out2, sizeof out);
    sampler_free(s);
    gpt_free(m);
}

static void stop_token_ends_only_its_sequence(void **state) {
    Gpt *m = fixture_tiny_model(&cfg, 11, 0.3f);
    Sampler *s = sampler_new(&cfg, 8);
    int p[] = {2, 3};
    const int *prompts[8];
    int lens[8];
    for (int i = 0; i < 8; i++) {
        prompts[i] = p;
        lens[i] = 2;
    }
    int stops[] = {5, 6};
    SampleOptions o = sample_defaults();
    o.max_new_tokens = 20;
    o.stop_tokens = stops;
    o.n_stop = 2;
    int out[8 * 20], len[8], stopped[8];
    float lp[8 * 20];
    Rng r;
    rng_seed(&r, 3);
    sampler_generate(s, m, 8, prompts, lens, &o, &r, out, lp, len, stopped);
    int some_stopped = 0;
    for (int i = 0; i < 8; i++) {
        assert_true(len[i] >= 1 && len[i] <= 20);
        for (int j = 0; j < len[i] - 1; j++)
            assert_true(out[i * 20 + j] != 5 && out[i * 20 + j] != 6);
        int last = out[i * 20 + len[i] - 1];
        if (stopped[i]) {
            assert_true(last == 5 || last == 6);
            some_stopped = 1;
        } else {
            assert_int_equal(len[i], 20);
        }
    }
    assert_true(some_stopped);
    sampler_free(s);
    gpt_free(m);
}

/* Each of n sampled sequences (prompt of p tokens, then len[i] of its row of
 * out, rows `stride` wide) scored by a full forward at temperature 1: the
 * sampler's log-probs lp must be those. */
static void assert_logp_of_full_forward(Gpt *m, const int *const *prompts, int p, int n, int stride,
                                        const int *out, const float *lp, const int *len) {
    for (int i = 0; i < n; i++) {
        const int L = p + len[i];
        int *seq = malloc(sizeof(int) * (size_t)L), *targets = malloc(sizeof(int) * (size_t)L);
        float *full_lp = malloc(sizeof(float) * (size_t)L);
        memcpy(seq, prompts[i], (size_t)p * sizeof(int));
        memcpy(seq + p, out + i * stride, (size_t)len[i] * sizeof(int));
        for (int j = 0; j < L; j++) targets[j] = j + 1 < L ? seq[j + 1] : -1;
        gpt_forward(m, seq, 1, L);
        gpt_logp(m, targets, 1.0f, full_lp, NULL);
        for (int j = 0; j < len[i]; j++)
            assert_float_equal(lp[i * stride + j], full_lp[p - 1 + j], 1e-4);
        free(seq), free(targets), free(full_lp);
    }
}

/* Rows of finished sequences leave the decode batch: the sequences still
 * running must go on reading their own caches and positions, so every
 * sampled log-prob still matches a full forward over its own sequence. */
static void sequences_left_after_others_stop_keep_their_own_cache(void **state) {
    Gpt *m = fixture_tiny_model(&cfg, 13, 0.3f);
    enum { N = 6, NEW = 14, P = 3 };
    Sampler *s = sampler_new(&cfg, N);
    int pa[] = {3, 1, 4}, pb[] = {2, 7, 1}, pc[] = {9, 9, 2};
    const int *prompts[] = {pa, pb, pc, pa, pb, pc};
    int lens[] = {P, P, P, P, P, P};
    int stops[] = {5};
    SampleOptions o = sample_defaults();
    o.temperature = 1.0f;
    o.max_new_tokens = NEW;
    o.stop_tokens = stops;
    o.n_stop = 1;
    int out[N * NEW], len[N], stopped[N];
    float lp[N * NEW];
    Rng r;
    int shortest = NEW, longest = 0;
    /* a seed under which some sequence stops well before another ends */
    for (unsigned long long seed = 1; seed < 200 && longest - shortest < 4; seed++) {
        rng_seed(&r, seed);
        sampler_generate(s, m, N, prompts, lens, &o, &r, out, lp, len, stopped);
        shortest = NEW;
        longest = 0;
        for (int i = 0; i < N; i++) {
            if (len[i] < shortest) shortest = len[i];
            if (len[i] > longest) longest = len[i];
        }
    }
    assert_true(longest - shortest >= 4);
    assert_logp_of_full_forward(m, prompts, P, N, NEW, out, lp, len);
    sampler_free(s);
    gpt_free(m);
}

/* At width 32 the decode steps go through the few-row product with the
 * sampler's transposed weights (16 does not suit it): the log-probs must
 * still be the full forward's, and they must follow the model when its
 * weights change between calls (a GRPO step trains it in place). */
static void decode_with_transposed_weights_matches_full_forward(void **state) {
    const GptConfig wide = {
        .max_seq_len = 24, .vocab_size = 17, .n_layer = 2, .n_head = 2, .d_model = 32};
    Gpt *m = fixture_tiny_model(&wide, 14, 0.2f);
    enum { N = 3, NEW = 10, P = 3 };
    Sampler *s = sampler_new(&wide, N);
    int pa[] = {3, 1, 4}, pb[] = {2, 7, 1};
    const int *prompts[] = {pa, pb, pa};
    int lens[] = {P, P, P};
    SampleOptions o = sample_defaults();
    o.max_new_tokens = NEW;
    for (int round = 0; round < 2; round++) {
        if (round == 1)
            for (size_t i = 0; i < m->num_params; i++) m->params[i] *= 1.1f; /* "trained" */
        int out[N * NEW], len[N], stopped[N];
        float lp[N * NEW];
        Rng r;
        rng_seed(&r, 9);
        sampler_generate(s, m, N, prompts, lens, &o, &r, out, lp, len, stopped);
        assert_logp_of_full_forward(m, prompts, P, N, NEW, out, lp, len);
    }
    sampler_free(s);
    gpt_free(m);
}

static void top_k_one_is_greedy(void **state) {
    Gpt *m = fixture_tiny_model(&cfg, 12, 0.3f);
    Sampler *s = sampler_new(&cfg, 1);
    int p[] = {1, 2};
    const int *prompts[] = {p};
    int lens[] = {2};
    SampleOptions g = sample_defaults(), k1 = sample_defaults();
    g.temperature = 0.0f;
    g.max_new_tokens = k1.max_new_tokens = 8;
    k1.top_k = 1;
    int a[8], b[8], la, lb, sa, sb;
    float lpa[8], lpb[8];
    Rng r;
    rng_seed(&r, 1);
    sampler_generate(s, m, 1, prompts, lens, &g, &r, a, lpa, &la, &sa);
    sampler_generate(s, m, 1, prompts, lens, &k1, &r, b, lpb, &lb, &sb);
    assert_memory_equal(a, b, sizeof a);
    /* top_p tiny also keeps only the most likely token */
    SampleOptions p0 = sample_defaults();
    p0.max_new_tokens = 8;
    p0.top_p = 1e-6f;
    sampler_generate(s, m, 1, prompts, lens, &p0, &r, b, lpb, &lb, &sb);
    assert_memory_equal(a, b, sizeof a);
    sampler_free(s);
    gpt_free(m);
}

static void generation_stops_at_the_context_limit(void **state) {
    Gpt *m = fixture_tiny_model(&cfg, 13, 0.3f);
    Sampler *s = sampler_new(&cfg, 1);
    int p[20] = {0};
    const int *prompts[] = {p};
    int lens[] = {20};
    SampleOptions o = sample_defaults();
    o.max_new_tokens = 50;
    int out[50], len, stopped;
    float lp[50];
    Rng r;
    rng_seed(&r, 1);
    assert_int_equal(sampler_generate(s, m, 1, prompts, lens, &o, &r, out, lp, &len, &stopped), 0);
    assert_int_equal(len, 24 - 20);
    int toolong[25] = {0};
    const int *bad[] = {toolong};
    int badlen[] = {25};
    assert_int_equal(sampler_generate(s, m, 1, bad, badlen, &o, &r, out, lp, &len, &stopped), -1);
    sampler_free(s);
    gpt_free(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cached_logits_equal_full_forward_at_every_position),
        cmocka_unit_test(greedy_generation_is_deterministic_and_matches_full_forward),
        cmocka_unit_test(sampled_logp_matches_full_forward_and_seed_repeats),
        cmocka_unit_test(stop_token_ends_only_its_sequence),
        cmocka_unit_test(sequences_left_after_others_stop_keep_their_own_cache),
        cmocka_unit_test(decode_with_transposed_weights_matches_full_forward),
        cmocka_unit_test(top_k_one_is_greedy),
        cmocka_unit_test(generation_stops_at_the_context_limit),
    };
    return cmocka_run_group_tests_name("engine_sampler", tests, NULL, NULL);
}
