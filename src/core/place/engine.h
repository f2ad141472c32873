/*
 * engine.h - the placement engine's private state, shared by the files of src/core/place/.
 *
 * Design notes
 *
 * The engine keeps three kinds of data, each in its own struct:
 *   gv_host_info  what never changes for a host: its catalog models, GPU distances, cores per
 *                 NUMA node, reserved CPUs, pool settings. Built once by gv_engine_new.
 *   gv_host_use   what placements change: pinned threads, free memory/hugepages and shared vCPU
 *                 load per NUMA node, each GPU's mode, MIG instances, vGPU slots and VFs, NIC
 *                 VFs, NVMe space, VM classes and anti-affinity groups present. Small and flat,
 *                 so a candidate can be tried on a copy (the "after" state of FGD).
 *   gv_vm         one placed VM: its placement (the exact resources) and what release must undo.
 *
 * State machine of a GPU (gv_gpu_use.mode), one row per transition:
 *   any mode, no owner, host reconfigurable  --place needing another mode--> new mode (step)
 *   mig, no owner, idle instances in the way --place, reconfigurable------> mig, emptied (step)
 *   mig, host's MIG layout fixed             --place--> an idle instance handed out, no step
 *   reconfigured GPU                         --release of the VM that did it--> prior state
 *
 * Decision pipeline for one host (eval.c): host filters (state, pool, zone, labels, anti-
 * affinity, class mix, datastore) -> usable GPUs -> every candidate GPU set (gv_set_key orders
 * them) with its NUMA plan (CPUs, memory, NIC VFs, scratch) -> the best set -> scores.
 */
#ifndef GV_PLACE_ENGINE_H
#define GV_PLACE_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "gpuvm/place.h"
#include "util/strbuf.h"

#define GV_HOST_MAX_GPUS 32 /* GPUs per host the engine handles (sets are uint32_t masks) */
#define GV_VGPU_SLOTS 64    /* vGPU slots per GPU (max_equal of real types is at most 48) */
#define GV_GPU_MAX_VFS 64
#define GV_NIC_MAX_VFS 256
#define GV_MAX_NUMA 64         /* NUMA nodes per host the engine handles */
#define GV_FLEET_MODELS_MAX 64 /* distinct GPU models per fleet the engine handles */
_Static_assert(GV_PLACE_MAX_NUMA >= GV_MAX_NUMA, "a placement lists every node's vCPUs");

/* ---- static per-host facts ---- */

typedef struct gv_numa_take gv_numa_take;

typedef struct gv_numa_info {
    int id;
    int threads_per_core; /* of its first core; 1 when unknown */
    size_t n_cores;
    const gv_core *cores; /* borrowed from the host */
} gv_numa_info;

typedef struct gv_host_info {
    const gv_host *host;
    int datastore;  /* interned datastore id, -1 when none */
    int pool_index; /* in fleet->pools, -1 when none */
    gv_pool_strategy strategy;
    bool mix_classes;
    double overcommit;
    int64_t overcommit_milli;    /* the same in per mille: a thread carries this many shared
                                    milli-CPUs */
    const gv_gpu_model **models; /* per GPU, NULL when not in the catalog */
    uint8_t *fleet_model;        /* per GPU: index into engine->fleet_models */
    int *gpu_vfs; /* per GPU: VFs it hands out in SR-IOV mode (model's, capped by the host's) */
    int *gpu_numa_idx; /* per GPU: index into host->numa, -1 when unknown */
    int *nic_numa_idx;
    int *nvme_numa_idx;
    uint8_t *gpu_dist;  /* n_gpus x n_gpus gv_dist */
    uint8_t *nic_dist;  /* n_gpus x n_nics */
    uint8_t *nvme_dist; /* n_gpus x n_nvme */
    int *island;        /* per GPU */
    int64_t *pf_addr; /* per GPU, then per NIC: domain << 16 | routing id of its PCI address, -1 */
    gv_numa_info *numa;    /* per host->numa entry */
    int max_cpu;           /* highest CPU id + 1 */
    int cpu_words;         /* uint64_t words of a CPU bitmap */
    int16_t *cpu_numa_idx; /* per CPU id: index into host->numa, -1 when not a CPU */
    uint64_t *node_cpus;   /* per host->numa entry, cpu_words words: bitmap of its threads */
    uint64_t *reserved;    /* bitmap of reserved CPUs */
    int64_t gpu_milli;     /* total GPU capacity, 1000 per GPU */
    int n_threads;         /* unreserved threads */
} gv_host_info;

