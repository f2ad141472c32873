/*
 * cmd_explain.c - `gpuvm explain`: where would a VM go? A dry run on the server
 * (POST /v1/placements/explain) that changes nothing: the host it would take, or for each reason
 * how many hosts it ruled out.
 */
#include <stdio.h>
#include <string.h>

#include "cli/remote.h"
#include "gpuvm/alloc.h"

static void
usage(FILE *f)
{
    fprintf(f, "usage: gpuvm explain [--flavor F] [--request FILE] [--tenant T] [--name N]\n"
               "\n"
               "Ask a gpuvmd server where a VM would go, without creating it: the host and what\n"
               "it would hold, or why nothing fits (each reason and how many hosts it ruled\n"
               "out). The request is built as for 'gpuvm vm create'.\n"
               "\n"
               "  --flavor F      start from the server's flavor F\n"
               "  --request FILE  a request, JSON or YAML, read here\n"
               "  --tenant T      the tenant it would belong to\n"
               "  --name N        the VM's name (anti-affinity groups, messages)\n"
               "\n"
               "Exit status: 0 it fits, 1 nothing fits (or the server refused), 2 bad usage or\n"
               "bad input, 3 the server could not be reached.\n"
               "\n" GV_REMOTE_USAGE_GLOBAL);
}

static void
print_explain(const json_t *o)
{
    const json_t *ex = json_object_get(o, "explain");
    const json_t *pl = json_object_get(o, "placement");
    long long hosts = (long long)gv_remote_int(ex, "hosts");

    if (json_is_true(json_object_get(o, "placed"))) {
        GV_AUTOFREE char *gpus = gv_remote_gpus_text(pl);
        const json_t *runner = json_object_get(ex, "runner_up");

        printf("fits: host %s (score %lld), GPUs %s\n", gv_remote_str(pl, "host"),
               (long long)gv_remote_int(json_object_get(pl, "score"), "total"), gpus);
        printf("feasible on %lld of %lld hosts", (long long)gv_remote_int(ex, "feasible"), hosts);
        if (*gv_remote_str(runner, "host"))
            printf("; runner-up %s (score %lld)", gv_remote_str(runner, "host"),
                   (long long)gv_remote_int(json_object_get(runner, "score"), "total"));
        putchar('\n');
    } else {
        static const char *const header[] = {"REASON", "HOSTS", "DETAIL"};
        gv_remote_table t;
        json_t *r;
        size_t i;

        printf("nothing fits: %lld hosts, none feasible\n", hosts);
        gv_remote_table_init(&t, GV_N_ELEMENTS(header), header);
        json_array_foreach(json_object_get(ex, "reasons"), i, r)
        {
            char n[24];
            const char *row[] = {gv_remote_str(r, "reason"),
                                 gv_remote_int_text(r, "hosts", n, sizeof(n)),
                                 gv_remote_str(r, "detail")};

            gv_remote_table_row(&t, row);
        }
        gv_remote_table_print(&t, stdout);
        gv_remote_table_free(&t);
    }
}

int
gv_cmd_explain(int argc, char **argv)
{
    const char *flavor = NULL, *request = NULL, *tenant = NULL, *name = NULL;
    const gv_remote_opt opts[] = {
        {.name = "flavor", .arg = "F", .dest = &flavor},
        {.name = "request", .arg = "FILE", .dest = &request},
        {.name = "tenant", .arg = "T", .dest = &tenant},
        {.name = "name", .arg = "N", .dest = &name},
        {0},
    };
    gv_remote rc = {.cmd = "explain", .usage = usage};
    GV_AUTOFREE char *body = NULL;
    gv_remote_resp resp = {0};
    int r;

    if ((r = gv_remote_parse(&rc, opts, 0, 0, argc, argv, NULL)) >= 0) {
        gv_remote_close(&rc);
        return r;
    }
    if ((r = gv_remote_request_body(request, name, tenant, flavor, &body)) == GV_EXIT_OK &&
        (r = gv_remote_send(&rc, "POST", "/v1/placements/explain", body, &resp)) == GV_EXIT_OK) {
        if (rc.format == GV_FORMAT_JSON)
            gv_remote_print_raw(&resp);
        else
            print_explain(resp.json);
        if (!json_is_true(json_object_get(resp.json, "placed")))
            r = GV_EXIT_FAIL;
    }
    gv_remote_resp_clear(&resp);
    gv_remote_close(&rc);
    return r;
}
