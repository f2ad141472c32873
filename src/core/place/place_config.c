/*
 * place_config.c - the placement engine's settings: their defaults, and the YAML or JSON file
 * that overrides them (JSON when the text starts with '{'). Every key is optional:
 *
 *   weights:                  {fragmentation, locality, strategy}: integers 0..1000;
 *                             reconfigure (points off per GPU to reconfigure): 0..1000000
 *   io_heavy_per_datastore:   1..1000
 *   mix:                      at most GV_MIX_MAX of {weight: number > 0, request: {...}}, where
 *                             request is a request's shape (the request schema; name optional)
 *   mix_window, mix_epoch:    1..1000000
 *   mix_change:               0..1000 (per mille)
 *   policy:                   gpuvm (default), fgd, bestfit, dotprod, gpu-clustering,
 *                             gpu-packing, random, firstfit (place.h)
 *   policy_seed:              0..2^63-1, the random policy's draws
 *
 * Shapes are read by the request parser over the same document, so an error in one reads
 * "place.yaml:14:16: mix[1].request.gpu.count: expected an integer in 1..16". Nothing is written
 * to the caller's configuration unless the whole file is valid.
 */
#include <stdio.h>
#include <ctype.h>
#include <math.h>
#include <string.h>

#include "request_parse.h"

#define MAX_WEIGHT 1000
#define MAX_RECONFIGURE 1000000 /* points; scores reach 100 x the sum of the weights */
#define MAX_IO_HEAVY 1000
#define MAX_MIX_WINDOW 1000000
#define MAX_MIX_WEIGHT 1e6

void
gv_place_config_init(gv_place_config *c)
{
    memset(c, 0, sizeof(*c));
    c->w_fragmentation = 4;
    c->w_locality = 2;
    c->w_strategy = 1;
    c->w_reconfigure = 100;
    c->io_heavy_per_datastore = 2;
    c->n_mix = 0;
    c->mix_window = 10000;
    c->mix_epoch = 1000;
    c->mix_change = 100;
}

/* @obj[@key], when present, into *@ret as an integer in @min..@max. */
static int
read_int(const gv_req_doc *d, const json_t *obj, const gv_req_path *at, const char *key,
         int64_t min, int64_t max, int *ret, gv_err *err)
{
    gv_req_path p = {.up = at, .key = key};
    const json_t *v = json_object_get(obj, key);
    int64_t x;
    int rc;

    if (!v)
        return 0;
    if ((rc = gv_req_int(d, v, &p, min, max, &x, err)) < 0)
        return rc;
    *ret = (int)x;
    return 0;
}

static int
read_weights(const gv_req_doc *d, const json_t *v, const gv_req_path *at, gv_place_config *c,
             gv_err *err)
{
    static const char *const keys[] = {"fragmentation", "locality", "strategy", "reconfigure",
                                       NULL};
    int rc;

    if ((rc = gv_req_check_keys(d, v, at, keys, err)) < 0 ||
        (rc = read_int(d, v, at, "fragmentation", 0, MAX_WEIGHT, &c->w_fragmentation, err)) < 0 ||
        (rc = read_int(d, v, at, "locality", 0, MAX_WEIGHT, &c->w_locality, err)) < 0 ||
        (rc = read_int(d, v, at, "strategy", 0, MAX_WEIGHT, &c->w_strategy, err)) < 0 ||
        (rc = read_int(d, v, at, "reconfigure", 0, MAX_RECONFIGURE, &c->w_reconfigure, err)) < 0)
        return rc;
    return 0;
}

static int
read_policy(const gv_req_doc *d, gv_place_config *c, gv_err *err)
{
    gv_req_path p = {.key = "policy"}, p_seed = {.key = "policy_seed"};
    const json_t *v = json_object_get(d->root, "policy");
    int64_t seed;
    int k, rc;

    if (v) {
        if (!json_is_string(v) || (k = gv_place_policy_from_string(json_string_value(v))) < 0) {
            char list[160];

            gv_req_join_names(gv_req_place_policy_names, GV_POLICY_LAST, list, sizeof(list));
            return gv_req_error(d, &p, false, err, GV_E_INVAL, "expected one of: %s", list);
        }
        c->policy = (gv_place_policy)k;
    }
    if ((v = json_object_get(d->root, "policy_seed"))) {
        if ((rc = gv_req_int(d, v, &p_seed, 0, INT64_MAX, &seed, err)) < 0)
            return rc;
        c->policy_seed = (uint64_t)seed;
    }
    return 0;
}

