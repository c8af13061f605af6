#include "engine/input_file.h"
#include "pipeline/graph.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void stage_format_number(double v, int as_float, char *buf, size_t cap) {
    for (int digits = as_float ? 6 : 15; digits <= 17; digits++) {
        snprintf(buf, cap, "%.*g", digits, v);
        double back = strtod(buf, NULL);
        if (as_float ? (float)back == (float)v : back == v) return;
    }
}

static void *field_at(void *config, const OptSpec *o) {
    return (char *)config + o->offset;
}

void stage_option_default(const StageKind *k, const OptSpec *o, char *buf, size_t cap) {
    if (o->def || o->field == FIELD_NONE || !k->defaults) {
        snprintf(buf, cap, "%s", o->def ? o->def : "");
        return;
    }
    /* Configs are small structs; one on the stack per option keeps this free
     * of allocation. */
    _Alignas(max_align_t) unsigned char config[8192];
    if (k->config_size > sizeof config) {
        buf[0] = 0;
        return;
    }
    k->defaults(config);
    void *f = field_at(config, o);
    switch (o->field) {
    case FIELD_INT:
        snprintf(buf, cap, "%d", *(int *)f);
        break;
    case FIELD_FLOAT:
        stage_format_number(*(float *)f, 1, buf, cap);
        break;
    case FIELD_DOUBLE:
        stage_format_number(*(double *)f, 0, buf, cap);
        break;
    case FIELD_U64:
        snprintf(buf, cap, "%llu", *(unsigned long long *)f);
        break;
    case FIELD_STR:
        snprintf(buf, cap, "%s", *(const char **)f ? *(const char **)f : "");
        break;
    case FIELD_NONE:
        break;
    }
}

void graph_init(Graph *g) {
    memset(g, 0, sizeof *g);
}

int graph_add_input_dir(Graph *g, const char *dir) {
    if (g->n_input_dirs >= GRAPH_MAX_INPUT_DIRS || strlen(dir) >= GRAPH_DIR) return -1;
    snprintf(g->input_dirs[g->n_input_dirs++], GRAPH_DIR, "%s", dir);
    return 0;
}

/* A relative file that the current directory lacks, found in an input
 * directory: the input becomes that path. Not found anywhere, it stays as
 * written, for graph_check_input_files to report. */
