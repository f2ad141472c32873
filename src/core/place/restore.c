/*
 * restore.c - gv_engine_restore: a VM put back on exactly the resources its placement lists, as
 * a daemon does for every VM it kept when it starts again over a fresh engine. The placement is
 * checked whole against its request, the host and the state as it is (every thread, slice, slot
 * and VF free, every count within its capacity), then turned into the record a placed VM has
 * (its placement with indices, and a candidate holding its GPU units and per-node take), which
 * gv_recommit takes exactly as gv_uncommit gives back; the indexes learn of it as of a VM placed.
 *
 * A GPU's state is the fleet's plus its units, or, once a reconfiguration switched or
 * re-partitioned it, a blank one plus its units; it stays reconfigured for as long as any VM
 * holds a unit of it (commit.c). Every placed GPU says which (gv_placed_gpu.reconfigured), so the
 * first of its VMs restored reconfigures it again, whichever that is, and the others find it so:
 * the order of restores does not matter.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "engine.h"

typedef struct restore_ctx {
    gv_engine *e;
    const gv_placement *p;
    const gv_request *r;
    size_t h;
    const gv_host_info *hi;
    const gv_host *host;
    const gv_host_use *u;
    gv_err *err;
    gv_candidate c;              /* the record's candidate */
    int nic[GV_REQ_MAX_NIC_VFS]; /* per placed VF: its NIC */
    int owned_on[GV_MAX_NUMA];   /* threads to pin per host NUMA index */
} restore_ctx;

#define BAD(x, code, ...) gv_err_set((x)->err, (code), (x)->p->vm, __VA_ARGS__)

/* The index of device @pci among @n devices of @stride bytes from @first (a PCI address field
 * at offset @off), or -1; a placement's index @given must agree. */
static int
find_dev(const void *first, size_t n, size_t stride, size_t off, const char *pci, int given)
{
    for (size_t i = 0; i < n; i++) {
        const char *dev = (const char *)first + i * stride + off;

        if (!strcmp(dev, pci))
            return given < 0 || given == (int)i ? (int)i : -2;
    }
    return -1;
}

/* Is @placed (a field of @size bytes) the host's name @name, as commit.c cuts it to fit? */
static bool
same_name(const char *placed, size_t size, const char *name)
{
    char buf[GV_REQ_NAME_LEN * 2];

    gv_copy_str(buf, size < sizeof(buf) ? size : sizeof(buf), name);
    return !strcmp(placed, buf);
}

#define FIND(x, list, n, field, pci, given)                                                        \
    find_dev((x)->host->list, (x)->host->n, sizeof((x)->host->list[0]),                            \
             offsetof(__typeof__((x)->host->list[0]), field), (pci), (given))

static int
check_host(restore_ctx *x)
{
    const gv_placement *p = x->p;
    const gv_fleet *f = x->e->fleet;
    long pos = gv_fleet_host_index(f, p->host);
    const gv_host *hp;

    if (pos < 0)
        return BAD(x, GV_E_NOTFOUND, "host '%s' is not in the fleet", p->host);
    x->h = (size_t)pos;
    hp = f->hosts[pos];
    if (p->host_index >= 0 && p->host_index != (int)x->h)
        return BAD(x, GV_E_INVAL, "host '%s' is host %zu of the fleet, not %d", p->host, x->h,
                   p->host_index);
    x->hi = &x->e->info[x->h];
    x->host = hp;
    x->u = &x->e->use[x->h];
    x->c.host = (int)x->h;
    x->c.feasible = true;
    x->c.nvme = -1;
    return 0;
}

