/*
 * test_place_xml.c - the libvirt domain renderer (place_xml.c). Every rendered domain is parsed
 * with libxml2 and checked with XPath (pins, numatune, cells and topology, hugepages, expander
 * buses and root ports, hostdevs of every GPU mode, VF interfaces or the virtio fallback, the
 * scratch disk, metadata and mdev parents, memory-only guest cells), and must pass
 * `virt-xml-validate` and be defined and started by `virsh -c test:///default` in one
 * invocation (the test driver keeps no state between processes). Without those tools the
 * structural checks still run and the test ends SKIP (77) with a notice. One small domain is
 * pinned byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "render_fixture.h"
#include "testlib.h"

static bool tools_missing;

/* ---- libvirt's tools ------------------------------------------------------------------------- */

static bool
have_tool(const char *name)
{
    GV_AUTOFREE char *cmd = gv_asprintf("command -v %s >/dev/null 2>&1", name);
    return system(cmd) == 0;
}

/* Run @cmd; its output (stdout and stderr) in *ret. Returns the exit status. */
static int
run(const char *cmd, char **ret)
{
    GV_AUTOFREE char *full = gv_asprintf("%s 2>&1", cmd);
    FILE *f = popen(full, "r");
    char buf[4096];
    size_t n, len = 0;
    char *out = gv_strdup("");
    int st;

    assert_non_null(f);
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
        out = gv_realloc(out, len + n + 1);
        memcpy(out + len, buf, n);
        len += n;
        out[len] = '\0';
    }
    st = pclose(f);
    *ret = out;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* virt-xml-validate and virsh -c test:///default define + start + dominfo, in one process. */
static void
check_libvirt(const char *xml, const char *uuid)
{
    static int have = -1;
    char path[] = "/tmp/gv-place-xml-XXXXXX";
    GV_AUTOFREE char *out = NULL;
    GV_AUTOFREE char *cmd = NULL;
    FILE *f;
    int fd, rc;

    if (have < 0)
        have = have_tool("virt-xml-validate") && have_tool("virsh");
    if (!have) {
        tools_missing = true;
        return;
    }
    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(xml, f);
    fclose(f);

    cmd = gv_asprintf("virt-xml-validate %s", path);
    rc = run(cmd, &out);
    if (rc != 0)
        fail_msg("virt-xml-validate failed (%d):\n%s\n%s", rc, out, xml);
    free(out);
    free(cmd);
    cmd = gv_asprintf("virsh -q -c test:///default 'define %s; start %s; dominfo %s'", path, uuid,
                      uuid);
    rc = run(cmd, &out);
    unlink(path);
    if (rc != 0 || !strstr(out, "running"))
        fail_msg("virsh define/start failed (%d):\n%s\n%s", rc, out, xml);
}

/* ---- XPath ----------------------------------------------------------------------------------- */

static xmlDocPtr
parse(const char *xml)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc)
        fail_msg("not well-formed XML:\n%s", xml);
    return doc;
}

static double
xp_num(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr o;
    double v;

    xmlXPathRegisterNs(ctx, BAD_CAST "g", BAD_CAST "urn:gpuvm:placement:1");
    o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    if (!o)
        fail_msg("bad XPath %s", expr);
    v = xmlXPathCastToNumber(o);
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(ctx);
    return v;
}

static int
xp_count(xmlDocPtr doc, const char *expr)
{
    GV_AUTOFREE char *e = gv_asprintf("count(%s)", expr);
    return (int)xp_num(doc, e);
}

/* The string value of @expr (caller frees). */
static char *
xp_str(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr o;
    xmlChar *s;
    char *r;

    xmlXPathRegisterNs(ctx, BAD_CAST "g", BAD_CAST "urn:gpuvm:placement:1");
    o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    if (!o)
        fail_msg("bad XPath %s", expr);
    s = xmlXPathCastToString(o);
    r = gv_strdup((const char *)s);
    xmlFree(s);
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(ctx);
    return r;
}

#define assert_xp_str(doc, expr, want)                                                             \
    do {                                                                                           \
        GV_AUTOFREE char *got_ = xp_str(doc, expr);                                                \
        if (strcmp(got_, want))                                                                    \
            fail_msg("%s: got '%s', want '%s'", expr, got_, want);                                 \
    } while (0)

#define assert_xp_count(doc, expr, want)                                                           \
    do {                                                                                           \
        int got_ = xp_count(doc, expr);                                                            \
        if (got_ != (int)(want))                                                                   \
            fail_msg("count(%s): got %d, want %d", expr, got_, (int)(want));                       \
    } while (0)

static bool
is_uuid(const char *s)
{
    if (strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
            return false;
    }
    return s[14] == '8' && strchr("89ab", s[19]); /* version 8, RFC variant */
}

/*
 * Render @p on @h, check what every domain must have, run libvirt's tools, and return the
 * parsed document (caller frees with xmlFreeDoc).
 */
