/*
 * daemon.h - what gpuvmd's files share: the daemon's state, the mutation path and the routes.
 *
 * Design notes.
 * - State: the fleet, the engine's allocations, VMs, tenants, users, tokens and idempotency keys
 *   live in memory, guarded by one read-write lock (gv_daemon.lock). The store is their durable
 *   copy; on start, memory is rebuilt from it and checked before the API answers (/readyz).
 * - Mutations: handlers validate what they can alone, then hand a gv_op to the writer thread and
 *   defer the HTTP answer. The writer takes every queued op, and under the write lock and in one
 *   SQLite transaction applies each (in a savepoint of its own), commits once (group commit),
 *   then answers them all. So the engine never sees two writers, and an answer never precedes
 *   the fsync of what it reports.
 * - Invariants (checked at start and, in tests, after every mutation):
 *   1. Every VM that holds resources has its placement in the engine under its id, and the
 *      engine holds no other VM.
 *   2. The audit chain head in memory is the last record in the store.
 *   3. Every token belongs to a user that exists; every tenant-role user to a tenant that exists.
 * - A commit that fails leaves memory ahead of the disk: the daemon logs it and exits (fail-stop);
 *   a restart rebuilds memory from what was committed. No answer was sent for that group.
 * - Reads (GET) run in the HTTP threads under the read lock; explain runs in the writer (the
 *   engine's caches change even on a dry run).
 */
#ifndef GV_DAEMON_H
#define GV_DAEMON_H

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/http.h"
#include "gpuvm/audit.h"
#include "gpuvm/gpu.h"
#include "gpuvm/place.h"
#include "gpuvm/policy.h"
#include "gpuvm/topo.h"
#include "store/store.h"
#include "util/strmap.h"

#define GV_ID_LEN 40

typedef struct gv_daemon_config {
    char *listen_address; /* "127.0.0.1" */
    uint16_t port;        /* 8080; 0: any free port (written to DATA_DIR/port) */
    char *data_dir;       /* "./var" */
    char *tls_cert;       /* PEM file, or NULL */
    char *tls_key;
    char *catalog;             /* the GPU catalog YAML */
    char *flavors_dir;         /* flavors by name */
    char *import_fleet;        /* imported on the first start (no hosts yet) */
    unsigned threads;          /* HTTP worker threads */
    unsigned checkpoint_every; /* audit records between signed checkpoints */
    unsigned checkpoint_seconds;
    unsigned queue_limit; /* queued mutations before 429 */
} gv_daemon_config;

void gv_daemon_config_init(gv_daemon_config *c);
void gv_daemon_config_fini(gv_daemon_config *c);
/* "ADDRESS:PORT" or "[V6]:PORT" into @c. Returns 0 or -GV_E_INVAL. */
int gv_daemon_parse_listen(gv_daemon_config *c, const char *s, gv_err *err);
/* Read @path (YAML) over @c. Returns 0, -GV_E_IO, -GV_E_PARSE, -GV_E_INVAL naming the key. */
int gv_daemon_config_load(gv_daemon_config *c, const char *path, gv_err *err);

/* ---- state --------------------------------------------------------------------------------- */

typedef enum gv_vm_state {
    GV_VM_PENDING,
    GV_VM_RUNNING,
    GV_VM_STOPPED,
    GV_VM_FAILED,
    GV_VM_DELETED,
    GV_VM_STATE_LAST
} gv_vm_state; /* "pending", "running", "stopped", "failed", "deleted" */

const char *gv_vm_state_to_string(gv_vm_state s);
int gv_vm_state_from_string(const char *s);

typedef struct gv_vm_rec {
    char id[GV_ID_LEN]; /* also its name in the engine */
    char name[GV_REQ_NAME_LEN];
    char tenant[GV_REQ_NAME_LEN];
    gv_vm_state state;
    char host[GV_REQ_NAME_LEN * 2];
    int64_t created_ms, updated_ms;
    char *json; /* {"vm": ...} as served, rebuilt at every change */
} gv_vm_rec;

typedef struct gv_user_rec {
    gv_principal p; /* user, tenant, role */
    int64_t created_ms;
} gv_user_rec;

typedef struct gv_token_rec {
    char id[GV_ID_LEN];
    char hash_hex[2 * GV_STORE_TOKEN_HASH_LEN + 1];
    char user[GV_POLICY_NAME_LEN];
    char *description;
    int64_t created_ms, revoked_ms;
} gv_token_rec;

typedef struct gv_idem_rec {
    uint8_t body_hash[GV_STORE_TOKEN_HASH_LEN];
    int status;
    char *response;
} gv_idem_rec;

