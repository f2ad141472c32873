/*
 * score.c - the scorers: each maps a feasible candidate to 0..100, and the total is their sum
 * weighted by the configuration (gv_place_config: weights are data, not code).
 *
 *   fragmentation  FGD: delta = F(M) after the placement - F(M) before (frag.c), in milli-GPUs;
 *                  score = floor(100 * sigmoid(-delta / 1000)), so 50 means "no change",
 *                  above 50 the placement fills a hole the mix could not use anyway.
 *   locality       100 minus penalties: vCPUs or memory off the GPU nodes (30 each), the GPU
 *                  set's spread (NV 0, PIX 5, PXB 10, PHB 15, NODE 20, SYS 30), NIC VFs' and
 *                  scratch's distance to the nearest GPU (PXB 5, PHB 10, NODE 15, SYS 25).
 *   strategy       the host's pool: pack scores the host's used share after placing (fuller
 *                  hosts first, keeping whole hosts free for big training VMs); spread scores
 *                  the free share (inference spreads its blast radius). The share is of GPU
 *                  capacity when the request has GPUs, else of CPU threads.
 *   reconfigure    not a 0..100 scorer but a cost: w_reconfigure points per GPU the placement
 *                  must switch or re-partition, since that resets the device.
 */
#include <stdio.h>
#include <math.h>
#include <string.h>

#include "engine.h"

static const int spread_penalty[GV_DIST_LAST] = {
    [GV_DIST_SELF] = 0, [GV_DIST_NVLINK] = 0, [GV_DIST_PIX] = 5,  [GV_DIST_PXB] = 10,
    [GV_DIST_PHB] = 15, [GV_DIST_NODE] = 20,  [GV_DIST_SYS] = 30,
};

static const int device_penalty[GV_DIST_LAST] = {
    [GV_DIST_SELF] = 0, [GV_DIST_NVLINK] = 0, [GV_DIST_PIX] = 0,  [GV_DIST_PXB] = 5,
    [GV_DIST_PHB] = 10, [GV_DIST_NODE] = 15,  [GV_DIST_SYS] = 25,
};

/* The CPU threads and memory the candidate takes, applied to @u's NUMA nodes (a copy). */
static void
apply_numa(const gv_engine *e, size_t h, gv_host_use *u, const gv_request *r, const gv_candidate *c)
{
    const gv_host_info *hi = &e->info[h];
    size_t n_numa = hi->host->n_numa < GV_MAX_NUMA ? hi->host->n_numa : GV_MAX_NUMA;
    int64_t milli[GV_MAX_NUMA];

    if (r->cpu_policy == GV_CPU_SHARED)
        gv_shared_milli_split(r, c->take, n_numa, milli);
    for (size_t i = 0; i < n_numa; i++) {
        gv_numa_use *n = &u->numa[i];
        int v = c->take[i].vcpus, tpc = hi->numa[i].threads_per_core;

        if (r->cpu_policy == GV_CPU_SHARED) {
            n->shared_milli += milli[i];
        } else if (r->vcpus >= tpc && tpc > 1) {
            n->free_cores -= (v + tpc - 1) / tpc;
            n->free_threads -= (v + tpc - 1) / tpc * tpc;
        } else {
            n->free_threads -= v;
        }
        switch (r->hugepages) {
        case GV_HUGEPAGES_2M:
            n->hp2m_free -= c->take[i].mem_mib / 2;
            break;
        case GV_HUGEPAGES_1G:
            n->hp1g_free -= c->take[i].mem_mib / 1024;
            break;
        default:
            n->mem_free_mib -= c->take[i].mem_mib;
        }
    }
}

/* The used share of host @h in state @u, whose GPUs have @gpu_free milli-GPUs free. */
static int
used_share(const gv_engine *e, size_t h, const gv_host_use *u, const gv_request *r,
           int64_t gpu_free)
{
    const gv_host_info *hi = &e->info[h];

    if (r->gpu.count && hi->gpu_milli) {
        return (int)(100 * (hi->gpu_milli - gpu_free) / hi->gpu_milli);
    } else {
        int64_t free = 0;
        for (size_t i = 0; i < hi->host->n_numa; i++)
            free += u->numa[i].free_threads;
        return hi->n_threads ? (int)(100 * (hi->n_threads - free) / hi->n_threads) : 0;
    }
}

