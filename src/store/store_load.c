/*
 * store_load.c - reading the store back: every table at start, and the audit log by filter.
 *
 * Columns are read defensively: the file is on disk, and an audit verification exists precisely
 * because someone may have edited it. A text column that is NULL reads as "", a hash blob of
 * the wrong length is copied as far as it goes and zero-filled (so its verification fails
 * instead of reading past the blob).
 */
#include <string.h>

#include "gpuvm/alloc.h"
#include "store_internal.h"
#include "util/strbuf.h"

static const char *
col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

static void
col_blob(sqlite3_stmt *st, int i, uint8_t *dst, size_t n)
{
    const void *b = sqlite3_column_blob(st, i);
    size_t len = (size_t)sqlite3_column_bytes(st, i);

    memset(dst, 0, n);
    if (b)
        memcpy(dst, b, len < n ? len : n);
}

typedef int (*row_fn)(void *ctx, sqlite3_stmt *st, const gv_store_loader *l, gv_err *err);

/* Run @sql and hand each row to @fn. */
static int
walk(gv_store *s, const char *sql, row_fn fn, void *ctx, const gv_store_loader *l, gv_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc, r = 0;

    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return gv_store_sql_error(s, err, "cannot read");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if ((r = fn(ctx, st, l, err)) != 0)
            break;
    if (!r && rc != SQLITE_DONE)
        r = gv_store_sql_error(s, err, "cannot read");
    sqlite3_finalize(st);
    return r;
}

static int
host_row(void *ctx, sqlite3_stmt *st, const gv_store_loader *l, gv_err *err)
{
    gv_store_host h = {.name = col_text(st, 0),
                       .json = col_text(st, 1),
                       .simulated = sqlite3_column_int(st, 2) != 0,
                       .updated_ms = sqlite3_column_int64(st, 3)};
    return l->host(ctx, &h, err);
}

static int
tenant_row(void *ctx, sqlite3_stmt *st, const gv_store_loader *l, gv_err *err)
{
    gv_store_tenant t = {.name = col_text(st, 0), .created_ms = sqlite3_column_int64(st, 1)};
    return l->tenant(ctx, &t, err);
}

static int
user_row(void *ctx, sqlite3_stmt *st, const gv_store_loader *l, gv_err *err)
{
    gv_store_user u = {.name = col_text(st, 0),
                       .role = col_text(st, 1),
                       .tenant = col_text(st, 2),
                       .created_ms = sqlite3_column_int64(st, 3)};
    return l->user(ctx, &u, err);
}

static int
token_row(void *ctx, sqlite3_stmt *st, const gv_store_loader *l, gv_err *err)
{
    uint8_t hash[GV_STORE_TOKEN_HASH_LEN];
    gv_store_token t = {.id = col_text(st, 0),
                        .hash = hash,
                        .user = col_text(st, 2),
                        .description = col_text(st, 3),
                        .created_ms = sqlite3_column_int64(st, 4),
                        .revoked_ms = sqlite3_column_int64(st, 5)};

    col_blob(st, 1, hash, sizeof(hash));
    return l->token(ctx, &t, err);
}

static int
vm_row(void *ctx, sqlite3_stmt *st, const gv_store_loader *l, gv_err *err)
{
    gv_store_vm v = {.id = col_text(st, 0),
                     .name = col_text(st, 1),
                     .tenant = col_text(st, 2),
                     .state = col_text(st, 3),
                     .host = col_text(st, 4),
                     .placement = col_text(st, 5),
                     .created_ms = sqlite3_column_int64(st, 6),
                     .updated_ms = sqlite3_column_int64(st, 7)};
    return l->vm(ctx, &v, err);
}

