#ifndef R1SIM_TRAIN_SFT_H
#define R1SIM_TRAIN_SFT_H

/* Supervised fine-tuning on (prompt, completion) pairs: cross-entropy on the
 * completion tokens only, the prompt masked. Batches are drawn in a seeded
 * shuffled order, epoch after epoch. One optimizer step per call, like the
 * Pretrainer. */

#include "engine/adamw.h"
#include "engine/gpt.h"

typedef struct {
    int batch_size;
    int epochs; /* used when steps <= 0 */
    int steps;  /* > 0 overrides epochs */
    AdamWConfig optim;
    unsigned long long seed;
} SftConfig;

SftConfig sft_defaults(void);

typedef struct {
    const char *prompt;     /* text, "<bos>user: ... assistant: <think>" */
    const char *completion; /* text, "...</think><answer>...</answer><eos>" */
} SftExample;

typedef struct Sft Sft;

/* Examples are copied and tokenised; an example that does not encode or does
 * not fit the context is an error naming its index. */
Sft *sft_new(Gpt *model, const SftConfig *cfg, const SftExample *examples, int n, char *err,
             size_t errlen);
void sft_free(Sft *s);
long sft_total_steps(const Sft *s);

typedef struct {
    long step;
    float loss; /* mean loss over completion tokens of this batch */
    float grad_norm;
    float lr;
    double tokens_per_s; /* completion tokens per second */
} SftStep;

/* One optimizer step. Returns 0, or 1 when all steps are already done. */
int sft_step(Sft *s, SftStep *out);

int sft_save_state(const Sft *s, const char *path, char *err, size_t errlen);
int sft_load_state(Sft *s, const char *path, char *err, size_t errlen);

#endif
