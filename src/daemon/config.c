/*
 * config.c - gpuvmd's settings: defaults, then the YAML file, then the command line.
 *
 *   listen: 127.0.0.1:8080        data_dir: ./var         threads: 2
 *   tls_cert: FILE  tls_key: FILE catalog: FILE           flavors: DIR
 *   import_fleet: FILE            checkpoint_every: 1000  checkpoint_seconds: 60
 *   queue_limit: 10000
 */
#include <stdlib.h>
#include <string.h>

#include "daemon/daemon.h"
#include "gpuvm/alloc.h"
#include "util/file.h"
#include "util/yaml.h"

#ifndef GV_DATADIR
#define GV_DATADIR "data"
#endif

void
gv_daemon_config_init(gv_daemon_config *c)
{
    memset(c, 0, sizeof(*c));
    c->listen_address = gv_strdup("127.0.0.1");
    c->port = 8080;
    c->data_dir = gv_strdup("./var");
    c->catalog = gv_strdup(GV_DATADIR "/catalog/gpus.yaml");
    c->flavors_dir = gv_strdup(GV_DATADIR "/flavors");
    c->threads = 2;
    c->checkpoint_every = 1000;
    c->checkpoint_seconds = 60;
    c->queue_limit = 10000;
}

void
gv_daemon_config_fini(gv_daemon_config *c)
{
    free(c->listen_address);
    free(c->data_dir);
    free(c->tls_cert);
    free(c->tls_key);
    free(c->catalog);
    free(c->flavors_dir);
    free(c->import_fleet);
}

/* "ADDR:PORT", "[V6]:PORT". Returns 0 or -GV_E_INVAL. */
int
gv_daemon_parse_listen(gv_daemon_config *c, const char *s, gv_err *err)
{
    const char *colon = strrchr(s, ':');
    char *end;
    unsigned long port;
    size_t alen;

    if (!colon || colon == s)
        return gv_err_set(err, GV_E_INVAL, "listen", "'%s': expected ADDRESS:PORT", s);
    port = strtoul(colon + 1, &end, 10);
    if (*end || !colon[1] || port > 65535)
        return gv_err_set(err, GV_E_INVAL, "listen", "'%s': the port must be 0..65535", s);
    alen = (size_t)(colon - s);
    if (s[0] == '[' && alen >= 2 && s[alen - 1] == ']') {
        s++;
        alen -= 2;
    }
    free(c->listen_address);
    c->listen_address = gv_strndup(s, alen);
    c->port = (uint16_t)port;
    return 0;
}

static int
get_path(gv_yaml *y, gv_yaml_node *root, const char *key, char **field, gv_err *err)
{
    const char *v = NULL;
    int r = gv_yaml_get_str(y, root, key, false, &v, err);

    if (r < 0)
        return r;
    if (v) {
        free(*field);
        *field = gv_strdup(v);
    }
    return 0;
}

static int
get_uint(gv_yaml *y, gv_yaml_node *root, const char *key, int64_t min, int64_t max, unsigned *field,
         gv_err *err)
{
    int64_t v = *field;
    int r = gv_yaml_get_int(y, root, key, false, min, max, &v, err);

    *field = (unsigned)v;
    return r;
}

int
gv_daemon_config_load(gv_daemon_config *c, const char *path, gv_err *err)
{
    static const char *const keys[] = {"listen",           "data_dir",
                                       "tls_cert",         "tls_key",
                                       "catalog",          "flavors",
                                       "import_fleet",     "threads",
                                       "checkpoint_every", "checkpoint_seconds",
                                       "queue_limit",      NULL};
    GV_AUTOFREE char *text = NULL;
    gv_yaml *y = NULL;
    gv_yaml_node *root;
    const char *listen = NULL;
    size_t len;
    int r;

    if ((r = gv_file_read(path, 1 << 20, &text, &len, err)) < 0)
        return r;
    if ((r = gv_yaml_parse(text, len, path, &y, err)) < 0)
        return r;
    root = gv_yaml_root(y);
    if ((r = gv_yaml_expect_map(y, root, "the configuration", err)) < 0 ||
        (r = gv_yaml_check_keys(y, root, "the configuration", keys, err)) < 0 ||
        (r = gv_yaml_get_str(y, root, "listen", false, &listen, err)) < 0 ||
        (listen && (r = gv_daemon_parse_listen(c, listen, err)) < 0) ||
        (r = get_path(y, root, "data_dir", &c->data_dir, err)) < 0 ||
        (r = get_path(y, root, "tls_cert", &c->tls_cert, err)) < 0 ||
        (r = get_path(y, root, "tls_key", &c->tls_key, err)) < 0 ||
        (r = get_path(y, root, "catalog", &c->catalog, err)) < 0 ||
        (r = get_path(y, root, "flavors", &c->flavors_dir, err)) < 0 ||
        (r = get_path(y, root, "import_fleet", &c->import_fleet, err)) < 0 ||
        (r = get_uint(y, root, "threads", 1, 256, &c->threads, err)) < 0 ||
        (r = get_uint(y, root, "checkpoint_every", 1, 1000000, &c->checkpoint_every, err)) < 0 ||
        (r = get_uint(y, root, "checkpoint_seconds", 1, 86400, &c->checkpoint_seconds, err)) < 0 ||
        (r = get_uint(y, root, "queue_limit", 1, 1000000, &c->queue_limit, err)) < 0) {
        gv_yaml_free(y);
        return r;
    }
    gv_yaml_free(y);
    return 0;
}
