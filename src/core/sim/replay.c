/*
 * replay.c - one replay of the FGD study's experiment (sim.h): order and inflate the pods,
 * place them one by one through the engine, and measure allocation and fragmentation after
 * every arrival.
 *
 * The fragmentation measure is the study's (fgd-method.md §4), for the trace's own target
 * workload, computed here from what the engine placed: the replay keeps each node's free CPU and
 * per-GPU free milli-GPUs from the placements it got back, and each node's expected fragment,
 * so an arrival updates one node. It is a metric of the run, not an input of any decision.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpuvm/sim.h"
#include "sim_rng.h"

#define POPULAR_PCT 95 /* the target workload covers this share of the pods */

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

typedef struct replay {
    const gv_trace_pods *pods;
    pod_type *types;
    size_t n_types;
    node_state *nodes; /* per host of the fleet, in fleet order */
    size_t n_nodes;
    double frag_total;  /* F(M) of the cluster */
    int64_t free_total; /* idle GPU milli */
} replay;

static bool
same_spec(const gv_trace_pod *a, const gv_trace_pod *b)
{
    if (a->cpu_milli != b->cpu_milli || a->gpu_milli != b->gpu_milli || a->num_gpu != b->num_gpu ||
        a->n_spec != b->n_spec)
        return false;
    for (int i = 0; i < a->n_spec; i++)
        if (strcmp(a->spec[i], b->spec[i]))
            return false;
    return true;
}

/* A spec's gpu_spec as the study keys it: the models joined by '|'. */
static void
spec_string(const gv_trace_pod *p, char *buf, size_t n)
{
    size_t len = 0;

    buf[0] = '\0';
    for (int i = 0; i < p->n_spec && len < n; i++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? "|" : "", p->spec[i]);
}

/* More frequent first; ties as the study sorts them: descending by CPU, GPU milli, GPU count,
 * then the spec string. */
static int
cmp_type(const void *x, const void *y)
{
    const pod_type *a = x, *b = y;
    char sa[GV_TRACE_SPEC_MAX * GV_TRACE_MODEL_LEN], sb[sizeof(sa)];

    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    if (a->pod->cpu_milli != b->pod->cpu_milli)
        return a->pod->cpu_milli > b->pod->cpu_milli ? -1 : 1;
    if (a->pod->gpu_milli != b->pod->gpu_milli)
        return a->pod->gpu_milli > b->pod->gpu_milli ? -1 : 1;
    if (a->pod->num_gpu != b->pod->num_gpu)
        return a->pod->num_gpu > b->pod->num_gpu ? -1 : 1;
    spec_string(a->pod, sa, sizeof(sa));
    spec_string(b->pod, sb, sizeof(sb));
    return -strcmp(sa, sb);
}

/* The study's "typical pods": specs by count, the most frequent covering 95% of the pods. */
static void
target_workload(replay *rp)
{
    const gv_trace_pods *pods = rp->pods;
    size_t n = 0, covered = 0, kept = 0;

    rp->types = gv_calloc(pods->n + 1, sizeof(pod_type));
    for (size_t i = 0; i < pods->n; i++) {
        size_t j;

        for (j = 0; j < n && !same_spec(rp->types[j].pod, &pods->v[i]); j++)
            ;
        if (j == n)
            rp->types[n++].pod = &pods->v[i];
        rp->types[j].count++;
    }
    qsort(rp->types, n, sizeof(pod_type), cmp_type);
    while (kept < n && covered * 100 < pods->n * POPULAR_PCT)
        covered += rp->types[kept++].count;
    for (size_t j = 0; j < kept; j++)
        rp->types[j].p = (double)rp->types[j].count / (double)covered;
    rp->n_types = kept;
}

/* F_n(m) of the study, milli-GPUs. */
static int64_t
frag_one(const node_state *s, const gv_trace_pod *m)
{
    int64_t total = 0, small = 0;
    int able = 0;

    for (int g = 0; g < s->node->gpus; g++) {
        total += s->gpu_free[g];
        if (s->gpu_free[g] >= m->gpu_milli)
            able++;
        else
            small += s->gpu_free[g];
    }
    if (m->num_gpu == 0 || !gv_trace_pod_accepts(m, s->node->model) || s->cpu_free < m->cpu_milli ||
        able < m->num_gpu)
        return total;
    return small;
}

static double
frag_node(const replay *rp, const node_state *s)
{
    double f = 0;

    for (size_t j = 0; j < rp->n_types; j++)
        f += rp->types[j].p * (double)frag_one(s, rp->types[j].pod);
    return f;
}

