/*
 * request.c - the request's vocabulary: one name table per enum of place.h and the conversions
 * over it, the defaults every request starts from, and the request's canonical JSON, which
 * gv_request_parse_json reads back to an identical struct (byte for byte: parsed requests are
 * zero-filled beyond their strings and counts, so they can be compared with memcmp).
 */
#include <stdio.h>
#include <string.h>

#include "gpuvm/place.h"
#include "request_parse.h"
#include "util/json.h"
#include "util/enum_names.h"

const char *const gv_req_hugepages_names[GV_HUGEPAGES_LAST] = {
    [GV_HUGEPAGES_NONE] = "none",
    [GV_HUGEPAGES_2M] = "2M",
    [GV_HUGEPAGES_1G] = "1G",
};

const char *const gv_req_cpu_policy_names[GV_CPU_POLICY_LAST] = {
    [GV_CPU_DEDICATED] = "dedicated",
    [GV_CPU_SHARED] = "shared",
};

const char *const gv_req_numa_policy_names[GV_NUMA_POLICY_LAST] = {
    [GV_NUMA_POLICY_STRICT] = "strict",
    [GV_NUMA_POLICY_PREFERRED] = "preferred",
    [GV_NUMA_POLICY_NONE] = "none",
};

const char *const gv_req_gpu_topology_names[GV_GPU_TOPO_LAST] = {
    [GV_GPU_TOPO_ANY] = "any",
    [GV_GPU_TOPO_SAME_NUMA] = "same-numa",
    [GV_GPU_TOPO_SAME_SWITCH] = "same-switch",
    [GV_GPU_TOPO_NVLINK] = "nvlink",
};

const char *const gv_req_locality_names[GV_LOCALITY_LAST] = {
    [GV_LOCALITY_ANY] = "any",
    [GV_LOCALITY_SAME_NUMA] = "same-numa",
    [GV_LOCALITY_SAME_SWITCH] = "same-switch",
};

const char *const gv_req_workload_class_names[GV_CLASS_LAST] = {
    [GV_CLASS_NONE] = "none",
    [GV_CLASS_TRAINING] = "training",
    [GV_CLASS_INFERENCE] = "inference",
    [GV_CLASS_NOTEBOOK] = "notebook",
};

const char *const gv_req_io_names[GV_IO_LAST] = {
    [GV_IO_NORMAL] = "normal",
    [GV_IO_HEAVY] = "heavy",
};

const char *const gv_req_place_policy_names[GV_POLICY_LAST] = {
    [GV_POLICY_GPUVM] = "gpuvm",
    [GV_POLICY_FGD] = "fgd",
    [GV_POLICY_BESTFIT] = "bestfit",
    [GV_POLICY_DOTPROD] = "dotprod",
    [GV_POLICY_CLUSTERING] = "gpu-clustering",
    [GV_POLICY_PACKING] = "gpu-packing",
    [GV_POLICY_RANDOM] = "random",
    [GV_POLICY_FIRSTFIT] = "firstfit",
};

static const char *const reason_names[GV_REASON_LAST] = {
    [GV_REASON_STATE] = "state",
    [GV_REASON_POOL] = "pool",
    [GV_REASON_ZONE] = "zone",
    [GV_REASON_LABELS] = "labels",
    [GV_REASON_ANTI_AFFINITY] = "anti-affinity",
    [GV_REASON_CLASS_MIX] = "class-mix",
    [GV_REASON_DATASTORE] = "datastore",
    [GV_REASON_GPU_MODEL] = "gpu-model",
    [GV_REASON_GPU_FREE] = "gpu-free",
    [GV_REASON_GPU_TOPOLOGY] = "gpu-topology",
    [GV_REASON_CPU] = "cpu",
    [GV_REASON_MEMORY] = "memory",
    [GV_REASON_NIC] = "nic",
    [GV_REASON_SCRATCH] = "scratch",
};

static const char *const violation_kind_names[GV_VIOLATION_KIND_LAST] = {
    [GV_VIOLATION_VCPU] = "vcpus",
    [GV_VIOLATION_MEMORY] = "memory",
    [GV_VIOLATION_NIC] = "nic",
    [GV_VIOLATION_SCRATCH] = "scratch",
};

GV_ENUM_IMPL(gv_hugepages, gv_hugepages, gv_req_hugepages_names, GV_HUGEPAGES_LAST)
GV_ENUM_IMPL(gv_place_policy, gv_place_policy, gv_req_place_policy_names, GV_POLICY_LAST)
GV_ENUM_IMPL(gv_cpu_policy, gv_cpu_policy, gv_req_cpu_policy_names, GV_CPU_POLICY_LAST)
GV_ENUM_IMPL(gv_numa_policy, gv_numa_policy, gv_req_numa_policy_names, GV_NUMA_POLICY_LAST)
GV_ENUM_IMPL(gv_gpu_topology, gv_gpu_topology, gv_req_gpu_topology_names, GV_GPU_TOPO_LAST)
GV_ENUM_IMPL(gv_locality, gv_locality, gv_req_locality_names, GV_LOCALITY_LAST)
GV_ENUM_IMPL(gv_workload_class, gv_workload_class, gv_req_workload_class_names, GV_CLASS_LAST)
GV_ENUM_IMPL(gv_io, gv_io, gv_req_io_names, GV_IO_LAST)

const char *
gv_reason_to_string(gv_reason r)
{
    return gv_enum_to_string(reason_names, GV_REASON_LAST, (int)r);
}

