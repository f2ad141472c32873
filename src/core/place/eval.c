/*
 * eval.c - can one host take one request, and with what: the filters, the choice of GPU set,
 * and the NUMA plan for CPUs, memory, NIC VFs and scratch.
 *
 * Filters run cheapest first and stop at the first failure, whose reason and one-line detail
 * the candidate carries (gv_reason order: the later the reason, the closer the host came).
 *
 * GPU sets: every GPU that can give one unit (gpu_unit.c) is usable; a set takes count of them,
 * one unit each. Among sets, smaller is better in this order (gv_set_better):
 *   1. NUMA violations (0 under strict: a strict set that does not fit is infeasible)
 *   2. GPUs that need reconfiguring
 *   3. spread: the worst distance class between two GPUs of the set
 *   4. NUMA nodes the GPUs span
 *   5. fragmentation the units leave on their GPUs (per-GPU FGD, mix-weighted)
 *   6. NIC distance, 7. scratch distance
 *   8. GPU indices, lexicographically (sets are generated in that order; the first best wins)
 * The reference tries every set. The fast path groups GPUs that no criterion can tell apart
 * (same NUMA node, PCIe parent, distances, reconfiguration and fragmentation) and tries one
 * representative per count of each group, the lowest indices: the same best set, in less time.
 *
 * NUMA plan for a set: the home nodes are the GPUs' nodes (vCPUs and memory split in the
 * GPUs' proportion, one guest cell per node); without GPUs, the node that fits the VM with
 * the least room to spare. Under strict a shortfall anywhere fails the set; under preferred
 * and none the rest spills to the other nodes in order (preferred counts each unit as a
 * violation; spilled memory forms CPU-less cells, spilled vCPUs stay in their home cell).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "engine.h"

typedef struct eval_ctx {
    const gv_engine *e;
    size_t h;
    const gv_host_info *hi;
    const gv_host *host;
    const gv_host_use *u;
    const gv_request *r;
    const gv_ask *a;
    bool detail; /* format failure details */
    /* a verdict whose total every feasible set shares (GV_TOTAL_HOST): the first feasible set
     * found will do, and GPUs are alike by what the plan reads alone */
    bool any_set;
    int n_usable;
    int usable[GV_HOST_MAX_GPUS];
    gv_gpu_pick unit[GV_HOST_MAX_GPUS];    /* per GPU index */
    int64_t frag[GV_HOST_MAX_GPUS];        /* per GPU index: per-GPU fragmentation after its unit */
    gv_gpu_answer after[GV_HOST_MAX_GPUS]; /* per GPU index, fast path: its answer after it */
    int topology_failed;
    gv_candidate best;
    gv_candidate fail; /* the closest failed set */
    bool have_best, have_fail;
} eval_ctx;

