/*
 * remote.h - what the commands that talk to a gpuvmd share: the connection settings (flags, then
 * the environment, then the config file), one HTTP call through libcurl with the server's error
 * object mapped to an exit status, the option parser of a subcommand, and text tables.
 *
 * Design notes
 *
 * Settings, first found wins:
 *   server   --server URL, $GPUVM_SERVER, `server = URL` in the config file, http://127.0.0.1:8080
 *   token    --token T, $GPUVM_TOKEN, `token = T`; none: the server answers 401
 *   format   --format F, `format = F`, text
 *   cacert   --cacert FILE, $GPUVM_CACERT, `cacert = FILE`; none: the system CA store
 * The config file is $XDG_CONFIG_HOME/gpuvm/config (else ~/.config/gpuvm/config): `key = value`
 * lines, blank lines and `#` comment lines; anything else is "FILE:LINE: reason", exit 2. It is
 * read by the remote commands only, and only when it exists.
 *
 * Exit statuses (the offline commands' 0, 1, 2 and one more):
 *   0  the server did it
 *   1  the server refused: 401, 403, 404, 409 (conflict, no_capacity), 429, 500
 *   2  bad input: a usage error, a local file that does not parse, a 400, 405 or 413
 *   3  the server could not be reached: connect, DNS, TLS, a timeout, or 502/503/504
 * Every failure is one line on stderr, "gpuvm: " + the server's error message.
 */
#ifndef GV_CLI_REMOTE_H
#define GV_CLI_REMOTE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"
#include "util/strbuf.h"

enum {
    GV_EXIT_UNREACHABLE = 3, /* the server could not be reached (see above) */
};

#define GV_REMOTE_DEFAULT_SERVER "http://127.0.0.1:8080"
#define GV_REMOTE_CONNECT_TIMEOUT_S 5
#define GV_REMOTE_TIMEOUT_S 60
#define GV_REMOTE_BODY_MAX (64u << 20) /* bytes of a response kept in memory */
#define GV_REMOTE_CONFIG_MAX (64u << 10)

/* ---- settings -------------------------------------------------------------------------------- */

/* What the flags said (NULL: not given). Global options before the command land here too. */
typedef struct gv_remote_flags {
    const char *server;
    const char *token;
    const char *format;
    const char *cacert;
} gv_remote_flags;

/*
 * Consume the global options (--server, --token, --format, --cacert; "--opt VALUE" or
 * "--opt=VALUE") at the start of @argv[1..] into the process's flags, shifting them out of
 * @argc/@argv. Returns the number of options consumed, or -1 after a usage error (a missing
 * value).
 */
int gv_remote_flags_take(int *argc, char ***argv);

/* ---- the connection -------------------------------------------------------------------------- */

typedef struct gv_remote {
    char *server; /* without a trailing '/' */
    char *token;  /* NULL: none */
    char *cacert; /* NULL: the system CA store */
    char *config; /* the config file that was read, or NULL */
    gv_cli_format format;
    void *curl;            /* CURL *, made at the first call */
    const char *cmd;       /* "vm create": the command being run, for messages */
    void (*usage)(FILE *); /* its usage text */
} gv_remote;

/*
 * Resolve the settings (see above) into @rc. Returns GV_EXIT_OK, or GV_EXIT_INPUT after one
 * line on stderr (a malformed config file, a server URL that is not http(s)://, a bad format).
 */
int gv_remote_open(gv_remote *rc);
void gv_remote_close(gv_remote *rc);

typedef struct gv_remote_req {
    const char *method;       /* "GET", "POST", "PUT", "DELETE" */
    const char *path;         /* "/v1/vms?tenant=acme", already escaped */
    const char *body;         /* NULL: none */
    size_t body_len;          /* bytes of @body */
    const char *content_type; /* of @body; NULL: application/json */
    const char *idempotency_key;
    FILE *sink; /* a 2xx body is streamed here instead of kept (audit export); NULL: kept */
} gv_remote_req;

typedef struct gv_remote_resp {
    long status;  /* the HTTP status */
    char *body;   /* NUL-terminated; "" when streamed to the sink */
    size_t len;   /* bytes of @body */
    json_t *json; /* @body parsed, when it is a JSON object; else NULL */
} gv_remote_resp;

void gv_remote_resp_clear(gv_remote_resp *r);

/*
 * Send @req and wait for the answer into @ret (zeroed or from an earlier call: it is cleared
 * first; the caller clears it after).
 * Returns GV_EXIT_OK for a 2xx answer; otherwise the exit status (above) after one line on
 * stderr: the error object's message (with the top reasons of a no_capacity), or what kept the
 * server from answering.
 */
int gv_remote_call(gv_remote *rc, const gv_remote_req *req, gv_remote_resp *ret);

/* The same for the common cases; @body is a NUL-terminated JSON text or NULL. */
int gv_remote_get(gv_remote *rc, const char *path, gv_remote_resp *ret);
int gv_remote_send(gv_remote *rc, const char *method, const char *path, const char *body,
                   gv_remote_resp *ret);

/*
 * GET a list for a table: @path with the query arguments @keys[i]=@values[i] (NULL values
 * left out; @keys NULL-terminated). Under --format json the answer is printed as it came and
 * its exit status returned; so is a failure's. Returns -1 when @ret holds an answer to print
 * as a table (the caller clears it).
 */
int gv_remote_get_list(gv_remote *rc, const char *path, const char *const *keys,
                       const char *const *values, gv_remote_resp *ret);
/* For lists without query arguments. */
extern const char *const gv_remote_no_query[1];

