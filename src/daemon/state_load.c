/*
 * state_load.c - memory from the store: the fleet, the engine with every VM put back on exactly
 * the resources its stored placement lists, tenants, users, tokens and idempotency keys; the
 * invariants checked before the API answers; the first start's bootstrap (an administrator and
 * its token, the first fleet); and fleet imports, which rebuild the engine over the larger fleet.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "daemon/routes.h"
#include "gpuvm/alloc.h"
#include "gpuvm/discover.h"
#include "util/file.h"
#include "util/strbuf.h"

typedef struct load_ctx {
    gv_daemon *d;
    gv_fleet *fleet;
    size_t n_sim;
    bool *sim;
} load_ctx;

static int
load_host(void *ctx, const gv_store_host *row, gv_err *err)
{
    load_ctx *l = ctx;
    GV_AUTOPTR(gv_fleet) one = NULL;
    GV_AUTOFREE char *where = gv_asprintf("store: host %s", row->name);
    gv_host *h;

    if (gv_fleet_from_json(row->json, strlen(row->json), where, &one, err) < 0)
        return -GV_E_INVAL;
    if (one->n_hosts != 1)
        return gv_err_set(err, GV_E_INVAL, where, "expected exactly one host");
    h = gv_host_copy(one->hosts[0], one->hosts[0]->name);
    if (gv_fleet_add_host(l->fleet, h, err) < 0) {
        gv_host_free(h);
        return -GV_E_CONFLICT;
    }
    *GV_ARRAY_APPEND(l->sim, l->n_sim) = row->simulated;
    return 0;
}

static int
load_tenant(void *ctx, const gv_store_tenant *t, gv_err *err)
{
    load_ctx *l = ctx;
    int64_t *rec = GV_NEW0(int64_t);

    (void)err;
    *rec = t->created_ms;
    gv_strmap_put(l->d->tenants, t->name, rec);
    return 0;
}

static int
load_user(void *ctx, const gv_store_user *u, gv_err *err)
{
    load_ctx *l = ctx;
    gv_user_rec *rec = GV_NEW0(gv_user_rec);
    int role = gv_role_from_string(u->role);

    if (role < 0) {
        free(rec);
        return gv_err_set(err, GV_E_INVAL, "store: users", "user '%s' has role '%s'", u->name,
                          u->role);
    }
    snprintf(rec->p.user, sizeof(rec->p.user), "%s", u->name);
    snprintf(rec->p.tenant, sizeof(rec->p.tenant), "%s", u->tenant);
    rec->p.role = (gv_role)role;
    rec->created_ms = u->created_ms;
    gv_strmap_put(l->d->users, u->name, rec);
    return 0;
}

static int
load_token(void *ctx, const gv_store_token *t, gv_err *err)
{
    load_ctx *l = ctx;
    gv_token_rec *rec = GV_NEW0(gv_token_rec);

    (void)err;
    snprintf(rec->id, sizeof(rec->id), "%s", t->id);
    sodium_bin2hex(rec->hash_hex, sizeof(rec->hash_hex), t->hash, GV_STORE_TOKEN_HASH_LEN);
    snprintf(rec->user, sizeof(rec->user), "%s", t->user);
    rec->description = gv_strdup(t->description);
    rec->created_ms = t->created_ms;
    rec->revoked_ms = t->revoked_ms;
    gv_daemon_add_token(l->d, rec);
    return 0;
}

static int
load_vm(void *ctx, const gv_store_vm *v, gv_err *err)
{
    load_ctx *l = ctx;
    gv_daemon *d = l->d;
    gv_vm_rec *vm = GV_NEW0(gv_vm_rec);
    GV_AUTOFREE char *where = gv_asprintf("store: vm %s", v->id);
    GV_AUTOFREE char *name_key = NULL;
    int st = gv_vm_state_from_string(v->state);

    snprintf(vm->id, sizeof(vm->id), "%s", v->id);
    snprintf(vm->name, sizeof(vm->name), "%s", v->name);
    snprintf(vm->tenant, sizeof(vm->tenant), "%s", v->tenant);
    snprintf(vm->host, sizeof(vm->host), "%s", v->host);
    vm->created_ms = v->created_ms;
    vm->updated_ms = v->updated_ms;
    if (st < 0) {
        free(vm);
        return gv_err_set(err, GV_E_INVAL, where, "state '%s' is not a VM state", v->state);
    }
    vm->state = (gv_vm_state)st;
    if (v->placement[0]) {
        gv_placement p = {0};
        int r;

        if ((r = gv_placement_from_json(v->placement, strlen(v->placement), where, &p, err)) < 0 ||
            (r = gv_engine_restore(d->engine, &p, err)) < 0) {
            gv_err_prefix(err, where);
            gv_placement_clear(&p);
            free(vm);
            return r;
        }
        gv_placement_clear(&p);
        /* the engine's copy knows its host's index */
        gv_host_tally_apply(d, gv_engine_find_vm(d->engine, v->id), 1);
    }
    gv_vm_render(d, vm, NULL);
    gv_strmap_put(d->vms, vm->id, vm);
    name_key = gv_daemon_key(vm->tenant, vm->name);
    gv_strmap_put(d->vm_names, name_key, vm);
    return 0;
}

