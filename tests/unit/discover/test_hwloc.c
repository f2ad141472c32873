/*
 * test_hwloc.c - the hwloc loaders: the exact model built from hand-written hwloc XML fixtures
 * (tests/fixtures/hwloc/: v2 and v1), the NUMA ownership rules for memory-only nodes, the exact
 * error for each kind of bad input, gv_pci_role_of, and the file-system-root loader over a tiny
 * /sys tree the test writes itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "host_asserts.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hwloc.h>

#include "discover/hwloc_model.h"
#include "gpuvm/discover.h"
#include "testlib.h"
#include "util/cpulist.h"
#include "util/file.h"
#include "util/strbuf.h"

#define ERRBUF (GV_ERR_WHERE_MAX + GV_ERR_MSG_MAX + 4)

static char *
fixture_text(const char *name, size_t *ret_len)
{
    GV_AUTOFREE char *rel = gv_asprintf("tests/fixtures/hwloc/%s", name);
    GV_AUTOFREE char *path = gv_test_src(rel);
    char *text = NULL;
    gv_err err = {0};

    assert_int_equal(gv_file_read(path, GV_FILE_MAX_BYTES, &text, ret_len, &err), 0);
    return text;
}

static gv_host *
load_text(const char *text, size_t len, const char *source)
{
    gv_host *h = NULL;
    gv_err err = {0};
    char buf[ERRBUF];

    if (gv_hwloc_xml_load(text, len, source, &h, &err) < 0)
        fail_msg("%s", gv_err_format(&err, buf, sizeof(buf)));
    assert_int_equal(gv_host_check(h, &err), 0);
    return h;
}

static gv_host *
load_fixture(const char *name)
{
    size_t len = 0;
    GV_AUTOFREE char *text = fixture_text(name, &len);

    return load_text(text, len, name);
}

/* Load @len bytes of @xml, expect @code and the formatted error @want; *ret stays untouched. */
static void
expect_error_len(const char *xml, size_t len, int code, const char *want)
{
    gv_host *sentinel = (gv_host *)&sentinel;
    gv_host *h = sentinel;
    gv_err err = {0};
    char buf[ERRBUF];

    assert_int_equal(gv_hwloc_xml_load(xml, len, "t.xml", &h, &err), -code);
    assert_ptr_equal(h, sentinel);
    assert_int_equal(err.code, code);
    if (want)
        assert_string_equal(gv_err_format(&err, buf, sizeof(buf)), want);
    /* the same refusal without an error report */
    assert_int_equal(gv_hwloc_xml_load(xml, len, "t.xml", &h, NULL), -code);
    assert_ptr_equal(h, sentinel);
}

static void
expect_error(const char *xml, int code, const char *want)
{
    expect_error_len(xml, strlen(xml), code, want);
}

/* NUMA node @i: id, cpus ("0-3"), cores as "0,2 1,3" (threads of each core, by first thread) */
static void
assert_numa(const gv_host *h, size_t i, int id, const char *cpus, const char *cores, int64_t mib,
            int64_t hp2m, int64_t hp1g)
{
    const gv_numa *n = &h->numa[i];
    GV_AUTOFREE char *s = cpus_str(n);
    gv_strbuf sb = {0};
    GV_AUTOFREE char *got = NULL;

    for (size_t c = 0; c < n->n_cores; c++) {
        if (c)
            gv_strbuf_putc(&sb, ' ');
        for (int t = 0; t < n->cores[c].n_threads; t++)
            gv_strbuf_printf(&sb, t ? ",%d" : "%d", n->cores[c].threads[t]);
    }
    got = gv_strbuf_steal(&sb);
    assert_int_equal(n->id, id);
    assert_true(n->cores_known);
    assert_string_equal(s, cpus);
    assert_string_equal(got, cores);
    assert_int_equal(n->memory_mib, mib);
    assert_int_equal(n->hugepages_2m, hp2m);
    assert_int_equal(n->hugepages_1g, hp1g);
}

static void
assert_package(const gv_host *h, size_t i, int id, const int *numa, size_t n_numa)
{
    assert_int_equal(h->packages[i].id, id);
    assert_int_equal(h->packages[i].n_numa, n_numa);
    for (size_t k = 0; k < n_numa; k++)
        assert_int_equal(h->packages[i].numa[k], numa[k]);
}

static void
assert_nic(const gv_host *h, size_t i, const char *pci, unsigned vendor, unsigned device, int numa,
           const char *parent, const char *name, int vfs)
{
    assert_nic_full(h, i, pci, vendor, device, numa, parent, name, vfs, GV_UNKNOWN);
}

