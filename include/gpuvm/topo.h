/*
 * topo.h - the fleet model: hosts, their NUMA nodes, cores, PCIe trees and devices.
 *
 * Design notes
 *
 * Definitions
 *   fleet    a set of pools and the hosts it owns (gv_fleet owns every gv_host).
 *   host     one hypervisor machine: NUMA nodes, packages, a PCIe tree, GPUs, NICs, NVMe drives,
 *            GPU interconnect links, and operator attributes (pool, zone, labels, state...).
 *   numa     a NUMA node by its OS index; cores with their hardware threads (PUs, by OS index),
 *            memory in MiB and hugepage counts. A memory-only node has no cores.
 *   pcie     the PCIe tree as host bridges, root ports and switches. A switch is one node even
 *            though the hardware shows it as an upstream port plus downstream ports, so that
 *            "under one switch" is a parent test, as nvidia-smi's PIX means it.
 *   device   a GPU, NIC or NVMe function, with its PCI address and its parent pcie node.
 *   link     a GPU-to-GPU NVLink/xGMI edge, or a GPU's links into an NVSwitch fabric.
 *
 * Unknowns are explicit, never guessed: a NUMA id is GV_NUMA_UNKNOWN when the source does not
 * know the locality; memory and hugepages are GV_UNKNOWN; a NUMA node with no core list (as
 * NCCL topology files have) has n_cores == 0 and cores_known == false.
 *
 * Invariants (checked by gv_host_check / gv_fleet_check, which tests run after every mutation)
 *   1. NUMA ids are unique and >= 0; every CPU id appears in exactly one core of one node.
 *   2. Every device or pcie node's numa is GV_NUMA_UNKNOWN or the id of a node of the host.
 *   3. PCI addresses are canonical ("dddd:bb:dd.f", lower case) and unique across the host.
 *   4. pcie parents are valid indices or -1, and the tree has no cycles; host bridges are roots.
 *   5. Every link refers to GPUs of the host; a GPU-GPU link never joins a GPU to itself.
 *      MIG GPU instances exist only on GPUs in MIG mode, ascending by start, starts distinct
 *      (whether they fit the model's geometry is the catalog's check: gv_catalog_check_host).
 *   6. reserved_cpus are CPUs of the host.
 *   7. Host names are unique in a fleet; every host's pool is a pool of the fleet (when the
 *      fleet defines pools).
 *
 * Ownership: a fleet owns its hosts; a host owns every string and array it points to.
 * Loaders build a host completely, check it, and only then hand it to the caller.
 */
#ifndef GPUVM_TOPO_H
#define GPUVM_TOPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gpuvm/alloc.h"
#include "gpuvm/err.h"

#define GV_NUMA_UNKNOWN (-1)
#define GV_UNKNOWN (-1)    /* for int64 quantities the source did not give */
#define GV_PCI_ADDR_LEN 16 /* "dddd:bb:dd.f" + NUL, rounded */
#define GV_MAX_THREADS_PER_CORE 8
#define GV_MODEL_LEN 48
#define GV_GPU_MAX_INSTANCES 8 /* MIG GPU instances per GPU: at most one per memory slice */
#define GV_MIG_PROFILE_LEN 24

/* Enums: each has a _LAST sentinel and to/from-string via one table in topo_enum.c. */
typedef enum gv_host_state {
    GV_HOST_READY,
    GV_HOST_CORDONED,
    GV_HOST_MAINTENANCE,
    GV_HOST_DOWN,
    GV_HOST_STATE_LAST
} gv_host_state;

typedef enum gv_pcie_kind {
    GV_PCIE_HOSTBRIDGE,
    GV_PCIE_ROOTPORT,
    GV_PCIE_SWITCH,
    GV_PCIE_KIND_LAST
} gv_pcie_kind;

