#include "engine/input_file.h"
#include "script/host.h"

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "script/host_lua.h"

#define DEFAULT_MEM_LIMIT ((size_t)256 << 20)
#define DEFAULT_INSTR_LIMIT 200000000LL
#define HOOK_STEP 1000 /* instructions between budget checks */

struct ScriptHost {
    lua_State *L;
    size_t mem_limit, mem_used;
    long long instr_limit, instr_used;
    double time_limit;
    long long deadline_ns; /* of the outermost call */
    int late;              /* the budget tripped on time, not on the count */
    int step;              /* current hook interval */
    int tripped;           /* budget spent: the hook raises on every instruction */
    int depth;             /* nesting of host pcalls; only the outermost arms the budget */
    int mem_hit;           /* the allocator refused since the outermost call began */
    int plain_error;       /* the error being raised is a declaration's: no traceback */
    char mem_where[1024];  /* where the last refusal happened, with a traceback */
    char *err;             /* the last error: malloc'd, or err_short */
    char err_short[256];   /* its start, when there was no memory for all of it */
    bool unsafe;
    char *lua_path;
    void (*print)(void *ctx, const char *line);
    void *print_ctx;
    char warn_buf[512];
};

/* When the outermost call from C into script code began (monotonic ns), 0
 * while none runs. A library function that loops inside C (a backtracking
 * pattern match) never reaches the instruction hook, so it cannot be stopped
 * from within; a watchdog on another thread reads this clock to tell such a
 * call from ordinary work, hence atomic and process-wide. */
static _Atomic long long busy_since_ns;

static long long mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

double script_host_busy_seconds(void) {
    long long t0 = atomic_load(&busy_since_ns);
    return t0 ? (double)(mono_ns() - t0) * 1e-9 : 0.0;
}

static const char REG_LOADED[] = "r1sim.script.loaded"; /* require's cache */

/* ---- errors ----------------------------------------------------------------- */

static void drop_error(ScriptHost *h) {
    if (h->err != h->err_short) free(h->err);
    h->err = NULL;
}

static void set_error_len(ScriptHost *h, const char *msg, size_t len) {
    char *e = malloc(len + 1);
    drop_error(h);
    if (!e) {
        /* Out of memory is when errors happen most, and an old message would
         * name the wrong failure: keep what fits of this one. */
        if (len >= sizeof h->err_short) len = sizeof h->err_short - 1;
        e = h->err_short;
    }
    memcpy(e, msg, len);
    e[len] = '\0';
    h->err = e;
}

