#include "engine/ops.h"

#include "engine/fastmath.h"
#include "engine/oom.h"
#include "engine/runtime.h"

#include <blis.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Elementwise passes are split across OpenMP threads only when there is
 * enough work to pay for waking them; BLIS itself uses the same OpenMP
 * runtime, and no BLIS call is made from inside these regions except the
 * explicitly single-threaded ones in attention. */
#define PAR_MIN_WORK 32768

float *engine_alloc_floats(size_t n) {
    size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
    if (bytes == 0) bytes = 64;
    float *p = aligned_alloc(64, bytes);
    if (p) memset(p, 0, bytes);
    return p;
}

/* ---- matrix products ---------------------------------------------------- */

static void sgemm(int m, int n, int k, float alpha, const float *a, long rsa, long csa,
                  const float *b, long rsb, long csb, float beta, float *c, long rsc, long csc) {
    bli_sgemm(BLIS_NO_TRANSPOSE, BLIS_NO_TRANSPOSE, m, n, k, &alpha, (float *)a, rsa, csa,
              (float *)b, rsb, csb, &beta, c, rsc, csc);
}

/* The same product on the calling thread only, for use inside our own
 * parallel loops (many small per-head products). */
static void sgemm_1t(int m, int n, int k, float alpha, const float *a, long rsa, long csa,
                     const float *b, long rsb, long csb, float beta, float *c, long rsc, long csc) {
    rntm_t rntm = BLIS_RNTM_INITIALIZER;
    bli_rntm_set_num_threads(1, &rntm);
    bli_sgemm_ex(BLIS_NO_TRANSPOSE, BLIS_NO_TRANSPOSE, m, n, k, &alpha, (float *)a, rsa, csa,
                 (float *)b, rsb, csb, &beta, c, rsc, csc, NULL, &rntm);
}

/* ---- bias and residual -------------------------------------------------- */

void bias_broadcast(float *out, const float *bias, int M, int N) {
#pragma omp parallel for if ((long)M * N > PAR_MIN_WORK) schedule(static)
    for (int i = 0; i < M; i++) memcpy(out + (size_t)i * N, bias, (size_t)N * sizeof(float));
}

void resid_bias(float *out, const float *resid, const float *bias, int M, int N) {
#pragma omp parallel for if ((long)M * N > PAR_MIN_WORK) schedule(static)
    for (int i = 0; i < M; i++) {
        const float *r = resid + (size_t)i * N;
        float *o = out + (size_t)i * N;
        for (int j = 0; j < N; j++) o[j] = r[j] + bias[j];
    }
}

void bias_backward(float *db, const float *dout, int M, int N) {
    for (int i = 0; i < M; i++) {
        const float *d = dout + (size_t)i * N;
        for (int j = 0; j < N; j++) db[j] += d[j];
    }
}

/* ---- LayerNorm ---------------------------------------------------------- */

void layernorm_forward(float *out, float *mean, float *rstd, const float *inp, const float *w,
                       const float *b, int rows, int C) {
#pragma omp parallel for if ((long)rows * C > PAR_MIN_WORK) schedule(static)
    for (int i = 0; i < rows; i++) {
        const float *x = inp + (size_t)i * C;
        float m = 0.0f;
#pragma omp simd reduction(+ : m)
        for (int j = 0; j < C; j++) m += x[j];
        m /= C;
        float v = 0.0f;
#pragma omp simd reduction(+ : v)
        for (int j = 0; j < C; j++) {
            float d = x[j] - m;
            v += d * d;
        }
        float s = 1.0f / sqrtf(v / C + 1e-5f);
        float *o = out + (size_t)i * C;
        for (int j = 0; j < C; j++) o[j] = (x[j] - m) * s * w[j] + b[j];
        mean[i] = m;
        rstd[i] = s;
    }
}

