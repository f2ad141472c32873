/*
 * whatif_stream.c - the what-if request stream (whatif.h, docs/formats.md "What-if request
 * streams"): JSON lines of {"at", "until", "flavor", "request"}, read all or nothing. The
 * request object is read by the request parser of `gpuvm place`, over the defaults or the
 * line's flavor, so a request means the same thing in both commands.
 */
#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpuvm/whatif.h"

#define LINE_MAX_BYTES (1u << 20) /* as `gpuvm place --requests` */

static const char *const line_keys[] = {"at", "until", "flavor", "request", NULL};

/* A time value of line @where: a JSON number in 0..GV_WHATIF_MAX_TIME. */
static int
read_time(const json_t *v, const char *where, const char *key, double *ret, gv_err *err)
{
    double t;

    if (!json_is_number(v))
        return gv_err_set(err, GV_E_INVAL, where, "%s: expected a number of seconds", key);
    t = json_number_value(v);
    if (!isfinite(t) || t < 0 || t > GV_WHATIF_MAX_TIME)
        return gv_err_set(err, GV_E_INVAL, where, "%s: %g is not in 0..%g seconds", key, t,
                          GV_WHATIF_MAX_TIME);
    *ret = t;
    return 0;
}

/* The request of a line: its "request" object over @base. Errors are located "@where: request"
 * followed by the field's path, as the request parser names it. */
static int
read_request(const json_t *obj, const char *where, const gv_request *base, gv_request *ret,
             gv_err *err)
{
    GV_AUTOFREE char *text = NULL;
    char source[GV_ERR_WHERE_MAX];

    if (!json_is_object(obj))
        return gv_err_set(err, GV_E_INVAL, where, "request: expected an object");
    text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!text)
        return gv_err_set(err, GV_E_INVAL, where, "request: cannot be encoded");
    snprintf(source, sizeof(source), "%s: request", where);
    return gv_request_parse_json(text, strlen(text), source, base, ret, err);
}

static int
parse_line(const char *line, size_t len, const char *where, gv_whatif_flavor_fn flavor,
           void *userdata, gv_whatif_request *ret, gv_err *err)
{
    json_t *root;
    json_error_t je;
    const json_t *v, *req;
    const char *key;
    json_t *val;
    gv_request base;
    gv_whatif_request item = {0};
    gv_err ferr = {0};
    int rc = 0;

    if (!(root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je)))
        return gv_err_set(err, GV_E_PARSE, where, "%s (column %d)", je.text,
                          je.column > 0 ? je.column : 1);
    if (!json_is_object(root)) {
        rc = gv_err_set(err, GV_E_INVAL, where,
                        "expected an object {\"at\": T, \"until\": T, \"request\": {...}}");
        goto out;
    }
    json_object_foreach(root, key, val)
    {
        size_t i;

        for (i = 0; line_keys[i] && strcmp(line_keys[i], key); i++)
            ;
        if (!line_keys[i]) {
            rc = gv_err_set(err, GV_E_INVAL, where,
                            "'%s': unknown key (expected at, until, flavor, request)", key);
            goto out;
        }
    }
    if (!(v = json_object_get(root, "at"))) {
        rc = gv_err_set(err, GV_E_INVAL, where, "at: required (the arrival, in seconds)");
        goto out;
    }
    if ((rc = read_time(v, where, "at", &item.at, err)) < 0)
        goto out;
    if ((v = json_object_get(root, "until")) && !json_is_null(v)) {
        if ((rc = read_time(v, where, "until", &item.until, err)) < 0)
            goto out;
        if (!(item.until > item.at)) {
            rc = gv_err_set(err, GV_E_INVAL, where,
                            "until: the departure (%.15g) is not after the arrival (%.15g)",
                            item.until, item.at);
            goto out;
        }
        item.has_until = true;
    }
    gv_request_init(&base);
    if ((v = json_object_get(root, "flavor"))) {
        if (!json_is_string(v) || !json_string_length(v)) {
            rc = gv_err_set(err, GV_E_INVAL, where, "flavor: expected a flavor name");
            goto out;
        }
        if (!flavor) {
            rc = gv_err_set(err, GV_E_INVAL, where, "flavor: no flavors here");
            goto out;
        }
        if ((rc = flavor(json_string_value(v), userdata, &base, &ferr)) < 0) {
            /* located at the line that names the flavor; the flavor's file is in the message */
            rc = gv_err_set(err, ferr.code ? ferr.code : -rc, where, "flavor: %s%s%s", ferr.where,
                            ferr.where[0] ? ": " : "", ferr.msg);
            goto out;
        }
    }
    req = json_object_get(root, "request");
    if (!req && !v) {
        rc = gv_err_set(err, GV_E_INVAL, where, "request: required (or a flavor)");
        goto out;
    }
    if (req) {
        if ((rc = read_request(req, where, &base, &item.request, err)) < 0)
            goto out;
    } else {
        item.request = base;
    }
    *ret = item;
