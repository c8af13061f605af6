-- quick.lua: every stage of r1.lua — the base, R1-Zero, R1's Dev1, Dev2,
-- Dev3, reward model and R1, and R1-Distill's students, with an eval of
-- each model — with small settings, so that a class sees the whole flowchart
-- run in one lesson (2 min 19 s fresh on 2 threads, 4 min on one, here):
--
--   pretrain (d64 L2) ──▶ r1-zero ──▶ sample-r1-zero
--      ├──▶ cold-start (Dev1: SFT on R1-Zero's samples)
--      │       └──▶ reasoning-rl (Dev2) ──▶ sample-dev2 (+ general rows)
--      └──▶ sft-dev3 (Dev3: SFT on that mix) ──▶ reward-model
--              └──▶ rl-all (R1) ──▶ sample-distill (R1's correct, readable samples)
--   pretrain-s (d32 L1) ──▶ distill-s-sft (SFT on them)
--   pretrain-m (d48 L2) ──▶ distill-m-sft, distill-m-logits (+ R1's logits)
--              └──▶ rl-m (R1-Zero's GRPO from the student's base)
--
-- and r1.lua's evals: eval-* of every model (half of the prompts in the
-- cipher) and general-* of base, R1-Zero, Dev2, Dev3 and R1.
--   r1sim run lua/quick.lua                       -- the live flowchart
--   r1sim run lua/quick.lua --headless --fresh    -- a line per stage, then
--   r1sim table runs/quick
--
-- It is r1.lua itself (require("r1")) with other defaults, so the stages,
-- their inputs and what they compute are r1.lua's; only these numbers
-- differ. The task is pair3 (three digits, three pairs to try: a search
-- short enough for a d 64 x 2 base), the students are smaller than that
-- base, the steps and samples fewer, and the RL learning rate four times
-- r1.lua's, to make up for 80 R1-Zero steps instead of 200.
--
-- What to watch (a fresh run, --threads 1): R1-Zero learns to search
-- (held-out pass@1 0.28 -> 0.58, thoughts twice as long, three times the
-- "wait"s); the distilled students think like their teacher and
-- beat their own base (0.09 -> 0.24 to 0.29), and the larger one beats the
-- same student trained by R1-Zero's GRPO alone (0.21), which learns to guess
-- a pair at once instead (Table 6's shape, by a few problems of 100).
-- What these sizes do not show (README, "quick.lua"): Dev1, Dev2, Dev3 and
-- R1 stay level with R1-Zero (0.52 to 0.55) rather than above it; there is
-- little language mixing for the language reward to fix; and the general
-- prompts are beyond a d 64 base (helpfulness about 0 for every model).
--
-- Every default below, and every other r1.lua parameter, still takes -D:
--   r1sim run lua/quick.lua -D rl_steps=200       -- R1-Zero as long as r1.lua's
--   r1sim run lua/quick.lua -D distill=0          -- without R1-Distill
--   r1sim run lua/quick.lua -D language_weight=0  -- r1.lua's ablations, as there

local stages = require("r1_stages")

stages.defaults{
  task = "pair3",
  d_model = 64,
  n_layer = 2,
  pretrain_steps = 1500,   -- the students pretrain as long
  student_s = "32x1",
  student_m = "48x2",
  rl_lr = 2e-4,            -- every GRPO stage: r1-zero, reasoning-rl, rl-all, rl-m
  rl_steps = 80,
  reasoning_rl_steps = 30,
  rl_all_steps = 30,       -- the reward model from step 23 (the paper's last 400 of 1,700)
  zero_sample_prompts = 192,
  dev2_sample_prompts = 256,
  distill_sample_prompts = 512,
  distill_epochs = 6,      -- fewer rows than r1.lua's, so more passes over them
  general_ratio = 0.25,    -- Dev3 and the reward model as before r1.lua's longer ones:
  dev3_epochs = 2,         -- a d 64 base answers no general prompt either way
  dev3_lr = 3e-4,
  rm_epochs = 2,
  rm_lr = 1e-3,
  general_prompts = 100,   -- r1.lua's 400 are for telling models apart; here all are 0
  -- data/ ships curated searches for pair4 only: Dev1 learns from R1-Zero's
  -- samples alone, which the -D coldstart_curated=0 ablation of r1.lua does too
  coldstart_curated = 0,
}

require("r1")

-- A misspelt name above would change nothing; refuse it instead (with the
-- distill branch left out its names are not read, so there is no check).
if stages.param("distill", 1) ~= 0 then stages.check_defaults() end
