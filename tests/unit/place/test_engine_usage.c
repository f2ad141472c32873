/* test_engine_usage.c - gv_engine_gpu_usage against what the engine and the placements say:
 * over random fleets and random place/release streams, the free capacity of every GPU adds up
 * to the engine's utilisation, the units on a GPU are the placements that list it, a GPU is
 * stranded whole or not at all, and the MIG instances that still fit agree with the free slices. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "random_fleet.h"
#include "testlib.h"

#define MAX_LIVE 400

static void
check_usage(const gv_engine *e, const gv_fleet *f, char live[][GV_REQ_NAME_LEN], int n_live,
            double total_milli, unsigned seed, int step)
{
    double free_sum = 0;

    for (size_t h = 0; h < f->n_hosts; h++)
        for (size_t g = 0; g < f->hosts[h]->n_gpus; g++) {
            gv_gpu_usage u;
            int units = 0;

            assert_int_equal(gv_engine_gpu_usage(e, h, (int)g, &u), 0);
            for (int k = 0; k < n_live; k++) {
                const gv_placement *p = gv_engine_find_vm(e, live[k]);

                assert_non_null(p);
                for (size_t i = 0; p->host_index == (int)h && i < p->n_gpus; i++)
                    units += p->gpus[i].gpu == (int)g;
            }
            if (u.units != units || u.free_milli < 0 || u.free_milli > 1000 ||
                (u.stranded_milli != 0 && u.stranded_milli != u.free_milli))
                fail_msg("seed %u step %d host %zu gpu %zu: units %d (placements %d), free %lld, "
                         "stranded %lld",
                         seed, step, h, g, u.units, units, (long long)u.free_milli,
                         (long long)u.stranded_milli);
            if (u.units == 0 && u.mode != GV_GPU_MODE_MIG)
                assert_int_equal(u.free_milli, 1000);
            for (size_t k = 0; k < u.n_mig; k++)
                /* nothing fits on a GPU with no free slice; something does on an empty one */
                if ((u.free_milli == 0 && u.mig[k].free) || (u.units == 0 && !u.mig[k].free))
                    fail_msg("seed %u step %d host %zu gpu %zu: %s fits %d, free %lld", seed, step,
                             h, g, u.mig[k].profile, u.mig[k].free, (long long)u.free_milli);
            free_sum += (double)u.free_milli;
        }
    if (fabs((1.0 - free_sum / total_milli) - gv_engine_gpu_utilization(e)) > 1e-9)
        fail_msg("seed %u step %d: free adds up to %.0f of %.0f, the engine says %.6f used", seed,
                 step, free_sum, total_milli, gv_engine_gpu_utilization(e));
}

static void
test_usage_property(void **state)
{
    const gv_catalog *cat = *state;
    int placed = 0;

    for (unsigned seed = 1; seed <= 12; seed++) {
        GV_AUTOPTR(gv_fleet) f = NULL;
        GV_AUTOPTR(gv_engine) e = NULL;
        gv_place_config cfg;
        gv_err err = {0};
        char live[MAX_LIVE][GV_REQ_NAME_LEN];
        int n_live = 0;
        double total = 0;

        gv_rand_state = seed;
        f = rf_fleet(seed, 8);
        gv_place_config_init(&cfg);
        assert_int_equal(gv_engine_new(f, cat, &cfg, &e, &err), 0);
        for (size_t h = 0; h < f->n_hosts; h++)
            for (size_t g = 0; g < f->hosts[h]->n_gpus; g++) {
                gv_gpu_usage u;

                assert_int_equal(gv_engine_gpu_usage(e, h, (int)g, &u), 0);
                total += (double)u.free_milli;
            }
        assert_int_equal(gv_engine_gpu_usage(e, f->n_hosts, 0, &(gv_gpu_usage){0}), -GV_E_NOTFOUND);
        for (int step = 0; step < 200; step++) {
            if (n_live && gv_rand() % 6 == 0) {
                int k = (int)(gv_rand() % (unsigned)n_live);

                assert_int_equal(gv_engine_release(e, live[k], &err), 0);
                memcpy(live[k], live[--n_live], sizeof(live[k]));
            } else if (n_live < MAX_LIVE) {
                gv_request r;
                gv_place_result res = {0};

                rf_request(&r, (unsigned)step);
                if (gv_engine_place(e, &r, 0, &res, NULL) == 1) {
                    snprintf(live[n_live++], GV_REQ_NAME_LEN, "%s", r.name);
                    placed++;
                }
                gv_place_result_clear(&res);
            }
            if (step % 10 == 0)
                check_usage(e, f, live, n_live, total, seed, step);
        }
        check_usage(e, f, live, n_live, total, seed, 200);
    }
    assert_true(placed > 100);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usage_property),
    };
    return cmocka_run_group_tests(tests, gv_test_catalog_setup, gv_test_catalog_teardown);
}
