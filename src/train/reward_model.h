#ifndef R1SIM_TRAIN_REWARD_MODEL_H
#define R1SIM_TRAIN_REWARD_MODEL_H

/* Training a reward model on preference pairs (prompt, chosen, rejected)
 * with the Bradley-Terry loss, and scoring completions with one. The model
 * is a trunk with a scalar head (engine/reward_head.h) read at the last token
 * of prompt + completion. With answer_only the completion is reduced to its
 * answer block, "<answer>...</answer>": helpfulness judged on the final
 * answer, as R1's helpfulness reward judges the final summary only. */

#include <stddef.h>

#include "engine/adamw.h"
#include "engine/gpt.h"

typedef struct {
    int batch_size; /* pairs per step */
    int epochs;     /* used when steps <= 0 */
    int steps;
    int answer_only;
    AdamWConfig optim;
    unsigned long long seed;
} RmConfig;

RmConfig rm_defaults(void);

typedef struct {
    const char *prompt, *chosen, *rejected;
} RmPair;

typedef struct RmTrainer RmTrainer;

/* The model (with a head) is borrowed and trained in place; pairs are
 * tokenised now: a pair that does not encode or fit the context is an error
 * naming its index. */
RmTrainer *rm_new(Gpt *model, const RmConfig *cfg, const RmPair *pairs, int n, char *err,
                  size_t errlen);
void rm_free(RmTrainer *t);
long rm_total_steps(const RmTrainer *t);

typedef struct {
    double loss, accuracy, margin; /* this step's pairs */
    float grad_norm, lr;
} RmStep;

/* One optimizer step. 0, or 1 when every step is done. */
int rm_step(RmTrainer *t, RmStep *out);
int rm_save_state(const RmTrainer *t, const char *path, char *err, size_t errlen);
int rm_load_state(RmTrainer *t, const char *path, char *err, size_t errlen);

/* Scores n completions of their prompts (batched, chunked). A text longer
 * than the context is scored on its last context tokens. 0, or -1 with a
 * message (text outside the vocabulary). */
int rm_score(Gpt *model, const char *const *prompts, const char *const *completions, int n,
             int answer_only, float *scores, char *err, size_t errlen);

#endif
