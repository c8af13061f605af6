/* The r1sim module a pipeline script sees, and the adapters that hand its
 * hooks down to the pipeline as plain C callbacks. */
#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/cache.h"
#include "pipeline/stage_kind.h"
#include "script/host_lua.h"
#include "script/pipeline.h"
#include "script/spec.h"
#include "train/filters.h"
#include "train/rewards.h"

enum { MAX_SCRIPT_FNS = 64, MAX_ASKED = 64 };

struct ScriptPipeline {
    ScriptHost *host;
    Graph *g;
    const ScriptParams *params;
    char *used;  /* per -D: asked for by r1sim.param */
    int n_asked; /* the names r1sim.param was called with, first call first */
    char asked[MAX_ASKED][GRAPH_NAME];
    ScriptRef on_step, on_stage_end;           /* global hooks */
    ScriptRef stage_on_step[GRAPH_MAX_STAGES]; /* per-stage hooks */
    ScriptRef stage_on_end[GRAPH_MAX_STAGES];
    int n_fns; /* r1sim.reward and r1sim.filter definitions */
    char fn_name[MAX_SCRIPT_FNS][GRAPH_NAME];
    ScriptFnKind fn_kind[MAX_SCRIPT_FNS];
    ScriptRef fn_ref[MAX_SCRIPT_FNS];
    char group[GRAPH_NAME]; /* r1sim.group's label for the stages declared next */
    /* Set when the script has loaded: the graph is resolved and running, so
     * a hook may no longer add to it. */
    bool closed;
};

static ScriptPipeline *self(lua_State *L) {
    return (ScriptPipeline *)lua_touserdata(L, lua_upvalueindex(1));
}

/* r1sim.fail(message): refuses the script at the caller's file:line in one
 * line, as a bad declaration is, for checks only the script can make (a -D
 * value outside the choices it offers). */
/* A declaration made from a hook would grow a graph that the runner is
 * already walking (its order, keys and status arrays are sized at start). */
static void refuse_if_closed(lua_State *L, const char *what) {
    if (self(L)->closed)
        luaL_error(L,
                   "%s: stages, rewards, filters and groups are declared when the script "
                   "loads, not from a hook while the run is going",
                   what);
}

static int l_fail(lua_State *L) {
    return script_spec_raise(L, luaL_checkstring(L, 1));
}

/* A group label: a string short enough for the stage's field, or nil. */
static int check_group(lua_State *L, int idx, const char *what, char *out) {
    if (lua_isnil(L, idx)) {
        out[0] = 0;
        return 0;
    }
    char m[256];
    if (lua_type(L, idx) != LUA_TSTRING) {
        snprintf(m, sizeof m, "%s: expected a string or nil, got %s", what, luaL_typename(L, idx));
        return script_spec_raise(L, m);
    }
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    if (len >= GRAPH_NAME) {
        snprintf(m, sizeof m, "%s: '%s' is longer than %d bytes", what, s, GRAPH_NAME - 1);
        return script_spec_raise(L, m);
    }
    memcpy(out, s, len + 1);
    return 0;
}

/* r1sim.group(label): the stages declared from now on are drawn as one
 * labelled group ("step 1 · distill"); nil ends it. A stage's own `group`
 * field overrides it. */
static int l_group(lua_State *L) {
    refuse_if_closed(L, "r1sim.group");
    ScriptPipeline *p = self(L);
    luaL_checkany(L, 1);
    check_group(L, 1, "r1sim.group", p->group);
    return 0;
}

/* r1sim.param(name, default): the -D value when given, converted to the
 * default's type so that `-D steps=200` stays a number. */
