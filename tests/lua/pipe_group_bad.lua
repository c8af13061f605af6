r1sim.stage{kind = "pretrain", name = "a", options = {steps = 1}}
r1sim.group(3)
