#ifndef R1SIM_CLI_SWEEP_JOBS_H
#define R1SIM_CLI_SWEEP_JOBS_H

/* The processes of a sweep: each job an `r1sim run` child with its output
 * in a log file, at most J at once. Each child has a process group of its
 * own, so that a Ctrl-C at the terminal reaches the sweep alone, which
 * passes exactly one stop on to every running child (each then writes its
 * resume point and exits) and starts no more; a second Ctrl-C is passed on
 * too, and ends them at once, as it does a single run. */

#include <stdbool.h>

typedef struct {
    char *const *argv; /* argv[0]: the program to run */
    const char *log;   /* stdout and stderr, appended */
} SweepJob;

/* Called as job i ends: its exit status (-1 when it did not exit: killed,
 * or could not be started) and wall seconds. */
typedef void (*SweepJobEnd)(void *ctx, int i, int status, double seconds);

/* Runs jobs[0..n-1] in order, at most j at once. Returns the number of
 * jobs not started because a stop came (0 when all ran). */
int sweep_jobs_run(const SweepJob *jobs, int n, int j, SweepJobEnd on_end, void *ctx);

#endif
