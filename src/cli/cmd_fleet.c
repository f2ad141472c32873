/*
 * cmd_fleet.c - `gpuvm fleet check|show FILE`: validate a fleet file and summarise it.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gpuvm/discover.h"

static void
usage(FILE *f)
{
    fprintf(f, "usage: gpuvm fleet check FILE [--catalog FILE]\n"
               "       gpuvm fleet show FILE [--format text|json] [--catalog FILE]\n"
               "\n"
               "FILE is a fleet YAML (pools, templates, host name ranges, overrides; see\n"
               "data/fleets/example.yaml) or the JSON that 'gpuvm topo show --format json' and\n"
               "'gpuvm fleet show --format json' print.\n"
               "\n"
               "  check             validate the whole fleet; print one line; exit 0 or 2\n"
               "  show              hosts per pool, zone and state, GPUs per model and mode, MIG\n"
               "                    geometry, cores and memory (text), or the whole fleet as\n"
               "                    canonical JSON (json)\n"
               "  --catalog FILE    GPU catalog entries merged over the shipped catalog\n"
               "\n"
               "Exit status: 0 valid, 2 bad usage or an invalid fleet (one line names the file,\n"
               "the line:column and the reason; nothing is loaded).\n");
}

int
gv_cmd_fleet(int argc, char **argv)
{
    static const struct option opts[] = {
        GV_CLI_COMMON_OPTIONS,
        {0},
    };
    const char *sub, *path;
    gv_cli_common co = {0};
    GV_AUTOPTR(gv_catalog) cat = NULL;
    GV_AUTOPTR(gv_fleet) f = NULL;
    gv_err err = {0};
    size_t gpus = 0;
    int c, r;

    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? GV_EXIT_INPUT : GV_EXIT_OK;
    }
    sub = argv[1];
    if (strcmp(sub, "check") && strcmp(sub, "show"))
        return gv_cli_usage_error("fleet", "'%s' is not a fleet command (check, show)", sub);
    optind = 1;
    opterr = 0;
    argc--;
    argv++;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        default:
            if ((r = gv_cli_common_opt(c, "fleet", argv, usage, &co)) >= 0)
                return r;
        }
    }
    if (optind + 1 != argc)
        return gv_cli_usage_error("fleet", "%s takes exactly one FILE", sub);
    path = argv[optind];

    if ((r = gv_cli_load_catalog(co.catalog_file, &cat)) != GV_EXIT_OK)
        return r;
    if (gv_fleet_file_load(path, cat, &f, &err) < 0)
        return gv_cli_report(&err);
    for (size_t i = 0; i < f->n_hosts; i++)
        gpus += f->hosts[i]->n_gpus;
    if (!strcmp(sub, "check")) {
        printf("%s: ok: %zu hosts, %zu pools, %zu GPUs\n", path, f->n_hosts, f->n_pools, gpus);
    } else if (co.format == GV_FORMAT_JSON) {
        GV_AUTOFREE char *s = gv_fleet_to_json(f);
        fputs(s, stdout);
    } else {
        printf("fleet %s\n", path);
        gv_fleet_print_text(stdout, f, cat);
    }
    return GV_EXIT_OK;
}