static void
assert_link(const gv_host *h, size_t i, int a, int b, int count)
{
    assert_int_equal(h->links[i].kind, GV_LINK_NVLINK);
    assert_int_equal(h->links[i].a, a);
    assert_int_equal(h->links[i].b, b);
    assert_int_equal(h->links[i].count, count);
}

static gv_dist
dist(const gv_host *h, gv_dev_kind ka, int a, gv_dev_kind kb, int b)
{
    return gv_host_distance(h, (gv_dev_ref){ka, a}, (gv_dev_ref){kb, b});
}

/* ---- fixtures: the exact model -------------------------------------------------------------- */

static void
test_two_numa_switch(void **state)
{
    GV_AUTOPTR(gv_host) h = load_fixture("two-numa-switch.xml");
    (void)state;

    assert_string_equal(h->name, "fixture-a");

    /* SMT cores by their PUs; NUMA 2 sits beside NUMA 1 with no CPU of its own */
    assert_int_equal(h->n_numa, 3);
    assert_numa(h, 0, 0, "0-3", "0,2 1,3", 16384, 512, 4);
    assert_numa(h, 1, 1, "4-7", "4,6 5,7", 8192, GV_UNKNOWN, GV_UNKNOWN);
    assert_numa(h, 2, 2, "", "", 4096, GV_UNKNOWN, GV_UNKNOWN);
    assert_int_equal(gv_host_n_cores(h), 4);
    assert_int_equal(gv_host_n_cpus(h), 8);

    assert_int_equal(h->n_packages, 2);
    assert_package(h, 0, 0, (const int[]){0}, 1);
    assert_package(h, 1, 1, (const int[]){1, 2}, 2);

    /*
     * Tree order; the switch's upstream port 01:00.0 stands for its three downstream ports;
     * ASPEED's PCIe-to-PCI bridge below root port 00:1c.0 reads as a one-port switch. The host
     * bridge on the Machine has no locality.
     */
    assert_int_equal(h->n_pcie, 11);
    assert_pcie(h, 0, "hb0", GV_PCIE_HOSTBRIDGE, -1, 0);
    assert_pcie(h, 1, "0000:00:01.0", GV_PCIE_ROOTPORT, 0, 0);
    assert_pcie(h, 2, "0000:01:00.0", GV_PCIE_SWITCH, 1, 0);
    assert_pcie(h, 3, "0000:00:03.0", GV_PCIE_ROOTPORT, 0, 0);
    assert_pcie(h, 4, "0000:00:04.0", GV_PCIE_ROOTPORT, 0, 0);
    assert_pcie(h, 5, "0000:00:1c.0", GV_PCIE_ROOTPORT, 0, 0);
    assert_pcie(h, 6, "0000:06:00.0", GV_PCIE_SWITCH, 5, 0);
    assert_pcie(h, 7, "hb1", GV_PCIE_HOSTBRIDGE, -1, 1);
    assert_pcie(h, 8, "0000:80:01.0", GV_PCIE_ROOTPORT, 7, 1);
    assert_pcie(h, 9, "hb2", GV_PCIE_HOSTBRIDGE, -1, GV_NUMA_UNKNOWN);
    assert_pcie(h, 10, "0000:c0:01.0", GV_PCIE_ROOTPORT, 9, GV_NUMA_UNKNOWN);

    /* the BMC's VGA 07:00.0 and the NVSwitch 09:00.0 are not GPUs */
    assert_int_equal(h->n_gpus, 3);
    assert_gpu(h, 0, "0000:03:00.0", 0x10de, 0x20b0, 0, "0000:01:00.0");
    assert_gpu(h, 1, "0000:04:00.0", 0x10de, 0x20b0, 0, "0000:01:00.0");
    assert_gpu(h, 2, "0000:c1:00.0", 0x10de, 0x1db4, GV_NUMA_UNKNOWN, "0000:c0:01.0");
    assert_int_equal(gv_host_find_gpu(h, "0000:07:00.0"), -1);

    /* the PF is named by its first Network/OpenFabrics OS device; its VFs are NICs too */
    assert_int_equal(h->n_nics, 4);
    assert_nic(h, 0, "0000:05:00.0", 0x15b3, 0x101b, 0, "0000:01:00.0", "ib0", 0);
    assert_nic(h, 1, "0000:05:00.1", 0x15b3, 0x101c, 0, "0000:01:00.0", "", 0);
    assert_nic(h, 2, "0000:05:00.2", 0x15b3, 0x101c, 0, "0000:01:00.0", "", 0);
    /* package 1's nodeset is {1, 2}; 2 owns no CPU, so the NIC is on 1 */
    assert_nic(h, 3, "0000:81:00.0", 0x8086, 0x1521, 1, "0000:80:01.0", "eth0", 0);

    assert_int_equal(h->n_nvme, 1);
    assert_string_equal(h->nvme[0].pci, "0000:08:00.0");
    assert_int_equal(h->nvme[0].vendor_id, 0x144d);
    assert_int_equal(h->nvme[0].device_id, 0xa808);
    assert_string_equal(h->nvme[0].name, "nvme0n1");
    assert_int_equal(h->nvme[0].numa, 0);
    assert_int_equal(h->nvme[0].pcie_parent, gv_host_find_pcie(h, "0000:00:03.0"));
    assert_int_equal(h->nvme[0].capacity_gib, 1863); /* 1953514584 KiB */

    /* 50000 MB/s = 2 x 25000 between the GPUs, 4 links each into the NVSwitch, CPU link dropped */
    assert_int_equal(h->n_links, 3);
    assert_link(h, 0, 0, -1, 4);
    assert_link(h, 1, 0, 1, 2);
    assert_link(h, 2, 1, -1, 4);

    /* what the model derives from it */
    assert_int_equal(dist(h, GV_DEV_GPU, 0, GV_DEV_NIC, 0), GV_DIST_PIX);
    assert_int_equal(dist(h, GV_DEV_GPU, 0, GV_DEV_NVME, 0), GV_DIST_PHB);
    assert_int_equal(dist(h, GV_DEV_GPU, 0, GV_DEV_NIC, 3), GV_DIST_SYS);
    assert_int_equal(dist(h, GV_DEV_GPU, 0, GV_DEV_GPU, 2), GV_DIST_SYS);
    assert_int_equal(gv_host_gpu_link_count(h, 0, 1), 2);
}

