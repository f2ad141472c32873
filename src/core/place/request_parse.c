/*
 * request_parse.c - requests from JSON, YAML and request-stream lines, over the document layer
 * of request_parse.h that place_config.c shares.
 *
 * Design notes
 *
 * One validator. YAML is converted to jansson values first (plain scalars typed by the YAML 1.2
 * core schema: integers, floats, true/false, null; quoted scalars stay strings), and JSON and
 * YAML then go through the same checks, so both syntaxes accept exactly the same requests with
 * the same messages. A message names the value by its path and says why ("gpu.count: expected
 * an integer in 1..16"). It is located at the source name for JSON (jansson keeps no positions),
 * at "source:LINE" for a stream line, and for YAML at the value's "source:line:col", found by
 * walking the same path through the YAML document: a missing key points at the mapping that
 * lacks it, an unknown or misplaced key at the key itself.
 *
 * Overrides. @base gives every field its starting value and a key in the text replaces that
 * field. gpu and nics are replaced as a whole: a gpu object starts from count 1, any model,
 * topology any, and "gpu": null means no GPU. Lists and labels are replaced too, not merged.
 * Rules across fields (memory in whole huge pages) are checked on the result, so that an
 * override of memory_mib over a 1G-page flavor is refused when it does not fit the pages.
 *
 * Names. A request needs a name, from the text or from @base. gv_request_parse_* refuse a
 * missing name only when there is no @base: a flavor is a request without a name, read over
 * gv_request_init, and what is read over a flavor may still lack one (whoever places it must
 * check). A stream line always places or releases a VM, so its request must end up named.
 *
 * Canonical form. A parsed request is zero-filled beyond its strings and counts, its labels
 * sorted by key (a JSON object has no order), its zones and models in the order written. That,
 * and gv_request_to_json writing every field, makes parse -> to_json -> parse give the same
 * bytes, which the unit tests and the fuzz target check.
 *
 * Bounds. JSON nesting is measured before jansson sees the text (GV_REQ_MAX_DEPTH); the YAML
 * conversion stops at the same depth and at GV_REQ_MAX_VALUES values, so that an alias bomb
 * cannot expand; a stream line is at most GV_STREAM_MAX_LINE bytes. Strings must fit their
 * fixed fields and hold no control characters (they end up in libvirt XML and log lines).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "request_parse.h"
#include "util/enum_names.h"
#include "util/json.h"

#define GV_STREAM_MAX_LINE (1u << 20)
#define PATH_MAX_DEPTH 32  /* components of a path we format or follow */
#define PATH_KEY_SHOWN 48  /* bytes of one (user-chosen) key shown in a path */
#define VALUE_SHOWN 64     /* bytes of a bad value quoted in a message */
#define NAMES_LIST_MAX 160 /* "one of: a, b, c" */

/* ---- paths and errors ---- */

/* The components of @at, leaf first; returns how many. */
static size_t
path_chain(const gv_req_path *at, const gv_req_path **chain)
{
    size_t n = 0;

    for (; at && n < PATH_MAX_DEPTH; at = at->up)
        chain[n++] = at;
    return n;
}

static void
path_format(const gv_req_path *at, char *buf, size_t size)
{
    const gv_req_path *chain[PATH_MAX_DEPTH];
    size_t n = path_chain(at, chain), len = 0;

    buf[0] = '\0';
    for (size_t i = n; i-- > 0 && len < size;) {
        const gv_req_path *p = chain[i];
        int w;

        if (p->key)
            w = snprintf(buf + len, size - len, "%s%.*s%s", len ? "." : "", PATH_KEY_SHOWN, p->key,
                         strlen(p->key) > PATH_KEY_SHOWN ? "..." : "");
        else
            w = snprintf(buf + len, size - len, "[%zu]", p->index);
        if (w < 0)
            break;
        len += (size_t)w;
    }
}