static int
load_idem(void *ctx, const gv_store_idem *i, gv_err *err)
{
    load_ctx *l = ctx;
    gv_idem_rec *rec = GV_NEW0(gv_idem_rec);
    GV_AUTOFREE char *k = gv_daemon_key(i->principal, i->key);

    (void)err;
    memcpy(rec->body_hash, i->body_hash, sizeof(rec->body_hash));
    rec->status = i->status;
    rec->response = gv_strdup(i->response);
    gv_strmap_put(l->d->idem, k, rec);
    return 0;
}

/* ---- the fleet and the engine -------------------------------------------------------------- */

typedef struct restore_ctx {
    const gv_engine *old;
    gv_engine *e;
    gv_err *err;
    int r;
} restore_ctx;

static bool
restore_one(void *ctx, const char *key, void *value)
{
    restore_ctx *rc = ctx;
    const gv_vm_rec *vm = value;
    const gv_placement *p = gv_engine_find_vm(rc->old, vm->id);

    (void)key;
    if (p && (rc->r = gv_engine_restore(rc->e, p, rc->err)) < 0)
        return false;
    return true;
}

/* A new engine over @f with every placement of d->engine restored in it. */
static int
engine_over(gv_daemon *d, const gv_fleet *f, gv_engine **ret, gv_err *err)
{
    GV_AUTOPTR(gv_engine) e = NULL;
    restore_ctx rc = {.old = d->engine, .err = err};
    int r;

    if ((r = gv_engine_new(f, d->catalog, &d->place_cfg, &e, err)) < 0)
        return r;
    if (d->engine) {
        rc.e = e;
        gv_strmap_each(d->vms, restore_one, &rc);
        if (rc.r < 0)
            return rc.r;
    }
    *ret = GV_STEAL_PTR(e);
    return 0;
}

typedef struct import_arg {
    gv_fleet *add;
    bool simulated;
    char *source; /* "api" or the file */
} import_arg;

static void
import_arg_free(void *p)
{
    import_arg *a = p;

    if (!a)
        return;
    gv_fleet_free(a->add);
    free(a->source);
    free(a);
}

/* The fleet import op: a new fleet of copies of today's hosts plus the new ones, an engine over
 * it with every VM restored, the rows and the audit record; then the swap. Nothing changes in
 * memory until every step that can fail has passed. */
