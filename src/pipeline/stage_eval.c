/* The eval kind: a checkpoint on a task's held-out problems, k samples each;
 * one step that writes a row of the run's eval.csv (the paper's Table 2) and
 * the pass@k curve of pass_at_k.csv. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/rundir.h"
#include "pipeline/stage_kind.h"
#include "pipeline/stage_options.h"
#include "train/eval.h"
#include "train/eval_general.h"
#include "train/reward_model.h"
#include "world/csvio.h"
#include "world/template.h"

#define F(type, member) OPT_FIELD(type, EvalConfig, member)
/* A task, or "general": held-out general questions, true helpfulness by the
 * verifier and, with a reward model and a baseline, the win rate. */
static const char *check_eval_task(const char *v) {
    return strcmp(v, "general") == 0 ? NULL : stage_check_task(v);
}

static const OptSpec options[] = {
    {"task", OPT_STRING, NULL, 0, 0, "held-out task set, or general", check_eval_task,
     F(FIELD_STR, task)},
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
    int general;
    double win_rate, rm_score; /* NaN without a reward model (and a baseline) */
} EvalState;

/* Between batches of prompts, so that a stop need not wait for the whole
 * eval (seconds to a minute at r1.lua's sizes). */
static int stop_between_batches(void *ctx, int done, int total) {
    (void)done, (void)total;
    const StageCtx *c = ctx;
    return c->stopping(c->stop_ctx);
}

/* Held-out general questions: helpfulness as the verifier sees it, and with a
 * reward model its mean score and, with a baseline too, how often it prefers
 * this model's answer to the baseline's on the same question and sample
 * index (a tie counts half): the miniature of a judged win rate. */
static int step_general(EvalState *s, StageCtx *c, const EvalConfig *ec, char *err, size_t errlen) {
    EvalGeneralConfig gc = {.n_prompts = ec->n_prompts,
                            .k = ec->k,
                            .max_new_tokens = ec->max_new_tokens,
                            .temperature = ec->temperature,
                            .seed = ec->seed,
                            .progress = stop_between_batches,
                            .progress_ctx = c};
    EvalGeneralResult gr, gb;
    GeneralItem *items = NULL, *items_b = NULL;
    char **texts = NULL, **texts_b = NULL;
    Gpt *base = NULL, *rm = NULL;
    float *score = NULL;
    const char **prompts = NULL, **both = NULL;
    const int n = gc.n_prompts * gc.k;
    int rc = -1;
    if ((rc = eval_general(c->model, &gc, &gr, &items, &texts, err, errlen))) goto done;
    rc = -1;
    s->win_rate = s->rm_score = NAN;
    if (stage_input_count(c, "reward_model") > 0) {
        int with_base = stage_input_count(c, "baseline") > 0;
        rm = stage_input_model(c, "reward_model", 0, err, errlen);
        if (!rm) goto done;
        if (with_base) {
            base = stage_input_model(c, "baseline", 0, err, errlen);
            if (!base) goto done;
            if ((rc = eval_general(base, &gc, &gb, &items_b, &texts_b, err, errlen))) goto done;
            rc = -1;
        }
        int m = with_base ? 2 * n : n;
        score = calloc((size_t)m, sizeof *score);
        prompts = calloc((size_t)m, sizeof *prompts);
        both = calloc((size_t)m, sizeof *both);
        char(*ptext)[96] = calloc((size_t)gc.n_prompts, sizeof *ptext);
        if (!score || !prompts || !both || !ptext) {
            free(ptext);
            snprintf(err, errlen, "stage '%s': out of memory", c->st->name);
            goto done;
        }
        for (int i = 0; i < gc.n_prompts; i++) tmpl_prompt(items[i].prompt, ptext[i], 96);
        for (int j = 0; j < m; j++) {
            prompts[j] = ptext[(j % n) / gc.k];
            both[j] = j < n ? texts[j] : texts_b[j - n];
        }
        int bad = rm_score(rm, prompts, both, m, 1, score, err, errlen);
        free(ptext);
        if (bad) goto done;
        double sum = 0, wins = 0;
        for (int j = 0; j < n; j++) {
            sum += score[j];
            if (with_base) wins += score[j] > score[n + j] ? 1 : score[j] == score[n + j] ? 0.5 : 0;
        }
        s->rm_score = sum / n;
        if (with_base) s->win_rate = wins / n;
    }
    EvalResult *e = &s->ev;
    memset(e, 0, sizeof *e);
    e->k = gc.k;
    e->n_prompts = gc.n_prompts;
    e->pass_at_1 = gr.helpful;
    e->format_rate = gr.format_rate;
    e->mean_length = gr.mean_length;
    e->maj_at_k = e->language_consistency = e->aha_per_completion = e->think_rate = NAN;
    e->pass_at_1_think = e->pass_at_1_direct = e->cipher_share = NAN;
    e->pass_at_1_cipher = e->language_cipher = NAN;
    rc = 0;
done:
    for (int i = 0; texts && i < n; i++) free(texts[i]);
    for (int i = 0; texts_b && i < n; i++) free(texts_b[i]);
    free(texts);
    free(texts_b);
    free(items);
    free(items_b);
    free(score);
    free(prompts);
    free(both);
    gpt_free(base);
    gpt_free(rm);
    return rc;
}

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
    s->general = strcmp(ec.task, "general") == 0;
    int rc = s->general ? step_general(s, c, &ec, err, errlen)
                        : eval_model_with_samples(c->model, &ec, &s->ev, samples,
                                                  stop_between_batches, c, err, errlen);
    if (rc == EVAL_ESTOPPED) return STAGE_STEP_STOPPED;
    if (rc) return -1;
    s->evaluated = 1;
    const EvalResult *e = &s->ev;
    const double v[EVAL_COLUMNS] = {
        e->pass_at_1,   e->maj_at_k,           e->format_rate, e->language_consistency,
        e->mean_length, e->aha_per_completion, e->think_rate};
    for (int i = 0; i < EVAL_COLUMNS; i++) stage_row_set(row, columns_of_eval[i], v[i]);
    return 0;
}

