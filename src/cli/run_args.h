#ifndef R1SIM_CLI_RUN_ARGS_H
#define R1SIM_CLI_RUN_ARGS_H

/* The command line of `r1sim run`, parsed apart from running it so that
 * every word a user (or a fuzzer) can type is checked in one place. */

#include <stdbool.h>

enum { RUN_ARGS_MAX_DEFS = 64 };

typedef struct {
    bool help; /* --help or -h: print run_args_usage on stdout and exit 0 */
    const char *script;
    const char *out; /* --out, or runs/SCRIPT-NAME */
    /* --cache, or R1SIM_CACHE, or .cache beside the run directory; NULL
     * with --no-cache */
    const char *cache;
    unsigned long long seed;
    bool fresh, unsafe, headless, ascii, dry, no_cache;
    long threads;
    /* -D name=value: names are owned, values point into argv */
    int n_defs;
    const char *names[RUN_ARGS_MAX_DEFS], *values[RUN_ARGS_MAX_DEFS];
    char *defbuf[RUN_ARGS_MAX_DEFS];
    char outbuf[4096], cachebuf[4096];
} RunArgs;

extern const char run_args_usage[];

/* argv starts at "run" (argv[0] is skipped). 0 when the run may go on (or
 * help was asked for); otherwise the exit status, after a message on stderr.
 * Notes (a -D given twice, --threads capped) go to stderr too. Call
 * run_args_free afterwards either way. */
int run_args_parse(int argc, char **argv, RunArgs *a);
void run_args_free(RunArgs *a);

#endif
