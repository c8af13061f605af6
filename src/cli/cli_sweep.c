/* r1sim sweep: an ablation as one command — the cross product of --grid
 * over seeds, each run an `r1sim run --headless` in a run directory of its
 * own under one stage cache, then the seeds' mean and spread per grid point
 * (sweep_collect.h). --list and --slurm hand the same runs to GNU parallel
 * or a Slurm array instead of running them here. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/share_dir.h"
#include "cli/sweep_collect.h"
#include "cli/sweep_grid.h"
#include "cli/sweep_jobs.h"
#include "cli/time_table.h"
#include "engine/atomic_file.h"
#include "pipeline/graph.h"
#include "pipeline/rundir.h"
#include "pipeline/shared_cache.h"
#include "script/pipeline.h"

static const char usage[] =
    "usage: r1sim sweep SCRIPT.lua|FILE.sweep [--grid name=v1,v2,...]... [--seeds N] [-j J]\n"
    "                   [--out DIR] [-D name=value]... [--threads N] [--cache DIR]\n"
    "                   [--list | --slurm FILE]\n"
    "       r1sim sweep --collect DIR... [--out DIR]\n"
    "Runs SCRIPT for every combination of the --grid values (each name an\n"
    "r1sim.param of the script) and seeds 1..N, J at a time (the threads split\n"
    "between them), each headless in DIR/POINT_sSEED (default DIR: runs/sweep-NAME)\n"
    "with one stage cache (as r1sim run's: R1SIM_CACHE, else .cache beside DIR), so\n"
    "a stage the runs share is trained once.\n"
    "Then writes DIR/summary.csv (mean, std and n over seeds of every eval figure,\n"
    "per grid point and model) and DIR/metrics_long.csv (every step's metrics), and\n"
    "prints pass@1 per grid point. Ctrl-C stops every run at a consistent point;\n"
    "the same command continues. --list prints one shell command per run instead\n"
    "(for GNU parallel); --slurm writes a Slurm job-array script; --collect\n"
    "rebuilds the two files from finished run directories. FILE.sweep holds a\n"
    "sweep's words (the shipped ablations: lua/ablations/, by name from anywhere).\n";

typedef struct {
    const char *script;
    SweepGrid grid;
    int jobs;
    long threads;
    bool threads_given, list;
    const char *out, *cache, *slurm;
    const char *sweep_file; /* the .sweep file the words came from, or NULL */
    int n_defs;
    const char *def_names[64], *def_values[64];
    char def_buf[64][SWEEP_NAME];
    int n_collect;
    const char *collect[256];
    char outbuf[4096], cachebuf[4200];
} SweepArgs;

static int add_define(SweepArgs *a, const char *text) {
    const char *eq = strchr(text, '=');
    if (!eq || eq == text || (size_t)(eq - text) >= SWEEP_NAME) {
        fprintf(stderr, "r1sim sweep: -D: expected name=value, got '%s'\n", text);
        return -1;
    }
    if (a->n_defs == 64) {
        fprintf(stderr, "r1sim sweep: -D: at most 64\n");
        return -1;
    }
    snprintf(a->def_buf[a->n_defs], SWEEP_NAME, "%.*s", (int)(eq - text), text);
    a->def_names[a->n_defs] = a->def_buf[a->n_defs];
    a->def_values[a->n_defs++] = eq + 1;
    return 0;
}

