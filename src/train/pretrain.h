#ifndef R1SIM_TRAIN_PRETRAIN_H
#define R1SIM_TRAIN_PRETRAIN_H

/* Pretraining: next-token cross-entropy over documents drawn from the corpus
 * mixer (world/corpus.h). A Pretrainer owns its optimizer and its corpus
 * stream and advances one optimizer step per call, so the pipeline runner can
 * pause, single-step and resume it. Knows nothing of stages, Lua or curses. */

#include "engine/adamw.h"
#include "engine/gpt.h"
#include "world/corpus.h"

typedef struct {
    int batch_size;    /* sequences per optimizer step */
    int seq_len;       /* tokens per sequence, <= the model's context */
    int steps;         /* total optimizer steps (schedule length) */
    AdamWConfig optim; /* lr, warm-up, cosine, clip, weight decay */
    unsigned long long seed;
    /* Steps whose documents are drawn together and sorted by length, so that
     * each step's rows have similar lengths and little padding; 1 (or 0)
     * draws every step on its own. */
    int length_buckets;
} PretrainConfig;

PretrainConfig pretrain_defaults(void);

typedef struct Pretrainer Pretrainer;

/* The model is borrowed (trained in place). NULL with a message on bad config. */
Pretrainer *pretrainer_new(Gpt *model, const PretrainConfig *cfg, const CorpusConfig *corpus,
                           char *err, size_t errlen);
void pretrainer_free(Pretrainer *p);

typedef struct {
    long step;           /* steps done after this one */
    float loss;          /* mean next-token loss of this step's batch; batches of one
                          * length group differ, so smooth over length_buckets steps */
    float grad_norm;     /* before clipping */
    float lr;            /* used by this step */
    double tokens_per_s; /* trained tokens (padding excluded) per second */
} PretrainStep;

/* One optimizer step. Returns 0, or 1 when all steps are already done. */
int pretrainer_step(Pretrainer *p, PretrainStep *out);

/* The optimizer state and stream position, for resuming a run exactly:
 * a save followed by a load into a fresh Pretrainer continues with the same
 * numbers as an uninterrupted run. 0 on success, -1 with a message. */
int pretrainer_save_state(const Pretrainer *p, const char *path, char *err, size_t errlen);
int pretrainer_load_state(Pretrainer *p, const char *path, char *err, size_t errlen);

#endif
