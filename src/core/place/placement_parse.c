/*
 * placement_parse.c - a placement read back from the JSON gv_placement_to_json writes
 * (place_json.c), for gv_engine_restore: a daemon keeps one such document per VM and rebuilds
 * its engine from them after a restart. Strict and bounded as the request parser is, whose
 * document layer (request_parse.h) names a bad value by its path ("placement.gpus[0].start:
 * expected an integer in 0..31") and reads the request inside. What the writer derives from
 * other fields (cpu_policy and hugepages from the request, memory from the cells, a shared
 * vCPU's pcpus from its cell) is not read but checked: the placement read is written again and
 * must give the same JSON, so whatever is accepted round-trips byte for byte. Indices are not in
 * the JSON; they come back -1, for gv_engine_restore to find by name and PCI address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/place/place_json.h"
#include "engine.h"
#include "request_parse.h"
#include "util/cpulist.h"
#include "util/json.h"

#define PLACEMENT_MAX_TEXT (16u << 20) /* bytes: a 1024-vCPU shared VM needs well under 1 MiB */

/* Report the message at key @key of the object at @at. Returns -@code. */
#define FAIL_AT(at_, key_, code, ...)                                                              \
    gv_req_error(d, &(gv_req_path){.up = (at_), .key = (key_)}, false, err, (code), __VA_ARGS__)

/* The value of required key @key of @obj (at @at). */
static int
need(const gv_req_doc *d, const json_t *obj, const gv_req_path *at, const char *key, json_t **ret,
     gv_err *err)
{
    if (!(*ret = json_object_get(obj, key)))
        return FAIL_AT(at, key, GV_E_INVAL, "required");
    return 0;
}

static int
get_int(const gv_req_doc *d, const json_t *obj, const gv_req_path *at, const char *key, int64_t min,
        int64_t max, int64_t *ret, gv_err *err)
{
    gv_req_path p = {.up = at, .key = key};
    json_t *v;
    int rc;

    if ((rc = need(d, obj, at, key, &v, err)) < 0)
        return rc;
    return gv_req_int(d, v, &p, min, max, ret, err);
}

/* get_int into an int field. */
static int
get_i(const gv_req_doc *d, const json_t *obj, const gv_req_path *at, const char *key, int64_t min,
      int64_t max, int *ret, gv_err *err)
{
    int64_t v;
    int rc = get_int(d, obj, at, key, min, max, &v, err);

    if (rc == 0)
        *ret = (int)v;
    return rc;
}

/* A NUMA node id, or null for an unknown one (GV_NUMA_UNKNOWN). */
static int
get_numa(const gv_req_doc *d, const json_t *obj, const gv_req_path *at, const char *key, int *ret,
         gv_err *err)
{
    json_t *v;
    int rc;

    if ((rc = need(d, obj, at, key, &v, err)) < 0)
        return rc;
    if (json_is_null(v)) {
        *ret = GV_NUMA_UNKNOWN;
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > INT32_MAX)
        return FAIL_AT(at, key, GV_E_INVAL, "expected a NUMA node id or null");
    *ret = (int)json_integer_value(v);
    return 0;
}

/* A string into the fixed field @dst of @size bytes; with @optional an absent key leaves "". */
static int
get_str(const gv_req_doc *d, const json_t *obj, const gv_req_path *at, const char *key,
        bool optional, char *dst, size_t size, gv_err *err)
{
    json_t *v = json_object_get(obj, key);
    const char *s;
    size_t n;

    memset(dst, 0, size);
    if (!v && optional)
        return 0;
    if (!v)
        return FAIL_AT(at, key, GV_E_INVAL, "required");
    if (!json_is_string(v))
        return FAIL_AT(at, key, GV_E_INVAL, "expected a string");
    s = json_string_value(v);
    n = json_string_length(v);
    if (n >= size || memchr(s, '\0', n))
        return FAIL_AT(at, key, GV_E_INVAL, "expected a string of at most %zu bytes", size - 1);
    memcpy(dst, s, n);
    return 0;
}

