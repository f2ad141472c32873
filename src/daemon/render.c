/*
 * render.c - the JSON the API serves for VMs and hosts.
 *
 * A VM's JSON is rendered once per change and kept (gv_vm_rec.json), so a GET copies a string
 * under the read lock instead of walking its placement: reads are the hot path.
 */
#include <jansson.h>
#include <string.h>

#include "core/place/place_json.h"
#include "daemon/daemon.h"
#include "gpuvm/alloc.h"

static const char *const vm_state_names[GV_VM_STATE_LAST] = {
    [GV_VM_PENDING] = "pending", [GV_VM_RUNNING] = "running", [GV_VM_STOPPED] = "stopped",
    [GV_VM_FAILED] = "failed",   [GV_VM_DELETED] = "deleted",
};

const char *
gv_vm_state_to_string(gv_vm_state s)
{
    return (unsigned)s < GV_VM_STATE_LAST ? vm_state_names[s] : "invalid";
}

int
gv_vm_state_from_string(const char *s)
{
    for (int i = 0; s && i < GV_VM_STATE_LAST; i++)
        if (!strcmp(vm_state_names[i], s))
            return i;
    return -1;
}

char *
gv_json_take_dump(json_t *o)
{
    char *s = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);

    json_decref(o);
    return s;
}

void
gv_vm_render(gv_daemon *d, gv_vm_rec *vm, char **ret_placement)
{
    const gv_placement *p = gv_engine_find_vm(d->engine, vm->id);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "id", vm->id, "name", vm->name,
                          "tenant", vm->tenant, "state", gv_vm_state_to_string(vm->state), "host",
                          vm->host, "created_ms", (json_int_t)vm->created_ms, "updated_ms",
                          (json_int_t)vm->updated_ms);

    if (p) {
        /* one rendering of the placement serves the VM's JSON and the store's row */
        json_t *pj = gv_placement_json(p);
        json_t *rq = json_deep_copy(json_object_get(pj, "request"));

        /* the engine knows the VM by its id; the client by its name */
        json_object_set_new(rq, "name", json_string(vm->name));
        json_object_set_new(o, "request", rq);
        json_object_set_new(o, "placement", pj);
        if (ret_placement)
            *ret_placement = gv_json_take_dump(json_pack("{s:O}", "placement", pj));
    } else if (ret_placement) {
        *ret_placement = gv_strdup("");
    }
    free(vm->json);
    vm->json = gv_json_take_dump(json_pack("{s:o}", "vm", o));
}

void
gv_host_tally_apply(gv_daemon *d, const gv_placement *p, int sign)
{
    gv_host_tally *t;

    if (p->host_index < 0 || (size_t)p->host_index >= d->fleet->n_hosts)
        return;
    t = &d->tally[p->host_index];
    t->vms += (uint32_t)sign;
    t->vcpus += sign * p->request.vcpus;
    t->memory_mib += sign * p->request.memory_mib;
}

json_t *
gv_host_summary_json(const gv_daemon *d, size_t h, bool private_details)
{
    const gv_host *host = d->fleet->hosts[h];
    const gv_host_tally *t = &d->tally[h];
    json_t *o = json_object(), *models = json_object();

    json_object_set_new(o, "name", json_string(host->name));
    json_object_set_new(o, "pool", json_string(host->pool ? host->pool : ""));
    json_object_set_new(o, "zone", json_string(host->zone ? host->zone : ""));
    json_object_set_new(o, "state", json_string(gv_host_state_to_string(host->state)));
    json_object_set_new(o, "simulated", json_boolean(d->simulated[h]));
    json_object_set_new(o, "gpus_total", json_integer((json_int_t)host->n_gpus));
    for (size_t g = 0; g < host->n_gpus; g++) {
        json_t *c = json_object_get(models, host->gpus[g].model);
        json_object_set_new(models, host->gpus[g].model,
                            json_integer(c ? json_integer_value(c) + 1 : 1));
    }
    json_object_set_new(o, "models", models);
    json_object_set_new(o, "vcpus_total", json_integer((json_int_t)gv_host_n_cpus(host)));
    json_object_set_new(o, "memory_mib_total", json_integer(gv_host_memory_mib(host)));
    json_object_set_new(o, "vms", json_integer(t->vms));
    json_object_set_new(o, "vcpus_allocated", json_integer(t->vcpus));
    json_object_set_new(o, "memory_mib_allocated", json_integer(t->memory_mib));
    if (private_details)
        json_object_set_new(o, "hypervisor_uri",
                            json_string(host->hypervisor_uri ? host->hypervisor_uri : ""));
    return o;
}
