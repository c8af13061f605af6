#include <blis.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli/bench_grpo.h"
#include "cli/bench_stats.h"
#include "cli/cli.h"
#include "engine/adamw.h"
#include "engine/gpt.h"
#include "engine/rng.h"
#include "engine/runtime.h"
#include "engine/sampler.h"

static const char usage[] =
    "usage: r1sim bench [--config S|M|L|all] [--threads N] [--csv]\n"
    "       r1sim bench --grpo [--threads N] [--csv] [--B N] [--G N] [--P N] [--N N]\n"
    "                   [--minibatches N] [--beta X] [--d N] [--layers N] [--heads N]\n"
    "                   [--ctx N] [--steps N] [--record]\n"
    "Measures the engine on this machine: training tokens/s (forward, backward\n"
    "and AdamW on a fixed random batch), sampling tokens/s (16 sequences, a\n"
    "16-token prompt, 48 new tokens, KV cache), the implied GFLOP/s and the share\n"
    "of BLIS's sgemm peak (n = 1024) measured here at the same thread count.\n"
    "  --config C   S, M, L or all (default all)\n"
    "  --threads N  one thread count (default: 1 and 2)\n"
    "  --csv        one CSV row per configuration and thread count\n"
    "With --grpo, one GRPO step instead, as bench/torch_grpo_bench.py times it:\n"
    "B random P-token prompts x G completions of exactly N new tokens, a rule\n"
    "reward, the reference forward, `minibatches` clipped, KL-penalised AdamW\n"
    "steps; ms per step (median of --steps after 2 warm-up steps), completion\n"
    "tokens/s and the split into rollout, reference and update. Defaults: B 8,\n"
    "G 8, P 16, N 48, minibatches 2, beta 0.04, d 128, layers 4, heads 4, ctx\n"
    "128, steps 6, 2 threads unless --threads. --record takes each timed step\n"
    "twice, without and with the step inspector's recording (the trace, and\n"
    "its tokens.csv rows), and prints the cost.\n";

typedef struct {
    const char *name;
    GptConfig cfg;
    int B;
} BenchConfig;

/* The configurations of docs/design.md, "Benchmarks and targets", also used by
 * the PyTorch anchor (bench/torch_gpt_bench.py). */
static const BenchConfig configs[] = {
    {"S", {.max_seq_len = 64, .vocab_size = 64, .n_layer = 4, .n_head = 4, .d_model = 128}, 32},
    {"M", {.max_seq_len = 128, .vocab_size = 64, .n_layer = 6, .n_head = 8, .d_model = 256}, 16},
    {"L", {.max_seq_len = 256, .vocab_size = 256, .n_layer = 6, .n_head = 6, .d_model = 384}, 8},
};

/* FLOPs per trained token as nanoGPT's estimate_mfu counts them (PaLM
 * appendix B): 6 N + 12 L C T, N without the position embeddings. */
static double flops_per_token(const GptConfig *c) {
    double n = (double)gpt_num_params(c) - (double)c->max_seq_len * c->d_model;
    return 6.0 * n + 12.0 * c->n_layer * c->d_model * c->max_seq_len;
}

static double sgemm_peak_gflops(void) {
    const int n = 1024;
    float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n);
    float *c = malloc(sizeof(float) * n * n);
    for (int i = 0; i < n * n; i++) a[i] = b[i] = 1e-3f * (float)(i % 97);
    float one = 1.0f, zero = 0.0f;
    double best = 0;
    for (int rep = 0; rep < 8; rep++) {
        double t0 = bench_now();
        bli_sgemm(BLIS_NO_TRANSPOSE, BLIS_NO_TRANSPOSE, n, n, n, &one, a, n, 1, b, n, 1, &zero, c,
                  n, 1);
        double g = 2.0 * n * n * n / (bench_now() - t0) / 1e9;
        if (rep >= 2 && g > best) best = g;
    }
    free(a);
    free(b);
    free(c);
    return best;
}

/* Sequences per forward/backward pass: the whole batch unless its activations
 * would exceed ~96 MB, then halves (gradient accumulation; the same
 * arithmetic). This keeps M's peak RSS under 200 MB. */
