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
gv_metrics_observe_request(const gv_route *route, int status, int64_t us)
{
    size_t ri = route ? (size_t)(route - gv_routes) : gv_n_routes, si = N_STATUS - 1;

    if (ri > MAX_ROUTES)
        ri = MAX_ROUTES;
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

/* A label value: backslash, double quote and newline escaped, as the text formats require. */
static void
label_value(gv_strbuf *sb, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\' || *v == '"')
            gv_strbuf_putc(sb, '\\');
        if (*v == '\n') {
            gv_strbuf_append(sb, "\\n");
            continue;
        }
        gv_strbuf_putc(sb, *v);
    }
}

/* Gauges summed by a label set, rendered sorted by it (the page is stable between scrapes). */
typedef struct sums {
    gv_strmap *map; /* label text -> double[3] */
    size_t n;
    char **keys;
} sums;

static double *
sums_at(sums *s, const char *labels)
{
    double *v = gv_strmap_get(s->map, labels);

    if (!v) {
        v = gv_calloc(3, sizeof(double));
        gv_strmap_put(s->map, labels, v);
        *GV_ARRAY_APPEND(s->keys, s->n) = gv_strdup(labels);
    }
    return v;
}

static int
cmp_key(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "name{labels} value" for slot @i of every label set; then (last use) free them. */
static void
sums_print(page *p, sums *s, const char *name, int i, bool last)
{
    if (s->n)
        qsort(s->keys, s->n, sizeof(*s->keys), cmp_key);
    for (size_t k = 0; k < s->n; k++) {
        double *v = gv_strmap_get(s->map, s->keys[k]);

        gv_strbuf_printf(&p->sb, "%s{%s} %.3f\n", name, s->keys[k], v[i]);
        if (last) {
            free(v);
            free(s->keys[k]);
        }
    }
    if (last) {
        gv_strmap_free(s->map);
        free(s->keys);
    }
}

/* GPU capacity by pool, model and attachment mode; stranded capacity by pool. */
static void
gpu_metrics(page *p, gv_daemon *d)
{
    sums cap = {.map = gv_strmap_new()}, strand = {.map = gv_strmap_new()};

    for (size_t h = 0; h < d->fleet->n_hosts; h++) {
        const gv_host *host = d->fleet->hosts[h];

        for (size_t g = 0; g < host->n_gpus; g++) {
            gv_strbuf l = {0};
            gv_gpu_usage u;
            double *v;

            if (gv_engine_gpu_usage(d->engine, h, (int)g, &u) < 0)
                continue;
            gv_strbuf_append(&l, "pool=\"");
            label_value(&l, host->pool);
            gv_strbuf_append(&l, "\"");
            v = sums_at(&strand, gv_strbuf_str(&l));
            v[0] += (double)u.stranded_milli / 1000;
            gv_strbuf_append(&l, ",model=\"");
            label_value(&l, host->gpus[g].model);
            gv_strbuf_printf(&l, "\",mode=\"%s\"", gv_gpu_mode_to_string(u.mode));
            v = sums_at(&cap, gv_strbuf_str(&l));
            v[0] += 1;
            v[1] += (double)(1000 - u.free_milli) / 1000;
            v[2] += (double)u.free_milli / 1000;
            gv_strbuf_reset(&l);
        }
    }
    family(p, "gpuvm_gpus", "gauge", NULL, "GPUs by pool, model and the mode they are in now.");
    sums_print(p, &cap, "gpuvm_gpus", 0, false);
    family(p, "gpuvm_gpus_allocated", "gauge", NULL,
           "GPU capacity allocated, in GPUs (MIG, vGPU, VFs and shares by fraction).");
    sums_print(p, &cap, "gpuvm_gpus_allocated", 1, false);
    family(p, "gpuvm_gpus_free", "gauge", NULL, "GPU capacity free, in GPUs.");
    sums_print(p, &cap, "gpuvm_gpus_free", 2, true);
    family(
        p, "gpuvm_gpus_stranded", "gauge", NULL,
        "Free GPU capacity on GPUs that no GPU shape of the expected workload mix fits, in GPUs.");
    sums_print(p, &strand, "gpuvm_gpus_stranded", 0, true);
}

typedef struct tenant_ctx {
    gv_daemon *d;
    sums units, numa;
} tenant_ctx;

static bool
tenant_vm(void *ctx, const char *key, void *value)
{
    tenant_ctx *t = ctx;
    const gv_vm_rec *vm = value;
    const gv_placement *p = gv_engine_find_vm(t->d->engine, vm->id);
    gv_strbuf l = {0};

    (void)key;
    if (!p)
        return true;
    gv_strbuf_append(&l, "tenant=\"");
    label_value(&l, vm->tenant);
    gv_strbuf_append(&l, "\"");
    if (p->numa_violations > 0)
        sums_at(&t->numa, gv_strbuf_str(&l))[0] += 1;
    for (size_t i = 0; i < p->n_gpus; i++) {
        const gv_placed_gpu *g = &p->gpus[i];
        const char *profile = g->profile[0] ? g->profile : g->vgpu_type[0] ? g->vgpu_type : "";
        size_t len = l.len;

        gv_strbuf_printf(&l, ",mode=\"%s\",profile=\"", gv_gpu_mode_to_string(g->mode));
        label_value(&l, profile);
        gv_strbuf_append(&l, "\"");
        sums_at(&t->units, gv_strbuf_str(&l))[0] += 1;
        l.len = len;
        l.buf[len] = '\0';
    }
    gv_strbuf_reset(&l);
    return true;
}

static void
tenant_metrics(page *p, gv_daemon *d)
{
    tenant_ctx t = {.d = d, .units = {.map = gv_strmap_new()}, .numa = {.map = gv_strmap_new()}};

    gv_strmap_each(d->vms, tenant_vm, &t);
    family(p, "gpuvm_tenant_gpu_units", "gauge", NULL,
           "GPU units held by each tenant: whole GPUs, MIG instances, vGPUs, VFs, shares.");
    sums_print(p, &t.units, "gpuvm_tenant_gpu_units", 0, true);
    family(p, "gpuvm_numa_violating_vms", "gauge", NULL,
           "VMs with vCPUs, memory, VFs or scratch off their GPUs' NUMA nodes, by tenant.");
    sums_print(p, &t.numa, "gpuvm_numa_violating_vms", 0, true);
}

char *
gv_metrics_render(gv_daemon *d, bool openmetrics)
{
    page p = {.om = openmetrics};

    state_metrics(&p, d);
    gpu_metrics(&p, d);
    tenant_metrics(&p, d);
    api_metrics(&p);
    if (p.om)
        gv_strbuf_append(&p.sb, "# EOF\n");
    return gv_strbuf_steal(&p.sb);
}
