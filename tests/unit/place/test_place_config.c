/*
 * test_place_config.c - the placement engine's settings: the defaults, the shipped
 * data/place.yaml (which must say exactly the defaults), every key in YAML and in JSON, mix
 * shapes read by the request parser, and the exact message and position of every error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "gpuvm/place.h"
#include "testlib.h"
#include "util/file.h"

static gv_place_config *
new_config(void)
{
    return gv_malloc(sizeof(gv_place_config));
}

static int
parse(const char *text, const char *source, gv_place_config *c, gv_err *err)
{
    return gv_place_config_parse(text, strlen(text), source, c, err);
}

static void
parse_ok(const char *text, const char *source, gv_place_config *c)
{
    gv_err err = {0};

    if (parse(text, source, c, &err) != 0)
        fail_msg("%s: %s: %s", text, err.where, err.msg);
}

static void
test_defaults(void **state)
{
    GV_AUTOFREE gv_place_config *c = new_config();
    (void)state;

    memset(c, 0xff, sizeof(*c));
    gv_place_config_init(c);
    assert_int_equal(c->w_fragmentation, 4);
    assert_int_equal(c->w_locality, 2);
    assert_int_equal(c->w_strategy, 1);
    assert_int_equal(c->w_reconfigure, 100);
    assert_int_equal(c->io_heavy_per_datastore, 2);
    assert_int_equal(c->n_mix, 0);
    assert_int_equal(c->mix_window, 10000);
    assert_int_equal(c->mix_epoch, 1000);
    assert_int_equal(c->mix_change, 100);
}

/* data/place.yaml is the defaults written out: a copy changes nothing until edited. */
static void
test_shipped_file(void **state)
{
    GV_AUTOFREE char *path = gv_test_src("data/place.yaml");
    GV_AUTOFREE char *text = NULL;
    GV_AUTOFREE gv_place_config *c = new_config();
    GV_AUTOFREE gv_place_config *d = new_config();
    gv_err err = {0};
    size_t len = 0;
    (void)state;

    if (gv_file_read(path, GV_FILE_MAX_BYTES, &text, &len, &err) < 0 ||
        gv_place_config_parse(text, len, path, c, &err) < 0)
        fail_msg("%s: %s", err.where, err.msg);
    gv_place_config_init(d);
    assert_memory_equal(c, d, sizeof(*c));

    /* An empty object is the defaults too, in either syntax. */
    parse_ok("{}", "p.json", c);
    assert_memory_equal(c, d, sizeof(*c));
    parse_ok("{}\n", "p.yaml", c);
    assert_memory_equal(c, d, sizeof(*c));
}

static const char every_key_yaml[] =
    "weights:\n"
    "  fragmentation: 10\n"
    "  locality: 0\n"
    "  strategy: 1000\n"
    "  reconfigure: 0\n"
    "io_heavy_per_datastore: 3\n"
    "mix:\n"
    "  - weight: 0.5\n"
    "    request: {vcpus: 16, memory_mib: 98304, cpu_policy: shared,\n"
    "              gpu: {mode: mig, profile: 3g.40gb}, class: inference}\n"
    "  - weight: 2\n"
    "    request:\n"
    "      name: ignored-but-kept\n"
    "      gpu: {mode: passthrough, count: 8, topology: nvlink}\n"
    "mix_window: 500\n"
    "mix_epoch: 1000000\n"
    "mix_change: 0\n"
    "policy: gpu-clustering\n"
    "policy_seed: 77\n";

static const char every_key_json[] =
    "{\"weights\": {\"fragmentation\": 10, \"locality\": 0, \"strategy\": 1000,\n"
    "             \"reconfigure\": 0},\n"
    " \"io_heavy_per_datastore\": 3,\n"
    " \"mix\": [{\"weight\": 0.5, \"request\": {\"vcpus\": 16, \"memory_mib\": 98304,\n"
    "           \"cpu_policy\": \"shared\", \"gpu\": {\"mode\": \"mig\",\n"
    "           \"profile\": \"3g.40gb\"}, \"class\": \"inference\"}},\n"
    "         {\"weight\": 2, \"request\": {\"name\": \"ignored-but-kept\",\n"
    "           \"gpu\": {\"mode\": \"passthrough\", \"count\": 8, \"topology\": \"nvlink\"}}}],\n"
    " \"mix_window\": 500, \"mix_epoch\": 1000000, \"mix_change\": 0,\n"
    " \"policy\": \"gpu-clustering\", \"policy_seed\": 77}\n";