/* Guest cells, vCPUs and the per-node take of vCPUs and memory. */
static int
check_cells(restore_ctx *x)
{
    const gv_placement *p = x->p;
    int64_t page = x->r->hugepages == GV_HUGEPAGES_1G ? 1024 : x->r->hugepages ? 2 : 1;
    int64_t mem = 0;
    int vcpus = 0;

    if (!p->n_cells || p->n_cells > GV_PLACE_MAX_CELLS || !p->pins ||
        p->n_numa_vcpus > GV_PLACE_MAX_NUMA)
        return BAD(x, GV_E_INVAL, "a placement needs 1..%d guest cells and its vCPUs' pins",
                   GV_PLACE_MAX_CELLS);
    for (size_t i = 0; i < p->n_cells; i++) {
        const gv_guest_cell *gc = &p->cells[i];
        int ni = gv_host_find_numa(x->host, gc->host_numa);

        if (ni < 0 || ni >= GV_MAX_NUMA)
            return BAD(x, GV_E_INVAL, "guest cell %d: host NUMA node %d is not one of %s's", gc->id,
                       gc->host_numa, x->host->name);
        if (gc->id != (int)i || gc->memory_mib < 0 || gc->memory_mib % page || gc->n_vcpus < 0 ||
            gc->first_vcpu != vcpus)
            return BAD(x, GV_E_INVAL,
                       "guest cell %d: not cell %zu, its memory not in pages or its vCPUs not "
                       "after the previous cell's",
                       gc->id, i);
        x->c.cells[i] = (gv_cell_plan){.numa = ni, .vcpus = gc->n_vcpus, .mem_mib = gc->memory_mib};
        x->c.take[ni].mem_mib += gc->memory_mib;
        mem += gc->memory_mib;
        for (int v = gc->first_vcpu; v < gc->first_vcpu + gc->n_vcpus && v < x->r->vcpus; v++)
            if (p->pins[v].vcpu != v || p->pins[v].cell != gc->id)
                return BAD(x, GV_E_INVAL, "vCPU %d is not pinned in guest cell %d", v, gc->id);
        vcpus += gc->n_vcpus;
    }
    x->c.n_cells = (int)p->n_cells;
    if (mem != x->r->memory_mib || vcpus != x->r->vcpus)
        return BAD(x, GV_E_INVAL,
                   "the guest cells hold %lld MiB and %d vCPUs, the request %lld and %d",
                   (long long)mem, vcpus, (long long)x->r->memory_mib, x->r->vcpus);
    vcpus = 0;
    for (size_t i = 0; i < p->n_numa_vcpus; i++) {
        int ni = gv_host_find_numa(x->host, p->numa_vcpus[i].numa);

        if (ni < 0 || ni >= GV_MAX_NUMA || x->c.take[ni].vcpus || p->numa_vcpus[i].vcpus < 1)
            return BAD(x, GV_E_INVAL, "numa_vcpus: node %d is not a node of %s, or listed twice",
                       p->numa_vcpus[i].numa, x->host->name);
        x->c.take[ni].vcpus = p->numa_vcpus[i].vcpus;
        vcpus += p->numa_vcpus[i].vcpus;
    }
    if (vcpus != x->r->vcpus)
        return BAD(x, GV_E_INVAL, "numa_vcpus: %d vCPUs, the request has %d", vcpus, x->r->vcpus);
    return 0;
}

/* Dedicated threads (free, each once, the vCPUs' among them, as many per node as the take),
 * then per node the room for shared vCPUs and the memory. */
static int
check_cpus(restore_ctx *x)
{
    const gv_placement *p = x->p;
    const gv_host_info *hi = x->hi;
    size_t n_numa = x->host->n_numa < GV_MAX_NUMA ? x->host->n_numa : GV_MAX_NUMA;
    GV_AUTOFREE uint64_t *owned = gv_calloc((size_t)hi->cpu_words + 1, sizeof(uint64_t));
    int pinned_on[GV_MAX_NUMA] = {0};
    int64_t milli[GV_MAX_NUMA] = {0};
    bool dedicated = x->r->cpu_policy == GV_CPU_DEDICATED;

    if (!dedicated && p->n_owned_cpus)
        return BAD(x, GV_E_INVAL, "shared vCPUs own no threads");
    for (size_t i = 0; i < p->n_owned_cpus; i++) {
        int cpu = p->owned_cpus[i];
        uint64_t bit = UINT64_C(1) << (cpu & 63);

        if (cpu < 0 || cpu >= hi->max_cpu || hi->cpu_numa_idx[cpu] < 0 ||
            (hi->reserved[cpu >> 6] & bit) || (owned[cpu >> 6] & bit))
            return BAD(x, GV_E_INVAL, "cpu %d is not an unreserved thread of %s, or owned twice",
                       cpu, x->host->name);
        if (x->u->pinned[cpu >> 6] & bit)
            return BAD(x, GV_E_CONFLICT, "cpu %d of %s is pinned by another VM", cpu,
                       x->host->name);
        owned[cpu >> 6] |= bit;
        x->owned_on[hi->cpu_numa_idx[cpu]]++;
    }
    for (int v = 0; v < x->r->vcpus; v++) {
        int cpu = p->pins[v].pcpu;

        if (!dedicated
                ? cpu != -1
                : cpu < 0 || cpu >= hi->max_cpu || !(owned[cpu >> 6] & (UINT64_C(1) << (cpu & 63))))
            return BAD(x, GV_E_INVAL, "vCPU %d is on cpu %d, not on a thread the VM owns", v, cpu);
        if (dedicated) {
            owned[cpu >> 6] &= ~(UINT64_C(1) << (cpu & 63)); /* one vCPU per thread */
            pinned_on[hi->cpu_numa_idx[cpu]]++;
        }
    }
    if (!dedicated)
        gv_shared_milli_split(x->r, x->c.take, n_numa, milli);
    for (size_t i = 0; i < n_numa; i++) {
        gv_numa_use n = x->u->numa[i];
        int id = x->host->numa[i].id;
        int64_t mib = x->c.take[i].mem_mib;

        if (dedicated && pinned_on[i] != x->c.take[i].vcpus)
            return BAD(x, GV_E_INVAL, "NUMA node %d: %d vCPUs pinned there, numa_vcpus says %d", id,
                       pinned_on[i], x->c.take[i].vcpus);
        n.free_threads -= x->owned_on[i];
        n.shared_milli += milli[i];
        if (gv_numa_shared_room(hi, &n) < 0)
            return BAD(
                x, GV_E_CONFLICT,
                "NUMA node %d of %s has no room for %lld more shared milli-CPUs on %d threads", id,
                x->host->name, (long long)milli[i], n.free_threads);
        if (x->r->hugepages == GV_HUGEPAGES_2M   ? n.hp2m_free < mib / 2
            : x->r->hugepages == GV_HUGEPAGES_1G ? n.hp1g_free < mib / 1024
                                                 : n.mem_free_mib < mib)
            return BAD(x, GV_E_CONFLICT, "NUMA node %d of %s has not %lld MiB of %s memory free",
                       id, x->host->name, (long long)mib, gv_hugepages_to_string(x->r->hugepages));
    }
    return 0;
}

