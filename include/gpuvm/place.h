/*
 * place.h - the placement engine: where a VM goes and exactly which CPUs, memory, GPU slices,
 * VFs and scratch it gets, or precisely why it cannot go anywhere.
 *
 * Design notes
 *
 * Definitions
 *   request    what a VM asks for (gv_request): plain data with fixed-size fields, so it can be
 *              copied, compared and hashed. Parsed from JSON/YAML by gv_request_parse_*; checked
 *              against a fleet and catalog by gv_engine_check_request.
 *   engine     the fleet (borrowed) plus its allocation state, kept outside gv_host: per host
 *              which CPU threads are pinned, shared vCPU load, free memory and hugepages per
 *              NUMA node, each GPU's current mode, MIG instances, vGPUs and VFs, NIC VFs,
 *              scratch space, and the VMs placed there. All mutations go through
 *              gv_engine_place, gv_engine_release and gv_engine_restore; the fleet changes
 *              only through gv_engine_set_host_state.
 *   candidate  one host with one concrete choice of devices and CPUs for a request, and its
 *              score. Filters reject a host with a reason (gv_reason) and a one-line detail.
 *   placement  the chosen candidate (gv_placement): what the VM was given, renderable as JSON,
 *              text or a libvirt domain.
 *   shape      a request without its name and tenant: requests of one shape are interchangeable
 *              for the engine, which caches per shape.
 *   mix        the expected workload: shapes with weights. Fragmentation of a host is the free
 *              GPU capacity the mix could not use there (the FGD measure, generalised to MIG
 *              geometry, vGPU types and VFs).
 *
 * Invariants (gv_engine_check verifies them; tests run it after every mutation)
 *   1. No CPU thread is pinned twice; host-reserved CPUs are never pinned; shared vCPUs on a
 *      NUMA node never exceed its unpinned, unreserved threads times the pool's overcommit.
 *   2. Free memory and hugepages per NUMA node are the node's totals minus what the placed VMs
 *      hold there, and never negative.
 *   3. A GPU serves one attachment model; MIG instances lie at valid starts and do not overlap;
 *      vGPUs obey the model's equal/mixed-size rules and ride on the VF of their slot exactly
 *      when the model carries vGPUs on VFs (catalog on_vfs); no MIG instance, vGPU slot, GPU VF
 *      or NIC VF has two owners; a passthrough GPU has at most one owner.
 *   4. Every VM's resources are exactly those its placement lists; releasing a VM restores the
 *      state byte for byte as it was before it was placed (gv_engine_state_dump).
 *
 * Determinism: the engine has no clocks, randomness or hash-order dependence. Among feasible
 * hosts the highest total score wins, ties go to the smaller host name. The fast path (indexes
 * and caches) and the reference (every host, every candidate device set, no caches) decide
 * identically; tests compare them on random workloads.
 */
#ifndef GPUVM_PLACE_H
#define GPUVM_PLACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gpuvm/alloc.h"
#include "gpuvm/err.h"
#include "gpuvm/gpu.h"
#include "gpuvm/topo.h"

/* ---- requests ------------------------------------------------------------------------------- */

#define GV_REQ_NAME_LEN 64   /* VM, tenant, pool, zone, group names and label keys/values */
#define GV_REQ_MAX_MODELS 16 /* gpu.models */
#define GV_REQ_MAX_ZONES 16
#define GV_REQ_MAX_LABELS 16
#define GV_REQ_MAX_VCPUS 1024
#define GV_REQ_MAX_GPUS 16 /* gpu.count: GPUs, MIG instances, vGPUs or GPU VFs */
#define GV_REQ_MAX_NIC_VFS 16
#define GV_REQ_MAX_MEMORY_MIB (64LL << 20) /* 64 TiB */
#define GV_REQ_MAX_SCRATCH_GIB (1LL << 20) /* 1 PiB */
#define GV_VGPU_TYPE_LEN 32

/* Enums: each has a _LAST sentinel and to/from-string via one table in request.c. */
typedef enum gv_hugepages {
    GV_HUGEPAGES_NONE,
    GV_HUGEPAGES_2M,
    GV_HUGEPAGES_1G,
    GV_HUGEPAGES_LAST
} gv_hugepages; /* "none", "2M", "1G" */

