-- The script tries to survive its budget running out by catching the error.
local ok = pcall(function()
  while true do end
end)
local n = 0
for i = 1, 100 do n = n + i end
return n
