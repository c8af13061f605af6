#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_model.h"
#include "engine/runtime.h"
#include "world/tokenizer.h"

static const char usage[] =
    "usage: r1sim score FILE [--threads N]\n"
    "Reads text lines on stdin and prints, for every token after the first,\n"
    "  line<TAB>pos<TAB>token_id<TAB>token<TAB>logp\n"
    "where logp = log P(token at pos | tokens before it) under the model in FILE.\n"
    "Each line is prefixed with <bos> unless it begins with one, so pos 0 is\n"
    "<bos> and every character of the line is scored. Special tokens are\n"
    "written as text (<think>, </answer>, ...).\n";

int cli_score(int argc, char **argv) {
    static const struct option opts[] = {
        {"threads", required_argument, 0, 'j'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    long threads = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'j') {
            if (cli_parse_threads("score", optarg, &threads)) return CLI_EXIT_USAGE;
        } else if (c == 'h') {
            fputs(usage, stdout);
            return 0;
        } else {
            fputs(usage, stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (!threads && (threads = cli_default_threads("score")) < 0) return CLI_EXIT_USAGE;
    if (optind != argc - 1) {
        fputs(usage, stderr);
        return CLI_EXIT_USAGE;
    }
    engine_set_threads((int)threads);
    Gpt *m = cli_load_model("score", argv[optind]);
    if (!m) return CLI_EXIT_USAGE;
    const int T = m->cfg.max_seq_len;
    int *ids = malloc(sizeof(int) * (size_t)(T + 1));
    int *targets = malloc(sizeof(int) * (size_t)T);
    float *logp = malloc(sizeof(float) * (size_t)T);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = 0;
    for (long lineno = 1; (len = getline(&line, &cap, stdin)) >= 0; lineno++) {
        if (len > 0 && line[len - 1] == '\n') line[--len] = '\0';
        if (len > 0 && line[len - 1] == '\r') line[--len] = '\0';
        char where[32];
        snprintf(where, sizeof where, "stdin:%ld", lineno);
        /* getline keeps a NUL; the encoder would stop there and score a
         * shorter line than the one given. */
        const char *nul = memchr(line, '\0', (size_t)len);
        if (nul) {
            fprintf(stderr, "r1sim score: %s: NUL byte at byte %td of the line\n", where,
                    nul - line + 1);
            rc = CLI_EXIT_USAGE;
            break;
        }
        int n = cli_encode_with_bos("score", where, line, ids, T + 1);
        if (n < 0) {
            rc = CLI_EXIT_USAGE;
            break;
        }
        if (n > T) {
            fprintf(stderr, "r1sim score: %s: %d tokens, more than the model's context of %d\n",
                    where, n, T);
            rc = CLI_EXIT_USAGE;
            break;
        }
        if (n < 2) continue;
        for (int i = 0; i < n; i++) targets[i] = i + 1 < n ? ids[i + 1] : -1;
        gpt_forward(m, ids, 1, n);
        gpt_logp(m, targets, 1.0f, logp, NULL);
        for (int pos = 1; pos < n; pos++)
            printf("%ld\t%d\t%d\t%s\t%.6f\n", lineno, pos, ids[pos], tok_text(ids[pos]),
                   logp[pos - 1]);
    }
    free(line);
    free(ids);
    free(targets);
    free(logp);
    gpt_free(m);
    if (fflush(stdout) != 0) return CLI_EXIT_FAIL;
    return rc;
}
