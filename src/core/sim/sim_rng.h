/*
 * sim_rng.h - the simulator's randomness: one splitmix64 stream per run, seeded by the run's
 * seed, so that a replay is a function of its inputs and seed.
 */
#ifndef GV_SIM_RNG_H
#define GV_SIM_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct gv_sim_rng {
    uint64_t s;
} gv_sim_rng;

static inline void
gv_sim_rng_init(gv_sim_rng *r, uint64_t seed)
{
    r->s = seed;
}

static inline uint64_t
gv_sim_rng_next(gv_sim_rng *r)
{
    uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Uniform in 0..n-1 (n > 0), by the high half of a 128-bit product. */
static inline size_t
gv_sim_rng_below(gv_sim_rng *r, size_t n)
{
    return (size_t)(((unsigned __int128)gv_sim_rng_next(r) * n) >> 64);
}

/* Fisher-Yates. */
static inline void
gv_sim_rng_shuffle_ints(gv_sim_rng *r, int *v, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = gv_sim_rng_below(r, i);
        int t = v[i - 1];

        v[i - 1] = v[j];
        v[j] = t;
    }
}

#endif
