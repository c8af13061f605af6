#include "cli/bench_grpo.h"
#include "cli/bench_stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "engine/adamw.h"
#include "engine/rng.h"
#include "engine/sampler.h"
#include "train/grpo_math.h"
#include "pipeline/step_records.h"
#include "train/grpo_update.h"

BenchGrpoOptions bench_grpo_defaults(void) {
    /* r1sim's default base and the anchor's defaults */
    return (BenchGrpoOptions){
        .B = 8,
        .G = 8,
        .P = 16,
        .N = 48,
        .minibatches = 2,
        .beta = 0.04f,
        .model = {.max_seq_len = 128, .vocab_size = 64, .n_layer = 4, .n_head = 4, .d_model = 128},
        .warmup = 2,
        .steps = 6,
        .seed = 1337,
    };
}

typedef struct {
    Gpt *policy, *ref;
    AdamW *opt;
    Sampler *sampler;
    GrpoUpdate *update;
    int *prompts, *tokens, *len, *stopped, *order;
    const int **prompt_ptr;
    int *prompt_len;
    float *logp, *reward, *adv;
    GrpoSeq *seqs;
} Bench;

static void bench_free(Bench *b) {
    gpt_free(b->policy);
    gpt_free(b->ref);
    adamw_free(b->opt);
    sampler_free(b->sampler);
    grpo_update_free(b->update);
    void *bufs[] = {b->prompts,    b->tokens, b->len,    b->stopped, b->order, b->prompt_ptr,
                    b->prompt_len, b->logp,   b->reward, b->adv,     b->seqs};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) free(bufs[i]);
}

/* One step; times[0..3] = total, rollout, reference, update. With a trace,
 * the update records every token into it, as the grpo stage does each step. */
static void step(Bench *b, const BenchGrpoOptions *o, Rng *rng, double *times, GrpoTrace *trace) {
    const int n = o->B * o->G, V = o->model.vocab_size;
    double t0 = bench_now();
    for (int p = 0; p < o->B; p++)
        for (int t = 0; t < o->P; t++)
            b->prompts[(size_t)p * o->P + t] = (int)rng_below(rng, (uint32_t)V);
    for (int i = 0; i < n; i++) {
        b->prompt_ptr[i] = b->prompts + (size_t)(i / o->G) * o->P;
        b->prompt_len[i] = o->P;
    }
    SampleOptions so = sample_defaults();
    so.max_new_tokens = o->N;
    sampler_generate(b->sampler, b->policy, n, b->prompt_ptr, b->prompt_len, &so, rng, b->tokens,
                     b->logp, b->len, b->stopped);
    for (int i = 0; i < n; i++) {
        int even = 0;
        for (int t = 0; t < b->len[i]; t++) even += b->tokens[(size_t)i * o->N + t] % 2 == 0;
        b->reward[i] = b->len[i] ? (float)even / (float)b->len[i] : 0.0f;
    }
    grpo_advantages(b->reward, o->B, o->G, 1, 1e-4f, b->adv);
    for (int i = 0; i < n; i++)
        b->seqs[i] = (GrpoSeq){.prompt = b->prompt_ptr[i],
                               .prompt_len = o->P,
                               .tokens = b->tokens + (size_t)i * o->N,
                               .len = b->len[i],
                               .old_logp = b->logp + (size_t)i * o->N,
                               .adv = b->adv[i]};
    double t1 = bench_now();
    const GrpoLossConfig lc = {.temperature = 1.0f,
                               .beta = o->beta,
                               .eps_low = 0.2f,
                               .eps_high = 0.2f,
                               .loss_type = GRPO_LOSS_GRPO,
                               .max_new_tokens = o->N};
    GrpoTotals tot = {0};
    for (int i = 0; i < n; i++) b->order[i] = i;
    if (trace) grpo_trace_reset(trace, o->B, o->G);
    for (int mb = 0; mb < o->minibatches; mb++) {
        int from = n * mb / o->minibatches, to = n * (mb + 1) / o->minibatches;
        grpo_update_trace(b->update, trace, 0, mb);
        grpo_update_minibatch(b->update, b->policy, b->ref, b->opt, b->seqs, b->order + from,
                              to - from, &lc, &tot);
    }
    grpo_update_trace(b->update, NULL, 0, 0);
    if (trace) grpo_trace_finish(trace);
    double t2 = bench_now();
    times[0] = t2 - t0;
    times[1] = t1 - t0;
    times[2] = tot.ref_seconds;
    times[3] = t2 - t1 - tot.ref_seconds;
}

