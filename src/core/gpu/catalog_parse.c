/*
 * catalog_parse.c - the catalog YAML reader. It builds every model completely, checks it at the
 * positions of its values (invariants 1-4 of gpu.h), and only then adds it to the catalog, so a
 * mistake is reported as "file:line:col: reason" and nothing half-built escapes. The schema:
 *
 *   format: gpuvm-catalog/1
 *   sources: {KEY: text, ...}                     optional; when present, keys used must exist
 *   models:
 *     - name, vendor, description, memory_mib, source, verified, note
 *       pci_ids: [{id: "vvvv:dddd", source, verified, note}, ...]
 *       mig:   {memory_slices, compute_slices, source, verified, note,
 *               profiles: [{id, name, compute_slices, memory_slices, max_count, starts: [..],
 *                           media_ext, source, verified, note}, ...]}
 *       vgpu:  {mixed_size, on_vfs, source, verified, note,
 *               types: [{name, framebuffer_mib, max_equal, max_mixed, source, verified,
 *                        note}, ...]}
 *       sriov: {vf_counts: [..], source, verified, note}
 *
 * source is inherited from the enclosing block. verified (default true) covers a block's own
 * values; a MIG profile or vGPU type is verified only when its mig / vgpu block is, while the
 * model's flag covers the model's own fields (memory, description) and does not flow into its
 * blocks, so that an unverified memory size does not hide a verified MIG table. on_vfs
 * (default false) says each vGPU rides on an SR-IOV VF of the GPU (NVIDIA Ampere and later,
 * facts 2.4) rather than on the GPU itself.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gpuvm/gpu.h"
#include "util/yaml.h"

#define MAX_NAME 31 /* profile and vGPU type names: gv_gpu.vgpu_type holds 32 bytes */
#define MAX_SOURCE_KEY 31
#define MAX_VF_COUNTS 16
#define MAX_MEMORY_MIB (INT64_C(1) << 24) /* 16 TiB */

typedef struct parse_ctx {
    gv_yaml *y;
    gv_catalog *c;
    bool check_sources; /* the file declares `sources`: every key used must be there */
    gv_err *err;
} parse_ctx;

static const char *const fact_keys[] = {"source", "verified", "note"};

static bool
valid_chars(const char *s, size_t max, const char *extra)
{
    size_t n = strlen(s);

    if (n == 0 || n > max)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
            return false;
    return true;
}

/* Map keys allowed for a block: its own plus the fact keys. */
static int
check_keys(parse_ctx *p, gv_yaml_node *node, const char *what, const char *const *own)
{
    const char *all[24];
    size_t n = 0;

    for (; *own; own++)
        all[n++] = *own;
    for (size_t i = 0; i < GV_N_ELEMENTS(fact_keys); i++)
        all[n++] = fact_keys[i];
    all[n] = NULL;
    return gv_yaml_check_keys(p->y, node, what, all, p->err);
}

/*
 * Read source/verified/note of @map into @ret. The source defaults to @parent's (required for a
 * model, whose @parent is NULL); with @inherit_verified the block is verified only when @parent
 * is.
 */
static int
read_fact(parse_ctx *p, gv_yaml_node *map, const gv_fact *parent, bool inherit_verified,
          gv_fact *ret)
{
    const char *source = parent ? parent->source : NULL;
    const char *note = NULL;
    bool verified = true;
    int r;

    if ((r = gv_yaml_get_str(p->y, map, "source", !parent, &source, p->err)) < 0 ||
        (r = gv_yaml_get_bool(p->y, map, "verified", false, &verified, p->err)) < 0 ||
        (r = gv_yaml_get_str(p->y, map, "note", false, &note, p->err)) < 0)
        return r;
    if (gv_yaml_get(p->y, map, "source")) {
        gv_yaml_node *v = gv_yaml_get(p->y, map, "source");
        if (!valid_chars(source, MAX_SOURCE_KEY, "_-."))
            return gv_yaml_error(p->y, v, p->err, GV_E_INVAL,
                                 "source: '%s' is not a source key (letters, digits, _ - .)",
                                 source);
        if (p->check_sources && !gv_catalog_source(p->c, source))
            return gv_yaml_error(p->y, v, p->err, GV_E_INVAL,
                                 "source: '%s' is not declared in 'sources'", source);
    }
    ret->source = gv_strdup(source);
    ret->verified = verified && (!inherit_verified || parent->verified);
    ret->note = gv_strdup(note);
    return 0;
}

