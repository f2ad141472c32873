/*
 * fleet_yaml.c - load a fleet file: the YAML an operator writes, or the canonical JSON.
 *
 *   pools:                      name -> {strategy, mix_classes, cpu_overcommit}
 *   templates:                  name -> {topology: FILE | {inline host}, attributes...}
 *   hosts:                      list of {name: PATTERN, template: NAME, attributes...,
 *                                        overrides: {HOSTNAME: {attributes...}}}
 *
 * Attributes (pool, zone, labels, state, hypervisor_uri, datastore, reserved_cpus,
 * reconfigurable, mig_fixed, gpu_mode, gpu_model, vgpu_type, sriov_vfs, mig_layout) may be set on a
 * template, on a host group and per host; the most specific wins and labels merge. "{name}" in
 * hypervisor_uri and datastore becomes the host name. A topology file is read once per template,
 * whatever the number of hosts stamped from it. Nothing is returned unless the whole fleet is
 * valid.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "gpuvm/discover.h"
#include "util/cpulist.h"
#include "util/file.h"
#include "util/json.h"
#include "util/strbuf.h"
#include "util/yaml.h"

#define MAX_YAML_DEPTH 32

/* Attributes as written at one level; NULL / -1 mean "not set here". */
typedef struct attrs {
    const char *pool, *zone, *hypervisor_uri, *datastore, *gpu_model, *vgpu_type;
    int state, gpu_mode, reconfigurable, mig_fixed, sriov_vfs;
    gv_yaml_node *labels;        /* mapping */
    gv_yaml_node *reserved_cpus; /* scalar cpulist */
    gv_yaml_node *mig_layout;    /* sequence of "PROFILE" or "PROFILE@START" */
    gv_yaml_node *where;         /* the mapping, for error positions */
    gv_yaml_node *gpu_where;     /* the last GPU setting made here (gpu_mode...), if any */
} attrs;

/* The GPU settings a host ends up with, template < group < override. */
typedef struct gpu_config {
    int mode;                 /* -1: as the topology says */
    const char *model;        /* NULL: from the PCI ids */
    const char *vgpu_type;    /* NULL: any */
    int sriov_vfs;            /* -1: the topology's, else the model's first */
    gv_yaml_node *mig_layout; /* NULL: no instances */
    gv_yaml_node *where;      /* the value that set any of them last, for errors */
} gpu_config;

typedef struct tmpl {
    const char *name;
    gv_host *host;
    attrs a;
} tmpl;

static const char *const attr_keys[] = {
    "pool",      "zone",          "labels",         "state",      "hypervisor_uri",
    "datastore", "reserved_cpus", "reconfigurable", "mig_fixed",  "gpu_mode",
    "gpu_model", "vgpu_type",     "sriov_vfs",      "mig_layout", NULL};
#define N_ATTR_KEYS (sizeof(attr_keys) / sizeof(attr_keys[0]) - 1) /* without the NULL */

/* the GPU modes a fleet file may set (not share: the simulator's fractional mode) */
static const char *const mode_names[] = {"passthrough", "mig", "vgpu", "sriov", NULL};

static bool
valid_name(const char *s)
{
    if (!*s || strlen(s) > 63)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("-_.", *s))
            return false;
    return true;
}

