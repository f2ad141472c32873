/*
 * metrics.c - counters kept as the daemon runs, and the page that renders them with gauges
 * computed from the state at scrape time.
 *
 * Names follow Prometheus conventions: the gpuvm_ prefix, base units in the name (_seconds,
 * _bytes), _total on counters. Label values that clients control never become labels: an
 * unknown route counts as route="unmatched", an unknown method as method="other", so a hostile
 * client cannot grow the page. Two formats: the classic text format (what `promtool check
 * metrics` reads) names a counter family with its _total; OpenMetrics names the family without
 * it and ends with "# EOF".
 */
#include <stdatomic.h>
#include <string.h>

#include "daemon/metrics.h"
#include "gpuvm/alloc.h"
#include "util/strbuf.h"

const double gv_lat_bounds_s[GV_LAT_BUCKETS] = {
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0};

void
gv_histogram_observe(gv_histogram *h, int64_t us)
{
    double s = (double)us / 1e6;
    int b = 0;

    while (b < GV_LAT_BUCKETS && s > gv_lat_bounds_s[b])
        b++;
    atomic_fetch_add(&h->bucket[b], 1);
    atomic_fetch_add(&h->sum_us, (uint64_t)(us > 0 ? us : 0));
    atomic_fetch_add(&h->count, 1);
}

/* Statuses counted apart; any other lands in the last slot ("other"). */
static const int statuses[] = {200, 201, 400, 401, 403, 404, 405, 409, 413, 429, 500, 503};
#define N_STATUS (sizeof(statuses) / sizeof(statuses[0]) + 1)
#define MAX_ROUTES 64

typedef struct route_stats {
    _Atomic uint64_t by_status[N_STATUS];
    gv_histogram latency;
} route_stats;

/* index gv_n_routes: unmatched */
static route_stats stats[MAX_ROUTES + 1];

void
gv_metrics_observe_request(gv_daemon *d, const char *pattern, const char *method, int status,
                           int64_t us)
{
    size_t ri = gv_n_routes < MAX_ROUTES ? gv_n_routes : MAX_ROUTES, si = N_STATUS - 1;

    (void)d;
    for (size_t i = 0; i < gv_n_routes && i < MAX_ROUTES; i++)
        if (gv_routes[i].pattern == pattern && !strcmp(gv_routes[i].method, method)) {
            ri = i;
            break;
        }
    for (size_t i = 0; i + 1 < N_STATUS; i++)
        if (statuses[i] == status)
            si = i;
    atomic_fetch_add(&stats[ri].by_status[si], 1);
    gv_histogram_observe(&stats[ri].latency, us);
}

typedef struct page {
    gv_strbuf sb;
    bool om;
} page;

/* "# HELP"/"# TYPE" (and "# UNIT" in OpenMetrics) of a family. @name has no _total. */
static void
family(page *p, const char *name, const char *type, const char *unit, const char *help)
{
    bool counter = !strcmp(type, "counter");

    if (p->om) {
        gv_strbuf_printf(&p->sb, "# TYPE %s %s\n", name, type);
        if (unit)
            gv_strbuf_printf(&p->sb, "# UNIT %s %s\n", name, unit);
        gv_strbuf_printf(&p->sb, "# HELP %s %s\n", name, help);
    } else {
        gv_strbuf_printf(&p->sb, "# HELP %s%s %s\n", name, counter ? "_total" : "", help);
        gv_strbuf_printf(&p->sb, "# TYPE %s%s %s\n", name, counter ? "_total" : "", type);
    }
}

static void
histogram(page *p, const char *name, const char *labels, const gv_histogram *h)
{
    uint64_t cum = 0;

    for (int b = 0; b <= GV_LAT_BUCKETS; b++) {
        cum += atomic_load(&h->bucket[b]);
        if (b < GV_LAT_BUCKETS)
            gv_strbuf_printf(&p->sb, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels,
                             *labels ? "," : "", gv_lat_bounds_s[b], (unsigned long long)cum);
        else
            gv_strbuf_printf(&p->sb, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels,
                             *labels ? "," : "", (unsigned long long)cum);
    }
    gv_strbuf_printf(&p->sb, "%s_sum%s%s%s %.6f\n", name, *labels ? "{" : "", labels,
                     *labels ? "}" : "", (double)atomic_load(&h->sum_us) / 1e6);
    gv_strbuf_printf(&p->sb, "%s_count%s%s%s %llu\n", name, *labels ? "{" : "", labels,
                     *labels ? "}" : "", (unsigned long long)atomic_load(&h->count));
}

