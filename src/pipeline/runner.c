#include "pipeline/runner.h"
#include "pipeline/stage_kind.h"

#include <math.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/runtime.h"
#include "pipeline/cache.h"
#include "pipeline/shared_cache.h"
#include "pipeline/rundir.h"
#include "pipeline/stages.h"

enum { QUEUE_CAP = 64 };

struct Runner {
    Graph *g;
    RunnerOptions opt;
    int order[GRAPH_MAX_STAGES];
    uint64_t keys[GRAPH_MAX_STAGES];
    StageOption (*script_options)[GRAPH_MAX_OPTIONS]; /* each stage's as the script gave them */
    MetricsRing ring;
    int claim_fd; /* the worker's claim on the running stage's key (shared_cache.h), or -1 */

    pthread_mutex_t mu; /* guards everything below */
    pthread_cond_t cv;
    RunnerCmd queue[QUEUE_CAP];
    int q_head, q_len;
    bool paused, finished, stopped, thread_started;
    bool eval_unwritten; /* DIR/eval.csv could not be written at the end */
    long step_credit;    /* single steps granted while paused */
    StageStatus status[GRAPH_MAX_STAGES];
    char message[512];
    unsigned message_seq; /* bumped per message, so a repeated text still shows */
    RunnerSample samples[GRAPH_MAX_STAGES];
    /* the running GRPO stage's newest step, for the step inspector */
    GrpoTrace trace;
    int trace_stage;
    unsigned long trace_seq;
    bool trace_wanted; /* the view has asked for one */
    pthread_t thread;
};

