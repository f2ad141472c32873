/*
 * whatif_meter.c - allocated and stranded GPU capacity of a what-if replay (whatif.h design
 * notes, whatif_internal.h), per host and summed per pool, from the engine's own state.
 *
 * A host is measured afresh when it changes: its free capacity per GPU (gv_gpu_free_milli), and
 * for a ready host with free capacity, the typical shapes the engine finds it feasible for now
 * (gv_eval_host) and which GPUs could give a unit of one of them (gv_gpu_unit); what no such
 * shape can use is stranded. A host's verdicts depend on nothing of other hosts but its
 * datastore's io-heavy count, so the replay re-measures the host a VM came to or left, and for
 * an io-heavy VM the hosts of that datastore.
 */
#include <stdlib.h>
#include <string.h>

#include "core/place/engine.h"
#include "whatif_internal.h"

#define TYPICAL_PCT 95 /* the typical shapes cover this share of the GPU requests */

struct gv_whatif_meter {
    const gv_engine *e;
    size_t n_shapes;
    gv_request *shapes; /* GV_MIX_MAX */
    gv_ask *asks;       /* per shape; keeps a pointer into @shapes */
    gv_candidate *cand; /* gv_eval_host's scratch */
    const size_t *pool_of_host;
    size_t n_pools;
    int64_t *host_alloc, *host_stranded; /* per host */
    int64_t *pool_alloc, *pool_stranded; /* per pool */
    int64_t alloc, stranded;
    int64_t *free_milli; /* scratch per GPU of the largest host */
    bool *usable;
};

/* A GPU request of the stream: its shape's hash and where it is. */
typedef struct shape_ref {
    uint64_t hash;
    size_t index;
} shape_ref;

typedef struct shape_count {
    size_t first; /* the stream index of its first request: the tie-break */
    size_t count;
} shape_count;

static int
cmp_shape_ref(const void *a, const void *b)
{
    const shape_ref *x = a, *y = b;

    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int
cmp_shape_count(const void *a, const void *b)
{
    const shape_count *x = a, *y = b;

    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

static bool
same_shape(const gv_request *a, const gv_request *b)
{
    GV_AUTOFREE gv_request *sa = gv_malloc(sizeof(*sa));
    GV_AUTOFREE gv_request *sb = gv_malloc(sizeof(*sb));

    gv_shape_of(a, sa);
    gv_shape_of(b, sb);
    return !memcmp(sa, sb, sizeof(*sa));
}

/* The typical shapes of @s (whatif.h): the most frequent shapes of its GPU requests, ties to the
 * earlier, until they cover TYPICAL_PCT % of them, at most GV_MIX_MAX. */
static void
typical_shapes(gv_whatif_meter *m, const gv_whatif_stream *s)
{
    GV_AUTOFREE shape_ref *refs = gv_calloc(s->n + 1, sizeof(*refs));
    GV_AUTOFREE shape_count *counts = gv_calloc(s->n + 1, sizeof(*counts));
    size_t n_refs = 0, n_counts = 0, covered = 0;

    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].request.gpu.count > 0)
            refs[n_refs++] = (shape_ref){.hash = gv_shape_hash(&s->v[i].request), .index = i};
    qsort(refs, n_refs, sizeof(*refs), cmp_shape_ref);
    /* requests of one hash in input order; equal shapes among them grouped by their first */
    for (size_t lo = 0, hi; lo < n_refs; lo = hi) {
        size_t base = n_counts;

        for (hi = lo; hi < n_refs && refs[hi].hash == refs[lo].hash; hi++) {
            const gv_request *r = &s->v[refs[hi].index].request;
            size_t k;

            for (k = base; k < n_counts && !same_shape(&s->v[counts[k].first].request, r); k++)
                ;
            if (k == n_counts)
                counts[n_counts++] = (shape_count){.first = refs[hi].index};
            counts[k].count++;
        }
    }
    qsort(counts, n_counts, sizeof(*counts), cmp_shape_count);
    for (size_t k = 0;
         k < n_counts && m->n_shapes < GV_MIX_MAX && covered * 100 < n_refs * TYPICAL_PCT; k++) {
        gv_shape_of(&s->v[counts[k].first].request, &m->shapes[m->n_shapes++]);
        covered += counts[k].count;
    }
}