static void
test_every_key(void **state)
{
    GV_AUTOFREE gv_place_config *c = new_config();
    GV_AUTOFREE gv_place_config *j = new_config();
    gv_request shape;
    gv_err err = {0};
    (void)state;

    parse_ok(every_key_yaml, "p.yaml", c);
    assert_int_equal(c->w_fragmentation, 10);
    assert_int_equal(c->w_locality, 0);
    assert_int_equal(c->w_strategy, 1000);
    assert_int_equal(c->w_reconfigure, 0);
    assert_int_equal(c->io_heavy_per_datastore, 3);
    assert_int_equal(c->n_mix, 2);
    assert_true(c->mix[0].weight == 0.5);
    assert_true(c->mix[1].weight == 2.0);
    assert_int_equal(c->mix_window, 500);
    assert_int_equal(c->mix_epoch, 1000000);
    assert_int_equal(c->mix_change, 0);
    assert_int_equal(c->policy, GV_POLICY_CLUSTERING);
    assert_int_equal(c->policy_seed, 77);

    /* A shape is exactly what the request parser reads (over the defaults, name optional). */
    {
        const char *text =
            "{\"name\": \"x\", \"vcpus\": 16, \"memory_mib\": 98304, \"cpu_policy\": "
            "\"shared\", \"gpu\": {\"mode\": \"mig\", \"profile\": \"3g.40gb\"}, "
            "\"class\": \"inference\"}";
        assert_int_equal(gv_request_parse_json(text, strlen(text), "s.json", NULL, &shape, &err),
                         0);
    }
    memset(shape.name, 0, sizeof(shape.name)); /* the mix shape has none */
    assert_memory_equal(&c->mix[0].shape, &shape, sizeof(shape));
    assert_string_equal(c->mix[1].shape.name, "ignored-but-kept");
    assert_int_equal(c->mix[1].shape.gpu.count, 8);
    assert_int_equal(c->mix[1].shape.gpu.topology, GV_GPU_TOPO_NVLINK);
    assert_int_equal(c->mix[1].shape.vcpus, 1);

    /* JSON gives the identical configuration. */
    parse_ok(every_key_json, "p.json", j);
    assert_memory_equal(c, j, sizeof(*c));

    /* Keys left out keep their defaults. */
    parse_ok("io_heavy_per_datastore: 7\nweights: {locality: 9}\n", "p.yaml", c);
    assert_int_equal(c->io_heavy_per_datastore, 7);
    assert_int_equal(c->w_locality, 9);
    assert_int_equal(c->w_fragmentation, 4);
    assert_int_equal(c->w_strategy, 1);
    assert_int_equal(c->mix_window, 10000);
}

static void
test_mix_max(void **state)
{
    GV_AUTOFREE gv_place_config *c = new_config();
    char text[4096];
    size_t len = 0;
    gv_err err = {0};
    (void)state;

    len += (size_t)snprintf(text + len, sizeof(text) - len, "mix:\n");
    for (int i = 0; i < GV_MIX_MAX + 1; i++)
        len += (size_t)snprintf(text + len, sizeof(text) - len,
                                "  - {weight: 1, request: {vcpus: %d}}\n", i + 1);
    assert_int_equal(parse(text, "p.yaml", c, &err), -GV_E_LIMIT);
    assert_string_equal(err.where, "p.yaml:2:3");
    assert_string_equal(err.msg, "mix: more than 64 entries");
    /* exactly GV_MIX_MAX is fine */
    *strrchr(text, '-') = '\0';
    parse_ok(text, "p.yaml", c);
    assert_int_equal(c->n_mix, GV_MIX_MAX);
    assert_int_equal(c->mix[GV_MIX_MAX - 1].shape.vcpus, GV_MIX_MAX);
}

