/*
 * engine.c - the engine's life cycle and its mutations: place (check the request, decide with
 * the fast path or the reference, commit), release, and a host's state changing; plus the
 * whole-state check and dump the tests use. Restoring a placement is restore.c's.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine.h"
#include "util/strbuf.h"

static int
intern(char ***names, size_t *n, const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*names)[i], name))
            return (int)i;
    *GV_ARRAY_APPEND(*names, *n) = gv_strdup(name);
    return (int)*n - 1;
}

int
gv_engine_intern_group(gv_engine *e, const char *name)
{
    return name && name[0] ? intern(&e->groups, &e->n_groups, name) : -1;
}

int
gv_engine_find_group(const gv_engine *e, const char *name)
{
    for (size_t i = 0; name && name[0] && i < e->n_groups; i++)
        if (!strcmp(e->groups[i], name))
            return (int)i;
    return -1;
}

static int
cmp_host_name(const void *a, const void *b, void *fleet)
{
    const gv_fleet *f = fleet;

    return strcmp(f->hosts[*(const size_t *)a]->name, f->hosts[*(const size_t *)b]->name);
}

static int
numa_index(const gv_host *h, int id)
{
    return id == GV_NUMA_UNKNOWN ? -1 : gv_host_find_numa(h, id);
}

static int
info_init(gv_engine *e, size_t hidx, gv_err *err)
{
    const gv_host *h = e->fleet->hosts[hidx];
    gv_host_info *hi = &e->info[hidx];
    size_t ng = h->n_gpus;
    const gv_pool *pool;

    if (ng > GV_HOST_MAX_GPUS || h->n_numa > GV_MAX_NUMA || h->n_nics > 64)
        return gv_err_set(err, GV_E_LIMIT, h->name,
                          "the engine handles at most %d GPUs, %d NUMA nodes and 64 NICs per host",
                          GV_HOST_MAX_GPUS, GV_MAX_NUMA);
    if (gv_catalog_check_host(e->cat, h, err) < 0)
        return -GV_E_INVAL;
    hi->host = h;
    hi->models = gv_calloc(ng ? ng : 1, sizeof(*hi->models));
    hi->fleet_model = gv_calloc(ng ? ng : 1, 1);
    hi->gpu_vfs = gv_calloc(ng ? ng : 1, sizeof(int));
    hi->gpu_numa_idx = gv_calloc(ng ? ng : 1, sizeof(int));
    hi->island = gv_calloc(ng ? ng : 1, sizeof(int));
    hi->pf_addr = gv_calloc(ng + h->n_nics + 1, sizeof(int64_t));
    for (size_t d = 0; d < ng + h->n_nics; d++) {
        const char *pci = d < ng ? h->gpus[d].pci : h->nics[d - ng].pci;
        unsigned dom, rid;

        hi->pf_addr[d] =
            gv_pci_addr_split(pci, &dom, &rid, NULL) < 0 ? -1 : (int64_t)dom << 16 | rid;
    }
    hi->gpu_dist = gv_calloc(ng * ng + 1, 1);
    hi->nic_dist = gv_calloc(ng * h->n_nics + 1, 1);
    hi->nvme_dist = gv_calloc(ng * h->n_nvme + 1, 1);
    hi->nic_numa_idx = gv_calloc(h->n_nics + 1, sizeof(int));
    hi->nvme_numa_idx = gv_calloc(h->n_nvme + 1, sizeof(int));
    for (size_t g = 0; g < ng; g++) {
        hi->models[g] = gv_catalog_find(e->cat, h->gpus[g].model);
        hi->gpu_vfs[g] = gv_gpu_model_sriov_vfs(hi->models[g]);
        if (hi->gpu_vfs[g] > GV_GPU_MAX_VFS)
            hi->gpu_vfs[g] = GV_GPU_MAX_VFS;
        if (h->gpus[g].sriov_vfs > 0 && h->gpus[g].sriov_vfs < hi->gpu_vfs[g])
            hi->gpu_vfs[g] = h->gpus[g].sriov_vfs;
        hi->gpu_numa_idx[g] = numa_index(h, h->gpus[g].numa);
        for (size_t j = 0; j < ng; j++)
            hi->gpu_dist[g * ng + j] = (uint8_t)gv_host_distance(
                h, (gv_dev_ref){GV_DEV_GPU, (int)g}, (gv_dev_ref){GV_DEV_GPU, (int)j});
        for (size_t j = 0; j < h->n_nics; j++)
            hi->nic_dist[g * h->n_nics + j] = (uint8_t)gv_host_distance(
                h, (gv_dev_ref){GV_DEV_GPU, (int)g}, (gv_dev_ref){GV_DEV_NIC, (int)j});
        for (size_t j = 0; j < h->n_nvme; j++)
            hi->nvme_dist[g * h->n_nvme + j] = (uint8_t)gv_host_distance(
                h, (gv_dev_ref){GV_DEV_GPU, (int)g}, (gv_dev_ref){GV_DEV_NVME, (int)j});
    }
    if (ng)
        gv_host_gpu_islands(h, hi->island);
    for (size_t j = 0; j < h->n_nics; j++)
        hi->nic_numa_idx[j] = numa_index(h, h->nics[j].numa);
    for (size_t j = 0; j < h->n_nvme; j++)
        hi->nvme_numa_idx[j] = numa_index(h, h->nvme[j].numa);

    hi->numa = gv_calloc(h->n_numa ? h->n_numa : 1, sizeof(*hi->numa));
    hi->max_cpu = 0;
    for (size_t i = 0; i < h->n_numa; i++) {
        const gv_numa *n = &h->numa[i];

        hi->numa[i].id = n->id;
        hi->numa[i].n_cores = n->n_cores;
        hi->numa[i].cores = n->cores;
        hi->numa[i].threads_per_core = n->n_cores ? n->cores[0].n_threads : 1;
        for (size_t c = 0; c < n->n_cpus; c++)
            if (n->cpus[c] + 1 > hi->max_cpu)
                hi->max_cpu = n->cpus[c] + 1;
    }
    hi->cpu_words = (hi->max_cpu + 63) / 64;
    hi->reserved = gv_calloc((size_t)hi->cpu_words + 1, sizeof(uint64_t));
    hi->cpu_numa_idx = gv_calloc((size_t)hi->max_cpu + 1, sizeof(int16_t));
    hi->node_cpus =
        gv_calloc((h->n_numa ? h->n_numa : 1) * (size_t)hi->cpu_words + 1, sizeof(uint64_t));
    for (int c = 0; c < hi->max_cpu; c++)
        hi->cpu_numa_idx[c] = -1;
    for (size_t i = 0; i < h->n_numa; i++) {
        for (size_t c = 0; c < h->numa[i].n_cores; c++) {
            for (int t = 0; t < h->numa[i].cores[c].n_threads; t++) {
                int cpu = h->numa[i].cores[c].threads[t];

                if (cpu < 0 || cpu >= hi->max_cpu)
                    continue;
                hi->cpu_numa_idx[cpu] = (int16_t)i;
                hi->node_cpus[i * (size_t)hi->cpu_words + (size_t)(cpu >> 6)] |= UINT64_C(1)
                                                                                 << (cpu & 63);
            }
        }
    }
    for (size_t i = 0; i < h->n_reserved_cpus; i++) {
        int c = h->reserved_cpus[i];
        if (c >= 0 && c < hi->max_cpu)
            hi->reserved[c >> 6] |= UINT64_C(1) << (c & 63);
    }
    hi->n_threads = 0;
    for (int c = 0; c < hi->max_cpu; c++)
        hi->n_threads +=
            hi->cpu_numa_idx[c] >= 0 && !(hi->reserved[c >> 6] & (UINT64_C(1) << (c & 63)));
    hi->gpu_milli = 1000 * (int64_t)ng;
    hi->datastore = h->datastore[0] ? intern(&e->datastores, &e->n_datastores, h->datastore) : -1;
    if (h->pool[0])
        intern(&e->host_pools, &e->n_host_pools, h->pool);
    pool = h->pool[0] ? gv_fleet_find_pool(e->fleet, h->pool) : NULL;
    hi->pool_index = pool ? (int)(pool - e->fleet->pools) : -1;
    hi->strategy = pool ? pool->strategy : GV_POOL_PACK;
    hi->mix_classes = pool ? pool->mix_classes : true;
    hi->overcommit = pool && pool->cpu_overcommit > 0 ? pool->cpu_overcommit : 1.0;
    hi->overcommit_milli = llround(hi->overcommit * 1000);
    return 0;
}

static void
info_fini(gv_host_info *hi)
{
    free(hi->models);
    free(hi->fleet_model);
    free(hi->gpu_vfs);
    free(hi->gpu_numa_idx);
    free(hi->island);
    free(hi->pf_addr);
    free(hi->gpu_dist);
    free(hi->nic_dist);
    free(hi->nvme_dist);
    free(hi->nic_numa_idx);
    free(hi->nvme_numa_idx);
    free(hi->numa);
    free(hi->reserved);
    free(hi->cpu_numa_idx);
    free(hi->node_cpus);
}

static void
scratch_init(gv_engine *e)
{
    size_t numa = 1, gpus = 1, nics = 1, nvme = 1, words = 1, cpus = 1;

    for (size_t h = 0; h < e->fleet->n_hosts; h++) {
        const gv_host *host = e->fleet->hosts[h];
        numa = host->n_numa > numa ? host->n_numa : numa;
        gpus = host->n_gpus > gpus ? host->n_gpus : gpus;
        nics = host->n_nics > nics ? host->n_nics : nics;
        nvme = host->n_nvme > nvme ? host->n_nvme : nvme;
        words = (size_t)e->info[h].cpu_words > words ? (size_t)e->info[h].cpu_words : words;
        cpus = (size_t)e->info[h].max_cpu + 1 > cpus ? (size_t)e->info[h].max_cpu + 1 : cpus;
    }
    e->cpu_buf = gv_calloc(2 * cpus, sizeof(int));
    e->scratch.numa = gv_calloc(numa, sizeof(*e->scratch.numa));
    e->scratch.gpus = gv_calloc(gpus, sizeof(*e->scratch.gpus));
    e->scratch.nics = gv_calloc(nics, sizeof(*e->scratch.nics));
    e->scratch.nvme_free = gv_calloc(nvme, sizeof(*e->scratch.nvme_free));
    e->scratch.pinned = gv_calloc(words, sizeof(uint64_t));
}

int
gv_engine_new(const gv_fleet *f, const gv_catalog *cat, const gv_place_config *cfg, gv_engine **ret,
              gv_err *err)
{
    GV_AUTOPTR(gv_engine) e = GV_NEW0(gv_engine);
    GV_AUTOFREE size_t *order = NULL;

    e->fleet = f;
    e->cat = cat;
    if (cfg)
        e->cfg = *cfg;
    else
        gv_place_config_init(&e->cfg);
    e->info = gv_calloc(f->n_hosts ? f->n_hosts : 1, sizeof(*e->info));
    e->use = gv_calloc(f->n_hosts ? f->n_hosts : 1, sizeof(*e->use));
    for (size_t h = 0; h < f->n_hosts; h++) {
        if (info_init(e, h, err) < 0) {
            e->n_hosts_ready = h + 1;
            return -(err && err->code ? err->code : GV_E_INVAL);
        }
        e->n_hosts_ready = h + 1;
    }
    order = gv_calloc(f->n_hosts ? f->n_hosts : 1, sizeof(size_t));
    e->rank = gv_calloc(f->n_hosts ? f->n_hosts : 1, sizeof(int32_t));
    for (size_t h = 0; h < f->n_hosts; h++)
        order[h] = h;
    qsort_r(order, f->n_hosts, sizeof(size_t), cmp_host_name, (void *)f);
    for (size_t k = 0; k < f->n_hosts; k++)
        e->rank[order[k]] = (int32_t)k;
    for (size_t h = 0; h < f->n_hosts; h++) {
        for (size_t g = 0; g < f->hosts[h]->n_gpus; g++) {
            const gv_gpu *gpu = &f->hosts[h]->gpus[g];
            size_t i;

            for (i = 0;
                 i < e->n_fleet_models && strcasecmp(e->fleet_models[i].gpu->model, gpu->model);
                 i++)
                ;
            if (i == GV_FLEET_MODELS_MAX)
                return gv_err_set(err, GV_E_LIMIT, f->hosts[h]->name,
                                  "the engine handles at most %d distinct GPU models per fleet",
                                  GV_FLEET_MODELS_MAX);
            if (i == e->n_fleet_models)
                *GV_ARRAY_APPEND(e->fleet_models, e->n_fleet_models) =
                    (gv_fleet_model){.gpu = gpu, .model = e->info[h].models[g]};
            e->info[h].fleet_model[g] = (uint8_t)i;
        }
    }
    e->heavy_per_datastore = gv_calloc(e->n_datastores ? e->n_datastores : 1, sizeof(int));
    for (size_t h = 0; h < f->n_hosts; h++)
        gv_host_use_init(e, h, &e->use[h]);
    scratch_init(e);
    e->frag_memo = gv_calloc(f->n_hosts ? f->n_hosts : 1, sizeof(*e->frag_memo));
    for (size_t h = 0; h < f->n_hosts; h++) {
        e->frag_memo[h].gpus = gv_calloc(f->hosts[h]->n_gpus + 1, sizeof(gv_gpu_answer));
        e->frag_memo[h].refs = gv_calloc(f->hosts[h]->n_gpus + 1, sizeof(gv_gpu_ref));
    }
    gv_gpu_memo_init(e);
    e->index_cand = GV_NEW0(gv_candidate);
    e->place_best = GV_NEW0(gv_candidate);
    e->place_second = GV_NEW0(gv_candidate);
    for (size_t h = 0; h < f->n_hosts; h++) {
        e->gpu_milli_total += e->info[h].gpu_milli;
        for (size_t g = 0; g < f->hosts[h]->n_gpus; g++)
            e->gpu_milli_free += gv_gpu_free_milli(&e->info[h], (int)g, &e->use[h].gpus[g]);
    }
    if (e->cfg.mix_window > 0)
        e->recent = gv_calloc((size_t)e->cfg.mix_window, sizeof(*e->recent));
    gv_mix_prior(e);
    *ret = GV_STEAL_PTR(e);
    return 0;
}

void
gv_engine_free(gv_engine *e)
{
    if (!e)
        return;
    gv_index_free(e);
    for (size_t v = 0; v < e->n_vms; v++)
        gv_placement_free_owned(&e->vms[v].placement);
    free(e->vms);
    free(e->vm_index);
    free(e->free_vms);
    free(e->fleet_models);
    for (size_t h = 0; e->frag_memo && h < e->fleet->n_hosts; h++) {
        free(e->frag_memo[h].gpus);
        free(e->frag_memo[h].refs);
    }
    free(e->frag_memo);
    free(e->gpu_memo);
    free(e->unit_memo);
    free(e->index_cand);
    free(e->place_best);
    free(e->place_second);
    for (size_t h = 0; h < e->n_hosts_ready; h++) {
        gv_host_use_fini(&e->use[h]);
        info_fini(&e->info[h]);
    }
    free(e->info);
    free(e->rank);
    free(e->use);
    gv_host_use_fini(&e->scratch);
    free(e->cpu_buf);
    gv_strv_free(e->groups, e->n_groups);
    gv_strv_free(e->datastores, e->n_datastores);
    gv_strv_free(e->host_pools, e->n_host_pools);
    free(e->heavy_per_datastore);
    gv_mix_fini(e);
    free(e);
}

/* ---- VMs by name ---- */

