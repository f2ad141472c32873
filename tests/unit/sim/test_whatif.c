/*
 * test_whatif.c - the what-if replay (src/core/sim/whatif*.c): the stream format and its errors,
 * and replays of a tiny fleet whose outcome is worked out by hand below, under two policies
 * (bestfit and fgd) that decide the first request differently; then the invariants of
 * whatif.h and determinism on the shipped example (data/whatif/), under every policy.
 *
 * The fleet: pool train = t1 (16 cores, 4 GPUs), t2 (4 cores, 2 GPUs, label size=small) and t3
 * (like t2, in maintenance); pool infer = i1 (2 NUMA nodes of 2 cores and 16 GiB, its one GPU
 * on node 0). All GPUs are A30s by passthrough; every request is 1 dedicated vCPU and 1 GiB
 * unless it says otherwise.
 *
 *   line  name  at  until  asks
 *   1     A      0  50     1 GPU, pool train
 *   2     V      5  -      1 GPU, pool infer, 3 vCPUs (numa preferred), 4 GiB
 *   3     C     10  -      4 GPUs, pool train
 *   4     W     15  -      as V
 *   5     B     20  60     2 GPUs, pool train
 *   6     X     25  -      4 GPUs, any pool
 *   7     N     30  40     no GPU, 3 vCPUs, pool train, label size=small (so: t2)
 *   8     D     50  -      2 GPUs, pool train
 *
 * Typical shapes: the GPU requests are A, V, C, W, B, X, D; V=W and B=D, so 5 shapes (2+2+1+1+1
 * of 7: four cover 6/7 < 95%, so all five).
 *
 * bestfit (the least free CPU and GPU left, normalised by 128 CPUs and 8 GPUs): A on t2 (92
 * points) beats t1 (75): t2 then has 1 GPU and 3 cores free. V on i1, the only infer host: 2
 * vCPUs on node 0, the third on node 1 (a NUMA violation of 1 vCPU). C: only t1 has 4 GPUs. W:
 * i1's GPU is taken (gpu-free). B: t1 has 0 GPUs free, t2 1 (gpu-free). X: no host has 4 free
 * (gpu-free, counted in "-": it named no pool). N takes t2's last 3 cores: t2's free GPU is
 * stranded (every typical shape needs a vCPU) from 30 to 40, when N leaves. At 50 A leaves
 * first, so D finds t2's 2 GPUs free. B's departure at 60 does nothing: it was rejected.
 *   allocated (GPUs) after each event: A 1, V 2, C 6, W 6, B 6, X 6, N 6, -N 6, -A 5, D 7,
 *   at times 0 5 10 15 20 25 30 40 50 50: mean over 0..50 = (1x5 + 2x5 + 6x40) / 50 = 5.1,
 *   peak 7; stranded: 1 GPU from 30 to 40: peak 1, mean 10/50 = 0.2. Pool train: allocated 1
 *   1 5 5 5 5 5 5 4 6: mean (1x10 + 5x40) / 50 = 4.2, peak 6; infer: 0 then 1 from 5: mean
 *   45/50 = 0.9. Running peak 4 (A V C N at 30), in train 3.
 *
 * fgd (the least change of fragmentation for the prior mix, one whole GPU: every placement
 * here changes nothing, so the tie goes to the smaller name): A on t1. V on i1. C: t1 has 3
 * free, t2 2 (rejected). W rejected. B on t1 (tie). X rejected. N on t2 (1 core left: a 1-vCPU
 * shape still fits, nothing stranded). At 50 A leaves t1, D goes to t1 (tie); at 60 B leaves.
 *   allocated: A 1, V 2, C 2, W 2, B 4, X 4, N 4, -N 4, -A 3, D 5, -B 3 at 0 5 10 15 20 25 30
 *   40 50 50 60: mean over 0..60 = (1x5 + 2x15 + 4x30 + 5x10) / 60 = 205/60, peak 5; stranded
 *   0. Pool train: 1 from 0 to 20, 3 to 50, 4 to 60: (20 + 90 + 40) / 60 = 2.5, peak 4;
 *   infer: 55/60.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "gpuvm/discover.h"
#include "gpuvm/whatif.h"
#include "testlib.h"
#include "util/file.h"

static const char fleet_yaml[] =
    "pools:\n"
    "  train: {strategy: pack, mix_classes: true, cpu_overcommit: 1.0}\n"
    "  infer: {strategy: pack, mix_classes: true, cpu_overcommit: 1.0}\n"
    "templates:\n"
    "  big:\n"
    "    gpu_mode: passthrough\n"
    "    topology:\n"
    "      numa: [{id: 0, cores: [[0], [1], [2], [3], [4], [5], [6], [7],\n"
    "                             [8], [9], [10], [11], [12], [13], [14], [15]],\n"
    "              memory_mib: 65536}]\n"
    "      packages: [{id: 0, numa: [0]}]\n"
    "      pcie: [{name: hb0, kind: hostbridge, numa: 0}]\n"
    "      gpus:\n"
    "        - {pci: '41:00.0', vendor_id: '0x10de', device_id: '0x20b7', numa: 0,"
    " pcie_parent: hb0}\n"
    "        - {pci: '42:00.0', vendor_id: '0x10de', device_id: '0x20b7', numa: 0,"
    " pcie_parent: hb0}\n"
    "        - {pci: '43:00.0', vendor_id: '0x10de', device_id: '0x20b7', numa: 0,"
    " pcie_parent: hb0}\n"
    "        - {pci: '44:00.0', vendor_id: '0x10de', device_id: '0x20b7', numa: 0,"
    " pcie_parent: hb0}\n"
    "  small:\n"
    "    gpu_mode: passthrough\n"
    "    labels: {size: small}\n"
    "    topology:\n"
    "      numa: [{id: 0, cores: [[0], [1], [2], [3]], memory_mib: 65536}]\n"
    "      packages: [{id: 0, numa: [0]}]\n"
    "      pcie: [{name: hb0, kind: hostbridge, numa: 0}]\n"
    "      gpus:\n"
    "        - {pci: '41:00.0', vendor_id: '0x10de', device_id: '0x20b7', numa: 0,"
    " pcie_parent: hb0}\n"
    "        - {pci: '42:00.0', vendor_id: '0x10de', device_id: '0x20b7', numa: 0,"
    " pcie_parent: hb0}\n"
    "  split:\n"
    "    gpu_mode: passthrough\n"
    "    topology:\n"
    "      numa: [{id: 0, cores: [[0], [1]], memory_mib: 16384},\n"
    "             {id: 1, cores: [[2], [3]], memory_mib: 16384}]\n"
    "      packages: [{id: 0, numa: [0, 1]}]\n"
    "      pcie: [{name: hb0, kind: hostbridge, numa: 0}]\n"
    "      gpus:\n"
    "        - {pci: '41:00.0', vendor_id: '0x10de', device_id: '0x20b7', numa: 0,"
    " pcie_parent: hb0}\n"
    "hosts:\n"
    "  - {name: t1, template: big, pool: train}\n"
    "  - {name: t2, template: small, pool: train}\n"
    "  - {name: t3, template: small, pool: train, state: maintenance}\n"
    "  - {name: i1, template: split, pool: infer}\n";

#define PT "\"gpu\": {\"mode\": \"passthrough\", \"count\": "

static const char stream_jsonl[] =
    "{\"at\": 0, \"until\": 50, \"request\": {\"name\": \"A\", \"pool\": \"train\", " PT "1}}}\n"
    "{\"at\": 5, \"request\": {\"name\": \"V\", \"pool\": \"infer\", \"vcpus\": 3, "
    "\"memory_mib\": 4096, " PT "1}}}\n"
    "{\"at\": 10, \"request\": {\"name\": \"C\", \"pool\": \"train\", " PT "4}}}\n"
    "{\"at\": 15, \"request\": {\"name\": \"W\", \"pool\": \"infer\", \"vcpus\": 3, "
    "\"memory_mib\": 4096, " PT "1}}}\n"
    "{\"at\": 20, \"until\": 60, \"request\": {\"name\": \"B\", \"pool\": \"train\", " PT "2}}}\n"
    "{\"at\": 25, \"request\": {\"name\": \"X\", " PT "4}}}\n"
    "{\"at\": 30, \"until\": 40, \"request\": {\"name\": \"N\", \"pool\": \"train\", "
    "\"vcpus\": 3, \"labels\": {\"size\": \"small\"}}}\n"
    "{\"at\": 50, \"request\": {\"name\": \"D\", \"pool\": \"train\", " PT "2}}}\n";

typedef struct fixture {
    gv_catalog *cat;
    gv_fleet *fleet;
} fixture;

static int
setup(void **state)
{
    fixture *fx = GV_NEW0(fixture);
    gv_err err = {0};

    fx->cat = gv_test_shipped_catalog();
    if (gv_fleet_parse(fleet_yaml, strlen(fleet_yaml), "fleet.yaml", fx->cat, &fx->fleet, &err) <
        0) {
        fprintf(stderr, "%s: %s\n", err.where, err.msg);
        return -1;
    }
    *state = fx;
    return 0;
}

static int
teardown(void **state)
{
    fixture *fx = *state;

    gv_fleet_free(fx->fleet);
    gv_catalog_free(fx->cat);
    free(fx);
    return 0;
}

static void
parse_stream(const char *text, gv_whatif_stream *s)
{
    gv_err err = {0};

    if (gv_whatif_stream_parse(text, strlen(text), "s.jsonl", NULL, NULL, s, &err) < 0)
        fail_msg("%s: %s", err.where, err.msg);
}

/* whatif.h's invariants, on any result of @s over @f. */
static void
check_invariants(const gv_fleet *f, const gv_whatif_stream *s, const gv_whatif_result *r)
{
    gv_whatif_totals sum = {0};
    size_t departed = 0;
    int64_t capacity = 0;

    for (size_t h = 0; h < f->n_hosts; h++)
        capacity += 1000 * (int64_t)f->hosts[h]->n_gpus;
    assert_int_equal(r->total.gpu_milli, capacity);
    assert_int_equal(r->total.n_hosts, f->n_hosts);
    assert_int_equal(r->total.requests, s->n);
    assert_int_equal(r->total.requests, r->total.placed + r->total.rejected);
    assert_true(r->total.departed <= r->total.placed);
    for (size_t p = 0; p < r->n_pools; p++) {
        const gv_whatif_totals *t = &r->pools[p].t;
        size_t by = 0;

        assert_int_equal(t->requests, t->placed + t->rejected);
        for (int k = 0; k < GV_REASON_LAST; k++) {
            by += t->rejected_by[k];
            sum.rejected_by[k] += t->rejected_by[k];
        }
        assert_int_equal(by, t->rejected);
        assert_true(t->stranded_peak_milli <= t->gpu_milli);
        assert_true(t->alloc_peak_milli <= t->gpu_milli);
        sum.n_hosts += t->n_hosts;
        sum.gpu_milli += t->gpu_milli;
        sum.requests += t->requests;
        sum.placed += t->placed;
        sum.rejected += t->rejected;
        sum.departed += t->departed;
        sum.numa_violations += t->numa_violations;
    }
    assert_int_equal(sum.n_hosts, r->total.n_hosts);
    assert_int_equal(sum.gpu_milli, r->total.gpu_milli);
    assert_int_equal(sum.requests, r->total.requests);
    assert_int_equal(sum.placed, r->total.placed);
    assert_int_equal(sum.rejected, r->total.rejected);
    assert_int_equal(sum.departed, r->total.departed);
    assert_int_equal(sum.numa_violations, r->total.numa_violations);
    assert_memory_equal(sum.rejected_by, r->total.rejected_by, sizeof(sum.rejected_by));
    for (size_t k = 0; k < r->n_points; k++) {
        const gv_whatif_point *pt = &r->points[k];
        int64_t a = 0, st = 0;

        if (k)
            assert_true(pt->time >= r->points[k - 1].time);
        departed += pt->event == GV_WHATIF_RELEASED;
        assert_int_equal(pt->running, pt->placed - departed);
        for (size_t p = 0; p < r->n_pools; p++) {
            int64_t pa = r->pool_alloc_milli[k * r->n_pools + p];
            int64_t ps = r->pool_stranded_milli[k * r->n_pools + p];

            assert_true(pa >= 0 && ps >= 0);
            assert_true(pa + ps <= r->pools[p].t.gpu_milli);
            a += pa;
            st += ps;
        }
        assert_int_equal(a, pt->alloc_milli);
        assert_int_equal(st, pt->stranded_milli);
    }
    assert_int_equal(departed, r->total.departed);
    if (r->n_points) {
        assert_int_equal(r->points[r->n_points - 1].placed, r->total.placed);
        assert_int_equal(r->points[r->n_points - 1].rejected, r->total.rejected);
    }
}