/* How a GPU is configured to be handed out. */
typedef enum gv_gpu_mode {
    GV_GPU_MODE_PASSTHROUGH, /* whole device by VFIO */
    GV_GPU_MODE_MIG,         /* MIG-partitioned */
    GV_GPU_MODE_VGPU,        /* time-sliced vGPU */
    GV_GPU_MODE_SRIOV,       /* SR-IOV virtual functions (e.g. AMD MxGPU) */
    GV_GPU_MODE_SHARE,       /* fractional: VMs share the device in milli-GPUs (best-effort vGPU,
                                GPU-sharing schedulers); any model */
    GV_GPU_MODE_LAST
} gv_gpu_mode;

typedef enum gv_link_kind {
    GV_LINK_NVLINK,
    GV_LINK_XGMI,
    GV_LINK_KIND_LAST
} gv_link_kind;

typedef enum gv_pool_strategy {
    GV_POOL_PACK,   /* fuller hosts first: whole hosts stay free for big VMs */
    GV_POOL_SPREAD, /* emptier hosts first: less contention */
    GV_POOL_NONE,   /* neither: fragmentation and locality alone decide, ties to the host order */
    GV_POOL_STRATEGY_LAST
} gv_pool_strategy;

/* Device-to-device distance classes, nearest first, as `nvidia-smi topo -m` names them. */
typedef enum gv_dist {
    GV_DIST_SELF,   /* X */
    GV_DIST_NVLINK, /* NV# : direct NVLink/xGMI or the same NVSwitch fabric */
    GV_DIST_PIX,    /* at most one PCIe switch */
    GV_DIST_PXB,    /* several switches, no host bridge */
    GV_DIST_PHB,    /* through one PCIe host bridge */
    GV_DIST_NODE,   /* between host bridges of one NUMA node */
    GV_DIST_SYS,    /* across NUMA nodes / sockets, or locality unknown */
    GV_DIST_LAST
} gv_dist;

typedef enum gv_dev_kind {
    GV_DEV_GPU,
    GV_DEV_NIC,
    GV_DEV_NVME,
    GV_DEV_KIND_LAST
} gv_dev_kind;

typedef struct gv_core {
    int n_threads;
    int threads[GV_MAX_THREADS_PER_CORE]; /* PU OS indices, ascending */
} gv_core;

typedef struct gv_numa {
    int id;           /* OS index (not necessarily dense: AC922 has 0 and 8) */
    bool cores_known; /* false when the source lists no cores (NCCL files) */
    size_t n_cores;
    gv_core *cores; /* ascending by first thread */
    size_t n_cpus;
    int *cpus;            /* all PUs of the node, ascending; the union of cores when known,
                             else what the source gave (NCCL affinity mask) */
    int64_t memory_mib;   /* GV_UNKNOWN when not known */
    int64_t hugepages_2m; /* free+used 2 MiB pages configured, GV_UNKNOWN when not known */
    int64_t hugepages_1g;
} gv_numa;

typedef struct gv_package {
    int id;
    size_t n_numa;
    int *numa; /* NUMA ids whose CPUs sit in this package, ascending */
} gv_package;

typedef struct gv_pcie_node {
    char name[GV_PCI_ADDR_LEN + 8]; /* PCI address of the bridge/port, or "hbN" for a host bridge */
    gv_pcie_kind kind;
    int parent; /* index in host->pcie, -1 for a root */
    int numa;   /* GV_NUMA_UNKNOWN when not known */
} gv_pcie_node;

/* A MIG GPU instance that exists on a device: its profile (catalog name) at a memory slice. */
typedef struct gv_gpu_instance {
    char profile[GV_MIG_PROFILE_LEN]; /* "3g.40gb" */
    int start;                        /* first memory slice */
} gv_gpu_instance;