static int
apply_import(gv_daemon *d, gv_op *op, gv_err *err)
{
    import_arg *a = op->arg;
    GV_AUTOPTR(gv_fleet) f = gv_fleet_new();
    GV_AUTOPTR(gv_engine) e = NULL;
    GV_AUTOFREE bool *sim = NULL;
    GV_AUTOFREE gv_host_tally *tally = NULL;
    GV_AUTOFREE char *det = NULL;
    size_t n_old = d->fleet->n_hosts, n = n_old + a->add->n_hosts;
    gv_err verr = {0};
    json_t *names = json_array();

    for (size_t i = 0; i < d->fleet->n_pools; i++) {
        gv_pool *p = gv_fleet_set_pool(f, d->fleet->pools[i].name);
        p->strategy = d->fleet->pools[i].strategy;
    }
    for (size_t i = 0; i < a->add->n_pools; i++) {
        gv_pool *p = gv_fleet_set_pool(f, a->add->pools[i].name);
        p->strategy = a->add->pools[i].strategy;
    }
    for (size_t i = 0; i < n; i++) {
        const gv_host *src = i < n_old ? d->fleet->hosts[i] : a->add->hosts[i - n_old];
        gv_host *h = gv_host_copy(src, src->name);

        if (gv_fleet_add_host(f, h, &verr) < 0) {
            GV_AUTOFREE char *dd =
                gv_asprintf("{\"field\": \"hosts\", \"host\": \"%s\"}", src->name);
            gv_host_free(h);
            json_decref(names);
            gv_op_error(op, 409, "conflict", dd, "host '%s' exists already", src->name);
            return 0;
        }
        if (i >= n_old)
            json_array_append_new(names, json_string(src->name));
    }
    if (gv_fleet_check(f, &verr) < 0 || engine_over(d, f, &e, &verr) < 0) {
        char buf[GV_ERR_WHERE_MAX + GV_ERR_MSG_MAX + 4];
        json_decref(names);
        gv_op_error(op, 400, "invalid_argument", "{\"field\": \"hosts\"}", "%s",
                    gv_err_format(&verr, buf, sizeof(buf)));
        return 0;
    }
    sim = gv_calloc(n ? n : 1, sizeof(bool));
    tally = gv_calloc(n ? n : 1, sizeof(gv_host_tally));
    memcpy(sim, d->simulated, n_old * sizeof(bool));
    memcpy(tally, d->tally, n_old * sizeof(gv_host_tally));
    for (size_t i = n_old; i < n; i++)
        sim[i] = a->simulated;
    {
        /* the rows come from the new fleet, before anything is swapped */
        gv_fleet pools_only = {.n_pools = f->n_pools, .pools = f->pools};
        GV_AUTOFREE char *pools = gv_fleet_to_json(&pools_only);
        int r = 0;

        for (size_t i = n_old; i < n && r == 0; i++)
            r = gv_daemon_store_host(d, f->hosts[i], sim[i], err);
        det = gv_json_take_dump(json_pack("{s:I, s:b, s:s}", "hosts", (json_int_t)a->add->n_hosts,
                                          "simulated", a->simulated, "source", a->source));
        if (r < 0 || gv_store_meta_set(d->store, "pools", pools, err) < 0 ||
            gv_daemon_audit_append(d, &op->who, NULL, "fleet.import", "fleet", det, err) < 0) {
            json_decref(names);
            return -GV_E_IO;
        }
    }
    gv_engine_free(d->engine);
    d->engine = GV_STEAL_PTR(e);
    gv_fleet_free(d->fleet);
    d->fleet = GV_STEAL_PTR(f);
    free(d->simulated);
    d->simulated = GV_STEAL_PTR(sim);
    free(d->tally);
    d->tally = GV_STEAL_PTR(tally);
    gv_log("info", "fleet.import", "hosts=%zu source=%s actor=%s", a->add->n_hosts, a->source,
           op->who.user);
    gv_op_answer(op, 201,
                 gv_json_take_dump(
                     json_pack("{s:i, s:o}", "imported", (int)a->add->n_hosts, "hosts", names)));
    return 0;
}

