/* Failure injection, SQLite's way: a short pipeline run by build/r1sim-inject
 * (tests/inject/failinject.c) with allocation N+1 failing, and again with the
 * disk full after N bytes, for a spread of N over the whole clean run. Every
 * failure must be a clean error (exit 1 or 2, a message naming it, no
 * sanitizer report), the stages finished before it must be intact and
 * reused, and a rerun with nothing injected must end exactly where the clean
 * run did: no partial file is ever taken for a finished one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli_harness.h"
#include "file_helpers.h"

#define SCRIPT "tests/lua/inject_pipeline.lua"
#define MAX_EVENTS 128
#define MAX_POINTS 512
#define MAX_FILES 64
#define ERR_CAP (1 << 15)

static const char *const stages[] = {"pretrain", "sft", "zero", "eval-zero"};
#define N_STAGES (sizeof stages / sizeof stages[0])

/* The spread of N (make_points), and how many points at each file for the
 * persistent allocation, the one-shot allocation and the write sweeps.
 * Instrumented, every run is a few times slower: fewer points in between,
 * and only where each file starts. */
#if defined(__SANITIZE_ADDRESS__)
#define EVERY_UPTO 8
#define STRIDE 1.6
static const int per_file[3] = {1, 1, 1};
#else
#define EVERY_UPTO 16
#define STRIDE 1.3
static const int per_file[3] = {2, 1, 3};
#endif

static const char *inject_path;

/* A file opened for writing in the clean run, with the bytes written and the
 * allocations made before it: the points where each file starts. */
typedef struct {
    long long bytes, allocs;
} Event;

typedef struct {
    Event ev[MAX_EVENTS];
    int n;
    long long bytes, allocs; /* the totals at exit */
} Report;

typedef struct {
    char rel[MAX_FILES][128];
    int n;
} FileList;

static int setup(void **state) {
    (void)state;
    inject_path = getenv("R1SIM_INJECT");
    if (!inject_path || !*inject_path) inject_path = "build/r1sim-inject";
    return bin_setup("r1sim-inject");
}

static int teardown(void **state) {
    (void)state;
    return bin_teardown();
}

static void read_report(const char *path, Report *r) {
    memset(r, 0, sizeof *r);
    FILE *f = fopen(path, "r");
    if (!f) fail_msg("no injection report %s", path);
    char what[16];
    long long b, a;
    bool ended = false;
    while (fscanf(f, "%15s %lld %lld%*[^\n]", what, &b, &a) == 3) {
        if (strcmp(what, "exit") == 0) {
            r->bytes = b;
            r->allocs = a;
            ended = true;
        } else if (r->n < MAX_EVENTS) {
            r->ev[r->n++] = (Event){b, a};
        }
    }
    fclose(f);
    if (!ended || r->n == 0) fail_msg("%s: the clean run left no totals", path);
}

static int by_value(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* Every N up to EVERY_UPTO, then a geometric stride to the total, and at
 * each file the clean run opened for writing: where it starts, one further,
 * and half way to the next file, the first `at_file` of those. From `from` on,
 * sorted, once each, all below the total (N = total is the run that
 * succeeds). */
static int make_points(const Report *r, bool bytes, int at_file, long long from, long long *pts) {
    long long total = bytes ? r->bytes : r->allocs;
    int n = 0;
    for (long long v = 0; v < EVERY_UPTO; v++) pts[n++] = v;
    for (double v = EVERY_UPTO; v < (double)total && n < MAX_POINTS; v *= STRIDE)
        pts[n++] = (long long)v;
    for (int i = 0; i < r->n && n + 3 <= MAX_POINTS; i++) {
        long long at = bytes ? r->ev[i].bytes : r->ev[i].allocs;
        long long next = i + 1 < r->n ? (bytes ? r->ev[i + 1].bytes : r->ev[i + 1].allocs) : total;
        long long cand[3] = {at, at + 1, at + (next - at) / 2};
        for (int k = 0; k < at_file; k++) pts[n++] = cand[k];
    }
    qsort(pts, (size_t)n, sizeof *pts, by_value);
    int m = 0;
    for (int i = 0; i < n; i++)
        if (pts[i] >= from && pts[i] < total && (m == 0 || pts[i] != pts[m - 1])) pts[m++] = pts[i];
    return m;
}

/* The regular files under DIR (two levels: the run and its stages). */
static void list_files(const char *dir, FileList *out) {
    out->n = 0;
    DIR *top = opendir(dir);
    if (!top) return;
    struct dirent *e;
    while ((e = readdir(top))) {
        if (e->d_name[0] == '.' && (!e->d_name[1] || e->d_name[1] == '.')) continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) != 0) continue;
        if (S_ISREG(st.st_mode) && out->n < MAX_FILES) {
            snprintf(out->rel[out->n++], 128, "%.120s", e->d_name);
        } else if (S_ISDIR(st.st_mode)) {
            DIR *sub = opendir(p);
            struct dirent *s;
            while (sub && (s = readdir(sub)))
                if (s->d_name[0] != '.' && out->n < MAX_FILES)
                    snprintf(out->rel[out->n++], 128, "%.60s/%.60s", e->d_name, s->d_name);
            if (sub) closedir(sub);
        }
    }
    closedir(top);
}