static xmlDocPtr
render(const gv_placement *p, const gv_host *h, unsigned flags, char **ret_xml)
{
    GV_AUTOFREE char *xml = gv_placement_to_libvirt_xml(p, h, flags);
    GV_AUTOFREE char *again = NULL;
    GV_AUTOFREE char *uuid = NULL;
    xmlDocPtr doc;

    assert_non_null(xml);
    again = gv_placement_to_libvirt_xml(p, h, flags);
    assert_string_equal(xml, again); /* deterministic */
    doc = parse(xml);
    assert_xp_str(doc, "/domain/@type", "kvm");
    assert_xp_str(doc, "/domain/os/type/@machine", "q35");
    assert_xp_str(doc, "/domain/name", p->vm);
    assert_xp_str(doc, "/domain/metadata/g:placement/g:host", p->host);
    assert_xp_count(doc, "/domain/devices/emulator", 0);
    uuid = xp_str(doc, "/domain/uuid");
    assert_true(is_uuid(uuid));
    assert_int_equal((int)xp_num(doc, "number(/domain/vcpu)"), p->request.vcpus);
    assert_int_equal((long long)xp_num(doc, "number(/domain/memory)"), p->request.memory_mib);
    assert_xp_str(doc, "/domain/memory/@unit", "MiB");
    assert_xp_count(doc, "/domain/cputune/vcpupin", p->request.vcpus);
    assert_xp_count(doc, "/domain/cpu/numa/cell", p->n_cells);
    assert_xp_count(doc, "/domain/devices/controller[@model='pcie-expander-bus']", p->n_cells);
    assert_xp_count(doc, "/domain/devices/memballoon[@model='none']", 1);
    check_libvirt(xml, uuid);
    if (ret_xml)
        *ret_xml = GV_STEAL_PTR(xml);
    return doc;
}

/* An XPath value as a number, reading libvirt's "0x.." hex too; -1 when empty. */
static long
xp_long(xmlDocPtr doc, const char *expr)
{
    GV_AUTOFREE char *s = xp_str(doc, expr);
    return *s ? strtol(s, NULL, 0) : -1;
}

/* The guest NUMA node a device sees: the node of the expander bus its root port sits on. */
static int
device_node(xmlDocPtr doc, const char *device_xpath)
{
    GV_AUTOFREE char *e1 = gv_asprintf("%s/address[@type='pci']/@bus", device_xpath);
    long port = xp_long(doc, e1), bus;

    if (port < 0)
        return -1;
    GV_AUTOFREE char *e2 = gv_asprintf(
        "/domain/devices/controller[@model='pcie-root-port'][@index='%ld']/address/@bus", port);
    if ((bus = xp_long(doc, e2)) < 0)
        return -1;
    GV_AUTOFREE char *e3 = gv_asprintf(
        "/domain/devices/controller[@model='pcie-expander-bus'][@index='%ld']/target/node", bus);
    return (int)xp_long(doc, e3);
}

/* ---- tests ----------------------------------------------------------------------------------- */