static void
test_v1(void **state)
{
    GV_AUTOPTR(gv_host) h = load_fixture("v1-numa-parent.xml");
    (void)state;

    assert_string_equal(h->name, "fixture-v1");
    assert_int_equal(h->n_numa, 2);
    assert_numa(h, 0, 0, "0-2", "0,2 1", 4096, 16, GV_UNKNOWN);
    assert_numa(h, 1, 1, "3-4", "3 4", 2048, GV_UNKNOWN, GV_UNKNOWN);
    assert_int_equal(h->n_packages, 2);
    assert_package(h, 0, 0, (const int[]){0}, 1);
    assert_package(h, 1, 1, (const int[]){1}, 1);

    assert_int_equal(h->n_pcie, 4);
    assert_pcie(h, 0, "hb0", GV_PCIE_HOSTBRIDGE, -1, 1);
    assert_pcie(h, 1, "0000:80:02.0", GV_PCIE_ROOTPORT, 0, 1);
    assert_pcie(h, 2, "hb1", GV_PCIE_HOSTBRIDGE, -1, GV_NUMA_UNKNOWN);
    assert_pcie(h, 3, "0000:00:03.0", GV_PCIE_ROOTPORT, 2, GV_NUMA_UNKNOWN);

    assert_int_equal(h->n_gpus, 1);
    assert_gpu(h, 0, "0000:81:00.0", 0x10de, 0x1021, 1, "0000:80:02.0");
    /* attached to the Machine (README's "N0,1"): unknown, never a guess */
    assert_int_equal(h->n_nics, 1);
    assert_nic(h, 0, "0000:02:00.0", 0x15b3, 0x1003, GV_NUMA_UNKNOWN, "0000:00:03.0", "ib0", 0);
    assert_int_equal(h->n_nvme, 0);
    assert_int_equal(h->n_links, 0);
}

/* A minimal v2 document: Machine, then @body, with cpuset 0x3 and nodeset @nodeset. */
static char *
v2_doc(const char *nodeset, const char *body)
{
    return gv_asprintf(
        "<?xml version=\"1.0\"?>\n<topology version=\"2.0\">\n"
        "<object type=\"Machine\" os_index=\"0\" cpuset=\"0x3\" complete_cpuset=\"0x3\" "
        "allowed_cpuset=\"0x3\" nodeset=\"%s\" complete_nodeset=\"%s\" allowed_nodeset=\"%s\" "
        "gp_index=\"1\">\n%s</object>\n</topology>\n",
        nodeset, nodeset, nodeset, body);
}

/* PU @os alone in cpuset @mask, local to the NUMA nodes of @nodeset */
static char *
pu(int os, const char *mask, const char *nodeset)
{
    return gv_asprintf("<object type=\"PU\" os_index=\"%d\" cpuset=\"%s\" complete_cpuset=\"%s\" "
                       "nodeset=\"%s\" complete_nodeset=\"%s\" gp_index=\"%d\"/>\n",
                       os, mask, mask, nodeset, nodeset, 100 + os);
}

