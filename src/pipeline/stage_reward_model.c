/* The reward_model kind: a trunk (the paper starts from the SFT model) with a
 * fresh scalar head, trained on preference pairs with the Bradley-Terry
 * loss. Rows whose `split` is "heldout" are kept out of training and scored
 * at the last step: held-out pair accuracy, overall and per `reason` (so a
 * model that learned "longer is better" shows on the longer_wrong pairs). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/reward_head.h"
#include "pipeline/stage_kind.h"
#include "pipeline/stage_options.h"
#include "train/reward_model.h"
#include "world/csvio.h"

enum { RM_MAX_DATA = 4, RM_MAX_REASONS = 8 };

#define F(type, member) OPT_FIELD(type, RmConfig, member)
static const OptSpec options[] = {
    {"steps", OPT_INTEGER, NULL, 0, 1e9, "optimizer steps; 0 runs `epochs`", NULL,
     F(FIELD_INT, steps)},
    {"epochs", OPT_INTEGER, NULL, 1, 1000, "passes over the training pairs when steps is 0", NULL,
     F(FIELD_INT, epochs)},
    {"batch_size", OPT_INTEGER, NULL, 1, 4096, "pairs per step", NULL, F(FIELD_INT, batch_size)},
    {"lr", OPT_NUMBER, NULL, 0, 1, "peak learning rate", NULL, F(FIELD_FLOAT, optim.lr)},
    {"warmup", OPT_INTEGER, NULL, 0, 1e9, "linear warm-up steps", NULL,
     F(FIELD_INT, optim.warmup_steps)},
    {"answer_only", OPT_INTEGER, NULL, 0, 1,
     "1: judge the answer block only (R1: the final summary); 0: the whole completion", NULL,
     F(FIELD_INT, answer_only)},
    {"seed", OPT_INTEGER, NULL, 0, 1e15, "shuffle and head seed", NULL, F(FIELD_U64, seed)},
    {"save_every", OPT_INTEGER, "50", 1, 1e9, "steps between resume points", NULL, FIELD_NONE, 0},
    OPT_END,
};
#undef F

static const char *const columns_of_rm[] = {"loss",      "accuracy", "margin",
                                            "grad_norm", "lr",       "heldout_accuracy"};
enum { RM_COLUMNS = sizeof columns_of_rm / sizeof columns_of_rm[0] };

typedef struct {
    RmTrainer *t;
    CsvTable tables[RM_MAX_DATA];
    int n_tables;
    RmPair *held;
    char (*reason)[24];
    int n_held, answer_only;
    int n_reasons;
    char reason_name[RM_MAX_REASONS][24];
    long reason_pairs[RM_MAX_REASONS], reason_right[RM_MAX_REASONS];
    double heldout;
} RmState;

static void free_state(void *state) {
    RmState *s = state;
    if (!s) return;
    rm_free(s->t);
    for (int i = 0; i < s->n_tables; i++) csvio_free(&s->tables[i]);
    free(s->held);
    free(s->reason);
    free(s);
}

static const char *const need[] = {"prompt", "chosen", "rejected"};

static void *open_rm(StageCtx *c, long *total, char *err, size_t errlen) {
    const Stage *st = c->st;
    RmState *s = calloc(1, sizeof *s);
    RmPair *train = NULL;
    if (!s) goto oom;
    Gpt *trunk = stage_input_model(c, "trunk", 0, err, errlen);
    if (!trunk) goto fail;
    RmConfig cfg;
    stage_options_fill(st, &cfg);
    cfg.seed = c->seed;
    c->model = reward_head_attach(trunk, 0.0f, cfg.seed);
    gpt_free(trunk);
    if (!c->model) goto oom;
    size_t cap = 0;
    int n_data = stage_input_count(c, "preferences");
    for (int d = 0; d < n_data && d < RM_MAX_DATA; d++) {
        char p[4200];
        stage_input_file(c, "preferences", d, p, sizeof p);
        if (csvio_read(p, &s->tables[s->n_tables], err, errlen)) goto fail;
        s->n_tables++;
        cap += s->tables[d].nrows;
    }
    train = calloc(cap ? cap : 1, sizeof *train);
    s->held = calloc(cap ? cap : 1, sizeof *s->held);
    s->reason = calloc(cap ? cap : 1, sizeof *s->reason);
    if (!train || !s->held || !s->reason) goto oom;
    int n_train = 0;
    for (int d = 0; d < s->n_tables; d++) {
        CsvTable *t = &s->tables[d];
        int idx[3];
        if (csvio_cols(t, need, 3, idx, err, errlen)) goto fail;
        int split = csvio_col(t, "split"), why = csvio_col(t, "reason");
        for (size_t r = 0; r < t->nrows; r++) {
            RmPair pair = {csvio_cell(t, r, (size_t)idx[0]), csvio_cell(t, r, (size_t)idx[1]),
                           csvio_cell(t, r, (size_t)idx[2])};
            if (split >= 0 && strcmp(csvio_cell(t, r, (size_t)split), "heldout") == 0) {
                snprintf(s->reason[s->n_held], sizeof s->reason[0], "%s",
                         why >= 0 ? csvio_cell(t, r, (size_t)why) : "all");
                s->held[s->n_held++] = pair;
            } else {
                train[n_train++] = pair;
            }
        }
    }
    if (n_train == 0) {
        snprintf(err, errlen, "stage '%s': its preference data has no training pairs", st->name);
        goto fail;
    }
    s->answer_only = cfg.answer_only;
    char e[512];
    s->t = rm_new(c->model, &cfg, train, n_train, e, sizeof e);
    if (!s->t) {
        snprintf(err, errlen, "stage '%s': %s", st->name, e);
        goto fail;
    }
    s->heldout = NAN;
    *total = rm_total_steps(s->t);
    free(train);
    return s;
oom:
    snprintf(err, errlen, "stage '%s': out of memory", st->name);
fail:
    free(train);
    free_state(s);
    return NULL;
}

static int columns(const void *state, const char **names, int max) {
    (void)state;
    int n = 0;
    for (; n < RM_COLUMNS && n < max; n++) names[n] = columns_of_rm[n];
    return n;
}

/* Held-out pair accuracy, overall and per reason. */
static int score_heldout(RmState *s, Gpt *m, char *err, size_t errlen) {
    if (s->n_held == 0) return 0;
    const char **prompts = malloc(sizeof *prompts * (size_t)s->n_held * 2);
    const char **texts = malloc(sizeof *texts * (size_t)s->n_held * 2);
    float *score = malloc(sizeof *score * (size_t)s->n_held * 2);
    int rc = -1;
    if (!prompts || !texts || !score) {
        snprintf(err, errlen, "reward model: out of memory");
        goto done;
    }
    for (int i = 0; i < s->n_held; i++) {
        prompts[2 * i] = prompts[2 * i + 1] = s->held[i].prompt;
        texts[2 * i] = s->held[i].chosen;
        texts[2 * i + 1] = s->held[i].rejected;
    }
    if (rm_score(m, prompts, texts, 2 * s->n_held, s->answer_only, score, err, errlen)) goto done;
    long right = 0;
    for (int i = 0; i < s->n_held; i++) {
        int ok = score[2 * i] > score[2 * i + 1], r = 0;
        right += ok;
        while (r < s->n_reasons && strcmp(s->reason_name[r], s->reason[i]) != 0) r++;
        if (r == s->n_reasons && s->n_reasons < RM_MAX_REASONS)
            snprintf(s->reason_name[s->n_reasons++], sizeof s->reason_name[0], "%s", s->reason[i]);
        if (r < s->n_reasons) {
            s->reason_pairs[r]++;
            s->reason_right[r] += ok;
        }
    }
    s->heldout = (double)right / s->n_held;
    rc = 0;
done:
    free(prompts);
    free(texts);
    free(score);
    return rc;
}