/* The MIG instance @pg lists on GPU @g in state @st: an idle one of the layout, or a new one
 * where the slices are free; into @pk. */
static int
check_mig(restore_ctx *x, int g, const gv_gpu_use *st, const gv_placed_gpu *pg, gv_gpu_pick *pk)
{
    const gv_gpu_model *m = x->hi->models[g];
    int prof = m && m->mig ? gv_mig_find_profile(m, pg->profile) : -1;
    gv_mig_usage use;

    if (prof < 0 || strcmp(pg->profile, x->r->gpu.profile) ||
        pg->size != m->mig->profiles[prof].memory_slices || pg->start < 0 ||
        pg->start >= GV_MIG_MAX_SLICES || !(m->mig->profiles[prof].starts & (1u << pg->start)))
        return BAD(x, GV_E_INVAL,
                   "gpu %s: MIG %s of %d slices at slice %d is not an instance of the request's "
                   "profile %s",
                   pg->pci, pg->profile, pg->size, pg->start, x->r->gpu.profile);
    pk->mig_profile = prof;
    pk->mig_start = pg->start;
    if (!pg->created) {
        for (int i = 0; i < st->n_inst; i++) {
            if (st->inst[i].profile != prof || st->inst[i].start != pg->start)
                continue;
            if (st->inst_used & (1u << i))
                return BAD(x, GV_E_CONFLICT, "gpu %s MIG instance %s at slice %d is in use",
                           pg->pci, pg->profile, pg->start);
            pk->mig_inst = i;
            return 0;
        }
        return BAD(x, GV_E_INVAL, "gpu %s has no MIG instance %s at slice %d to hand out", pg->pci,
                   pg->profile, pg->start);
    }
    if (x->host->mig_fixed)
        return BAD(x, GV_E_INVAL, "gpu %s: %s's MIG layout is fixed, no instance is created",
                   pg->pci, x->host->name);
    memset(&use, 0, sizeof(use));
    if (gv_mig_usage_build(m, st->inst, st->n_inst, &use, NULL) < 0 ||
        !(gv_mig_usage_starts(m, &use, prof) & (1u << pg->start))) {
        if (use.occupied & gv_mig_placement_mask(&m->mig->profiles[prof], pg->start))
            return BAD(x, GV_E_CONFLICT, "gpu %s MIG slices %d-%d are in use", pg->pci, pg->start,
                       pg->start + pg->size - 1);
        return BAD(x, GV_E_CONFLICT, "gpu %s has no room for another %s instance", pg->pci,
                   pg->profile);
    }
    return 0;
}

/* The VF @pg lists for a vGPU or SR-IOV unit of GPU @g: the one its model gives, at the address
 * the host gives it. */
