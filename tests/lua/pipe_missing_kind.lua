-- A stage without its kind.
r1sim.stage{name = "pretrain"}