static void
run(const fixture *fx, const gv_whatif_stream *s, gv_place_policy policy, gv_whatif_result *r)
{
    gv_place_config cfg;
    gv_err err = {0};

    gv_place_config_init(&cfg);
    cfg.policy = policy;
    if (gv_whatif_run(fx->fleet, fx->cat, &cfg, s, r, &err) < 0)
        fail_msg("%s: %s", err.where, err.msg);
    check_invariants(fx->fleet, s, r);
}

/* One expected event: time, what, which request, on which host ("" when rejected). */
typedef struct want_event {
    double time;
    gv_whatif_event event;
    const char *vm, *host;
} want_event;

static void
check_events(const fixture *fx, const gv_whatif_stream *s, const gv_whatif_result *r,
             const want_event *want, size_t n)
{
    assert_int_equal(r->n_points, n);
    for (size_t k = 0; k < n; k++) {
        const gv_whatif_point *pt = &r->points[k];

        assert_true(pt->time == want[k].time);
        assert_int_equal(pt->event, want[k].event);
        assert_string_equal(s->v[pt->request].request.name, want[k].vm);
        assert_string_equal(pt->host >= 0 ? fx->fleet->hosts[pt->host]->name : "", want[k].host);
        if (pt->event == GV_WHATIF_REJECTED)
            assert_int_equal(pt->reason, GV_REASON_GPU_FREE);
    }
}

