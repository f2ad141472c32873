/*
 * whatif_internal.h - what the what-if replay (whatif.c) asks of its meter (whatif_meter.c):
 * each host's allocated and stranded GPU capacity (whatif.h defines both), kept summed per pool
 * and over the fleet as hosts change.
 *
 * The meter is the one file of src/core/sim/ that reads the engine's private state
 * (core/place/engine.h): "stranded" rests on the engine's own per-host verdict and per-GPU unit
 * test, which place.h does not offer. It never changes the engine, so it cannot change a
 * decision.
 */
#ifndef GV_SIM_WHATIF_INTERNAL_H
#define GV_SIM_WHATIF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gpuvm/place.h"
#include "gpuvm/whatif.h"

typedef struct gv_whatif_meter gv_whatif_meter;

/*
 * A meter over engine @e (borrowed; it must outlive the meter), with the typical request shapes
 * of @s and host h counted in pool @pool_of_host[h] (< @n_pools). Measures every host.
 */
gv_whatif_meter *gv_whatif_meter_new(const gv_engine *e, const gv_whatif_stream *s,
                                     const size_t *pool_of_host, size_t n_pools);
void gv_whatif_meter_free(gv_whatif_meter *m);
GV_DEFINE_AUTOPTR(gv_whatif_meter, gv_whatif_meter_free)

/*
 * Host @h gained or lost a VM: measure it again, and with @io_heavy (the VM was io: heavy) every
 * host of its datastore too, whose verdicts for io-heavy shapes may have turned.
 */
void gv_whatif_meter_host_changed(gv_whatif_meter *m, size_t h, bool io_heavy);

/* Typical request shapes the meter measures with. */
size_t gv_whatif_meter_n_typical(const gv_whatif_meter *m);

/* Allocated / stranded milli-GPUs of pool @pool now, or of the fleet with @pool == SIZE_MAX. */
int64_t gv_whatif_meter_alloc(const gv_whatif_meter *m, size_t pool);
int64_t gv_whatif_meter_stranded(const gv_whatif_meter *m, size_t pool);

#endif