static void
test_full_two_cells(void **state)
{
    const gv_host *h = *state;
    gv_placement p;
    GV_AUTOFREE char *mig_uuid = NULL;
    GV_AUTOFREE char *vgpu_uuid = NULL;
    xmlDocPtr doc;

    fx_full(&p, "train-1");
    doc = render(&p, h, 0, NULL);

    /* CPUs: pins, emulator, sibling pairs -> threads 2, one socket per cell */
    assert_xp_str(doc, "/domain/cputune/vcpupin[@vcpu='0']/@cpuset", "2");
    assert_xp_str(doc, "/domain/cputune/vcpupin[@vcpu='1']/@cpuset", "18");
    assert_xp_str(doc, "/domain/cputune/vcpupin[@vcpu='15']/@cpuset", "29");
    assert_xp_str(doc, "/domain/cputune/emulatorpin/@cpuset", "0-1");
    assert_xp_str(doc, "/domain/cpu/@mode", "host-passthrough");
    assert_xp_str(doc, "/domain/cpu/topology/@sockets", "2");
    assert_xp_str(doc, "/domain/cpu/topology/@cores", "4");
    assert_xp_str(doc, "/domain/cpu/topology/@threads", "2");
    assert_xp_str(doc, "/domain/cpu/numa/cell[@id='1']/@cpus", "8-15");
    assert_xp_str(doc, "/domain/cpu/numa/cell[@id='1']/@memory", "32768");
    assert_xp_str(doc, "/domain/cpu/numa/cell[@id='1']/@unit", "MiB");
    assert_xp_str(doc, "/domain/cpu/numa/cell[@id='0']/@memAccess", "shared");

    /* memory: strict binding per cell, 1G pages */
    assert_xp_str(doc, "/domain/numatune/memory/@mode", "strict");
    assert_xp_str(doc, "/domain/numatune/memory/@nodeset", "0-1");
    assert_xp_count(doc, "/domain/numatune/memnode[@mode='strict']", 2);
    assert_xp_str(doc, "/domain/numatune/memnode[@cellid='1']/@nodeset", "1");
    assert_xp_str(doc, "/domain/memoryBacking/hugepages/page/@size", "1");
    assert_xp_str(doc, "/domain/memoryBacking/hugepages/page/@unit", "G");

    /* expander buses: busNr from the top down, one bus per root port */
    assert_xp_str(doc, "/domain/devices/controller[@index='1']/target/node", "0");
    assert_xp_str(doc, "/domain/devices/controller[@index='2']/target/node", "1");
    assert_xp_str(doc, "/domain/devices/controller[@index='1']/target/@busNr", "252");
    assert_xp_str(doc, "/domain/devices/controller[@index='2']/target/@busNr", "247");
    assert_xp_count(doc, "/domain/devices/controller[@model='pcie-root-port']", 7);

    /* GPUs: passthrough and SR-IOV VF as PCI hostdevs, MIG and vGPU as mdevs */
    assert_xp_count(doc, "/domain/devices/hostdev[@type='pci']", 2);
    assert_xp_count(doc,
                    "/domain/devices/hostdev[@type='pci'][@managed='yes']/driver[@name='vfio']", 2);
    assert_xp_count(doc, "/domain/devices/hostdev[@type='pci']/source/address[@bus='0x18']", 1);
    assert_xp_count(doc,
                    "/domain/devices/hostdev[@type='pci']/source/address[@bus='0xaf'][@slot='0x00']"
                    "[@function='0x2']",
                    1);
    assert_xp_count(doc, "/domain/devices/hostdev[@type='mdev'][@model='vfio-pci'][@display='off']",
                    2);
    mig_uuid = xp_str(doc, "/domain/metadata/g:placement/g:mdev[@mode='mig']/@uuid");
    vgpu_uuid = xp_str(doc, "/domain/metadata/g:placement/g:mdev[@mode='vgpu']/@uuid");
    assert_true(is_uuid(mig_uuid));
    assert_true(is_uuid(vgpu_uuid));
    assert_string_not_equal(mig_uuid, vgpu_uuid);
    assert_xp_str(doc, "/domain/metadata/g:placement/g:mdev[@mode='mig']/@parent", "0000:3b:00.0");
    assert_xp_str(doc, "/domain/metadata/g:placement/g:mdev[@mode='mig']/@profile", "3g.20gb");
    assert_xp_str(doc, "/domain/metadata/g:placement/g:mdev[@mode='mig']/@start", "4");
    assert_xp_str(doc, "/domain/metadata/g:placement/g:mdev[@mode='vgpu']/@type", "A100-4C");
    assert_xp_str(doc, "/domain/metadata/g:placement/g:mdev[@mode='vgpu']/@slot", "2");
    /* the vGPU names no VF: its mdev parent is the GPU itself */
    assert_xp_str(doc, "/domain/metadata/g:placement/g:mdev[@mode='vgpu']/@parent", "0000:86:00.0");
    {
        GV_AUTOFREE char *e = gv_asprintf(
            "/domain/devices/hostdev[@type='mdev'][source/address/@uuid='%s']", mig_uuid);
        assert_xp_count(doc, e, 1);
        assert_int_equal(device_node(doc, e), 0);
    }

    /* every device sits on a root port of its own NUMA node's expander */
    assert_int_equal(device_node(doc, "/domain/devices/hostdev[source/address/@bus='0x18']"), 0);
    assert_int_equal(device_node(doc, "/domain/devices/hostdev[source/address/@bus='0xaf']"), 1);
    assert_int_equal(device_node(doc, "/domain/devices/interface[source/address/@bus='0x19']"), 0);
    assert_int_equal(device_node(doc, "/domain/devices/interface[source/address/@bus='0x87']"), 1);
    assert_int_equal(device_node(doc, "/domain/devices/disk"), 1);

    /* NIC VFs: hostdev interfaces, no virtio fallback */
    assert_xp_count(doc, "/domain/devices/interface", 2);
    assert_xp_count(doc, "/domain/devices/interface[@type='hostdev'][@managed='yes']", 2);
    assert_xp_count(doc, "/domain/devices/interface/driver[@name='vfio']", 2);
    assert_xp_str(doc, "/domain/devices/interface[1]/source/address/@function", "0x4");

    /* scratch: unnamed namespace by path, recorded in the metadata */
    assert_xp_str(doc, "/domain/devices/disk/source/@dev",
                  "/dev/disk/by-path/pci-0000:d8:00.0-nvme-1");
    assert_xp_str(doc, "/domain/devices/disk/target/@dev", "vdb");
    assert_xp_str(doc, "/domain/devices/disk/driver/@io", "native");
    assert_xp_str(doc, "/domain/metadata/g:placement/g:scratch/@gib", "500");
    xmlFreeDoc(doc);
    gv_placement_clear(&p);
}

static void
test_shared_preferred_2m(void **state)
{
    const gv_host *h = *state;
    gv_placement p;
    xmlDocPtr doc;

    fx_placement(&p, "shared-1", 8, 8192, GV_CPU_SHARED, 2);
    p.request.hugepages = GV_HUGEPAGES_2M;
    p.request.numa_policy = GV_NUMA_POLICY_PREFERRED;
    doc = render(&p, h, 0, NULL);
    assert_xp_str(doc, "/domain/cputune/vcpupin[@vcpu='0']/@cpuset", "2-7,16-23");
    assert_xp_str(doc, "/domain/cputune/vcpupin[@vcpu='7']/@cpuset", "8-15,24-31");
    assert_xp_str(doc, "/domain/cpu/topology/@threads", "1");
    assert_xp_str(doc, "/domain/cpu/topology/@sockets", "2");
    assert_xp_str(doc, "/domain/cpu/topology/@cores", "4");
    /* preferred: one preferred memnode per cell and no multi-node <memory> */
    assert_xp_count(doc, "/domain/numatune/memory", 0);
    assert_xp_count(doc, "/domain/numatune/memnode[@mode='preferred']", 2);
    assert_xp_str(doc, "/domain/memoryBacking/hugepages/page/@size", "2");
    assert_xp_str(doc, "/domain/memoryBacking/hugepages/page/@unit", "M");
    /* no VF: one virtio NIC with a queue per vCPU */
    assert_xp_count(doc, "/domain/devices/interface", 1);
    assert_xp_str(doc, "/domain/devices/interface[@type='network']/source/@network", "default");
    assert_xp_str(doc, "/domain/devices/interface/model/@type", "virtio");
    assert_xp_str(doc, "/domain/devices/interface/driver/@queues", "8");
    assert_xp_count(doc, "/domain/devices/disk", 0);
    assert_xp_count(doc, "/domain/metadata/g:placement/g:scratch", 0);
    xmlFreeDoc(doc);
    gv_placement_clear(&p);
}

