/*
 * host_use.c - a host's allocation state (gv_host_use): its initial value from the fleet, copies
 * for trying candidates, per-NUMA recounts, free GPU capacity, and the canonical dump that tests
 * compare before placing and after releasing.
 */
#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "util/strbuf.h"

bool
gv_cpu_is_free(const gv_host_info *hi, const gv_host_use *u, int cpu)
{
    uint64_t bit = UINT64_C(1) << (cpu & 63);

    if (cpu < 0 || cpu >= hi->max_cpu)
        return false;
    return !(hi->reserved[cpu >> 6] & bit) && !(u->pinned[cpu >> 6] & bit);
}

void
gv_host_use_recount_numa(const gv_host_info *hi, gv_host_use *u, int numa_idx)
{
    const gv_numa_info *ni = &hi->numa[numa_idx];
    gv_numa_use *nu = &u->numa[numa_idx];

    nu->free_threads = 0;
    nu->free_cores = 0;
    for (size_t c = 0; c < ni->n_cores; c++) {
        const gv_core *core = &ni->cores[c];
        int nfree = 0;

        for (int t = 0; t < core->n_threads; t++)
            nfree += gv_cpu_is_free(hi, u, core->threads[t]);
        nu->free_threads += nfree;
        nu->free_cores += nfree == core->n_threads;
    }
}

void
gv_gpu_use_blank(gv_gpu_use *g, gv_gpu_mode mode)
{
    memset(g, 0, sizeof(*g));
    g->mode = (int8_t)mode;
    g->vgpu_type = -1;
    memset(g->slot_type, -1, sizeof(g->slot_type));
}

static void
gpu_use_init(const gv_gpu *gpu, const gv_gpu_model *m, gv_gpu_use *g)
{
    gv_gpu_use_blank(g, gpu->mode);
    if (gpu->mode == GV_GPU_MODE_MIG && m && m->mig) {
        for (int i = 0; i < gpu->n_instances && i < GV_GPU_MAX_INSTANCES; i++) {
            g->inst[i].profile = gv_mig_find_profile(m, gpu->instances[i].profile);
            g->inst[i].start = gpu->instances[i].start;
        }
        g->n_inst = (uint8_t)gpu->n_instances;
    }
    if (gpu->mode == GV_GPU_MODE_VGPU && m && m->vgpu) {
        g->vgpu_type = (int8_t)(gpu->vgpu_type[0] ? gv_vgpu_find_type(m, gpu->vgpu_type) : -1);
        g->vgpu_mixed = !gpu->vgpu_type[0] && m->vgpu->mixed_size;
    }
}

void
gv_host_use_init(const gv_engine *e, size_t h, gv_host_use *u)
{
    const gv_host_info *hi = &e->info[h];
    const gv_host *host = hi->host;

    memset(u, 0, sizeof(*u));
    u->numa = gv_calloc(host->n_numa ? host->n_numa : 1, sizeof(*u->numa));
    u->gpus = gv_calloc(host->n_gpus ? host->n_gpus : 1, sizeof(*u->gpus));
    u->nics = gv_calloc(host->n_nics ? host->n_nics : 1, sizeof(*u->nics));
    u->nvme_free = gv_calloc(host->n_nvme ? host->n_nvme : 1, sizeof(*u->nvme_free));
    u->pinned = gv_calloc((size_t)hi->cpu_words ? (size_t)hi->cpu_words : 1, sizeof(uint64_t));
    u->prior = gv_calloc(host->n_gpus ? host->n_gpus : 1, sizeof(*u->prior));
    u->has_prior = gv_calloc(host->n_gpus ? host->n_gpus : 1, sizeof(*u->has_prior));

    for (size_t i = 0; i < host->n_numa; i++) {
        const gv_numa *n = &host->numa[i];
        gv_numa_use *nu = &u->numa[i];
        int64_t hp2 = n->hugepages_2m > 0 ? n->hugepages_2m : 0;
        int64_t hp1 = n->hugepages_1g > 0 ? n->hugepages_1g : 0;
        int64_t mem = n->memory_mib > 0 ? n->memory_mib : 0;

        nu->hp2m_free = hp2;
        nu->hp1g_free = hp1;
        nu->mem_free_mib = mem - hp2 * 2 - hp1 * 1024;
        if (nu->mem_free_mib < 0)
            nu->mem_free_mib = 0;
        gv_host_use_recount_numa(hi, u, (int)i);
    }
    for (size_t g = 0; g < host->n_gpus; g++)
        gpu_use_init(&host->gpus[g], hi->models[g], &u->gpus[g]);
    for (size_t i = 0; i < host->n_nics; i++)
        u->nics[i].free_vfs =
            host->nics[i].sriov_vfs < GV_NIC_MAX_VFS ? host->nics[i].sriov_vfs : GV_NIC_MAX_VFS;
    for (size_t i = 0; i < host->n_nvme; i++)
        u->nvme_free[i] = host->nvme[i].capacity_gib > 0 ? host->nvme[i].capacity_gib : 0;
}

