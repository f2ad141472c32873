/*
 * route_vms.c - /v1/vms: create (with idempotency keys), get, list, stop, start, delete, the
 * domain XML; and /v1/placements/explain.
 *
 * A create is parsed and authorised in the HTTP thread; placing it, recording it and auditing
 * it happen in the writer, in that order, so a store failure can still release the placement
 * before anything else saw it. Every device the placement assigns gets an audit record of its
 * own (gpu.assign / vf.assign), and every one a deletion gives back a release record.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/place/place_json.h"
#include "daemon/daemon.h"
#include "daemon/routes.h"
#include "gpuvm/alloc.h"
#include "util/strbuf.h"

#define IDEM_KEY_MAX 128

typedef struct create_arg {
    gv_request req; /* name: the VM id; the client's name below */
    char name[GV_REQ_NAME_LEN];
} create_arg;

/* The request of a create or explain body: "flavor" (optional) under the body's fields. */
static int
parse_request(gv_call *c, gv_request *ret, gv_err *err)
{
    size_t len;
    const char *body = gv_http_body(c->http, &len);
    json_error_t jerr;
    json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    gv_request flavor;
    const gv_request *base = &flavor;
    char *rest;
    int r;

    gv_request_init(&flavor);
    if (!o || !json_is_object(o)) {
        json_decref(o);
        return gv_err_set(err, GV_E_PARSE, "body", "expected a JSON object%s%s", o ? "" : ": ",
                          o ? "" : jerr.text);
    }
    if (json_object_get(o, "flavor")) {
        const char *name = json_string_value(json_object_get(o, "flavor"));
        const gv_request *f = name ? gv_strmap_get(c->d->flavors, name) : NULL;

        if (!f) {
            r = gv_err_set(err, GV_E_INVAL, "flavor", "'%s' is not a flavor (%s)",
                           name ? name : "(not a string)", c->d->flavor_list);
            json_decref(o);
            return r;
        }
        flavor = *f;
        json_object_del(o, "flavor");
    }
    rest = json_dumps(o, 0);
    json_decref(o);
    r = gv_request_parse_json(rest, strlen(rest), "body", base, ret, err);
    free(rest);
    return r;
}

/* Tenant roles act in their own tenant: a request without one is put there. Platform roles
 * must say which. */
static void
default_tenant(gv_call *c, gv_request *r)
{
    if (gv_role_is_tenant(c->who.role) && !r->tenant[0])
        snprintf(r->tenant, sizeof(r->tenant), "%s", c->who.tenant);
}

/* ---- create -------------------------------------------------------------------------------- */

static char *
device_details(const gv_vm_rec *vm, const gv_placed_gpu *g)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "vm", vm->id, "name", vm->name, "mode",
                          gv_gpu_mode_to_string(g->mode), "model", g->model);

    if (g->profile[0])
        json_object_set_new(o, "profile", json_string(g->profile));
    if (g->start >= 0)
        json_object_set_new(o, "start", json_integer(g->start));
    if (g->vgpu_type[0])
        json_object_set_new(o, "vgpu_type", json_string(g->vgpu_type));
    if (g->slot >= 0)
        json_object_set_new(o, "slot", json_integer(g->slot));
    if (g->vf_pci[0])
        json_object_set_new(o, "vf", json_string(g->vf_pci));
    if (g->milli)
        json_object_set_new(o, "milli", json_integer(g->milli));
    return gv_json_take_dump(o);
}