static int locate_input_file(const Graph *g, Stage *st, int i, char *err, size_t errlen) {
    const char *name = st->inputs[i];
    if (name[0] == '/' || access(name, F_OK) == 0) return 0;
    for (int d = 0; d < g->n_input_dirs; d++) {
        char path[GRAPH_DIR + 256];
        snprintf(path, sizeof path, "%s/%s", g->input_dirs[d], name);
        if (access(path, F_OK) != 0) continue;
        size_t len = strlen(path);
        if (len >= sizeof st->inputs[i]) {
            snprintf(err, errlen,
                     "%s%sstage '%s': input file '%s' found as %s, a path too long "
                     "(at most %zu characters)",
                     st->where, st->where[0] ? ": " : "", st->name, name, path,
                     sizeof st->inputs[i] - 1);
            return -1;
        }
        memcpy(st->inputs[i], path, len + 1); /* fits: checked above */
        return 0;
    }
    return 0;
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

void stage_note(const Stage *st, char *buf, size_t cap) {
    if (cap == 0) return;
    buf[0] = 0;
    if (st->note[0])
        snprintf(buf, cap, "%s", st->note);
    else if (st->kind && st->kind->note)
        st->kind->note(st, buf, cap);
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
    if (n_inputs < 0 || n_inputs > GRAPH_MAX_INPUTS) {
        snprintf(err, errlen, "stage '%s': at most %d inputs", name, GRAPH_MAX_INPUTS);
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
        st->input_role[i] = -1;
    }
    st->n_inputs = n_inputs;
    for (const OptSpec *o = k->options; o->name; o++) {
        if (st->n_options >= GRAPH_MAX_OPTIONS) {
            snprintf(err, errlen, "kind %s has more than %d options", k->name, GRAPH_MAX_OPTIONS);
            return -1;
        }
        snprintf(st->options[st->n_options].name, GRAPH_NAME, "%s", o->name);
        stage_option_default(k, o, st->options[st->n_options].value, sizeof st->options[0].value);
        st->n_options++;
    }
    for (int i = 0; i < n_opts; i++)
        if (stage_set_opt(st, opt_names[i], opt_values[i], err, errlen)) return -1;
    g->n++;
    return 0;
}

static const char *const input_type_name[] = {"checkpoint", "dataset", "reward model"};

static int role_named(const StageKind *k, const char *name) {
    for (int r = 0; r < k->n_roles; r++)
        if (strcmp(k->roles[r].name, name) == 0) return r;
    return -1;
}

static void list_roles(const StageKind *k, char *buf, size_t cap) {
    size_t at = 0;
    buf[0] = 0;
    for (int r = 0; r < k->n_roles && at < cap; r++)
        at += (size_t)snprintf(buf + at, cap - at, "%s%s (%s, %d-%d)", r ? ", " : "",
                               k->roles[r].name, input_type_name[k->roles[r].type], k->roles[r].min,
                               k->roles[r].max);
    if (!k->n_roles) snprintf(buf, cap, "none");
}

int graph_name_input_role(Graph *g, int stage, int input, const char *role, char *err,
                          size_t errlen) {
    Stage *st = &g->stages[stage];
    if (input < 0 || input >= st->n_inputs || strlen(role) >= GRAPH_NAME) return -1;
    if (role_named(st->kind, role) < 0) {
        char roles[256];
        list_roles(st->kind, roles, sizeof roles);
        snprintf(err, errlen, "stage '%s': kind %s has no input role '%s' (roles: %s)", st->name,
                 st->kind->name, role, roles);
        return -1;
    }
    snprintf(st->input_role_name[input], GRAPH_NAME, "%s", role);
    return 0;
}

/* What an input provides: a producing stage's output, or a file by its
 * extension. -1 when a stage makes no checkpoint, dataset or reward model. */
static int input_type(const Graph *g, const Stage *st, int i, int want) {
    int j = st->input_stage[i];
    if (j < 0) {
        size_t n = strlen(st->inputs[i]);
        if (n <= 5 || strcmp(st->inputs[i] + n - 5, ".ckpt") != 0) return INPUT_DATASET;
        return want == INPUT_REWARD_MODEL ? INPUT_REWARD_MODEL : INPUT_CHECKPOINT;
    }
    const StageKind *k = g->stages[j].kind;
    if (want == INPUT_DATASET && k->makes_dataset) return INPUT_DATASET;
    if (k->makes_checkpoint) return INPUT_CHECKPOINT;
    if (k->makes_reward_model) return INPUT_REWARD_MODEL;
    return k->makes_dataset ? INPUT_DATASET : -1;
}

static int assign_roles(Graph *g, Stage *st, char *err, size_t errlen) {
    const StageKind *k = st->kind;
    int count[STAGE_MAX_ROLES] = {0};
    char roles[256];
    list_roles(k, roles, sizeof roles);
    const char *w = st->where, *sep = st->where[0] ? ": " : "";
    for (int i = 0; i < st->n_inputs; i++) {
        int r = st->input_role_name[i][0] ? role_named(k, st->input_role_name[i]) : -1;
        int t = input_type(g, st, i, r >= 0 ? (int)k->roles[r].type : -1);
        if (t < 0) {
            snprintf(err, errlen,
                     "%s%sstage '%s': input '%s' is a stage that makes no checkpoint, dataset "
                     "or reward model",
                     w, sep, st->name, st->inputs[i]);
            return -1;
        }
        if (r >= 0 && (int)k->roles[r].type != t) {
            snprintf(err, errlen, "%s%sstage '%s': input '%s' for %s makes no %s", w, sep, st->name,
                     st->inputs[i], k->roles[r].name, input_type_name[k->roles[r].type]);
            return -1;
        }
        for (int q = 0; r < 0 && q < k->n_roles; q++)
            if ((int)k->roles[q].type == t && count[q] < k->roles[q].max) r = q;
        if (r < 0 || count[r] >= k->roles[r].max) {
            snprintf(err, errlen, "%s%sstage '%s': no room for %s input '%s' (kind %s takes: %s)",
                     w, sep, st->name, input_type_name[t], st->inputs[i], k->name, roles);
            return -1;
        }
        st->input_role[i] = r;
        count[r]++;
    }
    for (int r = 0; r < k->n_roles; r++)
        if (count[r] < k->roles[r].min) {
            snprintf(err, errlen,
                     "%s%sstage '%s': %s needs %d %s input%s, got %d (kind %s takes: %s)", w, sep,
                     st->name, k->roles[r].name, k->roles[r].min, input_type_name[k->roles[r].type],
                     k->roles[r].min == 1 ? "" : "s", count[r], k->name, roles);
            return -1;
        }
    return 0;
}

int graph_check_input_files(const Graph *g, char *err, size_t errlen) {
    for (int s = 0; s < g->n; s++) {
        const Stage *st = &g->stages[s];
        for (int i = 0; i < st->n_inputs; i++) {
            if (st->input_stage[i] >= 0) continue;
            char why[600];
            if (input_file_check(st->inputs[i], why, sizeof why)) {
                snprintf(err, errlen, "%s%sstage '%s': input %s", st->where,
                         st->where[0] ? ": " : "", st->name, why);
                return -1;
            }
            FILE *f = fopen(st->inputs[i], "rb");
            if (f) {
                fclose(f);
                continue;
            }
            int e = errno;
            char looked[GRAPH_MAX_INPUT_DIRS * (GRAPH_DIR + 2) + 64] = "";
            if (st->inputs[i][0] != '/' && g->n_input_dirs > 0) {
                size_t at = (size_t)snprintf(looked, sizeof looked, " (looked in .");
                for (int d = 0; d < g->n_input_dirs && at < sizeof looked; d++)
                    at +=
                        (size_t)snprintf(looked + at, sizeof looked - at, ", %s", g->input_dirs[d]);
                if (at < sizeof looked) snprintf(looked + at, sizeof looked - at, ")");
            }
            snprintf(err, errlen, "%s%sstage '%s': input file '%s': %s%s", st->where,
                     st->where[0] ? ": " : "", st->name, st->inputs[i], strerror(e), looked);
            return -1;
        }
    }
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
                if (locate_input_file(g, st, i, err, errlen)) return -1;
            } else {
                snprintf(err, errlen,
                         "%s%sstage '%s': input '%s' names no stage (a data file needs a path "
                         "such as data/x.csv)",
                         st->where, st->where[0] ? ": " : "", st->name, st->inputs[i]);
                return -1;
            }
        }
        if (assign_roles(g, st, err, errlen)) return -1;
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
