#include "pipeline/graph.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/grpo.h"
#include "world/corpus.h"
#include "world/task.h"

/* Value checks, so that a typo fails the script at load (or a view edit at
 * once) rather than the stage minutes into a run. */
static const char *check_task(const char *v) {
    TaskSpec t;
    return task_spec_parse(v, &t) ? "a task such as add3, sub3, mul1x3 or pair4" : NULL;
}

static const char *check_task_or_empty(const char *v) {
    return v[0] ? check_task(v) : NULL;
}

static const char *check_task_list(const char *v) {
    TaskSpec t[GRPO_MAX_TASKS];
    return task_spec_parse_list(v, t, GRPO_MAX_TASKS) < 0
               ? "tasks such as add3 or add3,sub3 (at most 8)"
               : NULL;
}

static const char *check_corpus(const char *v) {
    CorpusConfig c;
    return corpus_config_preset(v, &c) ? "ready, search, graded or prototype" : NULL;
}

static const char *check_corpus_mix(const char *v) {
    CorpusConfig c;
    corpus_config_preset("ready", &c);
    return corpus_apply_mix(&c, v) ? "name=value pairs of document kinds and corpus probabilities "
                                     "such as chat_checked=12,direct_wrong=0.5 (r1sim-lua(5)), "
                                     "not all kinds 0"
                                   : NULL;
}

static const char *check_loss_type(const char *v) {
    GrpoLossType t;
    return grpo_loss_type_from_name(v, &t) ? "grpo, dapo or dr_grpo" : NULL;
}

