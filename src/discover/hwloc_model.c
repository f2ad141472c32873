/*
 * hwloc_model.c - turn a loaded hwloc topology into a gv_host: NUMA nodes with their cores,
 * packages, the PCIe tree of host bridges, root ports and switches, GPUs, NICs, NVMe drives and
 * NVLink links. Shared by the three hwloc loaders (XML buffer, this host, a /sys + /proc copy).
 *
 * Design notes
 *
 * Definitions
 *   owner      of a PU: the NUMA node it belongs to. In hwloc 2 a memory-only NUMA node carries the
 *              cpuset of the object it is attached to, so several nodes may contain one PU (DDR
 *              node 0 and HBM node 8 on Xeon Max; node 0 and GPU-memory nodes 253-255 on AC922).
 *              The owner is the containing node that has, in this order of preference, no
 *              memory-tier subtype (GPUMemory, HBM, NVM, ...; "DRAM" counts as none), the smallest
 *              cpuset (a node attached to the Machine loses to one attached to a package), the
 *              smallest OS index (Linux numbers CPU-less nodes after the CPU nodes). A node that
 *              owns no PU is memory-only: it has no cores.
 *   locality   of an I/O object: the nodeset of hwloc_get_non_io_ancestor_obj(). The object's NUMA
 *              id is the one NUMA node of that nodeset; when the nodeset holds several, the one
 *              of them that owns PUs (memory-only nodes sit beside the CPU node of the same
 *              locality: README "N0 (+HBM N8)"); otherwise GV_NUMA_UNKNOWN (several CPU nodes:
 *              the device hangs off the Machine and hwloc does not know). Never a guess.
 *
 * Mapping
 *   NUMANode     gv_numa: id = os_index; memory = local_memory in MiB (floor); hugepages = the
 *                counts of the 2 MiB and 1 GiB page_types, GV_UNKNOWN for a size hwloc does not
 *                list. hwloc cannot tell "no memory" from "unknown": 0 stays 0.
 *   Core + PUs   a gv_core of its PUs' OS indices, on the owner of its first PU. A PU without a
 *                Core ancestor is a core by itself.
 *   Package      gv_package: id = os_index (the logical index when hwloc has none); numa = the
 *                NUMA nodes of its nodeset, memory-only ones included (the only place the model
 *                records where such a node sits).
 *   Bridge       host bridge: pcie node "hbN", N counting host bridges in depth-first tree order
 *                (normal children before I/O children, as hwloc_get_next_child lists them).
 *                PCI-PCI bridge: below a host bridge, a root port named by its bus id. Below a
 *                root port, bridges alternate: an upstream port is a switch node named by its bus
 *                id; its downstream ports get no node, and what hangs below them belongs to the
 *                switch. HB > RP > US > DS > US > DS > GPU thus reads hb0 > rp > sw > sw > GPU,
 *                so that two functions "under one switch" share a parent (nvidia-smi's PIX).
 *                A PCI-PCI bridge with no host bridge above it (hand-written XML) is a root port
 *                without parent.
 *   PCIDev       by gv_pci_role_of(class, vendor, device): GPU, NIC, NVMe or nothing (BMC and
 *                on-board displays such as the ATI ES1000 are nothing). numa = locality;
 *                pcie_parent = the enclosing pcie node, -1 outside any. GPU model "unknown" (the
 *                catalog resolves it). NIC name: the first Network or OpenFabrics OS device below
 *                the function. SR-IOV VFs are PCI functions like any other and become NICs of
 *                their own; a PF's sriov_vfs comes from sysfs sriov_totalvfs when a /sys is at
 *                hand (hwloc records no VF count), else 0; link speed stays unknown. NVMe: name
 *                and capacity from the first Block OS device and its "Size" info (KiB, floor to
 *                GiB); other namespaces of the same controller are not added up.
 *   NVLinkBandwidth (see nvlink_import) GPU-GPU and GPU-fabric gv_links.
 *
 * Invariants of the walk
 *   1. All NUMA nodes are known before cores, packages or devices refer to them, and every PU
 *      is placed before localities are computed (they ask which nodes own PUs).
 *   2. A pcie node is added before anything that names it as parent.
 *   3. The host is sorted and checked before the caller sees it; on failure it is freed.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hwloc.h>

#include "gpuvm/discover.h"
#include "hwloc_model.h"
#include "util/cpulist.h"
#include "util/file.h"

#define MIB (1024ull * 1024ull)
#define KIB_PER_GIB (1024ull * 1024ull)
#define PAGE_2M (2ull * 1024 * 1024)
#define PAGE_1G (1024ull * 1024 * 1024)
#define NVLINK_BW_V1 20000            /* MB/s per link, as hwloc's NVML back-end counts NVLink 1 */
#define NVLINK_BW_V2 25000            /* ... NVLink 2 and later */
#define PCI_CLASS_BRIDGE_OTHER 0x0680 /* NVSwitch */
#define PCI_VENDOR_NVIDIA 0x10de