typedef struct gv_op gv_op;

/* What the VMs on one host hold (kept as VMs come and go, for host summaries). */
typedef struct gv_host_tally {
    uint32_t vms;
    int64_t vcpus; /* vCPUs of its VMs */
    int64_t memory_mib;
    uint32_t gpus_used; /* GPUs with at least one allocation */
} gv_host_tally;

/* Counters the metrics page reads (atomics: updated outside the lock). */
#define GV_LAT_BUCKETS 14
typedef struct gv_histogram {
    _Atomic uint64_t bucket[GV_LAT_BUCKETS + 1]; /* the last: +Inf */
    _Atomic uint64_t sum_us, count;
} gv_histogram;
extern const double gv_lat_bounds_s[GV_LAT_BUCKETS];
void gv_histogram_observe(gv_histogram *h, int64_t us);

typedef struct gv_daemon {
    gv_daemon_config cfg;
    char *db_path;
    gv_store *store; /* the writer's */
    gv_http_server *http;
    atomic_bool ready;
    atomic_bool stopping;
    int64_t started_ms;

    pthread_rwlock_t lock; /* guards everything below, up to the writer */
    gv_fleet *fleet;
    bool *simulated;      /* by host index: no agent, VMs start at once */
    gv_host_tally *tally; /* by host index: what its VMs hold */
    gv_catalog *catalog;
    gv_place_config place_cfg;
    gv_engine *engine;
    gv_strmap *vms;       /* id -> gv_vm_rec */
    gv_strmap *vm_names;  /* tenant "\n" name -> the same gv_vm_rec */
    gv_strmap *flavors;   /* name -> gv_request (read-only after start) */
    char *flavor_list;    /* "inference, notebook, training" for errors */
    gv_strmap *tenants;   /* name -> (void *)created_ms + 1 record */
    gv_strmap *users;     /* name -> gv_user_rec */
    gv_strmap *tokens;    /* hash hex -> gv_token_rec */
    gv_strmap *token_ids; /* id -> gv_token_rec (same records) */
    gv_strmap *idem;      /* principal "\n" key -> gv_idem_rec */
    gv_audit_chain chain;
    gv_audit_key audit_key;
    uint64_t checkpoint_seq; /* seq of the last checkpoint */
    int64_t checkpoint_ms;

    /* the writer */
    pthread_t writer;
    pthread_mutex_t q_lock;
    pthread_cond_t q_cond;
    gv_op *q_head, *q_tail;
    unsigned q_len;
    bool q_stop;

    /* metrics */
    gv_histogram place_latency;
    _Atomic uint64_t commits, commit_ops;
} gv_daemon;

/* Add (+1) or take away (-1) @p's resources from its host's tally. Caller holds the lock. */
void gv_host_tally_apply(gv_daemon *d, const gv_placement *p, int sign);

/* Time now in ms since the epoch (the one clock of the daemon); a monotonic clock in us. */
int64_t gv_daemon_now_ms(void);
int64_t gv_daemon_now_us(void);
/* Names of tenants and users (@upper false) and of VMs (@upper true): 1-63 of a-z, 0-9, '-',
 * '_', '.', and A-Z with @upper. They become log fields, audit details, map keys and libvirt
 * domain names, so nothing needs quoting. */
bool gv_name_valid(const char *s, bool upper);
/* The key of a map keyed by two names (a VM by tenant and name, an idempotency key by user and
 * key): "@a\n@b" (names hold no newline). Caller frees. */
char *gv_daemon_key(const char *a, const char *b);

/* state_load.c: rebuild memory from the store and check it; bootstrap an empty store (admin
 * user and token, the first fleet import). Returns 0 or a negative code with @err. */
int gv_daemon_load(gv_daemon *d, gv_err *err);
/* Invariants 1-3. Returns 0 or -GV_E_INTERNAL naming the breach. Caller holds the lock. */
int gv_daemon_check(const gv_daemon *d, gv_err *err);
void gv_daemon_free_state(gv_daemon *d);

/* ---- the mutation path (writer.c) ---------------------------------------------------------- */

struct gv_op {
    /* Runs in the writer, under the write lock, inside a savepoint. Sets status and body.
     * Returns 0, or a negative code when a store write failed (the savepoint is rolled back;
     * apply must not have changed memory before its last store write could fail). */
    int (*apply)(gv_daemon *d, gv_op *op, gv_err *err);
    void (*free_arg)(void *arg);
    void *arg;
    gv_principal who;
    gv_http_req *http; /* the deferred request to answer; NULL for internal ops */
    int status;
    char *body;
    const char *content_type; /* static; NULL: JSON */
    /* the idempotency key this op answers, recorded with its answer when 2xx */
    char *idem_key;
    uint8_t idem_hash[GV_STORE_TOKEN_HASH_LEN];
    gv_op *next;
};

