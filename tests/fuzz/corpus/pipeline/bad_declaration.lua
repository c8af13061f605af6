local base = r1sim.stage{kind = "pretrain", options = {steps = 10}}
r1sim.stage{kind = "grpo", inputs = base, options = {task = "pair4", rewards = "nope:1"}}
r1sim.stage{kind = "eval", inputs = "missing-stage"}
