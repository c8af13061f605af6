#ifndef R1SIM_ENGINE_OPS_H
#define R1SIM_ENGINE_OPS_H

#include <stddef.h>

/* Kernels of the GPT, as forward/backward pairs. Shapes use the letters of
 * gpt.h; "rows" is the number of (B*T) rows a kernel walks. Matrix products go
 * through BLIS with explicit strides, so transposes are never copied. */

/* out (M, N) = beta*out + inp (M, K) @ w^T, w is (N, K) */
void mm_inp_wT(float *out, const float *inp, const float *w, int M, int N, int K, float beta);

/* The same product for a few rows with the weight already transposed, wt
 * (K, N): out (M, N) = beta * out + inp (M, K) wt. For decode steps, whose
 * handful of rows leave BLIS's blocking with little to amortise. Only when
 * mm_rows_wt_fits(M, N). */
enum { MM_FEW_ROWS = 64 };
/* 1 when the three products above take r1sim's own path for an output
 * this many columns wide (runtime.h, engine_own_products). */
int mm_own(int cols);
int mm_rows_wt_fits(int M, int N);
void mm_rows_wt(float *out, const float *inp, const float *wt, int M, int N, int K, float beta);
/* dst (cols, rows) = src (rows, cols) transposed. */
void transpose_into(float *dst, const float *src, int rows, int cols);
/* dinp (M, K) = beta*dinp + dout (M, N) @ w, w is (N, K) */
void mm_dout_w(float *dinp, const float *dout, const float *w, int M, int N, int K, float beta);
/* dw (N, K) += dout^T @ inp, dout (M, N), inp (M, K) */
void mm_dw_acc(float *dw, const float *dout, const float *inp, int M, int N, int K);

/* Copies a bias row (N) into every row of out (M, N); products then add onto it. */
void bias_broadcast(float *out, const float *bias, int M, int N);
/* out (M, N) = resid (M, N) + bias (N) broadcast */
void resid_bias(float *out, const float *resid, const float *bias, int M, int N);
/* db (N) += column sums of dout (M, N) */
void bias_backward(float *db, const float *dout, int M, int N);

/* out = LayerNorm(inp) * w + b per row of C; saves mean and rstd (rows). eps 1e-5 */
void layernorm_forward(float *out, float *mean, float *rstd, const float *inp, const float *w,
                       const float *b, int rows, int C);
/* Inverts out = (inp - mean) * rstd * w + b. dinp += ..., dw += ..., db += ... */
void layernorm_backward(float *dinp, float *dw, float *db, const float *dout, const float *inp,
                        const float *w, const float *mean, const float *rstd, int rows, int C);

/* out = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), n elements; out must not
 * overlap inp. */
void gelu_forward(float *out, const float *inp, int n);
/* Inverts gelu_forward in place: d = d * gelu'(inp). d must not overlap inp. */
void gelu_backward_inplace(float *d, const float *inp, int n);

/* Causal self-attention of one layer.
 * qkv is (B, T, 3C) holding q | k | v per row; out is (B, T, C); att is (B, NH, T, T)
 * receiving the softmax probabilities (entries above the diagonal are zero). */
void attention_forward(float *out, float *att, const float *qkv, int B, int T, int C, int NH);
/* Inverts out = softmax(q k^T / sqrt(hs)) v per head. dqkv (B, T, 3C) is
 * overwritten; datt is scratch (B, NH, T, T). */
void attention_backward(float *dqkv, float *datt, const float *dout, const float *qkv,
                        const float *att, int B, int T, int C, int NH);

/* Allocation that is 64-byte aligned and zeroed; aborts on failure with a
 * message (allocation failures in the engine are not recoverable). */
float *engine_alloc_floats(size_t n);

#endif
