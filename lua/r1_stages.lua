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
-- sft_lr (3e-4); for R1's later stages general_ratio (0.5), general_data
-- (data/general.csv), dev3_epochs (4), dev3_lr (1e-3), preferences_data
-- (data/preferences.csv), rm_epochs (3), rm_lr (5e-4), rl_all_steps (120),
-- preference_from, general_share (0.3), general_from (0: general prompts from
-- the first step), and rl-all's own rl_all_lr and rl_all_beta (rl_lr's and
-- beta's), rl_all_temperature (0.7), rl_all_seed (1), preference_weight (1),
-- preference_standardize (0); general_prompts (400), the general evals'
-- questions.

local rewards = require("rewards")
local basemodel = require("base")

local M = {}

-- Every parameter goes through base.lua's defaults (base.defaults{...}).
local P = basemodel.param
M.param = P
M.defaults = basemodel.defaults
M.check_defaults = basemodel.check_defaults

-- Read when a stage is declared, not when this file loads, so that a
-- script's base.defaults{...} reaches them.
M.task = basemodel.task
function M.cipher()
  return P("cipher_prob", 0.3)
end

function M.base()
  return basemodel.pretrain()
end

-- Every eval asks the same held-out problems, half of them in the cipher.
function M.eval(name, input, label)
  return r1sim.stage{kind = "eval", name = name, inputs = input, options = {
    task = M.task(),
    n_prompts = P("eval_prompts", 100),
    k = P("eval_k", 4),
    max_new_tokens = 96,
    cipher_prob = P("eval_cipher_prob", 0.5),
    label = label,
  }}
end

function M.rl_options(steps, reward_list)
  return {
    task = M.task(),
    steps = steps,
    prompts_per_step = P("prompts_per_step", 8),
    group_size = P("group_size", 8),
    max_new_tokens = 96,
    lr = P("rl_lr", 5e-5),
    beta = P("beta", 0.04),
    cipher_prob = M.cipher(),
    rewards = rewards.mix(reward_list),
  }
end

-- R1-Zero's rewards: rule-based accuracy and format, nothing learned.
function M.zero_rewards()
  return {rewards.accuracy(1), rewards.format(P("format_weight", 0.5))}
end

-- Pure RL from a base with R1-Zero's steps and rewards.
function M.r1_zero(base, name)
  return r1sim.stage{kind = "grpo", name = name or "r1-zero", inputs = base,
    options = M.rl_options(P("rl_steps", 200), M.zero_rewards())}
end

function M.sample_options(n_prompts, general_ratio)
  return {
    task = M.task(),
    n_prompts = n_prompts,
    k = P("sample_k", 4),
    cipher_prob = M.cipher(),
    keep = P("keep", "correct+readable"),
    per_prompt = P("per_prompt", 2),
    general_ratio = general_ratio,
  }
end

-- R1-Zero's correct, readable samples: r1.lua's cold-start data.
function M.zero_samples(zero)
  return r1sim.stage{kind = "sample", name = "sample-r1-zero", inputs = zero,
    options = M.sample_options(P("zero_sample_prompts", 256), 0)}
end

function M.sft_options(epochs)
  return {
    task = "",
    epochs = epochs,
    batch_size = 16,
    lr = P("sft_lr", 3e-4),
    save_every = 50,
  }
end

