#include "cli/run_args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "pipeline/shared_cache.h"

const char run_args_usage[] =
    "usage: r1sim run SCRIPT.lua [--headless] [--out DIR] [--seed N] [--fresh]\n"
    "                 [-D name=value ...] [--threads N] [--unsafe] [--ascii]\n"
    "                 [--dry-run] [--cache DIR | --no-cache]\n"
    "       r1sim SCRIPT.lua [OPTIONS]     (the same)\n"
    "Runs the pipeline SCRIPT declares; stages whose options and inputs are unchanged\n"
    "are reused from DIR (default runs/SCRIPT-NAME) or from the stage cache shared\n"
    "between runs (default .cache beside DIR). On a terminal the live flowchart\n"
    "opens, paused (space runs, ? lists the keys); --headless, or no terminal, prints\n"
    "progress lines instead. Ctrl-C or q stops at a consistent point; the same\n"
    "command resumes. --dry-run trains nothing: it prints each stage's work and an\n"
    "estimate of its wall time on this machine. See r1sim(1) and r1sim-lua(5).\n";

/* -D name=value, or -Dname=value (d is what follows -D). */
static int add_def(RunArgs *a, const char *d) {
    const char *eq = strchr(d, '=');
    if (!eq || eq == d) {
        fprintf(stderr, "r1sim run: -D: expected name=value, got '%s'\n", d);
        return CLI_EXIT_USAGE;
    }
    /* The later value wins, as a sweep that appends its override to a fixed
     * command line expects; said, since the earlier one may be what the
     * user meant. */
    size_t nlen = (size_t)(eq - d);
    int j = 0;
    while (j < a->n_defs && (strncmp(a->names[j], d, nlen) || a->names[j][nlen])) j++;
    if (j < a->n_defs) {
        fprintf(stderr, "r1sim run: note: -D %s given twice; the later value '%s' wins over '%s'\n",
                a->names[j], eq + 1, a->values[j]);
        a->values[j] = eq + 1;
        return 0;
    }
    if (a->n_defs >= RUN_ARGS_MAX_DEFS) {
        fprintf(stderr, "r1sim run: -D: at most %d names\n", RUN_ARGS_MAX_DEFS);
        return CLI_EXIT_USAGE;
    }
    a->defbuf[a->n_defs] = strndup(d, nlen);
    a->names[a->n_defs] = a->defbuf[a->n_defs];
    a->values[a->n_defs] = eq + 1;
    a->n_defs++;
    return 0;
}

static int parse_words(int argc, char **argv, RunArgs *a) {
    for (int i = 1; i < argc; i++) {
        const char *w = argv[i];
        if (!strcmp(w, "--help") || !strcmp(w, "-h")) {
            a->help = true;
            return 0;
        } else if (!strcmp(w, "--headless")) {
            a->headless = true;
        } else if (!strcmp(w, "--dry-run")) {
            a->dry = true;
        } else if (!strcmp(w, "--ascii")) {
            a->ascii = true;
        } else if (!strcmp(w, "--fresh")) {
            a->fresh = true;
        } else if (!strcmp(w, "--no-cache")) {
            a->no_cache = true;
        } else if (!strcmp(w, "--unsafe")) {
            a->unsafe = true;
        } else if ((!strcmp(w, "--out") || !strcmp(w, "--cache") || !strcmp(w, "--seed") ||
                    !strcmp(w, "--threads") || !strcmp(w, "-D")) &&
                   i + 1 >= argc) {
            fprintf(stderr, "r1sim run: %s needs a value\n%s", w, run_args_usage);
            return CLI_EXIT_USAGE;
        } else if (!strcmp(w, "--out")) {
            a->out = argv[++i];
            /* "" would join into paths such as /base/model.ckpt: the stages'
             * directories at the file system's root. */
            if (!a->out[0]) {
                fprintf(stderr, "r1sim run: --out: expected a directory, got ''\n");
                return CLI_EXIT_USAGE;
            }
        } else if (!strcmp(w, "--cache")) {
            a->cache = argv[++i];
            if (!a->cache[0]) {
                fprintf(stderr, "r1sim run: --cache: expected a directory, got ''\n");
                return CLI_EXIT_USAGE;
            }
        } else if (!strcmp(w, "--seed")) {
            long v;
            if (cli_parse_int("run", "--seed", argv[++i], 0, 2147483647L, &v))
                return CLI_EXIT_USAGE;
            a->seed = (unsigned long long)v;
        } else if (!strcmp(w, "--threads")) {
            if (cli_parse_threads("run", argv[++i], &a->threads)) return CLI_EXIT_USAGE;
        } else if (!strncmp(w, "-D", 2)) {
            int rc = add_def(a, w[2] ? w + 2 : argv[++i]);
            if (rc) return rc;
        } else if (w[0] == '-') {
            fprintf(stderr, "r1sim run: unknown option '%s'\n%s", w, run_args_usage);
            return CLI_EXIT_USAGE;
        } else if (!a->script) {
            a->script = w;
        } else {
            fprintf(stderr, "r1sim run: one script only (got '%s' and '%s')\n", a->script, w);
            return CLI_EXIT_USAGE;
        }
    }
    return 0;
}

int run_args_parse(int argc, char **argv, RunArgs *a) {
    memset(a, 0, sizeof *a);
    a->seed = 1;
    int rc = parse_words(argc, argv, a);
    if (rc || a->help) return rc;
    if (!a->script) {
        fputs(run_args_usage, stderr);
        return CLI_EXIT_USAGE;
    }
    /* after the words: R1SIM_THREADS only counts without --threads */
    if (!a->threads && (a->threads = cli_default_threads("run")) < 0) return CLI_EXIT_USAGE;
    if (!a->out) {
        const char *base = strrchr(a->script, '/');
        base = base ? base + 1 : a->script;
        size_t len = strcspn(base, ".");
        snprintf(a->outbuf, sizeof a->outbuf, "runs/%.*s", (int)len, base);
        a->out = a->outbuf;
    }
    if (a->no_cache && a->cache) {
        fprintf(stderr, "r1sim run: --cache and --no-cache: one or the other\n");
        return CLI_EXIT_USAGE;
    }
    if (a->no_cache) {
        a->cache = NULL;
    } else if (!a->cache) {
        if (shared_cache_default(a->out, a->cachebuf, sizeof a->cachebuf)) {
            fprintf(stderr, "r1sim run: --out: the directory's name is too long\n");
            return CLI_EXIT_USAGE;
        }
        a->cache = a->cachebuf;
    }
    return 0;
}

void run_args_free(RunArgs *a) {
    for (int i = 0; i < a->n_defs; i++) free(a->defbuf[i]);
    a->n_defs = 0;
}
