#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"

int cli_parse_int(const char *cmd, const char *opt, const char *text, long min, long max,
                  long *out) {
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max) {
        fprintf(stderr, "r1sim %s: %s: expected an integer from %ld to %ld, got '%s'\n", cmd, opt,
                min, max, text);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_float(const char *cmd, const char *opt, const char *text, double min, double max,
                    double *out) {
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !(v >= min && v <= max)) {
        fprintf(stderr, "r1sim %s: %s: expected a number from %g to %g, got '%s'\n", cmd, opt, min,
                max, text);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_threads(const char *cmd, const char *text, long *out) {
    return cli_parse_threads_named(cmd, "--threads", text, out);
}

int cli_parse_threads_named(const char *cmd, const char *opt, const char *text, long *out) {
    if (cli_parse_int(cmd, opt, text, 1, 256, out)) return -1;
    /* More threads than CPUs only makes OpenMP's threads wait for each other
     * (and a measurement measure that); capped, and said, since the count
     * asked for is not the count used. */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus >= 1 && *out > cpus) {
        fprintf(stderr, "r1sim %s: note: %s %ld is more than the %ld CPUs online; using %ld\n", cmd,
                opt, *out, cpus, cpus);
        *out = cpus;
    }
    return 0;
}

long cli_default_threads(const char *cmd) {
    const char *env = getenv("R1SIM_THREADS");
    long n;
    if (env && *env) {
        /* The same rules and cap as --threads: a sweep that exports a bad
         * value must hear about it, not run with another count. */
        return cli_parse_threads_named(cmd, "R1SIM_THREADS", env, &n) ? -1 : n;
    }
    n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 1 ? (n > 256 ? 256 : n) : 1;
}

bool cli_text_number(const char *s, double *v) {
    char *end;
    if (!s[0]) return false;
    *v = strtod(s, &end);
    return *end == 0;
}
