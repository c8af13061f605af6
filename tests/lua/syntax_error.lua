-- A reward with a typo: the comparison has no right-hand side.
local function accuracy(s)
  return s.answer ==
end
return accuracy