/* "name=weight,...": the names are resolved when the script has loaded. */
static const char *check_rewards(const char *v) {
    static const char *const want = "name=weight pairs such as accuracy=1,format=0.5";
    int n = 0;
    while (*v) {
        size_t len = strcspn(v, ",");
        const char *eq = memchr(v, '=', len);
        if (len == 0 || eq == v) return want;
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

/* Defaults follow the trainers' own (pretrain_defaults, sft_defaults,
 * eval_defaults) at the sizes DESIGN.md found to work (pretrain: the "ready"
 * base R1-Zero starts from, d128 L4 on add3 in about 3 minutes on 2 cores);
 * they are repeated here as text because the cache key hashes what the stage
 * will actually use. */
static const OptSpec pretrain_opts[] = {
    {"steps", OPT_INTEGER, "3200", 1, 1e9, "optimizer steps", NULL},
    {"batch_size", OPT_INTEGER, "16", 1, 4096, "sequences per step", NULL},
    {"seq_len", OPT_INTEGER, "128", 8, 4096, "tokens per sequence", NULL},
    {"lr", OPT_NUMBER, "0.003", 0, 1, "peak learning rate", NULL},
    {"warmup", OPT_INTEGER, "30", 0, 1e9, "linear warm-up steps", NULL},
    {"weight_decay", OPT_NUMBER, "0", 0, 1, "decoupled weight decay", NULL},
    {"seed", OPT_INTEGER, "1", 0, 1e15, "initialisation and corpus seed", NULL},
    {"corpus", OPT_STRING, "ready", 0, 0, "corpus preset: ready, search, graded or prototype",
     check_corpus},
    {"mix", OPT_STRING, "", 0, 0,
     "reshapes the preset: kind=weight and probability=value pairs (see r1sim-lua(5))",
     check_corpus_mix},
    {"task", OPT_STRING, "", 0, 0,
     "problems of this task instead of the preset's (add2, add3, ...)", check_task_or_empty},
    {"d_model", OPT_INTEGER, "128", 8, 4096, "model width", NULL},
    {"n_layer", OPT_INTEGER, "4", 1, 64, "transformer blocks", NULL},
    {"n_head", OPT_INTEGER, "4", 1, 64, "attention heads", NULL},
    {"context", OPT_INTEGER, "128", 8, 4096, "positions the model can see", NULL},
    {"save_every", OPT_INTEGER, "100", 1, 1e9, "steps between resume points", NULL},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static const OptSpec sft_opts[] = {
    {"steps", OPT_INTEGER, "0", 0, 1e9, "optimizer steps; 0 runs `epochs`", NULL},
    {"epochs", OPT_INTEGER, "2", 1, 1000, "passes over the data when steps is 0", NULL},
    {"batch_size", OPT_INTEGER, "16", 1, 4096, "examples per step", NULL},
    {"lr", OPT_NUMBER, "0.0003", 0, 1, "peak learning rate", NULL},
    {"warmup", OPT_INTEGER, "10", 0, 1e9, "linear warm-up steps", NULL},
    {"seed", OPT_INTEGER, "1", 0, 1e15, "shuffle seed", NULL},
    {"task", OPT_STRING, "", 0, 0, "keep only rows of this task (empty: all)", check_task_or_empty},
    {"limit", OPT_INTEGER, "0", 0, 1e9, "use at most this many rows (0: all)", NULL},
    {"save_every", OPT_INTEGER, "100", 1, 1e9, "steps between resume points", NULL},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static const OptSpec eval_opts[] = {
    {"task", OPT_STRING, "add3", 0, 0, "held-out task set", check_task},
    {"n_prompts", OPT_INTEGER, "100", 1, 1e6, "problems", NULL},
    {"k", OPT_INTEGER, "4", 1, 1024, "samples per problem", NULL},
    {"temperature", OPT_NUMBER, "1", 0, 10, "sampling temperature; 0 greedy", NULL},
    {"max_new_tokens", OPT_INTEGER, "96", 1, 4096, "completion limit", NULL},
    {"forced_modes", OPT_INTEGER, "0", 0, 1, "also measure each mode forced", NULL},
    {"seed", OPT_INTEGER, "1", 0, 1e15, "sampling seed", NULL},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

/* GRPO as DESIGN.md's working defaults at this size, except lr (see
 * grpo_defaults: 2e-4 collapses the bases pretrained here). */
static const OptSpec grpo_opts[] = {
    {"task", OPT_STRING, "add3", 0, 0, "training problems: a task or a comma-separated list",
     check_task_list},
    {"steps", OPT_INTEGER, "200", 1, 1e9, "GRPO steps (rollout batches)", NULL},
    {"prompts_per_step", OPT_INTEGER, "8", 1, 1024, "B: prompts per step", NULL},
    {"group_size", OPT_INTEGER, "8", 2, 1024, "G: completions per prompt", NULL},
    {"max_new_tokens", OPT_INTEGER, "96", 1, 4096, "completion limit", NULL},
    {"temperature", OPT_NUMBER, "1", 0.01, 10, "sampling temperature", NULL},
    {"top_p", OPT_NUMBER, "1", 0.01, 1, "nucleus sampling mass", NULL},
    {"lr", OPT_NUMBER, "5e-05", 0, 1, "peak learning rate", NULL},
    {"warmup", OPT_INTEGER, "0", 0, 1e9, "linear warm-up steps (optimizer updates)", NULL},
    {"cosine", OPT_INTEGER, "0", 0, 1, "1: cosine decay of lr to 10 % over the stage", NULL},
    {"grad_clip", OPT_NUMBER, "1", 0, 1e9, "global gradient-norm clip; 0 off", NULL},
    {"beta", OPT_NUMBER, "0.04", 0, 100, "KL coefficient to the reference", NULL},
    {"eps_low", OPT_NUMBER, "0.2", 0, 1, "clip range below 1", NULL},
    {"eps_high", OPT_NUMBER, "0.2", 0, 10, "clip range above 1 (DAPO clip-higher: 0.28)", NULL},
    {"mu", OPT_INTEGER, "1", 1, 64, "passes over each rollout batch", NULL},
    {"minibatches", OPT_INTEGER, "2", 1, 4096, "optimizer steps per pass", NULL},
    {"loss_type", OPT_STRING, "grpo", 0, 0, "grpo, dapo or dr_grpo", check_loss_type},
    {"scale_rewards", OPT_INTEGER, "1", 0, 1, "divide advantages by the group std (0: Dr. GRPO)",
     NULL},
    {"mask_truncated", OPT_INTEGER, "0", 0, 1, "no loss on completions that hit the limit", NULL},
    {"ref_reset_every", OPT_INTEGER, "0", 0, 1e9,
     "copy the policy into the reference every N steps; 0 never", NULL},
    {"cipher_prob", OPT_NUMBER, "0", 0, 1, "share of prompts in the letter cipher", NULL},
    {"rewards", OPT_STRING, "accuracy=1,format=0.5", 0, 0,
     "name=weight list: built-ins or r1sim.reward names", check_rewards},
    {"samples_every", OPT_INTEGER, "10", 1, 1e9, "steps between rollouts kept in samples.csv",
     NULL},
    {"save_every", OPT_INTEGER, "25", 1, 1e9, "steps between resume points", NULL},
    {"seed", OPT_INTEGER, "1", 0, 1e15, "sampling and prompt seed", NULL},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static const StageKind kinds[] = {
    {"pretrain", pretrain_opts, 0, 0, true, false, "pretrain-1"},
    {"sft", sft_opts, 2, 2, true, false, "sft-1"},
    {"eval", eval_opts, 1, 1, false, false, "eval-1"},
    {"grpo", grpo_opts, 1, 1, true, false, "grpo-1"},
};

const StageKind *stage_kind_find(const char *name) {
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i].name, name) == 0) return &kinds[i];
    return NULL;
}

const char *stage_kind_names(void) {
    return "pretrain, sft, eval, grpo";
}

void graph_init(Graph *g) {
    memset(g, 0, sizeof *g);
}

int graph_find(const Graph *g, const char *name) {
    for (int i = 0; i < g->n; i++)
        if (strcmp(g->stages[i].name, name) == 0) return i;
    return -1;
}

int graph_input_is_file(const char *input) {
    size_t n = strlen(input);
    return strchr(input, '/') != NULL || (n > 4 && strcmp(input + n - 4, ".csv") == 0);
}

static const OptSpec *find_spec(const StageKind *k, const char *name) {
    for (const OptSpec *o = k->options; o->name; o++)
        if (strcmp(o->name, name) == 0) return o;
    return NULL;
}

const char *stage_opt(const Stage *st, const char *name) {
    for (int i = 0; i < st->n_options; i++)
        if (strcmp(st->options[i].name, name) == 0) return st->options[i].value;
    return NULL;
}

double stage_opt_num(const Stage *st, const char *name) {
    const char *v = stage_opt(st, name);
    return v ? strtod(v, NULL) : NAN;
}

static int check_value(const Stage *st, const OptSpec *o, const char *value, char *err,
                       size_t errlen) {
    if (strlen(value) >= sizeof st->options[0].value) {
        snprintf(err, errlen, "stage '%s': option '%s' is too long", st->name, o->name);
        return -1;
    }
    const char *bad = o->check ? o->check(value) : NULL;
    if (bad) {
        snprintf(err, errlen, "stage '%s': option '%s' = '%s': expected %s", st->name, o->name,
                 value, bad);
        return -1;
    }
    if (o->type == OPT_STRING) return 0;
    char *end;
    errno = 0;
    double v = strtod(value, &end);
    if (end == value || *end || errno || !isfinite(v)) {
        snprintf(err, errlen, "stage '%s': option '%s' expects a number, got '%s'", st->name,
                 o->name, value);
        return -1;
    }
    if (o->type == OPT_INTEGER && v != floor(v)) {
        snprintf(err, errlen, "stage '%s': option '%s' expects an integer, got '%s'", st->name,
                 o->name, value);
        return -1;
    }
    if (o->min < o->max && (v < o->min || v > o->max)) {
        snprintf(err, errlen, "stage '%s': option '%s' = %s is outside [%g, %g]", st->name, o->name,
                 value, o->min, o->max);
        return -1;
    }
    return 0;
}

int stage_set_opt(Stage *st, const char *name, const char *value, char *err, size_t errlen) {
    const OptSpec *o = find_spec(st->kind, name);
    if (!o) {
        int n =
            snprintf(err, errlen, "stage '%s': unknown option '%s' for kind %s (options:", st->name,
                     name, st->kind->name);
        for (const OptSpec *p = st->kind->options; p->name && n > 0 && (size_t)n < errlen; p++)
            n += snprintf(err + n, errlen - (size_t)n, " %s", p->name);
        if (n > 0 && (size_t)n < errlen) snprintf(err + n, errlen - (size_t)n, ")");
        return -1;
    }
    if (check_value(st, o, value, err, errlen)) return -1;
    char canon[32];
    if (o->type != OPT_STRING) {
        /* One spelling per number, so that 3e-3, 0.003 and a script's float
         * 0.0030000000000000001 give the same cache key: the shortest text
         * that reads back as the same double. */
        double v = strtod(value, NULL);
        snprintf(canon, sizeof canon, "%.15g", v);
        if (strtod(canon, NULL) != v) snprintf(canon, sizeof canon, "%.17g", v);
        value = canon;
    }
    for (int i = 0; i < st->n_options; i++)
        if (strcmp(st->options[i].name, name) == 0) {
            snprintf(st->options[i].value, sizeof st->options[i].value, "%s", value);
            return 0;
        }
    return -1;
}

int graph_add_stage(Graph *g, const char *kind, const char *name, const char *const *inputs,
                    int n_inputs, const char *const *opt_names, const char *const *opt_values,
                    int n_opts, const char *where, char *err, size_t errlen) {
    const StageKind *k = stage_kind_find(kind);
    if (!k) {
        snprintf(err, errlen, "stage '%s': unknown kind '%s' (kinds: %s)", name, kind,
                 stage_kind_names());
        return -1;
    }
    if (!name[0] || strlen(name) >= GRAPH_NAME || strchr(name, '/') || name[0] == '.') {
        snprintf(err, errlen,
                 "stage name '%s' must be 1-%d characters without '/' or a leading '.'", name,
                 GRAPH_NAME - 1);
        return -1;
    }
    if (graph_find(g, name) >= 0) {
        snprintf(err, errlen, "stage '%s' is declared twice", name);
        return -1;
    }
    if (g->n >= GRAPH_MAX_STAGES) {
        snprintf(err, errlen, "too many stages (at most %d)", GRAPH_MAX_STAGES);
        return -1;
    }
    if (n_inputs < k->min_inputs || n_inputs > k->max_inputs) {
        snprintf(err, errlen, "stage '%s': kind %s takes %d to %d inputs, got %d", name, k->name,
                 k->min_inputs, k->max_inputs, n_inputs);
        return -1;
    }
    Stage *st = &g->stages[g->n];
    memset(st, 0, sizeof *st);
    snprintf(st->name, sizeof st->name, "%s", name);
    snprintf(st->where, sizeof st->where, "%s", where ? where : "");
    st->kind = k;
    for (int i = 0; i < n_inputs; i++) {
        if (strlen(inputs[i]) >= sizeof st->inputs[0]) {
            snprintf(err, errlen, "stage '%s': input name too long", name);
            return -1;
        }
        snprintf(st->inputs[i], sizeof st->inputs[i], "%s", inputs[i]);
        st->input_stage[i] = -1;
    }
    st->n_inputs = n_inputs;
    for (const OptSpec *o = k->options; o->name; o++) {
        snprintf(st->options[st->n_options].name, GRAPH_NAME, "%s", o->name);
        snprintf(st->options[st->n_options].value, sizeof st->options[0].value, "%s", o->def);
        st->n_options++;
    }
    for (int i = 0; i < n_opts; i++)
        if (stage_set_opt(st, opt_names[i], opt_values[i], err, errlen)) return -1;
    g->n++;
    return 0;
}

int graph_resolve(Graph *g, int *order, char *err, size_t errlen) {
    for (int s = 0; s < g->n; s++) {
        Stage *st = &g->stages[s];
        for (int i = 0; i < st->n_inputs; i++) {
            int j = graph_find(g, st->inputs[i]);
            if (j >= 0) {
                st->input_stage[i] = j;
            } else if (graph_input_is_file(st->inputs[i])) {
                st->input_stage[i] = -1;
            } else {
                snprintf(err, errlen,
                         "%s%sstage '%s': input '%s' names no stage (a data file needs a path "
                         "such as data/x.csv)",
                         st->where, st->where[0] ? ": " : "", st->name, st->inputs[i]);
                return -1;
            }
        }
    }
    /* Repeatedly take the first stage (in declaration order) whose inputs are
     * all placed: quadratic, but graphs hold a few dozen stages, and the order
     * stays the one the script reads in. */
    char placed[GRAPH_MAX_STAGES] = {0};
    for (int k = 0; k < g->n; k++) {
        int pick = -1;
        for (int s = 0; s < g->n && pick < 0; s++) {
            if (placed[s]) continue;
            int ready = 1;
            for (int i = 0; i < g->stages[s].n_inputs; i++) {
                int j = g->stages[s].input_stage[i];
                if (j >= 0 && !placed[j]) ready = 0;
            }
            if (ready) pick = s;
        }
        if (pick < 0) {
            int n = snprintf(err, errlen, "the stages form a cycle:");
            for (int s = 0; s < g->n && n > 0 && (size_t)n < errlen; s++)
                if (!placed[s])
                    n += snprintf(err + n, errlen - (size_t)n, " %s", g->stages[s].name);
            return -1;
        }
        placed[pick] = 1;
        order[k] = pick;
    }
    return 0;
}
