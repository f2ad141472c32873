/*
 * departures.c - the trace replayed with its own times (sim.h, gv_sim_openb_departures): each
 * pod arrives at its creation time and leaves at its deletion time, so the cluster fills and
 * drains as it did in production; the engine places arrivals online and releases departures.
 *
 * Events in time order; at one time, departures before arrivals (what leaves frees room for
 * what comes); arrivals at one time in name order; departures at one time in arrival order. A
 * pod with no deletion time, or one before its creation, stays. A pod that does not fit is
 * rejected and never leaves. One point per arrival.
 *
 * Rate (gv_sim_openb_opts.rate, default 1): arrivals come @rate times as fast (a creation time
 * t becomes t / rate, rounded down) and every pod stays as long as it did, so @rate times as
 * many pods run at once: the production period's workload at a higher load.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpuvm/sim.h"
#include "sim_internal.h"

/* A placed pod, for its departure: what it took, where. */
typedef struct stay {
    int64_t until;
    size_t arrival; /* index in arrival order: the tie-break of departures at one time */
    gv_sim_held held;
} stay;

/* A binary min-heap of stays by (until, arrival). */
typedef struct heap {
    stay *v;
    size_t n, cap;
} heap;

static bool
stay_before(const stay *a, const stay *b)
{
    return a->until != b->until ? a->until < b->until : a->arrival < b->arrival;
}

static void
heap_push(heap *h, const stay *s)
{
    size_t i;

    if (h->n == h->cap)
        h->v = gv_reallocarray(h->v, h->cap = h->cap ? 2 * h->cap : 64, sizeof(*h->v));
    i = h->n++;
    while (i > 0 && stay_before(s, &h->v[(i - 1) / 2])) {
        h->v[i] = h->v[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->v[i] = *s;
}

static stay
heap_pop(heap *h)
{
    stay top = h->v[0], last = h->v[--h->n];
    size_t i = 0;

    for (;;) {
        size_t c = 2 * i + 1;

        if (c >= h->n)
            break;
        if (c + 1 < h->n && stay_before(&h->v[c + 1], &h->v[c]))
            c++;
        if (!stay_before(&h->v[c], &last))
            break;
        h->v[i] = h->v[c];
        i = c;
    }
    if (h->n)
        h->v[i] = last;
    return top;
}

static int
cmp_arrival(const void *x, const void *y)
{
    const gv_trace_pod *a = *(const gv_trace_pod *const *)x, *b = *(const gv_trace_pod *const *)y;

    if (a->creation_time != b->creation_time)
        return a->creation_time < b->creation_time ? -1 : 1;
    return strcmp(a->name, b->name);
}

/* A pod's arrival and departure at @rate (the header); INT64_MAX: it never leaves. */
static int64_t
arrival_at(const gv_trace_pod *p, double rate)
{
    return rate > 1 ? (int64_t)((double)p->creation_time / rate) : p->creation_time;
}

static int64_t
departure_at(const gv_trace_pod *p, double rate)
{
    if (p->deletion_time < p->creation_time)
        return INT64_MAX;
    return arrival_at(p, rate) + (p->deletion_time - p->creation_time);
}

int
gv_sim_openb_departures(const gv_trace_nodes *nodes, const gv_trace_pods *pods,
                        const gv_catalog *cat, const gv_sim_openb_opts *o, gv_sim_timeline *ret,
                        gv_err *err)
{
    GV_AUTOPTR(gv_fleet) f = NULL;
    GV_AUTOPTR(gv_engine) e = NULL;
    GV_AUTOFREE const gv_trace_pod **order = NULL;
    gv_sim_ledger rp = {.pods = pods};
    gv_sim_timeline t = {0};
    heap h = {0};
    gv_place_result res;
    int64_t allocated = 0;
    size_t active = 0;
    int rc = 0;

    for (size_t i = 0; i < pods->n; i++)
        if (pods->v[i].creation_time < 0)
            return gv_err_set(err, GV_E_INVAL, NULL,
                              "pod %s (line %d): no creation_time (a replay with departures needs "
                              "the trace's times)",
                              pods->v[i].name, pods->v[i].line);
    if ((rc = gv_sim_start(nodes, cat, o, &rp, &f, &e, &t.capacity_milli, err)) < 0)
        return rc;
    t.n_hosts = f->n_hosts;
    order = gv_calloc(pods->n + 1, sizeof(*order));
    for (size_t i = 0; i < pods->n; i++)
        order[i] = &pods->v[i];
    qsort(order, pods->n, sizeof(*order), cmp_arrival);
    t.v = gv_calloc(pods->n + 1, sizeof(*t.v));
    memset(&res, 0, sizeof(res));
    for (size_t i = 0; i < pods->n && rc == 0; i++) {
        const gv_trace_pod *p = order[i];
        char name[GV_REQ_NAME_LEN];
        gv_err e_err = {0};
        stay s = {.until = departure_at(p, o->rate), .arrival = i};
        gv_sim_point *pt;
        int placed;

        /* what leaves by now leaves first */
        while (h.n && h.v[0].until <= arrival_at(p, o->rate)) {
            stay gone = heap_pop(&h);

            gv_sim_pod_name(gone.arrival, name, sizeof(name));
            if ((rc = gv_engine_release(e, name, &e_err)) < 0) {
                rc = gv_err_set(err, GV_E_INTERNAL, NULL, "release of %s: %s", name, e_err.msg);
                break;
            }
            gv_sim_ledger_move(&rp, order[gone.arrival], &gone.held, -1);
            allocated -= gv_sim_pod_gpu(order[gone.arrival]);
            active--;
        }
        if (rc < 0)
            break;
        if ((placed = gv_sim_place_pod(e, &rp, p, i, o->reference, &res, &s.held, err)) < 0) {
            rc = placed;
            break;
        }
        if (placed) {
            allocated += gv_sim_pod_gpu(p);
            active++;
            t.n_placed++;
            if (s.until != INT64_MAX)
                heap_push(&h, &s);
        } else {
            t.n_rejected++;
        }
        pt = &t.v[t.n++];
        pt->time = arrival_at(p, o->rate);
        pt->alloc_pct = 100.0 * (double)allocated / (double)t.capacity_milli;
        pt->frag_amount_pct = 100.0 * rp.frag_total / (double)t.capacity_milli;
        pt->frag_ratio_pct = rp.free_total ? 100.0 * rp.frag_total / (double)rp.free_total : 0;
        pt->active = active;
        pt->placed = t.n_placed;
        pt->rejected = t.n_rejected;
    }
    free(h.v);
    gv_sim_ledger_fini(&rp);
    if (rc < 0) {
        gv_sim_timeline_clear(&t);
        return rc;
    }
    t.n_pods = pods->n;
    *ret = t;
    return 0;
}

void
gv_sim_timeline_clear(gv_sim_timeline *t)
{
    if (!t)
        return;
    free(t->v);
    memset(t, 0, sizeof(*t));
}
