local m = r1sim.model{d_model = 32, n_layer = 1}
local base = r1sim.stage{kind = "pretrain", name = "base", model = m,
                         options = {steps = r1sim.param("steps", 10)}}
r1sim.stage{kind = "eval", name = "eval", inputs = base, options = {task = "pair4"}}
