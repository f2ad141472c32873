/*
 * shape.c - a request's shape: the request without its name and tenant, the key under which
 * the fast path keeps its per-shape indexes (index.c). A decision looks its shape up by hash
 * and field-by-field match on the request as it comes; the canonical copy (every unused byte
 * zero) is built only for a shape not seen before.
 */
#include <string.h>

#include "engine.h"

/* @r with the name and tenant dropped and every unused byte zero, so equal shapes are equal
 * byte for byte. */
void
gv_shape_of(const gv_request *r, gv_request *s)
{
    memset(s, 0, sizeof(*s));
    s->vcpus = r->vcpus;
    s->cpu_milli = r->cpu_milli;
    s->memory_mib = r->memory_mib;
    s->hugepages = r->hugepages;
    s->cpu_policy = r->cpu_policy;
    s->numa_policy = r->numa_policy;
    s->gpu.count = r->gpu.count;
    s->gpu.mode = r->gpu.mode;
    s->gpu.n_models = r->gpu.n_models;
    for (size_t i = 0; i < r->gpu.n_models && i < GV_REQ_MAX_MODELS; i++)
        gv_copy_str(s->gpu.models[i], GV_MODEL_LEN, r->gpu.models[i]);
    s->gpu.topology = r->gpu.topology;
    gv_copy_str(s->gpu.profile, sizeof(s->gpu.profile), r->gpu.profile);
    gv_copy_str(s->gpu.vgpu_type, sizeof(s->gpu.vgpu_type), r->gpu.vgpu_type);
    s->gpu.milli = r->gpu.milli;
    s->nic_vfs = r->nic_vfs;
    s->nic_locality = r->nic_locality;
    s->scratch_gib = r->scratch_gib;
    s->scratch_locality = r->scratch_locality;
    gv_copy_str(s->pool, sizeof(s->pool), r->pool);
    s->n_zones = r->n_zones;
    for (size_t i = 0; i < r->n_zones && i < GV_REQ_MAX_ZONES; i++)
        gv_copy_str(s->zones[i], GV_REQ_NAME_LEN, r->zones[i]);
    s->n_labels = r->n_labels;
    for (size_t i = 0; i < r->n_labels && i < GV_REQ_MAX_LABELS; i++) {
        gv_copy_str(s->labels[i].key, GV_REQ_NAME_LEN, r->labels[i].key);
        gv_copy_str(s->labels[i].value, GV_REQ_NAME_LEN, r->labels[i].value);
    }
    gv_copy_str(s->anti_affinity, sizeof(s->anti_affinity), r->anti_affinity);
    s->class = r->class;
    s->io = r->io;
}

/* A string field of @size bytes as gv_copy_str (and so gv_shape_of) keeps it: at most size - 1
 * bytes, up to its terminator. */
static uint64_t
hash_str(uint64_t h, const char *s, size_t size)
{
    size_t n = strnlen(s, size - 1);

    return gv_hash_bytes(gv_hash_word(h, n), s, n);
}

static bool
str_same(const char *a, const char *b, size_t size)
{
    return !strncmp(a, b, size - 1);
}

/* Is @r of shape @s (a gv_shape_of)? Field by field what gv_shape_of keeps, so that a decision
 * neither builds nor compares 4.5 KiB of mostly unused string space. */
bool
gv_shape_matches(const gv_request *s, const gv_request *r)
{
    if (s->vcpus != r->vcpus || s->cpu_milli != r->cpu_milli || s->memory_mib != r->memory_mib ||
        s->hugepages != r->hugepages || s->cpu_policy != r->cpu_policy ||
        s->numa_policy != r->numa_policy || s->gpu.count != r->gpu.count ||
        s->gpu.mode != r->gpu.mode || s->gpu.n_models != r->gpu.n_models ||
        s->gpu.topology != r->gpu.topology || s->gpu.milli != r->gpu.milli ||
        s->nic_vfs != r->nic_vfs || s->nic_locality != r->nic_locality ||
        s->scratch_gib != r->scratch_gib || s->scratch_locality != r->scratch_locality ||
        s->n_zones != r->n_zones || s->n_labels != r->n_labels || s->class != r->class ||
        s->io != r->io)
        return false;
    for (size_t i = 0; i < r->gpu.n_models && i < GV_REQ_MAX_MODELS; i++)
        if (!str_same(s->gpu.models[i], r->gpu.models[i], GV_MODEL_LEN))
            return false;
    for (size_t i = 0; i < r->n_zones && i < GV_REQ_MAX_ZONES; i++)
        if (!str_same(s->zones[i], r->zones[i], GV_REQ_NAME_LEN))
            return false;
    for (size_t i = 0; i < r->n_labels && i < GV_REQ_MAX_LABELS; i++)
        if (!str_same(s->labels[i].key, r->labels[i].key, GV_REQ_NAME_LEN) ||
            !str_same(s->labels[i].value, r->labels[i].value, GV_REQ_NAME_LEN))
            return false;
    return str_same(s->gpu.profile, r->gpu.profile, sizeof(s->gpu.profile)) &&
           str_same(s->gpu.vgpu_type, r->gpu.vgpu_type, sizeof(s->gpu.vgpu_type)) &&
           str_same(s->pool, r->pool, sizeof(s->pool)) &&
           str_same(s->anti_affinity, r->anti_affinity, sizeof(s->anti_affinity));
}

/* A shape's hash, field by field, of what gv_shape_of keeps: a request and its shape hash alike.
 * Equality is gv_shape_matches; this only narrows it. */
uint64_t
gv_shape_hash(const gv_request *s)
{
    uint64_t h = GV_HASH_SEED;

    h = gv_hash_word(h, (uint64_t)s->vcpus << 32 | (uint32_t)s->hugepages);
    h = gv_hash_word(h, (uint64_t)s->memory_mib);
    h = gv_hash_word(h, (uint64_t)s->cpu_milli);
    h = gv_hash_word(h, (uint64_t)s->cpu_policy << 48 | (uint64_t)s->numa_policy << 32 |
                            (uint64_t)s->class << 16 | (uint64_t)s->io);
    h = gv_hash_word(h, (uint64_t)s->gpu.count << 32 | (uint64_t)s->gpu.mode << 16 |
                            (uint64_t)s->gpu.topology);
    h = gv_hash_word(h, (uint64_t)(uint32_t)s->gpu.milli);
    for (size_t i = 0; i < s->gpu.n_models && i < GV_REQ_MAX_MODELS; i++)
        h = hash_str(h, s->gpu.models[i], GV_MODEL_LEN);
    h = hash_str(h, s->gpu.profile, sizeof(s->gpu.profile));
    h = hash_str(h, s->gpu.vgpu_type, sizeof(s->gpu.vgpu_type));
    h = gv_hash_word(h, (uint64_t)s->nic_vfs << 32 | (uint64_t)s->nic_locality << 16 |
                            (uint64_t)s->scratch_locality);
    h = gv_hash_word(h, (uint64_t)s->scratch_gib);
    h = hash_str(h, s->pool, sizeof(s->pool));
    for (size_t i = 0; i < s->n_zones && i < GV_REQ_MAX_ZONES; i++)
        h = hash_str(h, s->zones[i], GV_REQ_NAME_LEN);
    for (size_t i = 0; i < s->n_labels && i < GV_REQ_MAX_LABELS; i++) {
        h = hash_str(h, s->labels[i].key, GV_REQ_NAME_LEN);
        h = hash_str(h, s->labels[i].value, GV_REQ_NAME_LEN);
    }
    return hash_str(h, s->anti_affinity, sizeof(s->anti_affinity));
}