typedef enum gv_cpu_policy {
    GV_CPU_DEDICATED, /* each vCPU pinned to its own host thread, whole cores */
    GV_CPU_SHARED,    /* vCPUs float over a NUMA node's unpinned threads, overcommitted */
    GV_CPU_POLICY_LAST
} gv_cpu_policy;

typedef enum gv_numa_policy {
    GV_NUMA_POLICY_STRICT,    /* everything on the NUMA node(s) of the VM's GPUs, or no fit */
    GV_NUMA_POLICY_PREFERRED, /* the same when possible, else each violation is reported */
    GV_NUMA_POLICY_NONE,      /* anywhere */
    GV_NUMA_POLICY_LAST
} gv_numa_policy;

/* How close a multi-GPU passthrough set must be ("any" still prefers the closest). */
typedef enum gv_gpu_topology {
    GV_GPU_TOPO_ANY,
    GV_GPU_TOPO_SAME_NUMA,
    GV_GPU_TOPO_SAME_SWITCH,
    GV_GPU_TOPO_NVLINK, /* one NVLink/xGMI island */
    GV_GPU_TOPO_LAST
} gv_gpu_topology; /* "any", "same-numa", "same-switch", "nvlink" */

/* Where NIC VFs or scratch must sit relative to the VM's GPUs (or its CPUs without GPUs). */
typedef enum gv_locality {
    GV_LOCALITY_ANY, /* no requirement; closer still scores higher */
    GV_LOCALITY_SAME_NUMA,
    GV_LOCALITY_SAME_SWITCH, /* under the same PCIe switch as one of the VM's GPUs (PIX) */
    GV_LOCALITY_LAST
} gv_locality; /* "any", "same-numa", "same-switch" */

typedef enum gv_workload_class {
    GV_CLASS_NONE, /* unclassified: never conflicts with another class */
    GV_CLASS_TRAINING,
    GV_CLASS_INFERENCE,
    GV_CLASS_NOTEBOOK,
    GV_CLASS_LAST
} gv_workload_class; /* "none", "training", "inference", "notebook" */

typedef enum gv_io {
    GV_IO_NORMAL,
    GV_IO_HEAVY, /* spread across datastores, at most io_heavy_per_datastore per datastore */
    GV_IO_LAST
} gv_io;

typedef struct gv_gpu_request {
    int count;        /* 0: no GPU. passthrough GPUs / MIG instances / vGPUs / GPU VFs */
    gv_gpu_mode mode; /* meaningful when count > 0 */
    size_t n_models;  /* acceptable catalog models; 0 = any */
    char models[GV_REQ_MAX_MODELS][GV_MODEL_LEN];
    gv_gpu_topology topology;         /* passthrough only */
    char profile[GV_MIG_PROFILE_LEN]; /* mig: "3g.40gb" */
    char vgpu_type[GV_VGPU_TYPE_LEN]; /* vgpu: "A100-4C" */
    int milli; /* share: milli-GPUs on each of the count GPUs, 1..1000 (1000: a GPU no one else
                  shares); 0 otherwise */
} gv_gpu_request;

typedef struct gv_req_label {
    char key[GV_REQ_NAME_LEN];
    char value[GV_REQ_NAME_LEN];
} gv_req_label;

typedef struct gv_request {
    char name[GV_REQ_NAME_LEN]; /* unique among placed VMs */
    char tenant[GV_REQ_NAME_LEN];
    int vcpus;          /* 1..GV_REQ_MAX_VCPUS */
    int64_t cpu_milli;  /* shared CPUs: the host CPU the VM is entitled to, in milli-CPUs,
                           1..vcpus x 1000 (a quota, as Kubernetes' CPU requests); 0 = a whole
                           CPU per vCPU. Dedicated VMs own whole threads: 0 */
    int64_t memory_mib; /* 1..GV_REQ_MAX_MEMORY_MIB; a multiple of the page size with hugepages */
    gv_hugepages hugepages;
    gv_cpu_policy cpu_policy;
    gv_numa_policy numa_policy;
    gv_gpu_request gpu;
    int nic_vfs; /* nics.vfs */
    gv_locality nic_locality;
    int64_t scratch_gib; /* 0: no scratch disk */
    gv_locality scratch_locality;
    char pool[GV_REQ_NAME_LEN]; /* "" = any pool */
    size_t n_zones;             /* 0 = any zone */
    char zones[GV_REQ_MAX_ZONES][GV_REQ_NAME_LEN];
    size_t n_labels; /* every label must match the host's */
    gv_req_label labels[GV_REQ_MAX_LABELS];
    char anti_affinity[GV_REQ_NAME_LEN]; /* group name, "" = none */
    gv_workload_class class;
    gv_io io;
} gv_request;

