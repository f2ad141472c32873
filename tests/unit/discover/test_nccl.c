/*
 * test_nccl.c - the NCCL/RCCL topology XML loader: the exact model built from hand-written
 * fixtures (tests/fixtures/nccl/), and the exact error for each kind of bad input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "host_asserts.h"
#include <stdlib.h>
#include <string.h>

#include "gpuvm/discover.h"
#include "testlib.h"
#include "util/cpulist.h"
#include "util/file.h"
#include "util/strbuf.h"

static gv_host *
load_fixture(const char *name)
{
    GV_AUTOFREE char *rel = gv_asprintf("tests/fixtures/nccl/%s", name);
    GV_AUTOFREE char *path = gv_test_src(rel);
    GV_AUTOFREE char *text = NULL;
    gv_host *h = NULL;
    size_t len = 0;
    gv_err err = {0};
    char buf[GV_ERR_WHERE_MAX + GV_ERR_MSG_MAX + 4];

    assert_int_equal(gv_file_read(path, GV_FILE_MAX_BYTES, &text, &len, &err), 0);
    if (gv_nccl_xml_load(text, len, name, &h, &err) < 0)
        fail_msg("%s", gv_err_format(&err, buf, sizeof(buf)));
    assert_int_equal(gv_host_check(h, &err), 0);
    return h;
}

/* Load @xml, expect failure with @code and the formatted error @want; *ret must stay untouched. */
static void
expect_error(const char *xml, int code, const char *want)
{
    gv_host *sentinel = (gv_host *)&sentinel;
    gv_host *h = sentinel;
    gv_err err = {0};
    char buf[GV_ERR_WHERE_MAX + GV_ERR_MSG_MAX + 4];

    assert_int_equal(gv_nccl_xml_load(xml, strlen(xml), "t.xml", &h, &err), -code);
    assert_ptr_equal(h, sentinel);
    assert_int_equal(err.code, code);
    assert_string_equal(gv_err_format(&err, buf, sizeof(buf)), want);
    /* the same refusal without an error report */
    assert_int_equal(gv_nccl_xml_load(xml, strlen(xml), "t.xml", &h, NULL), -code);
    assert_ptr_equal(h, sentinel);
}

static void
assert_numa(const gv_host *h, size_t i, int id, const char *cpus)
{
    const gv_numa *n = &h->numa[i];
    GV_AUTOFREE char *s = cpus_str(n);

    assert_int_equal(n->id, id);
    assert_false(n->cores_known);
    assert_int_equal(n->n_cores, 0);
    assert_string_equal(s, cpus);
    assert_int_equal(n->memory_mib, GV_UNKNOWN);
    assert_int_equal(n->hugepages_2m, GV_UNKNOWN);
    assert_int_equal(n->hugepages_1g, GV_UNKNOWN);
}

static void
assert_nic(const gv_host *h, size_t i, const char *pci, unsigned vendor, unsigned device, int numa,
           const char *parent, const char *name, int64_t speed)
{
    assert_nic_full(h, i, pci, vendor, device, numa, parent, name, 0, speed);
}

static void
assert_link(const gv_host *h, size_t i, gv_link_kind kind, int a, int b, int count)
{
    assert_int_equal(h->links[i].kind, kind);
    assert_int_equal(h->links[i].a, a);
    assert_int_equal(h->links[i].b, b);
    assert_int_equal(h->links[i].count, count);
}

/* ---- fixtures: the exact model -------------------------------------------------------------- */