static int parse(int argc, char **argv, SweepArgs *a, const char *sweep_file) {
    memset(a, 0, sizeof *a);
    a->sweep_file = sweep_file;
    a->jobs = 1;
    a->grid.seeds = 1;
    bool collecting = false;
    for (int i = 1; i < argc; i++) {
        const char *w = argv[i];
        bool takes = !strcmp(w, "--grid") || !strcmp(w, "--seeds") || !strcmp(w, "-j") ||
                     !strcmp(w, "--out") || !strcmp(w, "-D") || !strcmp(w, "--threads") ||
                     !strcmp(w, "--cache") || !strcmp(w, "--slurm");
        if (takes && i + 1 >= argc) {
            fprintf(stderr, "r1sim sweep: %s needs a value\n%s", w, usage);
            return CLI_EXIT_USAGE;
        }
        char err[512];
        long v;
        if (!strcmp(w, "--help") || !strcmp(w, "-h")) {
            fputs(usage, stdout);
            return -1;
        } else if (!strcmp(w, "--collect")) {
            collecting = true;
        } else if (!strcmp(w, "--grid")) {
            if (sweep_grid_add(&a->grid, argv[++i], err, sizeof err)) {
                fprintf(stderr, "r1sim sweep: %s\n", err);
                return CLI_EXIT_USAGE;
            }
        } else if (!strcmp(w, "--seeds")) {
            if (cli_parse_int("sweep", "--seeds", argv[++i], 1, 1000, &v)) return CLI_EXIT_USAGE;
            a->grid.seeds = (int)v;
        } else if (!strcmp(w, "-j")) {
            if (cli_parse_int("sweep", "-j", argv[++i], 1, 256, &v)) return CLI_EXIT_USAGE;
            a->jobs = (int)v;
        } else if (!strcmp(w, "--threads")) {
            if (cli_parse_threads("sweep", argv[++i], &a->threads)) return CLI_EXIT_USAGE;
            a->threads_given = true;
        } else if (!strcmp(w, "--out") || !strcmp(w, "--cache") || !strcmp(w, "--slurm")) {
            const char *d = argv[++i];
            if (!d[0]) {
                fprintf(stderr, "r1sim sweep: %s: expected a %s, got ''\n", w,
                        strcmp(w, "--slurm") ? "directory" : "file");
                return CLI_EXIT_USAGE;
            }
            *(!strcmp(w, "--out") ? &a->out : !strcmp(w, "--cache") ? &a->cache : &a->slurm) = d;
        } else if (!strcmp(w, "-D")) {
            if (add_define(a, argv[++i])) return CLI_EXIT_USAGE;
        } else if (!strcmp(w, "--list")) {
            a->list = true;
        } else if (w[0] == '-' && w[1]) {
            fprintf(stderr, "r1sim sweep: unknown option '%s'\n%s", w, usage);
            return CLI_EXIT_USAGE;
        } else if (collecting) {
            if (a->n_collect == 256) {
                fprintf(stderr, "r1sim sweep: --collect: at most 256 directories\n");
                return CLI_EXIT_USAGE;
            }
            a->collect[a->n_collect++] = w;
        } else if (!a->script) {
            a->script = w;
        } else {
            fprintf(stderr, "r1sim sweep: one script only ('%s' and '%s')\n", a->script, w);
            return CLI_EXIT_USAGE;
        }
    }
    if (collecting) {
        if (!a->n_collect || a->script) {
            fprintf(stderr, "r1sim sweep: --collect takes run or sweep directories%s\n",
                    a->script ? " (and no script)" : "");
            return CLI_EXIT_USAGE;
        }
        if (!a->out) a->out = a->collect[0];
        return 0;
    }
    if (!a->script) {
        fputs(usage, stderr);
        return CLI_EXIT_USAGE;
    }
    if (a->list && a->slurm) {
        fprintf(stderr, "r1sim sweep: --list and --slurm: one or the other\n");
        return CLI_EXIT_USAGE;
    }
    if (sweep_grid_runs(&a->grid) > SWEEP_MAX_RUNS) {
        fprintf(stderr, "r1sim sweep: more than %d runs\n", SWEEP_MAX_RUNS);
        return CLI_EXIT_USAGE;
    }
    if (!a->out) {
        const char *named = a->sweep_file ? a->sweep_file : a->script;
        const char *base = strrchr(named, '/');
        base = base ? base + 1 : named;
        size_t len = strlen(base), ext = a->sweep_file ? 6 : 4;
        if (len > ext && !strcmp(base + len - ext, a->sweep_file ? ".sweep" : ".lua")) len -= ext;
        snprintf(a->outbuf, sizeof a->outbuf, "runs/sweep-%.*s", (int)len, base);
        a->out = a->outbuf;
    }
    /* the cache `r1sim run --out DIR/RUN` would use by default is
     * DIR/.cache; beside DIR instead, so that every sweep and run under
     * runs/ shares one, and an ablation reuses another's base models */
    if (!a->cache && shared_cache_default(a->out, a->cachebuf, sizeof a->cachebuf)) {
        fprintf(stderr, "r1sim sweep: --out: the directory's name is too long\n");
        return CLI_EXIT_USAGE;
    }
    if (!a->cache) a->cache = a->cachebuf;
    if (!a->threads_given && (a->threads = cli_default_threads("sweep")) < 0) return CLI_EXIT_USAGE;
    return 0;
}

