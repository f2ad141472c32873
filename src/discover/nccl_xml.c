/*
 * nccl_xml.c - load an NCCL/RCCL topology XML file (<system version=...>, as NCCL_TOPO_FILE reads
 * and NCCL_TOPO_DUMP_FILE writes) into a gv_host, through libxml2.
 *
 * Design notes
 *
 * Mapping (element -> model)
 *   <system version=V>        the host; name "" (the caller names it); no packages (not recorded).
 *                             V is not checked: what is read here is the same in versions 1 and 2.
 *   <cpu numaid=N affinity=M> NUMA node N with cpus = mask M, cores unknown (cores_known false,
 *                             no cores), memory and hugepages unknown; plus host bridge "hbN".
 *   <pci class=0x0604xx>      a PCIe switch named by its bus id, parent = the enclosing switch or
 *                             the cpu's host bridge. Fake switches (ffff:ff:0X.0, vendor 0xffff:
 *                             how Azure and AWS express locality) are switches like any other.
 *                             A <pci> with no class but <pci> children is a switch too. NCCL does
 *                             not tell root ports from switch ports, so neither do we: every
 *                             bridge is a switch, and distances count bridges as NCCL does.
 *   <pci> (other)             a GPU, NIC or NVMe by class (gv_pci_role_of); when the class is
 *                             missing or says nothing (OTHER), a <gpu> child makes it a GPU and a
 *                             <nic> child a NIC. Anything else (NVSwitch 0x0680, BMC display) is
 *                             remembered only as a link target. NUMA = the cpu's numaid.
 *   <nic><net name speed>     under a NIC <pci>: name and speed (Mb/s) from the first <net>.
 *   <gpu><nvlink|xgmi target count tclass>
 *                             target a GPU of the file: a GPU-GPU link (NVLINK or XGMI); target
 *                             class 0x068000 (NVSwitch) or target a <pci> of class 0x0680: a
 *                             fabric link (b = -1).
 *
 * What is skipped, on purpose
 *   - A <nic> with no <pci> of its own (ncv4's eth0, topo_4p1h_1's virbr0 directly under <cpu>):
 *     the model identifies every NIC by its PCI address, and a virtual or synthetic net device
 *     has none to pass through.
 *   - A link whose target is the GPU itself (ncv4 writes <nvlink target=self count=12>): the model
 *     forbids self links (topo.h invariant 5) and it says nothing about peers.
 *   - A link to a GPU that is not in the file (NCCL writes the peers NVML reports, also the ones
 *     hidden from it, and ignores them the same way), and a link to anything that is neither a
 *     GPU nor an NVSwitch, such as an NVLink to a POWER9 CPU (tclass 0x068001): the model has no
 *     GPU-CPU links.
 *   - Elements this loader does not know (newer NCCL versions add some) and their subtrees, and
 *     anything outside a <cpu>: NCCL places every device under the CPU it is local to.
 *
 * Links
 *   1. Each (GPU, kind, target) counts once: repeats keep the largest count.
 *   2. A->B and B->A are one link; its count is the larger of the two (they agree in real files).
 *   3. A GPU's fabric link counts the links into every NVSwitch together (6 switches x 2 = 12).
 *   4. A count that is absent is 0 (unknown), as gv_link says.
 *
 * Refusals
 *   - not well-formed XML: -GV_E_PARSE "source:line:col: reason", the first error libxml2 reports;
 *   - a DOCTYPE (no DTD is ever loaded and no entity is ever expanded), or a root other than
 *     <system>: -GV_E_UNSUPPORTED;
 *   - a bad attribute value: -GV_E_INVAL "source: <pci busid="zz">: busid: reason";
 *   - more than NCCL_MAX_ELEMENTS elements or nesting deeper than NCCL_MAX_DEPTH: -GV_E_LIMIT.
 *   Optional attributes written empty (NCCL writes link_speed="" when sysfs has nothing) count as
 *   absent; required ones (busid, numaid, target) must be valid.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "gpuvm/discover.h"
#include "util/cpulist.h"
#include "xml_read.h"

#define NCCL_MAX_DEPTH 64        /* real files nest 8 deep; deep PLX trees perhaps 12 */
#define NCCL_MAX_ELEMENTS 8192   /* the largest real file (16 GPUs) has about 200 */
#define NCCL_MAX_LINK_COUNT 1024 /* bonded links on one edge (NV18 is 18) */
#define NCCL_MAX_SPEED_MBPS 1000000000LL
#define NCCL_QUOTE_MAX 64 /* bytes of an input value repeated in an error */

