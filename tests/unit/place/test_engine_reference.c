/*
 * test_engine_reference.c - the fast path (indexes, per-shape caches, GPU groups) and the
 * exhaustive reference (every host, every GPU set, no caches) decide identically on random
 * workloads: the same host, the same resources, the same score, the same reasons.
 *
 * Three kinds of workload: every request a fresh random shape (each decision builds an index);
 * requests drawn from a few shapes, so that indexes live long and see many hosts change under
 * them (placements, releases, datastores filling, anti-affinity groups arriving); and the same
 * on a larger fleet for longer, so that more hosts fail for one reason than the index keeps
 * closest per reason and the kept lists run empty and are refilled. Then a few of both
 * kinds under each of the FGD study's policies (place.h: gv_place_policy). Last, half the
 * requests from a few shapes and half fresh ones, for longer than the engine keeps shapes: the
 * few stay while the fresh ones are dropped, least recently used first, with hosts still stale
 * in them (indexes re-evaluate a changed host only when its shape is next asked for).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "engine_asserts.h"
#include "random_fleet.h"
#include "testlib.h"

#define POOL_SHAPES 8

/* Where a run's requests come from */
enum {
    SHAPES_FRESH,
    SHAPES_POOL,
    SHAPES_MIXED
};

static void
run_seed(const gv_catalog *cat, unsigned seed, int shapes, int n_hosts, int n_steps,
         gv_place_policy policy, int *ret_decisions)
{
    gv_request pool[POOL_SHAPES];
    GV_AUTOPTR(gv_fleet) f = rf_fleet(seed, n_hosts);
    GV_AUTOPTR(gv_engine) fast = NULL;
    GV_AUTOPTR(gv_engine) ref = NULL;
    gv_place_config cfg;
    gv_err err = {0};
    char live[400][GV_REQ_NAME_LEN];
    int n_live = 0;

    gv_place_config_init(&cfg);
    cfg.mix_epoch = 30;
    cfg.mix_window = 60;
    /* half the seeds adopt every learned mix (a rebuild of the indexes every epoch), half only
     * a mix that moved */
    cfg.mix_change = seed % 2 ? 0 : 100;
    cfg.policy = policy;
    cfg.policy_seed = seed;
    assert_int_equal(gv_engine_new(f, cat, &cfg, &fast, &err), 0);
    assert_int_equal(gv_engine_new(f, cat, &cfg, &ref, &err), 0);
    for (int i = 0; i < POOL_SHAPES; i++)
        rf_request(&pool[i], 0);
    for (int step = 0; step < n_steps; step++) {
        if (n_live && gv_rand() % 4 == 0) {
            int k = (int)(gv_rand() % (unsigned)n_live);
            assert_int_equal(gv_engine_release(fast, live[k], &err), 0);
            assert_int_equal(gv_engine_release(ref, live[k], &err), 0);
            memcpy(live[k], live[--n_live], sizeof(live[k]));
            continue;
        }
        {
            gv_request r;
            gv_place_result a, b;
            int ra, rb;

            if (shapes == SHAPES_POOL || (shapes == SHAPES_MIXED && gv_rand() % 2)) {
                r = pool[gv_rand() % POOL_SHAPES];
                snprintf(r.name, sizeof(r.name), "vm-%d", step);
            } else {
                rf_request(&r, (unsigned)step);
            }
            ra = gv_engine_place(fast, &r, GV_PLACE_EXPLAIN, &a, &err);
            rb = gv_engine_place(ref, &r, GV_PLACE_REFERENCE, &b, &err);
            if (ra != rb)
                fail_msg("seed %u step %d: fast says %d, reference %d", seed, step, ra, rb);
            if (ra < 0)
                continue;
            if (ra == 1) {
                GV_AUTOFREE char *ja = gv_placement_to_json(&a.placement);
                GV_AUTOFREE char *jb = gv_placement_to_json(&b.placement);
                assert_same_text("placements", seed, step, "fast", ja, "reference", jb);
                if (a.explain.has_runner_up != b.explain.has_runner_up ||
                    (a.explain.has_runner_up && strcmp(a.explain.runner_up, b.explain.runner_up)))
                    fail_msg("seed %u step %d: runner-up differs: %s / %s", seed, step,
                             a.explain.runner_up, b.explain.runner_up);
                assert_int_equal(a.explain.n_feasible, b.explain.n_feasible);
                if (n_live < 400)
                    memcpy(live[n_live++], r.name, sizeof(live[0]));
            } else {
                GV_AUTOFREE char *ja = gv_explain_to_json(&r, &a.explain);
                GV_AUTOFREE char *jb = gv_explain_to_json(&r, &b.explain);
                assert_same_text("explanations", seed, step, "fast", ja, "reference", jb);
            }
            (*ret_decisions)++;
            gv_place_result_clear(&a);
            gv_place_result_clear(&b);
            /* the fast path's indexes keep their own books right (gv_index_check) */
            if (gv_engine_check(fast, &err) < 0)
                fail_msg("seed %u step %d: %s: %s", seed, step, err.where, err.msg);
        }
    }
    {
        GV_AUTOFREE char *da = gv_engine_state_dump(fast);
        GV_AUTOFREE char *db = gv_engine_state_dump(ref);
        assert_string_equal(da, db);
    }
}

static void
test_fast_equals_reference(void **state)
{
    int decisions = 0;

    for (unsigned seed = 1; seed <= 25; seed++)
        run_seed(*state, seed, SHAPES_FRESH, 14, 200, GV_POLICY_GPUVM, &decisions);
    for (unsigned seed = 26; seed <= 60; seed++)
        run_seed(*state, seed, SHAPES_POOL, 14, 200, GV_POLICY_GPUVM, &decisions);
    for (unsigned seed = 61; seed <= 68; seed++)
        run_seed(*state, seed, SHAPES_POOL, 60, 800, GV_POLICY_GPUVM, &decisions);
    /* the FGD study's policies, each a scorer of the same engine */
    for (int p = GV_POLICY_GPUVM + 1; p < GV_POLICY_LAST; p++)
        for (unsigned seed = 100; seed < 108; seed++)
            run_seed(*state, seed + 10 * (unsigned)p, seed % 2 ? SHAPES_POOL : SHAPES_FRESH, 14,
                     200, (gv_place_policy)p, &decisions);
    /* more fresh shapes than the engine keeps (index.c: GV_SHAPES_MAX), a few shapes among them */
    for (int p = GV_POLICY_GPUVM; p < GV_POLICY_LAST; p++)
        run_seed(*state, 200 + (unsigned)p, SHAPES_MIXED, 14, 900, (gv_place_policy)p, &decisions);
    print_message("%d decisions compared\n", decisions);
    assert_true(decisions > 1000);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fast_equals_reference),
    };
    return cmocka_run_group_tests(tests, gv_test_catalog_setup, gv_test_catalog_teardown);
}
