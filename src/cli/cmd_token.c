/*
 * cmd_token.c - `gpuvm token create|list|revoke`: API tokens (POST, GET /v1/tokens and
 * DELETE /v1/tokens/ID). The secret of a new token is printed once, alone on stdout, so that
 * `T=$(gpuvm token create)` keeps it; the server stores only its hash.
 */
#include <stdio.h>

#include "cli/remote.h"
#include "gpuvm/alloc.h"

static void
usage(FILE *f)
{
    fprintf(f, "usage: gpuvm token create [--user U] [--description D]\n"
               "       gpuvm token list\n"
               "       gpuvm token revoke ID\n"
               "\n"
               "The API tokens of a gpuvmd server.\n"
               "\n"
               "  create      a new token for U (default: the caller). Its secret is printed\n"
               "              on stdout this once (the server keeps only its hash); the id and\n"
               "              that note go to stderr. --format json prints the whole answer\n"
               "  list        the tokens the caller may see, never their secrets\n"
               "              (ID USER DESCRIPTION CREATED REVOKED)\n"
               "  revoke      the token stops working at once\n"
               "\n" GV_REMOTE_USAGE_GLOBAL);
}

static int
token_create(gv_remote *rc, int argc, char **argv)
{
    const char *user = NULL, *description = NULL;
    const gv_remote_opt opts[] = {
        {.name = "user", .arg = "U", .dest = &user},
        {.name = "description", .arg = "D", .dest = &description},
        {0},
    };
    GV_AUTOFREE char *body = NULL;
    gv_remote_resp resp = {0};
    json_t *o;
    int r;

    if ((r = gv_remote_parse(rc, opts, 0, 0, argc, argv, NULL)) >= 0)
        return r;
    o = json_object();
    if ((user && json_object_set_new(o, "user", json_string(user)) < 0) ||
        (description && json_object_set_new(o, "description", json_string(description)) < 0)) {
        json_decref(o);
        return gv_cli_usage_error(rc->cmd, "the arguments are not UTF-8 text");
    }
    body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if ((r = gv_remote_send(rc, "POST", "/v1/tokens", body, &resp)) == GV_EXIT_OK) {
        if (rc->format == GV_FORMAT_JSON) {
            gv_remote_print_raw(&resp);
        } else {
            printf("%s\n", gv_remote_str(resp.json, "token"));
            fprintf(stderr,
                    "gpuvm: token %s of user %s: the secret above is shown only once; the "
                    "server keeps only its hash\n",
                    gv_remote_str(resp.json, "id"), gv_remote_str(resp.json, "user"));
        }
    }
    gv_remote_resp_clear(&resp);
    return r;
}

static int
token_list(gv_remote *rc, int argc, char **argv)
{
    static const char *const header[] = {"ID", "USER", "DESCRIPTION", "CREATED", "REVOKED"};
    gv_remote_resp resp = {0};
    gv_remote_table t;
    json_t *o;
    size_t i;
    int r;

    if ((r = gv_remote_parse(rc, NULL, 0, 0, argc, argv, NULL)) >= 0)
        return r;
    if ((r = gv_remote_get_list(rc, "/v1/tokens", gv_remote_no_query, gv_remote_no_query, &resp)) >=
        0)
        return r;
    gv_remote_table_init(&t, GV_N_ELEMENTS(header), header);
    json_array_foreach(json_object_get(resp.json, "tokens"), i, o)
    {
        char created[32], revoked[32];
        const char *row[] = {
            gv_remote_str(o, "id"), gv_remote_str(o, "user"), gv_remote_str(o, "description"),
            gv_remote_time_text(gv_remote_int(o, "created_ms"), created, sizeof(created)),
            gv_remote_time_text(gv_remote_int(o, "revoked_ms"), revoked, sizeof(revoked))};

        gv_remote_table_row(&t, row);
    }
    return gv_remote_table_finish(&t, &resp);
}

static int
token_revoke(gv_remote *rc, int argc, char **argv)
{
    const char *args[1];
    gv_strbuf path = {0};
    gv_remote_resp resp = {0};
    int r;

    if ((r = gv_remote_parse(rc, NULL, 1, 1, argc, argv, args)) >= 0)
        return r;
    gv_strbuf_append(&path, "/v1/tokens/");
    gv_remote_escape(&path, args[0]);
    r = gv_remote_send(rc, "DELETE", gv_strbuf_str(&path), NULL, &resp);
    gv_strbuf_reset(&path);
    if (r == GV_EXIT_OK) {
        if (rc->format == GV_FORMAT_JSON)
            gv_remote_print_raw(&resp);
        else
            printf("revoked token %s\n", args[0]);
    }
    gv_remote_resp_clear(&resp);
    return r;
}

static const gv_remote_sub subs[] = {
    {.name = "create", .run = token_create},
    {.name = "list", .run = token_list},
    {.name = "revoke", .run = token_revoke},
};

int
gv_cmd_token(int argc, char **argv)
{
    return gv_remote_dispatch("token", subs, GV_N_ELEMENTS(subs), usage, argc, argv);
}