#define NCCL_CLASS_BRIDGE_PCI 0x0604   /* PCI-to-PCI bridge: a switch port */
#define NCCL_CLASS_BRIDGE_OTHER 0x0680 /* NVSwitch */
#define NCCL_TCLASS_NVSWITCH 0x068000u
#define NCCL_TCLASS_CPU 0x068001u /* NCCL's marker for an NVLink to a POWER9 CPU */

/* Every <pci> seen, for duplicate addresses and for resolving link targets. */
typedef struct nccl_pci {
    char busid[GV_PCI_ADDR_LEN];
    unsigned class24;
} nccl_pci;

/* One <nvlink>/<xgmi> as read; resolved once every GPU of the file is known. */
typedef struct nccl_edge {
    int gpu; /* index in h->gpus, in reading order */
    gv_link_kind kind;
    char target[GV_PCI_ADDR_LEN];
    bool has_tclass;
    unsigned tclass;
    int count;
} nccl_edge;

typedef struct nccl_ctx {
    const char *source;
    gv_host *h;
    nccl_pci *pcis;
    size_t n_pcis;
    nccl_edge *edges;
    size_t n_edges;
    uint8_t cpu_taken[(GV_CPULIST_MAX_ID + 8) / 8]; /* CPUs already given to a NUMA node */
    gv_err *err;
} nccl_ctx;

static void
nccl_ctx_clear(nccl_ctx *c)
{
    free(c->pcis);
    free(c->edges);
}

