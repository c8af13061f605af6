/* The grpo kind: reads its options into a GrpoConfig, resolves its rewards
 * (built-ins by name, the script's through the graph's hooks), steps the
 * GRPO trainer, and turns each step into a metrics row; every
 * `samples_every` steps the whole rollout batch goes to samples.csv. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/checkpoint.h"
#include "pipeline/stage_kind.h"
#include "pipeline/stage_options.h"
#include "pipeline/step_records.h"
#include "train/grpo.h"
#include "train/reward_model.h"
#include "world/completion.h"
#include "world/csvio.h"

enum { GRPO_STAGE_MAX_REWARDS = 16 };

typedef struct {
    int n;
    char names[GRPO_STAGE_MAX_REWARDS][GRAPH_NAME];
    double weights[GRPO_STAGE_MAX_REWARDS];
    long from[GRPO_STAGE_MAX_REWARDS];    /* counts from this step; 0 from the first */
    int scripted[GRPO_STAGE_MAX_REWARDS]; /* 1: defined by the script, not built in */
} GrpoRewardList;

/* The learned reward, scored by the stage's reward_model input. */
#define PREFERENCE "preference"

static int has_reward_model(const Stage *st) {
    for (int i = 0; i < st->n_inputs; i++)
        if (st->input_role[i] >= 0 && st->kind->roles[st->input_role[i]].type == INPUT_REWARD_MODEL)
            return 1;
    return 0;
}

static const char *const builtin_names =
    "accuracy, format, tag_count, language, repetition, cosine_length, soft_overlong, and "
    "preference with a reward model";

/* Stands for the script's hooks when the names were checked at load and
 * only the list is wanted: the view's thread must not call into Lua. */
static const GraphHooks names_checked;

/* Parses the `rewards` option, "accuracy=1,format=0.5,preference@150=1" (a
 * bare name weighs 1; NAME@N counts from step N on). Each name must be a
 * built-in reward, `preference` with a reward_model input, or one the script
 * defines (hooks may be NULL: built-ins only). -1 with a message naming the
 * stage otherwise. */
static int grpo_rewards_parse(const Stage *st, const GraphHooks *hooks, GrpoRewardList *out,
                              char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    const char *p = stage_opt(st, "rewards");
    if (!p) p = "";
    while (*p) {
        size_t len = strcspn(p, ",");
        char item[256];
        snprintf(item, sizeof item, "%.*s", (int)len, p);
        p += len + (p[len] == ',');
        char *eq = strchr(item, '=');
        double w = 1.0;
        if (eq) {
            *eq = 0;
            char *end;
            w = strtod(eq + 1, &end);
            if (end == eq + 1 || *end || !isfinite(w)) {
                snprintf(err, errlen, "stage '%s': rewards: weight of '%s' is not a number",
                         st->name, item);
                return -1;
            }
        }
        if (!item[0]) continue;
        char *at = strchr(item, '@');
        long from = 0;
        if (at) {
            *at = 0;
            char *end;
            from = strtol(at + 1, &end, 10);
            if (end == at + 1 || *end || from < 1) {
                snprintf(err, errlen,
                         "stage '%s': rewards: '%s@%s': expected a first step of 1 or more",
                         st->name, item, at + 1);
                return -1;
            }
        }
        if (out->n >= GRPO_STAGE_MAX_REWARDS || strlen(item) >= GRAPH_NAME) {
            snprintf(err, errlen, "stage '%s': rewards: at most %d names of under %d characters",
                     st->name, GRPO_STAGE_MAX_REWARDS, GRAPH_NAME);
            return -1;
        }
        void *ctx;
        int builtin = reward_builtin(item, &ctx) != NULL;
        if (strcmp(item, PREFERENCE) == 0) {
            if (!has_reward_model(st)) {
                snprintf(err, errlen,
                         "stage '%s': rewards: 'preference' needs a reward model among the "
                         "inputs (inputs = {policy = ..., reward_model = a reward_model stage})",
                         st->name);
                return -1;
            }
            builtin = 1;
        }
        int scripted =
            !builtin &&
            (hooks == &names_checked ||
             (hooks && hooks->has_fn && hooks->has_fn(hooks->ctx, SCRIPT_FN_REWARD, item)));
        if (!builtin && !scripted) {
            snprintf(err, errlen,
                     "stage '%s': rewards: '%s' is neither built in (%s) nor defined with "
                     "r1sim.reward",
                     st->name, item, builtin_names);
            return -1;
        }
        memcpy(out->names[out->n], item, strlen(item) + 1);
        out->weights[out->n] = w;
        out->from[out->n] = from;
        out->scripted[out->n] = scripted;
        out->n++;
    }
    if (out->n == 0) {
        snprintf(err, errlen, "stage '%s': rewards: no reward named", st->name);
        return -1;
    }
    return 0;
}