static int
get_bool(const gv_req_doc *d, const json_t *obj, const gv_req_path *at, const char *key,
         bool optional, bool *ret, gv_err *err)
{
    json_t *v = json_object_get(obj, key);

    *ret = false;
    if (!v && optional)
        return 0;
    if (!v)
        return FAIL_AT(at, key, GV_E_INVAL, "required");
    if (!json_is_boolean(v))
        return FAIL_AT(at, key, GV_E_INVAL, "expected true or false");
    *ret = json_is_true(v);
    return 0;
}

/* One of the names @to_string gives for 0..@n-1. */
static int
get_enum(const gv_req_doc *d, const json_t *obj, const gv_req_path *at, const char *key,
         const char *(*to_string)(int), int n, int *ret, gv_err *err)
{
    json_t *v;
    int rc;

    if ((rc = need(d, obj, at, key, &v, err)) < 0)
        return rc;
    for (int i = 0; json_is_string(v) && i < n; i++) {
        if (to_string(i) && !strcmp(to_string(i), json_string_value(v))) {
            *ret = i;
            return 0;
        }
    }
    if (!json_is_string(v))
        return FAIL_AT(at, key, GV_E_INVAL, "expected a string");
    return FAIL_AT(at, key, GV_E_INVAL, "'%.64s' is not a known name", json_string_value(v));
}

static const char *
gpu_mode_name(int i)
{
    return gv_gpu_mode_to_string((gv_gpu_mode)i);
}

static const char *
violation_name(int i)
{
    return gv_violation_kind_to_string((gv_violation_kind)i);
}

/* A cpulist string ("0-3,8") into *@ret (owned) and *@n. */
static int
get_cpulist(const gv_req_doc *d, const json_t *obj, const gv_req_path *at, const char *key,
            int **ret, size_t *n, gv_err *err)
{
    gv_err cerr = {0};
    json_t *v;
    int rc;

    if ((rc = need(d, obj, at, key, &v, err)) < 0)
        return rc;
    if (!json_is_string(v))
        return FAIL_AT(at, key, GV_E_INVAL, "expected a CPU list string");
    if ((rc = gv_cpulist_parse(json_string_value(v), ret, &cerr)) < 0)
        return FAIL_AT(at, key, rc == -GV_E_LIMIT ? GV_E_LIMIT : GV_E_INVAL, "%s", cerr.msg);
    *n = (size_t)rc;
    return 0;
}

/* An array of at most @max entries. */
static int
get_array(const gv_req_doc *d, const json_t *obj, const gv_req_path *at, const char *key,
          size_t max, json_t **ret, gv_err *err)
{
    int rc;

    if ((rc = need(d, obj, at, key, ret, err)) < 0)
        return rc;
    if (!json_is_array(*ret))
        return FAIL_AT(at, key, GV_E_INVAL, "expected a list");
    if (json_array_size(*ret) > max)
        return FAIL_AT(at, key, GV_E_LIMIT, "more than %zu entries", max);
    return 0;
}

/* ---- the placement's parts ---- */

/* A cell's vCPU range: "" (none), "A" or "A-B", within the VM's vCPUs. */
static int
read_range(const gv_req_doc *d, const json_t *o, const gv_req_path *at, int vcpus, gv_guest_cell *c,
           gv_err *err)
{
    char s[32];
    int a, b, used = 0, rc;

    if ((rc = get_str(d, o, at, "vcpus", false, s, sizeof(s), err)) < 0)
        return rc;
    if (!s[0]) {
        c->n_vcpus = 0;
        return 0;
    }
    if (sscanf(s, "%d%n", &a, &used) == 1 && !s[used])
        b = a;
    else if (sscanf(s, "%d-%d%n", &a, &b, &used) != 2 || s[used])
        return FAIL_AT(at, "vcpus", GV_E_INVAL, "expected \"\", \"A\" or \"A-B\"");
    if (a < 0 || b < a || b >= vcpus)
        return FAIL_AT(at, "vcpus", GV_E_INVAL, "'%s' is not a range of vCPUs 0..%d", s, vcpus - 1);
    c->first_vcpu = a;
    c->n_vcpus = b - a + 1;
    return 0;
}

