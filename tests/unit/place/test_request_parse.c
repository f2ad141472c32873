/*
 * test_request_parse.c - requests from JSON, YAML and stream lines: the defaults, every field,
 * the shipped flavors, overrides over a base, the exact message of every error path (in JSON
 * and, for the same text, in YAML with its position), JSON and YAML giving identical structs,
 * and parse -> to_json -> parse giving identical bytes on random requests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <string.h>

#include "gpuvm/place.h"
#include "testlib.h"
#include "util/file.h"

static int
parse_json(const char *text, const gv_request *base, gv_request *r, gv_err *err)
{
    return gv_request_parse_json(text, strlen(text), "req.json", base, r, err);
}

static int
parse_yaml(const char *text, const gv_request *base, gv_request *r, gv_err *err)
{
    return gv_request_parse_yaml(text, strlen(text), "req.yaml", base, r, err);
}

static void
parse_json_ok(const char *text, const gv_request *base, gv_request *r)
{
    gv_err err = {0};

    if (parse_json(text, base, r, &err) != 0)
        fail_msg("%s: %s: %s", text, err.where, err.msg);
}

static void
parse_yaml_ok(const char *text, const gv_request *base, gv_request *r)
{
    gv_err err = {0};

    if (parse_yaml(text, base, r, &err) != 0)
        fail_msg("%s: %s: %s", text, err.where, err.msg);
}

static void
assert_same_request(const gv_request *a, const gv_request *b)
{
    if (memcmp(a, b, sizeof(*a))) {
        GV_AUTOFREE char *ja = gv_request_to_json(a);
        GV_AUTOFREE char *jb = gv_request_to_json(b);
        fail_msg("requests differ:\n%s\n%s", ja, jb);
    }
}

/* A flavor from data/flavors, read over the defaults. */
static void
load_flavor(const char *name, gv_request *r)
{
    GV_AUTOFREE char *path = gv_asprintf("%s/data/flavors/%s.yaml",
                                         getenv("GV_SRCDIR") ? getenv("GV_SRCDIR") : ".", name);
    GV_AUTOFREE char *text = NULL;
    gv_request defaults;
    gv_err err = {0};
    size_t len = 0;

    gv_request_init(&defaults);
    if (gv_file_read(path, GV_FILE_MAX_BYTES, &text, &len, &err) < 0 ||
        gv_request_parse_yaml(text, len, path, &defaults, r, &err) < 0)
        fail_msg("%s: %s", err.where, err.msg);
}

/* ---- enums and defaults ---- */

