#include "pipeline/stage_grpo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/checkpoint.h"
#include "world/csvio.h"
#include "pipeline/runner.h"
#include "train/grpo.h"
#include "world/completion.h"

static const char *const builtin_names =
    "accuracy, format, tag_count, language, repetition, cosine_length, soft_overlong";

int grpo_rewards_parse(const Stage *st, const GraphHooks *hooks, GrpoRewardList *out, char *err,
                       size_t errlen) {
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
        if (out->n >= GRPO_STAGE_MAX_REWARDS || strlen(item) >= GRAPH_NAME) {
            snprintf(err, errlen, "stage '%s': rewards: at most %d names of under %d characters",
                     st->name, GRPO_STAGE_MAX_REWARDS, GRAPH_NAME);
            return -1;
        }
        void *ctx;
        int builtin = reward_builtin(item, &ctx) != NULL;
        int scripted =
            !builtin && hooks && hooks->has_reward && hooks->has_reward(hooks->ctx, item);
        if (!builtin && !scripted) {
            snprintf(err, errlen,
                     "stage '%s': rewards: '%s' is neither built in (%s) nor defined with "
                     "r1sim.reward",
                     st->name, item, builtin_names);
            return -1;
        }
        memcpy(out->names[out->n], item, strlen(item) + 1);
        out->weights[out->n] = w;
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
    CompletionParts parts;
    completion_parse(s->completion, &parts);
    char task[16] = "";
    if (s->problem) task_spec_name(s->problem->spec, task, sizeof task);
    GraphRewardArgs a = {.prompt = s->prompt,
                         .completion = s->completion,
                         .question = s->problem ? s->problem->prompt : "",
                         .expected = s->problem ? s->problem->answer : "",
                         .task = task,
                         .thought = parts.thought,
                         .thought_len = parts.thought_len,
                         .answer = parts.answer,
                         .answer_len = parts.answer_len,
                         .well_formed = parts.well_formed,
                         .length = s->length,
                         .max_length = s->max_length,
                         .truncated = s->truncated};
    double score;
    char e[1024];
    if (sr->hooks->reward(sr->hooks->ctx, sr->name, &a, &score, e, sizeof e)) {
        if (!sr->err[0]) snprintf(sr->err, sr->errlen, "reward '%s': %s", sr->name, e);
        return NAN;
    }
    return score;
}

struct GrpoStage {
    const Stage *st;
    Grpo *grpo;
    GrpoRewardList list;
    ScriptReward script[GRPO_STAGE_MAX_REWARDS];
    char script_err[1024];
    int ref_resets; /* the reference moves, so a resume point keeps it */
    long steps, samples_every;
    CsvAppender *samples;
    GrpoStep last;
    int have_last;
    int n_cols;
    char cols[METRICS_MAX_VALUES][METRICS_NAME];
};

