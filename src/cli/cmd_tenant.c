/*
 * cmd_tenant.c - `gpuvm tenant create|list`: the tenants of a gpuvmd (POST and GET
 * /v1/tenants).
 */
#include <stdio.h>

#include "cli/remote.h"
#include "gpuvm/alloc.h"

static void
usage(FILE *f)
{
    fprintf(f, "usage: gpuvm tenant create NAME\n"
               "       gpuvm tenant list\n"
               "\n"
               "The tenants of a gpuvmd server: a tenant owns VMs, users and tokens.\n"
               "\n"
               "  create      a new tenant (NAME: 1-63 of a-z, 0-9, '-', '_', '.')\n"
               "  list        the tenants the caller may see (NAME CREATED)\n"
               "\n" GV_REMOTE_USAGE_GLOBAL);
}

static int
tenant_create(gv_remote *rc, int argc, char **argv)
{
    const char *args[1];
    GV_AUTOFREE char *body = NULL;
    gv_remote_resp resp = {0};
    json_t *o;
    int r;

    if ((r = gv_remote_parse(rc, NULL, 1, 1, argc, argv, args)) >= 0)
        return r;
    if (!(o = json_pack("{s:s}", "name", args[0])))
        return gv_cli_usage_error(rc->cmd, "the name is not UTF-8 text");
    body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if ((r = gv_remote_send(rc, "POST", "/v1/tenants", body, &resp)) == GV_EXIT_OK) {
        if (rc->format == GV_FORMAT_JSON)
            gv_remote_print_raw(&resp);
        else
            printf("created tenant %s\n",
                   gv_remote_str(json_object_get(resp.json, "tenant"), "name"));
    }
    gv_remote_resp_clear(&resp);
    return r;
}

static int
tenant_list(gv_remote *rc, int argc, char **argv)
{
    static const char *const header[] = {"NAME", "CREATED"};
    gv_remote_resp resp = {0};
    gv_remote_table t;
    json_t *o;
    size_t i;
    int r;

    if ((r = gv_remote_parse(rc, NULL, 0, 0, argc, argv, NULL)) >= 0)
        return r;
    if ((r = gv_remote_get_list(rc, "/v1/tenants", gv_remote_no_query, gv_remote_no_query,
                                &resp)) >= 0)
        return r;
    gv_remote_table_init(&t, GV_N_ELEMENTS(header), header);
    json_array_foreach(json_object_get(resp.json, "tenants"), i, o)
    {
        char created[32];
        const char *row[] = {
            gv_remote_str(o, "name"),
            gv_remote_time_text(gv_remote_int(o, "created_ms"), created, sizeof(created))};

        gv_remote_table_row(&t, row);
    }
    return gv_remote_table_finish(&t, &resp);
}

static const gv_remote_sub subs[] = {
    {.name = "create", .run = tenant_create},
    {.name = "list", .run = tenant_list},
};

int
gv_cmd_tenant(int argc, char **argv)
{
    return gv_remote_dispatch("tenant", subs, GV_N_ELEMENTS(subs), usage, argc, argv);
}
