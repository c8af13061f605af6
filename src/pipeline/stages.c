#include "pipeline/stages.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/checkpoint.h"
#include "pipeline/cache.h"
#include "pipeline/rundir.h"
#include "pipeline/stage_kind.h"
#include "train/rewards.h"
#include "world/completion.h"
#include "world/csvio.h"

struct StageRun {
    StageCtx c;
    const StageOps *ops;
    void *state;
    char dir[4096];
    uint64_t key;
    long total;
    int resumed;
    CsvAppender *metrics;
    MetricsRow last;
    StagePublish publish;
    void *publish_ctx;
};

static int path_of(const StageRun *r, const char *file, char *buf, size_t cap) {
    return rundir_path(buf, cap, r->dir, r->c.st->name, file);
}

/* DIR/STAGE/resume-N: the kind's files of a resume point add their suffix. */
static void resume_prefix(const StageRun *r, long step, char *buf, size_t cap) {
    char f[64];
    snprintf(f, sizeof f, "resume-%ld", step);
    path_of(r, f, buf, cap);
}

/* The step of the last complete resume point: written after its files are in
 * place, so it is the commit point of the set. */
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

/* Every file of the resume point at `step` ("resume-N." and anything the
 * kind appended to the prefix). */
static void remove_resume(const StageRun *r, long step) {
    char d[4200], want[64];
    path_of(r, NULL, d, sizeof d);
    int n = snprintf(want, sizeof want, "resume-%ld.", step);
    DIR *dir = opendir(d);
    if (!dir) return;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (strncmp(e->d_name, want, (size_t)n) != 0) continue;
        char f[4600];
        snprintf(f, sizeof f, "%s/%s", d, e->d_name);
        remove(f);
    }
    closedir(dir);
}

/* Keeps the rows of a step file up to `step`: rows written after the last
 * resume point belong to steps the resumed run takes again. */
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

static int open_appender(StageRun *r, char *err, size_t errlen) {
    const char *h[METRICS_MAX_VALUES + 1] = {"step"};
    int n = r->ops->columns(r->state, h + 1, METRICS_MAX_VALUES);
    char p[4200];
    path_of(r, "metrics.csv", p, sizeof p);
    r->metrics = csvio_append_open(p, h, (size_t)n + 1, err, errlen);
    return r->metrics ? 0 : -1;
}

/* Only a kind that makes a checkpoint changes its model; one that samples
 * or evaluates it (sample, eval) keeps it as its input gave it, so its
 * resume points need not copy the weights. */
static int trains_model(const StageRun *r) {
    return r->c.model && (r->c.st->kind->makes_checkpoint || r->c.st->kind->makes_reward_model);
}

static int try_resume(StageRun *r, char *err, size_t errlen) {
    long step =
        r->ops->save && cache_started_key(r->dir, r->c.st->name) == r->key ? resume_step(r) : -1;
    if (step <= 0) {
        /* A fresh start: whatever a run under another key left is stale. */
        rundir_clear_stage(r->dir, r->c.st->name);
        return cache_mark_started(r->dir, r->c.st->name, r->key, err, errlen);
    }
    char prefix[4200], ck[4300];
    resume_prefix(r, step, prefix, sizeof prefix);
    if (trains_model(r)) {
        snprintf(ck, sizeof ck, "%s.ckpt", prefix);
        Gpt *m = ckpt_load_kind(
            ck, r->c.st->kind->makes_reward_model ? CKPT_REWARD_MODEL : CKPT_POLICY, err, errlen);
        if (!m) return -1;
        gpt_copy_params(r->c.model, m);
        gpt_free(m);
    }
    if (r->ops->load(r->state, &r->c, prefix, err, errlen)) return -1;
    r->c.done = step;
    r->resumed = 1;
    for (const char *const *f = r->ops->step_files; f && *f; f++)
        if (cut_rows(r, *f, step, err, errlen)) return -1;
    return cut_rows(r, "metrics.csv", step, err, errlen);
}