typedef struct conv {
    hwloc_topology_t topo;
    const char *source;
    const char *sysfs_root; /* NULL: no /sys to read */
    gv_host *h;
    hwloc_obj_t *numa_objs; /* parallel to h->numa while building (the host is sorted last) */
    bool *numa_owns_pus;
    hwloc_obj_t *gpu_objs; /* parallel to h->gpus */
    int n_hostbridges;
    gv_err *err;
} conv;

typedef enum next_bridge {
    NEXT_NONE,       /* outside any host bridge */
    NEXT_ROOTPORT,   /* directly below a host bridge */
    NEXT_UPSTREAM,   /* below a root port or a downstream port: a switch's upstream port */
    NEXT_DOWNSTREAM, /* below an upstream port */
} next_bridge;

typedef struct walk_state {
    int parent; /* pcie node that devices met here hang from, -1 when none */
    next_bridge next;
} walk_state;

static void
conv_clear(conv *c)
{
    free(c->numa_objs);
    free(c->numa_owns_pus);
    free(c->gpu_objs);
}

/*
 * hwloc loads its plugins when the first topology of the process is created and unloads them
 * when the last one is destroyed. Its libxml2 plugin installs a process-wide libxml2 error
 * handler (xmlSetGenericErrorFunc) that points into the plugin; once the plugin is unloaded, the
 * next libxml2 error that reaches that handler, in any libxml2 user of the process, jumps to
 * unmapped memory (fuzzing found it: load a v1 file, then parse one with encoding="UTF-7").
 * One topology that is created once and never loaded nor destroyed keeps the plugins, and that
 * handler, mapped for the life of the process; it also spares each load the dlopen of every
 * plugin.
 */
static hwloc_topology_t plugin_keeper;
static pthread_once_t plugin_keeper_once = PTHREAD_ONCE_INIT;

static void
plugin_keeper_init(void)
{
    if (hwloc_topology_init(&plugin_keeper) < 0)
        gv_oom();
}

gv_hwloc_topo *
gv_hwloc_topo_new(void)
{
    hwloc_topology_t t = NULL;

    pthread_once(&plugin_keeper_once, plugin_keeper_init);
    /* hwloc_topology_init fails only when it cannot allocate. */
    if (hwloc_topology_init(&t) < 0)
        gv_oom();
    /* Without this hwloc drops every PCI and OS device (README: the DGX-2 loads 0 PCIDev). */
    hwloc_topology_set_io_types_filter(t, HWLOC_TYPE_FILTER_KEEP_ALL);
    hwloc_topology_set_flags(t, HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED);
    return t;
}

/* "dddd:bb:dd.f" of a PCI function or of a PCI bridge's upstream side. */
static int
pci_name(conv *c, const struct hwloc_pcidev_attr_s *a, const char *what, char ret[GV_PCI_ADDR_LEN])
{
    char raw[64];

    snprintf(raw, sizeof(raw), "%04x:%02x:%02x.%x", (unsigned)a->domain, (unsigned)a->bus,
             (unsigned)a->dev, (unsigned)a->func);
    if (gv_pci_addr_normalize(raw, ret, NULL) < 0) {
        GV_AUTOFREE char *where = gv_asprintf("%s: <%s %s>", c->source, what, raw);
        return gv_err_set(c->err, GV_E_INVAL, where, "not a valid PCI address");
    }
    return 0;
}

/* ---- NUMA nodes, cores, packages ---------------------------------------------------------- */

