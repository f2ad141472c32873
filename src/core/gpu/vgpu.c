/*
 * vgpu.c - time-sliced vGPU queries: checking the vGPUs of one GPU against its mode
 * (equal-size or mixed-size) and listing the types that can still be added. The rules, and why
 * the mixed-size half is inferred, are in gpu.h's design notes.
 */
#include <string.h>

#include "gpuvm/gpu.h"

int
gv_vgpu_find_type(const gv_gpu_model *m, const char *name)
{
    if (!m || !m->vgpu)
        return -1;
    for (size_t i = 0; i < m->vgpu->n_types; i++)
        if (!strcmp(m->vgpu->types[i].name, name))
            return (int)i;
    return -1;
}

/* Per-type counts and the total framebuffer of @types, after checking every rule. */
static int
tally(const gv_gpu_model *m, const int *types, size_t n, bool mixed, int *count, int64_t *ret_fb,
      gv_err *err)
{
    const gv_vgpu_info *v;
    int64_t fb = 0;

    if (!m || !m->vgpu)
        return gv_err_set(err, GV_E_INVAL, m ? m->name : "", "model '%s' has no vGPU types",
                          m ? m->name : "(null)");
    v = m->vgpu;
    if (mixed && !v->mixed_size)
        return gv_err_set(err, GV_E_INVAL, m->name, "model '%s' has no mixed-size mode", m->name);
    if (v->n_types > GV_VGPU_MAX_TYPES)
        return gv_err_set(err, GV_E_INVAL, m->name, "more than %d vGPU types", GV_VGPU_MAX_TYPES);
    if (n > GV_VGPU_MAX_INSTANCES)
        return gv_err_set(err, GV_E_INVAL, m->name, "more than %d vGPUs on one GPU",
                          GV_VGPU_MAX_INSTANCES);
    memset(count, 0, v->n_types * sizeof(*count));
    for (size_t i = 0; i < n; i++) {
        const gv_vgpu_type *t;

        if (types[i] < 0 || (size_t)types[i] >= v->n_types)
            return gv_err_set(err, GV_E_INVAL, m->name,
                              "vGPU %zu: type index %d is out of range 0..%zu", i, types[i],
                              v->n_types - 1);
        t = &v->types[types[i]];
        if (!mixed && types[i] != types[0])
            return gv_err_set(err, GV_E_CONFLICT, m->name,
                              "vGPU %zu: %s next to %s needs mixed-size mode", i, t->name,
                              v->types[types[0]].name);
        count[types[i]]++;
        fb += t->framebuffer_mib;
        if (!mixed && count[types[i]] > t->max_equal)
            return gv_err_set(err, GV_E_CONFLICT, m->name,
                              "vGPU %zu: more than %d %s vGPUs per GPU in equal-size mode", i,
                              t->max_equal, t->name);
        if (mixed && count[types[i]] > t->max_mixed)
            return gv_err_set(err, GV_E_CONFLICT, m->name,
                              "vGPU %zu: more than %d %s vGPUs per GPU in mixed-size mode", i,
                              t->max_mixed, t->name);
        if (mixed && fb > m->memory_mib)
            return gv_err_set(err, GV_E_CONFLICT, m->name,
                              "vGPU %zu: %s brings the framebuffers to %lld MiB, more than the "
                              "%lld MiB of the GPU",
                              i, t->name, (long long)fb, (long long)m->memory_mib);
    }
    *ret_fb = fb;
    return 0;
}

int
gv_vgpu_check(const gv_gpu_model *m, const int *types, size_t n, bool mixed, gv_err *err)
{
    int count[GV_VGPU_MAX_TYPES];
    int64_t fb;

    return tally(m, types, n, mixed, count, &fb, err);
}

int
gv_vgpu_available(const gv_gpu_model *m, const int *types, size_t n, bool mixed, bool *ret_ok,
                  gv_err *err)
{
    int count[GV_VGPU_MAX_TYPES];
    int64_t fb;
    int r, n_ok = 0;

    if ((r = tally(m, types, n, mixed, count, &fb, err)) < 0)
        return r;
    for (size_t t = 0; t < m->vgpu->n_types; t++) {
        const gv_vgpu_type *vt = &m->vgpu->types[t];
        bool ok;

        if (n >= GV_VGPU_MAX_INSTANCES)
            ok = false;
        else if (mixed)
            ok = count[t] < vt->max_mixed && fb + vt->framebuffer_mib <= m->memory_mib;
        else
            ok = (n == 0 || (size_t)types[0] == t) && count[t] < vt->max_equal;
        ret_ok[t] = ok;
        n_ok += ok;
    }
    return n_ok;
}
