#include "cli/run_steps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/cache.h"
#include "train/grpo.h"
#include "world/tokenizer.h"

static TuiStepConfig grpo_base(void) {
    GrpoConfig d = grpo_defaults();
    TuiStepConfig c = {.set = true,
                       .beta = d.beta,
                       .eps_low = d.eps_low,
                       .eps_high = d.eps_high,
                       .scale_rewards = d.scale_rewards};
    snprintf(c.loss, sizeof c.loss, "%s", grpo_loss_type_name(d.loss_type));
    return c;
}

/* The trainer's trace as the view's plain step: the same numbers, each
 * token spelt out. -1 on OOM. */
static int to_view(const GrpoTrace *t, TuiStep *v) {
    if (tui_step_reserve(v, t->B, t->G, t->n_tok)) return -1;
    v->step = t->step;
    v->mu = t->mu;
    v->minibatches = t->minibatches;
    v->loss_type = t->loss_type == GRPO_LOSS_DAPO      ? TUI_LOSS_DAPO
                   : t->loss_type == GRPO_LOSS_DR_GRPO ? TUI_LOSS_DR_GRPO
                                                       : TUI_LOSS_GRPO;
    snprintf(v->loss_name, sizeof v->loss_name, "%s", grpo_loss_type_name(t->loss_type));
    v->beta = t->beta;
    v->eps_low = t->eps_low;
    v->eps_high = t->eps_high;
    v->scale_rewards = t->scale_rewards;
    v->max_new_tokens = t->max_new_tokens;
    v->loss = t->loss;
    v->zero_variance_groups = grpo_trace_zero_variance_groups(t);
    _Static_assert((int)TUI_STEP_REWARDS == (int)GRPO_TRACE_REWARDS &&
                       (int)TUI_STEP_NAME == (int)GRPO_TRACE_NAME &&
                       (int)TUI_STEP_PROMPT == (int)GRPO_TRACE_PROMPT,
                   "the view's step holds what the trace does");
    v->n_rewards = t->n_rewards;
    memcpy(v->reward_name, t->reward_name, sizeof v->reward_name);
    memcpy(v->reward_weight, t->reward_weight, sizeof v->reward_weight);
    memcpy(v->prompt, t->prompt, sizeof *t->prompt * (size_t)t->B);
    memcpy(v->group_mean, t->group_mean, sizeof *t->group_mean * (size_t)t->B);
    memcpy(v->group_std, t->group_std, sizeof *t->group_std * (size_t)t->B);
    for (int i = 0; i < t->n; i++) {
        const GrpoTraceSeq *a = &t->seq[i];
        TuiStepSeq *b = &v->seq[i];
        *b = (TuiStepSeq){.group = a->group,
                          .reward = a->reward,
                          .advantage = a->advantage,
                          .length = a->length,
                          .truncated = a->truncated,
                          .masked = a->masked,
                          .tok0 = a->tok0,
                          .n_tok = a->n_tok};
        memcpy(b->term, a->term, sizeof b->term);
    }
    for (size_t k = 0; k < t->n_tok; k++) {
        const GrpoTraceToken *a = &t->tok[k];
        const char *text = tok_text(a->token);
        TuiStepToken *b = &v->tok[k];
        *b = (TuiStepToken){.seq = a->seq,
                            .pass = a->pass,
                            .minibatch = a->minibatch,
                            .pos = a->pos,
                            .logp_old = a->logp_old,
                            .logp = a->logp,
                            .logp_ref = a->logp_ref,
                            .ratio = a->ratio,
                            .clip = a->clip,
                            .kl = a->kl,
                            .weight = a->weight,
                            .objective = a->objective,
                            .push = a->push};
        snprintf(b->text, sizeof b->text, "%s", text ? text : "?");
    }
    return 0;
}

void run_steps_free(RunSteps *rs) {
    for (int i = 0; i < GRAPH_MAX_STAGES; i++) {
        if (rs->index[i]) step_index_free(rs->index[i]);
        free(rs->index[i]);
        rs->index[i] = NULL;
    }
    grpo_trace_free(&rs->scratch);
    tui_step_free(&rs->view);
}

/* Seqs of recorded steps are tagged apart from the runner's publish count,
 * so that a recorded step is never taken for the newest one. */
#define RECORDED_SEQ (~0UL / 2 + 1)

/* The step into the view's, through a scratch one swapped in whole, so
 * that *out stays as it was if memory runs out. */
static int publish(RunSteps *rs, TuiStep *out, char *msg, size_t cap) {
    if (to_view(&rs->scratch, &rs->view)) {
        snprintf(msg, cap, "out of memory");
        return -1;
    }
    TuiStep t = *out;
    *out = rs->view;
    rs->view = t;
    return 0;
}

int run_steps_fetch(RunSteps *rs, Runner *r, const char *dir, int stage, long step, int dir_,
                    unsigned long have, TuiStep *out, TuiStepInfo *info, char *msg, size_t cap) {
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
        unsigned long seq = runner_trace(r, stage, have, &rs->scratch);
        if (seq) {
            if (seq == have) return 0;
            if (publish(rs, out, msg, cap)) return -1;
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
    if (publish(rs, out, msg, cap)) return -1;
    *info =
        (TuiStepInfo){.index = i, .count = ix->n, .live = false, .seq = seq, .base = grpo_base()};
    return 1;
}