/* Print @resp's body as it came (one document, a newline added when it lacks one). */
void gv_remote_print_raw(const gv_remote_resp *resp);

/* Append @s percent-encoded (everything but RFC 3986's unreserved characters) to @sb. */
void gv_remote_escape(gv_strbuf *sb, const char *s);
/* Append "?key=value" or "&key=value" (escaped) to @sb when @value is not NULL. */
void gv_remote_query(gv_strbuf *sb, const char *key, const char *value);

/*
 * The id of a VM named by @arg: @arg itself when it starts with "vm-", else the one VM called
 * @arg (in @tenant when not NULL). Caller frees *ret. Returns GV_EXIT_OK; GV_EXIT_FAIL for no
 * such VM; GV_EXIT_INPUT when the name is taken in several tenants (they are listed); or the
 * exit status of the lookup.
 */
int gv_remote_vm_resolve(gv_remote *rc, const char *arg, const char *tenant, char **ret);

/*
 * The body of a create or explain: the request file @request_file (may be NULL; read here, the
 * server never opens client-named files: JSON as is, YAML parsed and sent as the canonical
 * request, over the local flavor @flavor when given), with @name, @tenant and @flavor set over
 * it (each may be NULL). Caller frees *ret. Returns GV_EXIT_OK or GV_EXIT_INPUT after reporting.
 */
int gv_remote_request_body(const char *request_file, const char *name, const char *tenant,
                           const char *flavor, char **ret);

/* ---- subcommands ----------------------------------------------------------------------------- */

/* One option of a subcommand: --NAME ARG stored in *dest (without @arg, a flag: "1"). */
typedef struct gv_remote_opt {
    const char *name;
    const char *arg; /* the metavariable; NULL: a flag without a value */
    const char **dest;
} gv_remote_opt;

/* One subcommand: `gpuvm CMD NAME ...`; @run gets argv[0] = NAME and parses the rest with
 * gv_remote_parse. */
typedef struct gv_remote_sub {
    const char *name;
    int (*run)(gv_remote *rc, int argc, char **argv);
} gv_remote_sub;

/*
 * `gpuvm CMD SUB ...`: find SUB in @subs and run it with a fresh connection (closed after).
 * `gpuvm CMD`, `gpuvm CMD --help` and `--help` anywhere print @usage. Returns the exit status.
 */
int gv_remote_dispatch(const char *cmd, const gv_remote_sub *subs, size_t n_subs,
                       void (*usage)(FILE *), int argc, char **argv);

/*
 * Parse a subcommand's arguments: @opts ({0}-terminated) and the global options, anywhere;
 * between @min_args and @max_args positional arguments into @ret_args (room for @max_args);
 * then gv_remote_open. Returns -1 when the command goes on, else the exit status it returns at
 * once (--help: 0; a usage error: 2).
 */
int gv_remote_parse(gv_remote *rc, const gv_remote_opt *opts, int min_args, int max_args, int argc,
                    char **argv, const char **ret_args);

/* The options every remote command's usage text lists. */
#define GV_REMOTE_USAGE_GLOBAL                                                                     \
    "Connection (also before the command): --server URL, --token T, --format text|json,\n"         \
    "--cacert FILE; else $GPUVM_SERVER, $GPUVM_TOKEN, $GPUVM_CACERT, else the config file\n"       \
    "~/.config/gpuvm/config (`server = URL`, `token = T`, `format = json`, `cacert = FILE`).\n"    \
    "\n"                                                                                           \
    "Exit status: 0 done, 1 refused by the server (not found, permission, conflict, nothing\n"     \
    "fits), 2 bad usage or bad input, 3 the server could not be reached.\n"

/* ---- text output ----------------------------------------------------------------------------- */

/* A table for people: a header line, then rows, in aligned columns. */
typedef struct gv_remote_table {
    size_t n_cols;
    size_t n_cells;
    char **cells; /* row-major; the header is row 0 */
} gv_remote_table;

void gv_remote_table_init(gv_remote_table *t, size_t n_cols, const char *const *header);
/* Append one row of n_cols cells (NULL or "" print as "-"; control characters as '?'). */
void gv_remote_table_row(gv_remote_table *t, const char *const *cells);
void gv_remote_table_print(const gv_remote_table *t, FILE *out);
void gv_remote_table_free(gv_remote_table *t);
/* Print @t to stdout, free it and @resp. Returns GV_EXIT_OK. */
int gv_remote_table_finish(gv_remote_table *t, gv_remote_resp *resp);

/* @o[@key] as a string ("" when absent or not a string). */
const char *gv_remote_str(const json_t *o, const char *key);
/* @o[@key] as an integer (0 when absent), and as text into @buf. */
int64_t gv_remote_int(const json_t *o, const char *key);
const char *gv_remote_int_text(const json_t *o, const char *key, char *buf, size_t n);
/* @ms since the epoch as "2026-01-31T12:00:00Z" into @buf ("-" for 0). */
const char *gv_remote_time_text(int64_t ms, char *buf, size_t n);
/* The GPUs of a placement JSON, grouped: "8xH100-SXM5-80GB", "1xA30-24GB:1g.6gb"; "-" when
 * none. Caller frees. */
char *gv_remote_gpus_text(const json_t *placement);

/* ---- commands -------------------------------------------------------------------------------- */

int gv_cmd_host(int argc, char **argv);
int gv_cmd_vm(int argc, char **argv);
int gv_cmd_tenant(int argc, char **argv);
int gv_cmd_user(int argc, char **argv);
int gv_cmd_token(int argc, char **argv);
int gv_cmd_audit(int argc, char **argv);
int gv_cmd_explain(int argc, char **argv);

#endif