void script_host_set_error(ScriptHost *h, const char *fmt, ...) {
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    set_error_len(h, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

const char *script_host_error(const ScriptHost *h) {
    return h->err ? h->err : "";
}

/* ---- allocator -------------------------------------------------------------- */

/* Remembers where the script stood when it hit the cap. Lua raises memory errors
 * without calling the message handler, so by the time lua_pcall returns the
 * stack is gone. Only reads the call stack: nothing here may allocate. */
static void note_refusal(ScriptHost *h) {
    h->mem_hit = 1;
    h->mem_where[0] = '\0';
    if (!h->L || h->depth == 0) return;
    lua_Debug ar;
    size_t at = 0, cap = sizeof h->mem_where;
    int found = 0;
    for (int level = 0; level < 12 && lua_getstack(h->L, level, &ar); level++) {
        if (!lua_getinfo(h->L, "Sln", &ar)) break;
        if (ar.currentline <= 0) continue; /* C functions: nothing to show */
        if (!found) {
            at += (size_t)snprintf(h->mem_where, cap, "%s:%d: \n", ar.short_src, ar.currentline);
            found = 1;
        }
        if (at >= cap) break;
        if (ar.name)
            at += (size_t)snprintf(h->mem_where + at, cap - at, "\t%s:%d: in function '%s'\n",
                                   ar.short_src, ar.currentline, ar.name);
        else if (*ar.what == 'm')
            at += (size_t)snprintf(h->mem_where + at, cap - at, "\t%s:%d: in main chunk\n",
                                   ar.short_src, ar.currentline);
        else
            at += (size_t)snprintf(h->mem_where + at, cap - at, "\t%s:%d: in function <%s:%d>\n",
                                   ar.short_src, ar.currentline, ar.short_src, ar.linedefined);
        if (at >= cap) break;
    }
}

static void *capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    ScriptHost *h = ud;
    size_t old = ptr ? osize : 0; /* without ptr, osize is a type tag */
    if (nsize == 0) {
        free(ptr);
        h->mem_used -= old;
        return NULL;
    }
    if (nsize > old && h->mem_used - old + nsize > h->mem_limit) {
        note_refusal(h);
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (!p) return NULL;
    h->mem_used = h->mem_used - old + nsize;
    return p;
}

/* ---- instruction budget ------------------------------------------------------ */

static void budget_hook(lua_State *L, lua_Debug *ar) {
    ScriptHost *h = script_host_of(L);
    if (!h->tripped) {
        h->instr_used += h->step;
        /* the clock is read here, every HOOK_STEP instructions however long
         * each one took: a call ends soon after its time is up */
        h->late = mono_ns() >= h->deadline_ns;
        if (h->instr_used < h->instr_limit && !h->late) return;
        /* From now on every instruction raises, so a pcall in the script that
         * catches this error gets no further than its next instruction. */
        h->tripped = 1;
        lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
    }
    luaL_where(L, 0);
    if (h->late)
        lua_pushfstring(L, "time limit exceeded (%f s per call)", (lua_Number)h->time_limit);
    else
        lua_pushfstring(L, "instruction limit exceeded (%I instructions per call)",
                        (lua_Integer)h->instr_limit);
    lua_concat(L, 2);
    lua_error(L);
}

static void arm_budget(ScriptHost *h) {
    h->instr_used = 0;
    h->tripped = 0;
    h->late = 0;
    h->deadline_ns = mono_ns() + (long long)(h->time_limit * 1e9);
    h->mem_hit = 0;
    h->step = h->instr_limit < HOOK_STEP ? (int)h->instr_limit : HOOK_STEP;
    if (h->step < 1) h->step = 1;
    lua_sethook(h->L, budget_hook, LUA_MASKCOUNT, h->step);
}

/* ---- calling ------------------------------------------------------------------ */

ScriptHost *script_host_of(lua_State *L) {
    return *(ScriptHost **)lua_getextraspace(L);
}
void script_host_mark_plain_error(lua_State *L) {
    script_host_of(L)->plain_error = 1;
}

lua_State *script_host_state(ScriptHost *h) {
    return h->L;
}

static int message_handler(lua_State *L) {
    ScriptHost *h = script_host_of(L);
    const char *msg = lua_type(L, 1) == LUA_TSTRING ? lua_tostring(L, 1) : NULL;
    if (!msg && lua_type(L, 1) == LUA_TNUMBER) msg = lua_tostring(L, 1);
    /* Once the budget is spent, a __tostring written in Lua would only raise
     * again; say what the object was instead. */
    if (!msg && !h->tripped && luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
        msg = lua_tostring(L, -1);
    if (!msg) msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    if (h->plain_error) { /* file:line already says all a bad declaration needs */
        h->plain_error = 0;
        lua_pushstring(L, msg);
        return 1;
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

/* Takes the error message from the top of the stack into h->err, dropping the
 * trampoline's own frames from the end of the traceback. */
static void take_error(ScriptHost *h, int status) {
    lua_State *L = h->L;
    if (status == LUA_ERRMEM) {
        if (h->mem_hit && h->mem_where[0]) {
            const char *nl = strchr(h->mem_where, '\n');
            script_host_set_error(h,
                                  "%.*smemory limit exceeded (%.1f MiB per script state)\n"
                                  "stack traceback:\n%s",
                                  (int)(nl - h->mem_where), h->mem_where,
                                  (double)h->mem_limit / (1 << 20), nl + 1);
            size_t n = strlen(h->err);
            if (n && h->err[n - 1] == '\n') h->err[n - 1] = '\0';
        } else if (h->mem_hit) {
            script_host_set_error(h, "memory limit exceeded (%.1f MiB per script state)",
                                  (double)h->mem_limit / (1 << 20));
        } else {
            script_host_set_error(h, "out of memory (the system refused an allocation)");
        }
    } else if (lua_type(L, -1) == LUA_TSTRING) {
        size_t len;
        const char *msg = lua_tolstring(L, -1, &len);
        static const char tail[] = "\n\t[C]: in ?";
        while (len >= sizeof tail - 1 &&
               memcmp(msg + len - (sizeof tail - 1), tail, sizeof tail - 1) == 0)
            len -= sizeof tail - 1;
        set_error_len(h, msg, len);
    } else {
        script_host_set_error(h, "error (error object is a %s value)", luaL_typename(L, -1));
    }
    lua_pop(L, 1);
    if (status == LUA_ERRMEM) lua_gc(L, LUA_GCCOLLECT); /* give the garbage back now */
}

int script_host_pcall(ScriptHost *h, int nargs, int nresults) {
    lua_State *L = h->L;
    int base = lua_gettop(L) - nargs; /* the function's slot */
    lua_pushcfunction(L, message_handler);
    lua_insert(L, base);
    if (h->depth++ == 0) {
        drop_error(h);
        arm_budget(h);
        atomic_store(&busy_since_ns, mono_ns());
    }
    int status = lua_pcall(L, nargs, nresults, base);
    if (--h->depth == 0) atomic_store(&busy_since_ns, 0);
    lua_remove(L, base);
    if (status == LUA_OK) return 0;
    take_error(h, status);
    return -1;
}

/* Host entry points run their Lua work inside a C trampoline under pcall: even
 * building an argument table allocates, and an allocation error outside a
 * protected call would abort the program. A trampoline reports a failure that
 * is not a Lua error (a bad return value, a load error) by returning a message
 * and setting `soft`, so that no traceback of host internals is attached. */
typedef struct {
    ScriptHost *h;
    int soft;
    const char *path, *name, *source;
    ScriptRef fn, *result;
    const ScriptValue *fields;
    size_t nfields;
    double score;
} Tramp;

static int run_protected(ScriptHost *h, lua_CFunction f, Tramp *t) {
    lua_State *L = h->L;
    t->h = h;
    t->soft = 0;
    drop_error(h);
    lua_pushcfunction(L, f);
    lua_pushlightuserdata(L, t);
    if (script_host_pcall(h, 1, 1) != 0) return -1;
    if (t->soft) {
        take_error(h, LUA_ERRRUN);
        return -1;
    }
    lua_pop(L, 1);
    return 0;
}

static int soft_fail(lua_State *L, Tramp *t) {
    t->soft = 1;
    return 1; /* the message is on top */
}

/* ---- sandbox ------------------------------------------------------------------ */

/* string.rep loops inside C, out of the instruction hook's sight. A large
 * result is refused by the allocator before any copying (Lua sizes it first),
 * but an empty one allocates nothing: repeating "" 2^62 times would loop for
 * ever. Such a result is "" whatever the count, so it is returned at once;
 * everything else is Lua's own string.rep. */
static int l_rep(lua_State *L) {
    size_t len, seplen;
    luaL_checklstring(L, 1, &len);
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &seplen);
    if (n <= 0 || (len == 0 && (seplen == 0 || n == 1))) {
        lua_pushliteral(L, "");
        return 1;
    }
    /* Lua's own bound, raised here so that the message has the caller's line */
    if (len + seplen < len || len + seplen > (size_t)INT_MAX / (lua_Unsigned)n)
        return luaL_error(L, "resulting string too large");
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static void emit_line(ScriptHost *h, const char *line) {
    if (h->print)
        h->print(h->print_ctx, line);
    else
        fprintf(stderr, "%s\n", line);
}

static int l_print(lua_State *L) {
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        if (i > 1) luaL_addchar(&b, '\t');
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    emit_line(script_host_of(L), lua_tostring(L, -1));
    return 0;
}

/* Errors in __gc metamethods arrive as warnings; without this they would vanish. */
static void warn_sink(void *ud, const char *msg, int tocont) {
    ScriptHost *h = ud;
    size_t n = strlen(h->warn_buf);
    if (n == 0 && !tocont && msg[0] == '@') return; /* control message */
    if (n == 0) n = (size_t)snprintf(h->warn_buf, sizeof h->warn_buf, "Lua warning: ");
    if (n < sizeof h->warn_buf) snprintf(h->warn_buf + n, sizeof h->warn_buf - n, "%s", msg);
    if (!tocont) {
        emit_line(h, h->warn_buf);
        h->warn_buf[0] = '\0';
    }
}

/* load() that only ever compiles text: precompiled chunks can crash the VM. */
static int l_load_text(lua_State *L) {
    luaL_checkany(L, 1);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    while (lua_gettop(L) < 4) lua_pushnil(L);
    lua_pushliteral(L, "t");
    lua_replace(L, 4);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* require(name) for the sandbox: NAME.lua from the configured directories,
 * text only, loaded once. */
static int l_require(lua_State *L) {
    ScriptHost *h = script_host_of(L);
    size_t len;
    const char *name = luaL_checklstring(L, 1, &len);
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!(c == '_' || c == '-' || c == '.' || (c >= '0' && c <= '9') ||
              (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) ||
            (c == '.' && (i == 0 || name[i - 1] == '.')))
            return luaL_error(L, "bad module name '%s' (letters, digits, '_', '-', '.')", name);
    }
    lua_settop(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, REG_LOADED); /* 2: cache */
    if (lua_getfield(L, 2, name) != LUA_TNIL) return 1;
    lua_settop(L, 2);
    const char *file = luaL_gsub(L, name, ".", "/"); /* 3 */
    lua_pushliteral(L, "");                          /* 4: the paths tried */
    const char *dirs = h->lua_path ? h->lua_path : ".";
    for (;;) {
        size_t dl = strcspn(dirs, ";");
        if (dl)
            lua_pushlstring(L, dirs, dl);
        else
            lua_pushliteral(L, ".");
        const char *path = lua_pushfstring(L, "%s/%s.lua", lua_tostring(L, 5), file);
        char why[600];
        if (input_file_check(path, why, sizeof why)) return luaL_error(L, "require: %s", why);
        FILE *probe = fopen(path, "r");
        if (probe) {
            fclose(probe);
            if (luaL_loadfilex(L, path, "t") != LUA_OK) return lua_error(L);
            lua_pushstring(L, name);
            lua_call(L, 1, 1);
            if (lua_isnil(L, -1)) {
                lua_pop(L, 1);
                lua_pushboolean(L, 1);
            }
            lua_pushvalue(L, -1);
            lua_setfield(L, 2, name);
            return 1;
        }
        lua_pushfstring(L, "%s\n\tno file '%s'", lua_tostring(L, 4), path);
        lua_replace(L, 4);
        lua_settop(L, 4);
        dirs += dl;
        if (!*dirs++) break;
    }
    return luaL_error(L, "module '%s' not found:%s", name, lua_tostring(L, 4));
}

/* Lua runs a message handler with hooks still disabled when the error came
 * from the budget hook, so a user's xpcall handler that loops would never be
 * stopped. Once the budget is spent the user's handler is skipped and the
 * error passes through unchanged. */
static int xpcall_handler(lua_State *L) {
    if (script_host_of(L)->tripped) return 1;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int finish_pcall(lua_State *L, int status, lua_KContext extra) {
    if (status != LUA_OK && status != LUA_YIELD) {
        lua_pushboolean(L, 0);
        lua_pushvalue(L, -2);
        return 2;
    }
    return lua_gettop(L) - (int)extra;
}

/* lbaselib's xpcall, with the handler wrapped. */
static int l_xpcall(lua_State *L) {
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, xpcall_handler, 1);
    lua_replace(L, 2);
    lua_pushboolean(L, 1);
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2);
    int status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, finish_pcall);
    return finish_pcall(L, status, 2);
}

/* Finalizers run with hooks off, outside any budget: a __gc that loops would
 * hang the program. Lua only honours a __gc present when setmetatable is
 * called, so refusing it here is enough. */
static int l_setmetatable(lua_State *L) {
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "__gc metamethods are not allowed in the sandbox "
                                 "(finalizers would run outside the instruction limit)");
        lua_pop(L, 1);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static void open_sandbox(lua_State *L, ScriptHost *h) {
    static const luaL_Reg libs[] = {
        {LUA_GNAME, luaopen_base},        {LUA_TABLIBNAME, luaopen_table},
        {LUA_STRLIBNAME, luaopen_string}, {LUA_MATHLIBNAME, luaopen_math},
        {LUA_UTF8LIBNAME, luaopen_utf8},  {NULL, NULL}};
    for (const luaL_Reg *l = libs; l->name; l++) {
        luaL_requiref(L, l->name, l->func, 1);
        lua_pop(L, 1);
    }
    lua_pushglobaltable(L);
    /* Files are reached only through require's directories. */
    lua_pushnil(L);
    lua_setfield(L, -2, "dofile");
    lua_pushnil(L);
    lua_setfield(L, -2, "loadfile");
    lua_getfield(L, -1, "load");
    lua_pushcclosure(L, l_load_text, 1);
    lua_setfield(L, -2, "load");
    lua_pushcfunction(L, l_require);
    lua_setfield(L, -2, "require");
    lua_getfield(L, -1, "setmetatable");
    lua_pushcclosure(L, l_setmetatable, 1);
    lua_setfield(L, -2, "setmetatable");
    /* string.dump makes binary chunks, which nothing here can load. */
    lua_getfield(L, -1, "string");
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    lua_getfield(L, -1, "rep");
    lua_pushcclosure(L, l_rep, 1);
    lua_setfield(L, -2, "rep");
    lua_pop(L, 2);
}

static int tramp_setup(lua_State *L) {
    Tramp *t = lua_touserdata(L, 1);
    ScriptHost *h = t->h;
    if (h->unsafe) {
        luaL_openlibs(L);
        if (h->lua_path) {
            lua_getglobal(L, "package");
            lua_pushstring(L, h->lua_path);
            luaL_gsub(L, lua_tostring(L, -1), ";", "/?.lua;");
            lua_pushstring(L, "/?.lua");
            lua_concat(L, 2);
            lua_setfield(L, -3, "path");
            lua_pop(L, 2);
        }
    } else {
        open_sandbox(L, h);
    }
    lua_pushcfunction(L, l_print);
    lua_setglobal(L, "print");
    lua_pushcfunction(L, l_xpcall);
    lua_setglobal(L, "xpcall");
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, REG_LOADED);
    return 0;
}

static int panic(lua_State *L) {
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "r1sim: unprotected Lua error: %s\n", msg ? msg : "?");
    return 0; /* Lua aborts */
}

ScriptHost *script_host_new(const ScriptOptions *opts, char *err, size_t errcap) {
    static const ScriptOptions defaults = {0};
    if (!opts) opts = &defaults;
    ScriptHost *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    h->mem_limit = opts->mem_limit ? opts->mem_limit : DEFAULT_MEM_LIMIT;
    h->instr_limit = opts->instr_limit > 0 ? opts->instr_limit : DEFAULT_INSTR_LIMIT;
    h->time_limit = opts->time_limit > 0 ? opts->time_limit : SCRIPT_DEFAULT_TIME_LIMIT;
    if (h->time_limit > 1e6) h->time_limit = 1e6; /* as nanoseconds, it must fit */
    h->unsafe = opts->unsafe;
    h->print = opts->print;
    h->print_ctx = opts->print_ctx;
    if (opts->lua_path && !(h->lua_path = strdup(opts->lua_path))) {
        free(h);
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    h->L = lua_newstate(capped_alloc, h);
    if (!h->L) {
        if (h->mem_hit)
            snprintf(err, errcap, "cannot create a Lua state within %zu bytes", h->mem_limit);
        else
            snprintf(err, errcap, "cannot create a Lua state: out of memory");
        free(h->lua_path);
        free(h);
        return NULL;
    }
    *(ScriptHost **)lua_getextraspace(h->L) = h;
    lua_atpanic(h->L, panic);
    lua_setwarnf(h->L, warn_sink, h);
    Tramp t = {0};
    if (run_protected(h, tramp_setup, &t) != 0) {
        snprintf(err, errcap, "cannot set up Lua: %s", script_host_error(h));
        script_host_free(h);
        return NULL;
    }
    lua_settop(h->L, 0);
    return h;
}

void script_host_free(ScriptHost *h) {
    if (!h) return;
    if (h->L) {
        /* Finalizers may still run Lua; give them a fresh budget. */
        arm_budget(h);
        lua_close(h->L);
    }
    drop_error(h);
    free(h->lua_path);
    free(h);
}

/* ---- public entry points -------------------------------------------------------- */

static void store_result(lua_State *L, Tramp *t) {
    if (!t->result) return;
    *t->result = lua_gettop(L) >= 2 ? luaL_ref(L, LUA_REGISTRYINDEX) : SCRIPT_NOREF;
}

static int tramp_run_file(lua_State *L) {
    Tramp *t = lua_touserdata(L, 1);
    char why[600];
    if (input_file_check(t->path, why, sizeof why)) {
        lua_pushstring(L, why);
        return soft_fail(L, t);
    }
    if (luaL_loadfilex(L, t->path, "t") != LUA_OK) return soft_fail(L, t);
    lua_call(L, 0, 1);
    if (lua_isnil(L, -1)) lua_pop(L, 1);
    store_result(L, t);
    return 0;
}

static int tramp_run_string(lua_State *L) {
    Tramp *t = lua_touserdata(L, 1);
    lua_pushfstring(L, "=%s", t->name);
    if (luaL_loadbufferx(L, t->source, strlen(t->source), lua_tostring(L, -1), "t") != LUA_OK)
        return soft_fail(L, t);
    lua_call(L, 0, 1);
    if (lua_isnil(L, -1)) lua_pop(L, 1);
    lua_remove(L, 2); /* the chunk name */
    store_result(L, t);
    return 0;
}

int script_host_run_file(ScriptHost *h, const char *path, ScriptRef *result) {
    Tramp t = {.path = path, .result = result};
    if (result) *result = SCRIPT_NOREF;
    return run_protected(h, tramp_run_file, &t);
}

int script_host_run_string(ScriptHost *h, const char *name, const char *source, ScriptRef *result) {
    Tramp t = {.name = name, .source = source, .result = result};
    if (result) *result = SCRIPT_NOREF;
    return run_protected(h, tramp_run_string, &t);
}

static int tramp_global_function(lua_State *L) {
    Tramp *t = lua_touserdata(L, 1);
    if (lua_getglobal(L, t->name) != LUA_TFUNCTION) {
        lua_pushfstring(L, "global '%s' is %s, expected a function", t->name,
                        lua_isnil(L, -1) ? "not defined" : luaL_typename(L, -1));
        return soft_fail(L, t);
    }
    t->fn = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

ScriptRef script_host_global_function(ScriptHost *h, const char *name) {
    Tramp t = {.name = name, .fn = SCRIPT_NOREF};
    if (run_protected(h, tramp_global_function, &t) != 0) return SCRIPT_NOREF;
    return t.fn;
}

void script_host_unref(ScriptHost *h, ScriptRef ref) {
    if (ref != SCRIPT_NOREF) luaL_unref(h->L, LUA_REGISTRYINDEX, ref);
}

void script_push_function_where(lua_State *L, int idx) {
    lua_Debug ar;
    lua_pushvalue(L, idx);
    if (lua_type(L, -1) == LUA_TFUNCTION && lua_getinfo(L, ">S", &ar)) {
        if (ar.linedefined > 0)
            lua_pushfstring(L, "%s:%d", ar.short_src, ar.linedefined);
        else
            lua_pushstring(L, ar.short_src);
    } else {
        lua_pop(L, 1);
        lua_pushstring(L, "?");
    }
}

static int tramp_call_score(lua_State *L) {
    Tramp *t = lua_touserdata(L, 1);
    if (lua_rawgeti(L, LUA_REGISTRYINDEX, t->fn) != LUA_TFUNCTION) {
        lua_pushfstring(L, "score function reference %d is %s, not a function", t->fn,
                        luaL_typename(L, -1));
        return soft_fail(L, t);
    }
    int fn = lua_gettop(L);
    lua_createtable(L, 0, (int)t->nfields);
    for (size_t i = 0; i < t->nfields; i++) {
        const ScriptValue *v = &t->fields[i];
        switch (v->kind) {
        case SCRIPT_STR:
            lua_pushlstring(L, v->s ? v->s : "", v->s ? (v->len ? v->len : strlen(v->s)) : 0);
            break;
        case SCRIPT_NUM:
            lua_pushnumber(L, v->n);
            break;
        case SCRIPT_INT:
            lua_pushinteger(L, (lua_Integer)v->i);
            break;
        case SCRIPT_BOOL:
            lua_pushboolean(L, v->b);
            break;
        default:
            lua_pushnil(L);
        }
        lua_setfield(L, -2, v->key);
    }
    lua_pushvalue(L, fn);
    lua_insert(L, -2);
    lua_call(L, 1, 1);
    int ty = lua_type(L, -1);
    if (ty == LUA_TBOOLEAN) { /* a filter's verdict, or a pass/fail reward */
        t->score = lua_toboolean(L, -1) ? 1.0 : 0.0;
        return 0;
    }
    double x = ty == LUA_TNUMBER ? lua_tonumber(L, -1) : 0;
    if (ty == LUA_TNUMBER && isfinite(x)) {
        t->score = x;
        return 0;
    }
    script_push_function_where(L, fn);
    if (ty == LUA_TNUMBER)
        lua_pushfstring(L, "%s: score function returned %s, expected a finite number",
                        lua_tostring(L, -1), lua_tostring(L, -2));
    else
        lua_pushfstring(L, "%s: score function returned %s, expected a number or boolean%s",
                        lua_tostring(L, -1), luaL_typename(L, -2),
                        ty == LUA_TNIL ? " (missing return?)" : "");
    return soft_fail(L, t);
}

int script_host_call_score(ScriptHost *h, ScriptRef fn, const ScriptValue *fields, size_t n,
                           double *score) {
    Tramp t = {.fn = fn, .fields = fields, .nfields = n};
    if (run_protected(h, tramp_call_score, &t) != 0) return -1;
    *score = t.score;
    return 0;
}

long long script_host_instructions(const ScriptHost *h) {
    return h->instr_used;
}
size_t script_host_memory(const ScriptHost *h) {
    return h->mem_used;
}
