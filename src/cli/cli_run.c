/* r1sim run SCRIPT: load a pipeline script, run its stages on the worker
 * thread, and show them in the live view (the main thread) or, headless, print
 * one progress line per stage on stderr. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/dry_run.h"
#include "cli/run_args.h"
#include "cli/run_record.h"
#include "cli/share_dir.h"
#include "cli/time_table.h"
#include "cli/run_view.h"
#include "engine/runtime.h"
#include "pipeline/rundir_lock.h"
#include "pipeline/runner.h"
#include "script/host.h"
#include "script/pipeline.h"
#include "tui/view.h"

/* A stopped stage whose resume point could not be written (disk full, an
 * I/O error) has lost the steps since its previous one: the user must hear
 * of it, and the exit status says so even when the stop was asked for. */
static int report_unsaved_stops(Runner *r, const Graph *g) {
    int n = 0;
    for (int s = 0; s < g->n; s++) {
        StageStatus st;
        runner_status(r, s, &st);
        if (st.state != STAGE_STOPPED || !st.error[0]) continue;
        fprintf(stderr, "r1sim run: stage '%s': its resume point could not be written: %s\n",
                g->stages[s].name, st.error);
        n++;
    }
    return n;
}

static volatile sig_atomic_t interrupted;

/* Exits at once, keeping the last resume point on disk: every resume point is
 * written to a temporary name and renamed, so one being written is left as a
 * stray temporary file, never half of a valid one. */
static void exit_now(const char *why, size_t len, int status) {
    ssize_t rc = write(2, why, len);
    (void)rc;
    _exit(status);
}

/* The first Ctrl-C or SIGTERM asks for a stop at the next consistent point;
 * a second one is the user saying that is not soon enough. */
static void on_sigint(int sig) {
    (void)sig;
    if (interrupted) {
        static const char msg[] = "\nr1sim run: interrupted again; ending now (the last resume "
                                  "point is kept)\n";
        exit_now(msg, sizeof msg - 1, 130);
    }
    interrupted = 1;
}

/* A script function stuck inside one Lua library call (a backtracking
 * pattern match) is beyond the instruction budget and the time limit, which
 * only act between instructions, and cannot be stopped from its own thread.
 * So this watchdog ends the process if a script call is still running
 * STUCK_S after a stop request, or, with no stop asked for, STUCK_LIMIT_S
 * after it began: past the per-call time limit it would have met had it been
 * running instructions, so that a sweep never hangs on one. Only script calls
 * count: the engine's own work reaches a stop check within a step. */
#define STUCK_S 0.5
#define STUCK_LIMIT_S (SCRIPT_DEFAULT_TIME_LIMIT + 2.0)
/* The watchdog waits on a condition, not in sleeps, so that a run that ends
 * does not wait out the watchdog's tick. */
static pthread_mutex_t watch_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t watch_cv = PTHREAD_COND_INITIALIZER;
static bool watch_done;

static void watch_end(void) {
    pthread_mutex_lock(&watch_mu);
    watch_done = true;
    pthread_cond_signal(&watch_cv);
    pthread_mutex_unlock(&watch_mu);
}

static void *watchdog(void *arg) {
    (void)arg;
    double since_stop = 0;
    pthread_mutex_lock(&watch_mu);
    while (!watch_done) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 50000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&watch_cv, &watch_mu, &until);
        if (watch_done) break;
        if (script_host_busy_seconds() >= STUCK_LIMIT_S) {
            char msg[256]; /* a thread of its own, not a signal handler: snprintf may run */
            int n = snprintf(msg, sizeof msg,
                             "r1sim run: a script function has run for %g s inside one Lua "
                             "library call (a pattern match that backtracks?), past the %g s a "
                             "call may take; ending now (the last resume point is kept)\n",
                             STUCK_LIMIT_S, SCRIPT_DEFAULT_TIME_LIMIT);
            exit_now(msg, n > 0 && (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1, 1);
        }
        if (!interrupted) continue;
        since_stop += 0.05;
        if (since_stop >= STUCK_S && script_host_busy_seconds() >= STUCK_S) {
            static const char msg[] =
                "r1sim run: a script function has not returned since the stop (stuck inside a "
                "Lua library call?); ending now (the last resume point is kept)\n";
            exit_now(msg, sizeof msg - 1, 130);
        }
    }
    pthread_mutex_unlock(&watch_mu);
    return NULL;
}
static bool should_stop(void *ctx) {
    (void)ctx;
    return interrupted != 0;
}

