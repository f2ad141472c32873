/*
 * store_rows.c - writing rows: one cached statement per kind of row, upserts keyed by name/id.
 */
#include <string.h>

#include "gpuvm/alloc.h"
#include "store_internal.h"

static const char *const stmt_sql[GV_STMT_LAST] = {
    [GV_STMT_META_SET] = "INSERT INTO meta(key, value) VALUES(?1, ?2)"
                         " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    [GV_STMT_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [GV_STMT_PUT_HOST] = "INSERT OR REPLACE INTO hosts(name, json, simulated, updated_ms)"
                         " VALUES(?1, ?2, ?3, ?4)",
    [GV_STMT_PUT_TENANT] = "INSERT OR REPLACE INTO tenants(name, created_ms) VALUES(?1, ?2)",
    [GV_STMT_PUT_USER] = "INSERT OR REPLACE INTO users(name, role, tenant, created_ms)"
                         " VALUES(?1, ?2, ?3, ?4)",
    [GV_STMT_DELETE_USER] = "DELETE FROM users WHERE name = ?1",
    [GV_STMT_PUT_TOKEN] = "INSERT OR REPLACE INTO tokens(id, hash, user, description, created_ms,"
                          " revoked_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [GV_STMT_PUT_VM] = "INSERT OR REPLACE INTO vms(id, name, tenant, state, host, placement,"
                       " created_ms, updated_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [GV_STMT_SET_VM_STATE] = "UPDATE vms SET state = ?2, updated_ms = ?3 WHERE id = ?1",
    [GV_STMT_DELETE_VM] = "DELETE FROM vms WHERE id = ?1",
    [GV_STMT_PUT_IDEM] = "INSERT OR REPLACE INTO idempotency(principal, key, body_hash, status,"
                         " response, created_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [GV_STMT_PUT_AUDIT] = "INSERT INTO audit(seq, time_ms, actor, tenant, action, object, details,"
                          " prev_hash, hash) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [GV_STMT_PUT_CHECKPOINT] = "INSERT INTO audit_checkpoints(seq, time_ms, head, sig)"
                               " VALUES(?1, ?2, ?3, ?4)",
};

sqlite3_stmt *
gv_store_stmt(gv_store *s, gv_stmt_id id, gv_err *err)
{
    if (!s->stmt[id]) {
        if (sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[id],
                               NULL) != SQLITE_OK) {
            gv_store_sql_error(s, err, "cannot prepare a statement");
            return NULL;
        }
    } else {
        sqlite3_reset(s->stmt[id]);
        sqlite3_clear_bindings(s->stmt[id]);
    }
    return s->stmt[id];
}

int
gv_store_step_done(gv_store *s, sqlite3_stmt *st, const char *what, gv_err *err)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return gv_store_sql_error(s, err, what);
    return 0;
}

static void
text(sqlite3_stmt *st, int i, const char *v)
{
    sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_STATIC);
}

static void
blob(sqlite3_stmt *st, int i, const uint8_t *v, size_t n)
{
    sqlite3_bind_blob(st, i, v, (int)n, SQLITE_STATIC);
}

int
gv_store_meta_set(gv_store *s, const char *key, const char *value, gv_err *err)
{
    sqlite3_stmt *st = gv_store_stmt(s, GV_STMT_META_SET, err);

    if (!st)
        return -GV_E_IO;
    text(st, 1, key);
    text(st, 2, value);
    return gv_store_step_done(s, st, "cannot write meta", err);
}

char *
gv_store_meta_get(gv_store *s, const char *key)
{
    sqlite3_stmt *st = gv_store_stmt(s, GV_STMT_META_GET, NULL);
    char *v = NULL;

    if (!st)
        return NULL;
    text(st, 1, key);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = gv_strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return v;
}

int
gv_store_put_host(gv_store *s, const gv_store_host *h, gv_err *err)
{
    sqlite3_stmt *st = gv_store_stmt(s, GV_STMT_PUT_HOST, err);

    if (!st)
        return -GV_E_IO;
    text(st, 1, h->name);
    text(st, 2, h->json);
    sqlite3_bind_int(st, 3, h->simulated);
    sqlite3_bind_int64(st, 4, h->updated_ms);
    return gv_store_step_done(s, st, "cannot write a host", err);
}

int
gv_store_put_tenant(gv_store *s, const gv_store_tenant *t, gv_err *err)
{
    sqlite3_stmt *st = gv_store_stmt(s, GV_STMT_PUT_TENANT, err);

    if (!st)
        return -GV_E_IO;
    text(st, 1, t->name);
    sqlite3_bind_int64(st, 2, t->created_ms);
    return gv_store_step_done(s, st, "cannot write a tenant", err);
}

