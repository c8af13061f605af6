-- quick.lua: the shortest pipeline that still tells part of the story, on
-- 3-digit addition with the default base model (about 9 minutes on 2 cores):
--
--   pretrain ──▶ eval-base
--      └──▶ cold-start-sft (data/coldstart.csv) ──▶ eval-cold-start
--
-- The base reasons step by step only now and then; a little curated chain of
-- thought (R1's cold start) makes it reason every time, and pass@1 follows.
-- Every number a sweep may want to change is an r1sim.param, so
--   r1sim run lua/quick.lua -D sft_steps=20 -D sft_lr=1e-4
-- re-runs only what those values feed (the stage cache keeps the rest).

local task = r1sim.param("task", "add3")

-- The base model ("DeepSeek-V3-Base" in miniature): next-token prediction on
-- generated web text whose problems are all `task`. The pretrain kind's
-- defaults are this base: d_model 128, 4 layers, 4 heads, context 128,
-- 3200 steps of 16 x 128 tokens at lr 3e-3 on the "ready" corpus.
local base = r1sim.stage{
  kind = "pretrain",
  name = "pretrain",
  options = {
    steps = r1sim.param("pretrain_steps", 3200),
    task = task,
  },
}

local eval_opts = {
  task = task,
  n_prompts = r1sim.param("eval_prompts", 100),
  k = 4,
  max_new_tokens = 96,
}

r1sim.stage{kind = "eval", name = "eval-base", inputs = base, options = eval_opts}

-- Cold start: a little curated, readable chain of thought.
local cold = r1sim.stage{
  kind = "sft",
  name = "cold-start-sft",
  inputs = {base, "data/coldstart.csv"},
  options = {
    task = task,
    steps = r1sim.param("sft_steps", 60),
    batch_size = 16,
    lr = r1sim.param("sft_lr", 3e-4),
    save_every = 25,
  },
}

r1sim.stage{kind = "eval", name = "eval-cold-start", inputs = cold, options = eval_opts}

-- Hooks: print a line when a stage ends (the CSV files are the full record).
function on_stage_end(stage, summary, status)
  if summary.pass_at_1 then
    print(string.format("%s: %s, pass@1 %.3f, format %.3f, thinks %.2f", stage, status,
                        summary.pass_at_1, summary.format_rate, summary.think_rate))
  end
end
