/* The sample kind: rejection sampling, R1's way of turning a checkpoint into
 * SFT data. For n_prompts training problems it samples k completions each,
 * keeps those that pass every predicate of `keep`, drops exact duplicates and
 * caps what one prompt may contribute, then mixes in non-reasoning rows from
 * its general inputs at general_ratio of the total (R1: 600k reasoning +
 * 200k general). It makes dataset.csv, which an sft stage takes as input.
 *
 * Kept rows go to kept.csv step by step (a step file, cut back on resume), so
 * a stopped stage resumes to the same dataset; dataset.csv is written from it
 * at the end. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/atomic_file.h"
#include "engine/rng.h"
#include "pipeline/cache.h"
#include "pipeline/stage_kind.h"
#include "pipeline/stage_options.h"
#include "train/filters.h"
#include "train/grpo.h"
#include "train/rewards.h"
#include "train/rollout.h"
#include "world/cipher.h"
#include "world/completion.h"
#include "world/csvio.h"
#include "world/evalset.h"
#include "world/rng.h"
#include "world/template.h"

enum { SAMPLE_MAX_KEEP = 8, PROMPT_MAX = 96, SEEN_BITS = 16 };

#define DATASET_HEADER                                                                             \
    "task", "script", "prompt", "completion", "answer", "source", "accuracy", "format",            \
        "language", "length"
enum { DATASET_COLS = 10 };

static const char *check_ratio(const char *v) {
    double r = strtod(v, NULL);
    return r >= 0 && r < 1 ? NULL : "a share in [0, 1)";
}

static const char *check_keep(const char *v) {
    size_t n = strlen(v);
    if (n == 0 || v[0] == '+' || v[n - 1] == '+' || strstr(v, "++"))
        return "predicates joined by '+', such as correct+readable";
    return NULL;
}

static const OptSpec options[] = {
    {"task", OPT_STRING, "add3", 0, 0, "training problems: a task or a comma-separated list",
     stage_check_task_list, FIELD_NONE, 0},
    {"n_prompts", OPT_INTEGER, "256", 1, 1e6, "problems to sample", NULL, FIELD_NONE, 0},
    {"k", OPT_INTEGER, "4", 1, 256, "completions per problem", NULL, FIELD_NONE, 0},
    {"prompts_per_step", OPT_INTEGER, "32", 1, 4096, "problems per step (a resume point each)",
     NULL, FIELD_NONE, 0},
    {"temperature", OPT_NUMBER, "1", 0, 10, "sampling temperature; 0 greedy", NULL, FIELD_NONE, 0},
    {"top_p", OPT_NUMBER, "1", 0.01, 1, "nucleus sampling mass", NULL, FIELD_NONE, 0},
    {"max_new_tokens", OPT_INTEGER, "96", 1, 4096, "completion limit", NULL, FIELD_NONE, 0},
    {"cipher_prob", OPT_NUMBER, "0", 0, 1, "share of prompts in the letter cipher", NULL,
     FIELD_NONE, 0},
    {"keep", OPT_STRING, "correct+readable", 0, 0,
     "predicates joined by '+': correct, well_formed, readable or r1sim.filter names", check_keep,
     FIELD_NONE, 0},
    {"per_prompt", OPT_INTEGER, "2", 0, 1e6, "kept completions per problem at most; 0 no cap", NULL,
     FIELD_NONE, 0},
    {"readable_max_tokens", OPT_INTEGER, "96", 1, 4096, "readable's length limit", NULL, FIELD_NONE,
     0},
    {"general_ratio", OPT_NUMBER, "0", 0, 0, "share of general rows in the dataset, in [0, 1)",
     check_ratio, FIELD_NONE, 0},
    {"save_every", OPT_INTEGER, "1", 1, 1e9, "steps between resume points", NULL, FIELD_NONE, 0},
    {"seed", OPT_INTEGER, "1", 0, 1e15, "sampling and problem seed", NULL, FIELD_NONE, 0},
    OPT_END,
};

/* The `keep` option split into predicates. */
typedef struct {
    int n;
    char name[SAMPLE_MAX_KEEP][GRAPH_NAME];
    FilterBuiltin builtin[SAMPLE_MAX_KEEP]; /* FILTER_NONE: a script filter */
} KeepList;