void
gv_host_use_fini(gv_host_use *u)
{
    if (!u)
        return;
    free(u->numa);
    free(u->gpus);
    free(u->nics);
    free(u->nvme_free);
    free(u->pinned);
    free(u->groups);
    free(u->prior);
    free(u->has_prior);
    memset(u, 0, sizeof(*u));
}

/* @dst must have been initialised for the same host (its arrays are reused). Groups are not
 * copied: candidates never look at them. */
void
gv_host_use_copy(const gv_host_info *hi, gv_host_use *dst, const gv_host_use *src)
{
    const gv_host *host = hi->host;

    memcpy(dst->numa, src->numa, host->n_numa * sizeof(*src->numa));
    memcpy(dst->gpus, src->gpus, host->n_gpus * sizeof(*src->gpus));
    memcpy(dst->nics, src->nics, host->n_nics * sizeof(*src->nics));
    memcpy(dst->nvme_free, src->nvme_free, host->n_nvme * sizeof(*src->nvme_free));
    memcpy(dst->pinned, src->pinned, (size_t)hi->cpu_words * sizeof(uint64_t));
    dst->n_vms = src->n_vms;
    memcpy(dst->class_count, src->class_count, sizeof(src->class_count));
    memcpy(dst->tag_count, src->tag_count, sizeof(src->tag_count));
    dst->version = src->version;
}

void
gv_shared_milli_split(const gv_request *r, const gv_numa_take *take, size_t n, int64_t *ret)
{
    int64_t m = gv_request_cpu_milli(r), done = 0, before = 0;

    for (size_t i = 0; i < n; i++) {
        int64_t upto;

        done += take[i].vcpus;
        upto = r->vcpus ? done * m / r->vcpus : 0;
        ret[i] = upto - before;
        before = upto;
    }
}

int64_t
gv_gpu_free_milli(const gv_host_info *hi, int gi, const gv_gpu_use *g)
{
    const gv_gpu_model *m = hi->models[gi];

    switch ((gv_gpu_mode)g->mode) {
    case GV_GPU_MODE_PASSTHROUGH:
        return g->taken ? 0 : 1000;
    case GV_GPU_MODE_MIG: {
        uint32_t used = 0;
        int slices = m && m->mig ? m->mig->memory_slices : 8;

        for (int i = 0; i < g->n_inst; i++)
            if (g->inst_used & (1u << i))
                used |=
                    gv_mig_placement_mask(&m->mig->profiles[g->inst[i].profile], g->inst[i].start);
        return 1000 * (slices - __builtin_popcount(used)) / slices;
    }
    case GV_GPU_MODE_VGPU: {
        int64_t fb = 0;

        if (!g->vgpu_used || !m || !m->vgpu || m->memory_mib <= 0)
            return g->vgpu_used ? 0 : 1000;
        for (int s = 0; s < GV_VGPU_SLOTS; s++)
            if (g->vgpu_used & (UINT64_C(1) << s))
                fb += m->vgpu->types[g->slot_type[s]].framebuffer_mib;
        return fb >= m->memory_mib ? 0 : 1000 * (m->memory_mib - fb) / m->memory_mib;
    }
    case GV_GPU_MODE_SRIOV: {
        int total = hi->gpu_vfs[gi];

        return total > 0 ? 1000 * (total - __builtin_popcountll(g->vf_used)) / total : 0;
    }
    case GV_GPU_MODE_SHARE:
        return 1000 - g->used_milli;
    default:
        return 0;
    }
}