static int
add_numa_nodes(conv *c)
{
    hwloc_obj_t o = NULL;

    while ((o = hwloc_get_next_obj_by_type(c->topo, HWLOC_OBJ_NUMANODE, o))) {
        gv_numa *n;
        size_t i = c->h->n_numa;

        if (o->os_index == HWLOC_UNKNOWN_INDEX || o->os_index > GV_CPULIST_MAX_ID) {
            GV_AUTOFREE char *where =
                gv_asprintf("%s: <NUMANode L#%u>", c->source, o->logical_index);
            return gv_err_set(c->err, GV_E_LIMIT, where, "OS index missing or above %d",
                              GV_CPULIST_MAX_ID);
        }
        n = gv_host_add_numa(c->h, (int)o->os_index);
        n->memory_mib = o->attr ? (int64_t)(o->attr->numanode.local_memory / MIB) : 0;
        for (unsigned k = 0; o->attr && k < o->attr->numanode.page_types_len; k++) {
            const struct hwloc_memory_page_type_s *pt = &o->attr->numanode.page_types[k];
            int64_t count = pt->count > INT64_MAX ? INT64_MAX : (int64_t)pt->count;
            if (pt->size == PAGE_2M)
                n->hugepages_2m = count;
            else if (pt->size == PAGE_1G)
                n->hugepages_1g = count;
        }
        c->numa_objs = gv_reallocarray(c->numa_objs, i + 1, sizeof(*c->numa_objs));
        c->numa_owns_pus = gv_reallocarray(c->numa_owns_pus, i + 1, sizeof(bool));
        c->numa_objs[i] = o;
        c->numa_owns_pus[i] = false;
    }
    if (c->h->n_numa == 0)
        return gv_err_set(c->err, GV_E_INVAL, c->source, "the topology has no NUMA node");
    return 0;
}

/* A memory-tier subtype other than plain DRAM (GPUMemory, HBM, NVM, SPM, CXL-DRAM...). */
static bool
numa_is_special_tier(hwloc_obj_t o)
{
    return o->subtype && o->subtype[0] && strcmp(o->subtype, "DRAM") != 0;
}

/* Index in c->h->numa of the owner of PU @os_index (see Definitions), or -1. */
static int
pu_owner(const conv *c, unsigned os_index)
{
    int best = -1;

    for (size_t i = 0; i < c->h->n_numa; i++) {
        hwloc_obj_t o = c->numa_objs[i], b;
        if (!o->cpuset || !hwloc_bitmap_isset(o->cpuset, os_index))
            continue;
        if (best < 0) {
            best = (int)i;
            continue;
        }
        b = c->numa_objs[best];
        if (numa_is_special_tier(o) != numa_is_special_tier(b)) {
            if (!numa_is_special_tier(o))
                best = (int)i;
            continue;
        }
        int wo = hwloc_bitmap_weight(o->cpuset), wb = hwloc_bitmap_weight(b->cpuset);
        /* weight -1 is an infinite set: the largest */
        if (wo != wb) {
            if (wb < 0 || (wo >= 0 && wo < wb))
                best = (int)i;
            continue;
        }
        if (o->os_index < b->os_index)
            best = (int)i;
    }
    return best;
}

static int
pu_check(conv *c, hwloc_obj_t pu)
{
    if (pu->os_index == HWLOC_UNKNOWN_INDEX || pu->os_index > GV_CPULIST_MAX_ID) {
        GV_AUTOFREE char *where = gv_asprintf("%s: <PU L#%u>", c->source, pu->logical_index);
        return gv_err_set(c->err, GV_E_LIMIT, where, "OS index missing or above %d",
                          GV_CPULIST_MAX_ID);
    }
    return 0;
}

/* Put one core (its PUs' OS indices) on the NUMA node that owns its first PU. */
static int
place_core(conv *c, const int *threads, int n, const char *what)
{
    int owner = pu_owner(c, (unsigned)threads[0]);

    if (n > GV_MAX_THREADS_PER_CORE) {
        GV_AUTOFREE char *where = gv_asprintf("%s: <%s>", c->source, what);
        return gv_err_set(c->err, GV_E_LIMIT, where, "%d hardware threads, at most %d supported", n,
                          GV_MAX_THREADS_PER_CORE);
    }
    if (owner < 0) {
        GV_AUTOFREE char *where = gv_asprintf("%s: <PU P#%d>", c->source, threads[0]);
        return gv_err_set(c->err, GV_E_INVAL, where, "the PU is in no NUMA node's cpuset");
    }
    gv_numa_add_core(&c->h->numa[owner], threads, n);
    c->numa_owns_pus[owner] = true;
    return 0;
}

