/*
 * sim_bench.c - how fast one replay of the FGD study's experiment runs: the default trace of
 * Alibaba's GPU trace, one seed, one policy (the engine's own unless named), through the fast
 * path and, in the same process, through the exhaustive reference (every host scored afresh for
 * every pod, nothing cached), which must give the identical run.
 *
 *   bench/sim_bench [SEED] [POD_LIST] [POLICY]
 *
 * The trace comes from $GV_SHARED_DATA/alibaba-gpu-v2023 (default: $GV_SRCDIR/../shared/data).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gpuvm/sim.h"
#include "util/file.h"

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
load(const char *path, char **text, size_t *len)
{
    gv_err err = {0};

    if (gv_file_read(path, GV_FILE_MAX_BYTES, text, len, &err) < 0) {
        fprintf(stderr, "sim_bench: %s: %s\n", err.where, err.msg);
        return -1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 10) : 42;
    const char *pods_name = argc > 2 ? argv[2] : "openb_pod_list_default.csv";
    const char *policy = argc > 3 ? argv[3] : "gpuvm";
    const char *src = getenv("GV_SRCDIR") ? getenv("GV_SRCDIR") : ".";
    const char *shared = getenv("GV_SHARED_DATA");
    char dir[4096], np[4200], pp[4200], cat_path[4200];
    GV_AUTOFREE char *nt = NULL;
    GV_AUTOFREE char *pt = NULL;
    GV_AUTOFREE char *ct = NULL;
    size_t nl, pl, cl;
    gv_trace_nodes nodes = {0};
    gv_trace_pods pods = {0};
    gv_catalog *cat = NULL;
    gv_sim_run fast, ref;
    gv_place_config cfg;
    gv_sim_openb_opts o = {.seed = seed, .inflate = 1.3, .cfg = &cfg};
    gv_err err = {0};
    double t_fast, t_ref;
    int pol = gv_place_policy_from_string(policy);

    if (pol < 0) {
        fprintf(stderr, "sim_bench: '%s' is not a policy\n", policy);
        return 2;
    }
    gv_place_config_init(&cfg);
    cfg.policy = (gv_place_policy)pol;
    cfg.policy_seed = seed;

    if (shared && *shared)
        snprintf(dir, sizeof(dir), "%s/alibaba-gpu-v2023", shared);
    else
        snprintf(dir, sizeof(dir), "%s/../shared/data/alibaba-gpu-v2023", src);
    snprintf(np, sizeof(np), "%s/openb_node_list_gpu_node.csv", dir);
    snprintf(pp, sizeof(pp), "%s/%s", dir, pods_name);
    snprintf(cat_path, sizeof(cat_path), "%s/data/catalog/gpus.yaml", src);
    if (load(np, &nt, &nl) < 0 || load(pp, &pt, &pl) < 0 || load(cat_path, &ct, &cl) < 0)
        return 2;
    if (gv_trace_nodes_parse(nt, nl, np, &nodes, &err) < 0 ||
        gv_trace_pods_parse(pt, pl, pp, &pods, &err) < 0 ||
        gv_catalog_parse(ct, cl, cat_path, &cat, &err) < 0) {
        fprintf(stderr, "sim_bench: %s: %s\n", err.where, err.msg);
        return 2;
    }
    t_fast = now_s();
    if (gv_sim_openb_run(&nodes, &pods, cat, &o, &fast, &err) < 0) {
        fprintf(stderr, "sim_bench: %s: %s\n", err.where, err.msg);
        return 2;
    }
    t_fast = now_s() - t_fast;
    o.reference = true;
    t_ref = now_s();
    if (gv_sim_openb_run(&nodes, &pods, cat, &o, &ref, &err) < 0) {
        fprintf(stderr, "sim_bench: %s: %s\n", err.where, err.msg);
        return 2;
    }
    t_ref = now_s() - t_ref;
    if (memcmp(&fast, &ref, sizeof(fast))) {
        fprintf(stderr, "sim_bench: the fast path and the reference replay differently\n");
        return 1;
    }
    printf("trace %s, seed %llu: %zu hosts, %zu pods, %zu placed; unallocated GPU %.2f%% at 100%% "
           "arrived, %.2f%% at 130%%\n",
           pods_name, (unsigned long long)seed, fast.n_hosts, fast.n_pods, fast.n_placed,
           gv_sim_run_at(&fast, 100, GV_SIM_UNALLOC),
           gv_sim_run_at(&fast, GV_SIM_MAX_PCT, GV_SIM_UNALLOC));
    printf("one run (policy %s): fast path %.3f s, exhaustive reference %.3f s: %.1fx, "
           "identical runs\n",
           policy, t_fast, t_ref, t_ref / t_fast);
    gv_trace_nodes_clear(&nodes);
    gv_trace_pods_clear(&pods);
    gv_catalog_free(cat);
    return 0;
}
