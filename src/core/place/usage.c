/*
 * usage.c - what each GPU holds and has left, for the daemon's host details and metrics: free
 * capacity, whether it is stranded (free, but no GPU shape of the expected workload mix fits
 * it: the operator's question, where the scorer's F(M) is a weighted expectation), and the MIG
 * instances of each profile that still fit. Nothing here reads or fills a cache.
 */
#include <string.h>

#include "engine.h"

/* How many instances of @p fit at once in the slices not in @occupied (MIG placements are
 * aligned, so taking the lowest free start first never loses one). */
static int
mig_fit(const gv_mig_profile *p, uint32_t occupied)
{
    int n = 0;
    uint32_t starts;

    while ((starts = gv_mig_free_starts(p, occupied)) && n < p->max_count) {
        occupied |= gv_mig_placement_mask(p, __builtin_ctz(starts));
        n++;
    }
    return n;
}

/* @free_milli when no GPU shape of the mix fits GPU @g (and the mix has GPU shapes), else 0. */
static int64_t
stranded(const gv_engine *e, size_t h, int g, const gv_gpu_use *gu, int64_t free_milli)
{
    bool judged = false;

    if (!free_milli)
        return 0;
    for (size_t i = 0; i < e->n_mix; i++) {
        if (e->mix[i].shape.gpu.count == 0)
            continue;
        judged = true;
        if (gv_gpu_unit(e, h, g, gu, &e->mix_ask[i], false, NULL))
            return 0;
    }
    return judged ? free_milli : 0;
}

int
gv_engine_gpu_usage(const gv_engine *e, size_t host, int gpu, gv_gpu_usage *ret)
{
    const gv_host_info *hi;
    const gv_gpu_use *gu;
    const gv_gpu_model *m;

    if (host >= e->fleet->n_hosts || gpu < 0 || (size_t)gpu >= e->info[host].host->n_gpus)
        return -GV_E_NOTFOUND;
    hi = &e->info[host];
    gu = &e->use[host].gpus[gpu];
    m = hi->models[gpu];
    memset(ret, 0, sizeof(*ret));
    ret->mode = (gv_gpu_mode)gu->mode;
    ret->units = gu->n_alloc;
    ret->free_milli = gv_gpu_free_milli(hi, gpu, gu);
    ret->stranded_milli = stranded(e, host, gpu, gu, ret->free_milli);
    if (gu->mode == GV_GPU_MODE_MIG && m && m->mig) {
        uint32_t used = 0;

        /* idle instances count as free: they are reused, or re-partitioned when allowed */
        for (int i = 0; i < gu->n_inst; i++)
            if (gu->inst_used & (1u << i))
                used |= gv_mig_placement_mask(&m->mig->profiles[gu->inst[i].profile],
                                              gu->inst[i].start);
        for (size_t k = 0; k < m->mig->n_profiles && ret->n_mig < GV_USAGE_MAX_PROFILES; k++) {
            const gv_mig_profile *p = &m->mig->profiles[k];

            ret->mig[ret->n_mig].profile = p->name;
            ret->mig[ret->n_mig++].free = mig_fit(p, used);
        }
    }
    return 0;
}
