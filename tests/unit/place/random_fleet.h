/*
 * random_fleet.h - random but valid fleets and requests for the engine's property tests.
 *
 * Hosts come from tests/unit/topo/random_host.h (random NUMA, SMT, PCIe trees, NICs, NVMe,
 * NVLink), with their GPUs re-dressed as catalog models in every attachment mode: H100
 * passthrough, H100 MIG (empty, one 7g, or the balanced layout), A100 80GB vGPU (type open or
 * fixed), MI300X SR-IOV and shared GPUs (L40S, or a model the catalog does not know). Pools,
 * zones, datastores, states and reconfigurability vary.
 * Requests draw every field the engine reads.
 */
#ifndef GV_TEST_RANDOM_FLEET_H
#define GV_TEST_RANDOM_FLEET_H

#include <string.h>

#include "../topo/random_host.h"
#include "gpuvm/gpu.h"
#include "gpuvm/place.h"

static const char *const rf_zones[] = {"z1", "z2"};
static const char *const rf_pools[] = {"train", "infer"};
static const char *const rf_stores[] = {"ds-a", "ds-b", "ds-c"};
static const char *const rf_mig_profiles[] = {"1g.10gb", "2g.20gb", "3g.40gb",
                                              "4g.40gb", "7g.80gb", "1g.20gb"};
static const char *const rf_vgpu_types[] = {"A100DX-4C", "A100DX-8C", "A100DX-20C", "A100DX-40C"};

static inline void
rf_dress_gpu(gv_gpu *g, unsigned kind)
{
    memset(g->instances, 0, sizeof(g->instances));
    g->n_instances = 0;
    g->sriov_vfs = 0;
    g->vgpu_type[0] = '\0';
    switch (kind % 6) {
    case 0:
        snprintf(g->model, sizeof(g->model), "H100-SXM5-80GB");
        g->mode = GV_GPU_MODE_PASSTHROUGH;
        break;
    case 1:
        snprintf(g->model, sizeof(g->model), "H100-SXM5-80GB");
        g->mode = GV_GPU_MODE_MIG;
        switch (gv_rand() % 3) {
        case 1:
            snprintf(g->instances[0].profile, GV_MIG_PROFILE_LEN, "7g.80gb");
            g->n_instances = 1;
            break;
        case 2:
            snprintf(g->instances[0].profile, GV_MIG_PROFILE_LEN, "3g.40gb");
            g->instances[0].start = 0;
            snprintf(g->instances[1].profile, GV_MIG_PROFILE_LEN, "2g.20gb");
            g->instances[1].start = 4;
            snprintf(g->instances[2].profile, GV_MIG_PROFILE_LEN, "1g.10gb");
            g->instances[2].start = 6;
            g->n_instances = 3;
            break;
        default:
            break;
        }
        break;
    case 2:
    case 3:
        snprintf(g->model, sizeof(g->model), "A100-SXM4-80GB");
        g->mode = GV_GPU_MODE_VGPU;
        if (gv_rand() % 2)
            snprintf(g->vgpu_type, sizeof(g->vgpu_type), "%s", rf_vgpu_types[gv_rand() % 4]);
        break;
    case 4:
        snprintf(g->model, sizeof(g->model), "MI300X-192GB");
        g->mode = GV_GPU_MODE_SRIOV;
        g->sriov_vfs = 8;
        break;
    default:
        /* shared in milli-GPUs: a catalog model, or one the catalog does not know */
        snprintf(g->model, sizeof(g->model), "%s", gv_rand() % 2 ? "L40S-48GB" : "G2");
        g->mode = GV_GPU_MODE_SHARE;
        break;
    }
}

/* A fleet of @n random hosts; the caller checks it (gv_fleet_check, gv_catalog_check_host). */
static inline gv_fleet *
rf_fleet(unsigned seed, int n)
{
    gv_fleet *f = gv_fleet_new();
    gv_pool *p;

    p = gv_fleet_set_pool(f, "train");
    p->strategy = GV_POOL_PACK;
    p->mix_classes = false;
    p->cpu_overcommit = 1.0;
    p = gv_fleet_set_pool(f, "infer");
    p->strategy = GV_POOL_SPREAD;
    p->mix_classes = true;
    p->cpu_overcommit = 4.0;
    for (int i = 0; i < n; i++) {
        gv_host *h = gv_random_host(seed * 1000u + (unsigned)i);
        unsigned kind = gv_rand();

        for (size_t g = 0; g < h->n_gpus; g++)
            rf_dress_gpu(&h->gpus[g], gv_rand() % 3 ? kind : gv_rand());
        gv_host_set_str(&h->pool, rf_pools[gv_rand() % 2]);
        gv_host_set_str(&h->zone, rf_zones[gv_rand() % 2]);
        gv_host_set_str(&h->datastore, rf_stores[gv_rand() % 3]);
        h->reconfigurable = gv_rand() % 2;
        h->state = gv_rand() % 10 == 0 ? GV_HOST_CORDONED : GV_HOST_READY;
        for (size_t k = 0; k < h->n_numa; k++) {
            if (h->numa[k].memory_mib <= 0)
                continue;
            h->numa[k].memory_mib += 65536;
            if (gv_rand() % 3 == 0)
                h->numa[k].hugepages_2m = 1024;
        }
        for (size_t k = 0; k < h->n_nvme; k++)
            h->nvme[k].capacity_gib = 1000 + 500 * (gv_rand() % 4);
        if (gv_fleet_add_host(f, h, NULL) < 0)
            gv_host_free(h);
    }
    return f;
}