/* The YAML node at @at (its key with @at_key), or the deepest part of the path that exists. */
static gv_yaml_node *
yaml_find(const gv_req_doc *d, const gv_req_path *at, bool at_key)
{
    const gv_req_path *chain[PATH_MAX_DEPTH];
    size_t n = path_chain(at, chain);
    gv_yaml_node *node = gv_yaml_root(d->yaml), *key = NULL;

    for (size_t i = n; i-- > 0;) {
        const gv_req_path *p = chain[i];
        gv_yaml_node *next = NULL;

        key = NULL;
        if (p->key) {
            for (size_t j = 0; j < gv_yaml_map_len(node) && !next; j++) {
                gv_yaml_node *kn = gv_yaml_map_key_at(d->yaml, node, j);
                const char *k = gv_yaml_str(kn);

                if (k && !strcmp(k, p->key)) {
                    key = kn;
                    next = gv_yaml_map_value_at(d->yaml, node, j);
                }
            }
        } else {
            next = gv_yaml_seq_at(d->yaml, node, p->index);
        }
        if (!next)
            return node;
        node = next;
    }
    return at_key && key ? key : node;
}

int
gv_req_error(const gv_req_doc *d, const gv_req_path *at, bool at_key, gv_err *err, int code,
             const char *fmt, ...)
{
    char where[GV_ERR_WHERE_MAX];
    char path[256];
    char msg[GV_ERR_MSG_MAX];
    va_list ap;

    if (err && err->code)
        return -code; /* first report wins: spare the work */
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    path_format(at, path, sizeof(path));
    if (d->yaml)
        gv_yaml_where(d->yaml, yaml_find(d, at, at_key), where, sizeof(where));
    else
        snprintf(where, sizeof(where), "%s", d->where);
    if (path[0])
        return gv_err_set(err, code, where, "%s: %s", path, msg);
    return gv_err_set(err, code, where, "%s", msg);
}

/* ---- typed reads ---- */

int
gv_req_check_keys(const gv_req_doc *d, const json_t *obj, const gv_req_path *at,
                  const char *const *allowed, gv_err *err)
{
    const char *k;
    json_t *v;

    if (!json_is_object(obj))
        return gv_req_error(d, at, false, err, GV_E_INVAL, "expected an object");
    json_object_foreach((json_t *)obj, k, v)
    {
        bool known = false;

        for (size_t i = 0; allowed[i] && !known; i++)
            known = !strcmp(allowed[i], k);
        if (!known) {
            gv_req_path p = {.up = at, .key = k};
            return gv_req_error(d, &p, true, err, GV_E_INVAL, "unknown key");
        }
    }
    return 0;
}

int
gv_req_int(const gv_req_doc *d, const json_t *v, const gv_req_path *at, int64_t min, int64_t max,
           int64_t *ret, gv_err *err)
{
    json_int_t x;

    if (!json_is_integer(v))
        return gv_req_error(d, at, false, err, GV_E_INVAL, "expected an integer in %lld..%lld",
                            (long long)min, (long long)max);
    x = json_integer_value(v);
    if (x < min || x > max)
        return gv_req_error(d, at, false, err, GV_E_INVAL,
                            "expected an integer in %lld..%lld, got %lld", (long long)min,
                            (long long)max, (long long)x);
    *ret = x;
    return 0;
}

/* @s (@n bytes) must fit a field of @size bytes: no NUL or control character, not empty. */
static int
check_text(const gv_req_doc *d, const gv_req_path *at, bool at_key, const char *s, size_t n,
           size_t size, bool empty_ok, gv_err *err)
{
    const char *what = at_key ? "key " : "";

    if (memchr(s, '\0', n))
        return gv_req_error(d, at, at_key, err, GV_E_INVAL, "%scontains a NUL character", what);
    if (n == 0 && !empty_ok)
        return gv_req_error(d, at, at_key, err, GV_E_INVAL, "%smust not be empty", what);
    if (n >= size)
        return gv_req_error(d, at, at_key, err, GV_E_INVAL, "%slonger than %zu bytes", what,
                            size - 1);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return gv_req_error(d, at, at_key, err, GV_E_INVAL, "%scontains a control character",
                                what);
    return 0;
}

/* A string into the fixed field @dst of @size bytes, zero-filled beyond it. */
static int
read_string(const gv_req_doc *d, const json_t *v, const gv_req_path *at, char *dst, size_t size,
            bool empty_ok, gv_err *err)
{
    const char *s;
    size_t n;
    int rc;

    if (!json_is_string(v))
        return gv_req_error(d, at, false, err, GV_E_INVAL, "expected a string");
    s = json_string_value(v);
    n = json_string_length(v);
    if ((rc = check_text(d, at, false, s, n, size, empty_ok, err)) < 0)
        return rc;
    memset(dst, 0, size);
    memcpy(dst, s, n);
    return 0;
}