const char *gv_hugepages_to_string(gv_hugepages v);
int gv_hugepages_from_string(const char *s); /* -1 when unknown */
const char *gv_cpu_policy_to_string(gv_cpu_policy v);
int gv_cpu_policy_from_string(const char *s);
const char *gv_numa_policy_to_string(gv_numa_policy v);
int gv_numa_policy_from_string(const char *s);
const char *gv_gpu_topology_to_string(gv_gpu_topology v);
int gv_gpu_topology_from_string(const char *s);
const char *gv_locality_to_string(gv_locality v);
int gv_locality_from_string(const char *s);
const char *gv_workload_class_to_string(gv_workload_class v);
int gv_workload_class_from_string(const char *s);
const char *gv_io_to_string(gv_io v);
int gv_io_from_string(const char *s);

/*
 * The defaults every parsed request starts from: 1 vCPU, 1024 MiB, no hugepages, dedicated
 * CPUs, preferred NUMA, no GPU, no VFs, no scratch, any pool/zone, class none, io normal.
 */
void gv_request_init(gv_request *r);

/*
 * Parse one request from a JSON object / JSON text / YAML text. Strict: unknown keys, wrong
 * types and out-of-range values are refused with the field path ("gpu.count: expected an
 * integer in 1..16"). @base (may be NULL) is the starting point instead of gv_request_init:
 * a flavor, which the request's fields override. Only syntax and ranges are checked here;
 * names of models, profiles and types are checked against a fleet by gv_engine_check_request.
 * Returns: 0, -GV_E_PARSE (not JSON/YAML), -GV_E_INVAL (a bad field), -GV_E_LIMIT.
 */
int gv_request_parse_json(const char *text, size_t len, const char *source, const gv_request *base,
                          gv_request *ret, gv_err *err);
int gv_request_parse_yaml(const char *text, size_t len, const char *source, const gv_request *base,
                          gv_request *ret, gv_err *err);

/* The request as canonical JSON (every field, defaults included). Caller frees. */
char *gv_request_to_json(const gv_request *r);

/* One line of a request stream (--requests FILE.jsonl): a request, or {"release": "NAME"}. */
typedef struct gv_stream_item {
    bool is_release;
    char release[GV_REQ_NAME_LEN]; /* the VM to release */
    gv_request request;            /* the request (over @base) */
} gv_stream_item;

/*
 * Parse line @lineno (1-based) of a request stream: one JSON object per line, a request over
 * @base (which must end up with a name) or {"release": "NAME"} (no other key). Lines of at most
 * 1 MiB. Errors are located "source:LINE: path: reason" (err.where is "source:LINE").
 * Returns: 0 (an item in @ret), 1 (a blank line, or a comment: its first non-blank character is
 * '#'; @ret untouched), -GV_E_PARSE, -GV_E_INVAL, -GV_E_LIMIT (@ret untouched).
 */
int gv_stream_parse_line(const char *line, size_t len, const char *source, size_t lineno,
                         const gv_request *base, gv_stream_item *ret, gv_err *err);

/* ---- placements ----------------------------------------------------------------------------- */

#define GV_PLACE_MAX_CELLS 8 /* guest NUMA cells: one per host NUMA node used */
#define GV_PLACE_MAX_VIOLATIONS 32
#define GV_PLACE_MAX_NUMA 64 /* host NUMA nodes a VM's vCPUs may count against */

typedef struct gv_vcpu_pin {
    int vcpu;
    int pcpu; /* the host thread, or -1 for a shared vCPU (it floats over its cell's set) */
    int cell; /* guest NUMA cell */
} gv_vcpu_pin;

/* How many of a VM's vCPUs count against one host NUMA node: its pinned threads there, or for
 * shared vCPUs the node's part of the VM's milli-CPUs (split by these counts). */
typedef struct gv_numa_vcpus {
    int numa; /* host NUMA node id */
    int vcpus;
} gv_numa_vcpus;

