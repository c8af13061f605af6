-- r1_stages.lua: the stage options r1.lua and distill.lua share, so that
-- both declare R1-Zero, its rejection sampling and the evals alike, and a
-- script run into another's run directory (--out runs/r1) reuses those
-- stages from the cache instead of training them again.
--
--   local r1 = require("r1_stages")
--   local base = r1.base()                 -- base.lua's pretrain
--   local zero = r1.r1_zero(base)          -- GRPO: accuracy + format
--   r1.eval("eval-r1-zero", zero, "r1-zero")
--
-- Parameters (-D) as in r1.lua: task, cipher_prob (0.3), eval_prompts (100),
-- eval_k (4), eval_cipher_prob (0.5), prompts_per_step (8), group_size (8),
-- rl_lr (5e-5), beta (0.04), rl_steps (200), format_weight (0.5), sample_k
-- (4), keep (correct+readable), per_prompt (2), zero_sample_prompts (256),
-- sft_lr (3e-4).

local rewards = require("rewards")
local basemodel = require("base")

local M = {}

M.task = basemodel.task()
M.cipher = r1sim.param("cipher_prob", 0.3)

function M.base()
  return basemodel.pretrain()
end

-- Every eval asks the same held-out problems, half of them in the cipher.
function M.eval(name, input, label)
  return r1sim.stage{kind = "eval", name = name, inputs = input, options = {
    task = M.task,
    n_prompts = r1sim.param("eval_prompts", 100),
    k = r1sim.param("eval_k", 4),
    max_new_tokens = 96,
    cipher_prob = r1sim.param("eval_cipher_prob", 0.5),
    label = label,
  }}
end

function M.rl_options(steps, reward_list)
  return {
    task = M.task,
    steps = steps,
    prompts_per_step = r1sim.param("prompts_per_step", 8),
    group_size = r1sim.param("group_size", 8),
    max_new_tokens = 96,
    lr = r1sim.param("rl_lr", 5e-5),
    beta = r1sim.param("beta", 0.04),
    cipher_prob = M.cipher,
    rewards = rewards.mix(reward_list),
  }
end

-- R1-Zero's rewards: rule-based accuracy and format, nothing learned.
function M.zero_rewards()
  return {rewards.accuracy(1), rewards.format(r1sim.param("format_weight", 0.5))}
end

-- Pure RL from a base with R1-Zero's steps and rewards.
function M.r1_zero(base, name)
  return r1sim.stage{kind = "grpo", name = name or "r1-zero", inputs = base,
    options = M.rl_options(r1sim.param("rl_steps", 200), M.zero_rewards())}
end

function M.sample_options(n_prompts, general_ratio)
  return {
    task = M.task,
    n_prompts = n_prompts,
    k = r1sim.param("sample_k", 4),
    cipher_prob = M.cipher,
    keep = r1sim.param("keep", "correct+readable"),
    per_prompt = r1sim.param("per_prompt", 2),
    general_ratio = general_ratio,
  }
end

-- R1-Zero's correct, readable samples: r1.lua's cold-start data.
function M.zero_samples(zero)
  return r1sim.stage{kind = "sample", name = "sample-r1-zero", inputs = zero,
    options = M.sample_options(r1sim.param("zero_sample_prompts", 256), 0)}
end

function M.sft_options(epochs)
  return {
    task = "",
    epochs = epochs,
    batch_size = 16,
    lr = r1sim.param("sft_lr", 3e-4),
    save_every = 50,
  }
end

return M
