/*
 * test_host_config.c - placing a list of MIG profiles on one GPU (gv_mig_layout_place) against
 * a brute-force reference over every assignment of starts, and checking a host's GPU
 * configuration against the catalog (gv_catalog_check_host).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "gpu_test.h"

/* Does some assignment of allowed starts make @profiles a valid layout? Tries them all. */
static bool
reference_fits(const gv_gpu_model *m, const int *profiles, size_t n, size_t i,
               gv_mig_instance *insts)
{
    if (i == n)
        return gv_mig_layout_check(m, insts, n, NULL) == 0;
    for (int s = 0; s < GV_MIG_MAX_SLICES; s++) {
        if (!(m->mig->profiles[profiles[i]].starts & (UINT32_C(1) << s)))
            continue;
        insts[i] = (gv_mig_instance){.profile = profiles[i], .start = s};
        if (reference_fits(m, profiles, n, i + 1, insts))
            return true;
    }
    return false;
}

/* Every multiset of up to 5 profiles of the A100/H100 and A30 geometries. */
static void
test_place_against_reference(void **state)
{
    const gv_catalog *c = *state;
    const char *models[] = {"H100-SXM5-80GB", "A100-SXM4-40GB", "A30-24GB"};
    size_t checked = 0, fits = 0;

    for (size_t mi = 0; mi < GV_N_ELEMENTS(models); mi++) {
        const gv_gpu_model *m = gv_catalog_find(c, models[mi]);
        int np;
        assert_non_null(m);
        np = (int)m->mig->n_profiles;
        for (size_t n = 1; n <= 5; n++) {
            int profiles[5] = {0};
            for (;;) {
                gv_mig_instance ref[5], got[5];
                bool want = reference_fits(m, profiles, n, 0, ref);
                int r = gv_mig_layout_place(m, profiles, n, got, NULL);
                if (want != (r == 0))
                    fail_msg("%s: %zu profiles starting with %s: reference %d, placed %d", m->name,
                             n, m->mig->profiles[profiles[0]].name, want, r);
                if (r == 0) {
                    int count_in[GV_MIG_MAX_PROFILES] = {0}, count_out[GV_MIG_MAX_PROFILES] = {0};
                    assert_int_equal(gv_mig_layout_check(m, got, n, NULL), 0);
                    for (size_t k = 0; k < n; k++) {
                        count_in[profiles[k]]++;
                        count_out[got[k].profile]++;
                    }
                    assert_memory_equal(count_in, count_out, sizeof(count_in));
                    fits++;
                }
                checked++;
                /* next non-decreasing sequence (a multiset) */
                size_t k = n;
                while (k > 0 && profiles[k - 1] == np - 1)
                    k--;
                if (k == 0)
                    break;
                profiles[k - 1]++;
                for (size_t j = k; j < n; j++)
                    profiles[j] = profiles[k - 1];
            }
        }
    }
    print_message("%zu profile multisets checked, %zu fit\n", checked, fits);
    assert_true(fits > 0 && fits < checked);
}

/* The layout first-fit gets wrong: 3g, 2g, 1g, 1g fits only with the 3g at slice 4. */
static void
test_balanced_h100(void **state)
{
    const gv_gpu_model *m = gv_catalog_find(*state, "H100-SXM5-80GB");
    int p[4] = {gv_mig_find_profile(m, "1g.10gb"), gv_mig_find_profile(m, "3g.40gb"),
                gv_mig_find_profile(m, "1g.10gb"), gv_mig_find_profile(m, "2g.20gb")};
    gv_mig_instance got[4];
    gv_err err = {0};

    assert_int_equal(gv_mig_layout_place(m, p, 4, got, &err), 0);
    assert_int_equal(got[0].profile, p[1]);
    assert_int_equal(got[0].start, 4);
    assert_int_equal(got[1].start, 0); /* 2g */
    assert_int_equal(got[2].start, 2);
    assert_int_equal(got[3].start, 3);
    p[0] = p[2] = gv_mig_find_profile(m, "4g.40gb");
    assert_int_equal(gv_mig_layout_place(m, p, 4, got, &err), -GV_E_CONFLICT);
    assert_string_equal(err.msg, "these MIG profiles do not fit together on one H100-SXM5-80GB");
}

