-- rewards.lua: the reward functions a grpo stage can use, for
--   local rewards = require("rewards")
--   options = { rewards = rewards.mix{ rewards.accuracy(1), rewards.format(0.5) } }
--
-- Built-in rewards run in C (see r1sim-lua(5) for what each measures):
--   accuracy       1 when the answer (in <answer>, or given after </think>) is right
--   format         1 for one thought, then one answer, nothing after
--   tag_count      0.25 per well-placed tag: partial credit towards format
--   language       share of the thought's number characters in the prompt's script
--   repetition     minus the share of repeated word trigrams in the thought
--   cosine_length  shorter when right, longer when wrong (Yeo et al.)
--   soft_overlong  DAPO's penalty for the last quarter of the length limit
--   preference     a reward model's score of the answer, on general prompts only
--                  (the stage needs a reward_model input)
--
-- Every reward but accuracy (task prompts only) and preference (general
-- prompts only) applies to every prompt. rewards.NAME(weight, from) counts a
-- reward from step `from` on: rewards.preference(1, 150) is the R1 paper's
-- learned reward in the last steps only.
--
-- rewards.lua(name, fn, weight) adds a reward written in Lua: fn receives a
-- table s (s.completion, s.thought, s.answer, s.expected, s.question, s.task,
-- s.prompt, s.length, s.max_length, s.truncated, s.well_formed) and returns a
-- number (or a boolean: true counts as 1, false as 0).

local M = {}

local builtin = {"accuracy", "format", "tag_count", "language", "repetition",
                 "cosine_length", "soft_overlong", "preference"}

for _, name in ipairs(builtin) do
  M[name] = function(weight, from)
    return {name = name, weight = weight or 1, from = from}
  end
end

function M.lua(name, fn, weight)
  r1sim.reward(name, fn)
  return {name = name, weight = weight or 1}
end

-- The `rewards` option text ("accuracy=1,format=0.5,preference@150=1") of a
-- list of rewards; a `from` of 1 or less counts from the first step.
function M.mix(list)
  local parts = {}
  for i, r in ipairs(list) do
    if type(r) ~= "table" or type(r.name) ~= "string" then
      error(string.format("rewards.mix: item %d is not a reward (use rewards.accuracy(1), ...)", i), 2)
    end
    if r.from and r.from > 1 then
      parts[#parts + 1] = string.format("%s@%d=%.17g", r.name, math.tointeger(r.from) or
                                        math.floor(r.from), r.weight)
    else
      parts[#parts + 1] = string.format("%s=%.17g", r.name, r.weight)
    end
  end
  return table.concat(parts, ",")
end

return M