int bench_grpo(const BenchGrpoOptions *o, BenchGrpoResult *out, char *err, size_t errlen) {
    if (o->B < 1 || o->G < 2 || o->P < 1 || o->N < 1 || o->minibatches < 1 ||
        o->minibatches > o->B * o->G || o->steps < 1 || o->warmup < 0 ||
        o->P + o->N > o->model.max_seq_len) {
        snprintf(err, errlen,
                 "bench --grpo: B, G >= 2, P, N, minibatches and steps must be "
                 "positive, and P + N must fit the context");
        return -1;
    }
    const int n = o->B * o->G;
    Bench b = {0};
    b.policy = gpt_new(&o->model);
    b.ref = gpt_new(&o->model);
    AdamWConfig oc = adamw_defaults();
    oc.lr = 5e-5f;
    oc.beta2 = 0.99f;
    oc.weight_decay = 0.0f;
    oc.grad_clip = 1.0f;
    b.sampler = sampler_new(&o->model, n);
    b.update = grpo_update_new(&o->model, n);
    b.prompts = malloc(sizeof(int) * (size_t)o->B * o->P);
    b.tokens = malloc(sizeof(int) * (size_t)n * o->N);
    b.logp = malloc(sizeof(float) * (size_t)n * o->N);
    b.len = malloc(sizeof(int) * (size_t)n);
    b.stopped = malloc(sizeof(int) * (size_t)n);
    b.order = malloc(sizeof(int) * (size_t)n);
    b.prompt_ptr = malloc(sizeof(int *) * (size_t)n);
    b.prompt_len = malloc(sizeof(int) * (size_t)n);
    b.reward = malloc(sizeof(float) * (size_t)n);
    b.adv = malloc(sizeof(float) * (size_t)n);
    b.seqs = calloc((size_t)n, sizeof(GrpoSeq));
    double *t = malloc(sizeof(double) * 4 * (size_t)o->steps);
    if (!b.policy || !b.ref || !b.sampler || !b.update || !b.prompts || !b.tokens || !b.logp ||
        !b.len || !b.stopped || !b.order || !b.prompt_ptr || !b.prompt_len || !b.reward || !b.adv ||
        !b.seqs || !t) {
        bench_free(&b);
        free(t);
        snprintf(err, errlen, "bench --grpo: out of memory");
        return -1;
    }
    gpt_init_random(b.policy, o->seed);
    gpt_copy_params(b.ref, b.policy);
    b.opt = adamw_new(b.policy, &oc);
    if (!b.opt) {
        bench_free(&b);
        free(t);
        snprintf(err, errlen, "bench --grpo: out of memory");
        return -1;
    }
    Rng rng;
    rng_seed(&rng, o->seed);
    double times[4];
    for (int s = 0; s < o->warmup; s++) step(&b, o, &rng, times, NULL);
    double *col[4];
    for (int k = 0; k < 4; k++) col[k] = t + (size_t)k * o->steps;
    /* With record, every timed step is taken twice, without and with the
     * trace, so that both medians come from the same minutes of a shared
     * machine; the recorded one is then appended to a tokens.csv. */
    double *rec = o->record ? malloc(sizeof(double) * 2 * (size_t)o->steps) : NULL;
    GrpoTrace trace = {0};
    CsvAppender *csv = NULL;
    char path[128];
    snprintf(path, sizeof path, "/tmp/r1sim-bench-tokens-%ld.csv", (long)getpid());
    if (o->record) {
        char e[256];
        csv = rec ? csvio_append_open(path, step_records_columns, STEP_RECORDS_NCOLS, e, sizeof e)
                  : NULL;
        if (!csv) {
            snprintf(err, errlen, "bench --grpo --record: %s", rec ? e : "out of memory");
            free(rec);
            bench_free(&b);
            free(t);
            return -1;
        }
    }
    long bytes = 0;
    for (int s = 0; s < o->steps; s++) {
        step(&b, o, &rng, times, NULL);
        for (int k = 0; k < 4; k++) col[k][s] = times[k];
        if (!o->record) continue;
        step(&b, o, &rng, times, &trace);
        rec[s] = times[0];
        double w0 = bench_now();
        char e[256];
        trace.step = s + 1;
        step_records_append(csv, &trace, e, sizeof e);
        rec[o->steps + s] = bench_now() - w0;
    }
    if (o->record) {
        csvio_append_close(csv, NULL, 0);
        FILE *f = fopen(path, "rb");
        if (f && fseek(f, 0, SEEK_END) == 0) bytes = ftell(f);
        if (f) fclose(f);
        remove(path);
        out->record_step_s = bench_median(rec, o->steps);
        out->record_write_s = bench_median(rec + o->steps, o->steps);
        out->record_bytes_per_step = (double)bytes / o->steps;
    }
    free(rec);
    grpo_trace_free(&trace);
    out->step_s = bench_median(col[0], o->steps);
    out->rollout_s = bench_median(col[1], o->steps);
    out->reference_s = bench_median(col[2], o->steps);
    out->update_s = bench_median(col[3], o->steps);
    out->completion_tokens_per_s = (double)n * o->N / out->step_s;
    bench_free(&b);
    free(t);
    return 0;
}
