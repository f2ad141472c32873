/*
 * test_place_json.c - the JSON renderers of place_json.c: a placement and an explanation are
 * parsed back with jansson and checked field by field (every GPU mode, shared and dedicated
 * vCPUs, one and two cells, VFs, scratch or null, reconfiguration, violations), the text is
 * canonical (dumping the parsed value reproduces it), one small placement is pinned byte for
 * byte, and hostile names survive.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/place/place_json.h"
#include "render_fixture.h"
#include "util/json.h"

/* Parse @text, check it is canonical, and return it (caller decrefs). */
static json_t *
parse_canonical(const char *text)
{
    json_t *j = NULL;
    gv_err err = {0};
    GV_AUTOFREE char *again = NULL;

    if (gv_json_parse(text, strlen(text), "out.json", &j, &err) < 0)
        fail_msg("%s: %s\n%s", err.where, err.msg, text);
    again = gv_json_dump(j);
    assert_string_equal(again, text);
    return j;
}

static const char *
str_at(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_string(v))
        fail_msg("'%s' is not a string", key);
    return json_string_value(v);
}

static json_int_t
int_at(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        fail_msg("'%s' is not an integer", key);
    return json_integer_value(v);
}

static json_t *
arr_at(const json_t *o, const char *key, size_t n)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_array(v))
        fail_msg("'%s' is not an array", key);
    assert_int_equal(json_array_size(v), n);
    return v;
}

