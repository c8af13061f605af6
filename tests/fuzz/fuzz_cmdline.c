/* Any words as `r1sim run`'s command line (the input split at NUL bytes)
 * are parsed into options that a run can use, or refused with exit status 2.
 * Parsed options: a script, a non-empty run directory, a seed and a thread
 * count in range, -D names that are non-empty, without '=', and each once. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/run_args.h"

enum { MAX_WORDS = 200 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = 0;
    char *argv[MAX_WORDS + 2];
    int argc = 0;
    argv[argc++] = "run";
    for (char *w = text; w <= text + size && argc <= MAX_WORDS; w += strlen(w) + 1)
        argv[argc++] = w;
    argv[argc] = NULL;

    RunArgs a;
    int rc = run_args_parse(argc, argv, &a);
    if (rc != 0 && rc != CLI_EXIT_USAGE) __builtin_trap();
    if (rc == 0 && !a.help) {
        if (!a.script || !a.out || !a.out[0] || a.seed > 2147483647ULL || a.threads < 1 ||
            a.threads > 256 || a.n_defs < 0 || a.n_defs > RUN_ARGS_MAX_DEFS)
            __builtin_trap();
        for (int i = 0; i < a.n_defs; i++) {
            if (!a.names[i][0] || strchr(a.names[i], '=') || !a.values[i]) __builtin_trap();
            for (int j = 0; j < i; j++)
                if (!strcmp(a.names[i], a.names[j])) __builtin_trap();
        }
    }
    run_args_free(&a);
    free(text);
    return 0;
}
