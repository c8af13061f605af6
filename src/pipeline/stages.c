#include "pipeline/stages.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/checkpoint.h"
#include "pipeline/cache.h"
#include "world/csvio.h"
#include "pipeline/rundir.h"
#include "pipeline/stage_grpo.h"
#include "train/eval.h"
#include "train/pretrain.h"
#include "train/sft.h"
#include "world/tokenizer.h"

#define METRICS_HEADER_TRAIN "step", "loss", "grad_norm", "lr", "tokens_per_s"
enum { METRICS_TRAIN_COLS = 5 };
#define METRICS_HEADER_EVAL                                                                        \
    "step", "pass_at_1", "maj_at_k", "format_rate", "language_consistency", "mean_length",         \
        "aha_per_completion", "think_rate"
enum { METRICS_EVAL_COLS = 8 };

struct StageRun {
    const Stage *st;
    const Graph *g;
    char dir[4096];
    uint64_t key;
    unsigned long long seed; /* the stage's seed option mixed with the run's */
    long done, total;
    int resumed;
    Gpt *model;
    Pretrainer *pre;
    Sft *sft;
    GrpoStage *grpo;
    CsvAppender *metrics;
    double last_loss;
    EvalResult ev;
    int evaluated;
};

static int path_of(const StageRun *r, const char *file, char *buf, size_t cap) {
    return rundir_path(buf, cap, r->dir, r->st->name, file);
}

static void resume_names(const StageRun *r, long step, char *ck, char *state, size_t cap) {
    char f[64];
    snprintf(f, sizeof f, "resume-%ld.ckpt", step);
    path_of(r, f, ck, cap);
    snprintf(f, sizeof f, "resume-%ld.state", step);
    path_of(r, f, state, cap);
}

/* The step of the last complete resume point: written after its checkpoint
 * and state file are in place, so it is the commit point of the pair. */
static long resume_step(const StageRun *r) {
    char p[4200];
    path_of(r, "resume", p, sizeof p);
    FILE *f = fopen(p, "r");
    if (!f) return -1;
    long s = -1;
    if (fscanf(f, "%ld", &s) != 1) s = -1;
    fclose(f);
    return s;
}

/* The reference model of a GRPO stage whose reference moves. */
static void resume_ref_name(const StageRun *r, long step, char *buf, size_t cap) {
    char f[64];
    snprintf(f, sizeof f, "resume-%ld.ref.ckpt", step);
    path_of(r, f, buf, cap);
}

static void remove_resume(const StageRun *r, long step) {
    char ck[4200], st[4200];
    resume_names(r, step, ck, st, sizeof ck);
    remove(ck);
    remove(st);
    resume_ref_name(r, step, ck, sizeof ck);
    remove(ck);
}

/* Keeps the rows of metrics.csv (or samples.csv) up to `step`: rows written
 * after the last resume point belong to steps the resumed run takes again. */
static int cut_rows(const StageRun *r, const char *file, long step, char *err, size_t errlen) {
    char p[4200];
    path_of(r, file, p, sizeof p);
    if (!rundir_exists(p)) return 0;
    CsvTable t;
    if (csvio_read(p, &t, err, errlen)) return -1;
    size_t keep = 0;
    while (keep < t.nrows && atol(csvio_cell(&t, keep, 0)) <= step) keep++;
    int rc = csvio_write(p, (const char *const *)t.header, t.ncols, (const char *const *)t.cells,
                         keep, err, errlen);
    csvio_free(&t);
    return rc;
}

static const char *input_stage_of(const StageRun *r, int want_checkpoint, int *idx) {
    for (int i = 0; i < r->st->n_inputs; i++) {
        int j = r->st->input_stage[i];
        if (j >= 0 && r->g->stages[j].kind->makes_checkpoint == (want_checkpoint != 0)) {
            if (idx) *idx = i;
            return r->g->stages[j].name;
        }
        if (j < 0 && !want_checkpoint) {
            if (idx) *idx = i;
            return r->st->inputs[i];
        }
    }
    return NULL;
}

static Gpt *load_input_model(const StageRun *r, char *err, size_t errlen) {
    const char *src = input_stage_of(r, 1, NULL);
    if (!src) {
        snprintf(err, errlen, "stage '%s': needs a stage that makes a checkpoint as input",
                 r->st->name);
        return NULL;
    }
    char p[4200];
    rundir_path(p, sizeof p, r->dir, src, "model.ckpt");
    return ckpt_load(p, err, errlen);
}