static uint64_t
name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* The index slot of @name (of hash @hash): where it is, or the empty slot where it would go. */
static size_t
vm_slot(const gv_engine *e, const char *name, uint64_t hash)
{
    size_t mask = e->vm_index_size - 1, i = hash & mask;

    for (; e->vm_index[i].vm >= 0; i = (i + 1) & mask)
        if (e->vm_index[i].hash == (uint32_t)hash &&
            !strcmp(e->vms[e->vm_index[i].vm].placement.vm, name))
            break;
    return i;
}

static gv_vm *
find_vm(const gv_engine *e, const char *name)
{
    int32_t v;

    if (!e->vm_index_size)
        return NULL;
    v = e->vm_index[vm_slot(e, name, name_hash(name))].vm;
    return v >= 0 ? &e->vms[v] : NULL;
}

static void
vm_index_put(gv_engine *e, size_t v)
{
    const char *name = e->vms[v].placement.vm;
    uint64_t hash = name_hash(name);
    size_t i = vm_slot(e, name, hash);

    e->vm_index[i].vm = (int32_t)v;
    e->vm_index[i].hash = (uint32_t)hash;
}

static void
vm_index_rebuild(gv_engine *e, size_t size)
{
    free(e->vm_index);
    e->vm_index_size = size;
    e->vm_index = gv_calloc(size, sizeof(*e->vm_index));
    for (size_t i = 0; i < size; i++)
        e->vm_index[i].vm = -1;
    for (size_t v = 0; v < e->n_vms; v++)
        if (e->vms[v].used)
            vm_index_put(e, v);
}

