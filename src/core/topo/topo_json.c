/*
 * topo_json.c - the canonical JSON form of a fleet ("gpuvm-fleet/1"), written and parsed.
 *
 * This is what `gpuvm topo show --format json` prints, what an agent will report and what the
 * daemon will store. Writing is canonical (keys sorted, fixed layout, hosts in canonical order),
 * so parse -> write reproduces a written file byte for byte. Unknown values are JSON null.
 * Parsing is strict: unknown keys are refused, every error names the path of the bad value.
 */
#include <stdio.h>
#include <string.h>

#include "gpuvm/topo.h"
#include "util/enum_names.h"
#include "util/json.h"

#define FORMAT_NAME "gpuvm-fleet/1"
#define MAX_ID 65535

/* ---- writing ---- */

static json_t *
int_array(const int *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_integer(v[i]));
    return a;
}

static json_t *
hex16(uint16_t v)
{
    char buf[8];
    snprintf(buf, sizeof(buf), "0x%04x", v);
    return json_string(buf);
}

static json_t *
pcie_ref(const gv_host *h, int idx)
{
    return idx >= 0 && (size_t)idx < h->n_pcie ? json_string(h->pcie[idx].name) : json_null();
}

static json_t *
numa_to_json(const gv_numa *n)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(n->id));
    json_object_set_new(o, "cpus", int_array(n->cpus, n->n_cpus));
    if (n->cores_known) {
        json_t *cores = json_array();
        for (size_t c = 0; c < n->n_cores; c++)
            json_array_append_new(cores,
                                  int_array(n->cores[c].threads, (size_t)n->cores[c].n_threads));
        json_object_set_new(o, "cores", cores);
    } else {
        json_object_set_new(o, "cores", json_null());
    }
    json_object_set_new(o, "memory_mib", gv_json_int_or_null(n->memory_mib, GV_UNKNOWN));
    json_object_set_new(o, "hugepages_2m", gv_json_int_or_null(n->hugepages_2m, GV_UNKNOWN));
    json_object_set_new(o, "hugepages_1g", gv_json_int_or_null(n->hugepages_1g, GV_UNKNOWN));
    return o;
}

static void
dev_common(json_t *o, const gv_host *h, const char *pci, uint16_t vendor, uint16_t device, int numa,
           int parent)
{
    json_object_set_new(o, "pci", json_string(pci));
    json_object_set_new(o, "vendor_id", hex16(vendor));
    json_object_set_new(o, "device_id", hex16(device));
    json_object_set_new(o, "numa", gv_json_int_or_null(numa, GV_NUMA_UNKNOWN));
    json_object_set_new(o, "pcie_parent", pcie_ref(h, parent));
}