static void
test_numa_none_no_hugepages(void **state)
{
    const gv_host *h = *state;
    gv_placement p;
    xmlDocPtr doc;

    fx_placement(&p, "anywhere", 32, 4096, GV_CPU_DEDICATED, 2);
    p.request.numa_policy = GV_NUMA_POLICY_NONE;
    doc = render(&p, h, 0, NULL);
    /* none still binds to the nodes the engine charged */
    assert_xp_str(doc, "/domain/numatune/memory/@mode", "strict");
    assert_xp_count(doc, "/domain/numatune/memnode[@mode='strict']", 2);
    assert_xp_count(doc, "/domain/memoryBacking", 0);
    assert_xp_count(doc, "/domain/cpu/numa/cell/@memAccess", 0);
    /* virtio queues are capped at 16 */
    assert_xp_str(doc, "/domain/devices/interface/driver/@queues", "16");
    xmlFreeDoc(doc);
    gv_placement_clear(&p);
}

/* Pins that do not pair siblings, and cells of unequal size: threads 1, one socket. */
static void
test_topology_fallbacks(void **state)
{
    const gv_host *h = *state;
    gv_placement p;
    xmlDocPtr doc;

    fx_placement(&p, "odd", 6, 6144, GV_CPU_DEDICATED, 2);
    p.cells[0].n_vcpus = 2;
    p.cells[1].first_vcpu = 2;
    p.cells[1].n_vcpus = 4;
    for (int v = 0; v < 6; v++) {
        p.pins[v].cell = v < 2 ? 0 : 1;
        p.pins[v].pcpu = v < 2 ? 2 + v : 10 + v;
    }
    doc = render(&p, h, 0, NULL);
    assert_xp_str(doc, "/domain/cpu/topology/@threads", "1");
    assert_xp_str(doc, "/domain/cpu/topology/@sockets", "1");
    assert_xp_str(doc, "/domain/cpu/topology/@cores", "6");
    assert_xp_str(doc, "/domain/cpu/numa/cell[@id='0']/@cpus", "0-1");
    assert_xp_str(doc, "/domain/cpu/numa/cell[@id='1']/@cpus", "2-5");
    xmlFreeDoc(doc);
    gv_placement_clear(&p);

    /* one vCPU: a single-CPU cell */
    fx_placement(&p, "one", 1, 512, GV_CPU_DEDICATED, 1);
    doc = render(&p, h, 0, NULL);
    assert_xp_str(doc, "/domain/cpu/numa/cell/@cpus", "0");
    assert_xp_str(doc, "/domain/cpu/topology/@cores", "1");
    assert_xp_str(doc, "/domain/devices/interface/driver/@queues", "1");
    xmlFreeDoc(doc);
    gv_placement_clear(&p);
}

/*
 * vGPU in the vendor VFIO form: a plain PCI hostdev of its VF (given, or estimated from the VF
 * index); a vGPU without a VF (a pre-Ampere GPU) stays an mdev of the GPU.
 */
static void
test_vgpu_vfio_vf(void **state)
{
    const gv_host *h = *state;
    gv_placement p;
    gv_placed_gpu *g;
    xmlDocPtr doc;

    fx_placement(&p, "vf-form", 4, 4096, GV_CPU_DEDICATED, 1);
    g = fx_add_gpu(&p, 0, "0000:18:00.0", 0, GV_GPU_MODE_VGPU);
    snprintf(g->vgpu_type, sizeof(g->vgpu_type), "A100-10C");
    g->slot = 1;
    g->vf = 1;
    snprintf(g->vf_pci, sizeof(g->vf_pci), "0000:18:00.2");
    g = fx_add_gpu(&p, 1, "0000:3b:00.0", 0, GV_GPU_MODE_VGPU);
    snprintf(g->vgpu_type, sizeof(g->vgpu_type), "A100-10C");
    g->slot = 3;
    g->vf = 3; /* no vf_pci: VF 3 of the PF, offset 1 stride 1 */
    g = fx_add_gpu(&p, 3, "0000:af:00.0", 1, GV_GPU_MODE_SRIOV); /* node 1: no cell */
    g->vf = 0;
    doc = render(&p, h, GV_XML_VGPU_VFIO_VF, NULL);
    assert_xp_count(doc, "/domain/devices/hostdev[@type='mdev']", 0);
    assert_xp_count(doc, "/domain/devices/hostdev[@type='pci']", 3);
    assert_xp_count(doc, "/domain/devices/hostdev/source/address[@bus='0x18'][@function='0x2']", 1);
    assert_xp_count(doc, "/domain/devices/hostdev/source/address[@bus='0x3b'][@function='0x4']", 1);
    assert_xp_count(doc, "/domain/devices/hostdev/source/address[@bus='0xaf'][@function='0x1']", 1);
    assert_xp_count(doc, "/domain/metadata/g:placement/g:mdev", 0);
    /* the GPU on a node that backs no guest cell gets no guest address */
    assert_xp_count(doc, "/domain/devices/hostdev[source/address/@bus='0xaf']/address", 0);
    assert_int_equal(device_node(doc, "/domain/devices/hostdev[source/address/@bus='0x3b']"), 0);
    assert_xp_count(doc, "/domain/devices/controller[@model='pcie-root-port']", 2);
    xmlFreeDoc(doc);

    /* a vGPU without a VF has no VFIO form: it stays an mdev whose parent is the GPU */
    g = fx_add_gpu(&p, 2, "0000:86:00.0", 1, GV_GPU_MODE_VGPU);
    snprintf(g->model, sizeof(g->model), "T4-16GB");
    snprintf(g->vgpu_type, sizeof(g->vgpu_type), "T4-4C");
    g->slot = 2;
    doc = render(&p, h, GV_XML_VGPU_VFIO_VF, NULL);
    assert_xp_count(doc, "/domain/devices/hostdev[@type='pci']", 3);
    assert_xp_count(doc, "/domain/devices/hostdev[@type='mdev']", 1);
    assert_xp_count(doc, "/domain/metadata/g:placement/g:mdev", 1);
    assert_xp_str(doc, "/domain/metadata/g:placement/g:mdev/@parent", "0000:86:00.0");
    xmlFreeDoc(doc);
    p.n_gpus--;
    p.request.gpu.count--;

    /* the same placement in mdev form: UUIDs name the VM, GPU and slot */
    doc = render(&p, h, 0, NULL);
    assert_xp_count(doc, "/domain/devices/hostdev[@type='mdev']", 2);
    xmlFreeDoc(doc);
    gv_placement_clear(&p);
}

