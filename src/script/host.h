#ifndef R1SIM_SCRIPT_HOST_H
#define R1SIM_SCRIPT_HOST_H

#include <stdbool.h>
#include <stddef.h>

/* The Lua host seen from code that must not include Lua (main, the pipeline's
 * callbacks). A ScriptHost owns the one lua_State of a run: sandboxed unless
 * asked otherwise, with a memory cap and a per-call instruction budget, so a
 * user's script can fail — by error, endless loop or memory bomb — without
 * taking the program down. Every failure leaves a message retrievable with
 * script_host_error(): `file:line: message`, then a Lua stack traceback.
 *
 * Lua values the C side keeps (reward functions, hooks) are held as integer
 * references (ScriptRef); SCRIPT_NOREF means none. Not thread-safe: one host is
 * used from the pipeline's worker thread only. */

typedef struct ScriptHost ScriptHost;
typedef int ScriptRef;
#define SCRIPT_NOREF (-2)              /* equal to Lua's LUA_NOREF */
#define SCRIPT_DEFAULT_TIME_LIMIT 10.0 /* seconds per call from C */

typedef struct {
    size_t mem_limit;      /* bytes the Lua state may hold; 0: 256 MiB */
    long long instr_limit; /* VM instructions per call from C; 0: 200 million */
    /* Seconds per call from C; 0: SCRIPT_DEFAULT_TIME_LIMIT. One instruction can cost as much as
     * the strings it touches (`s = 3 .. s` copies all of s), so counting
     * instructions alone does not bound the time a call takes. */
    double time_limit;
    bool unsafe; /* open every standard library (io, os, package, debug) */
    /* Directories `require` searches for NAME.lua, separated by ';'. The sandbox
     * has no package library; this is its only way to load other files. */
    const char *lua_path;
    /* Where print() goes (the TUI's log line); NULL: stderr. */
    void (*print)(void *ctx, const char *line);
    void *print_ctx;
} ScriptOptions;

/* Seconds the current outermost call into script code has been running, 0
 * when none runs. Safe to call from any thread (a watchdog's). */
double script_host_busy_seconds(void);

/* NULL opts gives the defaults. On failure returns NULL and fills err. */
ScriptHost *script_host_new(const ScriptOptions *opts, char *err, size_t errcap);
void script_host_free(ScriptHost *h);

/* Message of the last call's failure ("" if it succeeded). Valid until the
 * next call on the host. */
const char *script_host_error(const ScriptHost *h);

/* Runs a script file (text only, never precompiled chunks) under the budget.
 * If result is not NULL it receives a reference to the chunk's first return
 * value (SCRIPT_NOREF when it returned nothing). 0 on success, -1 on error. */
int script_host_run_file(ScriptHost *h, const char *path, ScriptRef *result);

/* The same for source held in memory; `name` is what messages call the chunk
 * (e.g. "-D beta=0.1" or "rewards.lua"). */
int script_host_run_string(ScriptHost *h, const char *name, const char *source, ScriptRef *result);

/* Reference to the global function `name`; SCRIPT_NOREF (and an error message)
 * when there is no such global or it is not a function. */
ScriptRef script_host_global_function(ScriptHost *h, const char *name);

/* Releases a reference; SCRIPT_NOREF is a no-op. */
void script_host_unref(ScriptHost *h, ScriptRef ref);

/* A field of the table handed to a Lua function. */
typedef enum { SCRIPT_STR, SCRIPT_NUM, SCRIPT_INT, SCRIPT_BOOL } ScriptValueKind;

typedef struct {
    const char *key;
    ScriptValueKind kind;
    const char *s; /* SCRIPT_STR: bytes; NUL-terminated unless len is set */
    size_t len;    /* SCRIPT_STR: byte count; 0 means strlen(s) */
    double n;      /* SCRIPT_NUM */
    long long i;   /* SCRIPT_INT */
    bool b;        /* SCRIPT_BOOL */
} ScriptValue;

/* Calls `function(s) return score end` with s = { key = value, ... } built
 * from fields, and stores its result in *score (a boolean counts as 1 or 0).
 * A result that is neither a finite number nor a boolean is an error naming
 * the function's defining file:line. */
int script_host_call_score(ScriptHost *h, ScriptRef fn, const ScriptValue *fields, size_t n,
                           double *score);

/* Instructions the last call used, counted in steps of 1000 (for the TUI and
 * for tuning the budget). */
long long script_host_instructions(const ScriptHost *h);

/* Bytes the Lua state holds now. */
size_t script_host_memory(const ScriptHost *h);

#endif
