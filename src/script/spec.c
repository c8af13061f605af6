#include "script/spec.h"

#include <lauxlib.h>

#include "script/host_lua.h"

int script_spec_raise(lua_State *L, const char *msg) {
    script_host_mark_plain_error(L);
    return luaL_error(L, "%s", msg);
}
