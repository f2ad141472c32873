/*
 * cmd_host.c - `gpuvm host list|get|cordon|uncordon|set-state|import`: the hosts of a gpuvmd
 * (GET /v1/hosts, GET /v1/hosts/NAME, POST .../cordon and .../uncordon, PUT .../state, and
 * POST /v1/fleet/import with a fleet file read here).
 */
#include <stdio.h>
#include <string.h>

#include "cli/remote.h"
#include "gpuvm/alloc.h"
#include "gpuvm/discover.h"

static void
usage(FILE *f)
{
    fprintf(f, "usage: gpuvm host list [--pool P] [--zone Z] [--state S] [--model M]\n"
               "       gpuvm host get NAME\n"
               "       gpuvm host cordon NAME\n"
               "       gpuvm host uncordon NAME\n"
               "       gpuvm host set-state NAME ready|cordoned|maintenance|down\n"
               "       gpuvm host import FLEET [--catalog FILE]\n"
               "\n"
               "The hosts of a gpuvmd server.\n"
               "\n"
               "  list        the hosts (NAME POOL ZONE STATE GPUS VMS MODELS), filtered\n"
               "  get         one host: its summary and its GPUs with what they hold (operators\n"
               "              and auditors also see the topology, with --format json)\n"
               "  cordon      no new VMs on the host; running ones stay\n"
               "  uncordon    back to ready\n"
               "  set-state   ready, cordoned, maintenance or down\n"
               "  import      add the hosts of a fleet file (YAML or the canonical JSON, as\n"
               "              'gpuvm fleet check' reads it), all or none; the file and its\n"
               "              topology files are read here, the server gets the canonical JSON\n"
               "  --catalog FILE  GPU catalog entries merged over the shipped catalog (import)\n"
               "\n" GV_REMOTE_USAGE_GLOBAL);
}

/* The path "/v1/hosts/NAME[SUFFIX]". Caller frees. */
static char *
host_path(const char *name, const char *suffix)
{
    gv_strbuf sb = {0};

    gv_strbuf_append(&sb, "/v1/hosts/");
    gv_remote_escape(&sb, name);
    gv_strbuf_append(&sb, suffix);
    return gv_strbuf_steal(&sb);
}

/* "8xH100-SXM5-80GB,2xA30-24GB" of a summary's "models" object. Caller frees. */
static char *
models_text(const json_t *host)
{
    const json_t *models = json_object_get(host, "models");
    gv_strbuf sb = {0};
    const char *model;
    json_t *n;

    json_object_foreach((json_t *)models, model, n) gv_strbuf_printf(
        &sb, "%s%lldx%s", sb.len ? "," : "", (long long)json_integer_value(n), model);
    return gv_strbuf_steal(&sb);
}

/* "free/total" when the server says how many are free, else the total. */
static const char *
gpus_text(const json_t *host, char *buf, size_t n)
{
    if (json_is_integer(json_object_get(host, "gpus_free")))
        snprintf(buf, n, "%lld/%lld", (long long)gv_remote_int(host, "gpus_free"),
                 (long long)gv_remote_int(host, "gpus_total"));
    else
        gv_remote_int_text(host, "gpus_total", buf, n);
    return buf;
}

static int
host_list(gv_remote *rc, int argc, char **argv)
{
    const char *pool = NULL, *zone = NULL, *state = NULL, *model = NULL;
    const gv_remote_opt opts[] = {
        {.name = "pool", .arg = "P", .dest = &pool},
        {.name = "zone", .arg = "Z", .dest = &zone},
        {.name = "state", .arg = "S", .dest = &state},
        {.name = "model", .arg = "M", .dest = &model},
        {0},
    };
    static const char *const header[] = {"NAME", "POOL", "ZONE", "STATE", "GPUS", "VMS", "MODELS"};
    gv_remote_resp resp = {0};
    gv_remote_table t;
    json_t *h;
    size_t i;
    int r;

    if ((r = gv_remote_parse(rc, opts, 0, 0, argc, argv, NULL)) >= 0)
        return r;
    {
        static const char *const keys[] = {"pool", "zone", "state", "model", NULL};
        const char *const values[] = {pool, zone, state, model};

        if ((r = gv_remote_get_list(rc, "/v1/hosts", keys, values, &resp)) >= 0)
            return r;
    }
    gv_remote_table_init(&t, GV_N_ELEMENTS(header), header);
    json_array_foreach(json_object_get(resp.json, "hosts"), i, h)
    {
        char gpus[48], vms[24];
        GV_AUTOFREE char *models = models_text(h);
        const char *row[] = {gv_remote_str(h, "name"),
                             gv_remote_str(h, "pool"),
                             gv_remote_str(h, "zone"),
                             gv_remote_str(h, "state"),
                             gpus_text(h, gpus, sizeof(gpus)),
                             gv_remote_int_text(h, "vms", vms, sizeof(vms)),
                             models};

        gv_remote_table_row(&t, row);
    }
    return gv_remote_table_finish(&t, &resp);
}