typedef struct gv_guest_cell {
    int id;         /* 0.. */
    int host_numa;  /* the host NUMA node backing it */
    int first_vcpu; /* vCPUs first_vcpu .. first_vcpu + n_vcpus - 1 */
    int n_vcpus;
    int64_t memory_mib; /* on host_numa */
    size_t n_shared_cpus;
    int *shared_cpus; /* shared policy: the host threads its vCPUs float over; owned */
} gv_guest_cell;

typedef struct gv_placed_gpu {
    int gpu; /* index in host->gpus; -1 when parsed (gv_engine_restore finds it by pci) */
    char pci[GV_PCI_ADDR_LEN];
    char model[GV_MODEL_LEN];
    int numa;
    gv_gpu_mode mode;
    /* mig */
    char profile[GV_MIG_PROFILE_LEN];
    int start;    /* first memory slice */
    int size;     /* memory slices */
    bool created; /* the GPU instance is created for this VM (false: an idle existing one) */
    /* vgpu */
    char vgpu_type[GV_VGPU_TYPE_LEN];
    int slot; /* 0.. within the GPU */
    /* sriov: the GPU VF given to the VM; vgpu on a model that carries vGPUs on VFs (catalog
     * on_vfs, Ampere and later): the VF that carries it (VF index = slot), its mdev parent or,
     * in the vendor-VFIO form, the device itself; -1 and "" otherwise (the GPU is the mdev
     * parent) */
    int vf;
    char vf_pci[GV_PCI_ADDR_LEN];
    /* share: the milli-GPUs given; 0 otherwise */
    int milli;
    /* the GPU is in a mode or MIG layout the engine set up (a reconfigure step of this VM or of
     * one placed before it that still shares the GPU), not the fleet's, which comes back when
     * the last of them is released */
    bool reconfigured;
} gv_placed_gpu;

typedef struct gv_placed_vf {
    int nic; /* index in host->nics; -1 when parsed (found by pf_pci) */
    char pf_pci[GV_PCI_ADDR_LEN];
    char pf_name[32];
    int vf;
    char vf_pci[GV_PCI_ADDR_LEN];
    int numa;
} gv_placed_vf;

typedef struct gv_placed_scratch {
    int nvme; /* index in host->nvme; -1: no scratch, or parsed (found by pci, when set) */
    char pci[GV_PCI_ADDR_LEN];
    char name[32];
    int numa;
    int64_t gib;
} gv_placed_scratch;

/* An explicit step the host agent performs before starting the VM (and undoes on release). */
typedef struct gv_reconfigure {
    int gpu; /* index in host->gpus; -1 when parsed (found by pci) */
    char pci[GV_PCI_ADDR_LEN];
    gv_gpu_mode from;
    gv_gpu_mode to;
    int destroyed_instances; /* idle MIG GPU instances removed to re-partition */
} gv_reconfigure;

typedef enum gv_violation_kind {
    GV_VIOLATION_VCPU,
    GV_VIOLATION_MEMORY,
    GV_VIOLATION_NIC,
    GV_VIOLATION_SCRATCH,
    GV_VIOLATION_KIND_LAST
} gv_violation_kind; /* "vcpus", "memory", "nic", "scratch" */

/* Resources of one kind on a NUMA node that is not one of the VM's GPU nodes. */
typedef struct gv_numa_violation {
    gv_violation_kind kind;
    int numa;       /* where they are */
    int64_t amount; /* vCPUs, MiB, VFs, GiB */
} gv_numa_violation;

/* Every scorer gives 0..100; total = sum of weight x score. */
typedef struct gv_score {
    int64_t total;
    int fragmentation;        /* 100 = leaves nothing unusable for the mix */
    int locality;             /* 100 = CPUs, memory and devices all NUMA- and switch-local */
    int strategy;             /* pack: fuller hosts score higher; spread: emptier */
    int reconfigured;         /* GPUs to reconfigure (each costs w_reconfigure points) */
    int64_t frag_delta_milli; /* FGD delta: change of unusable free GPU capacity, milli-GPUs */
} gv_score;

