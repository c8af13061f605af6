#include "pipeline/cache.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/checkpoint.h"
#include "engine/runtime.h"
#include "pipeline/rundir.h"
#include "pipeline/stage_kind.h"

uint64_t cache_hash_bytes(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* Strings are hashed with their terminating NUL so that ("ab","c") and
 * ("a","bc") differ. */
static uint64_t hs(uint64_t h, const char *s) {
    return cache_hash_bytes(h, s, strlen(s) + 1);
}

static int hash_file(uint64_t *h, const char *path, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot read input file", path);
        return -1;
    }
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) *h = cache_hash_bytes(*h, buf, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        snprintf(err, errlen, "%s: read error", path);
        return -1;
    }
    return 0;
}

int cache_keys(const Graph *g, const int *order, unsigned long long seed, uint64_t *keys, char *err,
               size_t errlen) {
    for (int k = 0; k < g->n; k++) {
        int s = order[k];
        const Stage *st = &g->stages[s];
        uint64_t h = CACHE_HASH_INIT;
        h = hs(h, "r1sim-stage-1");
        /* the dense products' path changes float rounding (runtime.h) */
        h = hs(h, engine_own_products() ? "products-own" : "products-blis");
        /* a stage's cached checkpoint in an older format would be refused by
         * the stages reading it, so a new format rebuilds it instead */
        const int32_t ckpt_version = CKPT_VERSION;
        h = cache_hash_bytes(h, &ckpt_version, sizeof ckpt_version);
        h = hs(h, st->kind->code_version);
        h = hs(h, st->kind->name);
        h = cache_hash_bytes(h, &seed, sizeof seed);
        for (int i = 0; i < st->n_options; i++) {
            h = hs(h, st->options[i].name);
            h = hs(h, st->options[i].value);
        }
        for (int i = 0; i < st->n_inputs; i++) {
            int j = st->input_stage[i];
            /* the role an input fills matters once a kind takes two of one
             * type (teacher and student) */
            if (st->input_role[i] >= 0) h = hs(h, st->kind->roles[st->input_role[i]].name);
            if (j >= 0) {
                /* an input's name goes into the stage's outputs (an eval's
                 * rows are named after the model it read), and the shared
                 * cache serves other scripts whose stages may be named
                 * otherwise; the stage's own name goes into nothing */
                h = hs(h, g->stages[j].name);
                h = cache_hash_bytes(h, &keys[j], sizeof keys[j]);
            } else {
                h = hs(h, st->inputs[i]);
                if (hash_file(&h, st->inputs[i], err, errlen)) return -1;
            }
        }
        if (g->hooks.fingerprint) {
            uint64_t f = stage_script_fingerprint(g, st);
            h = cache_hash_bytes(h, &f, sizeof f);
        }
        keys[s] = h ? h : 1; /* 0 means "no key" to cache_started_key */
    }
    return 0;
}

static uint64_t read_key(const char *dir, const char *stage, const char *file) {
    char path[4096];
    if (rundir_path(path, sizeof path, dir, stage, file)) return 0;
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    uint64_t k = 0;
    if (fscanf(f, "%" SCNx64, &k) != 1) k = 0;
    fclose(f);
    return k;
}

static int write_key(const char *dir, const char *stage, const char *file, uint64_t key, char *err,
                     size_t errlen) {
    char path[4096], tmp[4200];
    if (rundir_path(path, sizeof path, dir, stage, file)) return -1;
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, errlen, "%s: cannot write", tmp);
        return -1;
    }
    int bad = fprintf(f, "%016" PRIx64 "\n", key) < 0;
    bad |= fflush(f) != 0 || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        remove(tmp);
        snprintf(err, errlen, "%s: cannot write", path);
        return -1;
    }
    return 0;
}

int cache_is_done(const char *run_dir, const char *stage, uint64_t key) {
    return read_key(run_dir, stage, "done") == key;
}

int cache_mark_done(const char *run_dir, const char *stage, uint64_t key, char *err,
                    size_t errlen) {
    return write_key(run_dir, stage, "done", key, err, errlen);
}

void cache_forget(const char *run_dir, const char *stage) {
    char path[4096];
    if (rundir_path(path, sizeof path, run_dir, stage, "done") == 0) remove(path);
}

uint64_t cache_started_key(const char *run_dir, const char *stage) {
    return read_key(run_dir, stage, "key");
}

int cache_mark_started(const char *run_dir, const char *stage, uint64_t key, char *err,
                       size_t errlen) {
    return write_key(run_dir, stage, "key", key, err, errlen);
}
