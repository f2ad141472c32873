/*
 * mix.c - the expected workload mix the fragmentation measure (frag.c) is taken against:
 * configured, or a prior and then learned from the requests.
 *
 * Before the first epoch the mix is a prior: one unit of every kind of GPU capacity the fleet
 * has. Every request's shape then enters a ring of the last mix_window requests (the ring
 * holds ids into a table of the distinct shapes it holds, each with its count, so a window of
 * 10,000 requests costs 40 KiB and a few hundred table entries), and every mix_epoch requests
 * the most frequent shapes covering 95% of the ring are learned (FGD's "typical pods").
 *
 * Shapes of more than one GPU count toward the 95% but stay out of the learned mix. Their F(m)
 * is all of a host's free capacity unless the host has that many GPUs free, so in the mix they
 * keep whole hosts empty for themselves, and on the FGD study's traces that strands more than
 * it saves: with them, cpu235's seeds split into 5-6% and 7-8% unallocated (mean 6.47%), the
 * whole GPUs left on hosts whose CPUs others took; without, 5.45% (bench/README.md). Keeping
 * whole hosts for large VMs is the pack pool strategy's job; a configured mix may list them.
 *
 * A relearned mix replaces the one in use while the ring is still filling whenever it
 * differs: it is learned from more requests. Once the ring is full it replaces it only when
 * the two differ by more than sampling noise explains: their total variation distance (half
 * the sum of the weight differences) must reach mix_change and three times the distance two
 * samples of the window's size from one steady workload show on average,
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
        gv_mix_need_of(&e->mix[i].shape, &e->mix_need[i]);
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

/* ---- the ring's distinct shapes ---- */

static uint64_t
sample_hash(const gv_mix_sample *s)
{
    uint64_t h = GV_HASH_SEED;

    h = gv_hash_word(h, (uint64_t)s->vcpus << 32 | (uint64_t)s->hugepages << 16 |
                            (uint64_t)s->cpu_policy);
    h = gv_hash_word(h, (uint64_t)s->cpu_milli);
    h = gv_hash_word(h, (uint64_t)s->memory_mib);
    return gv_hash_bytes(h, &s->gpu, sizeof(s->gpu));
}

static void
seen_index_add(gv_engine *e, uint32_t id)
{
    size_t mask = e->seen_index_len - 1, i = e->seen[id].hash & mask;

    while (e->seen_index[i])
        i = (i + 1) & mask;
    e->seen_index[i] = id + 1;
}

/* Drop the shapes the ring no longer holds (renumbering the ring's ids), and make room for
 * at least one more; the hash is rebuilt. */
static void
seen_sweep(gv_engine *e)
{
    GV_AUTOFREE uint32_t *renum = gv_calloc(e->n_seen ? e->n_seen : 1, sizeof(*renum));
    size_t n = 0;

    for (size_t i = 0; i < e->n_seen; i++) {
        if (!e->seen[i].count)
            continue;
        renum[i] = (uint32_t)n;
        e->seen[n++] = e->seen[i];
    }
    for (size_t k = 0; k < e->n_recent; k++)
        e->recent[k] = renum[e->recent[k]];
    e->n_seen = n;
    if (n >= e->seen_cap / 2) {
        e->seen_cap = e->seen_cap ? 2 * e->seen_cap : 64;
        e->seen = gv_reallocarray(e->seen, e->seen_cap, sizeof(*e->seen));
    }
    free(e->seen_index);
    e->seen_index_len = 2 * e->seen_cap;
    e->seen_index = gv_calloc(e->seen_index_len, sizeof(*e->seen_index));
    for (size_t i = 0; i < n; i++)
        seen_index_add(e, (uint32_t)i);
}

