/*
 * route_audit.c - /v1/audit: list with filters, verify the whole chain, export as JSON lines.
 *
 * These read the store, not memory: the log can be long. They use a read-only handle of their
 * own per request (WAL lets it read beside the writer), so they never wait for the write lock.
 * A tenant admin's list is restricted to records of its tenant; verify and export need
 * audit.read on every tenant (auditors and platform admins).
 */
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/daemon.h"
#include "daemon/routes.h"
#include "gpuvm/alloc.h"
#include "util/strbuf.h"

json_t *
gv_audit_record_json(const gv_audit_record *r)
{
    char prev[2 * GV_AUDIT_HASH_LEN + 1], hash[2 * GV_AUDIT_HASH_LEN + 1];
    json_t *details = json_loads(r->details, 0, NULL);

    sodium_bin2hex(prev, sizeof(prev), r->prev_hash, GV_AUDIT_HASH_LEN);
    sodium_bin2hex(hash, sizeof(hash), r->hash, GV_AUDIT_HASH_LEN);
    return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "seq", (json_int_t)r->seq,
                     "time_ms", (json_int_t)r->time_ms, "actor", r->actor, "tenant", r->tenant,
                     "action", r->action, "object", r->object, "details",
                     details ? details : json_string(r->details), "prev_hash", prev, "hash", hash);
}

static gv_store *
open_reader(gv_call *c)
{
    gv_store *s = NULL;
    gv_err err = {0};

    if (gv_store_open_readonly(c->d->db_path, &s, &err) < 0) {
        gv_log("error", "store.open", "error=\"%s\"", err.msg);
        gv_call_error(c, 500, "internal", NULL, "cannot read the audit log");
        return NULL;
    }
    return s;
}

typedef struct list_ctx {
    gv_strbuf sb;
    size_t n;
    uint64_t last;
} list_ctx;

static int
list_one(void *ctx, const gv_audit_record *r)
{
    list_ctx *l = ctx;
    char *s = gv_json_take_dump(gv_audit_record_json(r));

    if (l->n++)
        gv_strbuf_putc(&l->sb, ',');
    gv_strbuf_append(&l->sb, s);
    free(s);
    l->last = r->seq;
    return 0;
}

static bool
parse_u64(const char *s, uint64_t max, uint64_t *ret)
{
    char *end;
    unsigned long long v;

    if (!s || !*s || *s == '-')
        return false;
    v = strtoull(s, &end, 10);
    if (*end || v > max)
        return false;
    *ret = v;
    return true;
}

void
gv_route_audit_list(gv_call *c)
{
    const char *after = gv_http_query(c->http, "after"), *limit = gv_http_query(c->http, "limit");
    gv_audit_filter f = {.limit = 100,
                         .tenant = gv_http_query(c->http, "tenant"),
                         .action = gv_http_query(c->http, "action"),
                         .object = gv_http_query(c->http, "object")};
    list_ctx l = {0};
    uint64_t v;
    gv_err err = {0};
    gv_store *s;

    if (after && !parse_u64(after, INT64_MAX, &f.after)) {
        gv_call_error(c, 400, "bad_request", "{\"field\": \"after\"}",
                      "after: expected a sequence number");
        return;
    }
    if (limit) {
        if (!parse_u64(limit, 1000, &v) || v < 1) {
            gv_call_error(c, 400, "bad_request", "{\"field\": \"limit\"}",
                          "limit: expected an integer in 1..1000");
            return;
        }
        f.limit = (size_t)v;
    }
    /* a role that reads one tenant's records reads only those */
    if (!gv_policy_authorize(&c->who, GV_PERM_AUDIT_READ, NULL).allow) {
        if (f.tenant && strcmp(f.tenant, c->who.tenant)) {
            gv_call_allow(c, GV_PERM_AUDIT_READ, f.tenant, false);
            return;
        }
        f.tenant = c->who.tenant;
    }
    if (!(s = open_reader(c)))
        return;
    gv_strbuf_append(&l.sb, "{\"records\":[");
    if (gv_store_audit_walk(s, &f, list_one, &l, &err) < 0) {
        gv_store_close(s);
        gv_strbuf_reset(&l.sb);
        gv_call_error(c, 500, "internal", NULL, "cannot read the audit log");
        return;
    }
    gv_store_close(s);
    gv_strbuf_printf(&l.sb, "],\"next\":%llu}", (unsigned long long)(l.n ? l.last : f.after));
    gv_call_json(c, 200, gv_strbuf_steal(&l.sb));
}

static bool
allow_all_tenants(gv_call *c)
{
    return gv_call_allow(c, GV_PERM_AUDIT_READ, NULL, false);
}

void
gv_route_audit_verify(gv_call *c)
{
    gv_audit_report rep;
    gv_err err = {0};
    uint64_t head;
    gv_store *s;

    if (!allow_all_tenants(c))
        return;
    /* The daemon's own head catches a truncated tail after the last checkpoint. It is read
     * first and the log after, without holding the lock through a long verification: records
     * committed in between only extend the log, so the log must reach at least the head. */
    pthread_rwlock_rdlock(&c->d->lock);
    head = c->d->chain.seq;
    pthread_rwlock_unlock(&c->d->lock);
    if (!(s = open_reader(c)))
        return;
    if (gv_store_audit_verify(s, c->d->audit_key.public_key, 0, &rep, &err) < 0) {
        gv_store_close(s);
        gv_call_error(c, 500, "internal", NULL, "cannot read the audit log");
        return;
    }
    gv_store_close(s);
    if (rep.ok && rep.verified_seq < head) {
        rep.ok = false;
        rep.reason = GV_AUDIT_REASON_MISSING;
        rep.first_bad_seq = rep.verified_seq + 1;
        snprintf(rep.text, sizeof(rep.text),
                 "records missing after seq %llu (the daemon's head is %llu)",
                 (unsigned long long)rep.verified_seq, (unsigned long long)head);
    }
    gv_call_json(c, 200, gv_audit_report_json(&rep));
}

static int
export_one(void *ctx, const gv_audit_record *r)
{
    gv_strbuf *sb = ctx;
    char *s = gv_json_take_dump(gv_audit_record_json(r));

    gv_strbuf_append(sb, s);
    gv_strbuf_putc(sb, '\n');
    free(s);
    return 0;
}

void
gv_route_audit_export(gv_call *c)
{
    gv_audit_filter f = {0};
    gv_strbuf sb = {0};
    gv_err err = {0};
    gv_store *s;

    if (!allow_all_tenants(c) || !(s = open_reader(c)))
        return;
    gv_strbuf_append(&sb, "");
    if (gv_store_audit_walk(s, &f, export_one, &sb, &err) < 0) {
        gv_store_close(s);
        gv_strbuf_reset(&sb);
        gv_call_error(c, 500, "internal", NULL, "cannot read the audit log");
        return;
    }
    gv_store_close(s);
    gv_http_respond(c->http, 200, "application/x-ndjson", gv_strbuf_steal(&sb));
}

char *
gv_audit_report_json(const gv_audit_report *rep)
{
    return gv_json_take_dump(
        json_pack("{s:b, s:I, s:I, s:I, s:s, s:s}", "ok", rep->ok, "records",
                  (json_int_t)rep->n_records, "checkpoints", (json_int_t)rep->n_checkpoints,
                  "first_bad_seq", (json_int_t)rep->first_bad_seq, "reason",
                  rep->ok ? "" : gv_audit_reason_to_string(rep->reason), "detail", rep->text));
}
