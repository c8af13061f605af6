/* Any bytes handed to the checkpoint loader either load as a model whose
 * shape is within gpt_config_error's limits, or are refused with a message:
 * never a crash, an overread or an allocation sized by an unchecked header. */

#include <stdint.h>
#include <string.h>

#include "engine/checkpoint.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char err[512];
    err[0] = 0;
    Gpt *m = ckpt_load_kind(fuzz_input_path(data, size), CKPT_POLICY | CKPT_REWARD_MODEL, err,
                            sizeof err);
    if (m) {
        gpt_free(m);
    } else if (!err[0] || !memchr(err, 0, sizeof err)) {
        __builtin_trap(); /* a refusal must say why */
    }
    return 0;
}
