/*
 * test_engine_alloc.c - capacity accounting against the host's own settings: a GPU whose host
 * enables fewer SR-IOV VFs than its model can have hands out exactly that many, and counts as
 * full (utilisation, pack/spread share) when they are all taken.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "gpuvm/discover.h"
#include "gpuvm/place.h"
#include "testlib.h"

static gv_fleet *
mi300x_fleet(const gv_catalog *cat, int vfs)
{
    GV_AUTOFREE char *path = gv_test_src("data/hosts/mi300x-sriov.json");
    gv_fleet *f = NULL;
    gv_err err = {0};

    if (gv_fleet_file_load(path, cat, &f, &err) < 0)
        fail_msg("%s: %s", err.where, err.msg);
    for (size_t g = 0; g < f->hosts[0]->n_gpus; g++) {
        f->hosts[0]->gpus[g].mode = GV_GPU_MODE_SRIOV;
        f->hosts[0]->gpus[g].sriov_vfs = vfs;
    }
    return f;
}

static int
place_vf(gv_engine *e, int serial, gv_place_result *res)
{
    gv_request r;
    gv_err err = {0};
    int rc;

    gv_request_init(&r);
    snprintf(r.name, sizeof(r.name), "vf-%d", serial);
    r.vcpus = 1;
    r.cpu_policy = GV_CPU_SHARED;
    r.gpu.mode = GV_GPU_MODE_SRIOV;
    r.gpu.count = 1;
    rc = gv_engine_place(e, &r, 0, res, &err);
    if (rc < 0)
        fail_msg("%s: %s", err.where, err.msg);
    return rc;
}

static void
test_sriov_vfs_of_the_host(void **state)
{
    const int vfs = 1; /* MI300X: 1 VF in SPX mode, 8 in CPX */
    GV_AUTOPTR(gv_fleet) f = mi300x_fleet(*state, vfs);
    GV_AUTOPTR(gv_engine) e = NULL;
    gv_err err = {0};
    size_t n_gpus = f->hosts[0]->n_gpus;
    int placed = 0;

    assert_true(n_gpus > 0);
    if (gv_engine_new(f, *state, NULL, &e, &err) < 0)
        fail_msg("%s: %s", err.where, err.msg);
    for (int i = 0;; i++) {
        gv_place_result res;
        int rc = place_vf(e, i, &res);

        if (rc == 1) {
            placed++;
            /* each VF is a whole GPU of this host */
            assert_true(res.placement.gpus[0].vf >= 0 && res.placement.gpus[0].vf < vfs);
            assert_float_equal(gv_engine_gpu_utilization(e), (double)placed / (vfs * n_gpus), 1e-9);
        }
        gv_place_result_clear(&res);
        if (rc == 0)
            break;
        assert_true(i < 1000);
    }
    assert_int_equal(placed, vfs * (int)n_gpus);
    assert_float_equal(gv_engine_gpu_utilization(e), 1.0, 1e-9);
}

static void
test_sriov_eight_vfs(void **state)
{
    /* CPX mode: 8 VFs, each an eighth of the GPU */
    GV_AUTOPTR(gv_fleet) f = mi300x_fleet(*state, 8);
    GV_AUTOPTR(gv_engine) e = NULL;
    gv_err err = {0};
    gv_place_result res;

    if (gv_engine_new(f, *state, NULL, &e, &err) < 0)
        fail_msg("%s: %s", err.where, err.msg);
    assert_int_equal(place_vf(e, 0, &res), 1);
    gv_place_result_clear(&res);
    assert_float_equal(gv_engine_gpu_utilization(e), 1.0 / (8.0 * (double)f->hosts[0]->n_gpus),
                       1e-9);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sriov_vfs_of_the_host),
        cmocka_unit_test(test_sriov_eight_vfs),
    };
    return cmocka_run_group_tests(tests, gv_test_catalog_setup, gv_test_catalog_teardown);
}
