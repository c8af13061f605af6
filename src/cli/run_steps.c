#include "cli/run_steps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/grpo.h"

static TuiStepConfig grpo_base(void) {
    GrpoConfig d = grpo_defaults();
    return (TuiStepConfig){.set = true,
                           .loss_type = d.loss_type,
                           .beta = d.beta,
                           .eps_low = d.eps_low,
                           .eps_high = d.eps_high,
                           .scale_rewards = d.scale_rewards};
}

void run_steps_free(RunSteps *rs) {
    for (int i = 0; i < GRAPH_MAX_STAGES; i++) {
        if (rs->index[i]) step_index_free(rs->index[i]);
        free(rs->index[i]);
        rs->index[i] = NULL;
    }
    grpo_trace_free(&rs->scratch);
}

int run_steps_fetch(RunSteps *rs, Runner *r, const char *dir, int stage, long step, int dir_,
                    unsigned long have, GrpoTrace *out, TuiStepInfo *info, char *msg, size_t cap) {
    const Graph *g = runner_graph(r);
    if (stage < 0 || stage >= g->n || stage >= GRAPH_MAX_STAGES) {
        snprintf(msg, cap, "no such stage");
        return -1;
    }
    const Stage *st = &g->stages[stage];
    if (!rs->index[stage] && !(rs->index[stage] = calloc(1, sizeof *rs->index[stage]))) {
        snprintf(msg, cap, "out of memory");
        return -1;
    }
    StepIndex *ix = rs->index[stage];
    char err[512];
    int indexed = step_index_update(ix, dir, st->name, err, sizeof err) == 0;
    int count = indexed ? ix->n : 0;
    if (step == TUI_STEP_NEWEST) {
        unsigned long seq = runner_trace(r, stage, have, out);
        if (seq) {
            *info = (TuiStepInfo){
                .index = -1, .count = count, .live = true, .seq = seq, .base = grpo_base()};
            return seq == have ? 0 : 1;
        }
    }
    if (!indexed || ix->n == 0) {
        StageStatus ss;
        runner_status(r, stage, &ss);
        if (ss.state == STAGE_WAITING)
            snprintf(msg, cap, "%s has not run yet: its steps show here once it trains", st->name);
        else if (!indexed)
            snprintf(msg, cap, "no recorded steps: %s", err);
        else
            snprintf(msg, cap, "%s: no step recorded yet", st->name);
        return -1;
    }
    int i = step == TUI_STEP_NEWEST ? ix->n - 1 : step_index_find(ix, step, dir_);
    if (i < 0) {
        snprintf(msg, cap, "no recorded step %s step %ld (recorded: %ld to %ld)",
                 dir_ < 0   ? "before"
                 : dir_ > 0 ? "after"
                            : "at",
                 step, ix->step[0], ix->step[ix->n - 1]);
        return -1;
    }
    if (step == TUI_STEP_NEWEST && have == (unsigned long)ix->step[i] + 1 &&
        out->step == ix->step[i])
        return 0; /* the last recorded step, already shown */
    if (step_records_load(ix, i, st, &rs->scratch, err, sizeof err)) {
        snprintf(msg, cap, "%s", err);
        return -1;
    }
    if (grpo_trace_copy(out, &rs->scratch)) {
        snprintf(msg, cap, "out of memory");
        return -1;
    }
    /* a recorded step's seq: its step number, + 1 so that step 0 is not "none" */
    *info = (TuiStepInfo){.index = i,
                          .count = ix->n,
                          .live = false,
                          .seq = (unsigned long)ix->step[i] + 1,
                          .base = grpo_base()};
    return 1;
}
