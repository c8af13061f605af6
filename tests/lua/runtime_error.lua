local function thought_length(s)
  return #s.thought.text
end
function score(s)
  local n = thought_length(s)
  return n
end
local r = score({ answer = "936" })
return r
