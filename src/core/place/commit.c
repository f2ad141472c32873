/*
 * commit.c - turn the chosen candidate into concrete resources (which threads, which MIG
 * instance, which VF) and the placement that lists them; and give them all back.
 *
 * Thread choice is deterministic: a VM with at least a core's worth of vCPUs takes whole free
 * cores in ascending order, vCPU pairs on sibling threads (so the guest can be told threads=2),
 * and keeps the spare sibling of an odd count; a smaller VM first fills a free thread of a core
 * that is partly pinned, then starts a free core. Shared vCPUs float over the unpinned threads
 * of their nodes. Emulator threads go, first choice that has any: to the host-reserved CPUs of
 * the VM's nodes; to any host-reserved CPUs; to the free (unpinned, unreserved) threads of the
 * VM's nodes; to the free threads of any node. Only on a host with none of these at all (no
 * reserved CPUs and every thread pinned) do they share the VM's own dedicated vCPUs.
 *
 * What a VM holds is read back from its record alone (its placement, the candidate's GPU units
 * and per-node take): gv_uncommit gives it back and gv_recommit takes it again, through the
 * same helpers (hold_*), so that a restored VM is released exactly as a placed one.
 */
#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "util/cpulist.h"

void
gv_host_vf_pci(const gv_host_info *hi, size_t dev, int vf, char ret[GV_PCI_ADDR_LEN])
{
    int64_t pf = hi->pf_addr[dev];
    unsigned rid;

    if (pf >= 0 && gv_pci_vf_rid((unsigned)(pf & 0xffff), vf, &rid) == 0)
        gv_pci_addr_format((unsigned)(pf >> 16), rid, ret);
}

static void
pin(gv_host_use *u, int cpu)
{
    u->pinned[cpu >> 6] |= UINT64_C(1) << (cpu & 63);
}

static void
unpin(gv_host_use *u, int cpu)
{
    u->pinned[cpu >> 6] &= ~(UINT64_C(1) << (cpu & 63));
}

static bool
core_all_free(const gv_host_info *hi, const gv_host_use *u, const gv_core *core)
{
    for (int t = 0; t < core->n_threads; t++)
        if (!gv_cpu_is_free(hi, u, core->threads[t]))
            return false;
    return true;
}

/* Pin @n threads of node @ni; append them to @out (vCPU order) and to @owned (spare siblings
 * too). */
static int
pin_dedicated(const gv_host_info *hi, gv_host_use *u, int ni, int n, bool whole, int *owned,
              size_t *n_owned, int *out)
{
    const gv_numa_info *nf = &hi->numa[ni];
    int got = 0;

    if (whole) {
        for (size_t c = 0; c < nf->n_cores && got < n; c++) {
            const gv_core *core = &nf->cores[c];

            if (!core_all_free(hi, u, core))
                continue;
            for (int t = 0; t < core->n_threads; t++) {
                pin(u, core->threads[t]);
                owned[(*n_owned)++] = core->threads[t];
                if (got < n)
                    out[got++] = core->threads[t];
            }
        }
        return got;
    }
    /* small VM: holes in partly pinned cores first */
    for (int pass = 0; pass < 2 && got < n; pass++) {
        for (size_t c = 0; c < nf->n_cores && got < n; c++) {
            const gv_core *core = &nf->cores[c];
            bool all_free = core_all_free(hi, u, core);

            if ((pass == 0) == all_free)
                continue;
            for (int t = 0; t < core->n_threads && got < n; t++) {
                if (!gv_cpu_is_free(hi, u, core->threads[t]))
                    continue;
                pin(u, core->threads[t]);
                owned[(*n_owned)++] = core->threads[t];
                out[got++] = core->threads[t];
            }
        }
    }
    return got;
}

/* The free threads of host NUMA indices @nodes (a bitmask), ascending, into @out. */
static size_t
free_threads_of(const gv_host_info *hi, const gv_host_use *u, uint64_t nodes, int *out)
{
    size_t n = 0, n_numa = hi->host->n_numa < GV_MAX_NUMA ? hi->host->n_numa : GV_MAX_NUMA;

    for (int w = 0; w < hi->cpu_words; w++) {
        uint64_t bits = 0;

        for (size_t i = 0; i < n_numa; i++)
            if (nodes & (UINT64_C(1) << i))
                bits |= hi->node_cpus[i * (size_t)hi->cpu_words + (size_t)w];
        for (bits &= ~hi->reserved[w] & ~u->pinned[w]; bits; bits &= bits - 1)
            out[n++] = w * 64 + __builtin_ctzll(bits);
    }
    return n;
}