static int
read_attrs(gv_yaml *y, gv_yaml_node *map, attrs *a, gv_err *err)
{
    int64_t v;
    bool b;
    int r;

    memset(a, 0, sizeof(*a));
    a->state = a->gpu_mode = a->reconfigurable = a->mig_fixed = a->sriov_vfs = -1;
    a->where = map;
    a->gpu_where = gv_yaml_get(y, map, "sriov_vfs");
    if (gv_yaml_get(y, map, "mig_layout"))
        a->gpu_where = gv_yaml_get(y, map, "mig_layout");
    if (gv_yaml_get(y, map, "vgpu_type"))
        a->gpu_where = gv_yaml_get(y, map, "vgpu_type");
    if (gv_yaml_get(y, map, "gpu_mode"))
        a->gpu_where = gv_yaml_get(y, map, "gpu_mode");
    if ((r = gv_yaml_get_str(y, map, "pool", false, &a->pool, err)) < 0 ||
        (r = gv_yaml_get_str(y, map, "zone", false, &a->zone, err)) < 0 ||
        (r = gv_yaml_get_str(y, map, "hypervisor_uri", false, &a->hypervisor_uri, err)) < 0 ||
        (r = gv_yaml_get_str(y, map, "datastore", false, &a->datastore, err)) < 0 ||
        (r = gv_yaml_get_str(y, map, "gpu_model", false, &a->gpu_model, err)) < 0 ||
        (r = gv_yaml_get_str(y, map, "vgpu_type", false, &a->vgpu_type, err)) < 0 ||
        (r = gv_yaml_get_enum(y, map, "state", false, gv_host_state_names, &a->state, err)) < 0 ||
        (r = gv_yaml_get_enum(y, map, "gpu_mode", false, mode_names, &a->gpu_mode, err)) < 0)
        return r;
    if (gv_yaml_get(y, map, "reconfigurable")) {
        if ((r = gv_yaml_get_bool(y, map, "reconfigurable", true, &b, err)) < 0)
            return r;
        a->reconfigurable = b;
    }
    if (gv_yaml_get(y, map, "mig_fixed")) {
        if ((r = gv_yaml_get_bool(y, map, "mig_fixed", true, &b, err)) < 0)
            return r;
        a->mig_fixed = b;
    }
    if (gv_yaml_get(y, map, "sriov_vfs")) {
        if ((r = gv_yaml_get_int(y, map, "sriov_vfs", true, 0, 4096, &v, err)) < 0)
            return r;
        a->sriov_vfs = (int)v;
    }
    if (a->pool && a->pool[0] && !valid_name(a->pool))
        return gv_yaml_error(y, gv_yaml_get(y, map, "pool"), err, GV_E_INVAL,
                             "pool: '%s' is not a valid name (letters, digits, - _ .)", a->pool);
    a->labels = gv_yaml_get(y, map, "labels");
    if (a->labels) {
        if ((r = gv_yaml_expect_map(y, a->labels, "labels", err)) < 0)
            return r;
        for (size_t i = 0; i < gv_yaml_map_len(a->labels); i++) {
            const char *k, *val;
            if ((r = gv_yaml_node_str(y, gv_yaml_map_key_at(y, a->labels, i), "label key", &k,
                                      err)) < 0 ||
                (r = gv_yaml_node_str(y, gv_yaml_map_value_at(y, a->labels, i), "label value", &val,
                                      err)) < 0)
                return r;
            if (!*k)
                return gv_yaml_error(y, gv_yaml_map_key_at(y, a->labels, i), err, GV_E_INVAL,
                                     "labels: empty key");
        }
    }
    a->mig_layout = gv_yaml_get(y, map, "mig_layout");
    if (a->mig_layout && (r = gv_yaml_expect_seq(y, a->mig_layout, "mig_layout", err)) < 0)
        return r;
    a->reserved_cpus = gv_yaml_get(y, map, "reserved_cpus");
    if (a->reserved_cpus) {
        const char *s;
        GV_AUTOFREE int *ids = NULL;
        gv_err e2 = {0};
        if ((r = gv_yaml_node_str(y, a->reserved_cpus, "reserved_cpus", &s, err)) < 0)
            return r;
        if (gv_cpulist_parse(s, &ids, &e2) < 0)
            return gv_yaml_error(y, a->reserved_cpus, err, GV_E_INVAL, "reserved_cpus: %s", e2.msg);
    }
    return 0;
}

static char *
subst_name(const char *pattern, const char *name)
{
    gv_strbuf sb = {0};
    const char *p = pattern, *q;

    while ((q = strstr(p, "{name}"))) {
        gv_strbuf_append_len(&sb, p, (size_t)(q - p));
        gv_strbuf_append(&sb, name);
        p = q + 6;
    }
    gv_strbuf_append(&sb, p);
    return gv_strbuf_steal(&sb);
}