static void
vm_index_add(gv_engine *e, gv_vm *vm)
{
    if ((e->n_live + 1) * 2 > e->vm_index_size)
        vm_index_rebuild(e, e->vm_index_size ? e->vm_index_size * 2 : 64);
    vm_index_put(e, (size_t)(vm - e->vms));
}

/* Remove with backward-shift deletion, so lookups never need tombstones. */
static void
vm_index_remove(gv_engine *e, const char *name)
{
    size_t mask = e->vm_index_size - 1, i = vm_slot(e, name, name_hash(name)), j = i;

    if (e->vm_index[i].vm < 0)
        return;
    for (;;) {
        size_t k;

        e->vm_index[i].vm = -1;
        for (;;) {
            j = (j + 1) & mask;
            if (e->vm_index[j].vm < 0)
                return;
            k = e->vm_index[j].hash & mask;
            /* move j back to i unless its home k lies cyclically in (i, j] */
            if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
                continue;
            break;
        }
        e->vm_index[i] = e->vm_index[j];
        i = j;
    }
}

const gv_placement *
gv_engine_find_vm(const gv_engine *e, const char *name)
{
    gv_vm *vm = find_vm(e, name);

    return vm ? &vm->placement : NULL;
}

size_t
gv_engine_n_vms(const gv_engine *e)
{
    return e->n_live;
}