/* Mix weights are integers in parts per million: exact enough that F(M) matches a measure with
 * real-valued popularities to the milli-GPU, and still integer arithmetic. */
#define GV_MIX_W_SCALE 1000000

/* ---- allocation state ---- */

/* The FGD study's tag of a request (its GpuClustering policy): -1 no GPU, 0 a share of one GPU
 * (less than a whole one, or a MIG instance, vGPU or VF), k: k whole GPUs. */
static inline int
gv_request_tag(const gv_request *r)
{
    if (r->gpu.count <= 0)
        return -1;
    if ((r->gpu.mode == GV_GPU_MODE_SHARE && r->gpu.milli < 1000) ||
        r->gpu.mode == GV_GPU_MODE_MIG || r->gpu.mode == GV_GPU_MODE_VGPU ||
        r->gpu.mode == GV_GPU_MODE_SRIOV)
        return 0;
    return r->gpu.count;
}

/* The milli-CPUs a shared VM of @r is entitled to (its cpu_milli, or a CPU per vCPU). */
static inline int64_t
gv_request_cpu_milli(const gv_request *r)
{
    return r->cpu_milli ? r->cpu_milli : (int64_t)r->vcpus * 1000;
}

typedef struct gv_numa_use {
    int free_threads;     /* unreserved and unpinned */
    int free_cores;       /* cores with every thread unreserved and unpinned */
    int64_t shared_milli; /* milli-CPUs shared VMs are entitled to on this node */
    int64_t mem_free_mib; /* regular (non-hugepage) memory */
    int64_t hp2m_free;    /* pages */
    int64_t hp1g_free;
} gv_numa_use;

typedef struct gv_gpu_use {
    int8_t mode;       /* gv_gpu_mode now */
    int8_t vgpu_type;  /* equal-size mode: the type its vGPUs have or the configured one; -1 any */
    bool vgpu_mixed;   /* mixed-size mode (model supports it and the host left the type open) */
    bool taken;        /* passthrough: owned */
    uint8_t n_inst;    /* MIG GPU instances that exist */
    uint8_t inst_used; /* bit i: inst[i] is owned by a VM */
    gv_mig_instance inst[GV_GPU_MAX_INSTANCES]; /* ascending by start */
    uint64_t vgpu_used;                         /* bit s: vGPU slot s owned */
    int8_t slot_type[GV_VGPU_SLOTS];
    uint64_t vf_used;    /* sriov: bit v: VF v owned */
    uint16_t n_alloc;    /* allocations on this GPU (0 = empty) */
    uint16_t used_milli; /* share: milli-GPUs given, at most 1000 */
} gv_gpu_use;

typedef struct gv_nic_use {
    uint64_t vf_used[GV_NIC_MAX_VFS / 64];
    int free_vfs;
} gv_nic_use;

typedef struct gv_group_count {
    int group; /* interned anti-affinity group */
    int count;
} gv_group_count;

typedef struct gv_host_use {
    gv_numa_use *numa;  /* per host->numa entry */
    gv_gpu_use *gpus;   /* per GPU */
    gv_nic_use *nics;   /* per NIC */
    int64_t *nvme_free; /* GiB per NVMe */
    uint64_t *pinned;   /* bitmap of pinned CPUs */
    int n_vms;
    int class_count[GV_CLASS_LAST];
    /* VMs by the FGD study's pod tag (gv_request_tag): 0 a GPU share, k k whole GPUs */
    int tag_count[GV_REQ_MAX_GPUS + 1];
    size_t n_groups;
    gv_group_count *groups;
    gv_gpu_use *prior; /* per GPU: its state before a reconfiguration, while has_prior */
    bool *has_prior;
    uint64_t version; /* bumped by every change */
} gv_host_use;