static int l_param(lua_State *L) {
    ScriptPipeline *p = self(L);
    const char *name = luaL_checkstring(L, 1);
    luaL_checkany(L, 2);
    int seen = 0;
    for (int i = 0; i < p->n_asked && !seen; i++) seen = !strcmp(p->asked[i], name);
    if (!seen && p->n_asked < MAX_ASKED && strlen(name) < GRAPH_NAME)
        memcpy(p->asked[p->n_asked++], name, strlen(name) + 1);
    for (int i = 0; i < p->params->n; i++) {
        if (strcmp(p->params->names[i], name) != 0) continue;
        p->used[i] = 1;
        const char *v = p->params->values[i];
        switch (lua_type(L, 2)) {
        case LUA_TNUMBER:
            if (!lua_stringtonumber(L, v)) {
                char m[512];
                snprintf(m, sizeof m, "-D %s=%s: expected a number", name, v);
                return script_spec_raise(L, m);
            }
            return 1;
        case LUA_TBOOLEAN:
            if (strcmp(v, "true") && strcmp(v, "false") && strcmp(v, "1") && strcmp(v, "0")) {
                char m[512];
                snprintf(m, sizeof m, "-D %s=%s: expected true or false", name, v);
                return script_spec_raise(L, m);
            }
            lua_pushboolean(L, strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
            return 1;
        default:
            lua_pushstring(L, v);
            return 1;
        }
    }
    lua_pushvalue(L, 2);
    return 1;
}

/* Text of an option value, as the graph keeps it: 0, -1 for a type an
 * option cannot hold, -2 for a string longer than the graph's field (cut
 * short, a list of rewards would lose its last weights without a word). */
static int opt_text(lua_State *L, int idx, char *buf, size_t cap) {
    switch (lua_type(L, idx)) {
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx))
            snprintf(buf, cap, "%lld", (long long)lua_tointeger(L, idx));
        else
            snprintf(buf, cap, "%.17g", lua_tonumber(L, idx));
        return 0;
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        if (len >= cap) return -2;
        memcpy(buf, s, len + 1);
        return 0;
    }
    case LUA_TBOOLEAN:
        snprintf(buf, cap, "%d", lua_toboolean(L, idx));
        return 0;
    default:
        return -1;
    }
}

enum { MAX_OPTS = GRAPH_MAX_OPTIONS + 8 };

typedef struct {
    int n;
    char names[MAX_OPTS][GRAPH_NAME];
    char values[MAX_OPTS][256];
} OptList;

/* Adds option k with the value on top of the stack, or raises naming it. */
static void add_opt(lua_State *L, const char *what, const char *k, OptList *o) {
    char m[512];
    int rc = opt_text(L, -1, o->values[o->n], sizeof o->values[0]);
    if (rc == -2) {
        snprintf(m, sizeof m, "%s.%s: the value is %zu characters, at most %zu", what, k,
                 (size_t)lua_rawlen(L, -1), sizeof o->values[0] - 1);
        script_spec_raise(L, m);
    }
    if (rc) {
        snprintf(m, sizeof m, "%s.%s: expected number, string or boolean, got %s", what, k,
                 luaL_typename(L, -1));
        script_spec_raise(L, m);
    }
    snprintf(o->names[o->n++], GRAPH_NAME, "%s", k);
}

static void collect_opts(lua_State *L, int idx, const char *what, OptList *o) {
    idx = lua_absindex(L, idx);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        char m[512];
        if (lua_type(L, -2) != LUA_TSTRING) {
            snprintf(m, sizeof m, "%s: option names must be strings", what);
            script_spec_raise(L, m);
        }
        const char *k = lua_tostring(L, -2);
        if (o->n >= MAX_OPTS || strlen(k) >= GRAPH_NAME) {
            snprintf(m, sizeof m, "%s: too many options or name too long ('%s')", what, k);
            script_spec_raise(L, m);
        }
        add_opt(L, what, k, o);
        lua_pop(L, 1);
    }
}

static const char *const model_fields[] = {"name", "d_model", "n_layer", "n_head", "context", NULL};

/* r1sim.model{...}: a plain table checked now, so that a typo in a model is
 * reported where the model is declared. */