/* A VM record is 12 KiB, so a new slot is not zeroed first, as a reused one is not:
 * gv_commit (or gv_engine_restore) writes every field of the record but @used. */
gv_vm *
gv_engine_vm_new(gv_engine *e)
{
    gv_vm *vm;

    /* the name index holds slot numbers, so growing @vms does not disturb it */
    if (e->n_free_vms) {
        vm = &e->vms[e->free_vms[--e->n_free_vms]];
    } else {
        if (e->n_vms == e->vms_cap) {
            e->vms_cap = e->vms_cap ? 2 * e->vms_cap : 16;
            e->vms = gv_reallocarray(e->vms, e->vms_cap, sizeof(*e->vms));
        }
        vm = &e->vms[e->n_vms++];
    }
    vm->used = true;
    return vm;
}

/* ---- checking requests ---- */

/* Is there a GPU of model @name in the fleet? Reads the fleet's distinct models, gathered once
 * by gv_engine_new. */
static bool
fleet_has_model(const gv_engine *e, const char *name)
{
    for (size_t i = 0; i < e->n_fleet_models; i++)
        if (!strcasecmp(name, e->fleet_models[i].gpu->model))
            return true;
    return false;
}

/* Does a GPU model in the fleet that @a's request accepts have the unit it names? */
static bool
fleet_serves(const gv_engine *e, const gv_ask *a)
{
    for (size_t i = 0; i < e->n_fleet_models; i++)
        if (a->unit[i] >= 0)
            return true;
    return false;
}

