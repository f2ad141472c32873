/*
 * test_fleet_yaml.c - fleet files: precedence of template < group < override, label merging,
 * "{name}" substitution, name ranges, inline topologies, GPU modes checked against the catalog,
 * and that every loaded fleet passes gv_fleet_check while a refused one leaves nothing behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "gpuvm/discover.h"
#include "testlib.h"

static gv_catalog *catalog;

static int
setup(void **state)
{
    (void)state;
    catalog = gv_test_shipped_catalog();
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    gv_catalog_free(catalog);
    return 0;
}

static const char inline_host[] =
    "    topology:\n"
    "      numa: [{id: 0, cores: [[0, 2], [1, 3]], memory_mib: 4096}]\n"
    "      pcie: [{name: hb0, kind: hostbridge, numa: 0}]\n"
    "      gpus:\n"
    "        - {pci: \"0000:01:00.0\", vendor_id: \"0x10de\", device_id: \"0x2330\", numa: 0,\n"
    "           pcie_parent: hb0}\n"
    "        - {pci: \"0000:02:00.0\", vendor_id: \"0x10de\", device_id: \"0x26b9\", numa: 0}\n";

static gv_fleet *
load_ok(const char *text)
{
    gv_fleet *f = NULL;
    gv_err err = {0};

    if (gv_fleet_parse(text, strlen(text), "t.yaml", catalog, &f, &err) < 0)
        fail_msg("%s: %s", err.where, err.msg);
    assert_int_equal(gv_fleet_check(f, NULL), 0);
    return f;
}

static void
test_precedence(void **state)
{
    gv_fleet *f;
    gv_host *a, *b;
    char text[4096];
    (void)state;

    snprintf(text, sizeof(text),
             "pools: {p: {}, q: {strategy: spread, cpu_overcommit: 3}, r: {strategy: none}}\n"
             "templates:\n"
             "  t:\n"
             "    pool: p\n"
             "    zone: z0\n"
             "    labels: {a: tmpl, b: tmpl}\n"
             "    hypervisor_uri: \"qemu+ssh://{name}/system\"\n"
             "    datastore: /srv/{name}/{name}\n"
             "    reserved_cpus: \"0\"\n"
             "%s"
             "hosts:\n"
             "  - name: h[08-10]\n"
             "    template: t\n"
             "    zone: z1\n"
             "    labels: {b: group, c: group}\n"
             "    overrides:\n"
             "      h09: {pool: q, labels: {c: host}, state: down, reserved_cpus: \"1-2\"}\n",
             inline_host);
    f = load_ok(text);
    assert_int_equal(f->n_hosts, 3);
    assert_int_equal(f->n_pools, 3);
    assert_int_equal(f->pools[0].strategy, GV_POOL_PACK);
    assert_int_equal(f->pools[1].strategy, GV_POOL_SPREAD);
    assert_int_equal(f->pools[2].strategy, GV_POOL_NONE);
    assert_true(f->pools[1].cpu_overcommit == 3.0);
    a = gv_fleet_find_host(f, "h08");
    b = gv_fleet_find_host(f, "h09");
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(gv_fleet_find_host(f, "h10"));
    assert_string_equal(a->pool, "p");
    assert_string_equal(a->zone, "z1");
    assert_string_equal(gv_host_get_label(a, "a"), "tmpl");
    assert_string_equal(gv_host_get_label(a, "b"), "group");
    assert_string_equal(gv_host_get_label(a, "c"), "group");
    assert_string_equal(a->hypervisor_uri, "qemu+ssh://h08/system");
    assert_string_equal(a->datastore, "/srv/h08/h08");
    assert_int_equal(a->state, GV_HOST_READY);
    assert_int_equal(a->n_reserved_cpus, 1);
    assert_string_equal(b->pool, "q");
    assert_string_equal(gv_host_get_label(b, "c"), "host");
    assert_int_equal(b->state, GV_HOST_DOWN);
    assert_int_equal(b->n_reserved_cpus, 2);
    assert_int_equal(b->reserved_cpus[1], 2);
    /* the catalog resolved the models from PCI ids; hosts are independent copies */
    assert_string_equal(a->gpus[0].model, "H100-SXM5-80GB");
    assert_string_equal(a->gpus[1].model, "L40S-48GB");
    a->gpus[0].numa = GV_NUMA_UNKNOWN;
    assert_int_equal(b->gpus[0].numa, 0);
    gv_fleet_free(f);
}

static void
test_gpu_modes(void **state)
{
    char text[4096];
    gv_fleet *f = NULL;
    gv_err err = {0};
    (void)state;

    /* MIG on the H100 is fine, on the L40S it is not: the line that asked for it is named */
    snprintf(text, sizeof(text),
             "templates:\n  t:\n    gpu_mode: mig\n%s"
             "hosts:\n  - {name: a, template: t}\n",
             inline_host);
    assert_int_equal(gv_fleet_parse(text, strlen(text), "t.yaml", catalog, &f, &err), -GV_E_INVAL);
    assert_null(f);
    assert_string_equal(err.where, "t.yaml:3:15");
    assert_string_equal(err.msg, "host a: GPU 0000:02:00.0 (L40S-48GB): mig: the model has no MIG");

    gv_err_clear(&err);
    snprintf(text, sizeof(text),
             "templates:\n  t:\n%s"
             "hosts:\n  - {name: a, template: t, gpu_mode: vgpu, vgpu_type: H100XM-4C}\n",
             inline_host);
    assert_int_equal(gv_fleet_parse(text, strlen(text), "t.yaml", catalog, &f, &err), -GV_E_INVAL);
    assert_string_equal(err.where, "t.yaml:11:38");
    assert_string_equal(err.msg, "host a: GPU 0000:02:00.0 (L40S-48GB): vgpu: vgpu_type is not a "
                                 "vGPU type of the model (see 'gpuvm catalog MODEL')");

    /* without a catalog, modes other than passthrough cannot be checked and are refused */
    gv_err_clear(&err);
    snprintf(text, sizeof(text),
             "templates:\n  t:\n%s"
             "hosts:\n  - {name: a, template: t, gpu_mode: passthrough}\n",
             inline_host);
    assert_int_equal(gv_fleet_parse(text, strlen(text), "t.yaml", NULL, &f, &err), 0);
    assert_string_equal(f->hosts[0]->gpus[0].model, "unknown");
    gv_fleet_free(f);
}

