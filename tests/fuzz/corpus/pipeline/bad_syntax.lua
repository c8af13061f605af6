r1sim.stage{kind = "pretrain", options = {steps = 10}
local x = = 1
