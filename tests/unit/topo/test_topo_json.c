/*
 * test_topo_json.c - the canonical fleet JSON: round trips byte for byte (a property over random
 * hosts), null for unknowns, and one clear error per kind of bad input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "gpuvm/topo.h"
#include "random_host.h"

static gv_fleet *
fleet_of(gv_host *h)
{
    gv_fleet *f = gv_fleet_new();
    assert_int_equal(gv_fleet_add_host(f, h, NULL), 0);
    return f;
}

static void
test_roundtrip_property(void **state)
{
    (void)state;
    for (unsigned seed = 1; seed <= 500; seed++) {
        gv_fleet *f = gv_fleet_new(), *g = NULL;
        gv_err err = {0};
        char *a, *b;

        gv_pool *p = gv_fleet_set_pool(f, "training");
        p->cpu_overcommit = 1.5;
        p->strategy = GV_POOL_SPREAD;
        for (unsigned k = 0; k < 3; k++)
            assert_int_equal(gv_fleet_add_host(f, gv_random_host(seed * 3 + k), NULL), 0);
        if (gv_fleet_check(f, &err) < 0)
            fail_msg("seed %u: generated fleet invalid: %s: %s", seed, err.where, err.msg);
        a = gv_fleet_to_json(f);
        if (gv_fleet_from_json(a, strlen(a), "rt.json", &g, &err) < 0)
            fail_msg("seed %u: %s: %s\n%s", seed, err.where, err.msg, a);
        assert_int_equal(gv_fleet_check(g, NULL), 0);
        b = gv_fleet_to_json(g);
        assert_string_equal(a, b);
        free(a);
        free(b);
        gv_fleet_free(f);
        gv_fleet_free(g);
    }
}

static void
test_unknowns_are_null(void **state)
{
    gv_host *h = gv_host_new("n1");
    gv_numa *n = gv_host_add_numa(h, 0);
    gv_gpu *g;
    gv_fleet *f;
    char *s;
    (void)state;

    n->cores_known = false;
    g = gv_host_add_gpu(h);
    strcpy(g->pci, "0000:18:00.0");
    f = fleet_of(h);
    s = gv_fleet_to_json(f);
    assert_non_null(strstr(s, "\"memory_mib\": null"));
    assert_non_null(strstr(s, "\"cores\": null"));
    assert_non_null(strstr(s, "\"numa\": null"));
    assert_non_null(strstr(s, "\"model\": \"unknown\""));
    free(s);
    gv_fleet_free(f);
}

static void
expect_error(const char *text, int code, const char *where, const char *msg)
{
    gv_fleet *f = NULL;
    gv_err err = {0};

    assert_int_equal(gv_fleet_from_json(text, strlen(text), "f.json", &f, &err), -code);
    assert_null(f);
    assert_string_equal(err.where, where);
    assert_string_equal(err.msg, msg);
}

static void
test_bad_input(void **state)
{
    (void)state;
    expect_error("{\"hosts\": [", GV_E_PARSE, "f.json:1:11", "']' expected near end of file");
    expect_error("{\"hosts\": [], \"hosts\": []}", GV_E_PARSE, "f.json:1:21",
                 "duplicate object key near '\"hosts\"'");
    expect_error("{\"format\": \"other/2\", \"hosts\": []}", GV_E_UNSUPPORTED, "f.json",
                 "format: 'other/2' is not a format this gpuvm reads (gpuvm-fleet/1)");
    expect_error("{\"hosts\": [{\"name\": \"a\", \"gpus\": [{\"pci\": \"zz\"}]}]}", GV_E_INVAL,
                 "f.json", "hosts[0].gpus[0].pci: 'zz' is not a PCI address (dddd:bb:dd.f)");
    expect_error("{\"hosts\": [{\"name\": \"a\", \"numa\": [{\"id\": 0}], "
                 "\"gpus\": [{\"pci\": \"0000:01:00.0\", \"numa\": 3}]}]}",
                 GV_E_INVAL, "f.json", "host a: GPU 0000:01:00.0: NUMA node 3 does not exist");
    expect_error("{\"hosts\": [{\"name\": \"a\", \"colour\": 1}]}", GV_E_INVAL, "f.json",
                 "hosts[0]: unknown key 'colour'");
    expect_error("{\"hosts\": [{\"name\": \"a\"}, {\"name\": \"a\"}]}", GV_E_CONFLICT, "f.json",
                 "host a: the name is used twice in the fleet");
    expect_error("{\"hosts\": [{\"name\": \"a\", \"numa\": [{\"id\": 0, \"cpus\": [0, 1], "
                 "\"cores\": [[0, 2]]}]}]}",
                 GV_E_INVAL, "f.json",
                 "hosts[0].numa[0].cpus: cpus do not match the threads "
                 "listed in cores");
    expect_error("{\"hosts\": [{\"name\": \"a\", \"pcie\": [{\"name\": \"s\", \"kind\": "
                 "\"switch\", \"parent\": \"t\"}, {\"name\": \"t\", \"kind\": \"switch\", "
                 "\"parent\": \"s\"}]}]}",
                 GV_E_INVAL, "f.json", "host a: PCIe node s: parent chain has a cycle");
    expect_error("{\"hosts\": [{\"name\": \"a\", \"gpus\": [{\"pci\": \"0000:01:00.0\", "
                 "\"vendor_id\": \"10de\"}]}]}",
                 GV_E_INVAL, "f.json",
                 "hosts[0].gpus[0].vendor_id: '10de' is not a 16-bit hex id like \"0x10de\"");
    expect_error("[1]", GV_E_INVAL, "f.json", "expected an object");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_property),
        cmocka_unit_test(test_unknowns_are_null),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
