/*
 * fuzz_catalog_yaml.c - catalog files from untrusted bytes. A catalog that parses must satisfy
 * the invariants the queries rely on (every allowed placement is a valid one-instance layout,
 * an empty GPU can take every profile and type) and must merge cleanly into an empty catalog;
 * a failure must say why and leave the output untouched.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gpuvm/gpu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_model(const gv_gpu_model *m)
{
    if (m->mig) {
        uint32_t starts[GV_MIG_MAX_PROFILES];

        if (gv_mig_available(m, NULL, 0, starts, NULL) != (int)m->mig->n_profiles)
            abort();
        for (size_t i = 0; i < m->mig->n_profiles; i++) {
            int s[GV_MIG_MAX_SLICES];
            int n = gv_mig_profile_placements(&m->mig->profiles[i], s);

            if (starts[i] != m->mig->profiles[i].starts)
                abort();
            for (int k = 0; k < n; k++) {
                gv_mig_instance one = {(int)i, s[k]};
                if (gv_mig_layout_check(m, &one, 1, NULL) != 0)
                    abort();
            }
        }
    }
    if (m->vgpu) {
        bool ok[GV_VGPU_MAX_TYPES];

        if (gv_vgpu_available(m, NULL, 0, false, ok, NULL) != (int)m->vgpu->n_types)
            abort();
        if (m->vgpu->mixed_size &&
            gv_vgpu_available(m, NULL, 0, true, ok, NULL) != (int)m->vgpu->n_types)
            abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gv_catalog *c = NULL, *base;
    gv_err err = {0};

    if (gv_catalog_parse((const char *)data, size, "fuzz.yaml", &c, &err) < 0) {
        if (err.code == 0 || c)
            abort();
        return 0;
    }
    for (size_t i = 0; i < gv_catalog_n_models(c); i++)
        check_model(gv_catalog_model_at(c, i));
    base = gv_catalog_new("base");
    if (gv_catalog_merge(base, c, NULL) != 0)
        abort();
    gv_catalog_free(base);
    return 0;
}