static bool never_stopping(void *ctx) {
    (void)ctx;
    return false;
}

void stage_run_set_stop(StageRun *r, bool (*stopping)(void *ctx), void *ctx) {
    r->c.stopping = stopping ? stopping : never_stopping;
    r->c.stop_ctx = ctx;
}

static void trace_nowhere(void *ctx, const GrpoTrace *t) {
    (void)ctx, (void)t;
}

void stage_run_set_trace(StageRun *r, StagePublishTrace publish, void *ctx) {
    r->c.publish_trace = publish ? publish : trace_nowhere;
    r->c.trace_ctx = ctx;
}

static void publish_nothing(void *ctx, const char *prompt, const char *completion,
                            const char *const *names, const double *values, int n) {
    (void)ctx, (void)prompt, (void)completion, (void)names, (void)values, (void)n;
}

StageRun *stage_run_open(const Graph *g, int s, const char *dir, uint64_t key,
                         unsigned long long run_seed, StagePublish publish, void *publish_ctx,
                         char *err, size_t errlen) {
    StageRun *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    const Stage *st = &g->stages[s];
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    /* NaN for a kind without a seed option, which is seeded as seed 0:
     * converting NaN to an integer is undefined. */
    double seed = stage_opt_num(st, "seed");
    r->c =
        (StageCtx){.g = g,
                   .st = st,
                   .dir = r->dir,
                   .seed = stage_seed_for_run(seed >= 0 ? (unsigned long long)seed : 0, run_seed),
                   .publish = publish ? publish : publish_nothing,
                   .publish_ctx = publish_ctx,
                   .publish_trace = trace_nowhere,
                   .stopping = never_stopping};
    r->ops = st->kind->ops;
    r->key = key;
    if (!r->ops) {
        snprintf(err, errlen, "stage '%s': kind %s has no executor", st->name, st->kind->name);
        goto fail;
    }
    if (rundir_make(dir, st->name, err, errlen)) goto fail;
    r->state = r->ops->open(&r->c, &r->total, err, errlen);
    if (!r->state) goto fail;
    if (try_resume(r, err, errlen) || open_appender(r, err, errlen)) goto fail;
    if (r->ops->start && r->ops->start(r->state, &r->c, r->resumed, err, errlen)) goto fail;
    return r;
fail:
    stage_run_free(r);
    return NULL;
}

