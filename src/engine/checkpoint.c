#include "engine/input_file.h"
#include "engine/checkpoint.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/atomic_file.h"
#include "engine/crc32.h"

#define CRC_WORD 7
#define KIND_WORD 8

/* Every header word counts, the CRC's own taken as 0: a changed head count
 * would otherwise reinterpret valid weights as another model. */
static uint32_t checksum(const int32_t *header, const float *params, size_t n) {
    int32_t h[CKPT_HEADER_INTS];
    memcpy(h, header, sizeof h);
    h[CRC_WORD] = 0;
    uint32_t crc = crc32_update(0, h, sizeof h);
    return crc32_update(crc, params, n * sizeof(float));
}

int ckpt_save(const Gpt *m, const char *path, char *err, size_t errlen) {
    /* the last line of defence: a diverged model must never become a file
     * that later stages trust */
    if (!gpt_params_finite(m)) {
        snprintf(err, errlen, "%s: not written: the model has non-finite weights", path);
        return -1;
    }
    int32_t header[CKPT_HEADER_INTS] = {0};
    header[0] = CKPT_MAGIC;
    header[1] = CKPT_VERSION;
    header[2] = m->cfg.max_seq_len;
    header[3] = m->cfg.vocab_size;
    header[4] = m->cfg.n_layer;
    header[5] = m->cfg.n_head;
    header[6] = m->cfg.d_model;
    header[KIND_WORD] = m->cfg.has_head;
    uint32_t crc = checksum(header, m->params, m->num_params);
    memcpy(&header[CRC_WORD], &crc, sizeof crc);

    const void *parts[] = {header, m->params};
    size_t sizes[] = {sizeof header, m->num_params * sizeof(float)};
    return atomic_write_parts(path, parts, sizes, 2, err, errlen);
}

Gpt *ckpt_load_kind(const char *path, int kinds, char *err, size_t errlen) {
    if (input_file_check(path, err, errlen)) return NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    int32_t header[CKPT_HEADER_INTS];
    size_t got = fread(header, 1, sizeof header, f);
    if (got != sizeof header) {
        snprintf(err, errlen, "%s: truncated header: %zu of %zu bytes", path, got, sizeof header);
        fclose(f);
        return NULL;
    }
    if (header[0] != CKPT_MAGIC) {
        snprintf(err, errlen, "%s: not an r1sim checkpoint (magic %d, expected %d)", path,
                 header[0], CKPT_MAGIC);
        fclose(f);
        return NULL;
    }
    if (header[1] != CKPT_VERSION) {
        snprintf(err, errlen, "%s: unsupported checkpoint version %d (this r1sim reads %d%s)", path,
                 header[1], CKPT_VERSION,
                 header[1] < CKPT_VERSION ? "; rebuild it with this r1sim" : "");
        fclose(f);
        return NULL;
    }
    int32_t kind = header[KIND_WORD];
    if (kind != 0 && kind != 1) {
        snprintf(err, errlen, "%s: unknown model kind %d in header (0 policy, 1 reward model)",
                 path, kind);
        fclose(f);
        return NULL;
    }
    /* Checked before the size, so a file of the wrong kind gets this message
     * rather than one about its length. */
    if (kind == 1 && !(kinds & CKPT_REWARD_MODEL)) {
        snprintf(err, errlen, "%s: a reward model (it has a scalar head), not a policy", path);
        fclose(f);
        return NULL;
    }
    if (kind == 0 && !(kinds & CKPT_POLICY)) {
        snprintf(err, errlen, "%s: a policy, not a reward model", path);
        fclose(f);
        return NULL;
    }
    GptConfig cfg = {.max_seq_len = header[2],
                     .vocab_size = header[3],
                     .n_layer = header[4],
                     .n_head = header[5],
                     .d_model = header[6],
                     .has_head = kind};
    const char *bad = gpt_config_error(&cfg);
    if (bad) {
        snprintf(err, errlen,
                 "%s: bad model configuration in header (%s: ctx %d, vocab %d, layers %d, "
                 "heads %d, dim %d)",
                 path, bad, cfg.max_seq_len, cfg.vocab_size, cfg.n_layer, cfg.n_head, cfg.d_model);
        fclose(f);
        return NULL;
    }
    /* Check the size before allocating, so a lying header costs nothing. */
    if (fseek(f, 0, SEEK_END) != 0) {
        snprintf(err, errlen, "%s: cannot seek: %s", path, strerror(errno));
        fclose(f);
        return NULL;
    }
    long fsize = ftell(f);
    size_t want = sizeof header + gpt_num_params(&cfg) * sizeof(float);
    if (fsize < 0 || (size_t)fsize != want) {
        snprintf(err, errlen, "%s: %s: %ld bytes, the header's model needs %zu", path,
                 (size_t)fsize < want ? "truncated" : "trailing data", fsize, want);
        fclose(f);
        return NULL;
    }
    Gpt *m = gpt_new(&cfg);
    if (!m) {
        snprintf(err, errlen, "%s: out of memory for the model", path);
        fclose(f);
        return NULL;
    }
    fseek(f, (long)sizeof header, SEEK_SET);
    if (fread(m->params, sizeof(float), m->num_params, f) != m->num_params) {
        snprintf(err, errlen, "%s: read error", path);
        gpt_free(m);
        fclose(f);
        return NULL;
    }
    fclose(f);
    uint32_t want_crc;
    memcpy(&want_crc, &header[CRC_WORD], sizeof want_crc);
    if (want_crc != 0) {
        uint32_t crc = checksum(header, m->params, m->num_params);
        if (crc != want_crc) {
            snprintf(err, errlen, "%s: corrupted: CRC-32 %08x, header says %08x", path, crc,
                     want_crc);
            gpt_free(m);
            return NULL;
        }
    }
    /* after the CRC, so that a damaged file is called corrupted rather than
     * diverged */
    if (!gpt_params_finite(m)) {
        snprintf(err, errlen, "%s: refused: non-finite weights (NaN or infinity)", path);
        gpt_free(m);
        return NULL;
    }
    return m;
}

Gpt *ckpt_load(const char *path, char *err, size_t errlen) {
    return ckpt_load_kind(path, CKPT_POLICY, err, errlen);
}