/*
 * A vGPU on an SR-IOV GPU lives on a VF: in mdev form the VF (given, or VF @vf of the GPU) is the
 * mdev parent the agent creates it under, while the UUID stays the one of the GPU and slot. A
 * vGPU that names no VF, and a MIG instance, keep the GPU as the parent.
 */
static void
test_vgpu_mdev_parent(void **state)
{
    const gv_host *h = *state;
    gv_placement p;
    gv_placed_gpu *g;
    GV_AUTOFREE char *uuid_vf = NULL;
    GV_AUTOFREE char *uuid_pf = NULL;
    xmlDocPtr doc;

    fx_placement(&p, "vf-parent", 4, 4096, GV_CPU_DEDICATED, 2);
    g = fx_add_gpu(&p, 0, "0000:18:00.0", 0, GV_GPU_MODE_VGPU);
    snprintf(g->vgpu_type, sizeof(g->vgpu_type), "A100-10C");
    g->slot = 1;
    g->vf = 1;
    snprintf(g->vf_pci, sizeof(g->vf_pci), "0000:18:00.2");
    g = fx_add_gpu(&p, 1, "0000:3b:00.0", 0, GV_GPU_MODE_VGPU);
    snprintf(g->vgpu_type, sizeof(g->vgpu_type), "A100-10C");
    g->slot = 2;
    g->vf = 2; /* no vf_pci: VF 2 of the PF, offset 1 stride 1 */
    g = fx_add_gpu(&p, 2, "0000:86:00.0", 1, GV_GPU_MODE_VGPU);
    snprintf(g->vgpu_type, sizeof(g->vgpu_type), "A100-10C");
    g->slot = 0; /* vf -1, no vf_pci: a vGPU on the GPU itself */
    g = fx_add_gpu(&p, 3, "0000:af:00.0", 1, GV_GPU_MODE_MIG);
    snprintf(g->profile, sizeof(g->profile), "1g.5gb");
    g->size = 1;
    doc = render(&p, h, 0, NULL);
    assert_xp_count(doc, "/domain/devices/hostdev[@type='mdev']", 4);
    assert_xp_str(doc, "/domain/metadata/g:placement/g:mdev[@slot='1']/@parent", "0000:18:00.2");
    assert_xp_str(doc, "/domain/metadata/g:placement/g:mdev[@slot='2']/@parent", "0000:3b:00.3");
    assert_xp_str(doc, "/domain/metadata/g:placement/g:mdev[@slot='0']/@parent", "0000:86:00.0");
    assert_xp_str(doc, "/domain/metadata/g:placement/g:mdev[@mode='mig']/@parent", "0000:af:00.0");
    uuid_vf = xp_str(doc, "/domain/metadata/g:placement/g:mdev[@slot='1']/@uuid");
    xmlFreeDoc(doc);

    /* a share of a GPU is a best-effort vGPU: an mdev of the GPU, its size in the metadata */
    p.gpus[2].mode = GV_GPU_MODE_SHARE;
    p.gpus[2].vgpu_type[0] = '\0';
    p.gpus[2].slot = -1;
    p.gpus[2].milli = 470;
    doc = render(&p, h, 0, NULL);
    assert_xp_count(doc, "/domain/devices/hostdev[@type='mdev']", 4);
    assert_xp_str(doc, "/domain/metadata/g:placement/g:mdev[@mode='share']/@parent",
                  "0000:86:00.0");
    assert_xp_str(doc, "/domain/metadata/g:placement/g:mdev[@mode='share']/@milli", "470");
    xmlFreeDoc(doc);
    p.gpus[2].mode = GV_GPU_MODE_VGPU;
    snprintf(p.gpus[2].vgpu_type, sizeof(p.gpus[2].vgpu_type), "A100-10C");
    p.gpus[2].slot = 0;
    p.gpus[2].milli = 0;

    /* the parent changes, the name-based UUID does not */
    p.gpus[0].vf = -1;
    p.gpus[0].vf_pci[0] = '\0';
    doc = render(&p, h, 0, NULL);
    assert_xp_str(doc, "/domain/metadata/g:placement/g:mdev[@slot='1']/@parent", "0000:18:00.0");
    uuid_pf = xp_str(doc, "/domain/metadata/g:placement/g:mdev[@slot='1']/@uuid");
    assert_string_equal(uuid_vf, uuid_pf);
    xmlFreeDoc(doc);
    gv_placement_clear(&p);
}

