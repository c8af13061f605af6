/* Each kernel (BLIS-backed, or the few-row product the sampler's decode
 * steps use) against a naive reference written out in loops. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/gpt.h"
#include "engine/ops.h"
#include "engine/rng.h"
#include "engine/runtime.h"
#include "engine_fixtures.h"

static float *randn(int n, unsigned long long seed) {
    Rng r;
    rng_seed(&r, seed);
    float *p = malloc(sizeof(float) * (size_t)n);
    for (int i = 0; i < n; i++) p[i] = rng_normal(&r);
    return p;
}

/* Products of ~100 terms of unit normals: float round-off stays below 1e-4. */
static void assert_close(const float *a, const double *b, int n, double tol) {
    for (int i = 0; i < n; i++)
        if (fabs(a[i] - b[i]) > tol * (1.0 + fabs(b[i])))
            fail_msg("element %d: %.7g vs reference %.7g", i, a[i], b[i]);
}

/* mm_inp_wT (beta 1), mm_dout_w (beta 0) and mm_dw_acc on random operands
 * of one shape against the same products written out in loops. */
static void check_products(int M, int N, int K, unsigned long long seed) {
    float *inp = randn(M * K, seed), *w = randn(N * K, seed + 1), *dout = randn(M * N, seed + 2);
    float *out = randn(M * N, seed + 3), *dinp = randn(M * K, seed + 4);
    float *dw = randn(N * K, seed + 5);
    double *ref_out = malloc(sizeof(double) * M * N), *ref_dinp = malloc(sizeof(double) * M * K);
    double *ref_dw = malloc(sizeof(double) * N * K);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = out[i * N + j]; /* beta = 1 accumulates */
            for (int k = 0; k < K; k++) s += (double)inp[i * K + k] * w[j * K + k];
            ref_out[i * N + j] = s;
        }
    for (int i = 0; i < M; i++)
        for (int k = 0; k < K; k++) {
            double s = 0; /* beta = 0 overwrites */
            for (int j = 0; j < N; j++) s += (double)dout[i * N + j] * w[j * K + k];
            ref_dinp[i * K + k] = s;
        }
    for (int j = 0; j < N; j++)
        for (int k = 0; k < K; k++) {
            double s = dw[j * K + k];
            for (int i = 0; i < M; i++) s += (double)dout[i * N + j] * inp[i * K + k];
            ref_dw[j * K + k] = s;
        }
    mm_inp_wT(out, inp, w, M, N, K, 1.0f);
    mm_dout_w(dinp, dout, w, M, N, K, 0.0f);
    mm_dw_acc(dw, dout, inp, M, N, K);
    assert_close(out, ref_out, M * N, 1e-4);
    assert_close(dinp, ref_dinp, M * K, 1e-4);
    assert_close(dw, ref_dw, N * K, 1e-4);
    free(inp), free(w), free(dout), free(out), free(dinp), free(dw);
    free(ref_out), free(ref_dinp), free(ref_dw);
}

/* BLIS's path: widths the own path does not take fall back to it anyway. */
static void matrix_products_match_naive_loops(void **state) {
    engine_use_own_products(0);
    check_products(37, 29, 53, 1);
}

/* Every row count up to the limit (ragged row blocks) and both betas, on
 * column counts of one and several column blocks, with K not a multiple of
 * anything. */
static void few_row_product_matches_naive_loops(void **state) {
    const int Ns[] = {32, 96}, K = 53;
    for (int ni = 0; ni < 2; ni++)
        for (int M = 1; M <= MM_FEW_ROWS; M += M < 10 ? 1 : 13) {
            const int N = Ns[ni];
            assert_true(mm_rows_wt_fits(M, N));
            float *inp = randn(M * K, 7 + M), *w = randn(N * K, 8), *out = randn(M * N, 9);
            float *wt = malloc(sizeof(float) * (size_t)N * K);
            transpose_into(wt, w, N, K);
            for (int j = 0; j < N; j++)
                for (int k = 0; k < K; k++) assert_true(wt[k * N + j] == w[j * K + k]);
            double *ref = malloc(sizeof(double) * (size_t)M * N);
            for (int beta = 0; beta <= 1; beta++) {
                for (int i = 0; i < M; i++)
                    for (int j = 0; j < N; j++) {
                        double sum = beta ? out[i * N + j] : 0;
                        for (int k = 0; k < K; k++) sum += (double)inp[i * K + k] * w[j * K + k];
                        ref[i * N + j] = sum;
                    }
                mm_rows_wt(out, inp, wt, M, N, K, (float)beta);
                assert_close(out, ref, M * N, 1e-4);
            }
            free(inp), free(w), free(out), free(wt), free(ref);
        }
    assert_false(mm_rows_wt_fits(MM_FEW_ROWS + 1, 32));
    assert_false(mm_rows_wt_fits(4, 48));
}