static int
check_gpu_vf(restore_ctx *x, int g, const gv_placed_gpu *pg, int want)
{
    char pci[GV_PCI_ADDR_LEN] = "";

    if (want >= 0)
        gv_host_vf_pci(x->hi, (size_t)g, want, pci);
    if (pg->vf != want || strcmp(pg->vf_pci, pci))
        return BAD(x, GV_E_INVAL, "gpu %s: the unit is on VF %d (%s), not VF %d (%s)", pg->pci,
                   pg->vf, pg->vf_pci, want, pci);
    return 0;
}

/* GPU unit @k: its GPU, and the unit free on it as it is, or as a reconfiguration leaves it. */
static int
check_gpu(restore_ctx *x, size_t k, uint32_t *seen)
{
    const gv_placed_gpu *pg = &x->p->gpus[k];
    gv_gpu_pick *pk = &x->c.picks[k];
    gv_gpu_mode mode = x->r->gpu.mode;
    int g = FIND(x, gpus, n_gpus, pci, pg->pci, pg->gpu);
    const gv_gpu *gpu;
    const gv_gpu_model *m;
    const gv_gpu_use *now;
    gv_gpu_use st;

    if (g == -1)
        return BAD(x, GV_E_NOTFOUND, "gpu %s is not a GPU of %s", pg->pci, x->host->name);
    if (g < 0 || (*seen & (UINT32_C(1) << g)))
        return BAD(x, GV_E_INVAL, "gpu %s: index %d disagrees with %s, or listed twice", pg->pci,
                   pg->gpu, x->host->name);
    *seen |= UINT32_C(1) << g;
    gpu = &x->host->gpus[g];
    m = x->hi->models[g];
    now = &x->u->gpus[g];
    *pk = (gv_gpu_pick){
        .gpu = g, .mig_profile = -1, .mig_start = -1, .mig_inst = -1, .slot = -1, .vgpu_type = -1};
    if (!same_name(pg->model, sizeof(pg->model), gpu->model) || pg->numa != gpu->numa ||
        pg->mode != mode || !gv_request_model_ok(x->r, gpu))
        return BAD(x, GV_E_INVAL,
                   "gpu %s is a %s on NUMA node %d, which a %s unit of the request is not", pg->pci,
                   gpu->model, gpu->numa, gv_gpu_mode_to_string(mode));
    if (pg->reconfigured && !x->u->has_prior[g]) {
        /* the first of the GPU's VMs back reconfigures it, from the fleet's state */
        if (now->n_alloc)
            return BAD(x, GV_E_CONFLICT, "gpu %s holds units placed on the fleet's layout",
                       pg->pci);
        if (!x->host->reconfigurable || mode == GV_GPU_MODE_SRIOV ||
            (x->host->mig_fixed && now->mode == GV_GPU_MODE_MIG))
            return BAD(x, GV_E_INVAL, "gpu %s: %s does not reconfigure it", pg->pci, x->host->name);
        pk->reconfig = 1;
        gv_gpu_use_blank(&st, mode);
    } else if (!pg->reconfigured && x->u->has_prior[g]) {
        return BAD(x, GV_E_CONFLICT, "gpu %s is reconfigured by the VMs on it", pg->pci);
    } else {
        st = *now;
    }
    if (st.mode != (int)mode)
        return BAD(x, st.n_alloc ? GV_E_CONFLICT : GV_E_INVAL, "gpu %s is in mode %s, not %s",
                   pg->pci, gv_gpu_mode_to_string(st.mode), gv_gpu_mode_to_string(mode));
    switch (mode) {
    case GV_GPU_MODE_PASSTHROUGH:
        if (st.taken)
            return BAD(x, GV_E_CONFLICT, "gpu %s is passed through to another VM", pg->pci);
        return 0;
    case GV_GPU_MODE_MIG:
        return check_mig(x, g, &st, pg, pk);
    case GV_GPU_MODE_VGPU:
        pk->vgpu_type = m && m->vgpu ? gv_vgpu_find_type(m, pg->vgpu_type) : -1;
        pk->slot = pg->slot;
        if (pk->vgpu_type < 0 || strcmp(pg->vgpu_type, x->r->gpu.vgpu_type) || pg->slot < 0 ||
            pg->slot >= GV_VGPU_SLOTS)
            return BAD(x, GV_E_INVAL, "gpu %s: vGPU %s in slot %d is not the request's %s", pg->pci,
                       pg->vgpu_type, pg->slot, x->r->gpu.vgpu_type);
        if (st.vgpu_used & (UINT64_C(1) << pg->slot))
            return BAD(x, GV_E_CONFLICT, "gpu %s vGPU slot %d is in use", pg->pci, pg->slot);
        if (!gv_gpu_use_vgpu_addable(m, &st, pk->vgpu_type))
            return BAD(x, GV_E_CONFLICT, "gpu %s takes no %s beside its vGPUs", pg->pci,
                       pg->vgpu_type);
        return check_gpu_vf(x, g, pg, m->vgpu->on_vfs ? pg->slot : -1);
    case GV_GPU_MODE_SRIOV:
        pk->slot = pg->vf;
        if (pg->vf < 0 || pg->vf >= x->hi->gpu_vfs[g])
            return BAD(x, GV_E_INVAL, "gpu %s has no VF %d", pg->pci, pg->vf);
        if (st.vf_used & (UINT64_C(1) << pg->vf))
            return BAD(x, GV_E_CONFLICT, "gpu %s VF %d is in use", pg->pci, pg->vf);
        return check_gpu_vf(x, g, pg, pg->vf);
    case GV_GPU_MODE_SHARE:
        pk->milli = pg->milli;
        if (pg->milli != x->r->gpu.milli)
            return BAD(x, GV_E_INVAL, "gpu %s: %d milli-GPUs, the request asks %d", pg->pci,
                       pg->milli, x->r->gpu.milli);
        if (st.used_milli + pg->milli > 1000)
            return BAD(x, GV_E_CONFLICT, "gpu %s has %d milli-GPUs free, not %d", pg->pci,
                       1000 - st.used_milli, pg->milli);
        return 0;
    default:
        return BAD(x, GV_E_INVAL, "gpu %s: no such mode", pg->pci);
    }
}

