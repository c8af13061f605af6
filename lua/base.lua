-- base.lua: the base model ("DeepSeek-V3-Base" in miniature) that r1_zero.lua
-- and r1.lua start from, so both scripts share one pretrain stage, and the
-- stage cache one base, when they run into the same directory.
--
--   local base = require("base")
--   local task, pretrain = base.task(), base.pretrain()
--
-- Parameters (-D): task (pair4), d_model (128), n_layer (4), pretrain_steps
-- (1600 for the pair search, 3200 otherwise), corpus (search for the pair
-- search, ready otherwise), corpus_mix ("").
--
-- base.pretrain{name = "pretrain-s", d_model = 64, n_layer = 2} declares
-- another base on the same web text (distill.lua's students); with no
-- argument it is the base above, stage "pretrain", whose declaration (and so
-- cache key) every script shares.

local M = {}

function M.task()
  return r1sim.param("task", "pair4")
end

-- True for the pair-search world, whose base pretrains on the search corpus.
function M.searching()
  return M.task():sub(1, 4) == "pair"
end

function M.pretrain_steps()
  return r1sim.param("pretrain_steps", M.searching() and 1600 or 3200)
end

function M.pretrain(size)
  size = size or {}
  local searching = M.searching()
  local small = r1sim.model{
    name = size.name or "small",
    d_model = size.d_model or r1sim.param("d_model", 128),
    n_layer = size.n_layer or r1sim.param("n_layer", 4),
    n_head = 4,
    context = 128,
  }
  return r1sim.stage{
    kind = "pretrain",
    name = size.name or "pretrain",
    model = small,
    options = {
      steps = size.steps or M.pretrain_steps(),
      batch_size = 16,
      seq_len = 128,
      lr = 3e-3,
      warmup = 30,
      corpus = r1sim.param("corpus", searching and "search" or "ready"),
      mix = r1sim.param("corpus_mix", ""),
      task = M.task(),
      save_every = 100,
    },
  }
end

return M