static inline void
rf_request(gv_request *r, unsigned serial)
{
    gv_request_init(r);
    snprintf(r->name, sizeof(r->name), "vm-%u", serial);
    r->vcpus = 1 + (int)(gv_rand() % 12);
    r->hugepages = (gv_hugepages)(gv_rand() % 4 == 0 ? gv_rand() % GV_HUGEPAGES_LAST : 0);
    r->memory_mib = 1024 * (1 + gv_rand() % 24);
    r->cpu_policy = (gv_cpu_policy)(gv_rand() % 2);
    /* a shared VM entitled to less than a CPU per vCPU, as the GPU trace's tasks are */
    if (r->cpu_policy == GV_CPU_SHARED && gv_rand() % 3 == 0)
        r->cpu_milli = 1 + gv_rand() % ((unsigned)r->vcpus * 1000);
    r->numa_policy = (gv_numa_policy)(gv_rand() % GV_NUMA_POLICY_LAST);
    switch (gv_rand() % 7) {
    case 0:
        break;
    case 6: {
        static const int milli[] = {100, 250, 470, 500, 810, 1000};

        r->gpu.count = 1 + (int)(gv_rand() % 4 == 0);
        r->gpu.mode = GV_GPU_MODE_SHARE;
        r->gpu.milli = r->gpu.count > 1 ? 1000 : milli[gv_rand() % 6];
        break;
    }
    case 1:
        r->gpu.count = 1 + (int)(gv_rand() % 4);
        r->gpu.mode = GV_GPU_MODE_PASSTHROUGH;
        r->gpu.topology = (gv_gpu_topology)(gv_rand() % GV_GPU_TOPO_LAST);
        break;
    case 2:
    case 3:
        r->gpu.count = 1;
        r->gpu.mode = GV_GPU_MODE_MIG;
        snprintf(r->gpu.profile, sizeof(r->gpu.profile), "%s", rf_mig_profiles[gv_rand() % 6]);
        break;
    case 4:
        r->gpu.count = 1 + (int)(gv_rand() % 2);
        r->gpu.mode = GV_GPU_MODE_VGPU;
        snprintf(r->gpu.vgpu_type, sizeof(r->gpu.vgpu_type), "%s", rf_vgpu_types[gv_rand() % 4]);
        break;
    case 5:
        r->gpu.count = 1 + (int)(gv_rand() % 2);
        r->gpu.mode = GV_GPU_MODE_SRIOV;
        break;
    }
    if (r->gpu.count && gv_rand() % 5 == 0) {
        r->gpu.n_models = 1;
        snprintf(r->gpu.models[0], sizeof(r->gpu.models[0]), "%s",
                 r->gpu.mode == GV_GPU_MODE_SRIOV   ? "MI300X-192GB"
                 : r->gpu.mode == GV_GPU_MODE_VGPU  ? "A100-SXM4-80GB"
                 : r->gpu.mode == GV_GPU_MODE_SHARE ? "G2"
                                                    : "H100-SXM5-80GB");
    }
    if (gv_rand() % 3 == 0) {
        r->nic_vfs = 1 + (int)(gv_rand() % 3);
        r->nic_locality = (gv_locality)(gv_rand() % GV_LOCALITY_LAST);
    }
    if (gv_rand() % 3 == 0) {
        r->scratch_gib = 100 * (1 + gv_rand() % 10);
        r->scratch_locality = (gv_locality)(gv_rand() % GV_LOCALITY_LAST);
    }
    if (gv_rand() % 3 == 0)
        snprintf(r->pool, sizeof(r->pool), "%s", rf_pools[gv_rand() % 2]);
    if (gv_rand() % 4 == 0) {
        r->n_zones = 1;
        snprintf(r->zones[0], sizeof(r->zones[0]), "%s", rf_zones[gv_rand() % 2]);
    }
    if (gv_rand() % 4 == 0)
        snprintf(r->anti_affinity, sizeof(r->anti_affinity), "grp-%u", gv_rand() % 3);
    r->class = (gv_workload_class)(gv_rand() % GV_CLASS_LAST);
    r->io = gv_rand() % 4 == 0 ? GV_IO_HEAVY : GV_IO_NORMAL;
}

#endif
