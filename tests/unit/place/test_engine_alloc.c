/*
 * test_engine_alloc.c - what the engine hands out, against the host's own settings and its GPU
 * models: a GPU whose host enables fewer SR-IOV VFs than its model can have hands out exactly
 * that many, and counts as full (utilisation, pack/spread share) when they are all taken; a
 * vGPU rides on a VF only on a model that carries vGPUs on VFs; emulator threads stay off the
 * VM's vCPUs while the host has any other thread for them; a host whose MIG layout is fixed
 * hands out its idle instances and never creates, destroys or leaves one; the pool strategy
 * (pack, spread, none) decides between hosts nothing else sets apart.
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

static gv_fleet *
parse_fleet(const gv_catalog *cat, const char *text)
{
    gv_fleet *f = NULL;
    gv_err err = {0};

    if (gv_fleet_parse(text, strlen(text), "t.yaml", cat, &f, &err) < 0)
        fail_msg("%s: %s", err.where, err.msg);
    return f;
}

static void
engine_check(const gv_engine *e)
{
    gv_err err = {0};

    if (gv_engine_check(e, &err) < 0)
        fail_msg("%s: %s", err.where, err.msg);
}

static int
place(gv_engine *e, gv_request *r, gv_place_result *res)
{
    gv_err err = {0};
    int rc = gv_engine_place(e, r, 0, res, &err);

    if (rc < 0)
        fail_msg("%s: %s", err.where, err.msg);
    engine_check(e);
    return rc;
}

/*
 * One host, a vGPU-mode L40S (Ada: each vGPU on an SR-IOV VF, facts 2.4) and a T4 (Turing: the
 * GPU itself is the mdev parent). A vGPU on the L40S names the VF of its slot; one on the T4
 * has no VF, and its libvirt mdev hangs off the GPU.
 */
static void
test_vgpu_on_vfs_by_model(void **state)
{
    static const char text[] =
        "templates:\n"
        "  t:\n"
        "    gpu_mode: vgpu\n"
        "    topology:\n"
        "      numa: [{id: 0, cores: [[0, 4], [1, 5], [2, 6], [3, 7]], memory_mib: 65536}]\n"
        "      pcie: [{name: hb0, kind: hostbridge, numa: 0}]\n"
        "      gpus:\n"
        "        - {pci: \"0000:41:00.0\", vendor_id: \"0x10de\", device_id: \"0x26b9\", numa: 0,\n"
        "           pcie_parent: hb0}\n"
        "        - {pci: \"0000:61:00.0\", vendor_id: \"0x10de\", device_id: \"0x1eb8\", numa: 0,\n"
        "           pcie_parent: hb0}\n"
        "hosts:\n"
        "  - {name: v1, template: t}\n";
    static const struct {
        const char *type;
        const char *pci;
        bool on_vfs;
        const char *vf_pci[2]; /* of slots 0 and 1 */
    } cases[] = {
        {"L40S-12C", "0000:41:00.0", true, {"0000:41:00.1", "0000:41:00.2"}},
        {"T4-4C", "0000:61:00.0", false, {"", ""}},
    };
    GV_AUTOPTR(gv_fleet) f = parse_fleet(*state, text);
    GV_AUTOPTR(gv_engine) e = NULL;
    gv_err err = {0};

    assert_string_equal(f->hosts[0]->gpus[0].model, "L40S-48GB");
    assert_string_equal(f->hosts[0]->gpus[1].model, "T4-16GB");
    if (gv_engine_new(f, *state, NULL, &e, &err) < 0)
        fail_msg("%s: %s", err.where, err.msg);
    for (size_t i = 0; i < GV_N_ELEMENTS(cases); i++) {
        for (int slot = 0; slot < 2; slot++) {
            gv_request r;
            gv_place_result res;
            const gv_placed_gpu *g;
            GV_AUTOFREE char *json = NULL;
            GV_AUTOFREE char *xml = NULL;
            char parent[64];

            gv_request_init(&r);
            snprintf(r.name, sizeof(r.name), "vm-%zu-%d", i, slot);
            r.cpu_policy = GV_CPU_SHARED;
            r.gpu.mode = GV_GPU_MODE_VGPU;
            r.gpu.count = 1;
            snprintf(r.gpu.vgpu_type, sizeof(r.gpu.vgpu_type), "%s", cases[i].type);
            assert_int_equal(place(e, &r, &res), 1);
            assert_int_equal(res.placement.n_gpus, 1);
            g = &res.placement.gpus[0];
            assert_string_equal(g->pci, cases[i].pci);
            assert_int_equal(g->slot, slot);
            assert_int_equal(g->vf, cases[i].on_vfs ? slot : -1);
            assert_string_equal(g->vf_pci, cases[i].vf_pci[slot]);
            /* JSON names the VF only when there is one; the mdev parent is the VF or the GPU */
            json = gv_placement_to_json(&res.placement);
            assert_true((strstr(json, "\"vf_pci\"") != NULL) == cases[i].on_vfs);
            xml = gv_placement_to_libvirt_xml(&res.placement, f->hosts[0], 0);
            assert_non_null(xml);
            snprintf(parent, sizeof(parent), "parent='%s'",
                     cases[i].on_vfs ? cases[i].vf_pci[slot] : cases[i].pci);
            assert_non_null(strstr(xml, parent));
            gv_place_result_clear(&res);
        }
    }
}