static int l_model(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        int ok = lua_type(L, -2) == LUA_TSTRING;
        const char *k = ok ? lua_tostring(L, -2) : "?";
        int known = 0;
        for (int i = 0; ok && model_fields[i]; i++) known |= strcmp(model_fields[i], k) == 0;
        char m[256];
        if (!known) {
            snprintf(m, sizeof m,
                     "model.%s: unknown field (fields: name, d_model, n_layer, "
                     "n_head, context)",
                     k);
            return script_spec_raise(L, m);
        }
        if (strcmp(k, "name") && !lua_isinteger(L, -1)) {
            snprintf(m, sizeof m, "model.%s: expected integer, got %s", k, luaL_typename(L, -1));
            return script_spec_raise(L, m);
        }
        lua_pop(L, 1);
    }
    lua_pushvalue(L, 1);
    return 1;
}

static int find_fn(const ScriptPipeline *p, ScriptFnKind kind, const char *name) {
    for (int i = 0; i < p->n_fns; i++)
        if (p->fn_kind[i] == kind && strcmp(p->fn_name[i], name) == 0) return i;
    return -1;
}

static const char *const fn_what[] = {"reward", "filter"};

/* r1sim.reward(name, fn) and r1sim.filter(name, fn): a function a stage can
 * name in its `rewards` (grpo) or `keep` (sample) option. Returns the name. */
static int define_fn(lua_State *L, ScriptFnKind kind) {
    ScriptPipeline *p = self(L);
    const char *what = fn_what[kind];
    const char *name = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    char m[512];
    void *ctx;
    if (!name[0] || strlen(name) >= GRAPH_NAME || strpbrk(name, ",=+ ")) {
        snprintf(m, sizeof m,
                 "r1sim.%s: name '%s' must be 1-%d characters without ',', '=', '+' "
                 "or spaces",
                 what, name, GRAPH_NAME - 1);
        return script_spec_raise(L, m);
    }
    int builtin =
        kind == SCRIPT_FN_REWARD ? reward_builtin(name, &ctx) != NULL : filter_builtin(name) != 0;
    if (builtin || find_fn(p, kind, name) >= 0) {
        snprintf(m, sizeof m, "r1sim.%s: '%s' is already a %s (%s)", what, name, what,
                 builtin ? "built in" : "defined twice");
        return script_spec_raise(L, m);
    }
    if (p->n_fns >= MAX_SCRIPT_FNS) {
        snprintf(m, sizeof m, "r1sim.%s: at most %d rewards and filters", what, MAX_SCRIPT_FNS);
        return script_spec_raise(L, m);
    }
    snprintf(p->fn_name[p->n_fns], GRAPH_NAME, "%s", name);
    p->fn_kind[p->n_fns] = kind;
    lua_pushvalue(L, 2);
    p->fn_ref[p->n_fns++] = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pushvalue(L, 1);
    return 1;
}

static int l_reward(lua_State *L) {
    refuse_if_closed(L, "r1sim.reward");
    return define_fn(L, SCRIPT_FN_REWARD);
}

static int l_filter(lua_State *L) {
    refuse_if_closed(L, "r1sim.filter");
    return define_fn(L, SCRIPT_FN_FILTER);
}

static int hook_has_fn(void *ctx, ScriptFnKind kind, const char *name) {
    return find_fn(ctx, kind, name) >= 0;
}

static int hook_call_fn(void *ctx, ScriptFnKind kind, const char *name, const GraphRewardArgs *a,
                        double *score, char *err, size_t errlen) {
    ScriptPipeline *p = ctx;
    int i = find_fn(p, kind, name);
    if (i < 0) {
        snprintf(err, errlen, "no %s '%s'", fn_what[kind], name);
        return -1;
    }
    ScriptValue f[] = {
        {.key = "prompt", .kind = SCRIPT_STR, .s = a->prompt},
        {.key = "completion", .kind = SCRIPT_STR, .s = a->completion},
        {.key = "question", .kind = SCRIPT_STR, .s = a->question},
        {.key = "expected", .kind = SCRIPT_STR, .s = a->expected},
        {.key = "task", .kind = SCRIPT_STR, .s = a->task},
        {.key = "thought", .kind = SCRIPT_STR, .s = a->thought, .len = a->thought_len},
        {.key = "answer",
         .kind = SCRIPT_STR,
         .s = a->answer ? a->answer : "",
         .len = a->answer_len},
        {.key = "well_formed", .kind = SCRIPT_BOOL, .b = a->well_formed != 0},
        {.key = "length", .kind = SCRIPT_INT, .i = a->length},
        {.key = "max_length", .kind = SCRIPT_INT, .i = a->max_length},
        {.key = "truncated", .kind = SCRIPT_BOOL, .b = a->truncated != 0},
    };
    /* An empty thought: len 0 means strlen, so point at "" instead. */
    if (a->thought_len == 0) f[5].s = "";
    if (!a->answer || a->answer_len == 0) f[6].s = "", f[6].len = 0;
    if (script_host_call_score(p->host, p->fn_ref[i], f, sizeof f / sizeof f[0], score)) {
        snprintf(err, errlen, "%s", script_host_error(p->host));
        return -1;
    }
    return 0;
}

