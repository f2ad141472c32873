/*
 * remote.c - the settings of the remote commands (flags, environment, config file), the option
 * parser every subcommand uses, and the dispatch of `gpuvm CMD SUB`.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli/remote.h"
#include "gpuvm/alloc.h"
#include "util/file.h"

/* The flags of this run: the global options before the command and those after it. */
static gv_remote_flags flags;

/* The global options, in one table for both places they may appear. */
enum {
    OPT_SERVER = 3000,
    OPT_TOKEN,
    OPT_FORMAT,
    OPT_CACERT,
    OPT_FIRST_OWN, /* the subcommand's own options start here */
};

static const struct {
    const char *name;
    int id;
    const char **dest;
} globals[] = {
    {.name = "server", .id = OPT_SERVER, .dest = &flags.server},
    {.name = "token", .id = OPT_TOKEN, .dest = &flags.token},
    {.name = "format", .id = OPT_FORMAT, .dest = &flags.format},
    {.name = "cacert", .id = OPT_CACERT, .dest = &flags.cacert},
};

int
gv_remote_flags_take(int *argc, char ***argv)
{
    char **av = *argv;
    int ac = *argc, i = 1, n = 0;

    while (i < ac && !strncmp(av[i], "--", 2) && av[i][2]) {
        const char *opt = av[i] + 2, *eq = strchr(opt, '=');
        size_t len = eq ? (size_t)(eq - opt) : strlen(opt);
        size_t g;

        for (g = 0; g < GV_N_ELEMENTS(globals); g++)
            if (strlen(globals[g].name) == len && !strncmp(globals[g].name, opt, len))
                break;
        if (g == GV_N_ELEMENTS(globals))
            break;
        if (eq) {
            *globals[g].dest = eq + 1;
            i++;
        } else if (i + 1 < ac) {
            *globals[g].dest = av[i + 1];
            i += 2;
        } else {
            fprintf(stderr, "gpuvm: option '--%s' needs a value (see 'gpuvm --help')\n",
                    globals[g].name);
            return -1;
        }
        n++;
    }
    if (n > 0) {
        /* keep argv[0]; the command becomes argv[1] */
        av[i - 1] = av[0];
        *argv = av + i - 1;
        *argc = ac - (i - 1);
    }
    return n;
}

/* ---- the config file ------------------------------------------------------------------------- */

typedef struct config_vals {
    char *server, *token, *format, *cacert;
    char where_server[GV_ERR_WHERE_MAX]; /* "FILE:LINE" of the server setting */
} config_vals;

static void
config_vals_clear(config_vals *c)
{
    free(c->server);
    free(c->token);
    free(c->format);
    free(c->cacert);
}

/* $XDG_CONFIG_HOME/gpuvm/config, else ~/.config/gpuvm/config; NULL without a home. */
static char *
config_path(void)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

    if (xdg && xdg[0] == '/')
        return gv_asprintf("%s/gpuvm/config", xdg);
    if (home && home[0])
        return gv_asprintf("%s/.config/gpuvm/config", home);
    return NULL;
}

static char *
trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

static int
config_error(const char *path, size_t line, const char *fmt, const char *arg)
{
    fprintf(stderr, "gpuvm: %s:%zu: ", path, line);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return GV_EXIT_INPUT;
}

