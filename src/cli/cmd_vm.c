/*
 * cmd_vm.c - `gpuvm vm create|get|list|stop|start|delete|xml`: the VMs of a gpuvmd
 * (/v1/vms). Where a VM is named, its id ("vm-...") or its name will do: a name is looked up
 * with GET /v1/vms?name= (and --tenant).
 */
#include <stdio.h>
#include <string.h>

#include "cli/remote.h"
#include "gpuvm/alloc.h"

#define IDEM_KEY_MAX 128 /* docs/api.md: 1-128 printable characters */

static void
usage(FILE *f)
{
    fprintf(f, "usage: gpuvm vm create NAME [--flavor F] [--request FILE] [--tenant T]\n"
               "                            [--idempotency-key K]\n"
               "       gpuvm vm list [--tenant T] [--host H] [--state S] [--class C]\n"
               "       gpuvm vm get|stop|start|delete|xml VM [--tenant T]\n"
               "\n"
               "The VMs of a gpuvmd server. VM is an id (vm-...) or a name; a name taken in\n"
               "several tenants needs --tenant (and a name that starts with vm- is an id).\n"
               "\n"
               "  create      place and start a VM: the flavor's fields (the server's\n"
               "              data/flavors/F.yaml: training, inference, notebook), the request\n"
               "              file's over them. The file is read here: JSON is sent as written;\n"
               "              YAML is checked here and sent whole, over the local flavor F\n"
               "  list        the VMs (ID NAME TENANT STATE HOST GPUS), filtered\n"
               "  get         one VM: where it runs and what it holds\n"
               "  stop        running to stopped (it keeps its resources)\n"
               "  start       stopped to running\n"
               "  delete      release everything the VM holds\n"
               "  xml         the libvirt domain XML the host agent defines\n"
               "  --tenant T             the tenant (platform roles must give it to create)\n"
               "  --idempotency-key K    a retry with the same key returns the first answer\n"
               "\n"
               "Nothing fits: exit 1 with the reasons and how many hosts each ruled out.\n"
               "\n" GV_REMOTE_USAGE_GLOBAL);
}

/* "/v1/vms/ID[SUFFIX]". Caller frees. */
static char *
vm_path(const char *id, const char *suffix)
{
    gv_strbuf sb = {0};

    gv_strbuf_append(&sb, "/v1/vms/");
    gv_remote_escape(&sb, id);
    gv_strbuf_append(&sb, suffix);
    return gv_strbuf_steal(&sb);
}

/* "vm-... (NAME, tenant T): STATE on HOST, GPUs G" */
static void
print_vm_line(const char *verb, const json_t *vm)
{
    GV_AUTOFREE char *gpus = gv_remote_gpus_text(json_object_get(vm, "placement"));

    printf("%s%s (%s, tenant %s): %s", verb, gv_remote_str(vm, "id"), gv_remote_str(vm, "name"),
           gv_remote_str(vm, "tenant"), gv_remote_str(vm, "state"));
    if (*gv_remote_str(vm, "host"))
        printf(" on %s", gv_remote_str(vm, "host"));
    if (strcmp(gpus, "-"))
        printf(", GPUs %s", gpus);
    putchar('\n');
}

static void
print_vm(const json_t *vm)
{
    const json_t *req = json_object_get(vm, "request");
    const json_t *pl = json_object_get(vm, "placement");
    GV_AUTOFREE char *gpus = gv_remote_gpus_text(pl);
    char created[32], updated[32];

    printf("id:         %s\n", gv_remote_str(vm, "id"));
    printf("name:       %s\n", gv_remote_str(vm, "name"));
    printf("tenant:     %s\n", gv_remote_str(vm, "tenant"));
    printf("state:      %s\n", gv_remote_str(vm, "state"));
    printf("host:       %s\n", *gv_remote_str(vm, "host") ? gv_remote_str(vm, "host") : "-");
    if (req) {
        const json_t *gpu = json_object_get(req, "gpu");

        printf("class:      %s\n", gv_remote_str(req, "class"));
        printf("vcpus:      %lld (%s)\n", (long long)gv_remote_int(req, "vcpus"),
               gv_remote_str(req, "cpu_policy"));
        printf("memory:     %lld MiB\n", (long long)gv_remote_int(req, "memory_mib"));
        if (gv_remote_int(gpu, "count") > 0)
            printf("gpu asked:  %lld %s%s%s\n", (long long)gv_remote_int(gpu, "count"),
                   gv_remote_str(gpu, "mode"), *gv_remote_str(gpu, "profile") ? " " : "",
                   gv_remote_str(gpu, "profile"));
    }
    printf("gpus:       %s\n", gpus);
    if (pl) {
        size_t i;
        json_t *g;

        json_array_foreach(json_object_get(pl, "gpus"), i, g)
            printf("  gpu %zu:    %s %s %s%s%s\n", i, gv_remote_str(g, "pci"),
                   gv_remote_str(g, "model"), gv_remote_str(g, "mode"),
                   *gv_remote_str(g, "profile") ? " " : "", gv_remote_str(g, "profile"));
    }
    printf("created:    %s\n",
           gv_remote_time_text(gv_remote_int(vm, "created_ms"), created, sizeof(created)));
    printf("updated:    %s\n",
           gv_remote_time_text(gv_remote_int(vm, "updated_ms"), updated, sizeof(updated)));
}

