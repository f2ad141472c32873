/*
 * place_xml.c - a placement as a complete libvirt domain (KVM, q35) that pins what the engine
 * allocated: every vCPU and the emulator to their host threads, guest memory to the host NUMA
 * nodes it was charged to, one guest NUMA cell per host node, the GPUs, GPU slices and VFs as
 * VFIO or mdev host devices, NIC VFs as hostdev interfaces, and the scratch NVMe namespace.
 * The output is a function of the placement and the host alone, so it is golden-testable.
 *
 * Design notes
 *
 * Guest NUMA and PCIe. Each guest cell gets a pcie-expander-bus whose <node> is the cell, and
 * every device whose host NUMA node backs a cell hangs off its own pcie-root-port on that bus, so
 * the guest sees each GPU's, VF's and disk's real NUMA affinity. Controller indices: 0 pcie-root,
 * 1..C the expander buses in cell order, then the root ports in cell order and, within a cell, in
 * device order (GPUs, NIC VFs, scratch). Root port k of a cell sits on its expander at slot
 * k % 32, function k / 32 (33 devices in one cell is the request maximum). A device on a node
 * that backs no cell (preferred-policy violations, unknown locality) gets no guest address and
 * libvirt places it on pcie-root.
 *   Guest bus numbers (busNr) are handed out from the top of the 8-bit range down, cell 0 first:
 * an expander with k root ports owns busNr..busNr+k (its own bus and one per port), so
 * busNr(0) = min(254, 255 - k0) and busNr(c) = busNr(c-1) - 1 - kc. pcie-root's buses stay below.
 *
 * Memory policy (numatune) by request.numa_policy:
 *   strict     <memory mode='strict'> over all the cells' host nodes, one strict memnode per cell.
 *   preferred  one memnode mode='preferred' per cell and no <memory> element: QEMU's preferred
 *              policy takes a single node, which the union of several cells is not.
 *   none       as strict. "none" frees the engine to choose any node, but it still charged the
 *              memory (and hugepages) to the nodes it chose; unbound memory would follow the
 *              faulting thread and make those per-node counts untrue.
 *
 * CPU topology: threads='2' when every vCPU pair (2k, 2k+1) is pinned to two sibling threads of
 * one host core, else 1; sockets = the number of cells when every cell has the same number of
 * vCPUs (a multiple of threads), else 1; cores = vCPUs / (sockets x threads). A cell without
 * vCPUs (memory that spilled to a node the vCPUs are not on, under the preferred policy) is
 * written without a cpus attribute: libvirt makes it a memory-only guest node, while any cpus
 * value would name vCPUs beyond <vcpu> or twice, which libvirt refuses.
 *
 * Memory backing: hugepages of the request's size; each cell then gets memAccess='shared', which
 * is valid only with hugepages and lets vhost-user or virtiofs devices be added later. The
 * balloon is off: assigned devices pin all guest memory, and the engine accounts it as held.
 *
 * mdev UUIDs (MIG instances, vGPUs) and the domain <uuid> are name-based: a UUID of RFC 9562
 * version 8 (vendor-defined) whose 122 free bits come from a hash of the names (domain: the VM
 * name; mdev: VM name, GPU PCI address, mode, and the MIG start slice or vGPU slot). The hash is
 * two 64-bit FNV-1a passes with different offset bases, each finished with the splitmix64 mixer
 * (the second after folding in the first).
 * It is not SHA-1, hence version 8 and not 5. The same VM and device always give the same UUID,
 * so a re-rendered domain names the same mdev. The <metadata> block (namespace
 * urn:gpuvm:placement:1) records the host, the scratch size and, per mdev, its parent device,
 * mode, profile or type and slot, which the host agent needs to create it. The parent is the
 * GPU, except for a vGPU on an SR-IOV GPU (the placement names the VF that carries it): there
 * the mdev types live under the VF, so the VF is the parent. The UUID still hashes the GPU's
 * address, so it does not change with the parent. With GV_XML_VGPU_VFIO_VF a vGPU on a VF is
 * that VF as a plain PCI hostdev (the vendor VFIO framework, facts 2.4); a vGPU without a VF
 * (Turing, Volta: the catalog's on_vfs is false) has no such form and stays an mdev of the GPU.
 *
 * Devices: a VM without NIC VFs gets one virtio NIC on libvirt's "default" network with
 * min(vCPUs, 16) queues; the scratch namespace is a raw virtio block disk (vdb; vda is left to
 * the boot disk) opened by its /dev name, or by its by-path link when the host did not name it.
 * Beyond 255 vCPUs the guest needs x2APIC ids, hence an intel IOMMU with interrupt remapping, EIM
 * and caching mode (for the assigned devices) and a split irqchip (ioapic driver qemu).
 *
 * Every string from a request or host is escaped (xml_escape): & < > ' " become entities, tab,
 * newline and CR become character references, and what XML 1.0 cannot carry at all (other C0
 * controls, bytes that are not UTF-8) becomes '?'. libvirt itself refuses '/' and newlines in a
 * domain name; refusing those belongs to request validation, not here.
 *
 * The renderer returns NULL only for a placement it cannot express: a device PCI address that is
 * not canonical, or more guest cells than GV_PLACE_MAX_CELLS (never for one the engine made).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "gpuvm/place.h"
#include "util/cpulist.h"
#include "util/strbuf.h"

#define XML_NS "urn:gpuvm:placement:1"
#define PORTS_PER_SLOT 32 /* a root port per slot first, then function 1 of each slot */
#define MAX_DEVS (GV_REQ_MAX_GPUS + GV_REQ_MAX_NIC_VFS + 1)
#define MAX_VIRTIO_QUEUES 16
#define MAX_VCPUS_WITHOUT_EIM 255 /* x86 APIC ids above 254 need an IOMMU with EIM */

