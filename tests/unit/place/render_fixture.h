/*
 * render_fixture.h - what the renderer tests (test_place_json.c, test_place_xml.c) share: a
 * two-node host built with the topo.h builders, and placements on it filled by hand (the
 * renderers must not depend on the engine): dedicated or shared vCPUs over one or two guest
 * cells, GPUs in every mode, NIC VFs and scratch.
 *
 * Host "hv-01": NUMA 0 and 1, 8 cores x 2 threads each (node 0: cores {0,16}..{7,23}; node 1:
 * {8,24}..{15,31}), CPUs 0-1 reserved; GPUs 0000:18:00.0 (node 0), 0000:3b:00.0 (node 0),
 * 0000:86:00.0 (node 1), 0000:af:00.0 (node 1); NICs 0000:19:00.0 "mlx5_0" (node 0) and
 * 0000:87:00.0 unnamed (node 1); NVMe 0000:5e:00.0 "nvme0n1" (node 0), 0000:d8:00.0 unnamed
 * (node 1).
 */
#ifndef GV_TEST_RENDER_FIXTURE_H
#define GV_TEST_RENDER_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "gpuvm/place.h"

#define FX_THREADS_PER_NODE 16

static inline gv_host *
fx_host(void)
{
    static const char *const gpus[][2] = {
        {"0000:18:00.0", "0"}, {"0000:3b:00.0", "0"}, {"0000:86:00.0", "1"}, {"0000:af:00.0", "1"}};
    gv_host *h = gv_host_new("hv-01");
    gv_err err = {0};

    for (int n = 0; n < 2; n++) {
        gv_numa *numa = gv_host_add_numa(h, n);
        numa->memory_mib = 65536;
        numa->hugepages_2m = 4096;
        numa->hugepages_1g = 32;
        for (int c = 0; c < 8; c++) {
            int t[2] = {n * 8 + c, n * 8 + c + 16};
            gv_numa_add_core(numa, t, 2);
        }
    }
    h->reserved_cpus = gv_calloc(2, sizeof(int));
    h->reserved_cpus[0] = 0;
    h->reserved_cpus[1] = 1;
    h->n_reserved_cpus = 2;
    for (size_t i = 0; i < GV_N_ELEMENTS(gpus); i++) {
        gv_gpu *g = gv_host_add_gpu(h);
        snprintf(g->pci, sizeof(g->pci), "%s", gpus[i][0]);
        snprintf(g->model, sizeof(g->model), "A100-SXM4-40GB");
        g->vendor_id = 0x10de;
        g->device_id = 0x20b0;
        g->numa = gpus[i][1][0] - '0';
    }
    gv_nic *c = gv_host_add_nic(h);
    snprintf(c->pci, sizeof(c->pci), "0000:19:00.0");
    snprintf(c->name, sizeof(c->name), "mlx5_0");
    c->numa = 0;
    c->pcie_parent = -1;
    c->sriov_vfs = 8;
    c = gv_host_add_nic(h);
    snprintf(c->pci, sizeof(c->pci), "0000:87:00.0");
    c->numa = 1;
    c->pcie_parent = -1;
    c->sriov_vfs = 8;
    gv_nvme *d = gv_host_add_nvme(h);
    snprintf(d->pci, sizeof(d->pci), "0000:5e:00.0");
    snprintf(d->name, sizeof(d->name), "nvme0n1");
    d->numa = 0;
    d->pcie_parent = -1;
    d->capacity_gib = 3576;
    d = gv_host_add_nvme(h);
    snprintf(d->pci, sizeof(d->pci), "0000:d8:00.0");
    d->numa = 1;
    d->pcie_parent = -1;
    d->capacity_gib = 3576;
    gv_host_sort(h);
    if (gv_host_check(h, &err) < 0) {
        fprintf(stderr, "fixture host: %s: %s\n", err.where, err.msg);
        abort();
    }
    return h;
}

