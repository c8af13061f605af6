-- quick.lua: the shortest pipeline that still tells part of the story, on
-- 2-digit addition with a small model (about 2 minutes on one core):
--
--   pretrain ──▶ eval-base
--      └──▶ cold-start-sft (data/coldstart.csv) ──▶ eval-cold-start
--
-- Every number a sweep may want to change is an r1sim.param, so
--   r1sim run lua/quick.lua -D pretrain_steps=100 -D sft_lr=1e-4
-- re-runs only what those values feed (the stage cache keeps the rest).

local task = r1sim.param("task", "add2")

local small = r1sim.model{
  name = "small",
  d_model = r1sim.param("d_model", 96),
  n_layer = r1sim.param("n_layer", 3),
  n_head = 4,
  context = 128,
}

-- The base model ("DeepSeek-V3-Base" in miniature): next-token prediction on
-- generated web text whose problems are all `task`.
local base = r1sim.stage{
  kind = "pretrain",
  name = "pretrain",
  model = small,
  options = {
    steps = r1sim.param("pretrain_steps", 2000),
    batch_size = 16,
    seq_len = r1sim.param("seq_len", 128),
    lr = 3e-3,
    warmup = 30,
    corpus = "ready",
    task = task,
    save_every = 50,
  },
}

local eval_opts = {
  task = task,
  n_prompts = r1sim.param("eval_prompts", 64),
  k = 4,
  max_new_tokens = 64,
}

r1sim.stage{kind = "eval", name = "eval-base", inputs = base, options = eval_opts}

-- Cold start: a little curated, readable chain of thought.
local cold = r1sim.stage{
  kind = "sft",
  name = "cold-start-sft",
  inputs = {base, "data/coldstart.csv"},
  options = {
    task = task,
    steps = r1sim.param("sft_steps", 40),
    batch_size = 16,
    lr = r1sim.param("sft_lr", 1e-4),
    save_every = 25,
  },
}

r1sim.stage{kind = "eval", name = "eval-cold-start", inputs = cold, options = eval_opts}

-- Hooks: print a line when a stage ends (the CSV files are the full record).
function on_stage_end(stage, summary, status)
  if summary.pass_at_1 then
    print(string.format("%s: %s, pass@1 %.3f, format %.3f", stage, status,
                        summary.pass_at_1, summary.format_rate))
  end
end
