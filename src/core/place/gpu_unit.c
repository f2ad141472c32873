/*
 * gpu_unit.c - one unit of GPU on one device: whether a GPU can give it (in its current mode,
 * or after an explicit reconfiguration of an empty device), which unit it gives, and applying
 * or undoing it on the GPU's state.
 *
 * Rules (place.h invariant 3): a GPU serves one attachment model; MIG instances only at the
 * profile's allowed starts, never overlapping, at most max_count per profile and one +me; a
 * time-sliced GPU carries one vGPU type (equal-size) or, when its model supports mixed-size
 * mode and the host left its type open, types within the mixed-size limits; VFs only up to the
 * model's VF count. A GPU with no allocation on a reconfigurable host may switch between
 * passthrough, MIG and vGPU, and a MIG GPU whose instances are all idle may be re-partitioned.
 * On a host whose MIG layout is fixed (mig_fixed: mig-parted owns it), a MIG GPU hands out its
 * idle instances and nothing else: no instance is created, none destroyed, its mode stays.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "engine.h"

bool
gv_request_model_ok(const gv_request *r, const gv_gpu *gpu)
{
    if (r->gpu.n_models == 0)
        return true;
    for (size_t i = 0; i < r->gpu.n_models; i++)
        if (!strcasecmp(r->gpu.models[i], gpu->model))
            return true;
    return false;
}

void
gv_ask_init(const gv_engine *e, const gv_request *r, gv_ask *a)
{
    a->r = r;
    a->reference = false;
    for (size_t i = 0; i < e->n_fleet_models; i++) {
        const gv_gpu_model *m = e->fleet_models[i].model;
        int v;

        if (!gv_request_model_ok(r, e->fleet_models[i].gpu)) {
            a->unit[i] = GV_ASK_REFUSED;
            continue;
        }
        switch (r->gpu.mode) {
        case GV_GPU_MODE_MIG:
            v = m && m->mig ? gv_mig_find_profile(m, r->gpu.profile) : -1;
            break;
        case GV_GPU_MODE_VGPU:
            v = m && m->vgpu ? gv_vgpu_find_type(m, r->gpu.vgpu_type) : -1;
            break;
        case GV_GPU_MODE_SRIOV:
            v = gv_gpu_model_sriov_vfs(m) > 0 ? 0 : -1;
            break;
        case GV_GPU_MODE_SHARE: /* any model, catalogued or not */
            v = r->gpu.milli >= 1 && r->gpu.milli <= 1000 ? r->gpu.milli : -1;
            break;
        default:
            v = 0;
            break;
        }
        a->unit[i] = (int16_t)(v < 0 ? GV_ASK_LACKS : v);
    }
}

/* Occupied slices, profile counts, compute and +me use of every instance (idle or not). */
static void
mig_usage(const gv_gpu_model *m, const gv_gpu_use *g, gv_mig_usage *u)
{
    memset(u, 0, sizeof(*u));
    for (int i = 0; i < g->n_inst; i++) {
        const gv_mig_profile *p = &m->mig->profiles[g->inst[i].profile];

        u->occupied |= gv_mig_placement_mask(p, g->inst[i].start);
        u->compute_used += p->compute_slices;
        u->n_media += p->media_ext;
        if (g->inst[i].profile < GV_MIG_MAX_PROFILES)
            u->count[g->inst[i].profile]++;
    }
}

static void
mig_insert(gv_gpu_use *g, int profile, int start)
{
    int i = g->n_inst;

    while (i > 0 && g->inst[i - 1].start > start) {
        g->inst[i] = g->inst[i - 1];
        i--;
    }
    /* shift the owned bits above the insertion point */
    g->inst_used =
        (uint8_t)((g->inst_used & ((1u << i) - 1)) | ((g->inst_used & ~((1u << i) - 1)) << 1));
    g->inst[i].profile = profile;
    g->inst[i].start = start;
    g->inst_used |= (uint8_t)(1u << i);
    g->n_inst++;
}

static void
mig_remove(gv_gpu_use *g, int idx)
{
    uint32_t low = g->inst_used & ((1u << idx) - 1);
    uint32_t high = (uint32_t)g->inst_used >> (idx + 1);

    memmove(&g->inst[idx], &g->inst[idx + 1], (size_t)(g->n_inst - idx - 1) * sizeof(g->inst[0]));
    g->n_inst--;
    g->inst_used = (uint8_t)(low | (high << idx));
}

static int
vgpu_types_of(const gv_gpu_use *g, int *types)
{
    int n = 0;

    for (int s = 0; s < GV_VGPU_SLOTS; s++)
        if (g->vgpu_used & (UINT64_C(1) << s))
            types[n++] = g->slot_type[s];
    return n;
}