static gv_host *
one_gpu_host(const char *model, gv_gpu_mode mode)
{
    gv_host *h = gv_host_new("h");
    gv_gpu *g = gv_host_add_gpu(h);
    strcpy(g->pci, "0000:01:00.0");
    snprintf(g->model, sizeof(g->model), "%s", model);
    g->mode = mode;
    return h;
}

static void
expect_refused(const gv_catalog *c, gv_host *h, const char *msg)
{
    gv_err err = {0};
    assert_int_equal(gv_catalog_check_host(c, h, &err), -GV_E_INVAL);
    assert_string_equal(err.msg, msg);
    gv_host_free(h);
}

static void
test_check_host(void **state)
{
    const gv_catalog *c = *state;
    gv_host *h;

    h = one_gpu_host("H100-SXM5-80GB", GV_GPU_MODE_MIG);
    h->gpus[0].n_instances = 2;
    h->gpus[0].instances[0] = (gv_gpu_instance){"3g.40gb", 0};
    h->gpus[0].instances[1] = (gv_gpu_instance){"4g.40gb", 4};
    expect_refused(c, h,
                   "host h: GPU 0000:01:00.0 (H100-SXM5-80GB): mig: MIG instances: instance 1: "
                   "4g.40gb@4: 4 is not an allowed start (0)");
    h = one_gpu_host("H100-SXM5-80GB", GV_GPU_MODE_MIG);
    h->gpus[0].n_instances = 1;
    h->gpus[0].instances[0] = (gv_gpu_instance){"5g.50gb", 0};
    expect_refused(c, h,
                   "host h: GPU 0000:01:00.0 (H100-SXM5-80GB): mig: '5g.50gb' is not a MIG "
                   "profile of the model");
    expect_refused(c, one_gpu_host("L40S-48GB", GV_GPU_MODE_MIG),
                   "host h: GPU 0000:01:00.0 (L40S-48GB): mig: the model has no MIG");
    expect_refused(c, one_gpu_host("unknown", GV_GPU_MODE_VGPU),
                   "host h: GPU 0000:01:00.0 (unknown): vgpu: the GPU model is not in the "
                   "catalog, so it can only be passed through whole or shared");
    h = one_gpu_host("MI300X-192GB", GV_GPU_MODE_SRIOV);
    h->gpus[0].sriov_vfs = 4;
    expect_refused(c, h,
                   "host h: GPU 0000:01:00.0 (MI300X-192GB): sriov: sriov_vfs is not a VF count "
                   "the model supports (see 'gpuvm catalog MODEL')");
    /* and what is fine */
    h = one_gpu_host("MI300X-192GB", GV_GPU_MODE_SRIOV);
    h->gpus[0].sriov_vfs = 8;
    assert_int_equal(gv_catalog_check_host(c, h, NULL), 0);
    gv_host_free(h);
    h = one_gpu_host("unknown", GV_GPU_MODE_PASSTHROUGH);
    assert_int_equal(gv_catalog_check_host(c, h, NULL), 0);
    gv_host_free(h);
    /* sharing in milli-GPUs needs nothing from the catalog */
    h = one_gpu_host("unknown", GV_GPU_MODE_SHARE);
    assert_int_equal(gv_catalog_check_host(c, h, NULL), 0);
    gv_host_free(h);
    h = one_gpu_host("H100-SXM5-80GB", GV_GPU_MODE_SHARE);
    assert_int_equal(gv_catalog_check_host(c, h, NULL), 0);
    gv_host_free(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_place_against_reference),
        cmocka_unit_test(test_balanced_h100),
        cmocka_unit_test(test_check_host),
    };
    return cmocka_run_group_tests(tests, gv_test_catalog_setup, gv_test_catalog_teardown);
}
