#include "engine/rates.h"

#include <stdlib.h>
#include <time.h>

#include "engine/adamw.h"
#include "engine/rng.h"
#include "engine/sampler.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The best of a few repetitions: the least disturbed one is the closest to
 * what a long stage averages on a quiet machine. */
enum { REPS = 3, ROWS = 8, DECODE_SEQS = 64, DECODE_NEW = 16 };

int engine_measure_rates(const GptConfig *cfg, EngineRates *out) {
    if (gpt_config_error(cfg)) return -1;
    const int T = cfg->max_seq_len, n = ROWS * T;
    Gpt *m = gpt_new(cfg);
    int *tok = malloc(sizeof(int) * (size_t)n), *tgt = malloc(sizeof(int) * (size_t)n);
    Sampler *s = sampler_new(cfg, DECODE_SEQS);
    int new_tokens = DECODE_NEW < T - 1 ? DECODE_NEW : T - 1;
    int *out_tok = malloc(sizeof(int) * DECODE_SEQS * (size_t)new_tokens);
    float *out_lp = malloc(sizeof(float) * DECODE_SEQS * (size_t)new_tokens);
    AdamWConfig oc = adamw_defaults();
    AdamW *opt = m ? adamw_new(m, &oc) : NULL;
    int rc = -1;
    if (!m || !tok || !tgt || !s || !out_tok || !out_lp || !opt) goto done;
    gpt_init_random(m, 1);
    Rng r;
    rng_seed(&r, 2);
    for (int i = 0; i < n; i++) {
        tok[i] = (int)rng_below(&r, (uint32_t)cfg->vocab_size);
        tgt[i] = (int)rng_below(&r, (uint32_t)cfg->vocab_size);
    }
    double train = 0, fwd = 0, dec = 0;
    for (int rep = 0; rep <= REPS; rep++) { /* rep 0 warms up (allocations) */
        double t0 = now();
        gpt_zero_grad(m);
        gpt_forward(m, tok, ROWS, T);
        gpt_cross_entropy_step(m, tgt, 1);
        adamw_update(opt, m);
        double t1 = now();
        gpt_forward_nograd(m, tok, ROWS, T);
        double t2 = now();
        int prompt_len[DECODE_SEQS], len[DECODE_SEQS], stopped[DECODE_SEQS];
        const int *prompts[DECODE_SEQS];
        for (int i = 0; i < DECODE_SEQS; i++) {
            prompts[i] = tok + (size_t)(i % ROWS) * T;
            prompt_len[i] = 1;
        }
        SampleOptions so = sample_defaults();
        so.max_new_tokens = new_tokens;
        sampler_generate(s, m, DECODE_SEQS, prompts, prompt_len, &so, &r, out_tok, out_lp, len,
                         stopped);
        double t3 = now();
        if (rep == 0) continue;
        if (t1 > t0 && n / (t1 - t0) > train) train = n / (t1 - t0);
        if (t2 > t1 && n / (t2 - t1) > fwd) fwd = n / (t2 - t1);
        if (t3 > t2 && DECODE_SEQS * new_tokens / (t3 - t2) > dec)
            dec = DECODE_SEQS * new_tokens / (t3 - t2);
    }
    out->train_tok_s = train;
    out->forward_tok_s = fwd;
    out->decode_tok_s = dec;
    rc = train > 0 && fwd > 0 && dec > 0 ? 0 : -1;
done:
    adamw_free(opt);
    sampler_free(s);
    gpt_free(m);
    free(tok);
    free(tgt);
    free(out_tok);
    free(out_lp);
    return rc;
}
