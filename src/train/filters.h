#ifndef R1SIM_TRAIN_FILTERS_H
#define R1SIM_TRAIN_FILTERS_H

/* The built-in predicates of rejection sampling: which sampled completions
 * are kept as training data. R1 keeps a reasoning sample when its answer is
 * right and it reads well: no mixed languages, no endless repetition, not
 * overlong. In miniature:
 *   correct      the task's verifier accepts the answer;
 *   well_formed  <think>...</think><answer>...</answer>, as the format reward;
 *   readable     well formed, the whole thought in the prompt's script, no
 *                word trigram repeated back to back (a looping thought), and at
 *                most max_tokens completion tokens without truncation. */

#include <stddef.h>

#include "world/task.h"

typedef enum { FILTER_NONE, FILTER_CORRECT, FILTER_WELL_FORMED, FILTER_READABLE } FilterBuiltin;

/* The built-in predicate named name; FILTER_NONE when there is none. */
FilterBuiltin filter_builtin(const char *name);
/* "correct, well_formed, readable" for messages. */
const char *filter_builtin_names(void);

typedef struct {
    const Problem *problem; /* NULL for a prompt without a verifier */
    const char *completion;
    int length;     /* completion tokens */
    int truncated;  /* hit the token limit without a stop token */
    int max_tokens; /* readable's length limit */
} FilterInput;

/* 1 when the completion passes the predicate. */
int filter_passes(FilterBuiltin f, const FilterInput *in);

#endif