static void
api_metrics(page *p)
{
    family(p, "gpuvm_api_requests", "counter", NULL, "API requests answered, by route and status.");
    for (size_t i = 0; i <= gv_n_routes && i <= MAX_ROUTES; i++) {
        const char *route = i < gv_n_routes ? gv_routes[i].pattern : "unmatched";
        const char *method = i < gv_n_routes ? gv_routes[i].method : "other";

        for (size_t s = 0; s < N_STATUS; s++) {
            uint64_t v = atomic_load(&stats[i].by_status[s]);
            char code[8];

            if (!v)
                continue;
            if (s + 1 < N_STATUS)
                snprintf(code, sizeof(code), "%d", statuses[s]);
            else
                snprintf(code, sizeof(code), "other");
            gv_strbuf_printf(&p->sb,
                             "gpuvm_api_requests_total{route=\"%s\",method=\"%s\",code=\"%s\"} "
                             "%llu\n",
                             route, method, code, (unsigned long long)v);
        }
    }
    family(p, "gpuvm_api_request_duration_seconds", "histogram", "seconds",
           "Time from a request's headers to its answer, by route.");
    for (size_t i = 0; i <= gv_n_routes && i <= MAX_ROUTES; i++) {
        char labels[256];

        if (!atomic_load(&stats[i].latency.count))
            continue;
        snprintf(labels, sizeof(labels), "route=\"%s\",method=\"%s\"",
                 i < gv_n_routes ? gv_routes[i].pattern : "unmatched",
                 i < gv_n_routes ? gv_routes[i].method : "other");
        histogram(p, "gpuvm_api_request_duration_seconds", labels, &stats[i].latency);
    }
}

typedef struct vm_count {
    uint64_t by_state[GV_VM_STATE_LAST];
} vm_count;

static bool
count_vm(void *ctx, const char *key, void *value)
{
    vm_count *c = ctx;
    const gv_vm_rec *vm = value;

    (void)key;
    c->by_state[vm->state]++;
    return true;
}

static void
state_metrics(page *p, gv_daemon *d)
{
    uint64_t hosts[GV_HOST_STATE_LAST] = {0};
    vm_count vc = {0};

    family(p, "gpuvm_hosts", "gauge", NULL, "Hosts by state.");
    for (size_t h = 0; h < d->fleet->n_hosts; h++)
        hosts[d->fleet->hosts[h]->state]++;
    for (int s = 0; s < GV_HOST_STATE_LAST; s++)
        gv_strbuf_printf(&p->sb, "gpuvm_hosts{state=\"%s\"} %llu\n",
                         gv_host_state_to_string((gv_host_state)s), (unsigned long long)hosts[s]);
    family(p, "gpuvm_vms", "gauge", NULL, "VMs by state.");
    gv_strmap_each(d->vms, count_vm, &vc);
    for (int s = 0; s < GV_VM_STATE_LAST; s++)
        if (s != GV_VM_DELETED)
            gv_strbuf_printf(&p->sb, "gpuvm_vms{state=\"%s\"} %llu\n",
                             gv_vm_state_to_string((gv_vm_state)s),
                             (unsigned long long)vc.by_state[s]);
    family(p, "gpuvm_gpu_allocated_ratio", "gauge", "ratio",
           "Share of the fleet's GPU capacity allocated (MIG, vGPU and shares by fraction).");
    gv_strbuf_printf(&p->sb, "gpuvm_gpu_allocated_ratio %.6f\n",
                     gv_engine_gpu_utilization(d->engine));
    family(p, "gpuvm_placement_duration_seconds", "histogram", "seconds",
           "Time the engine takes to decide and reserve one VM.");
    histogram(p, "gpuvm_placement_duration_seconds", "", &d->place_latency);
    family(p, "gpuvm_audit_records", "gauge", NULL, "Records in the audit chain.");
    gv_strbuf_printf(&p->sb, "gpuvm_audit_records %llu\n", (unsigned long long)d->chain.seq);
    family(p, "gpuvm_store_commits", "counter", NULL, "Transactions committed (group commits).");
    gv_strbuf_printf(&p->sb, "gpuvm_store_commits_total %llu\n",
                     (unsigned long long)atomic_load(&d->commits));
    family(p, "gpuvm_store_committed_ops", "counter", NULL,
           "Mutations committed (divided by commits: the mean group size).");
    gv_strbuf_printf(&p->sb, "gpuvm_store_committed_ops_total %llu\n",
                     (unsigned long long)atomic_load(&d->commit_ops));
}

char *
gv_metrics_render(gv_daemon *d, bool openmetrics)
{
    page p = {.om = openmetrics};

    state_metrics(&p, d);
    api_metrics(&p);
    if (p.om)
        gv_strbuf_append(&p.sb, "# EOF\n");
    return gv_strbuf_steal(&p.sb);
}