static int
get_int(parse_ctx *p, gv_yaml_node *map, const char *key, bool required, int64_t min, int64_t max,
        int *ret)
{
    int64_t v = *ret;
    int r;

    if ((r = gv_yaml_get_int(p->y, map, key, required, min, max, &v, p->err)) < 0)
        return r;
    *ret = (int)v;
    return 0;
}

/* @node must be a list of @min..@max items. */
static int
expect_list(parse_ctx *p, gv_yaml_node *node, const char *what, size_t min, size_t max,
            const char *items)
{
    size_t n;
    int r;

    if ((r = gv_yaml_expect_seq(p->y, node, what, p->err)) < 0)
        return r;
    n = gv_yaml_seq_len(node);
    if (n < min || n > max)
        return gv_yaml_error(p->y, node, p->err, n > max ? GV_E_LIMIT : GV_E_INVAL,
                             "%s: expected %zu to %zu %s, got %zu", what, min, max, items, n);
    return 0;
}

/* ---- sources ---- */

static int
read_sources(parse_ctx *p, gv_yaml_node *node)
{
    int r;

    if ((r = gv_yaml_expect_map(p->y, node, "sources", p->err)) < 0)
        return r;
    for (size_t i = 0; i < gv_yaml_map_len(node); i++) {
        gv_yaml_node *kn = gv_yaml_map_key_at(p->y, node, i);
        const char *key, *text;

        if ((r = gv_yaml_node_str(p->y, kn, "sources", &key, p->err)) < 0 ||
            (r = gv_yaml_node_str(p->y, gv_yaml_map_value_at(p->y, node, i), key, &text, p->err)) <
                0)
            return r;
        if (!valid_chars(key, MAX_SOURCE_KEY, "_-."))
            return gv_yaml_error(p->y, kn, p->err, GV_E_INVAL,
                                 "sources: '%s' is not a source key (letters, digits, _ - .)", key);
        if (gv_catalog_source(p->c, key))
            return gv_yaml_error(p->y, kn, p->err, GV_E_INVAL, "sources: duplicate key '%s'", key);
        gv_catalog_add_source(p->c, key, text, NULL);
    }
    return 0;
}

/* ---- PCI ids ---- */

static bool
parse_pci_id(const char *s, uint16_t *ret_vendor, uint16_t *ret_device)
{
    unsigned v, d;
    int n = -1;

    if (strlen(s) != 9 || s[4] != ':')
        return false;
    for (int i = 0; i < 9; i++)
        if (i != 4 && !isxdigit((unsigned char)s[i]))
            return false;
    if (sscanf(s, "%4x:%4x%n", &v, &d, &n) != 2 || n != 9)
        return false;
    *ret_vendor = (uint16_t)v;
    *ret_device = (uint16_t)d;
    return true;
}