/* "vm-...:1g.6gb@0" for each allocation of a GPU of GET /v1/hosts/NAME. Caller frees. */
static char *
allocations_text(const json_t *gpu)
{
    gv_strbuf sb = {0};
    json_t *a;
    size_t i;

    json_array_foreach(json_object_get(gpu, "allocations"), i, a)
    {
        const char *what =
            *gv_remote_str(a, "profile") ? gv_remote_str(a, "profile") : gv_remote_str(a, "type");

        gv_strbuf_printf(&sb, "%s%s", sb.len ? "," : "", gv_remote_str(a, "vm"));
        if (*what)
            gv_strbuf_printf(&sb, ":%s", what);
        if (json_is_integer(json_object_get(a, "start")))
            gv_strbuf_printf(&sb, "@%lld", (long long)gv_remote_int(a, "start"));
        if (json_is_integer(json_object_get(a, "milli")))
            gv_strbuf_printf(&sb, "@%lldm", (long long)gv_remote_int(a, "milli"));
    }
    return gv_strbuf_steal(&sb);
}

static void
print_host(const json_t *h)
{
    static const char *const header[] = {"GPU", "PCI", "MODEL", "MODE", "NUMA", "ALLOCATIONS"};
    GV_AUTOFREE char *models = models_text(h);
    const json_t *simulated = json_object_get(h, "simulated");
    char gpus[48];
    gv_remote_table t;
    json_t *g;
    size_t i;

    printf("name:       %s\n", gv_remote_str(h, "name"));
    printf("pool:       %s\n", gv_remote_str(h, "pool"));
    printf("zone:       %s\n", gv_remote_str(h, "zone"));
    printf("state:      %s%s\n", gv_remote_str(h, "state"),
           json_is_true(simulated) ? " (simulated: no agent)" : "");
    printf("gpus:       %s (%s)\n", gpus_text(h, gpus, sizeof(gpus)), models);
    printf("vcpus:      %lld allocated of %lld\n", (long long)gv_remote_int(h, "vcpus_allocated"),
           (long long)gv_remote_int(h, "vcpus_total"));
    printf("memory:     %lld MiB allocated of %lld\n",
           (long long)gv_remote_int(h, "memory_mib_allocated"),
           (long long)gv_remote_int(h, "memory_mib_total"));
    printf("vms:        %lld\n", (long long)gv_remote_int(h, "vms"));
    if (*gv_remote_str(h, "hypervisor_uri"))
        printf("hypervisor: %s\n", gv_remote_str(h, "hypervisor_uri"));
    if (!json_array_size(json_object_get(h, "gpus")))
        return;
    putchar('\n');
    gv_remote_table_init(&t, GV_N_ELEMENTS(header), header);
    json_array_foreach(json_object_get(h, "gpus"), i, g)
    {
        char idx[24], numa[24];
        GV_AUTOFREE char *alloc = allocations_text(g);
        const char *row[] = {gv_remote_int_text(g, "index", idx, sizeof(idx)),
                             gv_remote_str(g, "pci"),
                             gv_remote_str(g, "model"),
                             gv_remote_str(g, "mode"),
                             gv_remote_int_text(g, "numa", numa, sizeof(numa)),
                             alloc};

        gv_remote_table_row(&t, row);
    }
    gv_remote_table_print(&t, stdout);
    gv_remote_table_free(&t);
}

