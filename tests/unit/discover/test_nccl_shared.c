/*
 * test_nccl_shared.c - every real NCCL/RCCL topology in the shared data folder
 * (every .xml in topologies/nccl-topo/) loads and passes gv_host_check, with a few facts from that
 * folder's README checked per file. Skips (exit 77) with a notice when the folder is absent.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpuvm/discover.h"
#include "testlib.h"
#include "util/file.h"

static char *nccl_dir;

/* What the README says about each file, in counts; links as this loader builds them. */
static const struct {
    const char *file;
    size_t n_numa, n_gpus, n_nics, n_switches, n_links;
} expected[] = {
    {"ncv4-topo.xml", 4, 4, 0, 0, 0},            /* eth0 has no PCI; self NVLinks dropped */
    {"ndv2-topo.xml", 2, 8, 1, 0, 0},            /* bare <pci>, no links in the file */
    {"ndv4-topo.xml", 4, 8, 8, 4, 0},            /* one fake switch per NUMA node */
    {"p4d-24xl-topo.xml", 2, 8, 4, 4, 0},        /* EFA behind fake switches */
    {"topo_16p1h.xml", 4, 16, 8, 28, 28},        /* xGMI: 56 declarations, 28 pairs */
    {"topo_4p1h_1.xml", 2, 4, 1, 4, 4},          /* virbr0 has no PCI: skipped */
    {"topo_8p_rome_4nics.xml", 4, 8, 4, 20, 12}, /* two fully connected quads */
};

static gv_host *
load(const char *file)
{
    GV_AUTOFREE char *path = gv_asprintf("%s/%s", nccl_dir, file);
    GV_AUTOFREE char *text = NULL;
    gv_host *h = NULL;
    size_t len = 0;
    gv_err err = {0};
    char buf[GV_ERR_WHERE_MAX + GV_ERR_MSG_MAX + 4];

    if (gv_file_read(path, GV_FILE_MAX_BYTES, &text, &len, &err) < 0 ||
        gv_nccl_xml_load(text, len, file, &h, &err) < 0)
        fail_msg("%s", gv_err_format(&err, buf, sizeof(buf)));
    assert_int_equal(gv_host_check(h, &err), 0);
    return h;
}

static int
gpu_numa(const gv_host *h, const char *pci)
{
    int i = gv_host_find_gpu(h, pci);
    assert_true(i >= 0);
    return h->gpus[i].numa;
}

static int
nic_numa(const gv_host *h, const char *pci)
{
    int i = gv_host_find_nic(h, pci);
    assert_true(i >= 0);
    return h->nics[i].numa;
}

static const char *
gpu_parent(const gv_host *h, const char *pci)
{
    int i = gv_host_find_gpu(h, pci);
    assert_true(i >= 0 && h->gpus[i].pcie_parent >= 0);
    return h->pcie[h->gpus[i].pcie_parent].name;
}

/* Every file of the folder loads, is described in `expected`, and matches its counts. */
static void
test_every_file(void **state)
{
    DIR *d = opendir(nccl_dir);
    struct dirent *e;
    size_t seen = 0;
    (void)state;

    assert_non_null(d);
    while ((e = readdir(d))) {
        const char *dot = strrchr(e->d_name, '.');
        size_t k = 0, n_sw = 0;

        if (!dot || strcmp(dot, ".xml"))
            continue;
        while (k < GV_N_ELEMENTS(expected) && strcmp(expected[k].file, e->d_name))
            k++;
        if (k == GV_N_ELEMENTS(expected))
            fail_msg("%s: not described in this test's table", e->d_name);

        GV_AUTOPTR(gv_host) h = load(e->d_name);
        for (size_t i = 0; i < h->n_pcie; i++)
            n_sw += h->pcie[i].kind == GV_PCIE_SWITCH;
        printf("%-24s numa %zu gpus %zu nics %zu switches %zu links %zu\n", e->d_name, h->n_numa,
               h->n_gpus, h->n_nics, n_sw, h->n_links);
        assert_int_equal(h->n_numa, expected[k].n_numa);
        assert_int_equal(h->n_gpus, expected[k].n_gpus);
        assert_int_equal(h->n_nics, expected[k].n_nics);
        assert_int_equal(n_sw, expected[k].n_switches);
        assert_int_equal(h->n_links, expected[k].n_links);
        assert_int_equal(h->n_pcie - n_sw, h->n_numa); /* one host bridge per <cpu> */
        for (size_t i = 0; i < h->n_numa; i++) {
            assert_false(h->numa[i].cores_known);
            assert_true(h->numa[i].n_cpus > 0);
        }
        seen++;
    }
    closedir(d);
    assert_int_equal(seen, GV_N_ELEMENTS(expected));
}

