#include "cli/run_view.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/run_files.h"
#include "cli/run_series.h"
#include "cli/run_steps.h"
#include "cli/time_table.h"

enum { ROW_BATCH = 256 };

typedef struct {
    bool tried; /* samples.csv read (for a stage with nothing published) */
    char prompt[256], completion[1024], scores[256];
} FileSample;

struct RunView {
    Runner *r;
    const Graph *g;
    char dir[4096];

    pthread_mutex_t mu; /* guards printed* (written by the worker) */
    char printed[160];
    unsigned printed_seq;

    /* the view's thread only, from here on */
    bool quit;
    unsigned long long since; /* metrics ring cursor */
    MetricsRow rows[ROW_BATCH];
    RunSeries series[GRAPH_MAX_STAGES];
    bool series_loaded[GRAPH_MAX_STAGES]; /* tried metrics.csv */
    FileSample file_sample[GRAPH_MAX_STAGES];
    StageStatus last[GRAPH_MAX_STAGES];
    bool have_last, finished_said, eval_stale;
    unsigned printed_seen, msg_seen;
    char log[160];
    char eval_table[2048];
    int n_curves;
    TuiCurve curves[TUI_MAX_CURVES];
    TuiModel cur, prev;
    unsigned data_gen;
    RunSteps steps;
    Stage note_stage; /* the selected stage's kind, note and options, for its note */
};

RunView *run_view_new(void) {
    RunView *v = calloc(1, sizeof *v);
    if (!v) return NULL;
    pthread_mutex_init(&v->mu, NULL);
    v->eval_stale = true;
    return v;
}

void run_view_attach(RunView *v, Runner *r, const char *dir) {
    v->r = r;
    v->g = runner_graph(r);
    snprintf(v->dir, sizeof v->dir, "%s", dir);
    for (int i = 0; i < GRAPH_MAX_STAGES; i++) run_series_reset(&v->series[i]);
    snprintf(v->log, sizeof v->log, "%s",
             runner_paused(r) ? "paused: space runs the pipeline, ? lists every key" : "");
}

void run_view_free(RunView *v) {
    if (!v) return;
    run_steps_free(&v->steps);
    pthread_mutex_destroy(&v->mu);
    free(v);
}

bool run_view_quit(const RunView *v) {
    return v->quit;
}

void run_view_print(void *ctx, const char *line) {
    RunView *v = ctx;
    pthread_mutex_lock(&v->mu);
    snprintf(v->printed, sizeof v->printed, "%s", line);
    v->printed_seq++;
    pthread_mutex_unlock(&v->mu);
    fprintf(stderr, "%s\n", line);
}

static TuiStageState tui_state(StageState s) {
    switch (s) {
    case STAGE_RUNNING:
        return TUI_STAGE_RUNNING;
    case STAGE_CACHED:
        return TUI_STAGE_CACHED;
    case STAGE_DONE:
        return TUI_STAGE_DONE;
    case STAGE_FAILED:
        return TUI_STAGE_FAILED;
    case STAGE_WAITING:
    case STAGE_STOPPED: /* resumes on the next run: waiting, as far as this one goes */
        break;
    }
    return TUI_STAGE_WAITING;
}

static void first_line(char *out, size_t cap, const char *text) {
    size_t n = strcspn(text, "\n");
    snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), text);
}

/* A stage's state change becomes the log line: what a user wants to know
 * happened since they last looked. */
static void note_change(RunView *v, int s, const StageStatus *st) {
    const char *name = v->g->stages[s].name;
    char e[96];
    switch (st->state) {
    case STAGE_FAILED:
        first_line(e, sizeof e, st->error);
        snprintf(v->log, sizeof v->log, "%.40s failed: %.80s (enter shows more)", name, e);
        break;
    case STAGE_DONE:
        snprintf(v->log, sizeof v->log, "%.40s done: %.40s", name, st->headline);
        break;
    case STAGE_CACHED:
        snprintf(v->log, sizeof v->log, "%.40s reused from the cache: %.40s", name, st->headline);
        break;
    case STAGE_STOPPED:
        snprintf(v->log, sizeof v->log, "%.40s stopped at step %ld; the next run resumes it", name,
                 st->step);
        break;
    case STAGE_RUNNING:
        if (runner_paused(v->r))
            snprintf(v->log, sizeof v->log, "%.40s ready, paused: space runs, n takes one step",
                     name);
        else if (st->resumed_from > 0)
            snprintf(v->log, sizeof v->log, "%.40s resumed at step %ld", name, st->resumed_from);
        else
            snprintf(v->log, sizeof v->log, "%.40s started", name);
        break;
    case STAGE_WAITING:
        break;
    }
    if (st->state == STAGE_DONE || st->state == STAGE_CACHED)
        v->eval_stale = true; /* a few small files, read once per finished stage */
}