const char *
gv_violation_kind_to_string(gv_violation_kind k)
{
    return gv_enum_to_string(violation_kind_names, GV_VIOLATION_KIND_LAST, (int)k);
}

void
gv_request_init(gv_request *r)
{
    memset(r, 0, sizeof(*r)); /* strings, counts and padding: comparable with memcmp */
    r->vcpus = 1;
    r->memory_mib = 1024;
    r->hugepages = GV_HUGEPAGES_NONE;
    r->cpu_policy = GV_CPU_DEDICATED;
    r->numa_policy = GV_NUMA_POLICY_PREFERRED;
    r->gpu.count = 0;
    r->gpu.mode = GV_GPU_MODE_PASSTHROUGH;
    r->gpu.topology = GV_GPU_TOPO_ANY;
    r->nic_vfs = 0;
    r->nic_locality = GV_LOCALITY_ANY;
    r->scratch_gib = 0;
    r->scratch_locality = GV_LOCALITY_ANY;
    r->class = GV_CLASS_NONE;
    r->io = GV_IO_NORMAL;
}

/* ---- canonical JSON ---- */

/*
 * A fixed-size field as a JSON string. The parser only stores UTF-8 without NULs, so a string
 * jansson refuses comes from a struct built by hand: it becomes null, which the parser refuses
 * rather than silently reading back something else.
 */
static json_t *
str_value(const char *s, size_t size)
{
    json_t *v = json_stringn(s, strnlen(s, size));

    return v ? v : json_null();
}

#define STR(field) str_value((field), sizeof(field))

static json_t *
str_list(const char *items, size_t stride, size_t n, size_t max)
{
    json_t *a = json_array();

    for (size_t i = 0; i < n && i < max; i++)
        json_array_append_new(a, str_value(items + i * stride, stride));
    return a;
}

static json_t *
gpu_to_json(const gv_gpu_request *g)
{
    json_t *o;

    if (g->count <= 0)
        return json_null();
    o = json_object();
    json_object_set_new(o, "mode", json_string(gv_gpu_mode_to_string(g->mode)));
    json_object_set_new(o, "count", json_integer(g->count));
    json_object_set_new(
        o, "models",
        str_list(&g->models[0][0], sizeof(g->models[0]), g->n_models, GV_REQ_MAX_MODELS));
    /* The one key of each mode beside mode, count and models (see request_parse.c). */
    switch (g->mode) {
    case GV_GPU_MODE_PASSTHROUGH:
        json_object_set_new(o, "topology", json_string(gv_gpu_topology_to_string(g->topology)));
        break;
    case GV_GPU_MODE_MIG:
        json_object_set_new(o, "profile", STR(g->profile));
        break;
    case GV_GPU_MODE_VGPU:
        json_object_set_new(o, "type", STR(g->vgpu_type));
        break;
    case GV_GPU_MODE_SHARE:
        json_object_set_new(o, "milli", json_integer(g->milli));
        break;
    default:
        break;
    }
    return o;
}

char *
gv_request_to_json(const gv_request *r)
{
    GV_AUTOPTR(json_t) o = gv_request_json(r);

    return gv_json_dump(o);
}

json_t *
gv_request_json(const gv_request *r)
{
    json_t *o = json_object();
    json_t *nics = json_object();
    json_t *labels = json_object();

    /* A shape (no name) has no "name": reading it back then needs a base that names it. */
    if (r->name[0])
        json_object_set_new(o, "name", STR(r->name));
    json_object_set_new(o, "tenant", STR(r->tenant));
    json_object_set_new(o, "vcpus", json_integer(r->vcpus));
    if (r->cpu_milli)
        json_object_set_new(o, "cpu_milli", json_integer(r->cpu_milli));
    json_object_set_new(o, "memory_mib", json_integer(r->memory_mib));
    json_object_set_new(o, "hugepages", json_string(gv_hugepages_to_string(r->hugepages)));
    json_object_set_new(o, "cpu_policy", json_string(gv_cpu_policy_to_string(r->cpu_policy)));
    json_object_set_new(o, "numa_policy", json_string(gv_numa_policy_to_string(r->numa_policy)));
    json_object_set_new(o, "gpu", gpu_to_json(&r->gpu));
    json_object_set_new(nics, "vfs", json_integer(r->nic_vfs));
    json_object_set_new(nics, "locality", json_string(gv_locality_to_string(r->nic_locality)));
    json_object_set_new(o, "nics", nics);
    json_object_set_new(o, "scratch_gib", json_integer(r->scratch_gib));
    json_object_set_new(o, "scratch_locality",
                        json_string(gv_locality_to_string(r->scratch_locality)));
    json_object_set_new(o, "pool", STR(r->pool));
    json_object_set_new(
        o, "zones", str_list(&r->zones[0][0], sizeof(r->zones[0]), r->n_zones, GV_REQ_MAX_ZONES));
    for (size_t i = 0; i < r->n_labels && i < GV_REQ_MAX_LABELS; i++) {
        const gv_req_label *l = &r->labels[i];
        char key[GV_REQ_NAME_LEN + 1];

        memcpy(key, l->key, sizeof(l->key));
        key[sizeof(l->key)] = '\0';
        json_object_set_new(labels, key, STR(l->value));
    }
    json_object_set_new(o, "labels", labels);
    json_object_set_new(o, "anti_affinity", STR(r->anti_affinity));
    json_object_set_new(o, "class", json_string(gv_workload_class_to_string(r->class)));
    json_object_set_new(o, "io", json_string(gv_io_to_string(r->io)));
    return o;
}
