/*
 * whatif.h - what-if replays for operators: a fleet of their own and a stream of timed VM
 * requests (arrival, optional departure) through the placement engine, event by event, and what
 * it cost: requests rejected and why, GPU allocation, stranded GPUs and NUMA violations, in
 * total and per pool, plus a time series. `gpuvm sim --fleet F --requests R.jsonl` runs it.
 *
 * Design notes
 *
 * Definitions
 *   stream     the timed requests (gv_whatif_stream), read from JSON lines (docs/formats.md,
 *              "What-if request streams"): {"at": T, "until": T2, "request": {...}}, or a
 *              flavor in place of (or under) the request. Names are unique in a stream; a
 *              request without one is called "line-N" after its input line.
 *   event      an arrival (gv_engine_place: placed, or rejected with the engine's reasons) or
 *              the departure of a placed VM (gv_engine_release). The departure of a request
 *              that was rejected does nothing and is not an event of the time series.
 *   order      events by time; at one time departures before arrivals (what leaves frees room
 *              for what comes), and events of one kind at one time in input order.
 *   allocated  GPU capacity held by VMs, in milli-GPUs (1000 a GPU; a MIG instance, vGPU or VF
 *              by its share of the GPU, as the engine counts free capacity: frag.c).
 *   stranded   free GPU capacity, in milli-GPUs, that no typical request could use where it
 *              is. The typical requests are the stream's most frequent GPU request shapes
 *              (a request without name and tenant) covering 95% of its GPU requests, at most
 *              GV_MIX_MAX, as the engine learns its mix. A free GPU of a ready host is usable
 *              when some typical shape is feasible on the host now, by the engine's own
 *              per-host verdict (pool, zone, labels, class mix, anti-affinity, CPUs, memory,
 *              GPU count and topology, NICs, scratch), and the GPU can give one unit of it (a
 *              whole GPU, the MIG instance, the vGPU, a VF, the milli share); a host that can
 *              take no typical shape has all its free GPU capacity stranded. Hosts that are
 *              not ready (cordoned, maintenance, down) are out of service, not fragmented:
 *              their GPUs count in the capacity, never as stranded. So an empty fleet whose
 *              pools each serve some typical request strands nothing, and a host whose CPUs
 *              or memory are taken while GPUs are free strands those GPUs.
 *   NUMA violations  placed VMs with resources off their GPUs' NUMA nodes (numa_policy
 *              preferred lets the engine do so and report it), and the amounts off per kind:
 *              vCPUs, MiB, NIC VFs, scratch GiB (the units are not added up).
 *   pool       a placed request counts in the pool of its host; a rejected one in the pool it
 *              asked for, or in "-" when it named none ("-" also holds hosts without a pool).
 *              So per pool placed + rejected = requests, and the pools add up to the totals.
 *
 * Figures over time are read after each event: peaks are the maxima over events; means are
 * time-weighted over [first event, last event] (a value holds until the next event), or the
 * value after the last event when all events share one time.
 *
 * Invariants (tests check them): requests = placed + rejected, per pool and in total;
 * departed <= placed; 0 <= stranded <= capacity - allocated; the time series ends with the
 * totals' placed and rejected counts.
 *
 * Determinism: no clock, no randomness besides the engine's seeded random policy; events in the
 * order above; results depend only on the fleet, catalog, settings and stream.
 */
#ifndef GPUVM_WHATIF_H
#define GPUVM_WHATIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gpuvm/err.h"
#include "gpuvm/gpu.h"
#include "gpuvm/place.h"
#include "gpuvm/topo.h"

#define GV_WHATIF_MAX_REQUESTS 1000000 /* requests in one stream */
#define GV_WHATIF_MAX_TIME 1e15        /* seconds; integers below it are exact */
#define GV_WHATIF_NO_POOL "-"          /* requests naming no pool, hosts without one */

/* ---- the stream --------------------------------------------------------------------------- */

typedef struct gv_whatif_request {
    double at;    /* arrival, seconds, 0..GV_WHATIF_MAX_TIME */
    double until; /* departure, seconds, > at; meaningful when has_until */
    bool has_until;
    size_t line; /* 1-based input line (0: not from a text) */
    gv_request request;
} gv_whatif_request;

typedef struct gv_whatif_stream {
    char *source; /* for messages ("requests.jsonl"); owned */
    size_t n;
    gv_whatif_request *v; /* owned, in input order */
} gv_whatif_stream;

/*
 * Resolve flavor @name into @ret (a request without a name, over the defaults). Returns 0, or a
 * negative gv_errcode with @err set (its location is replaced by the stream line's).
 */