static int
read_cells(const gv_req_doc *d, const json_t *pl, const gv_req_path *at, gv_placement *p,
           gv_err *err)
{
    static const char *const keys[] = {"cell", "host_numa", "memory_mib", "vcpus", NULL};
    gv_req_path pa = {.up = at, .key = "guest_numa"};
    json_t *a;
    int next = 0, rc;

    if ((rc = get_array(d, pl, at, "guest_numa", GV_PLACE_MAX_CELLS, &a, err)) < 0)
        return rc;
    for (size_t i = 0; i < json_array_size(a); i++) {
        gv_req_path pi = {.up = &pa, .index = i};
        const json_t *o = json_array_get(a, i);
        gv_guest_cell *c = &p->cells[i];

        memset(c, 0, sizeof(*c));
        p->n_cells = i + 1;
        /* a CPU-less cell's first vCPU is not written: it is where the next cell's would be */
        c->first_vcpu = next;
        if ((rc = gv_req_check_keys(d, o, &pi, keys, err)) < 0 ||
            (rc = get_i(d, o, &pi, "cell", 0, INT32_MAX, &c->id, err)) < 0 ||
            (rc = get_i(d, o, &pi, "host_numa", 0, INT32_MAX, &c->host_numa, err)) < 0 ||
            (rc = get_int(d, o, &pi, "memory_mib", 0, GV_REQ_MAX_MEMORY_MIB, &c->memory_mib, err)) <
                0 ||
            (rc = read_range(d, o, &pi, p->request.vcpus, c, err)) < 0)
            return rc;
        next = c->first_vcpu + c->n_vcpus;
    }
    return 0;
}

/* The guest cell holding vCPU @v, or NULL. */
static gv_guest_cell *
cell_of(gv_placement *p, int v)
{
    for (size_t i = 0; i < p->n_cells; i++)
        if (v >= p->cells[i].first_vcpu && v < p->cells[i].first_vcpu + p->cells[i].n_vcpus)
            return &p->cells[i];
    return NULL;
}

static int
read_pins(const gv_req_doc *d, const json_t *pl, const gv_req_path *at, gv_placement *p,
          gv_err *err)
{
    static const char *const dedicated[] = {"vcpu", "pcpu", NULL};
    static const char *const shared[] = {"vcpu", "pcpus", NULL};
    bool is_shared = p->request.cpu_policy == GV_CPU_SHARED;
    gv_req_path pa = {.up = at, .key = "cpus"};
    json_t *a;
    int rc;

    if ((rc = get_array(d, pl, at, "cpus", GV_REQ_MAX_VCPUS, &a, err)) < 0)
        return rc;
    if (json_array_size(a) != (size_t)p->request.vcpus)
        return FAIL_AT(at, "cpus", GV_E_INVAL, "expected %d entries, one per vCPU",
                       p->request.vcpus);
    p->pins = gv_calloc((size_t)p->request.vcpus, sizeof(gv_vcpu_pin));
    for (int v = 0; v < p->request.vcpus; v++) {
        gv_req_path pi = {.up = &pa, .index = (size_t)v};
        const json_t *o = json_array_get(a, (size_t)v);
        gv_guest_cell *c = cell_of(p, v);
        gv_vcpu_pin *pin = &p->pins[v];
        int64_t x;

        if ((rc = gv_req_check_keys(d, o, &pi, is_shared ? shared : dedicated, err)) < 0 ||
            (rc = get_int(d, o, &pi, "vcpu", v, v, &x, err)) < 0)
            return rc;
        if (!c)
            return FAIL_AT(&pi, "vcpu", GV_E_INVAL, "in no guest_numa cell");
        pin->vcpu = v;
        pin->cell = c->id;
        pin->pcpu = -1;
        if (!is_shared) {
            if ((rc = get_i(d, o, &pi, "pcpu", 0, GV_CPULIST_MAX_ID, &pin->pcpu, err)) < 0)
                return rc;
        } else {
            /* every vCPU of a cell floats over the cell's threads: the first says which, and
             * the check of what is written again finds one that says otherwise */
            GV_AUTOFREE int *cpus = NULL;
            size_t n = 0;

            if ((rc = get_cpulist(d, o, &pi, "pcpus", &cpus, &n, err)) < 0)
                return rc;
            if (!c->shared_cpus) {
                c->shared_cpus = GV_STEAL_PTR(cpus);
                c->n_shared_cpus = n;
            }
        }
    }
    return 0;
}

