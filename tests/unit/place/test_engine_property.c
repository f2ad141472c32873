/*
 * test_engine_property.c - random fleets, random place/release sequences: after every step the
 * engine's invariants hold (gv_engine_check recomputes the state from the VMs), and releasing
 * a VM right after placing it restores the state byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "engine_asserts.h"
#include "random_fleet.h"
#include "testlib.h"

static void
run_seed(const gv_catalog *cat, unsigned seed)
{
    GV_AUTOPTR(gv_fleet) f = rf_fleet(seed, 10);
    GV_AUTOPTR(gv_engine) e = NULL;
    gv_place_config cfg;
    gv_err err = {0};
    char live[400][GV_REQ_NAME_LEN];
    int n_live = 0, placed = 0, failed = 0;

    assert_int_equal(gv_fleet_check(f, &err), 0);
    gv_place_config_init(&cfg);
    cfg.mix_epoch = 40;
    cfg.mix_window = 80;
    if (gv_engine_new(f, cat, &cfg, &e, &err) < 0)
        fail_msg("seed %u: %s: %s", seed, err.where, err.msg);
    for (int step = 0; step < 250; step++) {
        if (n_live && gv_rand() % 5 < 2) {
            int k = (int)(gv_rand() % (unsigned)n_live);
            assert_int_equal(gv_engine_release(e, live[k], &err), 0);
            memcpy(live[k], live[--n_live], sizeof(live[k]));
        } else {
            gv_request r;
            gv_place_result res;
            GV_AUTOFREE char *before = gv_engine_state_dump(e);
            int rc;

            rf_request(&r, (unsigned)step);
            gv_err_clear(&err);
            rc = gv_engine_place(e, &r, 0, &res, &err);
            if (rc < 0) {
                /* a model, profile or type this random fleet lacks: refused, nothing changed */
                GV_AUTOFREE char *after = gv_engine_state_dump(e);
                assert_int_equal(rc, -GV_E_INVAL);
                assert_string_equal(before, after);
            } else if (rc == 1) {
                placed++;
                assert_string_equal(res.placement.vm, r.name);
                assert_int_equal((int)res.placement.n_gpus, r.gpu.count);
                assert_int_equal((int)res.placement.n_vfs, r.nic_vfs);
                if (r.numa_policy == GV_NUMA_POLICY_STRICT)
                    assert_int_equal(res.placement.numa_violations, 0);
                if (gv_rand() % 3 == 0) {
                    GV_AUTOFREE char *after = NULL;
                    assert_int_equal(gv_engine_release(e, r.name, &err), 0);
                    after = gv_engine_state_dump(e);
                    if (strcmp(before, after))
                        fail_msg("seed %u step %d: release of %s did not restore the state", seed,
                                 step, r.name);
                } else if (n_live < 400) {
                    memcpy(live[n_live++], r.name, sizeof(live[0]));
                }
            } else {
                GV_AUTOFREE char *after = gv_engine_state_dump(e);
                failed++;
                assert_true(res.explain.n_reasons > 0);
                assert_string_equal(before, after);
            }
            gv_place_result_clear(&res);
        }
        assert_engine_ok(e, seed, step);
    }
    /* everything back: the state is the initial one */
    while (n_live)
        assert_int_equal(gv_engine_release(e, live[--n_live], &err), 0);
    {
        GV_AUTOPTR(gv_engine) fresh = NULL;
        GV_AUTOFREE char *a = NULL, *b = NULL;
        assert_int_equal(gv_engine_new(f, cat, &cfg, &fresh, &err), 0);
        a = gv_engine_state_dump(e);
        b = gv_engine_state_dump(fresh);
        assert_string_equal(a, b);
    }
    assert_true(placed > 0);
    (void)failed;
}

static void
test_random_sequences(void **state)
{
    for (unsigned seed = 1; seed <= 30; seed++)
        run_seed(*state, seed);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_sequences),
    };
    return cmocka_run_group_tests(tests, gv_test_catalog_setup, gv_test_catalog_teardown);
}
