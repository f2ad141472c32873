/*
 * test_shared_placements.c - golden placements on the real machines of ../shared/data/topologies/.
 * Every file there that loads and has GPUs becomes a one-host fleet and an engine, and a fixed
 * list of strict-NUMA, dedicated-CPU passthrough requests (one GPU with a NIC VF, a NUMA node's
 * GPUs, two GPUs, two under one switch, four GPUs) is placed on it: each alone on the empty host
 * ("solo-", released again), then one after another, then single GPUs until the host is full.
 * Each decision is checked two ways:
 *
 *   properties  computed here from the gv_host fields alone (each device's NUMA node and PCIe
 *               parent, the NUMA nodes' CPU lists, the GPU links) and a ledger of what earlier
 *               placements took, never from the engine's internals: vCPUs and memory on the
 *               chosen GPUs' NUMA nodes, emulator threads too while those nodes have room for
 *               them (and on the VM's own vCPUs only when the host has no other room); the GPU
 *               set on one NUMA node, under one PCIe switch and as close as any free set when
 *               such a set would have fitted (decided by brute force over the free GPUs); NIC
 *               VFs under a chosen GPU's switch when a NIC there had a free VF; "not placed"
 *               only when nothing would have fitted; the fast path and the exhaustive
 *               reference deciding alike.
 *   golden      one line per placement (file, request, host CPUs, memory, GPUs, NIC VFs),
 *               compared with tests/shared/placements.expect; GV_TEST_REGENERATE=1 rewrites it.
 *
 * Every property check is also fed doctored copies of real placements (a vCPU moved to another
 * node, a GPU swapped for one under another switch, ...) and must reject each of them, so no
 * check can pass vacuously. Files that do not load or have no GPUs are skipped by name, with
 * the reason, in the log and in the golden file.
 *
 * What the dumps do not record is assumed, and the assumption is written on the host's golden
 * line: one VF per NIC function (no dump records SR-IOV capability, so NIC locality could not be
 * tested otherwise), and for NCCL files one core per CPU of the affinity mask and 64 GiB per NUMA
 * node (the format has neither cores nor memory).
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gpuvm/discover.h"
#include "gpuvm/place.h"
#include "gpuvm/topo.h"
#include "testlib.h"
#include "util/cpulist.h"
#include "util/strbuf.h"

#define TEST_NAME "shared/placements"
#define EXPECT_REL "tests/shared/placements.expect"
#define ASSUMED_NIC_VFS 1      /* per NIC function whose dump records none */
#define ASSUMED_NODE_MIB 65536 /* per NUMA node with CPUs whose dump records no memory */
#define MIB_PER_GPU 4096       /* requests ask this much memory per GPU (capped per host) */
#define MAX_VCPUS_PER_GPU 4
#define MAX_GPUS 32 /* the engine's GPUs per host */
#define MAX_NICS 64
#define MAX_NUMA 64

/* The folders of topologies/ whose every entry is tried. */
static const char *const topo_dirs[] = {"hwloc-xml", "nccl-topo", "nvidia-smi", "sysfs"};

/* ---- the request sequence ------------------------------------------------------------------- */

#define COUNT_NODE (-1) /* as many GPUs as the NUMA node with the most has */

typedef struct step {
    const char *name;
    int gpus; /* or COUNT_NODE */
    gv_gpu_topology topology;
    bool nic; /* one NIC VF, when a NIC with VFs shares a NUMA node with a GPU */
} step;

/* Then "fill-NN": one GPU, no NIC, until one is not placed. */
static const step steps[] = {
    {"a-1gpu-nic", 1, GV_GPU_TOPO_ANY, true},
    {"b-node-numa", COUNT_NODE, GV_GPU_TOPO_SAME_NUMA, false},
    {"c-2gpu-any", 2, GV_GPU_TOPO_ANY, false},
    {"d-2gpu-switch", 2, GV_GPU_TOPO_SAME_SWITCH, false},
    {"e-4gpu-any", 4, GV_GPU_TOPO_ANY, false},
    {"f-1gpu-nic", 1, GV_GPU_TOPO_ANY, true},
};

/* ---- checks and the doctored placements that must fail them --------------------------------- */

typedef enum check {
    CK_FASTREF,    /* the fast path decides as the exhaustive reference */
    CK_INVARIANTS, /* gv_engine_check after the placement */
    CK_SHAPE,      /* as many GPUs, VFs, pinned vCPUs and MiB as asked */
    CK_FREE,       /* every GPU, CPU and VF given was free (ledger), none given twice */
    CK_VCPU_NODE,  /* pinned vCPUs on the GPUs' NUMA nodes */
    CK_EMU_NODE,   /* emulator CPUs on the GPUs' NUMA nodes while they have room, off vCPUs */
    CK_MEM_NODE,   /* memory on the GPUs' NUMA nodes */
    CK_STRICT,     /* no NUMA violation under strict */
    CK_TOPOLOGY,   /* the GPU set meets the request's topology */
    CK_ONE_NODE,   /* one NUMA node when a free set on one would have fitted */
    CK_ONE_SWITCH, /* one PCIe switch when a free set under one would have fitted */
    CK_CLOSEST,    /* no free set that would have fitted is closer */
    CK_NIC_NODE,   /* NIC VFs on the GPUs' NUMA nodes */
    CK_NIC_SWITCH, /* NIC VFs under a chosen GPU's switch when one there had a free VF */
    CK_NIC_GPU,    /* one GPU with a NIC: a GPU with a free VF under its switch, when one fitted */
    CK_COMPLETE,   /* not placed only when no free set would have fitted */
    CK_LAST
} check;

static const char *const check_names[CK_LAST] = {
    [CK_FASTREF] = "fast-vs-reference",
    [CK_INVARIANTS] = "invariants",
    [CK_SHAPE] = "shape",
    [CK_FREE] = "free",
    [CK_VCPU_NODE] = "vcpu-numa",
    [CK_EMU_NODE] = "emulator-numa",
    [CK_MEM_NODE] = "memory-numa",
    [CK_STRICT] = "strict",
    [CK_TOPOLOGY] = "topology",
    [CK_ONE_NODE] = "one-numa",
    [CK_ONE_SWITCH] = "one-switch",
    [CK_CLOSEST] = "closest",
    [CK_NIC_NODE] = "nic-numa",
    [CK_NIC_SWITCH] = "nic-switch",
    [CK_NIC_GPU] = "nic-gpu",
    [CK_COMPLETE] = "complete",
};

typedef enum mutation {
    MU_SHAPE,
    MU_FREE,
    MU_VCPU_NODE,
    MU_EMU_NODE,
    MU_MEM_NODE,
    MU_STRICT,
    MU_TOPOLOGY,
    MU_ONE_NODE,
    MU_ONE_SWITCH,
    MU_CLOSEST,
    MU_NIC_NODE,
    MU_NIC_SWITCH,
    MU_NIC_GPU,
    MU_UNPLACED,
    MU_LAST
} mutation;

typedef struct mutation_info {
    const char *what;
    check ck; /* the check that must reject it */
} mutation_info;

static const mutation_info mutations[MU_LAST] = {
    [MU_SHAPE] = {"one MiB more in the first guest cell", CK_SHAPE},
    [MU_FREE] = {"the second vCPU pinned to the first one's CPU", CK_FREE},
    [MU_VCPU_NODE] = {"the first vCPU moved to a free CPU of another node", CK_VCPU_NODE},
    [MU_EMU_NODE] = {"an emulator CPU moved to another node", CK_EMU_NODE},
    [MU_MEM_NODE] = {"the first cell's memory moved to another node", CK_MEM_NODE},
    [MU_STRICT] = {"one NUMA violation reported", CK_STRICT},
    [MU_TOPOLOGY] = {"a GPU swapped for a free one that breaks the topology", CK_TOPOLOGY},
    [MU_ONE_NODE] = {"a GPU swapped for a free one on another node", CK_ONE_NODE},
    [MU_ONE_SWITCH] = {"a GPU swapped for a free one under another switch", CK_ONE_SWITCH},
    [MU_CLOSEST] = {"a GPU swapped for a free one that is farther", CK_CLOSEST},
    [MU_NIC_NODE] = {"the VF taken from a NIC on another node", CK_NIC_NODE},
    [MU_NIC_SWITCH] = {"the VF taken from a NIC away from the GPUs' switches", CK_NIC_SWITCH},
    [MU_NIC_GPU] = {"the GPU swapped for a free one without a NIC under its switch", CK_NIC_GPU},
    [MU_UNPLACED] = {"the request reported as not placed", CK_COMPLETE},
};

/* ---- state of the run ----------------------------------------------------------------------- */

typedef struct topo_file {
    char *rel;       /* relative to topologies/ */
    char *test_name; /* cmocka names must outlive the run */
    char *lines;     /* its golden lines */
    const char *result;
    int n_requests, n_placed, n_failures, n_notes;
} topo_file;

static struct {
    char *root; /* .../topologies */
    gv_catalog *cat;
    size_t n_files;
    topo_file *files;
    int mu_tried[MU_LAST];
    int mu_missed[MU_LAST];
    int active[CK_LAST]; /* real decisions where the check's premise held */
    int n_hosts_run;
    const char *checks_result, *golden_result;
} run;

/* ---- what the host looks like, from its gv_host fields alone -------------------------------- */