typedef struct {
    const Graph *g;
    const int *order;
    int tty;
    double last_print;
    time_t started;
} Progress;

static double mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int position(const Progress *p, int s) {
    for (int k = 0; k < p->g->n; k++)
        if (p->order[k] == s) return k + 1;
    return 0;
}

static void report(void *ctx, int s, RunnerEvent ev, const StageStatus *st) {
    Progress *p = ctx;
    double now = mono();
    if (ev == RUNNER_EV_STEP && (!p->tty || now - p->last_print < 0.5)) return;
    if (ev == RUNNER_EV_START && !p->tty) return;
    p->last_print = now;
    const Stage *stage = &p->g->stages[s];
    char eta[32] = "";
    if (st->state == STAGE_RUNNING && st->rate > 0) {
        long left = (long)((double)(st->total - st->step) / st->rate);
        snprintf(eta, sizeof eta, "ETA %ld:%02ld", left / 60, left % 60);
    }
    char resumed[48] = "";
    if (st->resumed_from > 0)
        snprintf(resumed, sizeof resumed, " (resumed at step %ld)", st->resumed_from);
    fprintf(stderr, "%s[%d/%d] %-18s %-8s %-8s %6ld/%-6ld %7.2f step/s %-10s %s%s%s",
            p->tty ? "\r\033[K" : "", position(p, s), p->g->n, stage->name, stage->kind->name,
            stage_state_name(st->state), st->step, st->total, st->rate, eta, st->headline, resumed,
            ev == RUNNER_EV_END ? "\n" : "");
    if (ev == RUNNER_EV_END && st->state == STAGE_FAILED)
        fprintf(stderr, "r1sim: stage '%s' (%s) failed:\n%s\n", stage->name, stage->where,
                st->error);
}

