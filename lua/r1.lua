-- r1.lua: DeepSeek-R1 in miniature, through the Nature paper's checkpoints
-- Dev1, Dev2 and Dev3 to R1. The base and R1-Zero are as in r1_zero.lua; R1
-- then starts again from the base:
--
--   pretrain ──▶ r1-zero (GRPO: accuracy + format)
--      │            └──▶ sample-r1-zero (keep correct + readable)
--      │                        │
--      ├──▶ cold-start (SFT of the base: R1-Zero's samples + curated CoT)  Dev1
--      │        └──▶ reasoning-rl (GRPO: accuracy + format + language)      Dev2
--      │                 └──▶ sample-dev2 (correct + readable, + general rows)
--      └──▶ sft-dev3 (SFT of the base on that mix, 2 epochs)               Dev3
--                 ├──▶ reward-model (Dev3's trunk + a scalar head, on data/preferences.csv)
--                 └──▶ rl-all (GRPO on task and general prompts: rule rewards,
--                      language, and the reward model in the last steps)     R1
--
-- and an eval of every checkpoint, in both scripts (digits and the letter
-- cipher), its rows named base, r1-zero, dev1, dev2, dev3, r1 as in Table 2,
-- plus a general-prompt eval of each (the verifier's helpfulness, and the
-- reward model's win rate against the base's answers):
--   r1sim table runs/r1
-- What to watch: R1-Zero's thoughts mix scripts on cipher prompts; the
-- language reward of reasoning RL fixes that at little cost; cold start makes
-- reasoning RL reach R1-Zero's accuracy sooner; Dev3, the base fine-tuned on
-- Dev2's filtered samples, comes close to Dev2 without any RL of its own.
-- Experiments:
--   r1sim run lua/r1.lua -D language_weight=0     -- reasoning RL without it
--   r1sim run lua/r1.lua -D coldstart_curated=0   -- cold start on R1-Zero's samples only
--   r1sim run lua/r1.lua -D general_ratio=0       -- no non-reasoning data
--   r1sim run lua/r1.lua -D preference_from=0     -- the learned reward from the first
--                     -- step: its score climbs while true helpfulness falls
--                     -- (reward hacking: rl-all's rm and general_accuracy charts)
--   r1sim run lua/r1.lua -D dev2_sample_prompts=256
--                     -- a quarter of the data for Dev3: it falls well short of Dev2

local rewards = require("rewards")
local stages = require("r1_stages")

local task = stages.task
local base = stages.base()
local eval, rl_options = stages.eval, stages.rl_options
local sample_options, sft_options = stages.sample_options, stages.sft_options

eval("eval-base", base, "base")

-- R1-Zero: pure RL from the base, rule rewards only.
local zero = stages.r1_zero(base)
eval("eval-r1-zero", zero, "r1-zero")

-- Cold-start data: R1-Zero's correct, readable samples, plus a little
-- curated chain of thought ("thousands" in the paper, 400 rows here).
local zero_samples = stages.zero_samples(zero)

local cold_data = {zero_samples}
if r1sim.param("coldstart_curated", 1) ~= 0 then
  -- curated rows of the task: data/coldstart_pair4.csv, data/coldstart.csv (add3)
  cold_data[#cold_data + 1] = task == "add3" and "data/coldstart.csv" or "data/coldstart_" .. task .. ".csv"
end
local dev1 = r1sim.stage{kind = "sft", name = "cold-start",
  inputs = {policy = base, dataset = cold_data},
  options = sft_options(r1sim.param("coldstart_epochs", 2))}
eval("eval-dev1", dev1, "dev1")

-- Reasoning-oriented RL from Dev1, with the language-consistency reward.
local dev2 = r1sim.stage{kind = "grpo", name = "reasoning-rl", inputs = dev1,
  options = rl_options(r1sim.param("reasoning_rl_steps", 150), {
    rewards.accuracy(1),
    rewards.format(r1sim.param("format_weight", 0.5)),
    rewards.language(r1sim.param("language_weight", 0.5)),
  })}
eval("eval-dev2", dev2, "dev2")

-- Rejection sampling from Dev2, with non-reasoning rows mixed in
-- (R1: 600k reasoning + 200k general, a quarter of the total).
local mix = r1sim.stage{kind = "sample", name = "sample-dev2",
  inputs = {policy = dev2, general = "data/general.csv"},
  options = sample_options(r1sim.param("dev2_sample_prompts", 1024),
                           r1sim.param("general_ratio", 0.25))}

-- SFT of the *base* on that mix, two epochs: Dev3.
local dev3 = r1sim.stage{kind = "sft", name = "sft-dev3", inputs = {policy = base, dataset = mix},
  options = sft_options(r1sim.param("dev3_epochs", 2))}
eval("eval-dev3", dev3, "dev3")

-- The reward model: Dev3's trunk with a scalar head, on preference pairs
-- over the general prompts (right and polite against wrong, unhelpful,
-- rambling, or longer and wrong), judged on the answer only.
local rm = r1sim.stage{kind = "reward_model", name = "reward-model",
  inputs = {trunk = dev3, preferences = "data/preferences.csv"},
  options = {epochs = r1sim.param("rm_epochs", 1), batch_size = 16,
             lr = r1sim.param("rm_lr", 1e-4), answer_only = 1}}

-- RL for all scenarios, Dev3 -> R1: task prompts with rule rewards, general
-- prompts with the reward model, the language reward on both. The paper
-- turns the learned reward on only for the last 400 of 1,700 steps, because
-- more of it "may lead to reward hacking".
local all_steps = r1sim.param("rl_all_steps", 120)
local from = r1sim.param("preference_from", all_steps - math.floor(all_steps * 400 / 1700))
local rl_all_opts = rl_options(all_steps, {
  rewards.accuracy(1),
  rewards.format(r1sim.param("format_weight", 0.5)),
  rewards.language(r1sim.param("language_weight", 0.5)),
  rewards.preference(r1sim.param("preference_weight", 1), from),
})
rl_all_opts.general_share = r1sim.param("general_share", 0.3)
rl_all_opts.temperature = r1sim.param("rl_all_temperature", 0.7)
rl_all_opts.preference_standardize = r1sim.param("preference_standardize", 0)
local r1 = r1sim.stage{kind = "grpo", name = "rl-all",
  inputs = {policy = dev3, reward_model = rm}, options = rl_all_opts}
eval("eval-r1", r1, "r1")

-- General prompts: true helpfulness, and the reward model's verdict on each
-- model's answers against the base's.
local function eval_general(name, input, label)
  r1sim.stage{kind = "eval", name = name,
    inputs = {model = input, baseline = base, reward_model = rm},
    options = {task = "general", n_prompts = r1sim.param("eval_prompts", 100),
               k = r1sim.param("eval_k", 4), max_new_tokens = 96, label = label}}
end
eval_general("general-base", base, "base")
eval_general("general-r1-zero", zero, "r1-zero")
eval_general("general-dev2", dev2, "dev2")
eval_general("general-dev3", dev3, "dev3")
eval_general("general-r1", r1, "r1")

-- R1-Distill: two smaller students distilled from R1's rejection-sampled
-- completions (and the larger by logits), beside the larger trained by
-- R1-Zero's GRPO alone (Table 6); -D distill=0 leaves the branch out.
if r1sim.param("distill", 1) ~= 0 then require("distill_branch").students(r1) end

function on_stage_end(stage, summary, status)
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