/*
 * Which NUMA node owns a PU when several contain it (hwloc 2 gives a memory-only node the
 * cpuset of the object it hangs from): no memory-tier subtype first, then the smallest cpuset,
 * then the smallest OS index.
 */
static void
test_numa_owner(void **state)
{
    (void)state;

    /* HBM 0 and DRAM 1 on one package: the subtype decides, although 0 < 1 */
    {
        GV_AUTOFREE char *pu0 = pu(0, "0x1", "0x3");
        GV_AUTOFREE char *pu1 = pu(1, "0x2", "0x3");
        GV_AUTOFREE char *body = gv_asprintf(
            "<object type=\"Package\" os_index=\"0\" cpuset=\"0x3\" complete_cpuset=\"0x3\" "
            "nodeset=\"0x3\" complete_nodeset=\"0x3\" gp_index=\"2\">\n"
            "<object type=\"NUMANode\" os_index=\"0\" subtype=\"HBM\" cpuset=\"0x3\" "
            "complete_cpuset=\"0x3\" nodeset=\"0x1\" complete_nodeset=\"0x1\" gp_index=\"3\" "
            "local_memory=\"1073741824\"/>\n"
            "<object type=\"NUMANode\" os_index=\"1\" cpuset=\"0x3\" complete_cpuset=\"0x3\" "
            "nodeset=\"0x2\" complete_nodeset=\"0x2\" gp_index=\"4\" "
            "local_memory=\"2147483648\"/>\n"
            "<object type=\"Core\" os_index=\"0\" cpuset=\"0x3\" complete_cpuset=\"0x3\" "
            "nodeset=\"0x3\" complete_nodeset=\"0x3\" gp_index=\"5\">\n%s%s</object>\n</object>\n",
            pu0, pu1);
        GV_AUTOFREE char *doc = v2_doc("0x3", body);
        GV_AUTOPTR(gv_host) h = load_text(doc, strlen(doc), "hbm.xml");

        assert_int_equal(h->n_numa, 2);
        assert_numa(h, 0, 0, "", "", 1024, GV_UNKNOWN, GV_UNKNOWN);
        assert_numa(h, 1, 1, "0-1", "0,1", 2048, GV_UNKNOWN, GV_UNKNOWN);
    }
    /* memory node 0 on the Machine (CXL-like), DRAM 1 on package 0: the smaller cpuset wins */
    {
        GV_AUTOFREE char *pu0 = pu(0, "0x1", "0x2");
        GV_AUTOFREE char *pu1 = pu(1, "0x2", "0x1");
        GV_AUTOFREE char *body = gv_asprintf(
            "<object type=\"NUMANode\" os_index=\"0\" cpuset=\"0x3\" complete_cpuset=\"0x3\" "
            "nodeset=\"0x1\" complete_nodeset=\"0x1\" gp_index=\"3\" local_memory=\"0\"/>\n"
            "<object type=\"Package\" os_index=\"0\" cpuset=\"0x1\" complete_cpuset=\"0x1\" "
            "nodeset=\"0x2\" complete_nodeset=\"0x2\" gp_index=\"2\">\n"
            "<object type=\"NUMANode\" os_index=\"1\" cpuset=\"0x1\" complete_cpuset=\"0x1\" "
            "nodeset=\"0x2\" complete_nodeset=\"0x2\" gp_index=\"4\"/>\n%s</object>\n"
            "<object type=\"Package\" os_index=\"1\" cpuset=\"0x2\" complete_cpuset=\"0x2\" "
            "nodeset=\"0x1\" complete_nodeset=\"0x1\" gp_index=\"6\">\n%s</object>\n",
            pu0, pu1);
        GV_AUTOFREE char *doc = v2_doc("0x3", body);
        GV_AUTOPTR(gv_host) h = load_text(doc, strlen(doc), "cxl.xml");

        /* PU 1 is only in node 0's cpuset; PU 0 is in both, and node 1's is smaller */
        assert_int_equal(h->n_numa, 2);
        assert_numa(h, 0, 0, "1", "1", 0, GV_UNKNOWN, GV_UNKNOWN);
        assert_numa(h, 1, 1, "0", "0", 0, GV_UNKNOWN, GV_UNKNOWN);
    }
}

/* ---- bad input: the exact error ------------------------------------------------------------- */