/* Apply one level of attributes to @h (a host already named). */
static void
apply_attrs(gv_yaml *y, const attrs *a, gv_host *h, gpu_config *gc)
{
    if (a->gpu_where)
        gc->where = a->gpu_where;
    if (a->pool)
        gv_host_set_str(&h->pool, a->pool);
    if (a->zone)
        gv_host_set_str(&h->zone, a->zone);
    if (a->hypervisor_uri) {
        free(h->hypervisor_uri);
        h->hypervisor_uri = subst_name(a->hypervisor_uri, h->name);
    }
    if (a->datastore) {
        free(h->datastore);
        h->datastore = subst_name(a->datastore, h->name);
    }
    if (a->state >= 0)
        h->state = (gv_host_state)a->state;
    if (a->reconfigurable >= 0)
        h->reconfigurable = a->reconfigurable;
    if (a->mig_fixed >= 0)
        h->mig_fixed = a->mig_fixed;
    if (a->gpu_mode >= 0)
        gc->mode = a->gpu_mode;
    if (a->gpu_model)
        gc->model = a->gpu_model;
    if (a->vgpu_type)
        gc->vgpu_type = a->vgpu_type;
    if (a->sriov_vfs >= 0)
        gc->sriov_vfs = a->sriov_vfs;
    if (a->mig_layout)
        gc->mig_layout = a->mig_layout;
    for (size_t i = 0; a->labels && i < gv_yaml_map_len(a->labels); i++)
        gv_host_set_label(h, gv_yaml_str(gv_yaml_map_key_at(y, a->labels, i)),
                          gv_yaml_str(gv_yaml_map_value_at(y, a->labels, i)));
    if (a->reserved_cpus) {
        free(h->reserved_cpus);
        h->reserved_cpus = NULL;
        int n = gv_cpulist_parse(gv_yaml_str(a->reserved_cpus), &h->reserved_cpus, NULL);
        h->n_reserved_cpus = n > 0 ? (size_t)n : 0;
    }
}

/* ---- inline topology: YAML -> JSON -> the canonical host parser ---- */

static json_t *
yaml_to_json(gv_yaml *y, gv_yaml_node *n, int depth, gv_err *err)
{
    if (depth > MAX_YAML_DEPTH) {
        gv_yaml_error(y, n, err, GV_E_LIMIT, "nested deeper than %d levels", MAX_YAML_DEPTH);
        return NULL;
    }
    if (gv_yaml_is_map(n)) {
        json_t *o = json_object();
        for (size_t i = 0; i < gv_yaml_map_len(n); i++) {
            const char *k = gv_yaml_str(gv_yaml_map_key_at(y, n, i));
            json_t *v;
            if (!k) {
                gv_yaml_error(y, gv_yaml_map_key_at(y, n, i), err, GV_E_INVAL,
                              "keys must be plain strings");
                json_decref(o);
                return NULL;
            }
            v = yaml_to_json(y, gv_yaml_map_value_at(y, n, i), depth + 1, err);
            if (!v) {
                json_decref(o);
                return NULL;
            }
            json_object_set_new(o, k, v);
        }
        return o;
    }
    if (gv_yaml_is_seq(n)) {
        json_t *a = json_array();
        for (size_t i = 0; i < gv_yaml_seq_len(n); i++) {
            json_t *v = yaml_to_json(y, gv_yaml_seq_at(y, n, i), depth + 1, err);
            if (!v) {
                json_decref(a);
                return NULL;
            }
            json_array_append_new(a, v);
        }
        return a;
    }
    if (gv_yaml_is_null(n))
        return json_null();
    {
        const char *s = gv_yaml_str(n);
        char *end;
        long long v;
        if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
            if (!strcmp(s, "true"))
                return json_true();
            if (!strcmp(s, "false"))
                return json_false();
            if (*s && (isdigit((unsigned char)*s) || *s == '-')) {
                v = strtoll(s, &end, 10);
                if (!*end)
                    return json_integer(v);
                double d = strtod(s, &end);
                if (!*end)
                    return json_real(d);
            }
        }
        return json_string(s);
    }
}