/* One unit of a GPU given to a VM, as a candidate carries it before commit. */
typedef struct gv_gpu_pick {
    int gpu;
    int reconfig;    /* 0 none, 1 mode switch or re-partition needed */
    int mig_profile; /* index into the model's profiles */
    int mig_start;
    int mig_inst; /* index of an idle existing instance, -1 = create */
    int slot;     /* vgpu slot or sriov VF */
    int vgpu_type;
    int milli; /* share: milli-GPUs taken */
} gv_gpu_pick;

/* Per host NUMA node: what a candidate takes there. */
struct gv_numa_take {
    int vcpus;
    int64_t mem_mib;
};

typedef struct gv_cell_plan {
    int numa;        /* index into host->numa */
    int vcpus;       /* guest vCPUs of the cell (pinned on numa first, then spill nodes) */
    int64_t mem_mib; /* on numa */
} gv_cell_plan;

typedef struct gv_candidate {
    int host;          /* index in fleet->hosts */
    gv_reason fail;    /* when infeasible */
    int64_t shortfall; /* how far from fitting (for "closest hosts"), smaller = closer */
    char detail[GV_EXPLAIN_DETAIL_LEN];
    bool feasible;
    int n_picks;
    gv_gpu_pick picks[GV_REQ_MAX_GPUS];
    int n_cells;
    gv_cell_plan cells[GV_PLACE_MAX_CELLS];
    gv_numa_take take[GV_MAX_NUMA]; /* per host NUMA index: what is taken there */
    uint64_t home; /* bit i: host NUMA index i is a home node (a GPU node, or the chosen one) */
    int64_t violations;               /* units off the GPU nodes */
    int nic_take[GV_REQ_MAX_NIC_VFS]; /* NIC index per VF */
    int nvme;                         /* -1 none */
    int spread;                       /* worst gv_dist inside the GPU set */
    int64_t gpu_frag; /* per-GPU fragmentation the units leave, summed over the set */
    int nic_dist_sum;
    int nvme_dist;
    gv_score score;
} gv_candidate;

typedef struct gv_vm {
    bool used;
    gv_placement placement; /* the exact resources, its owned_cpus those release unpins */
    gv_candidate cand;      /* the decision, for release bookkeeping */
    int group;              /* interned anti-affinity group, -1 none */
} gv_vm;

/* An entry of the VM name index: the slot in engine->vms (-1: empty) and the name's hash, which
 * is compared before the name (the VM record is large and seldom in cache). */
typedef struct gv_vm_ref {
    int32_t vm;
    uint32_t hash;
} gv_vm_ref;

typedef struct gv_shape_index gv_shape_index;

/* What the learned mix keeps of a recent request: what the fragmentation measure reads. */
typedef struct gv_mix_sample {
    int vcpus;
    int64_t cpu_milli;
    gv_hugepages hugepages;
    gv_cpu_policy cpu_policy;
    int64_t memory_mib;
    gv_gpu_request gpu;
} gv_mix_sample;

/* A distinct shape among the learned mix's recent requests (mix.c). */
typedef struct gv_mix_seen {
    gv_mix_sample shape;
    uint64_t hash;
    uint64_t first; /* the request it last entered the ring with: a stable tie-break */
    size_t count;   /* how often the ring holds it; 0: it left, its slot goes at the next sweep */
} gv_mix_seen;

/* A GPU's state made canonical (gpu_memo.c): all gv_gpu_unit and gv_gpu_free_milli read. */
typedef struct gv_gpu_key {
    uint8_t fleet_model; /* index in engine->fleet_models */
    uint8_t reconf;      /* bit 0: the host is reconfigurable; bit 1: its MIG layout is fixed */
    uint16_t vfs;        /* the GPU's VF count */
    int8_t mode, vgpu_type;
    uint8_t vgpu_mixed, taken, n_inst, inst_used;
    uint16_t n_alloc;
    uint8_t n_vf;                          /* owned VFs */
    uint8_t n_vgpu;                        /* owned vGPU slots */
    uint16_t used_milli;                   /* share */
    uint8_t inst[GV_GPU_MAX_INSTANCES][2]; /* MIG instances: profile, start */
    int8_t vgpu_types[GV_VGPU_SLOTS];      /* the owned slots' types, ascending */
} gv_gpu_key;