/* gpu.assign / vf.assign records (@verb "assign") or their release records. */
static int
audit_devices(gv_daemon *d, const gv_principal *who, const gv_vm_rec *vm, const gv_placement *p,
              const char *verb, gv_err *err)
{
    for (size_t i = 0; i < p->n_gpus; i++) {
        GV_AUTOFREE char *obj = gv_asprintf("host/%s/gpu/%s", p->host, p->gpus[i].pci);
        GV_AUTOFREE char *det = device_details(vm, &p->gpus[i]);
        GV_AUTOFREE char *action = gv_asprintf("gpu.%s", verb);

        if (gv_daemon_audit_append(d, who, vm->tenant, action, obj, det, err) < 0)
            return -GV_E_IO;
    }
    for (size_t i = 0; i < p->n_vfs; i++) {
        GV_AUTOFREE char *obj =
            gv_asprintf("host/%s/nic/%s/vf/%d", p->host, p->vfs[i].pf_pci, p->vfs[i].vf);
        GV_AUTOFREE char *det = gv_asprintf("{\"name\":\"%s\",\"vm\":\"%s\"}", vm->name, vm->id);
        GV_AUTOFREE char *action = gv_asprintf("vf.%s", verb);

        if (gv_daemon_audit_append(d, who, vm->tenant, action, obj, det, err) < 0)
            return -GV_E_IO;
    }
    return 0;
}

/* The VM's row with @placement (gv_vm_render's). */
static int
store_vm(gv_daemon *d, const gv_vm_rec *vm, const char *placement, gv_err *err)
{
    gv_store_vm row = {.id = vm->id,
                       .name = vm->name,
                       .tenant = vm->tenant,
                       .state = gv_vm_state_to_string(vm->state),
                       .host = vm->host,
                       .placement = placement,
                       .created_ms = vm->created_ms,
                       .updated_ms = vm->updated_ms};

    return gv_store_put_vm(d->store, &row, err);
}

static int
apply_create(gv_daemon *d, gv_op *op, gv_err *err)
{
    create_arg *a = op->arg;
    GV_AUTOFREE char *name_key = gv_daemon_key(a->req.tenant, a->name);
    gv_place_result res = {0};
    gv_vm_rec *vm;
    gv_err perr = {0};
    int64_t t0;
    int r;

    if (!gv_strmap_get(d->tenants, a->req.tenant)) {
        gv_op_error(op, 400, "invalid_argument", "{\"field\": \"tenant\"}",
                    "tenant: '%s' does not exist", a->req.tenant);
        return 0;
    }
    if (gv_strmap_get(d->vm_names, name_key)) {
        gv_op_error(op, 409, "conflict", "{\"field\": \"name\"}",
                    "tenant '%s' has a VM named '%s' already", a->req.tenant, a->name);
        return 0;
    }
    t0 = gv_daemon_now_us();
    r = gv_engine_place(d->engine, &a->req, GV_PLACE_EXPLAIN, &res, &perr);
    gv_histogram_observe(&d->place_latency, gv_daemon_now_us() - t0);
    if (r < 0) {
        GV_AUTOFREE char *det = gv_asprintf("{\"field\": \"%s\"}", perr.where);
        gv_op_error(op, r == -GV_E_CONFLICT ? 409 : 400,
                    r == -GV_E_CONFLICT ? "conflict" : "invalid_argument", det, "%s: %s",
                    perr.where, perr.msg);
        return 0;
    }
    if (r == 0) {
        GV_AUTOFREE char *det =
            gv_json_take_dump(json_pack("{s:o}", "explain", gv_explain_json(&res.explain)));

        gv_op_error(op, 409, "no_capacity", det, "no host can take VM '%s'", a->name);
        gv_place_result_clear(&res);
        return 0;
    }
    vm = GV_NEW0(gv_vm_rec);
    snprintf(vm->id, sizeof(vm->id), "%s", a->req.name);
    snprintf(vm->name, sizeof(vm->name), "%s", a->name);
    snprintf(vm->tenant, sizeof(vm->tenant), "%s", a->req.tenant);
    snprintf(vm->host, sizeof(vm->host), "%s", res.placement.host);
    vm->state = d->simulated[res.placement.host_index] ? GV_VM_RUNNING : GV_VM_PENDING;
    vm->created_ms = vm->updated_ms = gv_daemon_now_ms();
    {
        GV_AUTOFREE char *det = gv_asprintf("{\"host\":\"%s\",\"name\":\"%s\",\"state\":\"%s\"}",
                                            vm->host, vm->name, gv_vm_state_to_string(vm->state));
        GV_AUTOFREE char *obj = gv_asprintf("vm/%s", vm->id);
        GV_AUTOFREE char *placement = NULL;

        gv_vm_render(d, vm, &placement);
        if (store_vm(d, vm, placement, err) < 0 ||
            gv_daemon_audit_append(d, &op->who, vm->tenant, "vm.create", obj, det, err) < 0 ||
            audit_devices(d, &op->who, vm, &res.placement, "assign", err) < 0) {
            gv_engine_release(d->engine, vm->id, NULL);
            gv_place_result_clear(&res);
            free(vm->json);
            free(vm);
            return -GV_E_IO;
        }
    }
    gv_host_tally_apply(d, &res.placement, 1);
    gv_strmap_put(d->vms, vm->id, vm);
    gv_strmap_put(d->vm_names, name_key, vm);
    gv_log("info", "vm.create", "vm=%s name=%s tenant=%s host=%s actor=%s", vm->id, vm->name,
           vm->tenant, vm->host, op->who.user);
    gv_op_answer(op, 201, gv_strdup(vm->json));
    gv_place_result_clear(&res);
    return 0;
}

