#ifndef R1SIM_ENGINE_RNG_H
#define R1SIM_ENGINE_RNG_H

/* The engine's seeded random numbers: xoshiro256** seeded through splitmix64,
 * so any 64-bit seed (0 included) gives a well-mixed, reproducible stream. */

#include <stdint.h>

typedef struct {
    uint64_t s[4];
} Rng;

void rng_seed(Rng *r, uint64_t seed);
uint64_t rng_next(Rng *r);
/* Uniform in [0, 1) with 24 random bits. */
float rng_uniform(Rng *r);
/* Standard normal (Box-Muller). */
float rng_normal(Rng *r);
/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint32_t rng_below(Rng *r, uint32_t n);

#endif
