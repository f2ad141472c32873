/*
 * mig.c - MIG placement queries on a model's geometry: the slices a placement occupies, a
 * profile's placements, checking a GPU's layout of GPU instances and what can still be placed
 * on it. Occupied memory slices are a uint32_t mask; the rules are in gpu.h's design notes.
 */
#include <stdio.h>
#include <string.h>

#include "gpuvm/gpu.h"

int
gv_mig_find_profile(const gv_gpu_model *m, const char *name)
{
    if (!m || !m->mig)
        return -1;
    for (size_t i = 0; i < m->mig->n_profiles; i++)
        if (!strcmp(m->mig->profiles[i].name, name))
            return (int)i;
    return -1;
}

int
gv_mig_find_profile_id(const gv_gpu_model *m, int id)
{
    if (!m || !m->mig)
        return -1;
    for (size_t i = 0; i < m->mig->n_profiles; i++)
        if (m->mig->profiles[i].id == id)
            return (int)i;
    return -1;
}

uint32_t
gv_mig_placement_mask(const gv_mig_profile *p, int start)
{
    int size = p->memory_slices;

    if (start < 0 || size < 1 || start + size > GV_MIG_MAX_SLICES)
        return 0;
    if (size == GV_MIG_MAX_SLICES)
        return UINT32_MAX;
    return ((UINT32_C(1) << size) - 1) << start;
}

int
gv_mig_profile_placements(const gv_mig_profile *p, int *ret_starts)
{
    int n = 0;

    for (int s = 0; s < GV_MIG_MAX_SLICES; s++)
        if (p->starts & (UINT32_C(1) << s))
            ret_starts[n++] = s;
    return n;
}

uint32_t
gv_mig_free_starts(const gv_mig_profile *p, uint32_t occupied)
{
    uint32_t ret = 0;

    for (int s = 0; s < GV_MIG_MAX_SLICES; s++) {
        uint32_t mask;

        if (!(p->starts & (UINT32_C(1) << s)))
            continue;
        mask = gv_mig_placement_mask(p, s);
        if (mask && !(mask & occupied))
            ret |= UINT32_C(1) << s;
    }
    return ret;
}

/* "0, 4" or "0-7" style list of the set bits of @mask, for messages. */
static const char *
format_slices(uint32_t mask, char *buf, size_t n)
{
    size_t len = 0;

    buf[0] = '\0';
    for (int s = 0; s < GV_MIG_MAX_SLICES && len < n; s++)
        if (mask & (UINT32_C(1) << s))
            len += (size_t)snprintf(buf + len, n - len, "%s%d", len ? ", " : "", s);
    if (!buf[0])
        snprintf(buf, n, "none");
    return buf;
}

static int
no_mig(const gv_gpu_model *m, gv_err *err)
{
    return gv_err_set(err, GV_E_INVAL, m ? m->name : "", "model '%s' has no MIG geometry",
                      m ? m->name : "(null)");
}

/*
 * Add (@profile, @start) to @u after checking every rule; @label prefixes the message
 * ("instance 3: "). @u is untouched on failure.
 */
static int
usage_add(const gv_gpu_model *m, gv_mig_usage *u, int profile, int start, const char *label,
          gv_err *err)
{
    const gv_mig_geometry *g = m->mig;
    const gv_mig_profile *p;
    char list[128];
    uint32_t mask;

    if (profile < 0 || (size_t)profile >= g->n_profiles || profile >= GV_MIG_MAX_PROFILES)
        return gv_err_set(err, GV_E_INVAL, m->name, "%sprofile index %d is out of range 0..%zu",
                          label, profile, g->n_profiles - 1);
    p = &g->profiles[profile];
    if (start < 0 || start >= GV_MIG_MAX_SLICES || !(p->starts & (UINT32_C(1) << start)))
        return gv_err_set(err, GV_E_INVAL, m->name, "%s%s@%d: %d is not an allowed start (%s)",
                          label, p->name, start, start,
                          format_slices(p->starts, list, sizeof(list)));
    mask = gv_mig_placement_mask(p, start);
    if (mask & u->occupied)
        return gv_err_set(err, GV_E_CONFLICT, m->name,
                          "%s%s@%d: memory slices %s are already in use", label, p->name, start,
                          format_slices(mask & u->occupied, list, sizeof(list)));
    if (p->media_ext && u->n_media > 0)
        return gv_err_set(err, GV_E_CONFLICT, m->name,
                          "%s%s@%d: the GPU already has a media-extension (+me) instance", label,
                          p->name, start);
    if (u->count[profile] >= p->max_count)
        return gv_err_set(err, GV_E_CONFLICT, m->name,
                          "%s%s@%d: the GPU already has the maximum of %d %s instance%s", label,
                          p->name, start, p->max_count, p->name, p->max_count == 1 ? "" : "s");
    if (u->compute_used + p->compute_slices > g->compute_slices)
        return gv_err_set(err, GV_E_CONFLICT, m->name,
                          "%s%s@%d: %d compute slices in use, %d more exceed the %d of the GPU",
                          label, p->name, start, u->compute_used, p->compute_slices,
                          g->compute_slices);
    u->occupied |= mask;
    u->compute_used += p->compute_slices;
    u->n_media += p->media_ext;
    u->count[profile]++;
    return 0;
}

int
gv_mig_usage_build(const gv_gpu_model *m, const gv_mig_instance *insts, size_t n, gv_mig_usage *ret,
                   gv_err *err)
{
    gv_mig_usage u = {0};
    int r;

    if (!m || !m->mig)
        return no_mig(m, err);
    for (size_t i = 0; i < n; i++) {
        char label[32];

        snprintf(label, sizeof(label), "instance %zu: ", i);
        if ((r = usage_add(m, &u, insts[i].profile, insts[i].start, label, err)) < 0)
            return r;
    }
    if (ret)
        *ret = u;
    return 0;
}

int
gv_mig_layout_check(const gv_gpu_model *m, const gv_mig_instance *insts, size_t n, gv_err *err)
{
    return gv_mig_usage_build(m, insts, n, NULL, err);
}

uint32_t
gv_mig_usage_starts(const gv_gpu_model *m, const gv_mig_usage *u, int profile)
{
    const gv_mig_profile *p;

    if (!m || !m->mig || profile < 0 || (size_t)profile >= m->mig->n_profiles ||
        profile >= GV_MIG_MAX_PROFILES)
        return 0;
    p = &m->mig->profiles[profile];
    if ((p->media_ext && u->n_media > 0) || u->count[profile] >= p->max_count ||
        u->compute_used + p->compute_slices > m->mig->compute_slices)
        return 0;
    return gv_mig_free_starts(p, u->occupied);
}

int
gv_mig_usage_add(const gv_gpu_model *m, gv_mig_usage *u, int profile, int start, gv_err *err)
{
    if (!m || !m->mig)
        return no_mig(m, err);
    return usage_add(m, u, profile, start, "", err);
}

int
gv_mig_available(const gv_gpu_model *m, const gv_mig_instance *insts, size_t n,
                 uint32_t *ret_starts, gv_err *err)
{
    gv_mig_usage u;
    int r, count = 0;

    if ((r = gv_mig_usage_build(m, insts, n, &u, err)) < 0)
        return r;
    for (size_t i = 0; i < m->mig->n_profiles; i++) {
        ret_starts[i] = gv_mig_usage_starts(m, &u, (int)i);
        count += ret_starts[i] != 0;
    }
    return count;
}