void
gv_req_join_names(const char *const *names, int n, char *buf, size_t size)
{
    size_t len = 0;

    buf[0] = '\0';
    for (int i = 0; i < n && len < size; i++) {
        int w = snprintf(buf + len, size - len, "%s%s", i ? ", " : "", names[i]);
        if (w < 0)
            break;
        len += (size_t)w;
    }
}

static int
read_enum(const gv_req_doc *d, const json_t *v, const gv_req_path *at, const char *const *names,
          int n, int *ret, gv_err *err)
{
    char list[NAMES_LIST_MAX];
    int i = json_is_string(v) ? gv_enum_from_string(names, n, json_string_value(v)) : -1;

    if (i >= 0) {
        *ret = i;
        return 0;
    }
    gv_req_join_names(names, n, list, sizeof(list));
    if (!json_is_string(v))
        return gv_req_error(d, at, false, err, GV_E_INVAL, "expected one of: %s", list);
    return gv_req_error(d, at, false, err, GV_E_INVAL, "'%.*s' is not one of: %s", VALUE_SHOWN,
                        json_string_value(v), list);
}

/*
 * A list of at most @max distinct non-empty strings into @items (@max fields of @stride bytes,
 * zero-filled beyond the strings); @nocase: duplicates ignore case (model names do).
 */
static int
read_list(const gv_req_doc *d, const json_t *v, const gv_req_path *at, char *items, size_t stride,
          size_t max, bool nocase, size_t *ret_n, gv_err *err)
{
    size_t n;
    int rc;

    if (!json_is_array(v))
        return gv_req_error(d, at, false, err, GV_E_INVAL, "expected a list");
    n = json_array_size(v);
    if (n > max)
        return gv_req_error(d, at, false, err, GV_E_LIMIT, "more than %zu entries", max);
    memset(items, 0, stride * max);
    for (size_t i = 0; i < n; i++) {
        gv_req_path p = {.up = at, .index = i};
        char *item = items + i * stride;

        if ((rc = read_string(d, json_array_get(v, i), &p, item, stride, false, err)) < 0)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (!(nocase ? strcasecmp : strcmp)(items + j * stride, item))
                return gv_req_error(d, &p, false, err, GV_E_INVAL, "duplicate '%s'", item);
    }
    *ret_n = n;
    return 0;
}

/* ---- the request's fields ---- */

typedef int (*field_reader)(const gv_req_doc *d, const json_t *v, const gv_req_path *at,
                            gv_request *r, gv_err *err);

#define STRING_FIELD(member, empty_ok)                                                             \
    static int read_##member(const gv_req_doc *d, const json_t *v, const gv_req_path *at,          \
                             gv_request *r, gv_err *err)                                           \
    {                                                                                              \
        return read_string(d, v, at, r->member, sizeof(r->member), empty_ok, err);                 \
    }

#define INT_FIELD(member, min, max)                                                                \
    static int read_##member(const gv_req_doc *d, const json_t *v, const gv_req_path *at,          \
                             gv_request *r, gv_err *err)                                           \
    {                                                                                              \
        int64_t x = 0;                                                                             \
        int rc = gv_req_int(d, v, at, min, max, &x, err);                                          \
        if (rc == 0)                                                                               \
            r->member = (__typeof__(r->member))x;                                                  \
        return rc;                                                                                 \
    }

#define ENUM_FIELD(member, names, last)                                                            \
    static int read_##member(const gv_req_doc *d, const json_t *v, const gv_req_path *at,          \
                             gv_request *r, gv_err *err)                                           \
    {                                                                                              \
        int x = 0;                                                                                 \
        int rc = read_enum(d, v, at, names, last, &x, err);                                        \
        if (rc == 0)                                                                               \
            r->member = (__typeof__(r->member))x;                                                  \
        return rc;                                                                                 \
    }