static void
group_add(gv_host_use *u, int group, int delta)
{
    size_t i;

    for (i = 0; i < u->n_groups && u->groups[i].group != group; i++)
        ;
    if (i == u->n_groups) {
        gv_group_count *g = GV_ARRAY_APPEND(u->groups, u->n_groups);
        g->group = group;
        g->count = 0;
    }
    u->groups[i].count += delta;
    if (!u->groups[i].count) {
        memmove(&u->groups[i], &u->groups[i + 1], (u->n_groups - i - 1) * sizeof(u->groups[0]));
        u->n_groups--;
    }
}

static void
take_memory(gv_numa_use *n, gv_hugepages hp, int64_t mib, int sign)
{
    switch (hp) {
    case GV_HUGEPAGES_2M:
        n->hp2m_free -= sign * mib / 2;
        break;
    case GV_HUGEPAGES_1G:
        n->hp1g_free -= sign * mib / 1024;
        break;
    default:
        n->mem_free_mib -= sign * mib;
    }
}

static void
add_violation(gv_placement *p, gv_violation_kind kind, int numa, int64_t amount)
{
    if (amount <= 0 || p->n_violations >= GV_PLACE_MAX_VIOLATIONS)
        return;
    p->violations[p->n_violations++] =
        (gv_numa_violation){.kind = kind, .numa = numa, .amount = amount};
}

/* Pin (@sign 1) or unpin (-1) the threads @p owns, and take or give back its shared
 * milli-CPUs and memory per node of host @h (@take: the candidate's, per host NUMA index). */
static void
hold_cpus(gv_engine *e, size_t h, const gv_placement *p, const gv_numa_take *take, int sign)
{
    const gv_host_info *hi = &e->info[h];
    gv_host_use *u = &e->use[h];
    const gv_request *r = &p->request;
    size_t n_numa = hi->host->n_numa < GV_MAX_NUMA ? hi->host->n_numa : GV_MAX_NUMA;
    int64_t milli[GV_MAX_NUMA] = {0};
    uint64_t nodes = 0;

    for (size_t i = 0; i < p->n_owned_cpus; i++) {
        if (sign > 0)
            pin(u, p->owned_cpus[i]);
        else
            unpin(u, p->owned_cpus[i]);
        nodes |= UINT64_C(1) << hi->cpu_numa_idx[p->owned_cpus[i]];
    }
    if (r->cpu_policy == GV_CPU_SHARED)
        gv_shared_milli_split(r, take, n_numa, milli);
    for (size_t i = 0; i < n_numa; i++) {
        u->numa[i].shared_milli += sign * milli[i];
        take_memory(&u->numa[i], r->hugepages, take[i].mem_mib, sign);
        if (nodes & (UINT64_C(1) << i))
            gv_host_use_recount_numa(hi, u, (int)i);
    }
}

/* Take (@sign 1) or give back (-1) the NIC VFs and scratch space @p lists on host @h. */
static void
hold_devices(gv_engine *e, size_t h, const gv_placement *p, int sign)
{
    gv_host_use *u = &e->use[h];

    for (size_t k = 0; k < p->n_vfs; k++) {
        gv_nic_use *nu = &u->nics[p->vfs[k].nic];
        int vf = p->vfs[k].vf;

        if (sign > 0)
            nu->vf_used[vf >> 6] |= UINT64_C(1) << (vf & 63);
        else
            nu->vf_used[vf >> 6] &= ~(UINT64_C(1) << (vf & 63));
        nu->free_vfs -= sign;
    }
    if (p->scratch.nvme >= 0)
        u->nvme_free[p->scratch.nvme] -= sign * p->scratch.gib;
}

/* Count VM @vm in (@sign 1) or out (-1) of its host's VMs, classes, tags and groups and its
 * datastore's io-heavy VMs; the host's version moves either way. */
