r1sim.stage{kind = "pretrain", optoins = {}}