static gv_fleet *
mig_fleet(const char *layout, gv_err *err)
{
    char text[4096];
    gv_fleet *f = NULL;

    snprintf(text, sizeof(text),
             "templates:\n  t:\n    gpu_mode: mig\n    mig_layout: %s\n"
             "    topology:\n"
             "      numa: [{id: 0, cores: [[0]]}]\n"
             "      gpus: [{pci: \"0000:01:00.0\", vendor_id: \"0x10de\", device_id: "
             "\"0x2330\", numa: 0}]\n"
             "hosts:\n  - {name: a, template: t}\n",
             layout);
    gv_fleet_parse(text, strlen(text), "m.yaml", catalog, &f, err);
    return f;
}

static void
test_mig_layout(void **state)
{
    gv_err err = {0};
    gv_fleet *f;
    const gv_gpu *g;
    (void)state;

    /* no starts: gpuvm finds them (3g.40gb must go to slice 4 for the rest to fit) */
    f = mig_fleet("[1g.10gb, 3g.40gb, 2g.20gb, 1g.10gb]", &err);
    assert_non_null(f);
    g = &f->hosts[0]->gpus[0];
    assert_int_equal(g->n_instances, 4);
    assert_string_equal(g->instances[0].profile, "2g.20gb");
    assert_int_equal(g->instances[0].start, 0);
    assert_string_equal(g->instances[3].profile, "3g.40gb");
    assert_int_equal(g->instances[3].start, 4);
    assert_int_equal(gv_fleet_check(f, NULL), 0);
    gv_fleet_free(f);

    f = mig_fleet("[\"4g.40gb@0\", \"3g.40gb@4\"]", &err);
    assert_non_null(f);
    assert_int_equal(f->hosts[0]->gpus[0].n_instances, 2);
    gv_fleet_free(f);

    assert_null(mig_fleet("[\"3g.40gb@2\"]", &err));
    assert_string_equal(err.where, "m.yaml:4:17");
    assert_string_equal(err.msg, "mig_layout: instance 0: 3g.40gb@2: 2 is not an allowed start "
                                 "(0, 4)");
    gv_err_clear(&err);
    assert_null(mig_fleet("[4g.40gb, 4g.40gb]", &err));
    assert_string_equal(err.msg, "mig_layout: these MIG profiles do not fit together on one "
                                 "H100-SXM5-80GB");
    gv_err_clear(&err);
    assert_null(mig_fleet("[\"3g.40gb@0\", 3g.40gb]", &err));
    assert_string_equal(err.msg, "mig_layout: give a start for every instance or for none");
    gv_err_clear(&err);
    assert_null(mig_fleet("[3g.20gb]", &err));
    assert_string_equal(err.where, "m.yaml:4:18");
    assert_string_equal(err.msg, "mig_layout: '3g.20gb' is not a MIG profile of H100-SXM5-80GB");
}

static void
test_json_input(void **state)
{
    const char *text = "{\"hosts\": [{\"name\": \"j\", \"gpus\": [{\"pci\": \"0000:01:00.0\", "
                       "\"vendor_id\": \"0x10de\", \"device_id\": \"0x20b0\"}]}]}";
    gv_fleet *f = load_ok(text);
    (void)state;

    assert_int_equal(f->n_hosts, 1);
    assert_string_equal(f->hosts[0]->gpus[0].model, "A100-SXM4-40GB");
    gv_fleet_free(f);
}

static void
test_example_fleet(void **state)
{
    char *path = gv_test_src("data/fleets/example.yaml");
    gv_fleet *f = NULL;
    gv_err err = {0};
    size_t mig = 0, vgpu = 0, sriov = 0, whole = 0;
    (void)state;

    if (gv_fleet_file_load(path, catalog, &f, &err) < 0)
        fail_msg("%s: %s", err.where, err.msg);
    assert_int_equal(gv_fleet_check(f, NULL), 0);
    for (size_t i = 0; i < f->n_hosts; i++) {
        const gv_host *h = f->hosts[i];
        for (size_t g = 0; g < h->n_gpus; g++) {
            assert_string_not_equal(h->gpus[g].model, "unknown");
            mig += h->gpus[g].mode == GV_GPU_MODE_MIG;
            vgpu += h->gpus[g].mode == GV_GPU_MODE_VGPU;
            sriov += h->gpus[g].mode == GV_GPU_MODE_SRIOV;
            whole += h->gpus[g].mode == GV_GPU_MODE_PASSTHROUGH;
        }
    }
    /* the example mixes every attachment model */
    assert_true(mig > 0 && vgpu > 0 && sriov > 0 && whole > 0);
    assert_int_equal(gv_fleet_find_host(f, "gpu-r1-07")->state, GV_HOST_MAINTENANCE);
    gv_fleet_free(f);
    free(path);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_precedence),    cmocka_unit_test(test_gpu_modes),
        cmocka_unit_test(test_mig_layout),    cmocka_unit_test(test_json_input),
        cmocka_unit_test(test_example_fleet),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