static void update_log(RunView *v) {
    pthread_mutex_lock(&v->mu);
    if (v->printed_seq != v->printed_seen) {
        v->printed_seen = v->printed_seq;
        snprintf(v->log, sizeof v->log, "%s", v->printed);
    }
    pthread_mutex_unlock(&v->mu);
    unsigned seq = runner_message_seq(v->r);
    if (seq != v->msg_seen) {
        v->msg_seen = seq;
        runner_message(v->r, v->log, sizeof v->log);
    }
    if (!v->finished_said && runner_finished(v->r)) {
        v->finished_said = true;
        v->eval_stale = true;
        if (runner_failures(v->r))
            snprintf(v->log, sizeof v->log, "finished with %d failed stage(s); q quits",
                     runner_failures(v->r));
        else if (runner_stopped(v->r))
            snprintf(v->log, sizeof v->log, "stopped; the next run resumes; q quits");
        else
            snprintf(v->log, sizeof v->log, "pipeline finished: e shows the eval table, q quits");
    }
}

/* Only the rows pushed since the last frame; more than a batch between two
 * frames (50 ms) would leave a gap in the charts, not a wrong value. */
static void pull_metrics(RunView *v) {
    size_t n = metrics_ring_snapshot(runner_metrics(v->r), v->rows, ROW_BATCH, &v->since);
    for (size_t i = 0; i < n; i++) {
        int s = v->rows[i].stage;
        if (s >= 0 && s < v->g->n) run_series_add(&v->series[s], &v->rows[i]);
    }
}

static void fill_stages(RunView *v, TuiModel *m, StageStatus *st) {
    const Graph *g = v->g;
    m->n_stages = g->n < TUI_MAX_STAGES ? g->n : TUI_MAX_STAGES;
    for (int i = 0; i < m->n_stages; i++) {
        runner_status(v->r, i, &st[i]);
        /* changes only: the first frame keeps the "space runs" hint */
        if (v->have_last && st[i].state != v->last[i].state) note_change(v, i, &st[i]);
        v->last[i] = st[i];
        TuiStageView *s = &m->stages[i];
        snprintf(s->name, sizeof s->name, "%s", g->stages[i].name);
        snprintf(s->kind, sizeof s->kind, "%.15s", g->stages[i].kind->name);
        s->report = g->stages[i].kind->makes_eval_row;
        snprintf(s->group, sizeof s->group, "%s", g->stages[i].group);
        s->state = tui_state(st[i].state);
        bool finished = st[i].state == STAGE_DONE || st[i].state == STAGE_CACHED;
        s->progress = finished          ? 1.0f
                      : st[i].total > 0 ? (float)st[i].step / (float)st[i].total
                                        : 0.0f;
        if (st[i].state == STAGE_STOPPED)
            snprintf(s->headline, sizeof s->headline, "stopped %ld/%ld", st[i].step, st[i].total);
        else
            snprintf(s->headline, sizeof s->headline, "%.47s", st[i].headline);
        for (int k = 0; k < g->stages[i].n_inputs; k++) {
            int j = g->stages[i].input_stage[k];
            /* An eval is drawn beside the model it measures; what it compares
             * against (a baseline, a reward model) is in its detail, not an
             * edge across the figure. */
            if (s->report && g->stages[i].input_role[k] != 0) continue;
            if (j >= 0 && j < m->n_stages && m->n_edges < TUI_MAX_EDGES)
                m->edges[m->n_edges++] = (TuiLayoutEdge){j, i};
        }
    }
    v->have_last = true;
}

