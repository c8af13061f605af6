-- A stage's note replaces its kind's plain words in the stage detail.
local a = r1sim.stage{kind = "pretrain", name = "a", options = {steps = 1}}
r1sim.stage{kind = "eval", name = "b", inputs = a, options = {task = "add2", n_prompts = 7},
            note = "Our first look at the base: how often is it right?"}
