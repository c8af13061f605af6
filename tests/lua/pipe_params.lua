-- r1sim.param: the default unless -D overrides it.
local steps = r1sim.param("steps", 10)
local lr = r1sim.param("lr", 0.001)
local corpus = r1sim.param("corpus", "graded")
local base = r1sim.stage{
  kind = "pretrain",
  name = "pretrain",
  options = {steps = steps, lr = lr, corpus = corpus},
}
r1sim.stage{kind = "eval", name = "eval", inputs = base}
function on_step(stage, m)
  if m.step == 2 then
    local t = nil
    return t.field -- a runtime error inside a hook
  end
end