STRING_FIELD(name, false)
STRING_FIELD(tenant, true)
STRING_FIELD(pool, true)
STRING_FIELD(anti_affinity, true)
INT_FIELD(vcpus, 1, GV_REQ_MAX_VCPUS)
INT_FIELD(cpu_milli, 1, (int64_t)GV_REQ_MAX_VCPUS * 1000)
INT_FIELD(memory_mib, 1, GV_REQ_MAX_MEMORY_MIB)
INT_FIELD(scratch_gib, 0, GV_REQ_MAX_SCRATCH_GIB)
ENUM_FIELD(hugepages, gv_req_hugepages_names, GV_HUGEPAGES_LAST)
ENUM_FIELD(cpu_policy, gv_req_cpu_policy_names, GV_CPU_POLICY_LAST)
ENUM_FIELD(numa_policy, gv_req_numa_policy_names, GV_NUMA_POLICY_LAST)
ENUM_FIELD(scratch_locality, gv_req_locality_names, GV_LOCALITY_LAST)
ENUM_FIELD(class, gv_req_workload_class_names, GV_CLASS_LAST)
ENUM_FIELD(io, gv_req_io_names, GV_IO_LAST)

static const char *const gpu_keys[] = {"mode",    "count", "models", "topology",
                                       "profile", "type",  "milli",  NULL};

/* The one key each attachment mode takes beside mode, count and models. */
static const char *const gpu_mode_key[GV_GPU_MODE_LAST] = {
    [GV_GPU_MODE_PASSTHROUGH] = "topology", /* optional, "any" */
    [GV_GPU_MODE_MIG] = "profile",          /* required */
    [GV_GPU_MODE_VGPU] = "type",            /* required */
    [GV_GPU_MODE_SRIOV] = NULL,
    [GV_GPU_MODE_SHARE] = "milli", /* required */
};

static int
read_gpu(const gv_req_doc *d, const json_t *v, const gv_req_path *at, gv_request *r, gv_err *err)
{
    const char *mode_names[GV_GPU_MODE_LAST];
    gv_req_path p_mode = {.up = at, .key = "mode"};
    gv_req_path p_count = {.up = at, .key = "count"};
    gv_req_path p_models = {.up = at, .key = "models"};
    gv_req_path p_extra;
    const json_t *x;
    gv_gpu_request g;
    int64_t count;
    int mode = 0, topo = 0, rc;

    memset(&g, 0, sizeof(g)); /* no GPU: count 0, passthrough, topology any */
    if (json_is_null(v)) {
        memcpy(&r->gpu, &g, sizeof(g));
        return 0;
    }
    if (!json_is_object(v))
        return gv_req_error(d, at, false, err, GV_E_INVAL, "expected an object or null");
    if ((rc = gv_req_check_keys(d, v, at, gpu_keys, err)) < 0)
        return rc;
    for (int i = 0; i < GV_GPU_MODE_LAST; i++)
        mode_names[i] = gv_gpu_mode_to_string((gv_gpu_mode)i);
    if (!(x = json_object_get(v, "mode")))
        return gv_req_error(d, &p_mode, false, err, GV_E_INVAL, "required");
    if ((rc = read_enum(d, x, &p_mode, mode_names, GV_GPU_MODE_LAST, &mode, err)) < 0)
        return rc;
    for (int i = 0; i < GV_GPU_MODE_LAST; i++) {
        const char *k = gpu_mode_key[i];
        if (k && i != mode && json_object_get(v, k)) {
            p_extra = (gv_req_path){.up = at, .key = k};
            return gv_req_error(d, &p_extra, true, err, GV_E_INVAL, "only for mode %s",
                                mode_names[i]);
        }
    }
    g.mode = (gv_gpu_mode)mode;
    g.count = 1;
    if ((x = json_object_get(v, "count"))) {
        if ((rc = gv_req_int(d, x, &p_count, 1, GV_REQ_MAX_GPUS, &count, err)) < 0)
            return rc;
        g.count = (int)count;
    }
    if ((x = json_object_get(v, "models")) &&
        (rc = read_list(d, x, &p_models, &g.models[0][0], sizeof(g.models[0]), GV_REQ_MAX_MODELS,
                        true, &g.n_models, err)) < 0)
        return rc;
    p_extra = (gv_req_path){.up = at, .key = gpu_mode_key[mode]};
    x = p_extra.key ? json_object_get(v, p_extra.key) : NULL;
    switch (g.mode) {
    case GV_GPU_MODE_PASSTHROUGH:
        if (x && (rc = read_enum(d, x, &p_extra, gv_req_gpu_topology_names, GV_GPU_TOPO_LAST, &topo,
                                 err)) < 0)
            return rc;
        g.topology = (gv_gpu_topology)topo;
        break;
    case GV_GPU_MODE_MIG:
    case GV_GPU_MODE_VGPU: {
        char *dst = g.mode == GV_GPU_MODE_MIG ? g.profile : g.vgpu_type;
        size_t size = g.mode == GV_GPU_MODE_MIG ? sizeof(g.profile) : sizeof(g.vgpu_type);

        if (!x)
            return gv_req_error(d, &p_extra, false, err, GV_E_INVAL, "required");
        if ((rc = read_string(d, x, &p_extra, dst, size, false, err)) < 0)
            return rc;
        break;
    }
    case GV_GPU_MODE_SHARE: {
        int64_t milli;

        if (!x)
            return gv_req_error(d, &p_extra, false, err, GV_E_INVAL, "required");
        if ((rc = gv_req_int(d, x, &p_extra, 1, 1000, &milli, err)) < 0)
            return rc;
        g.milli = (int)milli;
        break;
    }
    default:
        break;
    }
    memcpy(&r->gpu, &g, sizeof(g));
    return 0;
}

