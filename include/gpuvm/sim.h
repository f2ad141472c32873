/*
 * sim.h - trace-driven replays through the real placement engine (gv_engine): the FGD study's
 * method on Alibaba's GPU trace ("openb"), as `gpuvm sim openb` runs it.
 *
 * Design notes
 *
 * Mapping. A trace node becomes a host: one NUMA node with a thread per CPU and the node's
 * memory, its GPUs in share mode (the engine's fractional mode), all in one pool without CPU
 * overcommit and without a pack or spread preference (strategy none: the study's cluster has
 * none, and either costs the gpuvm policy two points, bench/README.md). A pod becomes a request:
 * shared vCPUs entitled to exactly its cpu_milli (ceil(cpu_milli / 1000) vCPUs), its memory, and k
 * GPUs of d milli each (a share; d = 1000 asks for GPUs no one else shares, as the study's
 * whole-GPU tasks do), on the models of its gpu_spec. Memory is a hard filter as in the study;
 * nothing else of the host matters.
 *
 * Replay (the study's, §3 of fgd-method.md): pods sorted by name and shuffled with the seed;
 * inflated to 130% of GPU capacity by appending pods sampled from the trace until the next
 * sample's per-GPU milli would pass it (the study's stop test), or trimmed at random when the
 * trace is over; then placed one at a time, online, a pod that fits nowhere dropped. Host names
 * carry a seeded permutation prefix ("%04d-"), so the engine's tie-break (the smaller name) is
 * the study's random node order.
 *
 * Metrics, after every arrival: allocated GPU milli, the arrived GPU request (k x d of every
 * pod so far, placed or not), and the FGD fragmentation of the cluster for the trace's target
 * workload (the most frequent pod specs covering 95% of the pods, CPU-only ones included),
 * kept per node and updated for the node that changed. x = round(arrived / capacity x 100); a
 * curve's value at x is the mean over the arrivals in bin x, else over bins x-1..x+1.
 *
 * Randomness: one splitmix64 stream per run, from the seed; the engine has none. Runs of the
 * same inputs and seed are identical.
 */
#ifndef GPUVM_SIM_H
#define GPUVM_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "gpuvm/gpu.h"
#include "gpuvm/place.h"
#include "gpuvm/topo.h"
#include "gpuvm/trace.h"

#define GV_SIM_MAX_PCT 130 /* arrived workload bins 0..130 % */

/* The hosts of @nodes (those with GPUs; CPU-only nodes are not the study's cluster), named
 * "%04d-<sn>" by a permutation drawn from @seed. Returns: a new fleet (free with
 * gv_fleet_free), or NULL with @err set when a node cannot be a host. */
gv_fleet *gv_sim_openb_fleet(const gv_trace_nodes *nodes, uint64_t seed, gv_err *err);

/* The request pod @p stands for, named @name. */
void gv_sim_openb_request(const gv_trace_pod *p, const char *name, gv_request *r);

/* One arrived-% bin of a run: sums over the arrivals that fell in it. */
typedef struct gv_sim_bin {
    int n;
    double alloc_pct;       /* allocated GPU capacity, % */
    double frag_amount_pct; /* F(M), % of GPU capacity */
    double frag_ratio_pct;  /* F(M), % of idle GPU capacity */
} gv_sim_bin;

typedef struct gv_sim_run {
    uint64_t seed;
    int64_t capacity_milli; /* GPU capacity of the cluster */
    size_t n_hosts;
    size_t n_pods;   /* after inflation */
    size_t n_placed; /* the rest were dropped */
    gv_sim_bin bins[GV_SIM_MAX_PCT + 1];
} gv_sim_run;

/* Which curve gv_sim_run_at reads. */
typedef enum gv_sim_curve {
    GV_SIM_ALLOC,
    GV_SIM_UNALLOC,
    GV_SIM_FRAG_AMOUNT,
    GV_SIM_FRAG_RATIO,
    GV_SIM_CURVE_LAST
} gv_sim_curve;

typedef struct gv_sim_openb_opts {
    uint64_t seed;
    double inflate;             /* 1.3: replay until 130% of GPU capacity has arrived */
    const gv_place_config *cfg; /* the engine's settings (NULL: defaults) */
    bool reference;             /* decide with the exhaustive reference (GV_PLACE_REFERENCE) */
    double rate; /* gv_sim_openb_departures: arrivals this many times as fast (<= 1: as traced) */
} gv_sim_openb_opts;

/*
 * Replay @pods on the cluster of @nodes (see the design notes) and fill @ret.
 * Returns: 0, or -GV_E_INVAL when the trace cannot be replayed (no GPU node, a pod the engine
 * refuses as a request), with @err set.
 */
int gv_sim_openb_run(const gv_trace_nodes *nodes, const gv_trace_pods *pods, const gv_catalog *cat,
                     const gv_sim_openb_opts *o, gv_sim_run *ret, gv_err *err);

/* One point of a replay over time, after an arrival. */
typedef struct gv_sim_point {
    int64_t time; /* the trace's seconds */
    double alloc_pct, frag_amount_pct, frag_ratio_pct;
    size_t active;   /* pods running */
    size_t placed;   /* so far */
    size_t rejected; /* so far */
} gv_sim_point;