/* Loads the script with the fixed -D and every grid point's values, as each
 * run will, so that a bad name or value is reported before anything runs. */
static int check_script(const SweepArgs *a, const ScriptPlace *place) {
    static Graph g; /* large */
    char err[4096];
    ScriptOptions so = {.lua_path = place->lua_path};
    const char *names[64 + SWEEP_MAX_AXES], *values[64 + SWEEP_MAX_AXES];
    for (int i = 0; i < a->n_defs; i++) {
        names[i] = a->def_names[i];
        values[i] = a->def_values[i];
    }
    for (int x = 0; x < a->grid.n_axes; x++)
        for (int k = 0; k < a->n_defs; k++)
            if (!strcmp(a->def_names[k], a->grid.axes[x].name)) {
                fprintf(stderr, "r1sim sweep: --grid %s: also given as -D\n", a->grid.axes[x].name);
                return CLI_EXIT_USAGE;
            }
    int points = sweep_grid_points(&a->grid);
    for (int p = -1; p < points; p++) {
        int n = a->n_defs, idx[SWEEP_MAX_AXES];
        if (p >= 0) {
            sweep_grid_point(&a->grid, p, idx);
            for (int x = 0; x < a->grid.n_axes; x++) {
                names[n] = a->grid.axes[x].name;
                values[n++] = a->grid.axes[x].values[idx[x]];
            }
        }
        graph_init(&g);
        if (strcmp(place->dir, ".") != 0) graph_add_input_dir(&g, place->dir);
        if (place->share) graph_add_input_dir(&g, place->share);
        ScriptParams params = {names, values, n};
        ScriptPipeline *sp = script_pipeline_load(place->path, &params, &so, &g, err, sizeof err);
        if (!sp) {
            fprintf(stderr, "r1sim sweep: %s\n", err);
            return CLI_EXIT_USAGE;
        }
        /* p = -1: the fixed -D alone, to name the grid's unknown names */
        for (int x = 0; p < 0 && x < a->grid.n_axes; x++) {
            bool known = false;
            for (int k = 0; k < script_pipeline_n_params(sp) && !known; k++)
                known = !strcmp(script_pipeline_param(sp, k), a->grid.axes[x].name);
            if (!known) {
                char have[1024];
                script_pipeline_param_list(sp, have, sizeof have);
                fprintf(stderr, "r1sim sweep: --grid %s: %s has no r1sim.param('%s', ...) (%s%s)\n",
                        a->grid.axes[x].name, place->path, a->grid.axes[x].name,
                        have[0] ? "it has: " : "it has none", have);
                script_pipeline_free(sp);
                return CLI_EXIT_USAGE;
            }
        }
        script_pipeline_free(sp);
    }
    return 0;
}

/* Every run's argv: r1sim run SCRIPT --headless --seed S -D ... --out
 * DIR/NAME --cache CACHE [--threads T]. */
typedef struct {
    int n;
    char **argv[SWEEP_MAX_RUNS];
    char name[SWEEP_MAX_RUNS][256];
} Plan;

static void plan_free(Plan *p) {
    for (int i = 0; i < p->n; i++) {
        for (char **w = p->argv[i]; w && *w; w++) free(*w);
        free(p->argv[i]);
    }
}