/* One GPU as the mix sees it: its free capacity and the mix entries that can take a unit. */
typedef struct gv_gpu_answer {
    int32_t free_milli;
    uint64_t able; /* bit i: mix entry i */
} gv_gpu_answer;

/* A GPU state's answer to one unit of a request (mode, and the unit's index for the GPU's
 * model): can it give one, which (its slot aside: slots are the actual state's), and the GPU's
 * fragment after giving it. Valid for the mix version stamped. */
typedef struct gv_unit_memo {
    uint64_t stamp; /* mix version + 1; 0: empty */
    uint64_t state; /* the GPU state's id (gv_gpu_memo.id) */
    int16_t unit;
    int8_t mode;
    bool ok;
    gv_gpu_pick pick;
    int64_t frag_after;
    gv_gpu_answer after; /* the GPU's answer after giving the unit */
} gv_unit_memo;

/* What a GPU state means to the mix in use (the version stamped). */
typedef struct gv_gpu_memo {
    uint64_t stamp;   /* mix version + 1; 0: empty */
    uint64_t id;      /* unique to this fill: names @key for as long as anyone remembers it */
    uint64_t able;    /* bit i: mix entry i can take a unit here */
    int32_t unable_w; /* weight (GV_MIX_W_SCALE) of the mix entries that cannot (or need no GPU) */
    int32_t free_milli;
    gv_gpu_key key;
} gv_gpu_memo;

/* Where a host's GPU, as it is now, found its gv_gpu_memo: valid while the host's version is
 * the one recorded (+ 1; 0: never) and the slot still holds the fill @id. */
typedef struct gv_gpu_ref {
    uint64_t version;
    uint64_t id;
    uint32_t slot;
} gv_gpu_ref;

/* A host's F(M) and its GPUs' answers, valid while the host's version and the mix version are
 * those recorded. */
typedef struct gv_frag_memo {
    bool valid;
    uint64_t version;
    uint64_t mix_version;
    int64_t value;
    gv_gpu_answer *gpus; /* per GPU */
    gv_gpu_ref *refs;    /* per GPU (gpu_memo.c) */
} gv_frag_memo;

/*
 * A request's GPU part resolved against the fleet's GPU models, once per request (or shape, or
 * mix entry), so that the per-GPU tests compare small integers instead of names: per fleet
 * model, GV_ASK_REFUSED (not one of the request's models), GV_ASK_LACKS (the model has no such
 * MIG profile, vGPU type or VFs) or the unit's index (MIG profile / vGPU type; the milli-GPUs
 * for share, so that units of different sizes are different units; 0 otherwise).
 */
#define GV_ASK_REFUSED (-2)
#define GV_ASK_LACKS (-1)

typedef struct gv_ask {
    const gv_request *r;
    bool reference; /* decided by the reference: no memo is read on its behalf */
    int16_t unit[GV_FLEET_MODELS_MAX];
} gv_ask;

/* Evaluation flags (gv_eval_host) */
#define GV_EVAL_REFERENCE 1u /* every GPU set, F(M) before computed afresh */
#define GV_EVAL_DETAIL 2u    /* format the failure's one-line detail (for explanations) */
/* Only the verdict counts (an index's): feasible and score.total, or the reason and shortfall.
 * Where the policy's total allows (gv_score_total_reads), the GPU set may be any feasible one
 * and the other score fields are left 0, so the candidate is not the decision's. */
#define GV_EVAL_VERDICT 4u

/* What F(M)'s room test reads of a mix entry's request, gathered once per mix (frag.c): F(M)
 * runs over the mix for every candidate, and the requests are large and far apart. */
typedef struct gv_mix_need {
    int gpu_count;
    bool dedicated; /* CPUs counted in threads, else in shared milli-CPUs */
    gv_hugepages hugepages;
    int64_t cpu; /* dedicated: vCPUs; shared: milli-CPUs */
    int64_t memory_mib;
} gv_mix_need;

