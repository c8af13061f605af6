#ifndef R1SIM_WORLD_PREFERENCE_H
#define R1SIM_WORLD_PREFERENCE_H

#include <stddef.h>

#include "world/general.h"
#include "world/rng.h"

/* Preference pairs for a helpfulness reward model: R1's pairwise reward data
 * in miniature. Each pair answers one general question twice:
 *
 *   chosen:   a courteous thought and the right answer
 *             "sure, here it is.</think><answer>nalp</answer><eos>"
 *   rejected: worse for one stated reason
 *     wrong         a plausible wrong answer      "happy to help.</think><answer>lpan</answer>"
 *     unhelpful     a refusal or an empty answer  "</think><answer>i do not know.</answer>"
 *     rambling      the right answer after filler "sure.</think><answer>by the way, cats like
 *                                                  to nap in the sun. nalp</answer>"
 *     longer_wrong  wrong, and longer than chosen in answer and in tokens
 *   (every completion ends with <eos>)
 *
 * As in the R1 paper, chosen and rejected lengths are matched for wrong,
 * unhelpful and rambling (the chosen thought is picked to be about as long as
 * the rejected completion), so length alone cannot separate them; the
 * longer_wrong pairs then catch a model that learned "longer is better".
 * Politeness is the thought: the chosen one is always a courtesy from a fixed
 * list, and so is the rejected one except for refusals, so for wrong and
 * longer_wrong pairs only the answer tells them apart. */

typedef enum {
    PREF_WRONG,
    PREF_UNHELPFUL,
    PREF_RAMBLING,
    PREF_LONGER_WRONG,
    PREF_NUM_REASONS
} PrefReason;

/* Completions stay within 96 tokens; the tags are longer in bytes than in tokens. */
enum { PREF_COMPLETION_MAX = 256 };

/* A longer_wrong rejection is at least this many tokens longer than its chosen. */
enum { PREF_LONGER_MARGIN = 8 };

/* A rambling answer's filler holds at least this many words. */
enum { PREF_FILLER_MIN_WORDS = 3 };

typedef struct {
    char chosen[PREF_COMPLETION_MAX];
    char rejected[PREF_COMPLETION_MAX];
} PrefPair;

/* "wrong", "unhelpful", "rambling", "longer_wrong"; and back (-1 if unknown). */
const char *pref_reason_name(PrefReason r);
int pref_reason_from_name(const char *name, PrefReason *out);

/* A pair for the item, each completion at most max_tokens tokens. 0, or -1
 * when no pair of that reason fits (max_tokens too small). Deterministic
 * given the RNG state. */
int pref_generate(const GeneralItem *it, PrefReason why, int max_tokens, WorldRng *rng,
                  PrefPair *out);

/* 1 when the thought is one of the courtesies chosen answers open with. */
int pref_is_courteous(const char *thought, size_t len);

/* 1 when the answer is empty or one of the refusals. */
int pref_is_refusal(const char *answer, size_t len);

/* 1 when the answer is rambling: FILLER " " RIGHT_ANSWER, where FILLER holds
 * at least PREF_FILLER_MIN_WORDS space-separated words. */
int pref_answer_rambles(const GeneralItem *it, const char *answer, size_t len);

/* What the data checker accepts. Both completions end with <eos> and parse;
 * the chosen one is well formed, its thought courteous and its answer right
 * (general_helpful); the rejected one is never helpful, and
 *   wrong:        well formed, a wrong answer that is neither a refusal nor rambling;
 *   longer_wrong: the same, its answer longer in bytes than the chosen's and
 *                 the completion at least PREF_LONGER_MARGIN tokens longer;
 *   unhelpful:    the answer empty or a refusal;
 *   rambling:     well formed, the answer rambling (pref_answer_rambles).
 * 0, or -1 with a one-line reason in why. */
int pref_check(const GeneralItem *it, PrefReason reason, const char *chosen, const char *rejected,
               char *why, size_t cap);

#endif
