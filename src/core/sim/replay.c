/*
 * replay.c - one replay of the FGD study's experiment (sim.h): order and inflate the pods,
 * place them one by one through the engine, and measure allocation and fragmentation after
 * every arrival.
 *
 * The fragmentation measure is the study's, kept from what the engine placed by the metrics
 * ledger (metrics.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpuvm/sim.h"
#include "sim_internal.h"
#include "sim_rng.h"

static int
cmp_pod_name(const void *x, const void *y)
{
    return strcmp((*(const gv_trace_pod *const *)x)->name, (*(const gv_trace_pod *const *)y)->name);
}

/* The arrival order (sim_internal.h); inflating or trimming is the study's tune step. */
size_t
gv_sim_arrival_order(const gv_trace_pods *pods, const gv_sim_openb_opts *o, int64_t capacity_milli,
                     const gv_trace_pod ***ret)
{
    size_t n = pods->n, cap = pods->n * 2 + 16;
    const gv_trace_pod **v = gv_calloc(cap, sizeof(*v));
    int64_t total = 0;
    int64_t limit = llround((o->inflate > 0 ? o->inflate : 1.3) * (double)capacity_milli);
    gv_sim_rng rs, *rng = &rs;

    gv_sim_rng_init(rng, o->seed);

    for (size_t i = 0; i < n; i++) {
        v[i] = &pods->v[i];
        total += gv_sim_pod_gpu(v[i]);
    }
    qsort(v, n, sizeof(*v), cmp_pod_name);
    for (size_t i = n; i > 1; i--) {
        size_t j = gv_sim_rng_below(rng, i);
        const gv_trace_pod *t = v[i - 1];

        v[i - 1] = v[j];
        v[j] = t;
    }
    if (total < limit && total > 0) {
        /* the study stops before a sample whose per-GPU milli would pass the limit (a trace
         * without GPU pods is not inflated: no sample would ever stop it) */
        for (;;) {
            const gv_trace_pod *q = &pods->v[gv_sim_rng_below(rng, pods->n)];

            if (total + q->gpu_milli > limit)
                break;
            if (n == cap)
                v = gv_reallocarray(v, cap *= 2, sizeof(*v));
            v[n++] = q;
            total += gv_sim_pod_gpu(q);
        }
    } else {
        while (total > limit && n) {
            size_t j = gv_sim_rng_below(rng, n);

            total -= gv_sim_pod_gpu(v[j]);
            memmove(&v[j], &v[j + 1], (n - j - 1) * sizeof(*v));
            n--;
        }
    }
    *ret = v;
    return n;
}

int
gv_sim_bin_of(int64_t arrived, int64_t capacity_milli)
{
    int x = (int)llround((double)arrived * 100.0 / (double)capacity_milli);

    return x < 0 ? 0 : x > GV_SIM_MAX_PCT ? GV_SIM_MAX_PCT : x;
}

static void
bin_add(gv_sim_run *r, int64_t arrived, int64_t allocated, const gv_sim_ledger *rp)
{
    gv_sim_bin *b = &r->bins[gv_sim_bin_of(arrived, r->capacity_milli)];
    b->n++;
    b->alloc_pct += 100.0 * (double)allocated / (double)r->capacity_milli;
    b->frag_amount_pct += 100.0 * rp->frag_total / (double)r->capacity_milli;
    b->frag_ratio_pct += rp->free_total ? 100.0 * rp->frag_total / (double)rp->free_total : 0;
}

int
gv_sim_openb_run(const gv_trace_nodes *nodes, const gv_trace_pods *pods, const gv_catalog *cat,
                 const gv_sim_openb_opts *o, gv_sim_run *ret, gv_err *err)
{
    GV_AUTOPTR(gv_fleet) f = NULL;
    GV_AUTOPTR(gv_engine) e = NULL;
    GV_AUTOFREE const gv_trace_pod **order = NULL;
    gv_sim_ledger rp = {.pods = pods};
    gv_sim_run run = {.seed = o->seed};
    gv_place_result res;
    int64_t arrived = 0, allocated = 0;
    size_t n;
    int rc = 0;

    if ((rc = gv_sim_start(nodes, cat, o, &rp, &f, &e, &run.capacity_milli, err)) < 0)
        return rc;
    run.n_hosts = f->n_hosts;
    n = gv_sim_arrival_order(pods, o, run.capacity_milli, &order);
    run.n_pods = n;
    memset(&res, 0, sizeof(res));
    for (size_t i = 0; i < n; i++) {
        const gv_trace_pod *p = order[i];
        gv_sim_held held;
        int placed;

        arrived += gv_sim_pod_gpu(p);
        if ((placed = gv_sim_place_pod(e, &rp, p, i, o->reference, &res, &held, err)) < 0) {
            rc = placed;
            break;
        }
        if (placed) {
            run.n_placed++;
            allocated += gv_sim_pod_gpu(p);
        }
        bin_add(&run, arrived, allocated, &rp);
    }
    gv_sim_ledger_fini(&rp);
    if (rc < 0)
        return rc;
    *ret = run;
    return 0;
}

bool
gv_sim_bin_window(const int *n, int x, int *ret_lo, int *ret_hi)
{
    for (int lo = x, hi = x; lo >= x - 1; lo--, hi++) {
        int sum = 0;

        for (int b = lo; b <= hi; b++)
            if (b >= 0 && b <= GV_SIM_MAX_PCT)
                sum += n[b];
        if (sum) {
            *ret_lo = lo < 0 ? 0 : lo;
            *ret_hi = hi > GV_SIM_MAX_PCT ? GV_SIM_MAX_PCT : hi;
            return true;
        }
    }
    return false;
}

double
gv_sim_run_at(const gv_sim_run *r, int x, gv_sim_curve c)
{
    int n_of[GV_SIM_MAX_PCT + 1], lo, hi, n = 0;
    double sum = 0;

    for (int b = 0; b <= GV_SIM_MAX_PCT; b++)
        n_of[b] = r->bins[b].n;
    if (!gv_sim_bin_window(n_of, x, &lo, &hi))
        return NAN;
    for (int b = lo; b <= hi; b++) {
        const gv_sim_bin *bin = &r->bins[b];

        n += bin->n;
        sum += c == GV_SIM_ALLOC || c == GV_SIM_UNALLOC ? bin->alloc_pct
               : c == GV_SIM_FRAG_AMOUNT                ? bin->frag_amount_pct
                                                        : bin->frag_ratio_pct;
    }
    return c == GV_SIM_UNALLOC ? 100.0 - sum / n : sum / n;
}
