/*
 * test_distance.c - nvidia-smi style distance classes on a hand-built host whose answers are
 * known, symmetry over random hosts, and GPU interconnect islands.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "gpuvm/topo.h"
#include "random_host.h"

/*
 *  hb0 (N0) - rp 0000:10:00.0 - sw 0000:11:00.0 -+- sw 0000:12:00.0 - GPU 0000:13:00.0 (g0)
 *                                                |                  - NIC 0000:14:00.0/.1 (n0,n1)
 *                                                +- sw 0000:15:00.0 - GPU 0000:16:00.0 (g1)
 *           - rp 0000:20:00.0 - GPU 0000:21:00.0 (g2)
 *  hb1 (N0) - rp 0000:30:00.0 - GPU 0000:31:00.0 (g3)
 *  hb2 (N1) - rp 0000:40:00.0 - GPU 0000:41:00.0 (g4), NVMe 0000:42:00.0 directly on hb2 (d0)
 *  GPU 0000:51:00.0 (g5): no parent, NUMA unknown
 *  NVLink g0-g1 direct; g3 and g4 on one NVSwitch fabric.
 */
static gv_host *
build(void)
{
    gv_host *h = gv_host_new("t");
    int t0[] = {0}, t1[] = {1};
    gv_numa_add_core(gv_host_add_numa(h, 0), t0, 1);
    gv_numa_add_core(gv_host_add_numa(h, 1), t1, 1);
    int hb0 = gv_host_add_pcie(h, "hb0", GV_PCIE_HOSTBRIDGE, -1, 0);
    int rp1 = gv_host_add_pcie(h, "0000:10:00.0", GV_PCIE_ROOTPORT, hb0, 0);
    int swa = gv_host_add_pcie(h, "0000:11:00.0", GV_PCIE_SWITCH, rp1, 0);
    int swb = gv_host_add_pcie(h, "0000:12:00.0", GV_PCIE_SWITCH, swa, 0);
    int swc = gv_host_add_pcie(h, "0000:15:00.0", GV_PCIE_SWITCH, swa, 0);
    int rp2 = gv_host_add_pcie(h, "0000:20:00.0", GV_PCIE_ROOTPORT, hb0, 0);
    int hb1 = gv_host_add_pcie(h, "hb1", GV_PCIE_HOSTBRIDGE, -1, 0);
    int rp3 = gv_host_add_pcie(h, "0000:30:00.0", GV_PCIE_ROOTPORT, hb1, 0);
    int hb2 = gv_host_add_pcie(h, "hb2", GV_PCIE_HOSTBRIDGE, -1, 1);
    int rp4 = gv_host_add_pcie(h, "0000:40:00.0", GV_PCIE_ROOTPORT, hb2, 1);
    struct {
        const char *pci;
        int parent, numa;
    } gpus[] = {{"0000:13:00.0", swb, 0}, {"0000:16:00.0", swc, 0}, {"0000:21:00.0", rp2, 0},
                {"0000:31:00.0", rp3, 0}, {"0000:41:00.0", rp4, 1}, {"0000:51:00.0", -1, -1}};
    for (size_t i = 0; i < 6; i++) {
        gv_gpu *g = gv_host_add_gpu(h);
        strcpy(g->pci, gpus[i].pci);
        g->pcie_parent = gpus[i].parent;
        g->numa = gpus[i].numa;
    }
    for (int f = 0; f < 2; f++) {
        gv_nic *n = gv_host_add_nic(h);
        snprintf(n->pci, sizeof(n->pci), "0000:14:00.%d", f);
        n->pcie_parent = swb;
        n->numa = 0;
    }
    gv_nvme *d = gv_host_add_nvme(h);
    strcpy(d->pci, "0000:42:00.0");
    d->pcie_parent = hb2;
    d->numa = 1;
    gv_host_add_link(h, GV_LINK_NVLINK, 0, 1, 12);
    gv_host_add_link(h, GV_LINK_NVLINK, 3, -1, 18);
    gv_host_add_link(h, GV_LINK_NVLINK, 4, -1, 18);
    gv_host_sort(h);
    assert_int_equal(gv_host_check(h, NULL), 0);
    return h;
}