static void
dump_bits(gv_strbuf *sb, const uint64_t *words, int n_words)
{
    for (int w = 0; w < n_words; w++)
        gv_strbuf_printf(sb, "%016llx", (unsigned long long)words[w]);
}

void
gv_host_use_dump(const gv_engine *e, size_t h, gv_strbuf *sb)
{
    const gv_host_info *hi = &e->info[h];
    const gv_host *host = hi->host;
    const gv_host_use *u = &e->use[h];

    gv_strbuf_printf(sb, "host %s vms %d classes", host->name, u->n_vms);
    for (int c = 0; c < GV_CLASS_LAST; c++)
        gv_strbuf_printf(sb, " %d", u->class_count[c]);
    gv_strbuf_append(sb, " tags");
    for (int t = 0; t <= GV_REQ_MAX_GPUS; t++)
        gv_strbuf_printf(sb, " %d", u->tag_count[t]);
    gv_strbuf_append(sb, "\n  pinned ");
    dump_bits(sb, u->pinned, hi->cpu_words);
    gv_strbuf_append(sb, "\n");
    for (size_t i = 0; i < host->n_numa; i++) {
        const gv_numa_use *n = &u->numa[i];
        gv_strbuf_printf(sb, "  numa %d threads %d cores %d shared %lld mem %lld 2m %lld 1g %lld\n",
                         host->numa[i].id, n->free_threads, n->free_cores,
                         (long long)n->shared_milli, (long long)n->mem_free_mib,
                         (long long)n->hp2m_free, (long long)n->hp1g_free);
    }
    for (size_t g = 0; g < host->n_gpus; g++) {
        const gv_gpu_use *gu = &u->gpus[g];
        gv_strbuf_printf(sb, "  gpu %s mode %d type %d mixed %d taken %d alloc %d inst",
                         host->gpus[g].pci, gu->mode, gu->vgpu_type, gu->vgpu_mixed, gu->taken,
                         gu->n_alloc);
        for (int i = 0; i < gu->n_inst; i++)
            gv_strbuf_printf(sb, " %d@%d%s", gu->inst[i].profile, gu->inst[i].start,
                             gu->inst_used & (1u << i) ? "*" : "");
        gv_strbuf_printf(sb, " vgpu %016llx", (unsigned long long)gu->vgpu_used);
        for (int s = 0; s < GV_VGPU_SLOTS; s++)
            if (gu->vgpu_used & (UINT64_C(1) << s))
                gv_strbuf_printf(sb, " %d:%d", s, gu->slot_type[s]);
        gv_strbuf_printf(sb, " vf %016llx milli %d\n", (unsigned long long)gu->vf_used,
                         gu->used_milli);
    }
    for (size_t i = 0; i < host->n_nics; i++) {
        gv_strbuf_printf(sb, "  nic %s free %d ", host->nics[i].pci, u->nics[i].free_vfs);
        dump_bits(sb, u->nics[i].vf_used, GV_NIC_MAX_VFS / 64);
        gv_strbuf_append(sb, "\n");
    }
    for (size_t i = 0; i < host->n_nvme; i++)
        gv_strbuf_printf(sb, "  nvme %s free %lld\n", host->nvme[i].pci,
                         (long long)u->nvme_free[i]);
    /* by name: the order groups arrived in is history, not state (a restored engine differs) */
    for (const char *last = NULL;;) {
        const gv_group_count *next = NULL;

        for (size_t i = 0; i < u->n_groups; i++) {
            const char *name = e->groups[u->groups[i].group];
            if ((!last || strcmp(name, last) > 0) &&
                (!next || strcmp(name, e->groups[next->group]) < 0))
                next = &u->groups[i];
        }
        if (!next)
            break;
        last = e->groups[next->group];
        gv_strbuf_printf(sb, "  group %s %d\n", last, next->count);
    }
}
