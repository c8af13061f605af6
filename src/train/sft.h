#ifndef R1SIM_TRAIN_SFT_H
#define R1SIM_TRAIN_SFT_H

/* Supervised fine-tuning on (prompt, completion) pairs: cross-entropy on the
 * completion tokens only, the prompt masked. Batches are drawn in a seeded
 * shuffled order, epoch after epoch. One optimizer step per call, like the
 * Pretrainer. */

#include "engine/adamw.h"
#include "engine/gpt.h"
#include "train/kd_step.h"

typedef struct {
    int batch_size;
    int epochs; /* used when steps <= 0 */
    int steps;  /* > 0 overrides epochs */
    AdamWConfig optim;
    unsigned long long seed;
} SftConfig;

SftConfig sft_defaults(void);
/* R1-Distill's: sft_defaults with the learning rate's cosine decaying to 0
 * (the R1 paper's distilled models: 2-3 epochs, the rate decaying). */
SftConfig sft_distill_defaults(void);

typedef struct {
    const char *prompt;     /* text, "<bos>user: ... assistant: <think>" */
    const char *completion; /* text, "...</think><answer>...</answer><eos>" */
    /* Where the example was read (a CSV file and line), so that a message
     * about it points there; NULL: messages name its index. */
    const char *file;
    int line;
} SftExample;

typedef struct Sft Sft;

/* Examples are copied and tokenised; an example that does not encode or does
 * not fit the context is an error naming its file:line, else its index. */
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
    double ce, kl;       /* with a teacher: the loss's two terms; else ce = loss, kl 0 */
} SftStep;

/* Distils from a teacher (borrowed; it must outlive s) from the next step
 * on: every step then minimises kd_step.h's loss on the same batches. The
 * teacher must share the student's vocabulary and see at least its context.
 * 0, or -1 with a one-line message. */
int sft_set_teacher(Sft *s, const KdTeacher *kd, char *err, size_t errlen);

/* One optimizer step. Returns 0, or 1 when all steps are already done. */
int sft_step(Sft *s, SftStep *out);

int sft_save_state(const Sft *s, const char *path, char *err, size_t errlen);
int sft_load_state(Sft *s, const char *path, char *err, size_t errlen);

#endif
