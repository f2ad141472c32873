/*
 * test_shape.c - a request's shape (src/core/place/shape.c) against its definition: two
 * requests have one shape exactly when their canonical copies (gv_shape_of) are equal byte for
 * byte. A decision looks shapes up with gv_shape_hash and gv_shape_matches on the request as it
 * comes, so both are checked on random requests whose fields are drawn from tiny domains (so
 * that equal shapes are common), with garbage after every string's terminator, strings that
 * fill their field, names and tenants that must not matter, and array entries past their
 * counts that must not matter either.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/place/engine.h"
#include "testlib.h"

static unsigned rng = 1;

static unsigned
rnd(unsigned n)
{
    rng = rng * 1103515245u + 12345u;
    return ((rng >> 16) & 0x7fff) % n;
}

/* @size bytes of garbage, then one of a few strings at the start; now and then a string that
 * fills the field (no terminator), which a shape keeps cut to size - 1 bytes. */
static void
fill_str(char *dst, size_t size)
{
    static const char *const words[] = {"", "a", "b", "ab"};

    for (size_t i = 0; i < size; i++)
        dst[i] = (char)('A' + rnd(26));
    if (rnd(8) == 0) {
        if (rnd(2))
            dst[size - 1] = 'z'; /* differs only past what a shape keeps */
        return;
    }
    strcpy(dst, words[rnd(4)]);
}

static void
random_request(gv_request *r)
{
    memset(r, 0x5a, sizeof(*r));
    fill_str(r->name, sizeof(r->name));
    fill_str(r->tenant, sizeof(r->tenant));
    r->vcpus = 1 + (int)rnd(2);
    r->memory_mib = 1024 * (1 + rnd(2));
    r->hugepages = (gv_hugepages)rnd(2);
    r->cpu_policy = (gv_cpu_policy)rnd(2);
    r->numa_policy = (gv_numa_policy)rnd(2);
    r->gpu.count = (int)rnd(2);
    r->gpu.mode = (gv_gpu_mode)rnd(2);
    r->gpu.n_models = rnd(3);
    for (size_t i = 0; i < GV_REQ_MAX_MODELS; i++)
        fill_str(r->gpu.models[i], GV_MODEL_LEN);
    r->gpu.topology = (gv_gpu_topology)rnd(2);
    r->gpu.milli = (int)rnd(2) * 500;
    fill_str(r->gpu.profile, sizeof(r->gpu.profile));
    fill_str(r->gpu.vgpu_type, sizeof(r->gpu.vgpu_type));
    r->nic_vfs = (int)rnd(2);
    r->nic_locality = (gv_locality)rnd(2);
    r->scratch_gib = rnd(2);
    r->scratch_locality = (gv_locality)rnd(2);
    fill_str(r->pool, sizeof(r->pool));
    r->n_zones = rnd(3);
    for (size_t i = 0; i < GV_REQ_MAX_ZONES; i++)
        fill_str(r->zones[i], GV_REQ_NAME_LEN);
    r->n_labels = rnd(3);
    for (size_t i = 0; i < GV_REQ_MAX_LABELS; i++) {
        fill_str(r->labels[i].key, GV_REQ_NAME_LEN);
        fill_str(r->labels[i].value, GV_REQ_NAME_LEN);
    }
    fill_str(r->anti_affinity, sizeof(r->anti_affinity));
    r->class = (gv_workload_class)rnd(2);
    r->io = (gv_io)rnd(2);
}

/* @b is @a with one field (or nothing) redrawn: near misses and equal shapes both common. */
static void
near_request(const gv_request *a, gv_request *b)
{
    gv_request t;

    *b = *a;
    random_request(&t);
    switch (rnd(12)) {
    case 0:
        memcpy(b->name, t.name, sizeof(b->name));
        memcpy(b->tenant, t.tenant, sizeof(b->tenant));
        break;
    case 1:
        b->vcpus = t.vcpus;
        b->memory_mib = t.memory_mib;
        break;
    case 2:
        b->hugepages = t.hugepages;
        b->cpu_policy = t.cpu_policy;
        b->numa_policy = t.numa_policy;
        break;
    case 3:
        b->gpu.count = t.gpu.count;
        b->gpu.mode = t.gpu.mode;
        b->gpu.topology = t.gpu.topology;
        b->gpu.milli = t.gpu.milli;
        break;
    case 4:
        b->gpu.n_models = t.gpu.n_models;
        memcpy(b->gpu.models, t.gpu.models, sizeof(b->gpu.models));
        break;
    case 5:
        memcpy(b->gpu.profile, t.gpu.profile, sizeof(b->gpu.profile));
        memcpy(b->gpu.vgpu_type, t.gpu.vgpu_type, sizeof(b->gpu.vgpu_type));
        break;
    case 6:
        b->nic_vfs = t.nic_vfs;
        b->nic_locality = t.nic_locality;
        b->scratch_gib = t.scratch_gib;
        b->scratch_locality = t.scratch_locality;
        break;
    case 7:
        memcpy(b->pool, t.pool, sizeof(b->pool));
        memcpy(b->anti_affinity, t.anti_affinity, sizeof(b->anti_affinity));
        break;
    case 8:
        b->n_zones = t.n_zones;
        memcpy(b->zones, t.zones, sizeof(b->zones));
        break;
    case 9:
        b->n_labels = t.n_labels;
        memcpy(b->labels, t.labels, sizeof(b->labels));
        break;
    case 10:
        b->class = t.class;
        b->io = t.io;
        break;
    default:
        break;
    }
}

static void
test_shape_against_definition(void **state)
{
    int same = 0, differ = 0;

    (void)state;
    for (int i = 0; i < 100000; i++) {
        gv_request a, b, sa, sb;
        bool want;

        random_request(&a);
        near_request(&a, &b);
        gv_shape_of(&a, &sa);
        gv_shape_of(&b, &sb);
        want = !memcmp(&sa, &sb, sizeof(sa));
        same += want;
        differ += !want;
        if (gv_shape_matches(&sa, &b) != want || gv_shape_matches(&sb, &a) != want)
            fail_msg("case %d: gv_shape_matches says %s, the canonical copies %s", i,
                     want ? "different" : "same", want ? "are equal" : "differ");
        /* a request hashes as its shape; equal shapes hash alike */
        assert_true(gv_shape_hash(&a) == gv_shape_hash(&sa));
        assert_true(gv_shape_hash(&b) == gv_shape_hash(&sb));
        if (want)
            assert_true(gv_shape_hash(&a) == gv_shape_hash(&b));
        /* a shape is its own shape */
        assert_true(gv_shape_matches(&sa, &sa));
    }
    print_message("%d pairs of one shape, %d of two\n", same, differ);
    assert_true(same > 10000 && differ > 10000);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape_against_definition),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