void layernorm_backward(float *dinp, float *dw, float *db, const float *dout, const float *inp,
                        const float *w, const float *mean, const float *rstd, int rows, int C) {
    /* dinp rows are independent; dw and db are sums over rows, done after. */
#pragma omp parallel for if ((long)rows * C > PAR_MIN_WORK) schedule(static)
    for (int i = 0; i < rows; i++) {
        const float *x = inp + (size_t)i * C;
        const float *d = dout + (size_t)i * C;
        float m = mean[i], s = rstd[i];
        float dnorm_mean = 0.0f, dnorm_norm_mean = 0.0f;
#pragma omp simd reduction(+ : dnorm_mean, dnorm_norm_mean)
        for (int j = 0; j < C; j++) {
            float norm = (x[j] - m) * s;
            float dnorm = w[j] * d[j];
            dnorm_mean += dnorm;
            dnorm_norm_mean += dnorm * norm;
        }
        dnorm_mean /= C;
        dnorm_norm_mean /= C;
        float *di = dinp + (size_t)i * C;
        for (int j = 0; j < C; j++) {
            float norm = (x[j] - m) * s;
            float dnorm = w[j] * d[j];
            di[j] += (dnorm - dnorm_mean - norm * dnorm_norm_mean) * s;
        }
    }
    for (int i = 0; i < rows; i++) {
        const float *x = inp + (size_t)i * C;
        const float *d = dout + (size_t)i * C;
        float m = mean[i], s = rstd[i];
        for (int j = 0; j < C; j++) {
            dw[j] += d[j] * (x[j] - m) * s;
            db[j] += d[j];
        }
    }
}

/* ---- GELU (tanh approximation) ------------------------------------------ */

#define GELU_SCALE 0.7978845608028654f /* sqrt(2/pi) */

/* Elementwise work is split into chunks so each thread runs a restrict-
 * qualified loop the compiler vectorises (exp_approx inlines into it). */
#define GELU_CHUNK 4096

static void gelu_chunk(float *restrict out, const float *restrict inp, int n) {
#pragma omp simd
    for (int i = 0; i < n; i++) {
        float x = inp[i];
        float u = GELU_SCALE * (x + 0.044715f * x * x * x);
        out[i] = 0.5f * x * (1.0f + tanh_approx(u));
    }
}

static void gelu_grad_chunk(float *restrict d, const float *restrict inp, int n) {
#pragma omp simd
    for (int i = 0; i < n; i++) {
        float x = inp[i];
        float u = GELU_SCALE * (x + 0.044715f * x * x * x);
        float t = tanh_approx(u);
        float du = GELU_SCALE * (1.0f + 3.0f * 0.044715f * x * x);
        d[i] *= 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * du;
    }
}

void gelu_forward(float *out, const float *inp, int n) {
    int chunks = (n + GELU_CHUNK - 1) / GELU_CHUNK;
#pragma omp parallel for if (n > PAR_MIN_WORK) schedule(static)
    for (int c = 0; c < chunks; c++) {
        int at = c * GELU_CHUNK, len = n - at < GELU_CHUNK ? n - at : GELU_CHUNK;
        gelu_chunk(out + at, inp + at, len);
    }
}

void gelu_backward_inplace(float *d, const float *inp, int n) {
    int chunks = (n + GELU_CHUNK - 1) / GELU_CHUNK;
#pragma omp parallel for if (n > PAR_MIN_WORK) schedule(static)
    for (int c = 0; c < chunks; c++) {
        int at = c * GELU_CHUNK, len = n - at < GELU_CHUNK ? n - at : GELU_CHUNK;
        gelu_grad_chunk(d + at, inp + at, len);
    }
}

/* ---- causal attention --------------------------------------------------- */

/* Rows are processed in blocks so that a block's product skips the columns
 * its causal mask would zero anyway. */
#define ATT_ROW_BLOCK 64

static void head_probs(float *P, const float *q, const float *k, int T, int C3, int hs) {
    float scale = 1.0f / sqrtf((float)hs);
    for (int r0 = 0; r0 < T; r0 += ATT_ROW_BLOCK) {
        int r1 = r0 + ATT_ROW_BLOCK < T ? r0 + ATT_ROW_BLOCK : T;
        /* P[r0:r1, 0:r1] = scale * q[r0:r1] @ k[0:r1]^T */
        sgemm_1t(r1 - r0, r1, hs, scale, q + (size_t)r0 * C3, C3, 1, k, 1, C3, 0.0f,
                 P + (size_t)r0 * T, T, 1);
    }
    for (int i = 0; i < T; i++) {
        float *row = P + (size_t)i * T;
        float mx = row[0];
        for (int j = 1; j <= i; j++) mx = row[j] > mx ? row[j] : mx;
        float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
        for (int j = 0; j <= i; j++) {
            row[j] = exp_approx(row[j] - mx);
            sum += row[j];
        }
        float inv = 1.0f / sum;
        for (int j = 0; j <= i; j++) row[j] *= inv;
        for (int j = i + 1; j < T; j++) row[j] = 0.0f;
    }
}