static bool has_file(const FileList *l, const char *rel) {
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->rel[i], rel) == 0) return true;
    return false;
}

/* The whole file (malloc'd), or NULL. Not tf_slurp: this runs in the
 * sweep's child processes, where a cmocka failure has nowhere to go. */
static char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0, k;
    char *s = malloc(cap);
    while (s && (k = fread(s + n, 1, cap - n, f)) > 0)
        if ((n += k) == cap) {
            char *t = realloc(s, cap *= 2);
            if (!t) free(s);
            s = t;
        }
    fclose(f);
    *len = n;
    return s;
}

static long count_lines(const char *path) {
    size_t len;
    char *s = read_all(path, &len);
    if (!s) return -1;
    long n = 0;
    for (size_t i = 0; i < len; i++) n += s[i] == '\n';
    free(s);
    return n;
}

static bool same_bytes(const char *a, const char *b) {
    size_t la, lb;
    char *x = read_all(a, &la), *y = read_all(b, &lb);
    bool same = x && y && la == lb && memcmp(x, y, la) == 0;
    free(x);
    free(y);
    return same;
}

/* Why DIR differs from the clean run's directory, or NULL: the same files
 * (the lock aside), the same bytes, and metrics.csv, whose timing columns
 * differ run to run, with the same rows. */
static const char *differs(const char *clean, const FileList *want, const char *dir, char *why,
                           size_t cap) {
    FileList have;
    list_files(dir, &have);
    for (int i = 0; i < have.n; i++)
        if (!has_file(want, have.rel[i])) {
            snprintf(why, cap, "extra file %s", have.rel[i]);
            return why;
        }
    for (int i = 0; i < want->n; i++) {
        const char *rel = want->rel[i];
        if (strcmp(rel, ".lock") == 0) continue;
        char a[512], b[512];
        snprintf(a, sizeof a, "%s/%s", clean, rel);
        snprintf(b, sizeof b, "%s/%s", dir, rel);
        if (!has_file(&have, rel)) {
            snprintf(why, cap, "missing %s", rel);
            return why;
        }
        bool metrics = strstr(rel, "metrics.csv") != NULL;
        if (metrics ? count_lines(a) != count_lines(b) : !same_bytes(a, b)) {
            snprintf(why, cap, "%s differs from the clean run's", rel);
            return why;
        }
    }
    return NULL;
}

/* Why a failed run's stderr is not a clean error, or NULL: a message that
 * names the failure, no line left without its message, no sanitizer. */
static const char *unclean_stderr(const char *err, const char *expect) {
    if (strstr(err, "Sanitizer") || strstr(err, "runtime error:")) return "a sanitizer report";
    if (!strstr(err, expect)) return "no message naming the failure";
    if (strstr(err, "done; results in")) return "says done";
    const char *line = err;
    while (*line) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (len == 0) return "an empty line";
        if (len >= 2 && line[len - 2] == ':' && line[len - 1] == ' ') return "a message cut short";
        if (len >= 7 && memcmp(line + len - 7, "failed:", 7) == 0 &&
            (!nl || !nl[1] || strncmp(nl + 1, "r1sim", 5) == 0 || nl[1] == '['))
            return "a failure without its reason";
        line = nl ? nl + 1 : line + len;
    }
    return NULL;
}