static void
test_full_placement(void **state)
{
    gv_placement p;
    GV_AUTOFREE char *text = NULL;
    GV_AUTOPTR(json_t) root = NULL;
    json_t *pl, *a, *o;

    (void)state;
    fx_full(&p, "train-1");
    p.numa_violations = 4098;
    p.n_violations = 2;
    p.violations[0] = (gv_numa_violation){.kind = GV_VIOLATION_VCPU, .numa = 1, .amount = 2};
    p.violations[1] = (gv_numa_violation){.kind = GV_VIOLATION_MEMORY, .numa = 1, .amount = 4096};
    text = gv_placement_to_json(&p);
    root = parse_canonical(text);
    assert_int_equal(json_object_size(root), 1);
    pl = json_object_get(root, "placement");
    assert_string_equal(str_at(pl, "vm"), "train-1");
    assert_string_equal(str_at(pl, "host"), "hv-01");
    assert_string_equal(str_at(pl, "cpu_policy"), "dedicated");
    assert_string_equal(str_at(pl, "emulator_cpus"), "0-1");
    assert_string_equal(str_at(pl, "hugepages"), "1G");

    a = arr_at(pl, "cpus", 16);
    for (size_t v = 0; v < 16; v++) {
        o = json_array_get(a, v);
        assert_int_equal(json_object_size(o), 2);
        assert_int_equal(int_at(o, "vcpu"), (json_int_t)v);
        assert_int_equal(int_at(o, "pcpu"), p.pins[v].pcpu);
    }
    assert_int_equal(int_at(json_array_get(a, 0), "pcpu"), 2);
    assert_int_equal(int_at(json_array_get(a, 1), "pcpu"), 18);
    assert_int_equal(int_at(json_array_get(a, 8), "pcpu"), 10);

    a = arr_at(pl, "memory", 2);
    assert_int_equal(int_at(json_array_get(a, 0), "numa"), 0);
    assert_int_equal(int_at(json_array_get(a, 0), "mib"), 32768);
    assert_int_equal(int_at(json_array_get(a, 1), "numa"), 1);
    assert_int_equal(int_at(json_array_get(a, 1), "mib"), 32768);

    a = arr_at(pl, "guest_numa", 2);
    o = json_array_get(a, 1);
    assert_int_equal(int_at(o, "cell"), 1);
    assert_int_equal(int_at(o, "host_numa"), 1);
    assert_string_equal(str_at(o, "vcpus"), "8-15");
    assert_int_equal(int_at(o, "memory_mib"), 32768);

    a = arr_at(pl, "gpus", 4);
    o = json_array_get(a, 0); /* passthrough: no mode fields */
    assert_int_equal(json_object_size(o), 4);
    assert_string_equal(str_at(o, "pci"), "0000:18:00.0");
    assert_string_equal(str_at(o, "model"), "A100-SXM4-40GB");
    assert_string_equal(str_at(o, "mode"), "passthrough");
    assert_int_equal(int_at(o, "numa"), 0);
    o = json_array_get(a, 1); /* mig */
    assert_int_equal(json_object_size(o), 8);
    assert_string_equal(str_at(o, "mode"), "mig");
    assert_string_equal(str_at(o, "profile"), "3g.20gb");
    assert_int_equal(int_at(o, "start"), 4);
    assert_int_equal(int_at(o, "size"), 4);
    assert_true(json_is_true(json_object_get(o, "created")));
    o = json_array_get(a, 2); /* vgpu in mdev form: no vf_pci */
    assert_int_equal(json_object_size(o), 6);
    assert_string_equal(str_at(o, "mode"), "vgpu");
    assert_string_equal(str_at(o, "type"), "A100-4C");
    assert_int_equal(int_at(o, "slot"), 2);
    assert_null(json_object_get(o, "vf_pci"));
    o = json_array_get(a, 3); /* sriov */
    assert_int_equal(json_object_size(o), 6);
    assert_string_equal(str_at(o, "mode"), "sriov");
    assert_int_equal(int_at(o, "vf"), 1);
    assert_string_equal(str_at(o, "vf_pci"), "0000:af:00.2");

    a = arr_at(pl, "nics", 2);
    o = json_array_get(a, 0);
    assert_string_equal(str_at(o, "pf"), "0000:19:00.0");
    assert_string_equal(str_at(o, "pf_name"), "mlx5_0");
    assert_int_equal(int_at(o, "vf"), 3);
    assert_string_equal(str_at(o, "vf_pci"), "0000:19:00.4");
    assert_int_equal(int_at(o, "numa"), 0);
    o = json_array_get(a, 1); /* unnamed PF: no pf_name */
    assert_int_equal(json_object_size(o), 4);
    assert_null(json_object_get(o, "pf_name"));

    o = json_object_get(pl, "scratch");
    assert_string_equal(str_at(o, "nvme"), "0000:d8:00.0");
    assert_string_equal(str_at(o, "name"), "");
    assert_int_equal(int_at(o, "numa"), 1);
    assert_int_equal(int_at(o, "gib"), 500);

    a = arr_at(pl, "reconfigure", 1);
    o = json_array_get(a, 0);
    assert_string_equal(str_at(o, "gpu"), "0000:3b:00.0");
    assert_string_equal(str_at(o, "from"), "passthrough");
    assert_string_equal(str_at(o, "to"), "mig");
    assert_int_equal(int_at(o, "destroyed_instances"), 2);

    assert_int_equal(int_at(pl, "numa_violations"), 4098);
    a = arr_at(pl, "violations", 2);
    assert_string_equal(str_at(json_array_get(a, 0), "kind"), "vcpus");
    assert_int_equal(int_at(json_array_get(a, 0), "amount"), 2);
    assert_string_equal(str_at(json_array_get(a, 1), "kind"), "memory");
    assert_int_equal(int_at(json_array_get(a, 1), "numa"), 1);
    assert_int_equal(int_at(json_array_get(a, 1), "amount"), 4096);

    o = json_object_get(pl, "score");
    assert_int_equal(json_object_size(o), 6);
    assert_int_equal(int_at(o, "total"), 612);
    assert_int_equal(int_at(o, "fragmentation"), 100);
    assert_int_equal(int_at(o, "locality"), 90);
    assert_int_equal(int_at(o, "strategy"), 12);
    assert_int_equal(int_at(o, "reconfigured"), 1);
    assert_int_equal(int_at(o, "frag_delta_milli"), -250);
    gv_placement_clear(&p);
}