/*
 * Preferred NUMA with memory spilled to a node without the VM's vCPUs: the guest gets a
 * memory-only cell, written without a cpus attribute (any value there would count vCPUs
 * beyond <vcpu>, which libvirt refuses), and libvirt defines and starts the domain.
 */
static void
test_memory_only_cell(void **state)
{
    const gv_host *h = *state;
    gv_placement p;
    xmlDocPtr doc;

    fx_placement(&p, "spill", 4, 8192, GV_CPU_DEDICATED, 2);
    p.request.numa_policy = GV_NUMA_POLICY_PREFERRED;
    p.cells[0].n_vcpus = 4;
    p.cells[0].memory_mib = 6144;
    p.cells[1].first_vcpu = 4;
    p.cells[1].n_vcpus = 0;
    p.cells[1].memory_mib = 2048;
    for (int v = 0; v < 4; v++) {
        p.pins[v].cell = 0;
        p.pins[v].pcpu = v % 2 ? 2 + v / 2 + 16 : 2 + v / 2;
    }
    doc = render(&p, h, 0, NULL);
    assert_xp_str(doc, "/domain/cpu/numa/cell[@id='0']/@cpus", "0-3");
    assert_xp_count(doc, "/domain/cpu/numa/cell[@id='1']", 1);
    assert_xp_count(doc, "/domain/cpu/numa/cell[@id='1']/@cpus", 0);
    assert_xp_str(doc, "/domain/cpu/numa/cell[@id='1']/@memory", "2048");
    assert_xp_count(doc, "/domain/numatune/memory", 0);
    assert_xp_str(doc, "/domain/numatune/memnode[@cellid='1']/@mode", "preferred");
    assert_xp_str(doc, "/domain/numatune/memnode[@cellid='1']/@nodeset", "1");
    assert_xp_str(doc, "/domain/cpu/topology/@sockets", "1");
    assert_xp_str(doc, "/domain/cpu/topology/@cores", "2");
    assert_xp_str(doc, "/domain/cpu/topology/@threads", "2");
    xmlFreeDoc(doc);

    /* with hugepages the memory-only cell is shared like the others */
    p.request.hugepages = GV_HUGEPAGES_2M;
    doc = render(&p, h, 0, NULL);
    assert_xp_str(doc, "/domain/cpu/numa/cell[@id='1']/@memAccess", "shared");
    assert_xp_count(doc, "/domain/cpu/numa/cell[@id='1']/@cpus", 0);
    xmlFreeDoc(doc);
    gv_placement_clear(&p);
}

/* Name-based UUIDs: stable across renders, changing with VM name, GPU and slot. */
static void
test_uuids(void **state)
{
    const gv_host *h = *state;
    gv_placement p;
    gv_placed_gpu *g;
    GV_AUTOFREE char *xml = NULL;
    GV_AUTOFREE char *a0 = NULL;
    GV_AUTOFREE char *a1 = NULL;
    GV_AUTOFREE char *b0 = NULL;
    GV_AUTOFREE char *dom_a = NULL;
    GV_AUTOFREE char *dom_b = NULL;
    xmlDocPtr doc;

    fx_placement(&p, "uuid-a", 2, 2048, GV_CPU_DEDICATED, 1);
    for (int s = 0; s < 2; s++) {
        g = fx_add_gpu(&p, 1, "0000:3b:00.0", 0, GV_GPU_MODE_MIG);
        snprintf(g->profile, sizeof(g->profile), "1g.5gb");
        g->start = s;
        g->size = 1;
    }
    xml = gv_placement_to_libvirt_xml(&p, h, 0);
    doc = parse(xml);
    dom_a = xp_str(doc, "/domain/uuid");
    a0 = xp_str(doc, "/domain/devices/hostdev[1]/source/address/@uuid");
    a1 = xp_str(doc, "/domain/devices/hostdev[2]/source/address/@uuid");
    xmlFreeDoc(doc);
    assert_true(is_uuid(a0) && is_uuid(a1) && is_uuid(dom_a));
    assert_string_not_equal(a0, a1);
    /* pinned: the scheme is part of the format (an agent may recreate mdevs by these ids) */
    assert_string_equal(dom_a, "12b6e1c2-1563-8313-84a6-e9b05c7c1c91");

    snprintf(p.vm, sizeof(p.vm), "uuid-b");
    free(xml);
    xml = gv_placement_to_libvirt_xml(&p, h, 0);
    doc = parse(xml);
    b0 = xp_str(doc, "/domain/devices/hostdev[1]/source/address/@uuid");
    dom_b = xp_str(doc, "/domain/uuid");
    assert_string_not_equal(a0, b0);
    assert_string_not_equal(dom_a, dom_b);
    xmlFreeDoc(doc);
    gv_placement_clear(&p);
}

