/*
 * remote_body.c - the body of `gpuvm vm create` and `gpuvm explain`: a request file read here
 * (the server never opens a file a client names), with the name, tenant and flavor of the
 * command line set over it.
 *
 * A JSON file is sent as it is written, after a syntax check, so the server's flavor sits under
 * exactly the fields it gives. A YAML file is parsed here (strictly, with line:column errors) and
 * sent as the canonical request, which holds every field; a flavor under it is therefore read
 * here too (data/flavors/NAME.yaml, as `gpuvm place --flavor`), since the server's would be
 * overridden whole.
 */
#include <string.h>

#include "cli/remote.h"
#include "gpuvm/alloc.h"
#include "gpuvm/place.h"
#include "util/file.h"
#include "util/json.h"

#define REQUEST_MAX_BYTES (1u << 20) /* the server's limit on a request body */

static bool
looks_like_json(const char *text)
{
    while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')
        text++;
    return *text == '{';
}

/* The YAML request @text over the flavor @flavor (may be NULL), as a JSON object. */
static int
yaml_request(const char *path, const char *text, size_t len, const char *flavor, json_t **ret)
{
    GV_AUTOFREE char *canonical = NULL;
    gv_request base, req;
    gv_err err = {0};
    json_t *o;

    gv_request_init(&base);
    if (flavor && gv_cli_flavor_read(flavor, &base, &err) < 0)
        return gv_cli_report(&err);
    if (gv_request_parse_yaml(text, len, path, &base, &req, &err) < 0)
        return gv_cli_report(&err);
    canonical = gv_request_to_json(&req);
    if (gv_json_parse(canonical, strlen(canonical), path, &o, &err) < 0)
        return gv_cli_report(&err);
    /* empty name and tenant mean "not given": the command line or the server fills them */
    if (!*gv_remote_str(o, "name"))
        json_object_del(o, "name");
    if (!*gv_remote_str(o, "tenant"))
        json_object_del(o, "tenant");
    *ret = o;
    return GV_EXIT_OK;
}

/* @o[@key] = @value unless @value is NULL. Returns 0, or -1 after a message (not UTF-8). */
static int
set_str(json_t *o, const char *key, const char *value)
{
    json_t *v;

    if (!value)
        return 0;
    if (!(v = json_string(value))) {
        fprintf(stderr, "gpuvm: the %s is not UTF-8 text\n", key);
        return -1;
    }
    json_object_set_new(o, key, v);
    return 0;
}

int
gv_remote_request_body(const char *request_file, const char *name, const char *tenant,
                       const char *flavor, char **ret)
{
    GV_AUTOPTR(json_t) o = NULL;
    bool send_flavor = flavor != NULL;
    gv_err err = {0};
    int r;

    if (request_file) {
        GV_AUTOFREE char *text = NULL;
        size_t len;

        if (gv_file_read(request_file, REQUEST_MAX_BYTES, &text, &len, &err) < 0)
            return gv_cli_report(&err);
        if (looks_like_json(text)) {
            if (gv_json_parse(text, len, request_file, &o, &err) < 0)
                return gv_cli_report(&err);
            if (!json_is_object(o)) {
                fprintf(stderr, "gpuvm: %s: expected a JSON object\n", request_file);
                return GV_EXIT_INPUT;
            }
        } else {
            if ((r = yaml_request(request_file, text, len, flavor, &o)) != GV_EXIT_OK)
                return r;
            send_flavor = false;
        }
    } else {
        o = json_object();
    }
    if (set_str(o, "name", name) < 0 || set_str(o, "tenant", tenant) < 0 ||
        set_str(o, "flavor", send_flavor ? flavor : NULL) < 0)
        return GV_EXIT_INPUT;
    *ret = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    if (!*ret)
        gv_oom();
    return GV_EXIT_OK;
}