static int plan_build(Plan *p, const SweepArgs *a, const char *self, long threads,
                      bool with_threads) {
    p->n = sweep_grid_runs(&a->grid);
    memset(p->argv, 0, sizeof p->argv);
    for (int i = 0; i < p->n; i++) {
        if (sweep_grid_run_name(&a->grid, i, p->name[i], sizeof p->name[i])) {
            fprintf(stderr, "r1sim sweep: a run's directory name is too long\n");
            return -1;
        }
        int point, seed, idx[SWEEP_MAX_AXES];
        sweep_grid_run(&a->grid, i, &point, &seed);
        sweep_grid_point(&a->grid, point, idx);
        int max = 16 + 2 * (a->n_defs + a->grid.n_axes), k = 0;
        char **v = calloc((size_t)max, sizeof *v);
        p->argv[i] = v;
        if (!v) return -1;
        char text[4400];
        v[k++] = strdup(self);
        v[k++] = strdup("run");
        v[k++] = strdup(a->script);
        v[k++] = strdup("--headless");
        v[k++] = strdup("--seed");
        snprintf(text, sizeof text, "%d", seed);
        v[k++] = strdup(text);
        for (int d = 0; d < a->n_defs; d++) {
            v[k++] = strdup("-D");
            snprintf(text, sizeof text, "%s=%s", a->def_names[d], a->def_values[d]);
            v[k++] = strdup(text);
        }
        for (int x = 0; x < a->grid.n_axes; x++) {
            v[k++] = strdup("-D");
            snprintf(text, sizeof text, "%s=%s", a->grid.axes[x].name,
                     a->grid.axes[x].values[idx[x]]);
            v[k++] = strdup(text);
        }
        v[k++] = strdup("--out");
        snprintf(text, sizeof text, "%s/%s", a->out, p->name[i]);
        v[k++] = strdup(text);
        v[k++] = strdup("--cache");
        v[k++] = strdup(a->cache);
        if (with_threads) {
            v[k++] = strdup("--threads");
            snprintf(text, sizeof text, "%ld", threads);
            v[k++] = strdup(text);
        }
        for (int w = 0; w < k; w++)
            if (!v[w]) return -1;
    }
    return 0;
}

/* A word as the shell reads it back: quoted unless it is plain. */
static void put_word(FILE *f, const char *w) {
    if (*w && strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                        "._-+=,/:@%") == strlen(w)) {
        fputs(w, f);
        return;
    }
    fputc('\'', f);
    for (; *w; w++)
        if (*w == '\'')
            fputs("'\\''", f);
        else
            fputc(*w, f);
    fputc('\'', f);
}

static void put_command(FILE *f, char *const *argv) {
    for (int w = 0; argv[w]; w++) {
        if (w) fputc(' ', f);
        put_word(f, argv[w]);
    }
}

static int write_slurm(const SweepArgs *a, const Plan *p, const char *self) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        fprintf(stderr, "r1sim sweep: out of memory\n");
        return CLI_EXIT_FAIL;
    }
    fprintf(f, "#!/bin/bash\n");
    fprintf(f, "# r1sim sweep of %s: %d runs, one per array task, then a collect step.\n",
            a->script, p->n);
    fprintf(f, "# Submit both, the collect after every run has ended:\n");
    fprintf(f, "#   jid=$(sbatch --parsable %s)\n", a->slurm);
    fprintf(f, "#   sbatch --array=0 --dependency=afterany:$jid %s collect\n", a->slurm);
    fprintf(f, "#SBATCH --job-name=r1sim-sweep\n");
    fprintf(f, "#SBATCH --array=0-%d\n", p->n - 1);
    fprintf(f, "#SBATCH --cpus-per-task=%ld\n", a->threads_given ? a->threads : 2L);
    fprintf(f, "#SBATCH --output=%s/slurm-%%A_%%a.log\n", a->out);
    fprintf(f, "set -euo pipefail\n");
    fprintf(f, "export R1SIM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\"\n");
    fprintf(f, "if [ \"${1:-}\" = collect ]; then\n  exec ");
    char *collect[] = {(char *)self, "sweep", "--collect", (char *)a->out, NULL};
    put_command(f, collect);
    fprintf(f, "\nfi\n");
    fprintf(f, "case \"${SLURM_ARRAY_TASK_ID:?run with sbatch, or set SLURM_ARRAY_TASK_ID}\" in\n");
    for (int i = 0; i < p->n; i++) {
        fprintf(f, "%d) # %s\n  exec ", i, p->name[i]);
        put_command(f, p->argv[i]);
        fprintf(f, " ;;\n");
    }
    fprintf(f, "*) echo \"no run $SLURM_ARRAY_TASK_ID (0-%d)\" >&2; exit 2 ;;\nesac\n", p->n - 1);
    if (fclose(f) != 0) {
        free(text);
        fprintf(stderr, "r1sim sweep: out of memory\n");
        return CLI_EXIT_FAIL;
    }
    char err[4400];
    const void *parts[] = {text};
    size_t sizes[] = {len};
    char dirs[4096];
    int rc = 0;
    snprintf(dirs, sizeof dirs, "%s", a->out);
    if (rundir_make(dirs, NULL, err, sizeof err) ||
        atomic_write_parts(a->slurm, parts, sizes, 1, err, sizeof err)) {
        fprintf(stderr, "r1sim sweep: %s\n", err);
        rc = CLI_EXIT_FAIL;
    } else {
        chmod(a->slurm, 0755);
        printf("wrote %s: %d array tasks; submit with: jid=$(sbatch --parsable %s) && sbatch "
               "--array=0 --dependency=afterany:$jid %s collect\n",
               a->slurm, p->n, a->slurm, a->slurm);
    }
    free(text);
    return rc;
}