static bool
idem_replay(gv_call *c, const char *key, const uint8_t hash[GV_STORE_TOKEN_HASH_LEN])
{
    GV_AUTOFREE char *k = gv_daemon_key(c->who.user, key);
    const gv_idem_rec *rec;
    bool done = false;

    pthread_rwlock_rdlock(&c->d->lock);
    rec = gv_strmap_get(c->d->idem, k);
    if (rec && sodium_memcmp(rec->body_hash, hash, GV_STORE_TOKEN_HASH_LEN) != 0) {
        gv_call_error(c, 409, "conflict", "{\"field\": \"Idempotency-Key\"}",
                      "Idempotency-Key '%s' was used with another body", key);
        done = true;
    } else if (rec) {
        gv_http_add_header(c->http, "Idempotent-Replayed", "true");
        gv_call_json(c, rec->status, gv_strdup(rec->response));
        done = true;
    }
    pthread_rwlock_unlock(&c->d->lock);
    return done;
}

void
gv_route_vm_create(gv_call *c)
{
    create_arg *a = GV_NEW0(create_arg);
    const char *key = gv_http_header(c->http, "Idempotency-Key");
    uint8_t hash[GV_STORE_TOKEN_HASH_LEN];
    gv_err err = {0};
    gv_op *op;

    if (parse_request(c, &a->req, &err) < 0) {
        free(a);
        gv_call_gv_error(c, &err);
        return;
    }
    if (!gv_name_valid(a->req.name, true)) {
        free(a);
        gv_call_error(c, 400, "invalid_argument", "{\"field\": \"name\"}",
                      "name: 1-63 of A-Z, a-z, 0-9, '-', '_', '.'");
        return;
    }
    default_tenant(c, &a->req);
    if (!a->req.tenant[0]) {
        free(a);
        gv_call_error(c, 400, "invalid_argument", "{\"field\": \"tenant\"}",
                      "tenant: required for a %s", gv_role_to_string(c->who.role));
        return;
    }
    if (!gv_call_allow(c, GV_PERM_VM_WRITE, a->req.tenant, false)) {
        free(a);
        return;
    }
    if (key) {
        size_t len;
        const char *body = gv_http_body(c->http, &len);
        bool ok = strlen(key) >= 1 && strlen(key) <= IDEM_KEY_MAX;

        for (const char *k = key; ok && *k; k++)
            ok = *k > 0x20 && *k < 0x7f;
        if (!ok) {
            free(a);
            gv_call_error(c, 400, "invalid_argument", "{\"field\": \"Idempotency-Key\"}",
                          "Idempotency-Key: 1 to %d printable characters", IDEM_KEY_MAX);
            return;
        }
        crypto_generichash(hash, sizeof(hash), (const unsigned char *)body, len, NULL, 0);
        if (idem_replay(c, key, hash)) {
            free(a);
            return;
        }
    }
    snprintf(a->name, sizeof(a->name), "%s", a->req.name);
    gv_random_id("vm-", a->req.name);
    op = gv_op_new(c, apply_create, a, free);
    if (key) {
        op->idem_key = gv_strdup(key);
        memcpy(op->idem_hash, hash, sizeof(hash));
    }
    gv_call_submit(c, op);
}