/* One GPU model the fleet has: a GPU of it (for its name) and its catalog entry (or NULL). */
typedef struct gv_fleet_model {
    const gv_gpu *gpu;
    const gv_gpu_model *model;
} gv_fleet_model;

struct gv_engine {
    const gv_fleet *fleet;
    const gv_catalog *cat;
    gv_place_config cfg;
    gv_host_info *info; /* per host */
    int32_t *rank;      /* per host: its name's position in sorted order, the tie-break (compact, as
                           tree updates and scans of the fleet read it) */
    size_t n_fleet_models; /* distinct GPU models in the fleet, for checking requests */
    gv_fleet_model *fleet_models;
    size_t n_hosts_ready; /* hosts whose info is built (all, once gv_engine_new succeeded) */
    gv_host_use *use;     /* per host */
    size_t n_vms;         /* slots in @vms (used or not) */
    size_t vms_cap;       /* slots allocated */
    gv_vm *vms;
    size_t n_free_vms; /* unused slots of @vms, reused first */
    size_t *free_vms;
    size_t n_live;
    gv_vm_ref *vm_index;  /* open-addressing hash of live VM names -> slot in @vms */
    size_t vm_index_size; /* a power of two, at least twice the VM slots */
    int64_t gpu_milli_total, gpu_milli_free; /* fleet-wide, kept by commit and uncommit */
    char **groups;                           /* interned anti-affinity group names */
    size_t n_groups;
    char **datastores;
    size_t n_datastores;
    char **host_pools; /* the pool names hosts give, declared or not */
    size_t n_host_pools;
    int *heavy_per_datastore; /* io-heavy VMs per datastore */
    /* the expected mix the fragmentation scorer uses */
    size_t n_mix;
    gv_mix_entry mix[GV_MIX_MAX];
    int mix_w[GV_MIX_MAX]; /* weights in parts per GV_MIX_W_SCALE */
    gv_ask mix_ask[GV_MIX_MAX];
    gv_mix_need mix_need[GV_MIX_MAX];
    uint32_t *recent; /* ring of the last mix_window requests' shapes, ids in @seen */
    size_t n_recent, recent_head;
    gv_mix_seen *seen; /* the distinct shapes the ring holds (and some it no longer does) */
    size_t n_seen, seen_cap;
    uint32_t *seen_index;  /* open-addressing hash of @seen: id + 1, 0 empty */
    size_t seen_index_len; /* a power of two, twice seen_cap */
    uint64_t n_requests;
    uint64_t mix_version;
    bool mix_learned;        /* the mix in use was learned (not the prior) */
    gv_host_use scratch;     /* sized for the largest host: candidates are tried on it */
    int *cpu_buf;            /* 2 x (max_cpu + 1) of the largest host: commit's CPU lists */
    gv_frag_memo *frag_memo; /* per host: the fast path's F(M) before placing */
    gv_gpu_memo *gpu_memo;   /* the fast path's per-GPU-state answers (gpu_memo.c) */
    gv_unit_memo *unit_memo; /* and its per-GPU-state, per-unit answers */
    uint64_t gpu_memo_hits, gpu_memo_misses;
    uint64_t gpu_memo_fills;  /* the last fill's id */
    gv_candidate *index_cand; /* the fast path's verdicts are evaluated into it */
    gv_candidate *place_best; /* gv_engine_place's winner and runner-up */
    gv_candidate *place_second;
    /* fast path */
    gv_shape_index **shapes;
    size_t n_shapes;
    uint64_t shape_clock; /* last-use stamps of shapes */
    uint64_t policy_draw; /* random policy: this decision's draw (GPU keys and the host) */
    uint64_t n_draws;
};

