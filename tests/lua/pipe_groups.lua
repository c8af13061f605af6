-- r1sim.group labels the stages declared after it; a stage's own group
-- field overrides it; nil ends it.
local a = r1sim.stage{kind = "pretrain", name = "a", options = {steps = 1}}
r1sim.group("step 1 · distill")
local b = r1sim.stage{kind = "sft", name = "b", inputs = {policy = a, dataset = "data/coldstart.csv"}}
r1sim.stage{kind = "eval", name = "c", inputs = b, group = "other", options = {task = "add2"}}
r1sim.group(nil)
r1sim.stage{kind = "eval", name = "d", inputs = a, options = {task = "add2"}}