static int
load_inline_topology(gv_yaml *y, gv_yaml_node *node, const char *tname, gv_host **ret, gv_err *err)
{
    GV_AUTOPTR(json_t) host = NULL;
    GV_AUTOPTR(json_t) root = NULL;
    GV_AUTOPTR(gv_fleet) f = NULL;
    GV_AUTOFREE char *text = NULL;
    GV_AUTOFREE char *source = NULL;
    char where[GV_ERR_WHERE_MAX];
    int r;

    host = yaml_to_json(y, node, 0, err);
    if (!host)
        return err ? -err->code : -GV_E_INVAL;
    if (!json_is_object(host))
        return gv_yaml_error(y, node, err, GV_E_INVAL,
                             "topology: expected a file name or an inline host mapping");
    if (!json_object_get(host, "name"))
        json_object_set_new(host, "name", json_string(tname));
    root = json_object();
    json_object_set_new(root, "hosts", json_pack("[O]", host));
    text = json_dumps(root, JSON_COMPACT);
    source = gv_strdup(gv_yaml_where(y, node, where, sizeof(where)));
    if ((r = gv_fleet_from_json(text, strlen(text), source, &f, err)) < 0)
        return r;
    *ret = f->hosts[0];
    f->n_hosts = 0;
    return 0;
}

/* ---- sections ---- */

static int
load_pools(gv_yaml *y, gv_yaml_node *pools, gv_fleet *f, gv_err *err)
{
    static const char *const keys[] = {"strategy", "mix_classes", "cpu_overcommit", NULL};
    int r;

    if (!pools)
        return 0;
    if ((r = gv_yaml_expect_map(y, pools, "pools", err)) < 0)
        return r;
    for (size_t i = 0; i < gv_yaml_map_len(pools); i++) {
        gv_yaml_node *kn = gv_yaml_map_key_at(y, pools, i);
        gv_yaml_node *v = gv_yaml_map_value_at(y, pools, i);
        const char *name = gv_yaml_str(kn);
        int strategy = GV_POOL_PACK;
        gv_pool *p;

        if (!name || !valid_name(name))
            return gv_yaml_error(y, kn, err, GV_E_INVAL,
                                 "pools: '%s' is not a valid name (letters, digits, - _ .)",
                                 name ? name : "?");
        if (gv_fleet_find_pool(f, name))
            return gv_yaml_error(y, kn, err, GV_E_INVAL, "pools: '%s' is defined twice", name);
        if ((r = gv_yaml_check_keys(y, v, name, keys, err)) < 0)
            return r;
        p = gv_fleet_set_pool(f, name);
        if ((r = gv_yaml_get_enum(y, v, "strategy", false, gv_pool_strategy_names, &strategy,
                                  err)) < 0 ||
            (r = gv_yaml_get_bool(y, v, "mix_classes", false, &p->mix_classes, err)) < 0 ||
            (r = gv_yaml_get_double(y, v, "cpu_overcommit", false, 1.0, 64.0, &p->cpu_overcommit,
                                    err)) < 0)
            return r;
        p->strategy = (gv_pool_strategy)strategy;
    }
    return 0;
}

