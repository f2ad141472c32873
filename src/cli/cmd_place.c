/*
 * cmd_place.c - `gpuvm place`: decide where VMs go on a fleet, one request or a stream of
 * requests and releases, and print placements (text, JSON, libvirt domain XML) or why nothing
 * fits.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/place/place_json.h"
#include "gpuvm/discover.h"
#include "gpuvm/place.h"
#include "util/file.h"

#ifndef GV_DATADIR
#define GV_DATADIR "data"
#endif

static void
usage(FILE *f)
{
    fprintf(
        f,
        "usage: gpuvm place --fleet FILE --request FILE [--explain]\n"
        "                   [--format text|json|libvirt-xml] [options]\n"
        "       gpuvm place --fleet FILE --requests FILE.jsonl [--out FILE] [options]\n"
        "\n"
        "Decide where a VM goes and exactly which CPUs, memory, GPU slices, VFs and scratch it\n"
        "gets, or say precisely why no host can take it.\n"
        "\n"
        "  --fleet FILE       a fleet YAML, or the JSON of 'gpuvm topo show --format json'\n"
        "                     or 'gpuvm fleet show --format json'\n"
        "  --request FILE     one request, JSON or YAML (see data/flavors/ and docs/formats.md)\n"
        "  --requests FILE    a stream: one JSON request or {\"release\": \"NAME\"} per line,\n"
        "                     applied in order; one JSON result line per input line\n"
        "  --out FILE         write the stream's results there instead of stdout\n"
        "  --flavor NAME      start every request from data/flavors/NAME.yaml (training,\n"
        "                     inference, notebook); the request's fields override it\n"
        "  --name NAME        the VM name (with --flavor, instead of a --request file)\n"
        "  --config FILE      scorer weights, expected workload mix (data/place.yaml)\n"
        "  --explain          also show the runner-up host and its score (with --format\n"
        "                     json, an \"explain\" object beside \"placement\")\n"
        "  --reference        decide with the exhaustive reference instead of the indexes\n"
        "  --format F         text (default), json, or libvirt-xml (a placed VM's domain)\n"
        "  --catalog FILE     GPU catalog entries merged over the shipped catalog\n"
        "\n"
        "Exit status: 0 placed (a stream: every request placed), 1 nothing fits (a stream:\n"
        "some request did not fit), 2 bad usage or bad input (nothing changes; a stream\n"
        "reports the bad line and goes on).\n");
}

enum {
    OPT_FLEET = 2000,
    OPT_REQUEST,
    OPT_REQUESTS,
    OPT_OUT,
    OPT_FLAVOR,
    OPT_NAME,
    OPT_CONFIG,
    OPT_EXPLAIN,
    OPT_REFERENCE,
};

typedef struct place_opts {
    const char *fleet, *request, *requests, *out, *flavor, *name, *config;
    bool explain, reference, xml;
    gv_cli_common co;
} place_opts;

int
gv_cli_flavor_read(const char *name, gv_request *ret, gv_err *err)
{
    const char *dir = getenv("GPUVM_DATADIR") ? getenv("GPUVM_DATADIR") : GV_DATADIR;
    GV_AUTOFREE char *path = gv_asprintf("%s/flavors/%s.yaml", dir, name);
    GV_AUTOFREE char *text = NULL;
    size_t len;
    gv_request defaults;
    int r;

    gv_request_init(&defaults);
    if (!name[0] || strchr(name, '/') || name[0] == '.')
        return gv_err_set(err, GV_E_INVAL, NULL, "'%s' is not a flavor name", name);
    if ((r = gv_file_read(path, 1u << 20, &text, &len, err)) < 0)
        return r;
    return gv_request_parse_yaml(text, len, path, &defaults, ret, err);
}

static int
load_flavor(const char *name, gv_request *ret)
{
    gv_err err = {0};

    if (strchr(name, '/') || name[0] == '.')
        return gv_cli_usage_error("place", "--flavor: '%s' is not a flavor name", name);
    if (gv_cli_flavor_read(name, ret, &err) < 0)
        return gv_cli_report(&err);
    return GV_EXIT_OK;
}

static bool
looks_like_json(const char *text)
{
    while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')
        text++;
    return *text == '{';
}

static int
load_request(const char *path, const gv_request *base, gv_request *ret)
{
    GV_AUTOFREE char *text = NULL;
    size_t len;
    gv_err err = {0};
    int r;

    if (gv_file_read(path, 16u << 20, &text, &len, &err) < 0)
        return gv_cli_report(&err);
    r = looks_like_json(text) ? gv_request_parse_json(text, len, path, base, ret, &err)
                              : gv_request_parse_yaml(text, len, path, base, ret, &err);
    return r < 0 ? gv_cli_report(&err) : GV_EXIT_OK;
}

int
gv_cli_load_config(const char *path, gv_place_config *cfg)
{
    GV_AUTOFREE char *text = NULL;
    size_t len;
    gv_err err = {0};

    gv_place_config_init(cfg);
    if (!path)
        return GV_EXIT_OK;
    if (gv_file_read(path, 16u << 20, &text, &len, &err) < 0 ||
        gv_place_config_parse(text, len, path, cfg, &err) < 0)
        return gv_cli_report(&err);
    return GV_EXIT_OK;
}

/* Result document @doc (stolen) as one stream line, with its input line number. */
static void
print_stream_doc(FILE *out, size_t lineno, json_t *doc)
{
    char *s;

    json_object_set_new(doc, "line", json_integer((json_int_t)lineno));
    s = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    fprintf(out, "%s\n", s);
    free(s);
    json_decref(doc);
}