/* A script reward seen through the RewardFn signature: an error is kept for
 * the stage to report and turned into NaN, which the trainer refuses. */
typedef struct {
    const GraphHooks *hooks;
    const char *name;
    char *err; /* the stage's first script error */
    size_t errlen;
} ScriptReward;

static double script_reward(void *ctx, const RewardSample *s) {
    ScriptReward *sr = ctx;
    StageScriptArgs args;
    stage_script_args(s, &args);
    double score;
    char e[1024];
    if (sr->hooks->call_fn(sr->hooks->ctx, SCRIPT_FN_REWARD, sr->name, &args.a, &score, e,
                           sizeof e)) {
        if (!sr->err[0]) snprintf(sr->err, sr->errlen, "reward '%s': %s", sr->name, e);
        return NAN;
    }
    return score;
}

/* The preference reward: the reward model's score of each completion on a
 * general prompt, one batched forward per step. */
typedef struct {
    Gpt *rm;
    int answer_only, standardize;
} Preference;

static int preference_batch(void *ctx, const RewardSample *const *s, int n, double *out, char *err,
                            size_t errlen) {
    Preference *p = ctx;
    const char **prompts = calloc((size_t)n, sizeof *prompts);
    const char **texts = calloc((size_t)n, sizeof *texts);
    float *score = malloc(sizeof *score * (size_t)n);
    int rc = -1;
    if (!prompts || !texts || !score) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    for (int i = 0; i < n; i++) {
        prompts[i] = s[i]->prompt;
        texts[i] = s[i]->completion;
    }
    if (rm_score(p->rm, prompts, texts, n, p->answer_only, score, err, errlen)) goto done;
    double mean = 0, var = 0;
    for (int i = 0; i < n; i++) mean += score[i];
    mean /= n;
    for (int i = 0; i < n; i++) var += (score[i] - mean) * (score[i] - mean);
    double sd = sqrt(var / n);
    for (int i = 0; i < n; i++)
        out[i] = p->standardize ? (sd > 1e-6 ? (score[i] - mean) / sd : 0) : score[i];
    rc = 0;
done:
    free(prompts);
    free(texts);
    free(score);
    return rc;
}

typedef struct GrpoStage {
    const Stage *st;
    Preference pref;
    Grpo *grpo;
    GrpoRewardList list;
    ScriptReward script[GRPO_STAGE_MAX_REWARDS];
    char script_err[1024];
    int ref_resets; /* the reference moves, so a resume point keeps it */
    int general;    /* general prompts: their own columns */
    long steps, samples_every;
    CsvAppender *samples, *tokens;
    int n_cols;
    char cols[METRICS_MAX_VALUES][METRICS_NAME];
} GrpoStage;

static const char *check_loss_type(const char *v) {
    GrpoLossType t;
    return grpo_loss_type_from_name(v, &t) ? "grpo, dapo or dr_grpo" : NULL;
}