/*
 * Emulator threads on a host without reserved CPUs: with the VM's node full they go to the free
 * threads of another node, not onto the VM's vCPUs; only when no thread of the host is free do
 * they share the vCPUs.
 */
static void
test_emulator_off_the_vcpus(void **state)
{
    static const char text[] = "templates:\n"
                               "  t:\n"
                               "    topology:\n"
                               "      numa:\n"
                               "        - {id: 0, cores: [[0, 4], [1, 5]], memory_mib: 8192}\n"
                               "        - {id: 1, cores: [[2, 6], [3, 7]], memory_mib: 8192}\n"
                               "      packages: [{id: 0, numa: [0]}, {id: 1, numa: [1]}]\n"
                               "hosts:\n"
                               "  - {name: small, template: t}\n";
    GV_AUTOPTR(gv_fleet) f = parse_fleet(*state, text);
    GV_AUTOPTR(gv_engine) e = NULL;
    gv_place_result res[2];
    gv_err err = {0};
    int node[2];

    assert_int_equal(f->hosts[0]->n_reserved_cpus, 0);
    if (gv_engine_new(f, *state, NULL, &e, &err) < 0)
        fail_msg("%s: %s", err.where, err.msg);
    for (int v = 0; v < 2; v++) {
        const gv_placement *p = &res[v].placement;
        gv_request r;

        gv_request_init(&r);
        snprintf(r.name, sizeof(r.name), "full-%d", v);
        r.vcpus = 4; /* every thread of one node */
        r.memory_mib = 4096;
        r.cpu_policy = GV_CPU_DEDICATED;
        r.numa_policy = GV_NUMA_POLICY_STRICT;
        assert_int_equal(place(e, &r, &res[v]), 1);
        assert_int_equal(p->n_cells, 1);
        node[v] = p->cells[0].host_numa;
        for (int k = 0; k < 4; k++)
            assert_int_equal(p->pins[k].pcpu % 4 / 2, node[v]);
        assert_true(p->n_emulator_cpus > 0);
    }
    assert_int_not_equal(node[0], node[1]);
    /* the first VM's node was full, the other node free: its emulator went there */
    assert_int_equal(res[0].placement.n_emulator_cpus, 4);
    for (size_t k = 0; k < res[0].placement.n_emulator_cpus; k++)
        assert_int_equal(res[0].placement.emulator_cpus[k] % 4 / 2, node[1]);
    /* nothing left free anywhere: the second VM's emulator shares its own vCPUs */
    assert_int_equal(res[1].placement.n_emulator_cpus, 4);
    for (size_t k = 0; k < res[1].placement.n_emulator_cpus; k++)
        assert_int_equal(res[1].placement.emulator_cpus[k] % 4 / 2, node[1]);
    gv_place_result_clear(&res[0]);
    gv_place_result_clear(&res[1]);
}