static int
read_pci_ids(parse_ctx *p, gv_yaml_node *node, gv_gpu_model *m)
{
    static const char *const keys[] = {"id", NULL};
    uint16_t want = gv_gpu_vendor_pci_id(m->vendor);
    int r;

    if ((r = expect_list(p, node, "pci_ids", 1, GV_GPU_MAX_PCI_IDS, "PCI ids")) < 0)
        return r;
    m->n_pci_ids = gv_yaml_seq_len(node);
    m->pci_ids = gv_calloc(m->n_pci_ids, sizeof(*m->pci_ids));
    for (size_t i = 0; i < m->n_pci_ids; i++) {
        gv_yaml_node *item = gv_yaml_seq_at(p->y, node, i);
        gv_gpu_pci_id *id = &m->pci_ids[i];
        const gv_gpu_model *owner;
        const char *s;
        gv_yaml_node *v;

        if ((r = check_keys(p, item, "PCI id", keys)) < 0 ||
            (r = gv_yaml_get_str(p->y, item, "id", true, &s, p->err)) < 0 ||
            (r = read_fact(p, item, &m->fact, false, &id->fact)) < 0)
            return r;
        v = gv_yaml_get(p->y, item, "id");
        if (!parse_pci_id(s, &id->vendor_id, &id->device_id))
            return gv_yaml_error(p->y, v, p->err, GV_E_INVAL,
                                 "id: '%s' is not a PCI id (vvvv:dddd in hex)", s);
        if (id->vendor_id != want)
            return gv_yaml_error(p->y, v, p->err, GV_E_INVAL,
                                 "id: vendor %04x is not the PCI vendor of %s (%04x)",
                                 id->vendor_id, gv_gpu_vendor_to_string(m->vendor), want);
        for (size_t j = 0; j < i; j++)
            if (m->pci_ids[j].vendor_id == id->vendor_id &&
                m->pci_ids[j].device_id == id->device_id)
                return gv_yaml_error(p->y, v, p->err, GV_E_INVAL,
                                     "id: PCI id %04x:%04x is listed twice", id->vendor_id,
                                     id->device_id);
        if ((owner = gv_catalog_find_pci(p->c, id->vendor_id, id->device_id)))
            return gv_yaml_error(p->y, v, p->err, GV_E_INVAL,
                                 "id: PCI id %04x:%04x is already used by model '%s'",
                                 id->vendor_id, id->device_id, owner->name);
    }
    return 0;
}

/* ---- MIG ---- */

static int
read_starts(parse_ctx *p, gv_yaml_node *node, const gv_mig_geometry *g, gv_mig_profile *pr)
{
    int size = pr->memory_slices;
    int r;

    if ((r = expect_list(p, node, "starts", 1, GV_MIG_MAX_SLICES, "starts")) < 0)
        return r;
    for (size_t i = 0; i < gv_yaml_seq_len(node); i++) {
        gv_yaml_node *v = gv_yaml_seq_at(p->y, node, i);
        int64_t s;

        if ((r = gv_yaml_node_int(p->y, v, "starts", 0, g->memory_slices - 1, &s, p->err)) < 0)
            return r;
        if (s + size > g->memory_slices)
            return gv_yaml_error(p->y, v, p->err, GV_E_INVAL,
                                 "starts: a placement of %d memory slices at %d ends past "
                                 "memory slice %d",
                                 size, (int)s, g->memory_slices - 1);
        if (pr->starts & (UINT32_C(1) << s))
            return gv_yaml_error(p->y, v, p->err, GV_E_INVAL, "starts: %d is listed twice", (int)s);
        for (int o = 0; o < GV_MIG_MAX_SLICES; o++)
            if ((pr->starts & (UINT32_C(1) << o)) &&
                (gv_mig_placement_mask(pr, o) & gv_mig_placement_mask(pr, (int)s)))
                return gv_yaml_error(p->y, v, p->err, GV_E_INVAL,
                                     "starts: the placement at %d overlaps the placement at "
                                     "%d (%d memory slices each)",
                                     (int)s, o, size);
        if (s % size)
            return gv_yaml_error(p->y, v, p->err, GV_E_INVAL,
                                 "starts: %d is not a multiple of the placement size %d", (int)s,
                                 size);
        pr->starts |= UINT32_C(1) << s;
    }
    return 0;
}