typedef struct gv_sim_timeline {
    int64_t capacity_milli;
    size_t n_hosts, n_pods, n_placed, n_rejected;
    size_t n;
    gv_sim_point *v; /* owned: one per arrival, in time order */
} gv_sim_timeline;

/*
 * Replay @pods with the trace's own times (no shuffle, no inflation): a pod arrives at its
 * creation time and leaves at its deletion time (never when it has none, or an earlier one);
 * at one time departures come first. With @o->rate > 1 a pod arrives at creation / rate and
 * stays as long as traced (the load scaled by rate). Fills @ret (free with gv_sim_timeline_clear).
 * Returns: 0, or -GV_E_INVAL for a pod without a creation time or one the engine refuses.
 */
int gv_sim_openb_departures(const gv_trace_nodes *nodes, const gv_trace_pods *pods,
                            const gv_catalog *cat, const gv_sim_openb_opts *o, gv_sim_timeline *ret,
                            gv_err *err);
void gv_sim_timeline_clear(gv_sim_timeline *t);

/* Curve @c of @r at arrived @x % (0..GV_SIM_MAX_PCT): the mean over bin x, else over bins
 * x-1..x+1; NAN when none of them has an arrival. */
double gv_sim_run_at(const gv_sim_run *r, int x, gv_sim_curve c);

/*
 * The MIG replay (beyond the study): the same trace, order and inflation on an H100 MIG fleet
 * of the same hosts and GPU counts. A sharing pod of d milli takes the smallest MIG profile
 * whose compute slices cover it (ceil(7d / 1000) slices: 110 -> 1g.10gb, 160 and 230 ->
 * 2g.20gb, 320 -> 3g.40gb, 470 -> 4g.40gb, 650 and 810 -> 7g.80gb, as no 5g or 6g exists); a
 * whole-GPU pod takes k 7g.80gb instances, k whole GPUs. Pods keep their CPU and memory; their
 * gpu_spec is dropped (the fleet has one model). Allocated capacity counts the compute slices
 * of the instances VMs hold (a 1g.10gb is 1/7 of a GPU), so the rounding up to a profile is
 * allocated capacity no pod asked for, reported apart.
 */
typedef enum gv_sim_mig_strategy {
    GV_SIM_MIG_STATIC,     /* every GPU in mig-parted's all-balanced layout (2 x 1g.10gb,
                              2g.20gb, 3g.40gb), fixed; the first host with an idle instance */
    GV_SIM_MIG_FIRST_FREE, /* GPUs in MIG mode with no instance; each VM's instance created at
                              the lowest free start of the first host and GPU that fit */
    GV_SIM_MIG_GPUVM,      /* the balanced layout to start from, the engine's own policy (slot
                              choice that keeps the mix's profiles placeable) and re-partitioning
                              of GPUs whose instances are all idle */
    GV_SIM_MIG_LAST
} gv_sim_mig_strategy; /* "static", "first-free", "gpuvm" */

const char *gv_sim_mig_strategy_to_string(gv_sim_mig_strategy s);

/* One arrived-% bin of a MIG replay: sums over the arrivals that fell in it. */
typedef struct gv_sim_mig_bin {
    int n;
    double alloc_pct;  /* GPU capacity held by VMs' instances, % */
    double asked_pct;  /* what the placed pods asked for, % (alloc - asked: MIG rounding) */
    int dropped;       /* arrivals in this bin that fit nowhere */
    int dropped_whole; /* ... of them, pods asking for whole GPUs */
} gv_sim_mig_bin;

typedef struct gv_sim_mig_run {
    uint64_t seed;
    gv_sim_mig_strategy strategy;
    size_t n_hosts, n_gpus;
    size_t n_pods, n_placed;
    size_t n_repartitioned; /* placements that re-partitioned a GPU (or switched its mode) */
    gv_sim_mig_bin bins[GV_SIM_MAX_PCT + 1];
} gv_sim_mig_run;

/* The MIG profile of @m (its index) a pod of @milli per GPU takes, or -1 when none covers it. */
int gv_sim_mig_profile_for(const gv_gpu_model *m, int milli);

/*
 * Replay @pods on the MIG fleet of @nodes with @strategy (@o: seed and inflation; @o->cfg is
 * not read: each strategy sets its policy) and fill @ret. The GPU model is the catalog's
 * H100-SXM5-80GB. Returns: 0, or -GV_E_INVAL (the catalog lacks the model, no GPU node).
 */
int gv_sim_openb_mig(const gv_trace_nodes *nodes, const gv_trace_pods *pods, const gv_catalog *cat,
                     const gv_sim_openb_opts *o, gv_sim_mig_strategy strategy, gv_sim_mig_run *ret,
                     gv_err *err);

/* At arrived @x % (0..GV_SIM_MAX_PCT), bin means as gv_sim_run_at reads them: unallocated GPU %
 * (*ret_unalloc) and MIG rounding % (*ret_rounding); and the pods dropped, all and whole-GPU,
 * among the arrivals up to bin @x. Returns false when no arrival is near @x. */
bool gv_sim_mig_at(const gv_sim_mig_run *r, int x, double *ret_unalloc, double *ret_rounding,
                   size_t *ret_dropped, size_t *ret_dropped_whole);

#endif