long stage_run_step_count(const StageRun *r) {
    return r->c.done;
}
long stage_run_total(const StageRun *r) {
    return r->total;
}
int stage_run_resumed(const StageRun *r) {
    return r->resumed;
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

/* The figures of a training step that are never legitimately NaN (unlike,
 * say, a held-out accuracy not measured at this step). */
static const char *const must_be_finite[] = {"loss", "grad_norm", "lr", "reward"};

static const char *nonfinite_word(double v) {
    return isnan(v) ? "NaN" : "infinite";
}

/* A diverged step fails here, before its row is written or its weights can
 * reach a resume point or model.ckpt, so the last resume point stays the
 * last good one. */
static int check_finite(const StageRun *r, const MetricsRow *row, long at, char *err,
                        size_t errlen) {
    const char *stage = r->c.st->name;
    for (int i = 0; i < row->n; i++)
        for (size_t k = 0; k < sizeof must_be_finite / sizeof must_be_finite[0]; k++)
            if (!strcmp(row->names[i], must_be_finite[k]) && !isfinite(row->values[i])) {
                snprintf(err, errlen, "stage '%s': step %ld: %s is %s", stage, at, row->names[i],
                         nonfinite_word(row->values[i]));
                return -1;
            }
    if (!gpt_params_finite(r->c.model)) {
        snprintf(err, errlen, "stage '%s': step %ld: the weights hold a NaN or infinite value",
                 stage, at);
        return -1;
    }
    return 0;
}

int stage_run_step(StageRun *r, MetricsRow *row, char *err, size_t errlen) {
    memset(row, 0, sizeof *row);
    if (r->c.done >= r->total) return 1;
    int rc = r->ops->step(r->state, &r->c, row, err, errlen);
    if (rc != 0) {
        if (rc == 1) r->c.done = r->total;
        return rc;
    }
    if (trains_model(r) && check_finite(r, row, r->c.done + 1, err, errlen)) return -1;
    r->c.done++;
    row->step = r->c.done;
    row->total = r->total;
    r->last = *row;
    return append(r, row, err, errlen);
}

int stage_run_save(StageRun *r, char *err, size_t errlen) {
    if (!r->ops->save) return 0;
    long prev = resume_step(r);
    if (prev == r->c.done) return 0;
    char prefix[4200], p[4300], tmp[4400];
    resume_prefix(r, r->c.done, prefix, sizeof prefix);
    if (trains_model(r)) {
        snprintf(p, sizeof p, "%s.ckpt", prefix);
        if (ckpt_save(r->c.model, p, err, errlen)) return -1;
    }
    if (r->ops->save(r->state, &r->c, prefix, err, errlen)) {
        remove_resume(r, r->c.done); /* its weights are of no use alone */
        return -1;
    }
    path_of(r, "resume", p, sizeof p);
    snprintf(tmp, sizeof tmp, "%s.tmp", p);
    FILE *f = fopen(tmp, "w");
    bool bad = !f || fprintf(f, "%ld\n", r->c.done) < 0;
    if (f && fclose(f) != 0) bad = true;
    if (bad || rename(tmp, p) != 0) {
        snprintf(err, errlen, "%s: cannot write: %s", p, strerror(errno));
        remove(tmp);
        /* the files of this resume point are of no use without it */
        remove_resume(r, r->c.done);
        return -1;
    }
    if (prev > 0) remove_resume(r, prev);
    return 0;
}

int stage_run_finish(StageRun *r, char *err, size_t errlen) {
    int rc = csvio_append_close(r->metrics, err, errlen);
    r->metrics = NULL;
    if (rc) return -1;
    if (r->c.st->kind->makes_checkpoint || r->c.st->kind->makes_reward_model) {
        char p[4200];
        path_of(r, "model.ckpt", p, sizeof p);
        if (!r->c.model) {
            snprintf(err, errlen, "stage '%s': no model to save", r->c.st->name);
            return -1;
        }
        if (ckpt_save(r->c.model, p, err, errlen)) return -1;
    }
    if (r->ops->finish && r->ops->finish(r->state, &r->c, err, errlen)) return -1;
    long prev = resume_step(r);
    if (prev > 0) remove_resume(r, prev);
    char p[4200];
    path_of(r, "resume", p, sizeof p);
    remove(p);
    return 0;
}

void stage_run_headline(const StageRun *r, char *buf, size_t cap) {
    const char *names[METRICS_MAX_VALUES];
    for (int i = 0; i < r->last.n; i++) names[i] = r->last.names[i];
    buf[0] = 0;
    if (r->last.n) r->ops->headline(names, r->last.values, r->last.n, buf, cap);
}

void stage_run_free(StageRun *r) {
    if (!r) return;
    csvio_append_close(r->metrics, NULL, 0);
    if (r->state) r->ops->free(r->state);
    gpt_free(r->c.model);
    free(r);
}

int stage_cached_outputs_load(const Stage *st, const char *dir, char *err, size_t errlen) {
    char p[4200];
    if (st->kind->makes_checkpoint || st->kind->makes_reward_model) {
        if (rundir_path(p, sizeof p, dir, st->name, "model.ckpt")) {
            snprintf(err, errlen, "stage '%s': path too long", st->name);
            return -1;
        }
        Gpt *m = ckpt_load_kind(p, CKPT_POLICY | CKPT_REWARD_MODEL, err, errlen);
        if (!m) return -1;
        gpt_free(m);
    }
    if (st->kind->makes_dataset) {
        CsvTable t;
        if (rundir_path(p, sizeof p, dir, st->name, "dataset.csv") ||
            csvio_read(p, &t, err, errlen))
            return -1;
        csvio_free(&t);
    }
    return 0;
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
    if (t.nrows > 0 && t.ncols > 1 && st->kind->ops) {
        size_t last = t.nrows - 1;
        *steps = atol(csvio_cell(&t, last, 0));
        int n = (int)t.ncols - 1 < METRICS_MAX_VALUES ? (int)t.ncols - 1 : METRICS_MAX_VALUES;
        const char *names[METRICS_MAX_VALUES];
        double values[METRICS_MAX_VALUES];
        for (int i = 0; i < n; i++) {
            names[i] = t.header[i + 1];
            values[i] = atof(csvio_cell(&t, last, (size_t)i + 1));
        }
        st->kind->ops->headline(names, values, n, headline, cap);
    }
    csvio_free(&t);
}

/* ---- for kinds -------------------------------------------------------------- */

static int role_index(const Stage *st, const char *role) {
    for (int r = 0; r < st->kind->n_roles; r++)
        if (strcmp(st->kind->roles[r].name, role) == 0) return r;
    return -1;
}

/* The position in st->inputs of the role's i-th input, or -1. */
static int input_at(const Stage *st, const char *role, int i) {
    int r = role_index(st, role);
    for (int k = 0; r >= 0 && k < st->n_inputs; k++)
        if (st->input_role[k] == r && i-- == 0) return k;
    return -1;
}

int stage_input_count(const StageCtx *c, const char *role) {
    int n = 0;
    while (input_at(c->st, role, n) >= 0) n++;
    return n;
}

const char *stage_input_name(const StageCtx *c, const char *role, int i) {
    int k = input_at(c->st, role, i);
    return k < 0 ? NULL : c->st->inputs[k];
}

const char *stage_input_file(const StageCtx *c, const char *role, int i, char *buf, size_t cap) {
    int k = input_at(c->st, role, i);
    if (k < 0) return NULL;
    int j = c->st->input_stage[k];
    if (j < 0) {
        snprintf(buf, cap, "%s", c->st->inputs[k]);
        return buf;
    }
    int r = c->st->input_role[k];
    const char *file = c->st->kind->roles[r].type == INPUT_DATASET ? "dataset.csv" : "model.ckpt";
    return rundir_path(buf, cap, c->dir, c->g->stages[j].name, file) ? NULL : buf;
}

Gpt *stage_input_model(const StageCtx *c, const char *role, int i, char *err, size_t errlen) {
    char p[4200];
    int r = -1;
    for (int k = 0; k < c->st->kind->n_roles; k++)
        if (strcmp(c->st->kind->roles[k].name, role) == 0) r = k;
    if (r < 0 || !stage_input_file(c, role, i, p, sizeof p)) {
        snprintf(err, errlen, "stage '%s': no %s input", c->st->name, role);
        return NULL;
    }
    int kind = c->st->kind->roles[r].type == INPUT_REWARD_MODEL ? CKPT_REWARD_MODEL : CKPT_POLICY;
    return ckpt_load_kind(p, kind, err, errlen);
}

int stage_file(const StageCtx *c, const char *file, char *buf, size_t cap) {
    return rundir_path(buf, cap, c->dir, c->st->name, file);
}

void stage_row_set(MetricsRow *row, const char *name, double v) {
    if (row->n >= METRICS_MAX_VALUES) return;
    snprintf(row->names[row->n], METRICS_NAME, "%s", name);
    row->values[row->n++] = v;
}

double stage_row_value(const char *const *names, const double *values, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0) return values[i];
    return NAN;
}