static int
add_cores(conv *c)
{
    hwloc_obj_t core = NULL, pu = NULL;
    int r;

    while ((core = hwloc_get_next_obj_by_type(c->topo, HWLOC_OBJ_CORE, core))) {
        int threads[GV_MAX_THREADS_PER_CORE + 1];
        int n = 0;
        hwloc_obj_t p = NULL;
        char what[64];

        if (!core->cpuset)
            continue;
        while ((
            p = hwloc_get_next_obj_inside_cpuset_by_type(c->topo, core->cpuset, HWLOC_OBJ_PU, p))) {
            if (hwloc_get_ancestor_obj_by_type(c->topo, HWLOC_OBJ_CORE, p) != core)
                continue;
            if ((r = pu_check(c, p)) < 0)
                return r;
            if (n <= GV_MAX_THREADS_PER_CORE)
                threads[n] = (int)p->os_index;
            n++;
        }
        if (n == 0)
            continue; /* a core whose PUs are all gone (disallowed, or cut from the file) */
        snprintf(what, sizeof(what), "Core L#%u", core->logical_index);
        if ((r = place_core(c, threads, n, what)) < 0)
            return r;
    }
    while ((pu = hwloc_get_next_obj_by_type(c->topo, HWLOC_OBJ_PU, pu))) {
        int t;
        if (hwloc_get_ancestor_obj_by_type(c->topo, HWLOC_OBJ_CORE, pu))
            continue;
        if ((r = pu_check(c, pu)) < 0)
            return r;
        t = (int)pu->os_index;
        if ((r = place_core(c, &t, 1, "PU")) < 0)
            return r;
    }
    return 0;
}

static void
add_packages(conv *c)
{
    hwloc_obj_t o = NULL;

    while ((o = hwloc_get_next_obj_by_type(c->topo, HWLOC_OBJ_PACKAGE, o))) {
        unsigned id = o->os_index != HWLOC_UNKNOWN_INDEX && o->os_index <= INT_MAX
                          ? o->os_index
                          : o->logical_index;
        gv_package *p = gv_host_add_package(c->h, (int)id);

        for (size_t i = 0; o->nodeset && i < c->h->n_numa; i++)
            if (hwloc_bitmap_isset(o->nodeset, (unsigned)c->h->numa[i].id))
                *GV_ARRAY_APPEND(p->numa, p->n_numa) = c->h->numa[i].id;
    }
}

/* ---- PCIe tree and devices ---------------------------------------------------------------- */

/* NUMA id of I/O object @o (see Definitions: locality). */
static int
io_numa(const conv *c, hwloc_obj_t o)
{
    hwloc_obj_t anc = hwloc_get_non_io_ancestor_obj(c->topo, o);
    int n_all = 0, n_cpu = 0, id_all = GV_NUMA_UNKNOWN, id_cpu = GV_NUMA_UNKNOWN;

    if (!anc || !anc->nodeset)
        return GV_NUMA_UNKNOWN;
    for (size_t i = 0; i < c->h->n_numa; i++) {
        if (!hwloc_bitmap_isset(anc->nodeset, (unsigned)c->h->numa[i].id))
            continue;
        n_all++;
        id_all = c->h->numa[i].id;
        if (c->numa_owns_pus[i]) {
            n_cpu++;
            id_cpu = c->h->numa[i].id;
        }
    }
    if (n_all == 1)
        return id_all;
    if (n_cpu == 1)
        return id_cpu;
    return GV_NUMA_UNKNOWN;
}

/* The first OS device of one of @types below PCI function @o, or NULL. */
static hwloc_obj_t
first_osdev(hwloc_obj_t o, const hwloc_obj_osdev_type_t *types, size_t n_types)
{
    for (hwloc_obj_t k = o->io_first_child; k; k = k->next_sibling) {
        if (k->type != HWLOC_OBJ_OS_DEVICE || !k->name)
            continue;
        for (size_t i = 0; i < n_types; i++)
            if (k->attr->osdev.type == types[i])
                return k;
    }
    return NULL;
}

