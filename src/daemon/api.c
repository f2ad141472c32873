/*
 * api.c - from an HTTP request to a route: find the route, authenticate the bearer token,
 * check the route's permission, and hand over to its handler; plus the answer helpers every
 * route uses, and the per-route request metrics.
 *
 * Authentication happens on the headers, before any body is read: an unauthenticated client
 * cannot make the daemon buffer a megabyte. Tokens are compared by their BLAKE2b hash (a token
 * is 256 random bits, so a fast hash is enough; the lookup is by hash, never by secret).
 */
#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "daemon/daemon.h"
#include "daemon/metrics.h"
#include "gpuvm/alloc.h"

#define DEFAULT_MAX_BODY (1u << 20)

char *
gv_error_vjson(const char *code, const char *details, const char *fmt, va_list ap)
{
    char msg[1024];
    json_t *d = details ? json_loads(details, 0, NULL) : NULL;
    json_t *o;
    char *s;

    vsnprintf(msg, sizeof(msg), fmt, ap);
    o = json_pack("{s:{s:s, s:s, s:o}}", "error", "code", code, "message", msg, "details",
                  d ? d : json_object());
    /* a message quoting client bytes that are not UTF-8 is replaced, never dropped */
    if (!o)
        o = json_pack("{s:{s:s, s:s, s:{}}}", "error", "code", code, "message",
                      "(the message quoted bytes that are not UTF-8)", "details");
    s = json_dumps(o, JSON_SORT_KEYS);
    json_decref(o);
    return s;
}

void
gv_call_json(gv_call *c, int status, char *body)
{
    gv_http_respond(c->http, status, "application/json", body);
}

void
gv_call_error(gv_call *c, int status, const char *code, const char *details, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    gv_call_json(c, status, gv_error_vjson(code, details, fmt, ap));
    va_end(ap);
}

void
gv_call_gv_error(gv_call *c, const gv_err *err)
{
    char buf[GV_ERR_WHERE_MAX + GV_ERR_MSG_MAX + 4];
    json_t *d = json_pack("{s:s}", "field", err->where);
    char *details = json_dumps(d, JSON_SORT_KEYS);
    int status = 400;
    const char *code = "invalid_argument";

    json_decref(d);
    switch (err->code) {
    case GV_E_PARSE:
        code = "bad_request";
        break;
    case GV_E_NOTFOUND:
        status = 404;
        code = "not_found";
        break;
    case GV_E_CONFLICT:
        status = 409;
        code = "conflict";
        break;
    case GV_E_LIMIT:
        status = 413;
        code = "payload_too_large";
        break;
    case GV_E_INTERNAL:
    case GV_E_IO:
        status = 500;
        code = "internal";
        break;
    default:
        break;
    }
    gv_call_error(c, status, code, details, "%s", gv_err_format(err, buf, sizeof(buf)));
    free(details);
}

bool
gv_call_allow(gv_call *c, gv_perm perm, const char *tenant, bool hide)
{
    gv_decision dec = gv_policy_authorize(&c->who, perm, tenant);
    GV_AUTOFREE char *details = NULL;

    if (dec.allow)
        return true;
    if (hide) {
        gv_call_error(c, 404, "not_found", NULL, "%s: no such object", gv_http_path(c->http));
        return false;
    }
    details = gv_asprintf("{\"permission\": \"%s\", \"role\": \"%s\", \"rule\": \"%s\"}",
                          gv_perm_to_string(perm), gv_role_to_string(c->who.role), dec.rule);
    gv_call_error(c, 403, "permission_denied", details, "%s may not %s (%s)", c->who.user,
                  gv_perm_to_string(perm), dec.rule);
    return false;
}

gv_op *
gv_op_new(gv_call *c, int (*apply)(gv_daemon *, gv_op *, gv_err *), void *arg,
          void (*free_arg)(void *))
{
    gv_op *op = GV_NEW0(gv_op);

    op->apply = apply;
    op->arg = arg;
    op->free_arg = free_arg;
    op->who = c->who;
    op->http = c->http;
    return op;
}

void
gv_call_submit(gv_call *c, gv_op *op)
{
    gv_http_defer(c->http);
    if (gv_writer_submit(c->d, op) < 0) {
        op->http = NULL;
        gv_op_free(op);
        gv_http_add_header(c->http, "Retry-After", "1");
        gv_call_error(c, 429, "overloaded", NULL, "too many changes are queued; retry");
        gv_http_resume(c->http);
    }
}