static const char *const train_columns[] = {"loss", "grad_norm", "lr", "tokens_per_s"};

int stage_train_columns(const void *state, const char **names, int max) {
    (void)state;
    int n = 0;
    for (; n < 4 && n < max; n++) names[n] = train_columns[n];
    return n;
}

void stage_train_row(MetricsRow *row, double loss, double grad_norm, double lr,
                     double tokens_per_s) {
    stage_row_set(row, "loss", loss);
    stage_row_set(row, "grad_norm", grad_norm);
    stage_row_set(row, "lr", lr);
    stage_row_set(row, "tokens_per_s", tokens_per_s);
}

void stage_headline_loss(const char *const *names, const double *values, int n, char *buf,
                         size_t cap) {
    double loss = stage_row_value(names, values, n, "loss");
    if (isnan(loss))
        buf[0] = 0;
    else
        snprintf(buf, cap, "loss %.3f", loss);
}

void stage_script_args(const RewardSample *s, StageScriptArgs *out) {
    CompletionParts parts;
    completion_parse(s->completion, &parts);
    out->task[0] = 0;
    const char *question = "", *expected = "";
    if (s->problem) {
        task_spec_name(s->problem->spec, out->task, sizeof out->task);
        question = s->problem->prompt;
        expected = s->problem->answer;
    } else if (s->general) { /* "general:copy": a script can tell the scenarios apart */
        snprintf(out->task, sizeof out->task, "general:%s", general_kind_name(s->general->kind));
        question = s->general->prompt;
        expected = s->general->answer;
    }
    out->a = (GraphRewardArgs){.prompt = s->prompt,
                               .completion = s->completion,
                               .question = question,
                               .expected = expected,
                               .task = out->task,
                               .thought = parts.thought,
                               .thought_len = parts.thought_len,
                               .answer = parts.answer,
                               .answer_len = parts.answer_len,
                               .well_formed = parts.well_formed,
                               .length = s->length,
                               .max_length = s->max_length,
                               .truncated = s->truncated};
}

