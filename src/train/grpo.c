#include "train/grpo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/rng.h"
#include "train/eval.h"
#include "train/grpo_update.h"
#include "train/rollout.h"
#include "train/train_state.h"
#include "world/completion.h"
#include "world/evalset.h"
#include "world/general.h"
#include "world/rng.h"
#include "world/template.h"
#include "world/tokenizer.h"

enum { PROMPT_TEXT_MAX = 96 };

struct Grpo {
    GrpoConfig cfg;
    Gpt *policy, *ref;
    AdamW *opt;
    Rollout *rollout; /* the step's B x G completions, prompt-major */
    bool (*cancel)(void *ctx);
    void *cancel_ctx;
    RewardTerm rewards[GRPO_MAX_REWARDS];
    int n_rewards;
    Rng rng;
    WorldRng world_rng;
    long step;
    int n; /* B * G sequences */
    /* the rollout batch */
    Problem *problems;          /* (B) */
    GeneralItem *general;       /* (B) */
    char *is_general;           /* (B) */
    const RewardSample **batch; /* (n) samples a batch reward scores */
    double *batch_out;          /* (n) */
    char *applies;              /* (n, GRPO_MAX_REWARDS) */
    char *prompt_text;          /* (B, PROMPT_TEXT_MAX) */
    const char **prompt_ptrs;   /* (B) into prompt_text */
    double *term;               /* (n, GRPO_MAX_REWARDS) */
    float *total, *adv;         /* (n) */
    int *order;                 /* (n) minibatch permutation */
    GrpoSeq *seqs;              /* (n) the rollout as the update reads it */
    GrpoUpdate *update;
    GrpoTrace trace; /* the newest step, token by token */
};

GrpoConfig grpo_defaults(void) {
    GrpoConfig c = {0};
    c.prompts_per_step = 8;
    c.group_size = 8;
    c.max_new_tokens = 96;
    c.temperature = 1.0f;
    c.top_p = 1.0f;
    c.beta = 0.04f;
    c.eps_low = 0.2f;
    c.eps_high = 0.2f;
    c.mu = 1;
    c.minibatches = 2;
    c.loss_type = GRPO_LOSS_GRPO;
    c.scale_rewards = 1;
    c.steps = 200;
    c.optim = adamw_defaults();
    /* The prototype (docs/design.md) used 2e-4; on bases pretrained here that rate
     * wrecks the model on the first update (Adam's first step moves every
     * weight by the full rate: KL 25 per token in the next minibatch, then a
     * collapse to well-formatted wrong answers), while 5e-5 climbs steadily
     * (held-out add3 34 % -> 53 % in 120 steps, KL ~0.04). */
    c.optim.lr = 5e-5f;
    c.optim.beta2 = 0.99f;
    c.optim.weight_decay = 0.0f;
    c.optim.grad_clip = 1.0f;
    task_spec_parse("add3", &c.tasks[0]);
    c.n_tasks = 1;
    c.seed = 1;
    return c;
}

static const char *config_error(const GrpoConfig *c, const Gpt *policy) {
    if (c->prompts_per_step < 1) return "prompts_per_step must be at least 1";
    if (c->group_size < 2) return "group_size must be at least 2 (advantages compare a group)";
    if (c->max_new_tokens < 1) return "max_new_tokens must be at least 1";
    if (c->max_new_tokens >= policy->cfg.max_seq_len) return "max_new_tokens exceeds the context";
    if (!(c->temperature > 0)) return "temperature must be positive";
    if (!(c->top_p > 0 && c->top_p <= 1)) return "top_p must be in (0, 1]";
    if (c->beta < 0 || c->eps_low < 0 || c->eps_high < 0) return "beta and eps must be >= 0";
    if (c->mu < 1 || c->minibatches < 1) return "mu and minibatches must be at least 1";
    if (c->minibatches > c->prompts_per_step * c->group_size)
        return "more minibatches than sequences";
    if (c->n_tasks < 1 || c->n_tasks > GRPO_MAX_TASKS) return "no task to train on";
    if (!(c->general_share >= 0 && c->general_share <= 1)) return "general_share must be in [0, 1]";
    for (int i = 0; i < c->n_tasks; i++)
        if (!task_spec_valid(c->tasks[i])) return "invalid task";
    return NULL;
}