out:
    json_decref(root);
    return rc < 0 ? rc : 0;
}

typedef struct name_ref {
    const char *name;
    size_t index;
} name_ref;

static int
cmp_name_ref(const void *a, const void *b)
{
    const name_ref *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    if (c)
        return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Names unique in the stream: the later line of a pair is the error. */
static int
check_names(const gv_whatif_stream *s, gv_err *err)
{
    GV_AUTOFREE name_ref *refs = gv_calloc(s->n ? s->n : 1, sizeof(*refs));
    const gv_whatif_request *dup = NULL, *first = NULL;

    for (size_t i = 0; i < s->n; i++)
        refs[i] = (name_ref){.name = s->v[i].request.name, .index = i};
    qsort(refs, s->n, sizeof(*refs), cmp_name_ref);
    for (size_t i = 1; i < s->n; i++) {
        const gv_whatif_request *a = &s->v[refs[i - 1].index], *b = &s->v[refs[i].index];

        /* report the earliest line that repeats a name */
        if (strcmp(refs[i - 1].name, refs[i].name) || (dup && dup->line < b->line))
            continue;
        dup = b;
        first = a;
    }
    if (dup) {
        char where[GV_ERR_WHERE_MAX];

        snprintf(where, sizeof(where), "%s:%zu", s->source, dup->line);
        return gv_err_set(err, GV_E_INVAL, where, "request.name: '%s' is already used on line %zu",
                          dup->request.name, first->line);
    }
    return 0;
}

int
gv_whatif_stream_parse(const char *text, size_t len, const char *source, gv_whatif_flavor_fn flavor,
                       void *userdata, gv_whatif_stream *ret, gv_err *err)
{
    gv_whatif_stream s = {0};
    size_t cap = 0, lineno = 0, pos = 0;
    int rc = 0;

    s.source = gv_strdup(source ? source : "<requests>");
    while (pos < len) {
        const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos, i = 0;
        char where[GV_ERR_WHERE_MAX];
        gv_whatif_request item;

        pos += n + (nl ? 1 : 0);
        lineno++;
        snprintf(where, sizeof(where), "%s:%zu", s.source, lineno);
        if (n > LINE_MAX_BYTES) {
            rc = gv_err_set(err, GV_E_LIMIT, where, "line longer than %u bytes", LINE_MAX_BYTES);
            break;
        }
        while (i < n && isspace((unsigned char)line[i]))
            i++;
        if (i == n || line[i] == '#')
            continue;
        if (s.n == GV_WHATIF_MAX_REQUESTS) {
            rc =
                gv_err_set(err, GV_E_LIMIT, where, "more than %d requests", GV_WHATIF_MAX_REQUESTS);
            break;
        }
        if ((rc = parse_line(line, n, where, flavor, userdata, &item, err)) < 0)
            break;
        item.line = lineno;
        if (!item.request.name[0])
            snprintf(item.request.name, sizeof(item.request.name), "line-%zu", lineno);
        if (s.n == cap)
            s.v = gv_reallocarray(s.v, cap = cap ? 2 * cap : 64, sizeof(*s.v));
        s.v[s.n++] = item;
    }
    if (rc == 0)
        rc = check_names(&s, err);
    if (rc < 0) {
        gv_whatif_stream_clear(&s);
        return rc;
    }
    *ret = s;
    return 0;
}

void
gv_whatif_stream_clear(gv_whatif_stream *s)
{
    if (!s)
        return;
    free(s->source);
    free(s->v);
    memset(s, 0, sizeof(*s));
}
