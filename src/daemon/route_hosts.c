/*
 * route_hosts.c - /v1/hosts and /v1/fleet/import: list and get hosts (public summary or private
 * details by role), change a host's state, add hosts.
 *
 * A fleet import arrives as canonical fleet JSON: the CLI reads fleet YAML and its topology
 * files on the operator's machine and sends the result. The daemon never opens a file a client
 * names.
 */
#include <jansson.h>
#include <string.h>

#include "daemon/daemon.h"
#include "daemon/routes.h"
#include "gpuvm/alloc.h"
#include "util/enum_names.h"
#include "util/strbuf.h"

static bool
has_model(const gv_host *h, const char *model)
{
    for (size_t g = 0; g < h->n_gpus; g++)
        if (!strcmp(h->gpus[g].model, model))
            return true;
    return false;
}

static int
by_name_r(const void *a, const void *b, void *fleet)
{
    const gv_fleet *f = fleet;
    return strcmp(f->hosts[*(const size_t *)a]->name, f->hosts[*(const size_t *)b]->name);
}

void
gv_route_host_list(gv_call *c)
{
    const char *pool = gv_http_query(c->http, "pool"), *zone = gv_http_query(c->http, "zone");
    const char *state = gv_http_query(c->http, "state"), *model = gv_http_query(c->http, "model");
    bool priv = gv_policy_authorize(&c->who, GV_PERM_HOST_READ_PRIVATE, NULL).allow;
    GV_AUTOFREE size_t *order = NULL;
    gv_strbuf sb = {0};
    size_t n = 0;

    if (state && gv_host_state_from_string(state) < 0) {
        gv_call_error(c, 400, "bad_request", "{\"field\": \"state\"}",
                      "state: '%s' is not a host state", state);
        return;
    }
    gv_strbuf_append(&sb, "{\"hosts\":[");
    pthread_rwlock_rdlock(&c->d->lock);
    order = gv_calloc(c->d->fleet->n_hosts + 1, sizeof(size_t));
    for (size_t i = 0; i < c->d->fleet->n_hosts; i++)
        order[i] = i;
    qsort_r(order, c->d->fleet->n_hosts, sizeof(size_t), by_name_r, c->d->fleet);
    for (size_t k = 0; k < c->d->fleet->n_hosts; k++) {
        size_t i = order[k];
        const gv_host *h = c->d->fleet->hosts[i];
        GV_AUTOFREE char *j = NULL;

        if ((pool && strcmp(h->pool, pool)) || (zone && strcmp(h->zone, zone)) ||
            (state && strcmp(gv_host_state_to_string(h->state), state)) ||
            (model && !has_model(h, model)))
            continue;
        j = gv_json_take_dump(gv_host_summary_json(c->d, i, priv));
        if (n++)
            gv_strbuf_putc(&sb, ',');
        gv_strbuf_append(&sb, j);
    }
    pthread_rwlock_unlock(&c->d->lock);
    gv_strbuf_append(&sb, "]}");
    gv_call_json(c, 200, gv_strbuf_steal(&sb));
}

/* Index of host c->arg[0], or -1 after a 404. Caller holds the lock. */
static int
find_host(gv_call *c)
{
    long h = gv_fleet_host_index(c->d->fleet, c->arg[0]);

    if (h < 0)
        gv_call_error(c, 404, "not_found", NULL, "host '%s' does not exist", c->arg[0]);
    return (int)h;
}

typedef struct gpu_allocs {
    gv_call *c;
    int host;
    json_t *gpus; /* array by GPU index of {"allocations": [...]} */
} gpu_allocs;

static bool
add_allocs(void *ctx, const char *key, void *value)
{
    gpu_allocs *ga = ctx;
    const gv_vm_rec *vm = value;
    const gv_placement *p = gv_engine_find_vm(ga->c->d->engine, vm->id);
    bool mine;

    (void)key;
    if (!p || p->host_index != ga->host)
        return true;
    mine = gv_policy_authorize(&ga->c->who, GV_PERM_VM_READ, vm->tenant).allow;
    for (size_t i = 0; i < p->n_gpus; i++) {
        const gv_placed_gpu *g = &p->gpus[i];
        json_t *a = json_object_get(json_array_get(ga->gpus, (size_t)g->gpu), "allocations");
        json_t *o = json_pack("{s:s}", "mode", gv_gpu_mode_to_string(g->mode));

        /* another tenant's allocation shows its size, not whose it is */
        if (mine)
            json_object_set_new(o, "vm", json_string(vm->id));
        if (g->profile[0])
            json_object_set_new(o, "profile", json_string(g->profile));
        if (g->start >= 0)
            json_object_set_new(o, "start", json_integer(g->start));
        if (g->vgpu_type[0])
            json_object_set_new(o, "vgpu_type", json_string(g->vgpu_type));
        if (g->slot >= 0)
            json_object_set_new(o, "slot", json_integer(g->slot));
        if (g->milli)
            json_object_set_new(o, "milli", json_integer(g->milli));
        json_array_append_new(a, o);
    }
    return true;
}

