/*
 * store_internal.h - what the store's files share: the handle and its cached statements.
 */
#ifndef GV_STORE_INTERNAL_H
#define GV_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store/store.h"

/* Statements prepared once and reused (sqlite3_reset between uses). */
typedef enum gv_stmt_id {
    GV_STMT_META_SET,
    GV_STMT_META_GET,
    GV_STMT_PUT_HOST,
    GV_STMT_PUT_TENANT,
    GV_STMT_PUT_USER,
    GV_STMT_DELETE_USER,
    GV_STMT_PUT_TOKEN,
    GV_STMT_PUT_VM,
    GV_STMT_SET_VM_STATE,
    GV_STMT_DELETE_VM,
    GV_STMT_PUT_IDEM,
    GV_STMT_PUT_AUDIT,
    GV_STMT_PUT_CHECKPOINT,
    GV_STMT_LAST
} gv_stmt_id;

struct gv_store {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *stmt[GV_STMT_LAST];
};

/* The cached statement @id, reset and unbound; NULL after an error in @err. */
sqlite3_stmt *gv_store_stmt(gv_store *s, gv_stmt_id id, gv_err *err);
/* Step a write statement to completion. Returns 0 or -GV_E_IO naming @what. */
int gv_store_step_done(gv_store *s, sqlite3_stmt *st, const char *what, gv_err *err);
int gv_store_exec(gv_store *s, const char *sql, gv_err *err);
/* -GV_E_IO with "@what: <sqlite's message>". */
int gv_store_sql_error(gv_store *s, gv_err *err, const char *what);

#endif