static int
host_get(gv_remote *rc, int argc, char **argv)
{
    const char *args[1];
    GV_AUTOFREE char *path = NULL;
    gv_remote_resp resp = {0};
    int r;

    if ((r = gv_remote_parse(rc, NULL, 1, 1, argc, argv, args)) >= 0)
        return r;
    path = host_path(args[0], "");
    if ((r = gv_remote_get(rc, path, &resp)) == GV_EXIT_OK) {
        if (rc->format == GV_FORMAT_JSON)
            gv_remote_print_raw(&resp);
        else
            print_host(json_object_get(resp.json, "host"));
    }
    gv_remote_resp_clear(&resp);
    return r;
}

/* Send a state change and print "host NAME: STATE". */
static int
host_state_call(gv_remote *rc, const char *method, const char *path, const char *body)
{
    gv_remote_resp resp = {0};
    int r;

    if ((r = gv_remote_send(rc, method, path, body, &resp)) == GV_EXIT_OK) {
        const json_t *h = json_object_get(resp.json, "host");

        if (rc->format == GV_FORMAT_JSON)
            gv_remote_print_raw(&resp);
        else
            printf("host %s: %s\n", gv_remote_str(h, "name"), gv_remote_str(h, "state"));
    }
    gv_remote_resp_clear(&resp);
    return r;
}

static int
host_cordon(gv_remote *rc, int argc, char **argv)
{
    const char *args[1];
    GV_AUTOFREE char *path = NULL;
    int r;

    if ((r = gv_remote_parse(rc, NULL, 1, 1, argc, argv, args)) >= 0)
        return r;
    path = host_path(args[0], !strcmp(argv[0], "cordon") ? "/cordon" : "/uncordon");
    return host_state_call(rc, "POST", path, NULL);
}

static int
host_set_state(gv_remote *rc, int argc, char **argv)
{
    const char *args[2];
    GV_AUTOFREE char *path = NULL;
    GV_AUTOFREE char *body = NULL;
    json_t *o;
    int r;

    if ((r = gv_remote_parse(rc, NULL, 2, 2, argc, argv, args)) >= 0)
        return r;
    if (!(o = json_pack("{s:s}", "state", args[1])))
        return gv_cli_usage_error(rc->cmd, "the state is not UTF-8 text");
    body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    path = host_path(args[0], "/state");
    return host_state_call(rc, "PUT", path, body);
}

static int
host_import(gv_remote *rc, int argc, char **argv)
{
    const char *catalog = NULL, *args[1];
    const gv_remote_opt opts[] = {
        {.name = "catalog", .arg = "FILE", .dest = &catalog},
        {0},
    };
    GV_AUTOPTR(gv_catalog) cat = NULL;
    GV_AUTOPTR(gv_fleet) f = NULL;
    GV_AUTOFREE char *json = NULL;
    gv_remote_resp resp = {0};
    gv_err err = {0};
    int r;

    if ((r = gv_remote_parse(rc, opts, 1, 1, argc, argv, args)) >= 0)
        return r;
    if ((r = gv_cli_load_catalog(catalog, &cat)) != GV_EXIT_OK)
        return r;
    if (gv_fleet_file_load(args[0], cat, &f, &err) < 0)
        return gv_cli_report(&err);
    json = gv_fleet_to_json(f);
    if ((r = gv_remote_send(rc, "POST", "/v1/fleet/import", json, &resp)) == GV_EXIT_OK) {
        if (rc->format == GV_FORMAT_JSON)
            gv_remote_print_raw(&resp);
        else
            printf("imported %lld hosts from %s\n", (long long)gv_remote_int(resp.json, "imported"),
                   args[0]);
    }
    gv_remote_resp_clear(&resp);
    return r;
}

static const gv_remote_sub subs[] = {
    {.name = "list", .run = host_list},           {.name = "get", .run = host_get},
    {.name = "cordon", .run = host_cordon},       {.name = "uncordon", .run = host_cordon},
    {.name = "set-state", .run = host_set_state}, {.name = "import", .run = host_import},
};

int
gv_cmd_host(int argc, char **argv)
{
    return gv_remote_dispatch("host", subs, GV_N_ELEMENTS(subs), usage, argc, argv);
}