static int micro_batch(const BenchConfig *bc) {
    const GptConfig *c = &bc->cfg;
    double per_row = 4.0 * ((double)c->n_layer * (16.0 * c->d_model + 4) +
                            (double)c->n_layer * c->n_head * c->max_seq_len + 2.0 * c->vocab_size);
    int mb = bc->B;
    while (mb > 1 && per_row * mb * c->max_seq_len > 96e6) mb /= 2;
    return mb;
}

static double train_tokens_per_s(const BenchConfig *bc) {
    const GptConfig *c = &bc->cfg;
    const int B = bc->B, T = c->max_seq_len, mb = micro_batch(bc);
    Gpt *m = gpt_new(c);
    gpt_init_random(m, 1);
    int *inp = malloc(sizeof(int) * (size_t)B * T), *tgt = malloc(sizeof(int) * (size_t)B * T);
    Rng r;
    rng_seed(&r, 2);
    for (int i = 0; i < B * T; i++) {
        inp[i] = (int)rng_below(&r, (uint32_t)c->vocab_size);
        tgt[i] = (int)rng_below(&r, (uint32_t)c->vocab_size);
    }
    AdamWConfig oc = adamw_defaults();
    AdamW *opt = adamw_new(m, &oc);
    /* one step = forward + backward over B*T tokens (in micro-batches) + AdamW */
#define TRAIN_STEP()                                                                               \
    do {                                                                                           \
        gpt_zero_grad(m);                                                                          \
        for (int b0 = 0; b0 < B; b0 += mb) {                                                       \
            gpt_forward(m, inp + (size_t)b0 * T, mb, T);                                           \
            gpt_cross_entropy_step(m, tgt + (size_t)b0 * T, 1);                                    \
        }                                                                                          \
        adamw_update(opt, m);                                                                      \
    } while (0)
    double t0 = bench_now();
    for (int i = 0; i < 3; i++) TRAIN_STEP();
    double per_step = (bench_now() - t0) / 3;
    int steps = per_step > 0 ? (int)(1.0 / per_step) + 1 : 1;
    double rates[5];
    for (int w = 0; w < 5; w++) {
        t0 = bench_now();
        for (int i = 0; i < steps; i++) TRAIN_STEP();
        rates[w] = (double)steps * B * T / (bench_now() - t0);
    }
#undef TRAIN_STEP
    adamw_free(opt);
    free(inp);
    free(tgt);
    gpt_free(m);
    return bench_median(rates, 5);
}

static double sample_tokens_per_s(const BenchConfig *bc) {
    enum { G = 16, PROMPT = 16, NEW = 48 };
    const GptConfig *c = &bc->cfg;
    Gpt *m = gpt_new(c);
    gpt_init_random(m, 3);
    Sampler *s = sampler_new(c, G);
    int prompt[PROMPT];
    Rng r;
    rng_seed(&r, 4);
    for (int i = 0; i < PROMPT; i++) prompt[i] = (int)rng_below(&r, (uint32_t)c->vocab_size);
    const int *prompts[G];
    int plen[G], out[G * NEW], len[G], stopped[G];
    float lp[G * NEW];
    for (int i = 0; i < G; i++) {
        prompts[i] = prompt;
        plen[i] = PROMPT;
    }
    SampleOptions o = sample_defaults();
    o.max_new_tokens = NEW;
    for (int i = 0; i < 3; i++)
        sampler_generate(s, m, G, prompts, plen, &o, &r, out, lp, len, stopped);
    double rates[7];
    for (int w = 0; w < 7; w++) {
        double t0 = bench_now();
        int reps = 0;
        do {
            sampler_generate(s, m, G, prompts, plen, &o, &r, out, lp, len, stopped);
            reps++;
        } while (bench_now() - t0 < 0.3);
        rates[w] = (double)reps * G * NEW / (bench_now() - t0);
    }
    sampler_free(s);
    gpt_free(m);
    return bench_median(rates, 7);
}

