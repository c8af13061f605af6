/* r1sim run SCRIPT: load a pipeline script, run its stages on the worker
 * thread, and show them in the live view (the main thread) or, headless, print
 * one progress line per stage on stderr. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/dry_run.h"
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

static const char run_usage[] =
    "usage: r1sim run SCRIPT.lua [--headless] [--out DIR] [--seed N] [--fresh]\n"
    "                 [-D name=value ...] [--threads N] [--unsafe] [--ascii]\n"
    "                 [--dry-run]\n"
    "       r1sim SCRIPT.lua [OPTIONS]     (the same)\n"
    "Runs the pipeline SCRIPT declares; stages whose options and inputs are unchanged\n"
    "are reused from DIR (default runs/SCRIPT-NAME). On a terminal the live flowchart\n"
    "opens, paused (space runs, ? lists the keys); --headless, or no terminal, prints\n"
    "progress lines instead. Ctrl-C or q stops at a consistent point; the same\n"
    "command resumes. --dry-run trains nothing: it prints each stage's work and an\n"
    "estimate of its wall time on this machine. See r1sim(1) and r1sim-lua(5).\n";

static volatile sig_atomic_t interrupted;

/* Exits at once, keeping the last resume point on disk: every resume point is
 * written to a temporary name and renamed, so one being written is left as a
 * stray temporary file, never half of a valid one. */
static void exit_now(const char *why, size_t len) {
    ssize_t rc = write(2, why, len);
    (void)rc;
    _exit(130);
}

/* The first Ctrl-C or SIGTERM asks for a stop at the next consistent point;
 * a second one is the user saying that is not soon enough. */
static void on_sigint(int sig) {
    (void)sig;
    if (interrupted) {
        static const char msg[] = "\nr1sim run: interrupted again; ending now (the last resume "
                                  "point is kept)\n";
        exit_now(msg, sizeof msg - 1);
    }
    interrupted = 1;
}

/* A script function stuck inside one Lua library call (a backtracking
 * pattern match) is beyond the instruction budget and cannot be stopped from
 * its own thread, so after a stop request this watchdog ends the process if
 * a script call is still running STUCK_S later. Only script calls count: the
 * engine's own work reaches a stop check within a step. */
#define STUCK_S 0.5
static atomic_bool watch_done;

