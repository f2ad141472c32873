/*
 * remote_http.c - one HTTP call to gpuvmd through libcurl, and the one table that maps its
 * answer to an exit status and a line on stderr.
 */
#include <curl/curl.h>
#include <errno.h>
#include <string.h>

#include "cli/remote.h"
#include "gpuvm/alloc.h"

#ifndef GV_VERSION
#define GV_VERSION "unknown"
#endif

/* The exit status of each HTTP status the API answers with (docs/api.md); others by class. */
static const struct {
    long status;
    int exit;
} status_exits[] = {
    {.status = 400, .exit = GV_EXIT_INPUT},       /* bad_request, invalid_argument */
    {.status = 401, .exit = GV_EXIT_FAIL},        /* unauthenticated */
    {.status = 403, .exit = GV_EXIT_FAIL},        /* permission_denied */
    {.status = 404, .exit = GV_EXIT_FAIL},        /* not_found */
    {.status = 405, .exit = GV_EXIT_INPUT},       /* method_not_allowed */
    {.status = 409, .exit = GV_EXIT_FAIL},        /* conflict, no_capacity */
    {.status = 413, .exit = GV_EXIT_INPUT},       /* payload_too_large */
    {.status = 429, .exit = GV_EXIT_FAIL},        /* overloaded */
    {.status = 500, .exit = GV_EXIT_FAIL},        /* internal */
    {.status = 502, .exit = GV_EXIT_UNREACHABLE}, /* a proxy in front could not reach it */
    {.status = 503, .exit = GV_EXIT_UNREACHABLE}, /* not ready yet */
    {.status = 504, .exit = GV_EXIT_UNREACHABLE},
};

static int
status_exit(long status)
{
    for (size_t i = 0; i < GV_N_ELEMENTS(status_exits); i++)
        if (status_exits[i].status == status)
            return status_exits[i].exit;
    return status >= 400 && status < 500 ? GV_EXIT_INPUT : GV_EXIT_FAIL;
}

void
gv_remote_resp_clear(gv_remote_resp *r)
{
    free(r->body);
    json_decref(r->json);
    *r = (gv_remote_resp){0};
}

void
gv_remote_close(gv_remote *rc)
{
    if (rc->curl)
        curl_easy_cleanup(rc->curl);
    free(rc->server);
    free(rc->token);
    free(rc->cacert);
    free(rc->config);
    rc->curl = NULL;
    rc->server = rc->token = rc->cacert = rc->config = NULL;
}

/* ---- escaping -------------------------------------------------------------------------------- */

void
gv_remote_escape(gv_strbuf *sb, const char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;

        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '.' || ch == '_' || ch == '~')
            gv_strbuf_putc(sb, (char)ch);
        else
            gv_strbuf_printf(sb, "%%%02X", ch);
    }
}

void
gv_remote_query(gv_strbuf *sb, const char *key, const char *value)
{
    if (!value)
        return;
    gv_strbuf_putc(sb, sb->buf && strchr(sb->buf, '?') ? '&' : '?');
    gv_strbuf_append(sb, key);
    gv_strbuf_putc(sb, '=');
    gv_remote_escape(sb, value);
}

/* ---- the call -------------------------------------------------------------------------------- */

typedef struct sink_ctx {
    CURL *curl;
    FILE *sink;
    gv_strbuf buf;
    bool too_big;
    int write_errno; /* the sink could not be written */
} sink_ctx;

static size_t
on_write(char *data, size_t size, size_t nmemb, void *ud)
{
    sink_ctx *sc = ud;
    size_t n = size * nmemb;
    long status = 0;

    curl_easy_getinfo(sc->curl, CURLINFO_RESPONSE_CODE, &status);
    if (sc->sink && status >= 200 && status < 300) {
        if (fwrite(data, 1, n, sc->sink) != n) {
            sc->write_errno = errno ? errno : EIO;
            return 0;
        }
        return n;
    }
    if (sc->buf.len + n > GV_REMOTE_BODY_MAX) {
        sc->too_big = true;
        return 0;
    }
    gv_strbuf_append_len(&sc->buf, data, n);
    return n;
}

/* Print @s on stderr with control characters as '?': the server's words stay on one line. */
static void
put_clean(const char *s, size_t max)
{
    for (size_t i = 0; s[i] && i < max; i++)
        fputc((unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i], stderr);
}