/* ---- escaping and UUIDs ---------------------------------------------------------------------- */

/* Length of the UTF-8 sequence at @s that XML 1.0 can carry, or 0. */
static size_t
utf8_char_len(const unsigned char *s)
{
    uint32_t cp;
    size_t n;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        n = 2;
        cp = s[0] & 0x1fu;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        n = 3;
        cp = s[0] & 0x0fu;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        n = 4;
        cp = s[0] & 0x07u;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3fu);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
        return 0;
    return n;
}

/* Append @s escaped for XML text and attribute values (single- or double-quoted). */
static void
xml_escape(gv_strbuf *sb, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");

    while (*p) {
        size_t n = utf8_char_len(p);

        if (n == 0) {
            gv_strbuf_putc(sb, '?');
            p++;
            continue;
        }
        switch (*p) {
        case '&':
            gv_strbuf_append(sb, "&amp;");
            break;
        case '<':
            gv_strbuf_append(sb, "&lt;");
            break;
        case '>':
            gv_strbuf_append(sb, "&gt;");
            break;
        case '\'':
            gv_strbuf_append(sb, "&apos;");
            break;
        case '"':
            gv_strbuf_append(sb, "&quot;");
            break;
        case '\t':
        case '\n':
        case '\r':
            gv_strbuf_printf(sb, "&#%d;", *p);
            break;
        default:
            if (*p < 0x20)
                gv_strbuf_putc(sb, '?');
            else
                gv_strbuf_append_len(sb, (const char *)p, n);
        }
        p += n;
    }
}

/* @s escaped, as a new string. */
static char *
esc(const char *s)
{
    gv_strbuf sb = {0};

    xml_escape(&sb, s);
    return gv_strbuf_steal(&sb);
}

#define FNV_PRIME 0x100000001b3ULL

