/* The sft kind: supervised fine-tuning of a checkpoint on the completions of
 * one or more datasets (CSV files or stages that make one), concatenated in
 * input order. The cold start (R1-Zero's readable samples + curated rows) and
 * R1's SFT of the base on rejection-sampled data are both this kind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/stage_kind.h"
#include "pipeline/stage_options.h"
#include "train/sft.h"
#include "world/csvio.h"

enum { SFT_MAX_SOURCES = 8 };

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

enum { SFT_MAX_ORIGINS = 32 };

/* Where rows came from: the input, and within it the row's own `source`
 * column when it has one (a sample stage's dataset mixes its own samples
 * with general rows from a file). */
typedef struct {
    char input[256], source[256];
    int rows;
} SftOrigin;

typedef struct {
    Sft *sft;
    int n_origins;
    SftOrigin origin[SFT_MAX_ORIGINS];
} SftState;

static void count_origin(SftState *s, const char *input, const char *source, int rows) {
    for (int i = 0; i < s->n_origins; i++)
        if (!strcmp(s->origin[i].input, input) && !strcmp(s->origin[i].source, source)) {
            s->origin[i].rows += rows;
            return;
        }
    if (s->n_origins == SFT_MAX_ORIGINS) return;
    SftOrigin *o = &s->origin[s->n_origins++];
    snprintf(o->input, sizeof o->input, "%s", input);
    snprintf(o->source, sizeof o->source, "%s", source);
    o->rows = rows;
}

/* Appends the usable rows of one dataset to ex; the strings stay in *t. */
static int read_dataset(const StageCtx *c, SftState *s, int d, const char *path, CsvTable *t,
                        SftExample *ex, int *n, int cap, char *err, size_t errlen) {
    if (csvio_read(path, t, err, errlen)) return -1;
    static const char *const cols[] = {"prompt", "completion"};
    int idx[2];
    if (csvio_cols(t, cols, 2, idx, err, errlen)) return -1;
    int tcol = csvio_col(t, "task"), scol = csvio_col(t, "source");
    const char *task = stage_opt(c->st, "task"), *input = stage_input_name(c, "dataset", d);
    long limit = (long)stage_opt_num(c->st, "limit");
    if (scol < 0) count_origin(s, input, input, 0); /* listed even when it gives no row */
    for (size_t i = 0; i < t->nrows && *n < cap && (limit <= 0 || *n < limit); i++) {
        if (task[0] && tcol >= 0 && strcmp(csvio_cell(t, i, (size_t)tcol), task) != 0) continue;
        ex[*n].prompt = csvio_cell(t, i, (size_t)idx[0]);
        ex[*n].completion = csvio_cell(t, i, (size_t)idx[1]);
        (*n)++;
        const char *src = scol >= 0 ? csvio_cell(t, i, (size_t)scol) : "";
        count_origin(s, input, src[0] ? src : input, 1);
    }
    return 0;
}

static void free_state(void *state) {
    SftState *s = state;
    if (!s) return;
    sft_free(s->sft);
    free(s);
}

