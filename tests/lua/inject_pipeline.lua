-- The short pipeline the failure-injection test runs again and again: a
-- base, an SFT and a GRPO stage from it, an eval of the RL model. Every
-- stage kind that writes a checkpoint, a resume point, a per-step CSV or
-- eval.csv is here, at sizes that run in a fraction of a second.
local rewards = require("rewards")
local model = r1sim.model{d_model = 16, n_layer = 1, n_head = 2, context = 128}

local base = r1sim.stage{kind = "pretrain", name = "pretrain", model = model,
  options = {steps = 4, batch_size = 4, seq_len = 32, task = "add2", warmup = 1,
             save_every = 2}}
r1sim.stage{kind = "sft", name = "sft", inputs = {base, "data/coldstart.csv"},
  options = {task = "add3", steps = 3, batch_size = 4, save_every = 2}}
local rl = r1sim.stage{kind = "grpo", name = "zero", inputs = base,
  options = {task = "add2", steps = 3, prompts_per_step = 2, group_size = 2,
             max_new_tokens = 8, samples_every = 1, save_every = 2,
             rewards = rewards.mix{rewards.accuracy(1), rewards.format(0.5)}}}
r1sim.stage{kind = "eval", name = "eval-zero", inputs = rl,
  options = {task = "add2", n_prompts = 4, k = 2, max_new_tokens = 8, label = "zero"}}