static void
test_nvidia_2numa(void **state)
{
    GV_AUTOPTR(gv_host) h = load_fixture("nvidia-2numa.xml");
    (void)state;

    assert_string_equal(h->name, "");
    assert_int_equal(h->n_packages, 0);

    assert_int_equal(h->n_numa, 2);
    assert_numa(h, 0, 0, "0-3");
    assert_numa(h, 1, 1, "4-7");

    /* one host bridge per <cpu>; the real and the fake switch under them */
    assert_int_equal(h->n_pcie, 4);
    assert_pcie(h, 0, "hb0", GV_PCIE_HOSTBRIDGE, -1, 0);
    assert_pcie(h, 1, "0000:17:00.0", GV_PCIE_SWITCH, 0, 0);
    assert_pcie(h, 2, "hb1", GV_PCIE_HOSTBRIDGE, -1, 1);
    assert_pcie(h, 3, "ffff:ff:01.0", GV_PCIE_SWITCH, 2, 1);

    /* the ASPEED display 0000:03:00.0 is not a GPU */
    assert_int_equal(h->n_gpus, 3);
    assert_gpu(h, 0, "0000:19:00.0", 0x10de, 0x2330, 0, "0000:17:00.0");
    assert_gpu(h, 1, "0000:1a:00.0", 0x10de, 0x2330, 0, "0000:17:00.0");
    assert_gpu(h, 2, "0001:00:00.0", 0, 0, 1, "ffff:ff:01.0");

    /* eth0 has no PCI function: skipped; the first <net> names the NIC */
    assert_int_equal(h->n_nics, 2);
    assert_nic(h, 0, "0000:18:00.0", 0x15b3, 0x1021, 0, "0000:17:00.0", "mlx5_0", 400000);
    assert_nic(h, 1, "0101:00:00.0", 0x1d0f, 0xefa0, 1, "ffff:ff:01.0", "", GV_UNKNOWN);

    assert_int_equal(h->n_nvme, 1);
    assert_string_equal(h->nvme[0].pci, "0000:02:00.0");
    assert_int_equal(h->nvme[0].vendor_id, 0x144d);
    assert_int_equal(h->nvme[0].device_id, 0xa80a);
    assert_int_equal(h->nvme[0].numa, 0);
    assert_int_equal(h->nvme[0].pcie_parent, gv_host_find_pcie(h, "hb0"));
    assert_int_equal(h->nvme[0].capacity_gib, GV_UNKNOWN);

    /*
     * GPU 0: 4 links to GPU 1 (declared from both sides: one link) and 2 + 3 into two NVSwitches;
     * GPU 1: 2 into an NVSwitch. Its self link and its link to the absent 0000:99:00.0 are gone.
     */
    assert_int_equal(h->n_links, 3);
    assert_link(h, 0, GV_LINK_NVLINK, 0, -1, 5);
    assert_link(h, 1, GV_LINK_NVLINK, 0, 1, 4);
    assert_link(h, 2, GV_LINK_NVLINK, 1, -1, 2);

    /* what the model derives from it */
    assert_int_equal(gv_host_gpu_link_count(h, 0, 1), 4);
    assert_int_equal(gv_host_distance(h, (gv_dev_ref){GV_DEV_GPU, 0}, (gv_dev_ref){GV_DEV_NIC, 0}),
                     GV_DIST_PIX);
    assert_int_equal(gv_host_distance(h, (gv_dev_ref){GV_DEV_GPU, 2}, (gv_dev_ref){GV_DEV_NIC, 1}),
                     GV_DIST_PIX);
    assert_int_equal(gv_host_distance(h, (gv_dev_ref){GV_DEV_GPU, 0}, (gv_dev_ref){GV_DEV_GPU, 2}),
                     GV_DIST_SYS);
}

static void
test_amd_xgmi(void **state)
{
    GV_AUTOPTR(gv_host) h = load_fixture("amd-xgmi.xml");
    (void)state;

    assert_int_equal(h->n_numa, 2);
    assert_numa(h, 0, 2, "0-7");
    assert_numa(h, 1, 5, "8-15");

    assert_int_equal(h->n_pcie, 4);
    assert_pcie(h, 0, "hb2", GV_PCIE_HOSTBRIDGE, -1, 2);
    assert_pcie(h, 1, "0000:41:00.0", GV_PCIE_SWITCH, 0, 2);
    assert_pcie(h, 2, "hb5", GV_PCIE_HOSTBRIDGE, -1, 5);
    assert_pcie(h, 3, "0000:c1:00.0", GV_PCIE_SWITCH, 2, 5); /* no class, <pci> children */

    assert_int_equal(h->n_gpus, 3);
    assert_gpu(h, 0, "0000:43:00.0", 0x1002, 0x740c, 2, "0000:41:00.0"); /* class 0x0380 */
    assert_gpu(h, 1, "0000:c3:00.0", 0, 0, 5, "0000:c1:00.0");           /* no class, <gpu> */
    assert_gpu(h, 2, "0000:e1:00.0", 0x1002, 0x74a1, 5, "hb5");          /* class 0x1200 */

    assert_int_equal(h->n_nics, 1);
    assert_nic(h, 0, "0000:c5:00.0", 0, 0, 5, "0000:c1:00.0", "rdma0", 400000);
    assert_int_equal(h->n_nvme, 0);

    /* declared from both sides with count 4: one link of 4 */
    assert_int_equal(h->n_links, 1);
    assert_link(h, 0, GV_LINK_XGMI, 0, 1, 4);
}

