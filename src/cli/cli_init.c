#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/checkpoint.h"
#include "engine/gpt.h"
#include "world/tokenizer.h"

static const char usage[] =
    "usage: r1sim init --layers L --dim D --heads H --ctx T [--seed S] -o FILE\n"
    "Writes a randomly initialised model (GPT-2 initialisation) with r1sim's\n"
    "vocabulary of 64 tokens to FILE.\n"
    "  --layers L   transformer blocks (1-64)\n"
    "  --dim D      model width d_model (1-4096), a multiple of --heads\n"
    "  --heads H    attention heads\n"
    "  --ctx T      context length in tokens (1-8192)\n"
    "  --seed S     random seed (default 1)\n"
    "  -o FILE      output checkpoint (written to a temporary file, then renamed)\n";

int cli_init(int argc, char **argv) {
    static const struct option opts[] = {
        {"layers", required_argument, 0, 'l'}, {"dim", required_argument, 0, 'd'},
        {"heads", required_argument, 0, 'H'},  {"ctx", required_argument, 0, 't'},
        {"seed", required_argument, 0, 's'},   {"output", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    long layers = 0, dim = 0, heads = 0, ctx = 0, seed = 1;
    const char *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'l':
            bad = cli_parse_int("init", "--layers", optarg, 1, 64, &layers);
            break;
        case 'd':
            bad = cli_parse_int("init", "--dim", optarg, 1, 4096, &dim);
            break;
        case 'H':
            bad = cli_parse_int("init", "--heads", optarg, 1, 4096, &heads);
            break;
        case 't':
            bad = cli_parse_int("init", "--ctx", optarg, 1, 8192, &ctx);
            break;
        case 's':
            bad = cli_parse_int("init", "--seed", optarg, 0, 0x7fffffffL, &seed);
            break;
        case 'o':
            out = optarg;
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
    const char *missing = !layers  ? "--layers"
                          : !dim   ? "--dim"
                          : !heads ? "--heads"
                          : !ctx   ? "--ctx"
                          : !out   ? "-o"
                                   : NULL;
    if (missing) {
        fprintf(stderr, "r1sim init: %s is required (see r1sim init --help)\n", missing);
        return CLI_EXIT_USAGE;
    }
    if (optind < argc) {
        fprintf(stderr, "r1sim init: unexpected argument '%s'\n", argv[optind]);
        return CLI_EXIT_USAGE;
    }
    GptConfig cfg = {.max_seq_len = (int)ctx,
                     .vocab_size = TOK_VOCAB_SIZE,
                     .n_layer = (int)layers,
                     .n_head = (int)heads,
                     .d_model = (int)dim};
    const char *bad = gpt_config_error(&cfg);
    if (bad) {
        fprintf(stderr, "r1sim init: %s (--dim %ld, --heads %ld)\n", bad, dim, heads);
        return CLI_EXIT_USAGE;
    }
    Gpt *m = gpt_new(&cfg);
    if (!m) {
        fprintf(stderr, "r1sim init: out of memory\n");
        return CLI_EXIT_FAIL;
    }
    gpt_init_random(m, (unsigned long long)seed);
    char err[512];
    int rc = ckpt_save(m, out, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "r1sim init: %s\n", err);
    else
        fprintf(stderr, "r1sim init: wrote %s (%zu parameters)\n", out, m->num_params);
    gpt_free(m);
    return rc ? CLI_EXIT_FAIL : 0;
}