static int
load_templates(gv_yaml *y, gv_yaml_node *node, const char *path, const gv_catalog *cat, tmpl **ret,
               size_t *ret_n, gv_err *err)
{
    const char *keys[N_ATTR_KEYS + 2];
    tmpl *ts = NULL;
    size_t n = 0;
    int r = 0;

    memcpy(keys, attr_keys, N_ATTR_KEYS * sizeof(attr_keys[0]));
    keys[N_ATTR_KEYS] = "topology";
    keys[N_ATTR_KEYS + 1] = NULL;
    if ((r = gv_yaml_expect_map(y, node, "templates", err)) < 0)
        return r;
    for (size_t i = 0; i < gv_yaml_map_len(node); i++) {
        gv_yaml_node *kn = gv_yaml_map_key_at(y, node, i);
        gv_yaml_node *v = gv_yaml_map_value_at(y, node, i);
        const char *name = gv_yaml_str(kn);
        gv_yaml_node *topo;
        tmpl *t;

        if (!name || !valid_name(name)) {
            r = gv_yaml_error(y, kn, err, GV_E_INVAL, "templates: '%s' is not a valid name",
                              name ? name : "?");
            break;
        }
        for (size_t j = 0; j < n; j++)
            if (!strcmp(ts[j].name, name))
                r = gv_yaml_error(y, kn, err, GV_E_INVAL, "templates: '%s' is defined twice", name);
        if (r < 0 || (r = gv_yaml_check_keys(y, v, name, keys, err)) < 0)
            break;
        t = GV_ARRAY_APPEND(ts, n);
        t->name = name;
        if ((r = read_attrs(y, v, &t->a, err)) < 0)
            break;
        topo = gv_yaml_get(y, v, "topology");
        if (!topo) {
            r = gv_yaml_error(y, v, err, GV_E_INVAL,
                              "template '%s': missing required key 'topology'", name);
            break;
        }
        if (gv_yaml_is_scalar(topo) && !gv_yaml_is_null(topo)) {
            GV_AUTOFREE char *file = gv_path_resolve(path, gv_yaml_str(topo));
            char where[GV_ERR_WHERE_MAX];
            gv_err e2 = {0};
            if ((r = gv_topo_file_load(file, &t->host, &e2)) < 0) {
                /* name the fleet line that pointed at the bad file, then the file's own error */
                gv_err_set(err, -r, gv_yaml_where(y, topo, where, sizeof(where)),
                           "template '%s': %s: %s", name, e2.where, e2.msg);
                break;
            }
        } else if ((r = load_inline_topology(y, topo, name, &t->host, err)) < 0) {
            break;
        }
        /* once per template: every host stamped from it is a copy */
        if (cat)
            gv_catalog_resolve_host(cat, t->host);
    }
    *ret = ts;
    *ret_n = n;
    return r;
}

static const tmpl *
find_tmpl(const tmpl *ts, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(ts[i].name, name))
            return &ts[i];
    return NULL;
}

/*
 * The instances that "mig_layout" asks for on a GPU of model @m: every entry "PROFILE@START",
 * or every entry "PROFILE" and gpuvm finds the starts (gv_mig_layout_place).
 */
static int
build_mig_layout(gv_yaml *y, gv_yaml_node *seq, const gv_gpu_model *m, gv_gpu *g, gv_err *err)
{
    gv_mig_instance insts[GV_GPU_MAX_INSTANCES];
    int profiles[GV_GPU_MAX_INSTANCES];
    size_t n = gv_yaml_seq_len(seq), n_explicit = 0;
    gv_err e2 = {0};
    int r;

    if (n > GV_GPU_MAX_INSTANCES)
        return gv_yaml_error(y, seq, err, GV_E_LIMIT, "mig_layout: more than %d instances",
                             GV_GPU_MAX_INSTANCES);
    for (size_t i = 0; i < n; i++) {
        gv_yaml_node *item = gv_yaml_seq_at(y, seq, i);
        const char *s = NULL, *at;
        char name[GV_MIG_PROFILE_LEN];
        int64_t start = -1;

        if ((r = gv_yaml_node_str(y, item, "mig_layout", &s, err)) < 0)
            return r;
        at = strchr(s, '@');
        snprintf(name, sizeof(name), "%.*s", (int)(at ? (size_t)(at - s) : strlen(s)), s);
        profiles[i] = gv_mig_find_profile(m, name);
        if (profiles[i] < 0)
            return gv_yaml_error(y, item, err, GV_E_INVAL,
                                 "mig_layout: '%s' is not a MIG profile of %s", name, m->name);
        if (at) {
            char *end;
            start = strtol(at + 1, &end, 10);
            if (at[1] == '\0' || *end || start < 0 || start >= GV_MIG_MAX_SLICES)
                return gv_yaml_error(y, item, err, GV_E_INVAL,
                                     "mig_layout: '%s': expected PROFILE@START", s);
            n_explicit++;
        }
        insts[i] = (gv_mig_instance){.profile = profiles[i], .start = (int)start};
    }
    if (n_explicit && n_explicit != n)
        return gv_yaml_error(y, seq, err, GV_E_INVAL,
                             "mig_layout: give a start for every instance or for none");
    r = n_explicit ? gv_mig_layout_check(m, insts, n, &e2)
                   : gv_mig_layout_place(m, profiles, n, insts, &e2);
    if (r < 0)
        return gv_yaml_error(y, seq, err, GV_E_INVAL, "mig_layout: %s", e2.msg);
    g->n_instances = (int)n;
    for (size_t i = 0; i < n; i++) {
        snprintf(g->instances[i].profile, sizeof(g->instances[i].profile), "%s",
                 m->mig->profiles[insts[i].profile].name);
        g->instances[i].start = insts[i].start;
    }
    return 0;
}