int cli_run(int argc, char **argv) {
    RunArgs args;
    RunView *rv = NULL;
    pthread_t wd;
    bool watching = false;
    int rc = run_args_parse(argc, argv, &args);
    if (rc) goto done;
    if (args.help) {
        fputs(run_args_usage, stdout);
        goto done;
    }
    static ScriptPlace place; /* large */
    rc = cli_script_place("run", args.script, &place);
    if (rc) goto done;
    const char *script = place.path, *out = args.out, *share = place.share;
    /* The view needs both ends to be a terminal; otherwise (a pipe, CI, a
     * redirect) the run is headless as asked. */
    bool view = !args.headless && !args.dry && isatty(0) && isatty(1);
    if (view && !(rv = run_view_new())) view = false;

    static Graph g; /* large; one per process */
    graph_init(&g);
    if (strcmp(place.dir, ".") != 0) graph_add_input_dir(&g, place.dir);
    if (share) graph_add_input_dir(&g, share);
    char err[4096];
    ScriptOptions so = {.unsafe = args.unsafe,
                        .lua_path = place.lua_path,
                        .print = rv ? run_view_print : NULL,
                        .print_ctx = rv};
    ScriptParams params = {args.names, args.values, args.n_defs};
    /* from the load on: the script's main chunk is a script call too */
    watch_done = false;
    watching = pthread_create(&wd, NULL, watchdog, NULL) == 0;
    ScriptPipeline *sp = script_pipeline_load(script, &params, &so, &g, err, sizeof err);
    if (!sp) {
        fprintf(stderr, "r1sim run: %s\n", err);
        rc = CLI_EXIT_USAGE;
        goto done;
    }
    engine_set_threads((int)args.threads);
    if (args.dry) {
        rc = dry_run_print(&g, out, args.cache, args.seed, args.fresh);
        script_pipeline_free(sp);
        goto done;
    }
    /* held until the process exits, when the kernel lets it go */
    if (rundir_lock(out, err, sizeof err) < 0) {
        fprintf(stderr, "r1sim run: %s\n", err);
        script_pipeline_free(sp);
        rc = CLI_EXIT_FAIL;
        goto done;
    }
    int stray = rundir_remove_temps(out);
    if (stray > 0)
        fprintf(stderr, "r1sim run: removed %d temporary file%s left by a run that was killed\n",
                stray, stray == 1 ? "" : "s");
    if (run_record_write(out, script, args.seed, args.names, args.values, args.n_defs, err,
                         sizeof err)) {
        fprintf(stderr, "r1sim run: %s\n", err);
        script_pipeline_free(sp);
        rc = CLI_EXIT_FAIL;
        goto done;
    }
    /* Under the view stderr is parked and replayed afterwards: only the
     * end-of-stage lines go there, as a summary, not the \r progress. */
    Progress prog = {.g = &g, .tty = !view && isatty(2)};
    RunnerOptions ro = {.dir = out,
                        .seed = args.seed,
                        .fresh = args.fresh,
                        .cache_dir = args.cache,
                        .start_paused = view,
                        .report = report,
                        .report_ctx = &prog,
                        .should_stop = should_stop};
    Runner *r = runner_new(&g, &ro, err, sizeof err);
    if (!r) {
        fprintf(stderr, "r1sim run: %s\n", err);
        script_pipeline_free(sp);
        rc = CLI_EXIT_USAGE;
        goto done;
    }
    prog.order = runner_order(r);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    fprintf(stderr, "r1sim run: %s, %d stages, run directory %s\n", script, g.n, out);
    if (runner_start(r)) {
        fprintf(stderr, "r1sim run: cannot start the worker thread\n");
        rc = CLI_EXIT_FAIL;
    } else {
        bool quit = false;
        if (view) {
            run_view_attach(rv, r, out);
            TuiTermOptions to = {.ascii = args.ascii};
            if (tui_view_run(run_view_source(rv), &to, err, sizeof err) == 0) {
                quit = run_view_quit(rv);
                if (!runner_finished(r)) {
                    fprintf(stderr, "r1sim run: stopping (writing a resume point)...\n");
                    /* the view has asked the runner to stop: from here a
                     * Ctrl-C is the second one, and the watchdog applies */
                    interrupted = 1;
                }
            } else {
                fprintf(stderr, "r1sim run: no live view (%s); running headless\n", err);
                RunnerCmd go = {.kind = CMD_RUN};
                runner_command(r, &go);
            }
        }
        runner_join(r);
        fprintf(stderr, "r1sim run: time per stage (this run)\n");
        if (time_table_print(r, stderr)) fprintf(stderr, "r1sim run: out of memory\n");
        int failed = runner_failures(r);
        int unsaved = report_unsaved_stops(r, &g);
        if (unsaved) failed = 1;
        if (runner_stopped(r) && unsaved)
            fprintf(stderr, "r1sim run: stopped; the same command resumes from the previous resume "
                            "point, if there is one\n");
        else if (runner_stopped(r))
            fprintf(stderr, "r1sim run: stopped; run the same command again to resume\n");
        else if (!failed)
            fprintf(stderr, "r1sim run: done; results in %s/eval.csv\n", out);
        /* quitting the view is the user's choice, not a failure */
        rc = failed || (runner_stopped(r) && !quit) ? CLI_EXIT_FAIL : 0;
    }
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    interrupted = 0;
    runner_free(r);
    script_pipeline_free(sp);
done:
    watch_end();
    if (watching) pthread_join(wd, NULL);
    run_view_free(rv);
    run_args_free(&args);
    return rc;
}