/* Edge cases of links that fixtures would only clutter. */
static void
test_links(void **state)
{
    static const char xml[] =
        "<system version=\"1\"><cpu numaid=\"0\" affinity=\"1\">\n"
        /* an NVSwitch that the file does list: a fabric target by its class alone */
        "<pci busid=\"0000:80:00.0\" class=\"0x068000\" vendor=\"0x10de\" device=\"0x22a3\"/>\n"
        "<pci busid=\"0000:01:00.0\" class=\"0x030200\"><gpu>\n"
        "  <nvlink target=\"0000:80:00.0\" count=\"2\"/>\n"
        "  <nvlink target=\"0000:80:00.0\" count=\"3\"/>\n" /* repeated target: largest */
        "  <nvlink target=\"0000:02:00.0\" count=\"1\"/>\n"
        "  <xgmi target=\"0000:02:00.0\"/>\n" /* another kind: another link */
        "  <nvlink target=\"0000:00:01.0\" tclass=\"0x068001\" count=\"3\"/>\n" /* POWER9 CPU */
        "</gpu></pci>\n"
        "<pci busid=\"0000:02:00.0\" class=\"0x030200\"><gpu>\n"
        "  <nvlink target=\"0000:01:00.0\" count=\"2\"/>\n" /* disagrees: the larger count */
        "</gpu></pci>\n"
        "</cpu></system>\n";
    GV_AUTOPTR(gv_host) h = NULL;
    gv_err err = {0};
    (void)state;

    assert_int_equal(gv_nccl_xml_load(xml, sizeof(xml) - 1, "t.xml", &h, &err), 0);
    assert_int_equal(h->n_gpus, 2);
    assert_int_equal(h->n_links, 3);
    assert_link(h, 0, GV_LINK_NVLINK, 0, -1, 3);
    assert_link(h, 1, GV_LINK_NVLINK, 0, 1, 2);
    assert_link(h, 2, GV_LINK_XGMI, 0, 1, 0);
}

static void
test_minimal(void **state)
{
    static const char xml[] = "<?xml version=\"1.0\"?>\n<!-- no devices -->\n"
                              "<system version=\"1\"><cpu numaid=\"3\"/></system>";
    GV_AUTOPTR(gv_host) h = NULL;
    (void)state;

    /* no error report asked for, no source name given */
    assert_int_equal(gv_nccl_xml_load(xml, sizeof(xml) - 1, NULL, &h, NULL), 0);
    assert_int_equal(h->n_numa, 1);
    assert_numa(h, 0, 3, "");
    assert_int_equal(h->n_pcie, 1);
    assert_pcie(h, 0, "hb3", GV_PCIE_HOSTBRIDGE, -1, 3);
    assert_int_equal(h->n_gpus + h->n_nics + h->n_nvme + h->n_links, 0);
}

/* ---- refusals: the exact error --------------------------------------------------------------- */

