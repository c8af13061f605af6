-- distill.lua: R1-Distill in miniature, and the paper's Table 6 question:
-- for a small model, is distilling a strong reasoner better than RL of its
-- own? The teacher is R1 from the 128 x 4 base, declared as in r1.lua; two
-- students get bases of their own, pretrained on the same web text:
--
--   pretrain (d128 L4) ──▶ r1-zero ──▶ … ──▶ rl-all (R1) ──▶ sample-distill
--   pretrain-s (d64 L2) ─────────────────────────────────────────┴──▶ distill-s-sft
--   pretrain-m (d96 L3) ─┬───────────────────────────────────────┴──▶ distill-m-sft
--                        ├──▶ distill-m-logits (+ KL to the teacher's logits)
--                        └──▶ rl-m (GRPO: R1-Zero's steps, rewards, budget)
--
-- and an eval of each, rows base, r1 (the teacher), base-s, base-m, distill-s-sft,
-- distill-m-sft, distill-m-logits, rl-m:
--   r1sim table runs/distill
-- R1-Distill is plain SFT on the teacher's samples (mode "sft"); the logits
-- variant also matches the teacher's next-token distributions on those
-- samples (off-policy logit distillation, as in GKD), which the paper did not
-- use. Watch: the distilled students reach much of the teacher's accuracy in
-- a few hundred SFT steps, the small one less; the student trained by RL
-- alone, from a base that rarely finishes a search, stays well below.
--
-- The teacher (-D teacher=...):
--   r1        R1, trained here by r1.lua's stages (the default). Its stages
--             are declared exactly as in r1.lua, so a run into r1.lua's run
--             directory takes the teacher (and the students, which r1.lua's
--             distill branch declares alike) from the cache:
--               r1sim run lua/distill.lua --out runs/r1
--   r1-zero   R1-Zero, the quicker teacher (about a third of the time)
--   PATH.ckpt a finished checkpoint, such as runs/r1/rl-all/model.ckpt:
--             nothing of the teacher is trained
-- Experiments:
--   r1sim run lua/distill.lua -D distill_epochs=3     -- the paper's upper end
--   r1sim run lua/distill.lua -D kd_weight=1          -- the logits alone
--   r1sim run lua/distill.lua -D distill_sample_prompts=256
--                     -- a quarter of the data

local r1 = require("r1_stages")

local base = r1.base()
r1.eval("eval-base", base, "base")

local which = r1sim.param("teacher", "r1")
local teacher
if which == "r1" or which == "r1-zero" then
  local zero = r1.r1_zero(base)
  if which == "r1" then
    teacher = r1.r1(base, zero, true).r1
  else
    teacher = zero
    r1.eval("eval-r1-zero", zero, "r1-zero")
  end
elseif which:sub(-5) == ".ckpt" then
  teacher = which
  r1.eval("eval-teacher", teacher, "teacher")
else
  r1sim.fail("-D teacher: expected r1, r1-zero or a checkpoint path ending in .ckpt, got '" .. which .. "'")
end

-- The students' bases: the teacher's web text and steps, smaller models.
require("distill_branch").students(teacher)

-- A line per finished stage (the CSV files are the full record).
on_stage_end = r1.report
