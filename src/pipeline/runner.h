#ifndef R1SIM_PIPELINE_RUNNER_H
#define R1SIM_PIPELINE_RUNNER_H

/* Runs a resolved stage graph in dependency order on one worker thread, as
 * plain straight-line code: per stage, reuse it from the cache or open it,
 * then step it, reading the command queue between steps (pause, one step,
 * stop, edit an option of a stage not yet started). Every step goes to the
 * metrics ring (for the view) and the stage's metrics.csv. A stop — Ctrl-C,
 * `q` — writes a resume point of the running stage and returns, so the next
 * run with the same script continues where this one stopped.
 *
 * Threads: runner_start runs the worker; everything else may be called from
 * any thread. The graph's hooks (the script's callbacks) run on the worker. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline/graph.h"
#include "pipeline/metrics.h"
#include "train/grpo_trace.h"

typedef enum {
    STAGE_WAITING,
    STAGE_RUNNING,
    STAGE_CACHED,
    STAGE_DONE,
    STAGE_FAILED,
    STAGE_STOPPED, /* interrupted; resumes on the next run */
} StageState;

const char *stage_state_name(StageState s);

/* CMD_RESET_OPTIONS puts a stage that has not started back to the options
 * the script gave it (undoing CMD_SET_OPTION edits). */
typedef enum {
    CMD_RUN,
    CMD_PAUSE,
    CMD_STEP,
    CMD_STOP,
    CMD_SET_OPTION,
    CMD_RESET_OPTIONS
} RunnerCmdKind;

typedef struct {
    RunnerCmdKind kind;
    int stage; /* CMD_SET_OPTION, CMD_RESET_OPTIONS */
    char name[GRAPH_NAME];
    char value[256];
} RunnerCmd;

typedef struct {
    StageState state;
    long step, total;
    double rate;       /* steps per second since the stage (or its resume) started */
    long resumed_from; /* step restored from a resume point; 0 when started afresh */
    char headline[48];
    char error[1024]; /* FAILED: `file:line: message` and traceback when from the script */
    /* This run's wall time in the stage, paused time left out (0 when
     * cached), and the tokens it processed: the sum over steps of the
     * step's tokens_per_s metric times its wall time (0 for kinds without
     * that metric: evals and sampling report none). */
    double seconds, tokens;
} StageStatus;

typedef enum { RUNNER_EV_START, RUNNER_EV_STEP, RUNNER_EV_END } RunnerEvent;

typedef struct {
    const char *dir;         /* run directory */
    unsigned long long seed; /* mixed into every stage key */
    bool fresh;              /* ignore the cache and resume points */
    /* the stage cache shared between run directories (shared_cache.h):
     * stages are restored from it and stored in it; NULL: none */
    const char *cache_dir;
    bool start_paused;
    size_t ring_cap; /* metrics rows kept in memory; 0: 4096 */
    /* Called on the worker after a stage starts, after each step and when a
     * stage ends (headless progress lines); may be NULL. */
    void (*report)(void *ctx, int stage, RunnerEvent ev, const StageStatus *st);
    void *report_ctx;
    /* Polled between steps; returning true acts as CMD_STOP (SIGINT flag). */
    bool (*should_stop)(void *ctx);
    void *stop_ctx;
} RunnerOptions;

typedef struct Runner Runner;

/* The graph is borrowed and must be resolved (graph_resolve) by the caller
 * or is resolved here; NULL with a message on errors in the graph. */
Runner *runner_new(Graph *g, const RunnerOptions *opts, char *err, size_t errlen);
void runner_free(Runner *r);

/* Runs every stage on the calling thread; returns when done or stopped. */
void runner_run(Runner *r);
/* The same on a worker thread; runner_join waits for it. */
int runner_start(Runner *r);
void runner_join(Runner *r);

/* Queues a command; returns at once. 0, or -1 when the queue is full. */
int runner_command(Runner *r, const RunnerCmd *cmd);

/* Copies the stage's status under the lock. */
void runner_status(Runner *r, int stage, StageStatus *out);
bool runner_paused(Runner *r);
bool runner_finished(Runner *r);
/* Stages FAILED after the run (0 when all ran or were reused), plus one when
 * the run's eval.csv could not be written. */
int runner_failures(Runner *r);
/* 1 when the run stopped before finishing every stage. */
int runner_stopped(Runner *r);
/* The runner's latest message for the view's log line (a refused option
 * edit, a stop); "" when none. */
void runner_message(Runner *r, char *buf, size_t cap);
/* Bumped whenever a message is set, even to the same text. */
unsigned runner_message_seq(Runner *r);
/* Copies a stage's options (at most max) and its current cache key (0 before
 * keys are first computed) under the lock: the worker edits options
 * (CMD_SET_OPTION) and recomputes keys while the view reads them. */
int runner_stage_options(Runner *r, int stage, StageOption *out, int max, uint64_t *key);

/* The newest completion of a stage, for the view's sample panel. */
typedef struct {
    char prompt[256];
    char completion[1024];
    char scores[256];  /* "reward 1.5  accuracy 1  format 0.5  advantage 0.83" */
    unsigned long seq; /* 0: nothing published yet */
} RunnerSample;

/* Copies stage's newest sample; returns its seq (0: none yet). */
unsigned long runner_sample(Runner *r, int stage, RunnerSample *out);

/* The newest step of a running GRPO stage, token by token: copied into
 * *out when its sequence number differs from `have`. Returns that number,
 * 0 when the stage has published none in this run. The worker keeps the
 * copy only once this has been called (a headless run never pays for it),
 * so the first call finds one from the next step on. */
unsigned long runner_trace(Runner *r, int stage, unsigned long have, GrpoTrace *out);

MetricsRing *runner_metrics(Runner *r);
const Graph *runner_graph(const Runner *r);
const int *runner_order(const Runner *r);
uint64_t runner_key(const Runner *r, int stage);

#endif