static int keep_parse(const Stage *st, const GraphHooks *hooks, KeepList *out, char *err,
                      size_t errlen) {
    memset(out, 0, sizeof *out);
    const char *p = stage_opt(st, "keep");
    while (*p) {
        size_t len = strcspn(p, "+");
        if (out->n >= SAMPLE_MAX_KEEP || len == 0 || len >= GRAPH_NAME) {
            snprintf(err, errlen, "stage '%s': keep: at most %d predicates of under %d characters",
                     st->name, SAMPLE_MAX_KEEP, GRAPH_NAME);
            return -1;
        }
        char *name = out->name[out->n];
        memcpy(name, p, len);
        name[len] = 0;
        p += len + (p[len] == '+');
        out->builtin[out->n] = filter_builtin(name);
        if (!out->builtin[out->n] &&
            !(hooks && hooks->has_fn && hooks->has_fn(hooks->ctx, SCRIPT_FN_FILTER, name))) {
            snprintf(err, errlen,
                     "stage '%s': keep: '%s' is neither a built-in predicate (%s) nor defined "
                     "with r1sim.filter",
                     st->name, name, filter_builtin_names());
            return -1;
        }
        out->n++;
    }
    return 0;
}

/* A set of 64-bit hashes (open addressing) with a count per entry: exact
 * duplicates and the per-prompt cap. */
typedef struct {
    uint64_t *key;
    int *count;
    size_t cap, used;
} HashCount;

static int hc_init(HashCount *h) {
    h->cap = (size_t)1 << SEEN_BITS;
    h->used = 0;
    h->key = calloc(h->cap, sizeof *h->key);
    h->count = calloc(h->cap, sizeof *h->count);
    return h->key && h->count ? 0 : -1;
}

static void hc_free(HashCount *h) {
    free(h->key);
    free(h->count);
}

static int hc_grow(HashCount *h) {
    HashCount n = {calloc(h->cap * 2, sizeof(uint64_t)), calloc(h->cap * 2, sizeof(int)),
                   h->cap * 2, 0};
    if (!n.key || !n.count) {
        hc_free(&n);
        return -1;
    }
    for (size_t i = 0; i < h->cap; i++) {
        if (!h->key[i]) continue;
        size_t j = h->key[i] & (n.cap - 1);
        while (n.key[j]) j = (j + 1) & (n.cap - 1);
        n.key[j] = h->key[i];
        n.count[j] = h->count[i];
        n.used++;
    }
    hc_free(h);
    *h = n;
    return 0;
}

/* The count slot of key (0 is reserved for empty), inserted at 0 if new. */
static int *hc_slot(HashCount *h, uint64_t key) {
    if (!key) key = 1;
    if (2 * (h->used + 1) > h->cap && hc_grow(h)) return NULL;
    size_t j = key & (h->cap - 1);
    while (h->key[j] && h->key[j] != key) j = (j + 1) & (h->cap - 1);
    if (!h->key[j]) {
        h->key[j] = key;
        h->used++;
    }
    return &h->count[j];
}

static uint64_t hash_text(uint64_t h, const char *s) {
    return cache_hash_bytes(h, s, strlen(s) + 1);
}

typedef struct {
    const Stage *st;
    Rollout *ro;
    Rng rng;
    WorldRng wrng;
    TaskSpec tasks[GRPO_MAX_TASKS];
    int n_tasks;
    KeepList keep;
    int k, pps, max_new, per_prompt, readable_max;
    long n_prompts;
    double cipher_prob;
    /* cumulative counts, part of the resume point */
    long generated, kept, duplicates, capped, rejected[SAMPLE_MAX_KEEP];
    HashCount seen, per;
    CsvAppender *out;
    Problem *probs;
    char (*prompt)[PROMPT_MAX];
    char script_err[1024];
    int n_cols;
    char cols[METRICS_MAX_VALUES][METRICS_NAME];
} SampleState;

static void free_state(void *state) {
    SampleState *s = state;
    if (!s) return;
    rollout_free(s->ro);
    csvio_append_close(s->out, NULL, 0);
    hc_free(&s->seen);
    hc_free(&s->per);
    free(s->probs);
    free(s->prompt);
    free(s);
}