static void
test_enums(void **state)
{
    static const char *const reasons[] = {"state",         "pool",         "zone",      "labels",
                                          "anti-affinity", "class-mix",    "datastore", "gpu-model",
                                          "gpu-free",      "gpu-topology", "cpu",       "memory",
                                          "nic",           "scratch"};
    static const char *const kinds[] = {"vcpus", "memory", "nic", "scratch"};
    (void)state;

#define CHECK_ENUM(prefix, type, last, ...)                                                        \
    do {                                                                                           \
        static const char *const names[] = {__VA_ARGS__};                                          \
        assert_int_equal(GV_N_ELEMENTS(names), last);                                              \
        for (int i = 0; i < (int)(last); i++) {                                                    \
            assert_string_equal(prefix##_to_string((type)i), names[i]);                            \
            assert_int_equal(prefix##_from_string(names[i]), i);                                   \
        }                                                                                          \
        assert_string_equal(prefix##_to_string((type)(last)), "invalid");                          \
        assert_string_equal(prefix##_to_string((type)-1), "invalid");                              \
        assert_int_equal(prefix##_from_string("bogus"), -1);                                       \
        assert_int_equal(prefix##_from_string(NULL), -1);                                          \
    } while (0)

    CHECK_ENUM(gv_hugepages, gv_hugepages, GV_HUGEPAGES_LAST, "none", "2M", "1G");
    CHECK_ENUM(gv_cpu_policy, gv_cpu_policy, GV_CPU_POLICY_LAST, "dedicated", "shared");
    CHECK_ENUM(gv_numa_policy, gv_numa_policy, GV_NUMA_POLICY_LAST, "strict", "preferred", "none");
    CHECK_ENUM(gv_gpu_topology, gv_gpu_topology, GV_GPU_TOPO_LAST, "any", "same-numa",
               "same-switch", "nvlink");
    CHECK_ENUM(gv_locality, gv_locality, GV_LOCALITY_LAST, "any", "same-numa", "same-switch");
    CHECK_ENUM(gv_workload_class, gv_workload_class, GV_CLASS_LAST, "none", "training", "inference",
               "notebook");
    CHECK_ENUM(gv_io, gv_io, GV_IO_LAST, "normal", "heavy");
#undef CHECK_ENUM
    /* Names are case-sensitive, as written in place.h. */
    assert_int_equal(gv_hugepages_from_string("1g"), -1);

    assert_int_equal(GV_N_ELEMENTS(reasons), GV_REASON_LAST);
    for (int i = 0; i < GV_REASON_LAST; i++)
        assert_string_equal(gv_reason_to_string((gv_reason)i), reasons[i]);
    assert_string_equal(gv_reason_to_string(GV_REASON_LAST), "invalid");
    assert_int_equal(GV_N_ELEMENTS(kinds), GV_VIOLATION_KIND_LAST);
    for (int i = 0; i < GV_VIOLATION_KIND_LAST; i++)
        assert_string_equal(gv_violation_kind_to_string((gv_violation_kind)i), kinds[i]);
    assert_string_equal(gv_violation_kind_to_string(GV_VIOLATION_KIND_LAST), "invalid");
}

static void
test_defaults(void **state)
{
    gv_request r, parsed;
    (void)state;

    memset(&r, 0xff, sizeof(r));
    gv_request_init(&r);
    assert_string_equal(r.name, "");
    assert_string_equal(r.tenant, "");
    assert_int_equal(r.vcpus, 1);
    assert_int_equal(r.memory_mib, 1024);
    assert_int_equal(r.hugepages, GV_HUGEPAGES_NONE);
    assert_int_equal(r.cpu_policy, GV_CPU_DEDICATED);
    assert_int_equal(r.numa_policy, GV_NUMA_POLICY_PREFERRED);
    assert_int_equal(r.gpu.count, 0);
    assert_int_equal(r.gpu.mode, GV_GPU_MODE_PASSTHROUGH);
    assert_int_equal(r.gpu.n_models, 0);
    assert_int_equal(r.gpu.topology, GV_GPU_TOPO_ANY);
    assert_int_equal(r.nic_vfs, 0);
    assert_int_equal(r.nic_locality, GV_LOCALITY_ANY);
    assert_int_equal(r.scratch_gib, 0);
    assert_int_equal(r.scratch_locality, GV_LOCALITY_ANY);
    assert_string_equal(r.pool, "");
    assert_int_equal(r.n_zones, 0);
    assert_int_equal(r.n_labels, 0);
    assert_string_equal(r.anti_affinity, "");
    assert_int_equal(r.class, GV_CLASS_NONE);
    assert_int_equal(r.io, GV_IO_NORMAL);

    /* A request that gives only its name is the defaults, byte for byte. */
    parse_json_ok("{\"name\": \"vm-1\"}", NULL, &parsed);
    strcpy(r.name, "vm-1");
    assert_same_request(&parsed, &r);
    parse_yaml_ok("name: vm-1\n", NULL, &parsed);
    assert_same_request(&parsed, &r);
}

/* The canonical JSON of the defaults: every field, keys sorted, no GPU as null. */
static void
test_to_json_canonical(void **state)
{
    GV_AUTOFREE char *text = NULL;
    GV_AUTOFREE char *shape = NULL;
    gv_request r;
    (void)state;

    gv_request_init(&r);
    strcpy(r.name, "vm-1");
    text = gv_request_to_json(&r);
    assert_string_equal(text, "{\n"
                              "  \"anti_affinity\": \"\",\n"
                              "  \"class\": \"none\",\n"
                              "  \"cpu_policy\": \"dedicated\",\n"
                              "  \"gpu\": null,\n"
                              "  \"hugepages\": \"none\",\n"
                              "  \"io\": \"normal\",\n"
                              "  \"labels\": {},\n"
                              "  \"memory_mib\": 1024,\n"
                              "  \"name\": \"vm-1\",\n"
                              "  \"nics\": {\n"
                              "    \"locality\": \"any\",\n"
                              "    \"vfs\": 0\n"
                              "  },\n"
                              "  \"numa_policy\": \"preferred\",\n"
                              "  \"pool\": \"\",\n"
                              "  \"scratch_gib\": 0,\n"
                              "  \"scratch_locality\": \"any\",\n"
                              "  \"tenant\": \"\",\n"
                              "  \"vcpus\": 1,\n"
                              "  \"zones\": []\n"
                              "}\n");
    /* A shape (no name) has no "name" key. */
    r.name[0] = '\0';
    shape = gv_request_to_json(&r);
    assert_null(strstr(shape, "\"name\""));
}

/* ---- every field ---- */

static const char full_json[] =
    "{\"name\": \"train-1\", \"tenant\": \"research\", \"vcpus\": 64, \"memory_mib\": 524288,\n"
    " \"hugepages\": \"1G\", \"cpu_policy\": \"dedicated\", \"numa_policy\": \"strict\",\n"
    " \"gpu\": {\"mode\": \"passthrough\", \"count\": 4, \"models\": [\"H100-SXM5-80GB\",\n"
    "         \"A100-SXM4-80GB\"], \"topology\": \"nvlink\"},\n"
    " \"nics\": {\"vfs\": 4, \"locality\": \"same-switch\"},\n"
    " \"scratch_gib\": 2000, \"scratch_locality\": \"same-numa\", \"pool\": \"training\",\n"
    " \"zones\": [\"zone-b\", \"zone-a\"], \"labels\": {\"rack\": \"r1\", \"fabric\": \"ib\"},\n"
    " \"anti_affinity\": \"llm-ring\", \"class\": \"training\", \"io\": \"heavy\"}\n";

static const char full_yaml[] = "# the same request as full_json\n"
                                "name: train-1\n"
                                "tenant: research\n"
                                "vcpus: 64\n"
                                "memory_mib: 524288\n"
                                "hugepages: 1G\n"
                                "cpu_policy: dedicated\n"
                                "numa_policy: strict\n"
                                "gpu:\n"
                                "  mode: passthrough\n"
                                "  count: 4\n"
                                "  models: [H100-SXM5-80GB, A100-SXM4-80GB]\n"
                                "  topology: nvlink\n"
                                "nics: {vfs: 4, locality: same-switch}\n"
                                "scratch_gib: 2000\n"
                                "scratch_locality: same-numa\n"
                                "pool: training\n"
                                "zones:\n"
                                "  - zone-b\n"
                                "  - zone-a\n"
                                "labels:\n"
                                "  rack: r1\n"
                                "  fabric: 'ib'\n"
                                "anti_affinity: llm-ring\n"
                                "class: training\n"
                                "io: heavy\n";

static void
test_every_field(void **state)
{
    gv_request r, y;
    (void)state;

    parse_json_ok(full_json, NULL, &r);
    assert_string_equal(r.name, "train-1");
    assert_string_equal(r.tenant, "research");
    assert_int_equal(r.vcpus, 64);
    assert_int_equal(r.memory_mib, 524288);
    assert_int_equal(r.hugepages, GV_HUGEPAGES_1G);
    assert_int_equal(r.cpu_policy, GV_CPU_DEDICATED);
    assert_int_equal(r.numa_policy, GV_NUMA_POLICY_STRICT);
    assert_int_equal(r.gpu.mode, GV_GPU_MODE_PASSTHROUGH);
    assert_int_equal(r.gpu.count, 4);
    assert_int_equal(r.gpu.n_models, 2);
    assert_string_equal(r.gpu.models[0], "H100-SXM5-80GB");
    assert_string_equal(r.gpu.models[1], "A100-SXM4-80GB");
    assert_int_equal(r.gpu.topology, GV_GPU_TOPO_NVLINK);
    assert_string_equal(r.gpu.profile, "");
    assert_string_equal(r.gpu.vgpu_type, "");
    assert_int_equal(r.nic_vfs, 4);
    assert_int_equal(r.nic_locality, GV_LOCALITY_SAME_SWITCH);
    assert_int_equal(r.scratch_gib, 2000);
    assert_int_equal(r.scratch_locality, GV_LOCALITY_SAME_NUMA);
    assert_string_equal(r.pool, "training");
    assert_int_equal(r.n_zones, 2);
    assert_string_equal(r.zones[0], "zone-b"); /* kept in the order written */
    assert_string_equal(r.zones[1], "zone-a");
    assert_int_equal(r.n_labels, 2);
    assert_string_equal(r.labels[0].key, "fabric"); /* sorted by key */
    assert_string_equal(r.labels[0].value, "ib");
    assert_string_equal(r.labels[1].key, "rack");
    assert_string_equal(r.labels[1].value, "r1");
    assert_string_equal(r.anti_affinity, "llm-ring");
    assert_int_equal(r.class, GV_CLASS_TRAINING);
    assert_int_equal(r.io, GV_IO_HEAVY);

    /* YAML gives the same struct. */
    parse_yaml_ok(full_yaml, NULL, &y);
    assert_same_request(&r, &y);
}

static void
test_gpu_modes(void **state)
{
    gv_request r;
    (void)state;

    parse_json_ok("{\"name\": \"a\", \"gpu\": {\"mode\": \"passthrough\"}}", NULL, &r);
    assert_int_equal(r.gpu.count, 1);
    assert_int_equal(r.gpu.mode, GV_GPU_MODE_PASSTHROUGH);
    assert_int_equal(r.gpu.topology, GV_GPU_TOPO_ANY);

    parse_json_ok("{\"name\": \"a\", \"gpu\": {\"mode\": \"mig\", \"profile\": \"3g.40gb\"}}", NULL,
                  &r);
    assert_int_equal(r.gpu.count, 1);
    assert_int_equal(r.gpu.mode, GV_GPU_MODE_MIG);
    assert_string_equal(r.gpu.profile, "3g.40gb");

    parse_json_ok("{\"name\": \"a\", \"gpu\": {\"mode\": \"mig\", \"profile\": \"1g.10gb\", "
                  "\"count\": 3, \"models\": [\"H100-SXM5-80GB\"]}}",
                  NULL, &r);
    assert_int_equal(r.gpu.count, 3);
    assert_int_equal(r.gpu.n_models, 1);

    parse_json_ok("{\"name\": \"a\", \"gpu\": {\"mode\": \"vgpu\", \"type\": \"L40S-12C\", "
                  "\"count\": 2}}",
                  NULL, &r);
    assert_int_equal(r.gpu.mode, GV_GPU_MODE_VGPU);
    assert_int_equal(r.gpu.count, 2);
    assert_string_equal(r.gpu.vgpu_type, "L40S-12C");

    parse_json_ok("{\"name\": \"a\", \"gpu\": {\"mode\": \"sriov\", \"models\": [\"MI300X\"]}}",
                  NULL, &r);
    assert_int_equal(r.gpu.mode, GV_GPU_MODE_SRIOV);
    assert_int_equal(r.gpu.count, 1);
    assert_string_equal(r.gpu.models[0], "MI300X");

    parse_json_ok("{\"name\": \"a\", \"gpu\": null}", NULL, &r);
    assert_int_equal(r.gpu.count, 0);

    /* Limits are inclusive. */
    parse_json_ok("{\"name\": \"a\", \"vcpus\": 1024, \"memory_mib\": 67108864, "
                  "\"scratch_gib\": 1048576, \"nics\": {\"vfs\": 16}, "
                  "\"gpu\": {\"mode\": \"sriov\", \"count\": 16}}",
                  NULL, &r);
    assert_int_equal(r.vcpus, GV_REQ_MAX_VCPUS);
    assert_int_equal(r.memory_mib, GV_REQ_MAX_MEMORY_MIB);
    assert_int_equal(r.scratch_gib, GV_REQ_MAX_SCRATCH_GIB);
    assert_int_equal(r.nic_vfs, GV_REQ_MAX_NIC_VFS);
    assert_int_equal(r.gpu.count, GV_REQ_MAX_GPUS);
    /* 2M pages: an even number of MiB. */
    parse_json_ok("{\"name\": \"a\", \"memory_mib\": 4098, \"hugepages\": \"2M\"}", NULL, &r);
    assert_int_equal(r.memory_mib, 4098);
    /* The default 1024 MiB is one 1G page. */
    parse_json_ok("{\"name\": \"a\", \"hugepages\": \"1G\"}", NULL, &r);
    assert_int_equal(r.memory_mib, 1024);
}

/* ---- errors ---- */

#define R(body) "{\"name\": \"a\", " body "}"
#define S63 "123456789012345678901234567890123456789012345678901234567890123"
#define S64 S63 "4"

static const struct bad_case {
    const char *text; /* JSON, which is also YAML (flow style) */
    int ret;
    const char *msg; /* err.msg exactly; NULL: not checked (syntax errors) */
    bool json_only;  /* YAML reads it differently */
} bad[] = {
    {"{", -GV_E_PARSE, NULL, true},
    {"{\"name\": \"a\", \"name\": \"b\"}", -GV_E_PARSE, NULL, true},
    {"[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]", -GV_E_LIMIT, "nested deeper than 16 levels", true},
    {"[1]", -GV_E_INVAL, "request: expected an object"},
    {"{}", -GV_E_INVAL, "name: required"},
    {R("\"colour\": 1"), -GV_E_INVAL, "colour: unknown key"},
    {"{\"name\": 5}", -GV_E_INVAL, "name: expected a string"},
    {"{\"name\": null}", -GV_E_INVAL, "name: expected a string"},
    {"{\"name\": \"\"}", -GV_E_INVAL, "name: must not be empty"},
    {"{\"name\": \"" S64 "\"}", -GV_E_INVAL, "name: longer than 63 bytes"},
    {"{\"name\": \"a\\tb\"}", -GV_E_INVAL, "name: contains a control character"},
    {R("\"tenant\": 1"), -GV_E_INVAL, "tenant: expected a string"},
    {R("\"tenant\": \"" S64 "\""), -GV_E_INVAL, "tenant: longer than 63 bytes"},
    {R("\"vcpus\": 0"), -GV_E_INVAL, "vcpus: expected an integer in 1..1024, got 0"},
    {R("\"vcpus\": 1025"), -GV_E_INVAL, "vcpus: expected an integer in 1..1024, got 1025"},
    {R("\"vcpus\": \"8\""), -GV_E_INVAL, "vcpus: expected an integer in 1..1024"},
    {R("\"vcpus\": 1.5"), -GV_E_INVAL, "vcpus: expected an integer in 1..1024"},
    {R("\"vcpus\": true"), -GV_E_INVAL, "vcpus: expected an integer in 1..1024"},
    {R("\"memory_mib\": 0"), -GV_E_INVAL, "memory_mib: expected an integer in 1..67108864, got 0"},
    {R("\"memory_mib\": 67108865"), -GV_E_INVAL,
     "memory_mib: expected an integer in 1..67108864, got 67108865"},
    {R("\"hugepages\": \"4K\""), -GV_E_INVAL, "hugepages: '4K' is not one of: none, 2M, 1G"},
    {R("\"hugepages\": 2"), -GV_E_INVAL, "hugepages: expected one of: none, 2M, 1G"},
    {R("\"memory_mib\": 1000, \"hugepages\": \"1G\""), -GV_E_INVAL,
     "memory_mib: 1000 is not a multiple of the 1G page size (1024 MiB)"},
    {R("\"memory_mib\": 1001, \"hugepages\": \"2M\""), -GV_E_INVAL,
     "memory_mib: 1001 is not a multiple of the 2M page size (2 MiB)"},
    {R("\"cpu_policy\": \"pinned\""), -GV_E_INVAL,
     "cpu_policy: 'pinned' is not one of: dedicated, shared"},
    {R("\"numa_policy\": \"loose\""), -GV_E_INVAL,
     "numa_policy: 'loose' is not one of: strict, preferred, none"},
    {R("\"gpu\": 1"), -GV_E_INVAL, "gpu: expected an object or null"},
    {R("\"gpu\": {}"), -GV_E_INVAL, "gpu.mode: required"},
    {R("\"gpu\": {\"mode\": \"tpu\"}"), -GV_E_INVAL,
     "gpu.mode: 'tpu' is not one of: passthrough, mig, vgpu, sriov, share"},
    {R("\"gpu\": {\"mode\": \"passthrough\", \"count\": 0}"), -GV_E_INVAL,
     "gpu.count: expected an integer in 1..16, got 0"},
    {R("\"gpu\": {\"mode\": \"sriov\", \"count\": 17}"), -GV_E_INVAL,
     "gpu.count: expected an integer in 1..16, got 17"},
    {R("\"gpu\": {\"mode\": \"sriov\", \"count\": \"2\"}"), -GV_E_INVAL,
     "gpu.count: expected an integer in 1..16"},
    {R("\"gpu\": {\"mode\": \"passthrough\", \"profile\": \"3g.40gb\"}"), -GV_E_INVAL,
     "gpu.profile: only for mode mig"},
    {R("\"gpu\": {\"mode\": \"share\"}"), -GV_E_INVAL, "gpu.milli: required"},
    {R("\"cpu_milli\": 1500"), -GV_E_INVAL,
     "cpu_milli: only with cpu_policy shared (dedicated vCPUs own whole threads)"},
    {R("\"cpu_policy\": \"shared\", \"vcpus\": 2, \"cpu_milli\": 2001"), -GV_E_INVAL,
     "cpu_milli: 2001 is more than the 2 vCPUs can use (2000)"},
    {R("\"cpu_policy\": \"shared\", \"cpu_milli\": 0"), -GV_E_INVAL,
     "cpu_milli: expected an integer in 1..1024000, got 0"},
    {R("\"gpu\": {\"mode\": \"share\", \"milli\": 0}"), -GV_E_INVAL,
     "gpu.milli: expected an integer in 1..1000, got 0"},
    {R("\"gpu\": {\"mode\": \"share\", \"milli\": 1001}"), -GV_E_INVAL,
     "gpu.milli: expected an integer in 1..1000, got 1001"},
    {R("\"gpu\": {\"mode\": \"vgpu\", \"type\": \"A100-4C\", \"milli\": 500}"), -GV_E_INVAL,
     "gpu.milli: only for mode share"},
    {R("\"gpu\": {\"mode\": \"mig\", \"profile\": \"3g.40gb\", \"topology\": \"any\"}"),
     -GV_E_INVAL, "gpu.topology: only for mode passthrough"},
    {R("\"gpu\": {\"mode\": \"sriov\", \"type\": \"A100-4C\"}"), -GV_E_INVAL,
     "gpu.type: only for mode vgpu"},
    {R("\"gpu\": {\"mode\": \"vgpu\", \"type\": \"A100-4C\", \"profile\": \"1g.10gb\"}"),
     -GV_E_INVAL, "gpu.profile: only for mode mig"},
    {R("\"gpu\": {\"mode\": \"mig\"}"), -GV_E_INVAL, "gpu.profile: required"},
    {R("\"gpu\": {\"mode\": \"vgpu\", \"count\": 2}"), -GV_E_INVAL, "gpu.type: required"},
    {R("\"gpu\": {\"mode\": \"mig\", \"profile\": \"\"}"), -GV_E_INVAL,
     "gpu.profile: must not be empty"},
    {R("\"gpu\": {\"mode\": \"mig\", \"profile\": \"123456789012345678901234\"}"), -GV_E_INVAL,
     "gpu.profile: longer than 23 bytes"},
    {R("\"gpu\": {\"mode\": \"vgpu\", \"type\": \"12345678901234567890123456789012\"}"),
     -GV_E_INVAL, "gpu.type: longer than 31 bytes"},
    {R("\"gpu\": {\"mode\": \"passthrough\", \"colour\": 1}"), -GV_E_INVAL,
     "gpu.colour: unknown key"},
    {R("\"gpu\": {\"mode\": \"passthrough\", \"models\": \"H100\"}"), -GV_E_INVAL,
     "gpu.models: expected a list"},
    {R("\"gpu\": {\"mode\": \"passthrough\", \"models\": [\"a\", \"b\", \"c\", \"d\", \"e\", "
       "\"f\", \"g\", \"h\", \"i\", \"j\", \"k\", \"l\", \"m\", \"n\", \"o\", \"p\", \"q\"]}"),
     -GV_E_LIMIT, "gpu.models: more than 16 entries"},
    {R("\"gpu\": {\"mode\": \"passthrough\", \"models\": [\"H100-SXM5-80GB\", "
       "\"h100-sxm5-80gb\"]}"),
     -GV_E_INVAL, "gpu.models[1]: duplicate 'h100-sxm5-80gb'"},
    {R("\"gpu\": {\"mode\": \"passthrough\", \"models\": [5]}"), -GV_E_INVAL,
     "gpu.models[0]: expected a string"},
    {R("\"gpu\": {\"mode\": \"passthrough\", \"models\": [\"\"]}"), -GV_E_INVAL,
     "gpu.models[0]: must not be empty"},
    {R("\"gpu\": {\"mode\": \"passthrough\", \"models\": [\"x\", "
       "\"123456789012345678901234567890123456789012345678\"]}"),
     -GV_E_INVAL, "gpu.models[1]: longer than 47 bytes"},
    {R("\"gpu\": {\"mode\": \"passthrough\", \"topology\": \"ring\"}"), -GV_E_INVAL,
     "gpu.topology: 'ring' is not one of: any, same-numa, same-switch, nvlink"},
    {R("\"nics\": []"), -GV_E_INVAL, "nics: expected an object"},
    {R("\"nics\": {}"), -GV_E_INVAL, "nics.vfs: required"},
    {R("\"nics\": {\"vfs\": 17}"), -GV_E_INVAL, "nics.vfs: expected an integer in 0..16, got 17"},
    {R("\"nics\": {\"vfs\": 1, \"locality\": \"near\"}"), -GV_E_INVAL,
     "nics.locality: 'near' is not one of: any, same-numa, same-switch"},
    {R("\"nics\": {\"vfs\": 1, \"speed\": 100}"), -GV_E_INVAL, "nics.speed: unknown key"},
    {R("\"scratch_gib\": -1"), -GV_E_INVAL,
     "scratch_gib: expected an integer in 0..1048576, got -1"},
    {R("\"scratch_gib\": 1048577"), -GV_E_INVAL,
     "scratch_gib: expected an integer in 0..1048576, got 1048577"},
    {R("\"scratch_locality\": \"nvlink\""), -GV_E_INVAL,
     "scratch_locality: 'nvlink' is not one of: any, same-numa, same-switch"},
    {R("\"pool\": \"" S64 "\""), -GV_E_INVAL, "pool: longer than 63 bytes"},
    {R("\"pool\": [\"a\"]"), -GV_E_INVAL, "pool: expected a string"},
    {R("\"zones\": \"zone-a\""), -GV_E_INVAL, "zones: expected a list"},
    {R("\"zones\": [\"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\", \"h\", \"i\", \"j\", \"k\", "
       "\"l\", \"m\", \"n\", \"o\", \"p\", \"q\"]"),
     -GV_E_LIMIT, "zones: more than 16 entries"},
    {R("\"zones\": [\"a\", \"b\", \"a\"]"), -GV_E_INVAL, "zones[2]: duplicate 'a'"},
    {R("\"zones\": [\"a\", \"\"]"), -GV_E_INVAL, "zones[1]: must not be empty"},
    {R("\"zones\": [\"" S64 "\"]"), -GV_E_INVAL, "zones[0]: longer than 63 bytes"},
    {R("\"labels\": []"), -GV_E_INVAL, "labels: expected an object"},
    {R("\"labels\": {\"a\": \"1\", \"b\": \"1\", \"c\": \"1\", \"d\": \"1\", \"e\": \"1\", "
       "\"f\": \"1\", \"g\": \"1\", \"h\": \"1\", \"i\": \"1\", \"j\": \"1\", \"k\": \"1\", "
       "\"l\": \"1\", \"m\": \"1\", \"n\": \"1\", \"o\": \"1\", \"p\": \"1\", \"q\": \"1\"}"),
     -GV_E_LIMIT, "labels: more than 16 labels"},
    {R("\"labels\": {\"rack\": 1}"), -GV_E_INVAL, "labels.rack: expected a string"},
    {R("\"labels\": {\"\": \"x\"}"), -GV_E_INVAL, "labels.: key must not be empty"},
    {R("\"labels\": {\"" S64 "\": \"x\"}"), -GV_E_INVAL,
     "labels.123456789012345678901234567890123456789012345678...: key longer than 63 bytes"},
    {R("\"labels\": {\"rack\": \"" S64 "\"}"), -GV_E_INVAL, "labels.rack: longer than 63 bytes"},
    {R("\"anti_affinity\": 5"), -GV_E_INVAL, "anti_affinity: expected a string"},
    {R("\"class\": \"batch\""), -GV_E_INVAL,
     "class: 'batch' is not one of: none, training, inference, notebook"},
    {R("\"io\": \"light\""), -GV_E_INVAL, "io: 'light' is not one of: normal, heavy"},
};

static void
test_errors(void **state)
{
    (void)state;

    for (size_t i = 0; i < GV_N_ELEMENTS(bad); i++) {
        const struct bad_case *c = &bad[i];
        gv_request r, before;
        gv_err err = {0};
        int rc;

        memset(&r, 0xab, sizeof(r));
        memcpy(&before, &r, sizeof(r));
        rc = parse_json(c->text, NULL, &r, &err);
        if (rc != c->ret || (c->msg && strcmp(err.msg, c->msg)))
            fail_msg("case %zu %s: got %d '%s', want %d '%s'", i, c->text, rc, err.msg, c->ret,
                     c->msg ? c->msg : "");
        assert_true(!strncmp(err.where, "req.json", 8));
        assert_memory_equal(&r, &before, sizeof(r)); /* untouched on failure */
        if (c->json_only)
            continue;
        gv_err_clear(&err);
        rc = parse_yaml(c->text, NULL, &r, &err);
        if (rc != c->ret || strcmp(err.msg, c->msg))
            fail_msg("case %zu as YAML %s: got %d '%s', want %d '%s'", i, c->text, rc, err.msg,
                     c->ret, c->msg);
        assert_true(!strncmp(err.where, "req.yaml:1:", 11));
        assert_memory_equal(&r, &before, sizeof(r));
    }
}

/* YAML errors are located at the value (or the key, or the mapping that lacks a key). */
static void
test_yaml_errors(void **state)
{
    static const struct {
        const char *text;
        int ret;
        const char *where;
        const char *msg; /* NULL: not checked */
    } cases[] = {
        {"name: a\nvcpus: 4\ngpu:\n  mode: mig\n  profile: 1g.10gb\n  count: 99\n", -GV_E_INVAL,
         "req.yaml:6:10", "gpu.count: expected an integer in 1..16, got 99"},
        {"name: a\ngpu:\n  mode: passthrough\n  colour: red\n", -GV_E_INVAL, "req.yaml:4:3",
         "gpu.colour: unknown key"},
        {"name: a\ngpu:\n  mode: passthrough\n  profile: 1g.10gb\n", -GV_E_INVAL, "req.yaml:4:3",
         "gpu.profile: only for mode mig"},
        {"name: a\ngpu:\n  mode: mig\n", -GV_E_INVAL, "req.yaml:3:3", "gpu.profile: required"},
        {"vcpus: 2\n", -GV_E_INVAL, "req.yaml:1:1", "name: required"},
        {"name: a\nzones: [a, b,\n        a]\n", -GV_E_INVAL, "req.yaml:3:9",
         "zones[2]: duplicate 'a'"},
        {"name: a\nlabels:\n  rack: r1\n  tier: 1\n", -GV_E_INVAL, "req.yaml:4:9",
         "labels.tier: expected a string"},
        {"name: a\nmemory_mib: 1000\nhugepages: 1G\n", -GV_E_INVAL, "req.yaml:2:13",
         "memory_mib: 1000 is not a multiple of the 1G page size (1024 MiB)"},
        {"name: a\nvcpus: \"4\"\n", -GV_E_INVAL, "req.yaml:2:8",
         "vcpus: expected an integer in 1..1024"},
        {"name: a\nvcpus: 99999999999999999999\n", -GV_E_INVAL, "req.yaml:2:8",
         "vcpus: expected an integer in 1..1024"},
        {"name: a\nvcpus: ~\n", -GV_E_INVAL, "req.yaml:2:8",
         "vcpus: expected an integer in 1..1024"},
        {"name: a\nname: b\n", -GV_E_INVAL, "req.yaml:2:1", "duplicate key 'name'"},
        {"name: a\n? [x]\n: 1\n", -GV_E_INVAL, "req.yaml:2:3", "keys must be strings"},
        {"name: \"a\\0b\"\n", -GV_E_INVAL, "req.yaml:1:7", "contains a NUL character"},
        {"- a\n", -GV_E_INVAL, "req.yaml:1:1", "request: expected an object"},
        {"name: a\nvcpus: [4\n", -GV_E_PARSE, NULL, NULL},
        {"", -GV_E_PARSE, "req.yaml:1:1", "empty document"},
        {"name: a\ngpu: {mode: sriov, models: [[[[[[[[[[[[[[[[x]]]]]]]]]]]]]]]]}\n", -GV_E_LIMIT,
         NULL, "nested deeper than 16 levels"},
        /* an alias bomb: 10 levels of 10 references would expand to 10^10 values */
        {"a: &a [x, x, x, x, x, x, x, x, x, x]\n"
         "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
         "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
         "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
         "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
         "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
         "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
         "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n",
         -GV_E_LIMIT, NULL, "more than 100000 values (aliases included)"},
    };
    (void)state;

    for (size_t i = 0; i < GV_N_ELEMENTS(cases); i++) {
        gv_request r;
        gv_err err = {0};
        int rc = parse_yaml(cases[i].text, NULL, &r, &err);

        if (rc != cases[i].ret || (cases[i].where && strcmp(err.where, cases[i].where)) ||
            (cases[i].msg && strcmp(err.msg, cases[i].msg)))
            fail_msg("case %zu:\n%s\ngot %d '%s: %s', want %d '%s: %s'", i, cases[i].text, rc,
                     err.where, err.msg, cases[i].ret, cases[i].where ? cases[i].where : "*",
                     cases[i].msg ? cases[i].msg : "*");
        assert_true(!strncmp(err.where, "req.yaml", 8));
    }
}

/* Plain YAML scalars are typed, quoted ones are strings; aliases work within the bounds. */
static void
test_yaml_scalars(void **state)
{
    gv_request r;
    (void)state;

    parse_yaml_ok("name: '123'\nlabels: {tier: \"1\", on: 'true'}\nzones: [\"null\"]\n"
                  "tenant: \"\"\npool: 2M\nanti_affinity: x1\n",
                  NULL, &r);
    assert_string_equal(r.name, "123");
    assert_string_equal(r.labels[0].key, "on");
    assert_string_equal(r.labels[0].value, "true");
    assert_string_equal(r.labels[1].value, "1");
    assert_string_equal(r.zones[0], "null");
    assert_string_equal(r.pool, "2M");
    parse_yaml_ok("name: a\nvcpus: +8\nmemory_mib: 2048\nzones: &z [a, b]\nlabels: {x: y}\n", NULL,
                  &r);
    assert_int_equal(r.vcpus, 8);
    assert_int_equal(r.n_zones, 2);
    /* "gpu: ~" is null: no GPU, as in JSON */
    parse_yaml_ok("name: a\ngpu: ~\n", NULL, &r);
    assert_int_equal(r.gpu.count, 0);
}

/* ---- overrides ---- */

static void
test_override_base(void **state)
{
    gv_request base, r, before;
    gv_err err = {0};
    (void)state;

    load_flavor("training", &base);
    assert_string_equal(base.name, "");

    /* Fields given replace the base's; the rest stays. */
    parse_json_ok("{\"name\": \"t1\", \"tenant\": \"ml\", \"memory_mib\": 2048}", &base, &r);
    assert_string_equal(r.name, "t1");
    assert_string_equal(r.tenant, "ml");
    assert_int_equal(r.memory_mib, 2048);
    assert_int_equal(r.vcpus, base.vcpus);
    assert_int_equal(r.hugepages, GV_HUGEPAGES_1G);
    assert_memory_equal(&r.gpu, &base.gpu, sizeof(r.gpu));
    assert_int_equal(r.nic_vfs, base.nic_vfs);
    assert_int_equal(r.nic_locality, base.nic_locality);

    /* gpu replaces the base's gpu as a whole: no nvlink, no count 8 left over. */
    parse_json_ok("{\"name\": \"t1\", \"gpu\": {\"mode\": \"passthrough\", \"count\": 2}}", &base,
                  &r);
    assert_int_equal(r.gpu.count, 2);
    assert_int_equal(r.gpu.topology, GV_GPU_TOPO_ANY);
    parse_json_ok("{\"name\": \"t1\", \"gpu\": {\"mode\": \"mig\", \"profile\": \"1g.10gb\"}}",
                  &base, &r);
    assert_int_equal(r.gpu.mode, GV_GPU_MODE_MIG);
    assert_int_equal(r.gpu.count, 1);
    assert_int_equal(r.gpu.topology, GV_GPU_TOPO_ANY);
    parse_json_ok("{\"name\": \"t1\", \"gpu\": null}", &base, &r);
    assert_int_equal(r.gpu.count, 0);

    /* nics too. */
    parse_json_ok("{\"name\": \"t1\", \"nics\": {\"vfs\": 2}}", &base, &r);
    assert_int_equal(r.nic_vfs, 2);
    assert_int_equal(r.nic_locality, GV_LOCALITY_ANY);

    /* Lists are replaced, not merged. */
    parse_json_ok("{\"name\": \"b\", \"zones\": [\"x\"], \"labels\": {\"k\": \"v\"}}", NULL,
                  &before);
    parse_json_ok("{\"zones\": [\"y\"], \"labels\": {\"j\": \"w\"}}", &before, &r);
    assert_int_equal(r.n_zones, 1);
    assert_string_equal(r.zones[0], "y");
    assert_int_equal(r.n_labels, 1);
    assert_string_equal(r.labels[0].key, "j");
    assert_string_equal(r.name, "b"); /* the name from the base */

    /* Rules across fields hold for the result: 1G pages from the base, memory from the text. */
    memset(&r, 0x5a, sizeof(r));
    memcpy(&before, &r, sizeof(r));
    assert_int_equal(parse_json("{\"name\": \"t1\", \"memory_mib\": 1000}", &base, &r, &err),
                     -GV_E_INVAL);
    assert_string_equal(err.where, "req.json");
    assert_string_equal(err.msg,
                        "memory_mib: 1000 is not a multiple of the 1G page size (1024 MiB)");
    assert_memory_equal(&r, &before, sizeof(r));

    /* Over a base, a missing name is the caller's to check; with no base it is an error. */
    parse_json_ok("{\"vcpus\": 8}", &base, &r);
    assert_string_equal(r.name, "");
    gv_err_clear(&err);
    assert_int_equal(parse_json("{\"vcpus\": 8}", NULL, &r, &err), -GV_E_INVAL);
    assert_string_equal(err.msg, "name: required");

    /* An empty text object is the base itself. */
    parse_yaml_ok("{}", &base, &r);
    assert_same_request(&r, &base);
}

/* ---- flavors ---- */

static void
test_flavors(void **state)
{
    GV_AUTOFREE char *dir = gv_test_src("data/flavors");
    gv_request r, over;
    size_t n = 0;
    DIR *d;
    struct dirent *e;
    (void)state;

    /* Every flavor shipped parses, has no name and takes a name over it. */
    d = opendir(dir);
    assert_non_null(d);
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        char name[256];

        if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") || len - 5 >= sizeof(name))
            continue;
        memcpy(name, e->d_name, len - 5);
        name[len - 5] = '\0';
        load_flavor(name, &r);
        assert_string_equal(r.name, "");
        parse_json_ok("{\"name\": \"vm-1\"}", &r, &over);
        assert_string_equal(over.name, "vm-1");
        n++;
    }
    closedir(d);
    assert_true(n >= 3);

    load_flavor("training", &r);
    assert_int_equal(r.gpu.mode, GV_GPU_MODE_PASSTHROUGH);
    assert_int_equal(r.gpu.count, 8);
    assert_int_equal(r.gpu.topology, GV_GPU_TOPO_NVLINK);
    assert_int_equal(r.cpu_policy, GV_CPU_DEDICATED);
    assert_int_equal(r.numa_policy, GV_NUMA_POLICY_STRICT);
    assert_int_equal(r.hugepages, GV_HUGEPAGES_1G);
    assert_true(r.nic_vfs > 0);
    assert_true(r.scratch_gib > 0);
    assert_int_equal(r.class, GV_CLASS_TRAINING);
    assert_int_equal(r.io, GV_IO_HEAVY);

    load_flavor("inference", &r);
    assert_true(r.gpu.mode == GV_GPU_MODE_MIG || r.gpu.mode == GV_GPU_MODE_VGPU);
    assert_int_equal(r.gpu.count, 1);
    assert_int_equal(r.cpu_policy, GV_CPU_SHARED);
    assert_int_equal(r.numa_policy, GV_NUMA_POLICY_PREFERRED);
    assert_int_equal(r.class, GV_CLASS_INFERENCE);

    load_flavor("notebook", &r);
    assert_true(r.gpu.mode == GV_GPU_MODE_MIG || r.gpu.mode == GV_GPU_MODE_VGPU);
    assert_int_equal(r.cpu_policy, GV_CPU_SHARED);
    assert_true(r.numa_policy == GV_NUMA_POLICY_NONE || r.numa_policy == GV_NUMA_POLICY_PREFERRED);
    assert_int_equal(r.class, GV_CLASS_NOTEBOOK);
}

/* ---- round trip on random requests ---- */

static uint64_t rng = 88172645463325252ull;

static uint32_t
rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return n ? (uint32_t)(rng % n) : 0;
}

/* A random string of @min..size-1 bytes, with escapes and multi-byte UTF-8 now and then. */
static void
rnd_string(char *dst, size_t size, size_t min)
{
    static const char *const pieces[] = {"a", "Z", "0", "9",  "-",  "_",        ".",
                                         " ", "/", ":", "\"", "\\", "\xc3\xa9", "\xe2\x82\xac",
                                         "x"};
    size_t want = min + rnd((uint32_t)(size - min)), len = 0;

    memset(dst, 0, size);
    while (len < want) {
        const char *p = pieces[rnd(GV_N_ELEMENTS(pieces))];
        size_t n = strlen(p);
        if (len + n > size - 1)
            p = "q", n = 1;
        memcpy(dst + len, p, n);
        len += n;
    }
}

/* @n distinct strings (also ignoring case): a unique prefix and a random tail. */
static void
rnd_names(char *items, size_t stride, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *s = items + i * stride;
        int w = snprintf(s, stride, "n%zu-", i);

        rnd_string(s + w, stride - (size_t)w, 0);
    }
}

static int
label_cmp(const void *a, const void *b)
{
    return strcmp(((const gv_req_label *)a)->key, ((const gv_req_label *)b)->key);
}

static void
random_request(gv_request *r)
{
    static const int64_t page[] = {1, 2, 1024};

    gv_request_init(r);
    rnd_string(r->name, sizeof(r->name), 1);
    if (rnd(2))
        rnd_string(r->tenant, sizeof(r->tenant), 0);
    r->vcpus = 1 + (int)rnd(GV_REQ_MAX_VCPUS);
    r->hugepages = (gv_hugepages)rnd(GV_HUGEPAGES_LAST);
    r->memory_mib =
        page[r->hugepages] * (1 + rnd((uint32_t)(GV_REQ_MAX_MEMORY_MIB / page[r->hugepages])));
    r->cpu_policy = (gv_cpu_policy)rnd(GV_CPU_POLICY_LAST);
    if (r->cpu_policy == GV_CPU_SHARED && rnd(2))
        r->cpu_milli = 1 + rnd((uint32_t)r->vcpus * 1000);
    r->numa_policy = (gv_numa_policy)rnd(GV_NUMA_POLICY_LAST);
    if (rnd(4)) {
        gv_gpu_request *g = &r->gpu;
        g->mode = (gv_gpu_mode)rnd(GV_GPU_MODE_LAST);
        g->count = 1 + (int)rnd(GV_REQ_MAX_GPUS);
        g->n_models = rnd(GV_REQ_MAX_MODELS + 1);
        rnd_names(&g->models[0][0], sizeof(g->models[0]), g->n_models);
        if (g->mode == GV_GPU_MODE_PASSTHROUGH)
            g->topology = (gv_gpu_topology)rnd(GV_GPU_TOPO_LAST);
        if (g->mode == GV_GPU_MODE_MIG)
            rnd_string(g->profile, sizeof(g->profile), 1);
        if (g->mode == GV_GPU_MODE_VGPU)
            rnd_string(g->vgpu_type, sizeof(g->vgpu_type), 1);
        if (g->mode == GV_GPU_MODE_SHARE)
            g->milli = 1 + (int)rnd(1000);
    }
    r->nic_vfs = (int)rnd(GV_REQ_MAX_NIC_VFS + 1);
    r->nic_locality = (gv_locality)rnd(GV_LOCALITY_LAST);
    r->scratch_gib = rnd(3) ? 0 : rnd((uint32_t)GV_REQ_MAX_SCRATCH_GIB + 1);
    r->scratch_locality = (gv_locality)rnd(GV_LOCALITY_LAST);
    if (rnd(2))
        rnd_string(r->pool, sizeof(r->pool), 0);
    r->n_zones = rnd(GV_REQ_MAX_ZONES + 1);
    rnd_names(&r->zones[0][0], sizeof(r->zones[0]), r->n_zones);
    r->n_labels = rnd(GV_REQ_MAX_LABELS + 1);
    for (size_t i = 0; i < r->n_labels; i++) {
        int w = snprintf(r->labels[i].key, sizeof(r->labels[i].key), "k%zu", i);
        rnd_string(r->labels[i].key + w, sizeof(r->labels[i].key) - (size_t)w, 0);
        rnd_string(r->labels[i].value, sizeof(r->labels[i].value), 0);
    }
    qsort(r->labels, r->n_labels, sizeof(r->labels[0]), label_cmp);
    if (rnd(2))
        rnd_string(r->anti_affinity, sizeof(r->anti_affinity), 0);
    r->class = (gv_workload_class)rnd(GV_CLASS_LAST);
    r->io = (gv_io)rnd(GV_IO_LAST);
}

static void
test_round_trip_random(void **state)
{
    (void)state;

    for (int i = 0; i < 3000; i++) {
        gv_request r, back, yaml;
        GV_AUTOFREE char *text = NULL;
        GV_AUTOFREE char *again = NULL;
        gv_err err = {0};

        random_request(&r);
        text = gv_request_to_json(&r);
        if (parse_json(text, NULL, &back, &err) != 0)
            fail_msg("request %d does not read back: %s: %s\n%s", i, err.where, err.msg, text);
        assert_same_request(&r, &back);
        again = gv_request_to_json(&back);
        assert_string_equal(text, again);
        /* Canonical JSON is YAML too, and reads the same. */
        if (parse_yaml(text, NULL, &yaml, &err) != 0)
            fail_msg("request %d as YAML: %s: %s\n%s", i, err.where, err.msg, text);
        assert_same_request(&r, &yaml);
    }
}

/* ---- stream lines ---- */

static int
stream(const char *line, size_t lineno, const gv_request *base, gv_stream_item *item, gv_err *err)
{
    return gv_stream_parse_line(line, strlen(line), "s.jsonl", lineno, base, item, err);
}

static void
test_stream(void **state)
{
    static const struct {
        const char *line;
        int ret;
        const char *msg; /* NULL: not checked */
    } bad_lines[] = {
        {"{\"release\": \"a\", \"vcpus\": 2}", -GV_E_INVAL, "vcpus: not allowed beside 'release'"},
        {"{\"release\": 5}", -GV_E_INVAL, "release: expected a string"},
        {"{\"release\": \"\"}", -GV_E_INVAL, "release: must not be empty"},
        {"{\"release\": \"" S64 "\"}", -GV_E_INVAL, "release: longer than 63 bytes"},
        {"{\"vcpus\": 2}", -GV_E_INVAL, "name: required"},
        {"[1]", -GV_E_INVAL, "request: expected an object"},
        {"{\"name\": \"a\", \"gpu\": {\"mode\": \"mig\", \"profile\": \"x\", \"count\": 0}}",
         -GV_E_INVAL, "gpu.count: expected an integer in 1..16, got 0"},
        {"not json", -GV_E_PARSE, NULL},
        {"{\"name\": \"a\"} {\"name\": \"b\"}", -GV_E_PARSE, NULL},
        {"{\"name\": \"a\", \"name\": \"b\"}", -GV_E_PARSE, NULL},
        {"{\"name\": \"a\", \"labels\": {\"x\": [[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]}}", -GV_E_LIMIT,
         "nested deeper than 16 levels (column 45)"},
    };
    gv_stream_item item, before;
    gv_request base;
    gv_err err = {0};
    (void)state;

    assert_int_equal(stream("{\"name\": \"vm-1\", \"vcpus\": 4}\n", 1, NULL, &item, &err), 0);
    assert_false(item.is_release);
    assert_string_equal(item.request.name, "vm-1");
    assert_int_equal(item.request.vcpus, 4);
    assert_int_equal(stream("{\"release\": \"vm-1\"}\r\n", 2, NULL, &item, &err), 0);
    assert_true(item.is_release);
    assert_string_equal(item.release, "vm-1");

    /* Blank lines and comments are not items: 1, and the item is untouched. */
    memset(&item, 0x77, sizeof(item));
    memcpy(&before, &item, sizeof(item));
    assert_int_equal(stream("", 3, NULL, &item, &err), 1);
    assert_int_equal(stream("\n", 3, NULL, &item, &err), 1);
    assert_int_equal(stream(" \t \r\n", 3, NULL, &item, &err), 1);
    assert_int_equal(stream("# a comment {\"name\": 1}", 3, NULL, &item, &err), 1);
    assert_int_equal(stream("   # indented comment", 3, NULL, &item, &err), 1);
    assert_memory_equal(&item, &before, sizeof(item));
    assert_int_equal(err.code, 0);

    for (size_t i = 0; i < GV_N_ELEMENTS(bad_lines); i++) {
        char where[32];
        int rc;

        gv_err_clear(&err);
        rc = stream(bad_lines[i].line, 10 + i, NULL, &item, &err);
        snprintf(where, sizeof(where), "s.jsonl:%zu", 10 + i);
        if (rc != bad_lines[i].ret || strcmp(err.where, where) ||
            (bad_lines[i].msg && strcmp(err.msg, bad_lines[i].msg)))
            fail_msg("line %s: got %d '%s: %s', want %d '%s: %s'", bad_lines[i].line, rc, err.where,
                     err.msg, bad_lines[i].ret, where, bad_lines[i].msg ? bad_lines[i].msg : "*");
        assert_memory_equal(&item, &before, sizeof(item));
    }
    /* A syntax error says where on the line. */
    gv_err_clear(&err);
    assert_int_equal(stream("{\"name\": x}", 7, NULL, &item, &err), -GV_E_PARSE);
    assert_string_equal(err.where, "s.jsonl:7");
    assert_non_null(strstr(err.msg, "(column 10)"));

    /* Over a flavor: the line's fields win, and it still needs a name. */
    load_flavor("inference", &base);
    gv_err_clear(&err);
    assert_int_equal(stream("{\"name\": \"inf-1\", \"vcpus\": 8}", 1, &base, &item, &err), 0);
    assert_int_equal(item.request.vcpus, 8);
    assert_string_equal(item.request.gpu.profile, base.gpu.profile);
    assert_int_equal(stream("{\"vcpus\": 8}", 2, &base, &item, &err), -GV_E_INVAL);
    assert_string_equal(err.msg, "name: required");
    /* ... unless the base has one. */
    strcpy(base.name, "from-base");
    assert_int_equal(stream("{\"vcpus\": 8}", 2, &base, &item, NULL), 0);
    assert_string_equal(item.request.name, "from-base");
}

static void
test_stream_long_line(void **state)
{
    size_t n = (1u << 20) + 1;
    GV_AUTOFREE char *line = gv_malloc(n + 1);
    gv_stream_item item;
    gv_err err = {0};
    (void)state;

    /* {"name": "a", "pool": "xxxx..."}: exactly 1 MiB is read (and refused for the pool's
     * length), one byte more is not read at all. */
    memset(line, 'x', n);
    memcpy(line, "{\"name\": \"a\", \"pool\": \"", 23);
    memcpy(line + n - 3, "\"}", 2);
    line[n - 1] = '\n';
    line[n] = '\0';
    assert_int_equal(gv_stream_parse_line(line, n, "s.jsonl", 5, NULL, &item, &err), -GV_E_LIMIT);
    assert_string_equal(err.where, "s.jsonl:5");
    assert_string_equal(err.msg, "line longer than 1048576 bytes");
    gv_err_clear(&err);
    assert_int_equal(gv_stream_parse_line(line, n - 1, "s.jsonl", 5, NULL, &item, &err),
                     -GV_E_INVAL);
    assert_string_equal(err.msg, "pool: longer than 63 bytes");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enums),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_to_json_canonical),
        cmocka_unit_test(test_every_field),
        cmocka_unit_test(test_gpu_modes),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_yaml_errors),
        cmocka_unit_test(test_yaml_scalars),
        cmocka_unit_test(test_override_base),
        cmocka_unit_test(test_flavors),
        cmocka_unit_test(test_round_trip_random),
        cmocka_unit_test(test_stream),
        cmocka_unit_test(test_stream_long_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