static void
test_ndv4(void **state)
{
    GV_AUTOPTR(gv_host) h = load("ndv4-topo.xml");
    static const char *const gpus[][2] = {
        {"0003:00:00.0", "ffff:ff:01.0"}, {"0004:00:00.0", "ffff:ff:01.0"},
        {"0001:00:00.0", "ffff:ff:02.0"}, {"0002:00:00.0", "ffff:ff:02.0"},
        {"000d:00:00.0", "ffff:ff:03.0"}, {"000e:00:00.0", "ffff:ff:03.0"},
        {"000b:00:00.0", "ffff:ff:04.0"}, {"000c:00:00.0", "ffff:ff:04.0"},
    };
    (void)state;

    for (size_t i = 0; i < GV_N_ELEMENTS(gpus); i++) {
        assert_int_equal(gpu_numa(h, gpus[i][0]), (int)i / 2);
        assert_string_equal(gpu_parent(h, gpus[i][0]), gpus[i][1]);
    }
    assert_int_equal(nic_numa(h, "0103:00:00.0"), 0);
    assert_int_equal(nic_numa(h, "0104:00:00.0"), 0);
    assert_int_equal(nic_numa(h, "0101:00:00.0"), 1);
    assert_int_equal(nic_numa(h, "0107:00:00.0"), 2);
    assert_int_equal(nic_numa(h, "0105:00:00.0"), 3);
    /* GPU and NIC under one fake switch: PIX */
    assert_int_equal(
        gv_host_distance(h, (gv_dev_ref){GV_DEV_GPU, gv_host_find_gpu(h, "0003:00:00.0")},
                         (gv_dev_ref){GV_DEV_NIC, gv_host_find_nic(h, "0103:00:00.0")}),
        GV_DIST_PIX);
}

static void
test_p4d(void **state)
{
    GV_AUTOPTR(gv_host) h = load("p4d-24xl-topo.xml");
    (void)state;

    assert_int_equal(nic_numa(h, "0000:10:1b.0"), 0);
    assert_int_equal(nic_numa(h, "0000:20:1b.0"), 0);
    assert_int_equal(nic_numa(h, "0000:90:1b.0"), 1);
    assert_int_equal(nic_numa(h, "0000:a0:1b.0"), 1);
    assert_int_equal(h->nics[gv_host_find_nic(h, "0000:10:1b.0")].vendor_id, 0x1d0f);
    assert_int_equal(h->nics[gv_host_find_nic(h, "0000:10:1b.0")].device_id, 0xefa0);
    assert_int_equal(gpu_numa(h, "0000:10:1c.0"), 0);
    assert_int_equal(gpu_numa(h, "0000:a0:1d.0"), 1);
    assert_string_equal(gpu_parent(h, "0000:20:1d.0"), "ffff:ff:02.0");
    assert_int_equal(h->gpus[0].device_id, 0x20b0);
}