static const gv_trace_node *
node_named(const gv_trace_nodes *nodes, const char *host_name)
{
    const char *sn = strchr(host_name, '-'); /* past the "%04d-" prefix */

    for (size_t i = 0; sn && i < nodes->n; i++)
        if (!strcmp(nodes->v[i].name, sn + 1))
            return &nodes->v[i];
    return NULL;
}

static void
nodes_init(replay *rp, const gv_trace_nodes *nodes, const gv_fleet *f)
{
    rp->n_nodes = f->n_hosts;
    rp->nodes = gv_calloc(f->n_hosts + 1, sizeof(node_state));
    for (size_t h = 0; h < f->n_hosts; h++) {
        node_state *s = &rp->nodes[h];

        s->node = node_named(nodes, f->hosts[h]->name);
        s->cpu_free = s->node->cpu_milli;
        for (int g = 0; g < s->node->gpus; g++) {
            s->gpu_free[g] = 1000;
            rp->free_total += 1000;
        }
        s->frag = frag_node(rp, s);
        rp->frag_total += s->frag;
    }
}

/* Pod @p got placement @pl: take it from the node's books. */
static void
nodes_take(replay *rp, const gv_trace_pod *p, const gv_placement *pl)
{
    node_state *s = &rp->nodes[pl->host_index];

    s->cpu_free -= p->cpu_milli;
    for (size_t k = 0; k < pl->n_gpus; k++) {
        s->gpu_free[pl->gpus[k].gpu] -= pl->gpus[k].milli;
        rp->free_total -= pl->gpus[k].milli;
    }
    rp->frag_total -= s->frag;
    s->frag = frag_node(rp, s);
    rp->frag_total += s->frag;
}

static int64_t
gpu_request(const gv_trace_pod *p)
{
    return (int64_t)p->num_gpu * p->gpu_milli;
}

static int
cmp_pod_name(const void *x, const void *y)
{
    return strcmp((*(const gv_trace_pod *const *)x)->name, (*(const gv_trace_pod *const *)y)->name);
}

/* The arrival order: sorted by name, shuffled, then inflated or trimmed to @limit milli-GPUs of
 * request (the study's tune step). Returns the count; *ret owns the array of pointers. */
static size_t
arrival_order(const gv_trace_pods *pods, int64_t limit, gv_sim_rng *rng, const gv_trace_pod ***ret)
{
    size_t n = pods->n, cap = pods->n * 2 + 16;
    const gv_trace_pod **v = gv_calloc(cap, sizeof(*v));
    int64_t total = 0;

    for (size_t i = 0; i < n; i++) {
        v[i] = &pods->v[i];
        total += gpu_request(v[i]);
    }
    qsort(v, n, sizeof(*v), cmp_pod_name);
    for (size_t i = n; i > 1; i--) {
        size_t j = gv_sim_rng_below(rng, i);
        const gv_trace_pod *t = v[i - 1];

        v[i - 1] = v[j];
        v[j] = t;
    }
    if (total < limit && total > 0) {
        /* the study stops before a sample whose per-GPU milli would pass the limit (a trace
         * without GPU pods is not inflated: no sample would ever stop it) */
        for (;;) {
            const gv_trace_pod *q = &pods->v[gv_sim_rng_below(rng, pods->n)];

            if (total + q->gpu_milli > limit)
                break;
            if (n == cap)
                v = gv_reallocarray(v, cap *= 2, sizeof(*v));
            v[n++] = q;
            total += gpu_request(q);
        }
    } else {
        while (total > limit && n) {
            size_t j = gv_sim_rng_below(rng, n);

            total -= gpu_request(v[j]);
            memmove(&v[j], &v[j + 1], (n - j - 1) * sizeof(*v));
            n--;
        }
    }
    *ret = v;
    return n;
}

static void
bin_add(gv_sim_run *r, int64_t arrived, int64_t allocated, const replay *rp)
{
    int x = (int)llround((double)arrived * 100.0 / (double)r->capacity_milli);
    gv_sim_bin *b;

    if (x < 0)
        x = 0;
    if (x > GV_SIM_MAX_PCT)
        x = GV_SIM_MAX_PCT;
    b = &r->bins[x];
    b->n++;
    b->alloc_pct += 100.0 * (double)allocated / (double)r->capacity_milli;
    b->frag_amount_pct += 100.0 * rp->frag_total / (double)r->capacity_milli;
    b->frag_ratio_pct += rp->free_total ? 100.0 * rp->frag_total / (double)rp->free_total : 0;
}

