#ifndef R1SIM_SCRIPT_HOST_LUA_H
#define R1SIM_SCRIPT_HOST_LUA_H

#include <lua.h>

#include "script/host.h"

/* The host's Lua-facing half, for the rest of src/script/ only (the r1sim
 * module, reward and hook adapters): code here may push values and call into
 * Lua, but every call into user code must go through script_host_pcall so that
 * the budget is armed and errors are formatted the one way. */

lua_State *script_host_state(ScriptHost *h);

/* The host that owns L (any thread of it). */
ScriptHost *script_host_of(lua_State *L);
/* The next error raised is a bad declaration (r1sim.stage{...} with a wrong
 * option): reported as its file:line and message alone, without a
 * traceback, which would only show the host's own frames. */
void script_host_mark_plain_error(lua_State *L);

/* lua_pcall with the budget armed and a traceback handler. Stack as for
 * lua_pcall: function and nargs arguments on top. On success the nresults
 * results are left and 0 is returned; on failure nothing is left, -1 is
 * returned and script_host_error() holds `file:line: message` + traceback.
 * Nested calls (C called from Lua calling Lua again) share the outer budget. */
int script_host_pcall(ScriptHost *h, int nargs, int nresults);

/* Sets the host's error message (printf-style), e.g. after a validation
 * failure outside any Lua call. */
void script_host_set_error(ScriptHost *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Pushes "short_src:linedefined" of the function at idx (e.g. "rewards.lua:12"),
 * for messages about a function rather than a running line. */
void script_push_function_where(lua_State *L, int idx);

#endif