static int
vgpu_slots(const gv_gpu_model *m, int type, bool mixed)
{
    int n = mixed ? m->vgpu->types[type].max_mixed : m->vgpu->types[type].max_equal;

    return n < GV_VGPU_SLOTS ? n : GV_VGPU_SLOTS;
}

bool
gv_gpu_use_vgpu_addable(const gv_gpu_model *m, const gv_gpu_use *g, int t)
{
    int types[GV_VGPU_SLOTS];
    int n = vgpu_types_of(g, types);
    int count = 0;
    int64_t fb = 0;

    if (!g->vgpu_mixed) {
        if (g->vgpu_type >= 0 && g->vgpu_type != t)
            return false;
        return n < vgpu_slots(m, t, false);
    }
    for (int i = 0; i < n; i++) {
        count += types[i] == t;
        fb += m->vgpu->types[types[i]].framebuffer_mib;
    }
    return count < vgpu_slots(m, t, true) &&
           fb + m->vgpu->types[t].framebuffer_mib <= m->memory_mib;
}

/* The MIG start on @g (layout as it is) that leaves the GPU least fragmented; -1 if none. */
static int
mig_best_start(const gv_engine *e, size_t h, int gi, const gv_gpu_use *g, const gv_gpu_model *m,
               int profile, bool choose, bool reference)
{
    gv_mig_usage u;
    uint32_t starts;
    int best = -1;
    int64_t best_frag = 0;

    mig_usage(m, g, &u);
    starts = gv_mig_usage_starts(m, &u, profile);
    if (!starts)
        return -1;
    if (!choose || e->n_mix == 0 || e->cfg.policy == GV_POLICY_FIRSTFIT)
        return __builtin_ctz(starts);
    for (int s = 0; s < GV_MIG_MAX_SLICES; s++) {
        gv_gpu_use t;
        int64_t f;

        if (!(starts & (UINT32_C(1) << s)))
            continue;
        t = *g;
        mig_insert(&t, profile, s);
        f = gv_frag_gpu(e, h, gi, &t, reference);
        if (best < 0 || f < best_frag) {
            best = s;
            best_frag = f;
        }
    }
    return best;
}

static bool
unit_mig(const gv_engine *e, size_t h, int gi, const gv_gpu_use *g, const gv_gpu_model *m, int p,
         bool reconf, bool choose, bool reference, gv_gpu_pick *ret)
{
    int start;

    if (g->mode == GV_GPU_MODE_MIG) {
        /* an idle instance of the profile costs nothing to hand out */
        for (int i = 0; i < g->n_inst; i++) {
            if (g->inst[i].profile == p && !(g->inst_used & (1u << i))) {
                ret->mig_profile = p;
                ret->mig_start = g->inst[i].start;
                ret->mig_inst = i;
                return true;
            }
        }
        if (e->info[h].host->mig_fixed)
            return false;
        if ((start = mig_best_start(e, h, gi, g, m, p, choose, reference)) >= 0) {
            ret->mig_profile = p;
            ret->mig_start = start;
            return true;
        }
        if (!reconf || g->n_alloc > 0 || g->n_inst == 0)
            return false;
    } else if (!reconf || g->n_alloc > 0 || e->info[h].host->mig_fixed) {
        return false;
    }
    /* re-partition (or switch to MIG): start from an empty layout */
    {
        gv_gpu_use blank;

        gv_gpu_use_blank(&blank, GV_GPU_MODE_MIG);
        if ((start = mig_best_start(e, h, gi, &blank, m, p, choose, reference)) < 0)
            return false;
        ret->reconfig = 1;
        ret->mig_profile = p;
        ret->mig_start = start;
        return true;
    }
}

static bool
unit_vgpu(const gv_gpu_use *g, const gv_gpu_model *m, int t, bool reconf, gv_gpu_pick *ret)
{
    ret->vgpu_type = t;
    if (g->mode == GV_GPU_MODE_VGPU && gv_gpu_use_vgpu_addable(m, g, t)) {
        ret->slot = gv_lowest_clear(g->vgpu_used, GV_VGPU_SLOTS);
        return ret->slot >= 0;
    }
    if (!reconf || g->n_alloc > 0 || vgpu_slots(m, t, false) < 1)
        return false;
    ret->reconfig = 1;
    ret->slot = 0;
    return true;
}

