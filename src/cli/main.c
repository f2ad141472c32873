/*
 * main.c - the gpuvm command: global options and the subcommand table.
 *
 * Each subcommand is one table entry and one file (cmd_<name>.c) with its own --help.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli/remote.h"

#ifndef GV_VERSION
#define GV_VERSION "unknown"
#endif
#ifndef GV_DATADIR
#define GV_DATADIR "data"
#endif

static const gv_cli_cmd commands[] = {
    {.name = "topo",
     .summary = "show a host topology (this machine, hwloc XML, NCCL XML, JSON)",
     .run = gv_cmd_topo},
    {.name = "fleet", .summary = "check and summarise a fleet file", .run = gv_cmd_fleet},
    {.name = "catalog",
     .summary = "show the GPU catalog and MIG placement tables",
     .run = gv_cmd_catalog},
    {.name = "place",
     .summary = "place VMs on a fleet: CPUs, memory, GPUs, VFs, scratch, or why nothing fits",
     .run = gv_cmd_place},
    {.name = "sim",
     .summary = "replay a GPU trace (the FGD study's method) or your own fleet and requests",
     .run = gv_cmd_sim},
};

/* The commands that talk to a gpuvmd server (remote.h): the global options apply to them. */
static const gv_cli_cmd remote_commands[] = {
    {.name = "host",
     .summary = "list hosts, cordon, uncordon, set their state, import a fleet",
     .run = gv_cmd_host},
    {.name = "vm",
     .summary = "create, list, get, stop, start, delete VMs; their domain XML",
     .run = gv_cmd_vm},
    {.name = "tenant", .summary = "create and list tenants", .run = gv_cmd_tenant},
    {.name = "user", .summary = "create and list users", .run = gv_cmd_user},
    {.name = "token", .summary = "create, list and revoke API tokens", .run = gv_cmd_token},
    {.name = "audit",
     .summary = "list, export and verify the audit log (also offline, on a database copy)",
     .run = gv_cmd_audit},
    {.name = "explain",
     .summary = "where would a VM go, or why nothing fits",
     .run = gv_cmd_explain},
};

static void
usage(FILE *f)
{
    fprintf(f, "usage: gpuvm [--version] [--help] COMMAND [ARGS]\n"
               "       gpuvm [--server URL] [--token T] [--format text|json] [--cacert FILE]\n"
               "             REMOTE-COMMAND [ARGS]\n\n"
               "gpuvm is a control plane for GPU-backed virtual machines.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nremote commands, on a gpuvmd server:\n");
    for (size_t i = 0; i < sizeof(remote_commands) / sizeof(remote_commands[0]); i++)
        fprintf(f, "  %-9s %s\n", remote_commands[i].name, remote_commands[i].summary);
    fprintf(f, "\nThe server and token of the remote commands: --server and --token, else\n"
               "$GPUVM_SERVER and $GPUVM_TOKEN, else ~/.config/gpuvm/config, else\n"
               "http://127.0.0.1:8080.\n"
               "\nRun 'gpuvm COMMAND --help' for a command's options.\n");
}

int
gv_cli_report(const gv_err *err)
{
    char buf[GV_ERR_WHERE_MAX + GV_ERR_MSG_MAX + 8];

    fprintf(stderr, "gpuvm: %s\n", gv_err_format(err, buf, sizeof(buf)));
    return err->code == GV_E_INTERNAL ? GV_EXIT_FAIL : GV_EXIT_INPUT;
}

int
gv_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "gpuvm %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see 'gpuvm %s --help')\n", cmd);
    return GV_EXIT_INPUT;
}

int
gv_cli_parse_format(const char *cmd, const char *s, gv_cli_format *ret)
{
    if (!strcmp(s, "text"))
        *ret = GV_FORMAT_TEXT;
    else if (!strcmp(s, "json"))
        *ret = GV_FORMAT_JSON;
    else {
        gv_cli_usage_error(cmd, "--format: '%s' is not one of text, json", s);
        return -1;
    }
    return 0;
}

int
gv_cli_common_opt(int c, const char *cmd, char **argv, void (*usage_fn)(FILE *), gv_cli_common *co)
{
    switch (c) {
    case GV_OPT_FORMAT:
        return gv_cli_parse_format(cmd, optarg, &co->format) < 0 ? GV_EXIT_INPUT : -1;
    case GV_OPT_CATALOG:
        co->catalog_file = optarg;
        return -1;
    case 'h':
        usage_fn(stdout);
        return GV_EXIT_OK;
    default:
        return gv_cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
    }
}

const char *
gv_cli_catalog_path(void)
{
    const char *env = getenv("GPUVM_CATALOG");

    if (env && *env)
        return env;
    return GV_DATADIR "/catalog/gpus.yaml";
}

int
main(int argc, char **argv)
{
    int n_global;

    /*
     * hwloc prints its own complaints about bad input on stderr; ours is the one-line report
     * that names the file and the position. An operator can still ask for hwloc's with
     * HWLOC_HIDE_ERRORS=0.
     */
    setenv("HWLOC_HIDE_ERRORS", "2", 0);
    if ((n_global = gv_remote_flags_take(&argc, &argv)) < 0)
        return GV_EXIT_INPUT;
    if (argc < 2) {
        usage(stderr);
        return GV_EXIT_INPUT;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("gpuvm %s\n", GV_VERSION);
        return GV_EXIT_OK;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return GV_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof(remote_commands) / sizeof(remote_commands[0]); i++)
        if (!strcmp(argv[1], remote_commands[i].name))
            return remote_commands[i].run(argc - 1, argv + 1);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(argv[1], commands[i].name)) {
            if (n_global > 0) {
                fprintf(stderr,
                        "gpuvm: '%s' works offline: --server, --token, --format and --cacert "
                        "before it do not apply (see 'gpuvm %s --help')\n",
                        argv[1], argv[1]);
                return GV_EXIT_INPUT;
            }
            return commands[i].run(argc - 1, argv + 1);
        }
    fprintf(stderr, "gpuvm: '%s' is not a command (see 'gpuvm --help')\n", argv[1]);
    return GV_EXIT_INPUT;
}