static json_t *
host_to_json(const gv_host *h)
{
    json_t *o = json_object(), *a, *labels = json_object();

    json_object_set_new(o, "name", json_string(h->name));
    json_object_set_new(o, "pool", json_string(h->pool));
    json_object_set_new(o, "zone", json_string(h->zone));
    for (size_t i = 0; i < h->n_labels; i++)
        json_object_set_new(labels, h->labels[i].key, json_string(h->labels[i].value));
    json_object_set_new(o, "labels", labels);
    json_object_set_new(o, "state", json_string(gv_host_state_to_string(h->state)));
    json_object_set_new(o, "hypervisor_uri", json_string(h->hypervisor_uri));
    json_object_set_new(o, "datastore", json_string(h->datastore));
    json_object_set_new(o, "reserved_cpus", int_array(h->reserved_cpus, h->n_reserved_cpus));
    json_object_set_new(o, "reconfigurable", json_boolean(h->reconfigurable));
    if (h->mig_fixed) /* rare: written only when set, so older documents read the same */
        json_object_set_new(o, "mig_fixed", json_true());

    a = json_array();
    for (size_t i = 0; i < h->n_numa; i++)
        json_array_append_new(a, numa_to_json(&h->numa[i]));
    json_object_set_new(o, "numa", a);

    a = json_array();
    for (size_t i = 0; i < h->n_packages; i++) {
        json_t *p = json_object();
        json_object_set_new(p, "id", json_integer(h->packages[i].id));
        json_object_set_new(p, "numa", int_array(h->packages[i].numa, h->packages[i].n_numa));
        json_array_append_new(a, p);
    }
    json_object_set_new(o, "packages", a);

    a = json_array();
    for (size_t i = 0; i < h->n_pcie; i++) {
        const gv_pcie_node *p = &h->pcie[i];
        json_t *x = json_object();
        json_object_set_new(x, "name", json_string(p->name));
        json_object_set_new(x, "kind", json_string(gv_pcie_kind_to_string(p->kind)));
        json_object_set_new(x, "parent", pcie_ref(h, p->parent));
        json_object_set_new(x, "numa", gv_json_int_or_null(p->numa, GV_NUMA_UNKNOWN));
        json_array_append_new(a, x);
    }
    json_object_set_new(o, "pcie", a);

    a = json_array();
    for (size_t i = 0; i < h->n_gpus; i++) {
        const gv_gpu *g = &h->gpus[i];
        json_t *x = json_object();
        dev_common(x, h, g->pci, g->vendor_id, g->device_id, g->numa, g->pcie_parent);
        json_object_set_new(x, "model", json_string(g->model));
        json_object_set_new(x, "mode", json_string(gv_gpu_mode_to_string(g->mode)));
        json_object_set_new(x, "sriov_vfs", json_integer(g->sriov_vfs));
        json_object_set_new(x, "vgpu_type", json_string(g->vgpu_type));
        {
            json_t *mig = json_array();
            for (int k = 0; k < g->n_instances; k++) {
                json_t *gi = json_object();
                json_object_set_new(gi, "profile", json_string(g->instances[k].profile));
                json_object_set_new(gi, "start", json_integer(g->instances[k].start));
                json_array_append_new(mig, gi);
            }
            json_object_set_new(x, "mig_instances", mig);
        }
        json_array_append_new(a, x);
    }
    json_object_set_new(o, "gpus", a);

    a = json_array();
    for (size_t i = 0; i < h->n_nics; i++) {
        const gv_nic *c = &h->nics[i];
        json_t *x = json_object();
        dev_common(x, h, c->pci, c->vendor_id, c->device_id, c->numa, c->pcie_parent);
        json_object_set_new(x, "name", json_string(c->name));
        json_object_set_new(x, "sriov_vfs", json_integer(c->sriov_vfs));
        json_object_set_new(x, "speed_mbps", gv_json_int_or_null(c->speed_mbps, GV_UNKNOWN));
        json_array_append_new(a, x);
    }
    json_object_set_new(o, "nics", a);

    a = json_array();
    for (size_t i = 0; i < h->n_nvme; i++) {
        const gv_nvme *d = &h->nvme[i];
        json_t *x = json_object();
        dev_common(x, h, d->pci, d->vendor_id, d->device_id, d->numa, d->pcie_parent);
        json_object_set_new(x, "name", json_string(d->name));
        json_object_set_new(x, "capacity_gib", gv_json_int_or_null(d->capacity_gib, GV_UNKNOWN));
        json_array_append_new(a, x);
    }
    json_object_set_new(o, "nvme", a);

    a = json_array();
    for (size_t i = 0; i < h->n_links; i++) {
        const gv_link *l = &h->links[i];
        json_t *x = json_object();
        json_object_set_new(x, "kind", json_string(gv_link_kind_to_string(l->kind)));
        json_object_set_new(x, "a", json_string(h->gpus[l->a].pci));
        json_object_set_new(x, "b", l->b >= 0 ? json_string(h->gpus[l->b].pci) : json_null());
        json_object_set_new(x, "count", json_integer(l->count));
        json_array_append_new(a, x);
    }
    json_object_set_new(o, "links", a);
    return o;
}

char *
gv_fleet_to_json(const gv_fleet *f)
{
    GV_AUTOPTR(json_t) root = json_object();
    json_t *pools = json_array(), *hosts = json_array();

    json_object_set_new(root, "format", json_string(FORMAT_NAME));
    for (size_t i = 0; i < f->n_pools; i++) {
        const gv_pool *p = &f->pools[i];
        json_t *x = json_object();
        json_object_set_new(x, "name", json_string(p->name));
        json_object_set_new(x, "strategy", json_string(gv_pool_strategy_to_string(p->strategy)));
        json_object_set_new(x, "mix_classes", json_boolean(p->mix_classes));
        json_object_set_new(x, "cpu_overcommit", json_real(p->cpu_overcommit));
        json_array_append_new(pools, x);
    }
    json_object_set_new(root, "pools", pools);
    for (size_t i = 0; i < f->n_hosts; i++)
        json_array_append_new(hosts, host_to_json(f->hosts[i]));
    json_object_set_new(root, "hosts", hosts);
    return gv_json_dump(root);
}