static uint64_t
fnv1a(uint64_t h, const char *s)
{
    /* the terminating NUL is hashed too, so that field boundaries count */
    const unsigned char *p = (const unsigned char *)s;
    do {
        h ^= *p;
        h *= FNV_PRIME;
    } while (*p++);
    return h;
}

static uint64_t
splitmix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* The name-based UUID of the NULL-terminated list of fields (see the design notes). */
static void name_uuid(char ret[37], const char *first, ...) __attribute__((sentinel));

static void
name_uuid(char ret[37], const char *first, ...)
{
    uint64_t a = 0xcbf29ce484222325ULL, b = 0x84222325cbf29ce4ULL;
    unsigned char u[16];
    va_list ap;

    va_start(ap, first);
    for (const char *f = first; f; f = va_arg(ap, const char *)) {
        a = fnv1a(a, f);
        b = fnv1a(b, f);
    }
    va_end(ap);
    a = splitmix64(a);
    b = splitmix64(b ^ a);
    for (int i = 0; i < 8; i++) {
        u[i] = (unsigned char)(a >> (56 - 8 * i));
        u[8 + i] = (unsigned char)(b >> (56 - 8 * i));
    }
    u[6] = (unsigned char)((u[6] & 0x0f) | 0x80); /* version 8 */
    u[8] = (unsigned char)((u[8] & 0x3f) | 0x80); /* variant 10xx (RFC 9562) */
    snprintf(ret, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
             u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
             u[14], u[15]);
}

static void
mdev_uuid(char ret[37], const gv_placement *p, const gv_placed_gpu *g)
{
    char n[16];

    snprintf(n, sizeof(n), "%d", g->mode == GV_GPU_MODE_MIG ? g->start : g->slot);
    name_uuid(ret, "gpuvm-mdev", p->vm, g->pci, gv_gpu_mode_to_string(g->mode), n, (char *)NULL);
}

/* ---- the device list ------------------------------------------------------------------------- */

typedef enum dev_kind {
    DEV_GPU,
    DEV_VF,
    DEV_SCRATCH,
} dev_kind;

typedef enum gpu_form {
    FORM_PCI,  /* VFIO PCI hostdev of @pci */
    FORM_MDEV, /* mdev hostdev */
} gpu_form;

typedef struct dev {
    dev_kind kind;
    int index; /* in p->gpus / p->vfs */
    int cell;  /* index in p->cells, or -1: no guest address */
    int port;  /* root port controller index, or -1 */
    int slot;  /* the port's slot and function on its expander */
    int function;
    bool multifunction;
    gpu_form form;
    char pci[GV_PCI_ADDR_LEN]; /* host address of a PCI hostdev or interface; mdev parent */
} dev;

typedef struct layout {
    size_t n_devs;
    dev devs[MAX_DEVS];
    int bus_nr[GV_PLACE_MAX_CELLS]; /* per cell */
} layout;

static int
cell_of_numa(const gv_placement *p, int numa)
{
    if (numa == GV_NUMA_UNKNOWN)
        return -1;
    for (size_t i = 0; i < p->n_cells; i++)
        if (p->cells[i].host_numa == numa)
            return (int)i;
    return -1;
}

static bool
pci_valid(const char *s)
{
    char canon[GV_PCI_ADDR_LEN];

    return gv_pci_addr_normalize(s, canon, NULL) == 0 && !strcmp(canon, s);
}

/* @given, or the planning estimate of VF @vf of @pf when the placement left it empty. */
static bool
vf_address(const char *given, const char *pf, int vf, char ret[GV_PCI_ADDR_LEN])
{
    if (given[0]) {
        snprintf(ret, GV_PCI_ADDR_LEN, "%s", given);
        return pci_valid(ret);
    }
    return gv_pci_vf_addr(pf, vf, ret, NULL) == 0;
}

