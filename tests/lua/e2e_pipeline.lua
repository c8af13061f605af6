-- The four-stage pipeline the view's end-to-end test drives: a base, SFT on
-- the curated cold-start set, an eval of each; small enough to finish in
-- seconds with the test's -D values.
local task = "add3"
local base = r1sim.stage{kind = "pretrain", name = "pretrain",
  options = {steps = r1sim.param("pretrain_steps", 3200), task = task}}
local eval_opts = {task = task, n_prompts = r1sim.param("eval_prompts", 100), k = 4,
                   max_new_tokens = 96}
r1sim.stage{kind = "eval", name = "eval-base", inputs = base, options = eval_opts}
local cold = r1sim.stage{kind = "sft", name = "cold-start-sft",
  inputs = {base, "data/coldstart.csv"},
  options = {task = task, steps = r1sim.param("sft_steps", 60), batch_size = 16, lr = 3e-4,
             save_every = 25}}
r1sim.stage{kind = "eval", name = "eval-cold-start", inputs = cold, options = eval_opts}