void attention_forward(float *out, float *att, const float *qkv, int B, int T, int C, int NH) {
    int hs = C / NH, C3 = 3 * C;
#pragma omp parallel for collapse(2) schedule(static)
    for (int b = 0; b < B; b++)
        for (int h = 0; h < NH; h++) {
            const float *q = qkv + (size_t)b * T * C3 + h * hs;
            float *P = att + ((size_t)b * NH + h) * T * T;
            head_probs(P, q, q + C, T, C3, hs);
            float *y = out + (size_t)b * T * C + h * hs;
            for (int r0 = 0; r0 < T; r0 += ATT_ROW_BLOCK) {
                int r1 = r0 + ATT_ROW_BLOCK < T ? r0 + ATT_ROW_BLOCK : T;
                /* y[r0:r1] = P[r0:r1, 0:r1] @ v[0:r1] */
                sgemm_1t(r1 - r0, hs, r1, 1.0f, P + (size_t)r0 * T, T, 1, q + 2 * C, C3, 1, 0.0f,
                         y + (size_t)r0 * C, C, 1);
            }
        }
}

void attention_backward(float *dqkv, float *datt, const float *dout, const float *qkv,
                        const float *att, int B, int T, int C, int NH) {
    int hs = C / NH, C3 = 3 * C;
    float scale = 1.0f / sqrtf((float)hs);
#pragma omp parallel for collapse(2) schedule(static)
    for (int b = 0; b < B; b++)
        for (int h = 0; h < NH; h++) {
            const float *q = qkv + (size_t)b * T * C3 + h * hs;
            const float *k = q + C, *v = q + 2 * C;
            float *dq = dqkv + (size_t)b * T * C3 + h * hs;
            float *dk = dq + C, *dv = dq + 2 * C;
            const float *P = att + ((size_t)b * NH + h) * T * T;
            float *dP = datt + ((size_t)b * NH + h) * T * T;
            const float *dy = dout + (size_t)b * T * C + h * hs;
            /* forward: y = P v  =>  dP = dy v^T, dv = P^T dy */
            sgemm_1t(T, T, hs, 1.0f, dy, C, 1, v, 1, C3, 0.0f, dP, T, 1);
            sgemm_1t(T, hs, T, 1.0f, P, 1, T, dy, C, 1, 0.0f, dv, C3, 1);
            /* forward: P = softmax(S) per row  =>  dS = P (dP - sum_j dP P) */
            for (int i = 0; i < T; i++) {
                const float *p = P + (size_t)i * T;
                float *d = dP + (size_t)i * T;
                float dot = 0.0f;
#pragma omp simd reduction(+ : dot)
                for (int j = 0; j <= i; j++) dot += p[j] * d[j];
                for (int j = 0; j <= i; j++) d[j] = p[j] * (d[j] - dot) * scale;
                for (int j = i + 1; j < T; j++) d[j] = 0.0f;
            }
            /* forward: S = scale q k^T  =>  dq = dS k, dk = dS^T q (scale folded in above) */
            sgemm_1t(T, hs, T, 1.0f, dP, T, 1, k, C3, 1, 0.0f, dq, C3, 1);
            sgemm_1t(T, hs, T, 1.0f, dP, 1, T, q, C3, 1, 0.0f, dk, C3, 1);
        }
}

/* ---- r1sim's own products ------------------------------------------------ */

/* out (M, N) = beta out + A B for A (M, K) read at strides (rsa, csa) and B
 * (K, N) row-major with row stride ldb, N a multiple of COLS_BLOCK. A tile of
 * ROWS_BLOCK x COLS_BLOCK outputs stays in registers over the whole K loop,
 * each B vector loaded once for its ROWS_BLOCK rows; the compiler vectorises
 * the inner loop for the machine it builds on (-march=native). */