static void
test_hostile_names(void **state)
{
    const gv_host *h = *state;
    /* libvirt itself refuses '/' and newlines in domain names: requests must not carry them */
    static const char *const names[] = {
        "<a&'\">", "]]>&amp;<!--x-->", "tab\tname", "名前-ü", "a'b\"c<d>e&f", "; rm -rf x #",
    };

    for (size_t i = 0; i < GV_N_ELEMENTS(names); i++) {
        gv_placement p;
        xmlDocPtr doc;

        fx_placement(&p, names[i], 2, 2048, GV_CPU_DEDICATED, 1);
        snprintf(p.host, sizeof(p.host), "hv'<%zu>&\"", i);
        fx_set_scratch(&p, 0, "0000:5e:00.0", "nvme0n1'/><x a='", 0, 10);
        /* render() checks that <name> and the metadata host read back exactly */
        doc = render(&p, h, 0, NULL);
        assert_xp_str(doc, "/domain/devices/disk/source/@dev", "/dev/nvme0n1'/><x a='");
        assert_xp_count(doc, "//x", 0);
        xmlFreeDoc(doc);
        gv_placement_clear(&p);
    }

    /* what XML cannot carry (control characters, bytes that are not UTF-8) becomes '?' */
    gv_placement p;
    GV_AUTOFREE char *xml = NULL;
    xmlDocPtr doc;
    fx_placement(&p, "c\x01tl-\xff\xfe-\xe2\x82", 2, 2048, GV_CPU_DEDICATED, 1);
    xml = gv_placement_to_libvirt_xml(&p, h, 0);
    doc = parse(xml);
    assert_xp_str(doc, "/domain/name",
                  "c?tl-?"
                  "?-?"
                  "?");
    xmlFreeDoc(doc);
    gv_placement_clear(&p);
}

/* 16 GPUs, 16 VFs and scratch on one node: 33 root ports, the 33rd as function 1 of slot 0. */
static void
test_many_devices_one_cell(void **state)
{
    const gv_host *h = *state;
    gv_placement p;
    xmlDocPtr doc;

    fx_placement(&p, "wide", 8, 8192, GV_CPU_DEDICATED, 1);
    for (int i = 0; i < GV_REQ_MAX_GPUS; i++) {
        char pci[GV_PCI_ADDR_LEN];
        snprintf(pci, sizeof(pci), "0000:%02x:00.0", 0x20 + i);
        fx_add_gpu(&p, i, pci, 0, GV_GPU_MODE_PASSTHROUGH);
    }
    for (int i = 0; i < GV_REQ_MAX_NIC_VFS; i++) {
        char vf[GV_PCI_ADDR_LEN];
        snprintf(vf, sizeof(vf), "0000:19:%02x.%d", 1 + i / 8, i % 8);
        fx_add_vf(&p, 0, "0000:19:00.0", "mlx5_0", i, vf, 0);
    }
    fx_set_scratch(&p, 0, "0000:5e:00.0", "nvme0n1", 0, 100);
    doc = render(&p, h, 0, NULL);
    assert_xp_count(doc, "/domain/devices/controller[@model='pcie-root-port']", 33);
    assert_xp_count(doc, "/domain/devices/controller[@model='pcie-root-port']/address[@bus='0x01']",
                    33);
    assert_xp_count(doc, "/domain/devices/controller/address[@multifunction='on']", 1);
    assert_xp_str(doc, "/domain/devices/controller[@index='34']/address/@function", "0x1");
    assert_xp_str(doc, "/domain/devices/controller[@index='34']/address/@slot", "0x00");
    assert_xp_str(doc, "/domain/devices/controller[@index='1']/target/@busNr", "222");
    assert_int_equal(device_node(doc, "/domain/devices/disk"), 0);
    xmlFreeDoc(doc);
    gv_placement_clear(&p);
}

/* More than 255 vCPUs need interrupt remapping with EIM (and a split irqchip). */
static void
test_many_vcpus(void **state)
{
    const gv_host *h = *state;
    gv_placement p;
    xmlDocPtr doc;

    fx_placement(&p, "huge", 288, 65536, GV_CPU_SHARED, 2);
    doc = render(&p, h, 0, NULL);
    assert_xp_str(doc, "/domain/features/ioapic/@driver", "qemu");
    assert_xp_str(doc, "/domain/devices/iommu/@model", "intel");
    assert_xp_str(doc, "/domain/devices/iommu/driver/@eim", "on");
    xmlFreeDoc(doc);
    gv_placement_clear(&p);
}

/* Without guest cells there is nothing for memnodes or expander buses to refer to. */
static void
test_no_cells(void **state)
{
    const gv_host *h = *state;
    gv_placement p;
    xmlDocPtr doc;

    fx_placement(&p, "flat", 2, 2048, GV_CPU_DEDICATED, 1);
    p.n_cells = 0;
    fx_add_gpu(&p, 0, "0000:18:00.0", 0, GV_GPU_MODE_PASSTHROUGH);
    doc = render(&p, h, 0, NULL);
    assert_xp_count(doc, "/domain/numatune", 0);
    assert_xp_count(doc, "/domain/cpu/numa", 0);
    assert_xp_count(doc, "/domain/devices/hostdev/address", 0);
    xmlFreeDoc(doc);
    p.n_cells = 1; /* so that clear frees the cell */
    gv_placement_clear(&p);
}