static int dump_hash(lua_State *L, const void *b, size_t n, void *ud) {
    (void)L;
    uint64_t *h = ud;
    *h = cache_hash_bytes(*h, b, n);
    return 0;
}

/* The compiled code (without debug info, so moving a function does not count)
 * of a script function. */
static uint64_t hook_fingerprint(void *ctx, ScriptFnKind kind, const char *name) {
    ScriptPipeline *p = ctx;
    int i = find_fn(p, kind, name);
    if (i < 0) return 0;
    lua_State *L = script_host_state(p->host);
    uint64_t h = CACHE_HASH_INIT;
    lua_rawgeti(L, LUA_REGISTRYINDEX, p->fn_ref[i]);
    lua_dump(L, dump_hash, &h, 1);
    lua_pop(L, 1);
    return h;
}

typedef struct {
    int n;
    char name[GRAPH_MAX_INPUTS][256];
    char role[GRAPH_MAX_INPUTS][GRAPH_NAME]; /* "" when given by position */
} InputList;

static int add_input(InputList *in, const char *role, const char *name, const char *what, char *m,
                     size_t mlen) {
    if (in->n >= GRAPH_MAX_INPUTS || strlen(name) >= sizeof in->name[0] ||
        strlen(role) >= sizeof in->role[0]) {
        snprintf(m, mlen, "%s: inputs: at most %d, each under 256 characters", what,
                 GRAPH_MAX_INPUTS);
        return -1;
    }
    snprintf(in->name[in->n], sizeof in->name[0], "%s", name);
    snprintf(in->role[in->n], sizeof in->role[0], "%s", role);
    in->n++;
    return 0;
}

/* Adds the strings of the value at idx (a string or a list of strings). */
static int add_inputs_of(lua_State *L, int idx, const char *role, InputList *in, const char *what,
                         char *m, size_t mlen) {
    if (lua_type(L, idx) == LUA_TSTRING)
        return add_input(in, role, lua_tostring(L, idx), what, m, mlen);
    if (lua_type(L, idx) != LUA_TTABLE) {
        snprintf(m, mlen, "%s: inputs.%s: expected a string or a list of strings, got %s", what,
                 role, luaL_typename(L, idx));
        return -1;
    }
    int n = (int)luaL_len(L, idx);
    for (int i = 1; i <= n; i++) {
        int ty = lua_geti(L, idx, i);
        int rc = ty == LUA_TSTRING ? add_input(in, role, lua_tostring(L, -1), what, m, mlen) : -1;
        if (ty != LUA_TSTRING)
            snprintf(m, mlen, "%s: inputs.%s[%d]: expected string, got %s", what, role, i,
                     lua_typename(L, ty));
        lua_pop(L, 1);
        if (rc) return -1;
    }
    return 0;
}

/* inputs = {base, "data/x.csv", policy = base, dataset = {a, b}}: the list
 * part in order, then the named roles in the kind's role order (a table's
 * string keys have no order of their own, and input order is part of the
 * cache key and of how datasets are concatenated). */