bool
gv_gpu_unit(const gv_engine *e, size_t h, int gi, const gv_gpu_use *g, const gv_ask *a, bool choose,
            gv_gpu_pick *ret)
{
    const gv_host_info *hi = &e->info[h];
    const gv_gpu_model *m = hi->models[gi];
    /* leaving MIG would destroy the instances of a fixed layout */
    bool reconf = hi->host->reconfigurable && !(hi->host->mig_fixed && g->mode == GV_GPU_MODE_MIG);
    int unit = gv_ask_unit(e, a, h, gi);
    gv_gpu_pick p = {
        .gpu = gi, .mig_profile = -1, .mig_start = -1, .mig_inst = -1, .slot = -1, .vgpu_type = -1};
    bool ok = false;

    if (unit < 0) /* a model the request refuses, or one without its profile, type or VFs */
        return false;
    switch (a->r->gpu.mode) {
    case GV_GPU_MODE_PASSTHROUGH:
        if (g->mode == GV_GPU_MODE_PASSTHROUGH)
            ok = !g->taken;
        else if ((ok = reconf && g->n_alloc == 0))
            p.reconfig = 1;
        break;
    case GV_GPU_MODE_MIG:
        ok = unit_mig(e, h, gi, g, m, unit, reconf, choose, a->reference, &p);
        break;
    case GV_GPU_MODE_VGPU:
        ok = unit_vgpu(g, m, unit, reconf, &p);
        break;
    case GV_GPU_MODE_SRIOV:
        if (g->mode == GV_GPU_MODE_SRIOV) {
            p.slot = gv_lowest_clear(g->vf_used, hi->gpu_vfs[gi]);
            ok = p.slot >= 0;
        }
        break;
    case GV_GPU_MODE_SHARE:
        p.milli = unit;
        if (g->mode == GV_GPU_MODE_SHARE)
            ok = 1000 - g->used_milli >= unit;
        else if ((ok = reconf && g->n_alloc == 0))
            p.reconfig = 1;
        break;
    default:
        break;
    }
    if (ok && ret)
        *ret = p;
    return ok;
}

void
gv_gpu_pick_apply(gv_gpu_use *g, const gv_request *r, const gv_gpu_pick *p)
{
    if (p->reconfig) {
        gv_gpu_use_blank(g, r->gpu.mode);
        if (r->gpu.mode == GV_GPU_MODE_VGPU)
            g->vgpu_type = (int8_t)p->vgpu_type;
    }
    switch (r->gpu.mode) {
    case GV_GPU_MODE_PASSTHROUGH:
        g->taken = true;
        break;
    case GV_GPU_MODE_MIG:
        if (p->mig_inst >= 0 && !p->reconfig)
            g->inst_used |= (uint8_t)(1u << p->mig_inst);
        else
            mig_insert(g, p->mig_profile, p->mig_start);
        break;
    case GV_GPU_MODE_VGPU:
        g->vgpu_used |= UINT64_C(1) << p->slot;
        g->slot_type[p->slot] = (int8_t)p->vgpu_type;
        if (!g->vgpu_mixed)
            g->vgpu_type = (int8_t)p->vgpu_type;
        break;
    case GV_GPU_MODE_SRIOV:
        g->vf_used |= UINT64_C(1) << p->slot;
        break;
    case GV_GPU_MODE_SHARE:
        g->used_milli = (uint16_t)(g->used_milli + p->milli);
        break;
    default:
        break;
    }
    g->n_alloc++;
}

void
gv_gpu_pick_undo(const gv_gpu *gpu, gv_gpu_use *g, gv_gpu_mode mode, const gv_gpu_pick *p,
                 bool created)
{
    switch (mode) {
    case GV_GPU_MODE_PASSTHROUGH:
        g->taken = false;
        break;
    case GV_GPU_MODE_MIG:
        for (int i = 0; i < g->n_inst; i++) {
            if (g->inst[i].start != p->mig_start || g->inst[i].profile != p->mig_profile)
                continue;
            if (created)
                mig_remove(g, i);
            else
                g->inst_used &= (uint8_t) ~(1u << i);
            break;
        }
        break;
    case GV_GPU_MODE_VGPU:
        g->vgpu_used &= ~(UINT64_C(1) << p->slot);
        g->slot_type[p->slot] = -1;
        if (!g->vgpu_used && !g->vgpu_mixed && !gpu->vgpu_type[0] && gpu->mode == GV_GPU_MODE_VGPU)
            g->vgpu_type = -1;
        break;
    case GV_GPU_MODE_SRIOV:
        g->vf_used &= ~(UINT64_C(1) << p->slot);
        break;
    case GV_GPU_MODE_SHARE:
        g->used_milli = (uint16_t)(g->used_milli - p->milli);
        break;
    default:
        break;
    }
    g->n_alloc--;
}