/* A template's topology: one NUMA node of 4 cores and two H100 SXM5 (10de:2330) GPUs. */
#define TWO_H100_TOPOLOGY                                                                          \
    "    topology:\n"                                                                              \
    "      numa: [{id: 0, cores: [[0, 4], [1, 5], [2, 6], [3, 7]], memory_mib: 65536}]\n"          \
    "      pcie: [{name: hb0, kind: hostbridge, numa: 0}]\n"                                       \
    "      gpus:\n"                                                                                \
    "        - {pci: \"0000:41:00.0\", vendor_id: \"0x10de\", device_id: \"0x2330\",\n"            \
    "           numa: 0, pcie_parent: hb0}\n"                                                      \
    "        - {pci: \"0000:61:00.0\", vendor_id: \"0x10de\", device_id: \"0x2330\",\n"            \
    "           numa: 0, pcie_parent: hb0}\n"

/* Two H100 GPUs, each with one 3g.40gb instance; @fixed: the layout is mig-parted's. */
static gv_fleet *
mig_fleet(const gv_catalog *cat, bool fixed)
{
    char text[1024];

    snprintf(text, sizeof(text),
             "templates:\n"
             "  t:\n"
             "    gpu_mode: mig\n"
             "    mig_layout: [\"3g.40gb@4\"]\n"
             "    reconfigurable: true\n"
             "    mig_fixed: %s\n" TWO_H100_TOPOLOGY "hosts:\n"
             "  - {name: m1, template: t}\n",
             fixed ? "true" : "false");
    return parse_fleet(cat, text);
}

static int
place_gpu(gv_engine *e, const char *name, gv_gpu_mode mode, const char *profile,
          gv_place_result *res)
{
    gv_request r;

    gv_request_init(&r);
    snprintf(r.name, sizeof(r.name), "%s", name);
    r.vcpus = 1;
    r.cpu_policy = GV_CPU_SHARED;
    r.gpu.mode = mode;
    r.gpu.count = 1;
    snprintf(r.gpu.profile, sizeof(r.gpu.profile), "%s", profile);
    return place(e, &r, res);
}

/*
 * The same host with and without a fixed MIG layout: the free slices 0-3 of each GPU take a
 * new 2g.20gb and the idle GPUs can be re-partitioned or leave MIG only when the layout is not
 * fixed; the existing 3g.40gb instances are handed out (not created) either way, and one
 * released goes back to idle and is handed out again.
 */
static void
test_mig_fixed_layout(void **state)
{
    for (int fixed = 0; fixed <= 1; fixed++) {
        GV_AUTOPTR(gv_fleet) f = mig_fleet(*state, fixed);
        GV_AUTOPTR(gv_engine) e = NULL;
        GV_AUTOFREE char *before = NULL;
        gv_place_result res;
        gv_err err = {0};

        assert_int_equal(f->hosts[0]->mig_fixed, fixed);
        if (gv_engine_new(f, *state, NULL, &e, &err) < 0)
            fail_msg("%s: %s", err.where, err.msg);
        /* leaving MIG: a reconfiguration step, unless the layout is fixed */
        assert_int_equal(place_gpu(e, "pt", GV_GPU_MODE_PASSTHROUGH, "", &res), !fixed);
        if (!fixed) {
            assert_int_equal(res.placement.n_reconfigure, 1);
            assert_int_equal(res.placement.reconfigure[0].destroyed_instances, 1);
            gv_place_result_clear(&res);
            assert_int_equal(gv_engine_release(e, "pt", &err), 0);
        }
        /* a 7g.80gb needs the 3g.40gb destroyed: a re-partition */
        assert_int_equal(place_gpu(e, "big", GV_GPU_MODE_MIG, "7g.80gb", &res), !fixed);
        if (!fixed) {
            gv_place_result_clear(&res);
            assert_int_equal(gv_engine_release(e, "big", &err), 0);
        }
        /* a new instance in the free slices 0-3 */
        assert_int_equal(place_gpu(e, "small", GV_GPU_MODE_MIG, "2g.20gb", &res), !fixed);
        if (!fixed) {
            assert_true(res.placement.gpus[0].created);
            assert_true(res.placement.gpus[0].start < 4);
            gv_place_result_clear(&res);
            assert_int_equal(gv_engine_release(e, "small", &err), 0);
        }
        if (!fixed)
            continue;
        /* fixed: the existing instances, one per GPU, and no third (the free slices 0-3
         * stay free); released, an instance is idle again and handed out again */
        before = gv_engine_state_dump(e);
        for (int i = 0; i < 2; i++) {
            char name[8];

            snprintf(name, sizeof(name), "i%d", i);
            assert_int_equal(place_gpu(e, name, GV_GPU_MODE_MIG, "3g.40gb", &res), 1);
            assert_false(res.placement.gpus[0].created);
            assert_int_equal(res.placement.gpus[0].start, 4);
            assert_int_equal(res.placement.n_reconfigure, 0);
            gv_place_result_clear(&res);
        }
        assert_int_equal(place_gpu(e, "i2", GV_GPU_MODE_MIG, "3g.40gb", &res), 0);
        assert_int_equal(gv_engine_release(e, "i0", &err), 0);
        assert_int_equal(place_gpu(e, "i0", GV_GPU_MODE_MIG, "3g.40gb", &res), 1);
        assert_false(res.placement.gpus[0].created);
        gv_place_result_clear(&res);
        assert_int_equal(gv_engine_release(e, "i0", &err), 0);
        assert_int_equal(gv_engine_release(e, "i1", &err), 0);
        {
            /* the instances stay, idle: the state is the imported one */
            GV_AUTOFREE char *after = gv_engine_state_dump(e);
            assert_string_equal(after, before);
        }
    }
}