#define GPU(i) ((gv_dev_ref){GV_DEV_GPU, (i)})
#define NIC(i) ((gv_dev_ref){GV_DEV_NIC, (i)})
#define NVME(i) ((gv_dev_ref){GV_DEV_NVME, (i)})

static void
test_classes(void **state)
{
    gv_host *h = build();
    (void)state;

    assert_int_equal(gv_host_distance(h, GPU(0), GPU(0)), GV_DIST_SELF);
    assert_int_equal(gv_host_distance(h, GPU(0), GPU(1)), GV_DIST_NVLINK);
    assert_int_equal(gv_host_distance(h, GPU(0), NIC(0)), GV_DIST_PIX);
    assert_int_equal(gv_host_distance(h, NIC(0), NIC(1)), GV_DIST_PIX);
    assert_int_equal(gv_host_distance(h, NIC(0), GPU(1)), GV_DIST_PXB);
    assert_int_equal(gv_host_distance(h, GPU(0), GPU(2)), GV_DIST_PHB);
    assert_int_equal(gv_host_distance(h, GPU(2), GPU(3)), GV_DIST_NODE);
    assert_int_equal(gv_host_distance(h, GPU(3), GPU(4)), GV_DIST_NVLINK);
    assert_int_equal(gv_host_distance(h, GPU(2), GPU(4)), GV_DIST_SYS);
    assert_int_equal(gv_host_distance(h, GPU(4), NVME(0)), GV_DIST_PHB);
    assert_int_equal(gv_host_distance(h, GPU(5), GPU(2)), GV_DIST_SYS);
    assert_int_equal(gv_host_gpu_link_count(h, 0, 1), 12);
    assert_int_equal(gv_host_gpu_link_count(h, 3, 4), 18);
    assert_int_equal(gv_host_gpu_link_count(h, 0, 3), 0);
    gv_host_free(h);
}

static void
test_islands(void **state)
{
    gv_host *h = build();
    int isl[6];
    (void)state;

    assert_int_equal(gv_host_gpu_islands(h, isl), 4);
    assert_int_equal(isl[0], 0);
    assert_int_equal(isl[1], 0);
    assert_int_equal(isl[2], 1);
    assert_int_equal(isl[3], 2);
    assert_int_equal(isl[4], 2);
    assert_int_equal(isl[5], 3);
    gv_host_free(h);
}

/* Properties on random hosts: symmetric, SELF only for a device with itself, NVLINK only
 * between linked GPUs, PIX only for devices sharing a parent. */
static void
test_properties(void **state)
{
    (void)state;
    for (unsigned seed = 1; seed <= 300; seed++) {
        gv_host *h = gv_random_host(seed);
        gv_dev_ref devs[32];
        size_t n = 0;
        for (size_t i = 0; i < h->n_gpus && n < 32; i++)
            devs[n++] = GPU((int)i);
        for (size_t i = 0; i < h->n_nics && n < 32; i++)
            devs[n++] = NIC((int)i);
        for (size_t i = 0; i < h->n_nvme && n < 32; i++)
            devs[n++] = NVME((int)i);
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < n; j++) {
                gv_dist d = gv_host_distance(h, devs[i], devs[j]);
                assert_int_equal(d, gv_host_distance(h, devs[j], devs[i]));
                assert_true((d == GV_DIST_SELF) == (i == j));
                if (d == GV_DIST_NVLINK)
                    assert_true(devs[i].kind == GV_DEV_GPU && devs[j].kind == GV_DEV_GPU &&
                                gv_host_gpu_link_count(h, devs[i].index, devs[j].index) > 0);
            }
        }
        gv_host_free(h);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classes),
        cmocka_unit_test(test_islands),
        cmocka_unit_test(test_properties),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
