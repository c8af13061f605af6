#ifndef R1SIM_WORLD_RNG_H
#define R1SIM_WORLD_RNG_H

#include <stdint.h>

/* The world's own seeded random numbers. Data generation must be reproducible
 * from a seed alone and must not disturb (or be disturbed by) the engine's RNG
 * stream, so the world keeps a separate, tiny generator: splitmix64, whose
 * whole state is one word and which needs no seeding ritual. */

typedef struct {
    uint64_t s;
} WorldRng;

static inline void world_rng_seed(WorldRng *r, uint64_t seed) {
    r->s = seed;
}

static inline uint64_t world_rng_mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t world_rng_next(WorldRng *r) {
    r->s += 0x9e3779b97f4a7c15ULL;
    return world_rng_mix(r->s);
}

/* Uniform in [0, n) for n > 0, without modulo bias: a biased generator would
 * skew which problems the corpus and eval sets contain. */
static inline uint64_t world_rng_below(WorldRng *r, uint64_t n) {
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do x = world_rng_next(r);
    while (x >= limit);
    return x % n;
}

/* Uniform in [0, 1) with 53 random bits. */
static inline double world_rng_unit(WorldRng *r) {
    return (double)(world_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* 1 with probability p (p <= 0 never, p >= 1 always). */
static inline int world_rng_chance(WorldRng *r, double p) {
    if (p <= 0.0) return 0;
    if (p >= 1.0) return 1;
    return world_rng_unit(r) < p;
}

#endif