typedef enum lclass {
    LC_SELF,
    LC_NV,   /* a link between the two, or both on one link fabric */
    LC_PIX,  /* the same parent, a switch or port */
    LC_PXB,  /* a common switch or port further up */
    LC_PHB,  /* a common host bridge */
    LC_NODE, /* one NUMA node */
    LC_SYS,
    LC_LAST
} lclass;

static const char *const lclass_names[LC_LAST] = {"X", "NV", "PIX", "PXB", "PHB", "NODE", "SYS"};

typedef struct host_facts {
    const gv_host *h;
    int max_cpu;              /* highest CPU id + 1 */
    int *cpu_node;            /* per CPU id: index into h->numa, -1 when no node lists it */
    int gpu_node[MAX_GPUS];   /* index into h->numa, -1 when unknown */
    int gpu_switch[MAX_GPUS]; /* the PCIe parent when it is not a host bridge, else -1 */
    int nic_node[MAX_NICS];
    int nic_switch[MAX_NICS];
    int node_gpus[MAX_NUMA];
    int vcpus_per_gpu;
    int vcpu_cap;      /* no request asks more vCPUs than the smallest GPU node has cores */
    int64_t mem_cap;   /* ... nor more than half its memory */
    int node_count;    /* GPUs of the NUMA node with the most */
    bool nic_near_gpu; /* a NIC with VFs shares a NUMA node with a GPU */
} host_facts;

/* What earlier placements took, as their placements say. */
typedef struct ledger {
    bool *pinned; /* per CPU id; reserved CPUs count as pinned */
    int64_t mem_free[MAX_NUMA];
    bool gpu_taken[MAX_GPUS];
    int vf_free[MAX_NICS];
} ledger;

static int
node_index(const gv_host *h, int id)
{
    return id == GV_NUMA_UNKNOWN ? -1 : gv_host_find_numa(h, id);
}

static int
switch_of(const gv_host *h, int parent)
{
    return parent >= 0 && h->pcie[parent].kind != GV_PCIE_HOSTBRIDGE ? parent : -1;
}

static void
facts_init(host_facts *f, const gv_host *h)
{
    int min_cores = -1, min_vpg = -1;
    int64_t min_mem = -1;
    size_t cores = 0;
    bool any_known = false;

    memset(f, 0, sizeof(*f));
    f->h = h;
    for (size_t i = 0; i < h->n_numa; i++)
        for (size_t c = 0; c < h->numa[i].n_cpus; c++)
            if (h->numa[i].cpus[c] + 1 > f->max_cpu)
                f->max_cpu = h->numa[i].cpus[c] + 1;
    for (size_t i = 0; i < h->n_reserved_cpus; i++)
        if (h->reserved_cpus[i] + 1 > f->max_cpu)
            f->max_cpu = h->reserved_cpus[i] + 1;
    f->cpu_node = gv_calloc((size_t)f->max_cpu + 1, sizeof(int));
    for (int c = 0; c < f->max_cpu; c++)
        f->cpu_node[c] = -1;
    for (size_t i = 0; i < h->n_numa; i++) {
        cores += h->numa[i].n_cores;
        for (size_t c = 0; c < h->numa[i].n_cpus; c++)
            f->cpu_node[h->numa[i].cpus[c]] = (int)i;
    }
    for (size_t g = 0; g < h->n_gpus; g++) {
        f->gpu_node[g] = node_index(h, h->gpus[g].numa);
        f->gpu_switch[g] = switch_of(h, h->gpus[g].pcie_parent);
        if (f->gpu_node[g] >= 0)
            f->node_gpus[f->gpu_node[g]]++;
        any_known = any_known || f->gpu_node[g] >= 0;
    }
    for (size_t n = 0; n < h->n_nics; n++) {
        f->nic_node[n] = node_index(h, h->nics[n].numa);
        f->nic_switch[n] = switch_of(h, h->nics[n].pcie_parent);
        for (size_t g = 0; g < h->n_gpus; g++)
            if (h->nics[n].sriov_vfs > 0 && f->nic_node[n] >= 0 && f->nic_node[n] == f->gpu_node[g])
                f->nic_near_gpu = true;
    }
    /* request sizes from the GPU nodes (every node with cores when no GPU's node is known) */
    for (size_t i = 0; i < h->n_numa; i++) {
        const gv_numa *n = &h->numa[i];
        int64_t mem = n->memory_mib > 0 ? n->memory_mib : 0;

        if (any_known ? !f->node_gpus[i] : !n->n_cores)
            continue;
        if (f->node_gpus[i] > f->node_count)
            f->node_count = f->node_gpus[i];
        if (min_cores < 0 || (int)n->n_cores < min_cores)
            min_cores = (int)n->n_cores;
        if (min_mem < 0 || mem < min_mem)
            min_mem = mem;
        if (f->node_gpus[i] && (min_vpg < 0 || (int)n->n_cores / f->node_gpus[i] < min_vpg))
            min_vpg = (int)n->n_cores / f->node_gpus[i];
    }
    if (min_vpg < 0) /* no GPU has a known node */
        min_vpg = h->n_gpus ? (int)(cores / h->n_gpus) : 1;
    f->vcpus_per_gpu = min_vpg < 1 ? 1 : min_vpg > MAX_VCPUS_PER_GPU ? MAX_VCPUS_PER_GPU : min_vpg;
    f->vcpu_cap = min_cores < 1 ? 1 : min_cores;
    f->mem_cap = min_mem / 2 / 1024 * 1024;
    if (f->mem_cap < 1024)
        f->mem_cap = 1024;
    if (!f->node_count)
        f->node_count = (int)h->n_gpus;
}

static void
facts_fini(host_facts *f)
{
    free(f->cpu_node);
    f->cpu_node = NULL;
}

static void
ledger_init(ledger *l, const host_facts *f)
{
    const gv_host *h = f->h;

    memset(l, 0, sizeof(*l));
    l->pinned = gv_calloc((size_t)f->max_cpu + 1, sizeof(bool));
    for (size_t i = 0; i < h->n_reserved_cpus; i++)
        l->pinned[h->reserved_cpus[i]] = true;
    for (size_t i = 0; i < h->n_numa; i++) {
        const gv_numa *n = &h->numa[i];
        int64_t mem = n->memory_mib > 0 ? n->memory_mib : 0;

        mem -= (n->hugepages_2m > 0 ? n->hugepages_2m * 2 : 0) +
               (n->hugepages_1g > 0 ? n->hugepages_1g * 1024 : 0);
        l->mem_free[i] = mem > 0 ? mem : 0;
    }
    for (size_t n = 0; n < h->n_nics; n++)
        l->vf_free[n] = h->nics[n].sriov_vfs;
}

static void
ledger_copy(ledger *dst, const ledger *src, const host_facts *f)
{
    *dst = *src;
    dst->pinned = gv_calloc((size_t)f->max_cpu + 1, sizeof(bool));
    memcpy(dst->pinned, src->pinned, (size_t)f->max_cpu * sizeof(bool));
}

static void
ledger_take(ledger *l, const host_facts *f, const gv_placement *p)
{
    for (size_t k = 0; k < p->n_gpus; k++)
        l->gpu_taken[p->gpus[k].gpu] = true;
    for (int v = 0; v < p->request.vcpus; v++)
        if (p->pins[v].pcpu >= 0 && p->pins[v].pcpu < f->max_cpu)
            l->pinned[p->pins[v].pcpu] = true;
    for (size_t c = 0; c < p->n_cells; c++) {
        int ni = node_index(f->h, p->cells[c].host_numa);
        if (ni >= 0)
            l->mem_free[ni] -= p->cells[c].memory_mib;
    }
    for (size_t k = 0; k < p->n_vfs; k++)
        l->vf_free[p->vfs[k].nic]--;
}

/* Cores of node @ni with every thread free. */
static int
free_cores(const host_facts *f, const ledger *l, int ni)
{
    const gv_numa *n = &f->h->numa[ni];
    int free_n = 0;

    for (size_t c = 0; c < n->n_cores; c++) {
        bool all = true;
        for (int t = 0; t < n->cores[c].n_threads; t++)
            all = all && !l->pinned[n->cores[c].threads[t]];
        free_n += all;
    }
    return free_n;
}

/* Could node @ni alone take all of @r's vCPUs (a whole core each) and memory? */
static bool
node_fits(const host_facts *f, const ledger *l, const gv_request *r, int ni)
{
    return free_cores(f, l, ni) >= r->vcpus && l->mem_free[ni] >= r->memory_mib;
}

static bool
gpus_linked(const gv_host *h, int a, int b)
{
    bool fab_a[GV_LINK_KIND_LAST] = {false}, fab_b[GV_LINK_KIND_LAST] = {false};

    for (size_t i = 0; i < h->n_links; i++) {
        const gv_link *l = &h->links[i];

        if ((l->a == a && l->b == b) || (l->a == b && l->b == a))
            return true;
        if (l->b == -1 && l->a == a)
            fab_a[l->kind] = true;
        if (l->b == -1 && l->a == b)
            fab_b[l->kind] = true;
    }
    for (int k = 0; k < GV_LINK_KIND_LAST; k++)
        if (fab_a[k] && fab_b[k])
            return true;
    return false;
}

static int
root_numa(const gv_host *h, int parent)
{
    while (parent >= 0 && h->pcie[parent].parent >= 0)
        parent = h->pcie[parent].parent;
    return parent >= 0 ? h->pcie[parent].numa : GV_NUMA_UNKNOWN;
}