static int
check_gpus(restore_ctx *x)
{
    const gv_placement *p = x->p;
    uint32_t seen = 0;
    int rc;

    if (p->n_gpus != (size_t)x->r->gpu.count || p->n_reconfigure > p->n_gpus)
        return BAD(x, GV_E_INVAL,
                   "%zu GPU units and %zu reconfigure steps, the request asks %d units", p->n_gpus,
                   p->n_reconfigure, x->r->gpu.count);
    for (size_t k = 0; k < p->n_gpus; k++)
        if ((rc = check_gpu(x, k, &seen)) < 0)
            return rc;
    x->c.n_picks = (int)p->n_gpus;
    /* a step of this VM's left its GPU reconfigured, from the fleet's mode to the request's */
    for (size_t i = 0; i < p->n_reconfigure; i++) {
        const gv_reconfigure *rc_ = &p->reconfigure[i];
        size_t k = 0;

        while (k < p->n_gpus && strcmp(p->gpus[k].pci, rc_->pci))
            k++;
        if (k == p->n_gpus || !p->gpus[k].reconfigured || rc_->to != x->r->gpu.mode ||
            rc_->from != x->host->gpus[x->c.picks[k].gpu].mode ||
            (rc_->gpu >= 0 && rc_->gpu != x->c.picks[k].gpu))
            return BAD(x, GV_E_INVAL,
                       "reconfigure step of gpu %s is not one of its GPUs' from the fleet's mode",
                       rc_->pci);
    }
    return 0;
}