typedef struct gv_placement {
    char vm[GV_REQ_NAME_LEN];
    char host[GV_REQ_NAME_LEN * 2];
    int host_index; /* in fleet->hosts; -1 when parsed (gv_engine_restore finds it by name) */
    gv_request request;
    gv_vcpu_pin *pins; /* request.vcpus entries, by vcpu; owned */
    size_t n_owned_cpus;
    int *owned_cpus; /* dedicated: every host thread pinned for the VM, ascending: its vCPUs'
                        and the spare siblings of the whole cores it took; owned */
    size_t n_numa_vcpus;
    gv_numa_vcpus numa_vcpus[GV_PLACE_MAX_NUMA]; /* nodes with vCPUs, in host order */
    size_t n_emulator_cpus;
    int *emulator_cpus; /* owned */
    size_t n_cells;
    gv_guest_cell cells[GV_PLACE_MAX_CELLS];
    size_t n_gpus;
    gv_placed_gpu gpus[GV_REQ_MAX_GPUS];
    size_t n_vfs;
    gv_placed_vf vfs[GV_REQ_MAX_NIC_VFS];
    gv_placed_scratch scratch;
    size_t n_reconfigure;
    gv_reconfigure reconfigure[GV_REQ_MAX_GPUS];
    int64_t numa_violations; /* units (vCPUs + MiB + VFs + GiB) off the GPU nodes; 0 under strict */
    size_t n_violations;
    gv_numa_violation violations[GV_PLACE_MAX_VIOLATIONS];
    gv_score score;
} gv_placement;

/* Free what @p owns and zero it. */
void gv_placement_clear(gv_placement *p);
/* A deep copy of @src into @dst (which is overwritten, not cleared). */
void gv_placement_copy(gv_placement *dst, const gv_placement *src);

/* ---- explanations --------------------------------------------------------------------------- */

/* Why a host cannot take a request, in filter order: the later, the closer to fitting. */
typedef enum gv_reason {
    GV_REASON_STATE,         /* host not ready */
    GV_REASON_POOL,          /* not in the requested pool */
    GV_REASON_ZONE,          /* not in a requested zone */
    GV_REASON_LABELS,        /* a label does not match */
    GV_REASON_ANTI_AFFINITY, /* holds a VM of the same group */
    GV_REASON_CLASS_MIX,     /* the pool does not mix this class with what runs there */
    GV_REASON_DATASTORE,     /* the datastore has its io-heavy VMs already */
    GV_REASON_GPU_MODEL,     /* no GPU of an acceptable model in a usable mode */
    GV_REASON_GPU_FREE,      /* not enough free GPUs / instances / vGPU slots / VFs */
    GV_REASON_GPU_TOPOLOGY,  /* free GPUs exist but not close enough together */
    GV_REASON_CPU,           /* not enough free cores/threads where they must be */
    GV_REASON_MEMORY,        /* not enough free memory / hugepages where it must be */
    GV_REASON_NIC,           /* not enough NIC VFs where they must be */
    GV_REASON_SCRATCH,       /* no NVMe with the space where it must be */
    GV_REASON_LAST
} gv_reason;

const char *gv_reason_to_string(gv_reason r);                 /* "state", "pool", ..., "scratch" */
const char *gv_violation_kind_to_string(gv_violation_kind k); /* "vcpus", ..., "scratch" */

#define GV_EXPLAIN_DETAIL_LEN 256
#define GV_EXPLAIN_MAX_CLOSEST 3

typedef struct gv_explain_reason {
    gv_reason reason;
    size_t n_hosts;                     /* hosts that failed for this reason */
    char detail[GV_EXPLAIN_DETAIL_LEN]; /* the detail of the closest of them */
} gv_explain_reason;

typedef struct gv_explain_host {
    char host[GV_REQ_NAME_LEN * 2];
    gv_reason reason;
    char detail[GV_EXPLAIN_DETAIL_LEN];
} gv_explain_host;

typedef struct gv_explain {
    size_t n_hosts;    /* hosts considered */
    size_t n_feasible; /* hosts that could take the request */
    size_t n_reasons;  /* reasons with at least one host, most hosts first */
    gv_explain_reason reasons[GV_REASON_LAST];
    size_t n_closest; /* failing hosts closest to fitting, closest first */
    gv_explain_host closest[GV_EXPLAIN_MAX_CLOSEST];
    bool has_runner_up; /* placed: the second-best host and its score */
    char runner_up[GV_REQ_NAME_LEN * 2];
    gv_score runner_up_score;
    /* private to the engine while it accumulates: host index and shortfall of kept entries */
    struct {
        int host;
        int64_t shortfall;
    } keep_reason[GV_REASON_LAST], keep_closest[GV_EXPLAIN_MAX_CLOSEST];
} gv_explain;

