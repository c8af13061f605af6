#ifndef R1SIM_WORLD_COMPLETION_H
#define R1SIM_WORLD_COMPLETION_H

#include <stddef.h>

#include "world/cipher.h"

/* Reading a completion the way rewards and eval need it: where the thought and
 * the answer are, whether the format is right, which script the thought is in,
 * and how often it reflects ("wait", "check") — the aha meter's signal.
 *
 * The completion is what follows the templated prompt, which already opened the
 * thought (see template.h); a leading "<think>" is also accepted, once, so that
 * a whole "<think>...</think><answer>...</answer>" string parses the same way.
 *
 * Well formed means exactly:
 *   [<think>] THOUGHT </think> [spaces/newlines] <answer> ANSWER </answer> [<eos>] [<pad>...]
 * where THOUGHT and ANSWER hold none of the special tokens and ANSWER is not
 * empty (a formatted non-answer should not earn a format reward). Tags twice,
 * a missing tag, or any text after </answer> make it malformed.
 *
 * The answer is read more leniently than the format is judged: an answer the
 * model gave after closing its thought counts even without its tags. The R1
 * paper splits the two rewards that way (accuracy checks the result, format
 * the tags), and TRL's accuracy rewards parse the whole completion. With a
 * strict reading, accuracy alone paid for answer tags, so dropping the format
 * reward still taught the format (measured: 0.84 -> 0.98 without it). */

typedef struct {
    int well_formed;
    int think_closed;    /* a </think> was found */
    const char *thought; /* points into the completion; never NULL */
    size_t thought_len;  /* up to the first </think>; without one, up to the first <answer> or the
                            end */
    const char *answer;  /* the answer as accuracy reads it: inside the first <answer>...
                            </answer> (after the first </think> when there is one); else from an
                            unclosed <answer>, or else from the first </think>, to the next
                            special token (spaces trimmed); NULL without <answer> or </think> */
    size_t answer_len;
} CompletionParts;

/* Fills *out and returns out->well_formed. The answer is extracted even from a
 * malformed completion, so a caller decides whether accuracy needs format. */
int completion_parse(const char *completion, CompletionParts *out);

/* 1 when the thought holds nothing but spaces and newlines: a direct answer. */
int completion_thought_is_empty(const CompletionParts *p);

/* The share of the text's number characters that are in `script`. Number
 * characters are the digits and the letters a..j inside words made only of
 * digits and a..j; words with any other letter ("so", "wait", "check") are
 * prose in both scripts and do not count. Returns 1.0 when there are no number
 * characters (nothing is in the wrong script); *n_counted (if not NULL) says how
 * many characters counted. */
double completion_script_share(const char *text, size_t len, WorldScript script, int *n_counted);

/* How many times word occurs in text as a whole word (bounded by characters
 * other than a..z). */
int completion_count_word(const char *text, size_t len, const char *word);

/* Degenerate looping, for a readability filter: 1 when some n consecutive
 * words occur min_repeats times back to back ("so 936 so 936 so 936" is the
 * bigram "so 936" three times). Words are runs of characters other than
 * spaces, tabs and newlines, punctuation included ("16." and "16" differ):
 * the character tokenizer's trigrams would only catch loops of period one or
 * three characters, while a model that loops repeats whole scratch steps.
 * 0 when n < 1 or min_repeats < 2. */
int completion_repeated_ngram_run(const char *text, size_t len, int n, int min_repeats);

/* The same for word trigrams. A loop of one word repeated 3 * min_repeats
 * times counts too; a loop of period two words does not (use the n-gram
 * form with n = 2 for that). */
int completion_repeated_trigram_run(const char *thought, size_t len, int min_repeats);

#endif
