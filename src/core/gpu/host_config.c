/*
 * host_config.c - is a host's GPU configuration one its GPU models can have? MIG only on MIG
 * models with instances that fit the geometry, a vGPU type of the GPU's own board, a VF count
 * the model supports; a GPU the catalog does not know can only be passed through whole or
 * shared in milli-GPUs.
 * Also places a list of MIG profiles on one GPU (gv_mig_layout_place), as an operator's
 * static layout asks: "3g.40gb, 2g.20gb, 1g.10gb, 1g.10gb" becomes concrete starts.
 */
#include <stdio.h>
#include <string.h>

#include "gpuvm/gpu.h"

static const char *
mode_refusal(const gv_gpu_model *m, const gv_gpu *g, char *buf, size_t n)
{
    switch (g->mode) {
    case GV_GPU_MODE_PASSTHROUGH:
        return NULL;
    case GV_GPU_MODE_MIG: {
        gv_mig_instance insts[GV_GPU_MAX_INSTANCES];
        gv_err err = {0};
        if (!m->mig)
            return "the model has no MIG";
        for (int k = 0; k < g->n_instances; k++) {
            insts[k].profile = gv_mig_find_profile(m, g->instances[k].profile);
            insts[k].start = g->instances[k].start;
            if (insts[k].profile < 0) {
                snprintf(buf, n, "'%s' is not a MIG profile of the model", g->instances[k].profile);
                return buf;
            }
        }
        if (gv_mig_layout_check(m, insts, (size_t)g->n_instances, &err) < 0) {
            snprintf(buf, n, "MIG instances: %s", err.msg);
            return buf;
        }
        return NULL;
    }
    case GV_GPU_MODE_VGPU:
        if (!m->vgpu)
            return "the model has no vGPU types in the catalog";
        if (g->vgpu_type[0] && gv_vgpu_find_type(m, g->vgpu_type) < 0)
            return "vgpu_type is not a vGPU type of the model (see 'gpuvm catalog MODEL')";
        return NULL;
    case GV_GPU_MODE_SRIOV:
        if (!m->sriov)
            return "the model hands no SR-IOV VFs to VMs";
        for (size_t i = 0; i < m->sriov->n_vf_counts; i++)
            if (m->sriov->vf_counts[i] == g->sriov_vfs)
                return NULL;
        return "sriov_vfs is not a VF count the model supports (see 'gpuvm catalog MODEL')";
    default:
        return "invalid mode";
    }
}

int
gv_catalog_check_host(const gv_catalog *c, const gv_host *h, gv_err *err)
{
    char buf[GV_ERR_MSG_MAX / 2];

    for (size_t i = 0; i < h->n_gpus; i++) {
        const gv_gpu *g = &h->gpus[i];
        const gv_gpu_model *m = gv_catalog_find(c, g->model);
        const char *why;

        if (g->mode == GV_GPU_MODE_PASSTHROUGH || g->mode == GV_GPU_MODE_SHARE)
            continue;
        why = m ? mode_refusal(m, g, buf, sizeof(buf))
                : "the GPU model is not in the catalog, so it can only be passed through whole "
                  "or shared";
        if (why)
            return gv_err_set(err, GV_E_INVAL, NULL, "host %s: GPU %s (%s): %s: %s", h->name,
                              g->pci, g->model, gv_gpu_mode_to_string(g->mode), why);
    }
    return 0;
}

/* Depth-first search over @order (profile indices, largest first), starts ascending. */
static bool
place_from(const gv_gpu_model *m, const int *order, size_t n, size_t i, gv_mig_usage *u,
           gv_mig_instance *out)
{
    uint32_t starts;

    if (i == n)
        return true;
    starts = gv_mig_usage_starts(m, u, order[i]);
    for (int s = 0; s < GV_MIG_MAX_SLICES; s++) {
        gv_mig_usage next = *u;
        if (!(starts & (UINT32_C(1) << s)) || gv_mig_usage_add(m, &next, order[i], s, NULL) < 0)
            continue;
        out[i] = (gv_mig_instance){.profile = order[i], .start = s};
        if (place_from(m, order, n, i + 1, &next, out))
            return true;
    }
    return false;
}

int
gv_mig_layout_place(const gv_gpu_model *m, const int *profiles, size_t n, gv_mig_instance *ret,
                    gv_err *err)
{
    int order[GV_GPU_MAX_INSTANCES];
    gv_mig_instance out[GV_GPU_MAX_INSTANCES];
    gv_mig_usage u = {0};

    if (!m->mig)
        return gv_err_set(err, GV_E_INVAL, NULL, "%s has no MIG", m->name);
    if (n > GV_GPU_MAX_INSTANCES)
        return gv_err_set(err, GV_E_LIMIT, NULL, "more than %d GPU instances",
                          GV_GPU_MAX_INSTANCES);
    for (size_t i = 0; i < n; i++) {
        if (profiles[i] < 0 || (size_t)profiles[i] >= m->mig->n_profiles)
            return gv_err_set(err, GV_E_INVAL, NULL, "profile index %d out of range", profiles[i]);
        order[i] = profiles[i];
    }
    /* largest first (stable): big instances have the fewest starts */
    for (size_t i = 1; i < n; i++) {
        int v = order[i];
        size_t j = i;
        while (j > 0 &&
               m->mig->profiles[order[j - 1]].memory_slices < m->mig->profiles[v].memory_slices) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = v;
    }
    if (!place_from(m, order, n, 0, &u, out))
        return gv_err_set(err, GV_E_CONFLICT, NULL,
                          "these MIG profiles do not fit together on one %s", m->name);
    memcpy(ret, out, n * sizeof(*out));
    return 0;
}
