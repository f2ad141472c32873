/*
 * sim_internal.h - what the replays of src/core/sim/ share: the metrics ledger (metrics.c).
 *
 * The ledger keeps, from the placements the engine returns, each node's free CPU and per-GPU
 * free milli-GPUs and its expected fragment for the trace's target workload (the FGD study's
 * measure, fgd-method.md §4), so that a placement or a release updates one node. It is a metric
 * of a run, never an input of a decision.
 */
#ifndef GV_SIM_INTERNAL_H
#define GV_SIM_INTERNAL_H

#include "gpuvm/sim.h"
#include "sim_rng.h"

/* One pod spec of the target workload and its popularity. */
typedef struct pod_type {
    const gv_trace_pod *pod; /* its first pod, for the spec */
    size_t count;
    double p;
} pod_type;

/* What the metrics know of a node: free CPU, each GPU's free milli, its expected fragment. */
typedef struct node_state {
    const gv_trace_node *node;
    int64_t cpu_free;
    int gpu_free[GV_TRACE_MAX_GPUS];
    double frag; /* F_n(M), milli-GPUs */
} node_state;

typedef struct gv_sim_ledger {
    const gv_trace_pods *pods;
    pod_type *types;
    size_t n_types;
    node_state *nodes; /* per host of the fleet, in fleet order */
    size_t n_nodes;
    double frag_total;  /* F(M) of the cluster */
    int64_t free_total; /* idle GPU milli */
} gv_sim_ledger;

/* A pod's GPU request, milli-GPUs: count x milli. */
static inline int64_t
gv_sim_pod_gpu(const gv_trace_pod *p)
{
    return (int64_t)p->num_gpu * p->gpu_milli;
}

/* What a placed pod holds, as the ledger counts it: its host, each GPU and its milli-GPUs. */
typedef struct gv_sim_held {
    int host, n_gpus;
    int gpus[GV_REQ_MAX_GPUS], milli[GV_REQ_MAX_GPUS];
} gv_sim_held;

void gv_sim_held_of(const gv_placement *pl, gv_sim_held *ret);
/* The engine's name for the pod that arrived @i-th: "p<i>". */
void gv_sim_pod_name(size_t i, char *buf, size_t n);
/* Place @r, made of pod @p, through @e (the exhaustive reference when @reference); @res is the
 * caller's to read and clear. Returns: 1 placed, 0 does not fit, or the engine's error with
 * @err set ("pod NAME (line N): ..."). */
int gv_sim_engine_place(gv_engine *e, const gv_trace_pod *p, const gv_request *r, bool reference,
                        gv_place_result *res, gv_err *err);

/*
 * Place pod @p, the @i-th arrival, through @e (the exhaustive reference when @reference); when
 * it fits, count what it holds in @rp and give that in *ret_held. @res is the caller's scratch.
 * Returns: 1 placed, 0 does not fit, or the engine's error with @err set ("pod NAME (line N):").
 */
int gv_sim_place_pod(gv_engine *e, gv_sim_ledger *rp, const gv_trace_pod *p, size_t i,
                     bool reference, gv_place_result *res, gv_sim_held *ret_held, gv_err *err);
/* Pod @p takes (@sign 1) or gives back (-1) CPU and GPU as @held says. */
void gv_sim_ledger_move(gv_sim_ledger *rp, const gv_trace_pod *p, const gv_sim_held *held,
                        int sign);
void gv_sim_ledger_fini(gv_sim_ledger *rp);
/*
 * Start a replay of @rp->pods: the fleet of @nodes for @o's seed (*ret_f), the engine with the
 * replay's settings (@o->cfg; under fgd with no mix, the target workload as the expected mix,
 * as the study computed it) in *ret_e, @rp's target workload and empty nodes, and the GPU
 * capacity in milli-GPUs (*ret_capacity). Returns: 0, or the error, with nothing left to free.
 */
int gv_sim_start(const gv_trace_nodes *nodes, const gv_catalog *cat, const gv_sim_openb_opts *o,
                 gv_sim_ledger *rp, gv_fleet **ret_f, gv_engine **ret_e, int64_t *ret_capacity,
                 gv_err *err);

/* What a replay other than the study's makes of each host of the openb fleet (its GPUs' model,
 * mode and instances, the host's settings), before the host joins the fleet. */
typedef void (*gv_sim_dress_fn)(gv_host *h, const void *arg);

/* gv_sim_openb_fleet with every host passed through @dress (NULL: as the study's). */
gv_fleet *gv_sim_fleet_dressed(const gv_trace_nodes *nodes, uint64_t seed, gv_sim_dress_fn dress,
                               const void *arg, gv_err *err);

/* The bins a curve's value at arrived @x % is the mean over, given each bin's arrivals @n:
 * bin x alone, else x-1..x+1 (clipped to the bins). Returns false when they have none. */
bool gv_sim_bin_window(const int *n, int x, int *ret_lo, int *ret_hi);

/* The arrived-% bin of @arrived milli-GPUs on @capacity_milli: rounded, 0..GV_SIM_MAX_PCT. */
int gv_sim_bin_of(int64_t arrived, int64_t capacity_milli);

/* The study's arrival order of @pods for the run @o on a cluster of @capacity_milli GPU:
 * sorted by name, shuffled with @o->seed, then inflated or trimmed to @o->inflate (1.3 when
 * unset) times the capacity in milli-GPUs of request. Returns the count; *ret owns the array. */
size_t gv_sim_arrival_order(const gv_trace_pods *pods, const gv_sim_openb_opts *o,
                            int64_t capacity_milli, const gv_trace_pod ***ret);

#endif
