/* The stage cache shared between run directories (shared_cache.h): an entry
 * appears whole or not at all, a damaged or unfinished one is never reused,
 * of several processes storing one key exactly one entry results, and prune
 * removes only what it should. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipeline/cache.h"
#include "pipeline/shared_cache.h"
#include "file_helpers.h"

static char root[256], cache[300], err[1024];

static int setup(void **state) {
    (void)state;
    if (tf_scratch(root, sizeof root, "r1sim-shcache")) return -1;
    snprintf(cache, sizeof cache, "%s/cache", root);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    return tf_remove(root);
}

static void put(const char *run, const char *stage, const char *file, const char *text) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, run);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/%s/%s", root, run, stage);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/%s/%s/%s", root, run, stage, file);
    assert_int_equal(tf_write(path, text), 0);
}

static char *slurp(const char *run, const char *stage, const char *file) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s/%s", root, run, stage, file);
    return tf_slurp(path, NULL);
}

static int exists(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0;
}

static char *run_dir(const char *run) {
    static char buf[4][512];
    static int at;
    char *b = buf[at++ % 4];
    snprintf(b, 512, "%s/%s", root, run);
    return b;
}

/* A finished stage as the runner leaves it: its outputs and its bookkeeping. */
static void finished_stage(const char *run, uint64_t key, const char *weights) {
    put(run, "base", "model.ckpt", weights);
    put(run, "base", "metrics.csv", "step,loss\n1,2.5\n");
    put(run, "base", "resume", "3\n");
    put(run, "base", "resume-3.ckpt", "partial");
    put(run, "base", "model.ckpt.tmp.77", "torn");
    assert_int_equal(cache_mark_done(run_dir(run), "base", key, err, sizeof err), 0);
}

static int temps_left(void) {
    DIR *d = opendir(cache);
    if (!d) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) n += strncmp(e->d_name, "tmp-", 4) == 0;
    closedir(d);
    return n;
}

static void published_stage_restores_into_another_run(void **state) {
    (void)state;
    const uint64_t key = 0x1234abcd5678ef01ULL;
    finished_stage("a", key, "weights-a");
    assert_false(shared_cache_has(cache, key));
    assert_int_equal(
        shared_cache_publish(cache, key, run_dir("a"), "base", "pretrain", err, sizeof err), 0);
    assert_true(shared_cache_has(cache, key));
    assert_int_equal(temps_left(), 0);

    /* another run, under another stage name, with an older file in the way */
    put("b", "renamed", "model.ckpt", "stale");
    put("b", "renamed", "samples.csv", "stale");
    assert_int_equal(shared_cache_restore(cache, key, run_dir("b"), "renamed", err, sizeof err), 1);
    char *w = slurp("b", "renamed", "model.ckpt"), *m = slurp("b", "renamed", "metrics.csv");
    assert_string_equal(w, "weights-a");
    assert_string_equal(m, "step,loss\n1,2.5\n");
    free(w);
    free(m);
    assert_true(cache_is_done(run_dir("b"), "renamed", key));
    char path[512];
    /* the run's bookkeeping, resume points and temporary files stay out */
    const char *absent[] = {"samples.csv", "resume", "resume-3.ckpt", "model.ckpt.tmp.77"};
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++) {
        snprintf(path, sizeof path, "%s/b/renamed/%s", root, absent[i]);
        assert_false(exists(path));
    }
    /* a key never stored restores nothing */
    assert_int_equal(shared_cache_restore(cache, key + 1, run_dir("b"), "x", err, sizeof err), 0);
}

static void second_store_of_a_key_keeps_the_first(void **state) {
    (void)state;
    const uint64_t key = 0x0000000000000042ULL;
    finished_stage("c1", key, "first");
    finished_stage("c2", key, "second");
    assert_int_equal(
        shared_cache_publish(cache, key, run_dir("c1"), "base", "pretrain", err, sizeof err), 0);
    assert_int_equal(
        shared_cache_publish(cache, key, run_dir("c2"), "base", "pretrain", err, sizeof err), 0);
    assert_int_equal(temps_left(), 0);
    assert_int_equal(shared_cache_restore(cache, key, run_dir("c3"), "base", err, sizeof err), 1);
    char *w = slurp("c3", "base", "model.ckpt");
    assert_string_equal(w, "first");
    free(w);
}

/* Several processes finish the same key at once: every one succeeds, one
 * entry results, no unfinished copy is left, and it restores whole. */