/* sriov_totalvfs of @pci under the /sys of @c, 0 when there is none or no /sys. */
static int
sysfs_total_vfs(const conv *c, const char *pci)
{
    GV_AUTOFREE char *path = NULL;
    GV_AUTOFREE char *text = NULL;
    size_t len = 0;
    char *end;
    long v;

    if (!c->sysfs_root)
        return 0;
    path = gv_asprintf("%s/sys/bus/pci/devices/%s/sriov_totalvfs", c->sysfs_root, pci);
    if (gv_file_read(path, 64, &text, &len, NULL) < 0)
        return 0;
    v = strtol(text, &end, 10);
    if (end == text || v < 0 || v > 65535)
        return 0;
    return (int)v;
}

static int
add_device(conv *c, hwloc_obj_t o, int parent)
{
    static const hwloc_obj_osdev_type_t net_types[] = {HWLOC_OBJ_OSDEV_NETWORK,
                                                       HWLOC_OBJ_OSDEV_OPENFABRICS};
    static const hwloc_obj_osdev_type_t block_types[] = {HWLOC_OBJ_OSDEV_BLOCK};
    const struct hwloc_pcidev_attr_s *a = &o->attr->pcidev;
    char pci[GV_PCI_ADDR_LEN];
    hwloc_obj_t os;
    int r;

    switch (gv_pci_role_of(a->class_id, a->vendor_id, a->device_id)) {
    case GV_PCI_ROLE_GPU: {
        if ((r = pci_name(c, a, "PCIDev", pci)) < 0)
            return r;
        size_t i = c->h->n_gpus;
        gv_gpu *g = gv_host_add_gpu(c->h);
        memcpy(g->pci, pci, sizeof(g->pci));
        g->vendor_id = a->vendor_id;
        g->device_id = a->device_id;
        g->numa = io_numa(c, o);
        g->pcie_parent = parent;
        c->gpu_objs = gv_reallocarray(c->gpu_objs, i + 1, sizeof(*c->gpu_objs));
        c->gpu_objs[i] = o;
        break;
    }
    case GV_PCI_ROLE_NIC: {
        if ((r = pci_name(c, a, "PCIDev", pci)) < 0)
            return r;
        gv_nic *n = gv_host_add_nic(c->h);
        memcpy(n->pci, pci, sizeof(n->pci));
        n->vendor_id = a->vendor_id;
        n->device_id = a->device_id;
        n->numa = io_numa(c, o);
        n->pcie_parent = parent;
        if ((os = first_osdev(o, net_types, GV_N_ELEMENTS(net_types))))
            snprintf(n->name, sizeof(n->name), "%s", os->name);
        n->sriov_vfs = sysfs_total_vfs(c, pci);
        break;
    }
    case GV_PCI_ROLE_NVME: {
        if ((r = pci_name(c, a, "PCIDev", pci)) < 0)
            return r;
        gv_nvme *d = gv_host_add_nvme(c->h);
        memcpy(d->pci, pci, sizeof(d->pci));
        d->vendor_id = a->vendor_id;
        d->device_id = a->device_id;
        d->numa = io_numa(c, o);
        d->pcie_parent = parent;
        if ((os = first_osdev(o, block_types, GV_N_ELEMENTS(block_types)))) {
            const char *size = hwloc_obj_get_info_by_name(os, "Size");
            char *end;
            unsigned long long kib;

            snprintf(d->name, sizeof(d->name), "%s", os->name);
            errno = 0;
            kib = size ? strtoull(size, &end, 10) : 0;
            if (size && end != size && *end == '\0' && errno == 0)
                d->capacity_gib = (int64_t)(kib / KIB_PER_GIB);
        }
        break;
    }
    case GV_PCI_ROLE_OTHER:
        break;
    }
    return 0;
}