static int run_grpo(const BenchGrpoOptions *o, int threads, int csv) {
    engine_set_threads(threads);
    double peak = sgemm_peak_gflops();
    BenchGrpoResult r;
    char err[256];
    if (bench_grpo(o, &r, err, sizeof err)) {
        fprintf(stderr, "r1sim %s\n", err);
        return CLI_EXIT_USAGE;
    }
    const GptConfig *m = &o->model;
    if (csv) {
        printf("bench,threads,B,G,P,N,minibatches,beta,d,layers,heads,ctx,step_ms,completion_"
               "tokens_per_s,rollout_ms,reference_ms,update_ms,sgemm_peak_gflops%s\n",
               o->record ? ",record_step_ms,record_write_ms,record_bytes_per_step" : "");
        printf("grpo,%d,%d,%d,%d,%d,%d,%g,%d,%d,%d,%d,%.1f,%.0f,%.1f,%.1f,%.1f,%.2f", threads, o->B,
               o->G, o->P, o->N, o->minibatches, o->beta, m->d_model, m->n_layer, m->n_head,
               m->max_seq_len, r.step_s * 1e3, r.completion_tokens_per_s, r.rollout_s * 1e3,
               r.reference_s * 1e3, r.update_s * 1e3, peak);
        if (o->record)
            printf(",%.1f,%.1f,%.0f", r.record_step_s * 1e3, r.record_write_s * 1e3,
                   r.record_bytes_per_step);
        printf("\n");
    } else {
        printf("r1sim GRPO step, %d threads, B%d x G%d, P%d + N%d, d %d, %d layers: %.0f ms/step "
               "(%.0f completion tok/s): rollout %.0f ms, reference %.0f ms, update %.0f ms; "
               "sgemm peak %.1f GFLOP/s\n",
               threads, o->B, o->G, o->P, o->N, m->d_model, m->n_layer, r.step_s * 1e3,
               r.completion_tokens_per_s, r.rollout_s * 1e3, r.reference_s * 1e3, r.update_s * 1e3,
               peak);
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        if (o->record) {
            /* the trace every step, the rows every samples_every-th (default 10) */
            double per10 = r.record_step_s - r.step_s + r.record_write_s / 10;
            printf(
                "recording: %.1f ms/step with the trace in memory (%+.1f %%), tokens.csv rows "
                "%.1f ms and %.0f kB per recorded step; at samples_every 10: %+.1f %% per step\n",
                r.record_step_s * 1e3, 100 * (r.record_step_s / r.step_s - 1),
                r.record_write_s * 1e3, r.record_bytes_per_step / 1e3, 100 * per10 / r.step_s);
        }
        printf("peak RSS %.1f MB; dense products: %s\n", ru.ru_maxrss / 1024.0,
               engine_products_name());
    }
    return 0;
}

/* --grpo's shape options: getopt codes from 1000 on, in this order. */
static const char *const grpo_opt_names[] = {"B", "G",      "P",     "N",   "minibatches", "beta",
                                             "d", "layers", "heads", "ctx", "steps"};
enum { N_GRPO_OPTS = sizeof grpo_opt_names / sizeof grpo_opt_names[0], GRPO_OPT0 = 1000 };

static int set_grpo_option(BenchGrpoOptions *o, int which, const char *text) {
    char flag[32];
    snprintf(flag, sizeof flag, "--%s", grpo_opt_names[which]);
    if (which == 5) {
        double v;
        if (cli_parse_float("bench", flag, text, 0, 100, &v)) return -1;
        o->beta = (float)v;
        return 0;
    }
    long v;
    if (cli_parse_int("bench", flag, text, 1, 4096, &v)) return -1;
    int *fields[] = {&o->B,
                     &o->G,
                     &o->P,
                     &o->N,
                     &o->minibatches,
                     NULL,
                     &o->model.d_model,
                     &o->model.n_layer,
                     &o->model.n_head,
                     &o->model.max_seq_len,
                     &o->steps};
    *fields[which] = (int)v;
    return 0;
}

