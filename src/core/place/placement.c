/* placement.c - owning and copying gv_placement and gv_place_result. */
#include <stdio.h>
#include <string.h>

#include "engine.h"

void
gv_placement_free_owned(gv_placement *p)
{
    free(p->pins);
    free(p->owned_cpus);
    free(p->emulator_cpus);
    for (size_t i = 0; i < p->n_cells && i < GV_PLACE_MAX_CELLS; i++)
        free(p->cells[i].shared_cpus);
}

void
gv_placement_clear(gv_placement *p)
{
    if (!p)
        return;
    gv_placement_free_owned(p);
    memset(p, 0, sizeof(*p));
}

static int *
dup_ints(const int *v, size_t n)
{
    int *r;

    if (!v || !n)
        return NULL;
    r = gv_reallocarray(NULL, n, sizeof(int));
    memcpy(r, v, n * sizeof(int));
    return r;
}

void
gv_placement_copy(gv_placement *dst, const gv_placement *src)
{
    memcpy(dst, src, sizeof(*dst));
    dst->pins = NULL;
    if (src->pins) {
        dst->pins = gv_reallocarray(NULL, (size_t)src->request.vcpus, sizeof(gv_vcpu_pin));
        memcpy(dst->pins, src->pins, (size_t)src->request.vcpus * sizeof(gv_vcpu_pin));
    }
    dst->owned_cpus = dup_ints(src->owned_cpus, src->n_owned_cpus);
    dst->emulator_cpus = dup_ints(src->emulator_cpus, src->n_emulator_cpus);
    for (size_t i = 0; i < src->n_cells; i++)
        dst->cells[i].shared_cpus =
            dup_ints(src->cells[i].shared_cpus, src->cells[i].n_shared_cpus);
}

void
gv_place_result_clear(gv_place_result *r)
{
    if (!r)
        return;
    gv_placement_clear(&r->placement);
    memset(r, 0, sizeof(*r));
}
