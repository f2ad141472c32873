/*
 * test_vgpu.c - time-sliced vGPU queries: add/refuse sequences with their exact messages, and a
 * property test that fills GPUs of every vGPU model of the catalog with random types in both
 * modes, comparing every answer with a reference written here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gpu_test.h"

static int
type_of(const gv_gpu_model *m, const char *name)
{
    int t = gv_vgpu_find_type(m, name);
    if (t < 0)
        fail_msg("%s has no type %s", m->name, name);
    return t;
}

static bool
can_add(const gv_gpu_model *m, const int *types, size_t n, bool mixed, const char *name)
{
    bool ok[GV_VGPU_MAX_TYPES];
    gv_err err = {0};

    if (gv_vgpu_available(m, types, n, mixed, ok, &err) < 0)
        fail_msg("%s: %s", m->name, err.msg);
    return ok[type_of(m, name)];
}

static void
test_equal_size(void **state)
{
    const gv_gpu_model *m = gv_catalog_find(*state, "A100-PCIE-40GB");
    int t4 = type_of(m, "A100-4C"), t8 = type_of(m, "A100-8C");
    int types[16];
    gv_err err = {0};

    /* facts 2.3: A100-4C, 10 per 40GB GPU in equal-size mode. */
    for (int i = 0; i < 10; i++) {
        assert_true(can_add(m, types, (size_t)i, false, "A100-4C"));
        assert_int_equal(can_add(m, types, (size_t)i, false, "A100-8C"), i == 0);
        types[i] = t4;
    }
    assert_false(can_add(m, types, 10, false, "A100-4C"));
    assert_int_equal(gv_vgpu_check(m, types, 10, false, &err), 0);
    types[10] = t4;
    assert_int_equal(gv_vgpu_check(m, types, 11, false, &err), -GV_E_CONFLICT);
    assert_string_equal(err.where, "A100-PCIE-40GB");
    assert_string_equal(err.msg, "vGPU 10: more than 10 A100-4C vGPUs per GPU in equal-size mode");
    gv_err_clear(&err);
    types[1] = t8;
    assert_int_equal(gv_vgpu_check(m, types, 2, false, &err), -GV_E_CONFLICT);
    assert_string_equal(err.msg, "vGPU 1: A100-8C next to A100-4C needs mixed-size mode");
}

static void
test_mixed_size(void **state)
{
    const gv_gpu_model *m = gv_catalog_find(*state, "A100-PCIE-40GB");
    int t4 = type_of(m, "A100-4C"), t20 = type_of(m, "A100-20C"), t10 = type_of(m, "A100-10C");
    int types[16];
    gv_err err = {0};

    /* facts 2.3: 8 in mixed-size mode. */
    for (int i = 0; i < 8; i++) {
        assert_true(can_add(m, types, (size_t)i, true, "A100-4C"));
        types[i] = t4;
    }
    assert_false(can_add(m, types, 8, true, "A100-4C"));
    /* 32 GiB used, 8 GiB left: 8C and 5C fit, 10C does not. */
    assert_true(can_add(m, types, 8, true, "A100-8C"));
    assert_true(can_add(m, types, 8, true, "A100-5C"));
    assert_false(can_add(m, types, 8, true, "A100-10C"));
    assert_false(can_add(m, types, 8, true, "A100-40C"));
    types[8] = t4;
    assert_int_equal(gv_vgpu_check(m, types, 9, true, &err), -GV_E_CONFLICT);
    assert_string_equal(err.msg, "vGPU 8: more than 8 A100-4C vGPUs per GPU in mixed-size mode");
    gv_err_clear(&err);

    /* Different sizes side by side, bounded by the framebuffer total. */
    types[0] = t20;
    types[1] = t10;
    assert_int_equal(gv_vgpu_check(m, types, 2, true, NULL), 0);
    assert_true(can_add(m, types, 2, true, "A100-10C"));
    assert_false(can_add(m, types, 2, true, "A100-20C"));
    assert_true(can_add(m, types, 2, true, "A100-4C"));
    types[1] = t20;
    types[2] = t4;
    assert_int_equal(gv_vgpu_check(m, types, 3, true, &err), -GV_E_CONFLICT);
    assert_string_equal(err.msg, "vGPU 2: A100-4C brings the framebuffers to 45056 MiB, more "
                                 "than the 40960 MiB of the GPU");
    assert_int_equal(gv_vgpu_available(m, types, 2, true, (bool[GV_VGPU_MAX_TYPES]){0}, NULL), 0);
}