int cli_bench(int argc, char **argv) {
    struct option opts[6 + N_GRPO_OPTS + 1] = {
        {"config", required_argument, 0, 'c'}, {"threads", required_argument, 0, 'j'},
        {"csv", no_argument, 0, 'C'},          {"grpo", no_argument, 0, 'g'},
        {"record", no_argument, 0, 'r'},       {"help", no_argument, 0, 'h'}};
    for (int i = 0; i < N_GRPO_OPTS; i++)
        opts[6 + i] = (struct option){grpo_opt_names[i], required_argument, 0, GRPO_OPT0 + i};
    opts[6 + N_GRPO_OPTS] = (struct option){0, 0, 0, 0};
    const char *which = "all";
    long threads = 0;
    int csv = 0, grpo = 0, grpo_shape = 0, c;
    BenchGrpoOptions go = bench_grpo_defaults();
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c >= GRPO_OPT0 && c < GRPO_OPT0 + N_GRPO_OPTS) {
            if (set_grpo_option(&go, c - GRPO_OPT0, optarg)) return CLI_EXIT_USAGE;
            grpo_shape = 1;
        } else if (c == 'g')
            grpo = 1;
        else if (c == 'r') {
            go.record = 1;
            grpo_shape = 1;
        } else if (c == 'c')
            which = optarg;
        else if (c == 'j') {
            if (cli_parse_threads("bench", optarg, &threads)) return CLI_EXIT_USAGE;
        } else if (c == 'C')
            csv = 1;
        else if (c == 'h') {
            fputs(usage, stdout);
            return 0;
        } else {
            fputs(usage, stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "r1sim bench: unexpected argument '%s'\n", argv[optind]);
        return CLI_EXIT_USAGE;
    }
    if (grpo_shape && !grpo) {
        fprintf(stderr, "r1sim bench: --record and the GRPO shape options need --grpo\n");
        return CLI_EXIT_USAGE;
    }
    if (grpo) return run_grpo(&go, threads ? (int)threads : 2, csv);
    int run[3] = {0, 0, 0};
    if (strcmp(which, "all") == 0)
        run[0] = run[1] = run[2] = 1;
    else if (strcmp(which, "S") == 0 || strcmp(which, "s") == 0)
        run[0] = 1;
    else if (strcmp(which, "M") == 0 || strcmp(which, "m") == 0)
        run[1] = 1;
    else if (strcmp(which, "L") == 0 || strcmp(which, "l") == 0)
        run[2] = 1;
    else {
        fprintf(stderr, "r1sim bench: --config: expected S, M, L or all, got '%s'\n", which);
        return CLI_EXIT_USAGE;
    }
    int thread_list[2] = {1, 2}, n_threads = 2;
    if (threads) {
        thread_list[0] = (int)threads;
        n_threads = 1;
    }
    if (csv)
        printf("config,threads,train_tokens_per_s,sample_tokens_per_s,train_gflops,sgemm_peak_"
               "gflops\n");
    else
        printf("%-6s %7s %14s %15s %12s %11s %9s\n", "config", "threads", "train tok/s",
               "sample tok/s", "train GFLOP/s", "sgemm peak", "of peak");
    for (int ti = 0; ti < n_threads; ti++) {
        engine_set_threads(thread_list[ti]);
        double peak = sgemm_peak_gflops();
        for (int k = 0; k < 3; k++) {
            if (!run[k]) continue;
            const BenchConfig *bc = &configs[k];
            double train = train_tokens_per_s(bc);
            double samp = sample_tokens_per_s(bc);
            double gflops = train * flops_per_token(&bc->cfg) / 1e9;
            if (csv)
                printf("%s,%d,%.0f,%.0f,%.2f,%.2f\n", bc->name, thread_list[ti], train, samp,
                       gflops, peak);
            else
                printf("%-6s %7d %14.0f %15.0f %13.1f %11.1f %8.0f%%\n", bc->name, thread_list[ti],
                       train, samp, gflops, peak, 100.0 * gflops / peak);
            fflush(stdout);
        }
    }
    if (!csv) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        printf("peak RSS %.1f MB; dense products: %s\n", ru.ru_maxrss / 1024.0,
               engine_products_name());
    }
    return 0;
}
