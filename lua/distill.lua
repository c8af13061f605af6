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

local base = r1.base()
local zero = r1.r1_zero(base)
r1.eval("eval-base", base, "base")
r1.eval("eval-r1-zero", zero, "r1-zero")

-- The students' bases: the teacher's web text and steps, smaller models.
require("distill_branch").students(zero)

function on_stage_end(stage, summary, status)
  if summary.pass_at_1 then
    print(string.format("%s: %s, pass@1 %.3f, format %.3f, length %.1f", stage, status,
                        summary.pass_at_1, summary.format_rate, summary.mean_length))
  elseif summary.kept_total then
    print(string.format("%s: %s, kept %d of %d", stage, status, summary.kept_total,
                        summary.generated_total))
  end
end
