#ifndef R1SIM_TRAIN_EVAL_GENERAL_H
#define R1SIM_TRAIN_EVAL_GENERAL_H

/* Evaluation on general prompts (copy, reverse, translate, who are you):
 * questions a reward model stands in for in RL, but which r1sim can also
 * check, so an eval can report the true helpfulness beside what a learned
 * reward thinks of the answers. Held-out questions (general_generate_heldout)
 * in the R1 template, k samples each. */

#include <stddef.h>

#include "engine/gpt.h"
#include "train/eval.h"
#include "world/general.h"

typedef struct {
    int n_prompts, k, max_new_tokens;
    float temperature;
    unsigned long long seed;
    EvalProgress progress; /* between batches; nonzero stops (NULL: never) */
    void *progress_ctx;
} EvalGeneralConfig;

typedef struct {
    double helpful;     /* share of completions general_helpful accepts */
    double format_rate; /* well formed */
    double mean_length; /* completion tokens */
} EvalGeneralResult;

/* Samples the model on n_prompts held-out general questions, k each. The
 * questions (items, n_prompts) and completions (texts, n_prompts * k,
 * prompt-major; the caller frees each and the array) are returned when the
 * pointers are not NULL, for a reward model to score. 0, EVAL_ESTOPPED when
 * cfg->progress asked to stop, or -1 with err. */
int eval_general(const Gpt *model, const EvalGeneralConfig *cfg, EvalGeneralResult *out,
                 GeneralItem **items, char ***texts, char *err, size_t errlen);

/* The held-out questions eval_general asks for a seed: the same for every
 * model, so two models' answers can be compared question by question. */
void eval_general_items(unsigned long long seed, int n, GeneralItem *out);

#endif