gv_op *
gv_daemon_import_op(gv_fleet *add, bool simulated, const char *source)
{
    gv_op *op = GV_NEW0(gv_op);
    import_arg *a = GV_NEW0(import_arg);

    a->add = add;
    a->simulated = simulated;
    a->source = gv_strdup(source);
    op->apply = apply_import;
    op->arg = a;
    op->free_arg = import_arg_free;
    return op;
}

void
gv_route_fleet_import(gv_call *c)
{
    size_t len;
    const char *body = gv_http_body(c->http, &len);
    gv_fleet *f = NULL;
    gv_err err = {0};
    gv_op *op;

    if (gv_fleet_from_json(body, len, "body", &f, &err) < 0) {
        gv_call_gv_error(c, &err);
        return;
    }
    op = gv_daemon_import_op(f, true, "api");
    op->who = c->who;
    op->http = c->http;
    gv_call_submit(c, op);
}

/* ---- start --------------------------------------------------------------------------------- */

static int
cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
load_flavors(gv_daemon *d, gv_err *err)
{
    DIR *dir = opendir(d->cfg.flavors_dir);
    struct dirent *de;
    gv_strbuf list = {0};
    char **names = NULL;
    size_t n = 0;

    d->flavors = gv_strmap_new();
    if (!dir)
        return gv_err_set(err, GV_E_IO, d->cfg.flavors_dir, "cannot read the flavors: %s",
                          strerror(errno));
    while ((de = readdir(dir))) {
        size_t l = strlen(de->d_name);

        if (l > 5 && !strcmp(de->d_name + l - 5, ".yaml"))
            *GV_ARRAY_APPEND(names, n) = gv_strndup(de->d_name, l - 5);
    }
    closedir(dir);
    if (n)
        qsort(names, n, sizeof(*names), cmp_name);
    for (size_t i = 0; i < n; i++) {
        GV_AUTOFREE char *path = gv_asprintf("%s/%s.yaml", d->cfg.flavors_dir, names[i]);
        GV_AUTOFREE char *text = NULL;
        gv_request *r = GV_NEW0(gv_request);
        gv_request defaults;
        size_t len;

        gv_request_init(&defaults);
        if (gv_file_read(path, GV_FILE_MAX_BYTES, &text, &len, err) < 0 ||
            gv_request_parse_yaml(text, len, path, &defaults, r, err) < 0) {
            free(r);
            for (size_t k = i; k < n; k++)
                free(names[k]);
            free(names);
            gv_strbuf_reset(&list);
            return -GV_E_INVAL;
        }
        gv_strmap_put(d->flavors, names[i], r);
        gv_strbuf_printf(&list, "%s%s", i ? ", " : "", names[i]);
        free(names[i]);
    }
    free(names);
    d->flavor_list = gv_strbuf_steal(&list);
    return 0;
}

static int
load_catalog(gv_daemon *d, gv_err *err)
{
    GV_AUTOFREE char *text = NULL;
    size_t len;

    if (gv_file_read(d->cfg.catalog, GV_FILE_MAX_BYTES, &text, &len, err) < 0)
        return -GV_E_IO;
    return gv_catalog_parse(text, len, d->cfg.catalog, &d->catalog, err);
}