static void concurrent_stores_of_one_key_leave_one_entry(void **state) {
    (void)state;
    const uint64_t key = 0x00000000000000a5ULL;
    enum { WRITERS = 6 };
    char weights[70000];
    memset(weights, 'w', sizeof weights - 1);
    weights[sizeof weights - 1] = 0;
    char run[WRITERS][16];
    for (int i = 0; i < WRITERS; i++) {
        snprintf(run[i], sizeof run[i], "race%d", i);
        weights[0] = (char)('0' + i);
        finished_stage(run[i], key, weights);
    }
    pid_t pid[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        pid[i] = fork();
        assert_true(pid[i] >= 0);
        if (pid[i] == 0) {
            char e[256];
            _exit(shared_cache_publish(cache, key, run_dir(run[i]), "base", "pretrain", e,
                                       sizeof e) == 0
                      ? 0
                      : 1);
        }
    }
    for (int i = 0; i < WRITERS; i++) {
        int status;
        assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    assert_int_equal(temps_left(), 0);
    assert_int_equal(shared_cache_restore(cache, key, run_dir("raced"), "base", err, sizeof err),
                     1);
    char *w = slurp("raced", "base", "model.ckpt");
    assert_int_equal(strlen(w), sizeof weights - 1);
    assert_true(w[0] >= '0' && w[0] < '0' + WRITERS);
    assert_int_equal(strspn(w + 1, "w"), sizeof weights - 2);
    free(w);
}

/* An entry whose copy was cut short (killed mid-copy, a full disk) or
 * whose bytes changed is not used: it is removed and the stage rebuilds. */
static void damaged_entry_is_never_reused(void **state) {
    (void)state;
    const uint64_t key = 0x00000000000000d1ULL;
    finished_stage("d", key, "weights that will be cut short");
    assert_int_equal(
        shared_cache_publish(cache, key, run_dir("d"), "base", "pretrain", err, sizeof err), 0);
    char entry[512];
    snprintf(entry, sizeof entry, "%s/%016llx/model.ckpt", cache, (unsigned long long)key);
    assert_int_equal(truncate(entry, 7), 0);
    assert_int_equal(shared_cache_restore(cache, key, run_dir("e"), "base", err, sizeof err), 0);
    assert_false(cache_is_done(run_dir("e"), "base", key));
    assert_false(shared_cache_has(cache, key));

    /* the same length with other bytes: the CRC catches it */
    assert_int_equal(
        shared_cache_publish(cache, key, run_dir("d"), "base", "pretrain", err, sizeof err), 0);
    assert_int_equal(tf_write(entry, "WEIGHTS that will be cut short"), 0);
    assert_int_equal(shared_cache_restore(cache, key, run_dir("e"), "base", err, sizeof err), 0);
    assert_false(cache_is_done(run_dir("e"), "base", key));
    char path[512];
    snprintf(path, sizeof path, "%s/e/base/model.ckpt", root);
    assert_false(exists(path));
}

/* A writer killed before its rename leaves tmp-KEY-HOST-PID: never an entry,
 * and prune removes it once its process is gone, not while it runs. A
 * directory named like a key without a manifest is not an entry either. */
static void unfinished_copies_are_not_entries(void **state) {
    (void)state;
    const uint64_t key = 0x00000000000000f7ULL;
    char host[64], dead[512], live[512], bare[512];
    assert_int_equal(gethostname(host, sizeof host), 0);
    host[sizeof host - 1] = 0;
    for (char *p = host; *p; p++)
        if (*p == '/' || *p == '-') *p = '_';
    mkdir(cache, 0777);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) _exit(0);
    waitpid(child, NULL, 0); /* a pid that has certainly ended */
    snprintf(dead, sizeof dead, "%s/tmp-%016llx-%s-%ld", cache, (unsigned long long)key, host,
             (long)child);
    snprintf(live, sizeof live, "%s/tmp-%016llx-%s-%ld", cache, (unsigned long long)key, host,
             (long)getpid());
    snprintf(bare, sizeof bare, "%s/%016llx", cache, (unsigned long long)key + 1);
    assert_int_equal(mkdir(dead, 0777), 0);
    assert_int_equal(mkdir(live, 0777), 0);
    assert_int_equal(mkdir(bare, 0777), 0);
    char f[600];
    snprintf(f, sizeof f, "%s/model.ckpt", dead);
    assert_int_equal(tf_write(f, "12345"), 0);
    static const char partial[] = "r1sim-cache 1\nkey 00000000000000f7\n";
    snprintf(f, sizeof f, "%s/manifest", dead);
    assert_int_equal(tf_write(f, partial), 0);
    snprintf(f, sizeof f, "%s/model.ckpt", bare);
    assert_int_equal(tf_write(f, "123"), 0);

    assert_false(shared_cache_has(cache, key));
    assert_false(shared_cache_has(cache, key + 1));
    assert_int_equal(shared_cache_restore(cache, key, run_dir("f"), "base", err, sizeof err), 0);
    SharedCacheEntry *e;
    int n;
    long long temp;
    assert_int_equal(shared_cache_list(cache, &e, &n, &temp, err, sizeof err), 0);
    for (int i = 0; i < n; i++) {
        assert_true(e[i].key != key);
        assert_true(e[i].key != key + 1);
    }
    free(e);
    const long long dead_bytes = 5 + (long long)strlen(partial);
    assert_true(temp >= dead_bytes);
    assert_int_equal(shared_cache_remove_temps(cache), dead_bytes);
    assert_false(exists(dead));
    assert_true(exists(live));
    rmdir(live);
}

