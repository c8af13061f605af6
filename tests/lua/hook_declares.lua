-- A hook that tries to add a stage once the run is going (refused).
local base = r1sim.stage{kind = "pretrain", name = "pretrain",
  model = r1sim.model{d_model = 16, n_layer = 1, n_head = 2, context = 64},
  options = {steps = 3, batch_size = 4, seq_len = 32, task = "add2", warmup = 1}}
function on_stage_end(stage, summary, status)
  if summary.loss == nil then return end
  r1sim.stage{kind = "pretrain", name = "late",
    model = r1sim.model{d_model = 16, n_layer = 1, n_head = 2, context = 64},
    options = {steps = 3, batch_size = 4, seq_len = 32, task = "add2", warmup = 1}}
end