/*
 * The pool strategy when nothing else sets two hosts apart (same fragmentation and locality):
 * pack takes the fuller host, spread the emptier, none the smaller name. Host @fuller ("a" or
 * "b") already runs one of its two GPUs, placed there by a label.
 */
static const char *
host_chosen(const gv_catalog *cat, const char *strategy, const char *fuller)
{
    static char chosen[16];
    char text[2048];
    GV_AUTOPTR(gv_fleet) f = NULL;
    GV_AUTOPTR(gv_engine) e = NULL;
    gv_place_result res;
    gv_request r;
    gv_err err = {0};

    snprintf(text, sizeof(text),
             "pools: {p: {strategy: %s}}\n"
             "templates:\n"
             "  t:\n"
             "    pool: p\n"
             "    gpu_mode: passthrough\n" TWO_H100_TOPOLOGY "hosts:\n"
             "  - {name: a, template: t, labels: {id: a}}\n"
             "  - {name: b, template: t, labels: {id: b}}\n",
             strategy);
    f = parse_fleet(cat, text);
    if (gv_engine_new(f, cat, NULL, &e, &err) < 0)
        fail_msg("%s: %s", err.where, err.msg);
    gv_request_init(&r);
    snprintf(r.name, sizeof(r.name), "first");
    r.vcpus = 1;
    r.cpu_policy = GV_CPU_SHARED;
    r.gpu.mode = GV_GPU_MODE_PASSTHROUGH;
    r.gpu.count = 1;
    r.n_labels = 1;
    snprintf(r.labels[0].key, sizeof(r.labels[0].key), "id");
    snprintf(r.labels[0].value, sizeof(r.labels[0].value), "%s", fuller);
    assert_int_equal(place(e, &r, &res), 1);
    gv_place_result_clear(&res);
    snprintf(r.name, sizeof(r.name), "second");
    r.n_labels = 0;
    assert_int_equal(place(e, &r, &res), 1);
    snprintf(chosen, sizeof(chosen), "%s", res.placement.host);
    gv_place_result_clear(&res);
    return chosen;
}

static void
test_pool_strategy(void **state)
{
    static const struct {
        const char *strategy, *fuller, *want;
    } cases[] = {
        {"pack", "a", "a"},   {"pack", "b", "b"}, {"spread", "a", "b"},
        {"spread", "b", "a"}, {"none", "a", "a"}, {"none", "b", "a"},
    };

    for (size_t i = 0; i < GV_N_ELEMENTS(cases); i++)
        assert_string_equal(host_chosen(*state, cases[i].strategy, cases[i].fuller), cases[i].want);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sriov_vfs_of_the_host), cmocka_unit_test(test_sriov_eight_vfs),
        cmocka_unit_test(test_vgpu_on_vfs_by_model),  cmocka_unit_test(test_emulator_off_the_vcpus),
        cmocka_unit_test(test_mig_fixed_layout),      cmocka_unit_test(test_pool_strategy),
    };
    return cmocka_run_group_tests(tests, gv_test_catalog_setup, gv_test_catalog_teardown);
}