/* The id of @s in the table, added if new; its count is not touched. */
static uint32_t
seen_id(gv_engine *e, const gv_mix_sample *s)
{
    uint64_t h = sample_hash(s);
    size_t mask, i;

    if (e->seen_index_len) {
        mask = e->seen_index_len - 1;
        for (i = h & mask; e->seen_index[i]; i = (i + 1) & mask) {
            gv_mix_seen *x = &e->seen[e->seen_index[i] - 1];

            if (x->hash == h && sample_eq(&x->shape, s))
                return e->seen_index[i] - 1;
        }
    }
    if (e->n_seen == e->seen_cap)
        seen_sweep(e);
    e->seen[e->n_seen] = (gv_mix_seen){.shape = *s, .hash = h};
    seen_index_add(e, (uint32_t)e->n_seen);
    return (uint32_t)e->n_seen++;
}

void
gv_mix_fini(gv_engine *e)
{
    free(e->recent);
    free(e->seen);
    free(e->seen_index);
}

size_t
gv_mix_memory_bytes(const gv_engine *e)
{
    return (size_t)e->cfg.mix_window * sizeof(*e->recent) + e->seen_cap * sizeof(*e->seen) +
           e->seen_index_len * sizeof(*e->seen_index);
}

/* ---- learning ---- */

typedef struct shape_count {
    const gv_mix_seen *seen;
} shape_count;

static int
cmp_count(const void *a, const void *b)
{
    const gv_mix_seen *x = ((const shape_count *)a)->seen, *y = ((const shape_count *)b)->seen;

    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

/* Is relearned @mix (@n_mix shapes, weights @w) to replace the mix in use? */
static bool
mix_adopt(const gv_engine *e, const gv_mix_entry *mix, const int *w, size_t n_mix)
{
    double noise = 0;
    int d;

    if (!e->mix_learned)
        return true;
    if ((d = mix_distance(e, mix, w, n_mix)) == 0)
        return false;
    if (e->n_recent < (size_t)e->cfg.mix_window)
        return true;
    for (size_t i = 0; i < n_mix; i++)
        noise += sqrt(2.0 * w[i] * (GV_MIX_W_SCALE - w[i]) / (double)e->n_recent) /
                 (GV_MIX_W_SCALE / 1000);
    noise *= 0.5 * sqrt(2.0 / M_PI); /* per mille */
    return d >= e->cfg.mix_change && d >= 3 * noise;
}

/* Learn the mix from the ring; adopt it when mix_adopt says so. Returns whether the mix in use
 * changed. */
static bool
mix_learn(gv_engine *e)
{
    GV_AUTOFREE shape_count *sc = gv_calloc(e->n_seen ? e->n_seen : 1, sizeof(*sc));
    GV_AUTOFREE gv_mix_entry *mix = gv_calloc(GV_MIX_MAX, sizeof(*mix));
    int w[GV_MIX_MAX];
    size_t n = 0, n_mix = 0, covered = 0;

    for (size_t i = 0; i < e->n_seen; i++)
        if (e->seen[i].count)
            sc[n++].seen = &e->seen[i];
    qsort(sc, n, sizeof(*sc), cmp_count);
    for (size_t j = 0; j < n && n_mix < GV_MIX_MAX && covered * 100 < e->n_recent * 95; j++) {
        gv_request shape;

        covered += sc[j].seen->count;
        if (sc[j].seen->shape.gpu.count > 1)
            continue;
        shape_of_sample(&sc[j].seen->shape, &shape);
        mix_add_to(mix, &n_mix, &shape, (double)sc[j].seen->count);
    }
    mix_weights(mix, n_mix, w);
    if (!mix_adopt(e, mix, w, n_mix))
        return false;
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
    gv_mix_sample s;
    uint32_t id;

    if (e->cfg.n_mix || e->cfg.mix_window <= 0)
        return;
    sample_of(r, &s);
    id = seen_id(e, &s);
    if (e->n_recent < (size_t)e->cfg.mix_window) {
        e->recent[e->n_recent++] = id;
    } else {
        e->seen[e->recent[e->recent_head]].count--;
        e->recent[e->recent_head] = id;
        e->recent_head = (e->recent_head + 1) % (size_t)e->cfg.mix_window;
    }
    if (!e->seen[id].count++)
        e->seen[id].first = e->n_requests;
    e->n_requests++;
    if (e->cfg.mix_epoch > 0 && e->n_requests % (uint64_t)e->cfg.mix_epoch == 0 && mix_learn(e))
        gv_index_mix_changed(e);
}