const char *stage_state_name(StageState s) {
    static const char *const names[] = {"waiting", "running", "cached",
                                        "done",    "failed",  "stopped"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

Runner *runner_new(Graph *g, const RunnerOptions *opts, char *err, size_t errlen) {
    Runner *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->g = g;
    r->opt = *opts;
    r->claim_fd = -1;
    if (!r->opt.dir) r->opt.dir = "run";
    if (graph_resolve(g, r->order, err, errlen)) {
        free(r);
        return NULL;
    }
    if (metrics_ring_init(&r->ring, r->opt.ring_cap ? r->opt.ring_cap : 4096)) {
        snprintf(err, errlen, "out of memory for the metrics ring");
        free(r);
        return NULL;
    }
    r->script_options = malloc(sizeof *r->script_options * (size_t)(g->n > 0 ? g->n : 1));
    if (!r->script_options) {
        snprintf(err, errlen, "out of memory");
        metrics_ring_destroy(&r->ring);
        free(r);
        return NULL;
    }
    for (int i = 0; i < g->n; i++)
        memcpy(r->script_options[i], g->stages[i].options,
               sizeof g->stages[i].options[0] * (size_t)g->stages[i].n_options);
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    r->paused = r->opt.start_paused;
    return r;
}

void runner_free(Runner *r) {
    if (!r) return;
    if (r->thread_started) runner_join(r);
    metrics_ring_destroy(&r->ring);
    grpo_trace_free(&r->trace);
    free(r->script_options);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    free(r);
}

int runner_command(Runner *r, const RunnerCmd *cmd) {
    pthread_mutex_lock(&r->mu);
    int rc = -1;
    if (r->q_len < QUEUE_CAP) {
        r->queue[(r->q_head + r->q_len++) % QUEUE_CAP] = *cmd;
        rc = 0;
    }
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    return rc;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* After options changed (under mu, on the worker, which owns the graph):
 * keys are recomputed at once so that the view shows the stage's new key.
 * Returns the stage's key before, or sets e and returns 0 when a data file
 * cannot be read (the keys are then left as they were). */
static int rekey_locked(Runner *r, int s, uint64_t *before, char *e, size_t elen) {
    uint64_t keys[GRAPH_MAX_STAGES];
    *before = r->keys[s];
    if (cache_keys(r->g, r->order, r->opt.seed, keys, e, elen)) return -1;
    memcpy(r->keys, keys, sizeof keys);
    return 0;
}

/* An accepted option edit: the message says the key changed. */
static void edited_locked(Runner *r, const RunnerCmd *c) {
    const char *stage = r->g->stages[c->stage].name;
    uint64_t before;
    char e[256];
    if (rekey_locked(r, c->stage, &before, e, sizeof e))
        snprintf(r->message, sizeof r->message, "%.47s.%.47s = %.200s (key: %.150s)", stage,
                 c->name, c->value, e);
    else
        snprintf(r->message, sizeof r->message, "%.47s.%.47s = %.200s: key %016llx -> %016llx",
                 stage, c->name, c->value, (unsigned long long)before,
                 (unsigned long long)r->keys[c->stage]);
}

/* Puts a stage back to the script's options. */
static void reset_locked(Runner *r, int s) {
    Stage *st = &r->g->stages[s];
    int changed = 0;
    for (int i = 0; i < st->n_options; i++)
        if (strcmp(st->options[i].value, r->script_options[s][i].value) != 0) {
            memcpy(st->options[i].value, r->script_options[s][i].value,
                   sizeof st->options[i].value);
            changed++;
        }
    uint64_t before;
    char e[256];
    if (!changed)
        snprintf(r->message, sizeof r->message, "%.47s: the options are the script's already",
                 st->name);
    else if (rekey_locked(r, s, &before, e, sizeof e))
        snprintf(r->message, sizeof r->message, "%.47s: options back to the script's (key: %.150s)",
                 st->name, e);
    else
        snprintf(r->message, sizeof r->message,
                 "%.47s: %d option%s back to the script's: key %016llx -> %016llx", st->name,
                 changed, changed == 1 ? "" : "s", (unsigned long long)before,
                 (unsigned long long)r->keys[s]);
}

/* Options change only for a stage that has not started, its key being fixed
 * from then on; otherwise the message says why not. */
static bool editable_locked(Runner *r, int s) {
    if (s < 0 || s >= r->g->n)
        snprintf(r->message, sizeof r->message, "no stage %d", s);
    else if (r->status[s].state != STAGE_WAITING)
        snprintf(r->message, sizeof r->message,
                 "stage '%s' has started: its options can no longer change", r->g->stages[s].name);
    else
        return true;
    return false;
}

/* Applies queued commands (under mu). Option edits apply only to stages that
 * have not started, since a running stage's key is already fixed. */
static void drain_locked(Runner *r) {
    while (r->q_len > 0) {
        RunnerCmd c = r->queue[r->q_head];
        r->q_head = (r->q_head + 1) % QUEUE_CAP;
        r->q_len--;
        switch (c.kind) {
        case CMD_RUN:
            r->paused = false;
            break;
        case CMD_PAUSE:
            r->paused = true;
            break;
        case CMD_STEP:
            r->paused = true;
            r->step_credit++;
            break;
        case CMD_STOP:
            r->stopped = true;
            break;
        case CMD_SET_OPTION:
        case CMD_RESET_OPTIONS:
            if (editable_locked(r, c.stage)) {
                if (c.kind == CMD_RESET_OPTIONS)
                    reset_locked(r, c.stage);
                else if (stage_set_opt(&r->g->stages[c.stage], c.name, c.value, r->message,
                                       sizeof r->message) == 0)
                    edited_locked(r, &c);
            }
            r->message_seq++;
            break;
        }
    }
}

/* Applies queued commands without waiting; true when told to stop. Pausing
 * is only honoured between steps (may_step), so opening a stage consumes no
 * single-step credit. */
static bool stop_requested(Runner *r) {
    pthread_mutex_lock(&r->mu);
    drain_locked(r);
    if (r->opt.should_stop && r->opt.should_stop(r->opt.stop_ctx)) r->stopped = true;
    bool stop = r->stopped;
    pthread_mutex_unlock(&r->mu);
    return stop;
}

static bool stop_polled(void *ctx) {
    return stop_requested(ctx);
}

/* Blocks while paused without a step to take; false when told to stop. */
static bool may_step(Runner *r) {
    bool ok;
    pthread_mutex_lock(&r->mu);
    for (;;) {
        drain_locked(r);
        if (r->opt.should_stop && r->opt.should_stop(r->opt.stop_ctx)) r->stopped = true;
        if (r->stopped) break;
        if (!r->paused) break;
        if (r->step_credit > 0) {
            r->step_credit--;
            break;
        }
        /* Timed, so a signal flag (should_stop) is noticed while paused. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&r->cv, &r->mu, &ts);
    }
    ok = !r->stopped;
    pthread_mutex_unlock(&r->mu);
    return ok;
}

static void set_status(Runner *r, int s, const StageStatus *st) {
    pthread_mutex_lock(&r->mu);
    r->status[s] = *st;
    pthread_mutex_unlock(&r->mu);
}

static void report(Runner *r, int s, RunnerEvent ev, const StageStatus *st) {
    set_status(r, s, st);
    if (r->opt.report) r->opt.report(r->opt.report_ctx, s, ev, st);
}

static void fail(Runner *r, int s, StageStatus *st, const char *msg) {
    st->state = STAGE_FAILED;
    snprintf(st->error, sizeof st->error, "%s", msg);
    report(r, s, RUNNER_EV_END, st);
}

static void end_hook(Runner *r, int s, StageStatus *st, const MetricsRow *last) {
    const GraphHooks *h = &r->g->hooks;
    if (!h->on_stage_end) return;
    const char *names[METRICS_MAX_VALUES];
    for (int i = 0; i < last->n; i++) names[i] = last->names[i];
    char e[1024];
    if (h->on_stage_end(h->ctx, &r->g->stages[s], stage_state_name(st->state), names, last->values,
                        last->n, e, sizeof e)) {
        /* A failed hook fails the stage, so it must not stay reusable. */
        cache_forget(r->opt.dir, r->g->stages[s].name);
        st->state = STAGE_FAILED;
        snprintf(st->error, sizeof st->error, "%s", e);
    }
}

/* Where a running stage publishes its newest completion. */
typedef struct {
    Runner *r;
    int stage;
} PublishTo;

static void publish_sample(void *ctx, const char *prompt, const char *completion,
                           const char *const *names, const double *values, int n) {
    PublishTo *to = ctx;
    Runner *r = to->r;
    pthread_mutex_lock(&r->mu);
    RunnerSample *s = &r->samples[to->stage];
    snprintf(s->prompt, sizeof s->prompt, "%s", prompt ? prompt : "");
    snprintf(s->completion, sizeof s->completion, "%s", completion ? completion : "");
    size_t at = 0;
    s->scores[0] = 0;
    for (int i = 0; i < n && at < sizeof s->scores; i++)
        at += (size_t)snprintf(s->scores + at, sizeof s->scores - at, "%s%s %.3g", i ? "  " : "",
                               names[i], values[i]);
    s->seq++;
    pthread_mutex_unlock(&r->mu);
}

static void publish_trace(void *ctx, const GrpoTrace *t) {
    PublishTo *to = ctx;
    Runner *r = to->r;
    pthread_mutex_lock(&r->mu);
    if (!r->trace_wanted) { /* headless, or no inspector opened yet: no copy */
        pthread_mutex_unlock(&r->mu);
        return;
    }
    if (grpo_trace_copy(&r->trace, t) == 0) {
        r->trace_stage = to->stage;
        r->trace_seq++;
    } else {
        r->trace_stage = -1; /* out of memory: nothing, rather than half a step */
    }
    pthread_mutex_unlock(&r->mu);
}

unsigned long runner_trace(Runner *r, int stage, unsigned long have, GrpoTrace *out) {
    pthread_mutex_lock(&r->mu);
    r->trace_wanted = true; /* from the next step on, the worker keeps a copy */
    unsigned long seq = 0;
    if (r->trace_seq && r->trace_stage == stage) {
        seq = r->trace_seq;
        if (seq != have && grpo_trace_copy(out, &r->trace)) seq = 0;
    }
    pthread_mutex_unlock(&r->mu);
    return seq;
}

/* Runs one stage; returns false when the run must stop. */
/* A stage's models, activations and datasets are freed when it ends, but
 * glibc keeps freed heap pages in its arenas (one per thread that
 * allocated: the runner, OpenMP's workers), and the next stage's buffers,
 * of other sizes, rarely fit in them, so the process's footprint grew by
 * each stage's high-water mark. Giving the free pages back between stages
 * makes the run's peak the largest stage's, not their sum. */
static void release_freed_memory(void) {
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

/* 1 when the shared cache restored the stage into the run directory. */
static int restore_shared(Runner *r, const Stage *stage, uint64_t key) {
    char err[1024];
    int got = shared_cache_restore(r->opt.cache_dir, key, r->opt.dir, stage->name, err, sizeof err);
    if (got < 0)
        fprintf(stderr, "r1sim: stage '%s': not restored from the stage cache: %s\n", stage->name,
                err);
    return got > 0;
}

/* A stage the run directory lacks, from the shared cache: restored when it
 * is there; otherwise claimed, waiting while another run trains it, and
 * looked for again, since that run may have stored it meanwhile. 1 when
 * restored; 0 to train it here (claimed, or the claim cannot be taken); -1
 * when a stop came while waiting. */
static int from_shared_cache(Runner *r, const Stage *stage, uint64_t key) {
    if (restore_shared(r, stage, key)) return 1;
    bool waited = false;
    for (;;) {
        int busy;
        r->claim_fd = shared_cache_claim(r->opt.cache_dir, key, &busy);
        if (r->claim_fd >= 0 || !busy) break;
        if (!waited)
            fprintf(stderr,
                    "r1sim: stage '%s': another run is training the same stage; waiting for "
                    "its result in %s\n",
                    stage->name, r->opt.cache_dir);
        waited = true;
        if (stop_requested(r)) return -1;
        struct timespec pause = {0, 100000000L};
        nanosleep(&pause, NULL);
    }
    if (!restore_shared(r, stage, key)) return 0;
    shared_cache_release(r->claim_fd);
    r->claim_fd = -1;
    return 1;
}

static bool run_stage(Runner *r, int s) {
    Stage *stage = &r->g->stages[s];
    StageStatus st = {0};
    char err[1024];
    for (int i = 0; i < stage->n_inputs; i++) {
        int j = stage->input_stage[i];
        StageState js = j >= 0 ? r->status[j].state : STAGE_DONE;
        if (js != STAGE_DONE && js != STAGE_CACHED) {
            snprintf(err, sizeof err, "input '%s' did not finish", stage->inputs[i]);
            fail(r, s, &st, err);
            return true;
        }
    }
    /* Keys are computed now, not at start-up, so an option edited while
     * earlier stages ran counts. */
    uint64_t keys[GRAPH_MAX_STAGES];
    if (cache_keys(r->g, r->order, r->opt.seed, keys, err, sizeof err)) {
        fail(r, s, &st, err);
        return true;
    }
    pthread_mutex_lock(&r->mu); /* the view reads keys (runner_stage_options) */
    memcpy(r->keys, keys, sizeof keys);
    pthread_mutex_unlock(&r->mu);
    uint64_t key = keys[s];
    bool cached = !r->opt.fresh && cache_is_done(r->opt.dir, stage->name, key);
    if (!cached && !r->opt.fresh && r->opt.cache_dir) cached = from_shared_cache(r, stage, key) > 0;
    if (cached && stage_cached_outputs_load(stage, r->opt.dir, err, sizeof err)) {
        /* stderr, as the run's other notes: the view replays it when it closes */
        fprintf(stderr,
                "r1sim: stage '%s': its cached output no longer loads (%s); rebuilding it\n",
                stage->name, err);
        cached = false;
    }
    if (cached) {
        st.state = STAGE_CACHED;
        stage_cached_summary(stage, r->opt.dir, st.headline, sizeof st.headline, &st.step);
        st.total = st.step;
        report(r, s, RUNNER_EV_END, &st);
        return true;
    }
    if (r->opt.fresh)
        rundir_clear_stage(r->opt.dir, stage->name);
    else
        cache_forget(r->opt.dir, stage->name);
    if (stop_requested(r)) {
        st.state = STAGE_STOPPED;
        report(r, s, RUNNER_EV_END, &st);
        return false;
    }
    PublishTo to = {r, s};
    const double t_begin = now_s(); /* opening (loading inputs) is the stage's time too */
    StageRun *run =
        stage_run_open(r->g, s, r->opt.dir, key, r->opt.seed, publish_sample, &to, err, sizeof err);
    if (!run) {
        fail(r, s, &st, err);
        return true;
    }
    stage_run_set_stop(run, stop_polled, r);
    stage_run_set_trace(run, publish_trace, &to);
    st.state = STAGE_RUNNING;
    st.step = stage_run_step_count(run);
    st.total = stage_run_total(run);
    long step0 = st.step;
    st.resumed_from = stage_run_resumed(run) ? step0 : 0;
    double t0 = now_s();
    report(r, s, RUNNER_EV_START, &st);
    /* NaN for a kind without the option: no periodic resume points (and no
     * conversion of NaN to an integer, which is undefined) */
    double every = stage_opt_num(stage, "save_every");
    long save_every = every > 0 ? (long)every : 0;
    MetricsRow row = {0}, last = {0};
    bool cont = true;
    double waited = 0; /* paused time, which the rate and ETA leave out */
    for (;;) {
        if (stage_run_step_count(run) >= stage_run_total(run)) break;
        double w0 = now_s();
        bool go = may_step(r);
        waited += now_s() - w0;
        if (!go) {
            st.state = STAGE_STOPPED;
            if (stage_run_save(run, err, sizeof err))
                snprintf(st.error, sizeof st.error, "%s", err);
            cont = false;
            break;
        }
        double s0 = now_s();
        int rc = stage_run_step(run, &row, err, sizeof err);
        double step_s = now_s() - s0;
        if (rc == 1) break;
        if (rc == STAGE_STEP_STOPPED) {
            st.state = STAGE_STOPPED;
            if (stage_run_save(run, err, sizeof err))
                snprintf(st.error, sizeof st.error, "%s", err);
            cont = false;
            break;
        }
        if (rc < 0) {
            st.state = STAGE_FAILED;
            snprintf(st.error, sizeof st.error, "%s", err);
            break;
        }
        row.stage = s;
        metrics_ring_push(&r->ring, &row);
        last = row;
        st.step = row.step;
        st.total = row.total;
        double tps = metrics_row_get(&row, "tokens_per_s");
        if (isfinite(tps) && tps > 0) st.tokens += tps * step_s;
        double dt = now_s() - t0 - waited;
        st.seconds = now_s() - t_begin - waited;
        st.rate = dt > 0 ? (double)(st.step - step0) / dt : 0;
        stage_run_headline(run, st.headline, sizeof st.headline);
        const GraphHooks *h = &r->g->hooks;
        if (h->on_step) {
            const char *names[METRICS_MAX_VALUES];
            for (int i = 0; i < row.n; i++) names[i] = row.names[i];
            int hr = h->on_step(h->ctx, stage, row.step, row.total, names, row.values, row.n, err,
                                sizeof err);
            if (hr < 0) {
                st.state = STAGE_FAILED;
                snprintf(st.error, sizeof st.error, "%s", err);
                break;
            }
            if (hr > 0) break; /* the script stopped the stage early: it finishes here */
        }
        report(r, s, RUNNER_EV_STEP, &st);
        if (save_every && row.step % save_every == 0 && row.step < row.total &&
            stage_run_save(run, err, sizeof err)) {
            st.state = STAGE_FAILED;
            snprintf(st.error, sizeof st.error, "%s", err);
            break;
        }
    }
    if (st.state == STAGE_RUNNING) {
        if (stage_run_finish(run, err, sizeof err) ||
            cache_mark_done(r->opt.dir, stage->name, key, err, sizeof err)) {
            st.state = STAGE_FAILED;
            snprintf(st.error, sizeof st.error, "%s", err);
        } else {
            st.state = STAGE_DONE;
        }
    }
    stage_run_free(run);
    /* its newest step is its last, which tokens.csv holds: "live" no more */
    pthread_mutex_lock(&r->mu);
    if (r->trace_stage == s) r->trace_stage = -1;
    pthread_mutex_unlock(&r->mu);
    release_freed_memory();
    st.seconds = now_s() - t_begin - waited; /* finish's writes count too */
    if (st.state == STAGE_DONE || st.state == STAGE_FAILED) end_hook(r, s, &st, &last);
    /* after the script's end hook, which may still fail the stage */
    if (st.state == STAGE_DONE && r->opt.cache_dir &&
        shared_cache_publish(r->opt.cache_dir, key, r->opt.dir, stage->name, stage->kind->name, err,
                             sizeof err))
        fprintf(stderr, "r1sim: stage '%s': %s (the run goes on)\n", stage->name, err);
    report(r, s, RUNNER_EV_END, &st);
    return cont;
}

void runner_run(Runner *r) {
    for (int k = 0; k < r->g->n; k++) {
        int s = r->order[k];
        bool go_on = run_stage(r, s);
        /* a claim lasts until the stage is stored, failed or stopped */
        shared_cache_release(r->claim_fd);
        r->claim_fd = -1;
        if (!go_on) {
            pthread_mutex_lock(&r->mu);
            r->stopped = true;
            pthread_mutex_unlock(&r->mu);
            break;
        }
    }
    char err[512];
    bool unwritten = rundir_rebuild_eval(r->opt.dir, r->g, r->order, err, sizeof err) != 0;
    if (unwritten) fprintf(stderr, "r1sim: %s\n", err);
    pthread_mutex_lock(&r->mu);
    r->eval_unwritten = unwritten;
    r->finished = true;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

static void *worker(void *arg) {
    engine_thread_init(); /* OpenMP's thread count is per thread */
    runner_run(arg);
    return NULL;
}

int runner_start(Runner *r) {
    if (pthread_create(&r->thread, NULL, worker, r)) return -1;
    r->thread_started = true;
    return 0;
}

void runner_join(Runner *r) {
    if (!r->thread_started) return;
    pthread_join(r->thread, NULL);
    r->thread_started = false;
}

void runner_status(Runner *r, int stage, StageStatus *out) {
    pthread_mutex_lock(&r->mu);
    *out = r->status[stage];
    pthread_mutex_unlock(&r->mu);
}

bool runner_paused(Runner *r) {
    pthread_mutex_lock(&r->mu);
    bool p = r->paused;
    pthread_mutex_unlock(&r->mu);
    return p;
}

bool runner_finished(Runner *r) {
    pthread_mutex_lock(&r->mu);
    bool f = r->finished;
    pthread_mutex_unlock(&r->mu);
    return f;
}

int runner_failures(Runner *r) {
    int n = 0;
    pthread_mutex_lock(&r->mu);
    for (int i = 0; i < r->g->n; i++) n += r->status[i].state == STAGE_FAILED;
    n += r->eval_unwritten; /* the run's results are not where it says they are */
    pthread_mutex_unlock(&r->mu);
    return n;
}

int runner_stopped(Runner *r) {
    pthread_mutex_lock(&r->mu);
    int s = r->stopped;
    pthread_mutex_unlock(&r->mu);
    return s;
}

MetricsRing *runner_metrics(Runner *r) {
    return &r->ring;
}
const Graph *runner_graph(const Runner *r) {
    return r->g;
}
const int *runner_order(const Runner *r) {
    return r->order;
}
uint64_t runner_key(const Runner *r, int stage) {
    return r->keys[stage];
}

void runner_message(Runner *r, char *buf, size_t cap) {
    pthread_mutex_lock(&r->mu);
    snprintf(buf, cap, "%s", r->message);
    pthread_mutex_unlock(&r->mu);
}

unsigned runner_message_seq(Runner *r) {
    pthread_mutex_lock(&r->mu);
    unsigned n = r->message_seq;
    pthread_mutex_unlock(&r->mu);
    return n;
}

int runner_stage_options(Runner *r, int stage, StageOption *out, int max, uint64_t *key) {
    pthread_mutex_lock(&r->mu);
    const Stage *st = &r->g->stages[stage];
    int n = st->n_options < max ? st->n_options : max;
    memcpy(out, st->options, (size_t)n * sizeof *out);
    if (key) *key = r->keys[stage];
    pthread_mutex_unlock(&r->mu);
    return n;
}

unsigned long runner_sample(Runner *r, int stage, RunnerSample *out) {
    pthread_mutex_lock(&r->mu);
    *out = r->samples[stage];
    pthread_mutex_unlock(&r->mu);
    return out->seq;
}
