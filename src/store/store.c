/*
 * store.c - opening the SQLite database, its schema migrations, and transactions.
 *
 * Migrations are an append-only array: migration i takes the schema from version i to i + 1, in
 * one transaction with the user_version bump, so a crash mid-migration leaves the old version.
 * Settings: WAL (readers never block the writer), synchronous=FULL (the WAL is fsynced at every
 * commit: an acknowledged mutation survives power loss), foreign keys off (the daemon keeps the
 * references; the store is its copy), a busy timeout for the read-only handles.
 */
#include <stdio.h>
#include <string.h>

#include "gpuvm/alloc.h"
#include "store_internal.h"

static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE hosts(name TEXT PRIMARY KEY, json TEXT NOT NULL,"
    "  simulated INTEGER NOT NULL, updated_ms INTEGER NOT NULL);"
    "CREATE TABLE tenants(name TEXT PRIMARY KEY, created_ms INTEGER NOT NULL);"
    "CREATE TABLE users(name TEXT PRIMARY KEY, role TEXT NOT NULL, tenant TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL);"
    "CREATE TABLE tokens(id TEXT PRIMARY KEY, hash BLOB NOT NULL UNIQUE, user TEXT NOT NULL,"
    "  description TEXT NOT NULL, created_ms INTEGER NOT NULL, revoked_ms INTEGER NOT NULL);"
    "CREATE TABLE vms(id TEXT PRIMARY KEY, name TEXT NOT NULL, tenant TEXT NOT NULL,"
    "  state TEXT NOT NULL, host TEXT NOT NULL, placement TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);"
    "CREATE TABLE idempotency(principal TEXT NOT NULL, key TEXT NOT NULL,"
    "  body_hash BLOB NOT NULL, status INTEGER NOT NULL, response TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL, PRIMARY KEY(principal, key));"
    "CREATE TABLE audit(seq INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, actor TEXT NOT NULL,"
    "  tenant TEXT NOT NULL, action TEXT NOT NULL, object TEXT NOT NULL, details TEXT NOT NULL,"
    "  prev_hash BLOB NOT NULL, hash BLOB NOT NULL);"
    "CREATE INDEX audit_tenant ON audit(tenant, seq);"
    "CREATE TABLE audit_checkpoints(seq INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL,"
    "  head BLOB NOT NULL, sig BLOB NOT NULL);",
};

#define N_MIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))
_Static_assert(N_MIGRATIONS == GV_STORE_SCHEMA_VERSION, "one migration per schema version");

int
gv_store_sql_error(gv_store *s, gv_err *err, const char *what)
{
    return gv_err_set(err, GV_E_IO, s->path, "%s: %s", what, sqlite3_errmsg(s->db));
}

int
gv_store_exec(gv_store *s, const char *sql, gv_err *err)
{
    char *msg = NULL;

    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int r = gv_err_set(err, GV_E_IO, s->path, "%s", msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return r;
    }
    return 0;
}

static int
user_version(gv_store *s, int *ret, gv_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return gv_store_sql_error(s, err, "cannot read the schema version");
    rc = sqlite3_step(st);
    *ret = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return gv_store_sql_error(s, err, "cannot read the schema version");
    return 0;
}

static int
migrate(gv_store *s, gv_err *err)
{
    int v;

    if (user_version(s, &v, err) < 0)
        return -GV_E_IO;
    if (v > GV_STORE_SCHEMA_VERSION)
        return gv_err_set(err, GV_E_UNSUPPORTED, s->path,
                          "schema version %d is newer than this gpuvmd's %d", v,
                          GV_STORE_SCHEMA_VERSION);
    for (; v < GV_STORE_SCHEMA_VERSION; v++) {
        GV_AUTOFREE char *bump = gv_asprintf("PRAGMA user_version = %d", v + 1);

        if (gv_store_exec(s, "BEGIN IMMEDIATE", err) < 0)
            return -GV_E_IO;
        if (gv_store_exec(s, migrations[v], err) < 0 || gv_store_exec(s, bump, err) < 0 ||
            gv_store_exec(s, "COMMIT", err) < 0) {
            gv_err_prefix(err, "schema migration");
            gv_store_exec(s, "ROLLBACK", NULL);
            return -GV_E_IO;
        }
    }
    return 0;
}

static int
open_db(const char *path, int flags, gv_store **ret, gv_err *err)
{
    gv_store *s = GV_NEW0(gv_store);

    s->path = gv_strdup(path);
    if (sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        int r = gv_err_set(err, GV_E_IO, path, "cannot open the database: %s",
                           s->db ? sqlite3_errmsg(s->db) : "out of memory");
        gv_store_close(s);
        return r;
    }
    sqlite3_busy_timeout(s->db, 5000);
    /* a file that is not SQLite fails here, not at the first query */
    if (gv_store_exec(s, "SELECT count(*) FROM sqlite_schema", err) < 0) {
        gv_store_close(s);
        return -GV_E_IO;
    }
    *ret = s;
    return 0;
}

int
gv_store_open(const char *path, gv_store **ret, gv_err *err)
{
    gv_store *s;

    if (open_db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &s, err) < 0)
        return -GV_E_IO;
    if (gv_store_exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", err) < 0 ||
        migrate(s, err) < 0) {
        int code = err ? -err->code : -GV_E_IO;
        gv_store_close(s);
        return code;
    }
    *ret = s;
    return 0;
}

int
gv_store_open_readonly(const char *path, gv_store **ret, gv_err *err)
{
    gv_store *s;
    int v;

    if (open_db(path, SQLITE_OPEN_READONLY, &s, err) < 0)
        return -GV_E_IO;
    if (user_version(s, &v, err) < 0) {
        gv_store_close(s);
        return -GV_E_IO;
    }
    if (v != GV_STORE_SCHEMA_VERSION) {
        gv_store_close(s);
        return gv_err_set(err, GV_E_UNSUPPORTED, path,
                          "not a gpuvm database of schema version %d (it has %d)",
                          GV_STORE_SCHEMA_VERSION, v);
    }
    *ret = s;
    return 0;
}

void
gv_store_close(gv_store *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < GV_STMT_LAST; i++)
        sqlite3_finalize(s->stmt[i]);
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

int
gv_store_begin(gv_store *s, gv_err *err)
{
    return gv_store_exec(s, "BEGIN IMMEDIATE", err);
}

int
gv_store_commit(gv_store *s, gv_err *err)
{
    return gv_store_exec(s, "COMMIT", err);
}

void
gv_store_rollback(gv_store *s)
{
    gv_store_exec(s, "ROLLBACK", NULL);
}

int
gv_store_savepoint(gv_store *s, gv_err *err)
{
    return gv_store_exec(s, "SAVEPOINT op", err);
}

int
gv_store_release(gv_store *s, gv_err *err)
{
    return gv_store_exec(s, "RELEASE op", err);
}

void
gv_store_rollback_to(gv_store *s)
{
    gv_store_exec(s, "ROLLBACK TO op; RELEASE op", NULL);
}
