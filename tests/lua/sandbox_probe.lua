-- Fails (with the name of what leaked) if anything outside the sandbox is reachable.
for _, name in ipairs({ "io", "os", "package", "debug", "dofile", "loadfile", "coroutine" }) do
  assert(_G[name] == nil, name .. " is reachable")
end
assert(string.dump == nil, "string.dump is reachable")
assert(load("return 1 + 1")() == 2)
local f, e = load("\27Lua\x54\0\x19\x93\r\n\x1a\n", "bin", "b")
assert(f == nil and e:find("binary"), "binary chunk accepted")
return true