/* ---- read ---------------------------------------------------------------------------------- */

/* The VM @c->arg[0] if the caller may see it (else an answer is given and NULL returned).
 * Caller holds the read or write lock. */
static gv_vm_rec *
visible_vm(gv_call *c, gv_perm perm)
{
    gv_vm_rec *vm = gv_strmap_get(c->d->vms, c->arg[0]);

    if (!vm) {
        gv_call_error(c, 404, "not_found", NULL, "VM '%s' does not exist", c->arg[0]);
        return NULL;
    }
    /* another tenant's VM is not found, not forbidden */
    if (!gv_policy_authorize(&c->who, GV_PERM_VM_READ, vm->tenant).allow) {
        gv_call_error(c, 404, "not_found", NULL, "VM '%s' does not exist", c->arg[0]);
        return NULL;
    }
    if (!gv_call_allow(c, perm, vm->tenant, false))
        return NULL;
    return vm;
}

void
gv_route_vm_get(gv_call *c)
{
    const gv_vm_rec *vm;

    pthread_rwlock_rdlock(&c->d->lock);
    if ((vm = visible_vm(c, GV_PERM_VM_READ)))
        gv_call_json(c, 200, gv_strdup(vm->json));
    pthread_rwlock_unlock(&c->d->lock);
}

void
gv_route_vm_xml(gv_call *c)
{
    const gv_vm_rec *vm;

    pthread_rwlock_rdlock(&c->d->lock);
    if ((vm = visible_vm(c, GV_PERM_VM_READ))) {
        const gv_placement *p = gv_engine_find_vm(c->d->engine, vm->id);

        if (!p)
            gv_call_error(c, 409, "conflict", NULL, "VM '%s' holds no resources (%s)", vm->id,
                          gv_vm_state_to_string(vm->state));
        else
            gv_http_respond(c->http, 200, "application/xml",
                            gv_placement_to_libvirt_xml(p, c->d->fleet->hosts[p->host_index], 0));
    }
    pthread_rwlock_unlock(&c->d->lock);
}

typedef struct list_ctx {
    gv_call *c;
    const char *tenant, *host, *state, *klass, *name;
    size_t n;
    const gv_vm_rec **vms;
} list_ctx;

static bool
list_one(void *ctx, const char *key, void *value)
{
    list_ctx *l = ctx;
    const gv_vm_rec *vm = value;

    (void)key;
    if ((l->tenant && strcmp(vm->tenant, l->tenant)) || (l->host && strcmp(vm->host, l->host)) ||
        (l->state && strcmp(gv_vm_state_to_string(vm->state), l->state)) ||
        (l->name && strcmp(vm->name, l->name)))
        return true;
    if (l->klass) {
        const gv_placement *p = gv_engine_find_vm(l->c->d->engine, vm->id);
        if (!p || strcmp(gv_workload_class_to_string(p->request.class), l->klass))
            return true;
    }
    if (!gv_policy_authorize(&l->c->who, GV_PERM_VM_READ, vm->tenant).allow)
        return true;
    *GV_ARRAY_APPEND(l->vms, l->n) = vm;
    return true;
}

static int
by_tenant_name(const void *a, const void *b)
{
    const gv_vm_rec *x = *(const gv_vm_rec *const *)a, *y = *(const gv_vm_rec *const *)b;
    int r = strcmp(x->tenant, y->tenant);

    return r ? r : strcmp(x->name, y->name);
}