static void
test_not_xml(void **state)
{
    gv_err err = {0};
    gv_host *h = NULL;
    char buf[1024];
    (void)state;

    /* the first error libxml2 reports, not its last ("Premature end of data") */
    expect_error("<system>\n  <cpu numaid=\"0\">\n  </pci>\n</system>\n", GV_E_PARSE,
                 "t.xml:3:9: Opening and ending tag mismatch: cpu line 2 and pci");
    expect_error("", GV_E_PARSE, "t.xml:1:1: Document is empty");
    expect_error("<system><cpu numaid=\"0\" numaid=\"1\"/></system>", GV_E_PARSE,
                 "t.xml:1:35: Attribute numaid redefined");
    expect_error("<system/><system/>", GV_E_PARSE,
                 "t.xml:1:10: Extra content at the end of the document");
    expect_error("<system><cpu numaid=\"&zero;\"/></system>", GV_E_PARSE,
                 "t.xml:1:28: Entity 'zero' not defined");
    /* libxml2 would stop at a NUL byte and ignore the rest: refused */
    assert_int_equal(gv_nccl_xml_load("<system>\n<cpu/>\0<x>", 18, "t.xml", &h, &err), -GV_E_PARSE);
    assert_null(h);
    assert_string_equal(gv_err_format(&err, buf, sizeof(buf)),
                        "t.xml:2:7: NUL byte in the text (UTF-16 is not accepted)");
}

static void
test_not_nccl(void **state)
{
    (void)state;

    expect_error("<topology version=\"2.0\"/>", GV_E_UNSUPPORTED,
                 "t.xml: expected an NCCL topology (<system>), found <topology>");
    expect_error("<?xml version=\"1.0\"?>\n<!DOCTYPE system>\n<system/>", GV_E_UNSUPPORTED,
                 "t.xml: a DOCTYPE is not allowed in an NCCL topology (no DTDs, no entities)");
    expect_error("<!DOCTYPE system SYSTEM \"http://example.com/x.dtd\">\n<system/>",
                 GV_E_UNSUPPORTED,
                 "t.xml: a DOCTYPE is not allowed in an NCCL topology (no DTDs, no entities)");
    expect_error("<!DOCTYPE system [<!ENTITY n \"0\">]>\n"
                 "<system><cpu numaid=\"&n;\"/></system>",
                 GV_E_UNSUPPORTED,
                 "t.xml: a DOCTYPE is not allowed in an NCCL topology (no DTDs, no entities)");
}

static void
test_bad_cpu(void **state)
{
    (void)state;

    expect_error("<system><cpu affinity=\"f\"/></system>", GV_E_INVAL,
                 "t.xml: <cpu>: numaid: missing");
    expect_error("<system><cpu numaid=\"x1\"/></system>", GV_E_INVAL,
                 "t.xml: <cpu numaid=\"x1\">: numaid: 'x1' is not a NUMA node id (0-65535)");
    expect_error("<system><cpu numaid=\"70000\"/></system>", GV_E_INVAL,
                 "t.xml: <cpu numaid=\"70000\">: numaid: '70000' is not a NUMA node id (0-65535)");
    expect_error("<system><cpu numaid=\"\"/></system>", GV_E_INVAL,
                 "t.xml: <cpu numaid=\"\">: numaid: '' is not a NUMA node id (0-65535)");
    expect_error("<system><cpu numaid=\"-1\" affinity=\"ff\"/></system>", GV_E_UNSUPPORTED,
                 "t.xml: <cpu numaid=\"-1\">: numaid: -1 (locality unknown): every <cpu> must "
                 "name its NUMA node");
    expect_error("<system><cpu numaid=\"0\"/><cpu numaid=\"0\"/></system>", GV_E_INVAL,
                 "t.xml: <cpu numaid=\"0\">: numaid: NUMA node 0 appears twice");
    expect_error("<system><cpu numaid=\"0\" affinity=\"zz\"/></system>", GV_E_INVAL,
                 "t.xml: <cpu numaid=\"0\">: affinity: 'zz' is not a hex CPU mask (32-bit words, "
                 "most significant first)");
    expect_error("<system><cpu numaid=\"0\" affinity=\"0000000f\"/>"
                 "<cpu numaid=\"1\" affinity=\"000000f8\"/></system>",
                 GV_E_INVAL, "t.xml: <cpu numaid=\"1\">: affinity: CPU 3 is also in NUMA node 0");
}

