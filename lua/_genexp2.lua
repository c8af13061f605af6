local base = "/work/measure/timed/pretrain/model.ckpt"
local function sft(name, data)
  local m = r1sim.stage{kind = "sft", name = name, inputs = {policy = base, dataset = data},
    options = {task = "", epochs = 2, batch_size = 16, lr = 3e-4, save_every = 50}}
  r1sim.stage{kind = "eval", name = "general-" .. name, inputs = {model = m},
    options = {task = "general", n_prompts = 100, k = 4, max_new_tokens = 96, label = name}}
  r1sim.stage{kind = "eval", name = "eval-" .. name, inputs = m,
    options = {task = "pair4", n_prompts = 100, k = 4, max_new_tokens = 96, cipher_prob = 0.5, label = name}}
end
sft("x-old", {"/work/exp/reason.csv", "/work/exp/oldgen.csv"})
sft("y-new403", {"/work/exp/reason.csv", "/work/exp/newgen403.csv"})
sft("z-new1600", {"/work/exp/reason.csv", "/work/exp/newgen1600.csv"})