static void
print_stream_line(FILE *out, size_t lineno, const char *key, json_t *value)
{
    json_t *doc = json_object();

    json_object_set_new(doc, key, value);
    print_stream_doc(out, lineno, doc);
}

static void
print_stream_error(FILE *out, size_t lineno, const gv_err *err)
{
    char buf[GV_ERR_WHERE_MAX + GV_ERR_MSG_MAX + 4];
    json_t *e = json_object();

    json_object_set_new(e, "code", json_string(gv_errcode_to_string(err->code)));
    json_object_set_new(e, "message", json_string(gv_err_format(err, buf, sizeof(buf))));
    print_stream_line(out, lineno, "error", e);
}

/* Locate an error the engine found in a stream item "FILE:LINE", as parse errors are. */
static void
stream_err_locate(gv_err *err, const char *source, size_t lineno)
{
    char where[GV_ERR_WHERE_MAX];

    snprintf(where, sizeof(where), "%s:%zu", source, lineno);
    gv_err_prefix(err, where);
}

static int
run_stream(gv_engine *e, const place_opts *o, const gv_request *base)
{
    GV_AUTOFREE char *text = NULL;
    size_t len, lineno = 0;
    gv_err err = {0};
    FILE *out = stdout;
    int status = GV_EXIT_OK;
    char *line, *next;

    if (gv_file_read(o->requests, 1u << 30, &text, &len, &err) < 0)
        return gv_cli_report(&err);
    if (o->out && !(out = fopen(o->out, "w"))) {
        gv_err_set(&err, GV_E_IO, o->out, "cannot write: %m");
        return gv_cli_report(&err);
    }
    for (line = text; line && *line; line = next) {
        gv_stream_item item;
        size_t n;
        int r;

        lineno++;
        next = strchr(line, '\n');
        n = next ? (size_t)(next - line) : strlen(line);
        if (next)
            next++;
        gv_err_clear(&err);
        r = gv_stream_parse_line(line, n, o->requests, lineno, base, &item, &err);
        if (r == 1)
            continue;
        if (r < 0) {
            print_stream_error(out, lineno, &err);
            status = GV_EXIT_INPUT;
            continue;
        }
        if (item.is_release) {
            if (gv_engine_release(e, item.release, &err) < 0) {
                stream_err_locate(&err, o->requests, lineno);
                print_stream_error(out, lineno, &err);
                status = GV_EXIT_INPUT;
            } else {
                print_stream_line(out, lineno, "released", json_string(item.release));
            }
            continue;
        }
        {
            gv_place_result res;
            unsigned flags =
                (o->explain ? GV_PLACE_EXPLAIN : 0) | (o->reference ? GV_PLACE_REFERENCE : 0);

            r = gv_engine_place(e, &item.request, flags, &res, &err);
            if (r < 0) {
                stream_err_locate(&err, o->requests, lineno);
                print_stream_error(out, lineno, &err);
                status = GV_EXIT_INPUT;
            } else if (r == 0) {
                print_stream_doc(out, lineno,
                                 gv_nothing_fits_doc_json(&item.request, &res.explain));
                if (status == GV_EXIT_OK)
                    status = GV_EXIT_FAIL;
            } else {
                print_stream_doc(
                    out, lineno,
                    gv_placement_doc_json(&res.placement, o->explain ? &res.explain : NULL));
            }
            gv_place_result_clear(&res);
        }
    }
    if (out != stdout && fclose(out) != 0) {
        gv_err_set(&err, GV_E_IO, o->out, "cannot write: %m");
        return gv_cli_report(&err);
    }
    return status;
}