static int config_from_options(const Stage *st, GrpoConfig *c, char *err, size_t errlen) {
    *c = grpo_defaults();
    c->steps = (int)stage_opt_num(st, "steps");
    c->prompts_per_step = (int)stage_opt_num(st, "prompts_per_step");
    c->group_size = (int)stage_opt_num(st, "group_size");
    c->max_new_tokens = (int)stage_opt_num(st, "max_new_tokens");
    c->temperature = (float)stage_opt_num(st, "temperature");
    c->top_p = (float)stage_opt_num(st, "top_p");
    c->optim.lr = (float)stage_opt_num(st, "lr");
    c->optim.warmup_steps = (int)stage_opt_num(st, "warmup");
    c->optim.grad_clip = (float)stage_opt_num(st, "grad_clip");
    c->beta = (float)stage_opt_num(st, "beta");
    c->eps_low = (float)stage_opt_num(st, "eps_low");
    c->eps_high = (float)stage_opt_num(st, "eps_high");
    c->mu = (int)stage_opt_num(st, "mu");
    c->minibatches = (int)stage_opt_num(st, "minibatches");
    c->scale_rewards = (int)stage_opt_num(st, "scale_rewards");
    c->mask_truncated = (int)stage_opt_num(st, "mask_truncated");
    c->ref_reset_every = (int)stage_opt_num(st, "ref_reset_every");
    c->cipher_prob = stage_opt_num(st, "cipher_prob");
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

enum { GRPO_FIXED_COLUMNS = 18 }; /* reward, then the 17 measured whatever the rewards */
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

GrpoStage *grpo_stage_open(const Graph *g, const Stage *st, Gpt *model, unsigned long long seed,
                           char *err, size_t errlen) {
    GrpoStage *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->st = st;
    GrpoConfig cfg;
    if (config_from_options(st, &cfg, err, errlen) ||
        grpo_rewards_parse(st, &g->hooks, &s->list, err, errlen))
        goto fail;
    cfg.seed = seed;
    RewardTerm terms[GRPO_STAGE_MAX_REWARDS];
    for (int k = 0; k < s->list.n; k++) {
        terms[k].name = s->list.names[k];
        terms[k].weight = s->list.weights[k];
        if (s->list.scripted[k]) {
            s->script[k] =
                (ScriptReward){&g->hooks, s->list.names[k], s->script_err, sizeof s->script_err};
            terms[k].fn = script_reward;
            terms[k].ctx = &s->script[k];
        } else {
            terms[k].fn = reward_builtin(s->list.names[k], &terms[k].ctx);
        }
    }
    char e[512];
    s->grpo = grpo_new(model, &cfg, terms, s->list.n, e, sizeof e);
    if (!s->grpo) {
        snprintf(err, errlen, "stage '%s': %s", st->name, e);
        goto fail;
    }
    s->steps = cfg.steps;
    s->samples_every = (long)stage_opt_num(st, "samples_every");
    MetricsRow names;
    GrpoStep zero = {0};
    fill_row(s, &zero, &names);
    s->n_cols = names.n;
    memcpy(s->cols, names.names, sizeof s->cols);
    s->ref_resets = cfg.ref_reset_every > 0;
    return s;
fail:
    grpo_stage_free(s);
    return NULL;
}

int grpo_stage_open_samples(GrpoStage *s, const char *path, char *err, size_t errlen) {
    const char *hdr[8 + GRPO_STAGE_MAX_REWARDS] = {"step",   "group",     "prompt", "completion",
                                                   "reward", "advantage", "length", "truncated"};
    for (int k = 0; k < s->list.n; k++) hdr[8 + k] = s->list.names[k];
    s->samples = csvio_append_open(path, hdr, 8 + (size_t)s->list.n, err, errlen);
    return s->samples ? 0 : -1;
}

int grpo_stage_save(GrpoStage *s, const char *state_path, const char *ref_path, char *err,
                    size_t errlen) {
    if (s->ref_resets && ckpt_save(grpo_reference(s->grpo), ref_path, err, errlen)) return -1;
    return grpo_save_state(s->grpo, state_path, err, errlen);
}

int grpo_stage_load(GrpoStage *s, const char *state_path, const char *ref_path, char *err,
                    size_t errlen) {
    if (s->ref_resets) {
        Gpt *ref = ckpt_load(ref_path, err, errlen);
        if (!ref) return -1;
        gpt_copy_params(grpo_reference(s->grpo), ref);
        gpt_free(ref);
    }
    return grpo_load_state(s->grpo, state_path, err, errlen);
}

void grpo_stage_free(GrpoStage *s) {
    if (!s) return;
    csvio_append_close(s->samples, NULL, 0);
    grpo_free(s->grpo);
    free(s);
}

long grpo_stage_total(const GrpoStage *s) {
    return s->steps;
}

int grpo_stage_columns(const GrpoStage *s, const char **names, int max) {
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
static void publish_sample(const GrpoStage *s, long step) {
    int n = grpo_num_samples(s->grpo);
    GrpoSample x;
    grpo_sample(s->grpo, (int)((step * 7) % n), &x);
    const char *names[GRPO_STAGE_MAX_REWARDS + 2] = {"reward", "advantage"};
    double values[GRPO_STAGE_MAX_REWARDS + 2] = {x.reward, x.advantage};
    for (int k = 0; k < s->list.n; k++) {
        names[2 + k] = s->list.names[k];
        values[2 + k] = x.term[k];
    }
    runner_publish_sample(x.prompt, x.completion, names, values, 2 + s->list.n);
}

int grpo_stage_step(GrpoStage *s, long step, MetricsRow *row, char *err, size_t errlen) {
    char e[1024];
    int rc = grpo_step(s->grpo, &s->last, e, sizeof e);
    if (rc != 0) {
        /* A script reward's own message says more than the NaN it became. */
        snprintf(err, errlen, "stage '%s': %s", s->st->name, s->script_err[0] ? s->script_err : e);
        return -1;
    }
    s->have_last = 1;
    fill_row(s, &s->last, row);
    publish_sample(s, step);
    if (step == 1 || step % s->samples_every == 0 || step == s->steps)
        return write_samples(s, step, err, errlen);
    return 0;
}

void grpo_stage_headline(const GrpoStage *s, char *buf, size_t cap) {
    if (!s->have_last)
        buf[0] = 0;
    else
        snprintf(buf, cap, "acc %.2f len %.0f", s->last.accuracy, s->last.mean_length);
}
