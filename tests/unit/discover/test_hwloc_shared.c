/*
 * test_hwloc_shared.c - every real-machine hwloc XML in the shared data folder (each .xml in
 * topologies/hwloc-xml/) loads without error and passes gv_host_check, and so does the sysfs
 * copy of the AC922 (topologies/sysfs/nvidiagpunumanodes) through the file-system-root loader;
 * plus a few spot checks against the folder's README. Its full conformance to the README is
 * another test's job. Skips (exit 77) with a notice when the folder is absent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpuvm/discover.h"
#include "testlib.h"
#include "util/file.h"

#define ERRBUF (GV_ERR_WHERE_MAX + GV_ERR_MSG_MAX + 4)

static char *shared;

static gv_host *
load_xml(const char *name)
{
    GV_AUTOFREE char *path = gv_asprintf("%s/topologies/hwloc-xml/%s", shared, name);
    GV_AUTOFREE char *text = NULL;
    size_t len = 0;
    gv_host *h = NULL;
    gv_err err = {0};
    char buf[ERRBUF];

    if (gv_file_read(path, GV_FILE_MAX_BYTES, &text, &len, &err) < 0 ||
        gv_hwloc_xml_load(text, len, name, &h, &err) < 0)
        fail_msg("%s", gv_err_format(&err, buf, sizeof(buf)));
    assert_int_equal(gv_host_check(h, &err), 0);
    return h;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
test_all_load(void **state)
{
    GV_AUTOFREE char *dir = gv_asprintf("%s/topologies/hwloc-xml", shared);
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0;
    (void)state;

    assert_non_null(d);
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l > 4 && !strcmp(e->d_name + l - 4, ".xml"))
            *GV_ARRAY_APPEND(names, n) = gv_strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(*names), cmp_str);
    assert_true(n >= 17);
    for (size_t i = 0; i < n; i++) {
        gv_host *h = load_xml(names[i]);
        print_message("%-40s numa=%zu cpus=%zu gpus=%zu nics=%zu nvme=%zu pcie=%zu links=%zu\n",
                      names[i], h->n_numa, gv_host_n_cpus(h), h->n_gpus, h->n_nics, h->n_nvme,
                      h->n_pcie, h->n_links);
        gv_host_free(h);
        free(names[i]);
    }
    free(names);
}

/* README: 16 V100, 8 per NUMA node; 12 NVSwitch functions; an NVLinkBandwidth matrix. */
static void
test_dgx2(void **state)
{
    GV_AUTOPTR(gv_host) h = load_xml("nvidiaDGX2.xml");
    int per_numa[2] = {0, 0};
    (void)state;

    assert_int_equal(h->n_gpus, 16);
    for (size_t i = 0; i < h->n_gpus; i++) {
        assert_true(h->gpus[i].numa == 0 || h->gpus[i].numa == 1);
        assert_int_equal(h->gpus[i].vendor_id, 0x10de);
        assert_int_equal(h->gpus[i].device_id, 0x1db8);
        per_numa[h->gpus[i].numa]++;
    }
    assert_int_equal(per_numa[0], 8);
    assert_int_equal(per_numa[1], 8);
    assert_int_equal(h->gpus[gv_host_find_gpu(h, "0000:34:00.0")].numa, 0);
    assert_int_equal(h->gpus[gv_host_find_gpu(h, "0000:e7:00.0")].numa, 1);
    /* every GPU reaches the NVSwitch fabric with 6 links of 25000 MB/s, none directly */
    assert_int_equal(h->n_links, 16);
    for (size_t i = 0; i < h->n_links; i++) {
        assert_int_equal(h->links[i].a, (int)i);
        assert_int_equal(h->links[i].b, -1);
        assert_int_equal(h->links[i].count, 6);
    }
    /* two GPUs below one second-level PLX switch; another pair under the first level only */
    assert_int_equal(gv_host_distance(h, (gv_dev_ref){GV_DEV_GPU, 0}, (gv_dev_ref){GV_DEV_GPU, 1}),
                     GV_DIST_NVLINK);
    assert_int_equal(h->gpus[0].pcie_parent, h->gpus[1].pcie_parent);
    assert_int_equal(h->pcie[h->gpus[0].pcie_parent].parent,
                     h->pcie[h->gpus[2].pcie_parent].parent);
}