static int
read_numa_vcpus(const gv_req_doc *d, const json_t *pl, const gv_req_path *at, gv_placement *p,
                gv_err *err)
{
    static const char *const keys[] = {"numa", "vcpus", NULL};
    gv_req_path pa = {.up = at, .key = "numa_vcpus"};
    json_t *a;
    int rc;

    if ((rc = get_array(d, pl, at, "numa_vcpus", GV_PLACE_MAX_NUMA, &a, err)) < 0)
        return rc;
    for (size_t i = 0; i < json_array_size(a); i++) {
        gv_req_path pi = {.up = &pa, .index = i};
        const json_t *o = json_array_get(a, i);
        gv_numa_vcpus *n = &p->numa_vcpus[i];

        if ((rc = gv_req_check_keys(d, o, &pi, keys, err)) < 0 ||
            (rc = get_i(d, o, &pi, "numa", 0, INT32_MAX, &n->numa, err)) < 0 ||
            (rc = get_i(d, o, &pi, "vcpus", 1, GV_REQ_MAX_VCPUS, &n->vcpus, err)) < 0)
            return rc;
        p->n_numa_vcpus = i + 1;
    }
    return 0;
}

/* The keys a GPU entry may have beside pci, model, numa, mode and reconfigured, by mode. */
static const char *const gpu_keys[GV_GPU_MODE_LAST][10] = {
    [GV_GPU_MODE_PASSTHROUGH] = {"pci", "model", "numa", "mode", "reconfigured"},
    [GV_GPU_MODE_MIG] = {"pci", "model", "numa", "mode", "reconfigured", "profile", "start", "size",
                         "created"},
    [GV_GPU_MODE_VGPU] = {"pci", "model", "numa", "mode", "reconfigured", "type", "slot", "vf",
                          "vf_pci"},
    [GV_GPU_MODE_SRIOV] = {"pci", "model", "numa", "mode", "reconfigured", "vf", "vf_pci"},
    [GV_GPU_MODE_SHARE] = {"pci", "model", "numa", "mode", "reconfigured", "milli"},
};

