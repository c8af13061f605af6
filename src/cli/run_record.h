#ifndef R1SIM_CLI_RUN_RECORD_H
#define R1SIM_CLI_RUN_RECORD_H

/* DIR/run.csv: what a run directory was made from — the script, the seed
 * and every -D — written by `r1sim run` when it starts, so that
 * `r1sim sweep --collect` can group the runs of a sweep (or of a shell loop,
 * or of jobs run elsewhere) by their parameters without being told them.
 *
 *   key,value
 *   script,lua/r1_zero.lua
 *   seed,2
 *   param.beta,0.04
 */

#include <stddef.h>

enum { RUN_RECORD_MAX_PARAMS = 64, RUN_RECORD_NAME = 64, RUN_RECORD_VALUE = 256 };

typedef struct {
    char script[4096];
    unsigned long long seed;
    int n;
    char names[RUN_RECORD_MAX_PARAMS][RUN_RECORD_NAME];
    char values[RUN_RECORD_MAX_PARAMS][RUN_RECORD_VALUE];
} RunRecord;

/* Writes DIR/run.csv (to a temporary name, then renamed). 0, or -1 with a
 * message. */
int run_record_write(const char *dir, const char *script, unsigned long long seed,
                     const char *const *names, const char *const *values, int n, char *err,
                     size_t errlen);

/* Reads DIR/run.csv. 0; 1 when the directory has none; -1 with
 * `file:line: message` for a file that is not one. */
int run_record_read(const char *dir, RunRecord *r, char *err, size_t errlen);

/* The value of -D name in r, or NULL. */
const char *run_record_param(const RunRecord *r, const char *name);

#endif
