/*
 * explain.c - why a request did not fit (or what the winner beat): per reason how many hosts
 * failed it with the detail of the closest of them, and the few hosts closest to fitting.
 * "Closer" is one order for everyone: a later reason in the filter order, then a smaller
 * shortfall, then the smaller host name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

/* Candidates are compared through what the explanation keeps of them. */
static bool
closer(const gv_engine *e, const gv_candidate *a, gv_reason rb, int64_t sb, int host_b)
{
    if (a->fail != rb)
        return a->fail > rb;
    if (a->shortfall != sb)
        return a->shortfall < sb;
    return e->rank[a->host] < e->rank[host_b];
}

void
gv_explain_add(gv_explain *x, const gv_engine *e, const gv_candidate *c)
{
    gv_explain_reason *er = &x->reasons[c->fail];
    size_t j;

    er->reason = c->fail;
    if (!er->n_hosts ||
        closer(e, c, c->fail, x->keep_reason[c->fail].shortfall, x->keep_reason[c->fail].host)) {
        snprintf(er->detail, sizeof(er->detail), "%s", c->detail);
        x->keep_reason[c->fail].host = c->host;
        x->keep_reason[c->fail].shortfall = c->shortfall;
    }
    er->n_hosts++;
    /* the few closest hosts, closest first; a host is kept once */
    for (j = 0; j < x->n_closest; j++)
        if (x->keep_closest[j].host == c->host)
            return;
    for (j = x->n_closest; j > 0; j--) {
        const gv_explain_host *p = &x->closest[j - 1];
        if (!closer(e, c, p->reason, x->keep_closest[j - 1].shortfall, x->keep_closest[j - 1].host))
            break;
    }
    if (j >= GV_EXPLAIN_MAX_CLOSEST)
        return;
    if (x->n_closest < GV_EXPLAIN_MAX_CLOSEST)
        x->n_closest++;
    memmove(&x->closest[j + 1], &x->closest[j], (x->n_closest - 1 - j) * sizeof(x->closest[0]));
    memmove(&x->keep_closest[j + 1], &x->keep_closest[j],
            (x->n_closest - 1 - j) * sizeof(x->keep_closest[0]));
    snprintf(x->closest[j].host, sizeof(x->closest[j].host), "%s", e->info[c->host].host->name);
    x->closest[j].reason = c->fail;
    snprintf(x->closest[j].detail, sizeof(x->closest[j].detail), "%s", c->detail);
    x->keep_closest[j].host = c->host;
    x->keep_closest[j].shortfall = c->shortfall;
}

static int
cmp_reason(const void *a, const void *b)
{
    const gv_explain_reason *x = a, *y = b;

    if (x->n_hosts != y->n_hosts)
        return x->n_hosts > y->n_hosts ? -1 : 1;
    return (int)x->reason - (int)y->reason;
}

void
gv_explain_finish(gv_explain *x)
{
    size_t n = 0;

    /* an entry no host was added to is still zero (gv_engine_place zeroes @x); one moved down
     * is zeroed behind it */
    for (int k = 0; k < GV_REASON_LAST; k++) {
        if (!x->reasons[k].n_hosts)
            continue;
        x->reasons[k].reason = (gv_reason)k;
        if (n != (size_t)k) {
            x->reasons[n] = x->reasons[k];
            memset(&x->reasons[k], 0, sizeof(x->reasons[k]));
        }
        n++;
    }
    if (n > 1)
        qsort(x->reasons, n, sizeof(x->reasons[0]), cmp_reason);
    x->n_reasons = n;
}