static void
test_sequences_80gb(void **state)
{
    const gv_gpu_model *a100d = gv_catalog_find(*state, "A100-PCIE-80GB");
    const gv_gpu_model *h100 = gv_catalog_find(*state, "H100-PCIE-80GB");
    int types[32];
    size_t n;

    /* facts 2.3: A100D-4C 20 equal / 16 mixed; H100-4C the same. */
    for (n = 0; can_add(a100d, types, n, false, "A100D-4C"); n++)
        types[n] = type_of(a100d, "A100D-4C");
    assert_int_equal(n, 20);
    for (n = 0; can_add(a100d, types, n, true, "A100D-4C"); n++)
        types[n] = type_of(a100d, "A100D-4C");
    assert_int_equal(n, 16);
    for (n = 0; can_add(h100, types, n, false, "H100-4C"); n++)
        types[n] = type_of(h100, "H100-4C");
    assert_int_equal(n, 20);
    for (n = 0; can_add(h100, types, n, true, "H100-4C"); n++)
        types[n] = type_of(h100, "H100-4C");
    assert_int_equal(n, 16);
}

static void
test_refusals(void **state)
{
    const gv_gpu_model *t4 = gv_catalog_find(*state, "T4-16GB");
    const gv_gpu_model *mi = gv_catalog_find(*state, "MI300X-192GB");
    bool ok[GV_VGPU_MAX_TYPES];
    int types[] = {0, 7};
    gv_err err = {0};

    /* T4 has no mixed-size mode (facts 2.2). */
    assert_int_equal(gv_vgpu_available(t4, NULL, 0, true, ok, &err), -GV_E_INVAL);
    assert_string_equal(err.msg, "model 'T4-16GB' has no mixed-size mode");
    assert_int_equal(gv_vgpu_available(t4, NULL, 0, false, ok, NULL), 3);
    gv_err_clear(&err);
    assert_int_equal(gv_vgpu_check(t4, types, 2, false, &err), -GV_E_INVAL);
    assert_string_equal(err.msg, "vGPU 1: type index 7 is out of range 0..2");
    gv_err_clear(&err);
    assert_int_equal(gv_vgpu_check(mi, NULL, 0, false, &err), -GV_E_INVAL);
    assert_string_equal(err.msg, "model 'MI300X-192GB' has no vGPU types");
    assert_int_equal(gv_vgpu_check(t4, types, GV_VGPU_MAX_INSTANCES + 1, false, NULL), -GV_E_INVAL);
}

/* ---- property test ---- */

static bool
ref_ok(const gv_gpu_model *m, const int *types, size_t n, bool mixed, int t)
{
    const gv_vgpu_type *vt = &m->vgpu->types[t];
    int64_t fb = 0;
    int count = 0;

    for (size_t i = 0; i < n; i++) {
        fb += m->vgpu->types[types[i]].framebuffer_mib;
        count += types[i] == t;
        if (!mixed && types[i] != t)
            return false;
    }
    if (mixed)
        return count < vt->max_mixed && fb + vt->framebuffer_mib <= m->memory_mib;
    return count < vt->max_equal;
}

static void
test_random_fill(void **state)
{
    const gv_catalog *c = *state;
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    size_t n_steps = 0;

    for (size_t i = 0; i < gv_catalog_n_models(c); i++) {
        const gv_gpu_model *m = gv_catalog_model_at(c, i);

        if (!m->vgpu)
            continue;
        for (int mode = 0; mode < 2; mode++) {
            bool mixed = mode == 1;
            if (mixed && !m->vgpu->mixed_size)
                continue;
            for (int round = 0; round < 50; round++) {
                int types[GV_VGPU_MAX_INSTANCES];
                size_t n = 0;

                for (;;) {
                    bool ok[GV_VGPU_MAX_TYPES];
                    int cand[GV_VGPU_MAX_TYPES], n_cand = 0;
                    int r = gv_vgpu_available(m, types, n, mixed, ok, NULL);

                    assert_true(r >= 0);
                    for (size_t t = 0; t < m->vgpu->n_types; t++) {
                        assert_int_equal(ok[t], ref_ok(m, types, n, mixed, (int)t));
                        types[n] = (int)t;
                        assert_int_equal(gv_vgpu_check(m, types, n + 1, mixed, NULL) == 0, ok[t]);
                        if (ok[t])
                            cand[n_cand++] = (int)t;
                    }
                    assert_int_equal(r, n_cand);
                    n_steps++;
                    if (n_cand == 0)
                        break;
                    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                    types[n++] = cand[(seed >> 33) % (uint64_t)n_cand];
                }
                assert_true(n >= 1);
            }
        }
    }
    assert_true(n_steps > 1000);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equal_size),     cmocka_unit_test(test_mixed_size),
        cmocka_unit_test(test_sequences_80gb), cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_random_fill),
    };
    return cmocka_run_group_tests(tests, gv_test_catalog_setup, gv_test_catalog_teardown);
}
