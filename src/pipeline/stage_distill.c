/* The distill kind: R1-Distill. A smaller student, pretrained on its own, is
 * fine-tuned on datasets a teacher wrote (its rejection-sampled completions),
 * like sft; with mode "logits" it also matches the teacher's next-token
 * distributions on those rows (off-policy logit distillation, GKD's
 * supervised case), which needs the teacher's checkpoint. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/sft_input.h"
#include "pipeline/stage_kind.h"
#include "pipeline/stage_options.h"
#include "train/kd_step.h"
#include "train/sft.h"

typedef struct {
    SftConfig sft;
    KdTeacher kd;
} DistillConfig;

static const char *check_mode(const char *v) {
    return strcmp(v, "sft") && strcmp(v, "logits") ? "sft or logits" : NULL;
}

#define F(type, member) OPT_FIELD(type, DistillConfig, member)
static const OptSpec options[] = {
    {"mode", OPT_STRING, "sft", 0, 0,
     "sft: cross-entropy on the samples; logits: also KL to the teacher's logits", check_mode,
     FIELD_NONE, 0},
    {"kd_temperature", OPT_NUMBER, NULL, 1e-3, 100,
     "softmax temperature of both models in the KL term (logits mode)", NULL,
     F(FIELD_FLOAT, kd.temperature)},
    {"kd_weight", OPT_NUMBER, NULL, 0, 1, "share of the KL term in the loss (logits mode)", NULL,
     F(FIELD_FLOAT, kd.weight)},
    {"steps", OPT_INTEGER, NULL, 0, 1e9, "optimizer steps; 0 runs `epochs`", NULL,
     F(FIELD_INT, sft.steps)},
    {"epochs", OPT_INTEGER, NULL, 1, 1000, "passes over the data when steps is 0", NULL,
     F(FIELD_INT, sft.epochs)},
    {"batch_size", OPT_INTEGER, NULL, 1, 4096, "examples per step", NULL,
     F(FIELD_INT, sft.batch_size)},
    {"lr", OPT_NUMBER, NULL, 0, 1, "peak learning rate", NULL, F(FIELD_FLOAT, sft.optim.lr)},
    {"min_lr", OPT_NUMBER, NULL, 0, 1, "learning rate at the end of the cosine, as a share of lr",
     NULL, F(FIELD_FLOAT, sft.optim.min_lr_frac)},
    {"warmup", OPT_INTEGER, NULL, 0, 1e9, "linear warm-up steps", NULL,
     F(FIELD_INT, sft.optim.warmup_steps)},
    {"seed", OPT_INTEGER, NULL, 0, 1e15, "shuffle seed", NULL, F(FIELD_U64, sft.seed)},
    {"task", OPT_STRING, "", 0, 0, "keep only rows of this task (empty: all)",
     stage_check_task_or_empty, FIELD_NONE, 0},
    {"limit", OPT_INTEGER, "0", 0, 1e9, "use at most this many rows (0: all)", NULL, FIELD_NONE, 0},
    {"save_every", OPT_INTEGER, "100", 1, 1e9, "steps between resume points", NULL, FIELD_NONE, 0},
    OPT_END,
};
#undef F

typedef struct {
    SftInputState in; /* first, for sft_input's ops */
    Gpt *teacher;     /* logits mode only */
} DistillState;

static int logits_mode(const Stage *st) {
    return strcmp(stage_opt(st, "mode"), "logits") == 0;
}

static void free_state(void *state) {
    DistillState *s = state;
    if (!s) return;
    sft_free(s->in.sft);
    gpt_free(s->teacher);
    free(s);
}

/* The teacher is loaded, checked against the student and handed to the
 * trainer. 0, or -1 with a message naming the stage. */
static int open_teacher(StageCtx *c, DistillState *s, const DistillConfig *dc, char *err,
                        size_t errlen) {
    const char *name = c->st->name;
    s->teacher = stage_input_model(c, "teacher", 0, err, errlen);
    if (!s->teacher) return -1;
    KdTeacher kd = dc->kd;
    kd.teacher = s->teacher;
    char e[512];
    if (sft_set_teacher(s->in.sft, &kd, e, sizeof e)) {
        snprintf(err, errlen, "stage '%s': %s", name, e);
        return -1;
    }
    /* R1-Distill is about what a small model can take from a large one; a
     * student as large as its teacher is a mistake in the script. */
    size_t ns = c->model->num_params, nt = s->teacher->num_params;
    if (ns >= nt) {
        snprintf(err, errlen,
                 "stage '%s': the student (%zu parameters) must be smaller than the teacher (%zu)",
                 name, ns, nt);
        return -1;
    }
    return 0;
}