/* README: 0000:44:00.0 -> N1, 03 -> N3, c4 -> N5, 84 -> N7; each GPU shares a switch with an HCA */
static void
test_jrc0323(void **state)
{
    GV_AUTOPTR(gv_host) h = load_xml("topo.jrc0323.xml");
    static const struct {
        const char *gpu, *hca;
        int numa;
    } want[] = {
        {"0000:44:00.0", "0000:43:00.0", 1},
        {"0000:03:00.0", "0000:04:00.0", 3},
        {"0000:c4:00.0", "0000:c3:00.0", 5},
        {"0000:84:00.0", "0000:83:00.0", 7},
    };
    (void)state;

    assert_int_equal(h->n_numa, 8);
    assert_int_equal(gv_host_n_cpus(h), 256);
    assert_int_equal(h->n_gpus, 4);
    assert_int_equal(h->n_nics, 6);
    for (size_t i = 0; i < GV_N_ELEMENTS(want); i++) {
        int g = gv_host_find_gpu(h, want[i].gpu), c = gv_host_find_nic(h, want[i].hca);
        assert_true(g >= 0 && c >= 0);
        assert_int_equal(h->gpus[g].numa, want[i].numa);
        assert_int_equal(h->nics[c].numa, want[i].numa);
        assert_int_equal(
            gv_host_distance(h, (gv_dev_ref){GV_DEV_GPU, g}, (gv_dev_ref){GV_DEV_NIC, c}),
            GV_DIST_PIX);
    }
    /* the ASPEED display 62:00.0 is not a GPU */
    assert_int_equal(gv_host_find_gpu(h, "0000:62:00.0"), -1);
}

/* Memory-only NUMA nodes: the AC922's GPU memory (kept) and Xeon Max's HBM (flat mode). */
static void
test_memory_only(void **state)
{
    GV_AUTOPTR(gv_host) kept = load_xml("nvidiagpunumanodes-kept.xml");
    GV_AUTOPTR(gv_host) max = load_xml("topo.dp-intelmax01-flat.xml");
    (void)state;

    assert_int_equal(kept->n_numa, 8);
    for (size_t i = 0; i < kept->n_numa; i++) {
        const gv_numa *n = &kept->numa[i];
        bool mem_only = n->id >= 250;
        assert_int_equal(n->n_cores == 0, mem_only);
        if (mem_only)
            assert_int_equal(n->memory_mib, 15360);
    }
    /* the GPUs are local to the CPU nodes 0 and 8, not to their memory nodes */
    for (size_t i = 0; i < kept->n_gpus; i++)
        assert_true(kept->gpus[i].numa == (i < 3 ? 0 : 8));
    assert_int_equal(max->n_numa, 16);
    for (size_t i = 0; i < max->n_numa; i++)
        assert_int_equal(max->numa[i].n_cores == 0, max->numa[i].id >= 8);
    /* README: I350 -> N0 (+HBM N8), ConnectX-6 -> N2, NVMe -> N3 */
    assert_int_equal(max->nics[gv_host_find_nic(max, "0000:01:00.0")].numa, 0);
    assert_int_equal(max->nics[gv_host_find_nic(max, "0000:27:00.0")].numa, 2);
    assert_int_equal(max->nvme[gv_host_find_nvme(max, "0000:49:00.0")].numa, 3);
}

/* The sysfs copy reproduces what lstopo made of it (nvidiagpunumanodes.xml). */
static void
test_sysfs_tree(void **state)
{
    GV_AUTOFREE char *root = gv_asprintf("%s/topologies/sysfs/nvidiagpunumanodes", shared);
    GV_AUTOPTR(gv_host) xml = load_xml("nvidiagpunumanodes.xml");
    GV_AUTOPTR(gv_host) h = NULL;
    gv_err err = {0};
    char buf[ERRBUF];
    (void)state;

    if (gv_hwloc_load_fsroot(root, &h, &err) < 0)
        fail_msg("%s", gv_err_format(&err, buf, sizeof(buf)));
    assert_string_equal(h->name, "c685f8n02");
    assert_int_equal(h->n_numa, 2);
    assert_int_equal(h->numa[0].id, 0);
    assert_int_equal(h->numa[1].id, 8);
    assert_int_equal(gv_host_n_cpus(h), 32);
    assert_int_equal(h->n_gpus, 6);
    assert_int_equal(h->n_gpus, xml->n_gpus);
    for (size_t i = 0; i < h->n_gpus; i++) {
        assert_string_equal(h->gpus[i].pci, xml->gpus[i].pci);
        assert_int_equal(h->gpus[i].numa, xml->gpus[i].numa);
        assert_int_equal(h->gpus[i].numa, i < 3 ? 0 : 8);
    }
    for (size_t i = 0; i < h->n_numa; i++) {
        assert_int_equal(h->numa[i].n_cpus, xml->numa[i].n_cpus);
        assert_int_equal(h->numa[i].memory_mib, xml->numa[i].memory_mib);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_load),   cmocka_unit_test(test_dgx2),
        cmocka_unit_test(test_jrc0323),    cmocka_unit_test(test_memory_only),
        cmocka_unit_test(test_sysfs_tree),
    };
    int r;

    shared = gv_test_shared_data();
    if (!shared)
        gv_test_skip_no_shared_data("discover/hwloc-shared");
    r = cmocka_run_group_tests(tests, NULL, NULL);
    free(shared);
    return r;
}