int
gv_store_put_user(gv_store *s, const gv_store_user *u, gv_err *err)
{
    sqlite3_stmt *st = gv_store_stmt(s, GV_STMT_PUT_USER, err);

    if (!st)
        return -GV_E_IO;
    text(st, 1, u->name);
    text(st, 2, u->role);
    text(st, 3, u->tenant);
    sqlite3_bind_int64(st, 4, u->created_ms);
    return gv_store_step_done(s, st, "cannot write a user", err);
}

int
gv_store_delete_user(gv_store *s, const char *name, gv_err *err)
{
    sqlite3_stmt *st = gv_store_stmt(s, GV_STMT_DELETE_USER, err);

    if (!st)
        return -GV_E_IO;
    text(st, 1, name);
    return gv_store_step_done(s, st, "cannot delete a user", err);
}

int
gv_store_put_token(gv_store *s, const gv_store_token *t, gv_err *err)
{
    sqlite3_stmt *st = gv_store_stmt(s, GV_STMT_PUT_TOKEN, err);

    if (!st)
        return -GV_E_IO;
    text(st, 1, t->id);
    blob(st, 2, t->hash, GV_STORE_TOKEN_HASH_LEN);
    text(st, 3, t->user);
    text(st, 4, t->description);
    sqlite3_bind_int64(st, 5, t->created_ms);
    sqlite3_bind_int64(st, 6, t->revoked_ms);
    return gv_store_step_done(s, st, "cannot write a token", err);
}

int
gv_store_put_vm(gv_store *s, const gv_store_vm *v, gv_err *err)
{
    sqlite3_stmt *st = gv_store_stmt(s, GV_STMT_PUT_VM, err);

    if (!st)
        return -GV_E_IO;
    text(st, 1, v->id);
    text(st, 2, v->name);
    text(st, 3, v->tenant);
    text(st, 4, v->state);
    text(st, 5, v->host);
    text(st, 6, v->placement);
    sqlite3_bind_int64(st, 7, v->created_ms);
    sqlite3_bind_int64(st, 8, v->updated_ms);
    return gv_store_step_done(s, st, "cannot write a VM", err);
}

int
gv_store_set_vm_state(gv_store *s, const char *id, const char *state, int64_t updated_ms,
                      gv_err *err)
{
    sqlite3_stmt *st = gv_store_stmt(s, GV_STMT_SET_VM_STATE, err);

    if (!st)
        return -GV_E_IO;
    text(st, 1, id);
    text(st, 2, state);
    sqlite3_bind_int64(st, 3, updated_ms);
    return gv_store_step_done(s, st, "cannot write a VM", err);
}

int
gv_store_delete_vm(gv_store *s, const char *id, gv_err *err)
{
    sqlite3_stmt *st = gv_store_stmt(s, GV_STMT_DELETE_VM, err);

    if (!st)
        return -GV_E_IO;
    text(st, 1, id);
    return gv_store_step_done(s, st, "cannot delete a VM", err);
}

int
gv_store_put_idem(gv_store *s, const gv_store_idem *i, gv_err *err)
{
    sqlite3_stmt *st = gv_store_stmt(s, GV_STMT_PUT_IDEM, err);

    if (!st)
        return -GV_E_IO;
    text(st, 1, i->principal);
    text(st, 2, i->key);
    blob(st, 3, i->body_hash, GV_STORE_TOKEN_HASH_LEN);
    sqlite3_bind_int(st, 4, i->status);
    text(st, 5, i->response);
    sqlite3_bind_int64(st, 6, i->created_ms);
    return gv_store_step_done(s, st, "cannot write an idempotency key", err);
}

int
gv_store_put_audit(gv_store *s, const gv_audit_record *r, gv_err *err)
{
    sqlite3_stmt *st = gv_store_stmt(s, GV_STMT_PUT_AUDIT, err);

    if (!st)
        return -GV_E_IO;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)r->seq);
    sqlite3_bind_int64(st, 2, r->time_ms);
    text(st, 3, r->actor);
    text(st, 4, r->tenant);
    text(st, 5, r->action);
    text(st, 6, r->object);
    text(st, 7, r->details);
    blob(st, 8, r->prev_hash, GV_AUDIT_HASH_LEN);
    blob(st, 9, r->hash, GV_AUDIT_HASH_LEN);
    return gv_store_step_done(s, st, "cannot append an audit record", err);
}

int
gv_store_put_checkpoint(gv_store *s, const gv_audit_checkpoint *c, gv_err *err)
{
    sqlite3_stmt *st = gv_store_stmt(s, GV_STMT_PUT_CHECKPOINT, err);

    if (!st)
        return -GV_E_IO;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)c->seq);
    sqlite3_bind_int64(st, 2, c->time_ms);
    blob(st, 3, c->head, sizeof(c->head));
    blob(st, 4, c->sig, sizeof(c->sig));
    return gv_store_step_done(s, st, "cannot write an audit checkpoint", err);
}