/* STAGE/pass_at_k.csv, one row per k (rundir.h): a file apart so that the
 * curve can grow to k = 1024 without widening eval.csv, and maj@k for every k
 * fits beside pass@k. */
static int write_pass_at_k(const EvalResult *e, const char *model, const char *task, StageCtx *c,
                           char *err, size_t errlen) {
    static const char *const header[] = {RUNDIR_PASS_AT_K_HEADER};
    enum { COLS = RUNDIR_PASS_AT_K_COLS };
    char v[EVAL_MAX_PASS_K][4][32];
    const char *cells[EVAL_MAX_PASS_K * COLS];
    int rows = e->n_pass_k < EVAL_MAX_PASS_K ? e->n_pass_k : EVAL_MAX_PASS_K;
    for (int j = 0; j < rows; j++) rundir_pass_at_k_row(e, j, model, task, v[j], cells + j * COLS);
    char p[4200];
    stage_file(c, "pass_at_k.csv", p, sizeof p);
    return csvio_write(p, header, COLS, cells, (size_t)rows, err, errlen);
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
    if (s->general) {
        header[n] = "win_rate";
        x[n++] = s->win_rate;
        header[n] = "rm_score";
        x[n++] = s->rm_score;
    } else {
        header[n] = "cipher_share";
        x[n++] = e->cipher_share;
        header[n] = "pass_at_1_cipher";
        x[n++] = e->pass_at_1_cipher;
        header[n] = "language_cipher";
        x[n++] = e->language_cipher;
    }
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
    if (csvio_write(p, header, (size_t)n, f, 1, err, errlen)) return -1;
    return s->general ? 0 : write_pass_at_k(e, f[0], f[1], c, err, errlen);
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

static void work(const Stage *st, const StageWorkIn *in, StageWork *out) {
    out->decode = stage_opt_num(st, "n_prompts") * stage_opt_num(st, "k") *
                  stage_opt_num(st, "max_new_tokens");
    out->upper = 1;
}

static const StageOps ops = {
    .work = work,
    .open = open_eval,
    .columns = columns,
    .step = step,
    .finish = finish,
    .headline = headline,
    .free = free_state,
};

static void eval_note(const Stage *st, char *buf, size_t cap) {
    snprintf(buf, cap,
             "An evaluation: %s held-out problems of %s, %s samples each at temperature %s, "
             "scored by the same rule checks as the rewards. It trains nothing. Its pass@1 goes "
             "to eval.csv and the table (e), its pass@k curve to p.",
             stage_opt(st, "n_prompts"), stage_opt(st, "task"), stage_opt(st, "k"),
             stage_opt(st, "temperature"));
}

const StageKind stage_kind_eval = {
    .name = "eval",
    .note = eval_note,
    .summary = "a checkpoint on held-out problems: pass@1, maj@k, format, language, length",
    .options = options,
    .roles = {{"model", INPUT_CHECKPOINT, 1, 1, "the checkpoint to evaluate"},
              {"baseline", INPUT_CHECKPOINT, 0, 1,
               "general task: the model whose answers the reward model compares against"},
              {"reward_model", INPUT_REWARD_MODEL, 0, 1,
               "general task: scores answers (mean score; win rate against the baseline)"}},
    .n_roles = 3,
    .makes_eval_row = true,
    .code_version = "eval-4", /* decode through the few-row product: other float rounding */
    .ops = &ops,
    .defaults = defaults,
    .config_size = sizeof(EvalConfig),
};
