/*
 * sim_moments.h - mean and sample sd of a figure over runs (or the study's seeds), from running
 * sums, as the sim commands print them.
 */
#ifndef GV_CLI_SIM_MOMENTS_H
#define GV_CLI_SIM_MOMENTS_H

#include <math.h>
#include <stddef.h>

typedef struct gv_moments {
    double s1, s2; /* sum, sum of squares */
    size_t n;
} gv_moments;

static inline void
gv_moments_add(gv_moments *m, double v)
{
    m->s1 += v;
    m->s2 += v * v;
    m->n++;
}

/* NAN when empty. */
static inline double
gv_moments_mean(const gv_moments *m)
{
    return m->n ? m->s1 / (double)m->n : NAN;
}

/* 0 with fewer than two values. */
static inline double
gv_moments_sd(const gv_moments *m)
{
    return m->n > 1 ? sqrt(fmax(0, (m->s2 - m->s1 * gv_moments_mean(m)) / (double)(m->n - 1))) : 0;
}

#endif