typedef struct gv_gpu {
    char pci[GV_PCI_ADDR_LEN];
    uint16_t vendor_id;
    uint16_t device_id;
    char model[GV_MODEL_LEN]; /* catalog model name, or "unknown" */
    int numa;                 /* GV_NUMA_UNKNOWN when not known */
    int pcie_parent;          /* index in host->pcie, -1 when not known */
    gv_gpu_mode mode;
    int sriov_vfs;      /* VFs enabled for GV_GPU_MODE_SRIOV; 0 otherwise */
    char vgpu_type[32]; /* for GV_GPU_MODE_VGPU: the type the GPU is set to, "" = any */
    int n_instances;    /* for GV_GPU_MODE_MIG: GPU instances that exist (0 = none yet) */
    gv_gpu_instance instances[GV_GPU_MAX_INSTANCES]; /* ascending by start */
} gv_gpu;

typedef struct gv_nic {
    char pci[GV_PCI_ADDR_LEN];
    uint16_t vendor_id;
    uint16_t device_id;
    char name[32]; /* OS name (eth0, mlx5_0) when known, else "" */
    int numa;
    int pcie_parent;
    int sriov_vfs;      /* SR-IOV VFs the function can expose; 0 = none */
    int64_t speed_mbps; /* GV_UNKNOWN when not known */
} gv_nic;

typedef struct gv_nvme {
    char pci[GV_PCI_ADDR_LEN];
    uint16_t vendor_id;
    uint16_t device_id;
    char name[32]; /* nvme0n1, when known */
    int numa;
    int pcie_parent;
    int64_t capacity_gib; /* GV_UNKNOWN when not known */
} gv_nvme;

typedef struct gv_link {
    gv_link_kind kind;
    int a;     /* GPU index */
    int b;     /* GPU index, or -1: @a's links go into a switch fabric (NVSwitch) */
    int count; /* bonded links (NV18 -> 18); 0 when not known */
} gv_link;

typedef struct gv_label {
    char *key;
    char *value;
} gv_label;

typedef struct gv_host {
    char *name;
    char *pool; /* "" when none */
    char *zone; /* "" when none */
    size_t n_labels;
    gv_label *labels; /* sorted by key, keys unique */
    gv_host_state state;
    char *hypervisor_uri; /* "" when none */
    char *datastore;      /* storage path for VM scratch/images, "" when none */
    size_t n_reserved_cpus;
    int *reserved_cpus;  /* PUs kept for the host itself, ascending */
    bool reconfigurable; /* an idle GPU may be switched between whole/MIG/vGPU by the scheduler */
    bool mig_fixed;      /* the MIG layout is managed outside gpuvm (mig-parted): its idle
                            instances are handed out, none is created or destroyed */

    size_t n_numa;
    gv_numa *numa; /* ascending by id */
    size_t n_packages;
    gv_package *packages;
    size_t n_pcie;
    gv_pcie_node *pcie;
    size_t n_gpus;
    gv_gpu *gpus; /* ascending by PCI address */
    size_t n_nics;
    gv_nic *nics;
    size_t n_nvme;
    gv_nvme *nvme;
    size_t n_links;
    gv_link *links;
} gv_host;

typedef struct gv_pool {
    char *name;
    gv_pool_strategy strategy;
    bool mix_classes;      /* training, inference and notebook VMs may share a host */
    double cpu_overcommit; /* vCPUs per PU for shared-CPU VMs; 1.0 = none */
} gv_pool;

typedef struct gv_fleet_index gv_fleet_index;

typedef struct gv_fleet {
    size_t n_pools;
    gv_pool *pools;
    size_t n_hosts;
    gv_host **hosts;       /* in declaration order */
    gv_fleet_index *index; /* private: host names -> hosts, kept by gv_fleet_add_host */
} gv_fleet;

/* ---- enums ---------------------------------------------------------------------------------- */

const char *gv_host_state_to_string(gv_host_state s);
int gv_host_state_from_string(const char *s); /* -1 when unknown */
const char *gv_pcie_kind_to_string(gv_pcie_kind k);
int gv_pcie_kind_from_string(const char *s);
const char *gv_gpu_mode_to_string(gv_gpu_mode m);
int gv_gpu_mode_from_string(const char *s);
const char *gv_link_kind_to_string(gv_link_kind k);
int gv_link_kind_from_string(const char *s);
const char *gv_pool_strategy_to_string(gv_pool_strategy s);
int gv_pool_strategy_from_string(const char *s);
/* The names of host states and pool strategies by value, NULL-terminated (for readers that
 * list them in their errors). */