/* ---- the engine ----------------------------------------------------------------------------- */

/* One shape of the expected workload mix and its weight. */
typedef struct gv_mix_entry {
    gv_request shape; /* name and tenant are ignored */
    double weight;    /* > 0; weights are normalised */
} gv_mix_entry;

#define GV_MIX_MAX 64

/*
 * How hosts are scored and a GPU is chosen inside one. gpuvm: the weighted scorers below. The
 * others are the baselines of the FGD study (fgd-method.md §5), each alone and quantised as the
 * study implemented it, for the simulator to reproduce it with this engine:
 *   fgd             floor(100 sigmoid(-dF/1000)), dF the change of the host's F(M); the GPU with
 *                   the best (quantised) score
 *   bestfit         100 (1 - (leftover CPU share + leftover GPU share) / 2): the least leftover
 *   dotprod         100 (1 - host free . request / 2): the smallest dot product
 *   gpu-clustering  hosts already running tasks of the request's kind first, then the fuller
 *   gpu-packing     partly used GPUs first, then hosts with used GPUs, then whole free hosts
 *   random          a host drawn uniformly from the feasible ones (policy_seed)
 * All but fgd and gpuvm bind a shared request to the feasible GPU with the least free capacity
 * (random: a random one); whole GPUs are the lowest-index free ones. Ties go to the smaller host
 * name, as always. One more baseline, not the study's:
 *   firstfit        the first feasible host by name, its lowest-index GPUs, a new MIG instance
 *                   at the lowest free start (what a scheduler blind to fragmentation does)
 */
typedef enum gv_place_policy {
    GV_POLICY_GPUVM,
    GV_POLICY_FGD,
    GV_POLICY_BESTFIT,
    GV_POLICY_DOTPROD,
    GV_POLICY_CLUSTERING,
    GV_POLICY_PACKING,
    GV_POLICY_RANDOM,
    GV_POLICY_FIRSTFIT,
    GV_POLICY_LAST
} gv_place_policy; /* "gpuvm", "fgd", "bestfit", "dotprod", "gpu-clustering", "gpu-packing",
                      "random", "firstfit" */

const char *gv_place_policy_to_string(gv_place_policy p);
int gv_place_policy_from_string(const char *s); /* -1 when unknown */

typedef struct gv_place_config {
    gv_place_policy policy; /* default gpuvm */
    uint64_t policy_seed;   /* random: the seed of its draws */
    int w_fragmentation;    /* scorer weights, >= 0 */
    int w_locality;
    int w_strategy;
    int w_reconfigure;          /* points off the total per GPU the placement must reconfigure */
    int io_heavy_per_datastore; /* io: heavy VMs per datastore, >= 1 */
    size_t n_mix;               /* 0: learn the mix from recent requests */
    gv_mix_entry mix[GV_MIX_MAX];
    int mix_window; /* learned mix: how many recent requests it is learned from (while fewer
                       have come, every relearned mix that differs is adopted) */
    int mix_epoch;  /* learned mix: re-learned every this many requests (caches stay valid
                       between epochs, so fast path and reference see the same mix) */
    int mix_change; /* learned mix, once the window is full: replaces the one in use only
                       when they differ by at least
                       this much (total variation distance, per mille) and by more than three
                       times the average distance of two noisy samples of one workload */
} gv_place_config;

/* Defaults: weights fragmentation 4, locality 2, strategy 1, 100 points per reconfigured GPU
 * (so an idle MIG instance elsewhere beats re-partitioning a GPU); 2 io-heavy VMs per datastore;
 * mix learned over a window of 10,000 requests, re-learned every 1000, adopted on any change
 * while the window fills and then when it moved by at least 100 per mille. */
void gv_place_config_init(gv_place_config *c);

/*
 * Read a placement configuration (YAML or JSON: weights, io_heavy_per_datastore, mix of
 * request shapes with weights, mix_window, mix_epoch, mix_change) over the defaults.
 * Returns: 0, -GV_E_PARSE, -GV_E_INVAL (with the field path).
 */
int gv_place_config_parse(const char *text, size_t len, const char *source, gv_place_config *ret,
                          gv_err *err);

typedef struct gv_engine gv_engine;

/*
 * An engine over @f (borrowed: it must outlive the engine and not change but through
 * gv_engine_set_host_state) and @cat (borrowed), with nothing allocated. Every host must pass
 * gv_catalog_check_host.
 * Returns: 0, or -GV_E_INVAL naming the host.
 */