/* gv_engine_check_request, resolving @r into @a on the way (decisions use it). */
static int
check_request(const gv_engine *e, const gv_request *r, gv_ask *a, gv_err *err)
{
    if (!r->name[0])
        return gv_err_set(err, GV_E_INVAL, NULL, "name: a VM needs a name");
    if (find_vm(e, r->name))
        return gv_err_set(err, GV_E_CONFLICT, NULL, "name: VM '%s' is already placed (on %s)",
                          r->name, find_vm(e, r->name)->placement.host);
    if (r->vcpus < 1 || r->vcpus > GV_REQ_MAX_VCPUS)
        return gv_err_set(err, GV_E_INVAL, NULL, "vcpus: %d is not in 1..%d", r->vcpus,
                          GV_REQ_MAX_VCPUS);
    if (r->memory_mib < 1 || r->memory_mib % (r->hugepages == GV_HUGEPAGES_1G   ? 1024
                                              : r->hugepages == GV_HUGEPAGES_2M ? 2
                                                                                : 1))
        return gv_err_set(err, GV_E_INVAL, NULL,
                          "memory_mib: %lld is not a positive multiple of the page size",
                          (long long)r->memory_mib);
    if (r->gpu.count < 0 || r->gpu.count > GV_REQ_MAX_GPUS || r->nic_vfs < 0 ||
        r->nic_vfs > GV_REQ_MAX_NIC_VFS)
        return gv_err_set(err, GV_E_INVAL, NULL, "gpu.count or nics.vfs out of range");
    if (r->cpu_milli < 0 || r->cpu_milli > (int64_t)r->vcpus * 1000 ||
        (r->cpu_milli && r->cpu_policy != GV_CPU_SHARED))
        return gv_err_set(err, GV_E_INVAL, NULL,
                          "cpu_milli: %lld is not in 1..%lld for shared vCPUs (0: a CPU per vCPU)",
                          (long long)r->cpu_milli, (long long)r->vcpus * 1000);
    if (r->gpu.count && r->gpu.mode == GV_GPU_MODE_SHARE &&
        (r->gpu.milli < 1 || r->gpu.milli > 1000))
        return gv_err_set(err, GV_E_INVAL, NULL, "gpu.milli: %d is not in 1..1000", r->gpu.milli);
    if (r->gpu.milli && (!r->gpu.count || r->gpu.mode != GV_GPU_MODE_SHARE))
        return gv_err_set(err, GV_E_INVAL, NULL, "gpu.milli: only for mode share");
    if (r->pool[0] && !gv_fleet_find_pool(e->fleet, r->pool)) {
        bool any = false; /* a pool hosts name without the fleet declaring it counts */
        for (size_t i = 0; i < e->n_host_pools && !any; i++)
            any = !strcmp(e->host_pools[i], r->pool);
        if (!any)
            return gv_err_set(err, GV_E_INVAL, NULL, "pool: '%s' is not a pool of this fleet",
                              r->pool);
    }
    gv_ask_init(e, r, a);
    if (!r->gpu.count)
        return 0;
    for (size_t i = 0; i < r->gpu.n_models; i++) {
        if (!fleet_has_model(e, r->gpu.models[i]))
            return gv_err_set(err, GV_E_INVAL, NULL,
                              "gpu.models[%zu]: no GPU of model '%s' in this fleet", i,
                              r->gpu.models[i]);
    }
    switch (r->gpu.mode) {
    case GV_GPU_MODE_MIG:
        if (!fleet_serves(e, a))
            return gv_err_set(err, GV_E_INVAL, NULL,
                              "gpu.profile: '%s' is not a MIG profile of any GPU model in this "
                              "fleet%s",
                              r->gpu.profile, r->gpu.n_models ? " (of the requested models)" : "");
        break;
    case GV_GPU_MODE_VGPU:
        if (!fleet_serves(e, a))
            return gv_err_set(err, GV_E_INVAL, NULL,
                              "gpu.type: '%s' is not a vGPU type of any GPU model in this fleet%s",
                              r->gpu.vgpu_type,
                              r->gpu.n_models ? " (of the requested models)" : "");
        break;
    case GV_GPU_MODE_SRIOV:
        if (!fleet_serves(e, a))
            return gv_err_set(err, GV_E_INVAL, NULL,
                              "gpu.mode: no GPU model in this fleet hands SR-IOV VFs to VMs%s",
                              r->gpu.n_models ? " (of the requested models)" : "");
        break;
    default:
        break;
    }
    return 0;
}