static void fill_detail(RunView *v, TuiModel *m, int s, const StageStatus *st) {
    const Stage *stage = &v->g->stages[s];
    StageOption opts[GRAPH_MAX_OPTIONS];
    uint64_t key = 0;
    int n = runner_stage_options(v->r, s, opts, GRAPH_MAX_OPTIONS, &key);
    m->n_options = n < TUI_MAX_OPTIONS ? n : TUI_MAX_OPTIONS;
    for (int i = 0; i < m->n_options; i++) {
        snprintf(m->options[i].name, sizeof m->options[i].name, "%.31s", opts[i].name);
        /* numbers are kept as %.17g text (3e-3 is 0.0030000000000000001);
         * shown, and offered for editing, as people write them */
        char *end;
        double x = strtod(opts[i].value, &end);
        if (opts[i].value[0] && !*end && strlen(opts[i].value) > 10)
            snprintf(m->options[i].value, sizeof m->options[i].value, "%.6g", x);
        else
            snprintf(m->options[i].value, sizeof m->options[i].value, "%.95s", opts[i].value);
    }
    m->options_editable = st->state == STAGE_WAITING;
    /* the note from the options as they are now (an edit changes it), read
     * from the locked copy: the worker edits the graph's own */
    Stage *ns = &v->note_stage;
    ns->kind = stage->kind;
    memcpy(ns->name, stage->name, sizeof ns->name);
    memcpy(ns->note, stage->note, sizeof ns->note);
    ns->n_options = n < GRAPH_MAX_OPTIONS ? n : GRAPH_MAX_OPTIONS;
    memcpy(ns->options, opts, sizeof opts[0] * (size_t)ns->n_options);
    stage_note(ns, m->note, sizeof m->note);

    size_t at = 0, cap = sizeof m->detail;
    char *d = m->detail;
    at += (size_t)snprintf(d + at, cap - at, "%s, step %ld/%ld", stage_state_name(st->state),
                           st->step, st->total);
    if (st->state == STAGE_RUNNING && st->rate > 0) {
        long left = (long)((double)(st->total - st->step) / st->rate);
        at += (size_t)snprintf(d + at, cap - at, ", %.2f step/s, ETA %ld:%02ld", st->rate,
                               left / 60, left % 60);
    }
    if (st->seconds > 0 && at < cap) {
        /* the time table's line for this stage, as the run has it so far */
        char wall[32];
        time_table_format(st->seconds, wall, sizeof wall);
        at += (size_t)snprintf(d + at, cap - at, "\nwall %s in this run", wall);
        if (st->tokens > 0 && at < cap)
            at += (size_t)snprintf(d + at, cap - at, ", %.0f tokens/s", st->tokens / st->seconds);
    }
    if (at < cap) at += (size_t)snprintf(d + at, cap - at, "\ninputs:");
    for (int i = 0; i < stage->n_inputs && at < cap; i++)
        at += (size_t)snprintf(d + at, cap - at, "%s %s", i ? "," : "", stage->inputs[i]);
    if (!stage->n_inputs && at < cap) at += (size_t)snprintf(d + at, cap - at, " none");
    if (at < cap) {
        if (key)
            at += (size_t)snprintf(d + at, cap - at, "\ncache key %016llx (declared at %s)",
                                   (unsigned long long)key, stage->where);
        else
            at += (size_t)snprintf(d + at, cap - at, "\ndeclared at %s", stage->where);
    }
    if (st->state == STAGE_FAILED && at < cap) snprintf(d + at, cap - at, "\nerror: %s", st->error);
}

static void fill_sample(RunView *v, TuiModel *m, int s, const StageStatus *st) {
    RunnerSample rs;
    if (runner_sample(v->r, s, &rs)) {
        snprintf(m->sample_prompt, sizeof m->sample_prompt, "%.127s", rs.prompt);
        snprintf(m->sample_completion, sizeof m->sample_completion, "%.511s", rs.completion);
        snprintf(m->sample_rewards, sizeof m->sample_rewards, "%.127s", rs.scores);
        return;
    }
    if (st->state != STAGE_DONE && st->state != STAGE_CACHED) return;
    FileSample *f = &v->file_sample[s];
    if (!f->tried) {
        f->tried = true;
        if (run_files_last_sample(v->dir, v->g->stages[s].name, f->prompt, sizeof f->prompt,
                                  f->completion, sizeof f->completion, f->scores, sizeof f->scores))
            f->prompt[0] = f->completion[0] = f->scores[0] = 0;
    }
    snprintf(m->sample_prompt, sizeof m->sample_prompt, "%.127s", f->prompt);
    snprintf(m->sample_completion, sizeof m->sample_completion, "%.511s", f->completion);
    snprintf(m->sample_rewards, sizeof m->sample_rewards, "%.127s", f->scores);
}

static void fill_series(RunView *v, TuiModel *m, int s, const StageStatus *st) {
    RunSeries *rs = &v->series[s];
    /* a stage finished before this process (reused, or the view opened on a
     * finished run) has no rows in the ring: its metrics.csv has them */
    if (rs->n == 0 && !v->series_loaded[s] &&
        (st->state == STAGE_DONE || st->state == STAGE_CACHED)) {
        v->series_loaded[s] = true;
        run_series_load(rs, v->dir, v->g->stages[s].name);
    }
    m->n_series = rs->n;
    for (int i = 0; i < rs->n; i++) m->series[i] = rs->series[i];
}