void
gv_route_host_get(gv_call *c)
{
    bool priv = gv_policy_authorize(&c->who, GV_PERM_HOST_READ_PRIVATE, NULL).allow;
    gpu_allocs ga = {.c = c, .gpus = json_array()};
    json_t *o;
    int h;

    pthread_rwlock_rdlock(&c->d->lock);
    if ((h = find_host(c)) < 0) {
        pthread_rwlock_unlock(&c->d->lock);
        json_decref(ga.gpus);
        return;
    }
    {
        const gv_host *host = c->d->fleet->hosts[h];

        o = gv_host_summary_json(c->d, (size_t)h, priv);
        for (size_t g = 0; g < host->n_gpus; g++) {
            gv_gpu_usage u;
            json_t *gj;

            gv_engine_gpu_usage(c->d->engine, (size_t)h, (int)g, &u);
            gj =
                json_pack("{s:i, s:s, s:s, s:i, s:[], s:I, s:I}", "index", (int)g, "model",
                          host->gpus[g].model, "mode", gv_gpu_mode_to_string(u.mode), "numa",
                          host->gpus[g].numa, "allocations", "free_milli", (json_int_t)u.free_milli,
                          "stranded_milli", (json_int_t)u.stranded_milli);
            if (u.n_mig) {
                json_t *mig = json_object();

                for (size_t k = 0; k < u.n_mig; k++)
                    json_object_set_new(mig, u.mig[k].profile, json_integer(u.mig[k].free));
                json_object_set_new(gj, "mig_free", mig);
            }
            if (priv)
                json_object_set_new(gj, "pci", json_string(host->gpus[g].pci));
            json_array_append_new(ga.gpus, gj);
        }
        ga.host = h;
        gv_strmap_each(c->d->vms, add_allocs, &ga);
        json_object_set_new(o, "gpus", ga.gpus);
        if (priv) {
            gv_fleet one = {.n_hosts = 1, .hosts = &c->d->fleet->hosts[h]};
            GV_AUTOFREE char *topo = gv_fleet_to_json(&one);
            json_t *t = json_loads(topo, 0, NULL);

            json_object_set_new(o, "topology",
                                json_incref(json_array_get(json_object_get(t, "hosts"), 0)));
            json_decref(t);
        }
    }
    pthread_rwlock_unlock(&c->d->lock);
    gv_call_json(c, 200, gv_json_take_dump(json_pack("{s:o}", "host", o)));
}

/* ---- state --------------------------------------------------------------------------------- */

typedef struct state_arg {
    char host[GV_REQ_NAME_LEN * 2];
    gv_host_state to;
} state_arg;

/* The row of host @h as stored: its canonical one-host fleet JSON. */
int
gv_daemon_store_host(gv_daemon *d, const gv_host *h, bool simulated, gv_err *err)
{
    gv_host *hosts[1] = {(gv_host *)h};
    gv_fleet one = {.n_hosts = 1, .hosts = hosts};
    GV_AUTOFREE char *json = gv_fleet_to_json(&one);
    gv_store_host row = {
        .name = h->name, .json = json, .simulated = simulated, .updated_ms = gv_daemon_now_ms()};

    return gv_store_put_host(d->store, &row, err);
}

static int
apply_state(gv_daemon *d, gv_op *op, gv_err *err)
{
    state_arg *a = op->arg;
    long hi = gv_fleet_host_index(d->fleet, a->host);
    gv_host_state from;
    GV_AUTOFREE char *obj = gv_asprintf("host/%s", a->host);
    GV_AUTOFREE char *det = NULL;

    if (hi < 0) {
        gv_op_error(op, 404, "not_found", NULL, "host '%s' does not exist", a->host);
        return 0;
    }
    from = d->fleet->hosts[hi]->state;
    det = gv_asprintf("{\"from\":\"%s\",\"to\":\"%s\"}", gv_host_state_to_string(from),
                      gv_host_state_to_string(a->to));
    /* through the engine, the one writer of a host's state; undone the same way */
    gv_engine_set_host_state(d->engine, a->host, a->to, NULL);
    if (gv_daemon_store_host(d, d->fleet->hosts[hi], d->simulated[hi], err) < 0 ||
        gv_daemon_audit_append(d, &op->who, NULL, "host.state", obj, det, err) < 0) {
        gv_engine_set_host_state(d->engine, a->host, from, NULL);
        return -GV_E_IO;
    }
    gv_log("info", "host.state", "host=%s from=%s to=%s actor=%s", a->host,
           gv_host_state_to_string(from), gv_host_state_to_string(a->to), op->who.user);
    gv_op_answer(op, 200,
                 gv_asprintf("{\"host\":{\"name\":\"%s\",\"state\":\"%s\"}}", a->host,
                             gv_host_state_to_string(a->to)));
    return 0;
}

static void
submit_state(gv_call *c, gv_host_state to)
{
    state_arg *a = GV_NEW0(state_arg);

    snprintf(a->host, sizeof(a->host), "%s", c->arg[0]);
    a->to = to;
    gv_call_submit(c, gv_op_new(c, apply_state, a, free));
}

void
gv_route_host_cordon(gv_call *c)
{
    submit_state(c, GV_HOST_CORDONED);
}

void
gv_route_host_uncordon(gv_call *c)
{
    submit_state(c, GV_HOST_READY);
}

void
gv_route_host_set_state(gv_call *c)
{
    size_t len;
    const char *body = gv_http_body(c->http, &len);
    json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
    const char *s = json_string_value(json_object_get(o, "state"));
    int st = s ? gv_host_state_from_string(s) : -1;

    if (!json_is_object(o) || json_object_size(o) != 1 || st < 0) {
        char names[128];
        json_decref(o);
        gv_call_error(c, 400, "invalid_argument", "{\"field\": \"state\"}",
                      "state: expected one of %s",
                      gv_enum_list(gv_host_state_names, names, sizeof(names)));
        return;
    }
    json_decref(o);
    submit_state(c, (gv_host_state)st);
}