int
gv_sim_openb_run(const gv_trace_nodes *nodes, const gv_trace_pods *pods, const gv_catalog *cat,
                 const gv_sim_openb_opts *o, gv_sim_run *ret, gv_err *err)
{
    GV_AUTOPTR(gv_fleet) f = NULL;
    GV_AUTOPTR(gv_engine) e = NULL;
    GV_AUTOFREE const gv_trace_pod **order = NULL;
    replay rp = {.pods = pods};
    gv_sim_run run = {.seed = o->seed};
    gv_place_result res;
    gv_sim_rng rng;
    int64_t arrived = 0, allocated = 0;
    size_t n;
    int rc = 0;

    if (!(f = gv_sim_openb_fleet(nodes, o->seed, err)))
        return -GV_E_INVAL;
    target_workload(&rp);
    {
        GV_AUTOFREE gv_place_config *cfg = gv_malloc(sizeof(*cfg));

        if (o->cfg)
            *cfg = *o->cfg;
        else
            gv_place_config_init(cfg);
        /* FGD's expected workload is the trace's own typical pods, as the study computed it;
         * its fragment reads CPU and GPU, not memory, so the shapes ask for 1 MiB */
        if (cfg->policy == GV_POLICY_FGD && !cfg->n_mix) {
            for (size_t j = 0; j < rp.n_types && j < GV_MIX_MAX; j++) {
                gv_sim_openb_request(rp.types[j].pod, "", &cfg->mix[j].shape);
                cfg->mix[j].shape.memory_mib = 1;
                cfg->mix[j].weight = (double)rp.types[j].count;
            }
            cfg->n_mix = rp.n_types < GV_MIX_MAX ? rp.n_types : GV_MIX_MAX;
        }
        if ((rc = gv_engine_new(f, cat, cfg, &e, err)) < 0) {
            free(rp.types);
            return rc;
        }
    }
    for (size_t h = 0; h < f->n_hosts; h++)
        run.capacity_milli += 1000 * (int64_t)f->hosts[h]->n_gpus;
    run.n_hosts = f->n_hosts;
    nodes_init(&rp, nodes, f);
    gv_sim_rng_init(&rng, o->seed);
    n = arrival_order(
        pods, (int64_t)llround((o->inflate > 0 ? o->inflate : 1.3) * (double)run.capacity_milli),
        &rng, &order);
    run.n_pods = n;
    memset(&res, 0, sizeof(res));
    for (size_t i = 0; i < n; i++) {
        const gv_trace_pod *p = order[i];
        char name[GV_REQ_NAME_LEN];
        gv_request r;
        int placed;

        snprintf(name, sizeof(name), "p%zu", i);
        gv_err e_err = {0};

        gv_sim_openb_request(p, name, &r);
        arrived += gpu_request(p);
        placed = gv_engine_place(e, &r, o->reference ? GV_PLACE_REFERENCE : 0, &res, &e_err);
        if (placed < 0) {
            rc = gv_err_set(err, e_err.code, NULL, "pod %s (line %d): %s", p->name, p->line,
                            e_err.msg);
            break;
        }
        if (placed) {
            run.n_placed++;
            allocated += gpu_request(p);
            nodes_take(&rp, p, &res.placement);
        }
        gv_place_result_clear(&res);
        bin_add(&run, arrived, allocated, &rp);
    }
    free(rp.types);
    free(rp.nodes);
    if (rc < 0)
        return rc;
    *ret = run;
    return 0;
}

double
gv_sim_run_at(const gv_sim_run *r, int x, gv_sim_curve c)
{
    double sum = 0;
    int n = 0;

    for (int lo = x, hi = x; lo >= x - 1; lo--, hi++) {
        n = 0;
        sum = 0;
        for (int b = lo; b <= hi; b++) {
            const gv_sim_bin *bin;

            if (b < 0 || b > GV_SIM_MAX_PCT)
                continue;
            bin = &r->bins[b];
            n += bin->n;
            sum += c == GV_SIM_ALLOC || c == GV_SIM_UNALLOC ? bin->alloc_pct
                   : c == GV_SIM_FRAG_AMOUNT                ? bin->frag_amount_pct
                                                            : bin->frag_ratio_pct;
        }
        if (n)
            break;
    }
    if (!n)
        return NAN;
    return c == GV_SIM_UNALLOC ? 100.0 - sum / n : sum / n;
}
