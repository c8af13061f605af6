#ifndef R1SIM_TRAIN_TRAIN_STATE_H
#define R1SIM_TRAIN_TRAIN_STATE_H

/* Resume files shared by the trainers: everything but the model weights (the
 * caller saves those with ckpt_save) needed to continue a run bit for bit —
 * AdamW's moments and step count, plus a few words of the trainer's own
 * (stream position, settings that must not change across a resume). A kind
 * string ("pretrain", "sft") keeps one trainer from loading another's file,
 * and a CRC-32 over the whole body refuses a truncated or corrupted one. */

#include <stddef.h>
#include <stdint.h>

#include "engine/adamw.h"

enum { TRAIN_STATE_MAX_WORDS = 16 };

/* Writes to a temporary file beside path, then renames it into place.
 * 0, or -1 with a one-line message naming the file. */
int train_state_save(const char *path, const char *kind, const AdamW *opt, const uint64_t *words,
                     int n_words, char *err, size_t errlen);

/* Reads a file written by train_state_save with the same kind, n_words and
 * parameter count. words is in/out: for each i with must_match[i] != NULL
 * (a setting's name, e.g. "seed"), words[i] holds this run's value and the
 * saved one must equal it, since a resume under other settings would
 * silently continue a different run. On success copies the moments and step
 * into opt and every saved word into words; on failure leaves both untouched.
 * 0, or -1 with a one-line message. */
int train_state_load(const char *path, const char *kind, AdamW *opt, uint64_t *words, int n_words,
                     const char *const *must_match, char *err, size_t errlen);

#endif