int gv_engine_new(const gv_fleet *f, const gv_catalog *cat, const gv_place_config *cfg,
                  gv_engine **ret, gv_err *err);
void gv_engine_free(gv_engine *e);
GV_DEFINE_AUTOPTR(gv_engine, gv_engine_free)

/*
 * Check @r against the fleet: names exist (a GPU model, MIG profile or vGPU type that no host
 * of the fleet has is an error, not a "nothing fits"), sizes fit the page size, the VM name
 * is not placed already. Returns: 0, -GV_E_INVAL / -GV_E_CONFLICT with the field path.
 */
int gv_engine_check_request(const gv_engine *e, const gv_request *r, gv_err *err);

enum {
    GV_PLACE_EXPLAIN = 1 << 0,   /* fill the explanation (runner-up, closest hosts) */
    GV_PLACE_DRY_RUN = 1 << 1,   /* decide, but do not allocate */
    GV_PLACE_REFERENCE = 1 << 2, /* decide with the exhaustive reference (no indexes/caches) */
};

typedef struct gv_place_result {
    bool placed;
    gv_placement placement; /* when placed; owned (gv_place_result_clear) */
    gv_explain explain;     /* reasons always when not placed; runner-up with GV_PLACE_EXPLAIN */
} gv_place_result;

void gv_place_result_clear(gv_place_result *r);

/*
 * Decide where @r goes and (unless GV_PLACE_DRY_RUN) allocate it.
 * Returns: 1 placed, 0 nothing fits (ret->explain says why), or -GV_E_INVAL / -GV_E_CONFLICT
 * for a bad request (gv_engine_check_request); state is unchanged unless 1 is returned.
 */
int gv_engine_place(gv_engine *e, const gv_request *r, unsigned flags, gv_place_result *ret,
                    gv_err *err);

/* Give back everything VM @name holds. Returns 0, or -GV_E_NOTFOUND. */
int gv_engine_release(gv_engine *e, const char *name, gv_err *err);

/*
 * Put VM @p->vm back on exactly the resources placement @p lists (a daemon rebuilding its
 * engine after a restart, from the placements gv_engine_place gave and gv_placement_from_json
 * read back): its host, pinned threads, memory per NUMA node, GPU units (MIG instance, vGPU
 * slot, VF, milli share, and whether the GPU is in a layout the engine set up), NIC VFs and
 * scratch. Placements may be restored in any order; once all are, the state is the one the
 * placing engine had (gv_engine_state_dump), and releasing a VM gives back exactly what it
 * holds. Indices of -1 (host, GPUs, NICs, NVMe) are found by name and PCI address; others
 * must agree with them. The host's state, pool, zone, labels and anti-affinity are not checked:
 * the VM is there. History is not restored: an engine learning the workload mix starts from
 * the prior, and the random policy's draws start again (configure the mix, and another policy,
 * for decisions that do not depend on it). @p is copied, not kept.
 * Returns: 0; -GV_E_NOTFOUND (no such host or device); -GV_E_CONFLICT (the VM name is placed,
 * or a resource it lists is in use, named: "gpu 0000:17:00.0 MIG slices 0-3 are in use");
 * -GV_E_INVAL (the placement disagrees with itself, its request or the host). The engine is
 * unchanged unless 0 is returned.
 */
int gv_engine_restore(gv_engine *e, const gv_placement *p, gv_err *err);

/*
 * Change the state of host @host (ready, cordoned, maintenance, down) while the engine runs:
 * the one sanctioned change to the borrowed fleet, which it writes. Only ready hosts receive
 * placements, on the fast path and GV_PLACE_REFERENCE alike; VMs on the host stay.
 * Returns: 0, -GV_E_NOTFOUND (no such host) or -GV_E_INVAL (not a state).
 */
int gv_engine_set_host_state(gv_engine *e, const char *host, gv_host_state state, gv_err *err);

/* The placement of VM @name, or NULL. Valid until the next place/release. */
const gv_placement *gv_engine_find_vm(const gv_engine *e, const char *name);
size_t gv_engine_n_vms(const gv_engine *e);

/* Check invariants 1-3 over the whole state. Returns 0, or -GV_E_INTERNAL naming the breach. */
int gv_engine_check(const gv_engine *e, gv_err *err);

