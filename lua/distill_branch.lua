-- distill_branch.lua: R1-Distill's students of one teacher, shared by
-- distill.lua (its -D teacher, R1 by default) and r1.lua (the teacher is R1):
-- two student bases (d 64 x 2 and d 96 x 3) on the teacher's web text, each
-- distilled by SFT on the teacher's rejection-sampled completions, the
-- larger also by logits, and the larger trained by R1-Zero's GRPO from its
-- own base for Table 6's comparison; an eval of each.
--
--   require("distill_branch").students(teacher_stage)

local r1 = require("r1_stages")
local basemodel = require("base")

local M = {}

-- "96x3": d_model 96, 3 layers.
local function shape(name, default)
  local text = basemodel.param(name, default)
  local d, l = text:match("^(%d+)x(%d+)$")
  if not d then r1sim.fail("-D " .. name .. "=" .. text .. ": expected D_MODELxLAYERS, such as 96x3") end
  return tonumber(d), tonumber(l)
end

function M.students(teacher)
  local student_steps = basemodel.param("student_pretrain_steps", basemodel.pretrain_steps())
  local ds, ls = shape("student_s", "64x2")
  local dm, lm = shape("student_m", "96x3")
  local base_s = basemodel.pretrain{name = "pretrain-s", d_model = ds, n_layer = ls,
                                    steps = student_steps}
  local base_m = basemodel.pretrain{name = "pretrain-m", d_model = dm, n_layer = lm,
                                    steps = student_steps}
  r1.eval("eval-base-s", base_s, "base-s")
  r1.eval("eval-base-m", base_m, "base-m")

  -- The teacher's rejection-sampled data: its correct, readable
  -- completions (R1-Distill's 800k samples, in miniature).
  local data = r1sim.stage{kind = "sample", name = "sample-distill", inputs = teacher,
    options = r1.sample_options(basemodel.param("distill_sample_prompts", 1024), 0)}

  local function distill_options(mode)
    local o = {
      mode = mode,
      epochs = basemodel.param("distill_epochs", 2),
      batch_size = 16,
      lr = basemodel.param("distill_lr", 1e-3),
      save_every = 50,
    }
    if mode == "logits" then
      o.kd_temperature = basemodel.param("kd_temperature", 2)
      o.kd_weight = basemodel.param("kd_weight", 0.5)
    end
    return o
  end

  local s_sft = r1sim.stage{kind = "distill", name = "distill-s-sft",
    inputs = {student = base_s, dataset = data}, options = distill_options("sft")}
  local m_sft = r1sim.stage{kind = "distill", name = "distill-m-sft",
    inputs = {student = base_m, dataset = data}, options = distill_options("sft")}
  local m_logits = r1sim.stage{kind = "distill", name = "distill-m-logits",
    inputs = {student = base_m, teacher = teacher, dataset = data},
    options = distill_options("logits")}
  r1.eval("eval-distill-s-sft", s_sft, "distill-s-sft")
  r1.eval("eval-distill-m-sft", m_sft, "distill-m-sft")
  r1.eval("eval-distill-m-logits", m_logits, "distill-m-logits")

  -- Table 6's other arm: the same student by R1-Zero's recipe from its own base.
  local rl_m = r1.r1_zero(base_m, "rl-m")
  r1.eval("eval-rl-m", rl_m, "rl-m")
end

return M
