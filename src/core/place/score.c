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

/* The pool strategy's score of host @h after the placement: pack its used share, spread its
 * free share, none 0. */
static int
strategy_score(const gv_engine *e, size_t h, const gv_host_use *after, const gv_request *r,
               int64_t gpu_free)
{
    switch (e->info[h].strategy) {
    case GV_POOL_PACK:
        return used_share(e, h, after, r, gpu_free);
    case GV_POOL_SPREAD:
        return 100 - used_share(e, h, after, r, gpu_free);
    default:
        return 0;
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

/* The host after candidate @c, into the engine's scratch state (what the fast path reads of it:
 * its NUMA nodes, and the GPUs' answers); *ret_gpu_free: its GPUs' free capacity, milli. */
static gv_host_use *
after_state(const gv_engine *e, const gv_request *r, bool reference, const gv_gpu_answer *picked,
            const gv_candidate *c, int64_t *ret_gpu_free)
{
    size_t h = (size_t)c->host;
    const gv_host_info *hi = &e->info[h];
    /* the engine's scratch state is the one mutable thing scoring touches */
    gv_host_use *after = (gv_host_use *)&e->scratch;
    int64_t gpu_free = 0;

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
    *ret_gpu_free = gpu_free;
    return after;
}

static int64_t
frag_delta(const gv_engine *e, const gv_candidate *c, const gv_host_use *after, bool reference,
           const gv_gpu_answer *picked)
{
    size_t h = (size_t)c->host;

    if (!e->n_mix || !e->info[h].gpu_milli)
        return 0;
    return gv_frag_host_after(e, h, after, c, reference, picked) -
           gv_frag_host_now(e, h, reference);
}

int64_t
gv_score_frag_delta(const gv_engine *e, const gv_request *r, bool reference,
                    const gv_gpu_answer *picked, const gv_candidate *c)
{
    int64_t gpu_free;
    const gv_host_use *after = after_state(e, r, reference, picked, c, &gpu_free);

    return frag_delta(e, c, after, reference, picked);
}

int
gv_score_fgd(int64_t delta_milli)
{
    return (int)floor(100.0 / (1.0 + exp((double)delta_milli / 1000.0)));
}

/* The study's baselines (fgd-method.md §5) read the host before the placement: free CPU and
 * GPU, normalised by 128 CPUs and 8 GPUs, and the request's CPU and GPU (count x milli). */
#define STUDY_CPU_NORM 128000.0
#define STUDY_GPU_NORM 8000.0

typedef struct study_view {
    int64_t cpu_free, gpu_free; /* milli */
    int64_t cpu_req, gpu_req;
    int n_gpus, n_free_gpus; /* GPUs, and those with nothing given */
} study_view;

static void
study_view_of(const gv_engine *e, const gv_request *r, size_t h, study_view *v)
{
    const gv_host_info *hi = &e->info[h];
    const gv_host_use *u = &e->use[h];

    memset(v, 0, sizeof(*v));
    for (size_t i = 0; i < hi->host->n_numa; i++)
        v->cpu_free += r->cpu_policy == GV_CPU_SHARED ? gv_numa_shared_room(hi, &u->numa[i])
                                                      : 1000 * (int64_t)u->numa[i].free_threads;
    for (size_t g = 0; g < hi->host->n_gpus; g++) {
        int64_t f = gv_gpu_free_milli(hi, (int)g, &u->gpus[g]);

        v->gpu_free += f;
        v->n_free_gpus += f == 1000;
    }
    v->n_gpus = (int)hi->host->n_gpus;
    v->cpu_req =
        r->cpu_policy == GV_CPU_SHARED ? gv_request_cpu_milli(r) : 1000 * (int64_t)r->vcpus;
    v->gpu_req = (int64_t)r->gpu.count * (r->gpu.mode == GV_GPU_MODE_SHARE ? r->gpu.milli : 1000);
}

/* GpuClustering: hosts already running tasks of the request's tag first (only that tag: 75, it
 * and others: 50, no GPU tasks: 25, only others: 0), plus a bonus for GPU in use, always out
 * of 8 GPUs; no GPU: 0. */
static int64_t
clustering_total(const gv_engine *e, const gv_request *r, const gv_candidate *c,
                 const study_view *v)
{
    const gv_host_use *u = &e->use[c->host];
    int t = gv_request_tag(r), n_tags = 0;
    int64_t bonus = 25 * (8000 - v->gpu_free) / 8000;

    if (t < 0)
        return 0;
    for (int k = 0; k <= GV_REQ_MAX_GPUS; k++)
        n_tags += u->tag_count[k] > 0;
    if (u->tag_count[t] > 0)
        return (n_tags == 1 ? 75 : 50) + bonus;
    return (n_tags == 0 ? 25 : 0) + bonus;
}

/* GpuPacking: a share that fits partly used GPUs first (the less left on the GPUs it takes, the
 * better: 91..100), then hosts with GPUs in use (42..49), then idle hosts (25..32); no GPU: 0.
 * The GPUs are the candidate's: the best-fit ones, as the study's score assumed. */
static int64_t
packing_total(const gv_engine *e, const gv_request *r, const gv_candidate *c, const study_view *v)
{
    const gv_host_info *hi = &e->info[c->host];
    const gv_host_use *u = &e->use[c->host];
    int64_t used_free = 0, left = 0;

    if (!r->gpu.count)
        return 0;
    if (v->n_free_gpus == v->n_gpus)
        return 33 - v->n_gpus > v->n_gpus ? 33 - v->n_gpus : v->n_gpus;
    for (int k = 0; k < c->n_picks; k++) {
        int64_t f = gv_gpu_free_milli(hi, c->picks[k].gpu, &u->gpus[c->picks[k].gpu]);

        used_free += f == 1000;
        left += f * 100 / 1000;
    }
    if (used_free > 0)
        return 50 - used_free > 33 ? 50 - used_free : 33;
    return 100 - left / 10 > 50 ? 100 - left / 10 : 50;
}

/* The total of a baseline policy for candidate @c (whose GPUs were chosen by the policy). */
static int64_t
study_total(const gv_engine *e, const gv_request *r, const gv_candidate *c)
{
    study_view v;

    study_view_of(e, r, (size_t)c->host, &v);
    switch (e->cfg.policy) {
    case GV_POLICY_CLUSTERING:
        return clustering_total(e, r, c, &v);
    case GV_POLICY_PACKING:
        return packing_total(e, r, c, &v);
    case GV_POLICY_BESTFIT:
        return (int64_t)(100.0 * (1.0 - (0.5 * (double)(v.cpu_free - v.cpu_req) / STUDY_CPU_NORM +
                                         0.5 * (double)(v.gpu_free - v.gpu_req) / STUDY_GPU_NORM)));
    case GV_POLICY_DOTPROD:
        return (int64_t)(100.0 * (1.0 - ((double)v.cpu_free / STUDY_CPU_NORM * (double)v.cpu_req /
                                             STUDY_CPU_NORM +
                                         (double)v.gpu_free / STUDY_GPU_NORM * (double)v.gpu_req /
                                             STUDY_GPU_NORM) /
                                            2.0));
    default:
        return 0;
    }
}

gv_total_reads
gv_score_total_reads(gv_place_policy policy)
{
    switch (policy) {
    case GV_POLICY_RANDOM:     /* 0 */
    case GV_POLICY_BESTFIT:    /* study_view_of: the host before, and the request */
    case GV_POLICY_DOTPROD:    /* the same */
    case GV_POLICY_CLUSTERING: /* the host's tags and its free GPU */
    case GV_POLICY_FIRSTFIT:   /* 0 */
        return GV_TOTAL_HOST;
    case GV_POLICY_PACKING: /* the GPUs the candidate takes, which set_key picks by capacity */
        return GV_TOTAL_SET;
    default:
        return GV_TOTAL_MIX;
    }
}

void
gv_score_verdict(const gv_engine *e, const gv_request *r, gv_candidate *c)
{
    memset(&c->score, 0, sizeof(c->score));
    c->score.total = study_total(e, r, c);
}

void
gv_score_candidate(const gv_engine *e, const gv_request *r, bool reference,
                   const gv_gpu_answer *picked, gv_candidate *c)
{
    size_t h = (size_t)c->host;
    int64_t delta, gpu_free;
    const gv_host_use *after = after_state(e, r, reference, picked, c, &gpu_free);

    delta = frag_delta(e, c, after, reference, picked);
    c->score.frag_delta_milli = delta;
    c->score.fragmentation = gv_score_fgd(delta);
    c->score.locality = locality_score(e, r, c);
    c->score.strategy = strategy_score(e, h, after, r, gpu_free);
    c->score.reconfigured = 0;
    for (int k = 0; k < c->n_picks; k++)
        c->score.reconfigured += c->picks[k].reconfig;
    switch (e->cfg.policy) {
    case GV_POLICY_GPUVM:
        c->score.total = (int64_t)e->cfg.w_fragmentation * c->score.fragmentation +
                         (int64_t)e->cfg.w_locality * c->score.locality +
                         (int64_t)e->cfg.w_strategy * c->score.strategy -
                         (int64_t)e->cfg.w_reconfigure * c->score.reconfigured;
        break;
    case GV_POLICY_FGD:
        c->score.total = c->score.fragmentation;
        break;
    default:
        c->score.total = study_total(e, r, c);
        break;
    }
}
