-- options must be a table.
r1sim.stage{kind = "pretrain", options = 5}