int stage_check_file_columns(const Stage *st, const char *role, const char *const *cols, int n,
                             char *err, size_t errlen) {
    for (int i = 0; i < st->n_inputs; i++) {
        if (st->input_stage[i] >= 0 || st->input_role[i] < 0 ||
            strcmp(st->kind->roles[st->input_role[i]].name, role) != 0)
            continue;
        CsvTable t;
        char e[512];
        int idx[16], rc = csvio_read(st->inputs[i], &t, e, sizeof e);
        if (rc == 0) {
            rc = n <= 16 ? csvio_cols(&t, cols, (size_t)n, idx, e, sizeof e) : -1;
            csvio_free(&t);
        }
        if (rc) {
            snprintf(err, errlen, "stage '%s': %s input %s", st->name, role, e);
            return -1;
        }
    }
    return 0;
}

/* ---- checks over a loaded script -------------------------------------------- */

int stage_kinds_check(const Graph *g, char *err, size_t errlen) {
    for (int s = 0; s < g->n; s++) {
        const Stage *st = &g->stages[s];
        const StageOps *ops = st->kind->ops;
        char m[1024];
        if (ops && ops->check && ops->check(st, &g->hooks, m, sizeof m)) {
            snprintf(err, errlen, "%s%s%s", st->where, st->where[0] ? ": " : "", m);
            return -1;
        }
    }
    return 0;
}

uint64_t stage_script_fingerprint(const Graph *g, const Stage *st) {
    const StageOps *ops = st->kind->ops;
    if (!ops || !ops->script_fns || !g->hooks.fingerprint) return 0;
    ScriptFnKind kinds[32];
    char names[32][GRAPH_NAME];
    int n = ops->script_fns(st, &g->hooks, kinds, names, 32);
    uint64_t h = 0;
    for (int i = 0; i < n; i++) {
        uint64_t f = g->hooks.fingerprint(g->hooks.ctx, kinds[i], names[i]);
        h = cache_hash_bytes(h ^ CACHE_HASH_INIT, &f, sizeof f);
    }
    return h;
}
