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

/* The target workload of @rp->pods: the most frequent pod specs covering 95% of the pods, sorted
 * as the study sorts them. */
void gv_sim_target_workload(gv_sim_ledger *rp);
/* Every node of fleet @f (built by gv_sim_openb_fleet from @nodes) empty. */
void gv_sim_ledger_init(gv_sim_ledger *rp, const gv_trace_nodes *nodes, const gv_fleet *f);
/* Pod @p takes (@sign 1) or gives back (-1) CPU on host @host and @milli[k] of GPU @gpus[k]. */
void gv_sim_ledger_move(gv_sim_ledger *rp, const gv_trace_pod *p, int host, const int *gpus,
                        const int *milli, int n, int sign);
void gv_sim_ledger_fini(gv_sim_ledger *rp);
/* The engine settings of a replay: @base (NULL: defaults); under fgd with no mix, the target
 * workload as the expected mix, as the study computed it. Caller frees. */
gv_place_config *gv_sim_engine_config(const gv_sim_ledger *rp, const gv_place_config *base);

#endif