static void
test_not_xml(void **state)
{
    (void)state;

    expect_error("this is not xml\n", GV_E_PARSE, "t.xml:1:1: Start tag expected, '<' not found");
    expect_error("", GV_E_PARSE, "t.xml:1:1: Document is empty");
    expect_error("<?xml version=\"1.0\"?>\n<topology version=\"2.0\">\n"
                 "  <object type=\"Machine\" os_index=\"0\">\n",
                 GV_E_PARSE, "t.xml:4:1: Premature end of data in tag object line 3");
    expect_error("<?xml version=\"1.0\"?>\n<topology version=\"2.0\">\n"
                 "  <object type=\"Machine\" os_ind",
                 GV_E_PARSE, "t.xml:3:32: Specification mandates value for attribute os_ind");
    /* no DTD, so an entity reference is undeclared (and would never be expanded) */
    expect_error("<topology version=\"2.0\">&a;</topology>", GV_E_PARSE,
                 "t.xml:1:28: Entity 'a' not defined");
}

static void
test_truncated_fixture(void **state)
{
    size_t len = 0;
    GV_AUTOFREE char *text = fixture_text("two-numa-switch.xml", &len);
    (void)state;

    /* every cut leaves an unclosed element: a positioned parse error, never a host */
    for (size_t cut = len / 7; cut < len - 20; cut += len / 7) {
        gv_host *h = NULL;
        gv_err err = {0};

        assert_int_equal(gv_hwloc_xml_load(text, cut, "cut.xml", &h, &err), -GV_E_PARSE);
        assert_null(h);
        assert_true(!strncmp(err.where, "cut.xml:", 8));
    }
}

static void
test_refused(void **state)
{
    char want[512];
    (void)state;

    snprintf(want, sizeof(want),
             "t.xml:3: hwloc XML format 3.0 cannot be read by hwloc 2.x, which reads formats 1 "
             "and 2; export the machine with hwloc 2.x (lstopo --of xml)");
    expect_error("<?xml version=\"1.0\"?>\n<!DOCTYPE topology SYSTEM \"hwloc3.dtd\">\n"
                 "<topology version=\"3.0\">\n</topology>\n",
                 GV_E_UNSUPPORTED, want);
    expect_error("<system version=\"1\"><cpu numaid=\"0\"/></system>", GV_E_UNSUPPORTED,
                 "t.xml:1: root element <system> is not hwloc's <topology>");
    /* hwloc 2.9 crashes on a DOCTYPE without a system identifier */
    expect_error("<?xml version=\"1.0\"?>\n<!DOCTYPE topology>\n<topology version=\"2.0\"/>\n",
                 GV_E_UNSUPPORTED,
                 "t.xml: <!DOCTYPE> without a system identifier; hwloc writes "
                 "<!DOCTYPE topology SYSTEM \"hwloc2.dtd\">");
    expect_error("<!DOCTYPE topology SYSTEM \"hwloc2.dtd\" [<!ENTITY a \"aaaa\">]>\n"
                 "<topology version=\"2.0\">&a;</topology>\n",
                 GV_E_UNSUPPORTED,
                 "t.xml: <!DOCTYPE> with an internal subset (declarations) is not hwloc XML");
}

/* The four sets hwloc writes on every non-I/O object, here all {0}. */
#define SETS "cpuset=\"0x1\" complete_cpuset=\"0x1\" nodeset=\"0x1\" complete_nodeset=\"0x1\""