static int
read_gpu(const gv_req_doc *d, const json_t *o, const gv_req_path *at, gv_placed_gpu *g, gv_err *err)
{
    int mode = 0, rc;

    memset(g, 0, sizeof(*g));
    g->gpu = g->start = g->size = g->slot = g->vf = -1;
    if (!json_is_object(o))
        return gv_req_error(d, at, false, err, GV_E_INVAL, "expected an object");
    if ((rc = get_enum(d, o, at, "mode", gpu_mode_name, GV_GPU_MODE_LAST, &mode, err)) < 0 ||
        (rc = gv_req_check_keys(d, o, at, gpu_keys[mode], err)) < 0 ||
        (rc = get_str(d, o, at, "pci", false, g->pci, sizeof(g->pci), err)) < 0 ||
        (rc = get_str(d, o, at, "model", false, g->model, sizeof(g->model), err)) < 0 ||
        (rc = get_numa(d, o, at, "numa", &g->numa, err)) < 0 ||
        (rc = get_bool(d, o, at, "reconfigured", true, &g->reconfigured, err)) < 0)
        return rc;
    g->mode = (gv_gpu_mode)mode;
    switch (g->mode) {
    case GV_GPU_MODE_MIG:
        if ((rc = get_str(d, o, at, "profile", false, g->profile, sizeof(g->profile), err)) < 0 ||
            (rc = get_i(d, o, at, "start", 0, GV_MIG_MAX_SLICES - 1, &g->start, err)) < 0 ||
            (rc = get_i(d, o, at, "size", 1, GV_MIG_MAX_SLICES, &g->size, err)) < 0 ||
            (rc = get_bool(d, o, at, "created", false, &g->created, err)) < 0)
            return rc;
        break;
    case GV_GPU_MODE_VGPU:
        if ((rc = get_str(d, o, at, "type", false, g->vgpu_type, sizeof(g->vgpu_type), err)) < 0 ||
            (rc = get_i(d, o, at, "slot", 0, GV_VGPU_SLOTS - 1, &g->slot, err)) < 0 ||
            (json_object_get(o, "vf") &&
             (rc = get_i(d, o, at, "vf", 0, GV_GPU_MAX_VFS - 1, &g->vf, err)) < 0) ||
            (rc = get_str(d, o, at, "vf_pci", true, g->vf_pci, sizeof(g->vf_pci), err)) < 0)
            return rc;
        break;
    case GV_GPU_MODE_SRIOV:
        if ((rc = get_i(d, o, at, "vf", 0, GV_GPU_MAX_VFS - 1, &g->vf, err)) < 0 ||
            (rc = get_str(d, o, at, "vf_pci", false, g->vf_pci, sizeof(g->vf_pci), err)) < 0)
            return rc;
        break;
    case GV_GPU_MODE_SHARE:
        if ((rc = get_i(d, o, at, "milli", 1, 1000, &g->milli, err)) < 0)
            return rc;
        break;
    default:
        break;
    }
    return 0;
}

static int
read_nic(const gv_req_doc *d, const json_t *o, const gv_req_path *at, gv_placed_vf *v, gv_err *err)
{
    static const char *const keys[] = {"pf", "pf_name", "vf", "vf_pci", "numa", NULL};
    int rc;

    memset(v, 0, sizeof(*v));
    v->nic = -1;
    if ((rc = gv_req_check_keys(d, o, at, keys, err)) < 0 ||
        (rc = get_str(d, o, at, "pf", false, v->pf_pci, sizeof(v->pf_pci), err)) < 0 ||
        (rc = get_str(d, o, at, "pf_name", true, v->pf_name, sizeof(v->pf_name), err)) < 0 ||
        (rc = get_i(d, o, at, "vf", 0, GV_NIC_MAX_VFS - 1, &v->vf, err)) < 0 ||
        (rc = get_str(d, o, at, "vf_pci", false, v->vf_pci, sizeof(v->vf_pci), err)) < 0 ||
        (rc = get_numa(d, o, at, "numa", &v->numa, err)) < 0)
        return rc;
    return 0;
}

static int
read_scratch(const gv_req_doc *d, const json_t *pl, const gv_req_path *at, gv_placed_scratch *s,
             gv_err *err)
{
    static const char *const keys[] = {"nvme", "name", "numa", "gib", NULL};
    gv_req_path ps = {.up = at, .key = "scratch"};
    json_t *o;
    int rc;

    memset(s, 0, sizeof(*s));
    s->nvme = -1;
    if ((rc = need(d, pl, at, "scratch", &o, err)) < 0 || json_is_null(o))
        return rc;
    if ((rc = gv_req_check_keys(d, o, &ps, keys, err)) < 0 ||
        (rc = get_str(d, o, &ps, "nvme", false, s->pci, sizeof(s->pci), err)) < 0 ||
        (rc = get_str(d, o, &ps, "name", false, s->name, sizeof(s->name), err)) < 0 ||
        (rc = get_numa(d, o, &ps, "numa", &s->numa, err)) < 0 ||
        (rc = get_int(d, o, &ps, "gib", 0, GV_REQ_MAX_SCRATCH_GIB, &s->gib, err)) < 0)
        return rc;
    if (!s->pci[0]) /* the PCI address is what says there is one (no index) */
        return FAIL_AT(&ps, "nvme", GV_E_INVAL, "must not be empty");
    return 0;
}