int gv_writer_start(gv_daemon *d, gv_err *err);
void gv_writer_stop(gv_daemon *d);
/* Queue @op (taken over). Returns 0, or -GV_E_LIMIT when the queue is full (op not taken). */
int gv_writer_submit(gv_daemon *d, gv_op *op);
/* Run @op in the calling thread as the writer would, in a transaction of its own (startup
 * only, before the writer runs). Returns its apply's result, or the commit's failure. */
int gv_writer_run_now(gv_daemon *d, gv_op *op, gv_err *err);

/* Append an audit record in the current transaction (writer only). @details: JSON object text
 * or NULL for {}. Returns 0 or -GV_E_IO. */
int gv_daemon_audit_append(gv_daemon *d, const gv_principal *who, const char *tenant,
                           const char *action, const char *object, const char *details,
                           gv_err *err);

/* ---- the API (api.c, routes) --------------------------------------------------------------- */

typedef struct gv_route gv_route;

/* What a route handler gets. */
typedef struct gv_call {
    gv_daemon *d;
    gv_http_req *http;
    const gv_route *route;
    gv_principal who;
    bool authenticated;
    char arg[2][GV_REQ_NAME_LEN * 2]; /* the path's {} segments, unescaped */
} gv_call;

struct gv_route {
    const char *method;
    const char *pattern; /* "/v1/vms/{}/stop" */
    gv_perm perm;        /* checked before the handler; GV_PERM_LAST: none needed */
    bool public;         /* no token needed */
    size_t max_body;     /* 0: the default */
    void (*handler)(gv_call *c);
};

extern const gv_route gv_routes[]; /* routes.c */
extern const size_t gv_n_routes;

void gv_api_on_headers(void *ctx, gv_http_req *r);
void gv_api_on_request(void *ctx, gv_http_req *r);
void gv_api_on_complete(void *ctx, gv_http_req *r);

/* Answer with an error object {"error": {"code", "message", "details"}}; @details (JSON text
 * of an object, or NULL) is taken over when not NULL... copied. */
void gv_call_error(gv_call *c, int status, const char *code, const char *details, const char *fmt,
                   ...) __attribute__((format(printf, 5, 6)));
/* An error object {"error": {"code", "message", "details"}} as text, the message formatted
 * from @fmt; @details is a JSON object text or NULL. Caller frees. */
char *gv_error_vjson(const char *code, const char *details, const char *fmt, va_list ap);
/* Map an engine/parser error to 400/404/409 and answer. */
void gv_call_gv_error(gv_call *c, const gv_err *err);
/* Answer 200/201 with @body (taken over). */
void gv_call_json(gv_call *c, int status, char *body);
/* Authorize @perm on an object of @tenant; answers 403 (or 404 when @hide) and returns false
 * when denied. */
bool gv_call_allow(gv_call *c, gv_perm perm, const char *tenant, bool hide);
/* Hand @op to the writer and defer the answer (or answer 429 when the queue is full). */
void gv_call_submit(gv_call *c, gv_op *op);
gv_op *gv_op_new(gv_call *c, int (*apply)(gv_daemon *, gv_op *, gv_err *), void *arg,
                 void (*free_arg)(void *));
void gv_op_free(gv_op *op);
void gv_op_answer(gv_op *op, int status, char *body);
void gv_op_error(gv_op *op, int status, const char *code, const char *details, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* ---- renderers (render.c) ------------------------------------------------------------------ */

/* @o (reference taken over) as compact JSON text with sorted keys. Caller frees. */
char *gv_json_take_dump(json_t *o);

/* Rebuild vm->json from the record and the engine's placement; with @ret_placement, also the
 * placement's JSON as the store keeps it ("" when the VM holds nothing; caller frees). Caller
 * holds the write lock. */
void gv_vm_render(gv_daemon *d, gv_vm_rec *vm, char **ret_placement);
/* Host @host_index's summary object (docs/api.md); new reference. Caller holds the lock. */
json_t *gv_host_summary_json(const gv_daemon *d, size_t host_index, bool private_details);

/* ---- logging (log.c) ----------------------------------------------------------------------- */

/* One line on stderr: time=... level=... event=... then "key=value" pairs from @fmt. */
void gv_log(const char *level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Random identifiers: "<prefix><32 hex>". */
void gv_random_id(const char *prefix, char ret[GV_ID_LEN]);

#endif