static void
test_bad_pci(void **state)
{
    (void)state;

    expect_error("<system><cpu numaid=\"0\"><pci busid=\"zz\"/></cpu></system>", GV_E_INVAL,
                 "t.xml: <pci busid=\"zz\">: busid: 'zz' is not a PCI address (dddd:bb:dd.f)");
    expect_error("<system><cpu numaid=\"0\"><pci class=\"0x030200\"/></cpu></system>", GV_E_INVAL,
                 "t.xml: <pci>: busid: missing");
    expect_error("<system><cpu numaid=\"0\"><pci busid=\"0000:01:00.0\" class=\"0xzz\"/>"
                 "</cpu></system>",
                 GV_E_INVAL,
                 "t.xml: <pci busid=\"0000:01:00.0\">: class: '0xzz' is not a hex number up to "
                 "0xffffff");
    expect_error("<system><cpu numaid=\"0\"><pci busid=\"0000:01:00.0\" class=\"0x030200\" "
                 "vendor=\"0x10000\"/></cpu></system>",
                 GV_E_INVAL,
                 "t.xml: <pci busid=\"0000:01:00.0\">: vendor: '0x10000' is not a hex number up "
                 "to 0xffff");
    expect_error("<system><cpu numaid=\"0\"><pci busid=\"0000:01:00.0\" class=\"0x030200\" "
                 "device=\"-1\"/></cpu></system>",
                 GV_E_INVAL,
                 "t.xml: <pci busid=\"0000:01:00.0\">: device: '-1' is not a hex number up to "
                 "0xffff");
    /* the same address twice, written differently, in two NUMA nodes */
    expect_error("<system><cpu numaid=\"0\"><pci busid=\"0000:01:00.0\" class=\"0x030200\"/>"
                 "</cpu><cpu numaid=\"1\"><pci busid=\"01:00.0\" class=\"0x020000\"/>"
                 "</cpu></system>",
                 GV_E_INVAL,
                 "t.xml: <pci busid=\"0000:01:00.0\">: busid: PCI address 0000:01:00.0 appears "
                 "twice");
}

static void
test_bad_links_and_nets(void **state)
{
    (void)state;

    expect_error("<system><cpu numaid=\"0\"><pci busid=\"0000:01:00.0\" class=\"0x030200\">"
                 "<gpu><nvlink count=\"2\"/></gpu></pci></cpu></system>",
                 GV_E_INVAL, "t.xml: <nvlink>: target: missing");
    expect_error("<system><cpu numaid=\"0\"><pci busid=\"0000:01:00.0\" class=\"0x030200\">"
                 "<gpu><xgmi target=\"gpu1\"/></gpu></pci></cpu></system>",
                 GV_E_INVAL,
                 "t.xml: <xgmi target=\"gpu1\">: target: 'gpu1' is not a PCI address "
                 "(dddd:bb:dd.f)");
    expect_error("<system><cpu numaid=\"0\"><pci busid=\"0000:01:00.0\" class=\"0x030200\">"
                 "<gpu><nvlink target=\"0000:02:00.0\" count=\"-3\"/></gpu></pci></cpu></system>",
                 GV_E_INVAL,
                 "t.xml: <nvlink target=\"0000:02:00.0\">: count: '-3' is not a link count "
                 "(0-1024)");
    expect_error("<system><cpu numaid=\"0\"><pci busid=\"0000:01:00.0\" class=\"0x030200\">"
                 "<gpu><nvlink target=\"0000:02:00.0\" tclass=\"NVS\"/></gpu></pci></cpu>"
                 "</system>",
                 GV_E_INVAL,
                 "t.xml: <nvlink target=\"0000:02:00.0\">: tclass: 'NVS' is not a hex number up "
                 "to 0xffffff");
    expect_error("<system><cpu numaid=\"0\"><pci busid=\"0000:01:00.0\" class=\"0x020700\">"
                 "<nic><net name=\"ib0\" speed=\"fast\"/></nic></pci></cpu></system>",
                 GV_E_INVAL,
                 "t.xml: <net name=\"ib0\">: speed: 'fast' is not a speed in Mb/s "
                 "(0-1000000000)");
    expect_error("<system><cpu numaid=\"0\"><pci busid=\"0000:01:00.0\" class=\"0x020700\">"
                 "<nic><net name=\"0123456789abcdef0123456789abcdef\"/></nic></pci></cpu>"
                 "</system>",
                 GV_E_INVAL,
                 "t.xml: <net name=\"0123456789abcdef0123456789abcdef\">: name: longer than 31 "
                 "bytes");
}