static int read_inputs(lua_State *L, int idx, const char *kind, InputList *in, const char *what,
                       char *m, size_t mlen) {
    int n = (int)luaL_len(L, idx);
    for (int i = 1; i <= n; i++) {
        int ty = lua_geti(L, idx, i);
        int rc = ty == LUA_TSTRING ? add_input(in, "", lua_tostring(L, -1), what, m, mlen) : -1;
        if (ty != LUA_TSTRING)
            snprintf(m, mlen, "%s: inputs[%d]: expected string, got %s", what, i,
                     lua_typename(L, ty));
        lua_pop(L, 1);
        if (rc) return -1;
    }
    const StageKind *k = stage_kind_find(kind);
    int named = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -2) == LUA_TSTRING) {
            const char *role = lua_tostring(L, -2);
            int known = 0;
            for (int r = 0; k && r < k->n_roles; r++) known |= strcmp(k->roles[r].name, role) == 0;
            if (!known && k) {
                int at =
                    snprintf(m, mlen, "%s: inputs.%s: kind %s has no such input role (roles:", what,
                             role, k->name);
                for (int r = 0; r < k->n_roles && at > 0 && (size_t)at < mlen; r++)
                    at += snprintf(m + at, mlen - (size_t)at, " %s", k->roles[r].name);
                if (at > 0 && (size_t)at < mlen) snprintf(m + at, mlen - (size_t)at, ")");
                lua_pop(L, 2);
                return -1;
            }
            named++;
        } else if (!lua_isinteger(L, -2) || lua_tointeger(L, -2) < 1 || lua_tointeger(L, -2) > n) {
            snprintf(m, mlen, "%s: inputs: keys are role names or list positions", what);
            lua_pop(L, 2);
            return -1;
        }
        lua_pop(L, 1);
    }
    for (int r = 0; named && k && r < k->n_roles; r++) {
        lua_getfield(L, idx, k->roles[r].name);
        int rc = lua_isnil(L, -1)
                     ? 0
                     : add_inputs_of(L, lua_gettop(L), k->roles[r].name, in, what, m, mlen);
        lua_pop(L, 1);
        if (rc) return -1;
    }
    return 0;
}

static const char *const stage_fields[] = {"kind",    "name",         "inputs", "model", "options",
                                           "on_step", "on_stage_end", "group",  "note",  NULL};