/* The model's three dense products on r1sim's own path, at widths it
 * takes (outputs a multiple of 32 columns wide), against the same loops. */
static void own_products_match_naive_loops(void **state) {
    engine_use_own_products(1);
    assert_true(mm_own(64) && mm_own(96));
    check_products(37, 64, 96, 11);
    engine_use_own_products(0);
    assert_false(mm_own(64));
}

/* A whole model, forward and backward, on either path: the same logits and
 * gradients to float round-off, so the own path is the BLIS-backed model. */
static void model_on_own_products_matches_blis(void **state) {
    const GptConfig c = {
        .max_seq_len = 8, .vocab_size = 64, .n_layer = 2, .n_head = 2, .d_model = 32};
    enum { B = 3, T = 8 };
    int tok[B * T], tgt[B * T];
    for (int i = 0; i < B * T; i++) tok[i] = (i * 7) % 64, tgt[i] = (i * 5 + 3) % 64;
    float *logits[2], *grads[2];
    Gpt *m = fixture_tiny_model(&c, 31, 0.2f);
    for (int own = 0; own <= 1; own++) {
        engine_use_own_products(own);
        gpt_zero_grad(m);
        gpt_forward(m, tok, B, T);
        gpt_cross_entropy_step(m, tgt, 1);
        logits[own] = malloc(sizeof(float) * B * T * 64);
        memcpy(logits[own], m->a.logits, sizeof(float) * B * T * 64);
        grads[own] = malloc(sizeof(float) * m->num_params);
        memcpy(grads[own], m->grads, sizeof(float) * m->num_params);
    }
    engine_use_own_products(0);
    double scale = 0;
    for (size_t i = 0; i < m->num_params; i++) scale = fmax(scale, fabs(grads[0][i]));
    for (int i = 0; i < B * T * 64; i++) assert_float_equal(logits[1][i], logits[0][i], 1e-4);
    for (size_t i = 0; i < m->num_params; i++)
        assert_float_equal(grads[1][i], grads[0][i], 1e-4 * scale);
    for (int k = 0; k < 2; k++) free(logits[k]), free(grads[k]);
    gpt_free(m);
}

static void causal_attention_matches_naive_loops(void **state) {
    /* T = 70 spans more than two row blocks, so the block skipping is exercised */
    enum { B = 2, T = 70, C = 24, NH = 3, hs = C / NH };
    float *qkv = randn(B * T * 3 * C, 7);
    float *out = calloc(B * T * C, sizeof(float)), *att = calloc(B * NH * T * T, sizeof(float));
    attention_forward(out, att, qkv, B, T, C, NH);
    double *ref = calloc(B * T * C, sizeof(double));
    for (int b = 0; b < B; b++)
        for (int h = 0; h < NH; h++)
            for (int i = 0; i < T; i++) {
                const float *q = qkv + (b * T + i) * 3 * C + h * hs;
                double sc[T], mx = -1e30, sum = 0;
                for (int j = 0; j <= i; j++) {
                    const float *k = qkv + (b * T + j) * 3 * C + C + h * hs;
                    double d = 0;
                    for (int e = 0; e < hs; e++) d += (double)q[e] * k[e];
                    sc[j] = d / sqrt((double)hs);
                    if (sc[j] > mx) mx = sc[j];
                }
                for (int j = 0; j <= i; j++) sum += (sc[j] = exp(sc[j] - mx));
                for (int j = 0; j < T; j++) {
                    double p = j <= i ? sc[j] / sum : 0.0;
                    float got = att[((b * NH + h) * T + i) * T + j];
                    if (fabs(got - p) > 1e-5)
                        fail_msg("att[%d,%d,%d,%d] %g vs %g", b, h, i, j, got, p);
                }
                for (int e = 0; e < hs; e++) {
                    double y = 0;
                    for (int j = 0; j <= i; j++)
                        y += sc[j] / sum * qkv[(b * T + j) * 3 * C + 2 * C + h * hs + e];
                    ref[(b * T + i) * C + h * hs + e] = y;
                }
            }
    assert_close(out, ref, B * T * C, 1e-4);
    free(qkv), free(out), free(att), free(ref);
}

