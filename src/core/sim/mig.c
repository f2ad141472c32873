/*
 * mig.c - the MIG replay (sim.h): the study's trace, order and inflation on an H100 fleet in
 * MIG mode, under three ways of running it: a static partition (mig-parted's all-balanced
 * layout on every GPU, fixed), first-free-slot dynamic instances, and gpuvm.
 *
 * Each strategy is only a fleet setting and an engine policy; the placing is the engine's:
 *   static      hosts mig_fixed, the balanced layout, policy firstfit: an idle instance of the
 *               pod's profile on the first host that has one;
 *   first-free  no instances, not reconfigurable, policy firstfit: a new instance at the lowest
 *               free start of the first GPU and host where the profile fits;
 *   gpuvm       the balanced layout, reconfigurable, policy gpuvm: idle instances first (a
 *               reconfiguration costs points), new instances at the start that keeps the
 *               learned mix placeable, and a GPU whose instances are all idle re-partitioned.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpuvm/sim.h"
#include "sim_internal.h"

#define MIG_MODEL "H100-SXM5-80GB"

/* mig-parted's all-balanced for 80 GB A100/H100 (facts 1.5) */
static const char *const balanced[] = {"1g.10gb", "1g.10gb", "2g.20gb", "3g.40gb"};

static const char *const strategy_names[GV_SIM_MIG_LAST] = {
    [GV_SIM_MIG_STATIC] = "static",
    [GV_SIM_MIG_FIRST_FREE] = "first-free",
    [GV_SIM_MIG_GPUVM] = "gpuvm",
};

const char *
gv_sim_mig_strategy_to_string(gv_sim_mig_strategy s)
{
    return s >= 0 && s < GV_SIM_MIG_LAST ? strategy_names[s] : "?";
}

int
gv_sim_mig_profile_for(const gv_gpu_model *m, int milli)
{
    int need, best = -1;

    if (!m->mig || milli < 1 || milli > 1000)
        return -1;
    need = (milli * m->mig->compute_slices + 999) / 1000;
    for (size_t i = 0; i < m->mig->n_profiles; i++) {
        const gv_mig_profile *p = &m->mig->profiles[i];
        const gv_mig_profile *b = best >= 0 ? &m->mig->profiles[best] : NULL;

        if (p->media_ext || p->compute_slices < need)
            continue;
        if (!b || p->compute_slices < b->compute_slices ||
            (p->compute_slices == b->compute_slices && p->memory_slices < b->memory_slices))
            best = (int)i;
    }
    return best;
}

/* What every host of one strategy's fleet gets. */
typedef struct mig_dress {
    const gv_gpu_model *m;
    gv_sim_mig_strategy strategy;
    gv_gpu_instance layout[GV_N_ELEMENTS(balanced)];
    int n_layout;
} mig_dress;

static void
dress_host(gv_host *h, const void *arg)
{
    const mig_dress *d = arg;

    h->mig_fixed = d->strategy == GV_SIM_MIG_STATIC;
    h->reconfigurable = d->strategy == GV_SIM_MIG_GPUVM;
    for (size_t g = 0; g < h->n_gpus; g++) {
        gv_gpu *gpu = &h->gpus[g];

        snprintf(gpu->model, sizeof(gpu->model), "%s", d->m->name);
        gpu->mode = GV_GPU_MODE_MIG;
        gpu->n_instances = d->strategy == GV_SIM_MIG_FIRST_FREE ? 0 : d->n_layout;
        for (int i = 0; i < gpu->n_instances; i++)
            gpu->instances[i] = d->layout[i];
    }
}

static int
cmp_instance_start(const void *a, const void *b)
{
    return ((const gv_mig_instance *)a)->start - ((const gv_mig_instance *)b)->start;
}

/* The balanced layout on @d->m, instances ascending by start. */
static int
balanced_layout(mig_dress *d, gv_err *err)
{
    int prof[GV_N_ELEMENTS(balanced)];
    gv_mig_instance inst[GV_N_ELEMENTS(balanced)];
    int rc;

    for (size_t i = 0; i < GV_N_ELEMENTS(balanced); i++)
        if ((prof[i] = gv_mig_find_profile(d->m, balanced[i])) < 0)
            return gv_err_set(err, GV_E_INVAL, NULL, "catalog model %s has no MIG profile %s",
                              d->m->name, balanced[i]);
    if ((rc = gv_mig_layout_place(d->m, prof, GV_N_ELEMENTS(balanced), inst, err)) < 0)
        return rc;
    qsort(inst, GV_N_ELEMENTS(balanced), sizeof(inst[0]), cmp_instance_start);
    for (size_t i = 0; i < GV_N_ELEMENTS(balanced); i++) {
        snprintf(d->layout[i].profile, sizeof(d->layout[i].profile), "%s",
                 d->m->mig->profiles[inst[i].profile].name);
        d->layout[i].start = inst[i].start;
    }
    d->n_layout = (int)GV_N_ELEMENTS(balanced);
    return 0;
}

/* Pod @p as a VM of the MIG fleet: the study's request with its GPUs as MIG instances of
 * profile @profile (-1: no GPU). */
static void
mig_request(const gv_gpu_model *m, const gv_trace_pod *p, int profile, const char *name,
            gv_request *r)
{
    gv_sim_openb_request(p, name, r);
    if (p->num_gpu <= 0)
        return;
    r->gpu.mode = GV_GPU_MODE_MIG;
    r->gpu.milli = 0;
    r->gpu.n_models = 0;
    snprintf(r->gpu.profile, sizeof(r->gpu.profile), "%s", m->mig->profiles[profile].name);
}