/* "name=weight,...": the names are resolved when the script has loaded. */
static const char *check_rewards(const char *v) {
    static const char *const want =
        "name=weight pairs such as accuracy=1,format=0.5 (name@N=weight from step N on)";
    int n = 0;
    while (*v) {
        size_t len = strcspn(v, ",");
        const char *eq = memchr(v, '=', len);
        if (len == 0 || eq == v) return want;
        const char *at = memchr(v, '@', eq ? (size_t)(eq - v) : len);
        if (at) {
            const char *d = at + 1, *stop = eq ? eq : v + len;
            if (d == stop || *d == '0') return want;
            for (; d < stop; d++)
                if (*d < '0' || *d > '9') return want;
        }
        if (eq) {
            char *end;
            strtod(eq + 1, &end);
            if (end == eq + 1 || end != v + len) return want;
        }
        v += len + (v[len] == ',');
        n++;
    }
    return n ? NULL : want;
}

/* Defaults are grpo_defaults(): the working values at this size
 * (docs/design.md), with lr 5e-5 (2e-4 collapses the bases pretrained here). */
#define F(type, member) OPT_FIELD(type, GrpoConfig, member)
static const OptSpec options[] = {
    {"task", OPT_STRING, "add3", 0, 0, "training problems: a task or a comma-separated list",
     stage_check_task_list, FIELD_NONE, 0},
    {"steps", OPT_INTEGER, NULL, 1, 1e9, "GRPO steps (rollout batches)", NULL, F(FIELD_INT, steps)},
    {"prompts_per_step", OPT_INTEGER, NULL, 1, 1024, "B: prompts per step", NULL,
     F(FIELD_INT, prompts_per_step)},
    {"group_size", OPT_INTEGER, NULL, 2, 1024, "G: completions per prompt", NULL,
     F(FIELD_INT, group_size)},
    {"max_new_tokens", OPT_INTEGER, NULL, 1, 4096, "completion limit", NULL,
     F(FIELD_INT, max_new_tokens)},
    {"temperature", OPT_NUMBER, NULL, 0.01, 10, "sampling temperature", NULL,
     F(FIELD_FLOAT, temperature)},
    {"top_p", OPT_NUMBER, NULL, 0.01, 1, "nucleus sampling mass", NULL, F(FIELD_FLOAT, top_p)},
    {"lr", OPT_NUMBER, NULL, 0, 1, "peak learning rate", NULL, F(FIELD_FLOAT, optim.lr)},
    {"warmup", OPT_INTEGER, NULL, 0, 1e9, "linear warm-up steps (optimizer updates)", NULL,
     F(FIELD_INT, optim.warmup_steps)},
    {"cosine", OPT_INTEGER, "0", 0, 1, "1: cosine decay of lr to 10 % over the stage", NULL,
     FIELD_NONE, 0},
    {"grad_clip", OPT_NUMBER, NULL, 0, 1e9, "global gradient-norm clip; 0 off", NULL,
     F(FIELD_FLOAT, optim.grad_clip)},
    {"beta", OPT_NUMBER, NULL, 0, 100, "KL coefficient to the reference", NULL,
     F(FIELD_FLOAT, beta)},
    {"eps_low", OPT_NUMBER, NULL, 0, 1, "clip range below 1", NULL, F(FIELD_FLOAT, eps_low)},
    {"eps_high", OPT_NUMBER, NULL, 0, 10, "clip range above 1 (DAPO clip-higher: 0.28)", NULL,
     F(FIELD_FLOAT, eps_high)},
    {"mu", OPT_INTEGER, NULL, 1, 64, "passes over each rollout batch", NULL, F(FIELD_INT, mu)},
    {"minibatches", OPT_INTEGER, NULL, 1, 4096, "optimizer steps per pass", NULL,
     F(FIELD_INT, minibatches)},
    {"loss_type", OPT_STRING, "grpo", 0, 0, "grpo, dapo or dr_grpo", check_loss_type, FIELD_NONE,
     0},
    {"scale_rewards", OPT_INTEGER, NULL, 0, 1, "divide advantages by the group std (0: Dr. GRPO)",
     NULL, F(FIELD_INT, scale_rewards)},
    {"mask_truncated", OPT_INTEGER, NULL, 0, 1, "no loss on completions that hit the limit", NULL,
     F(FIELD_INT, mask_truncated)},
    {"ref_reset_every", OPT_INTEGER, NULL, 0, 1e9,
     "copy the policy into the reference every N steps; 0 never", NULL,
     F(FIELD_INT, ref_reset_every)},
    {"cipher_prob", OPT_NUMBER, NULL, 0, 1, "share of prompts in the letter cipher", NULL,
     F(FIELD_DOUBLE, cipher_prob)},
    {"general_share", OPT_NUMBER, NULL, 0, 1,
     "share of prompts that are general questions (RL for all scenarios)", NULL,
     F(FIELD_DOUBLE, general_share)},
    {"general_from", OPT_INTEGER, NULL, 0, 1e9,
     "general prompts from this step on (the paper: with the preference reward); 0 from the first",
     NULL, F(FIELD_INT, general_from)},
    {"preference_answer_only", OPT_INTEGER, "1", 0, 1,
     "the preference reward scores the answer block only (as its reward model was trained)", NULL,
     FIELD_NONE, 0},
    {"preference_standardize", OPT_INTEGER, "0", 0, 1,
     "standardise the reward model's scores over the step's general completions", NULL, FIELD_NONE,
     0},
    {"rewards", OPT_STRING, "accuracy=1,format=0.5", 0, 0,
     "name=weight list: built-ins or r1sim.reward names", check_rewards, FIELD_NONE, 0},
    {"samples_every", OPT_INTEGER, "10", 1, 1e9, "steps between rollouts kept in samples.csv", NULL,
     FIELD_NONE, 0},
    {"save_every", OPT_INTEGER, "25", 1, 1e9, "steps between resume points", NULL, FIELD_NONE, 0},
    {"seed", OPT_INTEGER, NULL, 0, 1e15, "sampling and prompt seed", NULL, F(FIELD_U64, seed)},
    OPT_END,
};
#undef F