/* Match @path against @pattern; {} segments are captured into c->arg. */
static bool
match(const char *pattern, const char *path, gv_call *c)
{
    int n = 0;

    while (*pattern && *path) {
        if (pattern[0] == '{' && pattern[1] == '}') {
            const char *end = strchr(path, '/');
            size_t len = end ? (size_t)(end - path) : strlen(path);

            if (!len || len >= sizeof(c->arg[0]) || n >= 2)
                return false;
            memcpy(c->arg[n], path, len);
            c->arg[n++][len] = '\0';
            pattern += 2;
            path += len;
            continue;
        }
        if (*pattern++ != *path++)
            return false;
    }
    return !*pattern && !*path;
}

static bool
authenticate(gv_call *c)
{
    const char *auth = gv_http_header(c->http, "Authorization");
    uint8_t hash[GV_STORE_TOKEN_HASH_LEN];
    char hex[2 * sizeof(hash) + 1];
    const gv_token_rec *t;
    const gv_user_rec *u;
    bool ok = false;

    if (!auth || strncmp(auth, "Bearer ", 7) != 0 || strlen(auth + 7) > 256)
        return false;
    crypto_generichash(hash, sizeof(hash), (const unsigned char *)auth + 7, strlen(auth + 7), NULL,
                       0);
    sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
    pthread_rwlock_rdlock(&c->d->lock);
    t = gv_strmap_get(c->d->tokens, hex);
    if (t && !t->revoked_ms && (u = gv_strmap_get(c->d->users, t->user))) {
        c->who = u->p;
        ok = true;
    }
    pthread_rwlock_unlock(&c->d->lock);
    return ok;
}

void
gv_api_on_headers(void *ctx, gv_http_req *r)
{
    gv_daemon *d = ctx;
    gv_call *c = GV_NEW0(gv_call);
    const char *path = gv_http_path(r);
    GV_AUTOFREE char *allow = NULL;
    bool path_known = false;

    c->d = d;
    c->http = r;
    gv_http_set_data(r, c);
    for (size_t i = 0; i < gv_n_routes; i++) {
        const gv_route *rt = &gv_routes[i];

        if (!match(rt->pattern, path, c))
            continue;
        path_known = true;
        if (strcmp(rt->method, gv_http_method(r)) != 0) {
            char *a = gv_asprintf("%s%s%s", allow ? allow : "", allow ? ", " : "", rt->method);
            free(allow);
            allow = a;
            continue;
        }
        c->route = rt;
        break;
    }
    if (!c->route) {
        if (path_known) {
            GV_AUTOFREE char *details = gv_asprintf("{\"allow\": \"%s\"}", allow);
            gv_http_add_header(r, "Allow", allow);
            gv_call_error(c, 405, "method_not_allowed", details, "%s %s: use %s", gv_http_method(r),
                          path, allow);
        } else {
            gv_call_error(c, 404, "not_found", NULL, "%s: no such route", path);
        }
        return;
    }
    gv_http_set_max_body(r, c->route->max_body ? c->route->max_body : DEFAULT_MAX_BODY);
    if (c->route->public)
        return;
    if (!atomic_load(&d->ready)) {
        gv_http_add_header(r, "Retry-After", "1");
        gv_call_error(c, 503, "unavailable", NULL, "gpuvmd is starting");
        return;
    }
    if (!authenticate(c)) {
        gv_http_add_header(r, "WWW-Authenticate", "Bearer");
        gv_call_error(c, 401, "unauthenticated", NULL,
                      "a valid token is needed (Authorization: Bearer TOKEN)");
        return;
    }
    c->authenticated = true;
    /* the route's permission, on any object the principal could hold it for; handlers then
     * check the object's own tenant */
    if (c->route->perm != GV_PERM_LAST &&
        !gv_policy_authorize(&c->who, c->route->perm, NULL).allow &&
        !gv_policy_authorize(&c->who, c->route->perm, c->who.tenant).allow)
        gv_call_allow(c, c->route->perm, NULL, false);
}

void
gv_api_on_request(void *ctx, gv_http_req *r)
{
    gv_call *c = gv_http_data(r);

    (void)ctx;
    c->route->handler(c);
}

void
gv_api_on_complete(void *ctx, gv_http_req *r)
{
    gv_call *c = gv_http_data(r);

    (void)ctx;
    gv_metrics_observe_request(c ? c->route : NULL, gv_http_status(r), gv_http_elapsed_us(r));
    free(c);
}
