/*
 * place_bench.c - how fast the placement engine decides on a large mixed fleet.
 *
 * The fleet: 10,000 hosts in four kinds, built from the example hosts in data/hosts/: 8-GPU H100
 * passthrough (DGX H100 topology), the same hosts with every GPU in MIG mode, L40S vGPU hosts
 * and MI300X SR-IOV hosts. The stream: a steady mix of requests of every attachment model and
 * releases that holds the fleet's GPU capacity between 70% and 95% allocated.
 *
 * Measured in one process, one thread:
 *   - the fast path: decisions per second and the latency distribution of one decision
 *     (every gv_engine_place call counts, placed or not);
 *   - the baseline: the exhaustive reference (GV_PLACE_REFERENCE) on an identical engine fed
 *     the same stream, checked to make the identical decision every time;
 *   - memory the engine's state and indexes take, per host.
 *
 *   bench/place_bench [HOSTS] [DECISIONS] [REFERENCE_DECISIONS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gpuvm/discover.h"
#include "gpuvm/place.h"
#include "util/file.h"

static unsigned rng = 12345;

static unsigned
rnd(void)
{
    rng = rng * 1103515245u + 12345u;
    return (rng >> 16) & 0x7fff;
}

static double
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static gv_host *
load_host(const char *srcdir, const char *name, const gv_catalog *cat)
{
    char path[4096];
    gv_fleet *f = NULL;
    gv_err err = {0};
    gv_host *h;

    snprintf(path, sizeof(path), "%s/data/hosts/%s.json", srcdir, name);
    if (gv_fleet_file_load(path, cat, &f, &err) < 0) {
        fprintf(stderr, "place_bench: %s: %s\n", err.where, err.msg);
        exit(2);
    }
    h = gv_host_copy(f->hosts[0], NULL);
    gv_fleet_free(f);
    return h;
}

static gv_fleet *
build_fleet(const char *srcdir, const gv_catalog *cat, int n)
{
    gv_host *tpl[4];
    gv_fleet *f = gv_fleet_new();
    gv_pool *p;

    /* training hosts back their VMs with 1G hugepages (3/4 of memory, as the example host);
     * the MIG inference hosts are the same machine without */
    tpl[0] = load_host(srcdir, "dgx-h100", cat);
    tpl[1] = load_host(srcdir, "dgx-h100-inference", cat);
    for (size_t g = 0; g < tpl[1]->n_gpus; g++)
        tpl[1]->gpus[g].mode = GV_GPU_MODE_MIG;
    tpl[2] = load_host(srcdir, "l40s-vgpu", cat);
    for (size_t g = 0; g < tpl[2]->n_gpus; g++)
        tpl[2]->gpus[g].mode = GV_GPU_MODE_VGPU;
    tpl[3] = load_host(srcdir, "mi300x-sriov", cat);
    for (size_t g = 0; g < tpl[3]->n_gpus; g++) {
        tpl[3]->gpus[g].mode = GV_GPU_MODE_SRIOV;
        tpl[3]->gpus[g].sriov_vfs = 8;
    }
    p = gv_fleet_set_pool(f, "training");
    p->strategy = GV_POOL_PACK;
    p->mix_classes = true;
    p->cpu_overcommit = 1.0;
    p = gv_fleet_set_pool(f, "inference");
    p->strategy = GV_POOL_SPREAD;
    p->mix_classes = true;
    p->cpu_overcommit = 4.0;
    for (int i = 0; i < n; i++) {
        char name[64];
        int k = getenv("GV_BENCH_KIND") ? atoi(getenv("GV_BENCH_KIND")) : i % 4;
        gv_host *h;

        snprintf(name, sizeof(name), "%s-%05d",
                 k == 0   ? "pt"
                 : k == 1 ? "mig"
                 : k == 2 ? "vgpu"
                          : "sriov",
                 i);
        h = gv_host_copy(tpl[k], name);
        gv_host_set_str(&h->pool, k == 0 ? "training" : "inference");
        gv_host_set_str(&h->zone, i % 8 < 4 ? "z1" : "z2");
        h->reconfigurable = k == 1;
        /* vGPU hosts in equal-size mode, half for each vGPU size the stream asks for */
        for (size_t g = 0; k == 2 && g < h->n_gpus; g++)
            snprintf(h->gpus[g].vgpu_type, sizeof(h->gpus[g].vgpu_type), "%s",
                     i % 8 < 4 ? "L40S-8C" : "L40S-24C");
        gv_fleet_add_host(f, h, NULL);
    }
    for (int k = 0; k < 4; k++)
        gv_host_free(tpl[k]);
    return f;
}