extern const char *const gv_host_state_names[GV_HOST_STATE_LAST + 1];
extern const char *const gv_pool_strategy_names[GV_POOL_STRATEGY_LAST + 1];
const char *gv_dist_to_string(gv_dist d); /* "X", "NV", "PIX", ... */
const char *gv_dev_kind_to_string(gv_dev_kind k);

/* ---- PCI addresses -------------------------------------------------------------------------- */

/*
 * Canonicalise a PCI address: "0000:18:00.0", "18:00.0" (domain 0), "00000000:18:00.0" (NVML's
 * 8-digit domain) and upper case all become "0000:18:00.0".
 * Returns: 0, or -GV_E_INVAL when @s is not a PCI address.
 */
int gv_pci_addr_normalize(const char *s, char ret[GV_PCI_ADDR_LEN], gv_err *err);

/*
 * The address of VF @vf (0-based) of the physical function @pf, with the first-VF offset and
 * VF stride that ConnectX and NVIDIA/AMD GPUs use (1 and 1: VF n at devfn(pf) + 1 + n, carried
 * into the next bus past function 255). A host agent reads the real addresses from the PF's
 * virtfnN links; this is the planning estimate. Returns 0, or -GV_E_INVAL.
 */
int gv_pci_vf_addr(const char *pf, int vf, char ret[GV_PCI_ADDR_LEN], gv_err *err);

/* The same in parts, for callers that format many VFs of one PF: an address as its domain and
 * routing id (bus << 8 | device << 3 | function), 0 or -GV_E_INVAL; the routing id of VF @vf,
 * 0 or -GV_E_INVAL past bus ff; and the canonical text of a domain and routing id. */
int gv_pci_addr_split(const char *s, unsigned *domain, unsigned *rid, gv_err *err);
int gv_pci_vf_rid(unsigned pf_rid, int vf, unsigned *ret);
void gv_pci_addr_format(unsigned domain, unsigned rid, char ret[GV_PCI_ADDR_LEN]);

/* ---- hosts ---------------------------------------------------------------------------------- */

/* A new empty host named @name: state ready, all attributes empty. */
gv_host *gv_host_new(const char *name);
void gv_host_free(gv_host *h);
GV_DEFINE_AUTOPTR(gv_host, gv_host_free)
/* A deep copy under a new name (NULL keeps the name). */
gv_host *gv_host_copy(const gv_host *h, const char *name);

/* Builders: each appends a zeroed/defaulted element and returns it for the caller to fill. */
gv_numa *gv_host_add_numa(gv_host *h, int id); /* memory and hugepages unknown */
void gv_numa_add_core(gv_numa *n, const int *threads, int n_threads);
gv_package *gv_host_add_package(gv_host *h, int id);
int gv_host_add_pcie(gv_host *h, const char *name, gv_pcie_kind kind, int parent, int numa);
gv_gpu *gv_host_add_gpu(gv_host *h); /* numa unknown, no parent */
gv_nic *gv_host_add_nic(gv_host *h);
gv_nvme *gv_host_add_nvme(gv_host *h);
gv_link *gv_host_add_link(gv_host *h, gv_link_kind kind, int a, int b, int count);
void gv_host_set_label(gv_host *h, const char *key, const char *value);
const char *gv_host_get_label(const gv_host *h, const char *key);
void gv_host_set_str(char **field, const char *value); /* replace an owned string field */

/*
 * Put a freshly built host into canonical order: NUMA nodes by id, cores by first thread, cpus
 * ascending, devices by PCI address (pcie parent indices and link GPU indices follow the moves),
 * labels by key. Loaders call this once before gv_host_check.
 */
void gv_host_sort(gv_host *h);

