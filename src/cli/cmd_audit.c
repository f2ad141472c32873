/*
 * cmd_audit.c - `gpuvm audit list|export|verify`: the audit log of a gpuvmd over the API
 * (/v1/audit, /v1/audit/export, /v1/audit/verify), and `gpuvm audit verify --db FILE`, which
 * verifies a copy of the daemon's database offline: the hash chain, and the checkpoints'
 * signatures with the daemon's key (DATA_DIR/audit.key) when it is at hand.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/remote.h"
#include "gpuvm/alloc.h"
#include "gpuvm/audit.h"
#include "store/store.h"
#include "util/file.h"

#define AUDIT_LIST_DEFAULT_LIMIT 100 /* the server's default page */
#define AUDIT_KEY_FILE_MAX 4096

static void
usage(FILE *f)
{
    fprintf(f, "usage: gpuvm audit list [--after SEQ] [--limit N] [--tenant T] [--action A]\n"
               "                        [--object O]\n"
               "       gpuvm audit export\n"
               "       gpuvm audit verify\n"
               "       gpuvm audit verify --db FILE [--key FILE]\n"
               "\n"
               "The tamper-evident audit log of a gpuvmd server: every change, hash-chained,\n"
               "with checkpoints of the chain's head signed by the daemon's key.\n"
               "\n"
               "  list        records in sequence order (SEQ TIME ACTOR TENANT ACTION OBJECT\n"
               "              DETAILS), after SEQ, at most N (1..1000, default 100)\n"
               "  export      every record as JSON lines on stdout\n"
               "  verify      the server verifies the whole chain: 'ok: N records, M\n"
               "              checkpoints', or 'tampered: first bad seq S: reason' and exit 1\n"
               "  verify --db FILE   the same offline, no server: on a copy of the daemon's\n"
               "              DATA_DIR/gpuvm.db (stop the daemon or copy it with its -wal file)\n"
               "  --key FILE  the daemon's DATA_DIR/audit.key, to check the checkpoints'\n"
               "              signatures (default: audit.key beside the database; without a\n"
               "              key the chain is verified, the signatures are not, and it says so)\n"
               "\n" GV_REMOTE_USAGE_GLOBAL);
}

static int
audit_list(gv_remote *rc, int argc, char **argv)
{
    const char *after = NULL, *limit = NULL, *tenant = NULL, *action = NULL, *object = NULL;
    const gv_remote_opt opts[] = {
        {.name = "after", .arg = "SEQ", .dest = &after},
        {.name = "limit", .arg = "N", .dest = &limit},
        {.name = "tenant", .arg = "T", .dest = &tenant},
        {.name = "action", .arg = "A", .dest = &action},
        {.name = "object", .arg = "O", .dest = &object},
        {0},
    };
    static const char *const header[] = {"SEQ",    "TIME",   "ACTOR",  "TENANT",
                                         "ACTION", "OBJECT", "DETAILS"};
    gv_remote_resp resp = {0};
    gv_remote_table t;
    const json_t *records;
    json_t *rec;
    size_t i;
    int r;

    if ((r = gv_remote_parse(rc, opts, 0, 0, argc, argv, NULL)) >= 0)
        return r;
    {
        static const char *const keys[] = {"after", "limit", "tenant", "action", "object", NULL};
        const char *const values[] = {after, limit, tenant, action, object};

        if ((r = gv_remote_get_list(rc, "/v1/audit", keys, values, &resp)) >= 0)
            return r;
    }
    records = json_object_get(resp.json, "records");
    gv_remote_table_init(&t, GV_N_ELEMENTS(header), header);
    json_array_foreach(records, i, rec)
    {
        char seq[24], time[32];
        GV_AUTOFREE char *details =
            json_dumps(json_object_get(rec, "details"), JSON_COMPACT | JSON_SORT_KEYS);
        const char *row[] = {
            gv_remote_int_text(rec, "seq", seq, sizeof(seq)),
            gv_remote_time_text(gv_remote_int(rec, "time_ms"), time, sizeof(time)),
            gv_remote_str(rec, "actor"),
            gv_remote_str(rec, "tenant"),
            gv_remote_str(rec, "action"),
            gv_remote_str(rec, "object"),
            details && strcmp(details, "{}") ? details : NULL,
        };

        gv_remote_table_row(&t, row);
    }
    gv_remote_table_print(&t, stdout);
    gv_remote_table_free(&t);
    if (json_array_size(records) > 0 &&
        json_array_size(records) == (limit ? strtoull(limit, NULL, 10) : AUDIT_LIST_DEFAULT_LIMIT))
        fprintf(stderr, "gpuvm: more records may follow: --after %lld\n",
                (long long)gv_remote_int(resp.json, "next"));
    gv_remote_resp_clear(&resp);
    return GV_EXIT_OK;
}

static int
audit_export(gv_remote *rc, int argc, char **argv)
{
    gv_remote_req req = {.method = "GET", .path = "/v1/audit/export", .sink = stdout};
    gv_remote_resp resp = {0};
    int r;

    if ((r = gv_remote_parse(rc, NULL, 0, 0, argc, argv, NULL)) >= 0)
        return r;
    r = gv_remote_call(rc, &req, &resp);
    gv_remote_resp_clear(&resp);
    if (r == GV_EXIT_OK && fflush(stdout) != 0) {
        fprintf(stderr, "gpuvm: cannot write the output: %s\n", strerror(errno));
        return GV_EXIT_FAIL;
    }
    return r;
}

