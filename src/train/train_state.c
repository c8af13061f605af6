#include "engine/input_file.h"
#include "train/train_state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/atomic_file.h"
#include "engine/crc32.h"

#define STATE_MAGIC 0x53543152u /* "R1TS" little-endian */
#define STATE_VERSION 1u

/* Fixed part of the file; the CRC covers everything after `crc`. */
typedef struct {
    uint32_t magic, version;
    char kind[16];
    uint32_t n_words;
    uint32_t crc;
    uint64_t n_params;
    int64_t step;
} StateHeader;

static uint32_t body_crc(const StateHeader *h, const uint64_t *words, const float *m,
                         const float *v) {
    uint32_t crc = crc32_update(0, &h->n_params, sizeof h->n_params);
    crc = crc32_update(crc, &h->step, sizeof h->step);
    crc = crc32_update(crc, words, h->n_words * sizeof *words);
    crc = crc32_update(crc, m, h->n_params * sizeof *m);
    return crc32_update(crc, v, h->n_params * sizeof *v);
}

int train_state_save(const char *path, const char *kind, const AdamW *opt, const uint64_t *words,
                     int n_words, char *err, size_t errlen) {
    if (n_words < 0 || n_words > TRAIN_STATE_MAX_WORDS || strlen(kind) >= 16) {
        snprintf(err, errlen, "%s: bad state layout", path);
        return -1;
    }
    StateHeader h;
    memset(&h, 0, sizeof h);
    h.magic = STATE_MAGIC;
    h.version = STATE_VERSION;
    memcpy(h.kind, kind, strlen(kind));
    h.n_words = (uint32_t)n_words;
    h.n_params = opt->n;
    h.step = opt->step;
    h.crc = body_crc(&h, words, opt->m, opt->v);

    const void *parts[] = {&h, words, opt->m, opt->v};
    size_t sizes[] = {sizeof h, (size_t)n_words * sizeof *words, opt->n * sizeof(float),
                      opt->n * sizeof(float)};
    return atomic_write_parts(path, parts, sizes, 4, err, errlen);
}

int train_state_load(const char *path, const char *kind, AdamW *opt, uint64_t *words, int n_words,
                     const char *const *must_match, char *err, size_t errlen) {
    if (input_file_check(path, err, errlen)) return -1;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    StateHeader h;
    if (fread(&h, sizeof h, 1, f) != 1) {
        snprintf(err, errlen, "%s: truncated header", path);
        fclose(f);
        return -1;
    }
    char want_kind[16] = {0};
    memcpy(want_kind, kind, strlen(kind) < 16 ? strlen(kind) : 15);
    if (h.magic != STATE_MAGIC || h.version != STATE_VERSION) {
        snprintf(err, errlen, "%s: not an r1sim trainer state (or an unsupported version)", path);
        fclose(f);
        return -1;
    }
    if (memcmp(h.kind, want_kind, sizeof want_kind) != 0) {
        snprintf(err, errlen, "%s: a %.15s state, expected %s", path, h.kind, kind);
        fclose(f);
        return -1;
    }
    if (h.n_words != (uint32_t)n_words || h.n_params != (uint64_t)opt->n || h.step < 0) {
        snprintf(err, errlen, "%s: state for a model of %llu parameters, this one has %zu", path,
                 (unsigned long long)h.n_params, opt->n);
        fclose(f);
        return -1;
    }
    uint64_t w[TRAIN_STATE_MAX_WORDS];
    float *m = malloc(opt->n * sizeof *m), *v = malloc(opt->n * sizeof *v);
    int ok = m && v && fread(w, sizeof *w, (size_t)n_words, f) == (size_t)n_words &&
             fread(m, sizeof *m, opt->n, f) == opt->n && fread(v, sizeof *v, opt->n, f) == opt->n;
    char extra;
    if (ok && fread(&extra, 1, 1, f) == 1) ok = 0;
    fclose(f);
    if (!ok || body_crc(&h, w, m, v) != h.crc) {
        snprintf(err, errlen, "%s: %s", path,
                 !m || !v ? "out of memory"
                 : ok     ? "checksum mismatch"
                          : "truncated or trailing data");
        free(m);
        free(v);
        return -1;
    }
    for (int i = 0; i < n_words; i++)
        if (must_match && must_match[i] && w[i] != words[i]) {
            snprintf(err, errlen, "%s: saved by a run with %s %llu, this run has %llu", path,
                     must_match[i], (unsigned long long)w[i], (unsigned long long)words[i]);
            free(m);
            free(v);
            return -1;
        }
    memcpy(opt->m, m, opt->n * sizeof *m);
    memcpy(opt->v, v, opt->n * sizeof *v);
    opt->step = (long)h.step;
    memcpy(words, w, (size_t)n_words * sizeof *w);
    free(m);
    free(v);
    return 0;
}
