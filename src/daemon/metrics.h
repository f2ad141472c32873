/*
 * metrics.h - the daemon's Prometheus/OpenMetrics page.
 */
#ifndef GV_DAEMON_METRICS_H
#define GV_DAEMON_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/daemon.h"

/* Count one answered request of @route (an entry of gv_routes; NULL: no route matched). */
void gv_metrics_observe_request(const gv_route *route, int status, int64_t us);
/* The exposition: Prometheus text 0.0.4, or OpenMetrics 1.0.0 when @openmetrics. Caller holds
 * the read lock. Caller frees. */
char *gv_metrics_render(gv_daemon *d, bool openmetrics);

#endif