static void *watchdog(void *arg) {
    (void)arg;
    const struct timespec tick = {0, 50000000L};
    double since_stop = 0;
    while (!atomic_load(&watch_done)) {
        nanosleep(&tick, NULL);
        if (!interrupted) continue;
        since_stop += 0.05;
        if (since_stop >= STUCK_S && script_host_busy_seconds() >= STUCK_S) {
            static const char msg[] =
                "r1sim run: a script function has not returned since the stop (stuck inside a "
                "Lua library call?); ending now (the last resume point is kept)\n";
            exit_now(msg, sizeof msg - 1);
        }
    }
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
    const char *script = NULL, *out = NULL;
    unsigned long long seed = 1;
    bool fresh = false, unsafe = false, headless = false, ascii = false, dry = false;
    RunView *rv = NULL;
    long threads = 0;
    enum { MAX_DEFS = 64 };
    const char *names[MAX_DEFS], *values[MAX_DEFS];
    char *defbuf[MAX_DEFS];
    int n_defs = 0, rc = CLI_EXIT_USAGE;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(run_usage, stdout);
            rc = 0;
            goto done;
        } else if (!strcmp(a, "--headless")) {
            headless = true;
        } else if (!strcmp(a, "--dry-run")) {
            dry = true;
        } else if (!strcmp(a, "--ascii")) {
            ascii = true;
        } else if (!strcmp(a, "--fresh")) {
            fresh = true;
        } else if (!strcmp(a, "--unsafe")) {
            unsafe = true;
        } else if ((!strcmp(a, "--out") || !strcmp(a, "--seed") || !strcmp(a, "--threads") ||
                    !strcmp(a, "-D")) &&
                   i + 1 >= argc) {
            fprintf(stderr, "r1sim run: %s needs a value\n%s", a, run_usage);
            goto done;
        } else if (!strcmp(a, "--out")) {
            out = argv[++i];
            /* "" would join into paths such as /base/model.ckpt: the stages'
             * directories at the file system's root. */
            if (!out[0]) {
                fprintf(stderr, "r1sim run: --out: expected a directory, got ''\n");
                goto done;
            }
        } else if (!strcmp(a, "--seed")) {
            long v;
            if (cli_parse_int("run", "--seed", argv[++i], 0, 2147483647L, &v)) goto done;
            seed = (unsigned long long)v;
        } else if (!strcmp(a, "--threads")) {
            if (cli_parse_threads("run", argv[++i], &threads)) goto done;
        } else if (!strcmp(a, "-D") || !strncmp(a, "-D", 2)) {
            const char *d = a[2] ? a + 2 : argv[++i];
            const char *eq = strchr(d, '=');
            if (!eq || eq == d) {
                fprintf(stderr, "r1sim run: -D: expected name=value, got '%s'\n", d);
                goto done;
            }
            /* The later value wins, as a sweep that appends its override to
             * a fixed command line expects; said, since the earlier one may
             * be what the user meant. */
            int j = 0;
            while (j < n_defs && (strncmp(names[j], d, (size_t)(eq - d)) || names[j][eq - d])) j++;
            if (j < n_defs) {
                fprintf(stderr,
                        "r1sim run: note: -D %s given twice; the later value '%s' wins over '%s'\n",
                        names[j], eq + 1, values[j]);
                values[j] = eq + 1;
                continue;
            }
            if (n_defs >= MAX_DEFS) {
                fprintf(stderr, "r1sim run: -D: at most %d names\n", MAX_DEFS);
                goto done;
            }
            defbuf[n_defs] = strndup(d, (size_t)(eq - d));
            names[n_defs] = defbuf[n_defs];
            values[n_defs] = eq + 1;
            n_defs++;
        } else if (a[0] == '-') {
            fprintf(stderr, "r1sim run: unknown option '%s'\n%s", a, run_usage);
            goto done;
        } else if (!script) {
            script = a;
        } else {
            fprintf(stderr, "r1sim run: one script only (got '%s' and '%s')\n", script, a);
            goto done;
        }
    }
    if (!script) {
        fputs(run_usage, stderr);
        goto done;
    }
    if (!threads && (threads = cli_default_threads("run")) < 0) goto done;
    char outbuf[4096];
    if (!out) {
        const char *base = strrchr(script, '/');
        base = base ? base + 1 : script;
        size_t len = strcspn(base, ".");
        snprintf(outbuf, sizeof outbuf, "runs/%.*s", (int)len, base);
        out = outbuf;
    }
    char lua_path[4096];
    const char *slash = strrchr(script, '/');
    snprintf(lua_path, sizeof lua_path, "%.*s;lua", slash ? (int)(slash - script) : 1,
             slash ? script : ".");

    /* The view needs both ends to be a terminal; otherwise (a pipe, CI, a
     * redirect) the run is headless as asked. */
    bool view = !headless && !dry && isatty(0) && isatty(1);
    if (view && !(rv = run_view_new())) view = false;

    static Graph g; /* large; one per process */
    graph_init(&g);
    char err[4096];
    ScriptOptions so = {.unsafe = unsafe,
                        .lua_path = lua_path,
                        .print = rv ? run_view_print : NULL,
                        .print_ctx = rv};
    ScriptParams params = {names, values, n_defs};
    ScriptPipeline *sp = script_pipeline_load(script, &params, &so, &g, err, sizeof err);
    if (!sp) {
        fprintf(stderr, "r1sim run: %s\n", err);
        rc = CLI_EXIT_USAGE;
        goto done;
    }
    engine_set_threads((int)threads);
    if (dry) {
        rc = dry_run_print(&g, out, seed, fresh);
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
    /* Under the view stderr is parked and replayed afterwards: only the
     * end-of-stage lines go there, as a summary, not the \r progress. */
    Progress prog = {.g = &g, .tty = !view && isatty(2)};
    RunnerOptions ro = {.dir = out,
                        .seed = seed,
                        .fresh = fresh,
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
    atomic_store(&watch_done, false);
    pthread_t wd;
    bool watching = pthread_create(&wd, NULL, watchdog, NULL) == 0;
    fprintf(stderr, "r1sim run: %s, %d stages, run directory %s\n", script, g.n, out);
    if (runner_start(r)) {
        fprintf(stderr, "r1sim run: cannot start the worker thread\n");
        rc = CLI_EXIT_FAIL;
    } else {
        bool quit = false;
        if (view) {
            run_view_attach(rv, r, out);
            TuiTermOptions to = {.ascii = ascii};
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
        atomic_store(&watch_done, true);
        if (watching) pthread_join(wd, NULL);
        watching = false;
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
    atomic_store(&watch_done, true);
    if (watching) pthread_join(wd, NULL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    interrupted = 0;
    runner_free(r);
    script_pipeline_free(sp);
done:
    run_view_free(rv);
    for (int i = 0; i < n_defs; i++) free(defbuf[i]);
    return rc;
}
