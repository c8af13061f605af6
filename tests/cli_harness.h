#ifndef R1SIM_TESTS_CLI_HARNESS_H
#define R1SIM_TESTS_CLI_HARNESS_H

/* Running the r1sim binary from a test, as a user would: the binary under
 * test ($R1SIM, which `make test` sets, else ./r1sim) in a scratch
 * directory of its own. */

#include <stddef.h>

extern char bin_dir[64];     /* the scratch directory */
extern const char *bin_path; /* the binary under test */

/* Makes /tmp/PREFIX-XXXXXX and finds the binary. 0, or -1. */
int bin_setup(const char *prefix);
/* Removes the scratch directory. */
int bin_teardown(void);
/* Runs a shell command; returns its exit status (-1 when it did not exit)
 * and captures stdout and stderr, each truncated to its cap. */
int bin_run(const char *cmd, char *out, size_t outcap, char *err, size_t errcap);
/* Writes text as the file FILE of the directory RUN in the scratch directory,
 * making RUN first when needed. */
void bin_write(const char *run, const char *file, const char *text);
/* Runs cmd, which must exit 0 with nothing on stderr; stdout into out. */
void bin_ok(const char *cmd, char *out, size_t outcap);
/* Runs cmd, which must refuse its input as r1sim does: exit 2, nothing on
 * stdout, one line on stderr that holds `expect`. */
void bin_refused(const char *cmd, const char *expect);

#endif
