/* Any bytes read as a trainer's resume file are loaded into an optimizer of
 * the expected size or refused with a message; on refusal the optimizer and
 * the words are left as they were, as train_state.h promises. */

#include <stdint.h>
#include <string.h>

#include "fuzz_input.h"
#include "train/train_state.h"

enum { N_PARAMS = 8, N_WORDS = 3 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    float m[N_PARAMS], v[N_PARAMS];
    for (int i = 0; i < N_PARAMS; i++) m[i] = v[i] = (float)i;
    AdamW opt = {.cfg = adamw_defaults(), .m = m, .v = v, .n = N_PARAMS, .step = 7};
    uint64_t words[N_WORDS] = {11, 42, 13};
    const char *const must_match[N_WORDS] = {NULL, "seed", NULL};
    char err[512];
    err[0] = 0;
    if (train_state_load(fuzz_input_path(data, size), "fuzz", &opt, words, N_WORDS, must_match, err,
                         sizeof err) != 0) {
        if (!err[0] || opt.step != 7 || words[0] != 11 || words[1] != 42 || words[2] != 13)
            __builtin_trap();
        for (int i = 0; i < N_PARAMS; i++)
            if (m[i] != (float)i || v[i] != (float)i) __builtin_trap();
    } else if (words[1] != 42 || opt.step < 0) {
        __builtin_trap();
    }
    return 0;
}