/* The verdict in words; exit 0 when the log verifies, 1 when it does not. */
static int
print_verdict(bool ok, long long records, long long checkpoints, long long first_bad,
              const char *why, bool signatures)
{
    if (ok)
        printf("ok: %lld records, %lld checkpoints%s\n", records, checkpoints,
               signatures ? "" : " (signatures not checked: no key)");
    else
        printf("tampered: first bad seq %lld: %s\n", first_bad, why);
    return ok ? GV_EXIT_OK : GV_EXIT_FAIL;
}

/* The public key of the key file @path into @ret. Returns GV_EXIT_OK or GV_EXIT_INPUT. */
static int
read_key(const char *path, uint8_t ret[GV_AUDIT_PUBLIC_KEY_LEN])
{
    GV_AUTOFREE char *text = NULL;
    gv_audit_key key;
    gv_err err = {0};
    size_t len;
    int r;

    if (gv_file_read(path, AUDIT_KEY_FILE_MAX, &text, &len, &err) < 0)
        return gv_cli_report(&err);
    r = gv_audit_key_parse(text, len, &key, &err);
    sodium_memzero(text, len);
    if (r < 0) {
        gv_err_prefix(&err, path);
        return gv_cli_report(&err);
    }
    memcpy(ret, key.public_key, GV_AUDIT_PUBLIC_KEY_LEN);
    gv_audit_key_clear(&key);
    return GV_EXIT_OK;
}

static int
verify_db(gv_remote *rc, const char *db, const char *key_file)
{
    uint8_t public_key[GV_AUDIT_PUBLIC_KEY_LEN];
    GV_AUTOFREE char *dir = NULL;
    GV_AUTOFREE char *beside = NULL;
    const char *key_path = key_file;
    gv_store *s = NULL;
    gv_audit_report rep;
    gv_err err = {0};
    struct stat st;
    int r;

    if (sodium_init() < 0) {
        fprintf(stderr, "gpuvm: libsodium could not start\n");
        return GV_EXIT_FAIL;
    }
    if (stat(db, &st) < 0) {
        fprintf(stderr, "gpuvm: %s: %s\n", db, strerror(errno));
        return GV_EXIT_INPUT;
    }
    if (!S_ISREG(st.st_mode)) {
        fprintf(stderr, "gpuvm: %s: not a regular file\n", db);
        return GV_EXIT_INPUT;
    }
    if (!key_path) {
        dir = gv_path_dirname(db);
        beside = gv_asprintf("%s/audit.key", dir);
        if (stat(beside, &st) == 0)
            key_path = beside;
    }
    if (key_path && (r = read_key(key_path, public_key)) != GV_EXIT_OK)
        return r;
    if (gv_store_open_readonly(db, &s, &err) < 0)
        return gv_cli_report(&err);
    r = gv_store_audit_verify(s, key_path ? public_key : NULL, 0, &rep, &err);
    gv_store_close(s);
    sodium_memzero(public_key, sizeof(public_key));
    if (r < 0)
        return gv_cli_report(&err);
    if (rc->format == GV_FORMAT_JSON) {
        json_t *o = json_pack(
            "{s:b, s:I, s:I, s:I, s:s, s:s, s:b, s:I}", "ok", rep.ok, "records",
            (json_int_t)rep.n_records, "checkpoints", (json_int_t)rep.n_checkpoints,
            "first_bad_seq", (json_int_t)rep.first_bad_seq, "reason",
            rep.ok ? "" : gv_audit_reason_to_string(rep.reason), "detail", rep.text,
            "signatures_checked", key_path != NULL, "signed_seq", (json_int_t)rep.signed_seq);
        char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);

        puts(text);
        free(text);
        json_decref(o);
        return rep.ok ? GV_EXIT_OK : GV_EXIT_FAIL;
    }
    return print_verdict(rep.ok, (long long)rep.n_records, (long long)rep.n_checkpoints,
                         (long long)rep.first_bad_seq, rep.text, key_path != NULL);
}

static int
audit_verify(gv_remote *rc, int argc, char **argv)
{
    const char *db = NULL, *key = NULL;
    const gv_remote_opt opts[] = {
        {.name = "db", .arg = "FILE", .dest = &db},
        {.name = "key", .arg = "FILE", .dest = &key},
        {0},
    };
    gv_remote_resp resp = {0};
    const json_t *o;
    int r;

    if ((r = gv_remote_parse(rc, opts, 0, 0, argc, argv, NULL)) >= 0)
        return r;
    if (db)
        return verify_db(rc, db, key);
    if (key)
        return gv_cli_usage_error(rc->cmd, "--key goes with --db (the server uses its own)");
    if ((r = gv_remote_get(rc, "/v1/audit/verify", &resp)) != GV_EXIT_OK) {
        gv_remote_resp_clear(&resp);
        return r;
    }
    o = resp.json;
    if (rc->format == GV_FORMAT_JSON) {
        gv_remote_print_raw(&resp);
        r = json_is_true(json_object_get(o, "ok")) ? GV_EXIT_OK : GV_EXIT_FAIL;
    } else {
        const char *why =
            *gv_remote_str(o, "detail") ? gv_remote_str(o, "detail") : gv_remote_str(o, "reason");

        r = print_verdict(json_is_true(json_object_get(o, "ok")),
                          (long long)gv_remote_int(o, "records"),
                          (long long)gv_remote_int(o, "checkpoints"),
                          (long long)gv_remote_int(o, "first_bad_seq"), why, true);
    }
    gv_remote_resp_clear(&resp);
    return r;
}

static const gv_remote_sub subs[] = {
    {.name = "list", .run = audit_list},
    {.name = "export", .run = audit_export},
    {.name = "verify", .run = audit_verify},
};

int
gv_cmd_audit(int argc, char **argv)
{
    return gv_remote_dispatch("audit", subs, GV_N_ELEMENTS(subs), usage, argc, argv);
}
