/*
 * rng.h: the one seeded PRNG a run owns (xoshiro256** seeded by splitmix64).
 * Every random choice of a run comes from one rng, and the seed is printed.
 * Not thread-safe: one rng per thread, each derived with rng_split().
 */
#ifndef BACKSTOP_RNG_H
#define BACKSTOP_RNG_H

#include <stdint.h>

struct rng {
    uint64_t s[4];
};

void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, n); n > 0. */
uint32_t rng_below(struct rng *r, uint32_t n);
/* An independent stream for a worker, derived from r. */
void rng_split(struct rng *r, struct rng *child);
/* A seed from the clock and pid, for runs without --seed (always printed). */
uint64_t rng_fresh_seed(void);

#endif /* BACKSTOP_RNG_H */