static void
test_ncv4_ndv2(void **state)
{
    GV_AUTOPTR(gv_host) nc = load("ncv4-topo.xml");
    GV_AUTOPTR(gv_host) nd = load("ndv2-topo.xml");
    (void)state;

    for (int i = 0; i < 4; i++) {
        char pci[GV_PCI_ADDR_LEN], hb[8];
        snprintf(pci, sizeof(pci), "%04x:00:00.0", i + 1);
        snprintf(hb, sizeof(hb), "hb%d", i);
        assert_int_equal(gpu_numa(nc, pci), i);
        assert_string_equal(gpu_parent(nc, pci), hb); /* no switch: under the host bridge */
    }
    assert_int_equal(nc->gpus[0].device_id, 0x20b5);
    assert_int_equal(nc->numa[0].n_cpus, 24); /* 00ffffff */
    assert_int_equal(nd->numa[0].n_cpus, 20); /* 000fffff */
    assert_int_equal(gpu_numa(nd, "0004:00:00.0"), 0);
    assert_int_equal(gpu_numa(nd, "0005:00:00.0"), 1);
    assert_int_equal(nic_numa(nd, "0101:00:00.0"), 0);
}

static void
test_rccl(void **state)
{
    GV_AUTOPTR(gv_host) h16 = load("topo_16p1h.xml");
    GV_AUTOPTR(gv_host) h8 = load("topo_8p_rome_4nics.xml");
    GV_AUTOPTR(gv_host) h4 = load("topo_4p1h_1.xml");
    static const char *const n16[4][4] = {
        {"4e", "51", "56", "59"},
        {"0e", "11", "16", "19"},
        {"cf", "d2", "d7", "da"},
        {"8f", "92", "97", "9a"},
    };
    int a, b;
    (void)state;

    for (int n = 0; n < 4; n++) {
        for (int k = 0; k < 4; k++) {
            char pci[GV_PCI_ADDR_LEN];
            snprintf(pci, sizeof(pci), "0000:%s:00.0", n16[n][k]);
            assert_int_equal(gpu_numa(h16, pci), n);
        }
    }
    assert_int_equal(nic_numa(h16, "0000:4b:00.0"), 0);
    assert_string_equal(h16->nics[gv_host_find_nic(h16, "0000:4b:00.0")].name, "mlx5_0");
    assert_int_equal(h16->nics[gv_host_find_nic(h16, "0000:4b:00.0")].speed_mbps, 200000);
    assert_int_equal(nic_numa(h16, "0000:9b:00.0"), 3);
    assert_string_equal(h16->nics[gv_host_find_nic(h16, "0000:9b:00.0")].name, "mlx5_8");
    /* 4e <-> 51: four xGMI links, declared from both sides */
    a = gv_host_find_gpu(h16, "0000:4e:00.0");
    b = gv_host_find_gpu(h16, "0000:51:00.0");
    assert_int_equal(gv_host_gpu_link_count(h16, a, b), 4);
    for (size_t i = 0; i < h16->n_links; i++)
        assert_int_equal(h16->links[i].kind, GV_LINK_XGMI);

    assert_int_equal(gpu_numa(h8, "0000:4a:00.0"), 0);
    assert_int_equal(gpu_numa(h8, "0000:90:00.0"), 3);
    assert_int_equal(nic_numa(h8, "0000:c6:00.0"), 2);

    assert_int_equal(gpu_numa(h4, "0000:3d:00.0"), 0);
    assert_int_equal(gpu_numa(h4, "0000:b1:00.0"), 1);
    assert_int_equal(nic_numa(h4, "0000:01:00.0"), 0);
    assert_string_equal(h4->nics[0].name, "eno1");
    assert_int_equal(h4->nics[0].speed_mbps, 10000);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_file), cmocka_unit_test(test_ndv4), cmocka_unit_test(test_p4d),
        cmocka_unit_test(test_ncv4_ndv2),  cmocka_unit_test(test_rccl),
    };
    GV_AUTOFREE char *shared = gv_test_shared_data();
    int r;

    if (!shared)
        gv_test_skip_no_shared_data("discover/nccl-shared");
    nccl_dir = gv_asprintf("%s/topologies/nccl-topo", shared);
    r = cmocka_run_group_tests(tests, NULL, NULL);
    free(nccl_dir);
    return r;
}