static int
walk(conv *c, hwloc_obj_t o, walk_state st, unsigned depth)
{
    walk_state below = {.parent = -1, .next = NEXT_NONE};
    char name[GV_PCI_ADDR_LEN + 8];
    int r;

    /* libxml2 refuses documents nested deeper than 256; a live tree is far shallower */
    if (depth > 1024)
        return gv_err_set(c->err, GV_E_LIMIT, c->source, "topology nested deeper than 1024");
    if (o->type == HWLOC_OBJ_BRIDGE && o->attr->bridge.upstream_type == HWLOC_OBJ_BRIDGE_HOST) {
        snprintf(name, sizeof(name), "hb%d", c->n_hostbridges++);
        below.parent = gv_host_add_pcie(c->h, name, GV_PCIE_HOSTBRIDGE, -1, io_numa(c, o));
        below.next = NEXT_ROOTPORT;
    } else if (o->type == HWLOC_OBJ_BRIDGE) {
        if ((r = pci_name(c, &o->attr->bridge.upstream.pci, "PCIBridge", name)) < 0)
            return r;
        switch (st.next) {
        case NEXT_NONE:
        case NEXT_ROOTPORT:
            below.parent = gv_host_add_pcie(c->h, name, GV_PCIE_ROOTPORT, st.parent, io_numa(c, o));
            below.next = NEXT_UPSTREAM;
            break;
        case NEXT_UPSTREAM:
            below.parent = gv_host_add_pcie(c->h, name, GV_PCIE_SWITCH, st.parent, io_numa(c, o));
            below.next = NEXT_DOWNSTREAM;
            break;
        case NEXT_DOWNSTREAM:
            below.parent = st.parent;
            below.next = NEXT_UPSTREAM;
            break;
        }
    } else if (o->type == HWLOC_OBJ_PCI_DEVICE) {
        if ((r = add_device(c, o, st.parent)) < 0)
            return r;
        return 0; /* below a function there are only OS devices, read by add_device */
    } else if (o->type == HWLOC_OBJ_OS_DEVICE || o->type == HWLOC_OBJ_MISC) {
        return 0;
    }
    for (hwloc_obj_t k = hwloc_get_next_child(c->topo, o, NULL); k;
         k = hwloc_get_next_child(c->topo, o, k))
        if ((r = walk(c, k, below, depth + 1)) < 0)
            return r;
    return 0;
}

/* ---- NVLink ----------------------------------------------------------------------------- */

/* Index in h->gpus of the GPU that distance object @o stands for, or -1. */
static int
nvlink_gpu_of(const conv *c, hwloc_obj_t o)
{
    while (o && o->type == HWLOC_OBJ_OS_DEVICE)
        o = o->parent;
    if (!o || o->type != HWLOC_OBJ_PCI_DEVICE)
        return -1;
    for (size_t i = 0; i < c->h->n_gpus; i++)
        if (c->gpu_objs[i] == o)
            return (int)i;
    return -1;
}

static bool
nvlink_is_switch(hwloc_obj_t o)
{
    if (!o || o->type != HWLOC_OBJ_PCI_DEVICE)
        return false;
    if (o->subtype && !strcmp(o->subtype, "NVSwitch"))
        return true;
    return o->attr->pcidev.vendor_id == PCI_VENDOR_NVIDIA &&
           o->attr->pcidev.class_id == PCI_CLASS_BRIDGE_OTHER;
}

/*
 * NVLinkBandwidth, as hwloc's NVML back-end writes it (distances2hetero, MB/s summed over the
 * links of each pair), between GPUs (NVML OS devices, or their PCI functions), NVSwitch PCI
 * functions and CPU packages:
 *   - a GPU-GPU entry is a GPU-GPU link (the larger of the two directions);
 *   - a GPU's entries towards NVSwitches together are one fabric link (b = -1), as on DGX-2
 *     (16 GPUs x 6 switches x 1 link);
 *   - GPU-CPU entries (POWER8/9) are dropped: the model has no GPU-CPU link, and counting them
 *     as a fabric would put all GPUs of the host into one island;
 *   - count = bandwidth / per-link rate, the rate being whichever of hwloc's NVLink 1 (20000)
 *     and NVLink 2+ (25000) rates divides every non-zero GPU entry (POWER8 P100: 40000 = 2 x
 *     NVLink 1); when neither or both do, count = 0 (unknown).
 * Several matrices of that name merge by taking the larger value.
 */
