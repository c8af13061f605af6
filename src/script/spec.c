#include "script/spec.h"

#include <lauxlib.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 64 /* per spec level; a static spec longer than this is a bug */
#define MAX_UNKNOWN 8 /* unknown names listed in one message */

static void set_err(char *err, size_t errcap, const char *fmt, ...) {
    if (!err || errcap == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errcap, fmt, ap);
    va_end(ap);
}

static void join_path(char *buf, size_t cap, const char *path, const char *name) {
    if (path && *path)
        snprintf(buf, cap, "%s.%s", path, name);
    else
        snprintf(buf, cap, "%s", name);
}

static void *slot(void *out, const SpecField *f) {
    return (char *)out + f->offset;
}

static const char *type_name(SpecType t) {
    switch (t) {
    case SPEC_NUMBER:
        return "number";
    case SPEC_INTEGER:
        return "integer";
    case SPEC_BOOLEAN:
        return "boolean";
    case SPEC_STRING:
        return "string";
    case SPEC_FUNCTION:
        return "function";
    case SPEC_TABLE:
        return "table";
    }
    return "?";
}

void script_spec_defaults(const SpecField *spec, void *out) {
    for (const SpecField *f = spec; f->name; f++) {
        if (f->offset == SPEC_NO_OUT) continue;
        void *p = slot(out, f);
        switch (f->type) {
        case SPEC_NUMBER:
            *(double *)p = f->def_number;
            break;
        case SPEC_INTEGER:
            *(long long *)p = (long long)f->def_number;
            break;
        case SPEC_BOOLEAN:
            *(bool *)p = f->def_number != 0;
            break;
        case SPEC_STRING:
            *(char **)p = f->def_string ? strdup(f->def_string) : NULL;
            break;
        case SPEC_FUNCTION:
            *(ScriptRef *)p = SCRIPT_NOREF;
            break;
        case SPEC_TABLE:
            if (f->fields)
                script_spec_defaults(f->fields, p);
            else
                *(ScriptRef *)p = SCRIPT_NOREF;
            break;
        }
    }
}

void script_spec_release(lua_State *L, const SpecField *spec, void *out) {
    for (const SpecField *f = spec; f->name; f++) {
        if (f->offset == SPEC_NO_OUT) continue;
        void *p = slot(out, f);
        if (f->type == SPEC_STRING) {
            free(*(char **)p);
            *(char **)p = NULL;
        } else if (f->type == SPEC_TABLE && f->fields) {
            script_spec_release(L, f->fields, p);
        } else if (f->type == SPEC_FUNCTION || f->type == SPEC_TABLE) {
            luaL_unref(L, LUA_REGISTRYINDEX, *(ScriptRef *)p);
            *(ScriptRef *)p = SCRIPT_NOREF;
        }
    }
}

