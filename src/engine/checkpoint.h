#ifndef R1SIM_ENGINE_CHECKPOINT_H
#define R1SIM_ENGINE_CHECKPOINT_H

/* Checkpoint files: an int32 header[256] = { magic 20261128, version 1,
 * max_seq_len, vocab_size, n_layer, n_head, d_model, crc32, kind, 0... }
 * followed by the float32 tensors in GptTensors order. Word 8 is the kind:
 * 0 a policy, 1 a reward model, whose scalar head (w, b) follows the trunk.
 * Word 7 is the CRC-32 (zlib's) of the kind word when it is not 0, then of
 * every byte after the 1024-byte header; so a policy's CRC is what it was
 * before reward models existed, and old checkpoints still load. 0 means "not
 * checked", so other tools may write checkpoints without computing it.
 * Little-endian, as written by this machine. */

#include <stddef.h>

#include "engine/gpt.h"

#define CKPT_MAGIC 20261128
#define CKPT_VERSION 1
#define CKPT_HEADER_INTS 256

/* Kinds a caller accepts, or-ed together. */
enum { CKPT_POLICY = 1, CKPT_REWARD_MODEL = 2 };

/* Writes to a temporary file beside path, then renames it into place; the
 * kind follows m->cfg.has_head. Returns 0, or -1 with a one-line message in
 * err. */
int ckpt_save(const Gpt *m, const char *path, char *err, size_t errlen);

/* Loads and checks a checkpoint whose kind is one of `kinds`. Returns the
 * model, or NULL with a one-line message (naming the file and what is wrong,
 * including a kind the caller did not ask for) in err. */
Gpt *ckpt_load_kind(const char *path, int kinds, char *err, size_t errlen);

/* ckpt_load_kind(path, CKPT_POLICY, ...): every stage but the reward
 * model's trains or samples a policy. */
Gpt *ckpt_load(const char *path, char *err, size_t errlen);

#endif
