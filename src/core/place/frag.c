/*
 * frag.c - GPU fragmentation as the FGD paper measures it (Weng et al., USENIX ATC'23; method
 * in shared/reference/fgd-method.md §4), generalised from fractional GPUs to MIG geometry,
 * vGPU types and GPU VFs, and the expected workload mix it is measured against.
 *
 * Free capacity of a GPU, in milli-GPUs: a free whole GPU 1000; a MIG GPU its memory slices
 * not held by a VM (idle instances count as free); a vGPU GPU its framebuffer not held; an
 * SR-IOV GPU its free VFs' share. For one mix shape m, a host's fragment F(m) is all its free
 * GPU capacity when the host cannot take m at all (too few GPUs able to give m's unit, too
 * little free CPU or memory in total, or m needs no GPU), else the free capacity of the GPUs
 * that cannot give m's unit. F(M) is the weighted sum over the mix. "Able to give a unit" is
 * gv_gpu_unit itself, so MIG start rules, vGPU mode rules and reconfiguration all count. The
 * fast path reads each GPU's free capacity and the mix entries it can serve from gpu_memo.c and
 * keeps them per host with its F(M), so F(M) after a candidate re-reads only the GPUs it takes;
 * the reference computes everything afresh.
 *
 * The mix it is measured against, configured or learned, is mix.c's.
 */
#include <string.h>

#include "engine.h"

/* What the room test reads of a host: its NUMA nodes' free CPU and memory, summed once for
 * every mix shape. */
typedef struct host_room {
    int64_t threads; /* free threads (dedicated) */
    int64_t shared;  /* shared milli-CPUs room */
    int64_t mem_mib, hp2m_mib, hp1g_mib;
} host_room;

static void
room_of(const gv_engine *e, size_t h, const gv_host_use *u, host_room *ret)
{
    const gv_host_info *hi = &e->info[h];

    memset(ret, 0, sizeof(*ret));
    for (size_t i = 0; i < hi->host->n_numa; i++) {
        const gv_numa_use *n = &u->numa[i];

        ret->threads += n->free_threads;
        ret->shared += gv_numa_shared_room(hi, n);
        ret->hp2m_mib += n->hp2m_free * 2;
        ret->hp1g_mib += n->hp1g_free * 1024;
        ret->mem_mib += n->mem_free_mib;
    }
}

/* What mix shape @m needs of a host's room (mix.c keeps one per shape). */
void
gv_mix_need_of(const gv_request *m, gv_mix_need *ret)
{
    ret->gpu_count = m->gpu.count;
    ret->dedicated = m->cpu_policy == GV_CPU_DEDICATED;
    ret->hugepages = m->hugepages;
    ret->cpu = ret->dedicated ? m->vcpus : gv_request_cpu_milli(m);
    ret->memory_mib = m->memory_mib;
}

/* Has a host with @room enough free CPU and memory in total for a shape that needs @n? */
static bool
room_fits(const host_room *room, const gv_mix_need *n)
{
    int64_t mem = n->hugepages == GV_HUGEPAGES_2M   ? room->hp2m_mib
                  : n->hugepages == GV_HUGEPAGES_1G ? room->hp1g_mib
                                                    : room->mem_mib;

    return (n->dedicated ? room->threads : room->shared) >= n->cpu && mem >= n->memory_mib;
}

static bool
host_has_room(const gv_engine *e, size_t h, const gv_host_use *u, const gv_request *m)
{
    host_room room;
    gv_mix_need n;

    room_of(e, h, u, &room);
    gv_mix_need_of(m, &n);
    return room_fits(&room, &n);
}

/* F(m) for one shape, milli-GPUs, computed afresh (the reference). */
static int64_t
frag_one(const gv_engine *e, size_t h, const gv_host_use *u, const gv_ask *a,
         const int64_t *free_milli, int64_t total_free)
{
    const gv_request *m = a->r;
    const gv_host *host = e->info[h].host;
    int64_t unusable = 0;
    int able = 0;

    if (m->gpu.count == 0 || !host_has_room(e, h, u, m))
        return total_free;
    for (size_t g = 0; g < host->n_gpus; g++) {
        if (!free_milli[g])
            continue;
        if (gv_gpu_unit(e, h, (int)g, &u->gpus[g], a, false, NULL))
            able++;
        else
            unusable += free_milli[g];
    }
    return able >= m->gpu.count ? unusable : total_free;
}

static int64_t
frag_host_reference(const gv_engine *e, size_t h, const gv_host_use *u)
{
    const gv_host_info *hi = &e->info[h];
    int64_t free_milli[GV_HOST_MAX_GPUS], total = 0, f = 0;

    for (size_t g = 0; g < hi->host->n_gpus; g++)
        total += free_milli[g] = gv_gpu_free_milli(hi, (int)g, &u->gpus[g]);
    if (!total)
        return 0;
    for (size_t i = 0; i < e->n_mix; i++)
        f += e->mix_w[i] * frag_one(e, h, u, &e->mix_ask[i], free_milli, total);
    return f / GV_MIX_W_SCALE;
}