/* "; gpu-free on 27 of 37 hosts (8 of 8 compatible GPUs ...)" for the top reasons. */
static void
put_reasons(const json_t *explain)
{
    const json_t *reasons = json_object_get(explain, "reasons");
    int64_t hosts = gv_remote_int(explain, "hosts");
    size_t i;
    json_t *r;

    json_array_foreach(reasons, i, r)
    {
        if (i == 3) {
            fprintf(stderr, "; ...");
            break;
        }
        fputs(i ? "; " : ": ", stderr);
        put_clean(gv_remote_str(r, "reason"), 200);
        fprintf(stderr, " on %lld of %lld hosts", (long long)gv_remote_int(r, "hosts"),
                (long long)hosts);
        if (*gv_remote_str(r, "detail")) {
            fputs(" (", stderr);
            put_clean(gv_remote_str(r, "detail"), 300);
            fputc(')', stderr);
        }
    }
}

/* One line on stderr for an answer that is not 2xx. Returns its exit status. */
static int
report_status(const gv_remote *rc, const gv_remote_resp *resp)
{
    const json_t *e = json_object_get(resp->json, "error");
    const char *code = gv_remote_str(e, "code"), *msg = gv_remote_str(e, "message");

    fputs("gpuvm: ", stderr);
    if (*msg) {
        put_clean(msg, 1000);
    } else {
        /* not gpuvmd's error object: a proxy, or another server */
        fprintf(stderr, "%s answered HTTP %ld", rc->server, resp->status);
        if (resp->len) {
            fputs(": ", stderr);
            put_clean(resp->body, 200);
        }
    }
    if (!strcmp(code, "no_capacity"))
        put_reasons(json_object_get(json_object_get(e, "details"), "explain"));
    if (resp->status == 401 && !rc->token)
        fputs(" (no token: give --token, $GPUVM_TOKEN or 'token = ...' in the config file)",
              stderr);
    fputc('\n', stderr);
    return status_exit(resp->status);
}