static int
read_mix_entry(const gv_req_doc *d, const json_t *v, const gv_req_path *at, gv_mix_entry *m,
               gv_err *err)
{
    static const char *const keys[] = {"weight", "request", NULL};
    gv_req_path p_weight = {.up = at, .key = "weight"};
    gv_req_path p_request = {.up = at, .key = "request"};
    const json_t *w, *req;
    int rc;

    if ((rc = gv_req_check_keys(d, v, at, keys, err)) < 0)
        return rc;
    if (!(w = json_object_get(v, "weight")))
        return gv_req_error(d, &p_weight, false, err, GV_E_INVAL, "required");
    if (!json_is_number(w) || !(json_number_value(w) > 0) || json_number_value(w) > MAX_MIX_WEIGHT)
        return gv_req_error(d, &p_weight, false, err, GV_E_INVAL,
                            "expected a number > 0 and at most %g", MAX_MIX_WEIGHT);
    if (!(req = json_object_get(v, "request")))
        return gv_req_error(d, &p_request, false, err, GV_E_INVAL, "required");
    if ((rc = gv_req_read(d, req, &p_request, NULL, false, &m->shape, err)) < 0)
        return rc;
    m->weight = json_number_value(w);
    return 0;
}

static int
read_mix(const gv_req_doc *d, const json_t *v, const gv_req_path *at, gv_place_config *c,
         gv_err *err)
{
    size_t n;
    int rc;

    if (!json_is_array(v))
        return gv_req_error(d, at, false, err, GV_E_INVAL, "expected a list");
    n = json_array_size(v);
    if (n > GV_MIX_MAX)
        return gv_req_error(d, at, false, err, GV_E_LIMIT, "more than %d entries", GV_MIX_MAX);
    for (size_t i = 0; i < n; i++) {
        gv_req_path p = {.up = at, .index = i};
        if ((rc = read_mix_entry(d, json_array_get(v, i), &p, &c->mix[i], err)) < 0)
            return rc;
    }
    c->n_mix = n;
    return 0;
}

int
gv_place_config_parse(const char *text, size_t len, const char *source, gv_place_config *ret,
                      gv_err *err)
{
    static const char *const keys[] = {"weights",   "io_heavy_per_datastore",
                                       "mix",       "mix_window",
                                       "mix_epoch", "mix_change",
                                       "policy",    "policy_seed",
                                       NULL};
    GV_AUTOPTR(gv_req_doc) d = NULL;
    GV_AUTOFREE gv_place_config *c = gv_malloc(sizeof(*c)); /* 32 shapes: too big for a stack */
    gv_req_path p_weights = {.key = "weights"};
    gv_req_path p_mix = {.key = "mix"};
    const json_t *v;
    size_t i = 0;
    int rc;

    while (i < len && isspace((unsigned char)text[i]))
        i++;
    if ((rc = gv_req_doc_parse(text, len, source, i == len || text[i] != '{', &d, err)) < 0)
        return rc;
    if (!json_is_object(d->root))
        return gv_req_error(d, NULL, false, err, GV_E_INVAL, "configuration: expected an object");
    gv_place_config_init(c);
    if ((rc = gv_req_check_keys(d, d->root, NULL, keys, err)) < 0 ||
        ((v = json_object_get(d->root, "weights")) &&
         (rc = read_weights(d, v, &p_weights, c, err)) < 0) ||
        (rc = read_int(d, d->root, NULL, "io_heavy_per_datastore", 1, MAX_IO_HEAVY,
                       &c->io_heavy_per_datastore, err)) < 0 ||
        ((v = json_object_get(d->root, "mix")) && (rc = read_mix(d, v, &p_mix, c, err)) < 0) ||
        (rc = read_int(d, d->root, NULL, "mix_window", 1, MAX_MIX_WINDOW, &c->mix_window, err)) <
            0 ||
        (rc = read_int(d, d->root, NULL, "mix_epoch", 1, MAX_MIX_WINDOW, &c->mix_epoch, err)) < 0 ||
        (rc = read_int(d, d->root, NULL, "mix_change", 0, 1000, &c->mix_change, err)) < 0 ||
        (rc = read_policy(d, c, err)) < 0)
        return rc;
    memcpy(ret, c, sizeof(*c));
    return 0;
}