static int step(void *state, StageCtx *c, MetricsRow *row, char *err, size_t errlen) {
    RmState *s = state;
    RmStep x;
    int rc = rm_step(s->t, &x);
    if (rc) return rc;
    int last = c->done + 1 >= rm_total_steps(s->t);
    if (last && score_heldout(s, c->model, err, errlen)) return -1;
    const double v[RM_COLUMNS] = {x.loss,      x.accuracy, x.margin,
                                  x.grad_norm, x.lr,       last ? s->heldout : NAN};
    for (int i = 0; i < RM_COLUMNS; i++) stage_row_set(row, columns_of_rm[i], v[i]);
    return 0;
}

static int save(void *state, StageCtx *c, const char *prefix, char *err, size_t errlen) {
    (void)c;
    char p[4200];
    snprintf(p, sizeof p, "%s.state", prefix);
    return rm_save_state(((RmState *)state)->t, p, err, errlen);
}

static int load(void *state, StageCtx *c, const char *prefix, char *err, size_t errlen) {
    (void)c;
    char p[4200];
    snprintf(p, sizeof p, "%s.state", prefix);
    return rm_load_state(((RmState *)state)->t, p, err, errlen);
}

/* heldout.csv: reason, pairs, accuracy, with an "all" row last. */
static int finish(void *state, StageCtx *c, char *err, size_t errlen) {
    RmState *s = state;
    static const char *const header[] = {"reason", "pairs", "accuracy"};
    const char *cells[(RM_MAX_REASONS + 1) * 3];
    char num[RM_MAX_REASONS + 1][2][32];
    int n = 0;
    for (int r = 0; r <= s->n_reasons; r++) {
        long pairs = r < s->n_reasons ? s->reason_pairs[r] : s->n_held;
        double acc = r < s->n_reasons ? (pairs ? (double)s->reason_right[r] / (double)pairs : 0)
                                      : (s->n_held ? s->heldout : 0);
        snprintf(num[r][0], 32, "%ld", pairs);
        snprintf(num[r][1], 32, "%.6g", acc);
        cells[3 * n] = r < s->n_reasons ? s->reason_name[r] : "all";
        cells[3 * n + 1] = num[r][0];
        cells[3 * n + 2] = num[r][1];
        n++;
    }
    char p[4200];
    stage_file(c, "heldout.csv", p, sizeof p);
    return csvio_write(p, header, 3, cells, (size_t)n, err, errlen);
}