/* Lookups. Return an index or -1. */
int gv_host_find_numa(const gv_host *h, int id);
int gv_host_find_pcie(const gv_host *h, const char *name);
int gv_host_find_gpu(const gv_host *h, const char *pci);
int gv_host_find_nic(const gv_host *h, const char *pci);
int gv_host_find_nvme(const gv_host *h, const char *pci);

/* The NUMA node holding PU @cpu, or GV_NUMA_UNKNOWN. */
int gv_host_cpu_numa(const gv_host *h, int cpu);

/* Totals over the host; memory counts only nodes whose memory is known. */
size_t gv_host_n_cores(const gv_host *h);
size_t gv_host_n_cpus(const gv_host *h);
int64_t gv_host_memory_mib(const gv_host *h);

/* Check invariants 1-6. Returns 0 or -GV_E_INVAL with the first violation. */
int gv_host_check(const gv_host *h, gv_err *err);

/* ---- distances ------------------------------------------------------------------------------ */

typedef struct gv_dev_ref {
    gv_dev_kind kind;
    int index;
} gv_dev_ref;

/* Distance class between two devices of @h (see gv_dist). */
gv_dist gv_host_distance(const gv_host *h, gv_dev_ref a, gv_dev_ref b);

/* Number of bonded links between GPUs @a and @b (0 = none); through a fabric, the smaller side. */
int gv_host_gpu_link_count(const gv_host *h, int a, int b);

/*
 * Label GPUs by interconnect island: GPUs joined by links (directly or through a fabric) share
 * an island id; a GPU with no link is alone. @ret has h->n_gpus entries; ids are 0.. in GPU order.
 * Returns the number of islands.
 */
int gv_host_gpu_islands(const gv_host *h, int *ret);

/* ---- fleets --------------------------------------------------------------------------------- */

gv_fleet *gv_fleet_new(void);
void gv_fleet_free(gv_fleet *f);
GV_DEFINE_AUTOPTR(gv_fleet, gv_fleet_free)

/*
 * Take ownership of @h. Returns 0, or -GV_E_CONFLICT (name taken; @h is not taken).
 * A host's name must not change while it is in a fleet: names are indexed (gv_fleet_check
 * reports a host that was renamed in place).
 */
int gv_fleet_add_host(gv_fleet *f, gv_host *h, gv_err *err);
gv_host *gv_fleet_find_host(const gv_fleet *f, const char *name);
/* The position of host @name in f->hosts, or -1 (through the name index). */
long gv_fleet_host_index(const gv_fleet *f, const char *name);
/* Add or replace a pool definition. */
gv_pool *gv_fleet_set_pool(gv_fleet *f, const char *name);
const gv_pool *gv_fleet_find_pool(const gv_fleet *f, const char *name);

/* Check every host and invariant 7. Returns 0 or -GV_E_INVAL naming the host. */
int gv_fleet_check(const gv_fleet *f, gv_err *err);

/* ---- canonical JSON (topo_json.c) ------------------------------------------------------------ */

/*
 * The canonical text form of a fleet: {"format": "gpuvm-fleet/1", "pools": [...], "hosts": [...]}.
 * Parsing a written text and writing it again yields identical bytes.
 * gv_fleet_from_json: @source names the input in errors. Returns 0 or -GV_E_PARSE/-GV_E_INVAL.
 */
char *gv_fleet_to_json(const gv_fleet *f);
int gv_fleet_from_json(const char *text, size_t len, const char *source, gv_fleet **ret,
                       gv_err *err);

/* ---- host name ranges (name_range.c) -------------------------------------------------------- */

#define GV_NAME_RANGE_MAX 100000 /* hosts one pattern may expand to */

/*
 * Expand "gpu-r1-[01-16]" (zero padding kept, several brackets multiply, "[1-3,7]" lists) into
 * names. A pattern without brackets is itself. Returns the count (*ret: array of owned strings,
 * free with gv_strv_free), or -GV_E_INVAL / -GV_E_LIMIT.
 */
int gv_name_range_expand(const char *pattern, char ***ret, gv_err *err);
void gv_strv_free(char **v, size_t n);

#endif