static char *
repeat(const char *s, int n)
{
    gv_strbuf sb = {0};

    for (int i = 0; i < n; i++)
        gv_strbuf_append(&sb, s);
    return gv_strbuf_steal(&sb);
}

static void
test_limits(void **state)
{
    GV_AUTOFREE char *open = repeat("<x>", 70);
    GV_AUTOFREE char *close = repeat("</x>", 70);
    GV_AUTOFREE char *deep =
        gv_asprintf("<system><cpu numaid=\"0\">%s%s</cpu></system>", open, close);
    GV_AUTOFREE char *many_x = repeat("<x/>", 8192);
    GV_AUTOFREE char *many = gv_asprintf("<system>%s</system>", many_x);
    GV_AUTOFREE char *zeros = repeat("0", 16384);
    GV_AUTOFREE char *mask =
        gv_asprintf("<system><cpu numaid=\"0\" affinity=\"1%s\"/></system>", zeros);
    GV_AUTOFREE char *long_busid = repeat("f", 200);
    GV_AUTOFREE char *quoted =
        gv_asprintf("<system><cpu numaid=\"0\"><pci busid=\"%s\"/></cpu></system>", long_busid);
    GV_AUTOPTR(gv_host) h = NULL;
    gv_err err = {0};
    (void)state;

    expect_error(deep, GV_E_LIMIT, "t.xml: <x>: elements nested more than 64 deep");
    expect_error(many, GV_E_LIMIT,
                 "t.xml: more than 8192 elements; no NCCL topology is that large");
    expect_error(mask, GV_E_LIMIT,
                 "t.xml: <cpu numaid=\"0\">: affinity: '1000000000000000000000000000000000000000"
                 "000000000000000000000000...' names a CPU above 65535");
    /* input repeated in an error is cut to 64 bytes in the location */
    assert_int_equal(gv_nccl_xml_load(quoted, strlen(quoted), "t.xml", &h, &err), -GV_E_INVAL);
    assert_string_equal(err.where, "t.xml: <pci busid=\"ffffffffffffffffffffffffffffffffffffffff"
                                   "ffffffffffffffffffffffff...\">");

    /* exactly at the bounds: loads */
    GV_AUTOFREE char *open64 = repeat("<x>", 62);
    GV_AUTOFREE char *close64 = repeat("</x>", 62);
    GV_AUTOFREE char *ok =
        gv_asprintf("<system><cpu numaid=\"0\">%s%s</cpu></system>", open64, close64);
    gv_err_clear(&err);
    assert_int_equal(gv_nccl_xml_load(ok, strlen(ok), "t.xml", &h, &err), 0);
    gv_host_free(GV_STEAL_PTR(h));

    GV_AUTOFREE char *zeros_top = repeat("0", 16383);
    GV_AUTOFREE char *top =
        gv_asprintf("<system><cpu numaid=\"0\" affinity=\"0x8%s\"/></system>", zeros_top);
    assert_int_equal(gv_nccl_xml_load(top, strlen(top), "t.xml", &h, &err), 0);
    assert_int_equal(h->numa[0].n_cpus, 1);
    assert_int_equal(h->numa[0].cpus[0], 65535);
}

static void
test_first_report_wins(void **state)
{
    static const char xml[] = "<system><cpu numaid=\"q\"/></system>";
    gv_err err = {0};
    gv_host *h = NULL;
    (void)state;

    gv_err_set(&err, GV_E_IO, "earlier", "something else");
    assert_int_equal(gv_nccl_xml_load(xml, sizeof(xml) - 1, "t.xml", &h, &err), -GV_E_INVAL);
    assert_null(h);
    assert_int_equal(err.code, GV_E_IO);
    assert_string_equal(err.where, "earlier");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nvidia_2numa),
        cmocka_unit_test(test_amd_xgmi),
        cmocka_unit_test(test_links),
        cmocka_unit_test(test_minimal),
        cmocka_unit_test(test_not_xml),
        cmocka_unit_test(test_not_nccl),
        cmocka_unit_test(test_bad_cpu),
        cmocka_unit_test(test_bad_pci),
        cmocka_unit_test(test_bad_links_and_nets),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_first_report_wins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