static void *open_sft(StageCtx *c, long *total, char *err, size_t errlen) {
    const Stage *st = c->st;
    SftState *s = calloc(1, sizeof *s);
    CsvTable tables[SFT_MAX_SOURCES];
    int n_tables = 0;
    SftExample *ex = NULL;
    if (!s) goto oom;
    c->model = stage_input_model(c, "policy", 0, err, errlen);
    if (!c->model) goto fail;
    int n_inputs = stage_input_count(c, "dataset");
    size_t cap = 0;
    for (int d = 0; d < n_inputs; d++) {
        char p[4200];
        stage_input_file(c, "dataset", d, p, sizeof p);
        /* Rows are counted first so that one array holds every dataset. */
        if (csvio_read(p, &tables[n_tables], err, errlen)) goto fail;
        cap += tables[n_tables].nrows;
        csvio_free(&tables[n_tables]);
    }
    ex = calloc(cap ? cap : 1, sizeof *ex);
    if (!ex) goto oom;
    int n = 0;
    for (int d = 0; d < n_inputs; d++) {
        char p[4200];
        stage_input_file(c, "dataset", d, p, sizeof p);
        int rc = read_dataset(c, s, d, p, &tables[n_tables], ex, &n, (int)cap, err, errlen);
        n_tables++;
        if (rc) goto fail;
    }
    const char *task = stage_opt(st, "task");
    if (n == 0) {
        snprintf(err, errlen, "stage '%s': its datasets have no usable rows%s%s", st->name,
                 task[0] ? " for task " : "", task);
        goto fail;
    }
    SftConfig sc;
    stage_options_fill(st, &sc);
    sc.seed = c->seed;
    char e[512];
    s->sft = sft_new(c->model, &sc, ex, n, e, sizeof e);
    if (!s->sft) {
        snprintf(err, errlen, "stage '%s': %s", st->name, e);
        goto fail;
    }
    *total = sft_total_steps(s->sft);
    free(ex);
    for (int i = 0; i < n_tables; i++) csvio_free(&tables[i]);
    return s;
oom:
    snprintf(err, errlen, "stage '%s': out of memory", st->name);
fail:
    free(ex);
    for (int i = 0; i < n_tables; i++) csvio_free(&tables[i]);
    free_state(s);
    return NULL;
}

static int step(void *state, StageCtx *c, MetricsRow *row, char *err, size_t errlen) {
    (void)c, (void)err, (void)errlen;
    SftState *s = state;
    SftStep x;
    int rc = sft_step(s->sft, &x);
    if (rc) return rc;
    stage_train_row(row, x.loss, x.grad_norm, x.lr, x.tokens_per_s);
    return 0;
}

static int save(void *state, StageCtx *c, const char *prefix, char *err, size_t errlen) {
    (void)c;
    char p[4200];
    snprintf(p, sizeof p, "%s.state", prefix);
    return sft_save_state(((SftState *)state)->sft, p, err, errlen);
}

static int load(void *state, StageCtx *c, const char *prefix, char *err, size_t errlen) {
    (void)c;
    char p[4200];
    snprintf(p, sizeof p, "%s.state", prefix);
    return sft_load_state(((SftState *)state)->sft, p, err, errlen);
}

/* sources.csv: how many rows each input, and each source within it, gave,
 * so a reader sees the mix the model was trained on. */
static int finish(void *state, StageCtx *c, char *err, size_t errlen) {
    SftState *s = state;
    static const char *const header[] = {"input", "source", "rows"};
    const char *cells[SFT_MAX_ORIGINS * 3];
    char num[SFT_MAX_ORIGINS][16];
    for (int i = 0; i < s->n_origins; i++) {
        snprintf(num[i], sizeof num[i], "%d", s->origin[i].rows);
        cells[3 * i] = s->origin[i].input;
        cells[3 * i + 1] = s->origin[i].source;
        cells[3 * i + 2] = num[i];
    }
    char p[4200];
    stage_file(c, "sources.csv", p, sizeof p);
    return csvio_write(p, header, 3, cells, (size_t)s->n_origins, err, errlen);
}

/* Dataset files are read when the stage opens, maybe an hour into a run;
 * their columns are checked when the script loads. */
static int check(const Stage *st, const GraphHooks *hooks, char *err, size_t errlen) {
    (void)hooks;
    static const char *const need[] = {"prompt", "completion"};
    return stage_check_file_columns(st, "dataset", need, 2, err, errlen);
}

static void defaults(void *config) {
    *(SftConfig *)config = sft_defaults();
}

static const StageOps ops = {
    .open = open_sft,
    .columns = stage_train_columns,
    .step = step,
    .save = save,
    .load = load,
    .finish = finish,
    .headline = stage_headline_loss,
    .free = free_state,
    .check = check,
};

const StageKind stage_kind_sft = {
    .name = "sft",
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