/* The progress line of STAGE in a run's stderr says it was reused. */
static bool reported_cached(const char *err, const char *stage) {
    char key[96];
    snprintf(key, sizeof key, "] %s ", stage);
    const char *line = strstr(err, key);
    if (!line) return false;
    const char *nl = strchr(line, '\n');
    const char *c = strstr(line, " cached ");
    return c && (!nl || c < nl);
}

/* The sweeps run in WORKERS processes at once, each with its own run
 * directory and stderr file: most of a run's wall time is waiting. */
#define WORKERS 2
static int worker;
static char *err_buf;

/* Runs cmd with stdout dropped and stderr into err_buf; its exit status, or
 * -1 when it did not exit. */
static int run_cmd(const char *cmd) {
    char path[128], full[2048];
    snprintf(path, sizeof path, "%s/stderr%d.txt", bin_dir, worker);
    snprintf(full, sizeof full, "%s >/dev/null 2>%s", cmd, path);
    int status = system(full);
    size_t len = 0;
    char *e = read_all(path, &len);
    if (len >= ERR_CAP) len = ERR_CAP - 1;
    if (e) memcpy(err_buf, e, len);
    err_buf[len] = '\0';
    free(e);
    return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* One injected run into a fresh directory, then the rerun with nothing
 * injected. Returns why it was not clean, or NULL. */
static const char *try_point(const char *env, long long n, const char *expect, const char *clean,
                             const FileList *want, char *why, size_t cap) {
    char dir[256], cache[256], cmd[1024];
    snprintf(dir, sizeof dir, "%s/p%d", bin_dir, worker);
    tf_remove(dir);
    /* a stage cache of its own, fresh: storing into it is among the points
     * injected, and the rerun may only reuse what the run finished */
    snprintf(cache, sizeof cache, "%s/p%d.cache", bin_dir, worker);
    tf_remove(cache);
    snprintf(cmd, sizeof cmd, "%s%lld %s run %s --headless --out %s --cache %s --threads 1", env, n,
             inject_path, SCRIPT, dir, cache);
    int rc = run_cmd(cmd);
    if (rc < 0 || rc > 2) {
        snprintf(why, cap, "exit %d: %.300s", rc, err_buf);
        return why;
    }
    const char *bad = rc == 0 ? NULL : unclean_stderr(err_buf, expect);
    if (bad) {
        snprintf(why, cap, "%s: %.600s", bad, err_buf);
        return why;
    }
    /* A clean error takes its temporary files with it. */
    FileList left;
    list_files(dir, &left);
    for (int i = 0; i < left.n; i++)
        if (strstr(left.rel[i], ".tmp")) {
            snprintf(why, cap, "exit %d left %s behind", rc, left.rel[i]);
            return why;
        }
    /* The stages the failed run finished: intact now and reused below. */
    bool done[N_STAGES];
    for (size_t s = 0; s < N_STAGES; s++) {
        char p[512], q[512];
        snprintf(p, sizeof p, "%s/%s/done", dir, stages[s]);
        done[s] = access(p, F_OK) == 0;
        snprintf(p, sizeof p, "%s/%s/model.ckpt", dir, stages[s]);
        snprintf(q, sizeof q, "%s/%s/model.ckpt", clean, stages[s]);
        if (done[s] && access(q, F_OK) == 0 && !same_bytes(p, q)) {
            snprintf(why, cap, "finished stage %s has another model.ckpt", stages[s]);
            return why;
        }
    }
    snprintf(cmd, sizeof cmd, "%s run %s --headless --out %s --cache %s --threads 1", inject_path,
             SCRIPT, dir, cache);
    rc = run_cmd(cmd);
    if (rc != 0) {
        snprintf(why, cap, "the rerun exits %d: %.600s", rc, err_buf);
        return why;
    }
    for (size_t s = 0; s < N_STAGES; s++)
        if (done[s] != reported_cached(err_buf, stages[s])) {
            snprintf(why, cap, "stage %s %s by the rerun", stages[s],
                     done[s] ? "finished but not reused" : "unfinished but reused");
            return why;
        }
    return differs(clean, want, dir, why, cap);
}

/* Runs every point of one kind; the unclean ones are printed, and counted. */
static int sweep(const char *env, const long long *pts, int n, const char *expect,
                 const char *clean, const FileList *want) {
    fflush(stdout);
    pid_t kids[WORKERS];
    for (int w = 0; w < WORKERS; w++) {
        kids[w] = fork();
        if (kids[w] < 0) fail_msg("fork: %s", strerror(errno));
        if (kids[w] > 0) continue;
        worker = w;
        int unclean = 0;
        char why[1024];
        for (int i = w; i < n; i += WORKERS)
            if (try_point(env, pts[i], expect, clean, want, why, sizeof why)) {
                printf("unclean: %s%lld: %s\n", env, pts[i], why);
                unclean++;
            }
        fflush(stdout);
        _exit(unclean < 100 ? unclean : 100);
    }
    int unclean = 0;
    for (int w = 0; w < WORKERS; w++) {
        int status;
        if (waitpid(kids[w], &status, 0) != kids[w] || !WIFEXITED(status)) {
            printf("unclean: sweep worker %d did not finish\n", w);
            unclean++;
        } else {
            unclean += WEXITSTATUS(status);
        }
    }
    return unclean;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void every_failure_point_is_clean(void **state) {
    (void)state;
    double t0 = now_s();
    err_buf = malloc(ERR_CAP);
    assert_non_null(err_buf);
    char clean[256], rep[256], cmd[1024];
    snprintf(clean, sizeof clean, "%s/clean", bin_dir);
    snprintf(rep, sizeof rep, "%s/clean.report", bin_dir);
    snprintf(cmd, sizeof cmd,
             "R1SIM_INJECT_REPORT=%s %s run %s --headless --out %s --cache %s.cache --threads 1",
             rep, inject_path, SCRIPT, clean, clean);
    int rc = run_cmd(cmd);
    if (rc != 0) fail_msg("the clean run exits %d: %s", rc, err_buf);
    Report r;
    read_report(rep, &r);
    FileList want;
    list_files(clean, &want);

    /* A transient failure (one allocation refused, the next ones granted)
     * is tried where the pipeline runs, from the run directory's lock on:
     * before it the only outcome is the start-up error the persistent sweep
     * already meets. */
    static long long alloc_pts[MAX_POINTS], once_pts[MAX_POINTS], write_pts[MAX_POINTS];
    int na = make_points(&r, false, per_file[0], 0, alloc_pts);
    int no = make_points(&r, false, per_file[1], r.ev[0].allocs, once_pts);
    int nw = make_points(&r, true, per_file[2], 0, write_pts);
    int bad_a = sweep("R1SIM_FAIL_ALLOC_AFTER=", alloc_pts, na, "memory", clean, &want);
    int bad_o = sweep("R1SIM_FAIL_ALLOC_ONCE=1 R1SIM_FAIL_ALLOC_AFTER=", once_pts, no, "memory",
                      clean, &want);
    int bad_w =
        sweep("R1SIM_FAIL_WRITE_AFTER=", write_pts, nw, "No space left on device", clean, &want);
    printf("injection matrix (%s, %lld allocations, %lld bytes in %d files):\n"
           "  allocation N+1.. fails:      %3d points, %d unclean\n"
           "  allocation N+1 alone fails:  %3d points, %d unclean\n"
           "  ENOSPC after N bytes:        %3d points, %d unclean\n"
           "  %.1f s\n",
           SCRIPT, r.allocs, r.bytes, r.n, na, bad_a, no, bad_o, nw, bad_w, now_s() - t0);
    free(err_buf);
    assert_int_equal(bad_a + bad_o + bad_w, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_failure_point_is_clean, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
