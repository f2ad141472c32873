/*
 * route_meta.c - the probes and the metrics page.
 */
#include <string.h>

#include "daemon/daemon.h"
#include "daemon/metrics.h"
#include "daemon/routes.h"
#include "gpuvm/alloc.h"

void
gv_route_healthz(gv_call *c)
{
    gv_call_json(c, 200, gv_strdup("{\"status\":\"ok\"}"));
}

void
gv_route_readyz(gv_call *c)
{
    if (atomic_load(&c->d->ready))
        gv_call_json(c, 200, gv_strdup("{\"status\":\"ready\"}"));
    else
        gv_call_error(c, 503, "unavailable", NULL, "gpuvmd is starting");
}

void
gv_route_metrics(gv_call *c)
{
    const char *accept = gv_http_header(c->http, "Accept");
    bool om = accept && strstr(accept, "application/openmetrics-text");
    char *page;

    pthread_rwlock_rdlock(&c->d->lock);
    page = gv_metrics_render(c->d, om);
    pthread_rwlock_unlock(&c->d->lock);
    gv_http_respond(c->http, 200,
                    om ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                       : "text/plain; version=0.0.4; charset=utf-8",
                    page);
}