typedef struct want_totals {
    size_t hosts;
    int64_t gpu_milli;
    size_t requests, placed, rejected, departed, running_peak, numa;
    int64_t alloc_peak;
    double alloc_mean;
    int64_t stranded_peak;
    double stranded_mean;
} want_totals;

static void
check_totals(const gv_whatif_totals *t, const want_totals *w)
{
    assert_int_equal(t->n_hosts, w->hosts);
    assert_int_equal(t->gpu_milli, w->gpu_milli);
    assert_int_equal(t->requests, w->requests);
    assert_int_equal(t->placed, w->placed);
    assert_int_equal(t->rejected, w->rejected);
    assert_int_equal(t->rejected_by[GV_REASON_GPU_FREE], w->rejected);
    assert_int_equal(t->departed, w->departed);
    assert_int_equal(t->running_peak, w->running_peak);
    assert_int_equal(t->numa_violations, w->numa);
    assert_int_equal(t->alloc_peak_milli, w->alloc_peak);
    assert_float_equal(t->alloc_mean_milli, w->alloc_mean, 1e-6);
    assert_int_equal(t->stranded_peak_milli, w->stranded_peak);
    assert_float_equal(t->stranded_mean_milli, w->stranded_mean, 1e-6);
}

static const gv_whatif_totals *
pool(const gv_whatif_result *r, const char *name)
{
    const gv_whatif_pool *p = gv_whatif_result_pool(r, name);

    assert_non_null(p);
    return &p->t;
}

