-- open_r1.lua: Hugging Face's Open R1 plan, in miniature, as one flowchart
-- with its three steps drawn as labelled groups:
--
--   step 1 · distill     R1-Distill: R1's rejection-sampled completions
--                        fine-tune smaller students (SFT, and logits for the
--                        larger), beside the larger trained by RL alone
--   step 2 · R1-Zero     pure RL (GRPO: accuracy + format) from the base
--   step 3 · multi-stage from the base to R1: cold start (Dev1), reasoning
--                        RL (Dev2), rejection sampling + SFT (Dev3), the
--                        reward model and RL for all scenarios (R1)
--
-- The base ("DeepSeek-V3-Base") stands outside the steps. Open R1 took
-- step 1's teacher, DeepSeek-R1, as given; here it is the R1 that step 3
-- makes, unless -D teacher names a finished checkpoint.
--
-- Every stage is declared exactly as in r1.lua (r1_stages.lua,
-- distill_branch.lua), so the three steps share one cache with it:
--   r1sim run lua/open_r1.lua --out runs/r1     -- r1.lua's finished run
--
-- Each step runs alone with -D step=1|2|3 (0, the default: all three). A
-- step declares what it needs from an earlier one, drawn in that step's
-- group, and a run into the same directory takes those from the cache:
--   r1sim run lua/open_r1.lua -D step=2        -- base -> R1-Zero
--   r1sim run lua/open_r1.lua -D step=3        -- + R1-Zero (its samples are Dev1's data)
--   r1sim run lua/open_r1.lua -D step=1        -- + steps 2 and 3 (the teacher)
--   r1sim run lua/open_r1.lua -D step=1 -D teacher=runs/r1/rl-all/model.ckpt
--                     -- the students alone, from a finished R1, as Open R1 did

local stages = require("r1_stages")

local step = r1sim.param("step", 0)
if step ~= 0 and step ~= 1 and step ~= 2 and step ~= 3 then
  r1sim.fail("-D step=" .. tostring(step) .. ": expected 1, 2, 3 or 0 (all three)")
end
local teacher = r1sim.param("teacher", "")
if teacher ~= "" and teacher:sub(-5) ~= ".ckpt" then
  r1sim.fail("-D teacher=" .. teacher .. ": expected a checkpoint path ending in .ckpt")
end
-- A teacher from a file needs none of steps 2 and 3.
local given = step == 1 and teacher ~= ""

local base, zero, r1
if not given then
  base = stages.base()
  stages.eval("eval-base", base, "base")

  r1sim.group("step 2 · R1-Zero")
  zero = stages.r1_zero(base)
  stages.eval("eval-r1-zero", zero, "r1-zero")
end

if step == 0 or step == 3 or (step == 1 and not given) then
  r1sim.group("step 3 · multi-stage")
  -- Dev1, Dev2, Dev3 and R1 with an eval of each; step 1 alone needs only R1.
  r1 = stages.r1(base, zero, step == 1).r1
end

if step == 0 or step == 1 then
  r1sim.group("step 1 · distill")
  if given then
    r1 = teacher
    stages.eval("eval-teacher", r1, "teacher")
  end
  require("distill_branch").students(r1)
end

-- A line per finished stage (the CSV files are the full record).
on_stage_end = stages.report