typedef int (*gv_whatif_flavor_fn)(const char *name, void *userdata, gv_request *ret, gv_err *err);

/*
 * Parse a what-if stream: one JSON object per line {"at", "until" (optional, null = stays),
 * "flavor" (optional), "request" (optional when a flavor is given)}; blank lines and lines
 * whose first non-blank character is '#' are skipped. A request is read as `gpuvm place`
 * reads one (over the flavor, when given); "until" must be after "at". All or nothing: the
 * first bad line is reported as "source:LINE" and the reason, and @ret is untouched. @flavor
 * may be NULL (a line naming a flavor is then an error).
 * Returns: 0, -GV_E_PARSE (not JSON), -GV_E_INVAL (a bad value, a duplicate name),
 * -GV_E_LIMIT (a line over 1 MiB, more than GV_WHATIF_MAX_REQUESTS requests), or the flavor
 * resolver's code.
 */
int gv_whatif_stream_parse(const char *text, size_t len, const char *source,
                           gv_whatif_flavor_fn flavor, void *userdata, gv_whatif_stream *ret,
                           gv_err *err);
void gv_whatif_stream_clear(gv_whatif_stream *s);

/* ---- results ------------------------------------------------------------------------------ */

typedef struct gv_whatif_totals {
    size_t n_hosts;
    int64_t gpu_milli; /* GPU capacity, milli-GPUs */
    size_t requests, placed, rejected;
    size_t departed;                    /* placed VMs released by their departure */
    size_t rejected_by[GV_REASON_LAST]; /* by the reason of the host closest to fitting */
    size_t numa_violations;             /* placed VMs with resources off their GPUs' nodes */
    int64_t violation_amount[GV_VIOLATION_KIND_LAST]; /* vCPUs, MiB, VFs, GiB off the nodes */
    size_t running_peak;                              /* VMs at once */
    int64_t alloc_peak_milli;
    double alloc_mean_milli; /* time-weighted */
    int64_t stranded_peak_milli;
    double stranded_mean_milli;
} gv_whatif_totals;

typedef struct gv_whatif_pool {
    char name[GV_REQ_NAME_LEN]; /* GV_WHATIF_NO_POOL: see the design notes */
    gv_whatif_totals t;
} gv_whatif_pool;

typedef enum gv_whatif_event {
    GV_WHATIF_PLACED,
    GV_WHATIF_REJECTED,
    GV_WHATIF_RELEASED,
    GV_WHATIF_EVENT_LAST
} gv_whatif_event; /* "placed", "rejected", "released" */

const char *gv_whatif_event_to_string(gv_whatif_event ev);

/* The fleet after one event. */
typedef struct gv_whatif_point {
    double time;
    gv_whatif_event event;
    size_t request;   /* index in the stream */
    int host;         /* in fleet->hosts; -1 when rejected */
    gv_reason reason; /* rejected: the reason counted */
    size_t running;   /* VMs placed and not departed */
    size_t placed;    /* so far */
    size_t rejected;  /* so far */
    int64_t alloc_milli, stranded_milli;
} gv_whatif_point;

typedef struct gv_whatif_result {
    gv_whatif_totals total;
    size_t n_pools;
    gv_whatif_pool *pools; /* the fleet's pools in its order, pools only hosts name, then "-"
                              when it holds a host or a request; owned */
    size_t n_points;
    gv_whatif_point *points; /* one per event, in event order; owned */
    /* per point and pool (point x n_pools + pool): allocated and stranded milli-GPUs; owned */
    int64_t *pool_alloc_milli;
    int64_t *pool_stranded_milli;
    size_t n_typical; /* typical request shapes the stranded measure used */
} gv_whatif_result;

/*
 * Replay @s on @f (a fresh engine with @cat and @cfg; NULL: the defaults) and fill @ret (free
 * with gv_whatif_result_clear). Every request is checked against the fleet before the first
 * event (gv_engine_check_request): a GPU model, MIG profile, vGPU type or pool the fleet lacks
 * is an error located "source:LINE", and nothing is run.
 * Returns: 0, -GV_E_INVAL (a request the fleet cannot check, a fleet the engine refuses),
 * -GV_E_INTERNAL (the engine broke a promise; a bug).
 */
int gv_whatif_run(const gv_fleet *f, const gv_catalog *cat, const gv_place_config *cfg,
                  const gv_whatif_stream *s, gv_whatif_result *ret, gv_err *err);
void gv_whatif_result_clear(gv_whatif_result *r);

/* The pool named @name in @r, or NULL. */
const gv_whatif_pool *gv_whatif_result_pool(const gv_whatif_result *r, const char *name);

#endif
