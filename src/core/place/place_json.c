/*
 * place_json.c - a placement, and the explanation of a request that did not fit, as canonical
 * JSON: what `gpuvm place --format json` prints and what the daemon will answer; a placement
 * that was explained carries the explanation beside it. Keys are sorted and the layout is fixed
 * (gv_json_dump), lists keep the placement's order (vCPUs, cells, devices as the engine chose
 * them), CPU sets are cpulist strings ("4-11,60-67") and an unknown NUMA node is null. It
 * carries what gv_engine_restore needs to put the VM back on exactly these resources (the
 * request, the threads owned, vCPUs per node, whether a GPU is reconfigured), and
 * placement_parse.c reads it back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/place/place_json.h"
#include "core/place/request_parse.h"
#include "util/cpulist.h"
#include "util/json.h"
#include "util/strbuf.h"

/* A JSON string; bytes that are not UTF-8 (json_string refuses them) become '?'. */
static json_t *
str_json(const char *s)
{
    json_t *j = json_string(s ? s : "");
    GV_AUTOFREE char *copy = NULL;

    if (j)
        return j;
    copy = gv_strdup(s);
    for (char *c = copy; *c; c++)
        if ((unsigned char)*c >= 0x80)
            *c = '?';
    return json_string(copy);
}

static json_t *
enum_json(const char *s)
{
    return json_string(s ? s : "unknown");
}

/* The cpulist form of @ids (any order, duplicates allowed) as a JSON string. */
static json_t *
cpulist_json(const int *ids, size_t n)
{
    gv_strbuf sb = {0};
    json_t *j;

    gv_cpulist_format_ids(&sb, ids, n);
    j = json_string(gv_strbuf_str(&sb));
    gv_strbuf_reset(&sb);
    return j;
}

static json_t *
score_json(const gv_score *s)
{
    json_t *o = json_object();

    json_object_set_new(o, "total", json_integer(s->total));
    json_object_set_new(o, "fragmentation", json_integer(s->fragmentation));
    json_object_set_new(o, "locality", json_integer(s->locality));
    json_object_set_new(o, "strategy", json_integer(s->strategy));
    json_object_set_new(o, "reconfigured", json_integer(s->reconfigured));
    json_object_set_new(o, "frag_delta_milli", json_integer(s->frag_delta_milli));
    return o;
}

/* The guest cell with id @cell, or NULL. */
static const gv_guest_cell *
find_cell(const gv_placement *p, int cell)
{
    for (size_t i = 0; i < p->n_cells && i < GV_PLACE_MAX_CELLS; i++)
        if (p->cells[i].id == cell)
            return &p->cells[i];
    return NULL;
}

static json_t *
cpus_json(const gv_placement *p)
{
    json_t *a = json_array();

    for (int v = 0; p->pins && v < p->request.vcpus; v++) {
        const gv_vcpu_pin *pin = &p->pins[v];
        json_t *o = json_object();

        json_object_set_new(o, "vcpu", json_integer(pin->vcpu));
        if (pin->pcpu >= 0) {
            json_object_set_new(o, "pcpu", json_integer(pin->pcpu));
        } else {
            const gv_guest_cell *c = find_cell(p, pin->cell);
            json_object_set_new(
                o, "pcpus", c ? cpulist_json(c->shared_cpus, c->n_shared_cpus) : json_string(""));
        }
        json_array_append_new(a, o);
    }
    return a;
}

/* Memory per host NUMA node, ascending by node (cells are one per node, but add up anyway). */
static json_t *
memory_json(const gv_placement *p)
{
    json_t *a = json_array();
    int done = -1; /* nodes are emitted in ascending order: the last one written */

    for (;;) {
        int next = -1;
        int64_t mib = 0;

        for (size_t i = 0; i < p->n_cells && i < GV_PLACE_MAX_CELLS; i++) {
            int n = p->cells[i].host_numa;
            if (n > done && (next < 0 || n < next))
                next = n;
        }
        if (next < 0)
            break;
        for (size_t i = 0; i < p->n_cells && i < GV_PLACE_MAX_CELLS; i++)
            if (p->cells[i].host_numa == next)
                mib += p->cells[i].memory_mib;
        json_t *o = json_object();
        json_object_set_new(o, "numa", json_integer(next));
        json_object_set_new(o, "mib", json_integer(mib));
        json_array_append_new(a, o);
        done = next;
    }
    return a;
}

static json_t *
vcpu_range_json(int first, int n)
{
    if (n <= 0)
        return json_string("");
    if (n == 1)
        return json_sprintf("%d", first);
    return json_sprintf("%d-%d", first, first + n - 1);
}

