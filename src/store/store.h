/*
 * store.h - the durable copy of gpuvmd's state, in SQLite.
 *
 * One database file in WAL mode with synchronous=FULL: a committed transaction survives a crash
 * or power loss. The schema is versioned (PRAGMA user_version) and migrated forward on open; a
 * database newer than this program is refused. The daemon holds the state in memory and writes
 * here inside gv_store_begin/gv_store_commit; each mutation sits in a savepoint of its own so a
 * failed one is rolled back without losing the others of its group commit. Loading reads every
 * table back through callbacks, in a stable order. Rows are plain fields and JSON texts: this
 * layer knows SQL, not the engine.
 *
 * Not thread-safe: one thread (the daemon's writer) owns a gv_store; readers of the audit log
 * open their own read-only handle (gv_store_open_readonly), which WAL lets run beside it.
 */
#ifndef GV_STORE_H
#define GV_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gpuvm/audit.h"
#include "gpuvm/err.h"

#define GV_STORE_SCHEMA_VERSION 1

typedef struct gv_store gv_store;

/*
 * Open (creating) the database at @path and migrate it to GV_STORE_SCHEMA_VERSION.
 * Returns: 0, -GV_E_IO (cannot open or write), -GV_E_UNSUPPORTED (schema newer than ours, or
 * not a gpuvm database).
 */
int gv_store_open(const char *path, gv_store **ret, gv_err *err);
/* Open an existing database read-only (offline audit verification, readers beside the writer).
 * Returns 0, -GV_E_IO, -GV_E_UNSUPPORTED. */
int gv_store_open_readonly(const char *path, gv_store **ret, gv_err *err);
void gv_store_close(gv_store *s);

/* Transactions: one group commit is begin, savepoint/release (or rollback_to) per mutation,
 * commit. Returns 0 or -GV_E_IO. */
int gv_store_begin(gv_store *s, gv_err *err);
int gv_store_commit(gv_store *s, gv_err *err);
void gv_store_rollback(gv_store *s);
int gv_store_savepoint(gv_store *s, gv_err *err);
int gv_store_release(gv_store *s, gv_err *err);
void gv_store_rollback_to(gv_store *s);

/* ---- rows ---------------------------------------------------------------------------------- */

int gv_store_meta_set(gv_store *s, const char *key, const char *value, gv_err *err);
/* The value (caller frees) or NULL when absent. */
char *gv_store_meta_get(gv_store *s, const char *key);

typedef struct gv_store_host {
    const char *name;
    const char *json; /* the host as a one-host canonical fleet JSON */
    bool simulated;   /* no agent: its VMs start at once */
    int64_t updated_ms;
} gv_store_host;

typedef struct gv_store_tenant {
    const char *name;
    int64_t created_ms;
} gv_store_tenant;

typedef struct gv_store_user {
    const char *name;
    const char *role;
    const char *tenant; /* "" for platform roles */
    int64_t created_ms;
} gv_store_user;

typedef struct gv_store_token {
    const char *id;
    const uint8_t *hash; /* GV_STORE_TOKEN_HASH_LEN bytes */
    const char *user;
    const char *description;
    int64_t created_ms;
    int64_t revoked_ms; /* 0: live */
} gv_store_token;
#define GV_STORE_TOKEN_HASH_LEN 32

typedef struct gv_store_vm {
    const char *id;
    const char *name;
    const char *tenant;
    const char *state;
    const char *host;
    const char *placement; /* gv_placement_to_json; "" once it holds nothing */
    int64_t created_ms;
    int64_t updated_ms;
} gv_store_vm;

typedef struct gv_store_idem {
    const char *principal;
    const char *key;
    const uint8_t *body_hash; /* GV_STORE_TOKEN_HASH_LEN bytes */
    int status;
    const char *response;
    int64_t created_ms;
} gv_store_idem;

int gv_store_put_host(gv_store *s, const gv_store_host *h, gv_err *err);
int gv_store_put_tenant(gv_store *s, const gv_store_tenant *t, gv_err *err);
int gv_store_put_user(gv_store *s, const gv_store_user *u, gv_err *err);
int gv_store_delete_user(gv_store *s, const char *name, gv_err *err);
int gv_store_put_token(gv_store *s, const gv_store_token *t, gv_err *err);
int gv_store_put_vm(gv_store *s, const gv_store_vm *v, gv_err *err);
/* A VM's state and time of change alone (its placement is unchanged). */
int gv_store_set_vm_state(gv_store *s, const char *id, const char *state, int64_t updated_ms,
                          gv_err *err);
int gv_store_delete_vm(gv_store *s, const char *id, gv_err *err);
int gv_store_put_idem(gv_store *s, const gv_store_idem *i, gv_err *err);
int gv_store_put_audit(gv_store *s, const gv_audit_record *r, gv_err *err);
int gv_store_put_checkpoint(gv_store *s, const gv_audit_checkpoint *c, gv_err *err);

/* ---- loading ------------------------------------------------------------------------------- */

/* Callbacks get rows borrowed for the call; a non-zero return stops the walk and is returned. */
typedef struct gv_store_loader {
    void *ctx;
    int (*host)(void *ctx, const gv_store_host *h, gv_err *err);
    int (*tenant)(void *ctx, const gv_store_tenant *t, gv_err *err);
    int (*user)(void *ctx, const gv_store_user *u, gv_err *err);
    int (*token)(void *ctx, const gv_store_token *t, gv_err *err);
    int (*vm)(void *ctx, const gv_store_vm *v, gv_err *err);
    int (*idem)(void *ctx, const gv_store_idem *i, gv_err *err);
} gv_store_loader;

/* Walk every table (hosts, tenants, users, tokens, VMs, idempotency keys, each by key).
 * Returns 0, -GV_E_IO, or a callback's non-zero return. */
int gv_store_load(gv_store *s, const gv_store_loader *l, gv_err *err);

/* The last audit record's seq and hash (seq 0, zero hash for an empty log). */
int gv_store_audit_head(gv_store *s, uint64_t *seq, uint8_t hash[GV_AUDIT_HASH_LEN], gv_err *err);

typedef struct gv_audit_filter {
    uint64_t after;                       /* records with seq > after */
    size_t limit;                         /* 0: no limit */
    const char *tenant, *action, *object; /* NULL: any */
} gv_audit_filter;

/* Records matching @f in seq order; @fn gets each (borrowed) and may stop the walk. */
int gv_store_audit_walk(gv_store *s, const gv_audit_filter *f,
                        int (*fn)(void *ctx, const gv_audit_record *r), void *ctx, gv_err *err);
/* Every checkpoint in seq order. */
int gv_store_checkpoint_walk(gv_store *s, int (*fn)(void *ctx, const gv_audit_checkpoint *c),
                             void *ctx, gv_err *err);

/*
 * Verify the whole audit chain and its checkpoints (signed by @public_key; NULL: signatures are
 * not checked) in one pass, merged as audit.h prescribes. @expected_last_seq: the seq the log
 * should end at (the daemon's chain head, which catches a truncated tail after the last
 * checkpoint), or 0 when unknown (offline). Returns 0 with @ret filled (ret->ok says the
 * verdict), or -GV_E_IO.
 */
int gv_store_audit_verify(gv_store *s, const uint8_t *public_key, uint64_t expected_last_seq,
                          gv_audit_report *ret, gv_err *err);

#endif