/* What hwloc's importer assumes without checking: refused before it gets there. */
static void
test_structure(void **state)
{
    (void)state;

    /* hwloc 2.9 crashes on a non-I/O object without complete_cpuset (and the other three) */
    expect_error("<topology version=\"2.0\">\n<object type=\"Machine\" cpuset=\"0x1\" "
                 "nodeset=\"0x1\" complete_nodeset=\"0x1\"/></topology>",
                 GV_E_INVAL, "t.xml:2: <object type=\"Machine\">: complete_cpuset missing");
    expect_error("<topology version=\"2.0\">\n<object type=\"Machine\" cpuset=\"0x1\" "
                 "complete_cpuset=\"ff\" nodeset=\"0x1\" complete_nodeset=\"0x1\"/></topology>",
                 GV_E_INVAL,
                 "t.xml:2: <object type=\"Machine\">: complete_cpuset is not an hwloc bitmap");
    /* hwloc_bitmap_sscanf asserts on a leading empty word */
    expect_error("<topology version=\"2.0\">\n<object type=\"Machine\" cpuset=\"0x1\" "
                 "complete_cpuset=\",0x1\" nodeset=\"0x1\" complete_nodeset=\"0x1\"/></topology>",
                 GV_E_INVAL,
                 "t.xml:2: <object type=\"Machine\">: complete_cpuset is not an hwloc bitmap");
    expect_error("<topology version=\"2.0\">\n<object type=\"Machine\" " SETS "/>\n"
                 "<cpukind cpuset=\",0x1\"/></topology>",
                 GV_E_INVAL, "t.xml:3: <cpukind>: cpuset is not an hwloc bitmap");
    expect_error("<topology version=\"2.0\">\n<object type=\"Cluster\" " SETS "/></topology>",
                 GV_E_INVAL, "t.xml:2: <object type=\"Cluster\">: unknown object type");
    /* unknown or misplaced elements make hwloc fail half-way, leaking what it built */
    expect_error("<topology version=\"2.0\">\n<object type=\"Machine\" " SETS ">\n"
                 "<page_tqpe size=\"4096\" count=\"1\"/></object></topology>",
                 GV_E_INVAL, "t.xml:3: <page_tqpe> is not allowed in <object> (hwloc v2 XML)");
    expect_error("<topology version=\"2.0\">\n<object type=\"Machine\" " SETS ">\n"
                 "<distances nbobjs=\"1\"><latency value=\"1\"/></distances></object></topology>",
                 GV_E_INVAL, "t.xml:3: <distances> is not allowed in <object> (hwloc v2 XML)");
    expect_error("<topology version=\"2.0\">\n<object type=\"Machine\" " SETS ">\n"
                 "<page_type siz1=\"4096\" count=\"1\"/></object></topology>",
                 GV_E_INVAL, "t.xml:3: <page_type>: unknown attribute siz1");
    expect_error("<topology version=\"2.0\">\n<object type=\"Machine\" " SETS ">\n"
                 "<info name=\"HostName\"/></object></topology>",
                 GV_E_INVAL, "t.xml:3: <info>: attribute value missing");
    expect_error("<topology>\n<object type=\"Machine\" " SETS "/>\n<support name=\"x\"/>\n"
                 "</topology>",
                 GV_E_INVAL, "t.xml:3: <support> is not allowed in <topology> (hwloc v1 XML)");
}

static void
test_limits(void **state)
{
    GV_AUTOFREE char *huge = gv_calloc((size_t)GV_FILE_MAX_BYTES + 1, 1);
    (void)state;

    /* hwloc would allocate 40000 x 40000 values before noticing there are two */
    expect_error("<topology version=\"2.0\">\n<distances2 type=\"NUMANode\" nbobjs=\"40000\" "
                 "kind=\"5\" name=\"x\" indexing=\"os\"><indexes length=\"4\">0 1 </indexes>"
                 "<u64values length=\"4\">1 2 </u64values></distances2></topology>",
                 GV_E_LIMIT,
                 "t.xml:2: <distances2>: nbobjs does not match the 2 values it carries");
    expect_error("<topology>\n<object type=\"Machine\" " SETS
                 "><distances nbobjs=\"3\" relative_depth=\"1\""
                 " latency_base=\"1\"><latency value=\"1\"/></distances></object></topology>",
                 GV_E_LIMIT, "t.xml:2: <distances>: nbobjs does not match the 1 values it carries");
    expect_error("<topology version=\"2.0\">\n<object type=\"Machine\" " SETS ">\n"
                 "<object type=\"PU\" os_index=\"4000000000\" " SETS "/></object></topology>",
                 GV_E_LIMIT, "t.xml:3: <object>: os_index 4000000000 above 65535");
    expect_error_len(huge, (size_t)GV_FILE_MAX_BYTES + 1, GV_E_LIMIT,
                     "t.xml: larger than 67108864 bytes");
}

/* Well-formed, past our checks, refused by hwloc itself (a v2 topology needs a NUMA node). */
static void
test_hwloc_refuses(void **state)
{
    (void)state;

    expect_error("<topology version=\"2.0\"></topology>", GV_E_PARSE,
                 "t.xml: hwloc could not load the topology: Invalid argument");
}

static void
test_first_report_wins(void **state)
{
    gv_host *h = NULL;
    gv_err err = {0};
    (void)state;

    gv_err_set(&err, GV_E_IO, "earlier", "first");
    assert_int_equal(gv_hwloc_xml_load("<x", 2, "t.xml", &h, &err), -GV_E_PARSE);
    assert_null(h);
    assert_int_equal(err.code, GV_E_IO);
    assert_string_equal(err.where, "earlier");
    assert_string_equal(err.msg, "first");
}

/* ---- gv_pci_role_of ------------------------------------------------------------------------- */

