/*
 * cmd_user.c - `gpuvm user create|list`: the users of a gpuvmd (POST and GET /v1/users).
 */
#include <stdio.h>

#include "cli/remote.h"
#include "gpuvm/alloc.h"

static void
usage(FILE *f)
{
    fprintf(f, "usage: gpuvm user create NAME --role ROLE [--tenant T]\n"
               "       gpuvm user list\n"
               "\n"
               "The users of a gpuvmd server. A user has one role: platform-admin, operator,\n"
               "auditor (platform roles, no tenant), or tenant-admin, tenant-member (bound to\n"
               "--tenant). A user acts through tokens: 'gpuvm token create --user NAME'.\n"
               "\n"
               "  create      a new user\n"
               "  list        the users the caller may see (NAME ROLE TENANT CREATED)\n"
               "\n" GV_REMOTE_USAGE_GLOBAL);
}

static int
user_create(gv_remote *rc, int argc, char **argv)
{
    const char *role = NULL, *tenant = NULL, *args[1];
    const gv_remote_opt opts[] = {
        {.name = "role", .arg = "ROLE", .dest = &role},
        {.name = "tenant", .arg = "T", .dest = &tenant},
        {0},
    };
    GV_AUTOFREE char *body = NULL;
    gv_remote_resp resp = {0};
    json_t *o;
    int r;

    if ((r = gv_remote_parse(rc, opts, 1, 1, argc, argv, args)) >= 0)
        return r;
    if (!role)
        return gv_cli_usage_error(rc->cmd, "--role is required");
    o = tenant ? json_pack("{s:s, s:s, s:s}", "name", args[0], "role", role, "tenant", tenant)
               : json_pack("{s:s, s:s}", "name", args[0], "role", role);
    if (!o)
        return gv_cli_usage_error(rc->cmd, "the arguments are not UTF-8 text");
    body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if ((r = gv_remote_send(rc, "POST", "/v1/users", body, &resp)) == GV_EXIT_OK) {
        const json_t *u = json_object_get(resp.json, "user");

        if (rc->format == GV_FORMAT_JSON)
            gv_remote_print_raw(&resp);
        else
            printf("created user %s (%s%s%s)\n", gv_remote_str(u, "name"), gv_remote_str(u, "role"),
                   *gv_remote_str(u, "tenant") ? " of " : "", gv_remote_str(u, "tenant"));
    }
    gv_remote_resp_clear(&resp);
    return r;
}

static int
user_list(gv_remote *rc, int argc, char **argv)
{
    static const char *const header[] = {"NAME", "ROLE", "TENANT", "CREATED"};
    gv_remote_resp resp = {0};
    gv_remote_table t;
    json_t *o;
    size_t i;
    int r;

    if ((r = gv_remote_parse(rc, NULL, 0, 0, argc, argv, NULL)) >= 0)
        return r;
    if ((r = gv_remote_get_list(rc, "/v1/users", gv_remote_no_query, gv_remote_no_query, &resp)) >=
        0)
        return r;
    gv_remote_table_init(&t, GV_N_ELEMENTS(header), header);
    json_array_foreach(json_object_get(resp.json, "users"), i, o)
    {
        char created[32];
        const char *row[] = {
            gv_remote_str(o, "name"), gv_remote_str(o, "role"), gv_remote_str(o, "tenant"),
            gv_remote_time_text(gv_remote_int(o, "created_ms"), created, sizeof(created))};

        gv_remote_table_row(&t, row);
    }
    return gv_remote_table_finish(&t, &resp);
}

static const gv_remote_sub subs[] = {
    {.name = "create", .run = user_create},
    {.name = "list", .run = user_list},
};

int
gv_cmd_user(int argc, char **argv)
{
    return gv_remote_dispatch("user", subs, GV_N_ELEMENTS(subs), usage, argc, argv);
}