/* Parse the config text @text of @path into @ret. Returns GV_EXIT_OK or GV_EXIT_INPUT. */
static int
config_parse(const char *path, char *text, size_t len, config_vals *ret)
{
    static const char *const keys[] = {"server", "token", "format", "cacert"};
    char **slots[] = {&ret->server, &ret->token, &ret->format, &ret->cacert};
    char *line = text, *next;
    size_t lineno = 0;

    if (memchr(text, '\0', len))
        return config_error(path, 1, "%s", "a NUL byte: not a text file");
    for (; line && *line; line = next) {
        char *eq, *key, *value;
        size_t k;

        lineno++;
        if ((next = strchr(line, '\n')))
            *next++ = '\0';
        line = trim(line);
        if (!*line || *line == '#')
            continue;
        if (!(eq = strchr(line, '=')))
            return config_error(path, lineno, "%s", "expected 'key = value'");
        *eq = '\0';
        key = trim(line);
        value = trim(eq + 1);
        for (k = 0; k < GV_N_ELEMENTS(keys); k++)
            if (!strcmp(key, keys[k]))
                break;
        if (k == GV_N_ELEMENTS(keys))
            return config_error(path, lineno, "unknown key '%s' (server, token, format, cacert)",
                                key);
        if (!*value)
            return config_error(path, lineno, "%s: expected a value", key);
        for (const char *p = value; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                return config_error(path, lineno, "%s: a control character in the value", key);
        if (*slots[k])
            return config_error(path, lineno, "'%s' is set twice", key);
        if (k == 2 && strcmp(value, "text") && strcmp(value, "json"))
            return config_error(path, lineno, "format: '%s' is not one of text, json", value);
        *slots[k] = gv_strdup(value);
        if (k == 0)
            snprintf(ret->where_server, sizeof(ret->where_server), "%s:%zu", path, lineno);
    }
    return GV_EXIT_OK;
}

/* Read the config file when there is one. Returns GV_EXIT_OK or GV_EXIT_INPUT. */
static int
config_read(char **ret_path, config_vals *ret)
{
    GV_AUTOFREE char *path = config_path();
    GV_AUTOFREE char *text = NULL;
    struct stat st;
    gv_err err = {0};
    size_t len;
    int r;

    if (!path || (stat(path, &st) < 0 && errno == ENOENT))
        return GV_EXIT_OK;
    if (gv_file_read(path, GV_REMOTE_CONFIG_MAX, &text, &len, &err) < 0)
        return gv_cli_report(&err);
    if ((r = config_parse(path, text, len, ret)) != GV_EXIT_OK)
        return r;
    *ret_path = GV_STEAL_PTR(path);
    return GV_EXIT_OK;
}

/* ---- the connection -------------------------------------------------------------------------- */

static const char *
first_set(const char *a, const char *b, const char *c)
{
    if (a && *a)
        return a;
    if (b && *b)
        return b;
    return c && *c ? c : NULL;
}

static bool
has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

int
gv_remote_open(gv_remote *rc)
{
    config_vals cv = {0};
    const char *server, *token, *format, *where;
    size_t len;
    int r;

    if ((r = config_read(&rc->config, &cv)) != GV_EXIT_OK) {
        config_vals_clear(&cv);
        return r;
    }
    server = first_set(flags.server, getenv("GPUVM_SERVER"), cv.server);
    where = flags.server && *flags.server                       ? "--server"
            : getenv("GPUVM_SERVER") && *getenv("GPUVM_SERVER") ? "$GPUVM_SERVER"
                                                                : cv.where_server;
    if (!server)
        server = GV_REMOTE_DEFAULT_SERVER;
    if (strncasecmp(server, "http://", 7) && strncasecmp(server, "https://", 8)) {
        fprintf(stderr, "gpuvm: %s: '%s' is not an http:// or https:// URL\n", where, server);
        config_vals_clear(&cv);
        return GV_EXIT_INPUT;
    }
    if (has_control(server)) {
        fprintf(stderr, "gpuvm: %s: a control character in the server URL\n", where);
        config_vals_clear(&cv);
        return GV_EXIT_INPUT;
    }
    token = first_set(flags.token, getenv("GPUVM_TOKEN"), cv.token);
    if (token && has_control(token)) {
        fprintf(stderr, "gpuvm: the token holds a control character\n");
        config_vals_clear(&cv);
        return GV_EXIT_INPUT;
    }
    format = first_set(flags.format, cv.format, NULL);
    if (format && gv_cli_parse_format(rc->cmd ? rc->cmd : "", format, &rc->format) < 0) {
        config_vals_clear(&cv);
        return GV_EXIT_INPUT;
    }
    rc->server = gv_strdup(server);
    len = strlen(rc->server);
    while (len > 0 && rc->server[len - 1] == '/')
        rc->server[--len] = '\0';
    rc->token = gv_strdup(token);
    rc->cacert = gv_strdup(first_set(flags.cacert, getenv("GPUVM_CACERT"), cv.cacert));
    config_vals_clear(&cv);
    return GV_EXIT_OK;
}

/* ---- subcommands ----------------------------------------------------------------------------- */

int
gv_remote_parse(gv_remote *rc, const gv_remote_opt *opts, int min_args, int max_args, int argc,
                char **argv, const char **ret_args)
{
    GV_AUTOFREE struct option *lopts = NULL;
    size_t n_opts = 0, n = 0;
    int c, n_args, r;

    while (opts && opts[n_opts].name)
        n_opts++;
    lopts = gv_calloc(n_opts + GV_N_ELEMENTS(globals) + 2, sizeof(*lopts));
    for (size_t i = 0; i < n_opts; i++)
        lopts[n++] = (struct option){opts[i].name, opts[i].arg ? required_argument : no_argument,
                                     NULL, OPT_FIRST_OWN + (int)i};
    for (size_t i = 0; i < GV_N_ELEMENTS(globals); i++)
        lopts[n++] = (struct option){globals[i].name, required_argument, NULL, globals[i].id};
    lopts[n++] = (struct option){"help", no_argument, NULL, 'h'};

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", lopts, NULL)) != -1) {
        if (c >= OPT_FIRST_OWN && c < OPT_FIRST_OWN + (int)n_opts) {
            *opts[c - OPT_FIRST_OWN].dest = opts[c - OPT_FIRST_OWN].arg ? optarg : "1";
            continue;
        }
        switch (c) {
        case OPT_SERVER:
        case OPT_TOKEN:
        case OPT_FORMAT:
        case OPT_CACERT:
            *globals[c - OPT_SERVER].dest = optarg;
            break;
        case 'h':
            rc->usage(stdout);
            return GV_EXIT_OK;
        case ':':
            return gv_cli_usage_error(rc->cmd, "option '%s' needs a value", argv[optind - 1]);
        default:
            return gv_cli_usage_error(rc->cmd, "unknown option '%s'", argv[optind - 1]);
        }
    }
    n_args = argc - optind;
    if (n_args < min_args || n_args > max_args) {
        if (max_args == 0)
            return gv_cli_usage_error(rc->cmd, "takes no arguments ('%s')", argv[optind]);
        if (min_args == max_args)
            return gv_cli_usage_error(rc->cmd, "takes %d argument%s, got %d", min_args,
                                      min_args == 1 ? "" : "s", n_args);
        return gv_cli_usage_error(rc->cmd, "takes %d to %d arguments, got %d", min_args, max_args,
                                  n_args);
    }
    for (int i = 0; i < n_args; i++)
        ret_args[i] = argv[optind + i];
    r = gv_remote_open(rc);
    return r == GV_EXIT_OK ? -1 : r;
}