int
gv_remote_call(gv_remote *rc, const gv_remote_req *req, gv_remote_resp *ret)
{
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *headers = NULL;
    GV_AUTOFREE char *url = gv_asprintf("%s%s", rc->server, req->path);
    sink_ctx sc = {.sink = req->sink};
    CURLcode cr;
    long status = 0;

    gv_remote_resp_clear(ret);
    if (!rc->curl) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        if (!(rc->curl = curl_easy_init())) {
            fprintf(stderr, "gpuvm: libcurl could not start\n");
            return GV_EXIT_FAIL;
        }
    } else {
        curl_easy_reset(rc->curl);
    }
    sc.curl = rc->curl;
    curl_easy_setopt(rc->curl, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(rc->curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(rc->curl, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(rc->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(rc->curl, CURLOPT_CONNECTTIMEOUT, (long)GV_REMOTE_CONNECT_TIMEOUT_S);
    curl_easy_setopt(rc->curl, CURLOPT_TIMEOUT, (long)GV_REMOTE_TIMEOUT_S);
    curl_easy_setopt(rc->curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(rc->curl, CURLOPT_USERAGENT, "gpuvm/" GV_VERSION);
    curl_easy_setopt(rc->curl, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(rc->curl, CURLOPT_WRITEDATA, &sc);
    if (rc->cacert)
        curl_easy_setopt(rc->curl, CURLOPT_CAINFO, rc->cacert);
    if (strcmp(req->method, "GET"))
        curl_easy_setopt(rc->curl, CURLOPT_CUSTOMREQUEST, req->method);
    if (req->body || !strcmp(req->method, "POST") || !strcmp(req->method, "PUT")) {
        GV_AUTOFREE char *ct = gv_asprintf(
            "Content-Type: %s", req->content_type ? req->content_type : "application/json");

        curl_easy_setopt(rc->curl, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        curl_easy_setopt(rc->curl, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(req->body ? req->body_len : 0));
        headers = curl_slist_append(headers, ct);
    }
    headers = curl_slist_append(headers, "Accept: application/json");
    if (rc->token) {
        GV_AUTOFREE char *auth = gv_asprintf("Authorization: Bearer %s", rc->token);

        headers = curl_slist_append(headers, auth);
    }
    if (req->idempotency_key) {
        GV_AUTOFREE char *idem = gv_asprintf("Idempotency-Key: %s", req->idempotency_key);

        headers = curl_slist_append(headers, idem);
    }
    /* no "Expect: 100-continue" round trip for large bodies */
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(rc->curl, CURLOPT_HTTPHEADER, headers);

    cr = curl_easy_perform(rc->curl);
    curl_slist_free_all(headers);
    curl_easy_setopt(rc->curl, CURLOPT_ERRORBUFFER, NULL);
    if (cr != CURLE_OK) {
        gv_strbuf_reset(&sc.buf);
        if (sc.too_big) {
            fprintf(stderr, "gpuvm: %s: the answer is over %u MiB\n", rc->server,
                    GV_REMOTE_BODY_MAX >> 20);
            return GV_EXIT_FAIL;
        }
        if (sc.write_errno) {
            fprintf(stderr, "gpuvm: cannot write the output: %s\n", strerror(sc.write_errno));
            return GV_EXIT_FAIL;
        }
        fprintf(stderr, "gpuvm: cannot reach %s: %s\n", rc->server,
                errbuf[0] ? errbuf : curl_easy_strerror(cr));
        return GV_EXIT_UNREACHABLE;
    }
    curl_easy_getinfo(rc->curl, CURLINFO_RESPONSE_CODE, &status);
    ret->status = status;
    ret->len = sc.buf.len;
    ret->body = gv_strbuf_steal(&sc.buf);
    if (ret->len && ret->body[0] == '{') {
        ret->json = json_loadb(ret->body, ret->len, 0, NULL);
        if (ret->json && !json_is_object(ret->json)) {
            json_decref(ret->json);
            ret->json = NULL;
        }
    }
    if (status >= 200 && status < 300)
        return GV_EXIT_OK;
    return report_status(rc, ret);
}

int
gv_remote_get(gv_remote *rc, const char *path, gv_remote_resp *ret)
{
    gv_remote_req req = {.method = "GET", .path = path};

    return gv_remote_call(rc, &req, ret);
}

const char *const gv_remote_no_query[1] = {NULL};

int
gv_remote_get_list(gv_remote *rc, const char *path, const char *const *keys,
                   const char *const *values, gv_remote_resp *ret)
{
    gv_strbuf sb = {0};
    int r;

    gv_strbuf_append(&sb, path);
    for (size_t i = 0; keys[i]; i++)
        gv_remote_query(&sb, keys[i], values[i]);
    r = gv_remote_get(rc, gv_strbuf_str(&sb), ret);
    gv_strbuf_reset(&sb);
    if (r == GV_EXIT_OK && rc->format != GV_FORMAT_JSON)
        return -1;
    if (r == GV_EXIT_OK)
        gv_remote_print_raw(ret);
    gv_remote_resp_clear(ret);
    return r;
}

int
gv_remote_send(gv_remote *rc, const char *method, const char *path, const char *body,
               gv_remote_resp *ret)
{
    gv_remote_req req = {
        .method = method, .path = path, .body = body, .body_len = body ? strlen(body) : 0};

    return gv_remote_call(rc, &req, ret);
}

void
gv_remote_print_raw(const gv_remote_resp *resp)
{
    fwrite(resp->body, 1, resp->len, stdout);
    if (!resp->len || resp->body[resp->len - 1] != '\n')
        putchar('\n');
}

/* ---- names ----------------------------------------------------------------------------------- */

int
gv_remote_vm_resolve(gv_remote *rc, const char *arg, const char *tenant, char **ret)
{
    gv_strbuf path = {0};
    gv_remote_resp resp = {0};
    const json_t *vms, *vm;
    size_t i;
    int r;

    if (!strncmp(arg, "vm-", 3)) {
        *ret = gv_strdup(arg);
        return GV_EXIT_OK;
    }
    gv_strbuf_append(&path, "/v1/vms");
    gv_remote_query(&path, "name", arg);
    gv_remote_query(&path, "tenant", tenant);
    r = gv_remote_get(rc, gv_strbuf_str(&path), &resp);
    gv_strbuf_reset(&path);
    if (r != GV_EXIT_OK) {
        gv_remote_resp_clear(&resp);
        return r;
    }
    vms = json_object_get(resp.json, "vms");
    if (json_array_size(vms) == 0) {
        fprintf(stderr, "gpuvm: no VM named '%s'%s%s\n", arg, tenant ? " in tenant " : "",
                tenant ? tenant : "");
        r = GV_EXIT_FAIL;
    } else if (json_array_size(vms) > 1) {
        fprintf(stderr, "gpuvm: %zu VMs are named '%s', in tenants ", json_array_size(vms), arg);
        json_array_foreach(vms, i, vm)
        {
            fputs(i ? ", " : "", stderr);
            put_clean(gv_remote_str(vm, "tenant"), 100);
        }
        fputs(": give --tenant or the VM's id\n", stderr);
        r = GV_EXIT_INPUT;
    } else {
        *ret = gv_strdup(gv_remote_str(json_array_get(vms, 0), "id"));
    }
    gv_remote_resp_clear(&resp);
    return r;
}