/* host_use.c */
void gv_host_use_init(const gv_engine *e, size_t h, gv_host_use *u);
void gv_host_use_fini(gv_host_use *u);
void gv_host_use_copy(const gv_host_info *hi, gv_host_use *dst, const gv_host_use *src);
bool gv_cpu_is_free(const gv_host_info *hi, const gv_host_use *u, int cpu);
void gv_host_use_recount_numa(const gv_host_info *hi, gv_host_use *u, int numa_idx);
void gv_gpu_use_blank(gv_gpu_use *g, gv_gpu_mode mode);
/* The milli-CPUs shared VMs may still take on node @n of host @hi (negative: none). */
static inline int64_t
gv_numa_shared_room(const gv_host_info *hi, const gv_numa_use *n)
{
    return (int64_t)n->free_threads * hi->overcommit_milli - n->shared_milli;
}
/* A shared VM's entitlement split over @n NUMA nodes by its vCPUs there (@take), exactly: node
 * i gets floor(C_i x m / v) - floor(C_(i-1) x m / v), C_i the vCPUs on nodes 0..i, so no node gets
 * more than its vCPUs' proportional share rounded up and the parts add up to m. */
void gv_shared_milli_split(const gv_request *r, const gv_numa_take *take, size_t n, int64_t *ret);
/* Free capacity of GPU @g of a host in state @gu, in milli-GPUs (frag.c explains the units). */
int64_t gv_gpu_free_milli(const gv_host_info *hi, int g, const gv_gpu_use *gu);
void gv_host_use_dump(const gv_engine *e, size_t h, gv_strbuf *sb);

/* eval.c: evaluate one host for one request (@flags GV_EVAL_*). */
void gv_eval_host(const gv_engine *e, size_t h, const gv_ask *a, unsigned flags, gv_candidate *ret);
/*
 * Can host @h's verdict for @r, a failure for @reason, never change while the fleet stands
 * (whatever is placed or released anywhere)? Then the fast path need not re-evaluate it.
 */
bool gv_eval_fail_is_fixed(const gv_engine *e, size_t h, const gv_request *r, gv_reason reason);

/*
 * gpu_unit.c: can GPU @g of host @h, in state @gu, take one unit of @r's GPU demand (a whole
 * GPU, a MIG instance of the profile, a vGPU of the type, a VF), possibly after reconfiguring
 * it? With @choose, *ret says which unit: an idle existing MIG instance first, else the start
 * that leaves the GPU least fragmented for the mix (ties: lowest start); the lowest free vGPU
 * slot or VF. Without @choose only the answer counts (the mix's "can it host" test).
 */
bool gv_gpu_unit(const gv_engine *e, size_t h, int g, const gv_gpu_use *gu, const gv_ask *a,
                 bool choose, gv_gpu_pick *ret);
/* Apply / undo one unit on a GPU's state; undo with @created removes a MIG instance created for
 * the unit instead of just freeing it (commit.c restores a reconfigured GPU's prior state). */
void gv_gpu_pick_apply(gv_gpu_use *gu, const gv_request *r, const gv_gpu_pick *p);
void gv_gpu_pick_undo(const gv_gpu *gpu, gv_gpu_use *gu, gv_gpu_mode mode, const gv_gpu_pick *p,
                      bool created);
bool gv_request_model_ok(const gv_request *r, const gv_gpu *gpu);
/* Can a vGPU of type @t (an index of @m's types) be added to GPU state @g, in its mode? */
bool gv_gpu_use_vgpu_addable(const gv_gpu_model *m, const gv_gpu_use *g, int t);
/* Resolve @r against the fleet's models into @a (which keeps @r). */
void gv_ask_init(const gv_engine *e, const gv_request *r, gv_ask *a);
/* Copy string @src into @dst of @n bytes, cut to fit (placements copy many names). */
static inline void
gv_copy_str(char *dst, size_t n, const char *src)
{
    size_t len = strnlen(src, n - 1);

    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* A word-at-a-time hash for the engine's tables: fold @w, or @n bytes at @p, into @h. */
#define GV_HASH_SEED 1469598103934665603ULL

static inline uint64_t
gv_hash_word(uint64_t h, uint64_t w)
{
    h = (h ^ w) * 1099511628211ULL;
    return h ^ (h >> 29);
}

static inline uint64_t
gv_hash_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t w;
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        memcpy(&w, b + i, 8);
        h = gv_hash_word(h, w);
    }
    for (w = 0; i < n; i++)
        w = w << 8 | b[i];
    return gv_hash_word(h, w);
}

