/*
 * cmd_topo.c - `gpuvm topo show`: one host's topology from this machine or a file, as text or
 * as the canonical JSON that agents report and `gpuvm place --fleet` accepts.
 */
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "gpuvm/discover.h"
#include "util/file.h"

static void
usage(FILE *f)
{
    fprintf(f,
            "usage: gpuvm topo show [SOURCE] [--format text|json] [--name NAME] [--catalog FILE]\n"
            "\n"
            "SOURCE is one of (default: --this-host):\n"
            "  --this-host       this machine, live, through hwloc with I/O discovery\n"
            "  --hwloc-xml FILE  an hwloc XML export (format v1 or v2: lstopo --of xml)\n"
            "  --nccl-xml FILE   an NCCL/RCCL topology file (NCCL_TOPO_DUMP_FILE)\n"
            "  --json FILE       gpuvm JSON (what --format json prints)\n"
            "  FILE              any of the above, detected from the content; a directory holding\n"
            "                    a copy of a machine's sys/ and proc/ is read through hwloc\n"
            "\n"
            "Options:\n"
            "  --format text|json  text: summary, NUMA nodes, devices, PCIe tree and the\n"
            "                      device matrix (like nvidia-smi topo -m); json: canonical JSON\n"
            "  --name NAME         the host's name (default: the source's host name, else the\n"
            "                      file name)\n"
            "  --catalog FILE      GPU catalog entries merged over the shipped catalog\n"
            "\n"
            "Exit status: 0 shown, 2 bad usage or a file that cannot be read or is refused.\n");
}

enum {
    OPT_HWLOC = 256,
    OPT_NCCL,
    OPT_JSON,
    OPT_THIS,
    OPT_NAME
};

/* Load the source into @f; @name (may be NULL) names a single host before it joins @f. */
static int
load(const char *kind, const char *path, const char *name, gv_fleet *f, gv_err *err)
{
    GV_AUTOFREE char *text = NULL;
    gv_host *h = NULL;
    size_t len = 0;
    int r;

    if (!strcmp(kind, "this-host"))
        r = gv_hwloc_load_this_host(&h, err);
    else if (!strcmp(kind, "auto"))
        r = gv_topo_file_load(path, &h, err);
    else if ((r = gv_file_read(path, GV_FILE_MAX_BYTES, &text, &len, err)) < 0)
        return r;
    else if (!strcmp(kind, "hwloc"))
        r = gv_hwloc_xml_load(text, len, path, &h, err);
    else if (!strcmp(kind, "nccl"))
        r = gv_nccl_xml_load(text, len, path, &h, err);
    else {
        /* --json: a whole fleet file may hold several hosts; show them all */
        gv_fleet *g = NULL;
        if ((r = gv_fleet_from_json(text, len, path, &g, err)) < 0)
            return r;
        if (name && g->n_hosts == 1)
            gv_host_set_str(&g->hosts[0]->name, name);
        for (size_t i = 0; i < g->n_hosts; i++)
            gv_fleet_add_host(f, g->hosts[i], NULL);
        g->n_hosts = 0;
        gv_fleet_free(g);
        return 0;
    }
    if (r < 0)
        return r;
    if (name) {
        gv_host_set_str(&h->name, name);
    } else if (!h->name[0]) {
        char hn[256] = "";
        if (!strcmp(kind, "this-host")) {
            gethostname(hn, sizeof(hn) - 1);
        } else {
            GV_AUTOFREE char *copy = gv_strdup(path);
            char *base = basename(copy), *dot = strrchr(base, '.');
            if (dot && dot != base)
                *dot = '\0';
            snprintf(hn, sizeof(hn), "%s", base);
        }
        gv_host_set_str(&h->name, hn);
    }
    return gv_fleet_add_host(f, h, err);
}

static int
topo_show(int argc, char **argv)
{
    static const struct option opts[] = {
        {"hwloc-xml", required_argument, NULL, OPT_HWLOC},
        {"nccl-xml", required_argument, NULL, OPT_NCCL},
        {"json", required_argument, NULL, OPT_JSON},
        {"this-host", no_argument, NULL, OPT_THIS},
        {"name", required_argument, NULL, OPT_NAME},
        GV_CLI_COMMON_OPTIONS,
        {0},
    };
    const char *kind = NULL, *path = NULL, *name = NULL;
    gv_cli_common co = {0};
    GV_AUTOPTR(gv_catalog) cat = NULL;
    GV_AUTOPTR(gv_fleet) f = gv_fleet_new();
    gv_err err = {0};
    int c, r, n_sources = 0;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_HWLOC:
        case OPT_NCCL:
        case OPT_JSON:
            kind = c == OPT_HWLOC ? "hwloc" : c == OPT_NCCL ? "nccl" : "json";
            path = optarg;
            n_sources++;
            break;
        case OPT_THIS:
            kind = "this-host";
            n_sources++;
            break;
        case OPT_NAME:
            name = optarg;
            break;
        default:
            if ((r = gv_cli_common_opt(c, "topo show", argv, usage, &co)) >= 0)
                return r;
        }
    }
    if (optind < argc) {
        kind = "auto";
        path = argv[optind++];
        n_sources++;
    }
    if (optind < argc)
        return gv_cli_usage_error("topo show", "unexpected argument '%s'", argv[optind]);
    if (n_sources > 1)
        return gv_cli_usage_error("topo show", "give one source, not %d", n_sources);
    if (!kind)
        kind = "this-host";

    if ((r = gv_cli_load_catalog(co.catalog_file, &cat)) != GV_EXIT_OK)
        return r;
    if (load(kind, path, name, f, &err) < 0)
        return gv_cli_report(&err);
    for (size_t i = 0; i < f->n_hosts; i++)
        gv_catalog_resolve_host(cat, f->hosts[i]);

    if (co.format == GV_FORMAT_JSON) {
        GV_AUTOFREE char *s = gv_fleet_to_json(f);
        fputs(s, stdout);
    } else {
        for (size_t i = 0; i < f->n_hosts; i++) {
            if (i)
                printf("\n");
            gv_topo_print_text(stdout, f->hosts[i]);
        }
    }
    return GV_EXIT_OK;
}

int
gv_cmd_topo(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? GV_EXIT_INPUT : GV_EXIT_OK;
    }
    if (!strcmp(argv[1], "show"))
        return topo_show(argc - 1, argv + 1);
    return gv_cli_usage_error("topo", "'%s' is not a topo command (show)", argv[1]);
}