static void column_names(SampleState *s) {
    static const char *const before[] = {"generated", "kept"};
    static const char *const after[] = {"duplicates", "over_cap", "kept_total", "generated_total",
                                        "acceptance"};
    int n = 0;
    for (int i = 0; i < 2; i++) snprintf(s->cols[n++], METRICS_NAME, "%s", before[i]);
    for (int i = 0; i < s->keep.n; i++) {
        char name[METRICS_NAME]; /* a copy: the compiler cannot tell keep.name from cols */
        snprintf(name, sizeof name, "rejected_%.14s", s->keep.name[i]);
        memcpy(s->cols[n++], name, sizeof name);
    }
    for (int i = 0; i < 5; i++) snprintf(s->cols[n++], METRICS_NAME, "%s", after[i]);
    s->n_cols = n;
}

static void *open_sample(StageCtx *c, long *total, char *err, size_t errlen) {
    const Stage *st = c->st;
    SampleState *s = calloc(1, sizeof *s);
    if (!s || hc_init(&s->seen) || hc_init(&s->per)) {
        snprintf(err, errlen, "stage '%s': out of memory", st->name);
        free_state(s);
        return NULL;
    }
    s->st = st;
    c->model = stage_input_model(c, "policy", 0, err, errlen);
    if (!c->model || keep_parse(st, &c->g->hooks, &s->keep, err, errlen)) goto fail;
    s->n_tasks = task_spec_parse_list(stage_opt(st, "task"), s->tasks, GRPO_MAX_TASKS);
    if (s->n_tasks < 1) {
        snprintf(err, errlen, "stage '%s': bad task list '%s'", st->name, stage_opt(st, "task"));
        goto fail;
    }
    s->k = (int)stage_opt_num(st, "k");
    s->pps = (int)stage_opt_num(st, "prompts_per_step");
    s->n_prompts = (long)stage_opt_num(st, "n_prompts");
    s->max_new = (int)stage_opt_num(st, "max_new_tokens");
    s->per_prompt = (int)stage_opt_num(st, "per_prompt");
    s->readable_max = (int)stage_opt_num(st, "readable_max_tokens");
    s->cipher_prob = stage_opt_num(st, "cipher_prob");
    RolloutConfig rc = {.k = s->k,
                        .max_new_tokens = s->max_new,
                        .temperature = (float)stage_opt_num(st, "temperature"),
                        .top_p = (float)stage_opt_num(st, "top_p")};
    s->ro = rollout_new(&c->model->cfg, s->pps, &rc);
    s->probs = calloc((size_t)s->pps, sizeof *s->probs);
    s->prompt = calloc((size_t)s->pps, sizeof *s->prompt);
    if (!s->ro || !s->probs || !s->prompt) {
        snprintf(err, errlen, "stage '%s': out of memory", st->name);
        goto fail;
    }
    rng_seed(&s->rng, c->seed);
    world_rng_seed(&s->wrng, c->seed ^ 0x5a4d504c45ULL);
    column_names(s);
    *total = (s->n_prompts + s->pps - 1) / s->pps;
    return s;
fail:
    free_state(s);
    return NULL;
}

static int columns(const void *state, const char **names, int max) {
    const SampleState *s = state;
    int n = s->n_cols < max ? s->n_cols : max;
    for (int i = 0; i < n; i++) names[i] = s->cols[i];
    return n;
}

static const char *const kept_header[] = {"step", DATASET_HEADER};

/* Reopens kept.csv; on a resume, first replays its rows into the duplicate
 * and per-prompt counts, which the resume point does not hold. */
static int start(void *state, StageCtx *c, int resumed, char *err, size_t errlen) {
    SampleState *s = state;
    char p[4200];
    stage_file(c, "kept.csv", p, sizeof p);
    if (resumed) {
        CsvTable t;
        if (csvio_read(p, &t, err, errlen)) return -1;
        for (size_t i = 0; i < t.nrows; i++) {
            const char *prompt = csvio_cell(&t, i, 3), *completion = csvio_cell(&t, i, 4);
            int *seen =
                hc_slot(&s->seen, hash_text(hash_text(CACHE_HASH_INIT, prompt), completion));
            int *per = hc_slot(&s->per, hash_text(CACHE_HASH_INIT, prompt));
            if (!seen || !per) {
                csvio_free(&t);
                snprintf(err, errlen, "stage '%s': out of memory", c->st->name);
                return -1;
            }
            (*seen)++;
            (*per)++;
        }
        csvio_free(&t);
    }
    s->out = csvio_append_open(p, kept_header, DATASET_COLS + 1, err, errlen);
    return s->out ? 0 : -1;
}