static void
hold_counts(gv_engine *e, const gv_vm *vm, int sign)
{
    const gv_request *r = &vm->placement.request;
    size_t h = (size_t)vm->placement.host_index;
    gv_host_use *u = &e->use[h];

    u->n_vms += sign;
    u->class_count[r->class] += sign;
    if (gv_request_tag(r) >= 0)
        u->tag_count[gv_request_tag(r)] += sign;
    if (vm->group >= 0)
        group_add(u, vm->group, sign);
    if (r->io == GV_IO_HEAVY && e->info[h].datastore >= 0)
        e->heavy_per_datastore[e->info[h].datastore] += sign;
    u->version++;
}

/* Take unit @pk of @r on its GPU of host @h. A reconfiguration first saves the GPU's state as
 * it was: the release of the GPU's last unit brings it back (gv_uncommit). */
static void
take_gpu_unit(gv_engine *e, size_t h, const gv_request *r, const gv_gpu_pick *pk)
{
    gv_host_use *u = &e->use[h];
    gv_gpu_use *gu = &u->gpus[pk->gpu];

    if (pk->reconfig && !u->has_prior[pk->gpu]) {
        u->prior[pk->gpu] = *gu;
        u->has_prior[pk->gpu] = true;
    }
    e->gpu_milli_free -= gv_gpu_free_milli(&e->info[h], pk->gpu, gu);
    gv_gpu_pick_apply(gu, r, pk);
    e->gpu_milli_free += gv_gpu_free_milli(&e->info[h], pk->gpu, gu);
}

static void
commit_gpus(gv_engine *e, gv_vm *vm, const gv_request *r, const gv_candidate *c)
{
    size_t h = (size_t)c->host;
    const gv_host_info *hi = &e->info[h];
    gv_host_use *u = &e->use[h];
    gv_placement *p = &vm->placement;

    for (int k = 0; k < c->n_picks; k++) {
        const gv_gpu_pick *pk = &c->picks[k];
        const gv_gpu *gpu = &hi->host->gpus[pk->gpu];
        const gv_gpu_model *m = hi->models[pk->gpu];
        gv_gpu_use *gu = &u->gpus[pk->gpu];
        gv_placed_gpu *pg = &p->gpus[p->n_gpus++];

        memset(pg, 0, sizeof(*pg));
        pg->gpu = pk->gpu;
        gv_copy_str(pg->pci, sizeof(pg->pci), gpu->pci);
        gv_copy_str(pg->model, sizeof(pg->model), gpu->model);
        pg->numa = gpu->numa;
        pg->mode = r->gpu.mode;
        pg->start = pg->size = pg->slot = pg->vf = -1;
        if (pk->reconfig) {
            gv_reconfigure *rc = &p->reconfigure[p->n_reconfigure++];
            int idle = gu->mode == GV_GPU_MODE_MIG ? gu->n_inst : 0;

            *rc = (gv_reconfigure){
                .gpu = pk->gpu, .from = gu->mode, .to = r->gpu.mode, .destroyed_instances = idle};
            gv_copy_str(rc->pci, sizeof(rc->pci), gpu->pci);
        }
        take_gpu_unit(e, h, r, pk);
        /* while any VM holds a unit of a reconfigured GPU it stays so: every VM on it says so,
         * which is what gv_engine_restore needs to rebuild it (the one that reconfigured it
         * may be gone) */
        pg->reconfigured = u->has_prior[pk->gpu];
        switch (r->gpu.mode) {
        case GV_GPU_MODE_MIG:
            gv_copy_str(pg->profile, sizeof(pg->profile), m->mig->profiles[pk->mig_profile].name);
            pg->start = pk->mig_start;
            pg->size = m->mig->profiles[pk->mig_profile].memory_slices;
            pg->created = pk->mig_inst < 0 || pk->reconfig;
            break;
        case GV_GPU_MODE_VGPU:
            gv_copy_str(pg->vgpu_type, sizeof(pg->vgpu_type), m->vgpu->types[pk->vgpu_type].name);
            pg->slot = pk->slot;
            /* Ampere and later carry each vGPU on the VF of its slot; older GPUs are the mdev
             * parent themselves and have no VF (facts 2.4) */
            if (m->vgpu->on_vfs) {
                pg->vf = pk->slot;
                gv_host_vf_pci(hi, (size_t)pk->gpu, pk->slot, pg->vf_pci);
            }
            break;
        case GV_GPU_MODE_SRIOV:
            pg->vf = pk->slot;
            gv_host_vf_pci(hi, (size_t)pk->gpu, pk->slot, pg->vf_pci);
            break;
        case GV_GPU_MODE_SHARE:
            pg->milli = pk->milli;
            break;
        default:
            break;
        }
    }
}