static int config_from_options(const Stage *st, GrpoConfig *c, char *err, size_t errlen) {
    stage_options_fill(st, c);
    if (stage_opt_num(st, "cosine") != 0) {
        c->optim.total_steps = c->steps * c->mu * c->minibatches;
        c->optim.min_lr_frac = 0.1f;
    }
    if (grpo_loss_type_from_name(stage_opt(st, "loss_type"), &c->loss_type)) {
        snprintf(err, errlen, "stage '%s': loss_type '%s': expected grpo, dapo or dr_grpo",
                 st->name, stage_opt(st, "loss_type"));
        return -1;
    }
    c->n_tasks = task_spec_parse_list(stage_opt(st, "task"), c->tasks, GRPO_MAX_TASKS);
    if (c->n_tasks < 0) {
        snprintf(err, errlen, "stage '%s': task '%s': expected e.g. add3 or add3,sub3 (at most %d)",
                 st->name, stage_opt(st, "task"), GRPO_MAX_TASKS);
        return -1;
    }
    return 0;
}

enum { GRPO_FIXED_COLUMNS = 20 }; /* reward, then up to 19 measured whatever the rewards */
_Static_assert(GRPO_FIXED_COLUMNS + GRPO_STAGE_MAX_REWARDS <= METRICS_MAX_VALUES,
               "a metrics row must hold every grpo column");

