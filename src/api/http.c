/*
 * http.c - libmicrohttpd behind the interface of http.h.
 *
 * Design notes.
 * - Threads: MHD's internal thread pool with epoll; every connection belongs to one pool thread.
 *   Handlers never block: a deferred request is suspended (MHD_suspend_connection) and resumed by
 *   whichever thread sets its answer.
 * - The access handler is called (1) once with the headers, (2) once per body chunk, (3) once
 *   more when the body is complete, and (4) again after each resume. A request's phase says
 *   which of these comes next:
 *
 *     phase      | event                         | next
 *     -----------+-------------------------------+--------------------------------------
 *     HEADERS    | first call: on_headers        | BODY, or ANSWERED if it answered
 *     BODY       | chunk: append (or 413)        | BODY, or ANSWERED (over the limit)
 *     BODY       | last call: on_request         | ANSWERED, or DEFERRED
 *     DEFERRED   | resumed                       | ANSWERED
 *     ANSWERED   | (the response was queued)     | -
 *
 * - Invariant: a request is suspended exactly while its phase is DEFERRED and it was not yet
 *   resumed. The suspend happens before the request is handed to another thread, so a resume
 *   can never precede its suspend.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "api/http.h"
#include "gpuvm/alloc.h"

typedef enum phase {
    PHASE_HEADERS,
    PHASE_BODY,
    PHASE_DEFERRED,
    PHASE_ANSWERED,
} phase;

typedef struct header {
    char *name, *value;
} header;

struct gv_http_req {
    gv_http_server *server;
    struct MHD_Connection *conn;
    phase phase;
    const char *method, *path; /* MHD's, valid for the request */
    int64_t t0_ns;
    char *body;
    size_t body_len, max_body;
    bool too_large;
    int status;
    char *resp_body;
    char *content_type;
    size_t n_headers;
    header *headers;
    void *data;
};

struct gv_http_server {
    struct MHD_Daemon *mhd;
    gv_http_handler h;
    size_t max_body;
    uint16_t port;
};

static int64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static enum MHD_Result
queue_answer(gv_http_req *r)
{
    struct MHD_Response *resp;
    size_t len = r->resp_body ? strlen(r->resp_body) : 0;
    enum MHD_Result ok;

    resp = MHD_create_response_from_buffer(len, r->resp_body ? r->resp_body : (void *)"",
                                           r->resp_body ? MHD_RESPMEM_MUST_FREE
                                                        : MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    r->resp_body = NULL; /* MHD frees it */
    if (r->content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    for (size_t i = 0; i < r->n_headers; i++)
        MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
    if (r->too_large)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    ok = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    r->phase = PHASE_ANSWERED;
    return ok;
}

static void
answer_too_large(gv_http_req *r)
{
    r->too_large = true;
    gv_http_respond(r, 413, "application/json",
                    gv_asprintf("{\"error\": {\"code\": \"payload_too_large\", \"details\": "
                                "{\"limit\": %zu}, \"message\": \"the body is over %zu bytes\"}}",
                                r->max_body, r->max_body));
}

static enum MHD_Result
on_access(void *cls, struct MHD_Connection *c, const char *url, const char *method,
          const char *version, const char *upload, size_t *upload_len, void **con_cls)
{
    gv_http_server *s = cls;
    gv_http_req *r = *con_cls;

    (void)version;
    if (!r) {
        const char *cl;

        r = GV_NEW0(gv_http_req);
        r->server = s;
        r->conn = c;
        r->method = method;
        r->path = url;
        r->t0_ns = now_ns();
        r->max_body = s->max_body;
        *con_cls = r;
        s->h.on_headers(s->h.ctx, r);
        if (r->status)
            return queue_answer(r);
        cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > r->max_body) {
            answer_too_large(r);
            return queue_answer(r);
        }
        r->phase = PHASE_BODY;
        return MHD_YES;
    }
    switch (r->phase) {
    case PHASE_BODY:
        if (*upload_len) {
            size_t n = *upload_len;

            *upload_len = 0;
            if (r->body_len + n > r->max_body) {
                answer_too_large(r);
                return queue_answer(r);
            }
            r->body = gv_realloc(r->body, r->body_len + n + 1);
            memcpy(r->body + r->body_len, upload, n);
            r->body_len += n;
            r->body[r->body_len] = '\0';
            return MHD_YES;
        }
        s->h.on_request(s->h.ctx, r);
        if (r->phase == PHASE_DEFERRED)
            return MHD_YES;
        if (!r->status)
            gv_http_respond(r, 500, "application/json",
                            gv_strdup("{\"error\": {\"code\": \"internal\", \"details\": {}, "
                                      "\"message\": \"no answer\"}}"));
        return queue_answer(r);
    case PHASE_DEFERRED:
        return r->status ? queue_answer(r) : MHD_YES;
    case PHASE_HEADERS:
    case PHASE_ANSWERED:
        *upload_len = 0; /* the rest of a refused body */
        return MHD_YES;
    }
    return MHD_NO;
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode t)
{
    gv_http_server *s = cls;
    gv_http_req *r = *con_cls;

    (void)c;
    (void)t;
    if (!r)
        return;
    if (s->h.on_complete)
        s->h.on_complete(s->h.ctx, r);
    for (size_t i = 0; i < r->n_headers; i++) {
        free(r->headers[i].name);
        free(r->headers[i].value);
    }
    free(r->headers);
    free(r->body);
    free(r->resp_body);
    free(r->content_type);
    free(r);
    *con_cls = NULL;
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    (void)fmt;
    (void)ap; /* MHD's own chatter (client resets, TLS handshakes) is not an event of ours */
}

int
gv_http_start(const gv_http_config *cfg, const gv_http_handler *h, gv_http_server **ret,
              gv_err *err)
{
    gv_http_server *s = GV_NEW0(gv_http_server);
    struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons(cfg->port)};
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons(cfg->port)};
    const struct sockaddr *sa;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;
    const union MHD_DaemonInfo *info;

    if (inet_pton(AF_INET, cfg->address, &a4.sin_addr) == 1) {
        sa = (const struct sockaddr *)&a4;
    } else if (inet_pton(AF_INET6, cfg->address, &a6.sin6_addr) == 1) {
        sa = (const struct sockaddr *)&a6;
        flags |= MHD_USE_IPv6;
    } else {
        free(s);
        return gv_err_set(err, GV_E_INVAL, "listen", "'%s' is not an IPv4 or IPv6 address",
                          cfg->address);
    }
    if (cfg->tls_cert)
        flags |= MHD_USE_TLS;
    s->h = *h;
    s->max_body = cfg->max_body;
    s->mhd = MHD_start_daemon(
        flags, cfg->port, NULL, NULL, on_access, s, MHD_OPTION_SOCK_ADDR, sa,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cfg->threads ? cfg->threads : 1),
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)(cfg->max_conns ? cfg->max_conns : 1024),
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(cfg->timeout_s ? cfg->timeout_s : 60),
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
        cfg->tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cfg->tls_cert,
        MHD_OPTION_HTTPS_MEM_KEY, cfg->tls_key, MHD_OPTION_END);
    if (!s->mhd) {
        free(s);
        return gv_err_set(err, GV_E_IO, "listen",
                          "cannot serve on %s port %u (in use, not an address of this machine, "
                          "or a bad TLS certificate or key)",
                          cfg->address, (unsigned)cfg->port);
    }
    info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : cfg->port;
    *ret = s;
    return 0;
}