static int
read_profile(parse_ctx *p, gv_yaml_node *item, gv_mig_geometry *g, size_t index)
{
    static const char *const keys[] = {"id",        "name",   "compute_slices", "memory_slices",
                                       "max_count", "starts", "media_ext",      NULL};
    gv_mig_profile *pr = &g->profiles[index];
    gv_yaml_node *starts, *mc;
    const char *name;
    bool me_named;
    int placements, r;

    if ((r = check_keys(p, item, "MIG profile", keys)) < 0 ||
        (r = gv_yaml_get_str(p->y, item, "name", true, &name, p->err)) < 0 ||
        (r = get_int(p, item, "id", true, 0, 1023, &pr->id)) < 0 ||
        (r = get_int(p, item, "compute_slices", true, 1, g->compute_slices, &pr->compute_slices)) <
            0 ||
        (r = get_int(p, item, "memory_slices", true, 1, g->memory_slices, &pr->memory_slices)) <
            0 ||
        (r = get_int(p, item, "max_count", true, 1, GV_MIG_MAX_SLICES, &pr->max_count)) < 0 ||
        (r = read_fact(p, item, &g->fact, true, &pr->fact)) < 0)
        return r;
    if (!valid_chars(name, MAX_NAME, ".+-_"))
        return gv_yaml_error(p->y, gv_yaml_get(p->y, item, "name"), p->err, GV_E_INVAL,
                             "name: '%s' is not a profile name (letters, digits, . + - _; at "
                             "most %d characters)",
                             name, MAX_NAME);
    pr->name = gv_strdup(name);
    for (size_t j = 0; j < index; j++) {
        if (!strcmp(g->profiles[j].name, name))
            return gv_yaml_error(p->y, gv_yaml_get(p->y, item, "name"), p->err, GV_E_INVAL,
                                 "name: profile '%s' is defined twice", name);
        if (g->profiles[j].id == pr->id)
            return gv_yaml_error(p->y, gv_yaml_get(p->y, item, "id"), p->err, GV_E_INVAL,
                                 "id: profile id %d is already used by '%s'", pr->id,
                                 g->profiles[j].name);
    }
    me_named = strstr(name, "+me") != NULL;
    pr->media_ext = me_named;
    if ((r = gv_yaml_get_bool(p->y, item, "media_ext", false, &pr->media_ext, p->err)) < 0)
        return r;
    if (pr->media_ext != me_named)
        return gv_yaml_error(p->y, gv_yaml_get(p->y, item, "media_ext"), p->err, GV_E_INVAL,
                             "media_ext: %s contradicts the name '%s'",
                             pr->media_ext ? "true" : "false", name);
    if (!(starts = gv_yaml_get(p->y, item, "starts")))
        return gv_yaml_error(p->y, item, p->err, GV_E_INVAL, "missing required key 'starts'");
    if ((r = read_starts(p, starts, g, pr)) < 0)
        return r;

    mc = gv_yaml_get(p->y, item, "max_count");
    placements = __builtin_popcount(pr->starts);
    if (pr->max_count > placements)
        return gv_yaml_error(p->y, mc, p->err, GV_E_INVAL,
                             "max_count: %d is more than the %d placements of '%s'", pr->max_count,
                             placements, name);
    if (pr->max_count * pr->compute_slices > g->compute_slices)
        return gv_yaml_error(p->y, mc, p->err, GV_E_INVAL,
                             "max_count: %d x %d compute slices exceed the %d compute slices of "
                             "the GPU",
                             pr->max_count, pr->compute_slices, g->compute_slices);
    if (pr->media_ext && pr->max_count != 1)
        return gv_yaml_error(p->y, mc, p->err, GV_E_INVAL,
                             "max_count: a media-extension profile has at most 1 instance");
    return 0;
}