static void
commit_cpus(gv_engine *e, gv_vm *vm, const gv_request *r, const gv_candidate *c)
{
    size_t h = (size_t)c->host;
    const gv_host_info *hi = &e->info[h];
    gv_host_use *u = &e->use[h];
    gv_placement *p = &vm->placement;
    gv_numa_take left[GV_MAX_NUMA];
    size_t n_numa = hi->host->n_numa < GV_MAX_NUMA ? hi->host->n_numa : GV_MAX_NUMA;
    int vcpu = 0;
    /* two lists of at most max_cpu CPUs: one cell's pins, and every thread the VM owns */
    int *buf = e->cpu_buf, *owned = e->cpu_buf + hi->max_cpu + 1;
    size_t n_owned = 0;
    /* dedicated: per node, the threads pinned for its take, handed to cells in order */
    int node_off[GV_MAX_NUMA], node_got[GV_MAX_NUMA], node_next[GV_MAX_NUMA];

    memcpy(left, c->take, sizeof(left));
    p->pins = gv_calloc((size_t)r->vcpus, sizeof(gv_vcpu_pin));
    if (r->cpu_policy == GV_CPU_DEDICATED) {
        /* each node's take is pinned at once: cells that share a node then share its whole
         * cores, instead of each rounding its part up to whole cores of its own */
        int off = 0;

        for (size_t i = 0; i < n_numa; i++) {
            int tpc = hi->numa[i].threads_per_core;

            node_off[i] = off;
            node_next[i] = 0;
            node_got[i] = c->take[i].vcpus > 0 ? pin_dedicated(hi, u, (int)i, c->take[i].vcpus,
                                                               r->vcpus >= tpc && tpc > 1, owned,
                                                               &n_owned, buf + off)
                                               : 0;
            off += node_got[i];
        }
    }
    p->n_cells = (size_t)c->n_cells;
    for (int ci = 0; ci < c->n_cells; ci++) {
        const gv_cell_plan *cp = &c->cells[ci];
        gv_guest_cell *gc = &p->cells[ci];
        uint64_t nodes = 0;
        int need = cp->vcpus;

        gc->id = ci;
        gc->host_numa = hi->host->numa[cp->numa].id;
        gc->first_vcpu = vcpu;
        gc->n_vcpus = cp->vcpus;
        gc->memory_mib = cp->mem_mib;
        /* the cell's own node first, then spill nodes in order */
        for (int pass = 0; pass < 2 && need > 0; pass++) {
            for (size_t i = 0; i < n_numa && need > 0; i++) {
                int take;

                if ((pass == 0) != ((int)i == cp->numa) || left[i].vcpus <= 0)
                    continue;
                take = left[i].vcpus < need ? left[i].vcpus : need;
                nodes |= UINT64_C(1) << i;
                if (r->cpu_policy == GV_CPU_DEDICATED) {
                    const int *threads = buf + node_off[i] + node_next[i];

                    if (take > node_got[i] - node_next[i])
                        take = node_got[i] - node_next[i];
                    for (int k = 0; k < take; k++)
                        p->pins[vcpu + k] =
                            (gv_vcpu_pin){.vcpu = vcpu + k, .pcpu = threads[k], .cell = ci};
                    node_next[i] += take;
                } else {
                    for (int k = 0; k < take; k++)
                        p->pins[vcpu + k] = (gv_vcpu_pin){.vcpu = vcpu + k, .pcpu = -1, .cell = ci};
                }
                left[i].vcpus -= take;
                vcpu += take;
                need -= take;
            }
        }
        if (r->cpu_policy == GV_CPU_SHARED) {
            size_t n = free_threads_of(hi, u, nodes ? nodes : UINT64_C(1) << cp->numa, buf);
            gc->n_shared_cpus = n;
            gc->shared_cpus = gv_calloc(n ? n : 1, sizeof(int));
            memcpy(gc->shared_cpus, buf, n * sizeof(int));
        }
    }
    for (size_t i = 0; i < n_numa; i++)
        if (c->take[i].vcpus > 0)
            p->numa_vcpus[p->n_numa_vcpus++] =
                (gv_numa_vcpus){.numa = hi->host->numa[i].id, .vcpus = c->take[i].vcpus};
    p->n_owned_cpus = gv_ids_sort_unique(owned, n_owned);
    p->owned_cpus = p->n_owned_cpus ? gv_reallocarray(NULL, p->n_owned_cpus, sizeof(int)) : NULL;
    if (p->n_owned_cpus)
        memcpy(p->owned_cpus, owned, p->n_owned_cpus * sizeof(int));
    /* the threads are pinned already; this takes the rest, as release gives it back */
    hold_cpus(e, h, p, c->take, 1);
}

