#ifndef R1SIM_WORLD_GENERAL_H
#define R1SIM_WORLD_GENERAL_H

#include <stddef.h>

#include "world/rng.h"

/* Non-reasoning ("general") data: the miniature of R1's 200k non-reasoning
 * samples, which keep the model a usable assistant while RL sharpens its
 * reasoning. Each item is a question and its one right answer:
 *   copy: plan?      -> plan
 *   reverse: plan?   -> nalp
 *   cipher: 347?     -> deh      (digits to the a=0 ... j=9 cipher)
 *   digits: deh?     -> 347
 *   who are you?     -> i am r1sim.
 * Answers are checked exactly, like task answers. */

typedef enum {
    GEN_COPY,
    GEN_REVERSE,
    GEN_TO_CIPHER,
    GEN_TO_DIGITS,
    GEN_IDENTITY,
    GEN_NUM_KINDS
} GeneralKind;

enum { GENERAL_TEXT_MAX = 48, GENERAL_WORD_MAX = 12 };

#define GENERAL_IDENTITY_ANSWER "i am r1sim."

typedef struct {
    GeneralKind kind;
    char prompt[GENERAL_TEXT_MAX];
    char answer[GENERAL_TEXT_MAX];
} GeneralItem;

/* "copy", "reverse", "to_cipher", "to_digits", "identity"; and back (-1 if unknown). */
const char *general_kind_name(GeneralKind k);
int general_kind_from_name(const char *name, GeneralKind *out);

/* A random item of one kind; deterministic given the RNG state. */
void general_generate(GeneralKind kind, WorldRng *rng, GeneralItem *out);
/* A random item of a uniformly chosen kind. */
void general_generate_any(WorldRng *rng, GeneralItem *out);

/* Recovers the item (and so the expected answer) from its question; 0 on
 * success, -1 when the question is not a general one. Copy and reverse accept
 * any a..z word up to GENERAL_WORD_MAX letters, not only the built-in list. */
int general_parse_prompt(const char *prompt, GeneralItem *out);

/* 1 when answer is exactly the expected answer. */
int general_verify(const GeneralItem *it, const char *answer);
/* The same for an answer given as a span (e.g. from completion_parse). */
int general_verify_span(const GeneralItem *it, const char *answer, size_t len);

#endif