static int
read_reconfigure(const gv_req_doc *d, const json_t *o, const gv_req_path *at, gv_reconfigure *r,
                 gv_err *err)
{
    static const char *const keys[] = {"gpu", "from", "to", "destroyed_instances", NULL};
    int from = 0, to = 0, rc;

    memset(r, 0, sizeof(*r));
    r->gpu = -1;
    if ((rc = gv_req_check_keys(d, o, at, keys, err)) < 0 ||
        (rc = get_str(d, o, at, "gpu", false, r->pci, sizeof(r->pci), err)) < 0 ||
        (rc = get_enum(d, o, at, "from", gpu_mode_name, GV_GPU_MODE_LAST, &from, err)) < 0 ||
        (rc = get_enum(d, o, at, "to", gpu_mode_name, GV_GPU_MODE_LAST, &to, err)) < 0 ||
        (rc = get_i(d, o, at, "destroyed_instances", 0, GV_GPU_MAX_INSTANCES,
                    &r->destroyed_instances, err)) < 0)
        return rc;
    r->from = (gv_gpu_mode)from;
    r->to = (gv_gpu_mode)to;
    return 0;
}

static int
read_violation(const gv_req_doc *d, const json_t *o, const gv_req_path *at, gv_numa_violation *v,
               gv_err *err)
{
    static const char *const keys[] = {"kind", "numa", "amount", NULL};
    int kind = 0, rc;

    if ((rc = gv_req_check_keys(d, o, at, keys, err)) < 0 ||
        (rc = get_enum(d, o, at, "kind", violation_name, GV_VIOLATION_KIND_LAST, &kind, err)) < 0 ||
        (rc = get_numa(d, o, at, "numa", &v->numa, err)) < 0 ||
        (rc = get_int(d, o, at, "amount", 0, INT64_MAX, &v->amount, err)) < 0)
        return rc;
    v->kind = (gv_violation_kind)kind;
    return 0;
}

static int
read_score(const gv_req_doc *d, const json_t *pl, const gv_req_path *at, gv_score *s, gv_err *err)
{
    static const char *const keys[] = {"total",        "fragmentation",    "locality", "strategy",
                                       "reconfigured", "frag_delta_milli", NULL};
    gv_req_path ps = {.up = at, .key = "score"};
    json_t *o;
    int rc;

    if ((rc = need(d, pl, at, "score", &o, err)) < 0 ||
        (rc = gv_req_check_keys(d, o, &ps, keys, err)) < 0 ||
        (rc = get_int(d, o, &ps, "total", INT64_MIN, INT64_MAX, &s->total, err)) < 0 ||
        (rc = get_i(d, o, &ps, "fragmentation", INT32_MIN, INT32_MAX, &s->fragmentation, err)) <
            0 ||
        (rc = get_i(d, o, &ps, "locality", INT32_MIN, INT32_MAX, &s->locality, err)) < 0 ||
        (rc = get_i(d, o, &ps, "strategy", INT32_MIN, INT32_MAX, &s->strategy, err)) < 0 ||
        (rc = get_i(d, o, &ps, "reconfigured", INT32_MIN, INT32_MAX, &s->reconfigured, err)) < 0 ||
        (rc = get_int(d, o, &ps, "frag_delta_milli", INT64_MIN, INT64_MAX, &s->frag_delta_milli,
                      err)) < 0)
        return rc;
    return 0;
}