static void
commit_emulator(gv_engine *e, gv_vm *vm, const gv_candidate *c)
{
    size_t h = (size_t)c->host;
    const gv_host_info *hi = &e->info[h];
    const gv_host *host = hi->host;
    gv_placement *p = &vm->placement;
    int *buf = e->cpu_buf;
    uint64_t nodes = c->home;
    size_t n = 0;

    if (!nodes)
        for (int ci = 0; ci < c->n_cells; ci++)
            nodes |= UINT64_C(1) << c->cells[ci].numa;
    for (size_t i = 0; i < host->n_reserved_cpus; i++) {
        int ni = hi->cpu_numa_idx[host->reserved_cpus[i]];
        if (ni >= 0 && (nodes & (UINT64_C(1) << ni)))
            buf[n++] = host->reserved_cpus[i];
    }
    if (!n)
        for (size_t i = 0; i < host->n_reserved_cpus; i++)
            buf[n++] = host->reserved_cpus[i];
    if (n) {
        n = gv_ids_sort_unique(buf, n);
    } else if (!(n = free_threads_of(hi, &e->use[h], nodes, buf)) &&
               !(n = free_threads_of(hi, &e->use[h], ~UINT64_C(0), buf))) {
        /* a fully pinned host without reserved CPUs: nowhere else to go */
        for (int k = 0; k < p->request.vcpus; k++)
            if (p->pins[k].pcpu >= 0)
                buf[n++] = p->pins[k].pcpu;
        n = gv_ids_sort_unique(buf, n);
    } /* else the free threads, ascending already */
    p->n_emulator_cpus = n;
    p->emulator_cpus = gv_calloc(n ? n : 1, sizeof(int));
    memcpy(p->emulator_cpus, buf, n * sizeof(int));
}

static void
commit_devices(gv_engine *e, gv_vm *vm, const gv_request *r, const gv_candidate *c)
{
    size_t h = (size_t)c->host;
    const gv_host_info *hi = &e->info[h];
    gv_host_use *u = &e->use[h];
    gv_placement *p = &vm->placement;

    for (int k = 0; k < r->nic_vfs; k++) {
        int ni = c->nic_take[k];
        const gv_nic *nic = &hi->host->nics[ni];
        gv_nic_use *nu = &u->nics[ni];
        gv_placed_vf *pv = &p->vfs[p->n_vfs++];
        int vf = 0;

        while (nu->vf_used[vf >> 6] & (UINT64_C(1) << (vf & 63)))
            vf++;
        nu->vf_used[vf >> 6] |= UINT64_C(1) << (vf & 63);
        nu->free_vfs--;
        memset(pv, 0, sizeof(*pv));
        pv->nic = ni;
        gv_copy_str(pv->pf_pci, sizeof(pv->pf_pci), nic->pci);
        gv_copy_str(pv->pf_name, sizeof(pv->pf_name), nic->name);
        pv->vf = vf;
        gv_host_vf_pci(hi, hi->host->n_gpus + (size_t)ni, vf, pv->vf_pci);
        pv->numa = nic->numa;
    }
    p->scratch.nvme = c->nvme;
    if (c->nvme >= 0) {
        const gv_nvme *d = &hi->host->nvme[c->nvme];

        u->nvme_free[c->nvme] -= r->scratch_gib;
        gv_copy_str(p->scratch.pci, sizeof(p->scratch.pci), d->pci);
        gv_copy_str(p->scratch.name, sizeof(p->scratch.name), d->name);
        p->scratch.numa = d->numa;
        p->scratch.gib = r->scratch_gib;
    }
}

