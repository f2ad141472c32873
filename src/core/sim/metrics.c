/*
 * metrics.c - the replays' metrics ledger and engine settings (sim_internal.h): the FGD study's
 * target workload and fragmentation measure, kept per node from what the engine placed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

#define POPULAR_PCT 95 /* the target workload covers this share of the pods */

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
/* The target workload of @rp->pods: the most frequent pod specs covering 95% of the pods, sorted
 * as the study sorts them. */
static void
target_workload(gv_sim_ledger *rp)
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
frag_node(const gv_sim_ledger *rp, const node_state *s)
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

/* Every node of fleet @f (built by gv_sim_openb_fleet from @nodes) empty. */
static void
ledger_init(gv_sim_ledger *rp, const gv_trace_nodes *nodes, const gv_fleet *f)
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

void
gv_sim_held_of(const gv_placement *pl, gv_sim_held *ret)
{
    ret->host = pl->host_index;
    ret->n_gpus = (int)pl->n_gpus;
    for (int k = 0; k < ret->n_gpus; k++) {
        ret->gpus[k] = pl->gpus[k].gpu;
        ret->milli[k] = pl->gpus[k].milli;
    }
}

void
gv_sim_pod_name(size_t i, char *buf, size_t n)
{
    snprintf(buf, n, "p%zu", i);
}

int
gv_sim_engine_place(gv_engine *e, const gv_trace_pod *p, const gv_request *r, bool reference,
                    gv_place_result *res, gv_err *err)
{
    gv_err e_err = {0};
    int placed = gv_engine_place(e, r, reference ? GV_PLACE_REFERENCE : 0, res, &e_err);

    if (placed < 0)
        return gv_err_set(err, e_err.code, NULL, "pod %s (line %d): %s", p->name, p->line,
                          e_err.msg);
    return placed;
}

int
gv_sim_place_pod(gv_engine *e, gv_sim_ledger *rp, const gv_trace_pod *p, size_t i, bool reference,
                 gv_place_result *res, gv_sim_held *ret_held, gv_err *err)
{
    char name[GV_REQ_NAME_LEN];
    gv_request r;
    int placed;

    gv_sim_pod_name(i, name, sizeof(name));
    gv_sim_openb_request(p, name, &r);
    if ((placed = gv_sim_engine_place(e, p, &r, reference, res, err)) < 0)
        return placed;
    if (placed) {
        gv_sim_held_of(&res->placement, ret_held);
        gv_sim_ledger_move(rp, p, ret_held, 1);
    }
    gv_place_result_clear(res);
    return placed;
}

void
gv_sim_ledger_move(gv_sim_ledger *rp, const gv_trace_pod *p, const gv_sim_held *held, int sign)
{
    node_state *s = &rp->nodes[held->host];

    s->cpu_free -= sign * p->cpu_milli;
    for (int k = 0; k < held->n_gpus; k++) {
        s->gpu_free[held->gpus[k]] -= sign * held->milli[k];
        rp->free_total -= sign * held->milli[k];
    }
    rp->frag_total -= s->frag;
    s->frag = frag_node(rp, s);
    rp->frag_total += s->frag;
}

void
gv_sim_ledger_fini(gv_sim_ledger *rp)
{
    free(rp->types);
    free(rp->nodes);
    rp->types = NULL;
    rp->nodes = NULL;
}

/* The engine settings of a replay (gv_sim_start). Caller frees. */
static gv_place_config *
engine_config(const gv_sim_ledger *rp, const gv_place_config *base)
{
    gv_place_config *cfg = gv_malloc(sizeof(*cfg));

    if (base)
        *cfg = *base;
    else
        gv_place_config_init(cfg);
    /* FGD's expected workload is the trace's own typical pods; its fragment reads CPU and GPU,
     * not memory, so the shapes ask for 1 MiB */
    if (cfg->policy == GV_POLICY_FGD && !cfg->n_mix) {
        for (size_t j = 0; j < rp->n_types && j < GV_MIX_MAX; j++) {
            gv_sim_openb_request(rp->types[j].pod, "", &cfg->mix[j].shape);
            cfg->mix[j].shape.memory_mib = 1;
            cfg->mix[j].weight = (double)rp->types[j].count;
        }
        cfg->n_mix = rp->n_types < GV_MIX_MAX ? rp->n_types : GV_MIX_MAX;
    }
    return cfg;
}

int
gv_sim_start(const gv_trace_nodes *nodes, const gv_catalog *cat, const gv_sim_openb_opts *o,
             gv_sim_ledger *rp, gv_fleet **ret_f, gv_engine **ret_e, int64_t *ret_capacity,
             gv_err *err)
{
    GV_AUTOPTR(gv_fleet) f = NULL;
    GV_AUTOFREE gv_place_config *cfg = NULL;
    int64_t capacity = 0;
    int rc;

    if (!(f = gv_sim_openb_fleet(nodes, o->seed, err)))
        return -GV_E_INVAL;
    target_workload(rp);
    cfg = engine_config(rp, o->cfg);
    if ((rc = gv_engine_new(f, cat, cfg, ret_e, err)) < 0) {
        gv_sim_ledger_fini(rp);
        return rc;
    }
    for (size_t h = 0; h < f->n_hosts; h++)
        capacity += 1000 * (int64_t)f->hosts[h]->n_gpus;
    ledger_init(rp, nodes, f);
    *ret_capacity = capacity;
    *ret_f = GV_STEAL_PTR(f);
    return 0;
}