static void
test_shared_one_cell(void **state)
{
    gv_placement p;
    GV_AUTOFREE char *text = NULL;
    GV_AUTOPTR(json_t) root = NULL;
    json_t *pl, *a, *o;

    (void)state;
    fx_placement(&p, "notebook-7", 4, 8192, GV_CPU_SHARED, 1);
    p.request.hugepages = GV_HUGEPAGES_2M;
    /* a vGPU in the VF-based form, and an unknown NUMA node */
    gv_placed_gpu *g = fx_add_gpu(&p, 2, "0000:86:00.0", GV_NUMA_UNKNOWN, GV_GPU_MODE_VGPU);
    snprintf(g->vgpu_type, sizeof(g->vgpu_type), "A100-4C");
    g->slot = 0;
    g->vf = 0;
    snprintf(g->vf_pci, sizeof(g->vf_pci), "0000:86:00.1");
    text = gv_placement_to_json(&p);
    root = parse_canonical(text);
    pl = json_object_get(root, "placement");
    assert_string_equal(str_at(pl, "cpu_policy"), "shared");
    assert_string_equal(str_at(pl, "hugepages"), "2M");
    a = arr_at(pl, "cpus", 4);
    for (size_t v = 0; v < 4; v++) {
        o = json_array_get(a, v);
        assert_int_equal(json_object_size(o), 2);
        assert_int_equal(int_at(o, "vcpu"), (json_int_t)v);
        assert_string_equal(str_at(o, "pcpus"), "2-7,16-23");
    }
    a = arr_at(pl, "guest_numa", 1);
    assert_string_equal(str_at(json_array_get(a, 0), "vcpus"), "0-3");
    a = arr_at(pl, "memory", 1);
    assert_int_equal(int_at(json_array_get(a, 0), "mib"), 8192);
    a = arr_at(pl, "gpus", 1);
    o = json_array_get(a, 0);
    assert_true(json_is_null(json_object_get(o, "numa")));
    assert_int_equal(int_at(o, "vf"), 0); /* the VF index beside its address */
    assert_string_equal(str_at(o, "vf_pci"), "0000:86:00.1");
    assert_null(json_object_get(o, "reconfigured"));   /* written only when true */
    assert_string_equal(str_at(pl, "owned_cpus"), ""); /* shared vCPUs own no thread */
    a = arr_at(pl, "numa_vcpus", 1);
    assert_int_equal(int_at(json_array_get(a, 0), "vcpus"), 4);
    assert_string_equal(str_at(json_object_get(pl, "request"), "name"), "notebook-7");
    arr_at(pl, "nics", 0);
    arr_at(pl, "reconfigure", 0);
    arr_at(pl, "violations", 0);
    assert_true(json_is_null(json_object_get(pl, "scratch")));
    assert_int_equal(int_at(pl, "numa_violations"), 0);
    gv_placement_clear(&p);
}

/* A one-vCPU placement, byte for byte: the format itself is under test here. */
static void
test_small_exact(void **state)
{
    gv_placement p;
    GV_AUTOFREE char *text = NULL;

    (void)state;
    fx_placement(&p, "tiny", 1, 1024, GV_CPU_DEDICATED, 1);
    fx_set_scratch(&p, 0, "0000:5e:00.0", "nvme0n1", 0, 10);
    text = gv_placement_to_json(&p);
    assert_string_equal(text, "{\n"
                              "  \"placement\": {\n"
                              "    \"cpu_policy\": \"dedicated\",\n"
                              "    \"cpus\": [\n"
                              "      {\n"
                              "        \"pcpu\": 2,\n"
                              "        \"vcpu\": 0\n"
                              "      }\n"
                              "    ],\n"
                              "    \"emulator_cpus\": \"0-1\",\n"
                              "    \"gpus\": [],\n"
                              "    \"guest_numa\": [\n"
                              "      {\n"
                              "        \"cell\": 0,\n"
                              "        \"host_numa\": 0,\n"
                              "        \"memory_mib\": 1024,\n"
                              "        \"vcpus\": \"0\"\n"
                              "      }\n"
                              "    ],\n"
                              "    \"host\": \"hv-01\",\n"
                              "    \"hugepages\": \"none\",\n"
                              "    \"memory\": [\n"
                              "      {\n"
                              "        \"mib\": 1024,\n"
                              "        \"numa\": 0\n"
                              "      }\n"
                              "    ],\n"
                              "    \"nics\": [],\n"
                              "    \"numa_vcpus\": [\n"
                              "      {\n"
                              "        \"numa\": 0,\n"
                              "        \"vcpus\": 1\n"
                              "      }\n"
                              "    ],\n"
                              "    \"numa_violations\": 0,\n"
                              "    \"owned_cpus\": \"2\",\n"
                              "    \"reconfigure\": [],\n"
                              "    \"request\": {\n"
                              "      \"anti_affinity\": \"\",\n"
                              "      \"class\": \"none\",\n"
                              "      \"cpu_policy\": \"dedicated\",\n"
                              "      \"gpu\": null,\n"
                              "      \"hugepages\": \"none\",\n"
                              "      \"io\": \"normal\",\n"
                              "      \"labels\": {},\n"
                              "      \"memory_mib\": 1024,\n"
                              "      \"name\": \"tiny\",\n"
                              "      \"nics\": {\n"
                              "        \"locality\": \"any\",\n"
                              "        \"vfs\": 0\n"
                              "      },\n"
                              "      \"numa_policy\": \"strict\",\n"
                              "      \"pool\": \"\",\n"
                              "      \"scratch_gib\": 10,\n"
                              "      \"scratch_locality\": \"any\",\n"
                              "      \"tenant\": \"\",\n"
                              "      \"vcpus\": 1,\n"
                              "      \"zones\": []\n"
                              "    },\n"
                              "    \"score\": {\n"
                              "      \"frag_delta_milli\": -250,\n"
                              "      \"fragmentation\": 100,\n"
                              "      \"locality\": 90,\n"
                              "      \"reconfigured\": 0,\n"
                              "      \"strategy\": 12,\n"
                              "      \"total\": 612\n"
                              "    },\n"
                              "    \"scratch\": {\n"
                              "      \"gib\": 10,\n"
                              "      \"name\": \"nvme0n1\",\n"
                              "      \"numa\": 0,\n"
                              "      \"nvme\": \"0000:5e:00.0\"\n"
                              "    },\n"
                              "    \"violations\": [],\n"
                              "    \"vm\": \"tiny\"\n"
                              "  }\n"
                              "}\n");
    gv_placement_clear(&p);
}