static int
idem_row(void *ctx, sqlite3_stmt *st, const gv_store_loader *l, gv_err *err)
{
    uint8_t hash[GV_STORE_TOKEN_HASH_LEN];
    gv_store_idem i = {.principal = col_text(st, 0),
                       .key = col_text(st, 1),
                       .body_hash = hash,
                       .status = sqlite3_column_int(st, 3),
                       .response = col_text(st, 4),
                       .created_ms = sqlite3_column_int64(st, 5)};

    col_blob(st, 2, hash, sizeof(hash));
    return l->idem(ctx, &i, err);
}

int
gv_store_load(gv_store *s, const gv_store_loader *l, gv_err *err)
{
    static const struct {
        const char *sql;
        row_fn fn;
        size_t cb; /* offset of the callback in gv_store_loader */
    } tables[] = {
        {"SELECT name, json, simulated, updated_ms FROM hosts ORDER BY name", host_row,
         offsetof(gv_store_loader, host)},
        {"SELECT name, created_ms FROM tenants ORDER BY name", tenant_row,
         offsetof(gv_store_loader, tenant)},
        {"SELECT name, role, tenant, created_ms FROM users ORDER BY name", user_row,
         offsetof(gv_store_loader, user)},
        {"SELECT id, hash, user, description, created_ms, revoked_ms FROM tokens ORDER BY id",
         token_row, offsetof(gv_store_loader, token)},
        {"SELECT id, name, tenant, state, host, placement, created_ms, updated_ms FROM vms"
         " ORDER BY created_ms, id",
         vm_row, offsetof(gv_store_loader, vm)},
        {"SELECT principal, key, body_hash, status, response, created_ms FROM idempotency"
         " ORDER BY principal, key",
         idem_row, offsetof(gv_store_loader, idem)},
    };

    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        void *const *cb = (void *const *)((const char *)l + tables[i].cb);
        int r;

        if (!*cb)
            continue;
        if ((r = walk(s, tables[i].sql, tables[i].fn, l->ctx, l, err)) != 0)
            return r;
    }
    return 0;
}

int
gv_store_audit_head(gv_store *s, uint64_t *seq, uint8_t hash[GV_AUDIT_HASH_LEN], gv_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_prepare_v2(s->db, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", -1, &st,
                           NULL) != SQLITE_OK)
        return gv_store_sql_error(s, err, "cannot read the audit log");
    *seq = 0;
    memset(hash, 0, GV_AUDIT_HASH_LEN);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *seq = (uint64_t)sqlite3_column_int64(st, 0);
        col_blob(st, 1, hash, GV_AUDIT_HASH_LEN);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return gv_store_sql_error(s, err, "cannot read the audit log");
    return 0;
}

int
gv_store_audit_walk(gv_store *s, const gv_audit_filter *f,
                    int (*fn)(void *ctx, const gv_audit_record *r), void *ctx, gv_err *err)
{
    gv_strbuf sql = {0};
    sqlite3_stmt *st = NULL;
    int rc, r = 0, n = 1;

    gv_strbuf_append(&sql, "SELECT seq, time_ms, actor, tenant, action, object, details,"
                           " prev_hash, hash FROM audit WHERE seq > ?1");
    if (f->tenant)
        gv_strbuf_printf(&sql, " AND tenant = ?%d", ++n);
    if (f->action)
        gv_strbuf_printf(&sql, " AND action = ?%d", ++n);
    if (f->object)
        gv_strbuf_printf(&sql, " AND object = ?%d", ++n);
    gv_strbuf_append(&sql, " ORDER BY seq");
    if (f->limit)
        gv_strbuf_printf(&sql, " LIMIT %zu", f->limit);
    rc = sqlite3_prepare_v2(s->db, gv_strbuf_str(&sql), -1, &st, NULL);
    gv_strbuf_reset(&sql);
    if (rc != SQLITE_OK)
        return gv_store_sql_error(s, err, "cannot read the audit log");
    n = 1;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)(f->after > INT64_MAX ? INT64_MAX : f->after));
    if (f->tenant)
        sqlite3_bind_text(st, ++n, f->tenant, -1, SQLITE_STATIC);
    if (f->action)
        sqlite3_bind_text(st, ++n, f->action, -1, SQLITE_STATIC);
    if (f->object)
        sqlite3_bind_text(st, ++n, f->object, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        gv_audit_record rec = {.seq = (uint64_t)sqlite3_column_int64(st, 0),
                               .time_ms = sqlite3_column_int64(st, 1),
                               .actor = col_text(st, 2),
                               .tenant = col_text(st, 3),
                               .action = col_text(st, 4),
                               .object = col_text(st, 5),
                               .details = col_text(st, 6)};

        col_blob(st, 7, rec.prev_hash, sizeof(rec.prev_hash));
        col_blob(st, 8, rec.hash, sizeof(rec.hash));
        if ((r = fn(ctx, &rec)) != 0)
            break;
    }
    if (!r && rc != SQLITE_DONE)
        r = gv_store_sql_error(s, err, "cannot read the audit log");
    sqlite3_finalize(st);
    return r;
}

