/* The sft kind: supervised fine-tuning of a checkpoint on the completions of
 * one or more datasets (CSV files or stages that make one), concatenated in
 * input order. The cold start (R1-Zero's readable samples + curated rows) and
 * R1's SFT of the base on rejection-sampled data are both this kind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/sft_input.h"
#include "pipeline/stage_kind.h"
#include "pipeline/stage_options.h"
#include "train/sft.h"

#define F(type, member) OPT_FIELD(type, SftConfig, member)
static const OptSpec options[] = {
    {"steps", OPT_INTEGER, NULL, 0, 1e9, "optimizer steps; 0 runs `epochs`", NULL,
     F(FIELD_INT, steps)},
    {"epochs", OPT_INTEGER, NULL, 1, 1000, "passes over the data when steps is 0", NULL,
     F(FIELD_INT, epochs)},
    {"batch_size", OPT_INTEGER, NULL, 1, 4096, "examples per step", NULL, F(FIELD_INT, batch_size)},
    {"lr", OPT_NUMBER, NULL, 0, 1, "peak learning rate", NULL, F(FIELD_FLOAT, optim.lr)},
    {"warmup", OPT_INTEGER, NULL, 0, 1e9, "linear warm-up steps", NULL,
     F(FIELD_INT, optim.warmup_steps)},
    {"seed", OPT_INTEGER, NULL, 0, 1e15, "shuffle seed", NULL, F(FIELD_U64, seed)},
    {"task", OPT_STRING, "", 0, 0, "keep only rows of this task (empty: all)",
     stage_check_task_or_empty, FIELD_NONE, 0},
    {"limit", OPT_INTEGER, "0", 0, 1e9, "use at most this many rows (0: all)", NULL, FIELD_NONE, 0},
    {"save_every", OPT_INTEGER, "100", 1, 1e9, "steps between resume points", NULL, FIELD_NONE, 0},
    OPT_END,
};
#undef F

static void free_state(void *state) {
    SftInputState *s = state;
    if (!s) return;
    sft_free(s->sft);
    free(s);
}

static void *open_sft(StageCtx *c, long *total, char *err, size_t errlen) {
    SftInputState *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "stage '%s': out of memory", c->st->name);
        return NULL;
    }
    SftConfig sc;
    stage_options_fill(c->st, &sc);
    s->sft = sft_input_open(c, "policy", &sc, &s->origins, err, errlen);
    if (!s->sft) {
        free_state(s);
        return NULL;
    }
    *total = sft_total_steps(s->sft);
    return s;
}

static int step(void *state, StageCtx *c, MetricsRow *row, char *err, size_t errlen) {
    (void)c, (void)err, (void)errlen;
    SftInputState *s = state;
    SftStep x;
    int rc = sft_step(s->sft, &x);
    if (rc) return rc;
    stage_train_row(row, x.loss, x.grad_norm, x.lr, x.tokens_per_s);
    return 0;
}

static void defaults(void *config) {
    *(SftConfig *)config = sft_defaults();
}

/* Epochs over the dataset's rows, or steps of batch_size rows. */
static void work(const Stage *st, const StageWorkIn *in, StageWork *out) {
    double steps = stage_opt_num(st, "steps"), rows = in->rows * stage_opt_num(st, "epochs");
    if (steps > 0) rows = steps * stage_opt_num(st, "batch_size");
    out->train = rows * in->row_tokens;
}

static const StageOps ops = {
    .work = work,
    .open = open_sft,
    .columns = stage_train_columns,
    .step = step,
    .save = sft_input_save,
    .load = sft_input_load,
    .finish = sft_input_finish,
    .headline = stage_headline_loss,
    .free = free_state,
    .check = sft_input_check,
};

static void sft_note(const Stage *st, char *buf, size_t cap) {
    (void)st;
    snprintf(buf, cap,
             "Supervised fine-tuning: the model learns to continue prompts with the answers of "
             "its dataset. In R1 this is the cold start (a few thousand readable long "
             "chains of thought before RL) and later the 800k rejection-sampled and general "
             "examples. Watch the loss fall; it learns the examples' format and style, not to "
             "search.");
}

const StageKind stage_kind_sft = {
    .name = "sft",
    .note = sft_note,
    .summary = "supervised fine-tuning of a checkpoint on one or more datasets",
    .options = options,
    .roles = {{"policy", INPUT_CHECKPOINT, 1, 1, "the checkpoint to fine-tune"},
              {"dataset", INPUT_DATASET, 1, SFT_MAX_SOURCES,
               "CSV files or stages that make a dataset (prompt, completion; task filters)"}},
    .n_roles = 2,
    .makes_checkpoint = true,
    .code_version = "sft-1",
    .ops = &ops,
    .defaults = defaults,
    .config_size = sizeof(SftConfig),
};