/* r1sim.stage{kind=, name=, inputs=, model=, options=, on_step=, on_stage_end=} */
static int l_stage(lua_State *L) {
    refuse_if_closed(L, "r1sim.stage");
    ScriptPipeline *p = self(L);
    luaL_checktype(L, 1, LUA_TTABLE);
    char m[1024];
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
        int known = 0;
        for (int i = 0; stage_fields[i]; i++) known |= strcmp(stage_fields[i], k) == 0;
        if (!known) {
            snprintf(m, sizeof m,
                     "stage.%s: unknown field (fields: kind, name, inputs, model, options, "
                     "on_step, on_stage_end, group, note)",
                     k);
            return script_spec_raise(L, m);
        }
        lua_pop(L, 1);
    }
    if (lua_getfield(L, 1, "kind") != LUA_TSTRING) {
        snprintf(m, sizeof m, "stage.kind: expected string (%s)", stage_kind_names());
        return script_spec_raise(L, m);
    }
    const char *kind = lua_tostring(L, -1);
    if (lua_getfield(L, 1, "name") == LUA_TNIL) {
        lua_pop(L, 1);
        lua_pushstring(L, kind);
    } else if (lua_type(L, -1) != LUA_TSTRING) {
        return script_spec_raise(L, "stage.name: expected string");
    }
    const char *name = lua_tostring(L, -1);
    char what[128];
    snprintf(what, sizeof what, "stage '%s'", name);

    InputList *in = lua_newuserdatauv(L, sizeof(InputList), 0); /* freed by the GC */
    in->n = 0;
    int t = lua_getfield(L, 1, "inputs");
    if (t == LUA_TSTRING) {
        if (add_input(in, "", lua_tostring(L, -1), what, m, sizeof m))
            return script_spec_raise(L, m);
    } else if (t == LUA_TTABLE) {
        if (read_inputs(L, lua_gettop(L), kind, in, what, m, sizeof m))
            return script_spec_raise(L, m);
    } else if (t != LUA_TNIL) {
        snprintf(m, sizeof m,
                 "%s: inputs: expected a string, a list of strings or a table of roles, got %s",
                 what, lua_typename(L, t));
        return script_spec_raise(L, m);
    }
    lua_pop(L, 1);
    const char *inputs[GRAPH_MAX_INPUTS];
    for (int i = 0; i < in->n; i++) inputs[i] = in->name[i];
    int n_in = in->n;

    OptList *o = lua_newuserdatauv(L, sizeof(OptList), 0); /* freed by the GC, also on error */
    o->n = 0;
    t = lua_getfield(L, 1, "model");
    if (t == LUA_TTABLE) {
        int top = lua_gettop(L);
        for (int i = 1; model_fields[i]; i++) {
            if (lua_getfield(L, top, model_fields[i]) != LUA_TNIL) {
                char mw[160];
                snprintf(mw, sizeof mw, "%s.model", what);
                add_opt(L, mw, model_fields[i], o);
            }
            lua_pop(L, 1);
        }
    } else if (t != LUA_TNIL) {
        snprintf(m, sizeof m, "%s: model: expected a table from r1sim.model, got %s", what,
                 lua_typename(L, t));
        return script_spec_raise(L, m);
    }
    lua_pop(L, 1);
    t = lua_getfield(L, 1, "options");
    if (t == LUA_TTABLE) {
        char ow[160];
        snprintf(ow, sizeof ow, "%s.options", what);
        collect_opts(L, -1, ow, o);
    } else if (t != LUA_TNIL) {
        snprintf(m, sizeof m, "%s: options: expected table, got %s", what, lua_typename(L, t));
        return script_spec_raise(L, m);
    }
    lua_pop(L, 1);
    for (const char *const *h = (const char *const[]){"on_step", "on_stage_end", NULL}; *h; h++) {
        t = lua_getfield(L, 1, *h);
        lua_pop(L, 1);
        if (t != LUA_TNIL && t != LUA_TFUNCTION) {
            snprintf(m, sizeof m, "%s: %s: expected function, got %s", what, *h,
                     lua_typename(L, t));
            return script_spec_raise(L, m);
        }
    }

    const char *names[MAX_OPTS], *values[MAX_OPTS];
    for (int i = 0; i < o->n; i++) {
        names[i] = o->names[i];
        values[i] = o->values[i];
    }
    char group[GRAPH_NAME];
    snprintf(group, sizeof group, "%s", p->group);
    if (lua_getfield(L, 1, "group") != LUA_TNIL) {
        char gw[160];
        snprintf(gw, sizeof gw, "%s: group", what);
        check_group(L, -1, gw, group);
    }
    lua_pop(L, 1);
    char note[sizeof p->g->stages[0].note] = "";
    t = lua_getfield(L, 1, "note");
    if (t == LUA_TSTRING) {
        size_t len;
        const char *v = lua_tolstring(L, -1, &len);
        if (len >= sizeof note) {
            snprintf(m, sizeof m, "%s: note: at most %zu characters, got %zu", what,
                     sizeof note - 1, len);
            return script_spec_raise(L, m);
        }
        memcpy(note, v, len + 1);
    } else if (t != LUA_TNIL) {
        snprintf(m, sizeof m, "%s: note: expected a string, got %s", what, lua_typename(L, t));
        return script_spec_raise(L, m);
    }
    lua_pop(L, 1);
    luaL_where(L, 1);
    char where[128];
    snprintf(where, sizeof where, "%s", lua_tostring(L, -1));
    size_t wl = strlen(where);
    while (wl > 0 && (where[wl - 1] == ' ' || where[wl - 1] == ':')) where[--wl] = 0;
    lua_pop(L, 1);
    if (graph_add_stage(p->g, kind, name, inputs, n_in, names, values, o->n, where, m, sizeof m))
        return script_spec_raise(L, m);
    int s = p->g->n - 1;
    snprintf(p->g->stages[s].group, sizeof p->g->stages[s].group, "%s", group);
    memcpy(p->g->stages[s].note, note, sizeof note);
    for (int i = 0; i < n_in; i++)
        if (in->role[i][0] && graph_name_input_role(p->g, s, i, in->role[i], m, sizeof m))
            return script_spec_raise(L, m);
    lua_getfield(L, 1, "on_step");
    p->stage_on_step[s] = lua_isfunction(L, -1) ? luaL_ref(L, LUA_REGISTRYINDEX) : SCRIPT_NOREF;
    if (p->stage_on_step[s] == SCRIPT_NOREF) lua_pop(L, 1);
    lua_getfield(L, 1, "on_stage_end");
    p->stage_on_end[s] = lua_isfunction(L, -1) ? luaL_ref(L, LUA_REGISTRYINDEX) : SCRIPT_NOREF;
    if (p->stage_on_end[s] == SCRIPT_NOREF) lua_pop(L, 1);
    lua_pushstring(L, name); /* the stage's name, for use as another stage's input */
    return 1;
}