#define N_SHAPES 12

static void
make_request(gv_request *r, unsigned serial)
{
    static const struct {
        int vcpus, mem_gib;
        gv_gpu_mode mode;
        int count;
        const char *what;
        gv_cpu_policy cpu;
        gv_hugepages hp;
    } shapes[N_SHAPES] = {
        {16, 128, GV_GPU_MODE_PASSTHROUGH, 1, "", GV_CPU_DEDICATED, GV_HUGEPAGES_1G},
        {32, 256, GV_GPU_MODE_PASSTHROUGH, 2, "", GV_CPU_DEDICATED, GV_HUGEPAGES_1G},
        {64, 512, GV_GPU_MODE_PASSTHROUGH, 4, "", GV_CPU_DEDICATED, GV_HUGEPAGES_1G},
        {8, 32, GV_GPU_MODE_MIG, 1, "1g.10gb", GV_CPU_SHARED, GV_HUGEPAGES_NONE},
        {8, 64, GV_GPU_MODE_MIG, 1, "2g.20gb", GV_CPU_SHARED, GV_HUGEPAGES_NONE},
        {16, 96, GV_GPU_MODE_MIG, 1, "3g.40gb", GV_CPU_DEDICATED, GV_HUGEPAGES_NONE},
        {24, 192, GV_GPU_MODE_MIG, 1, "7g.80gb", GV_CPU_DEDICATED, GV_HUGEPAGES_NONE},
        {4, 16, GV_GPU_MODE_VGPU, 1, "L40S-8C", GV_CPU_SHARED, GV_HUGEPAGES_NONE},
        {8, 32, GV_GPU_MODE_VGPU, 1, "L40S-24C", GV_CPU_SHARED, GV_HUGEPAGES_NONE},
        {4, 16, GV_GPU_MODE_SRIOV, 1, "", GV_CPU_SHARED, GV_HUGEPAGES_NONE},
        {8, 32, GV_GPU_MODE_SRIOV, 2, "", GV_CPU_SHARED, GV_HUGEPAGES_NONE},
        {4, 8, GV_GPU_MODE_PASSTHROUGH, 0, "", GV_CPU_SHARED, GV_HUGEPAGES_NONE},
    };
    static const int weight[N_SHAPES] = {14, 6, 3, 12, 8, 8, 3, 12, 8, 8, 3, 5};
    int pick = (int)(rnd() % 90), s = 0;

    while (pick >= weight[s]) {
        pick -= weight[s];
        s++;
    }
    gv_request_init(r);
    snprintf(r->name, sizeof(r->name), "vm-%u", serial);
    r->vcpus = shapes[s].vcpus;
    r->memory_mib = (int64_t)shapes[s].mem_gib * 1024;
    r->cpu_policy = shapes[s].cpu;
    r->hugepages = shapes[s].hp;
    r->numa_policy = GV_NUMA_POLICY_PREFERRED;
    r->gpu.count = shapes[s].count;
    r->gpu.mode = shapes[s].mode;
    if (shapes[s].mode == GV_GPU_MODE_MIG)
        snprintf(r->gpu.profile, sizeof(r->gpu.profile), "%s", shapes[s].what);
    if (shapes[s].mode == GV_GPU_MODE_VGPU)
        snprintf(r->gpu.vgpu_type, sizeof(r->gpu.vgpu_type), "%s", shapes[s].what);
    if (s < 3)
        r->nic_vfs = 1;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct stream {
    char (*live)[GV_REQ_NAME_LEN];
    size_t n_live;
    unsigned serial;
} stream;

/* One step of the stream: a release when above 95% (or by chance above 70%), else a request.
 * Returns 1 when the step was a decision. */
static int
step(gv_engine **es, int n_es, unsigned *flags, stream *s, bool fill, double *ret_ns, int *ret_rc)
{
    double util = gv_engine_gpu_utilization(es[0]);
    gv_err err = {0};

    if (!fill && s->n_live && (util > 0.95 || (util > 0.70 && rnd() % 100 < 45))) {
        size_t k = rnd() % s->n_live;
        for (int i = 0; i < n_es; i++) {
            double t0 = now_ns();
            gv_engine_release(es[i], s->live[k], &err);
            ret_ns[i] = now_ns() - t0;
        }
        memcpy(s->live[k], s->live[--s->n_live], sizeof(s->live[0]));
        return 0;
    } else {
        gv_request r;
        gv_place_result res[2];
        int rc[2] = {0, 0};

        make_request(&r, s->serial++);
        for (int i = 0; i < n_es; i++) {
            double t0 = now_ns();
            rc[i] = gv_engine_place(es[i], &r, flags[i], &res[i], &err);
            ret_ns[i] = now_ns() - t0;
        }
        if (n_es == 2) {
            if (rc[0] != rc[1] ||
                (rc[0] == 1 && strcmp(res[0].placement.host, res[1].placement.host))) {
                fprintf(stderr, "place_bench: fast path and reference disagree on %s\n", r.name);
                exit(1);
            }
        }
        if (rc[0] == 1)
            memcpy(s->live[s->n_live++], r.name, sizeof(s->live[0]));
        for (int i = 0; i < n_es; i++)
            gv_place_result_clear(&res[i]);
        *ret_rc = rc[0];
        return 1;
    }
}

int
main(int argc, char **argv)
{
    int n_hosts = argc > 1 ? atoi(argv[1]) : 10000;
    int n_decisions = argc > 2 ? atoi(argv[2]) : 200000;
    int n_ref = argc > 3 ? atoi(argv[3]) : 200;
    const char *srcdir = getenv("GV_SRCDIR") ? getenv("GV_SRCDIR") : ".";
    char path[4096];
    GV_AUTOFREE char *text = NULL;
    size_t len;
    gv_catalog *cat = NULL;
    gv_fleet *f;
    gv_engine *fast = NULL, *ref = NULL;
    gv_err err = {0};
    stream s = {0};
    double *lat, *lat_fail, t_fast = 0, t_ref = 0, warm_ns;
    int d = 0, placed = 0, rc = 0;
    unsigned flags[2] = {0, GV_PLACE_REFERENCE};

    snprintf(path, sizeof(path), "%s/data/catalog/gpus.yaml", srcdir);
    if (gv_file_read(path, GV_FILE_MAX_BYTES, &text, &len, &err) < 0 ||
        gv_catalog_parse(text, len, path, &cat, &err) < 0) {
        fprintf(stderr, "place_bench: %s: %s\n", err.where, err.msg);
        return 2;
    }
    f = build_fleet(srcdir, cat, n_hosts);
    if (gv_engine_new(f, cat, NULL, &fast, &err) < 0 ||
        gv_engine_new(f, cat, NULL, &ref, &err) < 0) {
        fprintf(stderr, "place_bench: %s: %s\n", err.where, err.msg);
        return 2;
    }
    s.live = calloc((size_t)n_decisions + (size_t)n_hosts * 64 + 1000, sizeof(*s.live));
    lat = calloc((size_t)n_decisions + 1, sizeof(double));
    lat_fail = calloc((size_t)n_decisions + 1, sizeof(double));

    /* fill to the 70-95% band; the reference engine follows with its fast path, so both see
     * the same stream (and learn the same mix) */
    warm_ns = now_ns();
    for (int tries = 0; gv_engine_gpu_utilization(fast) < 0.80; tries++) {
        gv_engine *two[2] = {fast, ref};
        if (tries > 50 * n_hosts) {
            fprintf(stderr, "place_bench: the stream cannot fill the fleet to 80%% (%.1f%%)\n",
                    100 * gv_engine_gpu_utilization(fast));
            return 1;
        }
        unsigned both_fast[2] = {0, 0};
        double ns[2];
        step(two, 2, both_fast, &s, true, ns, &rc);
    }
    warm_ns = now_ns() - warm_ns;
    /* baseline and fast path side by side on the same stream */
    for (int i = 0; i < n_ref;) {
        gv_engine *two[2] = {fast, ref};
        double ns[2];
        if (step(two, 2, flags, &s, false, ns, &rc)) {
            t_fast += ns[0];
            t_ref += ns[1];
            i++;
        }
    }
    printf("baseline: %d decisions with both paths, identical; fast %.1f us, reference %.1f us "
           "per decision\n",
           n_ref, t_fast / n_ref / 1e3, t_ref / n_ref / 1e3);
    gv_engine_free(ref);

    /* the fast path alone */
    {
        double total = 0, lo = 1, hi = 0, rel_total = 0;
        int n_fail = 0, n_rel = 0, mix_changes = 0;
        uint64_t mix_version;
        size_t n_mix;

        gv_engine_mix(fast, &n_mix, &mix_version);
        while (d < n_decisions) {
            gv_engine *one[1] = {fast};
            double ns[2];
            double u = gv_engine_gpu_utilization(fast);
            uint64_t v;
            lo = u < lo ? u : lo;
            hi = u > hi ? u : hi;
            if (step(one, 1, flags, &s, false, ns, &rc)) {
                lat[d++] = ns[0];
                total += ns[0];
                placed += rc == 1;
                if (rc != 1)
                    lat_fail[n_fail++] = ns[0];
            } else {
                rel_total += ns[0];
                n_rel++;
            }
            gv_engine_mix(fast, &n_mix, &v);
            mix_changes += v != mix_version;
            mix_version = v;
        }
        qsort(lat_fail, (size_t)n_fail, sizeof(double), cmp_double);
        if (n_fail)
            printf("decisions that found nothing: %d, p50 %.1f us, p99 %.1f us; releases: %d, "
                   "%.1f us each on average; the learned mix changed %d times\n",
                   n_fail, lat_fail[n_fail / 2] / 1e3, lat_fail[(size_t)(n_fail * 0.99)] / 1e3,
                   n_rel, n_rel ? rel_total / n_rel / 1e3 : 0, mix_changes);
        qsort(lat, (size_t)d, sizeof(double), cmp_double);
        printf("fleet: %d hosts (%d GPUs), warm-up to 80%% in %.2f s; utilisation during the run "
               "%.1f%%..%.1f%%\n",
               n_hosts, n_hosts / 4 * 32, warm_ns / 1e9, lo * 100, hi * 100);
        printf("fast path: %d decisions (%d placed) in %.3f s = %.0f decisions/s\n", d, placed,
               total / 1e9, d / (total / 1e9));
        printf("latency: p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us\n", lat[d / 2] / 1e3,
               lat[(size_t)(d * 0.99)] / 1e3, lat[(size_t)(d * 0.999)] / 1e3, lat[d - 1] / 1e3);
        printf("speed-up over the exhaustive reference: %.0fx (%.1f us vs %.1f us per decision)\n",
               t_ref / t_fast, t_fast / n_ref / 1e3, t_ref / n_ref / 1e3);
        printf("memory: %.1f KiB per host (engine state and indexes, %zu bytes in all)\n",
               gv_engine_memory_bytes(fast) / 1024.0 / n_hosts, gv_engine_memory_bytes(fast));
    }
    gv_engine_free(fast);
    gv_fleet_free(f);
    gv_catalog_free(cat);
    free(s.live);
    free(lat);
    free(lat_fail);
    return 0;
}
