/*
 * cli.h - what the gpuvm subcommands share: the command table entry, exit statuses, error
 * reporting and the output format option.
 */
#ifndef GV_CLI_H
#define GV_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "gpuvm/err.h"
#include "gpuvm/gpu.h"
#include "gpuvm/place.h"
#include "gpuvm/topo.h"

/* Exit statuses of every gpuvm command. */
enum {
    GV_EXIT_OK = 0,
    GV_EXIT_FAIL = 1,  /* the operation ran and said no (a check failed, nothing fits) */
    GV_EXIT_INPUT = 2, /* bad usage or bad input: nothing was changed */
};

typedef struct gv_cli_cmd {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
} gv_cli_cmd;

typedef enum gv_cli_format {
    GV_FORMAT_TEXT,
    GV_FORMAT_JSON,
} gv_cli_format;

/* Print "gpuvm: where: msg" on stderr once and return the exit status for @err's code. */
int gv_cli_report(const gv_err *err);

/* cli_out.c: @path created (truncated) for writing, or NULL after "gpuvm: PATH: cannot write:
 * REASON" on stderr; and @f closed, 0, or -1 after the same message (a write that failed). */
FILE *gv_cli_create(const char *path);
int gv_cli_close(FILE *f, const char *path);

/* Print "gpuvm: msg" + a hint to use --help, return GV_EXIT_INPUT. */
int gv_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The options every command takes: --format, --catalog, --help. */
typedef struct gv_cli_common {
    gv_cli_format format;     /* --format, default text */
    const char *catalog_file; /* --catalog FILE, or NULL */
} gv_cli_common;

enum {
    GV_OPT_FORMAT = 1000,
    GV_OPT_CATALOG
};

#define GV_CLI_COMMON_OPTIONS                                                                      \
    {"format", required_argument, NULL, GV_OPT_FORMAT},                                            \
        {"catalog", required_argument, NULL, GV_OPT_CATALOG},                                      \
    {                                                                                              \
        "help", no_argument, NULL, 'h'                                                             \
    }

/*
 * Handle a getopt_long result that is not one of the command's own options: a common option,
 * --help (prints @usage), or an unknown option.
 * Returns -1 when parsing goes on, else the exit status the command returns at once.
 */
int gv_cli_common_opt(int c, const char *cmd, char **argv, void (*usage)(FILE *),
                      gv_cli_common *co);

/* Parse "text" / "json". Returns 0, or -1 after printing a usage error. */
int gv_cli_parse_format(const char *cmd, const char *s, gv_cli_format *ret);

/* The shipped catalog: $GPUVM_CATALOG when set, else data/catalog/gpus.yaml. */
const char *gv_cli_catalog_path(void);

/*
 * Load the catalog: the shipped one (gv_cli_catalog_path) with @user_file (may be NULL) merged
 * over it. Returns GV_EXIT_OK, or the exit status after reporting the error.
 */
int gv_cli_load_catalog(const char *user_file, gv_catalog **ret);

/*
 * Flavor @name (data/flavors/NAME.yaml under $GPUVM_DATADIR or the shipped data) over the
 * request defaults, into @ret. A name that is empty, holds '/' or starts with '.' is refused.
 * Returns: 0, -GV_E_INVAL (not a flavor name), or the reader's / parser's negative code, with
 * @err set (cmd_place.c).
 */
int gv_cli_flavor_read(const char *name, gv_request *ret, gv_err *err);

/*
 * The placement settings: the defaults, with the file @path (may be NULL) read over them.
 * Returns GV_EXIT_OK, or the exit status after reporting the error (cmd_place.c).
 */
int gv_cli_load_config(const char *path, gv_place_config *cfg);

/* Text renderings (topo_text.c, fleet_text.c, place_text.c). Output to @out. */
void gv_topo_print_text(FILE *out, const gv_host *h);
void gv_fleet_print_text(FILE *out, const gv_fleet *f, const gv_catalog *cat);
/* A placement result: @h is the placement's host (may be NULL), @req the request (may be NULL). */
void gv_place_print_text(FILE *out, const gv_host *h, const gv_place_result *r,
                         const gv_request *req);

/* Subcommands, one file each. */
int gv_cmd_topo(int argc, char **argv);
int gv_cmd_fleet(int argc, char **argv);
int gv_cmd_catalog(int argc, char **argv);
int gv_cmd_place(int argc, char **argv);
int gv_cmd_sim(int argc, char **argv);
/* `gpuvm sim --fleet F --requests R.jsonl`: gv_cmd_sim hands over when argv[1] is an option. */
int gv_cmd_sim_whatif(int argc, char **argv);

#endif