static void
test_errors(void **state)
{
    static const struct {
        const char *text; /* YAML, or JSON when it starts with '{' */
        int ret;
        const char *where; /* NULL: not checked */
        const char *msg;   /* NULL: not checked */
    } cases[] = {
        {"colour: red\n", -GV_E_INVAL, "p.yaml:1:1", "colour: unknown key"},
        {"- 1\n", -GV_E_INVAL, "p.yaml:1:1", "configuration: expected an object"},
        {"weights: 5\n", -GV_E_INVAL, "p.yaml:1:10", "weights: expected an object"},
        {"weights:\n  fragmentation: 1001\n", -GV_E_INVAL, "p.yaml:2:18",
         "weights.fragmentation: expected an integer in 0..1000, got 1001"},
        {"weights:\n  locality: -1\n", -GV_E_INVAL, "p.yaml:2:13",
         "weights.locality: expected an integer in 0..1000, got -1"},
        {"weights:\n  strategy: 1.5\n", -GV_E_INVAL, "p.yaml:2:13",
         "weights.strategy: expected an integer in 0..1000"},
        {"weights:\n  reconfigure: 1000001\n", -GV_E_INVAL, "p.yaml:2:16",
         "weights.reconfigure: expected an integer in 0..1000000, got 1000001"},
        {"weights:\n  colour: 1\n", -GV_E_INVAL, "p.yaml:2:3", "weights.colour: unknown key"},
        {"io_heavy_per_datastore: 0\n", -GV_E_INVAL, "p.yaml:1:25",
         "io_heavy_per_datastore: expected an integer in 1..1000, got 0"},
        {"mix: {}\n", -GV_E_INVAL, "p.yaml:1:6", "mix: expected a list"},
        {"mix:\n  - request: {}\n", -GV_E_INVAL, "p.yaml:2:5", "mix[0].weight: required"},
        {"mix:\n  - {weight: 0, request: {}}\n", -GV_E_INVAL, "p.yaml:2:14",
         "mix[0].weight: expected a number > 0 and at most 1e+06"},
        {"mix:\n  - {weight: -1, request: {}}\n", -GV_E_INVAL, "p.yaml:2:14",
         "mix[0].weight: expected a number > 0 and at most 1e+06"},
        {"mix:\n  - {weight: \"1\", request: {}}\n", -GV_E_INVAL, "p.yaml:2:14",
         "mix[0].weight: expected a number > 0 and at most 1e+06"},
        {"mix:\n  - {weight: 1}\n", -GV_E_INVAL, "p.yaml:2:5", "mix[0].request: required"},
        {"mix:\n  - {weight: 1, request: {}, colour: 1}\n", -GV_E_INVAL, "p.yaml:2:30",
         "mix[0].colour: unknown key"},
        {"mix:\n  - {weight: 1, request: 5}\n", -GV_E_INVAL, "p.yaml:2:26",
         "mix[0].request: expected an object"},
        {"mix:\n"
         "  - weight: 1\n"
         "    request: {vcpus: 2}\n"
         "  - weight: 1\n"
         "    request:\n"
         "      gpu: {mode: mig, profile: 1g.10gb, count: 99}\n",
         -GV_E_INVAL, "p.yaml:6:49",
         "mix[1].request.gpu.count: expected an integer in 1..16, got 99"},
        {"mix:\n  - {weight: 1, request: {hugepages: 1G, memory_mib: 1000}}\n", -GV_E_INVAL,
         "p.yaml:2:54",
         "mix[0].request.memory_mib: 1000 is not a multiple of the 1G page size (1024 MiB)"},
        {"mix_window: 0\n", -GV_E_INVAL, "p.yaml:1:13",
         "mix_window: expected an integer in 1..1000000, got 0"},
        {"mix_epoch: 1000001\n", -GV_E_INVAL, "p.yaml:1:12",
         "mix_epoch: expected an integer in 1..1000000, got 1000001"},
        {"mix_epoch: 1e6\n", -GV_E_INVAL, "p.yaml:1:12",
         "mix_epoch: expected an integer in 1..1000000"},
        {"mix_change: 1001\n", -GV_E_INVAL, "p.yaml:1:13",
         "mix_change: expected an integer in 0..1000, got 1001"},
        {"policy: best-fit\n", -GV_E_INVAL, "p.yaml:1:9",
         "policy: expected one of: gpuvm, fgd, bestfit, dotprod, gpu-clustering, gpu-packing, "
         "random, firstfit"},
        {"policy_seed: -1\n", -GV_E_INVAL, "p.yaml:1:14",
         "policy_seed: expected an integer in 0..9223372036854775807, got -1"},
        {"weights: [\n", -GV_E_PARSE, NULL, NULL},
        {"", -GV_E_PARSE, "p.yaml:1:1", "empty document"},
        /* JSON: located at the source name */
        {"{\"weights\": {\"strategy\": 2000}}", -GV_E_INVAL, "p.yaml",
         "weights.strategy: expected an integer in 0..1000, got 2000"},
        {"{\"mix\": [{\"weight\": 1, \"request\": {\"zones\": [\"a\", \"a\"]}}]}", -GV_E_INVAL,
         "p.yaml", "mix[0].request.zones[1]: duplicate 'a'"},
        {"  {\"weights\": ", -GV_E_PARSE, NULL, NULL},
    };
    GV_AUTOFREE gv_place_config *c = new_config();
    GV_AUTOFREE gv_place_config *before = new_config();
    (void)state;

    for (size_t i = 0; i < GV_N_ELEMENTS(cases); i++) {
        gv_err err = {0};
        int rc;

        memset(c, 0x3c, sizeof(*c));
        memcpy(before, c, sizeof(*c));
        rc = parse(cases[i].text, "p.yaml", c, &err);
        if (rc != cases[i].ret || (cases[i].where && strcmp(err.where, cases[i].where)) ||
            (cases[i].msg && strcmp(err.msg, cases[i].msg)))
            fail_msg("case %zu:\n%s\ngot %d '%s: %s', want %d '%s: %s'", i, cases[i].text, rc,
                     err.where, err.msg, cases[i].ret, cases[i].where ? cases[i].where : "*",
                     cases[i].msg ? cases[i].msg : "*");
        assert_true(!strncmp(err.where, "p.yaml", 6));
        assert_memory_equal(c, before, sizeof(*c)); /* untouched on failure */
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),  cmocka_unit_test(test_shipped_file),
        cmocka_unit_test(test_every_key), cmocka_unit_test(test_mix_max),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