int
gv_engine_check_request(const gv_engine *e, const gv_request *r, gv_err *err)
{
    gv_ask a;

    return check_request(e, r, &a, err);
}

/* ---- deciding ---- */

static bool
better_host(const gv_engine *e, const gv_candidate *a, const gv_candidate *b)
{
    if (a->score.total != b->score.total)
        return a->score.total > b->score.total;
    return e->rank[a->host] < e->rank[b->host];
}

/* The reference: every host, every GPU set, no caches. */
static bool
decide_reference(gv_engine *e, const gv_ask *a, gv_candidate *best, gv_candidate *second,
                 gv_explain *x)
{
    bool have = false, have2 = false, random = e->cfg.policy == GV_POLICY_RANDOM;
    GV_AUTOFREE gv_candidate *c = GV_NEW0(gv_candidate);
    /* random: the draw picks among the feasible hosts in fleet order */
    GV_AUTOFREE gv_candidate *all = random ? gv_calloc(e->fleet->n_hosts + 1, sizeof(*all)) : NULL;
    size_t n = 0;

    for (size_t h = 0; h < e->fleet->n_hosts; h++) {
        gv_eval_host(e, h, a, GV_EVAL_REFERENCE | GV_EVAL_DETAIL, c);
        x->n_hosts++;
        if (!c->feasible) {
            gv_explain_add(x, e, c);
            continue;
        }
        x->n_feasible++;
        if (random) {
            all[n++] = *c;
        } else if (!have || better_host(e, c, best)) {
            if (have) {
                *second = *best;
                have2 = true;
            }
            *best = *c;
            have = true;
        } else if (!have2 || better_host(e, c, second)) {
            *second = *c;
            have2 = true;
        }
    }
    if (random && n) {
        *best = all[gv_policy_pick(e, n)];
        have = true;
    }
    x->has_runner_up = have2;
    return have;
}