/* The nvidia-smi class of GPUs @a and @b, from the links, the PCIe tree and the NUMA nodes. */
static lclass
pair_class(const host_facts *f, int a, int b)
{
    const gv_host *h = f->h;
    int pa = h->gpus[a].pcie_parent, pb = h->gpus[b].pcie_parent;
    int na = h->gpus[a].numa, nb = h->gpus[b].numa;

    if (a == b)
        return LC_SELF;
    if (gpus_linked(h, a, b))
        return LC_NV;
    if (pa >= 0 && pb >= 0) {
        for (int x = pa; x >= 0; x = h->pcie[x].parent)
            for (int y = pb; y >= 0; y = h->pcie[y].parent)
                if (x == y)
                    return h->pcie[x].kind == GV_PCIE_HOSTBRIDGE ? LC_PHB
                           : x == pa && x == pb                  ? LC_PIX
                                                                 : LC_PXB;
        if (na == GV_NUMA_UNKNOWN)
            na = root_numa(h, pa);
        if (nb == GV_NUMA_UNKNOWN)
            nb = root_numa(h, pb);
    }
    return na != GV_NUMA_UNKNOWN && na == nb ? LC_NODE : LC_SYS;
}

/* ---- GPU sets ------------------------------------------------------------------------------- */

typedef struct gset {
    int n;
    int g[GV_REQ_MAX_GPUS];
} gset;

static lclass
set_class(const host_facts *f, const gset *s)
{
    lclass worst = LC_SELF;

    for (int a = 0; a < s->n; a++)
        for (int b = a + 1; b < s->n; b++) {
            lclass c = pair_class(f, s->g[a], s->g[b]);
            if (c > worst)
                worst = c;
        }
    return worst;
}

static bool
set_one_node(const host_facts *f, const gset *s)
{
    for (int k = 0; k < s->n; k++)
        if (f->gpu_node[s->g[k]] < 0 || f->gpu_node[s->g[k]] != f->gpu_node[s->g[0]])
            return false;
    return true;
}

static bool
set_one_switch(const host_facts *f, const gset *s)
{
    for (int k = 0; k < s->n; k++)
        if (f->gpu_switch[s->g[k]] < 0 || f->gpu_switch[s->g[k]] != f->gpu_switch[s->g[0]])
            return false;
    return true;
}

/* Does @s meet @r's topology? (nvlink: every pair linked, stricter than one island) */
static bool
set_meets_topology(const host_facts *f, const gv_request *r, const gset *s)
{
    switch (r->gpu.topology) {
    case GV_GPU_TOPO_SAME_NUMA:
        return set_one_node(f, s);
    case GV_GPU_TOPO_SAME_SWITCH:
        return set_one_switch(f, s);
    case GV_GPU_TOPO_NVLINK:
        return set_class(f, s) <= LC_NV;
    default:
        return true;
    }
}

/* The NUMA nodes of @s's GPUs, as a mask of h->numa indices. */
static uint64_t
set_nodes(const host_facts *f, const gset *s)
{
    uint64_t m = 0;

    for (int k = 0; k < s->n; k++)
        if (f->gpu_node[s->g[k]] >= 0)
            m |= UINT64_C(1) << f->gpu_node[s->g[k]];
    return m;
}

/* Free VFs on NICs under the switch of one of @s's GPUs (and on its node: strict needs it). */
static int
set_switch_vfs(const host_facts *f, const ledger *l, const gset *s)
{
    int n = 0;

    for (size_t i = 0; i < f->h->n_nics && i < MAX_NICS; i++) {
        bool near = false;
        for (int k = 0; k < s->n && !near; k++)
            near = f->nic_switch[i] >= 0 && f->nic_switch[i] == f->gpu_switch[s->g[k]] &&
                   f->nic_node[i] == f->gpu_node[s->g[k]];
        if (near && l->vf_free[i] > 0)
            n += l->vf_free[i];
    }
    return n;
}

/*
 * Would @s certainly fit @r (strict NUMA, dedicated CPUs)? Conservative: every node of the set
 * must hold all the vCPUs on whole free cores and all the memory, and a NIC with the VFs must
 * sit on one of them; without a known node, one node must hold the whole VM (and no NIC is
 * asked). The engine needs less (it splits the VM over the nodes), so a set that passes fits.
 */
static bool
set_fits(const host_facts *f, const ledger *l, const gv_request *r, const gset *s)
{
    uint64_t nodes = set_nodes(f, s);
    bool nic = r->nic_vfs == 0;

    if (!set_meets_topology(f, r, s))
        return false;
    if (!nodes) {
        for (size_t i = 0; i < f->h->n_numa && r->nic_vfs == 0; i++)
            if (node_fits(f, l, r, (int)i))
                return true;
        return false;
    }
    for (size_t i = 0; i < f->h->n_numa && i < MAX_NUMA; i++)
        if ((nodes >> i & 1) && !node_fits(f, l, r, (int)i))
            return false;
    for (size_t i = 0; i < f->h->n_nics && i < MAX_NICS && !nic; i++)
        nic = f->nic_node[i] >= 0 && (nodes >> f->nic_node[i] & 1) && l->vf_free[i] >= r->nic_vfs;
    return nic;
}

/* What a brute force over the free GPUs says about @r before it is placed. */
typedef struct set_facts {
    bool any; /* some free set fits */
    gset any_set;
    lclass best_class; /* the closest class among the sets that fit */
    gset best_set;
    bool one_node; /* some set on one NUMA node fits */
    lclass one_node_class;
    gset one_node_set;
    bool one_switch; /* some set under one switch fits */
    lclass one_switch_class;
    gset one_switch_set;
    bool nic_gpu; /* one GPU and a NIC: a GPU with a free VF under its switch fits */
    int nic_gpu_idx;
} set_facts;

static void
consider_set(const host_facts *f, const ledger *l, const gv_request *r, const gset *s,
             set_facts *sf)
{
    lclass c;

    if (!set_fits(f, l, r, s))
        return;
    c = set_class(f, s);
    if (!sf->any) {
        sf->any = true;
        sf->any_set = *s;
    }
    if (c < sf->best_class) {
        sf->best_class = c;
        sf->best_set = *s;
    }
    if (set_one_node(f, s) && c < sf->one_node_class) {
        sf->one_node = true;
        sf->one_node_class = c;
        sf->one_node_set = *s;
    }
    if (set_one_switch(f, s) && c < sf->one_switch_class) {
        sf->one_switch = true;
        sf->one_switch_class = c;
        sf->one_switch_set = *s;
    }
    if (s->n == 1 && r->nic_vfs && !sf->nic_gpu && set_switch_vfs(f, l, s) > 0) {
        sf->nic_gpu = true;
        sf->nic_gpu_idx = s->g[0];
    }
}

static void
enum_sets(const host_facts *f, const ledger *l, const gv_request *r, const int *free_g, int n_free,
          int from, gset *s, set_facts *sf)
{
    if (s->n == r->gpu.count) {
        consider_set(f, l, r, s, sf);
        return;
    }
    for (int i = from; i <= n_free - (r->gpu.count - s->n); i++) {
        s->g[s->n++] = free_g[i];
        enum_sets(f, l, r, free_g, n_free, i + 1, s, sf);
        s->n--;
    }
}

static void
brute_force(const host_facts *f, const ledger *l, const gv_request *r, set_facts *sf)
{
    int free_g[MAX_GPUS], n_free = 0;
    gset s = {0};

    memset(sf, 0, sizeof(*sf));
    sf->best_class = sf->one_node_class = sf->one_switch_class = LC_LAST;
    for (size_t g = 0; g < f->h->n_gpus && g < MAX_GPUS; g++)
        if (!l->gpu_taken[g])
            free_g[n_free++] = (int)g;
    if (r->gpu.count < 1 || r->gpu.count > n_free || r->gpu.count > GV_REQ_MAX_GPUS)
        return;
    enum_sets(f, l, r, free_g, n_free, 0, &s, sf);
}

/* ---- checking one decision ------------------------------------------------------------------ */

typedef struct verdict {
    unsigned failed; /* bit per check */
    FILE *out;       /* NULL: silent (doctored placements) */
    const char *where;
    int notes;
} verdict;