#define ROWS_BLOCK 8
#define COLS_BLOCK 32
static inline void tile(float *restrict out, long ldo, const float *restrict a, long rsa, long csa,
                        const float *restrict b, long ldb, int mb, int K, float beta) {
    float acc[ROWS_BLOCK][COLS_BLOCK] = {{0}};
    for (int k = 0; k < K; k++) {
        const float *restrict bk = b + (size_t)k * ldb;
        for (int r = 0; r < ROWS_BLOCK; r++) {
            const float x = r < mb ? a[r * rsa + k * csa] : 0.0f;
#pragma omp simd
            for (int v = 0; v < COLS_BLOCK; v++) acc[r][v] += x * bk[v];
        }
    }
    for (int r = 0; r < mb; r++) {
        float *o = out + (size_t)r * ldo;
        if (beta == 0.0f)
            for (int v = 0; v < COLS_BLOCK; v++) o[v] = acc[r][v];
        else
            for (int v = 0; v < COLS_BLOCK; v++) o[v] = beta * o[v] + acc[r][v];
    }
}

static void tiled_product(float *out, const float *a, long rsa, long csa, const float *b, long ldb,
                          int M, int N, int K, float beta) {
    const int nblocks = N / COLS_BLOCK, mblocks = (M + ROWS_BLOCK - 1) / ROWS_BLOCK;
#pragma omp parallel for collapse(2) schedule(static) if ((long)M * N * K > 262144)
    for (int nb = 0; nb < nblocks; nb++)
        for (int mbk = 0; mbk < mblocks; mbk++) {
            const int m0 = mbk * ROWS_BLOCK, n0 = nb * COLS_BLOCK;
            const int mb = M - m0 < ROWS_BLOCK ? M - m0 : ROWS_BLOCK;
            tile(out + (size_t)m0 * N + n0, N, a + m0 * rsa, rsa, csa, b + n0, ldb, mb, K, beta);
        }
}

int mm_rows_wt_fits(int M, int N) {
    return M <= MM_FEW_ROWS && N % COLS_BLOCK == 0;
}

void mm_rows_wt(float *out, const float *inp, const float *wt, int M, int N, int K, float beta) {
    tiled_product(out, inp, K, 1, wt, N, M, N, K, beta);
}

void transpose_into(float *dst, const float *src, int rows, int cols) {
#pragma omp parallel for schedule(static) if ((long)rows * cols > PAR_MIN_WORK)
    for (int c = 0; c < cols; c++)
        for (int r = 0; r < rows; r++) dst[(size_t)c * rows + r] = src[(size_t)r * cols + c];
}

/* A transposed weight for mm_inp_wT's own path, grown as needed. Products
 * run on one thread at a time (the pipeline's worker), never inside our
 * parallel regions, so one buffer serves them all. */
static float *wt_scratch;
static size_t wt_scratch_cap;

static const float *transposed(const float *w, int N, int K) {
    size_t need = (size_t)N * K;
    if (need > wt_scratch_cap) {
        free(wt_scratch);
        wt_scratch = engine_alloc_floats(need);
        wt_scratch_cap = wt_scratch ? need : 0;
        if (!wt_scratch) engine_out_of_memory("a transposed weight", need * sizeof(float));
    }
    transpose_into(wt_scratch, w, N, K);
    return wt_scratch;
}

int mm_own(int cols) {
    return engine_own_products() && cols % COLS_BLOCK == 0;
}

void mm_inp_wT(float *out, const float *inp, const float *w, int M, int N, int K, float beta) {
    if (mm_own(N)) {
        tiled_product(out, inp, K, 1, transposed(w, N, K), N, M, N, K, beta);
        return;
    }
    /* w^T element (k, n) = w[n*K + k]: row stride 1, column stride K */
    sgemm(M, N, K, 1.0f, inp, K, 1, w, 1, K, beta, out, N, 1);
}

void mm_dout_w(float *dinp, const float *dout, const float *w, int M, int N, int K, float beta) {
    if (mm_own(K)) { /* w (N, K) row-major is the (N x K) right operand as it is */
        tiled_product(dinp, dout, N, 1, w, K, M, K, N, beta);
        return;
    }
    sgemm(M, K, N, 1.0f, dout, N, 1, w, K, 1, beta, dinp, K, 1);
}

void mm_dw_acc(float *dw, const float *dout, const float *inp, int M, int N, int K) {
    if (mm_own(K)) { /* dout^T read in place: element (n, m) = dout[m*N + n] */
        tiled_product(dw, dout, 1, N, inp, K, N, K, M, 1.0f);
        return;
    }
    /* dout^T element (n, m) = dout[m*N + n] */
    sgemm(N, K, M, 1.0f, dout, 1, N, inp, K, 1, 1.0f, dw, K, 1);
}