/* The lowest clear bit of @bits below @limit (a free vGPU slot or VF), -1 none. */
static inline int
gv_lowest_clear(uint64_t bits, int limit)
{
    for (int i = 0; i < limit && i < 64; i++)
        if (!(bits & (UINT64_C(1) << i)))
            return i;
    return -1;
}

/* The ask's entry for GPU @g of host @h. */
static inline int
gv_ask_unit(const gv_engine *e, const gv_ask *a, size_t h, int g)
{
    return a->unit[e->info[h].fleet_model[g]];
}

/* gpu_memo.c: GPU @g of host @h in state @gu, as the mix in use sees it (fast path only). */
const gv_gpu_memo *gv_gpu_memo_get(const gv_engine *e, size_t h, int g, const gv_gpu_use *gu);
/* The same for one unit of @a's request (gv_gpu_unit choosing): whether GPU @g can give it;
 * if so *pick is the unit, *frag_after the GPU's gv_frag_gpu after giving it and *after its
 * answer then. */
bool gv_gpu_unit_memo(const gv_engine *e, size_t h, int g, const gv_gpu_use *gu, const gv_ask *a,
                      gv_gpu_pick *pick, int64_t *frag_after, gv_gpu_answer *after);
void gv_gpu_memo_init(gv_engine *e);
size_t gv_gpu_memo_bytes(void);

/* frag.c: fragmentation in milli-GPUs (of one GPU in state @gu, of host @h now or after a
 * candidate); the fast path reads per-GPU answers from gpu_memo.c, the @reference path computes
 * them afresh. */
int64_t gv_frag_gpu(const gv_engine *e, size_t h, int g, const gv_gpu_use *gu, bool reference);
void gv_mix_observe(gv_engine *e, const gv_request *r);
void gv_mix_prior(gv_engine *e);
void gv_mix_fini(gv_engine *e);
size_t gv_mix_memory_bytes(const gv_engine *e);
void gv_mix_need_of(const gv_request *m, gv_mix_need *ret);

/*
 * F(M) of host @h as it is now: the fast path remembers it per host until the host changes or
 * the mix does (every shape's "before" is the same); the reference computes it afresh.
 */
int64_t gv_frag_host_now(const gv_engine *e, size_t h, bool reference);
/* The fast path's answers of host @h's GPUs as they are (the memo behind gv_frag_host_now). */
const gv_gpu_answer *gv_frag_answers_now(const gv_engine *e, size_t h);
/* F(M) of host @h in state @after, which is the host as it is plus candidate @c. The fast path
 * passes @picked, per GPU index the answer of each GPU @c takes a unit of after taking it
 * (gv_gpu_unit_memo's), so that the taken GPUs need not be looked up again. */
int64_t gv_frag_host_after(const gv_engine *e, size_t h, const gv_host_use *after,
                           const gv_candidate *c, bool reference, const gv_gpu_answer *picked);

/*
 * score.c: what a policy's total reads, which says what an index verdict must evaluate and
 * whether verdicts outlive a new mix (index.c):
 *   GV_TOTAL_HOST  the host as it is and the request only: every feasible GPU set of a host
 *                  scores the same, so a verdict needs any one; the mix plays no part
 *   GV_TOTAL_SET   also the GPU set, chosen by free capacity, not by the mix
 *   GV_TOTAL_MIX   the fragmentation the mix measures (and any policy not listed)
 */
typedef enum gv_total_reads {
    GV_TOTAL_HOST,
    GV_TOTAL_SET,
    GV_TOTAL_MIX,
} gv_total_reads;
gv_total_reads gv_score_total_reads(gv_place_policy policy);
/* A verdict's score of candidate @c under a policy that does not read the mix: the total alone,
 * the other fields 0. */
void gv_score_verdict(const gv_engine *e, const gv_request *r, gv_candidate *c);
/* score.c: score candidate @c (@picked as for gv_frag_host_after). */
/* The change of host F(M) candidate @c makes (@picked as for gv_frag_host_after), and the FGD
 * study's score of a change: floor(100 sigmoid(-delta / 1000)). */