static int
read_mig(parse_ctx *p, gv_yaml_node *node, gv_gpu_model *m)
{
    static const char *const keys[] = {"memory_slices", "compute_slices", "profiles", NULL};
    gv_mig_geometry *g;
    gv_yaml_node *profiles;
    int r;

    if ((r = check_keys(p, node, "mig", keys)) < 0)
        return r;
    g = m->mig = GV_NEW0(gv_mig_geometry);
    if ((r = get_int(p, node, "memory_slices", true, 1, GV_MIG_MAX_SLICES, &g->memory_slices)) <
            0 ||
        (r = get_int(p, node, "compute_slices", true, 1, g->memory_slices, &g->compute_slices)) <
            0 ||
        (r = read_fact(p, node, &m->fact, false, &g->fact)) < 0)
        return r;
    profiles = gv_yaml_get(p->y, node, "profiles");
    if (!profiles)
        return gv_yaml_error(p->y, node, p->err, GV_E_INVAL, "missing required key 'profiles'");
    if ((r = expect_list(p, profiles, "profiles", 1, GV_MIG_MAX_PROFILES, "profiles")) < 0)
        return r;
    g->n_profiles = gv_yaml_seq_len(profiles);
    g->profiles = gv_calloc(g->n_profiles, sizeof(*g->profiles));
    for (size_t i = 0; i < g->n_profiles; i++)
        if ((r = read_profile(p, gv_yaml_seq_at(p->y, profiles, i), g, i)) < 0)
            return r;
    return 0;
}

/* ---- vGPU ---- */

static int
read_vgpu_type(parse_ctx *p, gv_yaml_node *item, gv_gpu_model *m, size_t index)
{
    static const char *const keys[] = {"name", "framebuffer_mib", "max_equal", "max_mixed", NULL};
    gv_vgpu_info *v = m->vgpu;
    gv_vgpu_type *t = &v->types[index];
    gv_yaml_node *mixed;
    const char *name;
    int64_t fb = 0;
    int r;

    if ((r = check_keys(p, item, "vGPU type", keys)) < 0 ||
        (r = gv_yaml_get_str(p->y, item, "name", true, &name, p->err)) < 0 ||
        (r = gv_yaml_get_int(p->y, item, "framebuffer_mib", true, 1, m->memory_mib, &fb, p->err)) <
            0 ||
        (r = get_int(p, item, "max_equal", true, 1, GV_VGPU_MAX_INSTANCES, &t->max_equal)) < 0 ||
        (r = read_fact(p, item, &v->fact, true, &t->fact)) < 0)
        return r;
    t->framebuffer_mib = fb;
    if (!valid_chars(name, MAX_NAME, ".+-_"))
        return gv_yaml_error(p->y, gv_yaml_get(p->y, item, "name"), p->err, GV_E_INVAL,
                             "name: '%s' is not a vGPU type name (letters, digits, . + - _; at "
                             "most %d characters)",
                             name, MAX_NAME);
    t->name = gv_strdup(name);
    for (size_t j = 0; j < index; j++)
        if (!strcmp(v->types[j].name, name))
            return gv_yaml_error(p->y, gv_yaml_get(p->y, item, "name"), p->err, GV_E_INVAL,
                                 "name: vGPU type '%s' is defined twice", name);
    mixed = gv_yaml_get(p->y, item, "max_mixed");
    if (!v->mixed_size) {
        if (mixed)
            return gv_yaml_error(p->y, mixed, p->err, GV_E_INVAL,
                                 "max_mixed: the model has no mixed-size mode (mixed_size is "
                                 "false)");
        return 0;
    }
    if ((r = get_int(p, item, "max_mixed", true, 1, t->max_equal, &t->max_mixed)) < 0)
        return r;
    if (t->max_mixed * fb > m->memory_mib)
        return gv_yaml_error(p->y, mixed, p->err, GV_E_INVAL,
                             "max_mixed: %d x %lld MiB exceed the GPU memory of %lld MiB",
                             t->max_mixed, (long long)fb, (long long)m->memory_mib);
    return 0;
}