static void
datastore_changed(gv_engine *e, int ds, int before)
{
    int limit = e->cfg.io_heavy_per_datastore;

    if (ds < 0 || (before >= limit) == (e->heavy_per_datastore[ds] >= limit))
        return;
    for (size_t h = 0; h < e->fleet->n_hosts; h++)
        if (e->info[h].datastore == ds)
            gv_index_host_changed(e, h);
}

int
gv_engine_place(gv_engine *e, const gv_request *r, unsigned flags, gv_place_result *ret,
                gv_err *err)
{
    gv_candidate *best = e->place_best, *second = e->place_second;
    gv_ask ask;
    bool found;
    int r_check;

    /* the placement (10 KiB) is zeroed only when no placement is copied into it */
    ret->placed = false;
    memset(&ret->explain, 0, sizeof(ret->explain));
    if ((r_check = check_request(e, r, &ask, err)) < 0) {
        memset(&ret->placement, 0, sizeof(ret->placement));
        return r_check;
    }
    ask.reference = (flags & GV_PLACE_REFERENCE) != 0;
    if (e->cfg.policy == GV_POLICY_RANDOM)
        e->policy_draw = gv_hash_word(e->cfg.policy_seed ^ GV_HASH_SEED, ++e->n_draws);
    if (flags & GV_PLACE_REFERENCE)
        found = decide_reference(e, &ask, best, second, &ret->explain);
    else
        found =
            gv_index_decide(e, &ask, (flags & GV_PLACE_EXPLAIN) != 0, best, second, &ret->explain);
    gv_explain_finish(&ret->explain);
    if (ret->explain.has_runner_up) {
        snprintf(ret->explain.runner_up, sizeof(ret->explain.runner_up), "%s",
                 e->info[second->host].host->name);
        ret->explain.runner_up_score = second->score;
    }
    if (!(flags & GV_PLACE_DRY_RUN))
        gv_mix_observe(e, r);
    if (!found) {
        memset(&ret->placement, 0, sizeof(ret->placement));
        return 0;
    }
    ret->placed = true;
    if (flags & GV_PLACE_DRY_RUN) {
        /* the concrete resources come from committing; uncommit restores the host byte for
         * byte (place.h invariant 4), so the indexes' verdicts stay valid */
        gv_vm tmp = {0};
        gv_commit(e, &tmp, r, best);
        gv_placement_copy(&ret->placement, &tmp.placement);
        gv_uncommit(e, &tmp);
        gv_placement_clear(&tmp.placement);
        return 1;
    }
    {
        gv_vm *vm = gv_engine_vm_new(e);

        gv_commit(e, vm, r, best);
        gv_engine_vm_added(e, vm);
        gv_placement_copy(&ret->placement, &vm->placement);
    }
    return 1;
}

void
gv_engine_vm_added(gv_engine *e, gv_vm *vm)
{
    size_t h = (size_t)vm->placement.host_index;
    int ds = e->info[h].datastore;

    vm_index_add(e, vm);
    e->n_live++;
    gv_index_host_changed(e, h);
    /* the VM is counted in already: its datastore had one io-heavy VM fewer before */
    if (vm->placement.request.io == GV_IO_HEAVY && ds >= 0)
        datastore_changed(e, ds, e->heavy_per_datastore[ds] - 1);
}