-- R1 from the base and R1-Zero, as r1.lua declares it: Dev1 (cold start on
-- R1-Zero's samples and curated CoT), Dev2 (reasoning RL with the language
-- reward), Dev3 (SFT of the base on Dev2's samples and general rows), the
-- reward model, and R1 (RL for all scenarios), with an eval of each and a
-- general-prompt eval of each model (only_final: just R1's task eval, for
-- scripts that want R1 as a teacher). Returns the stages by their table
-- names: {dev1, dev2, dev3, rm, r1}.
function M.r1(base, zero, only_final)
  local eval = only_final and function() end or M.eval
  -- Cold-start data: R1-Zero's correct, readable samples, plus a little
  -- curated chain of thought ("thousands" in the paper, 400 rows here).
  local zero_samples = M.zero_samples(zero)

  local cold_data = {zero_samples}
  if P("coldstart_curated", 1) ~= 0 then
    -- curated rows of the task: data/coldstart_pair4.csv, data/coldstart.csv (add3)
    cold_data[#cold_data + 1] = M.task() == "add3" and "data/coldstart.csv" or "data/coldstart_" .. M.task() .. ".csv"
  end
  local dev1 = r1sim.stage{kind = "sft", name = "cold-start",
    inputs = {policy = base, dataset = cold_data},
    options = M.sft_options(P("coldstart_epochs", 2))}
  eval("eval-dev1", dev1, "dev1")

  -- Reasoning-oriented RL from Dev1, with the language-consistency reward.
  local dev2 = r1sim.stage{kind = "grpo", name = "reasoning-rl", inputs = dev1,
    options = M.rl_options(P("reasoning_rl_steps", 150), {
      rewards.accuracy(1),
      rewards.format(P("format_weight", 0.5)),
      rewards.language(P("language_weight", 0.5)),
    })}
  eval("eval-dev2", dev2, "dev2")

  -- Rejection sampling from Dev2, with non-reasoning rows mixed in
  -- (R1: 600k reasoning + 200k general, a quarter of the total).
  local mix = r1sim.stage{kind = "sample", name = "sample-dev2",
    inputs = {policy = dev2, general = P("general_data", "data/general.csv")},
    options = M.sample_options(P("dev2_sample_prompts", 1024),
                             P("general_ratio", 0.5))}

  -- SFT of the *base* on that mix: Dev3. Half general rows, four epochs at
  -- 1e-3 rather than R1's quarter and two epochs: 1,400 reasoning rows are
  -- not 600k, and copying, translating and naming itself are skills a base
  -- of this size does not bring (at a quarter, two epochs and 3e-4 Dev3 is
  -- 0.49 on the task and 0.08 on general prompts; at these, 0.66 and 0.15).
  local dev3_options = M.sft_options(P("dev3_epochs", 4))
  dev3_options.lr = P("dev3_lr", 1e-3)
  local dev3 = r1sim.stage{kind = "sft", name = "sft-dev3", inputs = {policy = base, dataset = mix},
    options = dev3_options}
  eval("eval-dev3", dev3, "dev3")

  -- The reward model: Dev3's trunk with a scalar head, on preference pairs
  -- over the general prompts (right and polite against wrong, unhelpful,
  -- rambling, or longer and wrong), judged on the answer only. Three epochs
  -- at 5e-4 reach 0.93 held-out pair accuracy on that Dev3 (two at 1e-3:
  -- 0.90; two at 2e-3: 0.85).
  local rm = r1sim.stage{kind = "reward_model", name = "reward-model",
    inputs = {trunk = dev3, preferences = P("preferences_data", "data/preferences.csv")},
    options = {epochs = P("rm_epochs", 3), steps = P("rm_steps", 0), batch_size = 16,
               lr = P("rm_lr", 5e-4), answer_only = 1}}

  -- RL for all scenarios, Dev3 -> R1: task prompts with rule rewards, general
  -- prompts with the reward model, the language reward on both. The paper
  -- turns the learned reward on only for the last 400 of 1,700 steps, because
  -- more of it "may lead to reward hacking".
  local all_steps = P("rl_all_steps", 120)
  local from = P("preference_from", all_steps - math.floor(all_steps * 400 / 1700))
  local rl_all_opts = M.rl_options(all_steps, {
    rewards.accuracy(1),
    rewards.format(P("format_weight", 0.5)),
    rewards.language(P("language_weight", 0.5)),
    rewards.preference(P("preference_weight", 1), from),
  })
  rl_all_opts.lr = P("rl_all_lr", rl_all_opts.lr)
  rl_all_opts.beta = P("rl_all_beta", rl_all_opts.beta)
  rl_all_opts.seed = P("rl_all_seed", 1)
  rl_all_opts.general_share = P("general_share", 0.3)
  rl_all_opts.general_from = P("general_from", 0)
  rl_all_opts.temperature = P("rl_all_temperature", 0.7)
  rl_all_opts.preference_standardize = P("preference_standardize", 0)
  local r1 = r1sim.stage{kind = "grpo", name = "rl-all",
    inputs = {policy = dev3, reward_model = rm}, options = rl_all_opts}
  M.eval("eval-r1", r1, "r1")

  -- General prompts: true helpfulness, and the reward model's verdict on each
  -- model's answers against the base's. 400 questions (80 of each kind) x 4:
  -- at 100, the seed-to-seed spread of one model's true helpfulness (about
  -- 0.02) was as large as the differences between models it was to show.
  local function eval_general(name, input, label)
    r1sim.stage{kind = "eval", name = name,
      inputs = {model = input, baseline = base, reward_model = rm},
      options = {task = "general", n_prompts = P("general_prompts", 400),
                 k = P("eval_k", 4), max_new_tokens = 96, label = label}}
  end
  if not only_final then
    eval_general("general-base", base, "base")
    eval_general("general-r1-zero", zero, "r1-zero")
    eval_general("general-dev2", dev2, "dev2")
    eval_general("general-dev3", dev3, "dev3")
    eval_general("general-r1", r1, "r1")
  end
  return {dev1 = dev1, dev2 = dev2, dev3 = dev3, rm = rm, r1 = r1}
end

-- One line per finished stage for a script's on_stage_end: an eval's pass@1
-- (a general eval's helpfulness), a reward model's held-out pair accuracy,
-- a sample stage's kept rows.
function M.report(stage, summary, status)
  local general = summary.pass_at_1 and summary.language_consistency ~= summary.language_consistency
  if general then  -- NaN: a general-prompt eval has no thought language to measure
    print(string.format("%s: %s, helpful %.3f, format %.3f, length %.1f", stage, status,
                        summary.pass_at_1, summary.format_rate, summary.mean_length))
  elseif summary.heldout_accuracy then
    print(string.format("%s: %s, held-out pair accuracy %.3f", stage, status,
                        summary.heldout_accuracy))
  elseif summary.pass_at_1 then
    print(string.format("%s: %s, pass@1 %.3f, language %.3f, format %.3f, length %.1f", stage,
                        status, summary.pass_at_1, summary.language_consistency,
                        summary.format_rate, summary.mean_length))
  elseif summary.kept_total then
    print(string.format("%s: %s, kept %d of %d", stage, status, summary.kept_total,
                        summary.generated_total))
  end
end

return M