/* The audit signing key in DATA_DIR/audit.key, created (0600) when the log is empty. */
static int
load_audit_key(gv_daemon *d, gv_err *err)
{
    GV_AUTOFREE char *path = gv_asprintf("%s/audit.key", d->cfg.data_dir);
    GV_AUTOFREE char *text = NULL;
    size_t len;
    char out[GV_AUDIT_KEY_TEXT_LEN];
    int fd;

    if (access(path, F_OK) == 0) {
        if (gv_file_read(path, 4096, &text, &len, err) < 0)
            return -GV_E_IO;
        return gv_audit_key_parse(text, len, &d->audit_key, err) < 0
                   ? (gv_err_prefix(err, path), -GV_E_PARSE)
                   : 0;
    }
    if (d->chain.seq > 0)
        return gv_err_set(err, GV_E_NOTFOUND, path,
                          "the audit log has %llu records but its signing key is missing",
                          (unsigned long long)d->chain.seq);
    gv_audit_key_generate(&d->audit_key);
    gv_audit_key_format(&d->audit_key, out);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || write(fd, out, strlen(out)) != (ssize_t)strlen(out) || fsync(fd) < 0) {
        if (fd >= 0)
            close(fd);
        sodium_memzero(out, sizeof(out));
        return gv_err_set(err, GV_E_IO, path, "cannot write: %s", strerror(errno));
    }
    close(fd);
    sodium_memzero(out, sizeof(out));
    return 0;
}

/* The first start: an administrator with a token, written to DATA_DIR/admin.token (0600). */
static int
apply_bootstrap(gv_daemon *d, gv_op *op, gv_err *err)
{
    gv_user_rec *u = GV_NEW0(gv_user_rec);
    gv_store_user row = {
        .name = "admin", .role = "platform-admin", .tenant = "", .created_ms = gv_daemon_now_ms()};
    char *secret = op->arg;
    gv_token_rec *t = gv_daemon_new_token("admin", "created at the first start", secret);

    snprintf(u->p.user, sizeof(u->p.user), "admin");
    u->p.role = GV_ROLE_PLATFORM_ADMIN;
    u->created_ms = row.created_ms;
    if (gv_store_put_user(d->store, &row, err) < 0 || gv_daemon_store_token(d, t, err) < 0 ||
        gv_daemon_audit_append(d, &op->who, NULL, "user.create", "user/admin",
                               "{\"role\":\"platform-admin\"}", err) < 0) {
        free(u);
        free(t->description);
        free(t);
        return -GV_E_IO;
    }
    gv_strmap_put(d->users, "admin", u);
    gv_daemon_add_token(d, t);
    op->status = 201;
    return 0;
}

static int
bootstrap(gv_daemon *d, gv_err *err)
{
    char secret[64] = {0};
    gv_op *op = GV_NEW0(gv_op);
    GV_AUTOFREE char *path = gv_asprintf("%s/admin.token", d->cfg.data_dir);
    int fd, r;

    snprintf(op->who.user, sizeof(op->who.user), "gpuvmd");
    op->apply = apply_bootstrap;
    op->arg = secret;
    r = gv_writer_run_now(d, op, err);
    r = r < 0 ? r : op->status == 201 ? 0 : gv_err_set(err, GV_E_IO, "bootstrap", "%s", op->body);
    op->arg = NULL;
    gv_op_free(op);
    if (r < 0)
        return r;
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || dprintf(fd, "%s\n", secret) < 0 || fsync(fd) < 0) {
        if (fd >= 0)
            close(fd);
        sodium_memzero(secret, sizeof(secret));
        return gv_err_set(err, GV_E_IO, path, "cannot write: %s", strerror(errno));
    }
    close(fd);
    sodium_memzero(secret, sizeof(secret));
    gv_log("info", "bootstrap", "user=admin token_file=%s", path);
    return 0;
}