typedef struct {
    const Plan *plan;
    int total, ended, failed, jobs;
    double seconds; /* wall seconds of the runs ended */
    char logs[SWEEP_MAX_RUNS][4300];
} Progress;

static void run_ended(void *ctx, int i, int status, double seconds) {
    Progress *p = ctx;
    p->ended++;
    p->seconds += seconds;
    char took[32], eta[48] = "";
    time_table_format(seconds, took, sizeof took);
    int left = p->total - p->ended;
    if (left > 0) {
        char t[32];
        int par = p->jobs < left ? p->jobs : left;
        time_table_format(p->seconds / p->ended * left / par, t, sizeof t);
        snprintf(eta, sizeof eta, "  ETA %s", t);
    }
    const char *how = status == 0 ? "done" : "failed";
    if (status != 0) p->failed++;
    if (status == 1 || status == 130) how = "stopped or failed";
    fprintf(stderr, "[%d/%d] %-40s %-8s %8s%s%s%s%s\n", p->ended, p->total, p->plan->name[i], how,
            took, eta, status ? "  (log: " : "", status ? p->logs[i] : "", status ? ")" : "");
}

static int collect_into(const char *const *roots, int n, const char *out) {
    char err[4400];
    if (sweep_collect(roots, n, out, stdout, err, sizeof err)) {
        fprintf(stderr, "r1sim sweep: %s\n", err);
        return CLI_EXIT_FAIL;
    }
    printf("wrote %s/summary.csv and %s/metrics_long.csv\n", out, out);
    return 0;
}

/* A sweep file (lua/ablations/NAME.sweep): the words of a sweep's command
 * line, the script first, blanks between words, '#' to the end of a line a
 * comment. Read when the script argument ends in .sweep; a bare name not
 * found here is looked for among the shipped ablations. Its words go
 * before the command line's own, so "-j 2" or "--seeds 5" can be added. */
enum { SWEEP_FILE_MAX = 65536, SWEEP_FILE_WORDS = 512 };

static int read_sweep_file(const char *arg, int *argc, char ***argv) {
    static char text[SWEEP_FILE_MAX], path[4300];
    static char *words[SWEEP_FILE_WORDS + 256];
    snprintf(path, sizeof path, "%s", arg);
    const char *share = cli_share_dir(NULL);
    if (access(path, F_OK) != 0 && !strchr(arg, '/') && share)
        snprintf(path, sizeof path, "%s/lua/ablations/%s", share, arg);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "r1sim sweep: %s: %s%s\n", arg, strerror(errno),
                strchr(arg, '/') || !share ? "" : " (nor among the shipped lua/ablations)");
        return CLI_EXIT_USAGE;
    }
    size_t len = fread(text, 1, sizeof text - 1, f);
    bool whole = feof(f) && !ferror(f);
    fclose(f);
    if (!whole) {
        fprintf(stderr, "r1sim sweep: %s: %s\n", path,
                len == sizeof text - 1 ? "larger than 64 KB" : "read error");
        return CLI_EXIT_USAGE;
    }
    text[len] = 0;
    int n = 0;
    words[n++] = (*argv)[0];
    for (char *p = text; *p;) {
        if (*p == '#') {
            while (*p && *p != '\n') *p++ = 0;
            continue;
        }
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            *p++ = 0;
            continue;
        }
        if (n == SWEEP_FILE_WORDS) {
            fprintf(stderr, "r1sim sweep: %s: more than %d words\n", path, SWEEP_FILE_WORDS);
            return CLI_EXIT_USAGE;
        }
        words[n++] = p;
        while (*p && !strchr(" \t\r\n#", *p)) p++;
    }
    if (n == 1) {
        fprintf(stderr, "r1sim sweep: %s: no script in it\n", path);
        return CLI_EXIT_USAGE;
    }
    for (int i = 2; i < *argc && n < SWEEP_FILE_WORDS + 255; i++) words[n++] = (*argv)[i];
    words[n] = NULL;
    *argc = n;
    *argv = words;
    return 0;
}