static bool
gpu_dev(const gv_placed_gpu *g, unsigned flags, dev *d)
{
    switch (g->mode) {
    case GV_GPU_MODE_PASSTHROUGH:
        d->form = FORM_PCI;
        snprintf(d->pci, sizeof(d->pci), "%s", g->pci);
        return pci_valid(d->pci);
    case GV_GPU_MODE_SRIOV:
        d->form = FORM_PCI;
        return vf_address(g->vf_pci, g->pci, g->vf, d->pci);
    case GV_GPU_MODE_VGPU:
        if (g->vf_pci[0] || g->vf >= 0) { /* on a VF: the device itself, or its mdev parent */
            d->form = flags & GV_XML_VGPU_VFIO_VF ? FORM_PCI : FORM_MDEV;
            return pci_valid(g->pci) && vf_address(g->vf_pci, g->pci, g->vf, d->pci);
        }
        /* no VF (Turing, Volta): an mdev of the GPU, whatever the flags (facts 2.4) */
        d->form = FORM_MDEV;
        snprintf(d->pci, sizeof(d->pci), "%s", g->pci);
        return pci_valid(d->pci);
    case GV_GPU_MODE_MIG:
    case GV_GPU_MODE_SHARE: /* a share is a best-effort, time-sliced vGPU: an mdev of the GPU */
        d->form = FORM_MDEV;
        snprintf(d->pci, sizeof(d->pci), "%s", g->pci);
        return pci_valid(d->pci);
    default:
        return false;
    }
}

/* The devices, their forms, host addresses and guest ports. Returns false on a bad address. */
static bool
layout_build(const gv_placement *p, unsigned flags, layout *l)
{
    int next_port = 1 + (int)p->n_cells, top = 255;

    memset(l, 0, sizeof(*l));
    for (size_t i = 0; i < p->n_gpus && i < GV_REQ_MAX_GPUS; i++) {
        dev *d = &l->devs[l->n_devs++];
        d->kind = DEV_GPU;
        d->index = (int)i;
        d->cell = cell_of_numa(p, p->gpus[i].numa);
        if (!gpu_dev(&p->gpus[i], flags, d))
            return false;
    }
    for (size_t i = 0; i < p->n_vfs && i < GV_REQ_MAX_NIC_VFS; i++) {
        const gv_placed_vf *v = &p->vfs[i];
        dev *d = &l->devs[l->n_devs++];
        d->kind = DEV_VF;
        d->index = (int)i;
        d->cell = cell_of_numa(p, v->numa);
        if (!vf_address(v->vf_pci, v->pf_pci, v->vf, d->pci))
            return false;
    }
    if (p->scratch.nvme >= 0) {
        dev *d = &l->devs[l->n_devs++];
        d->kind = DEV_SCRATCH;
        d->cell = cell_of_numa(p, p->scratch.numa);
    }

    for (size_t c = 0; c < p->n_cells; c++) {
        int k = 0, n = 0;

        for (size_t i = 0; i < l->n_devs; i++)
            n += l->devs[i].cell == (int)c;
        for (size_t i = 0; i < l->n_devs; i++) {
            dev *d = &l->devs[i];
            if (d->cell != (int)c)
                continue;
            d->port = next_port++;
            d->slot = k % PORTS_PER_SLOT;
            d->function = k / PORTS_PER_SLOT;
            d->multifunction = d->function == 0 && k + PORTS_PER_SLOT < n;
            k++;
        }
        l->bus_nr[c] = top - n < 254 ? top - n : 254;
        top = l->bus_nr[c] - 1;
    }
    for (size_t i = 0; i < l->n_devs; i++)
        if (l->devs[i].cell < 0)
            l->devs[i].port = -1;
    return true;
}

/* ---- writing --------------------------------------------------------------------------------- */

static void
indent(gv_strbuf *sb, int depth)
{
    for (int i = 0; i < depth; i++)
        gv_strbuf_append(sb, "  ");
}