static int fail(const eval_ctx *x, gv_candidate *c, gv_reason reason, int64_t shortfall,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The detail is formatted only for explanations: index verdicts keep the reason alone. */
static int
fail(const eval_ctx *x, gv_candidate *c, gv_reason reason, int64_t shortfall, const char *fmt, ...)
{
    va_list ap;

    c->feasible = false;
    c->fail = reason;
    c->shortfall = shortfall;
    c->detail[0] = 0;
    if (x->detail) {
        va_start(ap, fmt);
        vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* ---- host filters ---- */

static bool
zone_ok(const gv_request *r, const gv_host *host)
{
    if (!r->n_zones)
        return true;
    for (size_t i = 0; i < r->n_zones; i++)
        if (!strcmp(r->zones[i], host->zone))
            return true;
    return false;
}

static int
filter_host(eval_ctx *x, gv_candidate *c)
{
    const gv_host *host = x->host;
    const gv_request *r = x->r;
    const gv_host_use *u = x->u;

    if (host->state != GV_HOST_READY)
        return fail(x, c, GV_REASON_STATE, 0, "host is %s", gv_host_state_to_string(host->state));
    if (r->pool[0] && strcmp(r->pool, host->pool))
        return fail(x, c, GV_REASON_POOL, 0, "in pool '%s', not '%s'", host->pool, r->pool);
    if (!zone_ok(r, host))
        return fail(x, c, GV_REASON_ZONE, 0, "in zone '%s'", host->zone);
    for (size_t i = 0; i < r->n_labels; i++) {
        const char *v = gv_host_get_label(host, r->labels[i].key);

        if (!v || strcmp(v, r->labels[i].value))
            return fail(x, c, GV_REASON_LABELS, 0, "label %s=%s wanted, host has %s%s%s",
                        r->labels[i].key, r->labels[i].value, v ? r->labels[i].key : "none",
                        v ? "=" : "", v ? v : "");
    }
    if (r->anti_affinity[0]) {
        int g = gv_engine_find_group(x->e, r->anti_affinity);

        for (size_t i = 0; g >= 0 && i < u->n_groups; i++)
            if (u->groups[i].group == g)
                return fail(x, c, GV_REASON_ANTI_AFFINITY, 0, "holds %d VM%s of group '%s'",
                            u->groups[i].count, u->groups[i].count == 1 ? "" : "s",
                            r->anti_affinity);
    }
    if (!x->hi->mix_classes && r->class != GV_CLASS_NONE) {
        for (int k = GV_CLASS_NONE + 1; k < GV_CLASS_LAST; k++)
            if (k != (int)r->class && u->class_count[k])
                return fail(x, c, GV_REASON_CLASS_MIX, 0,
                            "pool '%s' does not mix %s VMs with the %d %s VM%s there", host->pool,
                            gv_workload_class_to_string(r->class), u->class_count[k],
                            gv_workload_class_to_string(k), u->class_count[k] == 1 ? "" : "s");
    }
    if (r->io == GV_IO_HEAVY && x->hi->datastore >= 0) {
        int n = x->e->heavy_per_datastore[x->hi->datastore];

        if (n >= x->e->cfg.io_heavy_per_datastore)
            return fail(x, c, GV_REASON_DATASTORE, 0,
                        "datastore '%s' already serves %d io-heavy VMs (limit %d)", host->datastore,
                        n, x->e->cfg.io_heavy_per_datastore);
    }
    return 0;
}

/* ---- NUMA plan ---- */

static int
ceil_div(int a, int b)
{
    return (a + b - 1) / b;
}

/* vCPUs of @r node @i can still take. */
static int
cpu_cap(const eval_ctx *x, int i)
{
    const gv_numa_use *n = &x->u->numa[i];
    int64_t oc = x->hi->overcommit_milli;
    int tpc = x->hi->numa[i].threads_per_core;

    if (x->r->cpu_policy == GV_CPU_SHARED) {
        /* the vCPUs whose proportional share of the VM's entitlement fits (see
         * gv_shared_milli_split: a node never gets more than that share rounded up) */
        int64_t room = gv_numa_shared_room(x->hi, n), cap;

        if (room <= 0)
            return 0;
        cap = room * x->r->vcpus / gv_request_cpu_milli(x->r);
        return cap < INT32_MAX ? (int)cap : INT32_MAX;
    } else {
        /* pinning must leave the shared VMs already there enough threads */
        int keep = oc > 0 ? (int)((n->shared_milli + oc - 1) / oc) : 0;
        int spare = n->free_threads - keep;

        if (spare <= 0)
            return 0;
        if (x->r->vcpus >= tpc && tpc > 1) {
            int cores = n->free_cores < spare / tpc ? n->free_cores : spare / tpc;
            return cores * tpc;
        }
        return spare;
    }
}

static int64_t
mem_cap(const eval_ctx *x, int i)
{
    const gv_numa_use *n = &x->u->numa[i];

    switch (x->r->hugepages) {
    case GV_HUGEPAGES_2M:
        return n->hp2m_free * 2;
    case GV_HUGEPAGES_1G:
        return n->hp1g_free * 1024;
    default:
        return n->mem_free_mib;
    }
}

static int64_t
page_mib(const gv_request *r)
{
    return r->hugepages == GV_HUGEPAGES_2M ? 2 : r->hugepages == GV_HUGEPAGES_1G ? 1024 : 1;
}

static const char *
mem_what(const gv_request *r)
{
    return r->hugepages == GV_HUGEPAGES_2M   ? "MiB in 2M hugepages"
           : r->hugepages == GV_HUGEPAGES_1G ? "MiB in 1G hugepages"
                                             : "MiB";
}

/* Dedicated VMs big enough take whole cores: a partial take rounds to the core. */
static int
cpu_take_floor(const eval_ctx *x, int i, int v)
{
    int tpc = x->hi->numa[i].threads_per_core;

    if (x->r->cpu_policy == GV_CPU_DEDICATED && x->r->vcpus >= tpc && tpc > 1)
        return v / tpc * tpc;
    return v;
}

static int
cpu_fail(eval_ctx *x, gv_candidate *c, int i, int need)
{
    const gv_numa_use *n = &x->u->numa[i];
    int id = x->host->numa[i].id;
    int tpc = x->hi->numa[i].threads_per_core;

    if (x->r->cpu_policy == GV_CPU_SHARED && x->r->cpu_milli) {
        int64_t room = gv_numa_shared_room(x->hi, n);

        return fail(x, c, GV_REASON_CPU, need - cpu_cap(x, i),
                    "NUMA node %d has %lld shared milli-CPUs free, needs %lld", id,
                    (long long)(room > 0 ? room : 0),
                    (long long)(need * x->r->cpu_milli + x->r->vcpus - 1) / x->r->vcpus);
    }
    if (x->r->cpu_policy == GV_CPU_SHARED)
        return fail(x, c, GV_REASON_CPU, need - cpu_cap(x, i),
                    "NUMA node %d has room for %d shared vCPUs, needs %d", id, cpu_cap(x, i), need);
    if (x->r->vcpus >= tpc && tpc > 1)
        return fail(x, c, GV_REASON_CPU, ceil_div(need, tpc) - cpu_cap(x, i) / tpc,
                    "NUMA node %d has %d free cores, needs %d", id, cpu_cap(x, i) / tpc,
                    ceil_div(need, tpc));
    return fail(x, c, GV_REASON_CPU, need - cpu_cap(x, i),
                "NUMA node %d has %d free threads, needs %d", id,
                n->free_threads < cpu_cap(x, i) ? n->free_threads : cpu_cap(x, i), need);
}

/* The home node for a VM without GPUs: fits whole with the least spare threads; -1 if none. */
static int
home_without_gpu(const eval_ctx *x)
{
    int best = -1, best_spare = 0;

    for (size_t i = 0; i < x->host->n_numa && i < GV_MAX_NUMA; i++) {
        int cap = cpu_cap(x, (int)i);

        if (cap < x->r->vcpus || mem_cap(x, (int)i) < x->r->memory_mib)
            continue;
        if (best < 0 || cap - x->r->vcpus < best_spare) {
            best = (int)i;
            best_spare = cap - x->r->vcpus;
        }
    }
    return best;
}

static int
most_free_node(const eval_ctx *x)
{
    int best = -1;

    for (size_t i = 0; i < x->host->n_numa && i < GV_MAX_NUMA; i++)
        if (x->hi->numa[i].n_cores && (best < 0 || cpu_cap(x, (int)i) > cpu_cap(x, best)))
            best = (int)i;
    return best;
}

static int
plan_cpu_mem(eval_ctx *x, gv_candidate *c)
{
    const gv_request *r = x->r;
    int weight[GV_MAX_NUMA] = {0};
    int n_home = 0, home[GV_PLACE_MAX_CELLS], total_w = 0;
    int64_t page = page_mib(r);
    int spill_v = 0;
    int64_t spill_m = 0;
    size_t n_numa = x->host->n_numa < GV_MAX_NUMA ? x->host->n_numa : GV_MAX_NUMA;

    for (int k = 0; k < c->n_picks; k++) {
        int ni = x->hi->gpu_numa_idx[c->picks[k].gpu];
        if (ni >= 0 && ni < GV_MAX_NUMA)
            weight[ni]++;
    }
    for (size_t i = 0; i < n_numa; i++)
        if (weight[i] && n_home < GV_PLACE_MAX_CELLS && n_home < r->vcpus)
            home[n_home++] = (int)i;
    if (!n_home && r->numa_policy != GV_NUMA_POLICY_NONE) {
        int i = home_without_gpu(x);

        if (i < 0 && r->numa_policy == GV_NUMA_POLICY_STRICT) {
            int m = most_free_node(x);
            if (m < 0)
                return fail(x, c, GV_REASON_CPU, r->vcpus, "no NUMA node with cores");
            if (cpu_cap(x, m) < r->vcpus)
                return cpu_fail(x, c, m, r->vcpus);
            return fail(x, c, GV_REASON_MEMORY, r->memory_mib - mem_cap(x, m),
                        "NUMA node %d has %lld %s free, needs %lld", x->host->numa[m].id,
                        (long long)mem_cap(x, m), mem_what(r), (long long)r->memory_mib);
        }
        if (i < 0)
            i = most_free_node(x);
        if (i >= 0) {
            home[n_home++] = i;
            weight[i] = 1;
        }
    }
    for (int k = 0; k < n_home; k++)
        total_w += weight[home[k]];

    memset(c->take, 0, sizeof(c->take));
    c->home = 0;
    c->n_cells = 0;
    c->violations = 0;
    {
        int v_left = r->vcpus;
        int64_t pages_left = r->memory_mib / page;

        for (int k = 0; k < n_home; k++) {
            int i = home[k];
            int want_v = k == n_home - 1 ? v_left : r->vcpus * weight[i] / total_w;
            int64_t want_p =
                k == n_home - 1 ? pages_left : r->memory_mib / page * weight[i] / total_w;
            int v = cpu_cap(x, i), cap_v;
            int64_t m = mem_cap(x, i) / page * page;

            if (want_v < 1)
                want_v = 1;
            cap_v = v;
            v = want_v < cap_v ? want_v : cpu_take_floor(x, i, cap_v);
            if (r->numa_policy == GV_NUMA_POLICY_STRICT && v < want_v)
                return cpu_fail(x, c, i, want_v);
            if (r->numa_policy == GV_NUMA_POLICY_STRICT && m < want_p * page)
                return fail(x, c, GV_REASON_MEMORY, want_p * page - m,
                            "NUMA node %d has %lld %s free, needs %lld", x->host->numa[i].id,
                            (long long)m, mem_what(r), (long long)(want_p * page));
            if (m > want_p * page)
                m = want_p * page;
            c->home |= UINT64_C(1) << i;
            c->take[i].vcpus = v;
            c->take[i].mem_mib = m;
            c->cells[c->n_cells++] = (gv_cell_plan){.numa = i, .vcpus = want_v, .mem_mib = m};
            spill_v += want_v - v;
            spill_m += want_p * page - m;
            v_left -= want_v;
            pages_left -= want_p;
        }
        if (!n_home) {
            spill_v = r->vcpus;
            spill_m = r->memory_mib;
        }
    }
    /* spill (preferred, none): other nodes in order */
    for (size_t i = 0; i < n_numa && (spill_v > 0 || spill_m > 0); i++) {
        int v;
        int64_t m;

        if (c->home & (UINT64_C(1) << i))
            continue;
        v = cpu_cap(x, (int)i);
        v = spill_v <= v ? spill_v : cpu_take_floor(x, (int)i, v);
        m = mem_cap(x, (int)i) / page * page;
        if (m > spill_m)
            m = spill_m;
        if (v > 0 && !n_home && c->n_cells == 0 && m == 0)
            continue; /* the first cell of a VM without home needs memory */
        c->take[i].vcpus += v;
        c->take[i].mem_mib += m;
        spill_v -= v;
        spill_m -= m;
        if (r->numa_policy == GV_NUMA_POLICY_PREFERRED && n_home)
            c->violations += v + m;
        if (m > 0 || (!n_home && v > 0)) {
            if (c->n_cells >= GV_PLACE_MAX_CELLS)
                return fail(x, c, GV_REASON_MEMORY, spill_m, "needs more than %d guest NUMA cells",
                            GV_PLACE_MAX_CELLS);
            c->cells[c->n_cells++] =
                (gv_cell_plan){.numa = (int)i, .vcpus = n_home ? 0 : v, .mem_mib = m};
        } else if (v > 0 && !n_home && c->n_cells) {
            c->cells[c->n_cells - 1].vcpus += v;
        }
    }
    if (!n_home && c->n_cells) {
        /* without a home, cells follow memory; vCPUs pinned where they were found */
        int assigned = 0;
        for (int k = 0; k < c->n_cells; k++)
            assigned += c->cells[k].vcpus;
        c->cells[0].vcpus += r->vcpus - spill_v - assigned;
    }
    if (spill_v > 0) {
        int total = 0;
        for (size_t i = 0; i < n_numa; i++)
            total += cpu_cap(x, (int)i);
        return fail(x, c, GV_REASON_CPU, spill_v, "%d vCPUs fit on the host's NUMA nodes, needs %d",
                    total < r->vcpus ? total : r->vcpus - spill_v, r->vcpus);
    }
    if (spill_m > 0)
        return fail(x, c, GV_REASON_MEMORY, spill_m, "%lld %s free on the host, needs %lld",
                    (long long)(r->memory_mib - spill_m), mem_what(r), (long long)r->memory_mib);
    return 0;
}

/* Distance class of a NIC/NVMe to the VM: its nearest GPU, or NODE/SYS by NUMA without GPUs. */
static int
dev_dist(const gv_candidate *c, const uint8_t *dist, size_t n_dev, int d, int numa_idx)
{
    int best = GV_DIST_SYS;

    for (int k = 0; k < c->n_picks; k++) {
        int v = dist[(size_t)c->picks[k].gpu * n_dev + (size_t)d];
        if (v < best)
            best = v;
    }
    if (!c->n_picks && numa_idx >= 0 && (c->home & (UINT64_C(1) << numa_idx)))
        best = GV_DIST_NODE;
    return best;
}

static bool
locality_ok(const eval_ctx *x, const gv_candidate *c, gv_locality want, int dist, int numa_idx)
{
    bool home = numa_idx >= 0 && (c->home & (UINT64_C(1) << numa_idx));

    if (want == GV_LOCALITY_SAME_SWITCH && dist > GV_DIST_PIX)
        return false;
    if (want == GV_LOCALITY_SAME_NUMA && !home)
        return false;
    if (x->r->numa_policy == GV_NUMA_POLICY_STRICT && !home)
        return false;
    return true;
}

static int
plan_nics(eval_ctx *x, gv_candidate *c)
{
    int order[64], dist[64], n = 0, got = 0, free_ok = 0;
    size_t n_nics = x->host->n_nics < 64 ? x->host->n_nics : 64;

    c->nic_dist_sum = 0;
    if (!x->r->nic_vfs)
        return 0;
    for (size_t i = 0; i < n_nics; i++) {
        int d = dev_dist(c, x->hi->nic_dist, x->host->n_nics, (int)i, x->hi->nic_numa_idx[i]);
        int j;

        if (!x->u->nics[i].free_vfs)
            continue;
        if (!locality_ok(x, c, x->r->nic_locality, d, x->hi->nic_numa_idx[i]))
            continue;
        free_ok += x->u->nics[i].free_vfs;
        for (j = n; j > 0 && dist[j - 1] > d; j--) {
            order[j] = order[j - 1];
            dist[j] = dist[j - 1];
        }
        order[j] = (int)i;
        dist[j] = d;
        n++;
    }
    if (free_ok < x->r->nic_vfs)
        return fail(x, c, GV_REASON_NIC, x->r->nic_vfs - free_ok,
                    "%d free VFs on NICs %s to the VM, needs %d", free_ok,
                    x->r->nic_locality == GV_LOCALITY_SAME_SWITCH ? "under the GPUs' switches"
                    : x->r->nic_locality == GV_LOCALITY_SAME_NUMA ||
                            x->r->numa_policy == GV_NUMA_POLICY_STRICT
                        ? "on the VM's NUMA nodes"
                        : "of the host",
                    x->r->nic_vfs);
    for (int k = 0; k < n && got < x->r->nic_vfs; k++) {
        int i = order[k];
        int take = x->u->nics[i].free_vfs;
        bool home =
            x->hi->nic_numa_idx[i] >= 0 && (c->home & (UINT64_C(1) << x->hi->nic_numa_idx[i]));

        if (take > x->r->nic_vfs - got)
            take = x->r->nic_vfs - got;
        for (int t = 0; t < take; t++) {
            c->nic_take[got++] = i;
            c->nic_dist_sum += dist[k];
            if (!home && x->r->numa_policy == GV_NUMA_POLICY_PREFERRED)
                c->violations++;
        }
    }
    return 0;
}

static int
plan_scratch(eval_ctx *x, gv_candidate *c)
{
    int best = -1, best_d = 0;

    c->nvme = -1;
    c->nvme_dist = 0;
    if (!x->r->scratch_gib)
        return 0;
    for (size_t i = 0; i < x->host->n_nvme; i++) {
        int d = dev_dist(c, x->hi->nvme_dist, x->host->n_nvme, (int)i, x->hi->nvme_numa_idx[i]);

        if (x->u->nvme_free[i] < x->r->scratch_gib ||
            !locality_ok(x, c, x->r->scratch_locality, d, x->hi->nvme_numa_idx[i]))
            continue;
        if (best < 0 || d < best_d) {
            best = (int)i;
            best_d = d;
        }
    }
    if (best < 0) {
        int64_t most = 0;
        for (size_t i = 0; i < x->host->n_nvme; i++)
            if (x->u->nvme_free[i] > most)
                most = x->u->nvme_free[i];
        return fail(x, c, GV_REASON_SCRATCH, x->r->scratch_gib - most,
                    "no NVMe with %lld GiB free where the VM needs it (largest free: %lld GiB of "
                    "%zu drives)",
                    (long long)x->r->scratch_gib, (long long)most, x->host->n_nvme);
    }
    c->nvme = best;
    c->nvme_dist = best_d;
    if (x->r->numa_policy == GV_NUMA_POLICY_PREFERRED && c->home &&
        !(x->hi->nvme_numa_idx[best] >= 0 &&
          (c->home & (UINT64_C(1) << x->hi->nvme_numa_idx[best]))))
        c->violations += x->r->scratch_gib;
    return 0;
}

/* ---- GPU sets ---- */

/* Is @a better than @b (both feasible)? Criteria 1-8 of the notes. */
static bool
set_better(const gv_candidate *a, const gv_candidate *b)
{
    int ra = 0, rb = 0;

    if (a->violations != b->violations)
        return a->violations < b->violations;
    for (int k = 0; k < a->n_picks; k++)
        ra += a->picks[k].reconfig;
    for (int k = 0; k < b->n_picks; k++)
        rb += b->picks[k].reconfig;
    if (ra != rb)
        return ra < rb;
    if (a->spread != b->spread)
        return a->spread < b->spread;
    if (a->n_cells != b->n_cells)
        return a->n_cells < b->n_cells;
    if (a->gpu_frag != b->gpu_frag)
        return a->gpu_frag < b->gpu_frag;
    if (a->nic_dist_sum != b->nic_dist_sum)
        return a->nic_dist_sum < b->nic_dist_sum;
    if (a->nvme_dist != b->nvme_dist)
        return a->nvme_dist < b->nvme_dist;
    for (int k = 0; k < a->n_picks; k++)
        if (a->picks[k].gpu != b->picks[k].gpu)
            return a->picks[k].gpu < b->picks[k].gpu;
    return false;
}

/* Is failed set @a closer to fitting than failed set @b? Ties go to the smaller GPU indices, as
 * in set_better, so the fast path's group representatives find the same set as the reference. */
static bool
fail_closer(const gv_candidate *a, const gv_candidate *b)
{
    if (a->fail != b->fail)
        return a->fail > b->fail;
    if (a->shortfall != b->shortfall)
        return a->shortfall < b->shortfall;
    for (int k = 0; k < a->n_picks && k < b->n_picks; k++)
        if (a->picks[k].gpu != b->picks[k].gpu)
            return a->picks[k].gpu < b->picks[k].gpu;
    return false;
}

static bool
topology_ok(const eval_ctx *x, const int *set, int k)
{
    const gv_host_info *hi = x->hi;

    if (x->r->gpu.mode != GV_GPU_MODE_PASSTHROUGH)
        return true;
    for (int a = 0; a < k; a++) {
        for (int b = a + 1; b < k; b++) {
            int ga = set[a], gb = set[b];

            switch (x->r->gpu.topology) {
            case GV_GPU_TOPO_NVLINK:
                if (hi->island[ga] != hi->island[gb])
                    return false;
                break;
            case GV_GPU_TOPO_SAME_SWITCH: {
                /* one switch (or one card's root port): a host bridge is PHB, not a switch */
                int parent = x->host->gpus[ga].pcie_parent;

                if (parent < 0 || parent != x->host->gpus[gb].pcie_parent ||
                    x->host->pcie[parent].kind == GV_PCIE_HOSTBRIDGE)
                    return false;
                break;
            }
            case GV_GPU_TOPO_SAME_NUMA:
                if (hi->gpu_numa_idx[ga] < 0 || hi->gpu_numa_idx[ga] != hi->gpu_numa_idx[gb])
                    return false;
                break;
            default:
                break;
            }
        }
    }
    return true;
}

/* How a policy ranks GPU sets inside a host (gv_candidate.gpu_frag, smaller first; ties: the
 * lower GPU indices): gpuvm the GPUs' own fragments after; fgd the negated quantised score of
 * the host's F(M) change; the other study policies the GPUs' free capacity (best fit: a shared
 * unit goes where least is left; whole GPUs are all equal, so the lowest); random a draw;
 * firstfit none (the lowest indices). */
static int64_t
set_key(eval_ctx *x, const gv_candidate *t, const int *set, int k)
{
    int64_t key = 0;

    switch (x->e->cfg.policy) {
    case GV_POLICY_GPUVM:
        return t->gpu_frag;
    case GV_POLICY_FGD:
        return -gv_score_fgd(
            gv_score_frag_delta(x->e, x->r, x->a->reference, x->a->reference ? NULL : x->after, t));
    case GV_POLICY_RANDOM:
        for (int a = 0; a < k; a++)
            key += (int64_t)(gv_hash_word(x->e->policy_draw, (uint64_t)set[a]) >> 8);
        return key;
    case GV_POLICY_FIRSTFIT:
        return 0;
    default:
        for (int a = 0; a < k; a++)
            key += gv_gpu_free_milli(x->hi, set[a], &x->u->gpus[set[a]]);
        return key;
    }
}

static void
try_set(eval_ctx *x, const int *set, int k)
{
    gv_candidate t;
    int spread = 0;

    if (!topology_ok(x, set, k)) {
        x->topology_failed++;
        return;
    }
    memset(&t, 0, offsetof(gv_candidate, picks));
    t.host = (int)x->h;
    t.n_picks = k;
    t.gpu_frag = 0;
    for (int a = 0; a < k; a++) {
        t.picks[a] = x->unit[set[a]];
        t.gpu_frag += x->frag[set[a]];
        for (int b = a + 1; b < k; b++) {
            int d = x->hi->gpu_dist[(size_t)set[a] * x->host->n_gpus + (size_t)set[b]];
            if (d > spread)
                spread = d;
        }
    }
    t.spread = spread;
    if (plan_cpu_mem(x, &t) < 0 || plan_nics(x, &t) < 0 || plan_scratch(x, &t) < 0) {
        if (!x->have_fail || fail_closer(&t, &x->fail)) {
            x->fail = t;
            x->have_fail = true;
        }
        return;
    }
    t.feasible = true;
    t.gpu_frag = set_key(x, &t, set, k);
    if (!x->have_best || set_better(&t, &x->best)) {
        x->best = t;
        x->have_best = true;
    }
}

/* Every k-subset of the usable GPUs, in lexicographic order. */
static void
enum_all(eval_ctx *x, int k)
{
    int idx[GV_REQ_MAX_GPUS] = {0}, set[GV_REQ_MAX_GPUS] = {0};
    int n = x->n_usable;

    for (int i = 0; i < k; i++)
        idx[i] = i;
    for (;;) {
        for (int i = 0; i < k; i++)
            set[i] = x->usable[idx[i]];
        try_set(x, set, k);
        {
            int i = k - 1;
            while (i >= 0 && idx[i] == n - k + i)
                i--;
            if (i < 0)
                return;
            idx[i]++;
            for (int j = i + 1; j < k; j++)
                idx[j] = idx[j - 1] + 1;
        }
    }
}

/*
 * Fast path: GPUs in one group are interchangeable for every criterion but the index, so only
 * the lowest-index members of each group are worth trying: enumerate how many to take from
 * each group. What a set's plan and rank read of its GPUs: the NUMA node, the unit and its
 * fragment; with two GPUs or more, the distances between them (spread) and, for a topology
 * requirement, island and switch; with NIC VFs, the GPU-NIC distances; with scratch, the
 * GPU-NVMe distances. The rest does not set GPUs apart.
 */
static bool
same_group(const eval_ctx *x, int a, int b)
{
    const gv_host_info *hi = x->hi;
    size_t n = x->host->n_gpus;

    if (hi->gpu_numa_idx[a] != hi->gpu_numa_idx[b] || x->unit[a].reconfig != x->unit[b].reconfig ||
        x->frag[a] != x->frag[b])
        return false;
    /* the study's policies rank GPUs by what their state means to the whole host, or by a draw
     * (random): only GPUs in the same state are alike, and under random none */
    if (!x->any_set && (x->e->cfg.policy == GV_POLICY_RANDOM ||
                        (x->e->cfg.policy != GV_POLICY_GPUVM &&
                         memcmp(&x->u->gpus[a], &x->u->gpus[b], sizeof(x->u->gpus[a])))))
        return false;
    if (x->r->gpu.count > 1) {
        if (hi->island[a] != hi->island[b] ||
            x->host->gpus[a].pcie_parent != x->host->gpus[b].pcie_parent)
            return false;
        for (size_t g = 0; g < n; g++)
            if ((int)g != a && (int)g != b &&
                hi->gpu_dist[(size_t)a * n + g] != hi->gpu_dist[(size_t)b * n + g])
                return false;
    }
    for (size_t i = 0; x->r->nic_vfs > 0 && i < x->host->n_nics; i++)
        if (hi->nic_dist[(size_t)a * x->host->n_nics + i] !=
            hi->nic_dist[(size_t)b * x->host->n_nics + i])
            return false;
    for (size_t i = 0; x->r->scratch_gib > 0 && i < x->host->n_nvme; i++)
        if (hi->nvme_dist[(size_t)a * x->host->n_nvme + i] !=
            hi->nvme_dist[(size_t)b * x->host->n_nvme + i])
            return false;
    return true;
}

static void
enum_groups_rec(eval_ctx *x, int members[][GV_HOST_MAX_GPUS], const int *g_size, int n_groups,
                int gi, int left, int *take)
{
    if (x->any_set && x->have_best)
        return;
    if (gi == n_groups) {
        int set[GV_REQ_MAX_GPUS], k = 0;

        if (left)
            return;
        /* the lowest-index members of each group, as one ascending set */
        for (int g = 0; g < n_groups; g++) {
            for (int m = 0; m < take[g]; m++) {
                int v = members[g][m], j = k++;
                while (j > 0 && set[j - 1] > v) {
                    set[j] = set[j - 1];
                    j--;
                }
                set[j] = v;
            }
        }
        try_set(x, set, k);
        return;
    }
    for (int t = g_size[gi] < left ? g_size[gi] : left; t >= 0; t--) {
        take[gi] = t;
        enum_groups_rec(x, members, g_size, n_groups, gi + 1, left - t, take);
    }
}

static void
enum_groups(eval_ctx *x, int k)
{
    int members[GV_HOST_MAX_GPUS][GV_HOST_MAX_GPUS];
    int g_size[GV_HOST_MAX_GPUS] = {0}, take[GV_HOST_MAX_GPUS];
    int n_groups = 0;

    for (int u = 0; u < x->n_usable; u++) {
        int g = x->usable[u], j;

        for (j = 0; j < n_groups && !same_group(x, members[j][0], g); j++)
            ;
        if (j == n_groups)
            n_groups++;
        members[j][g_size[j]++] = g;
    }
    enum_groups_rec(x, members, g_size, n_groups, 0, k, take);
}

static int
gpu_stage(eval_ctx *x, gv_candidate *c)
{
    const gv_request *r = x->r;
    const gv_host *host = x->host;
    int compatible = 0;

    x->n_usable = 0;
    for (size_t g = 0; g < host->n_gpus && g < GV_HOST_MAX_GPUS; g++) {
        int unit = gv_ask_unit(x->e, x->a, x->h, (int)g);
        /* another mode is only reachable by reconfiguring (never into SR-IOV) */
        bool mode_ok = unit >= 0 && (x->u->gpus[g].mode == (int)r->gpu.mode ||
                                     (host->reconfigurable && r->gpu.mode != GV_GPU_MODE_SRIOV));

        compatible += mode_ok;
        if (!mode_ok)
            continue;
        if (!x->a->reference) {
            if (!gv_gpu_unit_memo(x->e, x->h, (int)g, &x->u->gpus[g], x->a, &x->unit[g],
                                  &x->frag[g], &x->after[g]))
                continue;
        } else {
            gv_gpu_use t = x->u->gpus[g];

            if (!gv_gpu_unit(x->e, x->h, (int)g, &t, x->a, true, &x->unit[g]))
                continue;
            gv_gpu_pick_apply(&t, r, &x->unit[g]);
            x->frag[g] = gv_frag_gpu(x->e, x->h, (int)g, &t, true);
        }
        x->usable[x->n_usable++] = (int)g;
    }
    if (!compatible) {
        const char *what = r->gpu.mode == GV_GPU_MODE_MIG    ? r->gpu.profile
                           : r->gpu.mode == GV_GPU_MODE_VGPU ? r->gpu.vgpu_type
                                                             : gv_gpu_mode_to_string(r->gpu.mode);
        return fail(x, c, GV_REASON_GPU_MODEL, r->gpu.count, "no GPU %sfor %s%s (%zu GPU%s, %s)",
                    r->gpu.n_models ? "of the requested models " : "", what,
                    host->reconfigurable ? "" : " in its current mode", host->n_gpus,
                    host->n_gpus == 1 ? "" : "s", host->n_gpus ? host->gpus[0].model : "none");
    }
    if (x->n_usable < r->gpu.count) {
        char slices[96] = "";
        size_t len = 0;

        if (r->gpu.mode == GV_GPU_MODE_MIG) {
            for (size_t g = 0; x->detail && g < host->n_gpus && len + 8 < sizeof(slices); g++)
                if (x->u->gpus[g].mode == GV_GPU_MODE_MIG &&
                    gv_ask_unit(x->e, x->a, x->h, (int)g) != GV_ASK_REFUSED)
                    len += (size_t)snprintf(
                        slices + len, sizeof(slices) - len, "%s%lld", len ? ", " : "",
                        (long long)gv_gpu_free_milli(x->hi, (int)g, &x->u->gpus[g]) *
                            (x->hi->models[g] && x->hi->models[g]->mig
                                 ? x->hi->models[g]->mig->memory_slices
                                 : 8) /
                            1000);
            return fail(x, c, GV_REASON_GPU_FREE, r->gpu.count - x->n_usable,
                        "no free %s placement on %d of %d GPUs needed (free memory slices per "
                        "GPU: %s)",
                        r->gpu.profile, r->gpu.count - x->n_usable, r->gpu.count,
                        len ? slices : "none");
        }
        if (r->gpu.mode == GV_GPU_MODE_SHARE) {
            int64_t most = 0;

            for (size_t g = 0; g < host->n_gpus; g++)
                if (x->u->gpus[g].mode == GV_GPU_MODE_SHARE &&
                    1000 - x->u->gpus[g].used_milli > most)
                    most = 1000 - x->u->gpus[g].used_milli;
            return fail(x, c, GV_REASON_GPU_FREE, r->gpu.count - x->n_usable,
                        "%d of %d compatible GPUs have %d milli-GPUs free, %d needed (most free "
                        "on a shared GPU: %lld)",
                        x->n_usable, compatible, r->gpu.milli, r->gpu.count, (long long)most);
        }
        return fail(x, c, GV_REASON_GPU_FREE, r->gpu.count - x->n_usable,
                    "%d of %d compatible GPUs can take %s%s, needs %d", x->n_usable, compatible,
                    r->gpu.mode == GV_GPU_MODE_VGPU    ? "a vGPU of type "
                    : r->gpu.mode == GV_GPU_MODE_SRIOV ? "a VF"
                                                       : "a whole GPU",
                    r->gpu.mode == GV_GPU_MODE_VGPU ? r->gpu.vgpu_type : "", r->gpu.count);
    }
    return 0;
}

bool
gv_eval_fail_is_fixed(const gv_engine *e, size_t h, const gv_request *r, gv_reason reason)
{
    const gv_host_info *hi = &e->info[h];

    switch (reason) {
    case GV_REASON_STATE:
    case GV_REASON_POOL:
    case GV_REASON_ZONE:
    case GV_REASON_LABELS:
        /* attributes of the fleet, which the engine borrows unchanged (a host's state
         * changes only through gv_engine_set_host_state, which re-evaluates these) */
        return true;
    case GV_REASON_GPU_MODEL:
        /* the models never change and a GPU's mode changes only on a reconfigurable host,
         * which serves every mode but SR-IOV whatever its GPUs' modes are; but the filters
         * before this one depend on what runs on the host and on its datastore */
        return !r->anti_affinity[0] && (hi->mix_classes || r->class == GV_CLASS_NONE) &&
               (r->io != GV_IO_HEAVY || hi->datastore < 0) &&
               (!hi->host->reconfigurable || r->gpu.mode != GV_GPU_MODE_SRIOV);
    default:
        return false;
    }
}

void
gv_eval_host(const gv_engine *e, size_t h, const gv_ask *a, unsigned flags, gv_candidate *ret)
{
    const gv_request *r = a->r;
    eval_ctx x; /* not zeroed whole: its candidates and per-GPU arrays are written before read */
    gv_candidate *c = ret;

    x.e = e;
    x.h = h;
    x.hi = &e->info[h];
    x.host = e->info[h].host;
    x.u = &e->use[h];
    x.r = r;
    x.a = a;
    x.detail = (flags & GV_EVAL_DETAIL) != 0;
    x.any_set = (flags & GV_EVAL_VERDICT) && !(flags & GV_EVAL_REFERENCE) &&
                gv_score_total_reads(e->cfg.policy) == GV_TOTAL_HOST;
    x.n_usable = 0;
    x.topology_failed = 0;
    x.have_best = x.have_fail = false;
    memset(c, 0, offsetof(gv_candidate, picks));
    c->host = (int)h;
    c->nvme = -1;
    if (filter_host(&x, c) < 0)
        return;
    if (r->gpu.count == 0) {
        c->n_picks = 0;
        if (plan_cpu_mem(&x, c) < 0 || plan_nics(&x, c) < 0 || plan_scratch(&x, c) < 0)
            return;
        c->feasible = true;
    } else {
        if (gpu_stage(&x, c) < 0)
            return;
        if (flags & GV_EVAL_REFERENCE)
            enum_all(&x, r->gpu.count);
        else
            enum_groups(&x, r->gpu.count);
        if (!x.have_best) {
            if (x.have_fail) {
                memcpy(c, &x.fail, sizeof(x.fail));
            } else {
                fail(&x, c, GV_REASON_GPU_TOPOLOGY, r->gpu.count,
                     "%d free GPUs, but no %d of them %s", x.n_usable, r->gpu.count,
                     r->gpu.topology == GV_GPU_TOPO_NVLINK        ? "share an NVLink island"
                     : r->gpu.topology == GV_GPU_TOPO_SAME_SWITCH ? "sit under one PCIe switch"
                                                                  : "share a NUMA node");
            }
            c->host = (int)h;
            return;
        }
        memcpy(c, &x.best, sizeof(x.best));
    }
    if ((flags & GV_EVAL_VERDICT) && gv_score_total_reads(e->cfg.policy) != GV_TOTAL_MIX) {
        gv_score_verdict(e, r, c);
        return;
    }
    gv_score_candidate(e, r, (flags & GV_EVAL_REFERENCE) != 0,
                       a->reference || !r->gpu.count ? NULL : x.after, c);
}