static void
nvlink_import(conv *c)
{
    size_t ng = c->h->n_gpus;
    unsigned nr = 0;
    struct hwloc_distances_s **d = NULL;
    GV_AUTOFREE uint64_t *gg = NULL;  /* ng x ng */
    GV_AUTOFREE uint64_t *fab = NULL; /* ng: sum over switches */
    bool can_v1 = true, can_v2 = true, any = false;
    uint64_t rate = 0;

    if (ng == 0 || hwloc_distances_get_by_name(c->topo, "NVLinkBandwidth", &nr, NULL, 0) < 0 ||
        nr == 0)
        return;
    d = gv_calloc(nr, sizeof(*d));
    if (hwloc_distances_get_by_name(c->topo, "NVLinkBandwidth", &nr, d, 0) < 0) {
        free(d);
        return;
    }
    gg = gv_calloc(ng * ng, sizeof(*gg));
    fab = gv_calloc(ng, sizeof(*fab));
    for (unsigned m = 0; m < nr; m++) {
        unsigned n = d[m]->nbobjs;
        GV_AUTOFREE int *gpu = gv_calloc(n ? n : 1, sizeof(int));
        GV_AUTOFREE uint64_t *tosw = gv_calloc((size_t)ng * (n ? n : 1), sizeof(uint64_t));

        for (unsigned i = 0; i < n; i++)
            gpu[i] = nvlink_gpu_of(c, d[m]->objs[i]);
        for (unsigned i = 0; i < n; i++) {
            if (gpu[i] < 0)
                continue;
            for (unsigned j = 0; j < n; j++) {
                uint64_t v = d[m]->values[(size_t)i * n + j];
                uint64_t w = d[m]->values[(size_t)j * n + i];
                uint64_t *slot = NULL;
                if (w > v)
                    v = w;
                if (i == j || v == 0)
                    continue;
                if (gpu[j] >= 0 && gpu[j] != gpu[i])
                    slot = &gg[(size_t)gpu[i] * ng + (size_t)gpu[j]];
                else if (gpu[j] < 0 && nvlink_is_switch(d[m]->objs[j]))
                    slot = &tosw[(size_t)gpu[i] * n + j];
                if (!slot)
                    continue;
                if (v > *slot)
                    *slot = v;
                can_v1 &= v % NVLINK_BW_V1 == 0;
                can_v2 &= v % NVLINK_BW_V2 == 0;
                any = true;
            }
        }
        for (size_t g = 0; g < ng; g++)
            for (unsigned j = 0; j < n; j++)
                fab[g] += tosw[g * n + j];
        hwloc_distances_release(c->topo, d[m]);
    }
    free(d);
    if (!any)
        return;
    if (can_v1 != can_v2)
        rate = can_v1 ? NVLINK_BW_V1 : NVLINK_BW_V2;
    for (size_t a = 0; a < ng; a++) {
        if (fab[a])
            gv_host_add_link(c->h, GV_LINK_NVLINK, (int)a, -1, rate ? (int)(fab[a] / rate) : 0);
        for (size_t b = a + 1; b < ng; b++) {
            uint64_t v = gg[a * ng + b] > gg[b * ng + a] ? gg[a * ng + b] : gg[b * ng + a];
            if (v)
                gv_host_add_link(c->h, GV_LINK_NVLINK, (int)a, (int)b, rate ? (int)(v / rate) : 0);
        }
    }
}

/* ---- entry ------------------------------------------------------------------------------- */

int
gv_hwloc_topo_to_host(gv_hwloc_topo *topo, const char *source, const char *sysfs_root,
                      gv_host **ret, gv_err *err)
{
    hwloc_obj_t root = hwloc_get_root_obj(topo);
    const char *hostname = root ? hwloc_obj_get_info_by_name(root, "HostName") : NULL;
    GV_AUTOPTR(gv_host) h = gv_host_new(hostname ? hostname : "");
    conv c = {
        .topo = topo,
        .source = source,
        .sysfs_root = sysfs_root,
        .h = h,
        .err = err,
    };
    bool fresh = !err || err->code == 0;
    int r;

    if (!root)
        return gv_err_set(err, GV_E_INVAL, source, "hwloc loaded an empty topology");
    if ((r = add_numa_nodes(&c)) < 0 || (r = add_cores(&c)) < 0)
        goto out;
    add_packages(&c);
    if ((r = walk(&c, root, (walk_state){.parent = -1, .next = NEXT_NONE}, 0)) < 0)
        goto out;
    nvlink_import(&c);
    gv_host_sort(h);
    if ((r = gv_host_check(h, err)) < 0) {
        if (fresh)
            gv_err_prefix(err, source);
        goto out;
    }
    *ret = GV_STEAL_PTR(h);
out:
    conv_clear(&c);
    return r;
}