/* The metric columns, in the order grpo_stage_step fills them. */
static void fill_row(const GrpoStage *s, const GrpoStep *x, MetricsRow *row) {
    row->n = 0;
    double v[METRICS_MAX_VALUES];
    const char *names[METRICS_MAX_VALUES];
    int n = 0;
#define COL(name, value) (names[n] = (name), v[n++] = (value))
    COL("reward", x->reward);
    char term[GRPO_STAGE_MAX_REWARDS][METRICS_NAME];
    for (int k = 0; k < s->list.n; k++) {
        snprintf(term[k], sizeof term[k], "reward_%s", s->list.names[k]);
        COL(term[k], x->reward_term[k]);
    }
    COL("accuracy", x->accuracy);
    if (s->general) {
        COL("general_share", x->general_share);
        COL("general_accuracy", x->general_accuracy);
    }
    COL("format_rate", x->format_rate);
    COL("think_rate", x->think_rate);
    COL("kl", x->kl);
    COL("clip_low", x->clip_low);
    COL("clip_high", x->clip_high);
    COL("entropy", x->entropy);
    COL("mean_length", x->mean_length);
    COL("max_length", x->max_length);
    COL("aha", x->aha);
    COL("checks", x->checks);
    COL("zero_variance_groups", x->zero_variance_groups);
    COL("loss", x->loss);
    COL("grad_norm", x->grad_norm);
    COL("lr", x->lr);
    COL("tokens_per_s", x->tokens_per_s);
#undef COL
    for (int i = 0; i < n && i < METRICS_MAX_VALUES; i++) {
        snprintf(row->names[i], METRICS_NAME, "%s", names[i]);
        row->values[i] = v[i];
        row->n++;
    }
}

static void free_state(void *state) {
    GrpoStage *s = state;
    if (!s) return;
    csvio_append_close(s->samples, NULL, 0);
    csvio_append_close(s->tokens, NULL, 0);
    grpo_free(s->grpo);
    gpt_free(s->pref.rm);
    free(s);
}

static void *open_grpo(StageCtx *c, long *total, char *err, size_t errlen) {
    const Stage *st = c->st;
    GrpoStage *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "stage '%s': out of memory", st->name);
        return NULL;
    }
    s->st = st;
    c->model = stage_input_model(c, "policy", 0, err, errlen);
    GrpoConfig cfg;
    if (!c->model || config_from_options(st, &cfg, err, errlen) ||
        grpo_rewards_parse(st, &c->g->hooks, &s->list, err, errlen))
        goto fail;
    cfg.seed = c->seed;
    RewardTerm terms[GRPO_STAGE_MAX_REWARDS];
    memset(terms, 0, sizeof terms);
    for (int k = 0; k < s->list.n; k++) {
        terms[k].name = s->list.names[k];
        terms[k].weight = s->list.weights[k];
        terms[k].from_step = s->list.from[k];
        terms[k].scope = reward_builtin_scope(s->list.names[k]);
        if (strcmp(s->list.names[k], PREFERENCE) == 0) {
            if (!s->pref.rm) {
                s->pref.rm = stage_input_model(c, "reward_model", 0, err, errlen);
                if (!s->pref.rm) goto fail;
                s->pref.answer_only = (int)stage_opt_num(st, "preference_answer_only");
                s->pref.standardize = (int)stage_opt_num(st, "preference_standardize");
            }
            terms[k].scope = REWARD_SCOPE_GENERAL;
            terms[k].batch = preference_batch;
            terms[k].ctx = &s->pref;
        } else if (s->list.scripted[k]) {
            s->script[k] =
                (ScriptReward){&c->g->hooks, s->list.names[k], s->script_err, sizeof s->script_err};
            terms[k].fn = script_reward;
            terms[k].ctx = &s->script[k];
        } else {
            terms[k].fn = reward_builtin(s->list.names[k], &terms[k].ctx);
        }
    }
    char e[512];
    s->grpo = grpo_new(c->model, &cfg, terms, s->list.n, e, sizeof e);
    if (!s->grpo) {
        snprintf(err, errlen, "stage '%s': %s", st->name, e);
        goto fail;
    }
    s->steps = cfg.steps;
    s->samples_every = (long)stage_opt_num(st, "samples_every");
    s->general = cfg.general_share > 0;
    MetricsRow names;
    GrpoStep zero = {0};
    fill_row(s, &zero, &names);
    s->n_cols = names.n;
    memcpy(s->cols, names.names, sizeof s->cols);
    s->ref_resets = cfg.ref_reset_every > 0;
    s->general = cfg.general_share > 0;
    *total = s->steps;
    return s;