static void
test_bestfit(void **state)
{
    const fixture *fx = *state;
    gv_whatif_stream s = {0};
    gv_whatif_result r = {0};
    static const want_event events[] = {
        {0, GV_WHATIF_PLACED, "A", "t2"},    {5, GV_WHATIF_PLACED, "V", "i1"},
        {10, GV_WHATIF_PLACED, "C", "t1"},   {15, GV_WHATIF_REJECTED, "W", ""},
        {20, GV_WHATIF_REJECTED, "B", ""},   {25, GV_WHATIF_REJECTED, "X", ""},
        {30, GV_WHATIF_PLACED, "N", "t2"},   {40, GV_WHATIF_RELEASED, "N", "t2"},
        {50, GV_WHATIF_RELEASED, "A", "t2"}, {50, GV_WHATIF_PLACED, "D", "t2"},
    };
    static const int64_t alloc[] = {1000, 2000, 6000, 6000, 6000, 6000, 6000, 6000, 5000, 7000};
    static const int64_t stranded[] = {0, 0, 0, 0, 0, 0, 1000, 0, 0, 0};

    parse_stream(stream_jsonl, &s);
    run(fx, &s, GV_POLICY_BESTFIT, &r);
    check_events(fx, &s, &r, events, GV_N_ELEMENTS(events));
    for (size_t k = 0; k < GV_N_ELEMENTS(alloc); k++) {
        assert_int_equal(r.points[k].alloc_milli, alloc[k]);
        assert_int_equal(r.points[k].stranded_milli, stranded[k]);
    }
    assert_int_equal(r.n_typical, 5);
    check_totals(&r.total, &(want_totals){.hosts = 4,
                                          .gpu_milli = 9000,
                                          .requests = 8,
                                          .placed = 5,
                                          .rejected = 3,
                                          .departed = 2,
                                          .running_peak = 4,
                                          .numa = 1,
                                          .alloc_peak = 7000,
                                          .alloc_mean = 5100,
                                          .stranded_peak = 1000,
                                          .stranded_mean = 200});
    /* the fleet's pools in order, then "-" for X */
    assert_int_equal(r.n_pools, 3);
    assert_string_equal(r.pools[0].name, "train");
    assert_string_equal(r.pools[1].name, "infer");
    assert_string_equal(r.pools[2].name, GV_WHATIF_NO_POOL);
    check_totals(pool(&r, "train"), &(want_totals){.hosts = 3,
                                                   .gpu_milli = 8000,
                                                   .requests = 5,
                                                   .placed = 4,
                                                   .rejected = 1,
                                                   .departed = 2,
                                                   .running_peak = 3,
                                                   .alloc_peak = 6000,
                                                   .alloc_mean = 4200,
                                                   .stranded_peak = 1000,
                                                   .stranded_mean = 200});
    check_totals(pool(&r, "infer"), &(want_totals){.hosts = 1,
                                                   .gpu_milli = 1000,
                                                   .requests = 2,
                                                   .placed = 1,
                                                   .rejected = 1,
                                                   .running_peak = 1,
                                                   .numa = 1,
                                                   .alloc_peak = 1000,
                                                   .alloc_mean = 900});
    check_totals(pool(&r, GV_WHATIF_NO_POOL), &(want_totals){.requests = 1, .rejected = 1});
    /* V: 2 vCPUs beside its GPU on node 0, the third on node 1; memory all on node 0 */
    assert_int_equal(r.total.violation_amount[GV_VIOLATION_VCPU], 1);
    assert_int_equal(r.total.violation_amount[GV_VIOLATION_MEMORY], 0);
    assert_int_equal(pool(&r, "infer")->violation_amount[GV_VIOLATION_VCPU], 1);
    gv_whatif_result_clear(&r);
    gv_whatif_stream_clear(&s);
}

