-- distill.lua: R1-Distill in miniature, and the paper's Table 6 question:
-- for a small model, is distilling a strong reasoner better than RL of its
-- own? The teacher is R1-Zero from the 128 x 4 base (as in r1.lua); two
-- students get bases of their own, pretrained on the same web text:
--
--   pretrain (d128 L4) ──▶ r1-zero (GRPO) ──▶ sample-distill (correct + readable)
--   pretrain-s (d64 L2) ──────────────────────────┴──▶ distill-s-sft
--   pretrain-m (d96 L3) ─┬────────────────────────┴──▶ distill-m-sft
--                        ├──▶ distill-m-logits (+ KL to r1-zero's logits)
--                        └──▶ rl-m (GRPO: r1-zero's steps, rewards, budget)
--
-- and an eval of each, rows base, r1-zero (the teacher), base-m,
-- distill-s-sft, distill-m-sft, distill-m-logits, rl-m:
--   r1sim table runs/distill
-- R1-Distill is plain SFT on the teacher's samples (mode "sft"); the logits
-- variant also matches the teacher's next-token distributions on those
-- samples (off-policy logit distillation, as in GKD), which the paper did not
-- use. Watch: the distilled students reach much of the teacher's accuracy in
-- a few hundred SFT steps, the small one less; the student trained by RL
-- alone, from a base that rarely finishes a search, stays well below.
--
-- The teacher's stages are declared as in r1.lua (r1_stages.lua), so a run
-- into r1.lua's directory takes pretrain and r1-zero from its cache:
--   r1sim run lua/distill.lua --out runs/r1
-- Experiments:
--   r1sim run lua/distill.lua -D distill_epochs=3     -- the paper's upper end
--   r1sim run lua/distill.lua -D kd_weight=1          -- the logits alone
--   r1sim run lua/distill.lua -D distill_sample_prompts=256
--                     -- a quarter of the data

local r1 = require("r1_stages")
local basemodel = require("base")

local base = r1.base()
local zero = r1.r1_zero(base)
r1.eval("eval-base", base, "base")
r1.eval("eval-r1-zero", zero, "r1-zero")

-- The students' bases: the teacher's web text and steps, smaller models.
local student_steps = r1sim.param("student_pretrain_steps", basemodel.pretrain_steps())
local base_s = basemodel.pretrain{name = "pretrain-s", d_model = 64, n_layer = 2,
                                  steps = student_steps}
local base_m = basemodel.pretrain{name = "pretrain-m", d_model = 96, n_layer = 3,
                                  steps = student_steps}
r1.eval("eval-base-m", base_m, "base-m")

-- The teacher's rejection-sampled data: R1-Zero's correct, readable
-- completions (R1-Distill's 800k samples, in miniature).
local data = r1sim.stage{kind = "sample", name = "sample-distill", inputs = zero,
  options = r1.sample_options(r1sim.param("distill_sample_prompts", 1024), 0)}

local function distill_options(mode)
  local o = {
    mode = mode,
    epochs = r1sim.param("distill_epochs", 2),
    batch_size = 16,
    lr = r1sim.param("distill_lr", 1e-3),
    save_every = 50,
  }
  if mode == "logits" then
    o.kd_temperature = r1sim.param("kd_temperature", 2)
    o.kd_weight = r1sim.param("kd_weight", 0.5)
  end
  return o
end

local s_sft = r1sim.stage{kind = "distill", name = "distill-s-sft",
  inputs = {student = base_s, dataset = data}, options = distill_options("sft")}
local m_sft = r1sim.stage{kind = "distill", name = "distill-m-sft",
  inputs = {student = base_m, dataset = data}, options = distill_options("sft")}
local m_logits = r1sim.stage{kind = "distill", name = "distill-m-logits",
  inputs = {student = base_m, teacher = zero, dataset = data},
  options = distill_options("logits")}
r1.eval("eval-distill-s-sft", s_sft, "distill-s-sft")
r1.eval("eval-distill-m-sft", m_sft, "distill-m-sft")
r1.eval("eval-distill-m-logits", m_logits, "distill-m-logits")

-- Table 6's other arm: the same student by R1-Zero's recipe from its own base.
local rl_m = r1.r1_zero(base_m, "rl-m")
r1.eval("eval-rl-m", rl_m, "rl-m")

function on_stage_end(stage, summary, status)
  if summary.pass_at_1 then
    print(string.format("%s: %s, pass@1 %.3f, format %.3f, length %.1f", stage, status,
                        summary.pass_at_1, summary.format_rate, summary.mean_length))
  elseif summary.kept_total then
    print(string.format("%s: %s, kept %d of %d", stage, status, summary.kept_total,
                        summary.generated_total))
  end
end