static void
test_pci_role(void **state)
{
    static const struct {
        unsigned class16, vendor, device;
        gv_pci_role want;
    } cases[] = {
        {0x0302, 0x10de, 0, GV_PCI_ROLE_GPU},        /* NVIDIA 3D */
        {0x0300, 0x10de, 0, GV_PCI_ROLE_GPU},        /* NVIDIA VGA */
        {0x0300, 0x0000, 0, GV_PCI_ROLE_GPU},        /* AC922 dump: ids zeroed */
        {0x0380, 0x1002, 0, GV_PCI_ROLE_GPU},        /* AMD Instinct */
        {0x1200, 0x1002, 0, GV_PCI_ROLE_GPU},        /* processing accelerator */
        {0x0300, 0x1a03, 0, GV_PCI_ROLE_OTHER},      /* ASPEED BMC */
        {0x0300, 0x102b, 0, GV_PCI_ROLE_OTHER},      /* Matrox G200e BMC */
        {0x0300, 0x1002, 0x6798, GV_PCI_ROLE_GPU},   /* AMD Tahiti, VGA class: a GPU */
        {0x0300, 0x1002, 0x515e, GV_PCI_ROLE_OTHER}, /* ATI ES1000 on-board display */
        {0x0380, 0x1002, 0x515e, GV_PCI_ROLE_GPU},   /* only the VGA class is a display */
        {0x0300, 0x1af4, 0, GV_PCI_ROLE_OTHER},      /* virtio-gpu */
        {0x0200, 0x8086, 0, GV_PCI_ROLE_NIC},
        {0x0207, 0x15b3, 0, GV_PCI_ROLE_NIC},
        {0x0280, 0x15b3, 0, GV_PCI_ROLE_NIC},
        {0x0c06, 0x1077, 0, GV_PCI_ROLE_NIC},
        {0x0108, 0x144d, 0, GV_PCI_ROLE_NVME},
        {0x0106, 0x8086, 0, GV_PCI_ROLE_OTHER}, /* SATA */
        {0x0680, 0x10de, 0, GV_PCI_ROLE_OTHER}, /* NVSwitch */
        {0x0b40, 0x8086, 0, GV_PCI_ROLE_OTHER}, /* Xeon Phi coprocessor */
        {0x0604, 0x8086, 0, GV_PCI_ROLE_OTHER}, /* bridge */
        {0x0403, 0x10de, 0, GV_PCI_ROLE_OTHER}, /* GPU audio function */
    };
    (void)state;

    for (size_t i = 0; i < GV_N_ELEMENTS(cases); i++)
        if (gv_pci_role_of(cases[i].class16, cases[i].vendor, cases[i].device) != cases[i].want)
            fail_msg("class %04x %04x:%04x: got %d, want %d", cases[i].class16, cases[i].vendor,
                     cases[i].device,
                     gv_pci_role_of(cases[i].class16, cases[i].vendor, cases[i].device),
                     cases[i].want);
}

/* ---- file-system root ----------------------------------------------------------------------- */

static void
put(const char *root, const char *rel, const char *content)
{
    GV_AUTOFREE char *path = gv_asprintf("%s/%s", root, rel);
    FILE *f;

    for (char *p = path + strlen(root) + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
            fail_msg("mkdir %s: %s", path, strerror(errno));
        *p = '/';
    }
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
}

static void
rm_tree(const char *path)
{
    GV_AUTOFREE char *cmd = gv_asprintf("rm -rf '%s'", path);

    if (system(cmd) != 0)
        print_message("could not remove %s\n", path);
}

/*
 * The smallest /sys + /proc hwloc's Linux back-end accepts: one package, one SMT core (PUs 0-1),
 * NUMA node 0 with 8 GiB and four 2 MiB pages, and a dual-port NIC whose first function can
 * expose 7 VFs (sriov_totalvfs, which hwloc does not record: the loader reads it).
 */
