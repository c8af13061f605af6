-- A pretrain -> grpo -> eval pipeline small enough that a sweep over its
-- grpo options (beta, format_weight) and seeds finishes in seconds: the
-- sweep and stage-cache tests drive it.
local rewards = require("rewards")
local base = r1sim.stage{
  kind = "pretrain",
  name = "pretrain",
  model = r1sim.model{d_model = 16, n_layer = 1, n_head = 2, context = 64},
  options = {steps = r1sim.param("pretrain_steps", 20), batch_size = 4, seq_len = 32,
             task = "add2", warmup = 1},
}
local zero = r1sim.stage{
  kind = "grpo",
  name = "zero",
  inputs = base,
  options = {task = "add2", steps = r1sim.param("rl_steps", 3), prompts_per_step = 2,
             group_size = 4, max_new_tokens = 8, beta = r1sim.param("beta", 0.04),
             rewards = rewards.mix{rewards.accuracy(1),
                                   rewards.format(r1sim.param("format_weight", 0.5))}},
}
r1sim.stage{kind = "eval", name = "eval-zero", inputs = zero,
            options = {task = "add2", n_prompts = 8, k = 2, max_new_tokens = 8}}