/*
 * Apply the GPU settings to every GPU of @h, then check the result against the catalog: MIG
 * only on MIG models and instances that fit, a vGPU type of the GPU's own board, a supported
 * VF count; GPUs the catalog does not know only as passthrough. Without a catalog nothing
 * can be checked and the settings are taken as written.
 */
static int
apply_gpu_config(gv_yaml *y, gv_yaml_node *where, gv_host *h, const gv_catalog *cat,
                 const gpu_config *gc, gv_err *err)
{
    gv_err e2 = {0};
    int r;

    if (gc->where)
        where = gc->where;
    if (gc->model) {
        if (cat && !gv_catalog_find(cat, gc->model))
            return gv_yaml_error(y, where, err, GV_E_INVAL,
                                 "gpu_model: '%s' is not a model in the catalog", gc->model);
        if (strlen(gc->model) >= GV_MODEL_LEN)
            return gv_yaml_error(y, where, err, GV_E_INVAL, "gpu_model: name too long");
    }
    if (gc->vgpu_type && strlen(gc->vgpu_type) >= sizeof(h->gpus[0].vgpu_type))
        return gv_yaml_error(y, where, err, GV_E_INVAL, "vgpu_type: name too long");
    for (size_t i = 0; i < h->n_gpus; i++) {
        gv_gpu *g = &h->gpus[i];
        const gv_gpu_model *m;

        if (gc->model && !strcmp(g->model, "unknown"))
            snprintf(g->model, sizeof(g->model), "%s", gc->model);
        m = cat ? gv_catalog_find(cat, g->model) : NULL;
        if (gc->mode >= 0)
            g->mode = (gv_gpu_mode)gc->mode;
        if (g->mode != GV_GPU_MODE_SRIOV)
            g->sriov_vfs = 0;
        else if (gc->sriov_vfs >= 0)
            g->sriov_vfs = gc->sriov_vfs;
        else if (g->sriov_vfs <= 0) /* no count from the fleet or the topology */
            g->sriov_vfs = m && m->sriov && m->sriov->n_vf_counts ? m->sriov->vf_counts[0] : 1;
        if (g->mode == GV_GPU_MODE_VGPU && gc->vgpu_type)
            snprintf(g->vgpu_type, sizeof(g->vgpu_type), "%s", gc->vgpu_type);
        else if (g->mode != GV_GPU_MODE_VGPU)
            g->vgpu_type[0] = '\0';
        if (g->mode != GV_GPU_MODE_MIG)
            g->n_instances = 0;
        if (!gc->mig_layout)
            continue;
        if (g->mode != GV_GPU_MODE_MIG)
            return gv_yaml_error(y, gc->mig_layout, err, GV_E_INVAL,
                                 "host %s: GPU %s: mig_layout needs gpu_mode: mig", h->name,
                                 g->pci);
        if (!m || !m->mig)
            return gv_yaml_error(y, gc->mig_layout, err, GV_E_INVAL,
                                 "host %s: GPU %s (%s): mig_layout needs a MIG model from the "
                                 "catalog",
                                 h->name, g->pci, g->model);
        if ((r = build_mig_layout(y, gc->mig_layout, m, g, err)) < 0)
            return r;
    }
    gv_host_sort(h);
    if (cat && gv_catalog_check_host(cat, h, &e2) < 0)
        return gv_yaml_error(y, where, err, GV_E_INVAL, "%s", e2.msg);
    return 0;
}

