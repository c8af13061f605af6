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
--   r1sim run lua/r1.lua -D general_from=92       -- general prompts only with the
--                     -- reward model, as the paper adds them in its last 400 steps
--   r1sim sweep lua/r1.lua --grid rl_all_seed=1,2,3,4,5 --seeds 1
--                     -- the last stage alone over five seeds, from one Dev3

local stages = require("r1_stages")

local base = stages.base()
stages.eval("eval-base", base, "base")

-- R1-Zero: pure RL from the base, rule rewards only.
local zero = stages.r1_zero(base)
stages.eval("eval-r1-zero", zero, "r1-zero")

-- Dev1, Dev2, Dev3 and R1 (r1_stages.lua, shared with distill.lua and
-- open_r1.lua), with an eval of each.
local r1 = stages.r1(base, zero).r1

-- R1-Distill: two smaller students distilled from R1's rejection-sampled
-- completions (and the larger by logits), beside the larger trained by
-- R1-Zero's GRPO alone (Table 6); -D distill=0 leaves the branch out.
if stages.param("distill", 1) ~= 0 then require("distill_branch").students(r1) end

-- A line per finished stage (the CSV files are the full record).
on_stage_end = stages.report
