#ifndef R1SIM_CLI_RUN_STEPS_H
#define R1SIM_CLI_RUN_STEPS_H

/* The step inspector's source over a run (TuiSource.step_trace): a running
 * GRPO stage's newest step from the runner's memory, any recorded step from
 * its tokens.csv and samples.csv, through an index per stage that grows as
 * the files do. On the view's thread only. */

#include "pipeline/runner.h"
#include "pipeline/step_records.h"
#include "tui/inspect.h"

typedef struct {
    StepIndex *index[GRAPH_MAX_STAGES]; /* allocated when first asked */
    GrpoTrace scratch;                  /* a step being read */
    TuiStep view;                       /* ... as the view's, swapped out when whole */
    Stage stage;                        /* the stage's options, copied under the lock */
} RunSteps;

void run_steps_free(RunSteps *rs);
/* As TuiStepSource, for stage `stage` of the runner's graph in run
 * directory dir. */
int run_steps_fetch(RunSteps *rs, Runner *r, const char *dir, int stage, long step, int dir_,
                    unsigned long have, TuiStep *out, TuiStepInfo *info, char *msg, size_t cap);

#endif
