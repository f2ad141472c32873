/*
 * test_engine_mix.c - the learned workload mix: the prior before the first epoch, learning
 * from the recent requests (against a reference count of them), shapes of several GPUs left
 * out, adoption of every change while the window fills, and the thresholds below which a
 * re-learned mix does not replace the one in use once it is full (so the fast path's indexes
 * are not rebuilt for sampling noise): mix_change, and three times the distance sampling noise
 * alone gives on average.
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

/* Place (and at once release) @n requests of @vcpus shared vCPUs and @gpus whole GPUs. */
static void
feed_gpus(mix_run *m, int vcpus, int gpus, int n)
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
        if (gpus) {
            r.gpu.count = gpus;
            r.gpu.mode = GV_GPU_MODE_PASSTHROUGH;
        }
        rc = gv_engine_place(m->e, &r, 0, &res, &err);
        if (rc < 0)
            fail_msg("%s: %s", err.where, err.msg);
        if (rc == 1)
            assert_int_equal(gv_engine_release(m->e, r.name, &err), 0);
        gv_place_result_clear(&res);
    }
}

/* The same with no GPU. */
static void
feed(mix_run *m, int vcpus, int n)
{
    feed_gpus(m, vcpus, 0, n);
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

static gv_engine *
engine_with(const gv_catalog *cat, const gv_fleet *f, int window, int epoch, int change)
{
    gv_place_config cfg;
    gv_engine *e = NULL;
    gv_err err = {0};

    gv_place_config_init(&cfg);
    cfg.mix_window = window;
    cfg.mix_epoch = epoch;
    cfg.mix_change = change;
    if (gv_engine_new(f, cat, &cfg, &e, &err) < 0)
        fail_msg("%s: %s", err.where, err.msg);
    return e;
}

static void
run(const gv_catalog *cat, int change, bool expect_change_adopted)
{
    GV_AUTOPTR(gv_fleet) f = rf_fleet(7, 4);
    mix_run m = {.e = engine_with(cat, f, 100, 100, change)};
    char now[256];
    uint64_t v0, v1, v2, v3, v4;

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

/* While the window fills, every relearned mix that differs is adopted (each is learned from
 * more requests than the last); once it is full, the thresholds apply. */
static void
test_filling_window_adopts_any_change(void **state)
{
    GV_AUTOPTR(gv_fleet) f = rf_fleet(7, 4);
    mix_run m = {.e = engine_with(*state, f, 1000, 100, 100)};
    char now[256];
    uint64_t v1, v2, v3;

    feed(&m, 1, 100);
    mix_str(m.e, now, sizeof(now), &v1);
    assert_string_equal(now, "1:100");

    /* 12 of 2 vCPUs in 200: 60 per mille from the mix in use, below mix_change and the noise,
     * but the window is filling: adopted */
    feed(&m, 1, 88);
    feed(&m, 2, 12);
    mix_str(m.e, now, sizeof(now), &v2);
    assert_true(v2 != v1);
    assert_string_equal(now, "1:188 2:12");

    /* up to 900 requests, every epoch 90 and 10: adopted each time; at 1,000 the window is
     * full and the same small change (818:82 to 908:92, under 1 per mille) is kept out by the
     * thresholds */
    for (int i = 0; i < 7; i++) {
        feed(&m, 1, 90);
        feed(&m, 2, 10);
        mix_str(m.e, now, sizeof(now), &v3);
        assert_true(v3 != v2);
        v2 = v3;
    }
    assert_string_equal(now, "1:818 2:82");
    feed(&m, 1, 90);
    feed(&m, 2, 10);
    mix_str(m.e, now, sizeof(now), &v2);
    assert_true(v2 == v3);
    assert_string_equal(now, "1:818 2:82");
    gv_engine_free(m.e);
}

/* Shapes of more than one GPU count toward the 95% the mix covers but are left out of it. */
static void
test_multi_gpu_shapes_left_out(void **state)
{
    GV_AUTOPTR(gv_fleet) f = rf_fleet(7, 4);
    mix_run m = {.e = engine_with(*state, f, 100, 100, 100)};
    char now[256];
    size_t n;
    const gv_mix_entry *mix;

    feed_gpus(&m, 4, 1, 50);
    feed_gpus(&m, 8, 2, 30);
    feed(&m, 2, 17);
    feed(&m, 3, 3);
    /* by count: 4 (1 GPU) 50, 8 (2 GPUs) 30, 2 17: 97 of 100 cover 95%, so 3 vCPUs is not
     * learned, and the 2-GPU shape is not kept */
    mix_str(m.e, now, sizeof(now), NULL);
    assert_string_equal(now, "4:50 2:17");
    mix = gv_engine_mix(m.e, &n, NULL);
    assert_int_equal(n, 2);
    assert_int_equal(mix[0].shape.gpu.count, 1);
    assert_int_equal(mix[1].shape.gpu.count, 0);
    gv_engine_free(m.e);
}

/* Whenever the learned mix changes, it is the most frequent shapes of exactly the last
 * mix_window requests, with their counts: checked against the test's own ring over long runs
 * whose shapes come and go (so the engine's table of distinct shapes fills, is swept and
 * grows). Each epoch has its own most frequent shape, so most relearned mixes are adopted. */
static void
check_ring(const gv_catalog *cat, int window, int epoch)
{
    GV_AUTOPTR(gv_fleet) f = rf_fleet(7, 4);
    mix_run m = {.e = engine_with(cat, f, window, epoch, 0)};
    GV_AUTOFREE int *ring = gv_calloc((size_t)window, sizeof(int));
    uint64_t seed = 12345, version, last = 0;
    int n_ring = 0, head = 0, adopted = 0;

    for (int req = 1; req <= 40 * window; req++) {
        int vcpus, dominant = 401 + (req - 1) / epoch % 8;

        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        /* four in five the epoch's own shape, else one of 400 others */
        vcpus = (seed >> 33) % 5 ? dominant : 1 + (int)((seed >> 40) % 400);
        feed(&m, vcpus, 1);
        if (n_ring < window)
            ring[n_ring++] = vcpus;
        else {
            ring[head] = vcpus;
            head = (head + 1) % window;
        }
        size_t n;
        const gv_mix_entry *mix = gv_engine_mix(m.e, &n, &version);
        int count[409] = {0}, least = window + 1, covered = 0;

        if (version == last)
            continue;
        last = version;
        if (req < window)
            continue; /* learned from fewer than the window */
        adopted++;
        for (int i = 0; i < n_ring; i++)
            count[ring[i]]++;
        for (size_t i = 0; i < n; i++) {
            int v = mix[i].shape.vcpus;

            assert_in_range(v, 1, 408);
            assert_int_equal((int)mix[i].weight, count[v]);
            least = count[v] < least ? count[v] : least;
            covered += count[v];
            count[v] = -count[v]; /* in the mix */
        }
        /* covers 95% (or has GV_MIX_MAX shapes), and not without its least frequent shape;
         * nothing more frequent than that left out */
        assert_true(covered * 100 >= window * 95 || n == GV_MIX_MAX);
        assert_true((covered - least) * 100 < window * 95);
        for (int v = 1; v <= 408; v++)
            assert_false(count[v] > least);
    }
    assert_true(adopted >= 20);
    gv_engine_free(m.e);
}

static void
test_ring_matches_reference(void **state)
{
    check_ring(*state, 60, 60);
    check_ring(*state, 90, 45);
    check_ring(*state, 500, 250);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threshold_keeps_mix),
        cmocka_unit_test(test_threshold_at_distance),
        cmocka_unit_test(test_zero_adopts_what_noise_does_not_explain),
        cmocka_unit_test(test_filling_window_adopts_any_change),
        cmocka_unit_test(test_multi_gpu_shapes_left_out),
        cmocka_unit_test(test_ring_matches_reference),
    };
    return cmocka_run_group_tests(tests, gv_test_catalog_setup, gv_test_catalog_teardown);
}