static void
test_fgd(void **state)
{
    const fixture *fx = *state;
    gv_whatif_stream s = {0};
    gv_whatif_result r = {0};
    static const want_event events[] = {
        {0, GV_WHATIF_PLACED, "A", "t1"},    {5, GV_WHATIF_PLACED, "V", "i1"},
        {10, GV_WHATIF_REJECTED, "C", ""},   {15, GV_WHATIF_REJECTED, "W", ""},
        {20, GV_WHATIF_PLACED, "B", "t1"},   {25, GV_WHATIF_REJECTED, "X", ""},
        {30, GV_WHATIF_PLACED, "N", "t2"},   {40, GV_WHATIF_RELEASED, "N", "t2"},
        {50, GV_WHATIF_RELEASED, "A", "t1"}, {50, GV_WHATIF_PLACED, "D", "t1"},
        {60, GV_WHATIF_RELEASED, "B", "t1"},
    };

    parse_stream(stream_jsonl, &s);
    run(fx, &s, GV_POLICY_FGD, &r);
    check_events(fx, &s, &r, events, GV_N_ELEMENTS(events));
    check_totals(&r.total, &(want_totals){.hosts = 4,
                                          .gpu_milli = 9000,
                                          .requests = 8,
                                          .placed = 5,
                                          .rejected = 3,
                                          .departed = 3,
                                          .running_peak = 4,
                                          .numa = 1,
                                          .alloc_peak = 5000,
                                          .alloc_mean = 205000.0 / 60});
    check_totals(pool(&r, "train"), &(want_totals){.hosts = 3,
                                                   .gpu_milli = 8000,
                                                   .requests = 5,
                                                   .placed = 4,
                                                   .rejected = 1,
                                                   .departed = 3,
                                                   .running_peak = 3,
                                                   .alloc_peak = 4000,
                                                   .alloc_mean = 2500});
    check_totals(pool(&r, "infer"), &(want_totals){.hosts = 1,
                                                   .gpu_milli = 1000,
                                                   .requests = 2,
                                                   .placed = 1,
                                                   .rejected = 1,
                                                   .running_peak = 1,
                                                   .numa = 1,
                                                   .alloc_peak = 1000,
                                                   .alloc_mean = 55000.0 / 60});
    gv_whatif_result_clear(&r);
    gv_whatif_stream_clear(&s);
}

/* The two policies side by side, as --compare shows them: the same counts, but bestfit keeps
 * t1 whole for the 4-GPU C and fgd does not, so bestfit holds more GPUs and, while N has t2's
 * cores, strands one. */
static void
test_compare_policies(void **state)
{
    const fixture *fx = *state;
    gv_whatif_stream s = {0};
    gv_whatif_result a = {0}, b = {0};

    parse_stream(stream_jsonl, &s);
    run(fx, &s, GV_POLICY_BESTFIT, &a);
    run(fx, &s, GV_POLICY_FGD, &b);
    assert_int_equal(b.total.placed, a.total.placed);
    assert_int_equal(b.total.rejected, a.total.rejected);
    assert_int_equal(b.total.departed - a.total.departed, 1); /* B placed, and left at 60 */
    assert_int_equal(b.total.alloc_peak_milli - a.total.alloc_peak_milli, -2000);
    assert_int_equal(b.total.stranded_peak_milli - a.total.stranded_peak_milli, -1000);
    assert_float_equal(b.total.alloc_mean_milli - a.total.alloc_mean_milli, 205000.0 / 60 - 5100,
                       1e-6);
    /* which requests were turned away differs: B under bestfit, C under fgd */
    assert_int_equal(a.points[4].event, GV_WHATIF_REJECTED);
    assert_string_equal(s.v[a.points[4].request].request.name, "B");
    assert_int_equal(b.points[2].event, GV_WHATIF_REJECTED);
    assert_string_equal(s.v[b.points[2].request].request.name, "C");
    gv_whatif_result_clear(&a);
    gv_whatif_result_clear(&b);
    gv_whatif_stream_clear(&s);
}

