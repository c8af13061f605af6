#ifndef R1SIM_PIPELINE_SFT_INPUT_H
#define R1SIM_PIPELINE_SFT_INPUT_H

/* What the kinds that fine-tune a checkpoint on datasets (sft, distill)
 * share: the model and `dataset` inputs read into a trainer, with the
 * options `task` and `limit` choosing rows; the count of rows per origin
 * written as sources.csv; the datasets' columns checked at load. */

#include <stddef.h>

#include "pipeline/stage_kind.h"
#include "train/sft.h"

enum { SFT_MAX_SOURCES = 8, SFT_MAX_ORIGINS = 32 };

/* Where rows came from: the input, and within it the row's own `source`
 * column when it has one (a sample stage's dataset mixes its own samples
 * with general rows from a file). */
typedef struct {
    char input[256], source[256];
    int rows;
} SftOrigin;

typedef struct {
    int n;
    SftOrigin origin[SFT_MAX_ORIGINS];
} SftOrigins;

/* The state of both kinds starts with this, so that the ops below serve
 * both as they are. */
typedef struct {
    Sft *sft;
    SftOrigins origins;
} SftInputState;

/* Loads the checkpoint of `model_role` into c->model and the rows of every
 * `dataset` input into a trainer with config sc (its seed replaced by the
 * stage's). NULL with a one-line message naming the stage. */
Sft *sft_input_open(StageCtx *c, const char *model_role, const SftConfig *sc, SftOrigins *o,
                    char *err, size_t errlen);

/* StageOps for a state starting with SftInputState: the resume point's
 * trainer file (prefix + ".state"); sources.csv (input, source, rows: how
 * many rows each input, and each source within it, gave, so a reader sees
 * the mix the model was trained on); and the datasets' prompt and
 * completion columns, checked when the script loads. */
int sft_input_save(void *state, StageCtx *c, const char *prefix, char *err, size_t errlen);
int sft_input_load(void *state, StageCtx *c, const char *prefix, char *err, size_t errlen);
int sft_input_finish(void *state, StageCtx *c, char *err, size_t errlen);
int sft_input_check(const Stage *st, const GraphHooks *hooks, char *err, size_t errlen);

#endif