static void
record_violations(const gv_engine *e, gv_placement *p, const gv_request *r, const gv_candidate *c)
{
    const gv_host_info *hi = &e->info[c->host];

    p->numa_violations = c->violations;
    if (r->numa_policy != GV_NUMA_POLICY_PREFERRED || !c->home)
        return;
    for (size_t i = 0; i < hi->host->n_numa && i < GV_MAX_NUMA; i++) {
        if (c->home & (UINT64_C(1) << i))
            continue;
        add_violation(p, GV_VIOLATION_VCPU, hi->host->numa[i].id, c->take[i].vcpus);
        add_violation(p, GV_VIOLATION_MEMORY, hi->host->numa[i].id, c->take[i].mem_mib);
    }
    for (size_t k = 0; k < p->n_vfs; k++) {
        int ni = hi->nic_numa_idx[p->vfs[k].nic];
        if (ni < 0 || !(c->home & (UINT64_C(1) << ni)))
            add_violation(p, GV_VIOLATION_NIC, p->vfs[k].numa, 1);
    }
    if (c->nvme >= 0) {
        int ni = hi->nvme_numa_idx[c->nvme];
        if (ni < 0 || !(c->home & (UINT64_C(1) << ni)))
            add_violation(p, GV_VIOLATION_SCRATCH, p->scratch.numa, r->scratch_gib);
    }
}

void
gv_commit(gv_engine *e, gv_vm *vm, const gv_request *r, const gv_candidate *c)
{
    size_t h = (size_t)c->host;
    const gv_host *host = e->info[h].host;
    gv_placement *p = &vm->placement;

    memset(p, 0, sizeof(*p));
    gv_copy_str(p->vm, sizeof(p->vm), r->name);
    gv_copy_str(p->host, sizeof(p->host), host->name);
    p->host_index = (int)h;
    p->request = *r;
    p->scratch.nvme = -1;
    vm->cand = *c;
    vm->group = gv_engine_intern_group(e, r->anti_affinity);
    commit_gpus(e, vm, r, c);
    commit_cpus(e, vm, r, c);
    commit_emulator(e, vm, c);
    commit_devices(e, vm, r, c);
    record_violations(e, p, r, c);
    p->score = c->score;
    hold_counts(e, vm, 1);
}

void
gv_uncommit(gv_engine *e, gv_vm *vm)
{
    const gv_placement *p = &vm->placement;
    const gv_candidate *c = &vm->cand;
    size_t h = (size_t)p->host_index;
    const gv_host_info *hi = &e->info[h];
    gv_host_use *u = &e->use[h];

    for (size_t k = 0; k < p->n_gpus; k++) {
        const gv_gpu_pick *pk = &c->picks[k];
        gv_gpu_use *gu = &u->gpus[pk->gpu];

        e->gpu_milli_free -= gv_gpu_free_milli(hi, pk->gpu, gu);
        gv_gpu_pick_undo(&hi->host->gpus[pk->gpu], gu, p->request.gpu.mode, pk, p->gpus[k].created);
        if (!gu->n_alloc && u->has_prior[pk->gpu]) {
            *gu = u->prior[pk->gpu];
            u->has_prior[pk->gpu] = false;
            memset(&u->prior[pk->gpu], 0, sizeof(u->prior[pk->gpu]));
        }
        e->gpu_milli_free += gv_gpu_free_milli(hi, pk->gpu, gu);
    }
    hold_cpus(e, h, p, c->take, -1);
    hold_devices(e, h, p, -1);
    hold_counts(e, vm, -1);
}

void
gv_recommit(gv_engine *e, gv_vm *vm)
{
    const gv_placement *p = &vm->placement;
    size_t h = (size_t)p->host_index;

    vm->group = gv_engine_intern_group(e, p->request.anti_affinity);
    for (size_t k = 0; k < p->n_gpus; k++)
        take_gpu_unit(e, h, &p->request, &vm->cand.picks[k]);
    hold_cpus(e, h, p, vm->cand.take, 1);
    hold_devices(e, h, p, 1);
    hold_counts(e, vm, 1);
}