/* Index of the first predicate the completion fails, or -1 when it passes
 * all; -2 on a script filter's error. */
static int first_failure(SampleState *s, StageCtx *c, const RewardSample *rs) {
    FilterInput in = {.problem = rs->problem,
                      .completion = rs->completion,
                      .length = rs->length,
                      .truncated = rs->truncated,
                      .max_tokens = s->readable_max};
    for (int i = 0; i < s->keep.n; i++) {
        if (s->keep.builtin[i]) {
            if (!filter_passes(s->keep.builtin[i], &in)) return i;
            continue;
        }
        StageScriptArgs args;
        stage_script_args(rs, &args);
        double v;
        char e[1024];
        const GraphHooks *h = &c->g->hooks;
        if (h->call_fn(h->ctx, SCRIPT_FN_FILTER, s->keep.name[i], &args.a, &v, e, sizeof e)) {
            snprintf(s->script_err, sizeof s->script_err, "filter '%s': %.900s", s->keep.name[i],
                     e);
            return -2;
        }
        if (v == 0) return i;
    }
    return -1;
}

static int write_kept(SampleState *s, long step, const RewardSample *rs, char *err, size_t errlen) {
    void *ctx;
    double acc = reward_builtin("accuracy", &ctx)(ctx, rs);
    double fmt = reward_builtin("format", &ctx)(ctx, rs);
    double lang = reward_builtin("language", &ctx)(ctx, rs);
    char num[5][32], task[16];
    snprintf(num[0], 32, "%ld", step);
    snprintf(num[1], 32, "%.6g", acc);
    snprintf(num[2], 32, "%.6g", fmt);
    snprintf(num[3], 32, "%.6g", lang);
    snprintf(num[4], 32, "%d", rs->length);
    task_spec_name(rs->problem->spec, task, sizeof task);
    const char *row[DATASET_COLS + 1] = {
        num[0],      task,           cipher_script_name(rs->problem->script),
        rs->prompt,  rs->completion, rs->problem->answer,
        s->st->name, num[1],         num[2],
        num[3],      num[4]};
    return csvio_append_row(s->out, row, DATASET_COLS + 1, err, errlen);
}