/* D fits at 50 only because A leaves at 50 first; when A stays one second longer, D is
 * rejected (t1 full, t2 with one GPU) and A's departure comes after it. */
static void
test_departure_frees_room(void **state)
{
    const fixture *fx = *state;
    gv_whatif_stream s = {0};
    gv_whatif_result r = {0};
    const gv_whatif_point *last;

    parse_stream(stream_jsonl, &s);
    s.v[0].until = 51;
    run(fx, &s, GV_POLICY_BESTFIT, &r);
    assert_int_equal(r.n_points, 10);
    assert_int_equal(r.points[8].event, GV_WHATIF_REJECTED);
    assert_string_equal(s.v[r.points[8].request].request.name, "D");
    last = &r.points[9];
    assert_int_equal(last->event, GV_WHATIF_RELEASED);
    assert_true(last->time == 51);
    assert_string_equal(s.v[last->request].request.name, "A");
    assert_int_equal(r.total.placed, 4);
    assert_int_equal(r.total.rejected, 4);
    assert_int_equal(pool(&r, "train")->rejected, 2);
    gv_whatif_result_clear(&r);
    gv_whatif_stream_clear(&s);
}

/* Arrivals at one time go in input order: the first of two 4-GPU requests gets t1. Lines out of
 * time order are sorted by time. */
static void
test_ties_in_input_order(void **state)
{
    const fixture *fx = *state;
    static const char text[] =
        "{\"at\": 7, \"request\": {\"name\": \"late\", " PT "1}}}\n"
        "{\"at\": 3, \"request\": {\"name\": \"first\", \"pool\": \"train\", " PT "4}}}\n"
        "{\"at\": 3, \"request\": {\"name\": \"second\", \"pool\": \"train\", " PT "4}}}\n";
    gv_whatif_stream s = {0};
    gv_whatif_result r = {0};

    parse_stream(text, &s);
    run(fx, &s, GV_POLICY_GPUVM, &r);
    assert_int_equal(r.n_points, 3);
    assert_string_equal(s.v[r.points[0].request].request.name, "first");
    assert_int_equal(r.points[0].event, GV_WHATIF_PLACED);
    assert_string_equal(s.v[r.points[1].request].request.name, "second");
    assert_int_equal(r.points[1].event, GV_WHATIF_REJECTED);
    assert_string_equal(s.v[r.points[2].request].request.name, "late");
    /* only "late" named no pool, and it was placed: no "-" row */
    assert_int_equal(r.n_pools, 2);
    assert_null(gv_whatif_result_pool(&r, GV_WHATIF_NO_POOL));
    gv_whatif_result_clear(&r);
    gv_whatif_stream_clear(&s);
}

/* A shape the fleet does not have is an error at its line, and nothing is run. */
static void
test_run_checks_requests(void **state)
{
    const fixture *fx = *state;
    static const char text[] =
        "{\"at\": 0, \"request\": {\"name\": \"ok\", " PT "1}}}\n"
        "# the fleet has only A30s\n"
        "{\"at\": 1, \"request\": {\"name\": \"h\", \"gpu\": {\"mode\": \"passthrough\", "
        "\"models\": [\"H100-SXM5-80GB\"]}}}\n";
    gv_whatif_stream s = {0};
    gv_whatif_result r = {.n_points = 42};
    gv_err err = {0};

    parse_stream(text, &s);
    assert_int_equal(gv_whatif_run(fx->fleet, fx->cat, NULL, &s, &r, &err), -GV_E_INVAL);
    assert_string_equal(err.where, "s.jsonl:3");
    assert_non_null(strstr(err.msg, "request: gpu.models[0]"));
    assert_int_equal(r.n_points, 42);
    gv_whatif_stream_clear(&s);
}

