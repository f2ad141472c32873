/*
 * http.h - the HTTP server under the API: libmicrohttpd in thread-pool mode, optional TLS.
 *
 * A request goes through two calls of the handler: on_headers once the method, path and headers
 * are in (authenticate there, pick the route, set the body limit, or answer at once), then
 * on_request once the body is complete. on_request either answers at once (gv_http_respond) or
 * defers: gv_http_defer suspends the connection, and any thread later sets the answer and calls
 * gv_http_resume. So a mutation waiting for its group commit holds no thread. on_complete runs
 * once the answer is sent (or the connection died), for metrics and to free the handler's data.
 *
 * A body over the request's limit is answered 413 from its Content-Length before it is read, or
 * at the first byte over the limit for a chunked one; the connection is then closed.
 */
#ifndef GV_API_HTTP_H
#define GV_API_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gpuvm/err.h"

typedef struct gv_http_req gv_http_req;
typedef struct gv_http_server gv_http_server;

typedef struct gv_http_handler {
    void *ctx;
    void (*on_headers)(void *ctx, gv_http_req *r);
    void (*on_request)(void *ctx, gv_http_req *r);
    void (*on_complete)(void *ctx, gv_http_req *r); /* may be NULL */
} gv_http_handler;

typedef struct gv_http_config {
    const char *address;  /* IPv4 or IPv6 literal, "127.0.0.1" */
    uint16_t port;        /* 0: any free port (gv_http_port says which) */
    const char *tls_cert; /* PEM text, or NULL for plain HTTP */
    const char *tls_key;  /* PEM text */
    unsigned threads;     /* worker threads, >= 1 */
    unsigned max_conns;   /* connections at once */
    unsigned timeout_s;   /* idle connection timeout */
    size_t max_body;      /* default body limit (a route may change it in on_headers) */
} gv_http_config;

/* Start serving. Returns 0, or -GV_E_IO (cannot bind: the address and the reason) or
 * -GV_E_INVAL (a bad address, certificate or key). */
int gv_http_start(const gv_http_config *cfg, const gv_http_handler *h, gv_http_server **ret,
                  gv_err *err);
/* Stop accepting, finish nothing more, free. */
void gv_http_stop(gv_http_server *s);
uint16_t gv_http_port(const gv_http_server *s);

/* ---- a request ---------------------------------------------------------------------------- */

const char *gv_http_method(const gv_http_req *r);
const char *gv_http_path(const gv_http_req *r);
const char *gv_http_header(const gv_http_req *r, const char *name); /* NULL when absent */
const char *gv_http_query(const gv_http_req *r, const char *key);   /* NULL when absent */
/* Call @fn for every query argument (key, value; value NULL for "?flag"). */
void gv_http_query_each(const gv_http_req *r, void (*fn)(void *ctx, const char *k, const char *v),
                        void *ctx);
const char *gv_http_body(const gv_http_req *r, size_t *len); /* NUL-terminated */
void gv_http_set_max_body(gv_http_req *r, size_t max);
/* Microseconds since the request's headers arrived. */
int64_t gv_http_elapsed_us(const gv_http_req *r);

/* The handler's data for this request, freed by on_complete. */
void gv_http_set_data(gv_http_req *r, void *data);
void *gv_http_data(const gv_http_req *r);

/* Set the answer (@body is taken over; NULL for none). Calling it again replaces it. */
void gv_http_respond(gv_http_req *r, int status, const char *content_type, char *body);
/* An extra response header ("Retry-After", "Allow"); copied. */
void gv_http_add_header(gv_http_req *r, const char *name, const char *value);
bool gv_http_responded(const gv_http_req *r);
int gv_http_status(const gv_http_req *r); /* the answer's status, 0 before one */

/* From on_request: answer later. The connection sleeps until gv_http_resume. */
void gv_http_defer(gv_http_req *r);
/* From any thread, once gv_http_respond set the answer of a deferred request. */
void gv_http_resume(gv_http_req *r);

#endif