static void
test_hostile_names(void **state)
{
    static const char *const names[] = {"<a&'\">", "q\"uo\\te", "tab\there", "名前-ü",
                                        "{\"placement\": 1}"};
    (void)state;
    for (size_t i = 0; i < GV_N_ELEMENTS(names); i++) {
        gv_placement p;
        GV_AUTOFREE char *text = NULL;
        GV_AUTOPTR(json_t) root = NULL;

        fx_placement(&p, names[i], 2, 2048, GV_CPU_DEDICATED, 1);
        text = gv_placement_to_json(&p);
        root = parse_canonical(text);
        assert_string_equal(str_at(json_object_get(root, "placement"), "vm"), names[i]);
        gv_placement_clear(&p);
    }

    /* bytes that are not UTF-8 cannot be JSON: they become '?' rather than vanish */
    gv_placement p;
    GV_AUTOFREE char *text = NULL;
    GV_AUTOPTR(json_t) root = NULL;
    fx_placement(&p, "bad\xff\xfe-utf8", 2, 2048, GV_CPU_DEDICATED, 1);
    text = gv_placement_to_json(&p);
    root = parse_canonical(text);
    assert_string_equal(str_at(json_object_get(root, "placement"), "vm"), "bad?"
                                                                          "?-utf8");
    gv_placement_clear(&p);
}

static void
fill_explain(gv_explain *x)
{
    memset(x, 0, sizeof(*x));
    x->n_hosts = 400;
    x->n_reasons = 2;
    x->reasons[0] = (gv_explain_reason){
        .reason = GV_REASON_GPU_FREE, .n_hosts = 312, .detail = "0 of 2 A100 GPUs free"};
    x->reasons[1] = (gv_explain_reason){
        .reason = GV_REASON_CPU, .n_hosts = 88, .detail = "node 1: 6 free cores, 8 needed"};
    x->n_closest = 2;
    x->closest[0] = (gv_explain_host){
        .host = "hv-07", .reason = GV_REASON_CPU, .detail = "node 1: 6 free cores, 8 needed"};
    x->closest[1] = (gv_explain_host){.host = "hv-<9>", .reason = GV_REASON_GPU_FREE};
}

