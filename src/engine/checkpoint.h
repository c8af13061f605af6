#ifndef R1SIM_ENGINE_CHECKPOINT_H
#define R1SIM_ENGINE_CHECKPOINT_H

/* Checkpoint files: an int32 header[256] = { magic 20261128, version 1,
 * max_seq_len, vocab_size, n_layer, n_head, d_model, crc32, 0... } followed by
 * the float32 tensors in GptTensors order. Word 7 is the CRC-32 (zlib's) of
 * every byte after the 1024-byte header; 0 means "not checked", so other tools
 * may write checkpoints without computing it. Little-endian, as written by
 * this machine. */

#include <stddef.h>

#include "engine/gpt.h"

#define CKPT_MAGIC 20261128
#define CKPT_VERSION 1
#define CKPT_HEADER_INTS 256

/* Writes to a temporary file beside path, then renames it into place.
 * Returns 0, or -1 with a one-line message in err. */
int ckpt_save(const Gpt *m, const char *path, char *err, size_t errlen);

/* Loads and checks a checkpoint. Returns the model, or NULL with a one-line
 * message (naming the file and what is wrong) in err. */
Gpt *ckpt_load(const char *path, char *err, size_t errlen);

#endif