int
gv_store_checkpoint_walk(gv_store *s, int (*fn)(void *ctx, const gv_audit_checkpoint *c), void *ctx,
                         gv_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc, r = 0;

    if (sqlite3_prepare_v2(s->db,
                           "SELECT seq, time_ms, head, sig FROM audit_checkpoints ORDER BY seq", -1,
                           &st, NULL) != SQLITE_OK)
        return gv_store_sql_error(s, err, "cannot read the audit checkpoints");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        gv_audit_checkpoint c = {.seq = (uint64_t)sqlite3_column_int64(st, 0),
                                 .time_ms = sqlite3_column_int64(st, 1)};

        col_blob(st, 2, c.head, sizeof(c.head));
        col_blob(st, 3, c.sig, sizeof(c.sig));
        if ((r = fn(ctx, &c)) != 0)
            break;
    }
    if (!r && rc != SQLITE_DONE)
        r = gv_store_sql_error(s, err, "cannot read the audit checkpoints");
    sqlite3_finalize(st);
    return r;
}

typedef struct verify_ctx {
    gv_audit_verifier v;
    size_t n_cps, next_cp;
    gv_audit_checkpoint *cps;
} verify_ctx;

static int
collect_checkpoint(void *ctx, const gv_audit_checkpoint *c)
{
    verify_ctx *vc = ctx;

    *GV_ARRAY_APPEND(vc->cps, vc->n_cps) = *c;
    return 0;
}

/* Checkpoints with a seq below @below, in order (a checkpoint follows the record it covers). */
static void
feed_checkpoints(verify_ctx *vc, uint64_t below)
{
    while (vc->next_cp < vc->n_cps && vc->cps[vc->next_cp].seq < below)
        gv_audit_verify_checkpoint(&vc->v, &vc->cps[vc->next_cp++], NULL);
}

static int
verify_record(void *ctx, const gv_audit_record *r)
{
    verify_ctx *vc = ctx;

    feed_checkpoints(vc, r->seq);
    gv_audit_verify_record(&vc->v, r, NULL);
    if (r->seq < UINT64_MAX)
        feed_checkpoints(vc, r->seq + 1);
    return 0;
}

int
gv_store_audit_verify(gv_store *s, const uint8_t *public_key, uint64_t expected_last_seq,
                      gv_audit_report *ret, gv_err *err)
{
    verify_ctx vc = {0};
    gv_audit_filter f = {0};
    int r;

    gv_audit_verifier_init(&vc.v, public_key);
    if ((r = gv_store_checkpoint_walk(s, collect_checkpoint, &vc, err)) < 0 ||
        (r = gv_store_audit_walk(s, &f, verify_record, &vc, err)) < 0) {
        free(vc.cps);
        return r;
    }
    feed_checkpoints(&vc, UINT64_MAX);
    gv_audit_verify_finish(&vc.v, expected_last_seq, NULL);
    *ret = vc.v.report;
    free(vc.cps);
    return 0;
}
