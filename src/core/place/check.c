/*
 * check.c - gv_engine_check: recompute what every host should look like from the placed VMs
 * alone and compare it with the incrementally kept state (place.h invariants 1-3).
 */
#include <stdio.h>
#include <string.h>

#include "engine.h"

#define BAD(...) gv_err_set(err, GV_E_INTERNAL, host->name, __VA_ARGS__)

static int
check_host(const gv_engine *e, size_t h, gv_err *err)
{
    const gv_host_info *hi = &e->info[h];
    const gv_host *host = hi->host;
    const gv_host_use *u = &e->use[h];
    gv_host_use fresh;
    GV_AUTOFREE uint64_t *pinned = gv_calloc((size_t)hi->cpu_words + 1, sizeof(uint64_t));
    GV_AUTOFREE int *gpu_allocs = gv_calloc(host->n_gpus + 1, sizeof(int));
    GV_AUTOFREE int64_t *shared = gv_calloc(host->n_numa + 1, sizeof(int64_t));
    GV_AUTOFREE int64_t *mem = gv_calloc(host->n_numa + 1, sizeof(int64_t));
    GV_AUTOFREE int64_t *nvme = gv_calloc(host->n_nvme + 1, sizeof(int64_t));
    GV_AUTOFREE uint64_t *vgpu = gv_calloc(host->n_gpus + 1, sizeof(uint64_t));
    GV_AUTOFREE uint64_t *gvf = gv_calloc(host->n_gpus + 1, sizeof(uint64_t));
    GV_AUTOFREE uint8_t *inst = gv_calloc(host->n_gpus + 1, 1);
    GV_AUTOFREE int *milli = gv_calloc(host->n_gpus + 1, sizeof(int));
    GV_AUTOFREE uint64_t *nicvf = gv_calloc(host->n_nics * 4 + 1, sizeof(uint64_t));
    int n_vms = 0, classes[GV_CLASS_LAST] = {0}, tags[GV_REQ_MAX_GPUS + 1] = {0};
    int rc = 0;

    gv_host_use_init(e, h, &fresh);
    for (size_t v = 0; v < e->n_vms; v++) {
        const gv_vm *vm = &e->vms[v];
        const gv_placement *p = &vm->placement;
        const gv_request *r = &p->request;

        if (!vm->used || p->host_index != (int)h)
            continue;
        n_vms++;
        classes[r->class]++;
        if (gv_request_tag(r) >= 0)
            tags[gv_request_tag(r)]++;
        for (size_t k = 0; k < p->n_owned_cpus; k++) {
            int c = p->owned_cpus[k];
            if (hi->reserved[c >> 6] & (UINT64_C(1) << (c & 63))) {
                rc = BAD("VM %s holds reserved CPU %d", p->vm, c);
                goto out;
            }
            if (pinned[c >> 6] & (UINT64_C(1) << (c & 63))) {
                rc = BAD("CPU %d pinned twice (again by %s)", c, p->vm);
                goto out;
            }
            pinned[c >> 6] |= UINT64_C(1) << (c & 63);
        }
        for (int k = 0; k < r->vcpus; k++) {
            int c = p->pins[k].pcpu;
            if (r->cpu_policy == GV_CPU_DEDICATED &&
                (c < 0 || !(pinned[c >> 6] & (UINT64_C(1) << (c & 63))))) {
                rc = BAD("VM %s vCPU %d is not on a CPU it owns", p->vm, k);
                goto out;
            }
        }
        if (r->cpu_policy == GV_CPU_SHARED) {
            int64_t split[GV_MAX_NUMA];
            size_t n_numa = host->n_numa < GV_MAX_NUMA ? host->n_numa : GV_MAX_NUMA;

            gv_shared_milli_split(r, vm->cand.take, n_numa, split);
            for (size_t i = 0; i < n_numa; i++)
                shared[i] += split[i];
        }
        for (size_t i = 0; i < host->n_numa && i < GV_MAX_NUMA; i++)
            mem[i] += vm->cand.take[i].mem_mib;
        for (size_t k = 0; k < p->n_gpus; k++) {
            const gv_placed_gpu *pg = &p->gpus[k];
            const gv_gpu_use *gu = &u->gpus[pg->gpu];

            gpu_allocs[pg->gpu]++;
            if (gu->mode != (int)pg->mode) {
                rc = BAD("GPU %s is in mode %s but serves %s as %s", pg->pci,
                         gv_gpu_mode_to_string(gu->mode), p->vm, gv_gpu_mode_to_string(pg->mode));
                goto out;
            }
            switch (pg->mode) {
            case GV_GPU_MODE_PASSTHROUGH:
                if (gpu_allocs[pg->gpu] > 1 || !gu->taken) {
                    rc = BAD("GPU %s passed through twice or not marked", pg->pci);
                    goto out;
                }
                break;
            case GV_GPU_MODE_MIG: {
                int found = -1;
                for (int i = 0; i < gu->n_inst; i++)
                    if (gu->inst[i].start == pg->start &&
                        !strcmp(hi->models[pg->gpu]->mig->profiles[gu->inst[i].profile].name,
                                pg->profile))
                        found = i;
                if (found < 0 || !(gu->inst_used & (1u << found)) ||
                    (inst[pg->gpu] & (1u << found))) {
                    rc = BAD("MIG instance %s@%d of GPU %s missing, idle or given twice",
                             pg->profile, pg->start, pg->pci);
                    goto out;
                }
                inst[pg->gpu] |= (uint8_t)(1u << found);
                break;
            }
            case GV_GPU_MODE_VGPU:
                if ((vgpu[pg->gpu] & (UINT64_C(1) << pg->slot)) ||
                    !(gu->vgpu_used & (UINT64_C(1) << pg->slot))) {
                    rc = BAD("vGPU slot %d of GPU %s given twice or not marked", pg->slot, pg->pci);
                    goto out;
                }
                vgpu[pg->gpu] |= UINT64_C(1) << pg->slot;
                if (pg->vf != (hi->models[pg->gpu]->vgpu->on_vfs ? pg->slot : -1) ||
                    (pg->vf < 0 && pg->vf_pci[0])) {
                    rc = BAD("vGPU slot %d of GPU %s is on VF %d, but its model %s", pg->slot,
                             pg->pci, pg->vf,
                             hi->models[pg->gpu]->vgpu->on_vfs ? "carries vGPUs on VFs"
                                                               : "has no vGPU VFs");
                    goto out;
                }
                break;
            case GV_GPU_MODE_SRIOV:
                if ((gvf[pg->gpu] & (UINT64_C(1) << pg->vf)) ||
                    !(gu->vf_used & (UINT64_C(1) << pg->vf))) {
                    rc = BAD("VF %d of GPU %s given twice or not marked", pg->vf, pg->pci);
                    goto out;
                }
                gvf[pg->gpu] |= UINT64_C(1) << pg->vf;
                break;
            case GV_GPU_MODE_SHARE:
                if (pg->milli < 1 || pg->milli > 1000 || pg->milli != r->gpu.milli) {
                    rc = BAD("VM %s holds %d milli-GPUs of GPU %s, asked for %d", p->vm, pg->milli,
                             pg->pci, r->gpu.milli);
                    goto out;
                }
                milli[pg->gpu] += pg->milli;
                break;
            default:
                break;
            }
        }
        for (size_t k = 0; k < p->n_vfs; k++) {
            uint64_t *w = &nicvf[(size_t)p->vfs[k].nic * 4 + (size_t)(p->vfs[k].vf >> 6)];
            uint64_t bit = UINT64_C(1) << (p->vfs[k].vf & 63);
            if (*w & bit) {
                rc = BAD("VF %d of NIC %s given twice", p->vfs[k].vf, p->vfs[k].pf_pci);
                goto out;
            }
            *w |= bit;
        }
        if (p->scratch.nvme >= 0)
            nvme[p->scratch.nvme] += p->scratch.gib;
    }
    if (memcmp(pinned, u->pinned, (size_t)hi->cpu_words * sizeof(uint64_t))) {
        rc = BAD("pinned CPUs differ from what the VMs hold");
        goto out;
    }
    if (n_vms != u->n_vms || memcmp(classes, u->class_count, sizeof(classes)) ||
        memcmp(tags, u->tag_count, sizeof(tags))) {
        rc = BAD("VM, class or tag counts differ (%d VMs, state says %d)", n_vms, u->n_vms);
        goto out;
    }
    for (size_t i = 0; i < host->n_numa; i++) {
        const gv_numa_use *n = &u->numa[i];
        gv_numa_use want = fresh.numa[i];
        int64_t held = mem[i];

        memcpy(fresh.pinned, u->pinned, (size_t)hi->cpu_words * sizeof(uint64_t));
        gv_host_use_recount_numa(hi, &fresh, (int)i);
        want.free_threads = fresh.numa[i].free_threads;
        want.free_cores = fresh.numa[i].free_cores;
        want.shared_milli = shared[i];
        /* memory is held in the kind of pages each VM asked for */
        if (n->shared_milli != want.shared_milli || n->free_threads != want.free_threads ||
            n->free_cores != want.free_cores) {
            rc = BAD("NUMA node %d CPU counts differ from the VMs'", host->numa[i].id);
            goto out;
        }
        if (n->mem_free_mib < 0 || n->hp2m_free < 0 || n->hp1g_free < 0 ||
            (fresh.numa[i].mem_free_mib - n->mem_free_mib) +
                    2 * (fresh.numa[i].hp2m_free - n->hp2m_free) +
                    1024 * (fresh.numa[i].hp1g_free - n->hp1g_free) !=
                held) {
            rc = BAD("NUMA node %d memory does not add up to what the VMs hold", host->numa[i].id);
            goto out;
        }
        if (gv_numa_shared_room(hi, n) < 0) {
            rc = BAD("NUMA node %d carries %lld shared milli-CPUs on %d unpinned threads x %.3f",
                     host->numa[i].id, (long long)n->shared_milli, n->free_threads,
                     (double)hi->overcommit_milli / 1000);
            goto out;
        }
    }
    for (size_t g = 0; g < host->n_gpus; g++) {
        const gv_gpu_use *gu = &u->gpus[g];
        const gv_gpu_model *m = hi->models[g];

        if (gu->n_alloc != gpu_allocs[g]) {
            rc = BAD("GPU %s counts %d allocations, VMs hold %d", host->gpus[g].pci, gu->n_alloc,
                     gpu_allocs[g]);
            goto out;
        }
        if (gu->mode == GV_GPU_MODE_MIG) {
            if (gu->inst_used != inst[g] ||
                (m && gv_mig_layout_check(m, gu->inst, gu->n_inst, err) < 0)) {
                rc = BAD("GPU %s MIG layout or owners are wrong", host->gpus[g].pci);
                goto out;
            }
        }
        if (gu->mode == GV_GPU_MODE_VGPU) {
            int types[GV_VGPU_SLOTS], n = 0;
            for (int s = 0; s < GV_VGPU_SLOTS; s++)
                if (gu->vgpu_used & (UINT64_C(1) << s))
                    types[n++] = gu->slot_type[s];
            if (gu->vgpu_used != vgpu[g] ||
                (m && n && gv_vgpu_check(m, types, (size_t)n, gu->vgpu_mixed, err) < 0)) {
                rc = BAD("GPU %s vGPUs break the mode's rules or owners are wrong",
                         host->gpus[g].pci);
                goto out;
            }
        }
        if (gu->mode == GV_GPU_MODE_SRIOV && gu->vf_used != gvf[g]) {
            rc = BAD("GPU %s VF owners are wrong", host->gpus[g].pci);
            goto out;
        }
        /* a shared GPU is never given past its whole, and counts what its VMs hold */
        if (gu->used_milli != (gu->mode == GV_GPU_MODE_SHARE ? milli[g] : 0) ||
            gu->used_milli > 1000) {
            rc = BAD("GPU %s counts %d milli-GPUs given, VMs hold %d", host->gpus[g].pci,
                     gu->used_milli, milli[g]);
            goto out;
        }
    }
    for (size_t i = 0; i < host->n_nics; i++) {
        int used = 0;
        if (memcmp(&nicvf[i * 4], u->nics[i].vf_used, sizeof(u->nics[i].vf_used))) {
            rc = BAD("NIC %s VF owners are wrong", host->nics[i].pci);
            goto out;
        }
        for (int w = 0; w < 4; w++)
            used += __builtin_popcountll(nicvf[i * 4 + (size_t)w]);
        if (u->nics[i].free_vfs != fresh.nics[i].free_vfs - used) {
            rc = BAD("NIC %s free VF count is wrong", host->nics[i].pci);
            goto out;
        }
    }
    for (size_t i = 0; i < host->n_nvme; i++) {
        if (u->nvme_free[i] != fresh.nvme_free[i] - nvme[i] || u->nvme_free[i] < 0) {
            rc = BAD("NVMe %s free space is wrong", host->nvme[i].pci);
            goto out;
        }
    }
out:
    gv_host_use_fini(&fresh);
    return rc;
}

int
gv_engine_check(const gv_engine *e, gv_err *err)
{
    int rc;

    for (size_t h = 0; h < e->fleet->n_hosts; h++)
        if ((rc = check_host(e, h, err)) < 0)
            return rc;
    return gv_index_check(e, err);
}
