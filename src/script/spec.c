#include "script/spec.h"

#include <lauxlib.h>

int script_spec_raise(lua_State *L, const char *msg) {
    return luaL_error(L, "%s", msg);
}
