r1sim.stage{kind = "pretrain", name = string.rep("n", 300),
            options = {steps = 1e300, corpus = string.rep("x", 100000)}}