void
gv_route_vm_list(gv_call *c)
{
    list_ctx l = {.c = c,
                  .tenant = gv_http_query(c->http, "tenant"),
                  .host = gv_http_query(c->http, "host"),
                  .state = gv_http_query(c->http, "state"),
                  .klass = gv_http_query(c->http, "class"),
                  .name = gv_http_query(c->http, "name")};
    gv_strbuf sb = {0};

    if (l.state && gv_vm_state_from_string(l.state) < 0) {
        gv_call_error(c, 400, "bad_request", "{\"field\": \"state\"}",
                      "state: '%s' is not a VM state", l.state);
        return;
    }
    pthread_rwlock_rdlock(&c->d->lock);
    gv_strmap_each(c->d->vms, list_one, &l);
    if (l.n)
        qsort(l.vms, l.n, sizeof(*l.vms), by_tenant_name);
    gv_strbuf_append(&sb, "{\"vms\":[");
    for (size_t i = 0; i < l.n; i++) {
        /* each cached {"vm":X} contributes its X */
        const char *j = l.vms[i]->json;
        size_t len = strlen(j);

        if (i)
            gv_strbuf_putc(&sb, ',');
        gv_strbuf_append_len(&sb, j + 6, len - 7);
    }
    gv_strbuf_append(&sb, "]}");
    pthread_rwlock_unlock(&c->d->lock);
    free(l.vms);
    gv_call_json(c, 200, gv_strbuf_steal(&sb));
}

/* ---- stop, start, delete ------------------------------------------------------------------- */

typedef struct change_arg {
    char id[GV_ID_LEN];
    gv_vm_state to; /* GV_VM_DELETED: delete */
} change_arg;

static bool
transition_ok(gv_vm_state from, gv_vm_state to)
{
    switch (to) {
    case GV_VM_STOPPED:
        return from == GV_VM_RUNNING;
    case GV_VM_RUNNING:
        return from == GV_VM_STOPPED;
    case GV_VM_DELETED:
        return from != GV_VM_DELETED;
    default:
        return false;
    }
}

static int
apply_change(gv_daemon *d, gv_op *op, gv_err *err)
{
    change_arg *a = op->arg;
    gv_vm_rec *vm = gv_strmap_get(d->vms, a->id);
    GV_AUTOFREE char *obj = gv_asprintf("vm/%s", a->id);
    GV_AUTOFREE char *det = NULL;
    const gv_placement *p;
    gv_vm_state from;

    /* checked again here: another op of the same group may have changed it */
    if (!vm || !gv_policy_authorize(&op->who, GV_PERM_VM_WRITE, vm->tenant).allow) {
        gv_op_error(op, 404, "not_found", NULL, "VM '%s' does not exist", a->id);
        return 0;
    }
    from = vm->state;
    if (!transition_ok(from, a->to)) {
        GV_AUTOFREE char *d2 = gv_asprintf("{\"state\": \"%s\"}", gv_vm_state_to_string(from));
        gv_op_error(op, 409, "conflict", d2, "VM '%s' is %s", vm->name,
                    gv_vm_state_to_string(from));
        return 0;
    }
    det = gv_asprintf("{\"from\":\"%s\",\"name\":\"%s\",\"to\":\"%s\"}",
                      gv_vm_state_to_string(from), vm->name, gv_vm_state_to_string(a->to));
    if (a->to != GV_VM_DELETED) {
        int64_t prev = vm->updated_ms;

        vm->state = a->to;
        vm->updated_ms = gv_daemon_now_ms();
        if (gv_store_set_vm_state(d->store, vm->id, gv_vm_state_to_string(vm->state),
                                  vm->updated_ms, err) < 0 ||
            gv_daemon_audit_append(d, &op->who, vm->tenant,
                                   a->to == GV_VM_STOPPED ? "vm.stop" : "vm.start", obj, det,
                                   err) < 0) {
            vm->state = from;
            vm->updated_ms = prev;
            return -GV_E_IO;
        }
        gv_vm_render(d, vm, NULL);
        gv_op_answer(op, 200, gv_strdup(vm->json));
        return 0;
    }
    p = gv_engine_find_vm(d->engine, vm->id);
    if (gv_store_delete_vm(d->store, vm->id, err) < 0 ||
        gv_daemon_audit_append(d, &op->who, vm->tenant, "vm.delete", obj, det, err) < 0 ||
        (p && audit_devices(d, &op->who, vm, p, "release", err) < 0))
        return -GV_E_IO;
    if (p) {
        gv_host_tally_apply(d, p, -1);
        gv_engine_release(d->engine, vm->id, NULL);
    }
    vm->state = GV_VM_DELETED;
    vm->updated_ms = gv_daemon_now_ms();
    gv_vm_render(d, vm, NULL);
    gv_op_answer(op, 200, GV_STEAL_PTR(vm->json));
    gv_strmap_remove(d->vms, vm->id);
    {
        GV_AUTOFREE char *name_key = gv_daemon_key(vm->tenant, vm->name);
        gv_strmap_remove(d->vm_names, name_key);
    }
    gv_log("info", "vm.delete", "vm=%s name=%s tenant=%s host=%s actor=%s", vm->id, vm->name,
           vm->tenant, vm->host, op->who.user);
    free(vm);
    return 0;
}