static bool
is_element(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

/* Attribute @name of @n as an owned string, or NULL when absent. */
static char *
attr_get(const xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
    char *s;

    if (!v)
        return NULL;
    s = gv_strdup((const char *)v);
    xmlFree(v);
    return s;
}

/* An optional attribute: NULL when absent or empty. */
static char *
attr_get_opt(const xmlNode *n, const char *name)
{
    char *s = attr_get(n, name);

    if (s && !*s) {
        free(s);
        return NULL;
    }
    return s;
}

/* @s cut to NCCL_QUOTE_MAX bytes ("..." marks the cut), for repeating input in errors. */
static const char *
quote(const char *s, char buf[NCCL_QUOTE_MAX + 4])
{
    size_t n = strlen(s);

    if (n <= NCCL_QUOTE_MAX)
        return s;
    memcpy(buf, s, NCCL_QUOTE_MAX);
    memcpy(buf + NCCL_QUOTE_MAX, "...", 4);
    return buf;
}

/* "<pci busid="0000:01:00.0">": the element and its identifying attribute, for errors. */
static void
describe(const xmlNode *n, char *buf, size_t size)
{
    static const char *const keys[] = {"busid", "numaid", "target", "name"};
    char qn[NCCL_QUOTE_MAX + 4], qv[NCCL_QUOTE_MAX + 4];
    const char *name = quote((const char *)n->name, qn);

    for (size_t i = 0; i < GV_N_ELEMENTS(keys); i++) {
        GV_AUTOFREE char *v = attr_get(n, keys[i]);
        if (v) {
            snprintf(buf, size, "<%s %s=\"%s\">", name, keys[i], quote(v, qv));
            return;
        }
    }
    snprintf(buf, size, "<%s>", name);
}

/* Report a problem with attribute @attr of element @n: "source: <elem key=...>", "attr: ...". */
static int attr_error(nccl_ctx *c, const xmlNode *n, int code, const char *attr, const char *fmt,
                      ...) __attribute__((format(printf, 5, 6)));

static int
attr_error(nccl_ctx *c, const xmlNode *n, int code, const char *attr, const char *fmt, ...)
{
    char where[GV_ERR_WHERE_MAX], elem[2 * NCCL_QUOTE_MAX + 32], msg[GV_ERR_MSG_MAX];
    va_list ap;

    describe(n, elem, sizeof(elem));
    snprintf(where, sizeof(where), "%s: %s", c->source, elem);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return gv_err_set(c->err, code, where, "%s: %s", attr, msg);
}

/*
 * A strict unsigned number: decimal, or hexadecimal with an optional "0x" when @hex. No sign,
 * no blanks, no empty digits. Returns 0, or -1 when @s is not such a number or exceeds @max.
 */
static int
parse_uint(const char *s, bool hex, unsigned long long max, unsigned long long *ret)
{
    unsigned long long v = 0;
    const char *p = s;

    if (hex && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        p += 2;
    if (!*p)
        return -1;
    for (; *p; p++) {
        unsigned d;
        if (*p >= '0' && *p <= '9')
            d = (unsigned)(*p - '0');
        else if (hex && *p >= 'a' && *p <= 'f')
            d = (unsigned)(*p - 'a' + 10);
        else if (hex && *p >= 'A' && *p <= 'F')
            d = (unsigned)(*p - 'A' + 10);
        else
            return -1;
        if (v > (max - d) / (hex ? 16 : 10))
            return -1;
        v = v * (hex ? 16 : 10) + d;
    }
    *ret = v;
    return 0;
}

/* Optional hex attribute (class, vendor, device, tclass). Returns 1 when present, 0, or -err. */
static int
attr_hex(nccl_ctx *c, const xmlNode *n, const char *name, unsigned max, unsigned *ret)
{
    GV_AUTOFREE char *v = attr_get_opt(n, name);
    unsigned long long x;
    char q[NCCL_QUOTE_MAX + 4];

    if (!v)
        return 0;
    if (parse_uint(v, true, max, &x) < 0)
        return attr_error(c, n, GV_E_INVAL, name, "'%s' is not a hex number up to 0x%x",
                          quote(v, q), max);
    *ret = (unsigned)x;
    return 1;
}

/* A required PCI address attribute (busid, target), canonicalised. */
static int
attr_pci(nccl_ctx *c, const xmlNode *n, const char *name, char ret[GV_PCI_ADDR_LEN])
{
    GV_AUTOFREE char *v = attr_get(n, name);
    char q[NCCL_QUOTE_MAX + 4];

    if (!v)
        return attr_error(c, n, GV_E_INVAL, name, "missing");
    if (gv_pci_addr_normalize(v, ret, NULL) < 0)
        return attr_error(c, n, GV_E_INVAL, name, "'%s' is not a PCI address (dddd:bb:dd.f)",
                          quote(v, q));
    return 0;
}

/* ---- pass 1: shape bounds -------------------------------------------------------------------- */

/* Count elements and measure nesting without recursion, before anything recurses over them. */
static int
check_shape(nccl_ctx *c, xmlNode *root)
{
    size_t n = 0;
    int depth = 1;
    xmlNode *node = root;

    while (node) {
        if (node->type == XML_ELEMENT_NODE) {
            if (++n > NCCL_MAX_ELEMENTS)
                return gv_err_set(c->err, GV_E_LIMIT, c->source,
                                  "more than %d elements; no NCCL topology is that large",
                                  NCCL_MAX_ELEMENTS);
            if (depth > NCCL_MAX_DEPTH) {
                char elem[2 * NCCL_QUOTE_MAX + 32], where[GV_ERR_WHERE_MAX];
                describe(node, elem, sizeof(elem));
                snprintf(where, sizeof(where), "%s: %s", c->source, elem);
                return gv_err_set(c->err, GV_E_LIMIT, where, "elements nested more than %d deep",
                                  NCCL_MAX_DEPTH);
            }
            if (node->children) {
                node = node->children;
                depth++;
                continue;
            }
        }
        while (node != root && !node->next) {
            node = node->parent;
            depth--;
        }
        node = node == root ? NULL : node->next;
    }
    return 0;
}

/* ---- pass 2: elements to model -------------------------------------------------------------- */

static int
read_edge(nccl_ctx *c, const xmlNode *e, int gpu, gv_link_kind kind)
{
    nccl_edge edge = {.gpu = gpu, .kind = kind};
    GV_AUTOFREE char *count = attr_get_opt(e, "count");
    int r;

    if ((r = attr_pci(c, e, "target", edge.target)) < 0)
        return r;
    if ((r = attr_hex(c, e, "tclass", 0xffffff, &edge.tclass)) < 0)
        return r;
    edge.has_tclass = r > 0;
    if (count) {
        unsigned long long v;
        char q[NCCL_QUOTE_MAX + 4];
        if (parse_uint(count, false, NCCL_MAX_LINK_COUNT, &v) < 0)
            return attr_error(c, e, GV_E_INVAL, "count", "'%s' is not a link count (0-%d)",
                              quote(count, q), NCCL_MAX_LINK_COUNT);
        edge.count = (int)v;
    }
    *GV_ARRAY_APPEND(c->edges, c->n_edges) = edge;
    return 0;
}

static int
read_gpu(nccl_ctx *c, const char *busid, unsigned vendor, unsigned device, int numa, int parent,
         const xmlNode *gpu_el)
{
    gv_gpu *g = gv_host_add_gpu(c->h);
    int idx = (int)c->h->n_gpus - 1;
    int r;

    memcpy(g->pci, busid, GV_PCI_ADDR_LEN);
    g->vendor_id = (uint16_t)vendor;
    g->device_id = (uint16_t)device;
    g->numa = numa;
    g->pcie_parent = parent;
    if (!gpu_el)
        return 0;
    for (const xmlNode *e = gpu_el->children; e; e = e->next) {
        if (is_element(e, "nvlink"))
            r = read_edge(c, e, idx, GV_LINK_NVLINK);
        else if (is_element(e, "xgmi"))
            r = read_edge(c, e, idx, GV_LINK_XGMI);
        else
            r = 0;
        if (r < 0)
            return r;
    }
    return 0;
}

static int
read_nic(nccl_ctx *c, const char *busid, unsigned vendor, unsigned device, int numa, int parent,
         const xmlNode *nic_el)
{
    gv_nic *nic = gv_host_add_nic(c->h);
    const xmlNode *net = NULL;
    char q[NCCL_QUOTE_MAX + 4];

    memcpy(nic->pci, busid, GV_PCI_ADDR_LEN);
    nic->vendor_id = (uint16_t)vendor;
    nic->device_id = (uint16_t)device;
    nic->numa = numa;
    nic->pcie_parent = parent;
    for (const xmlNode *e = nic_el ? nic_el->children : NULL; e && !net; e = e->next)
        if (is_element(e, "net"))
            net = e;
    if (net) {
        GV_AUTOFREE char *name = attr_get_opt(net, "name");
        GV_AUTOFREE char *speed = attr_get_opt(net, "speed");

        if (name && strlen(name) >= sizeof(nic->name))
            return attr_error(c, net, GV_E_INVAL, "name", "longer than %zu bytes",
                              sizeof(nic->name) - 1);
        if (name)
            strcpy(nic->name, name);
        if (speed) {
            unsigned long long v;
            if (parse_uint(speed, false, NCCL_MAX_SPEED_MBPS, &v) < 0)
                return attr_error(c, net, GV_E_INVAL, "speed",
                                  "'%s' is not a speed in Mb/s (0-%lld)", quote(speed, q),
                                  NCCL_MAX_SPEED_MBPS);
            nic->speed_mbps = (int64_t)v;
        }
    }
    return 0;
}

static const xmlNode *
first_child(const xmlNode *n, const char *name)
{
    for (const xmlNode *e = n->children; e; e = e->next)
        if (is_element(e, name))
            return e;
    return NULL;
}

/* One <pci> under NUMA node @numa whose parent pcie node is @parent; recurses into switches. */
static int
read_pci(nccl_ctx *c, const xmlNode *pci, int numa, int parent)
{
    char busid[GV_PCI_ADDR_LEN];
    unsigned class24 = 0, vendor = 0, device = 0;
    bool has_class;
    const xmlNode *gpu_el = first_child(pci, "gpu");
    const xmlNode *nic_el = first_child(pci, "nic");
    gv_pci_role role;
    int r;

    if ((r = attr_pci(c, pci, "busid", busid)) < 0)
        return r;
    if ((r = attr_hex(c, pci, "class", 0xffffff, &class24)) < 0)
        return r;
    has_class = r > 0;
    if ((r = attr_hex(c, pci, "vendor", 0xffff, &vendor)) < 0 ||
        (r = attr_hex(c, pci, "device", 0xffff, &device)) < 0)
        return r;
    *GV_ARRAY_APPEND(c->pcis, c->n_pcis) = (nccl_pci){.class24 = class24};
    memcpy(c->pcis[c->n_pcis - 1].busid, busid, GV_PCI_ADDR_LEN);

    if ((has_class && class24 >> 8 == NCCL_CLASS_BRIDGE_PCI) ||
        (!has_class && first_child(pci, "pci"))) {
        int sw = gv_host_add_pcie(c->h, busid, GV_PCIE_SWITCH, parent, numa);
        for (const xmlNode *e = pci->children; e; e = e->next)
            if (is_element(e, "pci") && (r = read_pci(c, e, numa, sw)) < 0)
                return r;
        return 0;
    }

    /* A device. <pci> elements nested under a device are not PCIe topology: ignored. */
    role = has_class ? gv_pci_role_of(class24 >> 8, vendor, device) : GV_PCI_ROLE_OTHER;
    if (role == GV_PCI_ROLE_OTHER)
        role = gpu_el ? GV_PCI_ROLE_GPU : nic_el ? GV_PCI_ROLE_NIC : GV_PCI_ROLE_OTHER;
    switch (role) {
    case GV_PCI_ROLE_GPU:
        return read_gpu(c, busid, vendor, device, numa, parent, gpu_el);
    case GV_PCI_ROLE_NIC:
        return read_nic(c, busid, vendor, device, numa, parent, nic_el);
    case GV_PCI_ROLE_NVME: {
        gv_nvme *d = gv_host_add_nvme(c->h);
        memcpy(d->pci, busid, GV_PCI_ADDR_LEN);
        d->vendor_id = (uint16_t)vendor;
        d->device_id = (uint16_t)device;
        d->numa = numa;
        d->pcie_parent = parent;
        return 0;
    }
    case GV_PCI_ROLE_OTHER:
        break;
    }
    return 0;
}

/*
 * The highest CPU id a hex mask names, -1 when none or when the mask is malformed (the parser
 * says how). Lets a mask naming CPUs beyond the bound fail before tens of thousands of ids are
 * collected.
 */
static long
mask_top_id(const char *s)
{
    long top = -1;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2;
    for (; *s; s++) {
        int v;
        if (*s == ',')
            continue;
        if (*s >= '0' && *s <= '9')
            v = *s - '0';
        else if ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
            v = (*s | 0x20) - 'a' + 10;
        else
            return -1;
        if (top >= 0)
            top += 4;
        else if (v)
            top = v >= 8 ? 3 : v >= 4 ? 2 : v >= 2 ? 1 : 0;
        if (top > GV_CPULIST_MAX_ID)
            return top; /* enough to refuse; the rest may be megabytes */
    }
    return top;
}

static int
read_cpu(nccl_ctx *c, const xmlNode *cpu)
{
    GV_AUTOFREE char *numaid = attr_get(cpu, "numaid");
    GV_AUTOFREE char *affinity = attr_get_opt(cpu, "affinity");
    GV_AUTOFREE int *cpus = NULL;
    unsigned long long id;
    char q[NCCL_QUOTE_MAX + 4], hb[32];
    gv_numa *node;
    int n_cpus = 0, hb_idx, r;

    if (!numaid)
        return attr_error(c, cpu, GV_E_INVAL, "numaid", "missing");
    if (!strcmp(numaid, "-1"))
        return attr_error(c, cpu, GV_E_UNSUPPORTED, "numaid",
                          "-1 (locality unknown): every <cpu> must name its NUMA node");
    if (parse_uint(numaid, false, GV_CPULIST_MAX_ID, &id) < 0)
        return attr_error(c, cpu, GV_E_INVAL, "numaid", "'%s' is not a NUMA node id (0-%d)",
                          quote(numaid, q), GV_CPULIST_MAX_ID);
    if (gv_host_find_numa(c->h, (int)id) >= 0)
        return attr_error(c, cpu, GV_E_INVAL, "numaid", "NUMA node %d appears twice", (int)id);
    /* Our own messages: the parser's repeat the whole mask, which may be kilobytes long. */
    if (affinity && (mask_top_id(affinity) > GV_CPULIST_MAX_ID ||
                     (n_cpus = gv_cpumask_parse(affinity, &cpus, NULL)) == -GV_E_LIMIT))
        return attr_error(c, cpu, GV_E_LIMIT, "affinity", "'%s' names a CPU above %d",
                          quote(affinity, q), GV_CPULIST_MAX_ID);
    if (n_cpus < 0)
        return attr_error(c, cpu, GV_E_INVAL, "affinity",
                          "'%s' is not a hex CPU mask (32-bit words, most significant first)",
                          quote(affinity, q));
    for (int i = 0; i < n_cpus; i++) {
        int p = cpus[i];
        if (c->cpu_taken[p / 8] & (1u << (p % 8)))
            return attr_error(c, cpu, GV_E_INVAL, "affinity", "CPU %d is also in NUMA node %d", p,
                              gv_host_cpu_numa(c->h, p));
        c->cpu_taken[p / 8] |= (uint8_t)(1u << (p % 8));
    }

    node = gv_host_add_numa(c->h, (int)id);
    node->cores_known = false;
    node->n_cpus = (size_t)n_cpus;
    node->cpus = GV_STEAL_PTR(cpus);
    snprintf(hb, sizeof(hb), "hb%d", (int)id);
    hb_idx = gv_host_add_pcie(c->h, hb, GV_PCIE_HOSTBRIDGE, -1, (int)id);

    for (const xmlNode *e = cpu->children; e; e = e->next)
        if (is_element(e, "pci") && (r = read_pci(c, e, (int)id, hb_idx)) < 0)
            return r;
    return 0;
}

/* ---- pass 3: addresses and links ------------------------------------------------------------ */

static int
cmp_pci(const void *a, const void *b)
{
    return strcmp(((const nccl_pci *)a)->busid, ((const nccl_pci *)b)->busid);
}

static int
cmp_edge(const void *a, const void *b)
{
    const nccl_edge *x = a, *y = b;
    int r;

    if (x->gpu != y->gpu)
        return (x->gpu > y->gpu) - (x->gpu < y->gpu);
    if (x->kind != y->kind)
        return (x->kind > y->kind) - (x->kind < y->kind);
    if ((r = strcmp(x->target, y->target)))
        return r;
    return (x->count < y->count) - (x->count > y->count); /* largest count first */
}

static int
check_unique_pci(nccl_ctx *c)
{
    if (c->n_pcis > 1)
        qsort(c->pcis, c->n_pcis, sizeof(*c->pcis), cmp_pci);
    for (size_t i = 1; i < c->n_pcis; i++) {
        if (!strcmp(c->pcis[i - 1].busid, c->pcis[i].busid)) {
            char where[GV_ERR_WHERE_MAX];
            snprintf(where, sizeof(where), "%s: <pci busid=\"%s\">", c->source, c->pcis[i].busid);
            return gv_err_set(c->err, GV_E_INVAL, where, "busid: PCI address %s appears twice",
                              c->pcis[i].busid);
        }
    }
    return 0;
}

static void
add_or_merge_link(gv_host *h, gv_link_kind kind, int a, int b, int count, bool sum)
{
    for (size_t i = 0; i < h->n_links; i++) {
        gv_link *l = &h->links[i];
        if (l->kind == kind && ((l->a == a && l->b == b) || (b >= 0 && l->a == b && l->b == a))) {
            l->count = sum ? l->count + count : (count > l->count ? count : l->count);
            return;
        }
    }
    gv_host_add_link(h, kind, a, b, count);
}

static void
resolve_links(nccl_ctx *c)
{
    gv_host *h = c->h;

    /* Sorted, each (gpu, kind, target) keeps its first entry, which has the largest count. */
    if (c->n_edges > 1)
        qsort(c->edges, c->n_edges, sizeof(*c->edges), cmp_edge);
    for (size_t i = 0; i < c->n_edges; i++) {
        const nccl_edge *e = &c->edges[i];
        nccl_pci key = {0}, *pci;
        int peer;

        if (i > 0 && e->gpu == e[-1].gpu && e->kind == e[-1].kind &&
            !strcmp(e->target, e[-1].target))
            continue;
        if (!strcmp(e->target, h->gpus[e->gpu].pci))
            continue;
        if ((peer = gv_host_find_gpu(h, e->target)) >= 0) {
            add_or_merge_link(h, e->kind, e->gpu, peer, e->count, false);
            continue;
        }
        memcpy(key.busid, e->target, GV_PCI_ADDR_LEN);
        pci = c->n_pcis ? bsearch(&key, c->pcis, c->n_pcis, sizeof(*c->pcis), cmp_pci) : NULL;
        if ((e->has_tclass && e->tclass == NCCL_TCLASS_NVSWITCH) ||
            (pci && pci->class24 >> 8 == NCCL_CLASS_BRIDGE_OTHER &&
             !(e->has_tclass && e->tclass == NCCL_TCLASS_CPU)))
            add_or_merge_link(h, e->kind, e->gpu, -1, e->count, true);
    }
}

/* ---- entry point ---------------------------------------------------------------------------- */

int
gv_nccl_xml_load(const char *text, size_t len, const char *source, gv_host **ret, gv_err *err)
{
    GV_AUTOPTR(xmlDoc) doc = NULL;
    GV_AUTOPTR(gv_host) h = NULL;
    nccl_ctx *c;
    xmlNode *root;
    gv_err check = {0};
    int r;

    if (!source)
        source = "(buffer)";
    if ((r = gv_xml_read(text, len, source, &doc, err)) < 0)
        return r;
    if (doc->intSubset || doc->extSubset)
        return gv_err_set(err, GV_E_UNSUPPORTED, source,
                          "a DOCTYPE is not allowed in an NCCL topology (no DTDs, no entities)");
    root = xmlDocGetRootElement(doc);
    if (!root || strcmp((const char *)root->name, "system")) {
        char q[NCCL_QUOTE_MAX + 4];
        return gv_err_set(err, GV_E_UNSUPPORTED, source,
                          "expected an NCCL topology (<system>), found <%s>",
                          root ? quote((const char *)root->name, q) : "");
    }

    h = gv_host_new("");
    c = GV_NEW0(nccl_ctx); /* the CPU bitmap is 8 KiB: not for the stack */
    c->source = source;
    c->h = h;
    c->err = err;
    r = check_shape(c, root);
    for (xmlNode *e = root->children; e && r == 0; e = e->next)
        if (is_element(e, "cpu"))
            r = read_cpu(c, e);
    if (r == 0)
        r = check_unique_pci(c);
    if (r == 0)
        resolve_links(c);
    nccl_ctx_clear(c);
    free(c);
    if (r < 0)
        return r;

    gv_host_sort(h);
    if ((r = gv_host_check(h, &check)) < 0) {
        gv_err_prefix(&check, source);
        if (err && !err->code)
            *err = check;
        return r;
    }
    *ret = GV_STEAL_PTR(h);
    return 0;
}
