/*
 * test_mig.c - the MIG replay (src/core/sim/mig.c): which profile a pod takes, and the three
 * strategies on tiny traces of identical pods, whose outcome does not depend on the arrival
 * order and is worked out by hand in the comments; plus determinism and a catalog without the
 * fleet's model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gpuvm/sim.h"
#include "testlib.h"

/* one node of two GPUs and plenty of CPU and memory (its T4s become H100s) */
static const char nodes_csv[] = "sn,cpu_milli,memory_mib,gpu,model\n"
                                "n0,64000,262144,2,T4\n";

static void
parse(const char *pods_csv, gv_trace_nodes *n, gv_trace_pods *p)
{
    gv_err err = {0};

    if (gv_trace_nodes_parse(nodes_csv, strlen(nodes_csv), "nodes.csv", n, &err) < 0 ||
        gv_trace_pods_parse(pods_csv, strlen(pods_csv), "pods.csv", p, &err) < 0)
        fail_msg("%s: %s", err.where, err.msg);
}

static void
run(const gv_catalog *cat, const char *pods_csv, gv_sim_mig_strategy s, gv_sim_mig_run *r)
{
    gv_trace_nodes n = {0};
    gv_trace_pods p = {0};
    gv_sim_openb_opts o = {.seed = 7, .inflate = 1.3};
    gv_err err = {0};

    parse(pods_csv, &n, &p);
    if (gv_sim_openb_mig(&n, &p, cat, &o, s, r, &err) < 0)
        fail_msg("%s: %s", err.where, err.msg);
    gv_trace_nodes_clear(&n);
    gv_trace_pods_clear(&p);
}

typedef struct want {
    double unalloc, rounding;
    size_t dropped, dropped_whole;
} want;

static void
assert_at(const gv_sim_mig_run *r, int x, want w)
{
    double unalloc, rounding;
    size_t dropped, whole;

    assert_true(gv_sim_mig_at(r, x, &unalloc, &rounding, &dropped, &whole));
    assert_float_equal(unalloc, w.unalloc, 1e-6);
    assert_float_equal(rounding, w.rounding, 1e-6);
    assert_int_equal(dropped, w.dropped);
    assert_int_equal(whole, w.dropped_whole);
}

/* The smallest profile whose compute slices (of 7) cover the share: 1/7 = 142.857 milli. */
static void
test_profile_for(void **state)
{
    static const struct {
        int milli;
        const char *profile;
    } cases[] = {
        {1, "1g.10gb"},   {110, "1g.10gb"},  {142, "1g.10gb"}, {143, "2g.20gb"}, {160, "2g.20gb"},
        {230, "2g.20gb"}, {285, "2g.20gb"},  {286, "3g.40gb"}, {320, "3g.40gb"}, {428, "3g.40gb"},
        {429, "4g.40gb"}, {470, "4g.40gb"},  {571, "4g.40gb"}, {572, "7g.80gb"}, {650, "7g.80gb"},
        {810, "7g.80gb"}, {1000, "7g.80gb"},
    };
    const gv_gpu_model *m = gv_catalog_find(*state, "H100-SXM5-80GB");

    assert_non_null(m);
    for (size_t i = 0; i < GV_N_ELEMENTS(cases); i++) {
        int p = gv_sim_mig_profile_for(m, cases[i].milli);

        assert_true(p >= 0);
        assert_string_equal(m->mig->profiles[p].name, cases[i].profile);
    }
    assert_int_equal(gv_sim_mig_profile_for(m, 0), -1);
    assert_int_equal(gv_sim_mig_profile_for(m, 1001), -1);
    /* a model without MIG has no profile for anything */
    assert_int_equal(gv_sim_mig_profile_for(gv_catalog_find(*state, "T4-16GB"), 100), -1);
}

/*
 * Whole-GPU pods on 2 GPUs: inflation to 130% of 2,000 milli stops before a third pod (3,000),
 * so two arrive, at 50% and 100%. A 7g.80gb needs a whole GPU: the static balanced layout has
 * none (both dropped, nothing allocated); first-free creates one per GPU; gpuvm re-partitions
 * both idle balanced GPUs.
 */
static void
test_whole_gpus(void **state)
{
    static const char pods[] = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec\n"
                               "w,1000,1024,1,1000,\n";
    gv_sim_mig_run r;

    run(*state, pods, GV_SIM_MIG_STATIC, &r);
    assert_int_equal(r.n_gpus, 2);
    assert_int_equal(r.n_pods, 2);
    assert_int_equal(r.n_placed, 0);
    assert_at(&r, 100, (want){100, 0, 2, 2});
    run(*state, pods, GV_SIM_MIG_FIRST_FREE, &r);
    assert_int_equal(r.n_placed, 2);
    assert_int_equal(r.n_repartitioned, 0);
    assert_at(&r, 100, (want){0, 0, 0, 0});
    assert_at(&r, 50, (want){50, 0, 0, 0});
    run(*state, pods, GV_SIM_MIG_GPUVM, &r);
    assert_int_equal(r.n_placed, 2);
    assert_int_equal(r.n_repartitioned, 2);
    assert_at(&r, 100, (want){0, 0, 0, 0});
}

