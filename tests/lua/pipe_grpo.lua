-- A tiny pretrain -> grpo pipeline whose grpo stage uses a reward written in
-- Lua; `mode` switches the reward's body, breaks it, or misspells a name.
local rewards = require("rewards")
local mode = r1sim.param("mode", "ok")

local base = r1sim.stage{
  kind = "pretrain",
  name = "pretrain",
  model = r1sim.model{d_model = 16, n_layer = 1, n_head = 2, context = 64},
  options = {steps = 4, batch_size = 4, seq_len = 32, task = "add2", warmup = 1},
}

local function brevity(s)
  if mode == "error" then
    local t = nil
    return t.x -- line 16: a runtime error inside the reward
  end
  if mode == "stuck" then
    -- backtracks for ever inside one library call, beyond the instruction hook
    print("reward: into the pattern match")
    string.find(string.rep("a", 4000), string.rep("a*", 12) .. "b")
  end
  return -s.length / s.max_length
end

local function brevity_alt(s)
  return -2 * s.length / s.max_length
end

local list = {rewards.accuracy(1),
              rewards.lua("brevity", mode == "alt" and brevity_alt or brevity, 0.5)}
if mode == "typo" then list[#list + 1] = {name = "acuracy", weight = 1} end

r1sim.stage{
  kind = "grpo",
  name = "zero",
  inputs = base,
  options = {task = "add2", steps = r1sim.param("rl_steps", 3), prompts_per_step = 2,
             group_size = 2, max_new_tokens = 8, samples_every = 1,
             ref_reset_every = r1sim.param("reset", 0), rewards = rewards.mix(list)},
}