void
gv_http_stop(gv_http_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->mhd);
    free(s);
}

uint16_t
gv_http_port(const gv_http_server *s)
{
    return s->port;
}

const char *
gv_http_method(const gv_http_req *r)
{
    return r->method;
}

const char *
gv_http_path(const gv_http_req *r)
{
    return r->path;
}

const char *
gv_http_header(const gv_http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *
gv_http_query(const gv_http_req *r, const char *key)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

typedef struct query_iter {
    void (*fn)(void *ctx, const char *k, const char *v);
    void *ctx;
} query_iter;

static enum MHD_Result
query_one(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    query_iter *it = cls;

    (void)kind;
    it->fn(it->ctx, key, value);
    return MHD_YES;
}

void
gv_http_query_each(const gv_http_req *r, void (*fn)(void *ctx, const char *k, const char *v),
                   void *ctx)
{
    query_iter it = {.fn = fn, .ctx = ctx};
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, query_one, &it);
}

const char *
gv_http_body(const gv_http_req *r, size_t *len)
{
    if (len)
        *len = r->body_len;
    return r->body ? r->body : "";
}

void
gv_http_set_max_body(gv_http_req *r, size_t max)
{
    r->max_body = max;
}

int64_t
gv_http_elapsed_us(const gv_http_req *r)
{
    return (now_ns() - r->t0_ns) / 1000;
}

void
gv_http_set_data(gv_http_req *r, void *data)
{
    r->data = data;
}

void *
gv_http_data(const gv_http_req *r)
{
    return r->data;
}

void
gv_http_respond(gv_http_req *r, int status, const char *content_type, char *body)
{
    free(r->resp_body);
    free(r->content_type);
    r->status = status;
    r->resp_body = body;
    r->content_type = content_type ? gv_strdup(content_type) : NULL;
}

void
gv_http_add_header(gv_http_req *r, const char *name, const char *value)
{
    header *h = GV_ARRAY_APPEND(r->headers, r->n_headers);

    h->name = gv_strdup(name);
    h->value = gv_strdup(value);
}

bool
gv_http_responded(const gv_http_req *r)
{
    return r->status != 0;
}

int
gv_http_status(const gv_http_req *r)
{
    return r->status;
}

void
gv_http_defer(gv_http_req *r)
{
    r->phase = PHASE_DEFERRED;
    MHD_suspend_connection(r->conn);
}

void
gv_http_resume(gv_http_req *r)
{
    MHD_resume_connection(r->conn);
}