static int step(void *state, StageCtx *c, MetricsRow *row, char *err, size_t errlen) {
    SampleState *s = state;
    long at = c->done + 1;
    long first = c->done * s->pps;
    int n = (int)(s->n_prompts - first < s->pps ? s->n_prompts - first : s->pps);
    if (n <= 0) return 1;
    const char *prompts[4096];
    for (int b = 0; b < n; b++) {
        TaskSpec spec = s->tasks[world_rng_below(&s->wrng, (uint64_t)s->n_tasks)];
        WorldScript script =
            world_rng_chance(&s->wrng, s->cipher_prob) ? WORLD_CIPHER : WORLD_DIGITS;
        if (task_generate_train(spec, script, &s->wrng, &s->probs[b])) {
            snprintf(err, errlen, "stage '%s': cannot generate a training problem", c->st->name);
            return -1;
        }
        tmpl_prompt(s->probs[b].prompt, s->prompt[b], PROMPT_MAX);
        prompts[b] = s->prompt[b];
    }
    char e[512];
    if (rollout_run(s->ro, c->model, n, prompts, &s->rng, e, sizeof e)) {
        snprintf(err, errlen, "stage '%s': %s", c->st->name, e);
        return -1;
    }
    long gen = 0, kept = 0, dup = 0, cap = 0, rej[SAMPLE_MAX_KEEP] = {0};
    int shown = 0;
    for (int i = 0; i < rollout_count(s->ro); i++) {
        int b = i / s->k;
        RewardSample rs = {.prompt = s->prompt[b],
                           .completion = rollout_text(s->ro, i),
                           .problem = &s->probs[b],
                           .length = rollout_length(s->ro, i),
                           .max_length = s->max_new,
                           .truncated = rollout_truncated(s->ro, i)};
        gen++;
        int f = first_failure(s, c, &rs);
        if (f == -2) {
            snprintf(err, errlen, "stage '%s': %.900s", c->st->name, s->script_err);
            return -1;
        }
        if (f >= 0) {
            rej[f]++;
            continue;
        }
        int *seen =
            hc_slot(&s->seen, hash_text(hash_text(CACHE_HASH_INIT, rs.prompt), rs.completion));
        int *per = hc_slot(&s->per, hash_text(CACHE_HASH_INIT, rs.prompt));
        if (!seen || !per) {
            snprintf(err, errlen, "stage '%s': out of memory", c->st->name);
            return -1;
        }
        if (*seen) {
            dup++;
            continue;
        }
        if (s->per_prompt > 0 && *per >= s->per_prompt) {
            cap++;
            continue;
        }
        (*seen)++;
        (*per)++;
        kept++;
        if (write_kept(s, at, &rs, err, errlen)) return -1;
        if (!shown++) {
            const char *names[] = {"kept", "of"};
            double v[] = {(double)(s->kept + kept), (double)(s->generated + gen)};
            c->publish(c->publish_ctx, rs.prompt, rs.completion, names, v, 2);
        }
    }
    s->generated += gen;
    s->kept += kept;
    s->duplicates += dup;
    s->capped += cap;
    for (int i = 0; i < s->keep.n; i++) s->rejected[i] += rej[i];
    int col = 0;
    stage_row_set(row, s->cols[col++], (double)gen);
    stage_row_set(row, s->cols[col++], (double)kept);
    for (int i = 0; i < s->keep.n; i++) stage_row_set(row, s->cols[col++], (double)rej[i]);
    stage_row_set(row, s->cols[col++], (double)dup);
    stage_row_set(row, s->cols[col++], (double)cap);
    stage_row_set(row, s->cols[col++], (double)s->kept);
    stage_row_set(row, s->cols[col++], (double)s->generated);
    stage_row_set(row, s->cols[col++], s->generated ? (double)s->kept / (double)s->generated : 0);
    return 0;
}

/* The resume point beyond kept.csv: both random streams and the counts. */
static int save(void *state, StageCtx *c, const char *prefix, char *err, size_t errlen) {
    (void)c;
    SampleState *s = state;
    char p[4200], text[1024];
    int n =
        snprintf(text, sizeof text, "r1sim-sample-1 %llu %llu %llu %llu %llu %ld %ld %ld %ld",
                 (unsigned long long)s->rng.s[0], (unsigned long long)s->rng.s[1],
                 (unsigned long long)s->rng.s[2], (unsigned long long)s->rng.s[3],
                 (unsigned long long)s->wrng.s, s->generated, s->kept, s->duplicates, s->capped);
    for (int i = 0; i < s->keep.n; i++)
        n += snprintf(text + n, sizeof text - (size_t)n, " %ld", s->rejected[i]);
    n += snprintf(text + n, sizeof text - (size_t)n, "\n");
    snprintf(p, sizeof p, "%s.state", prefix);
    const void *parts[] = {text};
    size_t sizes[] = {(size_t)n};
    return atomic_write_parts(p, parts, sizes, 1, err, errlen);
}

static int load(void *state, StageCtx *c, const char *prefix, char *err, size_t errlen) {
    SampleState *s = state;
    char p[4200];
    snprintf(p, sizeof p, "%s.state", prefix);
    FILE *f = fopen(p, "r");
    unsigned long long w[5];
    long cnt[4 + SAMPLE_MAX_KEEP];
    int ok = f && fscanf(f, "r1sim-sample-1 %llu %llu %llu %llu %llu %ld %ld %ld %ld", &w[0], &w[1],
                         &w[2], &w[3], &w[4], &cnt[0], &cnt[1], &cnt[2], &cnt[3]) == 9;
    for (int i = 0; ok && i < s->keep.n; i++) ok = fscanf(f, " %ld", &cnt[4 + i]) == 1;
    if (f) fclose(f);
    if (!ok) {
        snprintf(err, errlen, "stage '%s': %s: not a sample resume point", c->st->name, p);
        return -1;
    }
    for (int i = 0; i < 4; i++) s->rng.s[i] = w[i];
    s->wrng.s = w[4];
    s->generated = cnt[0];
    s->kept = cnt[1];
    s->duplicates = cnt[2];
    s->capped = cnt[3];
    for (int i = 0; i < s->keep.n; i++) s->rejected[i] = cnt[4 + i];
    return 0;
}

