/*
 * whatif.c - the what-if replay (whatif.h): a timed request stream through a fresh placement
 * engine, event by event, with the totals, per-pool figures and time series an operator
 * compares fleets and policies by. Allocated and stranded capacity come from the meter
 * (whatif_meter.c); everything else from what the engine returns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpuvm/whatif.h"
#include "whatif_internal.h"

static const char *const event_names[GV_WHATIF_EVENT_LAST] = {
    [GV_WHATIF_PLACED] = "placed",
    [GV_WHATIF_REJECTED] = "rejected",
    [GV_WHATIF_RELEASED] = "released",
};

const char *
gv_whatif_event_to_string(gv_whatif_event ev)
{
    return ev < GV_WHATIF_EVENT_LAST ? event_names[ev] : "?";
}

/* One event of the replay: a request's arrival or its departure. */
enum {
    EV_DEPART, /* first at one time */
    EV_ARRIVE,
};

typedef struct event {
    double time;
    int kind;     /* EV_* */
    size_t index; /* in the stream */
} event;

static int
cmp_event(const void *a, const void *b)
{
    const event *x = a, *y = b;

    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* The pools of @f in result order (whatif.h), "-" last; *@ret_of_host[h] is host h's. */
static size_t
pools_of(const gv_fleet *f, gv_whatif_pool **ret, size_t **ret_of_host)
{
    gv_whatif_pool *pools = gv_calloc(f->n_pools + f->n_hosts + 1, sizeof(*pools));
    size_t *of_host = gv_calloc(f->n_hosts + 1, sizeof(*of_host));
    size_t n = 0;

    for (size_t i = 0; i < f->n_pools; i++)
        snprintf(pools[n++].name, sizeof(pools[0].name), "%s", f->pools[i].name);
    for (size_t h = 0; h < f->n_hosts; h++) {
        const char *name = f->hosts[h]->pool[0] ? f->hosts[h]->pool : GV_WHATIF_NO_POOL;
        size_t p;

        if (!strcmp(name, GV_WHATIF_NO_POOL)) {
            of_host[h] = SIZE_MAX; /* "-", numbered once the named pools are known */
            continue;
        }
        for (p = 0; p < n && strcmp(pools[p].name, name); p++)
            ;
        if (p == n)
            snprintf(pools[n++].name, sizeof(pools[0].name), "%s", name);
        of_host[h] = p;
    }
    snprintf(pools[n].name, sizeof(pools[0].name), "%s", GV_WHATIF_NO_POOL);
    for (size_t h = 0; h < f->n_hosts; h++) {
        if (of_host[h] == SIZE_MAX)
            of_host[h] = n;
        pools[of_host[h]].t.n_hosts++;
        pools[of_host[h]].t.gpu_milli += 1000 * (int64_t)f->hosts[h]->n_gpus;
    }
    *ret = pools;
    *ret_of_host = of_host;
    return n + 1;
}

/* The pool a rejected request counts in: the one it names, else "-" (the last). */
static size_t
request_pool(const gv_whatif_pool *pools, size_t n_pools, const gv_request *r)
{
    for (size_t p = 0; r->pool[0] && p + 1 < n_pools; p++)
        if (!strcmp(pools[p].name, r->pool))
            return p;
    return n_pools - 1;
}

/* The reason a rejection counts under: that of the host closest to fitting (the later the
 * filter, the closer), else the most common one. */
static gv_reason
rejection_reason(const gv_explain *x)
{
    if (x->n_closest)
        return x->closest[0].reason;
    if (x->n_reasons)
        return x->reasons[0].reason;
    return GV_REASON_STATE; /* a fleet without hosts */
}

/* Peak and time-weighted mean of @n values @v[k * stride] read at @points[k].time. */
static void
series_stats(const gv_whatif_point *points, size_t n, const int64_t *v, size_t stride,
             int64_t *ret_peak, double *ret_mean)
{
    double span, sum = 0;
    int64_t peak = 0;

    if (!n) {
        *ret_peak = 0;
        *ret_mean = 0;
        return;
    }
    for (size_t k = 0; k < n; k++)
        if (v[k * stride] > peak)
            peak = v[k * stride];
    span = points[n - 1].time - points[0].time;
    for (size_t k = 0; k + 1 < n; k++)
        sum += (double)v[k * stride] * (points[k + 1].time - points[k].time);
    *ret_peak = peak;
    *ret_mean = span > 0 ? sum / span : (double)v[(n - 1) * stride];
}

static int
err_at(gv_err *err, int code, const gv_whatif_stream *s, const gv_whatif_request *q,
       const gv_err *cause, const char *what)
{
    char where[GV_ERR_WHERE_MAX];

    snprintf(where, sizeof(where), "%s:%zu", s->source ? s->source : "<requests>", q->line);
    return gv_err_set(err, code, where, "%s: %s", what, cause->msg);
}

/* Replay state beside the result. */
typedef struct replay {
    const gv_whatif_stream *s;
    gv_engine *e;
    gv_whatif_meter *meter;
    gv_whatif_result *res;
    size_t *pool_of_host;
    int *host_of;            /* per request: its host while placed, -1 otherwise */
    size_t *pool_running;    /* VMs running per pool */
    size_t running;          /* VMs running */
    gv_place_result *placed; /* gv_engine_place's result (10 KiB: not on the stack) */
} replay;

static int
arrive(replay *rp, size_t i, gv_whatif_point *pt, gv_err *err)
{
    const gv_whatif_request *q = &rp->s->v[i];
    gv_whatif_result *res = rp->res;
    gv_place_result *pr = rp->placed;
    gv_err lerr = {0};
    int r = gv_engine_place(rp->e, &q->request, 0, pr, &lerr);

    if (r < 0)
        return err_at(err, GV_E_INTERNAL, rp->s, q, &lerr, "the engine refused a checked request");
    if (r == 1) {
        const gv_placement *pl = &pr->placement;
        size_t p = rp->pool_of_host[pl->host_index];
        gv_whatif_totals *tp = &res->pools[p].t;

        rp->host_of[i] = pl->host_index;
        pt->event = GV_WHATIF_PLACED;
        pt->host = pl->host_index;
        res->total.placed++;
        tp->placed++;
        if (pl->numa_violations > 0) {
            res->total.numa_violations++;
            tp->numa_violations++;
        }
        for (size_t k = 0; k < pl->n_violations; k++) {
            res->total.violation_amount[pl->violations[k].kind] += pl->violations[k].amount;
            tp->violation_amount[pl->violations[k].kind] += pl->violations[k].amount;
        }
        rp->running++;
        rp->pool_running[p]++;
        if (rp->running > res->total.running_peak)
            res->total.running_peak = rp->running;
        if (rp->pool_running[p] > tp->running_peak)
            tp->running_peak = rp->pool_running[p];
        gv_whatif_meter_host_changed(rp->meter, (size_t)pl->host_index,
                                     q->request.io == GV_IO_HEAVY);
    } else {
        size_t p = request_pool(res->pools, res->n_pools, &q->request);
        gv_reason why = rejection_reason(&pr->explain);

        pt->event = GV_WHATIF_REJECTED;
        pt->host = -1;
        pt->reason = why;
        res->total.rejected++;
        res->total.rejected_by[why]++;
        res->pools[p].t.rejected++;
        res->pools[p].t.rejected_by[why]++;
    }
    gv_place_result_clear(pr);
    return 0;
}

static int
depart(replay *rp, size_t i, gv_whatif_point *pt, gv_err *err)
{
    const gv_whatif_request *q = &rp->s->v[i];
    size_t h = (size_t)rp->host_of[i], p = rp->pool_of_host[h];
    gv_err lerr = {0};

    if (gv_engine_release(rp->e, q->request.name, &lerr) < 0)
        return err_at(err, GV_E_INTERNAL, rp->s, q, &lerr, "the engine lost a placed VM");
    rp->host_of[i] = -1;
    pt->event = GV_WHATIF_RELEASED;
    pt->host = (int)h;
    rp->res->total.departed++;
    rp->res->pools[p].t.departed++;
    rp->running--;
    rp->pool_running[p]--;
    gv_whatif_meter_host_changed(rp->meter, h, q->request.io == GV_IO_HEAVY);
    return 0;
}

/* Peaks, means and request counts once the events are done; "-" dropped when empty. */
static void
finish(gv_whatif_result *res)
{
    size_t np = res->n_pools;
    gv_whatif_pool *last = &res->pools[np - 1];

    GV_AUTOFREE int64_t *alloc = gv_calloc(res->n_points + 1, sizeof(int64_t));
    GV_AUTOFREE int64_t *stranded = gv_calloc(res->n_points + 1, sizeof(int64_t));

    for (size_t k = 0; k < res->n_points; k++) {
        alloc[k] = res->points[k].alloc_milli;
        stranded[k] = res->points[k].stranded_milli;
    }
    series_stats(res->points, res->n_points, alloc, 1, &res->total.alloc_peak_milli,
                 &res->total.alloc_mean_milli);
    series_stats(res->points, res->n_points, stranded, 1, &res->total.stranded_peak_milli,
                 &res->total.stranded_mean_milli);
    for (size_t p = 0; p < np; p++) {
        gv_whatif_totals *t = &res->pools[p].t;

        t->requests = t->placed + t->rejected;
        series_stats(res->points, res->n_points, res->pool_alloc_milli + p, np,
                     &t->alloc_peak_milli, &t->alloc_mean_milli);
        series_stats(res->points, res->n_points, res->pool_stranded_milli + p, np,
                     &t->stranded_peak_milli, &t->stranded_mean_milli);
    }
    res->total.requests = res->total.placed + res->total.rejected;
    if (last->t.n_hosts || last->t.requests)
        return;
    /* no host and no request in "-": drop its column */
    for (size_t k = 0; k < res->n_points; k++) {
        for (size_t p = 0; p + 1 < np; p++) {
            res->pool_alloc_milli[k * (np - 1) + p] = res->pool_alloc_milli[k * np + p];
            res->pool_stranded_milli[k * (np - 1) + p] = res->pool_stranded_milli[k * np + p];
        }
    }
    res->n_pools--;
}

int
gv_whatif_run(const gv_fleet *f, const gv_catalog *cat, const gv_place_config *cfg,
              const gv_whatif_stream *s, gv_whatif_result *ret, gv_err *err)
{
    GV_AUTOPTR(gv_engine) e = NULL;
    GV_AUTOPTR(gv_whatif_meter) meter = NULL;
    GV_AUTOFREE event *events = NULL;
    GV_AUTOFREE size_t *pool_of_host = NULL;
    GV_AUTOFREE int *host_of = NULL;
    GV_AUTOFREE size_t *pool_running = NULL;
    GV_AUTOFREE gv_place_result *placed = NULL;
    gv_whatif_result res = {0};
    size_t n_events = 0;
    replay rp;
    int rc;

    if ((rc = gv_engine_new(f, cat, cfg, &e, err)) < 0)
        return rc;
    for (size_t i = 0; i < s->n; i++) {
        gv_err lerr = {0};

        if (gv_engine_check_request(e, &s->v[i].request, &lerr) < 0)
            return err_at(err, GV_E_INVAL, s, &s->v[i], &lerr, "request");
    }
    res.n_pools = pools_of(f, &res.pools, &pool_of_host);
    meter = gv_whatif_meter_new(e, s, pool_of_host, res.n_pools);
    res.n_typical = gv_whatif_meter_n_typical(meter);
    events = gv_calloc(2 * s->n + 1, sizeof(*events));
    for (size_t i = 0; i < s->n; i++) {
        events[n_events++] = (event){.time = s->v[i].at, .kind = EV_ARRIVE, .index = i};
        if (s->v[i].has_until)
            events[n_events++] = (event){.time = s->v[i].until, .kind = EV_DEPART, .index = i};
    }
    qsort(events, n_events, sizeof(*events), cmp_event);
    host_of = gv_calloc(s->n + 1, sizeof(*host_of));
    for (size_t i = 0; i < s->n; i++)
        host_of[i] = -1;
    pool_running = gv_calloc(res.n_pools, sizeof(*pool_running));
    placed = GV_NEW0(gv_place_result);
    res.points = gv_calloc(n_events + 1, sizeof(*res.points));
    res.pool_alloc_milli = gv_calloc((n_events + 1) * res.n_pools, sizeof(int64_t));
    res.pool_stranded_milli = gv_calloc((n_events + 1) * res.n_pools, sizeof(int64_t));
    for (size_t h = 0; h < f->n_hosts; h++) {
        res.total.n_hosts++;
        res.total.gpu_milli += 1000 * (int64_t)f->hosts[h]->n_gpus;
    }
    rp = (replay){.s = s,
                  .e = e,
                  .meter = meter,
                  .res = &res,
                  .pool_of_host = pool_of_host,
                  .host_of = host_of,
                  .pool_running = pool_running,
                  .placed = placed};
    for (size_t k = 0; k < n_events && rc == 0; k++) {
        const event *ev = &events[k];
        gv_whatif_point *pt = &res.points[res.n_points];

        if (ev->kind == EV_DEPART && host_of[ev->index] < 0)
            continue; /* it was rejected: nothing leaves */
        memset(pt, 0, sizeof(*pt));
        pt->time = ev->time;
        pt->request = ev->index;
        rc = ev->kind == EV_ARRIVE ? arrive(&rp, ev->index, pt, err)
                                   : depart(&rp, ev->index, pt, err);
        pt->running = rp.running;
        pt->placed = res.total.placed;
        pt->rejected = res.total.rejected;
        pt->alloc_milli = gv_whatif_meter_alloc(meter, SIZE_MAX);
        pt->stranded_milli = gv_whatif_meter_stranded(meter, SIZE_MAX);
        for (size_t p = 0; p < res.n_pools; p++) {
            res.pool_alloc_milli[res.n_points * res.n_pools + p] = gv_whatif_meter_alloc(meter, p);
            res.pool_stranded_milli[res.n_points * res.n_pools + p] =
                gv_whatif_meter_stranded(meter, p);
        }
        res.n_points++;
    }
    if (rc < 0) {
        gv_whatif_result_clear(&res);
        return rc;
    }
    finish(&res);
    *ret = res;
    return 0;
}

void
gv_whatif_result_clear(gv_whatif_result *r)
{
    if (!r)
        return;
    free(r->pools);
    free(r->points);
    free(r->pool_alloc_milli);
    free(r->pool_stranded_milli);
    memset(r, 0, sizeof(*r));
}

const gv_whatif_pool *
gv_whatif_result_pool(const gv_whatif_result *r, const char *name)
{
    for (size_t p = 0; p < r->n_pools; p++)
        if (!strcmp(r->pools[p].name, name))
            return &r->pools[p];
    return NULL;
}