static void line(gv_strbuf *sb, int depth, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
line(gv_strbuf *sb, int depth, const char *fmt, ...)
{
    GV_AUTOFREE char *s = NULL;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        gv_oom();
    indent(sb, depth);
    gv_strbuf_append(sb, s);
    gv_strbuf_putc(sb, '\n');
}

/* @ids (any order) as a cpulist; "" when empty. Caller frees. */
static char *
cpulist(const int *ids, size_t n)
{
    gv_strbuf sb = {0};

    gv_cpulist_format_ids(&sb, ids, n);
    return gv_strbuf_steal(&sb);
}

static char *
host_nodeset(const gv_placement *p)
{
    int nodes[GV_PLACE_MAX_CELLS];

    for (size_t i = 0; i < p->n_cells; i++)
        nodes[i] = p->cells[i].host_numa;
    return cpulist(nodes, p->n_cells);
}

static void
pci_address(gv_strbuf *sb, int depth, const char *pci, bool with_type)
{
    unsigned dom = 0, bus = 0, slot = 0, fn = 0;

    sscanf(pci, "%x:%x:%x.%x", &dom, &bus, &slot, &fn); /* checked by layout_build */
    line(sb, depth, "<address %sdomain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%x'/>",
         with_type ? "type='pci' " : "", dom, bus, slot, fn);
}

/* The guest-side address of @d: slot 0 of its root port. */
static void
guest_address(gv_strbuf *sb, int depth, const dev *d)
{
    if (d->port >= 0)
        line(sb, depth,
             "<address type='pci' domain='0x0000' bus='0x%02x' slot='0x00' "
             "function='0x0'/>",
             d->port);
}

static const gv_guest_cell *
cell_by_id(const gv_placement *p, int id)
{
    for (size_t i = 0; i < p->n_cells; i++)
        if (p->cells[i].id == id)
            return &p->cells[i];
    return NULL;
}

static void
write_metadata(gv_strbuf *sb, const gv_placement *p, const layout *l)
{
    GV_AUTOFREE char *host = esc(p->host);

    line(sb, 1, "<metadata>");
    line(sb, 2, "<gpuvm:placement xmlns:gpuvm='%s'>", XML_NS);
    line(sb, 3, "<gpuvm:host>%s</gpuvm:host>", host);
    if (p->scratch.nvme >= 0)
        line(sb, 3, "<gpuvm:scratch gib='%lld'/>", (long long)p->scratch.gib);
    for (size_t i = 0; i < l->n_devs; i++) {
        const dev *d = &l->devs[i];
        const gv_placed_gpu *g;
        char uuid[37];

        if (d->kind != DEV_GPU || d->form != FORM_MDEV)
            continue;
        g = &p->gpus[d->index];
        mdev_uuid(uuid, p, g);
        if (g->mode == GV_GPU_MODE_SHARE) {
            line(sb, 3, "<gpuvm:mdev uuid='%s' parent='%s' mode='share' milli='%d'/>", uuid, d->pci,
                 g->milli);
            continue;
        }
        GV_AUTOFREE char *what = esc(g->mode == GV_GPU_MODE_MIG ? g->profile : g->vgpu_type);
        line(sb, 3, "<gpuvm:mdev uuid='%s' parent='%s' mode='%s' %s='%s' %s='%d'/>", uuid, d->pci,
             gv_gpu_mode_to_string(g->mode), g->mode == GV_GPU_MODE_MIG ? "profile" : "type", what,
             g->mode == GV_GPU_MODE_MIG ? "start" : "slot",
             g->mode == GV_GPU_MODE_MIG ? g->start : g->slot);
    }
    line(sb, 2, "</gpuvm:placement>");
    line(sb, 1, "</metadata>");
}

static void
write_cputune(gv_strbuf *sb, const gv_placement *p)
{
    line(sb, 1, "<cputune>");
    for (int v = 0; p->pins && v < p->request.vcpus; v++) {
        const gv_vcpu_pin *pin = &p->pins[v];
        const gv_guest_cell *c;

        if (pin->pcpu >= 0) {
            line(sb, 2, "<vcpupin vcpu='%d' cpuset='%d'/>", pin->vcpu, pin->pcpu);
        } else if ((c = cell_by_id(p, pin->cell)) && c->n_shared_cpus) {
            GV_AUTOFREE char *set = cpulist(c->shared_cpus, c->n_shared_cpus);
            line(sb, 2, "<vcpupin vcpu='%d' cpuset='%s'/>", pin->vcpu, set);
        }
    }
    if (p->n_emulator_cpus) {
        GV_AUTOFREE char *set = cpulist(p->emulator_cpus, p->n_emulator_cpus);
        line(sb, 2, "<emulatorpin cpuset='%s'/>", set);
    }
    line(sb, 1, "</cputune>");
}

static void
write_numatune(gv_strbuf *sb, const gv_placement *p)
{
    bool preferred = p->request.numa_policy == GV_NUMA_POLICY_PREFERRED;
    const char *mode = preferred ? "preferred" : "strict";

    if (!p->n_cells)
        return;
    line(sb, 1, "<numatune>");
    if (!preferred) {
        GV_AUTOFREE char *nodes = host_nodeset(p);
        line(sb, 2, "<memory mode='strict' nodeset='%s'/>", nodes);
    }
    for (size_t i = 0; i < p->n_cells; i++)
        line(sb, 2, "<memnode cellid='%d' mode='%s' nodeset='%d'/>", p->cells[i].id, mode,
             p->cells[i].host_numa);
    line(sb, 1, "</numatune>");
}

static const gv_core *
core_of(const gv_host *h, int cpu)
{
    for (size_t n = 0; n < h->n_numa; n++)
        for (size_t c = 0; c < h->numa[n].n_cores; c++)
            for (int t = 0; t < h->numa[n].cores[c].n_threads; t++)
                if (h->numa[n].cores[c].threads[t] == cpu)
                    return &h->numa[n].cores[c];
    return NULL;
}

/* Every vCPU pair (2k, 2k+1) is pinned to two sibling threads of one host core. */
static bool
pins_pair_siblings(const gv_placement *p, const gv_host *h)
{
    int vcpus = p->request.vcpus;

    if (!h || !p->pins || vcpus < 2 || vcpus % 2)
        return false;
    for (int v = 0; v < vcpus; v += 2) {
        const gv_vcpu_pin *a = &p->pins[v], *b = &p->pins[v + 1];
        const gv_core *core;
        bool sibling = false;

        if (a->pcpu < 0 || b->pcpu < 0 || a->pcpu == b->pcpu || a->cell != b->cell)
            return false;
        if (!(core = core_of(h, a->pcpu)))
            return false;
        for (int t = 0; t < core->n_threads; t++)
            sibling |= core->threads[t] == b->pcpu;
        if (!sibling)
            return false;
    }
    return true;
}

static void
write_cpu(gv_strbuf *sb, const gv_placement *p, const gv_host *h)
{
    int vcpus = p->request.vcpus, threads = pins_pair_siblings(p, h) ? 2 : 1;
    int sockets = p->n_cells ? (int)p->n_cells : 1;

    for (size_t i = 0; i < p->n_cells; i++)
        if (p->cells[i].n_vcpus != p->cells[0].n_vcpus || p->cells[i].n_vcpus % threads)
            sockets = 1;
    if (vcpus % (sockets * threads))
        sockets = 1;
    line(sb, 1, "<cpu mode='host-passthrough'>");
    line(sb, 2, "<topology sockets='%d' dies='1' cores='%d' threads='%d'/>", sockets,
         vcpus / (sockets * threads), threads);
    if (p->n_cells) {
        line(sb, 2, "<numa>");
        for (size_t i = 0; i < p->n_cells; i++) {
            const gv_guest_cell *c = &p->cells[i];
            char cpus[48] = "";

            /* a memory-only cell has no cpus attribute (see the design notes) */
            if (c->n_vcpus > 1)
                snprintf(cpus, sizeof(cpus), " cpus='%d-%d'", c->first_vcpu,
                         c->first_vcpu + c->n_vcpus - 1);
            else if (c->n_vcpus == 1)
                snprintf(cpus, sizeof(cpus), " cpus='%d'", c->first_vcpu);
            line(sb, 3, "<cell id='%d'%s memory='%lld' unit='MiB'%s/>", c->id, cpus,
                 (long long)c->memory_mib,
                 p->request.hugepages != GV_HUGEPAGES_NONE ? " memAccess='shared'" : "");
        }
        line(sb, 2, "</numa>");
    }
    line(sb, 1, "</cpu>");
}

static void
write_controllers(gv_strbuf *sb, const gv_placement *p, const layout *l)
{
    line(sb, 2, "<controller type='pci' index='0' model='pcie-root'/>");
    for (size_t c = 0; c < p->n_cells; c++) {
        line(sb, 2, "<controller type='pci' index='%zu' model='pcie-expander-bus'>", c + 1);
        line(sb, 3, "<target busNr='%d'>", l->bus_nr[c]);
        line(sb, 4, "<node>%d</node>", p->cells[c].id);
        line(sb, 3, "</target>");
        line(sb, 2, "</controller>");
    }
    /* root ports in index order: by cell, then device order (as layout_build numbered them) */
    for (size_t c = 0; c < p->n_cells; c++)
        for (size_t i = 0; i < l->n_devs; i++) {
            const dev *d = &l->devs[i];
            if (d->cell != (int)c)
                continue;
            line(sb, 2, "<controller type='pci' index='%d' model='pcie-root-port'>", d->port);
            line(sb, 3,
                 "<address type='pci' domain='0x0000' bus='0x%02zx' slot='0x%02x' "
                 "function='0x%x'%s/>",
                 c + 1, d->slot, d->function, d->multifunction ? " multifunction='on'" : "");
            line(sb, 2, "</controller>");
        }
}

static void
write_gpu(gv_strbuf *sb, const gv_placement *p, const dev *d)
{
    char uuid[37];

    if (d->form == FORM_PCI) {
        line(sb, 2, "<hostdev mode='subsystem' type='pci' managed='yes'>");
        line(sb, 3, "<driver name='vfio'/>");
        line(sb, 3, "<source>");
        pci_address(sb, 4, d->pci, false);
        line(sb, 3, "</source>");
    } else {
        mdev_uuid(uuid, p, &p->gpus[d->index]);
        line(sb, 2, "<hostdev mode='subsystem' type='mdev' model='vfio-pci' display='off'>");
        line(sb, 3, "<source>");
        line(sb, 4, "<address uuid='%s'/>", uuid);
        line(sb, 3, "</source>");
    }
    guest_address(sb, 3, d);
    line(sb, 2, "</hostdev>");
}

static void
write_vf(gv_strbuf *sb, const dev *d)
{
    line(sb, 2, "<interface type='hostdev' managed='yes'>");
    line(sb, 3, "<driver name='vfio'/>");
    line(sb, 3, "<source>");
    pci_address(sb, 4, d->pci, true);
    line(sb, 3, "</source>");
    guest_address(sb, 3, d);
    line(sb, 2, "</interface>");
}

static void
write_scratch(gv_strbuf *sb, const gv_placement *p, const dev *d)
{
    GV_AUTOFREE char *path = NULL;
    GV_AUTOFREE char *epath = NULL;

    if (p->scratch.name[0])
        path = gv_asprintf("/dev/%s", p->scratch.name);
    else
        path = gv_asprintf("/dev/disk/by-path/pci-%s-nvme-1", p->scratch.pci);
    epath = esc(path);
    line(sb, 2, "<disk type='block' device='disk'>");
    line(sb, 3, "<driver name='qemu' type='raw' cache='none' io='native'/>");
    line(sb, 3, "<source dev='%s'/>", epath);
    line(sb, 3, "<target dev='vdb' bus='virtio'/>");
    guest_address(sb, 3, d);
    line(sb, 2, "</disk>");
}

static void
write_devices(gv_strbuf *sb, const gv_placement *p, const layout *l)
{
    line(sb, 1, "<devices>");
    write_controllers(sb, p, l);
    for (size_t i = 0; i < l->n_devs; i++) {
        const dev *d = &l->devs[i];
        switch (d->kind) {
        case DEV_GPU:
            write_gpu(sb, p, d);
            break;
        case DEV_VF:
            write_vf(sb, d);
            break;
        case DEV_SCRATCH:
            write_scratch(sb, p, d);
            break;
        }
    }
    if (!p->n_vfs) {
        int queues = p->request.vcpus < MAX_VIRTIO_QUEUES ? p->request.vcpus : MAX_VIRTIO_QUEUES;
        line(sb, 2, "<interface type='network'>");
        line(sb, 3, "<source network='default'/>");
        line(sb, 3, "<model type='virtio'/>");
        line(sb, 3, "<driver name='vhost' queues='%d'/>", queues > 0 ? queues : 1);
        line(sb, 2, "</interface>");
    }
    line(sb, 2, "<memballoon model='none'/>");
    if (p->request.vcpus > MAX_VCPUS_WITHOUT_EIM) {
        line(sb, 2, "<iommu model='intel'>");
        line(sb, 3, "<driver intremap='on' caching_mode='on' eim='on'/>");
        line(sb, 2, "</iommu>");
    }
    line(sb, 1, "</devices>");
}

char *
gv_placement_to_libvirt_xml(const gv_placement *p, const gv_host *h, unsigned flags)
{
    GV_AUTOFREE layout *l = GV_NEW0(layout);
    GV_AUTOFREE char *name = esc(p->vm);
    gv_strbuf sb = {0};
    char uuid[37];

    if (p->n_cells > GV_PLACE_MAX_CELLS || !layout_build(p, flags, l))
        return NULL;
    name_uuid(uuid, "gpuvm-domain", p->vm, (char *)NULL);

    line(&sb, 0, "<domain type='kvm'>");
    line(&sb, 1, "<name>%s</name>", name);
    line(&sb, 1, "<uuid>%s</uuid>", uuid);
    write_metadata(&sb, p, l);
    line(&sb, 1, "<memory unit='MiB'>%lld</memory>", (long long)p->request.memory_mib);
    if (p->request.hugepages != GV_HUGEPAGES_NONE) {
        line(&sb, 1, "<memoryBacking>");
        line(&sb, 2, "<hugepages>");
        if (p->request.hugepages == GV_HUGEPAGES_1G)
            line(&sb, 3, "<page size='1' unit='G'/>");
        else
            line(&sb, 3, "<page size='2' unit='M'/>");
        line(&sb, 2, "</hugepages>");
        line(&sb, 1, "</memoryBacking>");
    }
    line(&sb, 1, "<vcpu placement='static'>%d</vcpu>", p->request.vcpus);
    write_cputune(&sb, p);
    write_numatune(&sb, p);
    line(&sb, 1, "<os>");
    line(&sb, 2, "<type arch='x86_64' machine='q35'>hvm</type>");
    line(&sb, 1, "</os>");
    line(&sb, 1, "<features>");
    line(&sb, 2, "<acpi/>");
    line(&sb, 2, "<apic/>");
    if (p->request.vcpus > MAX_VCPUS_WITHOUT_EIM)
        line(&sb, 2, "<ioapic driver='qemu'/>");
    line(&sb, 1, "</features>");
    write_cpu(&sb, p, h);
    write_devices(&sb, p, l);
    line(&sb, 0, "</domain>");
    return gv_strbuf_steal(&sb);
}