void grpo_free(Grpo *g) {
    if (!g) return;
    gpt_free(g->ref);
    adamw_free(g->opt);
    rollout_free(g->rollout);
    grpo_update_free(g->update);
    grpo_trace_free(&g->trace);
    void *bufs[] = {g->problems, g->prompt_text, g->prompt_ptrs, g->term,    g->total,
                    g->adv,      g->order,       g->seqs,        g->general, g->is_general,
                    g->batch,    g->batch_out,   g->applies};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) free(bufs[i]);
    free(g);
}

Grpo *grpo_new(Gpt *policy, const GrpoConfig *cfg, const RewardTerm *rewards, int n_rewards,
               char *err, size_t errlen) {
    const char *bad = config_error(cfg, policy);
    if (!bad && (n_rewards < 1 || n_rewards > GRPO_MAX_REWARDS)) bad = "need 1 to 16 rewards";
    if (bad) {
        snprintf(err, errlen, "grpo: %s", bad);
        return NULL;
    }
    Grpo *g = calloc(1, sizeof *g);
    if (!g) goto oom;
    g->cfg = *cfg;
    g->policy = policy;
    g->n_rewards = n_rewards;
    memcpy(g->rewards, rewards, sizeof(RewardTerm) * (size_t)n_rewards);
    rng_seed(&g->rng, cfg->seed);
    world_rng_seed(&g->world_rng, cfg->seed ^ 0x5eed5eedULL);
    const int B = cfg->prompts_per_step, n = B * cfg->group_size;
    g->n = n;
    g->ref = gpt_new(&policy->cfg);
    g->opt = adamw_new(policy, &cfg->optim);
    RolloutConfig rc = {.k = cfg->group_size,
                        .max_new_tokens = cfg->max_new_tokens,
                        .temperature = cfg->temperature,
                        .top_p = cfg->top_p};
    g->rollout = rollout_new(&policy->cfg, B, &rc);
    g->problems = calloc((size_t)B, sizeof(Problem));
    g->general = calloc((size_t)B, sizeof(GeneralItem));
    g->is_general = calloc((size_t)B, 1);
    g->batch = calloc((size_t)n, sizeof(RewardSample *));
    g->batch_out = calloc((size_t)n, sizeof(double));
    g->applies = calloc((size_t)n * GRPO_MAX_REWARDS, 1);
    g->prompt_text = calloc((size_t)B, PROMPT_TEXT_MAX);
    g->prompt_ptrs = calloc((size_t)B, sizeof(char *));
    g->term = calloc((size_t)n * GRPO_MAX_REWARDS, sizeof(double));
    g->total = calloc((size_t)n, sizeof(float));
    g->adv = calloc((size_t)n, sizeof(float));
    g->order = calloc((size_t)n, sizeof(int));
    g->seqs = calloc((size_t)n, sizeof(GrpoSeq));
    g->update = grpo_update_new(&policy->cfg, n);
    if (!g->ref || !g->opt || !g->rollout || !g->problems || !g->prompt_text || !g->prompt_ptrs ||
        !g->term || !g->total || !g->adv || !g->order || !g->seqs || !g->update || !g->general ||
        !g->is_general || !g->batch || !g->batch_out || !g->applies)
        goto oom;
    gpt_copy_params(g->ref, policy);
    return g;
oom:
    grpo_free(g);
    snprintf(err, errlen, "grpo: out of memory");
    return NULL;
}

enum { W_SEED, W_B, W_G, W_STEP, W_RNG0, W_WORLD = W_RNG0 + 4, W_COUNT };
static const char *const must_match[W_COUNT] = {"seed", "prompts_per_step", "group_size"};

static void state_words(const Grpo *g, uint64_t *w) {
    w[W_SEED] = g->cfg.seed;
    w[W_B] = (uint64_t)g->cfg.prompts_per_step;
    w[W_G] = (uint64_t)g->cfg.group_size;
    w[W_STEP] = (uint64_t)g->step;
    for (int i = 0; i < 4; i++) w[W_RNG0 + i] = g->rng.s[i];
    w[W_WORLD] = g->world_rng.s;
}

int grpo_save_state(const Grpo *g, const char *path, char *err, size_t errlen) {
    uint64_t w[W_COUNT];
    state_words(g, w);
    return train_state_save(path, "grpo", g->opt, w, W_COUNT, err, errlen);
}