int
gv_engine_release(gv_engine *e, const char *name, gv_err *err)
{
    gv_vm *vm = find_vm(e, name);
    size_t h;
    int ds, before;
    bool heavy;

    if (!vm)
        return gv_err_set(err, GV_E_NOTFOUND, NULL, "release: no VM named '%s' is placed", name);
    h = (size_t)vm->placement.host_index;
    ds = e->info[h].datastore;
    before = ds >= 0 ? e->heavy_per_datastore[ds] : 0;
    heavy = vm->placement.request.io == GV_IO_HEAVY;
    vm_index_remove(e, name);
    gv_uncommit(e, vm);
    gv_placement_clear(&vm->placement);
    vm->used = false; /* uncommit freed what else it owned */
    *GV_ARRAY_APPEND(e->free_vms, e->n_free_vms) = (size_t)(vm - e->vms);
    e->n_live--;
    gv_index_host_changed(e, h);
    if (heavy)
        datastore_changed(e, ds, before);
    return 0;
}

/* The fleet is borrowed read-only but for this: its hosts are reached through pointers the
 * const fleet does not make const, and the verdicts the state fixed are evaluated again. */
int
gv_engine_set_host_state(gv_engine *e, const char *host, gv_host_state state, gv_err *err)
{
    long h = host ? gv_fleet_host_index(e->fleet, host) : -1;
    gv_host *hp;

    if (h < 0)
        return gv_err_set(err, GV_E_NOTFOUND, NULL, "host: no host named '%s'", host ? host : "");
    hp = e->fleet->hosts[h];
    if ((unsigned)state >= GV_HOST_STATE_LAST)
        return gv_err_set(err, GV_E_INVAL, hp->name, "state: %d is not a host state", (int)state);
    if (hp->state == state)
        return 0;
    hp->state = state;
    gv_index_host_refresh(e, (size_t)h);
    return 0;
}

/* ---- whole-state checks ---- */

char *
gv_engine_state_dump(const gv_engine *e)
{
    gv_strbuf sb = {0};

    for (size_t h = 0; h < e->fleet->n_hosts; h++)
        gv_host_use_dump(e, h, &sb);
    for (size_t d = 0; d < e->n_datastores; d++)
        gv_strbuf_printf(&sb, "datastore %s heavy %d\n", e->datastores[d],
                         e->heavy_per_datastore[d]);
    return gv_strbuf_steal(&sb);
}

double
gv_engine_gpu_utilization(const gv_engine *e)
{
    return e->gpu_milli_total
               ? (double)(e->gpu_milli_total - e->gpu_milli_free) / (double)e->gpu_milli_total
               : 0;
}

size_t
gv_engine_memory_bytes(const gv_engine *e)
{
    size_t n = sizeof(*e) +
               e->fleet->n_hosts * (sizeof(gv_host_info) + sizeof(int32_t) + sizeof(gv_host_use));

    for (size_t h = 0; h < e->fleet->n_hosts; h++) {
        const gv_host *host = e->info[h].host;
        size_t ng = host->n_gpus;
        n += ng * (sizeof(void *) + 2 * sizeof(int) + ng + host->n_nics + host->n_nvme +
                   2 * sizeof(gv_gpu_use) + 1 + sizeof(gv_gpu_answer) + sizeof(gv_gpu_ref));
        n += host->n_numa * (sizeof(gv_numa_info) + sizeof(gv_numa_use));
        n += host->n_nics * (sizeof(int) + sizeof(gv_nic_use)) + host->n_nvme * 16;
        n +=
            (size_t)e->info[h].cpu_words * (16 + 8 * host->n_numa) + (size_t)e->info[h].max_cpu * 2;
        n += e->use[h].n_groups * sizeof(gv_group_count);
    }
    n += e->n_vms * sizeof(gv_vm) + e->fleet->n_hosts * sizeof(gv_frag_memo);
    n += gv_gpu_memo_bytes();
    n += gv_mix_memory_bytes(e);
    n += gv_index_memory_bytes(e);
    return n;
}