int
gv_remote_dispatch(const char *cmd, const gv_remote_sub *subs, size_t n_subs, void (*usage)(FILE *),
                   int argc, char **argv)
{
    GV_AUTOFREE char *name = NULL;
    gv_remote rc = {.usage = usage};
    const gv_remote_sub *sub = NULL;
    int r;

    if (argc < 2) {
        usage(stderr);
        return GV_EXIT_INPUT;
    }
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return GV_EXIT_OK;
        }
    /* global options may sit between the command and the subcommand too */
    if (argv[1][0] == '-') {
        int taken = gv_remote_flags_take(&argc, &argv);

        if (taken < 0)
            return GV_EXIT_INPUT;
        if (argc < 2)
            return gv_cli_usage_error(cmd, "which %s command?", cmd);
        if (argv[1][0] == '-')
            return gv_cli_usage_error(cmd, "unknown option '%s'", argv[1]);
    }
    for (size_t i = 0; i < n_subs; i++)
        if (!strcmp(argv[1], subs[i].name))
            sub = &subs[i];
    if (!sub) {
        gv_strbuf names = {0};

        for (size_t i = 0; i < n_subs; i++)
            gv_strbuf_printf(&names, "%s%s", i ? ", " : "", subs[i].name);
        r = gv_cli_usage_error(cmd, "'%s' is not a %s command (%s)", argv[1], cmd,
                               gv_strbuf_str(&names));
        gv_strbuf_reset(&names);
        return r;
    }
    name = gv_asprintf("%s %s", cmd, sub->name);
    rc.cmd = name;
    r = sub->run(&rc, argc - 1, argv + 1);
    gv_remote_close(&rc);
    return r;
}
