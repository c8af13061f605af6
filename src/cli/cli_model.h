#ifndef R1SIM_CLI_MODEL_H
#define R1SIM_CLI_MODEL_H

#include "engine/gpt.h"

/* Loads a checkpoint for use with r1sim's tokenizer; prints a one-line error
 * prefixed by "r1sim CMD: " and returns NULL when the file is refused or its
 * vocabulary is not the tokenizer's. */
Gpt *cli_load_model(const char *cmd, const char *path);

/* Encodes text, prepending <bos> unless it starts with one. Returns the token
 * count (ids holds at most cap), or -1 with a message naming where (e.g.
 * "stdin:3") and the offending character. */
int cli_encode_with_bos(const char *cmd, const char *where, const char *text, int *ids, int cap);

#endif