/* ---- parsing ---- */

typedef struct parse_ctx {
    const char *source;
    gv_err *err;
    char path[160];
} parse_ctx;

static const char *
sub(parse_ctx *c, char *buf, size_t n, const char *fmt, size_t i)
{
    char tmp[64];
    snprintf(tmp, sizeof(tmp), fmt, i);
    snprintf(buf, n, "%s%s", c->path, tmp);
    return buf;
}

static int
parse_int_array(parse_ctx *c, const json_t *arr, const char *path, int64_t min, int64_t max,
                int **ret, size_t *ret_n)
{
    GV_AUTOFREE int *v = NULL;
    size_t n = 0, i;
    json_t *x;

    if (!json_is_array(arr))
        return gv_json_error(c->source, path, NULL, c->err, GV_E_INVAL, "expected an array");
    json_array_foreach(arr, i, x)
    {
        if (!json_is_integer(x) || json_integer_value(x) < min || json_integer_value(x) > max)
            return gv_json_error(c->source, path, NULL, c->err, GV_E_INVAL,
                                 "item %zu: expected an integer in %lld..%lld", i, (long long)min,
                                 (long long)max);
        *GV_ARRAY_APPEND(v, n) = (int)json_integer_value(x);
    }
    *ret = GV_STEAL_PTR(v);
    *ret_n = n;
    return 0;
}

static int
parse_hex16(parse_ctx *c, const json_t *o, const char *key, const char *path, uint16_t *ret)
{
    const char *s = NULL;
    char *end;
    unsigned long v;
    int r;

    if ((r = gv_json_get_str(o, key, false, c->source, path, &s, c->err)) < 0)
        return r;
    if (!s) {
        *ret = 0;
        return 0;
    }
    v = strtoul(s, &end, 16);
    if (!*s || *end || v > 0xffff || strncmp(s, "0x", 2))
        return gv_json_error(c->source, path, key, c->err, GV_E_INVAL,
                             "'%s' is not a 16-bit hex id like \"0x10de\"", s);
    *ret = (uint16_t)v;
    return 0;
}

static int
parse_pcie_ref(parse_ctx *c, const gv_host *h, const json_t *o, const char *key, const char *path,
               int *ret)
{
    const char *s = NULL;
    int r;

    if ((r = gv_json_get_str_nullable(o, key, c->source, path, &s, c->err)) < 0)
        return r;
    if (!s) {
        *ret = -1;
        return 0;
    }
    *ret = gv_host_find_pcie(h, s);
    if (*ret < 0)
        return gv_json_error(c->source, path, key, c->err, GV_E_INVAL,
                             "'%s' is not a PCIe node of this host", s);
    return 0;
}

static int
parse_str_field(parse_ctx *c, const json_t *o, const char *key, const char *path, char *dst,
                size_t dst_size)
{
    const char *s = NULL;
    int r;

    if ((r = gv_json_get_str(o, key, false, c->source, path, &s, c->err)) < 0)
        return r;
    if (!s)
        return 0;
    if (strlen(s) >= dst_size)
        return gv_json_error(c->source, path, key, c->err, GV_E_LIMIT, "longer than %zu characters",
                             dst_size - 1);
    strcpy(dst, s);
    return 0;
}

/* pci, vendor_id, device_id, numa, pcie_parent: common to every device. */
static int
parse_dev_common(parse_ctx *c, const gv_host *h, const json_t *o, const char *path, char *pci,
                 uint16_t *vendor, uint16_t *device, int *numa, int *parent)
{
    const char *s = NULL;
    int64_t v;
    int r;

    if ((r = gv_json_get_str(o, "pci", true, c->source, path, &s, c->err)) < 0)
        return r;
    if (gv_pci_addr_normalize(s, pci, NULL) < 0)
        return gv_json_error(c->source, path, "pci", c->err, GV_E_INVAL,
                             "'%s' is not a PCI address (dddd:bb:dd.f)", s);
    if ((r = parse_hex16(c, o, "vendor_id", path, vendor)) < 0 ||
        (r = parse_hex16(c, o, "device_id", path, device)) < 0)
        return r;
    if ((r = gv_json_get_int_nullable(o, "numa", c->source, path, 0, MAX_ID, GV_NUMA_UNKNOWN, &v,
                                      c->err)) < 0)
        return r;
    *numa = (int)v;
    return parse_pcie_ref(c, h, o, "pcie_parent", path, parent);
}