static int
read_nics(const gv_req_doc *d, const json_t *v, const gv_req_path *at, gv_request *r, gv_err *err)
{
    static const char *const keys[] = {"vfs", "locality", NULL};
    gv_req_path p_vfs = {.up = at, .key = "vfs"};
    gv_req_path p_loc = {.up = at, .key = "locality"};
    const json_t *x;
    int64_t vfs = 0;
    int loc = GV_LOCALITY_ANY, rc;

    if ((rc = gv_req_check_keys(d, v, at, keys, err)) < 0)
        return rc;
    if (!(x = json_object_get(v, "vfs")))
        return gv_req_error(d, &p_vfs, false, err, GV_E_INVAL, "required");
    if ((rc = gv_req_int(d, x, &p_vfs, 0, GV_REQ_MAX_NIC_VFS, &vfs, err)) < 0)
        return rc;
    if ((x = json_object_get(v, "locality")) &&
        (rc = read_enum(d, x, &p_loc, gv_req_locality_names, GV_LOCALITY_LAST, &loc, err)) < 0)
        return rc;
    r->nic_vfs = (int)vfs;
    r->nic_locality = (gv_locality)loc;
    return 0;
}

static int
read_zones(const gv_req_doc *d, const json_t *v, const gv_req_path *at, gv_request *r, gv_err *err)
{
    return read_list(d, v, at, &r->zones[0][0], sizeof(r->zones[0]), GV_REQ_MAX_ZONES, false,
                     &r->n_zones, err);
}

static int
label_cmp(const void *a, const void *b)
{
    return strcmp(((const gv_req_label *)a)->key, ((const gv_req_label *)b)->key);
}

static int
read_labels(const gv_req_doc *d, const json_t *v, const gv_req_path *at, gv_request *r, gv_err *err)
{
    const char *k;
    json_t *val;
    size_t n = 0;
    int rc;

    if (!json_is_object(v))
        return gv_req_error(d, at, false, err, GV_E_INVAL, "expected an object");
    if (json_object_size(v) > GV_REQ_MAX_LABELS)
        return gv_req_error(d, at, false, err, GV_E_LIMIT, "more than %d labels",
                            GV_REQ_MAX_LABELS);
    memset(r->labels, 0, sizeof(r->labels));
    json_object_foreach((json_t *)v, k, val)
    {
        gv_req_path p = {.up = at, .key = k};
        gv_req_label *l = &r->labels[n];

        if ((rc = check_text(d, &p, true, k, strlen(k), sizeof(l->key), false, err)) < 0 ||
            (rc = read_string(d, val, &p, l->value, sizeof(l->value), true, err)) < 0)
            return rc;
        memcpy(l->key, k, strlen(k));
        n++;
    }
    qsort(r->labels, n, sizeof(r->labels[0]), label_cmp);
    r->n_labels = n;
    return 0;
}