/*
 * A placement of @vcpus vCPUs and @memory_mib over @n_cells guest cells (cell c on host node c,
 * vCPUs split evenly). Dedicated vCPUs take whole cores from core 2 of each node up, the pair
 * (2k, 2k+1) on the two threads of one core, and own those threads; shared vCPUs float over the
 * node's threads but the reserved ones. The emulator runs on CPUs 0-1. No devices, no scratch.
 */
static inline void
fx_placement(gv_placement *p, const char *vm, int vcpus, int64_t memory_mib, gv_cpu_policy policy,
             int n_cells)
{
    memset(p, 0, sizeof(*p));
    gv_request_init(&p->request);
    snprintf(p->request.name, sizeof(p->request.name), "%s", vm);
    snprintf(p->vm, sizeof(p->vm), "%s", vm);
    snprintf(p->host, sizeof(p->host), "hv-01");
    p->request.vcpus = vcpus;
    p->request.memory_mib = memory_mib;
    p->request.cpu_policy = policy;
    p->request.numa_policy = GV_NUMA_POLICY_STRICT;
    p->scratch.nvme = -1;
    p->pins = gv_calloc((size_t)vcpus, sizeof(gv_vcpu_pin));
    p->n_cells = (size_t)n_cells;
    for (int c = 0; c < n_cells; c++) {
        gv_guest_cell *cell = &p->cells[c];
        cell->id = c;
        cell->host_numa = c;
        cell->first_vcpu = c * (vcpus / n_cells);
        cell->n_vcpus = c == n_cells - 1 ? vcpus - cell->first_vcpu : vcpus / n_cells;
        cell->memory_mib = memory_mib / n_cells;
        if (policy == GV_CPU_SHARED) {
            cell->shared_cpus = gv_calloc(FX_THREADS_PER_NODE, sizeof(int));
            for (int t = 0; t < FX_THREADS_PER_NODE; t++) {
                int cpu = t < 8 ? c * 8 + t : c * 8 + t + 8;
                if (cpu > 1)
                    cell->shared_cpus[cell->n_shared_cpus++] = cpu;
            }
        }
        for (int k = 0; k < cell->n_vcpus; k++) {
            gv_vcpu_pin *pin = &p->pins[cell->first_vcpu + k];
            int core = c * 8 + 2 + k / 2;
            pin->vcpu = cell->first_vcpu + k;
            pin->cell = c;
            pin->pcpu = policy == GV_CPU_SHARED ? -1 : (k % 2 ? core + 16 : core);
        }
        p->numa_vcpus[p->n_numa_vcpus++] = (gv_numa_vcpus){.numa = c, .vcpus = cell->n_vcpus};
    }
    /* dedicated: the vCPUs' threads are the ones owned (ascending) */
    p->owned_cpus = gv_calloc((size_t)vcpus, sizeof(int));
    for (int v = 0; v < vcpus && policy == GV_CPU_DEDICATED; v++) {
        size_t i = p->n_owned_cpus++;
        while (i > 0 && p->owned_cpus[i - 1] > p->pins[v].pcpu) {
            p->owned_cpus[i] = p->owned_cpus[i - 1];
            i--;
        }
        p->owned_cpus[i] = p->pins[v].pcpu;
    }
    p->emulator_cpus = gv_calloc(2, sizeof(int));
    p->emulator_cpus[0] = 0;
    p->emulator_cpus[1] = 1;
    p->n_emulator_cpus = 2;
    p->score.total = 612;
    p->score.fragmentation = 100;
    p->score.locality = 90;
    p->score.strategy = 12;
    p->score.reconfigured = 0;
    p->score.frag_delta_milli = -250;
}

/* Append GPU @pci (host GPU index @gpu, NUMA @numa) in @mode; the caller fills the mode's fields.
 */
