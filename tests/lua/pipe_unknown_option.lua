-- A typo in an option name must not run the default silently.
r1sim.stage{
  kind = "pretrain",
  options = {stpes = 10},
}
