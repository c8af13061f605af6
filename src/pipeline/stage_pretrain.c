/* The pretrain kind: a base model from random weights on generated web text
 * (next-token prediction), the "DeepSeek-V3-Base" of the story. */
#include <stdio.h>
#include <stdlib.h>

#include "pipeline/stage_kind.h"
#include "pipeline/stage_options.h"
#include "train/pretrain.h"
#include "world/corpus.h"
#include "world/task.h"
#include "world/tokenizer.h"

static const char *check_corpus(const char *v) {
    CorpusConfig c;
    return corpus_config_preset(v, &c) ? "ready, search, graded or prototype" : NULL;
}

static const char *check_corpus_mix(const char *v) {
    CorpusConfig c;
    corpus_config_preset("ready", &c);
    return corpus_apply_mix(&c, v) ? "name=value pairs of document kinds and corpus probabilities "
                                     "such as chat_checked=12,direct_wrong=0.5 (r1sim-lua(5)), "
                                     "not all kinds 0"
                                   : NULL;
}

#define F(type, member) OPT_FIELD(type, PretrainConfig, member)
static const OptSpec options[] = {
    {"steps", OPT_INTEGER, NULL, 1, 1e9, "optimizer steps", NULL, F(FIELD_INT, steps)},
    {"batch_size", OPT_INTEGER, NULL, 1, 4096, "sequences per step", NULL,
     F(FIELD_INT, batch_size)},
    {"seq_len", OPT_INTEGER, NULL, 8, 4096, "tokens per sequence", NULL, F(FIELD_INT, seq_len)},
    {"lr", OPT_NUMBER, NULL, 0, 1, "peak learning rate", NULL, F(FIELD_FLOAT, optim.lr)},
    {"warmup", OPT_INTEGER, NULL, 0, 1e9, "linear warm-up steps", NULL,
     F(FIELD_INT, optim.warmup_steps)},
    {"weight_decay", OPT_NUMBER, NULL, 0, 1, "decoupled weight decay", NULL,
     F(FIELD_FLOAT, optim.weight_decay)},
    {"seed", OPT_INTEGER, NULL, 0, 1e15, "initialisation and corpus seed", NULL,
     F(FIELD_U64, seed)},
    {"corpus", OPT_STRING, "ready", 0, 0, "corpus preset: ready, search, graded or prototype",
     check_corpus, FIELD_NONE, 0},
    {"mix", OPT_STRING, "", 0, 0,
     "reshapes the preset: kind=weight and probability=value pairs (see r1sim-lua(5))",
     check_corpus_mix, FIELD_NONE, 0},
    {"task", OPT_STRING, "", 0, 0,
     "problems of this task instead of the preset's (add2, add3, ...)", stage_check_task_or_empty,
     FIELD_NONE, 0},
    /* The model's shape: the base of docs/design.md, d128 L4 H4 over 128 tokens. */
    {"d_model", OPT_INTEGER, "128", 8, 4096, "model width", NULL, FIELD_NONE, 0},
    {"n_layer", OPT_INTEGER, "4", 1, 64, "transformer blocks", NULL, FIELD_NONE, 0},
    {"n_head", OPT_INTEGER, "4", 1, 64, "attention heads", NULL, FIELD_NONE, 0},
    {"context", OPT_INTEGER, "128", 8, 4096, "positions the model can see", NULL, FIELD_NONE, 0},
    {"save_every", OPT_INTEGER, "100", 1, 1e9, "steps between resume points", NULL, FIELD_NONE, 0},
    OPT_END,
};
#undef F