static int
load_host_group(gv_yaml *y, gv_yaml_node *node, const tmpl *ts, size_t n_ts, const gv_catalog *cat,
                gv_fleet *f, gv_err *err)
{
    const char *keys[N_ATTR_KEYS + 4];
    const char *pattern = NULL, *tname = NULL;
    gv_yaml_node *overrides;
    char **names = NULL;
    const tmpl *t;
    attrs group;
    int n, r;

    memcpy(keys, attr_keys, N_ATTR_KEYS * sizeof(attr_keys[0]));
    keys[N_ATTR_KEYS] = "name";
    keys[N_ATTR_KEYS + 1] = "template";
    keys[N_ATTR_KEYS + 2] = "overrides";
    keys[N_ATTR_KEYS + 3] = NULL;
    if ((r = gv_yaml_check_keys(y, node, "host group", keys, err)) < 0 ||
        (r = gv_yaml_get_str(y, node, "name", true, &pattern, err)) < 0 ||
        (r = gv_yaml_get_str(y, node, "template", true, &tname, err)) < 0 ||
        (r = read_attrs(y, node, &group, err)) < 0)
        return r;
    t = find_tmpl(ts, n_ts, tname);
    if (!t)
        return gv_yaml_error(y, gv_yaml_get(y, node, "template"), err, GV_E_INVAL,
                             "template '%s' is not defined", tname);
    {
        gv_err e2 = {0};
        n = gv_name_range_expand(pattern, &names, &e2);
        if (n < 0)
            return gv_yaml_error(y, gv_yaml_get(y, node, "name"), err, -n, "name: %s", e2.msg);
    }
    overrides = gv_yaml_get(y, node, "overrides");
    if (overrides && (r = gv_yaml_expect_map(y, overrides, "overrides", err)) < 0)
        goto out;
    /* every override must name a host of this group */
    for (size_t i = 0; i < gv_yaml_map_len(overrides); i++) {
        gv_yaml_node *kn = gv_yaml_map_key_at(y, overrides, i);
        const char *hn = gv_yaml_str(kn);
        bool found = false;
        for (int j = 0; hn && j < n && !found; j++)
            found = !strcmp(names[j], hn);
        if (!found) {
            r = gv_yaml_error(y, kn, err, GV_E_INVAL,
                              "overrides: '%s' is not one of the hosts named by '%s'",
                              hn ? hn : "?", pattern);
            goto out;
        }
    }
    for (int i = 0; i < n; i++) {
        gv_host *h;
        gv_yaml_node *ov = gv_yaml_get(y, overrides, names[i]);
        gv_yaml_node *where = ov ? ov : node;
        gpu_config gc = {.mode = -1, .sriov_vfs = -1};
        attrs own;

        if (!valid_name(names[i])) {
            r = gv_yaml_error(y, gv_yaml_get(y, node, "name"), err, GV_E_INVAL,
                              "'%s' is not a valid host name (letters, digits, - _ .)", names[i]);
            goto out;
        }
        if (ov) {
            if ((r = gv_yaml_check_keys(y, ov, names[i], attr_keys, err)) < 0 ||
                (r = read_attrs(y, ov, &own, err)) < 0)
                goto out;
        }
        h = gv_host_copy(t->host, names[i]);
        apply_attrs(y, &t->a, h, &gc);
        apply_attrs(y, &group, h, &gc);
        if (ov)
            apply_attrs(y, &own, h, &gc);
        /* apply_gpu_config sorts the host once, after every attribute is in */
        if ((r = apply_gpu_config(y, where, h, cat, &gc, err)) < 0 ||
            (r = gv_host_check(h, NULL)) < 0) {
            if (r < 0 && err && !err->code) {
                gv_err e2 = {0};
                gv_host_check(h, &e2);
                gv_yaml_error(y, where, err, GV_E_INVAL, "%s", e2.msg);
            }
            gv_host_free(h);
            goto out;
        }
        if (f->n_pools && h->pool[0] && !gv_fleet_find_pool(f, h->pool)) {
            r = gv_yaml_error(y, where, err, GV_E_INVAL,
                              "host %s: pool '%s' is not defined under 'pools'", h->name, h->pool);
            gv_host_free(h);
            goto out;
        }
        if (gv_fleet_add_host(f, h, NULL) < 0) {
            r = gv_yaml_error(y, gv_yaml_get(y, node, "name"), err, GV_E_INVAL,
                              "host '%s' is declared twice", names[i]);
            gv_host_free(h);
            goto out;
        }
    }
    r = 0;
out:
    gv_strv_free(names, n > 0 ? (size_t)n : 0);
    return r;
}

