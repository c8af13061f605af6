#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_model.h"
#include "engine/runtime.h"
#include "engine/sampler.h"
#include "world/tokenizer.h"

static const char usage[] =
    "usage: r1sim sample FILE --prompt TEXT [-n N] [--samples K] [--temp X] [--top-k K]\n"
    "                         [--top-p P] [--seed S] [--threads N]\n"
    "Generates completions of TEXT (prefixed with <bos> unless it begins with one)\n"
    "with the KV-cache sampler and prints prompt and completion, one sample per\n"
    "paragraph. Generation stops at </answer>, <eos>, N new tokens or the context.\n"
    "  -n N          new tokens at most (default 48)\n"
    "  --samples K   completions to draw, in one batch (default 1)\n"
    "  --temp X      temperature, 0 for greedy (default 1)\n"
    "  --top-k K     keep the K most likely tokens (default 0: off)\n"
    "  --top-p P     keep the smallest set with probability >= P (default 1: off)\n"
    "  --seed S      random seed (default 1)\n";

int cli_sample(int argc, char **argv) {
    static const struct option opts[] = {{"prompt", required_argument, 0, 'p'},
                                         {"samples", required_argument, 0, 'k'},
                                         {"temp", required_argument, 0, 'T'},
                                         {"top-k", required_argument, 0, 'K'},
                                         {"top-p", required_argument, 0, 'P'},
                                         {"seed", required_argument, 0, 's'},
                                         {"threads", required_argument, 0, 'j'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *prompt = NULL;
    long n_new = 48, samples = 1, top_k = 0, seed = 1, threads = 0;
    double temp = 1.0, top_p = 1.0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'p':
            prompt = optarg;
            break;
        case 'n':
            bad = cli_parse_int("sample", "-n", optarg, 1, 8192, &n_new);
            break;
        case 'k':
            bad = cli_parse_int("sample", "--samples", optarg, 1, 4096, &samples);
            break;
        case 'T':
            bad = cli_parse_float("sample", "--temp", optarg, 0, 100, &temp);
            break;
        case 'K':
            bad = cli_parse_int("sample", "--top-k", optarg, 0, 65536, &top_k);
            break;
        case 'P':
            bad = cli_parse_float("sample", "--top-p", optarg, 0, 1, &top_p);
            break;
        case 's':
            bad = cli_parse_int("sample", "--seed", optarg, 0, 0x7fffffffL, &seed);
            break;
        case 'j':
            bad = cli_parse_threads("sample", optarg, &threads);
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            fputs(usage, stderr);
            return CLI_EXIT_USAGE;
        }
        if (bad) return CLI_EXIT_USAGE;
    }
    if (!threads && (threads = cli_default_threads("sample")) < 0) return CLI_EXIT_USAGE;
    if (optind != argc - 1 || !prompt) {
        fprintf(stderr, "r1sim sample: %s\n%s",
                !prompt ? "--prompt is required" : "expected one FILE", usage);
        return CLI_EXIT_USAGE;
    }
    engine_set_threads((int)threads);
    Gpt *m = cli_load_model("sample", argv[optind]);
    if (!m) return CLI_EXIT_USAGE;
    const int T = m->cfg.max_seq_len;
    int *ids = malloc(sizeof(int) * (size_t)(T + 1));
    int n = cli_encode_with_bos("sample", "--prompt", prompt, ids, T + 1);
    int rc = 0;
    if (n < 0)
        rc = CLI_EXIT_USAGE;
    else if (n >= T) {
        fprintf(stderr, "r1sim sample: --prompt: %d tokens leave no room in the context of %d\n", n,
                T);
        rc = CLI_EXIT_USAGE;
    }
    if (rc) {
        free(ids);
        gpt_free(m);
        return rc;
    }
    Sampler *s = sampler_new(&m->cfg, (int)samples);
    const int **prompts = malloc(sizeof(int *) * (size_t)samples);
    int *plen = malloc(sizeof(int) * (size_t)samples);
    int *out = malloc(sizeof(int) * (size_t)(samples * n_new));
    float *lp = malloc(sizeof(float) * (size_t)(samples * n_new));
    int *len = malloc(sizeof(int) * (size_t)samples),
        *stopped = malloc(sizeof(int) * (size_t)samples);
    if (!s || !prompts || !plen || !out || !lp || !len || !stopped) {
        fprintf(stderr, "r1sim sample: out of memory\n");
        rc = CLI_EXIT_FAIL;
    } else {
        for (long i = 0; i < samples; i++) {
            prompts[i] = ids;
            plen[i] = n;
        }
        int stops[] = {TOK_ANSWER_END, TOK_EOS};
        SampleOptions o = sample_defaults();
        o.temperature = (float)temp;
        o.top_k = (int)top_k;
        o.top_p = (float)top_p;
        o.max_new_tokens = (int)n_new;
        o.stop_tokens = stops;
        o.n_stop = 2;
        Rng rng;
        rng_seed(&rng, (unsigned long long)seed);
        sampler_generate(s, m, (int)samples, prompts, plen, &o, &rng, out, lp, len, stopped);
        size_t need = (size_t)(n + n_new) * 12 + 1;
        char *text = malloc(need);
        for (long i = 0; i < samples; i++) {
            tok_decode(ids, n, text, need);
            fputs(text, stdout);
            tok_decode(out + i * n_new, len[i], text, need);
            printf("%s\n", text);
            if (i + 1 < samples) putchar('\n');
        }
        free(text);
    }
    sampler_free(s);
    free(prompts);
    free(plen);
    free(out);
    free(lp);
    free(len);
    free(stopped);
    free(ids);
    gpt_free(m);
    if (fflush(stdout) != 0) return CLI_EXIT_FAIL;
    return rc;
}