static void push_metrics(lua_State *L, const Stage *st, long step, long total,
                         const char *const *names, const double *values, int n) {
    lua_createtable(L, 0, n + 4);
    for (int i = 0; i < n; i++) {
        lua_pushnumber(L, values[i]);
        lua_setfield(L, -2, names[i]);
    }
    if (step >= 0) {
        lua_pushinteger(L, step);
        lua_setfield(L, -2, "step");
        lua_pushinteger(L, total);
        lua_setfield(L, -2, "total");
    }
    lua_pushstring(L, st->kind->name);
    lua_setfield(L, -2, "kind");
}

/* Calls fn(stage_name, table[, status]); a hook returning false ends the stage
 * early (done, outputs written): early stopping. Returns 0, 1 to stop, -1. */
static int call_hook(ScriptPipeline *p, ScriptRef fn, const Stage *st, const char *status,
                     long step, long total, const char *const *names, const double *values, int n,
                     char *err, size_t errlen) {
    lua_State *L = script_host_state(p->host);
    lua_rawgeti(L, LUA_REGISTRYINDEX, fn);
    lua_pushstring(L, st->name);
    push_metrics(L, st, step, total, names, values, n);
    int nargs = 2;
    if (status) {
        lua_pushstring(L, status);
        nargs = 3;
    }
    if (script_host_pcall(p->host, nargs, 1)) {
        snprintf(err, errlen, "%s", script_host_error(p->host));
        return -1;
    }
    int stop = lua_isboolean(L, -1) && !lua_toboolean(L, -1);
    lua_pop(L, 1);
    return stop;
}

static int hook_step(void *ctx, const Stage *st, long step, long total, const char *const *names,
                     const double *values, int n, char *err, size_t errlen) {
    ScriptPipeline *p = ctx;
    int s = (int)(st - p->g->stages);
    int rc = 0;
    if (p->stage_on_step[s] != SCRIPT_NOREF)
        rc =
            call_hook(p, p->stage_on_step[s], st, NULL, step, total, names, values, n, err, errlen);
    if (rc == 0 && p->on_step != SCRIPT_NOREF)
        rc = call_hook(p, p->on_step, st, NULL, step, total, names, values, n, err, errlen);
    return rc;
}

static int hook_end(void *ctx, const Stage *st, const char *status, const char *const *names,
                    const double *values, int n, char *err, size_t errlen) {
    ScriptPipeline *p = ctx;
    int s = (int)(st - p->g->stages);
    int rc = 0;
    if (p->stage_on_end[s] != SCRIPT_NOREF)
        rc = call_hook(p, p->stage_on_end[s], st, status, -1, 0, names, values, n, err, errlen);
    if (rc >= 0 && p->on_stage_end != SCRIPT_NOREF)
        rc = call_hook(p, p->on_stage_end, st, status, -1, 0, names, values, n, err, errlen);
    return rc < 0 ? -1 : 0;
}

static ScriptRef optional_global(lua_State *L, const char *name, char *err, size_t errlen,
                                 int *bad) {
    int t = lua_getglobal(L, name);
    if (t == LUA_TFUNCTION) return luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pop(L, 1);
    if (t != LUA_TNIL) {
        snprintf(err, errlen, "global %s: expected function, got %s", name, lua_typename(L, t));
        *bad = 1;
    }
    return SCRIPT_NOREF;
}