/* Edit distance, for "did you mean": typos in option names are the common case. */
static size_t distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40) return 99;
    size_t row[41];
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static const char *suggest(const SpecField *spec, const char *name) {
    const char *best = NULL;
    size_t bd = 3; /* only close matches */
    for (const SpecField *f = spec; f->name; f++) {
        size_t d = distance(name, f->name);
        if (d < bd) {
            bd = d;
            best = f->name;
        }
    }
    return best;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int read_table(lua_State *L, int idx, const char *path, const SpecField *spec, void *out,
                      char *err, size_t errcap);

/* Reads the value on top of the stack into field f; leaves the stack as it was. */
static int read_field(lua_State *L, const SpecField *f, const char *fpath, void *out, char *err,
                      size_t errcap) {
    int t = lua_type(L, -1);
    int want = LUA_TNIL;
    switch (f->type) {
    case SPEC_NUMBER:
    case SPEC_INTEGER:
        want = LUA_TNUMBER;
        break;
    case SPEC_BOOLEAN:
        want = LUA_TBOOLEAN;
        break;
    case SPEC_STRING:
        want = LUA_TSTRING;
        break;
    case SPEC_FUNCTION:
        want = LUA_TFUNCTION;
        break;
    case SPEC_TABLE:
        want = LUA_TTABLE;
        break;
    }
    if (t != want) {
        set_err(err, errcap, "%s: expected %s, got %s", fpath, type_name(f->type),
                lua_typename(L, t));
        return -1;
    }
    void *p = f->offset == SPEC_NO_OUT ? NULL : slot(out, f);
    if (f->type == SPEC_NUMBER || f->type == SPEC_INTEGER) {
        double x = lua_tonumber(L, -1);
        long long i = 0;
        if (f->type == SPEC_INTEGER) {
            int ok = 1;
            if (lua_isinteger(L, -1))
                i = (long long)lua_tointeger(L, -1);
            else if (x == floor(x) && fabs(x) < 9.0e15)
                i = (long long)x;
            else
                ok = 0;
            if (!ok) {
                set_err(err, errcap, "%s: expected integer, got %.17g", fpath, x);
                return -1;
            }
            x = (double)i;
        } else if (!isfinite(x)) {
            set_err(err, errcap, "%s: expected a finite number, got %g", fpath, x);
            return -1;
        }
        if (f->min < f->max && !(x >= f->min && x <= f->max)) {
            set_err(err, errcap, "%s: %.17g is out of range [%g, %g]", fpath, x, f->min, f->max);
            return -1;
        }
        if (p && f->type == SPEC_INTEGER) *(long long *)p = i;
        if (p && f->type == SPEC_NUMBER) *(double *)p = x;
    } else if (f->type == SPEC_BOOLEAN) {
        if (p) *(bool *)p = lua_toboolean(L, -1);
    } else if (f->type == SPEC_STRING) {
        size_t len;
        const char *s = lua_tolstring(L, -1, &len);
        if (f->choices) {
            const char *const *c = f->choices;
            while (*c && strcmp(*c, s) != 0) c++;
            if (!*c) {
                char list[512] = "";
                size_t at = 0;
                for (c = f->choices; *c && at < sizeof list; c++)
                    at += (size_t)snprintf(list + at, sizeof list - at, "%s'%s'",
                                           c == f->choices ? "" : ", ", *c);
                set_err(err, errcap, "%s: expected one of %s, got '%s'", fpath, list, s);
                return -1;
            }
        }
        if (p) {
            char *copy = malloc(len + 1);
            if (!copy) {
                set_err(err, errcap, "%s: out of memory", fpath);
                return -1;
            }
            memcpy(copy, s, len + 1);
            free(*(char **)p);
            *(char **)p = copy;
        }
    } else if (f->type == SPEC_TABLE && f->fields) {
        return read_table(L, lua_gettop(L), fpath, f->fields, p, err, errcap);
    } else if (p) { /* a function, or a table kept whole */
        lua_pushvalue(L, -1);
        luaL_unref(L, LUA_REGISTRYINDEX, *(ScriptRef *)p);
        *(ScriptRef *)p = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    return 0;
}

static int read_table(lua_State *L, int idx, const char *path, const SpecField *spec, void *out,
                      char *err, size_t errcap) {
    char fpath[512];
    const char *where = path && *path ? path : "table";
    if (lua_type(L, idx) != LUA_TTABLE) {
        set_err(err, errcap, "%s: expected table, got %s", where, luaL_typename(L, idx));
        return -1;
    }
    size_t nspec = 0;
    while (spec[nspec].name) nspec++;
    if (nspec > MAX_FIELDS) {
        set_err(err, errcap, "%s: spec has more than %d fields", where, MAX_FIELDS);
        return -1;
    }
    bool present[MAX_FIELDS] = {0};
    const char *unknown[MAX_UNKNOWN];
    size_t nunknown = 0, more = 0;

    /* Pass 1: what the table holds. Names are looked up, never pushed. */
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -2) != LUA_TSTRING) {
            lua_pushvalue(L, -2);
            const char *k = luaL_tolstring(L, -1, NULL);
            set_err(err, errcap, "%s: unexpected %s key [%s] (expected named fields)", where,
                    luaL_typename(L, -2), k);
            lua_pop(L, 4);
            return -1;
        }
        const char *k = lua_tostring(L, -2);
        size_t i = 0;
        while (i < nspec && strcmp(spec[i].name, k) != 0) i++;
        if (i < nspec)
            present[i] = true;
        else if (nunknown < MAX_UNKNOWN)
            unknown[nunknown++] = k; /* the key string stays alive in the table */
        else
            more++;
        lua_pop(L, 1);
    }
    if (nunknown) {
        qsort(unknown, nunknown, sizeof *unknown, cmp_str);
        char list[768] = "";
        size_t at = 0;
        for (size_t u = 0; u < nunknown && at < sizeof list; u++) {
            const char *s = suggest(spec, unknown[u]);
            if (s)
                at += (size_t)snprintf(list + at, sizeof list - at, "%s'%s' (did you mean '%s'?)",
                                       u ? ", " : "", unknown[u], s);
            else
                at += (size_t)snprintf(list + at, sizeof list - at, "%s'%s'", u ? ", " : "",
                                       unknown[u]);
        }
        if (nunknown == 1 && !more) {
            join_path(fpath, sizeof fpath, path, unknown[0]);
            const char *s = suggest(spec, unknown[0]);
            if (s)
                set_err(err, errcap, "%s: unknown field (did you mean '%s'?)", fpath, s);
            else
                set_err(err, errcap, "%s: unknown field", fpath);
        } else {
            set_err(err, errcap, "%s: unknown fields %s%s", where, list, more ? " and more" : "");
        }
        return -1;
    }

    /* Pass 2: in spec order, so that the first error reported does not depend on
     * the table's hash order. */
    for (size_t i = 0; i < nspec; i++) {
        const SpecField *f = &spec[i];
        join_path(fpath, sizeof fpath, path, f->name);
        if (!present[i]) {
            if (f->required) {
                set_err(err, errcap, "%s: missing required field (%s)", fpath, type_name(f->type));
                return -1;
            }
            continue;
        }
        lua_pushstring(L, f->name);
        lua_rawget(L, idx);
        int rc = read_field(L, f, fpath, out, err, errcap);
        lua_pop(L, 1);
        if (rc != 0) return -1;
    }
    return 0;
}

int script_spec_read(lua_State *L, int idx, const char *path, const SpecField *spec, void *out,
                     char *err, size_t errcap) {
    script_spec_defaults(spec, out);
    return read_table(L, lua_absindex(L, idx), path, spec, out, err, errcap);
}

int script_spec_raise(lua_State *L, const char *msg) {
    return luaL_error(L, "%s", msg);
}