/* Read list @key_ of at most @max entries with @read into @first[0..]; @n counts them. */
#define READ_LIST(key_, max, read, first, n)                                                       \
    do {                                                                                           \
        gv_req_path pa_ = {.up = at, .key = (key_)};                                               \
        json_t *a_;                                                                                \
        if ((rc = get_array(d, pl, at, (key_), (max), &a_, err)) < 0)                              \
            return rc;                                                                             \
        for (size_t i_ = 0; i_ < json_array_size(a_); i_++) {                                      \
            gv_req_path pi_ = {.up = &pa_, .index = i_};                                           \
            if ((rc = read(d, json_array_get(a_, i_), &pi_, &(first)[i_], err)) < 0)               \
                return rc;                                                                         \
            (n) = i_ + 1;                                                                          \
        }                                                                                          \
    } while (0)

static const char *const placement_keys[] = {
    "vm",         "host",       "request",     "cpus",
    "cpu_policy", "owned_cpus", "numa_vcpus",  "emulator_cpus",
    "memory",     "hugepages",  "guest_numa",  "gpus",
    "nics",       "scratch",    "reconfigure", "numa_violations",
    "violations", "score",      NULL};

static int
read_placement(const gv_req_doc *d, const json_t *pl, const gv_req_path *at, gv_placement *p,
               gv_err *err)
{
    gv_req_path p_req = {.up = at, .key = "request"};
    json_t *v;
    int rc;

    if ((rc = gv_req_check_keys(d, pl, at, placement_keys, err)) < 0 ||
        (rc = need(d, pl, at, "request", &v, err)) < 0 ||
        (rc = gv_req_read(d, v, &p_req, NULL, true, &p->request, err)) < 0 ||
        (rc = get_str(d, pl, at, "vm", false, p->vm, sizeof(p->vm), err)) < 0 ||
        (rc = get_str(d, pl, at, "host", false, p->host, sizeof(p->host), err)) < 0)
        return rc;
    if (strcmp(p->vm, p->request.name))
        return FAIL_AT(at, "vm", GV_E_INVAL, "'%s' is not the request's name '%s'", p->vm,
                       p->request.name);
    if (!p->host[0])
        return FAIL_AT(at, "host", GV_E_INVAL, "must not be empty");
    if ((rc = read_cells(d, pl, at, p, err)) < 0 || (rc = read_pins(d, pl, at, p, err)) < 0 ||
        (rc = get_cpulist(d, pl, at, "owned_cpus", &p->owned_cpus, &p->n_owned_cpus, err)) < 0 ||
        (rc = read_numa_vcpus(d, pl, at, p, err)) < 0 ||
        (rc = get_cpulist(d, pl, at, "emulator_cpus", &p->emulator_cpus, &p->n_emulator_cpus,
                          err)) < 0)
        return rc;
    READ_LIST("gpus", GV_REQ_MAX_GPUS, read_gpu, p->gpus, p->n_gpus);
    READ_LIST("nics", GV_REQ_MAX_NIC_VFS, read_nic, p->vfs, p->n_vfs);
    READ_LIST("reconfigure", GV_REQ_MAX_GPUS, read_reconfigure, p->reconfigure, p->n_reconfigure);
    READ_LIST("violations", GV_PLACE_MAX_VIOLATIONS, read_violation, p->violations,
              p->n_violations);
    if ((rc = read_scratch(d, pl, at, &p->scratch, err)) < 0 ||
        (rc = get_int(d, pl, at, "numa_violations", 0, INT64_MAX, &p->numa_violations, err)) < 0 ||
        (rc = read_score(d, pl, at, &p->score, err)) < 0)
        return rc;
    /* the keys derived from others (cpu_policy, hugepages, memory) are not read, but required */
    for (size_t i = 0; placement_keys[i]; i++)
        if ((rc = need(d, pl, at, placement_keys[i], &v, err)) < 0)
            return rc;
    return 0;
}

/* ---- what is written again ---- */

/* Where @a (read) first differs from @b (written again from what was read): into *@ret, the
 * path below @at, built of at most @n nodes of @pool. */