static int
vm_create(gv_remote *rc, int argc, char **argv)
{
    const char *flavor = NULL, *request = NULL, *tenant = NULL, *idem = NULL, *args[1];
    const gv_remote_opt opts[] = {
        {.name = "flavor", .arg = "F", .dest = &flavor},
        {.name = "request", .arg = "FILE", .dest = &request},
        {.name = "tenant", .arg = "T", .dest = &tenant},
        {.name = "idempotency-key", .arg = "K", .dest = &idem},
        {0},
    };
    GV_AUTOFREE char *body = NULL;
    gv_remote_resp resp = {0};
    gv_remote_req req = {.method = "POST", .path = "/v1/vms"};
    int r;

    if ((r = gv_remote_parse(rc, opts, 1, 1, argc, argv, args)) >= 0)
        return r;
    if (idem) {
        bool ok = strlen(idem) >= 1 && strlen(idem) <= IDEM_KEY_MAX;

        for (const char *k = idem; ok && *k; k++)
            ok = *k > 0x20 && *k < 0x7f;
        if (!ok)
            return gv_cli_usage_error(rc->cmd, "--idempotency-key: 1 to %d printable characters",
                                      IDEM_KEY_MAX);
    }
    if ((r = gv_remote_request_body(request, args[0], tenant, flavor, &body)) != GV_EXIT_OK)
        return r;
    req.body = body;
    req.body_len = strlen(body);
    req.idempotency_key = idem;
    if ((r = gv_remote_call(rc, &req, &resp)) == GV_EXIT_OK) {
        if (rc->format == GV_FORMAT_JSON)
            gv_remote_print_raw(&resp);
        else
            print_vm_line("created ", json_object_get(resp.json, "vm"));
    }
    gv_remote_resp_clear(&resp);
    return r;
}

static int
vm_list(gv_remote *rc, int argc, char **argv)
{
    const char *tenant = NULL, *host = NULL, *state = NULL, *cls = NULL, *name = NULL;
    const gv_remote_opt opts[] = {
        {.name = "tenant", .arg = "T", .dest = &tenant},
        {.name = "host", .arg = "H", .dest = &host},
        {.name = "state", .arg = "S", .dest = &state},
        {.name = "class", .arg = "C", .dest = &cls},
        {.name = "name", .arg = "N", .dest = &name},
        {0},
    };
    static const char *const header[] = {"ID", "NAME", "TENANT", "STATE", "HOST", "GPUS"};
    gv_remote_resp resp = {0};
    gv_remote_table t;
    json_t *vm;
    size_t i;
    int r;

    if ((r = gv_remote_parse(rc, opts, 0, 0, argc, argv, NULL)) >= 0)
        return r;
    {
        static const char *const keys[] = {"tenant", "host", "state", "class", "name", NULL};
        const char *const values[] = {tenant, host, state, cls, name};

        if ((r = gv_remote_get_list(rc, "/v1/vms", keys, values, &resp)) >= 0)
            return r;
    }
    gv_remote_table_init(&t, GV_N_ELEMENTS(header), header);
    json_array_foreach(json_object_get(resp.json, "vms"), i, vm)
    {
        GV_AUTOFREE char *gpus = gv_remote_gpus_text(json_object_get(vm, "placement"));
        const char *row[] = {gv_remote_str(vm, "id"),     gv_remote_str(vm, "name"),
                             gv_remote_str(vm, "tenant"), gv_remote_str(vm, "state"),
                             gv_remote_str(vm, "host"),   gpus};

        gv_remote_table_row(&t, row);
    }
    return gv_remote_table_finish(&t, &resp);
}

/* The subcommands on one VM: get, stop, start, delete, xml. */
static const struct {
    const char *sub;
    const char *method;
    const char *suffix;
    const char *verb; /* text output: "VERB vm-... (...)" */
} one_vm[] = {
    {.sub = "get", .method = "GET", .suffix = ""},
    {.sub = "stop", .method = "POST", .suffix = "/stop", .verb = "stopped "},
    {.sub = "start", .method = "POST", .suffix = "/start", .verb = "started "},
    {.sub = "delete", .method = "DELETE", .suffix = "", .verb = "deleted "},
    {.sub = "xml", .method = "GET", .suffix = "/domain.xml"},
};

static int
vm_one(gv_remote *rc, int argc, char **argv)
{
    const char *tenant = NULL, *args[1];
    const gv_remote_opt opts[] = {
        {.name = "tenant", .arg = "T", .dest = &tenant},
        {0},
    };
    GV_AUTOFREE char *id = NULL;
    GV_AUTOFREE char *path = NULL;
    gv_remote_resp resp = {0};
    size_t k = 0;
    int r;

    while (strcmp(one_vm[k].sub, argv[0]))
        k++;
    if ((r = gv_remote_parse(rc, opts, 1, 1, argc, argv, args)) >= 0)
        return r;
    if ((r = gv_remote_vm_resolve(rc, args[0], tenant, &id)) != GV_EXIT_OK)
        return r;
    path = vm_path(id, one_vm[k].suffix);
    if ((r = gv_remote_send(rc, one_vm[k].method, path, NULL, &resp)) == GV_EXIT_OK) {
        if (rc->format == GV_FORMAT_JSON || !strcmp(argv[0], "xml"))
            gv_remote_print_raw(&resp);
        else if (one_vm[k].verb)
            print_vm_line(one_vm[k].verb, json_object_get(resp.json, "vm"));
        else
            print_vm(json_object_get(resp.json, "vm"));
    }
    gv_remote_resp_clear(&resp);
    return r;
}

static const gv_remote_sub subs[] = {
    {.name = "create", .run = vm_create}, {.name = "list", .run = vm_list},
    {.name = "get", .run = vm_one},       {.name = "stop", .run = vm_one},
    {.name = "start", .run = vm_one},     {.name = "delete", .run = vm_one},
    {.name = "xml", .run = vm_one},
};

int
gv_cmd_vm(int argc, char **argv)
{
    return gv_remote_dispatch("vm", subs, GV_N_ELEMENTS(subs), usage, argc, argv);
}