fail:
    free_state(s);
    return NULL;
}

static const char *const samples_file[] = {"samples.csv", "tokens.csv", NULL};

/* samples.csv and tokens.csv open (or, on a resume, reopen) before the first
 * step. */
static int start(void *state, StageCtx *c, int resumed, char *err, size_t errlen) {
    (void)resumed;
    GrpoStage *s = state;
    const char *hdr[8 + GRPO_STAGE_MAX_REWARDS] = {"step",   "group",     "prompt", "completion",
                                                   "reward", "advantage", "length", "truncated"};
    for (int k = 0; k < s->list.n; k++) hdr[8 + k] = s->list.names[k];
    char p[4200];
    stage_file(c, "samples.csv", p, sizeof p);
    s->samples = csvio_append_open(p, hdr, 8 + (size_t)s->list.n, err, errlen);
    if (!s->samples) return -1;
    stage_file(c, "tokens.csv", p, sizeof p);
    s->tokens = csvio_append_open(p, step_records_columns, STEP_RECORDS_NCOLS, err, errlen);
    return s->tokens ? 0 : -1;
}

/* A resume point: the trainer's state, and the reference model when
 * ref_reset_every makes it differ from the input. */
static int save(void *state, StageCtx *c, const char *prefix, char *err, size_t errlen) {
    (void)c;
    GrpoStage *s = state;
    char p[4200];
    snprintf(p, sizeof p, "%s.ref.ckpt", prefix);
    if (s->ref_resets && ckpt_save(grpo_reference(s->grpo), p, err, errlen)) return -1;
    snprintf(p, sizeof p, "%s.state", prefix);
    return grpo_save_state(s->grpo, p, err, errlen);
}

static int load(void *state, StageCtx *c, const char *prefix, char *err, size_t errlen) {
    (void)c;
    GrpoStage *s = state;
    char p[4200];
    if (s->ref_resets) {
        snprintf(p, sizeof p, "%s.ref.ckpt", prefix);
        Gpt *ref = ckpt_load(p, err, errlen);
        if (!ref) return -1;
        gpt_copy_params(grpo_reference(s->grpo), ref);
        gpt_free(ref);
    }
    snprintf(p, sizeof p, "%s.state", prefix);
    return grpo_load_state(s->grpo, p, err, errlen);
}

static int columns(const void *state, const char **names, int max) {
    const GrpoStage *s = state;
    int n = s->n_cols < max ? s->n_cols : max;
    for (int i = 0; i < n; i++) names[i] = s->cols[i];
    return n;
}

static int write_samples(GrpoStage *s, long step, char *err, size_t errlen) {
    int n = grpo_num_samples(s->grpo);
    for (int i = 0; i < n; i++) {
        GrpoSample x;
        grpo_sample(s->grpo, i, &x);
        char num[6 + GRPO_STAGE_MAX_REWARDS][32];
        const char *f[8 + GRPO_STAGE_MAX_REWARDS];
        snprintf(num[0], 32, "%ld", step);
        snprintf(num[1], 32, "%d", x.group);
        snprintf(num[2], 32, "%.6g", x.reward);
        snprintf(num[3], 32, "%.6g", x.advantage);
        snprintf(num[4], 32, "%d", x.length);
        snprintf(num[5], 32, "%d", x.truncated);
        f[0] = num[0];
        f[1] = num[1];
        f[2] = x.prompt;
        f[3] = x.completion;
        for (int j = 2; j < 6; j++) f[j + 2] = num[j];
        for (int k = 0; k < s->list.n; k++) {
            snprintf(num[6 + k], 32, "%.6g", x.term[k]);
            f[8 + k] = num[6 + k];
        }
        if (csvio_append_row(s->samples, f, 8 + (size_t)s->list.n, err, errlen)) return -1;
    }
    return 0;
}