int64_t gv_score_frag_delta(const gv_engine *e, const gv_request *r, bool reference,
                            const gv_gpu_answer *picked, const gv_candidate *c);
int gv_score_fgd(int64_t delta_milli);
/* Random policy: which of @n feasible hosts (in fleet order) this decision's draw picks. */
static inline size_t
gv_policy_pick(const gv_engine *e, size_t n)
{
    return (size_t)(gv_hash_word(e->policy_draw, UINT64_C(0x686f7374)) % n);
}
void gv_score_candidate(const gv_engine *e, const gv_request *r, bool reference,
                        const gv_gpu_answer *picked, gv_candidate *c);

/* placement.c: free what @p owns, leaving it as it is (gv_placement_clear then zeroes it; the
 * engine's teardown need not: a VM record is 12 KiB). */
void gv_placement_free_owned(gv_placement *p);

/* commit.c: take what candidate @c chose for @r, choosing the concrete threads and VFs, into
 * @vm's placement; give back what @vm holds; and take what @vm's placement and candidate list,
 * exactly (gv_engine_restore checked that it is free), as gv_uncommit will give it back. */
void gv_commit(gv_engine *e, gv_vm *vm, const gv_request *r, const gv_candidate *c);
void gv_uncommit(gv_engine *e, gv_vm *vm);
void gv_recommit(gv_engine *e, gv_vm *vm);
/* The PCI address of VF @vf of GPU or NIC @dev (pf_addr index: GPUs, then NICs) of host @hi;
 * left as it is when the PF's address has none (not a PCI address, or past bus ff). */
void gv_host_vf_pci(const gv_host_info *hi, size_t dev, int vf, char ret[GV_PCI_ADDR_LEN]);

/* engine.c: a record for a new VM (the caller fills it: gv_commit or gv_recommit), and the
 * bookkeeping once it holds its resources: the name index, the count, the indexes' verdicts of
 * its host and, for an io-heavy VM, of its datastore's hosts. */
gv_vm *gv_engine_vm_new(gv_engine *e);
void gv_engine_vm_added(gv_engine *e, gv_vm *vm);

/*
 * index.c: the fast path. Per request shape, every host's feasibility, score and failure
 * reason, and a tournament tree over hosts that yields the best in O(1); a changed host is
 * re-evaluated for every shape (O(shapes x log hosts)). Decides exactly as the reference.
 */
bool gv_index_decide(gv_engine *e, const gv_ask *a, bool explain, gv_candidate *best,
                     gv_candidate *second, gv_explain *x);
void gv_index_host_changed(gv_engine *e, size_t h);
/* Host @h's attributes changed (its state): even the verdicts that no placement could change
 * (gv_eval_fail_is_fixed) are evaluated again. */
void gv_index_host_refresh(gv_engine *e, size_t h);
void gv_index_flush(gv_engine *e);
/* The mix in use changed: drop what read it (every shape, or under a policy whose verdicts do
 * not read it, the full candidates kept). */
void gv_index_mix_changed(gv_engine *e);
void gv_index_free(gv_engine *e);
size_t gv_index_memory_bytes(const gv_engine *e);
/* shape.c: @r without name and tenant, every unused byte zero (equal shapes are equal byte for
 * byte); its hash (a request and its shape hash alike); does request @r have shape @s? */
void gv_shape_of(const gv_request *r, gv_request *s);
uint64_t gv_shape_hash(const gv_request *r);
bool gv_shape_matches(const gv_request *s, const gv_request *r);
/* Check the indexes' bookkeeping against their verdicts (gv_engine_check runs it). */
int gv_index_check(const gv_engine *e, gv_err *err);

/* explain.c */
void gv_explain_add(gv_explain *x, const gv_engine *e, const gv_candidate *c);
void gv_explain_finish(gv_explain *x);

int gv_engine_intern_group(gv_engine *e, const char *name); /* -1 for "" */
int gv_engine_find_group(const gv_engine *e, const char *name);

#endif