int grpo_load_state(Grpo *g, const char *path, char *err, size_t errlen) {
    uint64_t w[W_COUNT];
    state_words(g, w);
    if (train_state_load(path, "grpo", g->opt, w, W_COUNT, must_match, err, errlen)) return -1;
    g->step = (long)w[W_STEP];
    for (int i = 0; i < 4; i++) g->rng.s[i] = w[W_RNG0 + i];
    g->world_rng.s = w[W_WORLD];
    return 0;
}

Gpt *grpo_reference(Grpo *g) {
    return g->ref;
}

const GrpoTrace *grpo_trace(const Grpo *g) {
    return &g->trace;
}

int grpo_num_samples(const Grpo *g) {
    return g->n;
}

void grpo_sample(const Grpo *g, int i, GrpoSample *out) {
    int grp = i / g->cfg.group_size;
    out->prompt = g->prompt_text + (size_t)grp * PROMPT_TEXT_MAX;
    out->completion = rollout_text(g->rollout, i);
    out->reward = g->total[i];
    out->advantage = g->adv[i];
    memcpy(out->term, g->term + (size_t)i * GRPO_MAX_REWARDS, sizeof out->term);
    out->length = rollout_length(g->rollout, i);
    out->truncated = rollout_truncated(g->rollout, i);
    out->group = grp;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* General prompts in step `step` (0-based): the rounded share of the
 * prompts up to the step's end minus that up to its start, counted from the
 * step general prompts start at, so that the share over those steps is exact
 * to one prompt. */
static int general_in_step(const GrpoConfig *c, long step) {
    if (c->general_share <= 0) return 0;
    long first = c->general_from > 1 ? c->general_from - 1 : 0; /* 0-based */
    if (step < first) return 0;
    double per = c->general_share * c->prompts_per_step, s = (double)(step - first);
    return (int)(llround(per * (s + 1)) - llround(per * s));
}

static int reward_applies(const RewardTerm *t, int general) {
    return t->scope == REWARD_SCOPE_ALL || (t->scope == REWARD_SCOPE_GENERAL) == (general != 0);
}

static RewardSample sample_of(const Grpo *g, int i) {
    const int G = g->cfg.group_size, b = i / G;
    return (RewardSample){.prompt = g->prompt_ptrs[b],
                          .completion = rollout_text(g->rollout, i),
                          .problem = g->is_general[b] ? NULL : &g->problems[b],
                          .general = g->is_general[b] ? &g->general[b] : NULL,
                          .length = rollout_length(g->rollout, i),
                          .max_length = g->cfg.max_new_tokens,
                          .truncated = rollout_truncated(g->rollout, i)};
}

/* Scores the rollout batch: each reward where it applies (a term that does
 * not apply stays 0 and is left out of its mean), counted in the total from
 * its first step on. */
static int score(Grpo *g, char *err, size_t errlen) {
    const int G = g->cfg.group_size, n = g->n;
    RewardSample *all = malloc(sizeof *all * (size_t)n);
    double *total = calloc((size_t)n, sizeof *total); /* summed in double, as one term */
    if (!all || !total) {
        free(all);
        free(total);
        snprintf(err, errlen, "grpo: out of memory");
        return -1;
    }
    for (int i = 0; i < n; i++) all[i] = sample_of(g, i);
    for (int k = 0; k < g->n_rewards; k++) {
        const RewardTerm *t = &g->rewards[k];
        int m = 0;
        for (int i = 0; i < n; i++) {
            char ok = (char)reward_applies(t, g->is_general[i / G]);
            g->applies[(size_t)i * GRPO_MAX_REWARDS + k] = ok;
            g->term[(size_t)i * GRPO_MAX_REWARDS + k] = 0;
            if (ok) g->batch[m++] = &all[i];
        }
        if (t->batch && m > 0) {
            char why[512];
            if (t->batch(t->ctx, g->batch, m, g->batch_out, why, sizeof why)) {
                snprintf(err, errlen, "grpo: reward '%s': %s", t->name, why);
                free(all);
                free(total);
                return -1;
            }
        }
        int used = t->from_step <= 0 || g->step + 1 >= t->from_step;
        for (int j = 0; j < m; j++) {
            int i = (int)(g->batch[j] - all);
            double r = t->batch ? g->batch_out[j] : t->fn(t->ctx, g->batch[j]);
            if (!isfinite(r)) {
                snprintf(err, errlen, "grpo: reward '%s' returned %g", t->name, r);
                free(all);
                free(total);
                return -1;
            }
            g->term[(size_t)i * GRPO_MAX_REWARDS + k] = r;
            if (used) total[i] += t->weight * r;
        }
    }
    for (int i = 0; i < n; i++) g->total[i] = (float)total[i];
    free(all);
    free(total);
    return 0;
}

/* Samples the rollout batch and scores it. */
static int rollout(Grpo *g, char *err, size_t errlen) {
    const GrpoConfig *c = &g->cfg;
    const int B = c->prompts_per_step, T = g->policy->cfg.max_seq_len;
    int n_general = general_in_step(c, g->step);
    for (int b = 0; b < B; b++) {
        char *text = g->prompt_text + (size_t)b * PROMPT_TEXT_MAX;
        g->is_general[b] = b >= B - n_general; /* the last slots: groups are shuffled anyway */
        if (g->is_general[b]) {
            general_generate_varied_any(&g->world_rng, &g->general[b]);
            tmpl_prompt(g->general[b].prompt, text, PROMPT_TEXT_MAX);
            g->prompt_ptrs[b] = text;
            continue;
        }
        TaskSpec spec = c->tasks[world_rng_below(&g->world_rng, (uint64_t)c->n_tasks)];
        WorldScript script =
            world_rng_chance(&g->world_rng, c->cipher_prob) ? WORLD_CIPHER : WORLD_DIGITS;
        Problem *p = &g->problems[b];
        if (task_generate_train(spec, script, &g->world_rng, p) != 0) {
            snprintf(err, errlen, "grpo: cannot generate a training problem");
            return -1;
        }
        tmpl_prompt(p->prompt, text, PROMPT_TEXT_MAX);
        /* Stricter than the rollout's own check: room for all max_new_tokens,
         * so that "truncated" always means the length limit, never the context. */
        int len = tok_encode(text, NULL, 0, NULL);
        if (len < 0 || len + c->max_new_tokens > T) {
            snprintf(err, errlen, "grpo: prompt '%s' does not fit the context", text);
            return -1;
        }
        g->prompt_ptrs[b] = text;
    }
    char why[256];
    int rc = rollout_run(g->rollout, g->policy, B, g->prompt_ptrs, &g->rng, why, sizeof why);
    if (rc == ROLLOUT_CANCELLED) return GRPO_STOPPED;
    if (rc != 0) {
        snprintf(err, errlen, "grpo: %s", why);
        return -1;
    }
    return score(g, err, errlen);
}

/* The rollout as the update's sequences, advantages included. */
static void fill_seqs(Grpo *g) {
    const Rollout *ro = g->rollout;
    const int G = g->cfg.group_size;
    for (int i = 0; i < g->n; i++)
        g->seqs[i] = (GrpoSeq){.prompt = rollout_prompt_tokens(ro, i / G),
                               .prompt_len = rollout_prompt_length(ro, i / G),
                               .tokens = rollout_tokens(ro, i),
                               .len = rollout_length(ro, i),
                               .old_logp = rollout_logp(ro, i),
                               .adv = g->adv[i],
                               .masked = g->cfg.mask_truncated && rollout_truncated(ro, i)};
}

/* Each reward is finite (score checks), but a weighted total can overflow
 * the float it is kept in, and a NaN advantage would reach every weight
 * through the update. */
static int first_nonfinite(const float *v, int n) {
    for (int i = 0; i < n; i++)
        if (!isfinite(v[i])) return i;
    return -1;
}

static int check_scores(const Grpo *g, char *err, size_t errlen) {
    const char *what = "reward";
    const float *v = g->total;
    int i = first_nonfinite(v, g->n);
    if (i < 0) {
        what = "advantage";
        v = g->adv;
        i = first_nonfinite(v, g->n);
    }
    if (i < 0) return 0;
    snprintf(err, errlen, "grpo: %s of completion %d is %s", what, i + 1,
             isnan(v[i]) ? "NaN" : "infinite");
    return -1;
}

void grpo_trace_config(GrpoTrace *t, const GrpoConfig *c) {
    t->mu = c->mu;
    t->minibatches = c->minibatches;
    t->loss_type = c->loss_type;
    t->beta = c->beta;
    t->eps_low = c->eps_low;
    t->eps_high = c->eps_high;
    t->scale_rewards = c->scale_rewards;
    t->max_new_tokens = c->max_new_tokens;
}

/* The batch's side of the trace: prompts, rewards, group statistics. The
 * update adds the tokens. */
static int trace_begin(Grpo *g) {
    const GrpoConfig *c = &g->cfg;
    GrpoTrace *t = &g->trace;
    if (grpo_trace_reset(t, c->prompts_per_step, c->group_size)) return -1;
    grpo_trace_config(t, c);
    t->step = g->step + 1;
    t->n_rewards = g->n_rewards < GRPO_TRACE_REWARDS ? g->n_rewards : GRPO_TRACE_REWARDS;
    for (int k = 0; k < t->n_rewards; k++) {
        const RewardTerm *r = &g->rewards[k];
        snprintf(t->reward_name[k], GRPO_TRACE_NAME, "%s", r->name ? r->name : "?");
        int used = r->from_step <= 0 || g->step + 1 >= r->from_step;
        t->reward_weight[k] = used ? (float)r->weight : 0.0f; /* as the total counted it */
    }
    const int G = c->group_size;
    for (int b = 0; b < t->B; b++) {
        snprintf(t->prompt[b], GRPO_TRACE_PROMPT, "%s", g->prompt_ptrs[b]);
        double mean = 0, var = 0;
        for (int i = 0; i < G; i++) mean += g->total[b * G + i];
        mean /= G;
        for (int i = 0; i < G; i++)
            var += (g->total[b * G + i] - mean) * (g->total[b * G + i] - mean);
        t->group_mean[b] = (float)mean;
        t->group_std[b] = (float)sqrt(var / G);
    }
    for (int i = 0; i < g->n; i++) {
        GrpoTraceSeq *s = &t->seq[i];
        s->group = i / G;
        s->reward = g->total[i];
        s->advantage = g->adv[i];
        for (int k = 0; k < t->n_rewards; k++)
            s->term[k] = (float)g->term[(size_t)i * GRPO_MAX_REWARDS + k];
        s->length = g->seqs[i].len;
        s->truncated = rollout_truncated(g->rollout, i);
        s->masked = g->seqs[i].masked;
    }
    return 0;
}

/* A masked completion never reaches the update: its tokens are kept with
 * pi_old's log-probs and no weight, so the view can still show them. */
static void trace_end(Grpo *g, double loss) {
    GrpoTrace *t = &g->trace;
    for (int i = 0; i < g->n; i++) {
        const GrpoSeq *s = &g->seqs[i];
        if (!s->masked) continue;
        for (int j = 0; j < s->len; j++) {
            GrpoTraceToken x = {.seq = i,
                                .minibatch = -1,
                                .pos = j,
                                .token = s->tokens[j],
                                .logp_old = s->old_logp[j],
                                .logp = s->old_logp[j],
                                .logp_ref = s->old_logp[j],
                                .ratio = 1.0f};
            grpo_trace_add(t, &x);
        }
    }
    t->loss = loss;
    grpo_trace_finish(t);
}

void grpo_set_cancel(Grpo *g, bool (*cancel)(void *ctx), void *ctx) {
    g->cancel = cancel;
    g->cancel_ctx = ctx;
    rollout_set_cancel(g->rollout, cancel, ctx);
}

int grpo_step(Grpo *g, GrpoStep *out, char *err, size_t errlen) {
    const GrpoConfig *c = &g->cfg;
    if (g->step >= c->steps) return 1;
    double t0 = now();
    /* Copying the policy into the reference again after an abandoned step
     * gives the same reference, so only the random streams need putting back. */
    if (c->ref_reset_every > 0 && g->step > 0 && g->step % c->ref_reset_every == 0)
        gpt_copy_params(g->ref, g->policy);
    const Rng rng_at_start = g->rng;
    const WorldRng world_at_start = g->world_rng;
    int rrc = rollout(g, err, errlen);
    if (rrc == 0 && g->cancel && g->cancel(g->cancel_ctx)) rrc = GRPO_STOPPED;
    if (rrc == GRPO_STOPPED) {
        g->rng = rng_at_start;
        g->world_rng = world_at_start;
        snprintf(err, errlen, "stopped");
        return GRPO_STOPPED;
    }
    if (rrc != 0) return -1;
    const int B = c->prompts_per_step, G = c->group_size, n = g->n;
    int zero_var = grpo_advantages(g->total, B, G, c->scale_rewards, 1e-4f, g->adv);
    if (check_scores(g, err, errlen)) return -1;

    memset(out, 0, sizeof *out);
    float lr = adamw_lr_at(&c->optim, g->opt->step);
    GrpoTotals pt = {0};
    fill_seqs(g);
    const GrpoLossConfig lc = {.temperature = c->temperature,
                               .beta = c->beta,
                               .eps_low = c->eps_low,
                               .eps_high = c->eps_high,
                               .loss_type = c->loss_type,
                               .max_new_tokens = c->max_new_tokens};
    double grad_norm = 0;
    int updates = 0;
    int tracing = trace_begin(g) == 0; /* out of memory: train on without a trace */
    for (int pass = 0; pass < c->mu; pass++) {
        for (int i = 0; i < n; i++) g->order[i] = i;
        for (int i = n - 1; i > 0; i--) { /* seeded shuffle: minibatches mix groups */
            int j = (int)rng_below(&g->rng, (uint32_t)(i + 1));
            int tmp = g->order[i];
            g->order[i] = g->order[j];
            g->order[j] = tmp;
        }
        for (int mb = 0; mb < c->minibatches; mb++) {
            int from = n * mb / c->minibatches, to = n * (mb + 1) / c->minibatches;
            grpo_update_trace(g->update, tracing ? &g->trace : NULL, pass, updates);
            grad_norm += grpo_update_minibatch(g->update, g->policy, g->ref, g->opt, g->seqs,
                                               g->order + from, to - from, &lc, &pt);
            updates++;
        }
    }
    grpo_update_trace(g->update, NULL, 0, 0);
    if (tracing) trace_end(g, pt.loss / updates);
    g->step++;

    /* metrics */
    long sampled = 0, n_general = 0, applied[GRPO_MAX_REWARDS] = {0};
    for (int i = 0; i < n; i++) {
        const char *text = rollout_text(g->rollout, i);
        const int len = rollout_length(g->rollout, i);
        RewardSample s = sample_of(g, i);
        if (s.general) {
            CompletionParts a;
            completion_parse(text, &a);
            out->general_accuracy +=
                a.answer != NULL && general_verify_span(s.general, a.answer, a.answer_len);
            n_general++;
        } else {
            out->accuracy += reward_accuracy(NULL, &s);
        }
        out->format_rate += reward_format(NULL, &s);
        CompletionParts parts;
        completion_parse(text, &parts);
        /* Thinking as eval counts it: at least one worked step, not a guess. */
        out->think_rate += eval_thought_has_step(parts.thought, parts.thought_len);
        out->aha += completion_count_word(text, strlen(text), "wait");
        out->checks += completion_count_word(text, strlen(text), "check");
        out->mean_length += len;
        if (len > out->max_length) out->max_length = len;
        out->reward += g->total[i];
        for (int k = 0; k < g->n_rewards; k++) {
            out->reward_term[k] += g->term[(size_t)i * GRPO_MAX_REWARDS + k];
            applied[k] += g->applies[(size_t)i * GRPO_MAX_REWARDS + k];
        }
        sampled += len;
    }
    out->accuracy = n > n_general ? out->accuracy / (double)(n - n_general) : 0;
    out->general_share = (double)n_general / n;
    out->general_accuracy = n_general ? out->general_accuracy / (double)n_general : 0;
    out->format_rate /= n;
    out->think_rate /= n;
    out->aha /= n;
    out->checks /= n;
    out->mean_length /= n;
    out->reward /= n;
    for (int k = 0; k < g->n_rewards; k++)
        out->reward_term[k] = applied[k] ? out->reward_term[k] / (double)applied[k] : 0;
    out->step = g->step;
    double tok = pt.tokens > 0 ? pt.tokens : 1;
    out->kl = c->beta > 0 ? pt.kl / tok : NAN; /* no reference to measure against */
    out->entropy = pt.entropy / tok;
    out->clip_low = pt.clip_low / tok;
    out->clip_high = pt.clip_high / tok;
    out->loss = pt.loss / updates;
    out->grad_norm = grad_norm / updates;
    out->lr = lr;
    out->zero_variance_groups = (double)zero_var / B;
    out->tokens_per_s = sampled / (now() - t0);
    return 0;
}