/* One completion of the batch for the view, a different group each step. */
static void publish_sample(const GrpoStage *s, const StageCtx *c, long step) {
    int n = grpo_num_samples(s->grpo);
    GrpoSample x;
    grpo_sample(s->grpo, (int)((step * 7) % n), &x);
    const char *names[GRPO_STAGE_MAX_REWARDS + 2] = {"reward", "advantage"};
    double values[GRPO_STAGE_MAX_REWARDS + 2] = {x.reward, x.advantage};
    for (int k = 0; k < s->list.n; k++) {
        names[2 + k] = s->list.names[k];
        values[2 + k] = x.term[k];
    }
    c->publish(c->publish_ctx, x.prompt, x.completion, names, values, 2 + s->list.n);
}

static int step(void *state, StageCtx *c, MetricsRow *row, char *err, size_t errlen) {
    GrpoStage *s = state;
    long at = c->done + 1;
    char e[1024];
    GrpoStep x;
    /* set here, not at open: the runner gives the stop function after that */
    grpo_set_cancel(s->grpo, c->stopping, c->stop_ctx);
    int rc = grpo_step(s->grpo, &x, e, sizeof e);
    if (rc == GRPO_STOPPED) return STAGE_STEP_STOPPED;
    if (rc != 0) {
        /* A script reward's own message says more than the NaN it became. */
        snprintf(err, errlen, "stage '%s': step %ld: %s", s->st->name, at,
                 s->script_err[0] ? s->script_err : e);
        return -1;
    }
    fill_row(s, &x, row);
    publish_sample(s, c, at);
    const GrpoTrace *trace = grpo_trace(s->grpo);
    c->publish_trace(c->trace_ctx, trace);
    if (at == 1 || at % s->samples_every == 0 || at == s->steps) {
        if (write_samples(s, at, err, errlen)) return -1;
        if (trace->step == at && step_records_append(s->tokens, trace, err, errlen)) return -1;
    }
    return 0;
}