/* gpus[].mig_instances: [{"profile": "3g.40gb", "start": 4}, ...] */
static int
parse_instances(parse_ctx *c, const json_t *gpu, const char *path, gv_gpu *g)
{
    static const char *const keys[] = {"profile", "start", NULL};
    json_t *arr, *x;
    char p2[240];
    size_t i;
    int r;

    if ((r = gv_json_get_array(gpu, "mig_instances", false, c->source, path, &arr, c->err)) < 0 ||
        !arr)
        return r;
    if (json_array_size(arr) > GV_GPU_MAX_INSTANCES)
        return gv_json_error(c->source, path, "mig_instances", c->err, GV_E_LIMIT,
                             "more than %d GPU instances", GV_GPU_MAX_INSTANCES);
    json_array_foreach(arr, i, x)
    {
        gv_gpu_instance *gi = &g->instances[g->n_instances];
        int64_t start = 0;
        snprintf(p2, sizeof(p2), "%s.mig_instances[%zu]", path, i);
        if ((r = gv_json_check_keys(x, c->source, p2, keys, c->err)) < 0 ||
            (r = gv_json_get_int(x, "start", true, c->source, p2, 0, 31, &start, c->err)) < 0)
            return r;
        if (!json_object_get(x, "profile"))
            return gv_json_error(c->source, p2, NULL, c->err, GV_E_INVAL,
                                 "missing required key 'profile'");
        if ((r = parse_str_field(c, x, "profile", p2, gi->profile, sizeof(gi->profile))) < 0)
            return r;
        if (!gi->profile[0])
            return gv_json_error(c->source, p2, "profile", c->err, GV_E_INVAL, "empty");
        gi->start = (int)start;
        g->n_instances++;
    }
    return 0;
}

static int
parse_numa(parse_ctx *c, gv_host *h, const json_t *o, const char *path)
{
    static const char *const keys[] = {"id",           "cpus",         "cores", "memory_mib",
                                       "hugepages_2m", "hugepages_1g", NULL};
    GV_AUTOFREE int *cpus = NULL;
    size_t n_cpus = 0, i;
    json_t *cores, *cpus_j, *x;
    gv_numa *n;
    int64_t id;
    char p2[200];
    int r;

    if ((r = gv_json_check_keys(o, c->source, path, keys, c->err)) < 0 ||
        (r = gv_json_get_int(o, "id", true, c->source, path, 0, MAX_ID, &id, c->err)) < 0)
        return r;
    if (gv_host_find_numa(h, (int)id) >= 0)
        return gv_json_error(c->source, path, "id", c->err, GV_E_INVAL,
                             "NUMA node %lld appears twice", (long long)id);
    n = gv_host_add_numa(h, (int)id);
    if ((r = gv_json_get_int_nullable(o, "memory_mib", c->source, path, 0, INT64_C(1) << 40,
                                      GV_UNKNOWN, &n->memory_mib, c->err)) < 0 ||
        (r = gv_json_get_int_nullable(o, "hugepages_2m", c->source, path, 0, INT64_C(1) << 40,
                                      GV_UNKNOWN, &n->hugepages_2m, c->err)) < 0 ||
        (r = gv_json_get_int_nullable(o, "hugepages_1g", c->source, path, 0, INT64_C(1) << 40,
                                      GV_UNKNOWN, &n->hugepages_1g, c->err)) < 0)
        return r;
    cores = json_object_get(o, "cores");
    if (cores && !json_is_null(cores)) {
        snprintf(p2, sizeof(p2), "%s.cores", path);
        if (!json_is_array(cores))
            return gv_json_error(c->source, p2, NULL, c->err, GV_E_INVAL,
                                 "expected an array of thread-id arrays, or null");
        json_array_foreach(cores, i, x)
        {
            GV_AUTOFREE int *threads = NULL;
            size_t n_threads = 0;
            char p3[220];
            snprintf(p3, sizeof(p3), "%s[%zu]", p2, i);
            if ((r = parse_int_array(c, x, p3, 0, MAX_ID, &threads, &n_threads)) < 0)
                return r;
            if (n_threads < 1 || n_threads > GV_MAX_THREADS_PER_CORE)
                return gv_json_error(c->source, p3, NULL, c->err, GV_E_INVAL,
                                     "a core has 1..%d threads, not %zu", GV_MAX_THREADS_PER_CORE,
                                     n_threads);
            gv_numa_add_core(n, threads, (int)n_threads);
        }
    } else {
        n->cores_known = false;
    }
    cpus_j = json_object_get(o, "cpus");
    if (cpus_j) {
        snprintf(p2, sizeof(p2), "%s.cpus", path);
        if ((r = parse_int_array(c, cpus_j, p2, 0, MAX_ID, &cpus, &n_cpus)) < 0)
            return r;
        if (!n->cores_known) {
            n->cpus = GV_STEAL_PTR(cpus);
            n->n_cpus = n_cpus;
        } else {
            /* redundant with cores: they must agree (same set) */
            bool same = n_cpus == n->n_cpus;
            GV_AUTOFREE int *sorted = gv_calloc(n->n_cpus + 1, sizeof(int));
            if (n->n_cpus)
                memcpy(sorted, n->cpus, n->n_cpus * sizeof(int));
            for (size_t a = 0; same && a < n_cpus; a++) {
                bool found = false;
                for (size_t b = 0; b < n->n_cpus && !found; b++)
                    found = sorted[b] == cpus[a];
                same = found;
            }
            if (!same)
                return gv_json_error(c->source, p2, NULL, c->err, GV_E_INVAL,
                                     "cpus do not match the threads listed in cores");
        }
    }
    return 0;
}

