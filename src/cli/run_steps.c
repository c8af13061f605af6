#include "cli/run_steps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/cache.h"
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

/* Seqs of recorded steps are tagged apart from the runner's publish count,
 * so that a recorded step is never taken for the newest one. */
#define RECORDED_SEQ (~0UL / 2 + 1)

static void swap(GrpoTrace *a, GrpoTrace *b) {
    GrpoTrace t = *a;
    *a = *b;
    *b = t;
}

int run_steps_fetch(RunSteps *rs, Runner *r, const char *dir, int stage, long step, int dir_,
                    unsigned long have, GrpoTrace *out, TuiStepInfo *info, char *msg, size_t cap) {
    const Graph *g = runner_graph(r);
    if (stage < 0 || stage >= g->n || stage >= GRAPH_MAX_STAGES) {
        snprintf(msg, cap, "no such stage");
        return -1;
    }
    /* the stage as the worker holds it now: its options read under the
     * runner's lock (an edit may be under way), with its key */
    Stage *st = &rs->stage;
    uint64_t key = 0;
    st->kind = g->stages[stage].kind;
    memcpy(st->name, g->stages[stage].name, sizeof st->name);
    st->n_options = runner_stage_options(r, stage, st->options, GRAPH_MAX_OPTIONS, &key);
    if (!rs->index[stage] && !(rs->index[stage] = calloc(1, sizeof *rs->index[stage]))) {
        snprintf(msg, cap, "out of memory");
        return -1;
    }
    StepIndex *ix = rs->index[stage];
    char err[512];
    int indexed = step_index_update(ix, dir, st->name, err, sizeof err) == 0;
    int count = indexed ? ix->n : 0;
    if (step == TUI_STEP_NEWEST) {
        /* into the scratch trace, so that *out stays whole if the copy fails */
        unsigned long seq = runner_trace(r, stage, have, &rs->scratch);
        if (seq) {
            if (seq == have) return 0;
            swap(out, &rs->scratch);
            *info = (TuiStepInfo){
                .index = -1, .count = count, .live = true, .seq = seq, .base = grpo_base()};
            return 1;
        }
    }
    StageStatus ss;
    runner_status(r, stage, &ss);
    uint64_t started = cache_started_key(dir, st->name);
    if (indexed && ix->n > 0 && started && key && started != key) {
        snprintf(msg, cap,
                 "%s's records are of other options (key %016llx; now %016llx): they show "
                 "again once it runs",
                 st->name, (unsigned long long)started, (unsigned long long)key);
        return -1;
    }
    if (!indexed || ix->n == 0) {
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
    const unsigned long seq = RECORDED_SEQ | (unsigned long)ix->step[i];
    if (step == TUI_STEP_NEWEST && have == seq) return 0; /* the last recorded step, shown */
    if (step_records_load(ix, i, st, &rs->scratch, err, sizeof err)) {
        snprintf(msg, cap, "%s", err);
        return -1;
    }
    swap(out, &rs->scratch);
    *info =
        (TuiStepInfo){.index = i, .count = ix->n, .live = false, .seq = seq, .base = grpo_base()};
    return 1;
}