static int
read_vgpu(parse_ctx *p, gv_yaml_node *node, gv_gpu_model *m)
{
    static const char *const keys[] = {"mixed_size", "on_vfs", "types", NULL};
    gv_yaml_node *types;
    int r;

    if ((r = check_keys(p, node, "vgpu", keys)) < 0)
        return r;
    m->vgpu = GV_NEW0(gv_vgpu_info);
    if ((r = gv_yaml_get_bool(p->y, node, "mixed_size", true, &m->vgpu->mixed_size, p->err)) < 0 ||
        (r = gv_yaml_get_bool(p->y, node, "on_vfs", false, &m->vgpu->on_vfs, p->err)) < 0 ||
        (r = read_fact(p, node, &m->fact, false, &m->vgpu->fact)) < 0)
        return r;
    types = gv_yaml_get(p->y, node, "types");
    if (!types)
        return gv_yaml_error(p->y, node, p->err, GV_E_INVAL, "missing required key 'types'");
    if ((r = expect_list(p, types, "types", 1, GV_VGPU_MAX_TYPES, "vGPU types")) < 0)
        return r;
    m->vgpu->n_types = gv_yaml_seq_len(types);
    m->vgpu->types = gv_calloc(m->vgpu->n_types, sizeof(*m->vgpu->types));
    for (size_t i = 0; i < m->vgpu->n_types; i++)
        if ((r = read_vgpu_type(p, gv_yaml_seq_at(p->y, types, i), m, i)) < 0)
            return r;
    return 0;
}

/* ---- SR-IOV ---- */

static int
read_sriov(parse_ctx *p, gv_yaml_node *node, gv_gpu_model *m)
{
    static const char *const keys[] = {"vf_counts", NULL};
    gv_yaml_node *counts;
    gv_sriov_info *s;
    int r;

    if ((r = check_keys(p, node, "sriov", keys)) < 0)
        return r;
    s = m->sriov = GV_NEW0(gv_sriov_info);
    if ((r = read_fact(p, node, &m->fact, false, &s->fact)) < 0)
        return r;
    counts = gv_yaml_get(p->y, node, "vf_counts");
    if (!counts)
        return gv_yaml_error(p->y, node, p->err, GV_E_INVAL, "missing required key 'vf_counts'");
    if ((r = expect_list(p, counts, "vf_counts", 1, MAX_VF_COUNTS, "VF counts")) < 0)
        return r;
    s->n_vf_counts = gv_yaml_seq_len(counts);
    s->vf_counts = gv_calloc(s->n_vf_counts, sizeof(int));
    for (size_t i = 0; i < s->n_vf_counts; i++) {
        gv_yaml_node *v = gv_yaml_seq_at(p->y, counts, i);
        int64_t n;

        if ((r = gv_yaml_node_int(p->y, v, "vf_counts", 1, GV_SRIOV_MAX_VFS, &n, p->err)) < 0)
            return r;
        if (i > 0 && n <= s->vf_counts[i - 1])
            return gv_yaml_error(p->y, v, p->err, GV_E_INVAL,
                                 "vf_counts: %d does not ascend from %d", (int)n,
                                 s->vf_counts[i - 1]);
        s->vf_counts[i] = (int)n;
    }
    return 0;
}

/* ---- models ---- */

static const char *const vendor_names[] = {"nvidia", "amd", "intel", NULL};

