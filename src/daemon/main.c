/*
 * main.c - gpuvmd: read the settings, rebuild the state from the store, serve until SIGTERM or
 * SIGINT, then stop cleanly (the writer drains its queue and answers it, then the server stops).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "gpuvm/alloc.h"
#include "util/file.h"

static void
usage(FILE *f)
{
    fprintf(f, "usage: gpuvmd [--config FILE] [--listen ADDRESS:PORT] [--data-dir DIR]\n"
               "              [--import-fleet FILE] [--tls-cert FILE --tls-key FILE]\n"
               "              [--catalog FILE] [--flavors DIR] [--threads N]\n"
               "\n"
               "The gpuvm control-plane daemon: the REST API (docs/api.md) on ADDRESS:PORT\n"
               "(default 127.0.0.1:8080; port 0 picks a free one and writes it to DIR/port), its\n"
               "state in DIR/gpuvm.db (default ./var). On the first start it creates the user\n"
               "'admin' and writes its token to DIR/admin.token, and imports --import-fleet.\n"
               "Settings: command line over --config FILE (YAML) over the defaults.\n");
}

static int
fail(const gv_err *err)
{
    char buf[GV_ERR_WHERE_MAX + GV_ERR_MSG_MAX + 4];

    gv_log("fatal", "start", "error=\"%s\"", gv_err_format(err, buf, sizeof(buf)));
    fprintf(stderr, "gpuvmd: %s\n", buf);
    return err->code == GV_E_IO ? 1 : 2;
}

static char *
read_pem(const char *path, gv_err *err)
{
    char *text = NULL;
    size_t len;

    if (gv_file_read(path, 1 << 20, &text, &len, err) < 0)
        return NULL;
    return text;
}

static int
write_port(const gv_daemon *d, uint16_t port)
{
    GV_AUTOFREE char *path = gv_asprintf("%s/port", d->cfg.data_dir);
    FILE *f = fopen(path, "w");

    if (!f || fprintf(f, "%u\n", (unsigned)port) < 0 || fclose(f) != 0)
        return -1;
    return 0;
}

int
main(int argc, char **argv)
{
    enum {
        OPT_CONFIG = 1,
        OPT_LISTEN,
        OPT_DATA,
        OPT_IMPORT,
        OPT_CERT,
        OPT_KEY,
        OPT_CATALOG,
        OPT_FLAVORS,
        OPT_THREADS
    };
    static const struct option opts[] = {
        {"config", required_argument, NULL, OPT_CONFIG},
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"data-dir", required_argument, NULL, OPT_DATA},
        {"import-fleet", required_argument, NULL, OPT_IMPORT},
        {"tls-cert", required_argument, NULL, OPT_CERT},
        {"tls-key", required_argument, NULL, OPT_KEY},
        {"catalog", required_argument, NULL, OPT_CATALOG},
        {"flavors", required_argument, NULL, OPT_FLAVORS},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static gv_daemon d;
    gv_daemon_config *c = &d.cfg;
    const char *config = NULL;
    GV_AUTOFREE char *cert = NULL;
    GV_AUTOFREE char *key = NULL;
    gv_err err = {0};
    sigset_t sigs;
    int opt, sig;

    /* the config file first, so the command line overrides it */
    gv_daemon_config_init(c);
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--config"))
            config = argv[i + 1];
    if (config && gv_daemon_config_load(c, config, &err) < 0)
        return fail(&err);
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        char **field = NULL;

        switch (opt) {
        case OPT_CONFIG:
            break;
        case OPT_LISTEN:
            if (gv_daemon_parse_listen(c, optarg, &err) < 0)
                return fail(&err);
            break;
        case OPT_DATA:
            field = &c->data_dir;
            break;
        case OPT_IMPORT:
            field = &c->import_fleet;
            break;
        case OPT_CERT:
            field = &c->tls_cert;
            break;
        case OPT_KEY:
            field = &c->tls_key;
            break;
        case OPT_CATALOG:
            field = &c->catalog;
            break;
        case OPT_FLAVORS:
            field = &c->flavors_dir;
            break;
        case OPT_THREADS:
            c->threads = (unsigned)atoi(optarg);
            if (c->threads < 1 || c->threads > 256) {
                gv_err_set(&err, GV_E_INVAL, "--threads", "expected 1..256");
                return fail(&err);
            }
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
        if (field) {
            free(*field);
            *field = gv_strdup(optarg);
        }
    }
    if (optind < argc || !!c->tls_cert != !!c->tls_key) {
        usage(stderr);
        return 2;
    }
    if (sodium_init() < 0) {
        gv_err_set(&err, GV_E_IO, "libsodium", "cannot initialise");
        return fail(&err);
    }
    if (c->tls_cert &&
        (!(cert = read_pem(c->tls_cert, &err)) || !(key = read_pem(c->tls_key, &err))))
        return fail(&err);

    /* every thread started from here on inherits the blocked signals; main waits for them */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    pthread_rwlock_init(&d.lock, NULL);
    d.started_ms = gv_daemon_now_ms();
    if (gv_daemon_load(&d, &err) < 0)
        return fail(&err);
    if (gv_writer_start(&d, &err) < 0)
        return fail(&err);
    {
        gv_http_config hc = {.address = c->listen_address,
                             .port = c->port,
                             .tls_cert = cert,
                             .tls_key = key,
                             .threads = c->threads,
                             .max_conns = 4096,
                             .timeout_s = 120,
                             .max_body = 1u << 20};
        gv_http_handler h = {.ctx = &d,
                             .on_headers = gv_api_on_headers,
                             .on_request = gv_api_on_request,
                             .on_complete = gv_api_on_complete};

        if (gv_http_start(&hc, &h, &d.http, &err) < 0) {
            gv_writer_stop(&d);
            return fail(&err);
        }
    }
    if (write_port(&d, gv_http_port(d.http)) < 0)
        gv_log("warn", "start", "error=\"cannot write %s/port\"", c->data_dir);
    atomic_store(&d.ready, true);
    gv_log("info", "listening", "address=%s port=%u tls=%s data_dir=%s", c->listen_address,
           (unsigned)gv_http_port(d.http), cert ? "on" : "off", c->data_dir);

    while (sigwait(&sigs, &sig) != 0)
        ;
    gv_log("info", "stopping", "signal=%s", sig == SIGTERM ? "TERM" : "INT");
    atomic_store(&d.ready, false);
    gv_writer_stop(&d);
    gv_http_stop(d.http);
    gv_daemon_free_state(&d);
    gv_daemon_config_fini(c);
    gv_log("info", "stopped", NULL);
    return 0;
}