static int
load_yaml(const char *text, size_t len, const char *path, const gv_catalog *cat, gv_fleet **ret,
          gv_err *err)
{
    static const char *const keys[] = {"pools", "templates", "hosts", NULL};
    GV_AUTOPTR(gv_yaml) y = NULL;
    GV_AUTOPTR(gv_fleet) f = gv_fleet_new();
    gv_yaml_node *root, *hosts;
    tmpl *ts = NULL;
    size_t n_ts = 0;
    int r;

    if ((r = gv_yaml_parse(text, len, path, &y, err)) < 0)
        return r;
    root = gv_yaml_root(y);
    if ((r = gv_yaml_check_keys(y, root, "fleet", keys, err)) < 0 ||
        (r = load_pools(y, gv_yaml_get(y, root, "pools"), f, err)) < 0)
        return r;
    if (gv_yaml_get(y, root, "templates"))
        r = load_templates(y, gv_yaml_get(y, root, "templates"), path, cat, &ts, &n_ts, err);
    hosts = gv_yaml_get(y, root, "hosts");
    if (r == 0 && !hosts)
        r = gv_yaml_error(y, root, err, GV_E_INVAL, "fleet: missing required key 'hosts'");
    if (r == 0)
        r = gv_yaml_expect_seq(y, hosts, "hosts", err);
    for (size_t i = 0; r == 0 && i < gv_yaml_seq_len(hosts); i++)
        r = load_host_group(y, gv_yaml_seq_at(y, hosts, i), ts, n_ts, cat, f, err);
    for (size_t i = 0; i < n_ts; i++)
        gv_host_free(ts[i].host);
    free(ts);
    if (r < 0)
        return r;
    if ((r = gv_fleet_check(f, err)) < 0) {
        gv_err_prefix(err, path);
        return r;
    }
    *ret = GV_STEAL_PTR(f);
    return 0;
}

int
gv_fleet_parse(const char *text, size_t len, const char *path, const gv_catalog *catalog,
               gv_fleet **ret, gv_err *err)
{
    const char *s;

    if (memchr(text, '\0', len))
        return gv_err_set(err, GV_E_PARSE, path, "binary data, not a fleet file");
    s = text + strspn(text, " \t\r\n");
    if (*s == '{') {
        GV_AUTOPTR(gv_fleet) f = NULL;
        int r;
        if ((r = gv_fleet_from_json(text, len, path, &f, err)) < 0)
            return r;
        for (size_t i = 0; catalog && i < f->n_hosts; i++) {
            gv_catalog_resolve_host(catalog, f->hosts[i]);
            if ((r = gv_catalog_check_host(catalog, f->hosts[i], err)) < 0) {
                gv_err_prefix(err, path);
                return r;
            }
        }
        *ret = GV_STEAL_PTR(f);
        return 0;
    }
    return load_yaml(text, len, path, catalog, ret, err);
}

int
gv_fleet_file_load(const char *path, const gv_catalog *catalog, gv_fleet **ret, gv_err *err)
{
    GV_AUTOFREE char *text = NULL;
    size_t len = 0;
    int r;

    if ((r = gv_file_read(path, GV_FILE_MAX_BYTES, &text, &len, err)) < 0)
        return r;
    return gv_fleet_parse(text, len, path, catalog, ret, err);
}