static inline gv_placed_gpu *
fx_add_gpu(gv_placement *p, int gpu, const char *pci, int numa, gv_gpu_mode mode)
{
    gv_placed_gpu *g = &p->gpus[p->n_gpus++];

    memset(g, 0, sizeof(*g));
    g->gpu = gpu;
    snprintf(g->pci, sizeof(g->pci), "%s", pci);
    snprintf(g->model, sizeof(g->model), "A100-SXM4-40GB");
    g->numa = numa;
    g->mode = mode;
    g->vf = -1;
    p->request.gpu.count = (int)p->n_gpus;
    p->request.gpu.mode = mode;
    return g;
}

static inline gv_placed_vf *
fx_add_vf(gv_placement *p, int nic, const char *pf, const char *pf_name, int vf, const char *vf_pci,
          int numa)
{
    gv_placed_vf *v = &p->vfs[p->n_vfs++];

    memset(v, 0, sizeof(*v));
    v->nic = nic;
    snprintf(v->pf_pci, sizeof(v->pf_pci), "%s", pf);
    snprintf(v->pf_name, sizeof(v->pf_name), "%s", pf_name);
    v->vf = vf;
    snprintf(v->vf_pci, sizeof(v->vf_pci), "%s", vf_pci);
    v->numa = numa;
    p->request.nic_vfs = (int)p->n_vfs;
    return v;
}

static inline void
fx_set_scratch(gv_placement *p, int nvme, const char *pci, const char *name, int numa, int64_t gib)
{
    p->scratch.nvme = nvme;
    snprintf(p->scratch.pci, sizeof(p->scratch.pci), "%s", pci);
    snprintf(p->scratch.name, sizeof(p->scratch.name), "%s", name);
    p->scratch.numa = numa;
    p->scratch.gib = gib;
    p->request.scratch_gib = gib;
}

/* The full placement most tests use: 16 dedicated vCPUs over 2 cells, 64 GiB in 1G pages, a
 * passthrough and a MIG GPU on node 0, a vGPU and an SR-IOV GPU VF on node 1, a NIC VF on each
 * node, scratch on node 1, one reconfiguration and two violations. */
static inline void
fx_full(gv_placement *p, const char *vm)
{
    gv_placed_gpu *g;

    fx_placement(p, vm, 16, 65536, GV_CPU_DEDICATED, 2);
    p->request.hugepages = GV_HUGEPAGES_1G;
    fx_add_gpu(p, 0, "0000:18:00.0", 0, GV_GPU_MODE_PASSTHROUGH);
    g = fx_add_gpu(p, 1, "0000:3b:00.0", 0, GV_GPU_MODE_MIG);
    snprintf(g->profile, sizeof(g->profile), "3g.20gb");
    g->start = 4;
    g->size = 4;
    g->created = true;
    g = fx_add_gpu(p, 2, "0000:86:00.0", 1, GV_GPU_MODE_VGPU);
    snprintf(g->vgpu_type, sizeof(g->vgpu_type), "A100-4C");
    g->slot = 2;
    g = fx_add_gpu(p, 3, "0000:af:00.0", 1, GV_GPU_MODE_SRIOV);
    g->vf = 1;
    snprintf(g->vf_pci, sizeof(g->vf_pci), "0000:af:00.2");
    fx_add_vf(p, 0, "0000:19:00.0", "mlx5_0", 3, "0000:19:00.4", 0);
    fx_add_vf(p, 1, "0000:87:00.0", "", 0, "0000:87:00.1", 1);
    fx_set_scratch(p, 1, "0000:d8:00.0", "", 1, 500);
    p->n_reconfigure = 1;
    p->reconfigure[0].gpu = 1;
    snprintf(p->reconfigure[0].pci, sizeof(p->reconfigure[0].pci), "0000:3b:00.0");
    p->reconfigure[0].from = GV_GPU_MODE_PASSTHROUGH;
    p->reconfigure[0].to = GV_GPU_MODE_MIG;
    p->reconfigure[0].destroyed_instances = 2;
    p->score.reconfigured = 1;
}

#endif