static int
read_model(parse_ctx *p, gv_yaml_node *node, gv_gpu_model **ret)
{
    static const char *const keys[] = {"name", "vendor", "description", "memory_mib", "pci_ids",
                                       "mig",  "vgpu",   "sriov",       NULL};
    GV_AUTOPTR(gv_gpu_model) m = GV_NEW0(gv_gpu_model);
    const gv_gpu_model *other;
    const char *name, *description = "";
    gv_yaml_node *v;
    int vendor = 0, r;

    if ((r = check_keys(p, node, "model", keys)) < 0 ||
        (r = gv_yaml_get_str(p->y, node, "name", true, &name, p->err)) < 0)
        return r;
    v = gv_yaml_get(p->y, node, "name");
    if (!valid_chars(name, GV_MODEL_LEN - 1, ".+-_"))
        return gv_yaml_error(p->y, v, p->err, GV_E_INVAL,
                             "name: '%s' is not a model name (letters, digits, . + - _; at most "
                             "%d characters)",
                             name, GV_MODEL_LEN - 1);
    if ((other = gv_catalog_lookup(p->c, name))) {
        if (!strcmp(other->name, name))
            return gv_yaml_error(p->y, v, p->err, GV_E_INVAL, "name: model '%s' is defined twice",
                                 name);
        return gv_yaml_error(p->y, v, p->err, GV_E_INVAL,
                             "name: model '%s' is already defined as '%s' (names ignore case)",
                             name, other->name);
    }
    m->name = gv_strdup(name);
    if ((r = gv_yaml_get_enum(p->y, node, "vendor", true, vendor_names, &vendor, p->err)) < 0 ||
        (r = gv_yaml_get_str(p->y, node, "description", false, &description, p->err)) < 0 ||
        (r = gv_yaml_get_int(p->y, node, "memory_mib", true, 1, MAX_MEMORY_MIB, &m->memory_mib,
                             p->err)) < 0 ||
        (r = read_fact(p, node, NULL, false, &m->fact)) < 0)
        return r;
    m->vendor = (gv_gpu_vendor)vendor;
    m->description = gv_strdup(description);
    if (!(v = gv_yaml_get(p->y, node, "pci_ids")))
        return gv_yaml_error(p->y, node, p->err, GV_E_INVAL, "missing required key 'pci_ids'");
    if ((r = read_pci_ids(p, v, m)) < 0)
        return r;
    if ((v = gv_yaml_get(p->y, node, "mig")) && (r = read_mig(p, v, m)) < 0)
        return r;
    if ((v = gv_yaml_get(p->y, node, "vgpu")) && (r = read_vgpu(p, v, m)) < 0)
        return r;
    if ((v = gv_yaml_get(p->y, node, "sriov")) && (r = read_sriov(p, v, m)) < 0)
        return r;
    *ret = GV_STEAL_PTR(m);
    return 0;
}

int
gv_catalog_parse(const char *text, size_t len, const char *source, gv_catalog **ret, gv_err *err)
{
    static const char *const keys[] = {"format", "sources", "models", NULL};
    static const char *const formats[] = {GV_CATALOG_FORMAT, NULL};
    GV_AUTOPTR(gv_yaml) y = NULL;
    GV_AUTOPTR(gv_catalog) c = NULL;
    gv_yaml_node *root, *node;
    parse_ctx p = {.err = err};
    int format, r;

    if ((r = gv_yaml_parse(text, len, source, &y, err)) < 0)
        return r;
    root = gv_yaml_root(y);
    if ((r = gv_yaml_check_keys(y, root, "catalog", keys, err)) < 0 ||
        (r = gv_yaml_get_enum(y, root, "format", true, formats, &format, err)) < 0)
        return r;
    c = gv_catalog_new(gv_yaml_source(y));
    p.y = y;
    p.c = c;
    if ((node = gv_yaml_get(y, root, "sources"))) {
        p.check_sources = true;
        if ((r = read_sources(&p, node)) < 0)
            return r;
    }
    if (!(node = gv_yaml_get(y, root, "models")))
        return gv_yaml_error(y, root, err, GV_E_INVAL, "missing required key 'models'");
    if ((r = expect_list(&p, node, "models", 0, GV_CATALOG_MAX_MODELS, "models")) < 0)
        return r;
    for (size_t i = 0; i < gv_yaml_seq_len(node); i++) {
        GV_AUTOPTR(gv_gpu_model) m = NULL;

        if ((r = read_model(&p, gv_yaml_seq_at(y, node, i), &m)) < 0)
            return r;
        if ((r = gv_catalog_add_model(c, m, err)) < 0)
            return r;
        m = NULL;
    }
    *ret = GV_STEAL_PTR(c);
    return 0;
}