int
gv_daemon_load(gv_daemon *d, gv_err *err)
{
    load_ctx l = {.d = d};
    gv_store_loader loader = {.ctx = &l,
                              .host = load_host,
                              .tenant = load_tenant,
                              .user = load_user,
                              .token = load_token,
                              .vm = NULL,
                              .idem = load_idem};
    GV_AUTOFREE char *pools = NULL;
    int r;

    d->vms = gv_strmap_new();
    d->vm_names = gv_strmap_new();
    d->tenants = gv_strmap_new();
    d->users = gv_strmap_new();
    d->tokens = gv_strmap_new();
    d->token_ids = gv_strmap_new();
    d->idem = gv_strmap_new();
    gv_place_config_init(&d->place_cfg);
    if ((r = load_catalog(d, err)) < 0 || (r = load_flavors(d, err)) < 0)
        return r;
    if (gv_mkdir_p(d->cfg.data_dir) < 0)
        return gv_err_set(err, GV_E_IO, d->cfg.data_dir, "cannot create: %s", strerror(errno));
    d->db_path = gv_asprintf("%s/gpuvm.db", d->cfg.data_dir);
    if ((r = gv_store_open(d->db_path, &d->store, err)) < 0 ||
        (r = gv_store_audit_head(d->store, &d->chain.seq, d->chain.head, err)) < 0 ||
        (r = load_audit_key(d, err)) < 0)
        return r;
    d->checkpoint_seq = d->chain.seq;
    d->checkpoint_ms = gv_daemon_now_ms();
    /* the fleet: pools first, then every host */
    pools = gv_store_meta_get(d->store, "pools");
    if (pools) {
        if ((r = gv_fleet_from_json(pools, strlen(pools), "store: pools", &l.fleet, err)) < 0)
            return r;
    } else {
        l.fleet = gv_fleet_new();
    }
    if ((r = gv_store_load(d->store, &loader, err)) < 0) {
        gv_fleet_free(l.fleet);
        free(l.sim);
        return r;
    }
    d->fleet = l.fleet;
    d->simulated = l.sim ? l.sim : gv_calloc(1, sizeof(bool));
    d->tally = gv_calloc(d->fleet->n_hosts ? d->fleet->n_hosts : 1, sizeof(gv_host_tally));
    if ((r = gv_fleet_check(d->fleet, err)) < 0 ||
        (r = engine_over(d, d->fleet, &d->engine, err)) < 0)
        return r;
    /* VMs last: they are restored into the engine */
    loader = (gv_store_loader){.ctx = &l, .vm = load_vm};
    if ((r = gv_store_load(d->store, &loader, err)) < 0)
        return r;
    if ((r = gv_daemon_check(d, err)) < 0)
        return r;
    if (gv_strmap_len(d->users) == 0 && (r = bootstrap(d, err)) < 0)
        return r;
    if (d->fleet->n_hosts == 0 && d->cfg.import_fleet) {
        gv_fleet *f = NULL;
        gv_op *op;

        if ((r = gv_fleet_file_load(d->cfg.import_fleet, d->catalog, &f, err)) < 0)
            return r;
        op = gv_daemon_import_op(f, true, d->cfg.import_fleet);
        snprintf(op->who.user, sizeof(op->who.user), "gpuvmd");
        r = gv_writer_run_now(d, op, err);
        if (r == 0 && op->status != 201)
            r = gv_err_set(err, GV_E_INVAL, d->cfg.import_fleet, "%s", op->body);
        gv_op_free(op);
        if (r < 0)
            return r;
    }
    gv_log("info", "state.loaded", "hosts=%zu vms=%zu tenants=%zu users=%zu audit_seq=%llu",
           d->fleet->n_hosts, gv_strmap_len(d->vms), gv_strmap_len(d->tenants),
           gv_strmap_len(d->users), (unsigned long long)d->chain.seq);
    return 0;
}

typedef struct check_ctx {
    const gv_daemon *d;
    gv_err *err;
    size_t held;
    int r;
} check_ctx;

static bool
check_vm(void *ctx, const char *key, void *value)
{
    check_ctx *c = ctx;
    const gv_vm_rec *vm = value;
    const gv_placement *p = gv_engine_find_vm(c->d->engine, vm->id);
    bool should_hold = vm->state != GV_VM_FAILED && vm->state != GV_VM_DELETED;

    (void)key;
    if (!!p != should_hold) {
        c->r = gv_err_set(c->err, GV_E_INTERNAL, "state", "VM %s is %s but %s resources", vm->id,
                          gv_vm_state_to_string(vm->state), p ? "holds" : "holds no");
        return false;
    }
    if (p && strcmp(p->host, vm->host)) {
        c->r = gv_err_set(c->err, GV_E_INTERNAL, "state", "VM %s is on %s but placed on %s", vm->id,
                          vm->host, p->host);
        return false;
    }
    c->held += p != NULL;
    return true;
}

