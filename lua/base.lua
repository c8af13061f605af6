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

-- Defaults a script may change before it declares anything (quick.lua is
-- r1.lua with smaller numbers): base.defaults{pretrain_steps = 400} makes
-- every builder's default for that parameter 400; -D still wins. Without a
-- call, the defaults are those written below, and so are the cache keys.
local overrides = {}

function M.defaults(t)
  for name, value in pairs(t) do overrides[name] = value end
end

-- The names some builder has asked for, so that a default nothing reads (a
-- misspelt name) is refused instead of silently changing nothing.
local asked = {}

-- r1sim.param through the script's defaults, for every shared builder.
function M.param(name, default)
  asked[name] = true
  local o = overrides[name]
  if o == nil then o = default end
  return r1sim.param(name, o)
end

-- Called after the script has declared everything: fails on a name given to
-- defaults{} that no stage asked for.
function M.check_defaults()
  local unread = {}
  for name in pairs(overrides) do
    if not asked[name] then unread[#unread + 1] = name end
  end
  table.sort(unread)
  if #unread > 0 then
    r1sim.fail("defaults{}: no stage reads " .. table.concat(unread, ", "))
  end
end

function M.task()
  return M.param("task", "pair4")
end

-- True for the pair-search world, whose base pretrains on the search corpus.
function M.searching()
  return M.task():sub(1, 4) == "pair"
end

function M.pretrain_steps()
  return M.param("pretrain_steps", M.searching() and 1600 or 3200)
end

function M.pretrain(size)
  size = size or {}
  local searching = M.searching()
  local small = r1sim.model{
    name = size.name or "small",
    d_model = size.d_model or M.param("d_model", 128),
    n_layer = size.n_layer or M.param("n_layer", 4),
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
      corpus = M.param("corpus", searching and "search" or "ready"),
      mix = M.param("corpus_mix", ""),
      task = M.task(),
      save_every = 100,
    },
  }
end

return M