/* The general rows of one input, appended as dataset rows to *rows. */
typedef struct {
    CsvTable t[4];
    int n_tables;
    const char **cells; /* DATASET_COLS per row */
    char (*answer)[64];
    size_t n, cap;
} GeneralRows;

static int read_general(StageCtx *c, GeneralRows *g, char *err, size_t errlen) {
    int n_in = stage_input_count(c, "general");
    for (int d = 0; d < n_in && d < 4; d++) {
        char p[4200];
        stage_input_file(c, "general", d, p, sizeof p);
        CsvTable *t = &g->t[g->n_tables];
        if (csvio_read(p, t, err, errlen)) return -1;
        g->n_tables++;
        static const char *const need[] = {"prompt", "completion"};
        int idx[2];
        if (csvio_cols(t, need, 2, idx, err, errlen)) return -1;
        int kind = csvio_col(t, "kind");
        size_t want = g->n + t->nrows;
        g->cells = realloc(g->cells, want * DATASET_COLS * sizeof *g->cells);
        g->answer = realloc(g->answer, want * sizeof *g->answer);
        if (!g->cells || !g->answer) {
            snprintf(err, errlen, "stage '%s': out of memory", c->st->name);
            return -1;
        }
        for (size_t r = 0; r < t->nrows; r++, g->n++) {
            const char **row = g->cells + g->n * DATASET_COLS;
            const char *completion = csvio_cell(t, r, (size_t)idx[1]);
            CompletionParts parts;
            completion_parse(completion, &parts);
            snprintf(g->answer[g->n], sizeof g->answer[0], "%.*s",
                     parts.answer ? (int)parts.answer_len : 0, parts.answer ? parts.answer : "");
            row[0] = kind >= 0 ? csvio_cell(t, r, (size_t)kind) : "general";
            row[1] = "digits";
            row[2] = csvio_cell(t, r, (size_t)idx[0]);
            row[3] = completion;
            row[4] = g->answer[g->n];
            row[5] = stage_input_name(c, "general", d);
            row[6] = row[7] = row[8] = row[9] = "";
        }
    }
    return 0;
}

static void general_free(GeneralRows *g) {
    for (int i = 0; i < g->n_tables; i++) csvio_free(&g->t[i]);
    free(g->cells);
    free(g->answer);
}

/* dataset.csv: the kept rows, then general rows to make general_ratio of
 * the total (rounded to the nearest row), drawn in a seeded shuffled order
 * and reused cyclically when the inputs hold fewer. */