/* The whole allocation state as canonical text (for tests: release restores it exactly). */
char *gv_engine_state_dump(const gv_engine *e);

/* Fraction of the fleet's GPU capacity allocated, 0..1 (whole GPUs; MIG/vGPU/VF by share). */
double gv_engine_gpu_utilization(const gv_engine *e);

/*
 * The expected workload mix the fragmentation scorer uses now: the configured one, the prior
 * (one unit of every kind of GPU capacity the fleet has) or the one learned from recent
 * requests. Weights are relative; *@version changes whenever the mix does. Borrowed: valid
 * until the next gv_engine_place.
 */
const gv_mix_entry *gv_engine_mix(const gv_engine *e, size_t *n, uint64_t *version);

/* What one GPU holds and has left (gv_engine_gpu_usage). */
#define GV_USAGE_MAX_PROFILES 16
typedef struct gv_gpu_usage {
    gv_gpu_mode mode;       /* the mode it is in now (a reconfigurable GPU may have changed) */
    int units;              /* allocations on it: VMs' GPUs, instances, vGPUs, VFs, shares */
    int64_t free_milli;     /* free capacity in milli-GPUs (1000: nothing allocated) */
    int64_t stranded_milli; /* free_milli when no GPU shape of the expected mix fits it, else 0 */
    size_t n_mig;           /* MIG mode: instances of each profile that still fit, one at a time */
    struct {
        const char *profile; /* borrowed from the catalog */
        int free;
    } mig[GV_USAGE_MAX_PROFILES];
} gv_gpu_usage;

/*
 * The usage of GPU @gpu of host @host (an index in the fleet). A pure read of the engine's
 * state (no caches are touched), so readers may call it concurrently while nothing places or
 * releases. Returns 0, or -GV_E_NOTFOUND when there is no such host or GPU.
 */
int gv_engine_gpu_usage(const gv_engine *e, size_t host, int gpu, gv_gpu_usage *ret);

/* Bytes the engine's state and caches use (for the benchmark's memory per host). */
size_t gv_engine_memory_bytes(const gv_engine *e);

/* ---- renderers (place_json.c, place_xml.c) ------------------------------------------------------
 */

/* {"placement": {...}} as canonical JSON text. Caller frees. */
char *gv_placement_to_json(const gv_placement *p);

/*
 * Read back what gv_placement_to_json wrote, for gv_engine_restore. Strict: every key it writes
 * is required (but those it leaves out when empty), no other is allowed, values have its types
 * and fit their fields, and what it derives (cpu_policy, hugepages, memory, a cell's pcpus)
 * must agree with the rest, so that gv_placement_to_json of the result is @text's JSON byte
 * for byte. The request is read as gv_request_parse_json reads one. Indices are not in the
 * JSON: host_index, gpus[].gpu, vfs[].nic, scratch.nvme and reconfigure[].gpu come back -1.
 * Errors name the value's path ("placement.gpus[0].start: expected an integer in 0..31") at
 * @source (NULL: "<input>"). @ret is the caller's to clear (gv_placement_clear) on success
 * and untouched on failure.
 * Returns: 0; -GV_E_PARSE (not JSON); -GV_E_INVAL (a missing, unknown or bad value);
 * -GV_E_LIMIT (nested too deep, too long, or more entries than the placement holds).
 */
int gv_placement_from_json(const char *text, size_t len, const char *source, gv_placement *ret,
                           gv_err *err);

/* {"error": {"code", "message"}, "explain": {...}} for a request that did not fit. */
char *gv_explain_to_json(const gv_request *r, const gv_explain *x);

/*
 * The placement as a libvirt domain XML (vcpupin/emulatorpin, numatune, guest NUMA cells,
 * hugepages, VFIO hostdevs, mdev hostdevs for vGPU/MIG-backed vGPU with a UUID derived from
 * the VM name and slot, VF interfaces, the scratch disk, pcie-expander-bus per host NUMA node).
 * @h is the placement's host. Caller frees.
 */
char *gv_placement_to_libvirt_xml(const gv_placement *p, const gv_host *h, unsigned flags);
enum {
    /* a vGPU on a VF as that VF in the vendor VFIO form instead of mdev (vGPUs without a VF
     * stay mdev) */
    GV_XML_VGPU_VFIO_VF = 1 << 0,
};

#endif
