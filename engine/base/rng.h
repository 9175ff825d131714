/* rng: a small fast PRNG (xoshiro256**), one state per virtual user, seeded
 * through splitmix64 so that a run's seed reproduces every choice. */
#ifndef LG_RNG_H
#define LG_RNG_H

#include <stdint.h>

/* Small fast PRNG (xoshiro256**), one state per virtual user. */
struct lg_rng {
    uint64_t s[4];
};
void lg_rng_seed(struct lg_rng *r, uint64_t seed);
uint64_t lg_rng_next(struct lg_rng *r);
/* Uniform double in [0, 1). */
double lg_rng_double(struct lg_rng *r);
/* Uniform integer in [lo, hi] (inclusive); lo <= hi. */
int64_t lg_rng_range(struct lg_rng *r, int64_t lo, int64_t hi);

#endif
