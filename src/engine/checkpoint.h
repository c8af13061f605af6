#ifndef R1SIM_ENGINE_CHECKPOINT_H
#define R1SIM_ENGINE_CHECKPOINT_H

/* Checkpoint files: an int32 header[256] = { magic 20261128, version 2,
 * max_seq_len, vocab_size, n_layer, n_head, d_model, crc32, kind, 0... }
 * followed by the float32 tensors in GptTensors order. Word 8 is the kind:
 * 0 a policy, 1 a reward model, whose scalar head (w, b) follows the trunk.
 * Word 7 is the CRC-32 (zlib's) of the whole 1024-byte header, word 7 taken
 * as 0, then of every byte after it. 0 means "not checked", so other tools
 * may write checkpoints without computing it. Version 1 covered only the
 * tensors (and a reward model's kind word), so a changed shape word loaded
 * silently; it is refused. Weights that are NaN or infinite are refused on
 * load and never written. Little-endian, as written by this machine. */

#include <stddef.h>

#include "engine/gpt.h"

#define CKPT_MAGIC 20261128
#define CKPT_VERSION 2
#define CKPT_HEADER_INTS 256

/* Kinds a caller accepts, or-ed together. */
enum { CKPT_POLICY = 1, CKPT_REWARD_MODEL = 2 };

/* Writes to a temporary file beside path, then renames it into place; the
 * kind follows m->cfg.has_head. Returns 0, or -1 with a one-line message in
 * err (also when a weight is not finite: nothing is written). */
int ckpt_save(const Gpt *m, const char *path, char *err, size_t errlen);

/* Loads and checks a checkpoint whose kind is one of `kinds`. Returns the
 * model, or NULL with a one-line message (naming the file and what is wrong,
 * including a kind the caller did not ask for) in err. */
Gpt *ckpt_load_kind(const char *path, int kinds, char *err, size_t errlen);

/* ckpt_load_kind(path, CKPT_POLICY, ...): every stage but the reward
 * model's trains or samples a policy. */
Gpt *ckpt_load(const char *path, char *err, size_t errlen);

#endif