static void *open_pretrain(StageCtx *c, long *total, char *err, size_t errlen) {
    const Stage *st = c->st;
    PretrainConfig pc;
    stage_options_fill(st, &pc);
    pc.seed = c->seed;
    CorpusConfig cc;
    if (corpus_config_preset(stage_opt(st, "corpus"), &cc) ||
        corpus_apply_mix(&cc, stage_opt(st, "mix"))) {
        snprintf(err, errlen, "stage '%s': bad corpus '%s' or mix '%s'", st->name,
                 stage_opt(st, "corpus"), stage_opt(st, "mix"));
        return NULL;
    }
    const char *task = stage_opt(st, "task");
    if (task[0]) {
        if (task_spec_parse(task, &cc.tasks[0])) {
            snprintf(err, errlen, "stage '%s': unknown task '%s'", st->name, task);
            return NULL;
        }
        cc.n_tasks = 1;
    }
    GptConfig mc = {.max_seq_len = (int)stage_opt_num(st, "context"),
                    .vocab_size = TOK_VOCAB_SIZE,
                    .n_layer = (int)stage_opt_num(st, "n_layer"),
                    .n_head = (int)stage_opt_num(st, "n_head"),
                    .d_model = (int)stage_opt_num(st, "d_model")};
    if (mc.d_model % mc.n_head || pc.seq_len > mc.max_seq_len) {
        snprintf(err, errlen,
                 "stage '%s': d_model must be a multiple of n_head and seq_len at most context",
                 st->name);
        return NULL;
    }
    c->model = gpt_new(&mc);
    if (!c->model) {
        snprintf(err, errlen, "stage '%s': out of memory for the model", st->name);
        return NULL;
    }
    gpt_init_random(c->model, pc.seed);
    Pretrainer *p = pretrainer_new(c->model, &pc, &cc, err, errlen);
    *total = pc.steps;
    return p;
}

static int step(void *state, StageCtx *c, MetricsRow *row, char *err, size_t errlen) {
    (void)c, (void)err, (void)errlen;
    PretrainStep ps;
    int rc = pretrainer_step(state, &ps);
    if (rc) return rc;
    stage_train_row(row, ps.loss, ps.grad_norm, ps.lr, ps.tokens_per_s);
    return 0;
}

static int save(void *state, StageCtx *c, const char *prefix, char *err, size_t errlen) {
    (void)c;
    char p[4200];
    snprintf(p, sizeof p, "%s.state", prefix);
    return pretrainer_save_state(state, p, err, errlen);
}

static int load(void *state, StageCtx *c, const char *prefix, char *err, size_t errlen) {
    (void)c;
    char p[4200];
    snprintf(p, sizeof p, "%s.state", prefix);
    return pretrainer_load_state(state, p, err, errlen);
}

static void free_state(void *state) {
    pretrainer_free(state);
}

static void defaults(void *config) {
    *(PretrainConfig *)config = pretrain_defaults();
}

static void work(const Stage *st, const StageWorkIn *in, StageWork *out) {
    out->train =
        stage_opt_num(st, "steps") * stage_opt_num(st, "batch_size") * stage_opt_num(st, "seq_len");
}

static const StageOps ops = {
    .work = work,
    .open = open_pretrain,
    .columns = stage_train_columns,
    .step = step,
    .save = save,
    .load = load,
    .headline = stage_headline_loss,
    .free = free_state,
};

/* What a teacher reads out before the stage runs (the stage detail). */
static void pretrain_note(const Stage *st, char *buf, size_t cap) {
    snprintf(buf, cap,
             "Pretraining: the base model learns the world's web text by predicting the next "
             "token, as DeepSeek-V3-Base did before any reasoning training. Nothing is rewarded "
             "here: watch the loss fall over %s steps; the base then answers the way its text "
             "does, mostly at once and often wrong.",
             stage_opt(st, "steps"));
}

const StageKind stage_kind_pretrain = {
    .name = "pretrain",
    .note = pretrain_note,
    .summary = "a base model from random weights on generated web text",
    .options = options,
    .n_roles = 0,
    .makes_checkpoint = true,
    .code_version = "pretrain-1",
    .ops = &ops,
    .defaults = defaults,
    .config_size = sizeof(PretrainConfig),
};
