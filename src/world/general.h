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

/* The length range of general_generate_varied's invented copy and reverse
 * arguments: the built-in words' range. */
enum { GENERAL_INVENTED_MIN = 2, GENERAL_INVENTED_MAX = 7 };

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

/* A training item as general_generate makes, except that a copy or reverse
 * argument is, seven times in ten, an invented string of
 * GENERAL_INVENTED_MIN..MAX letters that is never a held-out word, and that
 * "who are you?" is asked in twelve ways (none a held-out one): the data
 * of general.csv, of the preference pairs' train split and of GRPO's general
 * prompts, from which a model can learn copying and reversing as skills
 * that carry over to held-out words. The pretraining corpus keeps
 * general_generate, so the base is what it was. */
void general_generate_varied(GeneralKind kind, WorldRng *rng, GeneralItem *out);
void general_generate_varied_any(WorldRng *rng, GeneralItem *out);

/* An item for held-out preference pairs: copy and reverse take words, and
 * identity phrasings, that general_generate never draws, so a reward model
 * scored on these has not seen the question in training. Cipher and digit
 * arguments come from the same space as general_generate's, so a caller that
 * needs them held out rejects the ones its training split holds. */
void general_generate_heldout(GeneralKind kind, WorldRng *rng, GeneralItem *out);
void general_generate_heldout_any(WorldRng *rng, GeneralItem *out);

/* Recovers the item (and so the expected answer) from its question; 0 on
 * success, -1 when the question is not a general one. Copy and reverse accept
 * any a..z word up to GENERAL_WORD_MAX letters, not only the built-in list;
 * identity accepts the held-out phrasings too. */
int general_parse_prompt(const char *prompt, GeneralItem *out);

/* 1 when answer is exactly the expected answer. */
int general_verify(const GeneralItem *it, const char *answer);
/* The same for an answer given as a span (e.g. from completion_parse). */
int general_verify_span(const GeneralItem *it, const char *answer, size_t len);

/* True helpfulness, for plotting beside a reward model's score: 1 when the
 * completion is well formed and its answer is exactly right. Format counts
 * here, unlike for the accuracy reward: text after </answer> or a missing tag
 * is what the user sees, so a right answer buried in it is not a clean one. */
int general_helpful(const GeneralItem *it, const char *completion);

/* Mistakes for the rejected side of preference pairs (general_wrong.c), never
 * the right answer and always in the answer's alphabet, so that only
 * correctness tells them apart:
 *   general_wrong_answer: about as long as the right answer (a misspelt copy,
 *     a half-reversed word, one wrong cipher letter, another name);
 *   general_longer_wrong_answer: strictly longer than the right answer (the
 *     word twice, every letter doubled, extra symbols, "i am not r1sim.").
 * Deterministic given the RNG state. */
void general_wrong_answer(const GeneralItem *it, WorldRng *rng, char out[GENERAL_TEXT_MAX]);
void general_longer_wrong_answer(const GeneralItem *it, WorldRng *rng, char out[GENERAL_TEXT_MAX]);

#endif
