/* fleet.c - the fleet container: pools and the hosts it owns. */
#include <string.h>

#include "gpuvm/topo.h"

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
    free(f);
}

gv_host *
gv_fleet_find_host(const gv_fleet *f, const char *name)
{
    for (size_t i = 0; i < f->n_hosts; i++)
        if (!strcmp(f->hosts[i]->name, name))
            return f->hosts[i];
    return NULL;
}

int
gv_fleet_add_host(gv_fleet *f, gv_host *h, gv_err *err)
{
    if (gv_fleet_find_host(f, h->name))
        return gv_err_set(err, GV_E_CONFLICT, NULL, "host %s: the name is used twice in the fleet",
                          h->name);
    *GV_ARRAY_APPEND(f->hosts, f->n_hosts) = h;
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
        for (size_t j = 0; j < i; j++)
            if (!strcmp(f->hosts[j]->name, h->name))
                return gv_err_set(err, GV_E_INVAL, NULL, "host %s: the name is used twice",
                                  h->name);
        if ((r = gv_host_check(h, err)) < 0)
            return r;
        if (f->n_pools && h->pool[0] && !gv_fleet_find_pool(f, h->pool))
            return gv_err_set(err, GV_E_INVAL, NULL,
                              "host %s: pool '%s' is not defined in the fleet", h->name, h->pool);
    }
    return 0;
}