static void
first_diff(const json_t *a, const json_t *b, const gv_req_path *at, gv_req_path *pool, size_t n,
           const gv_req_path **ret)
{
    const char *k;
    json_t *v;

    *ret = at;
    if (!n || json_typeof(a) != json_typeof(b))
        return;
    if (json_is_object(b)) {
        json_object_foreach((json_t *)b, k, v)
        {
            const json_t *av = json_object_get(a, k);

            if (av && json_equal(av, v))
                continue;
            pool[0] = (gv_req_path){.up = at, .key = k};
            *ret = &pool[0];
            if (av)
                first_diff(av, v, &pool[0], pool + 1, n - 1, ret);
            return;
        }
        json_object_foreach((json_t *)a, k, v)
        {
            if (json_object_get(b, k))
                continue;
            pool[0] = (gv_req_path){.up = at, .key = k}; /* one the writer leaves out */
            *ret = &pool[0];
            return;
        }
    } else if (json_is_array(b) && json_array_size(a) == json_array_size(b)) {
        for (size_t i = 0; i < json_array_size(b); i++) {
            if (json_equal(json_array_get(a, i), json_array_get(b, i)))
                continue;
            pool[0] = (gv_req_path){.up = at, .index = i};
            *ret = &pool[0];
            first_diff(json_array_get(a, i), json_array_get(b, i), &pool[0], pool + 1, n - 1, ret);
            return;
        }
    }
}

/* What the writer derives must agree with what it is derived from: write @p again and compare. */
static int
check_written(const gv_req_doc *d, const json_t *pl, const gv_req_path *at, const gv_placement *p,
              gv_err *err)
{
    GV_AUTOPTR(json_t) again = gv_placement_json(p);
    GV_AUTOFREE char *want = NULL;
    gv_req_path pool[8];
    const gv_req_path *where, *chain[GV_N_ELEMENTS(pool)];
    const json_t *w;
    size_t n = 0;

    if (json_equal(pl, again))
        return 0;
    first_diff(pl, again, at, pool, GV_N_ELEMENTS(pool), &where);
    /* the value written again there, for the message: down from the top along the path */
    for (const gv_req_path *q = where; q != at; q = q->up)
        chain[n++] = q;
    for (w = again; n-- > 0 && w;)
        w = chain[n]->key ? json_object_get(w, chain[n]->key) : json_array_get(w, chain[n]->index);
    want = w ? json_dumps(w, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    return gv_req_error(d, where, false, err, GV_E_INVAL,
                        "does not agree with the rest of the placement%s%.64s%s",
                        want ? " (which gives " : "", want ? want : "", want ? ")" : "");
}

int
gv_placement_from_json(const char *text, size_t len, const char *source, gv_placement *ret,
                       gv_err *err)
{
    static const char *const root_keys[] = {"placement", NULL};
    GV_AUTOPTR(gv_req_doc) d = NULL;
    gv_req_path at = {.key = "placement"};
    gv_placement p;
    json_t *pl;
    int rc;

    if (len > PLACEMENT_MAX_TEXT)
        return gv_err_set(err, GV_E_LIMIT, source ? source : "<input>",
                          "a placement of more than %u bytes", PLACEMENT_MAX_TEXT);
    if ((rc = gv_req_doc_parse(text, len, source, false, &d, err)) < 0)
        return rc;
    if ((rc = gv_req_check_keys(d, d->root, NULL, root_keys, err)) < 0)
        return rc;
    if (!(pl = json_object_get(d->root, "placement")))
        return gv_req_error(d, &at, false, err, GV_E_INVAL, "required");
    memset(&p, 0, sizeof(p));
    p.host_index = -1;
    p.scratch.nvme = -1;
    if ((rc = read_placement(d, pl, &at, &p, err)) < 0 ||
        (rc = check_written(d, pl, &at, &p, err)) < 0) {
        gv_placement_free_owned(&p);
        return rc;
    }
    memcpy(ret, &p, sizeof(p));
    return 0;
}