static void
test_explain_nothing_fits(void **state)
{
    gv_request r;
    gv_explain x;
    GV_AUTOFREE char *text = NULL;
    GV_AUTOPTR(json_t) root = NULL;
    json_t *e, *a, *o;

    (void)state;
    gv_request_init(&r);
    snprintf(r.name, sizeof(r.name), "big-1");
    fill_explain(&x);
    text = gv_explain_to_json(&r, &x);
    root = parse_canonical(text);
    assert_int_equal(json_object_size(root), 2);
    e = json_object_get(root, "error");
    assert_string_equal(str_at(e, "code"), "nothing-fits");
    assert_string_equal(str_at(e, "message"), "no host can take VM 'big-1': gpu-free on 312 of "
                                              "400 hosts (0 of 2 A100 GPUs free)");
    e = json_object_get(root, "explain");
    assert_int_equal(json_object_size(e), 4); /* no runner_up */
    assert_int_equal(int_at(e, "hosts"), 400);
    assert_int_equal(int_at(e, "feasible"), 0);
    a = arr_at(e, "reasons", 2);
    o = json_array_get(a, 0);
    assert_string_equal(str_at(o, "reason"), "gpu-free");
    assert_int_equal(int_at(o, "hosts"), 312);
    assert_string_equal(str_at(o, "detail"), "0 of 2 A100 GPUs free");
    assert_string_equal(str_at(json_array_get(a, 1), "reason"), "cpu");
    a = arr_at(e, "closest", 2);
    o = json_array_get(a, 0);
    assert_string_equal(str_at(o, "host"), "hv-07");
    assert_string_equal(str_at(o, "reason"), "cpu");
    assert_string_equal(str_at(o, "detail"), "node 1: 6 free cores, 8 needed");
    assert_string_equal(str_at(json_array_get(a, 1), "host"), "hv-<9>");

    /* an empty fleet still says why */
    GV_AUTOFREE char *empty = NULL;
    GV_AUTOPTR(json_t) eroot = NULL;
    memset(&x, 0, sizeof(x));
    empty = gv_explain_to_json(&r, &x);
    eroot = parse_canonical(empty);
    assert_string_equal(str_at(json_object_get(eroot, "error"), "message"),
                        "no host can take VM 'big-1': there are no hosts");
    arr_at(json_object_get(eroot, "explain"), "reasons", 0);
}

/*
 * A placed result explained carries {"placement": ..., "explain": {..., "runner_up": ...}}: the
 * chosen host's score beside the runner-up's; unexplained, the placement alone.
 */
static void
test_explain_runner_up(void **state)
{
    gv_placement p;
    gv_explain x;
    GV_AUTOPTR(json_t) root = NULL;
    GV_AUTOFREE char *text = NULL;
    GV_AUTOFREE char *plain = NULL;
    GV_AUTOFREE char *unexplained = NULL;
    json_t *e, *ru;

    (void)state;
    fx_placement(&p, "train-2", 8, 16384, GV_CPU_DEDICATED, 1);
    fill_explain(&x);
    x.n_feasible = 12;
    x.has_runner_up = true;
    snprintf(x.runner_up, sizeof(x.runner_up), "hv-02");
    x.runner_up_score = (gv_score){.total = 598,
                                   .fragmentation = 90,
                                   .locality = 100,
                                   .strategy = 18,
                                   .reconfigured = 1,
                                   .frag_delta_milli = 0};
    text = gv_placement_explain_to_json(&p, &x);
    root = parse_canonical(text);
    assert_int_equal(json_object_size(root), 2);
    assert_string_equal(str_at(json_object_get(root, "placement"), "vm"), "train-2");
    assert_int_equal(int_at(json_object_get(json_object_get(root, "placement"), "score"), "total"),
                     612);
    e = json_object_get(root, "explain");
    assert_int_equal(json_object_size(e), 5);
    assert_int_equal(int_at(e, "hosts"), 400);
    assert_int_equal(int_at(e, "feasible"), 12);
    arr_at(e, "reasons", 2);
    arr_at(e, "closest", 2);
    ru = json_object_get(e, "runner_up");
    assert_string_equal(str_at(ru, "host"), "hv-02");
    assert_int_equal(int_at(json_object_get(ru, "score"), "total"), 598);
    assert_int_equal(int_at(json_object_get(ru, "score"), "strategy"), 18);
    assert_int_equal(int_at(json_object_get(ru, "score"), "reconfigured"), 1);
    assert_int_equal(int_at(json_object_get(ru, "score"), "frag_delta_milli"), 0);

    /* without an explanation: byte for byte the placement alone */
    plain = gv_placement_to_json(&p);
    unexplained = gv_placement_explain_to_json(&p, NULL);
    assert_string_equal(plain, unexplained);
    assert_null(strstr(plain, "\"explain\""));
    gv_placement_clear(&p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_placement),       cmocka_unit_test(test_shared_one_cell),
        cmocka_unit_test(test_small_exact),          cmocka_unit_test(test_hostile_names),
        cmocka_unit_test(test_explain_nothing_fits), cmocka_unit_test(test_explain_runner_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