static void fill_eval(RunView *v) {
    if (!v->eval_stale) return;
    v->eval_stale = false;
    const char *names[GRAPH_MAX_STAGES];
    const int *order = runner_order(v->r);
    int n = 0;
    for (int k = 0; k < v->g->n; k++) {
        StageState s = v->last[order[k]].state;
        /* rows of a stage not (re)done in this run may be from other options */
        if (s == STAGE_DONE || s == STAGE_CACHED) names[n++] = v->g->stages[order[k]].name;
    }
    run_files_eval_table(v->dir, names, n, v->eval_table, sizeof v->eval_table);
    v->n_curves = run_files_curves(v->dir, names, n, v->curves, TUI_MAX_CURVES);
}

/* The time table as `r1sim run` prints it at the end, so far. */
static void fill_time(RunView *v, TuiModel *m) {
    FILE *f = fmemopen(m->time_table, sizeof m->time_table, "w");
    if (!f) return;
    if (time_table_print(v->r, f)) m->time_table[0] = '\0';
    fclose(f);
    m->time_table[sizeof m->time_table - 1] = '\0';
}

static void snapshot(void *ctx, TuiModel *out) {
    RunView *v = ctx;
    TuiModel *m = &v->cur;
    int sel = out->selected;
    memset(m, 0, sizeof *m);
    if (!v->r) return;
    StageStatus st[GRAPH_MAX_STAGES];
    pull_metrics(v);
    fill_stages(v, m, st);
    update_log(v);
    fill_eval(v);
    m->graph_gen = 1; /* the graph is fixed once the script is loaded */
    m->paused = runner_paused(v->r);
    if (sel >= 0 && sel < m->n_stages) {
        fill_series(v, m, sel, &st[sel]);
        fill_sample(v, m, sel, &st[sel]);
        fill_detail(v, m, sel, &st[sel]);
    }
    snprintf(m->eval_table, sizeof m->eval_table, "%s", v->eval_table);
    fill_time(v, m);
    m->n_curves = v->n_curves;
    memcpy(m->curves, v->curves, sizeof m->curves);
    snprintf(m->log, sizeof m->log, "%s", v->log);
    /* the view redraws only on a new data_gen: bump it only on a change */
    m->selected = sel;
    m->data_gen = v->data_gen;
    if (memcmp(m, &v->prev, sizeof *m)) {
        m->data_gen = ++v->data_gen;
        v->prev = *m;
    }
    *out = *m;
}

static void command(void *ctx, TuiCommand c) {
    RunView *v = ctx;
    if (!v->r) return;
    RunnerCmd rc = {.stage = -1};
    if ((c.kind == TUI_CMD_RUN || c.kind == TUI_CMD_STEP) && runner_finished(v->r)) {
        snprintf(v->log, sizeof v->log, "pipeline finished: e shows the eval table, q quits");
        return;
    }
    switch (c.kind) {
    /* the log line answers the key, so an older "paused" message does not
     * linger while the pipeline runs */
    case TUI_CMD_RUN:
        rc.kind = CMD_RUN;
        snprintf(v->log, sizeof v->log, "running: space pauses");
        break;
    case TUI_CMD_PAUSE:
        rc.kind = CMD_PAUSE;
        snprintf(v->log, sizeof v->log, "paused: space runs, n takes one step");
        break;
    case TUI_CMD_STEP:
        rc.kind = CMD_STEP;
        snprintf(v->log, sizeof v->log, "one step, then paused");
        break;
    case TUI_CMD_QUIT:
        v->quit = true;
        rc.kind = CMD_STOP;
        break;
    case TUI_CMD_SET_OPTION:
        rc.kind = CMD_SET_OPTION;
        rc.stage = c.stage;
        snprintf(rc.name, sizeof rc.name, "%s", c.name);
        snprintf(rc.value, sizeof rc.value, "%s", c.value);
        break;
    case TUI_CMD_RESET_OPTIONS:
        rc.kind = CMD_RESET_OPTIONS;
        rc.stage = c.stage;
        break;
    case TUI_CMD_EVAL: /* the table is read from files: read them again */
        v->eval_stale = true;
        return;
    case TUI_CMD_SELECT: /* the snapshot follows TuiModel.selected */
        return;
    }
    if (runner_command(v->r, &rc))
        snprintf(v->log, sizeof v->log, "busy: command dropped, try again");
}

static int step_trace(void *ctx, int stage, long step, int dir, unsigned long have, TuiStep *out,
                      TuiStepInfo *info, char *msg, size_t cap) {
    RunView *v = ctx;
    return run_steps_fetch(&v->steps, v->r, v->dir, stage, step, dir, have, out, info, msg, cap);
}

TuiSource run_view_source(RunView *v) {
    return (TuiSource){v, snapshot, command, step_trace};
}