static void
test_fsroot(void **state)
{
    const char *tmp = getenv("TMPDIR");
    GV_AUTOFREE char *root = gv_asprintf("%s/gv-hwloc-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    gv_host *h = NULL;
    gv_err err = {0};
    char buf[ERRBUF];
    (void)state;

    assert_non_null(mkdtemp(root));
    put(root, "proc/cpuinfo", "processor\t: 0\nprocessor\t: 1\n");
    put(root, "proc/meminfo", "MemTotal:        8388608 kB\n");
    put(root, "proc/hwloc-nofile-info", "HostName: mini\n");
    put(root, "sys/devices/system/cpu/online", "0-1\n");
    put(root, "sys/devices/system/cpu/present", "0-1\n");
    for (int c = 0; c < 2; c++) {
        static const char *const files[][2] = {
            {"physical_package_id", "0"},    {"core_id", "0"},       {"thread_siblings", "3"},
            {"thread_siblings_list", "0-1"}, {"core_siblings", "3"}, {"core_siblings_list", "0-1"},
        };
        for (size_t k = 0; k < GV_N_ELEMENTS(files); k++) {
            GV_AUTOFREE char *rel =
                gv_asprintf("sys/devices/system/cpu/cpu%d/topology/%s", c, files[k][0]);
            put(root, rel, files[k][1]);
        }
    }
    put(root, "sys/devices/system/node/online", "0\n");
    put(root, "sys/devices/system/node/node0/cpulist", "0-1\n");
    put(root, "sys/devices/system/node/node0/meminfo", "Node 0 MemTotal:       8388608 kB\n");
    put(root, "sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages", "4\n");
    put(root, "sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", "4\n");
    for (int f = 0; f < 2; f++) {
        static const char *const files[][2] = {
            {"class", "0x020000"},
            {"vendor", "0x8086"},
            {"device", "0x1521"},
            {"local_cpus", "3"},
        };
        for (size_t k = 0; k < GV_N_ELEMENTS(files); k++) {
            GV_AUTOFREE char *rel =
                gv_asprintf("sys/bus/pci/devices/0000:01:00.%d/%s", f, files[k][0]);
            put(root, rel, files[k][1]);
        }
    }
    put(root, "sys/bus/pci/devices/0000:01:00.0/sriov_totalvfs", "7\n");

    if (gv_hwloc_load_fsroot(root, &h, &err) < 0) {
        rm_tree(root);
        fail_msg("%s", gv_err_format(&err, buf, sizeof(buf)));
    }
    rm_tree(root);
    assert_string_equal(h->name, "mini");
    assert_int_equal(h->n_numa, 1);
    assert_numa(h, 0, 0, "0-1", "0,1", 8192, 4, GV_UNKNOWN);
    assert_int_equal(h->n_pcie, 1);
    assert_pcie(h, 0, "hb0", GV_PCIE_HOSTBRIDGE, -1, 0);
    assert_int_equal(h->n_nics, 2);
    assert_nic(h, 0, "0000:01:00.0", 0x8086, 0x1521, 0, "hb0", "", 7);
    assert_nic(h, 1, "0000:01:00.1", 0x8086, 0x1521, 0, "hb0", "", 0);
    /* the environment is as it was */
    assert_null(getenv("HWLOC_FSROOT"));
    assert_null(getenv("HWLOC_COMPONENTS"));
    gv_host_free(h);
}

static void
test_fsroot_errors(void **state)
{
    GV_AUTOFREE char *self = gv_test_src("tests/fixtures/hwloc");
    GV_AUTOFREE char *file = gv_test_src("tests/fixtures/hwloc/v1-numa-parent.xml");
    GV_AUTOFREE char *want = NULL;
    gv_host *h = NULL;
    gv_err err = {0};
    char buf[ERRBUF];
    (void)state;

    assert_int_equal(gv_hwloc_load_fsroot("/nonexistent/gv", &h, &err), -GV_E_IO);
    assert_string_equal(gv_err_format(&err, buf, sizeof(buf)),
                        "/nonexistent/gv: cannot open: No such file or directory");
    gv_err_clear(&err);
    assert_int_equal(gv_hwloc_load_fsroot(file, &h, &err), -GV_E_IO);
    want = gv_asprintf("%s: not a directory", file);
    assert_string_equal(gv_err_format(&err, buf, sizeof(buf)), want);
    gv_err_clear(&err);
    free(want);
    assert_int_equal(gv_hwloc_load_fsroot(self, &h, &err), -GV_E_UNSUPPORTED);
    want =
        gv_asprintf("%s: not a copy of a machine's /sys and /proc (no sys/devices/system)", self);
    assert_string_equal(gv_err_format(&err, buf, sizeof(buf)), want);
    assert_null(h);
}

/* The live machine: whatever it is, the loader must build a host that passes the checker. */
static void
test_this_host(void **state)
{
    GV_AUTOPTR(gv_host) h = NULL;
    gv_err err = {0};
    char buf[ERRBUF];
    (void)state;

    if (gv_hwloc_load_this_host(&h, &err) < 0)
        fail_msg("%s", gv_err_format(&err, buf, sizeof(buf)));
    assert_true(h->n_numa >= 1);
    assert_true(gv_host_n_cpus(h) >= 1);
    assert_int_equal(gv_host_check(h, &err), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_numa_switch),   cmocka_unit_test(test_v1),
        cmocka_unit_test(test_numa_owner),        cmocka_unit_test(test_not_xml),
        cmocka_unit_test(test_truncated_fixture), cmocka_unit_test(test_refused),
        cmocka_unit_test(test_structure),         cmocka_unit_test(test_limits),
        cmocka_unit_test(test_hwloc_refuses),     cmocka_unit_test(test_first_report_wins),
        cmocka_unit_test(test_pci_role),          cmocka_unit_test(test_fsroot),
        cmocka_unit_test(test_fsroot_errors),     cmocka_unit_test(test_this_host),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