static bool ends_with(const char *s, const char *tail) {
    size_t a = strlen(s), b = strlen(tail);
    return a > b && !strcmp(s + a - b, tail);
}

int cli_sweep(int argc, char **argv) {
    static SweepArgs a;
    int rc;
    const char *sweep_file = argc > 1 && ends_with(argv[1], ".sweep") ? argv[1] : NULL;
    if (sweep_file && (rc = read_sweep_file(sweep_file, &argc, &argv))) return rc;
    rc = parse(argc, argv, &a, sweep_file);
    if (rc) return rc < 0 ? 0 : rc;
    if (a.n_collect) return collect_into(a.collect, a.n_collect, a.out);
    static ScriptPlace place;
    if ((rc = cli_script_place("sweep", a.script, &place))) return rc;
    a.script = place.path;
    if ((rc = check_script(&a, &place))) return rc;
    char self[PATH_MAX];
    ssize_t got = readlink("/proc/self/exe", self, sizeof self - 1);
    if (got <= 0) {
        fprintf(stderr, "r1sim sweep: cannot find this program's path: %s\n", strerror(errno));
        return CLI_EXIT_FAIL;
    }
    self[got] = 0;
    int jobs = a.jobs < sweep_grid_runs(&a.grid) ? a.jobs : sweep_grid_runs(&a.grid);
    long per = a.threads / jobs > 0 ? a.threads / jobs : 1;
    static Plan plan;
    bool here = !a.list && !a.slurm;
    if (plan_build(&plan, &a, self, per, here || a.threads_given)) {
        plan_free(&plan);
        fprintf(stderr, "r1sim sweep: out of memory\n");
        return CLI_EXIT_FAIL;
    }
    if (a.list) {
        for (int i = 0; i < plan.n; i++) {
            put_command(stdout, plan.argv[i]);
            putchar('\n');
        }
        plan_free(&plan);
        return 0;
    }
    if (a.slurm) {
        rc = write_slurm(&a, &plan, self);
        plan_free(&plan);
        return rc;
    }
    char err[4400], logs[4200];
    snprintf(logs, sizeof logs, "%s/logs", a.out);
    if (rundir_make(logs, NULL, err, sizeof err)) {
        fprintf(stderr, "r1sim sweep: %s\n", err);
        plan_free(&plan);
        return CLI_EXIT_FAIL;
    }
    static Progress prog; /* zero, as static; large (a log path per run), so not memset */
    static SweepJob job[SWEEP_MAX_RUNS];
    prog.plan = &plan;
    prog.total = plan.n;
    prog.jobs = jobs;
    for (int i = 0; i < plan.n; i++) {
        snprintf(prog.logs[i], sizeof prog.logs[i], "%s/%s.log", logs, plan.name[i]);
        job[i].argv = plan.argv[i];
        job[i].log = prog.logs[i];
    }
    fprintf(stderr,
            "r1sim sweep: %s, %d run%s (%d grid point%s x %d seed%s), %d at a time with %ld "
            "thread%s each, in %s\n",
            a.script, plan.n, plan.n == 1 ? "" : "s", sweep_grid_points(&a.grid),
            sweep_grid_points(&a.grid) == 1 ? "" : "s", a.grid.seeds, a.grid.seeds == 1 ? "" : "s",
            jobs, per, per == 1 ? "" : "s", a.out);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int not_started = sweep_jobs_run(job, plan.n, jobs, run_ended, &prog);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    char wall[32];
    time_table_format((double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9, wall,
                      sizeof wall);
    plan_free(&plan);
    if (not_started || prog.failed) {
        fprintf(stderr,
                "r1sim sweep: %d of %d runs did not finish (%s); run the same command again to "
                "continue: finished stages are reused, stopped ones resume\n",
                not_started + prog.failed, prog.total, wall);
        const char *roots[] = {a.out};
        /* what finished is still summarised */
        if (prog.ended > prog.failed) collect_into(roots, 1, a.out);
        return CLI_EXIT_FAIL;
    }
    fprintf(stderr, "r1sim sweep: %d runs done in %s\n", prog.total, wall);
    const char *roots[] = {a.out};
    return collect_into(roots, 1, a.out);
}