static void headline(const char *const *names, const double *values, int n, char *buf, size_t cap) {
    double held = stage_row_value(names, values, n, "heldout_accuracy");
    double acc = stage_row_value(names, values, n, "accuracy");
    if (!isnan(held))
        snprintf(buf, cap, "held-out %.2f", held);
    else if (!isnan(acc))
        snprintf(buf, cap, "pair acc %.2f", acc);
    else
        buf[0] = 0;
}

static int check(const Stage *st, const GraphHooks *hooks, char *err, size_t errlen) {
    (void)hooks;
    return stage_check_file_columns(st, "preferences", need, 3, err, errlen);
}

static void defaults(void *config) {
    *(RmConfig *)config = rm_defaults();
}

/* Both answers of every pair, through the trunk and the head. */
static void work(const Stage *st, const StageWorkIn *in, StageWork *out) {
    double steps = stage_opt_num(st, "steps"), pairs = in->rows * stage_opt_num(st, "epochs");
    if (steps > 0) pairs = steps * stage_opt_num(st, "batch_size");
    out->train = 2 * pairs * in->row_tokens;
}

static const StageOps ops = {
    .work = work,
    .open = open_rm,
    .columns = columns,
    .step = step,
    .save = save,
    .load = load,
    .finish = finish,
    .headline = headline,
    .free = free_state,
    .check = check,
};

static void reward_model_note(const Stage *st, char *buf, size_t cap) {
    (void)st;
    snprintf(buf, cap,
             "A reward model: the trunk of its input with a scalar head learns from preference "
             "pairs which of two answers is better (Bradley-Terry), as R1's helpfulness reward "
             "for prompts no rule can check. Watch pair accuracy climb; a held-out split with "
             "longer-but-wrong answers tells whether it learned 'longer is better'.");
}

const StageKind stage_kind_reward_model = {
    .name = "reward_model",
    .note = reward_model_note,
    .summary = "a reward model: a trunk with a scalar head, Bradley-Terry on preference pairs",
    .options = options,
    .roles = {{"trunk", INPUT_CHECKPOINT, 1, 1, "the policy it starts from (the paper: SFT)"},
              {"preferences", INPUT_DATASET, 1, RM_MAX_DATA,
               "CSV of prompt, chosen, rejected (optional split, reason)"}},
    .n_roles = 2,
    .makes_reward_model = true,
    .code_version = "reward_model-1",
    .ops = &ops,
    .defaults = defaults,
    .config_size = sizeof(RmConfig),
};