int stage_grpo_trace_header(const Stage *st, long step, GrpoTrace *t, char *err, size_t errlen) {
    GrpoConfig c = grpo_defaults();
    GrpoRewardList list;
    if (config_from_options(st, &c, err, errlen) ||
        grpo_rewards_parse(st, &names_checked, &list, err, errlen) == -1)
        return -1;
    if (grpo_trace_reset(t, c.prompts_per_step, c.group_size)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    grpo_trace_config(t, &c);
    t->step = step;
    t->n_rewards = list.n < GRPO_TRACE_REWARDS ? list.n : GRPO_TRACE_REWARDS;
    for (int k = 0; k < t->n_rewards; k++) {
        snprintf(t->reward_name[k], GRPO_TRACE_NAME, "%s", list.names[k]);
        int used = list.from[k] <= 0 || step >= list.from[k];
        t->reward_weight[k] = used ? (float)list.weights[k] : 0.0f;
    }
    return 0;
}

static void headline(const char *const *names, const double *values, int n, char *buf, size_t cap) {
    double acc = stage_row_value(names, values, n, "accuracy");
    double len = stage_row_value(names, values, n, "mean_length");
    if (isnan(acc) || isnan(len))
        buf[0] = 0;
    else
        snprintf(buf, cap, "acc %.2f len %.0f", acc, len);
}

static int check(const Stage *st, const GraphHooks *hooks, char *err, size_t errlen) {
    GrpoRewardList list;
    return grpo_rewards_parse(st, hooks, &list, err, errlen);
}

static int script_fns(const Stage *st, const GraphHooks *hooks, ScriptFnKind *kinds,
                      char (*names)[GRAPH_NAME], int max) {
    GrpoRewardList list;
    char err[512];
    if (grpo_rewards_parse(st, hooks, &list, err, sizeof err)) return 0;
    int n = 0;
    for (int k = 0; k < list.n && n < max; k++)
        if (list.scripted[k]) {
            kinds[n] = SCRIPT_FN_REWARD;
            memcpy(names[n++], list.names[k], GRAPH_NAME);
        }
    return n;
}

static void defaults(void *config) {
    *(GrpoConfig *)config = grpo_defaults();
}

/* Per step: B x G completions sampled, trained on mu times, and through the
 * reference once when beta > 0; a row is the prompt (taken as a quarter of
 * the context) and the completion at its limit. */
static void work(const Stage *st, const StageWorkIn *in, StageWork *out) {
    double steps = stage_opt_num(st, "steps");
    double n = stage_opt_num(st, "prompts_per_step") * stage_opt_num(st, "group_size");
    double new_tokens = stage_opt_num(st, "max_new_tokens");
    double row = in->context / 4.0 + new_tokens;
    out->decode = steps * n * new_tokens;
    out->train = steps * n * row * stage_opt_num(st, "mu");
    if (stage_opt_num(st, "beta") > 0) out->forward = steps * n * row;
    out->upper = 1;
}

static const StageOps ops = {
    .work = work,
    .open = open_grpo,
    .columns = columns,
    .step = step,
    .save = save,
    .load = load,
    .step_files = samples_file,
    .start = start,
    .headline = headline,
    .free = free_state,
    .check = check,
    .script_fns = script_fns,
};

static void grpo_note(const Stage *st, char *buf, size_t cap) {
    const char *rewards = stage_opt(st, "rewards");
    int general = stage_opt_num(st, "general_share") > 0;
    int learned = strstr(rewards, PREFERENCE) != NULL;
    size_t at = (size_t)snprintf(
        buf, cap,
        "GRPO: every step samples %s answers to each of %s prompts, scores them (%s) and "
        "pushes up the answers better than their group's mean, held near the start by a KL "
        "penalty of beta %s; this is R1-Zero's pure RL and R1's reasoning RL. ",
        stage_opt(st, "group_size"), stage_opt(st, "prompts_per_step"), rewards,
        stage_opt(st, "beta"));
    if (at >= cap) return;
    if (general)
        snprintf(buf + at, cap - at,
                 "RL for all scenarios: a share of %s of the prompts are general questions%s. "
                 "Watch reasoning accuracy hold while general accuracy rises%s.",
                 stage_opt(st, "general_share"), learned ? ", scored by the reward model" : "",
                 learned ? "; if the reward model's score climbs while it falls, that is "
                           "reward hacking"
                         : "");
    else
        snprintf(buf + at, cap - at,
                 "Watch accuracy climb and completions lengthen as the model learns to keep "
                 "searching; i opens the step inspector.");
}

const StageKind stage_kind_grpo = {
    .name = "grpo",
    .note = grpo_note,
    .summary = "GRPO with rule rewards (R1-Zero, reasoning RL)",
    .options = options,
    .roles = {{"policy", INPUT_CHECKPOINT, 1, 1, "the checkpoint to train (also the reference)"},
              {"reward_model", INPUT_REWARD_MODEL, 0, 1,
               "a reward_model stage, for the preference reward"}},
    .n_roles = 2,
    .makes_checkpoint = true,
    /* grpo-5: tokens.csv, so that a cached stage can be inspected too
     * (grpo-4: varied general prompts; grpo-3: few-row decode products) */
    .code_version = "grpo-5",
    .ops = &ops,
    .defaults = defaults,
    .config_size = sizeof(GrpoConfig),
};