/* splitmix64's finaliser: nearby run seeds give unrelated stage seeds */
static unsigned long long mix64(unsigned long long z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

unsigned long long stage_seed_for_run(unsigned long long stage_seed, unsigned long long run_seed) {
    if (run_seed == 1) return stage_seed;
    return mix64(stage_seed ^ mix64(run_seed + 0x9e3779b97f4a7c15ULL));
}

static long opt_l(const StageRun *r, const char *n) {
    return (long)stage_opt_num(r->st, n);
}

static int open_pretrain(StageRun *r, char *err, size_t errlen) {
    PretrainConfig pc = pretrain_defaults();
    pc.batch_size = (int)opt_l(r, "batch_size");
    pc.seq_len = (int)opt_l(r, "seq_len");
    pc.steps = (int)opt_l(r, "steps");
    pc.optim.lr = (float)stage_opt_num(r->st, "lr");
    pc.optim.warmup_steps = (int)opt_l(r, "warmup");
    pc.optim.weight_decay = (float)stage_opt_num(r->st, "weight_decay");
    pc.seed = r->seed;
    CorpusConfig cc;
    if (corpus_config_preset(stage_opt(r->st, "corpus"), &cc)) {
        snprintf(err, errlen,
                 "stage '%s': unknown corpus preset '%s' (ready, search, graded, prototype)",
                 r->st->name, stage_opt(r->st, "corpus"));
        return -1;
    }
    if (corpus_apply_mix(&cc, stage_opt(r->st, "mix"))) {
        snprintf(err, errlen, "stage '%s': bad corpus mix '%s'", r->st->name,
                 stage_opt(r->st, "mix"));
        return -1;
    }
    const char *task = stage_opt(r->st, "task");
    if (task[0]) {
        if (task_spec_parse(task, &cc.tasks[0])) {
            snprintf(err, errlen, "stage '%s': unknown task '%s'", r->st->name, task);
            return -1;
        }
        cc.n_tasks = 1;
    }
    GptConfig mc = {.max_seq_len = (int)opt_l(r, "context"),
                    .vocab_size = TOK_VOCAB_SIZE,
                    .n_layer = (int)opt_l(r, "n_layer"),
                    .n_head = (int)opt_l(r, "n_head"),
                    .d_model = (int)opt_l(r, "d_model")};
    if (mc.d_model % mc.n_head || pc.seq_len > mc.max_seq_len) {
        snprintf(err, errlen,
                 "stage '%s': d_model must be a multiple of n_head and seq_len at most context",
                 r->st->name);
        return -1;
    }
    r->model = gpt_new(&mc);
    if (!r->model) {
        snprintf(err, errlen, "stage '%s': out of memory for the model", r->st->name);
        return -1;
    }
    gpt_init_random(r->model, pc.seed);
    r->pre = pretrainer_new(r->model, &pc, &cc, err, errlen);
    r->total = pc.steps;
    return r->pre ? 0 : -1;
}

static int open_sft(StageRun *r, char *err, size_t errlen) {
    r->model = load_input_model(r, err, errlen);
    if (!r->model) return -1;
    const char *data = input_stage_of(r, 0, NULL);
    if (!data) {
        snprintf(err, errlen, "stage '%s': needs a dataset input (a CSV file)", r->st->name);
        return -1;
    }
    CsvTable t;
    if (csvio_read(data, &t, err, errlen)) return -1;
    static const char *const cols[] = {"prompt", "completion"};
    int idx[2];
    if (csvio_cols(&t, cols, 2, idx, err, errlen)) {
        csvio_free(&t);
        return -1;
    }
    int tcol = csvio_col(&t, "task");
    const char *task = stage_opt(r->st, "task");
    long limit = opt_l(r, "limit");
    SftExample *ex = calloc(t.nrows ? t.nrows : 1, sizeof *ex);
    int n = 0;
    for (size_t i = 0; ex && i < t.nrows && (limit <= 0 || n < limit); i++) {
        if (task[0] && tcol >= 0 && strcmp(csvio_cell(&t, i, (size_t)tcol), task) != 0) continue;
        ex[n].prompt = csvio_cell(&t, i, (size_t)idx[0]);
        ex[n].completion = csvio_cell(&t, i, (size_t)idx[1]);
        n++;
    }
    if (!ex || n == 0) {
        snprintf(err, errlen, "stage '%s': %s has no usable rows%s%s", r->st->name, data,
                 task[0] ? " for task " : "", task);
        free(ex);
        csvio_free(&t);
        return -1;
    }
    SftConfig sc = sft_defaults();
    sc.batch_size = (int)opt_l(r, "batch_size");
    sc.epochs = (int)opt_l(r, "epochs");
    sc.steps = (int)opt_l(r, "steps");
    sc.optim.lr = (float)stage_opt_num(r->st, "lr");
    sc.optim.warmup_steps = (int)opt_l(r, "warmup");
    sc.seed = r->seed;
    r->sft = sft_new(r->model, &sc, ex, n, err, errlen);
    free(ex);
    csvio_free(&t);
    if (!r->sft) return -1;
    r->total = sft_total_steps(r->sft);
    return 0;
}

static int open_grpo(StageRun *r, char *err, size_t errlen) {
    r->model = load_input_model(r, err, errlen);
    if (!r->model) return -1;
    r->grpo = grpo_stage_open(r->g, r->st, r->model, r->seed, err, errlen);
    if (!r->grpo) return -1;
    r->total = grpo_stage_total(r->grpo);
    return 0;
}

static int open_appender(StageRun *r, char *err, size_t errlen) {
    static const char *const train_h[] = {METRICS_HEADER_TRAIN};
    static const char *const eval_h[] = {METRICS_HEADER_EVAL};
    char p[4200];
    path_of(r, "metrics.csv", p, sizeof p);
    if (r->grpo) {
        const char *h[METRICS_MAX_VALUES + 1] = {"step"};
        int n = grpo_stage_columns(r->grpo, h + 1, METRICS_MAX_VALUES);
        r->metrics = csvio_append_open(p, h, (size_t)n + 1, err, errlen);
        return r->metrics ? 0 : -1;
    }
    int is_eval = strcmp(r->st->kind->name, "eval") == 0;
    r->metrics = csvio_append_open(p, is_eval ? eval_h : train_h,
                                   is_eval ? METRICS_EVAL_COLS : METRICS_TRAIN_COLS, err, errlen);
    return r->metrics ? 0 : -1;
}

static int try_resume(StageRun *r, char *err, size_t errlen) {
    long step = cache_started_key(r->dir, r->st->name) == r->key ? resume_step(r) : -1;
    if (step <= 0) {
        /* A fresh start: whatever a run under another key left is stale. */
        rundir_clear_stage(r->dir, r->st->name);
        char p[4200];
        path_of(r, "resume", p, sizeof p);
        remove(p);
        return cache_mark_started(r->dir, r->st->name, r->key, err, errlen);
    }
    char ck[4200], stp[4200];
    resume_names(r, step, ck, stp, sizeof ck);
    Gpt *m = ckpt_load(ck, err, errlen);
    if (!m) return -1;
    gpt_copy_params(r->model, m);
    gpt_free(m);
    int rc;
    if (r->grpo) {
        char ref[4200];
        resume_ref_name(r, step, ref, sizeof ref);
        rc = grpo_stage_load(r->grpo, stp, ref, err, errlen);
    } else {
        rc = r->pre ? pretrainer_load_state(r->pre, stp, err, errlen)
                    : sft_load_state(r->sft, stp, err, errlen);
    }
    if (rc) return -1;
    r->done = step;
    r->resumed = 1;
    if (r->grpo && cut_rows(r, "samples.csv", step, err, errlen)) return -1;
    return cut_rows(r, "metrics.csv", step, err, errlen);
}

StageRun *stage_run_open(const Graph *g, int s, const char *dir, uint64_t key,
                         unsigned long long run_seed, char *err, size_t errlen) {
    StageRun *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->g = g;
    r->st = &g->stages[s];
    r->key = key;
    r->seed = stage_seed_for_run((unsigned long long)stage_opt_num(r->st, "seed"), run_seed);
    r->last_loss = NAN;
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    if (rundir_make(dir, r->st->name, err, errlen)) goto fail;
    const char *kind = r->st->kind->name;
    int rc;
    if (strcmp(kind, "pretrain") == 0)
        rc = open_pretrain(r, err, errlen);
    else if (strcmp(kind, "sft") == 0)
        rc = open_sft(r, err, errlen);
    else if (strcmp(kind, "grpo") == 0)
        rc = open_grpo(r, err, errlen);
    else if (strcmp(kind, "eval") == 0) {
        r->model = load_input_model(r, err, errlen);
        rc = r->model ? 0 : -1;
        r->total = 1;
    } else {
        snprintf(err, errlen, "stage '%s': kind %s has no executor", r->st->name, kind);
        rc = -1;
    }
    if (rc) goto fail;
    if (r->pre || r->sft || r->grpo) {
        if (try_resume(r, err, errlen)) goto fail;
    } else {
        rundir_clear_stage(dir, r->st->name);
        if (cache_mark_started(dir, r->st->name, key, err, errlen)) goto fail;
    }
    if (open_appender(r, err, errlen)) goto fail;
    if (r->grpo) {
        char p[4200];
        path_of(r, "samples.csv", p, sizeof p);
        if (grpo_stage_open_samples(r->grpo, p, err, errlen)) goto fail;
    }
    return r;
fail:
    stage_run_free(r);
    return NULL;
}

long stage_run_step_count(const StageRun *r) {
    return r->done;
}
long stage_run_total(const StageRun *r) {
    return r->total;
}
int stage_run_resumed(const StageRun *r) {
    return r->resumed;
}

static void row_set(MetricsRow *row, const char *name, double v) {
    if (row->n >= METRICS_MAX_VALUES) return;
    snprintf(row->names[row->n], METRICS_NAME, "%s", name);
    row->values[row->n++] = v;
}

static int append(StageRun *r, const MetricsRow *row, char *err, size_t errlen) {
    char buf[METRICS_MAX_VALUES + 1][32];
    const char *f[METRICS_MAX_VALUES + 1];
    snprintf(buf[0], sizeof buf[0], "%ld", row->step);
    f[0] = buf[0];
    for (int i = 0; i < row->n; i++) {
        snprintf(buf[i + 1], sizeof buf[i + 1], "%.9g", row->values[i]);
        f[i + 1] = buf[i + 1];
    }
    return csvio_append_row(r->metrics, f, (size_t)row->n + 1, err, errlen);
}

static int run_eval(StageRun *r, MetricsRow *row, char *err, size_t errlen) {
    EvalConfig ec = eval_defaults();
    ec.task = stage_opt(r->st, "task");
    ec.n_prompts = (int)opt_l(r, "n_prompts");
    ec.k = (int)opt_l(r, "k");
    ec.temperature = (float)stage_opt_num(r->st, "temperature");
    ec.max_new_tokens = (int)opt_l(r, "max_new_tokens");
    ec.forced_modes = (int)opt_l(r, "forced_modes");
    ec.seed = r->seed;
    char samples[4200];
    path_of(r, "samples.csv", samples, sizeof samples);
    if (eval_model_with_samples(r->model, &ec, &r->ev, samples, NULL, NULL, err, errlen)) return -1;
    r->evaluated = 1;
    const EvalResult *e = &r->ev;
    row_set(row, "pass_at_1", e->pass_at_1);
    row_set(row, "maj_at_k", e->maj_at_k);
    row_set(row, "format_rate", e->format_rate);
    row_set(row, "language_consistency", e->language_consistency);
    row_set(row, "mean_length", e->mean_length);
    row_set(row, "aha_per_completion", e->aha_per_completion);
    row_set(row, "think_rate", e->think_rate);
    return 0;
}

int stage_run_step(StageRun *r, MetricsRow *row, char *err, size_t errlen) {
    memset(row, 0, sizeof *row);
    if (r->done >= r->total) return 1;
    int rc;
    if (r->pre) {
        PretrainStep ps;
        rc = pretrainer_step(r->pre, &ps);
        if (rc == 0) {
            row_set(row, "loss", ps.loss);
            row_set(row, "grad_norm", ps.grad_norm);
            row_set(row, "lr", ps.lr);
            row_set(row, "tokens_per_s", ps.tokens_per_s);
            r->last_loss = ps.loss;
        }
    } else if (r->sft) {
        SftStep ss;
        rc = sft_step(r->sft, &ss);
        if (rc == 0) {
            row_set(row, "loss", ss.loss);
            row_set(row, "grad_norm", ss.grad_norm);
            row_set(row, "lr", ss.lr);
            row_set(row, "tokens_per_s", ss.tokens_per_s);
            r->last_loss = ss.loss;
        }
    } else if (r->grpo) {
        rc = grpo_stage_step(r->grpo, r->done + 1, row, err, errlen);
    } else {
        rc = run_eval(r, row, err, errlen) ? -1 : 0;
    }
    if (rc != 0) {
        if (rc == 1) r->done = r->total;
        return rc;
    }
    r->done++;
    row->step = r->done;
    row->total = r->total;
    return append(r, row, err, errlen);
}

int stage_run_save(StageRun *r, char *err, size_t errlen) {
    if (!r->pre && !r->sft && !r->grpo) return 0;
    long prev = resume_step(r);
    if (prev == r->done) return 0;
    char ck[4200], stp[4200], p[4200], tmp[4300];
    resume_names(r, r->done, ck, stp, sizeof ck);
    if (ckpt_save(r->model, ck, err, errlen)) return -1;
    int rc;
    if (r->grpo) {
        char ref[4200];
        resume_ref_name(r, r->done, ref, sizeof ref);
        rc = grpo_stage_save(r->grpo, stp, ref, err, errlen);
    } else {
        rc = r->pre ? pretrainer_save_state(r->pre, stp, err, errlen)
                    : sft_save_state(r->sft, stp, err, errlen);
    }
    if (rc) return -1;
    path_of(r, "resume", p, sizeof p);
    snprintf(tmp, sizeof tmp, "%s.tmp", p);
    FILE *f = fopen(tmp, "w");
    if (!f || fprintf(f, "%ld\n", r->done) < 0 || fclose(f) != 0 || rename(tmp, p) != 0) {
        snprintf(err, errlen, "%s: cannot write", p);
        return -1;
    }
    if (prev > 0) remove_resume(r, prev);
    return 0;
}

static int write_eval_rows(StageRun *r, char *err, size_t errlen) {
    static const char *const header[] = {RUNDIR_EVAL_HEADER};
    const EvalResult *e = &r->ev;
    char v[10][32];
    double x[] = {
        e->pass_at_1,       e->maj_at_k,           e->format_rate, e->language_consistency,
        e->mean_length,     e->aha_per_completion, e->think_rate,  e->pass_at_1_think,
        e->pass_at_1_direct};
    const char *f[RUNDIR_EVAL_COLS];
    f[0] = input_stage_of(r, 1, NULL);
    f[1] = stage_opt(r->st, "task");
    snprintf(v[0], sizeof v[0], "%d", e->k);
    f[2] = v[0];
    for (int i = 0; i < 9; i++) {
        if (isnan(x[i]))
            v[i + 1][0] = 0;
        else
            snprintf(v[i + 1], sizeof v[i + 1], "%.6g", x[i]);
        f[3 + i] = v[i + 1];
    }
    char p[4200];
    path_of(r, "eval_rows.csv", p, sizeof p);
    return csvio_write(p, header, RUNDIR_EVAL_COLS, f, 1, err, errlen);
}

int stage_run_finish(StageRun *r, char *err, size_t errlen) {
    if (csvio_append_close(r->metrics, err, errlen)) {
        r->metrics = NULL;
        return -1;
    }
    r->metrics = NULL;
    if (r->st->kind->makes_checkpoint) {
        char p[4200];
        path_of(r, "model.ckpt", p, sizeof p);
        if (ckpt_save(r->model, p, err, errlen)) return -1;
        long prev = resume_step(r);
        if (prev > 0) remove_resume(r, prev);
        path_of(r, "resume", p, sizeof p);
        remove(p);
    }
    if (r->evaluated) return write_eval_rows(r, err, errlen);
    return 0;
}

void stage_run_headline(const StageRun *r, char *buf, size_t cap) {
    if (r->evaluated)
        snprintf(buf, cap, "pass@1 %.3f", r->ev.pass_at_1);
    else if (r->grpo)
        grpo_stage_headline(r->grpo, buf, cap);
    else if (!isnan(r->last_loss))
        snprintf(buf, cap, "loss %.3f", r->last_loss);
    else
        buf[0] = 0;
}

void stage_run_free(StageRun *r) {
    if (!r) return;
    csvio_append_close(r->metrics, NULL, 0);
    pretrainer_free(r->pre);
    sft_free(r->sft);
    grpo_stage_free(r->grpo);
    gpt_free(r->model);
    free(r);
}

void stage_cached_summary(const Stage *st, const char *dir, char *headline, size_t cap,
                          long *steps) {
    char p[4200], err[256];
    headline[0] = 0;
    *steps = 0;
    CsvTable t;
    if (rundir_path(p, sizeof p, dir, st->name, "metrics.csv") ||
        csvio_read(p, &t, err, sizeof err))
        return;
    if (t.nrows > 0) {
        size_t last = t.nrows - 1;
        int c = csvio_col(&t, "pass_at_1");
        const char *label = "pass@1";
        if (c < 0) {
            c = csvio_col(&t, "loss");
            label = "loss";
        }
        *steps = atol(csvio_cell(&t, last, 0));
        int acc = csvio_col(&t, "accuracy"), len = csvio_col(&t, "mean_length");
        if (acc >= 0 && len >= 0) /* grpo: the figures its running box showed */
            snprintf(headline, cap, "acc %.2f len %.0f", atof(csvio_cell(&t, last, (size_t)acc)),
                     atof(csvio_cell(&t, last, (size_t)len)));
        else if (c >= 0)
            snprintf(headline, cap, "%s %.3f", label, atof(csvio_cell(&t, last, (size_t)c)));
    }
    csvio_free(&t);
}
