/*
 * test_engine_mix.c - the learned workload mix: the prior before the first epoch, learning
 * from the recent requests, and the thresholds below which a re-learned mix does not replace
 * the one in use (so the fast path's indexes are not rebuilt for sampling noise): mix_change,
 * and three times the distance sampling noise alone gives on average.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "random_fleet.h"
#include "testlib.h"

typedef struct mix_run {
    gv_engine *e;
    unsigned serial;
} mix_run;

/* Place (and at once release) @n requests of @vcpus shared vCPUs and no GPU. */
static void
feed(mix_run *m, int vcpus, int n)
{
    gv_err err = {0};

    for (int i = 0; i < n; i++) {
        gv_request r;
        gv_place_result res;
        int rc;

        gv_request_init(&r);
        snprintf(r.name, sizeof(r.name), "vm-%u", m->serial++);
        r.vcpus = vcpus;
        r.cpu_policy = GV_CPU_SHARED;
        rc = gv_engine_place(m->e, &r, 0, &res, &err);
        if (rc < 0)
            fail_msg("%s: %s", err.where, err.msg);
        if (rc == 1)
            assert_int_equal(gv_engine_release(m->e, r.name, &err), 0);
        gv_place_result_clear(&res);
    }
}

/* The mix in use, as "vcpus:weight ..." of its shapes. */
static void
mix_str(const gv_engine *e, char *buf, size_t len, uint64_t *version)
{
    size_t n, off = 0;
    const gv_mix_entry *mix = gv_engine_mix(e, &n, version);

    buf[0] = 0;
    for (size_t i = 0; i < n && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, "%s%d:%g", i ? " " : "", mix[i].shape.vcpus,
                                mix[i].weight);
}

static void
run(const gv_catalog *cat, int change, bool expect_change_adopted)
{
    GV_AUTOPTR(gv_fleet) f = rf_fleet(7, 4);
    gv_place_config cfg;
    gv_err err = {0};
    mix_run m = {0};
    char now[256];
    uint64_t v0, v1, v2, v3, v4;

    gv_place_config_init(&cfg);
    cfg.mix_window = 100;
    cfg.mix_epoch = 100;
    cfg.mix_change = change;
    assert_int_equal(gv_engine_new(f, cat, &cfg, &m.e, &err), 0);
    mix_str(m.e, now, sizeof(now), &v0);
    /* the prior: one unit of each kind of GPU capacity, every one with a GPU */
    {
        size_t n;
        const gv_mix_entry *mix = gv_engine_mix(m.e, &n, NULL);
        assert_true(n > 0);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(mix[i].shape.gpu.count, 1);
    }

    /* the first learned mix replaces the prior, whatever the threshold */
    feed(&m, 1, 100);
    mix_str(m.e, now, sizeof(now), &v1);
    assert_true(v1 != v0);
    assert_string_equal(now, "1:100");

    /* 94 of 1 vCPU, 6 of 2 vCPUs: 60 per mille from the mix in use, less than three times the
     * noise of such a window (3 x 27 per mille): kept, whatever mix_change says */
    feed(&m, 1, 94);
    feed(&m, 2, 6);
    mix_str(m.e, now, sizeof(now), &v2);
    assert_true(v2 == v1);
    assert_string_equal(now, "1:100");

    /* 80 and 20: 200 per mille, beyond the noise (3 x 45): mix_change decides */
    feed(&m, 1, 80);
    feed(&m, 2, 20);
    mix_str(m.e, now, sizeof(now), &v3);
    if (expect_change_adopted) {
        assert_true(v3 != v2);
        assert_string_equal(now, "1:80 2:20");
    } else {
        assert_true(v3 == v2);
        assert_string_equal(now, "1:100");
    }

    /* a real shift is adopted */
    feed(&m, 2, 100);
    mix_str(m.e, now, sizeof(now), &v4);
    assert_true(v4 != v3);
    assert_string_equal(now, "2:100");
    gv_engine_free(m.e);
}

static void
test_threshold_keeps_mix(void **state)
{
    run(*state, 300, false);
}

static void
test_threshold_at_distance(void **state)
{
    /* exactly the distance: adopted ("at least mix_change") */
    run(*state, 200, true);
}

static void
test_zero_adopts_what_noise_does_not_explain(void **state)
{
    run(*state, 0, true);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threshold_keeps_mix),
        cmocka_unit_test(test_threshold_at_distance),
        cmocka_unit_test(test_zero_adopts_what_noise_does_not_explain),
    };
    return cmocka_run_group_tests(tests, gv_test_catalog_setup, gv_test_catalog_teardown);
}
