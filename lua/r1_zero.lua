-- r1_zero.lua: DeepSeek-R1-Zero in miniature. A base model pretrained on
-- generated web text, then pure reinforcement learning (GRPO) with two rule
-- rewards, accuracy and format, and no supervised data at all:
--
--   pretrain ──▶ eval-base
--      └──▶ r1-zero (GRPO: accuracy + format) ──▶ eval-r1-zero
--
-- The task is a search, as in TinyZero's countdown: "3859 sum 14?" asks
-- which two of the digits 3, 8, 5, 9 add up to 14 (answer "5+9"). Checking a
-- pair is one small sum; finding it can take every pair. The base mostly
-- answers at once, and when it does search it usually gives up after a miss
-- or two and names a pair at random. Watch: accuracy climbs, completions get
-- longer as the model learns to think before it answers, and the "wait"s
-- that reject a pair and try the next grow as it learns to keep going.
-- Classroom experiments (each re-runs only the RL stage and its eval):
--   r1sim run lua/r1_zero.lua -D format_weight=0     -- drop the format reward
--   r1sim run lua/r1_zero.lua -D beta=0              -- no KL penalty (no reference, so no kl line)
--   r1sim run lua/r1_zero.lua -D beta=0.4            -- a strong one holds it back
--   r1sim run lua/r1_zero.lua -D group_size=2        -- tiny groups
--   r1sim run lua/r1_zero.lua -D loss_type=dr_grpo   -- Dr. GRPO's unbiased average
--   r1sim run lua/r1_zero.lua -D eps_high=0.28       -- DAPO's clip-higher
-- and over three seeds, mean and spread: r1sim sweep beta.sweep -j 2
-- (lua/ablations/ holds the shipped ablations).
-- and some that re-run the base too, because they change its web text:
--   r1sim run lua/r1_zero.lua -D corpus_mix=chat_pad=0,chat_mixed=0
--                     -- a base that has never seen a tagged search run to its end
--   r1sim run lua/r1_zero.lua -D corpus_mix=direct_wrong=0
--                     -- right direct answers: can the base learn to pick
--                     -- the pair without searching?
--   r1sim run lua/r1_zero.lua -D task=add3
--                     -- 3-digit addition on the "ready" corpus: thinking
--                     -- spreads and length doubles, but self-checks only rise
--                     -- while it spreads and then settle back (a longer run)

local rewards = require("rewards")

local basemodel = require("base")

local task = basemodel.task()
local base = basemodel.pretrain()

local eval_opts = {
  task = task,
  n_prompts = r1sim.param("eval_prompts", 100),
  k = r1sim.param("eval_k", 4),
  max_new_tokens = 96,
}

r1sim.stage{kind = "eval", name = "eval-base", inputs = base, options = eval_opts}

local zero = r1sim.stage{
  kind = "grpo",
  name = "r1-zero",
  inputs = base,
  options = {
    task = task,
    steps = r1sim.param("rl_steps", 200),
    prompts_per_step = r1sim.param("prompts_per_step", 8),
    group_size = r1sim.param("group_size", 8),
    max_new_tokens = 96,
    lr = r1sim.param("rl_lr", 5e-5),
    beta = r1sim.param("beta", 0.04),
    -- the knobs of the shipped ablations (lua/ablations/), at GRPO's defaults
    loss_type = r1sim.param("loss_type", "grpo"),
    scale_rewards = r1sim.param("scale_rewards", 1),
    eps_high = r1sim.param("eps_high", 0.2),
    rewards = rewards.mix{
      rewards.accuracy(1),
      rewards.format(r1sim.param("format_weight", 0.5)),
    },
  },
}

r1sim.stage{kind = "eval", name = "eval-r1-zero", inputs = zero, options = eval_opts}

function on_stage_end(stage, summary, status)
  if summary.pass_at_1 then
    print(string.format("%s: %s, pass@1 %.3f, format %.3f, length %.1f", stage, status,
                        summary.pass_at_1, summary.format_rate, summary.mean_length))
  end
end
