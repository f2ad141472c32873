/*
 * openb.c - Alibaba's GPU trace as the engine sees it: trace nodes as hosts (one NUMA node, a
 * thread per CPU, GPUs in share mode) and pods as requests (shared vCPUs entitled to the pod's
 * milli-CPUs, GPUs shared in milli-GPUs). See sim.h for why each choice is the study's.
 */
#include <stdio.h>
#include <string.h>

#include "gpuvm/sim.h"
#include "sim_internal.h"
#include "sim_rng.h"

#define OPENB_POOL "openb"

static gv_host *
host_of(const gv_trace_node *n, int prefix)
{
    char name[GV_TRACE_NAME_LEN + 8];
    gv_host *h;
    gv_numa *numa;
    int threads = (int)(n->cpu_milli / 1000);

    snprintf(name, sizeof(name), "%04d-%s", prefix, n->name);
    h = gv_host_new(name);
    gv_host_set_str(&h->pool, OPENB_POOL);
    h->state = GV_HOST_READY;
    numa = gv_host_add_numa(h, 0);
    numa->memory_mib = n->memory_mib;
    numa->hugepages_2m = 0;
    numa->hugepages_1g = 0;
    for (int t = 0; t < threads; t++)
        gv_numa_add_core(numa, &t, 1);
    for (int g = 0; g < n->gpus; g++) {
        gv_gpu *gpu = gv_host_add_gpu(h);

        snprintf(gpu->pci, sizeof(gpu->pci), "0000:%02x:00.0", 0x10 + g);
        snprintf(gpu->model, sizeof(gpu->model), "%s", n->model);
        gpu->vendor_id = 0x10de;
        gpu->numa = 0;
        gpu->pcie_parent = -1;
        gpu->mode = GV_GPU_MODE_SHARE;
    }
    return h;
}

gv_fleet *
gv_sim_openb_fleet(const gv_trace_nodes *nodes, uint64_t seed, gv_err *err)
{
    return gv_sim_fleet_dressed(nodes, seed, NULL, NULL, err);
}

gv_fleet *
gv_sim_fleet_dressed(const gv_trace_nodes *nodes, uint64_t seed, gv_sim_dress_fn dress,
                     const void *arg, gv_err *err)
{
    GV_AUTOFREE int *order = gv_calloc(nodes->n + 1, sizeof(int));
    gv_fleet *f = gv_fleet_new();
    gv_pool *p = gv_fleet_set_pool(f, OPENB_POOL);
    gv_sim_rng rng;
    size_t n_gpu_nodes = 0;

    /* the study's cluster has no pack or spread preference */
    p->strategy = GV_POOL_NONE;
    p->mix_classes = true;
    p->cpu_overcommit = 1.0;
    /* the study's node order: a random permutation, as name prefixes */
    gv_sim_rng_init(&rng, seed ^ UINT64_C(0x6e6f646573));
    for (size_t i = 0; i < nodes->n; i++)
        order[i] = (int)i;
    gv_sim_rng_shuffle_ints(&rng, order, nodes->n);
    for (size_t k = 0; k < nodes->n; k++) {
        const gv_trace_node *n = &nodes->v[order[k]];
        gv_host *h;

        if (n->gpus <= 0)
            continue;
        if (n->cpu_milli % 1000 || n->cpu_milli <= 0) {
            gv_err_set(err, GV_E_INVAL, NULL,
                       "node %s (line %d): cpu_milli %lld is not a whole number of CPUs", n->name,
                       n->line, (long long)n->cpu_milli);
            gv_fleet_free(f);
            return NULL;
        }
        h = host_of(n, (int)k);
        if (dress)
            dress(h, arg);
        if (gv_fleet_add_host(f, h, err) < 0) {
            gv_host_free(h);
            gv_fleet_free(f);
            return NULL;
        }
        n_gpu_nodes++;
    }
    if (!n_gpu_nodes) {
        gv_err_set(err, GV_E_INVAL, NULL, "the node list has no node with GPUs");
        gv_fleet_free(f);
        return NULL;
    }
    return f;
}

void
gv_sim_openb_request(const gv_trace_pod *p, const char *name, gv_request *r)
{
    gv_request_init(r);
    snprintf(r->name, sizeof(r->name), "%s", name);
    r->cpu_policy = GV_CPU_SHARED;
    r->numa_policy = GV_NUMA_POLICY_NONE;
    r->vcpus = p->cpu_milli > 0 ? (int)((p->cpu_milli + 999) / 1000) : 1;
    r->cpu_milli = p->cpu_milli > 0 ? p->cpu_milli : 1;
    r->memory_mib = p->memory_mib > 0 ? p->memory_mib : 1;
    if (p->num_gpu > 0) {
        r->gpu.count = p->num_gpu;
        r->gpu.mode = GV_GPU_MODE_SHARE;
        r->gpu.milli = p->gpu_milli;
        r->gpu.n_models = (size_t)p->n_spec;
        for (int i = 0; i < p->n_spec && i < GV_REQ_MAX_MODELS; i++)
            snprintf(r->gpu.models[i], sizeof(r->gpu.models[i]), "%s", p->spec[i]);
    }
}