/* NIC VFs and scratch: the devices, free, and as the host names and addresses them. */
static int
check_devices(restore_ctx *x)
{
    const gv_placement *p = x->p;
    const gv_placed_scratch *s = &p->scratch;

    if (p->n_vfs != (size_t)x->r->nic_vfs)
        return BAD(x, GV_E_INVAL, "%zu NIC VFs, the request asks %d", p->n_vfs, x->r->nic_vfs);
    for (size_t k = 0; k < p->n_vfs; k++) {
        const gv_placed_vf *v = &p->vfs[k];
        int n = FIND(x, nics, n_nics, pci, v->pf_pci, v->nic);
        char pci[GV_PCI_ADDR_LEN] = "";
        int cap;

        if (n == -1)
            return BAD(x, GV_E_NOTFOUND, "nic %s is not a NIC of %s", v->pf_pci, x->host->name);
        cap = n < 0 ? 0 : x->host->nics[n].sriov_vfs;
        if (n >= 0 && v->vf >= 0 && v->vf < GV_NIC_MAX_VFS)
            gv_host_vf_pci(x->hi, x->host->n_gpus + (size_t)n, v->vf, pci);
        if (n < 0 || v->vf < 0 || v->vf >= cap || v->vf >= GV_NIC_MAX_VFS ||
            strcmp(v->vf_pci, pci) ||
            !same_name(v->pf_name, sizeof(v->pf_name), x->host->nics[n].name) ||
            v->numa != x->host->nics[n].numa)
            return BAD(x, GV_E_INVAL, "nic %s VF %d (%s) is not one %s has", v->pf_pci, v->vf,
                       v->vf_pci, x->host->name);
        for (size_t j = 0; j < k; j++)
            if (x->nic[j] == n && p->vfs[j].vf == v->vf)
                return BAD(x, GV_E_INVAL, "nic %s VF %d is listed twice", v->pf_pci, v->vf);
        if (x->u->nics[n].vf_used[v->vf >> 6] & (UINT64_C(1) << (v->vf & 63)))
            return BAD(x, GV_E_CONFLICT, "nic %s VF %d is in use", v->pf_pci, v->vf);
        x->nic[k] = n;
        x->c.nic_take[k] = n;
    }
    if (!x->r->scratch_gib != (s->nvme < 0 && !s->pci[0]))
        return BAD(x, GV_E_INVAL, "the request asks %lld GiB of scratch, the placement %s",
                   (long long)x->r->scratch_gib, s->pci[0] ? s->pci : "none");
    if (!x->r->scratch_gib)
        return 0;
    x->c.nvme = FIND(x, nvme, n_nvme, pci, s->pci, s->nvme);
    if (x->c.nvme == -1)
        return BAD(x, GV_E_NOTFOUND, "nvme %s is not an NVMe of %s", s->pci, x->host->name);
    if (x->c.nvme < 0 || s->gib != x->r->scratch_gib ||
        !same_name(s->name, sizeof(s->name), x->host->nvme[x->c.nvme].name) ||
        s->numa != x->host->nvme[x->c.nvme].numa)
        return BAD(x, GV_E_INVAL, "nvme %s: %lld GiB is not the request's scratch on %s's disk",
                   s->pci, (long long)s->gib, x->host->name);
    if (x->u->nvme_free[x->c.nvme] < s->gib)
        return BAD(x, GV_E_CONFLICT, "nvme %s has %lld GiB free, not %lld", s->pci,
                   (long long)x->u->nvme_free[x->c.nvme], (long long)s->gib);
    return 0;
}

int
gv_engine_restore(gv_engine *e, const gv_placement *p, gv_err *err)
{
    GV_AUTOFREE restore_ctx *x = GV_NEW0(restore_ctx);
    gv_placement *vp;
    gv_vm *vm;
    int rc;

    x->e = e;
    x->p = p;
    x->r = &p->request;
    x->err = err;
    if (strcmp(p->vm, p->request.name))
        return BAD(x, GV_E_INVAL, "the placement is of VM '%s', its request of '%s'", p->vm,
                   p->request.name);
    if ((rc = gv_engine_check_request(e, x->r, err)) < 0 || (rc = check_host(x)) < 0 ||
        (rc = check_cells(x)) < 0 || (rc = check_cpus(x)) < 0 || (rc = check_gpus(x)) < 0 ||
        (rc = check_devices(x)) < 0)
        return rc;
    if (p->n_violations > GV_PLACE_MAX_VIOLATIONS)
        return BAD(x, GV_E_INVAL, "more than %d NUMA violations", GV_PLACE_MAX_VIOLATIONS);
    x->c.violations = p->numa_violations;
    x->c.score = p->score;

    /* all checked: take it, as a placed VM's record (with the indices it lacked) */
    vm = gv_engine_vm_new(e);
    vp = &vm->placement;
    gv_placement_copy(vp, p);
    vp->host_index = (int)x->h;
    for (size_t k = 0; k < p->n_gpus; k++)
        vp->gpus[k].gpu = x->c.picks[k].gpu;
    for (size_t k = 0; k < p->n_reconfigure; k++)
        for (size_t j = 0; j < p->n_gpus; j++)
            if (!strcmp(vp->reconfigure[k].pci, vp->gpus[j].pci))
                vp->reconfigure[k].gpu = vp->gpus[j].gpu;
    for (size_t k = 0; k < p->n_vfs; k++)
        vp->vfs[k].nic = x->nic[k];
    vp->scratch.nvme = x->c.nvme;
    vm->cand = x->c;
    gv_recommit(e, vm);
    gv_engine_vm_added(e, vm);
    return 0;
}