static void
measure(gv_whatif_meter *m, size_t h)
{
    const gv_engine *e = m->e;
    const gv_host_info *hi = &e->info[h];
    const gv_host_use *u = &e->use[h];
    size_t ng = hi->host->n_gpus, n_usable = 0, n_free = 0;
    int64_t total_free = 0, stranded = 0, alloc;
    size_t p = m->pool_of_host[h];

    for (size_t g = 0; g < ng; g++) {
        m->free_milli[g] = gv_gpu_free_milli(hi, (int)g, &u->gpus[g]);
        m->usable[g] = false;
        total_free += m->free_milli[g];
        n_free += m->free_milli[g] > 0;
    }
    alloc = hi->gpu_milli - total_free;
    if (hi->host->state == GV_HOST_READY && total_free > 0) {
        for (size_t k = 0; k < m->n_shapes && n_usable < n_free; k++) {
            gv_eval_host(e, h, &m->asks[k], 0, m->cand);
            if (!m->cand->feasible)
                continue;
            for (size_t g = 0; g < ng; g++) {
                if (!m->free_milli[g] || m->usable[g] ||
                    !gv_gpu_unit(e, h, (int)g, &u->gpus[g], &m->asks[k], false, NULL))
                    continue;
                m->usable[g] = true;
                n_usable++;
            }
        }
        for (size_t g = 0; g < ng; g++)
            if (!m->usable[g])
                stranded += m->free_milli[g];
    }
    m->pool_alloc[p] += alloc - m->host_alloc[h];
    m->pool_stranded[p] += stranded - m->host_stranded[h];
    m->alloc += alloc - m->host_alloc[h];
    m->stranded += stranded - m->host_stranded[h];
    m->host_alloc[h] = alloc;
    m->host_stranded[h] = stranded;
}

gv_whatif_meter *
gv_whatif_meter_new(const gv_engine *e, const gv_whatif_stream *s, const size_t *pool_of_host,
                    size_t n_pools)
{
    gv_whatif_meter *m = GV_NEW0(gv_whatif_meter);
    size_t n_hosts = e->fleet->n_hosts, max_gpus = 1;

    m->e = e;
    m->pool_of_host = pool_of_host;
    m->n_pools = n_pools;
    m->shapes = gv_calloc(GV_MIX_MAX, sizeof(*m->shapes));
    m->asks = gv_calloc(GV_MIX_MAX, sizeof(*m->asks));
    m->cand = GV_NEW0(gv_candidate);
    typical_shapes(m, s);
    for (size_t k = 0; k < m->n_shapes; k++)
        gv_ask_init(e, &m->shapes[k], &m->asks[k]);
    m->host_alloc = gv_calloc(n_hosts + 1, sizeof(int64_t));
    m->host_stranded = gv_calloc(n_hosts + 1, sizeof(int64_t));
    m->pool_alloc = gv_calloc(n_pools + 1, sizeof(int64_t));
    m->pool_stranded = gv_calloc(n_pools + 1, sizeof(int64_t));
    for (size_t h = 0; h < n_hosts; h++)
        if (e->fleet->hosts[h]->n_gpus > max_gpus)
            max_gpus = e->fleet->hosts[h]->n_gpus;
    m->free_milli = gv_calloc(max_gpus, sizeof(int64_t));
    m->usable = gv_calloc(max_gpus, sizeof(bool));
    for (size_t h = 0; h < n_hosts; h++)
        measure(m, h);
    return m;
}

void
gv_whatif_meter_free(gv_whatif_meter *m)
{
    if (!m)
        return;
    free(m->shapes);
    free(m->asks);
    free(m->cand);
    free(m->host_alloc);
    free(m->host_stranded);
    free(m->pool_alloc);
    free(m->pool_stranded);
    free(m->free_milli);
    free(m->usable);
    free(m);
}

void
gv_whatif_meter_host_changed(gv_whatif_meter *m, size_t h, bool io_heavy)
{
    int ds = m->e->info[h].datastore;

    measure(m, h);
    if (!io_heavy || ds < 0)
        return;
    for (size_t k = 0; k < m->e->fleet->n_hosts; k++)
        if (k != h && m->e->info[k].datastore == ds)
            measure(m, k);
}

size_t
gv_whatif_meter_n_typical(const gv_whatif_meter *m)
{
    return m->n_shapes;
}

int64_t
gv_whatif_meter_alloc(const gv_whatif_meter *m, size_t pool)
{
    return pool == SIZE_MAX ? m->alloc : m->pool_alloc[pool];
}

int64_t
gv_whatif_meter_stranded(const gv_whatif_meter *m, size_t pool)
{
    return pool == SIZE_MAX ? m->stranded : m->pool_stranded[pool];
}
