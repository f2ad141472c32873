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
 * The mix is either configured or learned: every request's shape enters a ring of the last
 * mix_window requests, and every mix_epoch requests the most frequent shapes covering 95% of
 * the ring are learned (FGD's "typical pods"). Before the first epoch the mix is a prior: one
 * unit of every kind of GPU capacity the fleet has. A learned mix replaces the one in use only
 * when the two differ by more than sampling noise explains: their total variation distance
 * (half the sum of the weight differences) must reach mix_change and three times the distance
 * two samples of the window's size from one steady workload show on average,
 * 1/2 sum_i sqrt(2 p_i (1 - p_i) / n) sqrt(2/pi). A new mix changes every host's score under
 * the policies whose totals read it (gpuvm, fgd), so the fast path's indexes are rebuilt: noise
 * is not worth that (the study's other policies keep theirs, gv_index_mix_changed).
 */
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

/* What the fragmentation measure reads of @r. */
static void
sample_of(const gv_request *r, gv_mix_sample *s)
{
    s->vcpus = r->vcpus;
    s->cpu_milli = r->cpu_milli;
    s->hugepages = r->hugepages;
    s->cpu_policy = r->cpu_policy;
    s->memory_mib = r->memory_mib;
    s->gpu = r->gpu;
}

static bool
sample_eq(const gv_mix_sample *a, const gv_mix_sample *b)
{
    return a->vcpus == b->vcpus && a->cpu_milli == b->cpu_milli && a->memory_mib == b->memory_mib &&
           a->hugepages == b->hugepages && a->cpu_policy == b->cpu_policy &&
           !memcmp(&a->gpu, &b->gpu, sizeof(a->gpu));
}

/* Do @a and @b ask for the same thing (everything the fragmentation measure reads)? */
static bool
shape_eq(const gv_request *a, const gv_request *b)
{
    gv_mix_sample sa, sb;

    sample_of(a, &sa);
    sample_of(b, &sb);
    return sample_eq(&sa, &sb);
}

/* The shape a sample stands for: the request defaults but for what the sample keeps. */
static void
shape_of_sample(const gv_mix_sample *s, gv_request *r)
{
    gv_request_init(r);
    r->vcpus = s->vcpus;
    r->cpu_milli = s->cpu_milli;
    r->memory_mib = s->memory_mib;
    r->hugepages = s->hugepages;
    r->cpu_policy = s->cpu_policy;
    r->gpu = s->gpu;
}

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

static void
need_of(const gv_request *m, gv_mix_need *ret)
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
    need_of(m, &n);
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

/* ---- the mix ---- */

/* Weights of @mix in parts per GV_MIX_W_SCALE, rounded. */
static void
mix_weights(const gv_mix_entry *mix, size_t n, int *w)
{
    double sum = 0;

    for (size_t i = 0; i < n; i++)
        sum += mix[i].weight;
    for (size_t i = 0; i < n; i++)
        w[i] = sum > 0 ? (int)(GV_MIX_W_SCALE * mix[i].weight / sum + 0.5) : 0;
}

static void
mix_set_weights(gv_engine *e)
{
    mix_weights(e->mix, e->n_mix, e->mix_w);
    for (size_t i = 0; i < e->n_mix; i++) {
        gv_ask_init(e, &e->mix[i].shape, &e->mix_ask[i]);
        need_of(&e->mix[i].shape, &e->mix_need[i]);
    }
    e->mix_version++;
}

static void
mix_add_to(gv_mix_entry *mix, size_t *n, const gv_request *shape, double weight)
{
    for (size_t i = 0; i < *n; i++) {
        if (shape_eq(&mix[i].shape, shape)) {
            mix[i].weight += weight;
            return;
        }
    }
    if (*n >= GV_MIX_MAX)
        return;
    mix[*n].shape = *shape;
    mix[*n].weight = weight;
    (*n)++;
}

static void
mix_add(gv_engine *e, const gv_request *shape, double weight)
{
    mix_add_to(e->mix, &e->n_mix, shape, weight);
}

/* Total variation distance, per mille, between the mix in use and @mix with weights @w. */
static int
mix_distance(const gv_engine *e, const gv_mix_entry *mix, const int *w, size_t n)
{
    int sum = 0;
    bool matched[GV_MIX_MAX] = {false};

    for (size_t i = 0; i < n; i++) {
        int q = 0;
        for (size_t j = 0; j < e->n_mix; j++) {
            if (!matched[j] && shape_eq(&e->mix[j].shape, &mix[i].shape)) {
                matched[j] = true;
                q = e->mix_w[j];
                break;
            }
        }
        sum += w[i] > q ? w[i] - q : q - w[i];
    }
    for (size_t j = 0; j < e->n_mix; j++)
        if (!matched[j])
            sum += e->mix_w[j];
    return sum / 2 / (GV_MIX_W_SCALE / 1000);
}

void
gv_mix_prior(gv_engine *e)
{
    e->n_mix = 0;
    if (e->cfg.n_mix) {
        for (size_t i = 0; i < e->cfg.n_mix; i++)
            mix_add(e, &e->cfg.mix[i].shape, e->cfg.mix[i].weight);
        mix_set_weights(e);
        return;
    }
    for (size_t h = 0; h < e->fleet->n_hosts; h++) {
        const gv_host_info *hi = &e->info[h];

        for (size_t g = 0; g < hi->host->n_gpus; g++) {
            const gv_gpu *gpu = &hi->host->gpus[g];
            const gv_gpu_model *m = hi->models[g];
            gv_request s;

            gv_request_init(&s);
            s.cpu_policy = GV_CPU_SHARED;
            s.memory_mib = 1;
            s.gpu.count = 1;
            s.gpu.mode = gpu->mode;
            switch (gpu->mode) {
            case GV_GPU_MODE_MIG:
                if (!m || !m->mig)
                    continue;
                for (size_t p = 0; p < m->mig->n_profiles; p++) {
                    if (m->mig->profiles[p].media_ext)
                        continue;
                    snprintf(s.gpu.profile, sizeof(s.gpu.profile), "%s", m->mig->profiles[p].name);
                    mix_add(e, &s, 1);
                }
                continue;
            case GV_GPU_MODE_VGPU:
                if (!m || !m->vgpu || !m->vgpu->n_types)
                    continue;
                snprintf(s.gpu.vgpu_type, sizeof(s.gpu.vgpu_type), "%s",
                         gpu->vgpu_type[0] ? gpu->vgpu_type
                                           : m->vgpu->types[m->vgpu->n_types / 2].name);
                break;
            case GV_GPU_MODE_SHARE:
                /* a quarter, a half and a whole GPU */
                for (int milli = 250; milli <= 1000; milli *= 2) {
                    s.gpu.milli = milli;
                    mix_add(e, &s, 1);
                }
                continue;
            default:
                break;
            }
            mix_add(e, &s, 1);
        }
    }
    /* every shape counts once, however many GPUs offer it */
    for (size_t i = 0; i < e->n_mix; i++)
        e->mix[i].weight = 1;
    mix_set_weights(e);
}

typedef struct shape_count {
    const gv_mix_sample *shape;
    size_t count;
    size_t first; /* ring position of its first occurrence: a stable tie-break */
} shape_count;

static int
cmp_count(const void *a, const void *b)
{
    const shape_count *x = a, *y = b;

    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

/* Learn the mix from the ring; adopt it when it is the first or far enough from the one in
 * use. Returns whether the mix in use changed. */
static bool
mix_learn(gv_engine *e)
{
    GV_AUTOFREE shape_count *sc = gv_calloc(e->n_recent ? e->n_recent : 1, sizeof(*sc));
    GV_AUTOFREE gv_mix_entry *mix = gv_calloc(GV_MIX_MAX, sizeof(*mix));
    int w[GV_MIX_MAX];
    size_t n = 0, n_mix = 0, covered = 0;

    for (size_t i = 0; i < e->n_recent; i++) {
        const gv_mix_sample *r = &e->recent[i];
        size_t j;

        for (j = 0; j < n && !sample_eq(sc[j].shape, r); j++)
            ;
        if (j == n)
            sc[n++] = (shape_count){.shape = r, .first = i};
        sc[j].count++;
    }
    qsort(sc, n, sizeof(*sc), cmp_count);
    for (size_t j = 0; j < n && n_mix < GV_MIX_MAX && covered * 100 < e->n_recent * 95; j++) {
        gv_request shape;

        covered += sc[j].count;
        shape_of_sample(sc[j].shape, &shape);
        mix_add_to(mix, &n_mix, &shape, (double)sc[j].count);
    }
    mix_weights(mix, n_mix, w);
    if (e->mix_learned) {
        int d = mix_distance(e, mix, w, n_mix);
        double noise = 0;

        for (size_t i = 0; i < n_mix; i++)
            noise += sqrt(2.0 * w[i] * (GV_MIX_W_SCALE - w[i]) / (double)e->n_recent) /
                     (GV_MIX_W_SCALE / 1000);
        noise *= 0.5 * sqrt(2.0 / M_PI); /* per mille */
        if (d == 0 || d < e->cfg.mix_change || d < 3 * noise)
            return false;
    }
    memcpy(e->mix, mix, n_mix * sizeof(*mix));
    e->n_mix = n_mix;
    e->mix_learned = true;
    mix_set_weights(e);
    return true;
}

const gv_mix_entry *
gv_engine_mix(const gv_engine *e, size_t *n, uint64_t *version)
{
    *n = e->n_mix;
    if (version)
        *version = e->mix_version;
    return e->mix;
}

void
gv_mix_observe(gv_engine *e, const gv_request *r)
{
    gv_mix_sample *slot;

    if (e->cfg.n_mix || e->cfg.mix_window <= 0)
        return;
    if (e->n_recent < (size_t)e->cfg.mix_window) {
        slot = &e->recent[e->n_recent++];
    } else {
        slot = &e->recent[e->recent_head];
        e->recent_head = (e->recent_head + 1) % (size_t)e->cfg.mix_window;
    }
    sample_of(r, slot);
    e->n_requests++;
    if (e->cfg.mix_epoch > 0 && e->n_requests % (uint64_t)e->cfg.mix_epoch == 0 && mix_learn(e))
        gv_index_mix_changed(e);
}