static int finish(void *state, StageCtx *c, char *err, size_t errlen) {
    SampleState *s = state;
    static const char *const header[] = {DATASET_HEADER};
    char kp[4200], dp[4200];
    stage_file(c, "kept.csv", kp, sizeof kp);
    stage_file(c, "dataset.csv", dp, sizeof dp);
    int rc = csvio_append_close(s->out, err, errlen);
    s->out = NULL;
    if (rc) return -1;
    CsvTable kept;
    if (csvio_read(kp, &kept, err, errlen)) return -1;
    GeneralRows g = {0};
    CsvWriter *w = NULL;
    size_t *order = NULL;
    rc = -1;
    double ratio = stage_opt_num(c->st, "general_ratio");
    size_t n_general = (size_t)llround(ratio * (double)kept.nrows / (1.0 - ratio));
    if (read_general(c, &g, err, errlen)) goto done;
    if (n_general > 0 && g.n == 0) {
        snprintf(err, errlen,
                 "stage '%s': general_ratio %g needs a general input (a CSV with prompt and "
                 "completion, such as data/general.csv)",
                 c->st->name, ratio);
        goto done;
    }
    w = csvio_writer_open(dp, header, DATASET_COLS, err, errlen);
    if (!w) goto done;
    for (size_t r = 0; r < kept.nrows; r++)
        if (csvio_writer_row(w, (const char *const *)&kept.cells[r * kept.ncols + 1], DATASET_COLS,
                             err, errlen))
            goto done;
    order = malloc((g.n ? g.n : 1) * sizeof *order);
    if (!order) goto done;
    for (size_t i = 0; i < g.n; i++) order[i] = i;
    WorldRng shuffle;
    world_rng_seed(&shuffle, c->seed ^ 0x47454e4552414cULL);
    for (size_t i = g.n; i > 1; i--) {
        size_t j = (size_t)world_rng_below(&shuffle, i);
        size_t t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
    for (size_t i = 0; i < n_general; i++)
        if (csvio_writer_row(w, g.cells + order[i % g.n] * DATASET_COLS, DATASET_COLS, err, errlen))
            goto done;
    rc = csvio_writer_commit(w, err, errlen);
    w = NULL;
done:
    csvio_writer_abort(w);
    free(order);
    general_free(&g);
    csvio_free(&kept);
    return rc;
}

static void headline(const char *const *names, const double *values, int n, char *buf, size_t cap) {
    double kept = stage_row_value(names, values, n, "kept_total");
    double gen = stage_row_value(names, values, n, "generated_total");
    if (isnan(kept) || isnan(gen))
        buf[0] = 0;
    else
        snprintf(buf, cap, "kept %.0f/%.0f", kept, gen);
}

static int check(const Stage *st, const GraphHooks *hooks, char *err, size_t errlen) {
    KeepList keep;
    if (keep_parse(st, hooks, &keep, err, errlen)) return -1;
    static const char *const need[] = {"prompt", "completion"};
    return stage_check_file_columns(st, "general", need, 2, err, errlen);
}

static int script_fns(const Stage *st, const GraphHooks *hooks, ScriptFnKind *kinds,
                      char (*names)[GRAPH_NAME], int max) {
    KeepList keep;
    char err[512];
    if (keep_parse(st, hooks, &keep, err, sizeof err)) return 0;
    int n = 0;
    for (int i = 0; i < keep.n && n < max; i++)
        if (!keep.builtin[i]) {
            kinds[n] = SCRIPT_FN_FILTER;
            memcpy(names[n++], keep.name[i], GRAPH_NAME);
        }
    return n;
}

static const char *const kept_file[] = {"kept.csv", NULL};

static void work(const Stage *st, const StageWorkIn *in, StageWork *out) {
    double n = stage_opt_num(st, "n_prompts"), k = stage_opt_num(st, "k");
    double per = stage_opt_num(st, "per_prompt"), g = stage_opt_num(st, "general_ratio");
    out->decode = n * k * stage_opt_num(st, "max_new_tokens");
    out->rows_out = n * (per > 0 && per < k ? per : k) / (1 - g);
    out->upper = 1;
}

static const StageOps ops = {
    .work = work,
    .open = open_sample,
    .columns = columns,
    .step = step,
    .save = save,
    .load = load,
    .step_files = kept_file,
    .start = start,
    .finish = finish,
    .headline = headline,
    .free = free_state,
    .check = check,
    .script_fns = script_fns,
};

static void sample_note(const Stage *st, char *buf, size_t cap) {
    snprintf(buf, cap,
             "Rejection sampling: the model answers each of %s problems %s times and keeps "
             "the answers that pass '%s' (at most %s per problem), as R1 kept 600k reasoning "
             "samples for its second round of SFT. Watch the acceptance rate: it is how good "
             "the model already is.",
             stage_opt(st, "n_prompts"), stage_opt(st, "k"), stage_opt(st, "keep"),
             stage_opt(st, "per_prompt"));
}

const StageKind stage_kind_sample = {
    .name = "sample",
    .note = sample_note,
    .summary = "rejection sampling: a checkpoint's filtered completions (+ general rows) as data",
    .options = options,
    .roles = {{"policy", INPUT_CHECKPOINT, 1, 1, "the checkpoint to sample"},
              {"general", INPUT_DATASET, 0, 4,
               "non-reasoning rows to mix in (CSV: prompt, completion, optional kind)"}},
    .n_roles = 2,
    .makes_dataset = true,
    .code_version = "sample-2", /* decode through the few-row product */
    .ops = &ops,
};