/*
 * 110-milli pods (1g.10gb each, 1/7 of a GPU for 0.11 asked): inflation stops at 23 pods
 * (2,530 milli). Arrived 100% has no arrival of its own (18 pods: 1,980, bin 99; 19: 2,090,
 * bin 105), so it reads bin 99: after 18 pods.
 *   static: the balanced layout has two idle 1g.10gb per GPU: 4 placed, 14 dropped by then;
 *           4/14 of the compute allocated (unallocated 71.43%), 440/2000 asked (rounding
 *           28.571 - 22 = 6.571 points).
 *   first-free: seven 1g.10gb per GPU (its max count): 14 placed, 4 dropped; all allocated,
 *           1,540/2,000 asked (rounding 23 points).
 * No pod asks for a whole GPU.
 */
static void
test_small_slices(void **state)
{
    static const char pods[] = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec\n"
                               "s,100,1024,1,110,\n";
    gv_sim_mig_run r;

    run(*state, pods, GV_SIM_MIG_STATIC, &r);
    assert_int_equal(r.n_pods, 23);
    assert_int_equal(r.n_placed, 4);
    assert_at(&r, 100, (want){100.0 - 400.0 / 14, 400.0 / 14 - 22, 14, 0});
    run(*state, pods, GV_SIM_MIG_FIRST_FREE, &r);
    assert_int_equal(r.n_placed, 14);
    assert_at(&r, 100, (want){0, 23, 4, 0});
    /* gpuvm: at least what the static layout gives, at most what the GPUs hold */
    run(*state, pods, GV_SIM_MIG_GPUVM, &r);
    assert_true(r.n_placed >= 4 && r.n_placed <= 14);
}

/* Same inputs, same run; and the arrival order is the study's: as many pods as its replay. */
static void
test_deterministic(void **state)
{
    static const char pods[] = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec\n"
                               "a,1000,1024,1,320,\n"
                               "b,2000,2048,1,470,\n"
                               "c,500,1024,1,160,\n"
                               "d,4000,8192,2,1000,\n"
                               "e,1000,1024,0,0,\n";
    gv_trace_nodes n = {0};
    gv_trace_pods p = {0};
    gv_sim_openb_opts o = {.seed = 11, .inflate = 1.3};
    gv_sim_run study;
    gv_err err = {0};

    parse(pods, &n, &p);
    assert_int_equal(gv_sim_openb_run(&n, &p, *state, &o, &study, &err), 0);
    for (int s = 0; s < GV_SIM_MIG_LAST; s++) {
        gv_sim_mig_run a, b;

        assert_int_equal(gv_sim_openb_mig(&n, &p, *state, &o, s, &a, &err), 0);
        assert_int_equal(gv_sim_openb_mig(&n, &p, *state, &o, s, &b, &err), 0);
        assert_memory_equal(&a, &b, sizeof(a));
        assert_int_equal(a.n_pods, study.n_pods);
        assert_int_equal(a.strategy, s);
    }
    gv_trace_nodes_clear(&n);
    gv_trace_pods_clear(&p);
}

/* A catalog without the H100 cannot run the MIG replay, and says so. */
static void
test_catalog_without_model(void **state)
{
    static const char cat_text[] = "format: gpuvm-catalog/1\n"
                                   "sources: {S1: \"a test\"}\n"
                                   "models:\n"
                                   "  - name: T4-16GB\n"
                                   "    vendor: nvidia\n"
                                   "    memory_mib: 16384\n"
                                   "    source: S1\n"
                                   "    pci_ids: [{id: \"10de:1eb8\", source: S1}]\n";
    static const char pods[] = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec\n"
                               "a,1000,1024,1,320,\n";
    GV_AUTOPTR(gv_catalog) cat = NULL;
    gv_trace_nodes n = {0};
    gv_trace_pods p = {0};
    gv_sim_openb_opts o = {.seed = 1, .inflate = 1.3};
    gv_sim_mig_run r;
    gv_err err = {0};

    (void)state;
    if (gv_catalog_parse(cat_text, strlen(cat_text), "cat.yaml", &cat, &err) < 0)
        fail_msg("%s: %s", err.where, err.msg);
    parse(pods, &n, &p);
    assert_int_equal(gv_sim_openb_mig(&n, &p, cat, &o, GV_SIM_MIG_STATIC, &r, &err), -GV_E_INVAL);
    assert_non_null(strstr(err.msg, "H100-SXM5-80GB"));
    gv_trace_nodes_clear(&n);
    gv_trace_pods_clear(&p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profile_for),           cmocka_unit_test(test_whole_gpus),
        cmocka_unit_test(test_small_slices),          cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_catalog_without_model),
    };
    return cmocka_run_group_tests(tests, gv_test_catalog_setup, gv_test_catalog_teardown);
}
