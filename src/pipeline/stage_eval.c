/* The eval kind: a checkpoint on a task's held-out problems, k samples each;
 * one step that writes a row of the run's eval.csv (the paper's Table 2). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "pipeline/rundir.h"
#include "pipeline/stage_kind.h"
#include "pipeline/stage_options.h"
#include "train/eval.h"
#include "world/csvio.h"

#define F(type, member) OPT_FIELD(type, EvalConfig, member)
static const OptSpec options[] = {
    {"task", OPT_STRING, NULL, 0, 0, "held-out task set", stage_check_task, F(FIELD_STR, task)},
    {"n_prompts", OPT_INTEGER, NULL, 1, 1e6, "problems", NULL, F(FIELD_INT, n_prompts)},
    {"k", OPT_INTEGER, NULL, 1, 1024, "samples per problem", NULL, F(FIELD_INT, k)},
    {"temperature", OPT_NUMBER, NULL, 0, 10, "sampling temperature; 0 greedy", NULL,
     F(FIELD_FLOAT, temperature)},
    {"max_new_tokens", OPT_INTEGER, NULL, 1, 4096, "completion limit", NULL,
     F(FIELD_INT, max_new_tokens)},
    {"cipher_prob", OPT_NUMBER, NULL, 0, 1, "share of problems written in the letter cipher", NULL,
     F(FIELD_DOUBLE, cipher_prob)},
    {"forced_modes", OPT_INTEGER, NULL, 0, 1, "also measure each mode forced", NULL,
     F(FIELD_INT, forced_modes)},
    {"label", OPT_STRING, "", 0, 0, "the model's name in eval.csv (empty: the input's name)", NULL,
     FIELD_NONE, 0},
    {"seed", OPT_INTEGER, NULL, 0, 1e15, "sampling seed", NULL, F(FIELD_U64, seed)},
    OPT_END,
};
#undef F

static const char *const columns_of_eval[] = {
    "pass_at_1",   "maj_at_k",           "format_rate", "language_consistency",
    "mean_length", "aha_per_completion", "think_rate",
};
enum { EVAL_COLUMNS = sizeof columns_of_eval / sizeof columns_of_eval[0] };

typedef struct {
    EvalResult ev;
    int evaluated;
} EvalState;

static void *open_eval(StageCtx *c, long *total, char *err, size_t errlen) {
    c->model = stage_input_model(c, "model", 0, err, errlen);
    if (!c->model) return NULL;
    EvalState *s = calloc(1, sizeof *s);
    if (!s) snprintf(err, errlen, "stage '%s': out of memory", c->st->name);
    *total = 1;
    return s;
}

static int columns(const void *state, const char **names, int max) {
    (void)state;
    int n = 0;
    for (; n < EVAL_COLUMNS && n < max; n++) names[n] = columns_of_eval[n];
    return n;
}

static int step(void *state, StageCtx *c, MetricsRow *row, char *err, size_t errlen) {
    EvalState *s = state;
    EvalConfig ec;
    stage_options_fill(c->st, &ec);
    ec.seed = c->seed;
    char samples[4200];
    stage_file(c, "samples.csv", samples, sizeof samples);
    if (eval_model_with_samples(c->model, &ec, &s->ev, samples, NULL, NULL, err, errlen)) return -1;
    s->evaluated = 1;
    const EvalResult *e = &s->ev;
    const double v[EVAL_COLUMNS] = {
        e->pass_at_1,   e->maj_at_k,           e->format_rate, e->language_consistency,
        e->mean_length, e->aha_per_completion, e->think_rate};
    for (int i = 0; i < EVAL_COLUMNS; i++) stage_row_set(row, columns_of_eval[i], v[i]);
    return 0;
}

/* The stage's row of eval.csv: RUNDIR_EVAL_HEADER, then the share of cipher
 * prompts and pass@k for k = 2, 4, ... up to the stage's k. */
static int finish(void *state, StageCtx *c, char *err, size_t errlen) {
    static const char *const fixed[] = {RUNDIR_EVAL_HEADER};
    const EvalState *s = state;
    const EvalResult *e = &s->ev;
    if (!s->evaluated) return 0;
    enum { MAX_COLS = RUNDIR_EVAL_COLS + 3 + EVAL_MAX_PASS_K };
    const char *header[MAX_COLS], *f[MAX_COLS];
    char v[MAX_COLS][32], names[EVAL_MAX_PASS_K][24];
    double x[MAX_COLS];
    int n = 0;
    for (int i = 0; i < RUNDIR_EVAL_COLS; i++) header[i] = fixed[i];
    const char *label = stage_opt(c->st, "label");
    f[n++] = label[0] ? label : stage_input_name(c, "model", 0);
    f[n++] = stage_opt(c->st, "task");
    snprintf(v[n], sizeof v[n], "%d", e->k);
    f[n] = v[n];
    n++;
    const double fixed_x[] = {
        e->pass_at_1,       e->maj_at_k,           e->format_rate, e->language_consistency,
        e->mean_length,     e->aha_per_completion, e->think_rate,  e->pass_at_1_think,
        e->pass_at_1_direct};
    for (int i = 0; i < 9; i++) x[n++] = fixed_x[i];
    header[n] = "cipher_share";
    x[n++] = e->cipher_share;
    header[n] = "pass_at_1_cipher";
    x[n++] = e->pass_at_1_cipher;
    header[n] = "language_cipher";
    x[n++] = e->language_cipher;
    for (int j = 1; j < e->n_pass_k && j < EVAL_MAX_PASS_K; j++) {
        snprintf(names[j], sizeof names[j], "pass_at_%d", e->pass_k[j]);
        header[n] = names[j];
        x[n++] = e->pass_at[j];
    }
    for (int i = 3; i < n; i++) {
        if (isnan(x[i]))
            v[i][0] = 0;
        else
            snprintf(v[i], sizeof v[i], "%.6g", x[i]);
        f[i] = v[i];
    }
    char p[4200];
    stage_file(c, "eval_rows.csv", p, sizeof p);
    return csvio_write(p, header, (size_t)n, f, 1, err, errlen);
}

static void headline(const char *const *names, const double *values, int n, char *buf, size_t cap) {
    double p = stage_row_value(names, values, n, "pass_at_1");
    if (isnan(p))
        buf[0] = 0;
    else
        snprintf(buf, cap, "pass@1 %.3f", p);
}

static void free_state(void *state) {
    free(state);
}

static void defaults(void *config) {
    *(EvalConfig *)config = eval_defaults();
}

static const StageOps ops = {
    .open = open_eval,
    .columns = columns,
    .step = step,
    .finish = finish,
    .headline = headline,
    .free = free_state,
};

const StageKind stage_kind_eval = {
    .name = "eval",
    .summary = "a checkpoint on held-out problems: pass@1, maj@k, format, language, length",
    .options = options,
    .roles = {{"model", INPUT_CHECKPOINT, 1, 1, "the checkpoint to evaluate"}},
    .n_roles = 1,
    .makes_eval_row = true,
    .code_version = "eval-2", /* cipher and pass@k columns */
    .ops = &ops,
    .defaults = defaults,
    .config_size = sizeof(EvalConfig),
};