static int
test_flavor(const char *name, void *userdata, gv_request *ret, gv_err *err)
{
    (void)userdata;
    if (strcmp(name, "tiny"))
        return gv_err_set(err, GV_E_NOTFOUND, "flavors/x.yaml", "no flavor '%s'", name);
    gv_request_init(ret);
    ret->vcpus = 2;
    ret->memory_mib = 2048;
    ret->gpu.count = 1;
    ret->gpu.mode = GV_GPU_MODE_PASSTHROUGH;
    return 0;
}

static void
test_stream_format(void **state)
{
    static const char text[] = "\n"
                               "  # a comment\n"
                               "{\"at\": 1.5, \"until\": null, \"flavor\": \"tiny\"}\r\n"
                               "{\"at\": 2, \"until\": 2.25, \"flavor\": \"tiny\", "
                               "\"request\": {\"name\": \"n\", \"vcpus\": 4}}\n"
                               "{\"at\": 0, \"request\": {}}";
    gv_whatif_stream s = {0};
    gv_err err = {0};

    (void)state;
    assert_int_equal(
        gv_whatif_stream_parse(text, strlen(text), "f.jsonl", test_flavor, NULL, &s, &err), 0);
    assert_string_equal(s.source, "f.jsonl");
    assert_int_equal(s.n, 3);
    /* line 3: the flavor alone, named after its line, stays */
    assert_int_equal(s.v[0].line, 3);
    assert_string_equal(s.v[0].request.name, "line-3");
    assert_true(s.v[0].at == 1.5);
    assert_false(s.v[0].has_until);
    assert_int_equal(s.v[0].request.vcpus, 2);
    assert_int_equal(s.v[0].request.gpu.count, 1);
    /* line 4: the request over the flavor */
    assert_string_equal(s.v[1].request.name, "n");
    assert_true(s.v[1].has_until && s.v[1].until == 2.25);
    assert_int_equal(s.v[1].request.vcpus, 4);
    assert_int_equal(s.v[1].request.memory_mib, 2048);
    /* line 5: the defaults */
    assert_string_equal(s.v[2].request.name, "line-5");
    assert_int_equal(s.v[2].request.vcpus, 1);
    assert_int_equal(s.v[2].request.gpu.count, 0);
    gv_whatif_stream_clear(&s);
}

static void
test_stream_errors(void **state)
{
    static const struct {
        const char *text;
        int code;
        const char *where, *msg; /* msg: a part of the message */
    } cases[] = {
        {"{\"at\": 0, \"request\": {}}\n{\"at\": 1, \"request\": {\"name\": \"x\"\n", GV_E_PARSE,
         "e.jsonl:2", "column"},
        {"{\"at\": 10, \"until\": 5, \"request\": {}}\n", GV_E_INVAL, "e.jsonl:1",
         "until: the departure (5) is not after the arrival (10)"},
        {"{\"at\": 10, \"until\": 10, \"request\": {}}\n", GV_E_INVAL, "e.jsonl:1", "until:"},
        {"{\"at\": -1, \"request\": {}}\n", GV_E_INVAL, "e.jsonl:1", "at: -1 is not in"},
        {"{\"at\": \"noon\", \"request\": {}}\n", GV_E_INVAL, "e.jsonl:1", "at: expected a number"},
        {"{\"request\": {}}\n", GV_E_INVAL, "e.jsonl:1", "at: required"},
        {"{\"at\": 0}\n", GV_E_INVAL, "e.jsonl:1", "request: required"},
        {"{\"at\": 0, \"request\": {}, \"when\": 3}\n", GV_E_INVAL, "e.jsonl:1",
         "'when': unknown key"},
        {"[1, 2]\n", GV_E_INVAL, "e.jsonl:1", "expected an object"},
        {"{\"at\": 0, \"request\": {\"gpu\": {\"mode\": \"mig\", \"count\": 99}}}\n", GV_E_INVAL,
         "e.jsonl:1: request", "gpu.count"},
        {"{\"at\": 0, \"request\": 7}\n", GV_E_INVAL, "e.jsonl:1", "request: expected an object"},
        {"{\"at\": 0, \"request\": {\"name\": \"x\"}}\n\n{\"at\": 0, \"request\": {}}\n"
         "{\"at\": 1, \"request\": {\"name\": \"x\"}}\n",
         GV_E_INVAL, "e.jsonl:4", "'x' is already used on line 1"},
        {"{\"at\": 0, \"flavor\": \"tiny\"}\n", GV_E_INVAL, "e.jsonl:1", "flavor: no flavors"},
        {"{\"at\": 0, \"at\": 1, \"request\": {}}\n", GV_E_PARSE, "e.jsonl:1", "duplicate"},
    };

    (void)state;
    for (size_t i = 0; i < GV_N_ELEMENTS(cases); i++) {
        gv_whatif_stream s = {.n = 99};
        gv_err err = {0};
        int rc = gv_whatif_stream_parse(cases[i].text, strlen(cases[i].text), "e.jsonl", NULL, NULL,
                                        &s, &err);

        if (rc != -cases[i].code || strcmp(err.where, cases[i].where) ||
            !strstr(err.msg, cases[i].msg))
            fail_msg("case %zu: %d %s: %s", i, rc, err.where, err.msg);
        assert_int_equal(s.n, 99); /* untouched */
    }
    {
        /* a flavor that does not resolve: the line, and the resolver's own reason */
        static const char text[] = "{\"at\": 0, \"flavor\": \"big\"}\n";
        gv_whatif_stream s = {0};
        gv_err err = {0};

        assert_int_equal(
            gv_whatif_stream_parse(text, strlen(text), "e.jsonl", test_flavor, NULL, &s, &err),
            -GV_E_NOTFOUND);
        assert_string_equal(err.where, "e.jsonl:1");
        assert_string_equal(err.msg, "flavor: flavors/x.yaml: no flavor 'big'");
    }
}