static void layernorm_and_gelu_match_formulas(void **state) {
    enum { R = 5, C = 33 };
    float *x = randn(R * C, 8), *w = randn(C, 9), *b = randn(C, 10);
    float out[R * C], mean[R], rstd[R];
    layernorm_forward(out, mean, rstd, x, w, b, R, C);
    double ref[R * C];
    for (int i = 0; i < R; i++) {
        double m = 0, v = 0;
        for (int j = 0; j < C; j++) m += x[i * C + j];
        m /= C;
        for (int j = 0; j < C; j++) v += (x[i * C + j] - m) * (x[i * C + j] - m);
        v /= C;
        for (int j = 0; j < C; j++)
            ref[i * C + j] = (x[i * C + j] - m) / sqrt(v + 1e-5) * w[j] + b[j];
    }
    assert_close(out, ref, R * C, 1e-5);
    float g[R * C];
    gelu_forward(g, x, R * C);
    for (int i = 0; i < R * C; i++) {
        double v = x[i];
        ref[i] = 0.5 * v * (1.0 + tanh(sqrt(2.0 / M_PI) * (v + 0.044715 * v * v * v)));
    }
    assert_close(g, ref, R * C, 1e-6);
    free(x), free(w), free(b);
}

static void logp_and_entropy_match_log_softmax(void **state) {
    const GptConfig cfg = {
        .max_seq_len = 8, .vocab_size = 19, .n_layer = 1, .n_head = 2, .d_model = 8};
    Gpt *m = fixture_tiny_model(&cfg, 3, 0.5f);
    int tokens[16], targets[16];
    fixture_tokens(tokens, 16, 19, 4);
    fixture_tokens(targets, 16, 19, 5);
    targets[5] = -1;
    float logp[16], ent[16];
    const float temps[] = {1.0f, 0.6f};
    for (int t = 0; t < 2; t++) {
        gpt_forward(m, tokens, 2, 8);
        gpt_logp(m, targets, temps[t], logp, ent);
        for (int i = 0; i < 16; i++) {
            const float *z = m->a.logits + i * 19;
            double mx = -1e30, sum = 0, h = 0;
            for (int j = 0; j < 19; j++) mx = fmax(mx, z[j] / temps[t]);
            for (int j = 0; j < 19; j++) sum += exp(z[j] / temps[t] - mx);
            for (int j = 0; j < 19; j++) {
                double lp = z[j] / temps[t] - mx - log(sum);
                h -= exp(lp) * lp;
            }
            double want = targets[i] >= 0 ? z[targets[i]] / temps[t] - mx - log(sum) : 0.0;
            assert_float_equal(logp[i], want, 1e-5);
            assert_float_equal(ent[i], h, 1e-5);
        }
    }
    gpt_free(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matrix_products_match_naive_loops),
        cmocka_unit_test(few_row_product_matches_naive_loops),
        cmocka_unit_test(own_products_match_naive_loops),
        cmocka_unit_test(model_on_own_products_matches_blis),
        cmocka_unit_test(causal_attention_matches_naive_loops),
        cmocka_unit_test(layernorm_and_gelu_match_formulas),
        cmocka_unit_test(logp_and_entropy_match_log_softmax),
    };
    return cmocka_run_group_tests_name("engine_kernels", tests, NULL, NULL);
}
