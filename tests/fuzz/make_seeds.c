/* Writes the binary seed files of tests/fuzz/corpus/ with the engine's own
 * writers, so that the fuzzer starts from inputs that load and explores the
 * checks beyond the header. Run by hand (`make fuzz-seeds`) when a format
 * changes; its output is committed. */

#include <stdio.h>
#include <string.h>

#include "engine/checkpoint.h"
#include "train/train_state.h"

static int save_model(int has_head, const char *path) {
    GptConfig cfg = {.max_seq_len = 4,
                     .vocab_size = 5,
                     .n_layer = 1,
                     .n_head = 2,
                     .d_model = 2,
                     .has_head = has_head};
    Gpt *m = gpt_new(&cfg);
    if (!m) return -1;
    gpt_init_random(m, 1);
    char err[256];
    int rc = ckpt_save(m, path, err, sizeof err);
    if (rc) fprintf(stderr, "%s\n", err);
    gpt_free(m);
    return rc;
}

/* The same layout fuzz_train_state.c expects: 8 parameters, 3 words. */
static int save_state(const char *path) {
    float m[8], v[8];
    for (int i = 0; i < 8; i++) {
        m[i] = 0.125f * (float)i;
        v[i] = 0.5f * (float)i;
    }
    AdamW opt = {.cfg = adamw_defaults(), .m = m, .v = v, .n = 8, .step = 3};
    const uint64_t words[3] = {5, 42, 9};
    char err[256];
    int rc = train_state_save(path, "fuzz", &opt, words, 3, err, sizeof err);
    if (rc) fprintf(stderr, "%s\n", err);
    return rc;
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "tests/fuzz/corpus";
    char p[4][512];
    snprintf(p[0], sizeof p[0], "%s/checkpoint/policy.ckpt", dir);
    snprintf(p[1], sizeof p[1], "%s/checkpoint/reward_model.ckpt", dir);
    snprintf(p[2], sizeof p[2], "%s/train_state/fuzz.state", dir);
    return save_model(0, p[0]) || save_model(1, p[1]) || save_state(p[2]);
}