int script_pipeline_n_params(const ScriptPipeline *p) {
    return p->n_asked;
}

const char *script_pipeline_param(const ScriptPipeline *p, int i) {
    return i >= 0 && i < p->n_asked ? p->asked[i] : NULL;
}

void script_pipeline_param_list(const ScriptPipeline *p, char *buf, size_t cap) {
    size_t at = 0;
    buf[0] = 0;
    for (int i = 0; i < p->n_asked && at < cap; i++) {
        int n = snprintf(buf + at, cap - at, "%s%s", i ? ", " : "", p->asked[i]);
        if (n < 0) break;
        at += (size_t)n;
    }
}

ScriptPipeline *script_pipeline_load(const char *path, const ScriptParams *params,
                                     const ScriptOptions *opts, Graph *g, char *err,
                                     size_t errlen) {
    static const ScriptParams none = {0};
    ScriptPipeline *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    p->g = g;
    p->params = params ? params : &none;
    p->used = calloc((size_t)p->params->n + 1, 1);
    p->on_step = p->on_stage_end = SCRIPT_NOREF;
    for (int i = 0; i < GRAPH_MAX_STAGES; i++)
        p->stage_on_step[i] = p->stage_on_end[i] = SCRIPT_NOREF;
    p->host = script_host_new(opts, err, errlen);
    if (!p->host || !p->used) goto fail;
    lua_State *L = script_host_state(p->host);
    static const luaL_Reg funcs[] = {{"param", l_param},   {"model", l_model},   {"stage", l_stage},
                                     {"reward", l_reward}, {"filter", l_filter}, {"fail", l_fail},
                                     {"group", l_group},   {NULL, NULL}};
    lua_newtable(L);
    lua_pushlightuserdata(L, p);
    luaL_setfuncs(L, funcs, 1);
    lua_setglobal(L, "r1sim");
    if (script_host_run_file(p->host, path, NULL)) {
        snprintf(err, errlen, "%s", script_host_error(p->host));
        goto fail;
    }
    for (int i = 0; i < p->params->n; i++)
        if (!p->used[i]) {
            char have[1024] = "";
            script_pipeline_param_list(p, have, sizeof have);
            snprintf(err, errlen, "%s: -D %s: the script has no r1sim.param('%s', ...) (%s%s)",
                     path, p->params->names[i], p->params->names[i],
                     p->n_asked ? "it has: " : "it has none", have);
            goto fail;
        }
    int bad = 0;
    p->on_step = optional_global(L, "on_step", err, errlen, &bad);
    p->on_stage_end = optional_global(L, "on_stage_end", err, errlen, &bad);
    if (bad) goto fail;
    if (g->n == 0) {
        snprintf(err, errlen, "%s: the script declares no stage (call r1sim.stage{...})", path);
        goto fail;
    }
    g->hooks.ctx = p;
    g->hooks.on_step = hook_step;
    g->hooks.on_stage_end = hook_end;
    g->hooks.has_fn = hook_has_fn;
    g->hooks.call_fn = hook_call_fn;
    g->hooks.fingerprint = hook_fingerprint;
    /* Inputs, roles and the names of rewards and filters are checked now,
     * when every r1sim.reward and r1sim.filter has run, so that a typo fails
     * the script at load rather than the stage hours later. */
    int order[GRAPH_MAX_STAGES];
    if (graph_resolve(g, order, err, errlen) || graph_check_input_files(g, err, errlen) ||
        stage_kinds_check(g, err, errlen)) {
        memset(&g->hooks, 0, sizeof g->hooks);
        goto fail;
    }
    p->closed = true;
    return p;
fail:
    script_pipeline_free(p);
    return NULL;
}

void script_pipeline_free(ScriptPipeline *p) {
    if (!p) return;
    script_host_free(p->host);
    free(p->used);
    free(p);
}

ScriptHost *script_pipeline_host(ScriptPipeline *p) {
    return p->host;
}
