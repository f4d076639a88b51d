/*
 * rng.h — seeded pseudo-random numbers (xoshiro256**, seeded through splitmix64).
 *
 * A stream is named by (seed, stream): samplers use the trial number as the stream, so trial n of
 * a seeded study gets the same numbers whichever tuner process claims it, and no two trials share
 * a stream.
 */
#ifndef LD_RNG_H
#define LD_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t s[4];
} ld_rng;

void ld_rng_seed(ld_rng *r, uint64_t seed, uint64_t stream);
uint64_t ld_rng_next(ld_rng *r);
/* Uniform on [0, 1) with 53 random bits. */
double ld_rng_uniform(ld_rng *r);
/* Uniform integer on [0, n), without modulo bias; n > 0. */
uint64_t ld_rng_below(ld_rng *r, uint64_t n);
/* Standard normal. */
double ld_rng_normal(ld_rng *r);
/* A hash of x, for deriving seeds and scrambles. */
uint64_t ld_mix64(uint64_t x);

#endif
