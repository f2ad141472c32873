/*
 * fleet.c - the fleet container: pools, the hosts it owns, and an index of host names.
 *
 * The index is an open-addressing hash table of host positions, sized to twice the hosts. It
 * describes f->hosts as long as it holds f->n_hosts entries; code that takes hosts out of a
 * fleet (loaders hand a parsed host over by clearing n_hosts) leaves it stale, and a stale
 * index is never trusted: lookups fall back to a scan, and the next add rebuilds it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gpuvm/topo.h"

struct gv_fleet_index {
    size_t n;     /* hosts indexed */
    size_t cap;   /* slots, a power of two >= 2n */
    size_t *slot; /* host position + 1; 0 = empty */
};

static uint64_t
name_hash(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static bool
index_fresh(const gv_fleet *f)
{
    return f->index && f->index->n == f->n_hosts;
}

/* Position of @name in f->hosts through a fresh index, or -1. */
static long
index_lookup(const gv_fleet *f, const char *name)
{
    const gv_fleet_index *x = f->index;
    size_t i = name_hash(name) & (x->cap - 1);

    for (; x->slot[i]; i = (i + 1) & (x->cap - 1)) {
        size_t pos = x->slot[i] - 1;
        if (pos < f->n_hosts && !strcmp(f->hosts[pos]->name, name))
            return (long)pos;
    }
    return -1;
}

static void
index_insert(gv_fleet_index *x, const char *name, size_t pos)
{
    size_t i = name_hash(name) & (x->cap - 1);

    while (x->slot[i])
        i = (i + 1) & (x->cap - 1);
    x->slot[i] = pos + 1;
    x->n++;
}

/* Index f->hosts[0 .. n_hosts) with room for @want hosts. */
static void
index_rebuild(gv_fleet *f, size_t want)
{
    gv_fleet_index *x = f->index ? f->index : GV_NEW0(gv_fleet_index);
    size_t cap = 16;

    while (cap < 2 * want)
        cap *= 2;
    free(x->slot);
    x->slot = gv_calloc(cap, sizeof(*x->slot));
    x->cap = cap;
    x->n = 0;
    for (size_t i = 0; i < f->n_hosts; i++)
        index_insert(x, f->hosts[i]->name, i);
    f->index = x;
}

gv_fleet *
gv_fleet_new(void)
{
    return GV_NEW0(gv_fleet);
}

void
gv_fleet_free(gv_fleet *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n_hosts; i++)
        gv_host_free(f->hosts[i]);
    free(f->hosts);
    for (size_t i = 0; i < f->n_pools; i++)
        free(f->pools[i].name);
    free(f->pools);
    if (f->index)
        free(f->index->slot);
    free(f->index);
    free(f);
}

long
gv_fleet_host_index(const gv_fleet *f, const char *name)
{
    if (index_fresh(f))
        return index_lookup(f, name);
    for (size_t i = 0; i < f->n_hosts; i++)
        if (!strcmp(f->hosts[i]->name, name))
            return (long)i;
    return -1;
}

gv_host *
gv_fleet_find_host(const gv_fleet *f, const char *name)
{
    long pos = gv_fleet_host_index(f, name);

    return pos >= 0 ? f->hosts[pos] : NULL;
}

int
gv_fleet_add_host(gv_fleet *f, gv_host *h, gv_err *err)
{
    if (!index_fresh(f) || 2 * (f->n_hosts + 1) > f->index->cap)
        index_rebuild(f, f->n_hosts + 1);
    if (index_lookup(f, h->name) >= 0)
        return gv_err_set(err, GV_E_CONFLICT, NULL, "host %s: the name is used twice in the fleet",
                          h->name);
    *GV_ARRAY_APPEND(f->hosts, f->n_hosts) = h;
    index_insert(f->index, h->name, f->n_hosts - 1);
    return 0;
}

gv_pool *
gv_fleet_set_pool(gv_fleet *f, const char *name)
{
    gv_pool *p = NULL;

    for (size_t i = 0; i < f->n_pools; i++)
        if (!strcmp(f->pools[i].name, name))
            p = &f->pools[i];
    if (!p) {
        p = GV_ARRAY_APPEND(f->pools, f->n_pools);
        p->name = gv_strdup(name);
    }
    p->strategy = GV_POOL_PACK;
    p->mix_classes = true;
    p->cpu_overcommit = 1.0;
    return p;
}

const gv_pool *
gv_fleet_find_pool(const gv_fleet *f, const char *name)
{
    for (size_t i = 0; i < f->n_pools; i++)
        if (!strcmp(f->pools[i].name, name))
            return &f->pools[i];
    return NULL;
}

static int
cmp_host_name(const void *a, const void *b)
{
    return strcmp((*(gv_host *const *)a)->name, (*(gv_host *const *)b)->name);
}

int
gv_fleet_check(const gv_fleet *f, gv_err *err)
{
    int r;

    for (size_t i = 0; i < f->n_pools; i++) {
        const gv_pool *p = &f->pools[i];
        if (!p->name[0])
            return gv_err_set(err, GV_E_INVAL, NULL, "a pool has an empty name");
        for (size_t j = 0; j < i; j++)
            if (!strcmp(f->pools[j].name, p->name))
                return gv_err_set(err, GV_E_INVAL, NULL, "pool %s: defined twice", p->name);
        if ((unsigned)p->strategy >= GV_POOL_STRATEGY_LAST)
            return gv_err_set(err, GV_E_INVAL, NULL, "pool %s: invalid strategy", p->name);
        if (!(p->cpu_overcommit >= 1.0 && p->cpu_overcommit <= 64.0))
            return gv_err_set(err, GV_E_INVAL, NULL, "pool %s: cpu_overcommit %g is outside 1..64",
                              p->name, p->cpu_overcommit);
    }
    for (size_t i = 0; i < f->n_hosts; i++) {
        const gv_host *h = f->hosts[i];
        if (!h->name[0])
            return gv_err_set(err, GV_E_INVAL, NULL, "host %zu has no name", i);
        if ((r = gv_host_check(h, err)) < 0)
            return r;
        if (f->n_pools && h->pool[0] && !gv_fleet_find_pool(f, h->pool))
            return gv_err_set(err, GV_E_INVAL, NULL,
                              "host %s: pool '%s' is not defined in the fleet", h->name, h->pool);
    }
    /* a fresh index finds every host under its name: none was renamed in place */
    for (size_t i = 0; index_fresh(f) && i < f->n_hosts; i++)
        if (index_lookup(f, f->hosts[i]->name) != (long)i)
            return gv_err_set(err, GV_E_INTERNAL, NULL,
                              "host %s: renamed while in the fleet (names are indexed)",
                              f->hosts[i]->name);
    /* names unique: sort a copy of the host pointers and compare neighbours (n log n) */
    if (f->n_hosts > 1) {
        GV_AUTOFREE gv_host **sorted = gv_calloc(f->n_hosts, sizeof(*sorted));
        memcpy(sorted, f->hosts, f->n_hosts * sizeof(*sorted));
        qsort(sorted, f->n_hosts, sizeof(*sorted), cmp_host_name);
        for (size_t i = 1; i < f->n_hosts; i++)
            if (!strcmp(sorted[i - 1]->name, sorted[i]->name))
                return gv_err_set(err, GV_E_INVAL, NULL, "host %s: the name is used twice",
                                  sorted[i]->name);
    }
    return 0;
}