/* The request's keys in the order they are read (and errors are found). */
static const struct req_field {
    const char *key;
    field_reader read;
} req_fields[] = {
    {.key = "name", .read = read_name},
    {.key = "tenant", .read = read_tenant},
    {.key = "vcpus", .read = read_vcpus},
    {.key = "cpu_milli", .read = read_cpu_milli},
    {.key = "memory_mib", .read = read_memory_mib},
    {.key = "hugepages", .read = read_hugepages},
    {.key = "cpu_policy", .read = read_cpu_policy},
    {.key = "numa_policy", .read = read_numa_policy},
    {.key = "gpu", .read = read_gpu},
    {.key = "nics", .read = read_nics},
    {.key = "scratch_gib", .read = read_scratch_gib},
    {.key = "scratch_locality", .read = read_scratch_locality},
    {.key = "pool", .read = read_pool},
    {.key = "zones", .read = read_zones},
    {.key = "labels", .read = read_labels},
    {.key = "anti_affinity", .read = read_anti_affinity},
    {.key = "class", .read = read_class},
    {.key = "io", .read = read_io},
};

#define N_FIELDS GV_N_ELEMENTS(req_fields)

/* MiB per page, by gv_hugepages. */
static const int64_t page_mib[GV_HUGEPAGES_LAST] = {
    [GV_HUGEPAGES_NONE] = 1,
    [GV_HUGEPAGES_2M] = 2,
    [GV_HUGEPAGES_1G] = 1024,
};

int
gv_req_read(const gv_req_doc *d, const json_t *obj, const gv_req_path *at, const gv_request *base,
            bool need_name, gv_request *ret, gv_err *err)
{
    const char *keys[N_FIELDS + 1];
    gv_req_path p_name = {.up = at, .key = "name"};
    gv_req_path p_memory = {.up = at, .key = "memory_mib"};
    gv_req_path p_cpu_milli = {.up = at, .key = "cpu_milli"};
    gv_request r;
    int rc;

    if (!json_is_object(obj))
        return gv_req_error(d, at, false, err, GV_E_INVAL, "%s",
                            at ? "expected an object" : "request: expected an object");
    for (size_t i = 0; i < N_FIELDS; i++)
        keys[i] = req_fields[i].key;
    keys[N_FIELDS] = NULL;
    if ((rc = gv_req_check_keys(d, obj, at, keys, err)) < 0)
        return rc;
    if (base)
        memcpy(&r, base, sizeof(r));
    else
        gv_request_init(&r);
    for (size_t i = 0; i < N_FIELDS; i++) {
        const json_t *v = json_object_get(obj, req_fields[i].key);
        gv_req_path p = {.up = at, .key = req_fields[i].key};

        if (v && (rc = req_fields[i].read(d, v, &p, &r, err)) < 0)
            return rc;
    }
    if (need_name && !r.name[0])
        return gv_req_error(d, &p_name, false, err, GV_E_INVAL, "required");
    if (r.cpu_milli && r.cpu_policy != GV_CPU_SHARED)
        return gv_req_error(d, &p_cpu_milli, false, err, GV_E_INVAL,
                            "only with cpu_policy shared (dedicated vCPUs own whole threads)");
    if (r.cpu_milli > (int64_t)r.vcpus * 1000)
        return gv_req_error(d, &p_cpu_milli, false, err, GV_E_INVAL,
                            "%lld is more than the %d vCPUs can use (%lld)", (long long)r.cpu_milli,
                            r.vcpus, (long long)r.vcpus * 1000);
    if (r.hugepages > GV_HUGEPAGES_NONE && r.hugepages < GV_HUGEPAGES_LAST &&
        r.memory_mib % page_mib[r.hugepages])
        return gv_req_error(d, &p_memory, false, err, GV_E_INVAL,
                            "%lld is not a multiple of the %s page size (%lld MiB)",
                            (long long)r.memory_mib, gv_hugepages_to_string(r.hugepages),
                            (long long)page_mib[r.hugepages]);
    memcpy(ret, &r, sizeof(r));
    return 0;
}

/* ---- documents ---- */

/* Is JSON text nested deeper than @max? Then *ret_line / *ret_col say where. */
static bool
json_too_deep(const char *text, size_t len, size_t max, size_t *ret_line, size_t *ret_col)
{
    size_t depth = 0, line = 1, col = 0;
    bool in_string = false, escaped = false;

    for (size_t i = 0; i < len; i++) {
        char c = text[i];

        col++;
        if (c == '\n') {
            line++;
            col = 0;
        } else if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max) {
                *ret_line = line;
                *ret_col = col;
                return true;
            }
        } else if ((c == ']' || c == '}') && depth) {
            depth--;
        }
    }
    return false;
}

typedef struct conv {
    gv_yaml *y;
    size_t n_values;
    int rc; /* the failure, once one is reported */
    gv_err *err;
} conv;