static int
parse_host(parse_ctx *c, const json_t *o, gv_host **ret)
{
    static const char *const keys[] = {
        "name",      "pool",          "zone",           "labels",    "state", "hypervisor_uri",
        "datastore", "reserved_cpus", "reconfigurable", "mig_fixed", "numa",  "packages",
        "pcie",      "gpus",          "nics",           "nvme",      "links", NULL};
    GV_AUTOPTR(gv_host) h = NULL;
    const char *path = c->path;
    const char *s = NULL;
    json_t *arr, *x, *v;
    const char *k;
    char p2[200];
    size_t i;
    int r;

    if ((r = gv_json_check_keys(o, c->source, path, keys, c->err)) < 0 ||
        (r = gv_json_get_str(o, "name", true, c->source, path, &s, c->err)) < 0)
        return r;
    h = gv_host_new(s);
    {
        /* optional string attributes: absent keeps the default "" */
        char **const fields[] = {&h->pool, &h->zone, &h->hypervisor_uri, &h->datastore};
        static const char *const names[] = {"pool", "zone", "hypervisor_uri", "datastore"};
        for (size_t f = 0; f < GV_N_ELEMENTS(fields); f++) {
            s = NULL;
            if ((r = gv_json_get_str(o, names[f], false, c->source, path, &s, c->err)) < 0)
                return r;
            if (s)
                gv_host_set_str(fields[f], s);
        }
    }
    s = NULL;
    if ((r = gv_json_get_str(o, "state", false, c->source, path, &s, c->err)) < 0)
        return r;
    if (s) {
        int st = gv_host_state_from_string(s);
        char list[128];

        if (st < 0)
            return gv_json_error(c->source, path, "state", c->err, GV_E_INVAL,
                                 "'%s' is not one of %s", s,
                                 gv_enum_list(gv_host_state_names, list, sizeof(list)));
        h->state = (gv_host_state)st;
    }
    if ((r = gv_json_get_bool(o, "reconfigurable", false, c->source, path, &h->reconfigurable,
                              c->err)) < 0 ||
        (r = gv_json_get_bool(o, "mig_fixed", false, c->source, path, &h->mig_fixed, c->err)) < 0)
        return r;
    v = json_object_get(o, "labels");
    if (v) {
        if (!json_is_object(v))
            return gv_json_error(c->source, path, "labels", c->err, GV_E_INVAL,
                                 "expected an object of strings");
        json_object_foreach(v, k, x)
        {
            if (!json_is_string(x) || !*k)
                return gv_json_error(c->source, path, "labels", c->err, GV_E_INVAL,
                                     "label '%s': expected a non-empty key and a string value", k);
            gv_host_set_label(h, k, json_string_value(x));
        }
    }

    if ((r = gv_json_get_array(o, "numa", false, c->source, path, &arr, c->err)) < 0)
        return r;
    json_array_foreach(arr, i,
                       x) if ((r = parse_numa(c, h, x, sub(c, p2, sizeof(p2), ".numa[%zu]", i))) <
                              0) return r;

    v = json_object_get(o, "reserved_cpus");
    if (v) {
        snprintf(p2, sizeof(p2), "%s.reserved_cpus", path);
        if ((r = parse_int_array(c, v, p2, 0, MAX_ID, &h->reserved_cpus, &h->n_reserved_cpus)) < 0)
            return r;
    }

    if ((r = gv_json_get_array(o, "packages", false, c->source, path, &arr, c->err)) < 0)
        return r;
    json_array_foreach(arr, i, x)
    {
        static const char *const pkeys[] = {"id", "numa", NULL};
        int64_t id;
        gv_package *p;
        json_t *nv;
        sub(c, p2, sizeof(p2), ".packages[%zu]", i);
        if ((r = gv_json_check_keys(x, c->source, p2, pkeys, c->err)) < 0 ||
            (r = gv_json_get_int(x, "id", true, c->source, p2, 0, MAX_ID, &id, c->err)) < 0)
            return r;
        p = gv_host_add_package(h, (int)id);
        nv = json_object_get(x, "numa");
        if (nv) {
            char p3[220];
            snprintf(p3, sizeof(p3), "%s.numa", p2);
            if ((r = parse_int_array(c, nv, p3, 0, MAX_ID, &p->numa, &p->n_numa)) < 0)
                return r;
        }
    }

    /* pcie: parents may refer forward, so add all nodes first, then resolve parents */
    if ((r = gv_json_get_array(o, "pcie", false, c->source, path, &arr, c->err)) < 0)
        return r;
    json_array_foreach(arr, i, x)
    {
        static const char *const pkeys[] = {"name", "kind", "parent", "numa", NULL};
        const char *name = NULL, *kind = NULL;
        int64_t numa;
        int kd;
        sub(c, p2, sizeof(p2), ".pcie[%zu]", i);
        if ((r = gv_json_check_keys(x, c->source, p2, pkeys, c->err)) < 0 ||
            (r = gv_json_get_str(x, "name", true, c->source, p2, &name, c->err)) < 0 ||
            (r = gv_json_get_str(x, "kind", true, c->source, p2, &kind, c->err)) < 0 ||
            (r = gv_json_get_int_nullable(x, "numa", c->source, p2, 0, MAX_ID, GV_NUMA_UNKNOWN,
                                          &numa, c->err)) < 0)
            return r;
        if (!*name || strlen(name) >= sizeof(h->pcie[0].name))
            return gv_json_error(c->source, p2, "name", c->err, GV_E_INVAL,
                                 "must have 1..%zu characters", sizeof(h->pcie[0].name) - 1);
        if (gv_host_find_pcie(h, name) >= 0)
            return gv_json_error(c->source, p2, "name", c->err, GV_E_INVAL, "'%s' appears twice",
                                 name);
        kd = gv_pcie_kind_from_string(kind);
        if (kd < 0)
            return gv_json_error(c->source, p2, "kind", c->err, GV_E_INVAL,
                                 "'%s' is not one of hostbridge, rootport, switch", kind);
        gv_host_add_pcie(h, name, (gv_pcie_kind)kd, -1, (int)numa);
    }
    json_array_foreach(arr, i, x)
    {
        sub(c, p2, sizeof(p2), ".pcie[%zu]", i);
        if ((r = parse_pcie_ref(c, h, x, "parent", p2, &h->pcie[i].parent)) < 0)
            return r;
    }

    if ((r = gv_json_get_array(o, "gpus", false, c->source, path, &arr, c->err)) < 0)
        return r;
    json_array_foreach(arr, i, x)
    {
        static const char *const gkeys[] = {"pci",       "vendor_id",     "device_id", "model",
                                            "numa",      "pcie_parent",   "mode",      "sriov_vfs",
                                            "vgpu_type", "mig_instances", NULL};
        gv_gpu *g = gv_host_add_gpu(h);
        const char *mode = NULL;
        int64_t vfs = 0;
        sub(c, p2, sizeof(p2), ".gpus[%zu]", i);
        if ((r = gv_json_check_keys(x, c->source, p2, gkeys, c->err)) < 0 ||
            (r = parse_dev_common(c, h, x, p2, g->pci, &g->vendor_id, &g->device_id, &g->numa,
                                  &g->pcie_parent)) < 0 ||
            (r = parse_str_field(c, x, "model", p2, g->model, sizeof(g->model))) < 0 ||
            (r = parse_str_field(c, x, "vgpu_type", p2, g->vgpu_type, sizeof(g->vgpu_type))) < 0 ||
            (r = gv_json_get_int(x, "sriov_vfs", false, c->source, p2, 0, 4096, &vfs, c->err)) <
                0 ||
            (r = gv_json_get_str(x, "mode", false, c->source, p2, &mode, c->err)) < 0)
            return r;
        g->sriov_vfs = (int)vfs;
        if ((r = parse_instances(c, x, p2, g)) < 0)
            return r;
        if (mode) {
            int m = gv_gpu_mode_from_string(mode);
            if (m < 0)
                return gv_json_error(c->source, p2, "mode", c->err, GV_E_INVAL,
                                     "'%s' is not one of passthrough, mig, vgpu, sriov", mode);
            g->mode = (gv_gpu_mode)m;
        }
    }

    if ((r = gv_json_get_array(o, "nics", false, c->source, path, &arr, c->err)) < 0)
        return r;
    json_array_foreach(arr, i, x)
    {
        static const char *const nkeys[] = {"pci",       "vendor_id",   "device_id",
                                            "numa",      "pcie_parent", "name",
                                            "sriov_vfs", "speed_mbps",  NULL};
        gv_nic *n = gv_host_add_nic(h);
        int64_t vfs = 0;
        sub(c, p2, sizeof(p2), ".nics[%zu]", i);
        if ((r = gv_json_check_keys(x, c->source, p2, nkeys, c->err)) < 0 ||
            (r = parse_dev_common(c, h, x, p2, n->pci, &n->vendor_id, &n->device_id, &n->numa,
                                  &n->pcie_parent)) < 0 ||
            (r = parse_str_field(c, x, "name", p2, n->name, sizeof(n->name))) < 0 ||
            (r = gv_json_get_int(x, "sriov_vfs", false, c->source, p2, 0, 4096, &vfs, c->err)) <
                0 ||
            (r = gv_json_get_int_nullable(x, "speed_mbps", c->source, p2, 0, INT64_C(1) << 40,
                                          GV_UNKNOWN, &n->speed_mbps, c->err)) < 0)
            return r;
        n->sriov_vfs = (int)vfs;
    }

    if ((r = gv_json_get_array(o, "nvme", false, c->source, path, &arr, c->err)) < 0)
        return r;
    json_array_foreach(arr, i, x)
    {
        static const char *const dkeys[] = {"pci",         "vendor_id", "device_id",    "numa",
                                            "pcie_parent", "name",      "capacity_gib", NULL};
        gv_nvme *d = gv_host_add_nvme(h);
        sub(c, p2, sizeof(p2), ".nvme[%zu]", i);
        if ((r = gv_json_check_keys(x, c->source, p2, dkeys, c->err)) < 0 ||
            (r = parse_dev_common(c, h, x, p2, d->pci, &d->vendor_id, &d->device_id, &d->numa,
                                  &d->pcie_parent)) < 0 ||
            (r = parse_str_field(c, x, "name", p2, d->name, sizeof(d->name))) < 0 ||
            (r = gv_json_get_int_nullable(x, "capacity_gib", c->source, p2, 0, INT64_C(1) << 40,
                                          GV_UNKNOWN, &d->capacity_gib, c->err)) < 0)
            return r;
    }

    if ((r = gv_json_get_array(o, "links", false, c->source, path, &arr, c->err)) < 0)
        return r;
    json_array_foreach(arr, i, x)
    {
        static const char *const lkeys[] = {"kind", "a", "b", "count", NULL};
        const char *kind = NULL, *a = NULL, *b = NULL;
        char pa[GV_PCI_ADDR_LEN], pb[GV_PCI_ADDR_LEN];
        int64_t count = 0;
        int kd, ia, ib = -1;
        sub(c, p2, sizeof(p2), ".links[%zu]", i);
        if ((r = gv_json_check_keys(x, c->source, p2, lkeys, c->err)) < 0 ||
            (r = gv_json_get_str(x, "kind", true, c->source, p2, &kind, c->err)) < 0 ||
            (r = gv_json_get_str(x, "a", true, c->source, p2, &a, c->err)) < 0 ||
            (r = gv_json_get_str_nullable(x, "b", c->source, p2, &b, c->err)) < 0 ||
            (r = gv_json_get_int(x, "count", false, c->source, p2, 0, 1024, &count, c->err)) < 0)
            return r;
        kd = gv_link_kind_from_string(kind);
        if (kd < 0)
            return gv_json_error(c->source, p2, "kind", c->err, GV_E_INVAL,
                                 "'%s' is not one of nvlink, xgmi", kind);
        if (gv_pci_addr_normalize(a, pa, NULL) < 0 || (ia = gv_host_find_gpu(h, pa)) < 0)
            return gv_json_error(c->source, p2, "a", c->err, GV_E_INVAL,
                                 "'%s' is not a GPU of this host", a);
        if (b && (gv_pci_addr_normalize(b, pb, NULL) < 0 || (ib = gv_host_find_gpu(h, pb)) < 0))
            return gv_json_error(c->source, p2, "b", c->err, GV_E_INVAL,
                                 "'%s' is not a GPU of this host", b);
        gv_host_add_link(h, (gv_link_kind)kd, ia, ib, (int)count);
    }

    gv_host_sort(h);
    if ((r = gv_host_check(h, c->err)) < 0) {
        gv_err_prefix(c->err, c->source);
        return r;
    }
    *ret = GV_STEAL_PTR(h);
    return 0;
}

