local task = r1sim.param("task", "pair4")
r1sim.group("step 1")
r1sim.reward("len", function(s) return #s.completion / 100 end)
r1sim.filter("short", function(s) return #s.completion < 50 end)
local base = r1sim.stage{kind = "pretrain", options = {steps = 5}}
r1sim.group(nil)
r1sim.stage{kind = "grpo", inputs = base, options = {task = task, steps = 2, rewards = "len:1"}}
function on_step(stage, m) return false end
on_stage_end = 3