static void
test_bad_address(void **state)
{
    const gv_host *h = *state;
    gv_placement p;

    fx_placement(&p, "bad", 2, 2048, GV_CPU_DEDICATED, 1);
    fx_add_gpu(&p, 0, "not-a-pci", 0, GV_GPU_MODE_PASSTHROUGH);
    assert_null(gv_placement_to_libvirt_xml(&p, h, 0));
    p.gpus[0] = (gv_placed_gpu){0};
    snprintf(p.gpus[0].pci, sizeof(p.gpus[0].pci), "0000:18:00.0");
    p.gpus[0].mode = GV_GPU_MODE_SRIOV;
    snprintf(p.gpus[0].vf_pci, sizeof(p.gpus[0].vf_pci), "0000:18:00.1'");
    assert_null(gv_placement_to_libvirt_xml(&p, h, 0));
    p.gpus[0].mode = GV_GPU_MODE_VGPU; /* the same VF as an mdev parent */
    assert_null(gv_placement_to_libvirt_xml(&p, h, 0));
    gv_placement_clear(&p);
}

/* One small domain byte for byte: the layout itself is under test here. */
static void
test_small_exact(void **state)
{
    const gv_host *h = *state;
    gv_placement p;
    GV_AUTOFREE char *xml = NULL;
    xmlDocPtr doc;

    fx_placement(&p, "tiny", 2, 2048, GV_CPU_DEDICATED, 1);
    fx_add_gpu(&p, 0, "0000:18:00.0", 0, GV_GPU_MODE_PASSTHROUGH);
    doc = render(&p, h, 0, &xml);
    xmlFreeDoc(doc);
    assert_string_equal(xml, "<domain type='kvm'>\n"
                             "  <name>tiny</name>\n"
                             "  <uuid>b62e8be3-d2ac-8796-ad5f-108d6c10cf5c</uuid>\n"
                             "  <metadata>\n"
                             "    <gpuvm:placement xmlns:gpuvm='urn:gpuvm:placement:1'>\n"
                             "      <gpuvm:host>hv-01</gpuvm:host>\n"
                             "    </gpuvm:placement>\n"
                             "  </metadata>\n"
                             "  <memory unit='MiB'>2048</memory>\n"
                             "  <vcpu placement='static'>2</vcpu>\n"
                             "  <cputune>\n"
                             "    <vcpupin vcpu='0' cpuset='2'/>\n"
                             "    <vcpupin vcpu='1' cpuset='18'/>\n"
                             "    <emulatorpin cpuset='0-1'/>\n"
                             "  </cputune>\n"
                             "  <numatune>\n"
                             "    <memory mode='strict' nodeset='0'/>\n"
                             "    <memnode cellid='0' mode='strict' nodeset='0'/>\n"
                             "  </numatune>\n"
                             "  <os>\n"
                             "    <type arch='x86_64' machine='q35'>hvm</type>\n"
                             "  </os>\n"
                             "  <features>\n"
                             "    <acpi/>\n"
                             "    <apic/>\n"
                             "  </features>\n"
                             "  <cpu mode='host-passthrough'>\n"
                             "    <topology sockets='1' dies='1' cores='1' threads='2'/>\n"
                             "    <numa>\n"
                             "      <cell id='0' cpus='0-1' memory='2048' unit='MiB'/>\n"
                             "    </numa>\n"
                             "  </cpu>\n"
                             "  <devices>\n"
                             "    <controller type='pci' index='0' model='pcie-root'/>\n"
                             "    <controller type='pci' index='1' model='pcie-expander-bus'>\n"
                             "      <target busNr='254'>\n"
                             "        <node>0</node>\n"
                             "      </target>\n"
                             "    </controller>\n"
                             "    <controller type='pci' index='2' model='pcie-root-port'>\n"
                             "      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' "
                             "function='0x0'/>\n"
                             "    </controller>\n"
                             "    <hostdev mode='subsystem' type='pci' managed='yes'>\n"
                             "      <driver name='vfio'/>\n"
                             "      <source>\n"
                             "        <address domain='0x0000' bus='0x18' slot='0x00' "
                             "function='0x0'/>\n"
                             "      </source>\n"
                             "      <address type='pci' domain='0x0000' bus='0x02' slot='0x00' "
                             "function='0x0'/>\n"
                             "    </hostdev>\n"
                             "    <interface type='network'>\n"
                             "      <source network='default'/>\n"
                             "      <model type='virtio'/>\n"
                             "      <driver name='vhost' queues='2'/>\n"
                             "    </interface>\n"
                             "    <memballoon model='none'/>\n"
                             "  </devices>\n"
                             "</domain>\n");
    gv_placement_clear(&p);
}

static int
host_setup(void **state)
{
    *state = fx_host();
    return 0;
}

static int
host_teardown(void **state)
{
    gv_host_free(*state);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_two_cells),
        cmocka_unit_test(test_shared_preferred_2m),
        cmocka_unit_test(test_numa_none_no_hugepages),
        cmocka_unit_test(test_topology_fallbacks),
        cmocka_unit_test(test_vgpu_vfio_vf),
        cmocka_unit_test(test_vgpu_mdev_parent),
        cmocka_unit_test(test_memory_only_cell),
        cmocka_unit_test(test_uuids),
        cmocka_unit_test(test_hostile_names),
        cmocka_unit_test(test_many_devices_one_cell),
        cmocka_unit_test(test_many_vcpus),
        cmocka_unit_test(test_no_cells),
        cmocka_unit_test(test_bad_address),
        cmocka_unit_test(test_small_exact),
    };
    int rc = cmocka_run_group_tests(tests, host_setup, host_teardown);

    xmlCleanupParser();
    if (rc == 0 && tools_missing) {
        printf("SKIP place/place_xml: virt-xml-validate or virsh not found (Debian package "
               "libvirt-clients, scripts/install-deps.sh); structural checks passed\n");
        return GV_TEST_SKIP;
    }
    return rc;
}