static void list_and_remove_report_sizes(void **state) {
    (void)state;
    char c2[320];
    snprintf(c2, sizeof c2, "%s/listed", root);
    const uint64_t k1 = 0x11, k2 = 0x22;
    finished_stage("g1", k1, "0123456789");
    finished_stage("g2", k2, "01234");
    assert_int_equal(
        shared_cache_publish(c2, k1, run_dir("g1"), "base", "pretrain", err, sizeof err), 0);
    assert_int_equal(shared_cache_publish(c2, k2, run_dir("g2"), "base", "grpo", err, sizeof err),
                     0);
    SharedCacheEntry *e;
    int n;
    long long temp;
    assert_int_equal(shared_cache_list(c2, &e, &n, &temp, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(temp, 0);
    long long bytes1 = -1, bytes2 = -1;
    for (int i = 0; i < n; i++) {
        assert_string_equal(e[i].stage, "base");
        if (e[i].key == k1) {
            assert_string_equal(e[i].kind, "pretrain");
            bytes1 = e[i].bytes;
        }
        if (e[i].key == k2) {
            assert_string_equal(e[i].kind, "grpo");
            bytes2 = e[i].bytes;
        }
    }
    free(e);
    assert_true(bytes1 > 10 + 16); /* the outputs' bytes and a manifest */
    /* 5 more bytes of weights, "pretrain" against "grpo" in the manifest,
     * and its size written with one digit more */
    assert_int_equal(bytes1 - bytes2, 5 + 4 + 1);
    assert_int_equal(shared_cache_remove(c2, k1), bytes1);
    assert_int_equal(shared_cache_remove(c2, k1), -1);
    assert_false(shared_cache_has(c2, k1));
    assert_true(shared_cache_has(c2, k2));
    /* an absent cache lists as empty */
    char none[340];
    snprintf(none, sizeof none, "%s/none", root);
    assert_int_equal(shared_cache_list(none, &e, &n, &temp, err, sizeof err), 0);
    assert_int_equal(n, 0);
    free(e);
}

static void default_cache_sits_beside_the_run(void **state) {
    (void)state;
    char buf[64];
    unsetenv("R1SIM_CACHE");
    assert_int_equal(shared_cache_default("runs/quick", buf, sizeof buf), 0);
    assert_string_equal(buf, "runs/.cache");
    assert_int_equal(shared_cache_default("quick", buf, sizeof buf), 0);
    assert_string_equal(buf, ".cache");
    assert_int_equal(shared_cache_default("/quick", buf, sizeof buf), 0);
    assert_string_equal(buf, "/.cache");
    setenv("R1SIM_CACHE", "/srv/r1sim-cache", 1);
    assert_int_equal(shared_cache_default("runs/quick", buf, sizeof buf), 0);
    assert_string_equal(buf, "/srv/r1sim-cache");
    unsetenv("R1SIM_CACHE");
    assert_int_equal(
        shared_cache_default("a/very/long/run/directory/name/that/does/not/fit/in", buf, 16), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(published_stage_restores_into_another_run),
        cmocka_unit_test(second_store_of_a_key_keeps_the_first),
        cmocka_unit_test(concurrent_stores_of_one_key_leave_one_entry),
        cmocka_unit_test(damaged_entry_is_never_reused),
        cmocka_unit_test(unfinished_copies_are_not_entries),
        cmocka_unit_test(list_and_remove_report_sizes),
        cmocka_unit_test(default_cache_sits_beside_the_run),
    };
    return cmocka_run_group_tests_name("pipeline_shared_cache", tests, setup, teardown);
}