static void *open_distill(StageCtx *c, long *total, char *err, size_t errlen) {
    DistillState *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "stage '%s': out of memory", c->st->name);
        return NULL;
    }
    DistillConfig dc;
    stage_options_fill(c->st, &dc);
    s->in.sft = sft_input_open(c, "student", &dc.sft, &s->in.origins, err, errlen);
    if (!s->in.sft || (logits_mode(c->st) && open_teacher(c, s, &dc, err, errlen))) {
        free_state(s);
        return NULL;
    }
    *total = sft_total_steps(s->in.sft);
    return s;
}

static int columns(const void *state, const char **names, int max) {
    const DistillState *s = state;
    int n = stage_train_columns(state, names, max);
    if (s->teacher && n + 2 <= max) {
        names[n++] = "ce";
        names[n++] = "kl";
    }
    return n;
}

static int step(void *state, StageCtx *c, MetricsRow *row, char *err, size_t errlen) {
    (void)c, (void)err, (void)errlen;
    DistillState *s = state;
    SftStep x;
    int rc = sft_step(s->in.sft, &x);
    if (rc) return rc;
    stage_train_row(row, x.loss, x.grad_norm, x.lr, x.tokens_per_s);
    if (s->teacher) {
        stage_row_set(row, "ce", x.ce);
        stage_row_set(row, "kl", x.kl);
    }
    return 0;
}

/* A teacher is needed exactly when the logits are: either mismatch would
 * train something other than what the script says. */
static int check(const Stage *st, const GraphHooks *hooks, char *err, size_t errlen) {
    int teachers = 0;
    for (int i = 0; i < st->n_inputs; i++)
        teachers += st->input_role[i] >= 0 &&
                    strcmp(st->kind->roles[st->input_role[i]].name, "teacher") == 0;
    if (logits_mode(st) && !teachers) {
        snprintf(err, errlen, "stage '%s': mode \"logits\" needs a teacher input", st->name);
        return -1;
    }
    if (!logits_mode(st) && teachers) {
        snprintf(err, errlen,
                 "stage '%s': a teacher input needs mode \"logits\" (mode \"sft\" learns from "
                 "the datasets alone)",
                 st->name);
        return -1;
    }
    return sft_input_check(st, hooks, err, errlen);
}

static void defaults(void *config) {
    DistillConfig *d = config;
    d->sft = sft_distill_defaults();
    d->kd = kd_defaults();
}

/* Epochs over the dataset's rows, or steps of batch_size rows. */
static void work(const Stage *st, const StageWorkIn *in, StageWork *out) {
    double steps = stage_opt_num(st, "steps"), rows = in->rows * stage_opt_num(st, "epochs");
    if (steps > 0) rows = steps * stage_opt_num(st, "batch_size");
    out->train = rows * in->row_tokens;
    /* the teacher's forward over the same rows in mode logits */
    if (strcmp(stage_opt(st, "mode"), "logits") == 0) out->forward = out->train;
}

static const StageOps ops = {
    .work = work,
    .open = open_distill,
    .columns = columns,
    .step = step,
    .save = sft_input_save,
    .load = sft_input_load,
    .finish = sft_input_finish,
    .headline = stage_headline_loss,
    .free = free_state,
    .check = check,
};

static void distill_note(const Stage *st, char *buf, size_t cap) {
    int logits = strcmp(stage_opt(st, "mode"), "logits") == 0;
    snprintf(buf, cap,
             "Distillation: a smaller student is fine-tuned on a stronger model's samples, as "
             "R1-Distill trained Qwen and Llama students on 800k of R1's answers with SFT "
             "alone%s. Watch the loss fall; the eval after it shows how much reasoning carried "
             "over without any RL.",
             logits ? " (here also pulled towards the teacher's own next-token distribution)" : "");
}

const StageKind stage_kind_distill = {
    .name = "distill",
    .note = distill_note,
    .summary = "R1-Distill: fine-tunes a smaller student on a teacher's samples (or logits)",
    .options = options,
    .roles = {{"student", INPUT_CHECKPOINT, 1, 1,
               "the student's own pretrained base, smaller than the teacher"},
              {"dataset", INPUT_DATASET, 1, SFT_MAX_SOURCES,
               "CSV files or stages that make a dataset (prompt, completion; task filters)"},
              {"teacher", INPUT_CHECKPOINT, 0, 1,
               "the teacher's checkpoint, for mode \"logits\" (same tokenizer)"}},
    .n_roles = 3,
    .makes_checkpoint = true,
    .code_version = "distill-1",
    .ops = &ops,
    .defaults = defaults,
    .config_size = sizeof(DistillConfig),
};