/* The shipped flavors, data/flavors/NAME.yaml, as `gpuvm sim` resolves them. */
static int
shipped_flavor(const char *name, void *userdata, gv_request *ret, gv_err *err)
{
    GV_AUTOFREE char *rel = gv_asprintf("data/flavors/%s.yaml", name);
    GV_AUTOFREE char *path = gv_test_src(rel);
    GV_AUTOFREE char *text = NULL;
    gv_request defaults;
    size_t len;
    int rc;

    (void)userdata;
    gv_request_init(&defaults);
    if ((rc = gv_file_read(path, GV_FILE_MAX_BYTES, &text, &len, err)) < 0)
        return rc;
    return gv_request_parse_yaml(text, len, path, &defaults, ret, err);
}

/* The shipped example, under every policy: the invariants, and the same result twice. */
static void
test_example_every_policy(void **state)
{
    const fixture *fx = *state;
    GV_AUTOFREE char *fleet_path = gv_test_src("data/whatif/fleet.yaml");
    GV_AUTOFREE char *req_path = gv_test_src("data/whatif/requests.jsonl");
    GV_AUTOFREE char *text = NULL;
    GV_AUTOPTR(gv_fleet) f = NULL;
    gv_whatif_stream s = {0};
    gv_err err = {0};
    size_t len = 0;
    fixture ex = {.cat = fx->cat};

    if (gv_fleet_file_load(fleet_path, fx->cat, &f, &err) < 0 ||
        gv_file_read(req_path, GV_FILE_MAX_BYTES, &text, &len, &err) < 0)
        fail_msg("%s: %s", err.where, err.msg);
    ex.fleet = f;
    if (gv_whatif_stream_parse(text, len, req_path, NULL, NULL, &s, &err) == 0)
        fail_msg("the example names flavors: a stream without a resolver must refuse it");
    gv_err_clear(&err);
    if (gv_whatif_stream_parse(text, len, req_path, shipped_flavor, NULL, &s, &err) < 0)
        fail_msg("%s: %s", err.where, err.msg);
    assert_true(s.n >= 200);
    for (int p = 0; p < GV_POLICY_LAST; p++) {
        gv_whatif_result a = {0}, b = {0};

        run(&ex, &s, (gv_place_policy)p, &a);
        run(&ex, &s, (gv_place_policy)p, &b);
        assert_int_equal(a.n_points, b.n_points);
        assert_int_equal(a.n_pools, b.n_pools);
        assert_memory_equal(&a.total, &b.total, sizeof(a.total));
        assert_memory_equal(a.points, b.points, a.n_points * sizeof(*a.points));
        assert_memory_equal(a.pool_stranded_milli, b.pool_stranded_milli,
                            a.n_points * a.n_pools * sizeof(int64_t));
        /* a day of requests: some placed, every departure of a placed VM is an event */
        assert_true(a.total.placed > 0);
        gv_whatif_result_clear(&a);
        gv_whatif_result_clear(&b);
    }
    gv_whatif_stream_clear(&s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_format),
        cmocka_unit_test(test_stream_errors),
        cmocka_unit_test(test_bestfit),
        cmocka_unit_test(test_fgd),
        cmocka_unit_test(test_compare_policies),
        cmocka_unit_test(test_departure_frees_room),
        cmocka_unit_test(test_ties_in_input_order),
        cmocka_unit_test(test_run_checks_requests),
        cmocka_unit_test(test_example_every_policy),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
