#ifndef R1SIM_SCRIPT_SPEC_H
#define R1SIM_SCRIPT_SPEC_H

#include <lua.h>

/* Raises msg as a Lua error from a C function the script called, so that it
 * reaches the user prefixed with the script's file:line (luaL_error's
 * position of the calling Lua code), without a traceback. Does not return. */
int script_spec_raise(lua_State *L, const char *msg);

#endif
