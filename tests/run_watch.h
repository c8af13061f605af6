#ifndef R1SIM_TESTS_RUN_WATCH_H
#define R1SIM_TESTS_RUN_WATCH_H

/* Running a graph through the runner in a test: each stage's final state,
 * error and resume step, and a stop asked for after some steps of one
 * stage, so that resume tests need no runner plumbing of their own. */

#include <stdbool.h>

#include "pipeline/runner.h"

typedef struct {
    StageState final[GRAPH_MAX_STAGES];
    char error[GRAPH_MAX_STAGES][1024];
    long resumed_from[GRAPH_MAX_STAGES];
    int stop_stage; /* the stage whose steps stop_at counts */
    long stop_at;   /* steps of stop_stage before asking to stop; 0 never */
    bool stop;
} RunWatch;

/* Runs g in dir (seed 1) to its end or the stop. Fails the test when the
 * runner cannot start. */
void rw_run(Graph *g, const char *dir, bool fresh, RunWatch *w);

/* Two metrics.csv files hold the same rows, every column but tokens_per_s
 * (timing). */
void rw_assert_same_metrics(const char *a, const char *b);

#endif
