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

local M = {}

function M.task()
  return r1sim.param("task", "pair4")
end

-- True for the pair-search world, whose base pretrains on the search corpus.
function M.searching()
  return M.task():sub(1, 4) == "pair"
end

function M.pretrain()
  local searching = M.searching()
  local small = r1sim.model{
    name = "small",
    d_model = r1sim.param("d_model", 128),
    n_layer = r1sim.param("n_layer", 4),
    n_head = 4,
    context = 128,
  }
  return r1sim.stage{
    kind = "pretrain",
    name = "pretrain",
    model = small,
    options = {
      steps = r1sim.param("pretrain_steps", searching and 1600 or 3200),
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