static json_t *
cells_json(const gv_placement *p)
{
    json_t *a = json_array();

    for (size_t i = 0; i < p->n_cells && i < GV_PLACE_MAX_CELLS; i++) {
        const gv_guest_cell *c = &p->cells[i];
        json_t *o = json_object();

        json_object_set_new(o, "cell", json_integer(c->id));
        json_object_set_new(o, "host_numa", json_integer(c->host_numa));
        json_object_set_new(o, "vcpus", vcpu_range_json(c->first_vcpu, c->n_vcpus));
        json_object_set_new(o, "memory_mib", json_integer(c->memory_mib));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *
gpu_json(const gv_placed_gpu *g)
{
    json_t *o = json_object();

    json_object_set_new(o, "pci", str_json(g->pci));
    json_object_set_new(o, "model", str_json(g->model));
    json_object_set_new(o, "numa", gv_json_int_or_null(g->numa, GV_NUMA_UNKNOWN));
    json_object_set_new(o, "mode", enum_json(gv_gpu_mode_to_string(g->mode)));
    switch (g->mode) {
    case GV_GPU_MODE_MIG:
        json_object_set_new(o, "profile", str_json(g->profile));
        json_object_set_new(o, "start", json_integer(g->start));
        json_object_set_new(o, "size", json_integer(g->size));
        json_object_set_new(o, "created", json_boolean(g->created));
        break;
    case GV_GPU_MODE_VGPU:
        json_object_set_new(o, "type", str_json(g->vgpu_type));
        json_object_set_new(o, "slot", json_integer(g->slot));
        if (g->vf >= 0)
            json_object_set_new(o, "vf", json_integer(g->vf));
        if (g->vf_pci[0])
            json_object_set_new(o, "vf_pci", str_json(g->vf_pci));
        break;
    case GV_GPU_MODE_SRIOV:
        json_object_set_new(o, "vf", json_integer(g->vf));
        json_object_set_new(o, "vf_pci", str_json(g->vf_pci));
        break;
    case GV_GPU_MODE_SHARE:
        json_object_set_new(o, "milli", json_integer(g->milli));
        break;
    default:
        break;
    }
    if (g->reconfigured)
        json_object_set_new(o, "reconfigured", json_true());
    return o;
}

static json_t *
nic_json(const gv_placed_vf *v)
{
    json_t *o = json_object();

    json_object_set_new(o, "pf", str_json(v->pf_pci));
    if (v->pf_name[0])
        json_object_set_new(o, "pf_name", str_json(v->pf_name));
    json_object_set_new(o, "vf", json_integer(v->vf));
    json_object_set_new(o, "vf_pci", str_json(v->vf_pci));
    json_object_set_new(o, "numa", gv_json_int_or_null(v->numa, GV_NUMA_UNKNOWN));
    return o;
}

static json_t *
scratch_json(const gv_placed_scratch *s)
{
    json_t *o;

    if (s->nvme < 0 && !s->pci[0]) /* a parsed placement has no index (place.h) */
        return json_null();
    o = json_object();
    json_object_set_new(o, "nvme", str_json(s->pci));
    json_object_set_new(o, "name", str_json(s->name));
    json_object_set_new(o, "numa", gv_json_int_or_null(s->numa, GV_NUMA_UNKNOWN));
    json_object_set_new(o, "gib", json_integer(s->gib));
    return o;
}

static json_t *
reconfigure_json(const gv_reconfigure *r)
{
    json_t *o = json_object();

    json_object_set_new(o, "gpu", str_json(r->pci));
    json_object_set_new(o, "from", enum_json(gv_gpu_mode_to_string(r->from)));
    json_object_set_new(o, "to", enum_json(gv_gpu_mode_to_string(r->to)));
    json_object_set_new(o, "destroyed_instances", json_integer(r->destroyed_instances));
    return o;
}

static json_t *
violation_json(const gv_numa_violation *v)
{
    json_t *o = json_object();

    json_object_set_new(o, "kind", enum_json(gv_violation_kind_to_string(v->kind)));
    json_object_set_new(o, "numa", gv_json_int_or_null(v->numa, GV_NUMA_UNKNOWN));
    json_object_set_new(o, "amount", json_integer(v->amount));
    return o;
}

json_t *
gv_placement_json(const gv_placement *p)
{
    json_t *o = json_object(), *a;

    json_object_set_new(o, "vm", str_json(p->vm));
    json_object_set_new(o, "host", str_json(p->host));
    json_object_set_new(o, "cpus", cpus_json(p));
    json_object_set_new(o, "cpu_policy", enum_json(gv_cpu_policy_to_string(p->request.cpu_policy)));
    json_object_set_new(o, "owned_cpus", cpulist_json(p->owned_cpus, p->n_owned_cpus));
    a = json_array();
    for (size_t i = 0; i < p->n_numa_vcpus && i < GV_PLACE_MAX_NUMA; i++) {
        json_t *n = json_object();
        json_object_set_new(n, "numa", json_integer(p->numa_vcpus[i].numa));
        json_object_set_new(n, "vcpus", json_integer(p->numa_vcpus[i].vcpus));
        json_array_append_new(a, n);
    }
    json_object_set_new(o, "numa_vcpus", a);
    json_object_set_new(o, "emulator_cpus", cpulist_json(p->emulator_cpus, p->n_emulator_cpus));
    json_object_set_new(o, "memory", memory_json(p));
    json_object_set_new(o, "hugepages", enum_json(gv_hugepages_to_string(p->request.hugepages)));
    json_object_set_new(o, "guest_numa", cells_json(p));

    a = json_array();
    for (size_t i = 0; i < p->n_gpus && i < GV_REQ_MAX_GPUS; i++)
        json_array_append_new(a, gpu_json(&p->gpus[i]));
    json_object_set_new(o, "gpus", a);
    a = json_array();
    for (size_t i = 0; i < p->n_vfs && i < GV_REQ_MAX_NIC_VFS; i++)
        json_array_append_new(a, nic_json(&p->vfs[i]));
    json_object_set_new(o, "nics", a);
    json_object_set_new(o, "scratch", scratch_json(&p->scratch));
    a = json_array();
    for (size_t i = 0; i < p->n_reconfigure && i < GV_REQ_MAX_GPUS; i++)
        json_array_append_new(a, reconfigure_json(&p->reconfigure[i]));
    json_object_set_new(o, "reconfigure", a);

    json_object_set_new(o, "numa_violations", json_integer(p->numa_violations));
    a = json_array();
    for (size_t i = 0; i < p->n_violations && i < GV_PLACE_MAX_VIOLATIONS; i++)
        json_array_append_new(a, violation_json(&p->violations[i]));
    json_object_set_new(o, "violations", a);
    json_object_set_new(o, "score", score_json(&p->score));
    json_object_set_new(o, "request", gv_request_json(&p->request));
    return o;
}

char *
gv_placement_to_json(const gv_placement *p)
{
    return gv_placement_explain_to_json(p, NULL);
}

json_t *
gv_placement_doc_json(const gv_placement *p, const gv_explain *x)
{
    json_t *root = json_object();

    json_object_set_new(root, "placement", gv_placement_json(p));
    if (x)
        json_object_set_new(root, "explain", gv_explain_json(x));
    return root;
}

char *
gv_placement_explain_to_json(const gv_placement *p, const gv_explain *x)
{
    GV_AUTOPTR(json_t) root = gv_placement_doc_json(p, x);

    return gv_json_dump(root);
}

json_t *
gv_explain_json(const gv_explain *x)
{
    json_t *o = json_object(), *a;

    json_object_set_new(o, "hosts", json_integer((json_int_t)x->n_hosts));
    json_object_set_new(o, "feasible", json_integer((json_int_t)x->n_feasible));
    a = json_array();
    for (size_t i = 0; i < x->n_reasons && i < GV_REASON_LAST; i++) {
        const gv_explain_reason *r = &x->reasons[i];
        json_t *e = json_object();
        json_object_set_new(e, "reason", enum_json(gv_reason_to_string(r->reason)));
        json_object_set_new(e, "hosts", json_integer((json_int_t)r->n_hosts));
        json_object_set_new(e, "detail", str_json(r->detail));
        json_array_append_new(a, e);
    }
    json_object_set_new(o, "reasons", a);
    a = json_array();
    for (size_t i = 0; i < x->n_closest && i < GV_EXPLAIN_MAX_CLOSEST; i++) {
        const gv_explain_host *c = &x->closest[i];
        json_t *e = json_object();
        json_object_set_new(e, "host", str_json(c->host));
        json_object_set_new(e, "reason", enum_json(gv_reason_to_string(c->reason)));
        json_object_set_new(e, "detail", str_json(c->detail));
        json_array_append_new(a, e);
    }
    json_object_set_new(o, "closest", a);
    if (x->has_runner_up) {
        json_t *ru = json_object();
        json_object_set_new(ru, "host", str_json(x->runner_up));
        json_object_set_new(ru, "score", score_json(&x->runner_up_score));
        json_object_set_new(o, "runner_up", ru);
    }
    return o;
}

/* "gpu-free on 312 of 400 hosts (detail)": the reason most hosts failed for. */
static char *
summary(const gv_explain *x)
{
    const gv_explain_reason *r = &x->reasons[0];
    const char *name;

    if (x->n_hosts == 0)
        return gv_strdup("there are no hosts");
    if (x->n_reasons == 0)
        return gv_asprintf("none of %zu hosts fits", x->n_hosts);
    name = gv_reason_to_string(r->reason);
    return gv_asprintf("%s on %zu of %zu hosts%s%s%s", name ? name : "unknown", r->n_hosts,
                       x->n_hosts, r->detail[0] ? " (" : "", r->detail, r->detail[0] ? ")" : "");
}

json_t *
gv_nothing_fits_doc_json(const gv_request *r, const gv_explain *x)
{
    json_t *root = json_object();
    GV_AUTOFREE char *why = summary(x);
    GV_AUTOFREE char *msg = gv_asprintf("no host can take VM '%s': %s", r ? r->name : "", why);
    json_t *error = json_object();

    json_object_set_new(error, "code", json_string("nothing-fits"));
    json_object_set_new(error, "message", str_json(msg));
    json_object_set_new(root, "error", error);
    json_object_set_new(root, "explain", gv_explain_json(x));
    return root;
}

char *
gv_explain_to_json(const gv_request *r, const gv_explain *x)
{
    GV_AUTOPTR(json_t) root = gv_nothing_fits_doc_json(r, x);

    return gv_json_dump(root);
}