static json_t *conv_fail(conv *c, const gv_yaml_node *n, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static json_t *
conv_fail(conv *c, const gv_yaml_node *n, int code, const char *fmt, ...)
{
    char msg[GV_ERR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    c->rc = gv_yaml_error(c->y, n, c->err, code, "%s", msg);
    return NULL;
}

/* YAML 1.2 core schema: [-+]?[0-9]+ */
static bool
is_core_int(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

/* YAML 1.2 core schema floats, without .inf and .nan:
 * [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool
is_core_float(const char *s)
{
    size_t digits = 0;

    if (*s == '-' || *s == '+')
        s++;
    for (; isdigit((unsigned char)*s); s++)
        digits++;
    if (*s == '.')
        for (s++; isdigit((unsigned char)*s); s++)
            digits++;
    if (!digits)
        return false;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '-' || *s == '+')
            s++;
        if (!isdigit((unsigned char)*s))
            return false;
        while (isdigit((unsigned char)*s))
            s++;
    }
    return !*s;
}

static json_t *
scalar_to_json(conv *c, const gv_yaml_node *n)
{
    const char *s = gv_yaml_str(n);
    size_t len = n->data.scalar.length;
    json_t *v;

    if (strlen(s) != len)
        return conv_fail(c, n, GV_E_INVAL, "contains a NUL character");
    if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        if (gv_yaml_is_null(n))
            return json_null();
        if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
            return json_true();
        if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
            return json_false();
        if (is_core_int(s)) {
            long long x;
            errno = 0;
            x = strtoll(s, NULL, 10);
            if (!errno)
                return json_integer(x);
        }
        if (is_core_float(s)) {
            double x = strtod(s, NULL);
            if (isfinite(x))
                return json_real(x);
        }
    }
    if (!(v = json_stringn(s, len)))
        return conv_fail(c, n, GV_E_INVAL, "not valid UTF-8");
    return v;
}

static json_t *
node_to_json(conv *c, gv_yaml_node *n, size_t depth)
{
    if (!n)
        return conv_fail(c, NULL, GV_E_PARSE, "malformed YAML document");
    if (++c->n_values > GV_REQ_MAX_VALUES)
        return conv_fail(c, n, GV_E_LIMIT, "more than %d values (aliases included)",
                         GV_REQ_MAX_VALUES);
    if (depth > GV_REQ_MAX_DEPTH)
        return conv_fail(c, n, GV_E_LIMIT, "nested deeper than %d levels", GV_REQ_MAX_DEPTH);
    if (gv_yaml_is_map(n)) {
        GV_AUTOPTR(json_t) o = json_object();
        for (size_t i = 0; i < gv_yaml_map_len(n); i++) {
            gv_yaml_node *kn = gv_yaml_map_key_at(c->y, n, i);
            const char *k = gv_yaml_str(kn);
            json_t *v;

            if (!k)
                return conv_fail(c, kn, GV_E_INVAL, "keys must be strings");
            if (strlen(k) != kn->data.scalar.length)
                return conv_fail(c, kn, GV_E_INVAL, "key contains a NUL character");
            if (json_object_get(o, k))
                return conv_fail(c, kn, GV_E_INVAL, "duplicate key '%.64s'", k);
            if (!(v = node_to_json(c, gv_yaml_map_value_at(c->y, n, i), depth + 1)))
                return NULL;
            if (json_object_set_new(o, k, v) < 0)
                return conv_fail(c, kn, GV_E_INVAL, "key is not valid UTF-8");
        }
        return GV_STEAL_PTR(o);
    }
    if (gv_yaml_is_seq(n)) {
        GV_AUTOPTR(json_t) a = json_array();
        for (size_t i = 0; i < gv_yaml_seq_len(n); i++) {
            json_t *v = node_to_json(c, gv_yaml_seq_at(c->y, n, i), depth + 1);
            if (!v)
                return NULL;
            json_array_append_new(a, v);
        }
        return GV_STEAL_PTR(a);
    }
    return scalar_to_json(c, n);
}

void
gv_req_doc_free(gv_req_doc *d)
{
    if (!d)
        return;
    json_decref(d->root);
    gv_yaml_free(d->yaml);
    free(d->where);
    free(d);
}

int
gv_req_doc_parse(const char *text, size_t len, const char *source, bool yaml, gv_req_doc **ret,
                 gv_err *err)
{
    GV_AUTOPTR(gv_req_doc) d = GV_NEW0(gv_req_doc);
    char where[GV_ERR_WHERE_MAX];
    size_t line, col;
    int rc;

    source = source ? source : "<input>";
    d->where = gv_strdup(source);
    if (yaml) {
        conv c = {.err = err};

        if ((rc = gv_yaml_parse(text, len, source, &d->yaml, err)) < 0)
            return rc;
        c.y = d->yaml;
        if (!(d->root = node_to_json(&c, gv_yaml_root(d->yaml), 1)))
            return c.rc;
    } else {
        if (json_too_deep(text, len, GV_REQ_MAX_DEPTH, &line, &col)) {
            snprintf(where, sizeof(where), "%s:%zu:%zu", source, line, col);
            return gv_err_set(err, GV_E_LIMIT, where, "nested deeper than %d levels",
                              GV_REQ_MAX_DEPTH);
        }
        if ((rc = gv_json_parse(text, len, source, &d->root, err)) < 0)
            return rc;
    }
    *ret = GV_STEAL_PTR(d);
    return 0;
}

/* ---- the public parsers ---- */

static int
parse_request(const char *text, size_t len, const char *source, bool yaml, const gv_request *base,
              gv_request *ret, gv_err *err)
{
    GV_AUTOPTR(gv_req_doc) d = NULL;
    int rc;

    if ((rc = gv_req_doc_parse(text, len, source, yaml, &d, err)) < 0)
        return rc;
    return gv_req_read(d, d->root, NULL, base, !base, ret, err);
}

int
gv_request_parse_json(const char *text, size_t len, const char *source, const gv_request *base,
                      gv_request *ret, gv_err *err)
{
    return parse_request(text, len, source, false, base, ret, err);
}

int
gv_request_parse_yaml(const char *text, size_t len, const char *source, const gv_request *base,
                      gv_request *ret, gv_err *err)
{
    return parse_request(text, len, source, true, base, ret, err);
}

static int
read_release(const gv_req_doc *d, gv_stream_item *item, gv_err *err)
{
    gv_req_path p = {.key = "release"};
    const char *k;
    json_t *v;

    json_object_foreach(d->root, k, v)
    {
        if (strcmp(k, "release")) {
            gv_req_path other = {.key = k};
            return gv_req_error(d, &other, true, err, GV_E_INVAL, "not allowed beside 'release'");
        }
    }
    item->is_release = true;
    return read_string(d, json_object_get(d->root, "release"), &p, item->release,
                       sizeof(item->release), false, err);
}

int
gv_stream_parse_line(const char *line, size_t len, const char *source, size_t lineno,
                     const gv_request *base, gv_stream_item *ret, gv_err *err)
{
    GV_AUTOPTR(gv_req_doc) d = NULL;
    char where[GV_ERR_WHERE_MAX];
    gv_stream_item item;
    json_error_t je;
    size_t i = 0, line_at, col;
    int rc;

    snprintf(where, sizeof(where), "%s:%zu", source ? source : "<input>", lineno);
    if (len > GV_STREAM_MAX_LINE)
        return gv_err_set(err, GV_E_LIMIT, where, "line longer than %u bytes", GV_STREAM_MAX_LINE);
    while (i < len && isspace((unsigned char)line[i]))
        i++;
    if (i == len || line[i] == '#')
        return 1;
    if (json_too_deep(line, len, GV_REQ_MAX_DEPTH, &line_at, &col))
        return gv_err_set(err, GV_E_LIMIT, where, "nested deeper than %d levels (column %zu)",
                          GV_REQ_MAX_DEPTH, col);
    d = GV_NEW0(gv_req_doc);
    d->where = gv_strdup(where);
    if (!(d->root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je)))
        return gv_err_set(err, GV_E_PARSE, where, "%s (column %d)", je.text,
                          je.column > 0 ? je.column : 1);
    memset(&item, 0, sizeof(item));
    if (json_is_object(d->root) && json_object_get(d->root, "release"))
        rc = read_release(d, &item, err);
    else
        rc = gv_req_read(d, d->root, NULL, base, true, &item.request, err);
    if (rc < 0)
        return rc;
    memcpy(ret, &item, sizeof(item));
    return 0;
}