static int
locality_score(const gv_engine *e, const gv_request *r, const gv_candidate *c)
{
    const gv_host_info *hi = &e->info[c->host];
    int pen = 0, vcpu_off = 0;
    int64_t mem_off = 0;

    for (size_t i = 0; i < hi->host->n_numa && i < GV_MAX_NUMA; i++) {
        if (c->home & (UINT64_C(1) << i))
            continue;
        vcpu_off += c->take[i].vcpus;
        mem_off += c->take[i].mem_mib;
    }
    if (c->home && vcpu_off)
        pen += 30;
    if (c->home && mem_off)
        pen += 30;
    if (c->n_picks > 1)
        pen += spread_penalty[c->spread];
    if (r->nic_vfs > 0) {
        int sum = 0;
        for (int k = 0; k < r->nic_vfs; k++) {
            int d = 0;
            for (int p = 0; p < c->n_picks; p++) {
                int v = hi->nic_dist[(size_t)c->picks[p].gpu * hi->host->n_nics +
                                     (size_t)c->nic_take[k]];
                d = p == 0 || v < d ? v : d;
            }
            if (!c->n_picks)
                d = hi->nic_numa_idx[c->nic_take[k]] >= 0 &&
                            (c->home & (UINT64_C(1) << hi->nic_numa_idx[c->nic_take[k]]))
                        ? GV_DIST_NODE
                        : GV_DIST_SYS;
            sum += device_penalty[d];
        }
        pen += sum / r->nic_vfs;
    }
    if (c->nvme >= 0)
        pen += device_penalty[c->nvme_dist];
    return pen >= 100 ? 0 : 100 - pen;
}

void
gv_score_candidate(const gv_engine *e, const gv_request *r, bool reference,
                   const gv_gpu_answer *picked, gv_candidate *c)
{
    size_t h = (size_t)c->host;
    const gv_host_info *hi = &e->info[h];
    /* the engine's scratch state is the one mutable thing scoring touches */
    gv_host_use *after = (gv_host_use *)&e->scratch;
    int64_t before_f = 0, after_f = 0, delta, gpu_free = 0;
    int share;

    if (reference || (!picked && c->n_picks)) {
        /* the whole host after the candidate, every GPU's capacity computed afresh */
        gv_host_use_copy(hi, after, &e->use[h]);
        for (int k = 0; k < c->n_picks; k++)
            gv_gpu_pick_apply(&after->gpus[c->picks[k].gpu], r, &c->picks[k]);
        for (size_t g = 0; g < hi->host->n_gpus; g++)
            gpu_free += gv_gpu_free_milli(hi, (int)g, &after->gpus[g]);
    } else {
        /* what the fast path reads of the host after: its NUMA nodes, and (for a GPU request's
         * share) its GPUs' free capacity from their answers now and the taken GPUs' answers
         * after (@picked) */
        memcpy(after->numa, e->use[h].numa, hi->host->n_numa * sizeof(*after->numa));
        if (c->n_picks) {
            const gv_gpu_answer *now = gv_frag_answers_now(e, h);

            for (size_t g = 0; g < hi->host->n_gpus; g++)
                gpu_free += now[g].free_milli;
            for (int k = 0; k < c->n_picks; k++)
                gpu_free += picked[c->picks[k].gpu].free_milli - now[c->picks[k].gpu].free_milli;
        }
    }
    apply_numa(e, h, after, r, c);
    if (e->n_mix && hi->gpu_milli) {
        before_f = gv_frag_host_now(e, h, reference);
        after_f = gv_frag_host_after(e, h, after, c, reference, picked);
    }
    delta = after_f - before_f;
    c->score.frag_delta_milli = delta;
    c->score.fragmentation = (int)floor(100.0 / (1.0 + exp((double)delta / 1000.0)));
    c->score.locality = locality_score(e, r, c);
    share = used_share(e, h, after, r, gpu_free);
    c->score.strategy = hi->strategy == GV_POOL_SPREAD ? 100 - share : share;
    c->score.reconfigured = 0;
    for (int k = 0; k < c->n_picks; k++)
        c->score.reconfigured += c->picks[k].reconfig;
    c->score.total = (int64_t)e->cfg.w_fragmentation * c->score.fragmentation +
                     (int64_t)e->cfg.w_locality * c->score.locality +
                     (int64_t)e->cfg.w_strategy * c->score.strategy -
                     (int64_t)e->cfg.w_reconfigure * c->score.reconfigured;
}