int
gv_sim_openb_mig(const gv_trace_nodes *nodes, const gv_trace_pods *pods, const gv_catalog *cat,
                 const gv_sim_openb_opts *o, gv_sim_mig_strategy strategy, gv_sim_mig_run *ret,
                 gv_err *err)
{
    GV_AUTOPTR(gv_fleet) f = NULL;
    GV_AUTOPTR(gv_engine) e = NULL;
    GV_AUTOFREE const gv_trace_pod **order = NULL;
    GV_AUTOFREE gv_sim_mig_run *run = gv_calloc(1, sizeof(*run));
    mig_dress d = {.strategy = strategy};
    gv_place_config cfg;
    gv_place_result res;
    int64_t capacity_milli = 0, arrived = 0, asked = 0, held_slices = 0, capacity_slices;
    int rc;

    if (strategy < 0 || strategy >= GV_SIM_MIG_LAST)
        return gv_err_set(err, GV_E_INVAL, NULL, "no MIG strategy %d", (int)strategy);
    if (!(d.m = gv_catalog_find(cat, MIG_MODEL)) || !d.m->mig)
        return gv_err_set(err, GV_E_INVAL, NULL,
                          "the catalog has no MIG-capable %s for the MIG replay", MIG_MODEL);
    if ((rc = balanced_layout(&d, err)) < 0)
        return rc;
    if (!(f = gv_sim_fleet_dressed(nodes, o->seed, dress_host, &d, err)))
        return -GV_E_INVAL;
    gv_place_config_init(&cfg);
    cfg.policy = strategy == GV_SIM_MIG_GPUVM ? GV_POLICY_GPUVM : GV_POLICY_FIRSTFIT;
    if ((rc = gv_engine_new(f, cat, &cfg, &e, err)) < 0)
        return rc;
    for (size_t h = 0; h < f->n_hosts; h++)
        run->n_gpus += f->hosts[h]->n_gpus;
    run->seed = o->seed;
    run->strategy = strategy;
    run->n_hosts = f->n_hosts;
    capacity_milli = 1000 * (int64_t)run->n_gpus;
    capacity_slices = (int64_t)d.m->mig->compute_slices * (int64_t)run->n_gpus;
    /* the study's order for this seed, as gv_sim_openb_run draws it */
    run->n_pods = gv_sim_arrival_order(pods, o, capacity_milli, &order);
    memset(&res, 0, sizeof(res));
    for (size_t i = 0; i < run->n_pods; i++) {
        const gv_trace_pod *p = order[i];
        int profile = p->num_gpu > 0 ? gv_sim_mig_profile_for(d.m, p->gpu_milli) : -1;
        char name[GV_REQ_NAME_LEN];
        gv_request r;
        gv_sim_mig_bin *b;
        int placed;

        if (p->num_gpu > 0 && profile < 0)
            return gv_err_set(err, GV_E_INVAL, NULL,
                              "pod %s (line %d): no MIG profile of %s "
                              "covers %d milli-GPUs",
                              p->name, p->line, d.m->name, p->gpu_milli);
        gv_sim_pod_name(i, name, sizeof(name));
        mig_request(d.m, p, profile, name, &r);
        arrived += gv_sim_pod_gpu(p);
        if ((placed = gv_sim_engine_place(e, p, &r, o->reference, &res, err)) < 0)
            return placed;
        b = &run->bins[gv_sim_bin_of(arrived, capacity_milli)];
        if (placed) {
            run->n_placed++;
            run->n_repartitioned += res.placement.n_reconfigure > 0;
            if (profile >= 0)
                held_slices += (int64_t)p->num_gpu * d.m->mig->profiles[profile].compute_slices;
            asked += gv_sim_pod_gpu(p);
        } else {
            b->dropped++;
            b->dropped_whole += p->num_gpu > 0 && p->gpu_milli == 1000;
        }
        gv_place_result_clear(&res);
        b->n++;
        b->alloc_pct += 100.0 * (double)held_slices / (double)capacity_slices;
        b->asked_pct += 100.0 * (double)asked / (double)capacity_milli;
    }
    *ret = *run;
    return 0;
}

bool
gv_sim_mig_at(const gv_sim_mig_run *r, int x, double *ret_unalloc, double *ret_rounding,
              size_t *ret_dropped, size_t *ret_dropped_whole)
{
    int n_of[GV_SIM_MAX_PCT + 1], lo, hi, n = 0;
    double alloc = 0, asked = 0;
    size_t dropped = 0, whole = 0;

    for (int b = 0; b <= GV_SIM_MAX_PCT; b++) {
        n_of[b] = r->bins[b].n;
        if (b <= x) {
            dropped += (size_t)r->bins[b].dropped;
            whole += (size_t)r->bins[b].dropped_whole;
        }
    }
    if (!gv_sim_bin_window(n_of, x, &lo, &hi))
        return false;
    for (int b = lo; b <= hi; b++) {
        n += r->bins[b].n;
        alloc += r->bins[b].alloc_pct;
        asked += r->bins[b].asked_pct;
    }
    *ret_unalloc = 100.0 - alloc / n;
    *ret_rounding = (alloc - asked) / n;
    *ret_dropped = dropped;
    *ret_dropped_whole = whole;
    return true;
}