static bool
check_token(void *ctx, const char *key, void *value)
{
    check_ctx *c = ctx;
    const gv_token_rec *t = value;

    (void)key;
    if (!gv_strmap_get(c->d->users, t->user) && !t->revoked_ms) {
        c->r = gv_err_set(c->err, GV_E_INTERNAL, "state", "token %s belongs to no user %s", t->id,
                          t->user);
        return false;
    }
    return true;
}

static bool
check_user(void *ctx, const char *key, void *value)
{
    check_ctx *c = ctx;
    const gv_user_rec *u = value;

    (void)key;
    if (u->p.tenant[0] && !gv_strmap_get(c->d->tenants, u->p.tenant)) {
        c->r = gv_err_set(c->err, GV_E_INTERNAL, "state", "user %s is in no tenant %s", u->p.user,
                          u->p.tenant);
        return false;
    }
    return true;
}

int
gv_daemon_check(const gv_daemon *d, gv_err *err)
{
    check_ctx c = {.d = d, .err = err};
    int r;

    if ((r = gv_engine_check(d->engine, err)) < 0)
        return r;
    gv_strmap_each(d->vms, check_vm, &c);
    if (c.r < 0)
        return c.r;
    if (c.held != gv_engine_n_vms(d->engine))
        return gv_err_set(err, GV_E_INTERNAL, "state", "the engine holds %zu VMs, the daemon %zu",
                          gv_engine_n_vms(d->engine), c.held);
    gv_strmap_each(d->token_ids, check_token, &c);
    if (c.r == 0)
        gv_strmap_each(d->users, check_user, &c);
    return c.r;
}

static bool
free_vm(void *ctx, const char *key, void *value)
{
    gv_vm_rec *vm = value;

    (void)ctx;
    (void)key;
    free(vm->json);
    free(vm);
    return true;
}

static bool
free_token(void *ctx, const char *key, void *value)
{
    gv_token_rec *t = value;

    (void)ctx;
    (void)key;
    free(t->description);
    free(t);
    return true;
}

static bool
free_idem(void *ctx, const char *key, void *value)
{
    gv_idem_rec *i = value;

    (void)ctx;
    (void)key;
    free(i->response);
    free(i);
    return true;
}

static bool
free_plain(void *ctx, const char *key, void *value)
{
    (void)ctx;
    (void)key;
    free(value);
    return true;
}

void
gv_daemon_free_state(gv_daemon *d)
{
    if (d->vms)
        gv_strmap_each(d->vms, free_vm, NULL);
    if (d->token_ids)
        gv_strmap_each(d->token_ids, free_token, NULL);
    if (d->idem)
        gv_strmap_each(d->idem, free_idem, NULL);
    if (d->tenants)
        gv_strmap_each(d->tenants, free_plain, NULL);
    if (d->users)
        gv_strmap_each(d->users, free_plain, NULL);
    if (d->flavors)
        gv_strmap_each(d->flavors, free_plain, NULL);
    gv_strmap_free(d->vms);
    gv_strmap_free(d->vm_names);
    gv_strmap_free(d->tenants);
    gv_strmap_free(d->users);
    gv_strmap_free(d->tokens);
    gv_strmap_free(d->token_ids);
    gv_strmap_free(d->idem);
    gv_strmap_free(d->flavors);
    free(d->flavor_list);
    gv_engine_free(d->engine);
    gv_fleet_free(d->fleet);
    gv_catalog_free(d->catalog);
    free(d->simulated);
    free(d->tally);
    gv_store_close(d->store);
    free(d->db_path);
    gv_audit_key_clear(&d->audit_key);
}