static void flag(verdict *v, check ck, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Count a real decision on which check @ck had something to say. */
static void
active(const verdict *v, check ck)
{
    if (v->out)
        run.active[ck]++;
}

static void
flag(verdict *v, check ck, const char *fmt, ...)
{
    va_list ap;

    v->failed |= 1u << ck;
    if (!v->out)
        return;
    fprintf(v->out, "    FAIL %s: %s: ", v->where, check_names[ck]);
    va_start(ap, fmt);
    vfprintf(v->out, fmt, ap);
    va_end(ap);
    fputc('\n', v->out);
}

static void note(verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
note(verdict *v, const char *fmt, ...)
{
    va_list ap;

    if (!v->out)
        return;
    v->notes++;
    fprintf(v->out, "    NOTE %s: ", v->where);
    va_start(ap, fmt);
    vfprintf(v->out, fmt, ap);
    va_end(ap);
    fputc('\n', v->out);
}

/* "0000:34:00.0+0000:36:00.0" into @buf. */
static const char *
set_str(const host_facts *f, const gset *s, char *buf, size_t n)
{
    size_t len = 0;

    buf[0] = '\0';
    for (int k = 0; k < s->n && len < n; k++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s", k ? "+" : "", f->h->gpus[s->g[k]].pci);
    return buf;
}

static int
cpu_node_of(const host_facts *f, int cpu)
{
    return cpu >= 0 && cpu < f->max_cpu ? f->cpu_node[cpu] : -1;
}

static int
node_id(const host_facts *f, int ni)
{
    return ni >= 0 ? f->h->numa[ni].id : GV_NUMA_UNKNOWN;
}

static void
check_counts_and_ledger(const host_facts *f, const ledger *l, const gv_request *r,
                        const gv_placement *p, verdict *v)
{
    int64_t mem = 0;
    int cell_vcpus = 0, vf_used[MAX_NICS] = {0};

    if ((int)p->n_gpus != r->gpu.count)
        flag(v, CK_SHAPE, "%zu GPUs for %d asked", p->n_gpus, r->gpu.count);
    if ((int)p->n_vfs != r->nic_vfs)
        flag(v, CK_SHAPE, "%zu NIC VFs for %d asked", p->n_vfs, r->nic_vfs);
    for (size_t c = 0; c < p->n_cells; c++) {
        mem += p->cells[c].memory_mib;
        cell_vcpus += p->cells[c].n_vcpus;
    }
    if (mem != r->memory_mib)
        flag(v, CK_SHAPE, "%lld MiB in the guest cells for %lld asked", (long long)mem,
             (long long)r->memory_mib);
    if (cell_vcpus != r->vcpus)
        flag(v, CK_SHAPE, "%d vCPUs in the guest cells for %d asked", cell_vcpus, r->vcpus);
    for (int i = 0; i < r->vcpus; i++) {
        int cpu = p->pins[i].pcpu;

        if (p->pins[i].vcpu != i || cpu < 0 || cpu_node_of(f, cpu) < 0) {
            flag(v, CK_SHAPE, "vCPU %d is pinned to %d, not a CPU of the host", i, cpu);
            continue;
        }
        if (l->pinned[cpu])
            flag(v, CK_FREE, "vCPU %d pinned to CPU %d, which was taken", i, cpu);
        for (int j = 0; j < i; j++)
            if (p->pins[j].pcpu == cpu)
                flag(v, CK_FREE, "vCPUs %d and %d both pinned to CPU %d", j, i, cpu);
    }
    for (size_t k = 0; k < p->n_gpus; k++) {
        int gi = p->gpus[k].gpu;

        if (gi < 0 || (size_t)gi >= f->h->n_gpus || strcmp(p->gpus[k].pci, f->h->gpus[gi].pci)) {
            flag(v, CK_FREE, "GPU %d (%s) is not a GPU of the host", gi, p->gpus[k].pci);
            continue;
        }
        if (l->gpu_taken[gi])
            flag(v, CK_FREE, "GPU %s was taken", p->gpus[k].pci);
        for (size_t j = 0; j < k; j++)
            if (p->gpus[j].gpu == gi)
                flag(v, CK_FREE, "GPU %s given twice", p->gpus[k].pci);
    }
    for (size_t k = 0; k < p->n_vfs; k++) {
        int ni = p->vfs[k].nic;

        if (ni < 0 || (size_t)ni >= f->h->n_nics || ni >= MAX_NICS) {
            flag(v, CK_FREE, "VF of NIC %d, not a NIC of the host", ni);
            continue;
        }
        if (++vf_used[ni] > l->vf_free[ni] || p->vfs[k].vf >= f->h->nics[ni].sriov_vfs)
            flag(v, CK_FREE, "VF %d of NIC %s: the NIC had %d free of %d", p->vfs[k].vf,
                 f->h->nics[ni].pci, l->vf_free[ni], f->h->nics[ni].sriov_vfs);
    }
}

static bool
is_reserved(const gv_host *h, int cpu)
{
    for (size_t i = 0; i < h->n_reserved_cpus; i++)
        if (h->reserved_cpus[i] == cpu)
            return true;
    return false;
}

static bool
is_vcpu_of(const gv_placement *p, int cpu)
{
    for (int v = 0; v < p->request.vcpus; v++)
        if (p->pins[v].pcpu == cpu)
            return true;
    return false;
}

/*
 * Room the host had for @p's emulator threads besides its vCPUs, counted from the ledger: a
 * reserved CPU or a thread left free by @p's vCPUs, on the nodes @home (@on_home) or anywhere.
 * The engine's order (commit.c) is: reserved CPUs of the VM's nodes, any reserved CPUs, free
 * threads of its nodes, free threads of any node, and its own vCPUs only when none of these
 * exists; so emulator threads leave the GPUs' nodes only for a reserved CPU when those nodes
 * have none, or when those nodes have no room at all.
 */
static void
emulator_room(const host_facts *f, const ledger *l, const gv_placement *p, uint64_t home,
              bool *ret_home_reserved, bool *ret_home_room, bool *ret_any_room)
{
    *ret_home_reserved = *ret_home_room = *ret_any_room = false;
    for (int c = 0; c < f->max_cpu; c++) {
        bool at_home = f->cpu_node[c] >= 0 && (home >> f->cpu_node[c] & 1);
        bool reserved = is_reserved(f->h, c);
        bool room = reserved || (f->cpu_node[c] >= 0 && !l->pinned[c] && !is_vcpu_of(p, c));

        *ret_home_reserved = *ret_home_reserved || (at_home && reserved);
        *ret_home_room = *ret_home_room || (at_home && room);
        *ret_any_room = *ret_any_room || room;
    }
}

/* vCPUs, emulator CPUs, memory and NIC VFs on the GPUs' nodes @home (or on one node). */
static void
check_numa(const host_facts *f, const ledger *l, const gv_request *r, const gv_placement *p,
           uint64_t home, verdict *v)
{
    uint64_t pin_nodes = 0;
    bool one_fits = false, home_reserved, home_room, any_room;

    for (int i = 0; i < r->vcpus; i++) {
        int ni = cpu_node_of(f, p->pins[i].pcpu);
        if (ni >= 0)
            pin_nodes |= UINT64_C(1) << ni;
    }
    if (!home) {
        /* the GPUs' locality is unknown: the whole VM on one node, when one could take it */
        for (size_t i = 0; i < f->h->n_numa; i++)
            one_fits = one_fits || node_fits(f, l, r, (int)i);
        if (one_fits && __builtin_popcountll(pin_nodes) != 1)
            flag(v, CK_VCPU_NODE,
                 "GPU locality unknown and one node could take the VM, yet its "
                 "vCPUs span %d nodes",
                 __builtin_popcountll(pin_nodes));
        if (__builtin_popcountll(pin_nodes) != 1)
            return;
        home = pin_nodes;
    }
    for (int i = 0; i < r->vcpus; i++) {
        int ni = cpu_node_of(f, p->pins[i].pcpu);
        if (ni < 0 || !(home >> ni & 1))
            flag(v, CK_VCPU_NODE, "vCPU %d on CPU %d of node %d, not a node of the GPUs", i,
                 p->pins[i].pcpu, node_id(f, ni));
    }
    emulator_room(f, l, p, home, &home_reserved, &home_room, &any_room);
    for (size_t k = 0; k < p->n_emulator_cpus; k++) {
        int c = p->emulator_cpus[k], ni = cpu_node_of(f, c);
        if ((ni < 0 || !(home >> ni & 1)) && home_room && !(is_reserved(f->h, c) && !home_reserved))
            flag(v, CK_EMU_NODE, "emulator CPU %d is on node %d, not a node of the GPUs", c,
                 node_id(f, ni));
        if (is_vcpu_of(p, c) && any_room)
            flag(v, CK_EMU_NODE, "emulator CPU %d is a vCPU although the host had other room", c);
    }
    for (size_t c = 0; c < p->n_cells; c++) {
        int ni = node_index(f->h, p->cells[c].host_numa);
        if (p->cells[c].memory_mib > 0 && (ni < 0 || !(home >> ni & 1)))
            flag(v, CK_MEM_NODE, "%lld MiB on node %d, not a node of the GPUs",
                 (long long)p->cells[c].memory_mib, p->cells[c].host_numa);
    }
    for (size_t k = 0; k < p->n_vfs; k++) {
        int ni = p->vfs[k].nic >= 0 && p->vfs[k].nic < MAX_NICS ? f->nic_node[p->vfs[k].nic] : -1;
        if (ni < 0 || !(home >> ni & 1))
            flag(v, CK_NIC_NODE, "VF of NIC %s on node %d, not a node of the GPUs",
                 p->vfs[k].pf_pci, node_id(f, ni));
    }
}

static void
check_gpu_set(const host_facts *f, const gv_request *r, const set_facts *sf, const gset *s,
              verdict *v)
{
    lclass c = set_class(f, s);
    char b1[GV_REQ_MAX_GPUS * GV_PCI_ADDR_LEN], b2[GV_REQ_MAX_GPUS * GV_PCI_ADDR_LEN];

    set_str(f, s, b1, sizeof(b1));
    if (r->gpu.topology != GV_GPU_TOPO_ANY)
        active(v, CK_TOPOLOGY);
    if (sf->one_node && s->n > 1)
        active(v, CK_ONE_NODE);
    if (sf->one_switch && s->n > 1)
        active(v, CK_ONE_SWITCH);
    if (sf->any && s->n > 1)
        active(v, CK_CLOSEST);
    if (!set_meets_topology(f, r, s))
        flag(v, CK_TOPOLOGY, "GPUs %s are not %s", b1, gv_gpu_topology_to_string(r->gpu.topology));
    if (sf->one_node && !set_one_node(f, s)) {
        if (c >= sf->one_node_class)
            flag(v, CK_ONE_NODE, "GPUs %s (%s) span NUMA nodes although %s (%s) on node %d fitted",
                 b1, lclass_names[c], set_str(f, &sf->one_node_set, b2, sizeof(b2)),
                 lclass_names[sf->one_node_class], node_id(f, f->gpu_node[sf->one_node_set.g[0]]));
        else
            note(v,
                 "GPUs %s (%s) span NUMA nodes while %s (%s) on one node fitted: the set is closer",
                 b1, lclass_names[c], set_str(f, &sf->one_node_set, b2, sizeof(b2)),
                 lclass_names[sf->one_node_class]);
    }
    if (sf->one_switch && !set_one_switch(f, s)) {
        if (c >= sf->one_switch_class)
            flag(v, CK_ONE_SWITCH,
                 "GPUs %s (%s) are not under one PCIe switch although %s (%s) under %s fitted", b1,
                 lclass_names[c], set_str(f, &sf->one_switch_set, b2, sizeof(b2)),
                 lclass_names[sf->one_switch_class],
                 f->h->pcie[f->gpu_switch[sf->one_switch_set.g[0]]].name);
        else
            note(v,
                 "GPUs %s (%s) are not under one PCIe switch while %s (%s) fitted: the set is "
                 "closer",
                 b1, lclass_names[c], set_str(f, &sf->one_switch_set, b2, sizeof(b2)),
                 lclass_names[sf->one_switch_class]);
    }
    if (sf->any && c > sf->best_class)
        flag(v, CK_CLOSEST, "GPUs %s are %s apart although %s (%s) fitted", b1, lclass_names[c],
             set_str(f, &sf->best_set, b2, sizeof(b2)), lclass_names[sf->best_class]);
}

static void
check_nics(const host_facts *f, const ledger *l, const gv_request *r, const set_facts *sf,
           const gv_placement *p, const gset *s, verdict *v)
{
    int avail = set_switch_vfs(f, l, s), got = 0, want;

    for (size_t k = 0; k < p->n_vfs; k++) {
        int ni = p->vfs[k].nic;
        bool near = false;
        for (int j = 0; j < s->n && !near && ni >= 0 && ni < MAX_NICS; j++)
            near = f->nic_switch[ni] >= 0 && f->nic_switch[ni] == f->gpu_switch[s->g[j]];
        got += near;
    }
    want = avail < r->nic_vfs ? avail : r->nic_vfs;
    if (r->nic_vfs)
        active(v, CK_NIC_NODE);
    if (r->nic_vfs && avail > 0)
        active(v, CK_NIC_SWITCH);
    if (s->n == 1 && r->nic_vfs && sf->nic_gpu)
        active(v, CK_NIC_GPU);
    if (got < want)
        flag(v, CK_NIC_SWITCH, "%d of %d VFs under the GPUs' switches although %d were free there",
             got, r->nic_vfs, avail);
    if (s->n == 1 && r->nic_vfs && sf->nic_gpu && avail == 0)
        flag(v, CK_NIC_GPU,
             "GPU %s has no free VF under its switch although GPU %s fitted with one",
             f->h->gpus[s->g[0]].pci, f->h->gpus[sf->nic_gpu_idx].pci);
}

/* Check one decision: @p the placement, or NULL when @r was not placed. */
static void
check_decision(const host_facts *f, const ledger *l, const gv_request *r, const set_facts *sf,
               const gv_placement *p, verdict *v)
{
    char b[GV_REQ_MAX_GPUS * GV_PCI_ADDR_LEN];
    gset s = {0};

    if (!p) {
        active(v, CK_COMPLETE);
        if (sf->any)
            flag(v, CK_COMPLETE, "not placed although GPUs %s would have fitted",
                 set_str(f, &sf->any_set, b, sizeof(b)));
        return;
    }
    for (check ck = CK_SHAPE; ck <= CK_STRICT; ck++)
        active(v, ck);
    check_counts_and_ledger(f, l, r, p, v);
    if (v->failed & (1u << CK_SHAPE | 1u << CK_FREE))
        return; /* the rest reads GPU and NIC indices that must be sound first */
    for (size_t k = 0; k < p->n_gpus; k++)
        s.g[s.n++] = p->gpus[k].gpu;
    check_numa(f, l, r, p, set_nodes(f, &s), v);
    if (r->numa_policy == GV_NUMA_POLICY_STRICT && (p->numa_violations || p->n_violations))
        flag(v, CK_STRICT, "%lld units off the GPUs' nodes under strict",
             (long long)p->numa_violations);
    check_gpu_set(f, r, sf, &s, v);
    check_nics(f, l, r, sf, p, &s, v);
}

/* ---- doctored placements -------------------------------------------------------------------- */

/* A free GPU outside the placement's set that @pred accepts for the swapped-in last member. */
typedef bool (*swap_pred)(const host_facts *f, const gv_request *r, const set_facts *sf,
                          const gset *doctored);

static bool
swap_breaks_topology(const host_facts *f, const gv_request *r, const set_facts *sf, const gset *d)
{
    (void)sf;
    return r->gpu.topology != GV_GPU_TOPO_ANY && !set_meets_topology(f, r, d);
}

static bool
swap_leaves_node(const host_facts *f, const gv_request *r, const set_facts *sf, const gset *d)
{
    (void)r;
    return sf->one_node && !set_one_node(f, d) && set_class(f, d) >= sf->one_node_class;
}

static bool
swap_leaves_switch(const host_facts *f, const gv_request *r, const set_facts *sf, const gset *d)
{
    (void)r;
    return sf->one_switch && !set_one_switch(f, d) && set_class(f, d) >= sf->one_switch_class;
}

static bool
swap_farther(const host_facts *f, const gv_request *r, const set_facts *sf, const gset *d)
{
    (void)r;
    return sf->any && set_class(f, d) > sf->best_class;
}

static bool
swap_gpu(const host_facts *f, const ledger *l, const gv_request *r, const set_facts *sf,
         gv_placement *p, swap_pred pred)
{
    gset orig = {0}, d;

    for (size_t k = 0; k < p->n_gpus; k++)
        orig.g[orig.n++] = p->gpus[k].gpu;
    d = orig;
    for (size_t g = 0; g < f->h->n_gpus && g < MAX_GPUS && d.n; g++) {
        bool in = false;
        for (int k = 0; k < orig.n; k++)
            in = in || orig.g[k] == (int)g;
        if (in || l->gpu_taken[g])
            continue;
        d.g[d.n - 1] = (int)g;
        if (!pred(f, r, sf, &d))
            continue;
        p->gpus[p->n_gpus - 1].gpu = (int)g;
        snprintf(p->gpus[p->n_gpus - 1].pci, sizeof(p->gpus[0].pci), "%s", f->h->gpus[g].pci);
        return true;
    }
    return false;
}

/* A CPU (@free_only: not pinned) on a node outside @home, or -1. */
static int
cpu_off(const host_facts *f, const ledger *l, uint64_t home, bool free_only)
{
    for (int c = 0; c < f->max_cpu; c++)
        if (f->cpu_node[c] >= 0 && !(home >> f->cpu_node[c] & 1) && (!free_only || !l->pinned[c]))
            return c;
    return -1;
}

/* Doctor @p as mutation @m says. Returns false when @p offers no chance for it. */
static bool
mutate(mutation m, const host_facts *f, const ledger *l, const gv_request *r, const set_facts *sf,
       gv_placement *p)
{
    gset s = {0};
    uint64_t home;
    int cpu;

    for (size_t k = 0; k < p->n_gpus; k++)
        s.g[s.n++] = p->gpus[k].gpu;
    home = set_nodes(f, &s);
    switch (m) {
    case MU_SHAPE:
        if (!p->n_cells)
            return false;
        p->cells[0].memory_mib++;
        return true;
    case MU_FREE:
        if (r->vcpus < 2)
            return false;
        p->pins[1].pcpu = p->pins[0].pcpu;
        return true;
    case MU_VCPU_NODE:
        if (!home || (cpu = cpu_off(f, l, home, true)) < 0)
            return false;
        p->pins[0].pcpu = cpu;
        return true;
    case MU_EMU_NODE: {
        bool home_reserved, home_room, any_room;

        /* off the GPUs' nodes is a fault only while those nodes had room (emulator_room) */
        emulator_room(f, l, p, home, &home_reserved, &home_room, &any_room);
        if (!home || !p->n_emulator_cpus || !home_room)
            return false;
        for (cpu = 0; cpu < f->max_cpu; cpu++)
            if (f->cpu_node[cpu] >= 0 && !(home >> f->cpu_node[cpu] & 1) && !is_reserved(f->h, cpu))
                break;
        if (cpu == f->max_cpu)
            return false;
        p->emulator_cpus[0] = cpu;
        return true;
    }
    case MU_MEM_NODE:
        for (size_t i = 0; home && p->n_cells && i < f->h->n_numa; i++)
            if (!(home >> i & 1)) {
                p->cells[0].host_numa = f->h->numa[i].id;
                return true;
            }
        return false;
    case MU_STRICT:
        p->numa_violations = 1;
        return true;
    case MU_TOPOLOGY:
        return swap_gpu(f, l, r, sf, p, swap_breaks_topology);
    case MU_ONE_NODE:
        return p->n_gpus >= 2 && swap_gpu(f, l, r, sf, p, swap_leaves_node);
    case MU_ONE_SWITCH:
        return p->n_gpus >= 2 && swap_gpu(f, l, r, sf, p, swap_leaves_switch);
    case MU_CLOSEST:
        return p->n_gpus >= 2 && swap_gpu(f, l, r, sf, p, swap_farther);
    case MU_NIC_NODE:
        for (size_t i = 0; home && p->n_vfs && i < f->h->n_nics && i < MAX_NICS; i++)
            if (f->nic_node[i] >= 0 && !(home >> f->nic_node[i] & 1) && l->vf_free[i] > 0) {
                p->vfs[0].nic = (int)i;
                p->vfs[0].vf = 0;
                return true;
            }
        return false;
    case MU_NIC_SWITCH:
        if (!p->n_vfs || set_switch_vfs(f, l, &s) == 0)
            return false;
        for (size_t i = 0; i < f->h->n_nics && i < MAX_NICS; i++) {
            bool near = false;
            for (int k = 0; k < s.n; k++)
                near = near || (f->nic_switch[i] >= 0 && f->nic_switch[i] == f->gpu_switch[s.g[k]]);
            if (!near && l->vf_free[i] > 0) {
                for (size_t k = 0; k < p->n_vfs; k++)
                    p->vfs[k].nic = (int)i;
                p->vfs[0].vf = 0;
                return true;
            }
        }
        return false;
    case MU_NIC_GPU:
        if (p->n_gpus != 1 || !r->nic_vfs || !sf->nic_gpu)
            return false;
        for (size_t g = 0; g < f->h->n_gpus && g < MAX_GPUS; g++) {
            gset one = {.n = 1, .g = {(int)g}};
            if (l->gpu_taken[g] || (int)g == s.g[0] || set_switch_vfs(f, l, &one) > 0)
                continue;
            p->gpus[0].gpu = (int)g;
            snprintf(p->gpus[0].pci, sizeof(p->gpus[0].pci), "%s", f->h->gpus[g].pci);
            return true;
        }
        return false;
    default:
        return false;
    }
}

/*
 * Every doctored copy of placement @p that its preconditions allow must be rejected by the
 * mutation's check. Returns the misses (printed).
 */
static int
try_mutations(const host_facts *f, const ledger *l, const gv_request *r, const set_facts *sf,
              const gv_placement *p, const char *where)
{
    int missed = 0;

    for (mutation m = 0; m < MU_LAST; m++) {
        verdict v = {.where = where};
        gv_placement d;
        bool applied;

        if (m == MU_UNPLACED) {
            applied = sf->any;
            if (applied)
                check_decision(f, l, r, sf, NULL, &v);
        } else {
            gv_placement_copy(&d, p);
            applied = mutate(m, f, l, r, sf, &d);
            if (applied)
                check_decision(f, l, r, sf, &d, &v);
            gv_placement_clear(&d);
        }
        if (!applied)
            continue;
        run.mu_tried[m]++;
        if (!(v.failed & (1u << mutations[m].ck))) {
            run.mu_missed[m]++;
            missed++;
            printf("    FAIL %s: check %s accepted a doctored placement: %s\n", where,
                   check_names[mutations[m].ck], mutations[m].what);
        }
    }
    return missed;
}

/* ---- one host ------------------------------------------------------------------------------- */

/* Fill in what the dump does not record; append what was assumed to @assumed. */
static void
host_complete(gv_host *h, gv_strbuf *assumed)
{
    bool cores = false, mem = false, vfs = false;

    for (size_t i = 0; i < h->n_numa; i++) {
        gv_numa *n = &h->numa[i];

        if (!n->cores_known && !n->n_cores && n->n_cpus) {
            int *cpus = n->cpus;
            size_t n_cpus = n->n_cpus;

            n->cpus = NULL;
            n->n_cpus = 0;
            for (size_t c = 0; c < n_cpus; c++)
                gv_numa_add_core(n, &cpus[c], 1);
            n->cores_known = true;
            free(cpus);
            cores = true;
        }
        if (n->memory_mib < 0 && n->n_cpus) {
            n->memory_mib = ASSUMED_NODE_MIB;
            mem = true;
        }
    }
    for (size_t i = 0; i < h->n_nics; i++)
        if (h->nics[i].sriov_vfs == 0) {
            h->nics[i].sriov_vfs = ASSUMED_NIC_VFS;
            vfs = true;
        }
    if (cores)
        gv_strbuf_append(assumed, ",cores=1-per-cpu");
    if (mem)
        gv_strbuf_printf(assumed, ",node-mib=%d", ASSUMED_NODE_MIB);
    if (vfs)
        gv_strbuf_printf(assumed, ",nic-vfs=%d", ASSUMED_NIC_VFS);
}

static void
put_ids(gv_strbuf *sb, const int *ids, size_t n)
{
    if (n)
        gv_cpulist_format_ids(sb, ids, n);
    else
        gv_strbuf_append(sb, "-");
}

static void
line_request(gv_strbuf *sb, const char *rel, const gv_request *r)
{
    gv_strbuf_printf(sb, "%s %s gpus=%d/%s vcpus=%d mem=%lld nic=%d ->", rel, r->name, r->gpu.count,
                     gv_gpu_topology_to_string(r->gpu.topology), r->vcpus, (long long)r->memory_mib,
                     r->nic_vfs);
}

static void
line_placement(gv_strbuf *sb, const gv_placement *p)
{
    GV_AUTOFREE int *cpus = gv_calloc((size_t)p->request.vcpus + 1, sizeof(int));

    for (int i = 0; i < p->request.vcpus; i++)
        cpus[i] = p->pins[i].pcpu;
    gv_strbuf_append(sb, " cpus=");
    put_ids(sb, cpus, (size_t)p->request.vcpus);
    gv_strbuf_append(sb, " emu=");
    put_ids(sb, p->emulator_cpus, p->n_emulator_cpus);
    gv_strbuf_append(sb, " mem=");
    for (size_t c = 0; c < p->n_cells; c++)
        gv_strbuf_printf(sb, "%sN%d:%lld", c ? "," : "", p->cells[c].host_numa,
                         (long long)p->cells[c].memory_mib);
    gv_strbuf_append(sb, " gpus=");
    for (size_t k = 0; k < p->n_gpus; k++)
        gv_strbuf_printf(sb, "%s%s", k ? "," : "", p->gpus[k].pci);
    gv_strbuf_append(sb, " nics=");
    for (size_t k = 0; k < p->n_vfs; k++)
        gv_strbuf_printf(sb, "%s%s#%d", k ? "," : "", p->vfs[k].pf_pci, p->vfs[k].vf);
    if (!p->n_vfs)
        gv_strbuf_append(sb, "-");
    gv_strbuf_putc(sb, '\n');
}

static void
line_host(gv_strbuf *sb, const char *rel, const gv_host *h, const host_facts *f,
          const char *assumed)
{
    gv_strbuf_printf(sb, "%s host name=%s gpus=%zu models=", rel, h->name, h->n_gpus);
    for (size_t i = 0; i < h->n_gpus; i++) {
        size_t n = 0;
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            seen = seen || !strcmp(h->gpus[j].model, h->gpus[i].model);
        if (seen)
            continue;
        for (size_t j = i; j < h->n_gpus; j++)
            n += !strcmp(h->gpus[j].model, h->gpus[i].model);
        gv_strbuf_printf(sb, "%s%s*%zu", i ? "," : "", h->gpus[i].model, n);
    }
    gv_strbuf_printf(sb, " vcpus/gpu=%d assumed=%s\n", f->vcpus_per_gpu,
                     assumed[0] ? assumed + 1 : "-");
}

static void
request_build(const host_facts *f, const char *name, int count, gv_gpu_topology topology, bool nic,
              gv_request *r)
{
    int vcpus = count * f->vcpus_per_gpu;
    int64_t mem = (int64_t)count * MIB_PER_GPU;

    gv_request_init(r);
    snprintf(r->name, sizeof(r->name), "%s", name);
    r->vcpus = vcpus < f->vcpu_cap ? vcpus : f->vcpu_cap;
    r->memory_mib = mem < f->mem_cap ? mem : f->mem_cap;
    r->cpu_policy = GV_CPU_DEDICATED;
    r->numa_policy = GV_NUMA_POLICY_STRICT;
    r->gpu.count = count;
    r->gpu.mode = GV_GPU_MODE_PASSTHROUGH;
    r->gpu.topology = topology;
    r->nic_vfs = nic && f->nic_near_gpu ? 1 : 0;
    r->nic_locality = GV_LOCALITY_ANY; /* the engine must still choose the closest NIC */
}

typedef struct host_run {
    topo_file *tf;
    const host_facts *f;
    ledger *l;
    gv_engine *e;
    gv_strbuf *lines;
} host_run;

/* Place @r on the host, check the decision. Returns 1 placed, 0 not, -1 broken (printed). */
static int
place_one(host_run *hr, const gv_request *r)
{
    GV_AUTOFREE char *where = gv_asprintf("%s %s", hr->tf->rel, r->name);
    GV_AUTOFREE char *fast_json = NULL;
    GV_AUTOFREE char *ref_json = NULL;
    gv_place_result ref, res;
    set_facts sf;
    verdict v = {.out = stdout, .where = where};
    gv_err err = {0};
    char buf[GV_ERR_WHERE_MAX + GV_ERR_MSG_MAX + 4];
    int rc_ref, rc;

    brute_force(hr->f, hr->l, r, &sf);
    rc_ref = gv_engine_place(hr->e, r, GV_PLACE_DRY_RUN | GV_PLACE_REFERENCE, &ref, &err);
    if (rc_ref < 0) {
        printf("    FAIL %s: the reference refused the request: %s\n", where,
               gv_err_format(&err, buf, sizeof(buf)));
        hr->tf->n_failures++;
        return -1;
    }
    rc = gv_engine_place(hr->e, r, 0, &res, &err);
    hr->tf->n_requests++;
    line_request(hr->lines, hr->tf->rel, r);
    if (rc < 0) {
        printf("    FAIL %s: the request was refused: %s\n", where,
               gv_err_format(&err, buf, sizeof(buf)));
        gv_strbuf_printf(hr->lines, " error %s\n", gv_errcode_to_string(err.code));
        gv_place_result_clear(&ref);
        hr->tf->n_failures++;
        return -1;
    }
    if (rc != rc_ref) {
        flag(&v, CK_FASTREF, "the fast path says %s, the reference %s",
             rc ? "placed" : "not placed", rc_ref ? "placed" : "not placed");
    } else if (rc == 1) {
        fast_json = gv_placement_to_json(&res.placement);
        ref_json = gv_placement_to_json(&ref.placement);
        if (strcmp(fast_json, ref_json))
            flag(&v, CK_FASTREF, "different placements:\n      fast:      %s\n      reference: %s",
                 fast_json, ref_json);
    }
    gv_err_clear(&err);
    if (gv_engine_check(hr->e, &err) < 0)
        flag(&v, CK_INVARIANTS, "%s", gv_err_format(&err, buf, sizeof(buf)));
    check_decision(hr->f, hr->l, r, &sf, rc == 1 ? &res.placement : NULL, &v);
    if (rc == 1) {
        line_placement(hr->lines, &res.placement);
        hr->tf->n_failures += try_mutations(hr->f, hr->l, r, &sf, &res.placement, where);
        ledger_take(hr->l, hr->f, &res.placement);
        hr->tf->n_placed++;
    } else {
        gv_strbuf_printf(hr->lines, " none (%s)\n",
                         res.explain.n_reasons ? gv_reason_to_string(res.explain.reasons[0].reason)
                                               : "no reason");
        if (!v.failed)
            printf("    ok   %s: not placed, and no free set would have fitted (%s)\n", where,
                   res.explain.n_reasons ? res.explain.reasons[0].detail : "");
    }
    hr->tf->n_failures += __builtin_popcount(v.failed);
    hr->tf->n_notes += v.notes;
    gv_place_result_clear(&ref);
    gv_place_result_clear(&res);
    return rc;
}

static void
skip_line(topo_file *tf, gv_strbuf *lines, const char *why, const char *detail)
{
    gv_strbuf_printf(lines, "%s skip %s\n", tf->rel, why);
    printf("SKIP %s: %s%s%s\n", tf->rel, why, detail ? ": " : "", detail ? detail : "");
    tf->result = "SKIP";
}

/* Run the sequence on @tf's host. Sets tf->lines and tf->result. */
static void
host_run_file(topo_file *tf)
{
    GV_AUTOFREE char *path = gv_asprintf("%s/%s", run.root, tf->rel);
    GV_AUTOPTR(gv_host) h = NULL;
    GV_AUTOPTR(gv_fleet) fleet = NULL;
    GV_AUTOPTR(gv_engine) e = NULL;
    gv_strbuf lines = {0}, assumed = {0};
    gv_err err = {0};
    char buf[GV_ERR_WHERE_MAX + GV_ERR_MSG_MAX + 4];
    gv_place_config cfg;
    host_facts f;
    ledger l;
    gv_host *hp;

    if (gv_topo_file_load(path, &h, &err) < 0) {
        GV_AUTOFREE char *why = gv_asprintf("load-refused-%s", gv_errcode_to_string(err.code));
        skip_line(tf, &lines, why, err.msg);
        tf->lines = gv_strbuf_steal(&lines);
        return;
    }
    if (!h->n_gpus) {
        skip_line(tf, &lines, "no-gpus", "the host has no GPU to place");
        tf->lines = gv_strbuf_steal(&lines);
        return;
    }
    if (!h->name[0])
        gv_host_set_str(&h->name, tf->rel);
    /* as the fleet loaders do (fleet_yaml.c): models from the PCI ids, "unknown" when none */
    gv_catalog_resolve_host(run.cat, h);
    for (size_t i = 0; i < h->n_gpus; i++) {
        bool first = !strcmp(h->gpus[i].model, "unknown");
        for (size_t j = 0; j < i && first; j++)
            first = h->gpus[j].vendor_id != h->gpus[i].vendor_id ||
                    h->gpus[j].device_id != h->gpus[i].device_id;
        if (first)
            printf("NOTE %s: GPUs %04x:%04x (first %s) have no catalog model: placed as whole "
                   "passthrough devices only\n",
                   tf->rel, h->gpus[i].vendor_id, h->gpus[i].device_id, h->gpus[i].pci);
    }
    host_complete(h, &assumed);
    if (gv_host_check(h, &err) < 0 || h->n_gpus > MAX_GPUS || h->n_nics > MAX_NICS ||
        h->n_numa > MAX_NUMA) {
        printf("FAIL %s: the completed host is not sound (or beyond the engine's limits): %s\n",
               tf->rel, gv_err_format(&err, buf, sizeof(buf)));
        tf->n_failures++;
        tf->result = "FAIL";
        tf->lines = gv_strbuf_steal(&lines);
        gv_strbuf_reset(&assumed);
        return;
    }
    hp = h;
    fleet = gv_fleet_new();
    if (gv_fleet_add_host(fleet, h, &err) == 0)
        h = NULL; /* the fleet owns it */
    if (h || gv_fleet_check(fleet, &err) < 0) {
        printf("FAIL %s: one-host fleet: %s\n", tf->rel, gv_err_format(&err, buf, sizeof(buf)));
        tf->n_failures++;
        tf->result = "FAIL";
        tf->lines = gv_strbuf_steal(&lines);
        gv_strbuf_reset(&assumed);
        return;
    }
    gv_place_config_init(&cfg);
    if (gv_engine_new(fleet, run.cat, &cfg, &e, &err) < 0) {
        GV_AUTOFREE char *why = gv_asprintf("engine-refused-%s", gv_errcode_to_string(err.code));
        skip_line(tf, &lines, why, err.msg);
        tf->lines = gv_strbuf_steal(&lines);
        gv_strbuf_reset(&assumed);
        return;
    }

    facts_init(&f, hp);
    ledger_init(&l, &f);
    line_host(&lines, tf->rel, hp, &f, gv_strbuf_str(&assumed));
    printf("RUN  %s: %zu GPUs, %zu NUMA nodes, %zu CPUs; requests ask %d vCPUs per GPU%s%s\n",
           tf->rel, hp->n_gpus, hp->n_numa, gv_host_n_cpus(hp), f.vcpus_per_gpu,
           assumed.len ? "; assumed " : "", assumed.len ? gv_strbuf_str(&assumed) + 1 : "");
    {
        host_run hr = {.tf = tf, .f = &f, .e = e, .lines = &lines};
        gv_request r;

        /* each request alone on the empty host, released again */
        for (size_t i = 0; i < GV_N_ELEMENTS(steps); i++) {
            int count = steps[i].gpus == COUNT_NODE ? f.node_count : steps[i].gpus;
            GV_AUTOFREE char *name = gv_asprintf("solo-%s", steps[i].name);
            GV_AUTOFREE char *before = gv_engine_state_dump(e);
            ledger scratch;

            ledger_copy(&scratch, &l, &f);
            hr.l = &scratch;
            request_build(&f, name, count, steps[i].topology, steps[i].nic, &r);
            if (place_one(&hr, &r) == 1) {
                GV_AUTOFREE char *after = NULL;
                if (gv_engine_release(e, name, &err) < 0 ||
                    strcmp(before, (after = gv_engine_state_dump(e)))) {
                    printf("    FAIL %s %s: %s: releasing it did not restore the engine state\n",
                           tf->rel, name, check_names[CK_INVARIANTS]);
                    tf->n_failures++;
                }
            }
            free(scratch.pinned);
        }
        /* then one after another until the host is full */
        hr.l = &l;
        for (size_t i = 0; i < GV_N_ELEMENTS(steps); i++) {
            int count = steps[i].gpus == COUNT_NODE ? f.node_count : steps[i].gpus;
            request_build(&f, steps[i].name, count, steps[i].topology, steps[i].nic, &r);
            place_one(&hr, &r);
        }
        for (size_t i = 1; i <= hp->n_gpus; i++) {
            char name[16];
            snprintf(name, sizeof(name), "fill-%02zu", i);
            request_build(&f, name, 1, GV_GPU_TOPO_ANY, false, &r);
            if (place_one(&hr, &r) != 1)
                break;
        }
    }
    run.n_hosts_run++;
    tf->result = tf->n_failures ? "FAIL" : "OK";
    printf("%s %s: %d requests, %d placed, %d not placed%s\n", tf->n_failures ? "FAIL" : "OK  ",
           tf->rel, tf->n_requests, tf->n_placed, tf->n_requests - tf->n_placed,
           tf->n_notes ? " (see the NOTEs)" : "");
    fflush(stdout);
    free(l.pinned);
    facts_fini(&f);
    gv_strbuf_reset(&assumed);
    tf->lines = gv_strbuf_steal(&lines);
}

/* ---- tests ---------------------------------------------------------------------------------- */

static void
test_placements(void **state)
{
    topo_file *tf = *state;

    host_run_file(tf);
    if (!strcmp(tf->result, "SKIP"))
        skip();
    if (tf->n_failures)
        fail_msg("%s: %d check(s) failed (details above)", tf->rel, tf->n_failures);
}

/* Every check was shown a doctored placement and rejected it. */
static void
test_checks_can_fail(void **state)
{
    int bad = 0;
    (void)state;

    run.checks_result = "FAIL";
    if (!run.n_hosts_run) {
        run.checks_result = "SKIP";
        skip();
    }
    for (mutation m = 0; m < MU_LAST; m++) {
        printf("%s %-13s rejected %3d of %3d doctored placements (%s); had a say in %3d real "
               "decisions\n",
               run.mu_tried[m] && !run.mu_missed[m] ? "OK  " : "FAIL", check_names[mutations[m].ck],
               run.mu_tried[m] - run.mu_missed[m], run.mu_tried[m], mutations[m].what,
               run.active[mutations[m].ck]);
        bad += !run.mu_tried[m] || run.mu_missed[m];
    }
    if (bad)
        fail_msg("%d check(s) were never shown to fail, or let a doctored placement pass", bad);
    run.checks_result = "OK";
}

static const char expect_header[] =
    "# placements.expect - golden placements on the real topologies of "
    "../shared/data/topologies/,\n"
    "# written by tests/shared/test_shared_placements.c. Do not edit by hand: regenerate with\n"
    "#   GV_TEST_REGENERATE=1 meson test -C BUILD shared/placements\n"
    "# and review the diff: a changed line is a changed engine decision on a real machine.\n"
    "#\n"
    "# <file> skip <why>        the file is not placed on (does not load, has no GPUs)\n"
    "# <file> host name=N gpus=N models=MODEL*N,... vcpus/gpu=N assumed=WHAT|-\n"
    "#     assumed: what the dump does not record and the test filled in (cores=1-per-cpu,\n"
    "#     node-mib=M: NCCL files; nic-vfs=N: VFs per NIC function)\n"
    "# <file> <request> gpus=COUNT/TOPOLOGY vcpus=N mem=MiB nic=VFS -> <result>\n"
    "#     every request: passthrough, dedicated CPUs, strict NUMA, NIC locality any\n"
    "#     result: cpus=<pinned host CPUs> emu=<emulator CPUs> mem=N<node>:MiB,...\n"
    "#             gpus=<PCI>,... nics=<PF PCI>#<VF>,...   or: none (<first reason>)\n";

/* The key of a golden line: its first two words. */
static size_t
line_key_len(const char *s)
{
    size_t a = strcspn(s, " \n");
    return s[a] == ' ' ? a + 1 + strcspn(s + a + 1, " \n") : a;
}

typedef struct gline {
    const char *s;
    size_t len, key;
    bool matched;
} gline;

static size_t
split_lines(char *text, gline **ret)
{
    size_t n = 0;

    for (char *s = text; s && *s;) {
        size_t len = strcspn(s, "\n");
        if (len && s[0] != '#') {
            gline *l = GV_ARRAY_APPEND(*ret, n);
            l->s = s;
            l->len = len;
            l->key = line_key_len(s);
        }
        s += len + (s[len] == '\n');
    }
    return n;
}

/*
 * Compare the golden lines of every file with placements.expect, or rewrite it under
 * GV_TEST_REGENERATE=1. Returns the number of drifted lines, or -1 (printed).
 */
static int
golden_run(void)
{
    GV_AUTOFREE char *path = gv_test_src(EXPECT_REL);
    GV_AUTOFREE char *expected = NULL;
    GV_AUTOFREE char *actual = NULL;
    GV_AUTOFREE gline *el = NULL;
    GV_AUTOFREE gline *al = NULL;
    gv_strbuf sb = {0};
    const char *regen = getenv("GV_TEST_REGENERATE");
    size_t n_e, n_a, len = 0;
    gv_err err = {0};
    int drift = 0;

    for (size_t i = 0; i < run.n_files; i++)
        gv_strbuf_append(&sb, run.files[i].lines ? run.files[i].lines : "");
    actual = gv_strbuf_steal(&sb);
    if (regen && *regen && strcmp(regen, "0")) {
        FILE *out = fopen(path, "w");
        if (!out) {
            printf("FAIL golden: cannot write %s: %s\n", path, strerror(errno));
            return -1;
        }
        fputs(expect_header, out);
        fputs(actual, out);
        if (fclose(out) != 0) {
            printf("FAIL golden: cannot write %s: %s\n", path, strerror(errno));
            return -1;
        }
        printf("REGENERATED %s (%zu bytes); review the diff\n", path, strlen(actual));
        run.golden_result = "REGENERATED";
        return 0;
    }
    if (gv_file_read(path, GV_FILE_MAX_BYTES, &expected, &len, &err) < 0) {
        printf("FAIL golden: %s: %s (write it with GV_TEST_REGENERATE=1)\n", path, err.msg);
        return -1;
    }
    n_e = split_lines(expected, &el);
    n_a = split_lines(actual, &al);
    for (size_t i = 0; i < n_a; i++) {
        gline *a = &al[i], *e = NULL;
        for (size_t j = 0; j < n_e && !e; j++)
            if (!el[j].matched && el[j].key == a->key && !memcmp(el[j].s, a->s, a->key))
                e = &el[j];
        if (!e) {
            printf("DRIFT %.*s: new, not in placements.expect:\n      actual:   %.*s\n",
                   (int)a->key, a->s, (int)a->len, a->s);
            drift++;
            continue;
        }
        e->matched = true;
        if (e->len != a->len || memcmp(e->s, a->s, a->len)) {
            printf("DRIFT %.*s:\n      expected: %.*s\n      actual:   %.*s\n", (int)a->key, a->s,
                   (int)e->len, e->s, (int)a->len, a->s);
            drift++;
        }
    }
    for (size_t j = 0; j < n_e; j++)
        if (!el[j].matched) {
            printf("DRIFT %.*s: expected, but no longer produced:\n      expected: %.*s\n",
                   (int)el[j].key, el[j].s, (int)el[j].len, el[j].s);
            drift++;
        }
    if (!drift) {
        printf("OK   golden: %zu lines match %s\n", n_a, EXPECT_REL);
        run.golden_result = "OK";
    }
    return drift;
}

static void
test_golden(void **state)
{
    int drift;
    (void)state;

    run.golden_result = "FAIL";
    drift = golden_run();
    fflush(stdout);
    if (drift < 0)
        fail_msg("the golden file could not be read or written (details above)");
    if (drift)
        fail_msg("%d golden line(s) drifted from %s (GV_TEST_REGENERATE=1 rewrites it; review "
                 "the diff)",
                 drift, EXPECT_REL);
}

/* ---- main ----------------------------------------------------------------------------------- */

static int
cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
list_files(void)
{
    for (size_t d = 0; d < GV_N_ELEMENTS(topo_dirs); d++) {
        GV_AUTOFREE char *dir = gv_asprintf("%s/%s", run.root, topo_dirs[d]);
        GV_AUTOFREE char **names = NULL;
        size_t n = 0;
        DIR *dh = opendir(dir);

        if (!dh) {
            fprintf(stderr, "FAIL %s: %s: %s\n", TEST_NAME, dir, strerror(errno));
            return -1;
        }
        for (struct dirent *de; (de = readdir(dh));)
            if (de->d_name[0] != '.')
                *GV_ARRAY_APPEND(names, n) = gv_strdup(de->d_name);
        closedir(dh);
        qsort(names, n, sizeof(char *), cmp_strp);
        for (size_t i = 0; i < n; i++) {
            topo_file *tf = GV_ARRAY_APPEND(run.files, run.n_files);
            tf->rel = gv_asprintf("%s/%s", topo_dirs[d], names[i]);
            free(names[i]);
        }
    }
    return 0;
}

static void
print_table(void)
{
    printf("\n%-58s %-6s %s\n", "file", "result", "placed");
    for (size_t i = 0; i < run.n_files; i++) {
        const topo_file *tf = &run.files[i];
        printf("%-58s %-6s %d/%d\n", tf->rel, tf->result ? tf->result : "NOT RUN", tf->n_placed,
               tf->n_requests);
    }
    printf("checks can fail: %s\n", run.checks_result ? run.checks_result : "NOT RUN");
    printf("golden: %s\n", run.golden_result ? run.golden_result : "NOT RUN");
}

int
main(void)
{
    GV_AUTOFREE struct CMUnitTest *tests = NULL;
    size_t n_tests = 0;
    int failed;

    run.root = gv_test_shared_dir(TEST_NAME, "topologies");
    if (list_files() < 0)
        return 1;
    run.cat = gv_test_shipped_catalog();
    for (size_t i = 0; i < run.n_files; i++) {
        topo_file *tf = &run.files[i];
        tf->test_name = gv_asprintf("placements %s", tf->rel);
        *GV_ARRAY_APPEND(tests, n_tests) = (struct CMUnitTest){
            .name = tf->test_name,
            .test_func = test_placements,
            .initial_state = tf,
        };
    }
    *GV_ARRAY_APPEND(tests, n_tests) = (struct CMUnitTest){
        .name = "every check can fail",
        .test_func = test_checks_can_fail,
    };
    *GV_ARRAY_APPEND(tests, n_tests) = (struct CMUnitTest){
        .name = "golden",
        .test_func = test_golden,
    };

    failed = _cmocka_run_group_tests(TEST_NAME, tests, n_tests, NULL, NULL);
    print_table();

    for (size_t i = 0; i < run.n_files; i++) {
        free(run.files[i].rel);
        free(run.files[i].test_name);
        free(run.files[i].lines);
    }
    free(run.files);
    free(run.root);
    gv_catalog_free(run.cat);
    return failed ? 1 : 0;
}