static int
run_one(gv_engine *e, const gv_fleet *f, const place_opts *o, const gv_request *req)
{
    gv_place_result res;
    gv_err err = {0};
    unsigned flags = (o->explain ? GV_PLACE_EXPLAIN : 0) | (o->reference ? GV_PLACE_REFERENCE : 0);
    int r = gv_engine_place(e, req, flags, &res, &err);

    if (r < 0) {
        gv_err_prefix(&err, o->request ? o->request : "request");
        return gv_cli_report(&err);
    }
    if (o->xml) {
        if (r == 1) {
            GV_AUTOFREE char *s =
                gv_placement_to_libvirt_xml(&res.placement, f->hosts[res.placement.host_index], 0);
            fputs(s, stdout);
        } else {
            GV_AUTOFREE char *s = gv_explain_to_json(req, &res.explain);
            fputs(s, stderr);
        }
    } else if (o->co.format == GV_FORMAT_JSON) {
        GV_AUTOFREE char *s =
            r == 1 ? gv_placement_explain_to_json(&res.placement, o->explain ? &res.explain : NULL)
                   : gv_explain_to_json(req, &res.explain);
        fputs(s, stdout);
    } else {
        gv_place_print_text(stdout, r == 1 ? f->hosts[res.placement.host_index] : NULL, &res, req);
    }
    gv_place_result_clear(&res);
    return r == 1 ? GV_EXIT_OK : GV_EXIT_FAIL;
}

int
gv_cmd_place(int argc, char **argv)
{
    static const struct option opts[] = {
        {"fleet", required_argument, NULL, OPT_FLEET},
        {"request", required_argument, NULL, OPT_REQUEST},
        {"requests", required_argument, NULL, OPT_REQUESTS},
        {"out", required_argument, NULL, OPT_OUT},
        {"flavor", required_argument, NULL, OPT_FLAVOR},
        {"name", required_argument, NULL, OPT_NAME},
        {"config", required_argument, NULL, OPT_CONFIG},
        {"explain", no_argument, NULL, OPT_EXPLAIN},
        {"reference", no_argument, NULL, OPT_REFERENCE},
        GV_CLI_COMMON_OPTIONS,
        {0},
    };
    place_opts o = {0};
    GV_AUTOPTR(gv_catalog) cat = NULL;
    GV_AUTOPTR(gv_fleet) f = NULL;
    GV_AUTOPTR(gv_engine) e = NULL;
    gv_request base, req;
    gv_place_config cfg;
    gv_err err = {0};
    int c, r;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_FLEET:
            o.fleet = optarg;
            break;
        case OPT_REQUEST:
            o.request = optarg;
            break;
        case OPT_REQUESTS:
            o.requests = optarg;
            break;
        case OPT_OUT:
            o.out = optarg;
            break;
        case OPT_FLAVOR:
            o.flavor = optarg;
            break;
        case OPT_NAME:
            o.name = optarg;
            break;
        case OPT_CONFIG:
            o.config = optarg;
            break;
        case OPT_EXPLAIN:
            o.explain = true;
            break;
        case OPT_REFERENCE:
            o.reference = true;
            break;
        case GV_OPT_FORMAT:
            /* the common parser knows text and json only; the last --format wins */
            o.xml = !strcmp(optarg, "libvirt-xml");
            if (o.xml)
                break;
            if (strcmp(optarg, "text") && strcmp(optarg, "json"))
                return gv_cli_usage_error(
                    "place", "--format: '%s' is not one of text, json, libvirt-xml", optarg);
            /* fall through */
        default:
            if ((r = gv_cli_common_opt(c, "place", argv, usage, &o.co)) >= 0)
                return r;
        }
    }
    if (optind != argc)
        return gv_cli_usage_error("place", "unexpected argument '%s'", argv[optind]);
    if (!o.fleet)
        return gv_cli_usage_error("place", "--fleet FILE is required");
    if (!!o.request + !!o.requests + (o.flavor && o.name && !o.request) != 1)
        return gv_cli_usage_error("place",
                                  "give one of --request FILE, --requests FILE, or --flavor NAME "
                                  "--name NAME");
    if (o.out && !o.requests)
        return gv_cli_usage_error("place", "--out only goes with --requests");

    gv_request_init(&base);
    if (o.flavor && (r = load_flavor(o.flavor, &base)) != GV_EXIT_OK)
        return r;
    if (o.name)
        snprintf(base.name, sizeof(base.name), "%s", o.name);
    if ((r = gv_cli_load_config(o.config, &cfg)) != GV_EXIT_OK)
        return r;
    if ((r = gv_cli_load_catalog(o.co.catalog_file, &cat)) != GV_EXIT_OK)
        return r;
    if (gv_fleet_file_load(o.fleet, cat, &f, &err) < 0)
        return gv_cli_report(&err);
    if (gv_engine_new(f, cat, &cfg, &e, &err) < 0) {
        gv_err_prefix(&err, o.fleet);
        return gv_cli_report(&err);
    }
    if (o.requests)
        return run_stream(e, &o, &base);
    if (o.request) {
        if ((r = load_request(o.request, &base, &req)) != GV_EXIT_OK)
            return r;
    } else {
        req = base;
    }
    return run_one(e, f, &o, &req);
}