int
gv_fleet_from_json(const char *text, size_t len, const char *source, gv_fleet **ret, gv_err *err)
{
    static const char *const keys[] = {"format", "pools", "hosts", NULL};
    GV_AUTOPTR(json_t) root = NULL;
    GV_AUTOPTR(gv_fleet) f = gv_fleet_new();
    parse_ctx c = {.source = source ? source : "<input>", .err = err};
    const char *fmt = NULL;
    json_t *arr, *x;
    size_t i;
    int r;

    if ((r = gv_json_parse(text, len, c.source, &root, err)) < 0)
        return r;
    if ((r = gv_json_check_keys(root, c.source, "", keys, err)) < 0 ||
        (r = gv_json_get_str(root, "format", false, c.source, "", &fmt, err)) < 0)
        return r;
    if (fmt && strcmp(fmt, FORMAT_NAME))
        return gv_json_error(c.source, "", "format", err, GV_E_UNSUPPORTED,
                             "'%s' is not a format this gpuvm reads (%s)", fmt, FORMAT_NAME);

    if ((r = gv_json_get_array(root, "pools", false, c.source, "", &arr, err)) < 0)
        return r;
    json_array_foreach(arr, i, x)
    {
        static const char *const pkeys[] = {"name", "strategy", "mix_classes", "cpu_overcommit",
                                            NULL};
        const char *name = NULL, *strategy = NULL;
        gv_pool *p;
        char p2[64];
        snprintf(p2, sizeof(p2), "pools[%zu]", i);
        if ((r = gv_json_check_keys(x, c.source, p2, pkeys, err)) < 0 ||
            (r = gv_json_get_str(x, "name", true, c.source, p2, &name, err)) < 0 ||
            (r = gv_json_get_str(x, "strategy", false, c.source, p2, &strategy, err)) < 0)
            return r;
        if (gv_fleet_find_pool(f, name))
            return gv_json_error(c.source, p2, "name", err, GV_E_INVAL,
                                 "pool '%s' is defined twice", name);
        p = gv_fleet_set_pool(f, name);
        if (strategy) {
            int st = gv_pool_strategy_from_string(strategy);
            char list[128];

            if (st < 0)
                return gv_json_error(c.source, p2, "strategy", err, GV_E_INVAL,
                                     "'%s' is not one of %s", strategy,
                                     gv_enum_list(gv_pool_strategy_names, list, sizeof(list)));
            p->strategy = (gv_pool_strategy)st;
        }
        if ((r = gv_json_get_bool(x, "mix_classes", false, c.source, p2, &p->mix_classes, err)) <
                0 ||
            (r = gv_json_get_double(x, "cpu_overcommit", false, c.source, p2, 1.0, 64.0,
                                    &p->cpu_overcommit, err)) < 0)
            return r;
    }

    if ((r = gv_json_get_array(root, "hosts", true, c.source, "", &arr, err)) < 0)
        return r;
    json_array_foreach(arr, i, x)
    {
        gv_host *h = NULL;
        snprintf(c.path, sizeof(c.path), "hosts[%zu]", i);
        if ((r = parse_host(&c, x, &h)) < 0)
            return r;
        if ((r = gv_fleet_add_host(f, h, err)) < 0) {
            gv_host_free(h);
            gv_err_prefix(err, c.source);
            return r;
        }
    }
    if ((r = gv_fleet_check(f, err)) < 0) {
        gv_err_prefix(err, c.source);
        return r;
    }
    *ret = GV_STEAL_PTR(f);
    return 0;
}