/*
 * F(M) from each GPU's free capacity and the mix entries it can serve (the per-GPU memo). A
 * GPU with nothing free adds nothing either way, and GPUs with the same answer add alike, so
 * the mix is run over the distinct answers of the GPUs with capacity (on most hosts one to
 * three), each counted as often as it occurs; the host's room is summed once.
 */
static int64_t
frag_of_answers(const gv_engine *e, size_t h, const gv_host_use *u, const gv_gpu_answer *ans)
{
    size_t n = e->info[h].host->n_gpus;
    gv_gpu_answer kind[GV_HOST_MAX_GPUS];
    int count[GV_HOST_MAX_GPUS], n_kinds = 0;
    int64_t total = 0, f = 0;
    host_room room;

    for (size_t g = 0; g < n; g++) {
        int k;

        if (!ans[g].free_milli)
            continue;
        total += ans[g].free_milli;
        for (k = 0; k < n_kinds; k++)
            if (kind[k].free_milli == ans[g].free_milli && kind[k].able == ans[g].able)
                break;
        if (k == n_kinds) {
            kind[n_kinds] = ans[g];
            count[n_kinds++] = 0;
        }
        count[k]++;
    }
    if (!total)
        return 0;
    room_of(e, h, u, &room);
    for (size_t i = 0; i < e->n_mix; i++) {
        const gv_mix_need *need = &e->mix_need[i];
        int64_t unusable = 0;
        int n_able = 0;

        if (need->gpu_count == 0 || !room_fits(&room, need)) {
            f += e->mix_w[i] * total;
            continue;
        }
        for (int k = 0; k < n_kinds; k++) {
            if (kind[k].able >> i & 1)
                n_able += count[k];
            else
                unusable += (int64_t)count[k] * kind[k].free_milli;
        }
        f += e->mix_w[i] * (n_able >= need->gpu_count ? unusable : total);
    }
    return f / GV_MIX_W_SCALE;
}

static void
answer_of(const gv_engine *e, size_t h, int g, const gv_gpu_use *gu, gv_gpu_answer *a)
{
    const gv_gpu_memo *m = gv_gpu_memo_get(e, h, g, gu);

    a->free_milli = m->free_milli;
    a->able = m->able;
}

/* The fast path's memo of host @h as it is now, brought up to date. */
static const gv_frag_memo *
memo_now(const gv_engine *e, size_t h)
{
    /* a cache of derived values is the one thing the const engine may update */
    gv_frag_memo *m = &((gv_engine *)e)->frag_memo[h];
    const gv_host_use *u = &e->use[h];

    if (!m->valid || m->version != u->version || m->mix_version != e->mix_version) {
        for (size_t g = 0; g < e->info[h].host->n_gpus; g++)
            answer_of(e, h, (int)g, &u->gpus[g], &m->gpus[g]);
        m->value = frag_of_answers(e, h, u, m->gpus);
        m->version = u->version;
        m->mix_version = e->mix_version;
        m->valid = true;
    }
    return m;
}

const gv_gpu_answer *
gv_frag_answers_now(const gv_engine *e, size_t h)
{
    return memo_now(e, h)->gpus;
}

int64_t
gv_frag_host_now(const gv_engine *e, size_t h, bool reference)
{
    if (reference || !e->n_mix)
        return frag_host_reference(e, h, &e->use[h]);
    return memo_now(e, h)->value;
}

int64_t
gv_frag_host_after(const gv_engine *e, size_t h, const gv_host_use *after, const gv_candidate *c,
                   bool reference, const gv_gpu_answer *picked)
{
    gv_gpu_answer ans[GV_HOST_MAX_GPUS];
    const gv_frag_memo *m;

    if (reference || !e->n_mix)
        return frag_host_reference(e, h, after);
    /* only the GPUs the candidate takes units of differ from the host as it is; with @picked,
     * @after's GPUs are not read (the fast path does not apply the candidate to them) */
    m = memo_now(e, h);
    memcpy(ans, m->gpus, e->info[h].host->n_gpus * sizeof(ans[0]));
    for (int k = 0; k < c->n_picks; k++) {
        int g = c->picks[k].gpu;

        if (picked)
            ans[g] = picked[g];
        else
            answer_of(e, h, g, &after->gpus[g], &ans[g]);
    }
    return frag_of_answers(e, h, after, ans);
}

int64_t
gv_frag_gpu(const gv_engine *e, size_t h, int g, const gv_gpu_use *gu, bool reference)
{
    int64_t free_milli, f = 0;

    if (!e->n_mix)
        return 0;
    if (!reference) {
        const gv_gpu_memo *m = gv_gpu_memo_get(e, h, g, gu);
        return (int64_t)m->free_milli * m->unable_w / GV_MIX_W_SCALE;
    }
    if (!(free_milli = gv_gpu_free_milli(&e->info[h], g, gu)))
        return 0;
    for (size_t i = 0; i < e->n_mix; i++)
        if (e->mix[i].shape.gpu.count == 0 ||
            !gv_gpu_unit(e, h, g, gu, &e->mix_ask[i], false, NULL))
            f += e->mix_w[i] * free_milli;
    return f / GV_MIX_W_SCALE;
}
