r1sim.filter("any", function(s) return true end)
require("r1")