static void
vm_change(gv_call *c, gv_vm_state to)
{
    change_arg *a;
    bool ok;

    pthread_rwlock_rdlock(&c->d->lock);
    ok = visible_vm(c, GV_PERM_VM_WRITE) != NULL;
    pthread_rwlock_unlock(&c->d->lock);
    if (!ok)
        return;
    a = GV_NEW0(change_arg);
    snprintf(a->id, sizeof(a->id), "%s", c->arg[0]);
    a->to = to;
    gv_call_submit(c, gv_op_new(c, apply_change, a, free));
}

void
gv_route_vm_stop(gv_call *c)
{
    vm_change(c, GV_VM_STOPPED);
}

void
gv_route_vm_start(gv_call *c)
{
    vm_change(c, GV_VM_RUNNING);
}

void
gv_route_vm_delete(gv_call *c)
{
    vm_change(c, GV_VM_DELETED);
}

/* ---- explain ------------------------------------------------------------------------------- */

static int
apply_explain(gv_daemon *d, gv_op *op, gv_err *err)
{
    gv_request *r = op->arg;
    gv_place_result res = {0};
    gv_err perr = {0};
    int rc;
    json_t *o;

    (void)err;
    rc = gv_engine_place(d->engine, r, GV_PLACE_EXPLAIN | GV_PLACE_DRY_RUN, &res, &perr);
    if (rc < 0) {
        GV_AUTOFREE char *det = gv_asprintf("{\"field\": \"%s\"}", perr.where);
        gv_op_error(op, 400, "invalid_argument", det, "%s: %s", perr.where, perr.msg);
        return 0;
    }
    o = rc ? gv_placement_doc_json(&res.placement, &res.explain) : json_object();
    json_object_set_new(o, "placed", json_boolean(rc == 1));
    if (!rc)
        json_object_set_new(o, "explain", gv_explain_json(&res.explain));
    gv_op_answer(op, 200, gv_json_take_dump(o));
    gv_place_result_clear(&res);
    return 0;
}

void
gv_route_placement_explain(gv_call *c)
{
    gv_request *r = GV_NEW0(gv_request);
    gv_err err = {0};

    if (parse_request(c, r, &err) < 0) {
        free(r);
        gv_call_gv_error(c, &err);
        return;
    }
    default_tenant(c, r);
    if (gv_role_is_tenant(c->who.role) &&
        !gv_call_allow(c, GV_PERM_PLACEMENT_EXPLAIN, r->tenant, false)) {
        free(r);
        return;
    }
    /* a dry run needs a name the engine does not hold */
    gv_random_id("explain-", r->name);
    gv_call_submit(c, gv_op_new(c, apply_explain, r, free));
}
