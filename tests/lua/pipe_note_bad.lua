local a = r1sim.stage{kind = "pretrain", name = "a", options = {steps = 1}}
r1sim.stage{kind = "eval", name = "b", inputs = a, options = {task = "add2"}, note = 42}
