#ifndef R1SIM_TESTS_CLI_HARNESS_H
#define R1SIM_TESTS_CLI_HARNESS_H

/* Running the r1sim binary from a test, as a user would: the binary under
 * test ($R1SIM, which `make test` sets, else ./r1sim) in a scratch
 * directory of its own. */

#include <stddef.h>

extern char cli_dir[64];    /* the scratch directory */
extern const char *cli_bin; /* the binary under test */

/* Makes /tmp/PREFIX-XXXXXX and finds the binary. 0, or -1. */
int cli_setup(const char *prefix);
/* Removes the scratch directory. */
int cli_teardown(void);
/* Runs a shell command; returns its exit status (-1 when it did not exit)
 * and captures stdout and stderr, each truncated to its cap. */
int harness_run(const char *cmd, char *out, size_t outcap, char *err, size_t errcap);

#endif
