/*
 * test_catalog_parse.c - the catalog parser on bad input: each case is a small YAML text and
 * the exact "file:line:col: reason" it must be refused with. Also: a minimal valid catalog,
 * inheritance of source and verified, and aliases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gpu_test.h"

#define HEAD "format: gpuvm-catalog/1\nsources: {S1: one, S2: two}\nmodels:\n"
/* A model up to its pci_ids (lines 4-8 of a text starting with HEAD). */
#define MODEL(name)                                                                                \
    "  - name: " name "\n"                                                                         \
    "    vendor: nvidia\n"                                                                         \
    "    memory_mib: 81920\n"                                                                      \
    "    source: S1\n"                                                                             \
    "    pci_ids: [{id: \"10de:2330\"}]\n"
#define MIG_HEAD "    mig:\n      memory_slices: 8\n      compute_slices: 7\n      profiles:\n"

static const struct {
    const char *what;
    const char *text;
    int ret;
    const char *error; /* "where: msg" */
} bad[] = {
    {"not a mapping", "- 1\n", -GV_E_INVAL, "t.yaml:1:1: catalog: expected a mapping"},
    {"syntax", "format: [\n", -GV_E_PARSE, NULL},
    {"unknown top key", HEAD "colour: red\n", -GV_E_INVAL,
     "t.yaml:4:1: catalog: unknown key 'colour'"},
    {"format", "format: gpuvm-catalog/2\nmodels: []\n", -GV_E_INVAL,
     "t.yaml:1:9: format: 'gpuvm-catalog/2' is not one of: gpuvm-catalog/1"},
    {"no models", "format: gpuvm-catalog/1\n", -GV_E_INVAL,
     "t.yaml:1:1: missing required key 'models'"},
    {"models not a list", HEAD "  a: 1\n", -GV_E_INVAL, "t.yaml:4:3: models: expected a list"},
    {"duplicate source", "format: gpuvm-catalog/1\nsources: {S1: a, S1: b}\nmodels: []\n",
     -GV_E_INVAL, "t.yaml:2:18: sources: duplicate key 'S1'"},
    {"unknown model key", HEAD MODEL("X") "    colour: red\n", -GV_E_INVAL,
     "t.yaml:9:5: model: unknown key 'colour'"},
    {"duplicate model key", HEAD MODEL("X") "    memory_mib: 1\n", -GV_E_INVAL,
     "t.yaml:9:5: model: duplicate key 'memory_mib'"},
    {"wrong type: memory", HEAD "  - {name: X, vendor: nvidia, memory_mib: lots, source: S1}\n",
     -GV_E_INVAL, "t.yaml:4:43: memory_mib: 'lots' is not an integer"},
    {"wrong type: list for int",
     HEAD "  - {name: X, vendor: nvidia, memory_mib: [1], source: S1}\n", -GV_E_INVAL,
     "t.yaml:4:43: memory_mib: expected an integer"},
    {"huge number",
     HEAD "  - {name: X, vendor: nvidia, memory_mib: 99999999999999999999999, source: S1}\n",
     -GV_E_INVAL, "t.yaml:4:43: memory_mib: '99999999999999999999999' is not an integer"},
    {"vendor", HEAD "  - {name: X, vendor: nvida, memory_mib: 1, source: S1}\n", -GV_E_INVAL,
     "t.yaml:4:23: vendor: 'nvida' is not one of: nvidia, amd, intel"},
    {"bad name", HEAD "  - {name: \"A B\", vendor: nvidia, memory_mib: 1, source: S1}\n",
     -GV_E_INVAL,
     "t.yaml:4:12: name: 'A B' is not a model name (letters, digits, . + - _; at most 47 "
     "characters)"},
    {"undeclared source", HEAD "  - {name: X, vendor: nvidia, memory_mib: 1, source: S9}\n",
     -GV_E_INVAL, "t.yaml:4:54: source: 'S9' is not declared in 'sources'"},
    {"missing source", HEAD "  - {name: X, vendor: nvidia, memory_mib: 1}\n", -GV_E_INVAL,
     "t.yaml:4:5: missing required key 'source'"},
    {"no pci ids", HEAD "  - {name: X, vendor: nvidia, memory_mib: 1, source: S1}\n", -GV_E_INVAL,
     "t.yaml:4:5: missing required key 'pci_ids'"},
    {"bad pci id",
     HEAD MODEL("X") "  - {name: Y, vendor: nvidia, memory_mib: 1, source: S1,\n"
                     "     pci_ids: [{id: 10de-2331}]}\n",
     -GV_E_INVAL, "t.yaml:10:21: id: '10de-2331' is not a PCI id (vvvv:dddd in hex)"},
    {"pci vendor",
     HEAD "  - {name: X, vendor: amd, memory_mib: 1, source: S1,\n"
          "     pci_ids: [{id: \"10de:2331\"}]}\n",
     -GV_E_INVAL, "t.yaml:5:21: id: vendor 10de is not the PCI vendor of amd (1002)"},
    {"duplicate pci id",
     HEAD MODEL("X") "  - {name: Y, vendor: nvidia, memory_mib: 1, source: S1,\n"
                     "     pci_ids: [{id: \"10de:2331\"}, {id: \"10DE:2330\"}]}\n",
     -GV_E_INVAL, "t.yaml:10:40: id: PCI id 10de:2330 is already used by model 'X'"},
    {"pci id twice",
     HEAD "  - {name: X, vendor: nvidia, memory_mib: 1, source: S1,\n"
          "     pci_ids: [{id: \"10de:2331\"}, {id: \"10de:2331\"}]}\n",
     -GV_E_INVAL, "t.yaml:5:40: id: PCI id 10de:2331 is listed twice"},
    {"duplicate model", HEAD MODEL("X") MODEL("x"), -GV_E_INVAL,
     "t.yaml:9:11: name: model 'x' is already defined as 'X' (names ignore case)"},
    {"overlapping placement",
     HEAD MODEL("X") MIG_HEAD
     "        - {id: 15, name: 1g.20gb, compute_slices: 1, memory_slices: 2, max_count: 4, "
     "starts: [0, 1]}\n",
     -GV_E_INVAL,
     "t.yaml:13:98: starts: the placement at 1 overlaps the placement at 0 (2 memory slices "
     "each)"},
    {"placement past the end",
     HEAD MODEL("X") MIG_HEAD
     "        - {id: 9, name: 3g.40gb, compute_slices: 3, memory_slices: 4, max_count: 2, "
     "starts: [0, 6]}\n",
     -GV_E_INVAL,
     "t.yaml:13:97: starts: a placement of 4 memory slices at 6 ends past memory slice 7"},
    {"misaligned start",
     HEAD MODEL("X") MIG_HEAD
     "        - {id: 9, name: 3g.40gb, compute_slices: 3, memory_slices: 4, max_count: 1, "
     "starts: [2]}\n",
     -GV_E_INVAL, "t.yaml:13:94: starts: 2 is not a multiple of the placement size 4"},
    {"start out of range",
     HEAD MODEL("X") MIG_HEAD
     "        - {id: 19, name: 1g.10gb, compute_slices: 1, memory_slices: 1, max_count: 1, "
     "starts: [8]}\n",
     -GV_E_INVAL, "t.yaml:13:95: starts: 8 is out of range 0..7"},
    {"max_count over placements",
     HEAD MODEL("X") MIG_HEAD
     "        - {id: 9, name: 3g.40gb, compute_slices: 3, memory_slices: 4, max_count: 3, "
     "starts: [0, 4]}\n",
     -GV_E_INVAL, "t.yaml:13:82: max_count: 3 is more than the 2 placements of '3g.40gb'"},
    {"max_count over compute",
     HEAD MODEL("X") MIG_HEAD
     "        - {id: 14, name: 2g.20gb, compute_slices: 2, memory_slices: 2, max_count: 4, "
     "starts: [0, 2, 4, 6]}\n",
     -GV_E_INVAL,
     "t.yaml:13:83: max_count: 4 x 2 compute slices exceed the 7 compute slices of the GPU"},
    {"media max_count",
     HEAD MODEL("X") MIG_HEAD
     "        - {id: 20, name: 1g.10gb+me, compute_slices: 1, memory_slices: 1, max_count: 2, "
     "starts: [0, 1]}\n",
     -GV_E_INVAL, "t.yaml:13:86: max_count: a media-extension profile has at most 1 instance"},
    {"media flag",
     HEAD MODEL("X") MIG_HEAD
     "        - {id: 20, name: 1g.10gb+me, compute_slices: 1, memory_slices: 1, max_count: 1, "
     "starts: [0], media_ext: false}\n",
     -GV_E_INVAL, "t.yaml:13:113: media_ext: false contradicts the name '1g.10gb+me'"},
    {"duplicate profile id",
     HEAD MODEL("X") MIG_HEAD
     "        - {id: 0, name: 7g.80gb, compute_slices: 7, memory_slices: 8, max_count: 1, "
     "starts: [0]}\n"
     "        - {id: 0, name: 4g.40gb, compute_slices: 4, memory_slices: 4, max_count: 1, "
     "starts: [0]}\n",
     -GV_E_INVAL, "t.yaml:14:16: id: profile id 0 is already used by '7g.80gb'"},
    {"compute over geometry",
     HEAD MODEL("X") MIG_HEAD
     "        - {id: 0, name: 8g, compute_slices: 8, memory_slices: 8, max_count: 1, "
     "starts: [0]}\n",
     -GV_E_INVAL, "t.yaml:13:45: compute_slices: 8 is out of range 1..7"},
    {"unknown profile key",
     HEAD MODEL("X") MIG_HEAD
     "        - {id: 0, name: 7g, compute_slices: 7, memory_slices: 8, max_count: 1, "
     "starts: [0], sm: 98}\n",
     -GV_E_INVAL, "t.yaml:13:93: MIG profile: unknown key 'sm'"},
    {"missing starts",
     HEAD MODEL("X") MIG_HEAD
     "        - {id: 0, name: 7g, compute_slices: 7, memory_slices: 8, max_count: 1}\n",
     -GV_E_INVAL, "t.yaml:13:11: missing required key 'starts'"},
    {"too many slices", HEAD MODEL("X") "    mig: {memory_slices: 33, compute_slices: 7}\n",
     -GV_E_INVAL, "t.yaml:9:26: memory_slices: 33 is out of range 1..32"},
    {"vgpu mixed missing",
     HEAD MODEL("X") "    vgpu:\n      mixed_size: true\n      types:\n"
                     "        - {name: A-4C, framebuffer_mib: 4096, max_equal: 20}\n",
     -GV_E_INVAL, "t.yaml:12:11: missing required key 'max_mixed'"},
    {"vgpu mixed absent mode",
     HEAD MODEL(
         "X") "    vgpu:\n      mixed_size: false\n      types:\n"
              "        - {name: A-4C, framebuffer_mib: 4096, max_equal: 20, max_mixed: 16}\n",
     -GV_E_INVAL,
     "t.yaml:12:73: max_mixed: the model has no mixed-size mode (mixed_size is false)"},
    {"vgpu mixed over equal",
     HEAD MODEL(
         "X") "    vgpu:\n      mixed_size: true\n      types:\n"
              "        - {name: A-4C, framebuffer_mib: 4096, max_equal: 20, max_mixed: 21}\n",
     -GV_E_INVAL, "t.yaml:12:73: max_mixed: 21 is out of range 1..20"},
    {"vgpu mixed over memory",
     HEAD MODEL(
         "X") "    vgpu:\n      mixed_size: true\n      types:\n"
              "        - {name: A-16C, framebuffer_mib: 16384, max_equal: 6, max_mixed: 6}\n",
     -GV_E_INVAL, "t.yaml:12:74: max_mixed: 6 x 16384 MiB exceed the GPU memory of 81920 MiB"},
    {"vgpu fb over memory",
     HEAD MODEL("X") "    vgpu:\n      mixed_size: false\n      types:\n"
                     "        - {name: A-96C, framebuffer_mib: 98304, max_equal: 1}\n",
     -GV_E_INVAL, "t.yaml:12:42: framebuffer_mib: 98304 is out of range 1..81920"},
    {"vgpu duplicate type",
     HEAD MODEL("X") "    vgpu:\n      mixed_size: false\n      types:\n"
                     "        - {name: A-4C, framebuffer_mib: 4096, max_equal: 1}\n"
                     "        - {name: A-4C, framebuffer_mib: 4096, max_equal: 1}\n",
     -GV_E_INVAL, "t.yaml:13:18: name: vGPU type 'A-4C' is defined twice"},
    {"vgpu wrong bool", HEAD MODEL("X") "    vgpu: {mixed_size: sometimes, types: []}\n",
     -GV_E_INVAL, "t.yaml:9:24: mixed_size: expected true or false"},
    {"vgpu no types", HEAD MODEL("X") "    vgpu: {mixed_size: true, types: []}\n", -GV_E_INVAL,
     "t.yaml:9:37: types: expected 1 to 64 vGPU types, got 0"},
    {"vgpu on_vfs not a bool",
     HEAD MODEL("X") "    vgpu: {mixed_size: true, on_vfs: maybe, types: []}\n", -GV_E_INVAL,
     "t.yaml:9:38: on_vfs: expected true or false"},
    {"vgpu on_vfs a list", HEAD MODEL("X") "    vgpu:\n      mixed_size: true\n      on_vfs: [1]\n",
     -GV_E_INVAL, "t.yaml:11:15: on_vfs: expected true or false"},
    {"vgpu unknown key", HEAD MODEL("X") "    vgpu: {mixed_size: true, on_vf: true, types: []}\n",
     -GV_E_INVAL, "t.yaml:9:30: vgpu: unknown key 'on_vf'"},
    {"vgpu on_vfs twice",
     HEAD MODEL("X") "    vgpu: {mixed_size: true, on_vfs: true, on_vfs: false, types: []}\n",
     -GV_E_INVAL, "t.yaml:9:44: vgpu: duplicate key 'on_vfs'"},
    {"sriov order", HEAD MODEL("X") "    sriov: {vf_counts: [8, 1]}\n", -GV_E_INVAL,
     "t.yaml:9:28: vf_counts: 1 does not ascend from 8"},
    {"sriov range", HEAD MODEL("X") "    sriov: {vf_counts: [0]}\n", -GV_E_INVAL,
     "t.yaml:9:25: vf_counts: 0 is out of range 1..256"},
    {"verified not a bool", HEAD MODEL("X") "    verified: maybe\n", -GV_E_INVAL,
     "t.yaml:9:15: verified: expected true or false"},
};

/* Print the line @where ("t.yaml:L:C") points at, with a caret under column C. */
static void
show_position(const char *text, const char *where)
{
    const char *w = strchr(where, ':');
    const char *end;
    int line, col;

    if (!w || sscanf(w + 1, "%d:%d", &line, &col) != 2)
        return;
    for (int k = 1; k < line && text; k++)
        if ((text = strchr(text, '\n')))
            text++;
    if (!text)
        return;
    end = strchr(text, '\n');
    print_error("  |%.*s\n  |%*s^\n", (int)(end ? end - text : (ptrdiff_t)strlen(text)), text,
                col - 1, "");
}

static void
test_bad_input(void **state)
{
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < GV_N_ELEMENTS(bad); i++) {
        gv_catalog *c = NULL;
        gv_err err = {0};
        char got[GV_ERR_WHERE_MAX + GV_ERR_MSG_MAX + 8];
        int r = gv_test_parse(bad[i].text, &c, &err);

        gv_err_format(&err, got, sizeof(got));
        if (r != bad[i].ret || (bad[i].error && strcmp(got, bad[i].error))) {
            print_error("case '%s':\n  got  %d \"%s\"\n  want %d \"%s\"\n", bad[i].what, r, got,
                        bad[i].ret, bad[i].error ? bad[i].error : "");
            failures++;
            show_position(bad[i].text, err.where);
        }
        assert_null(c);
    }
    assert_int_equal(failures, 0);
}

static void
test_minimal_and_inheritance(void **state)
{
    static const char text[] =
        HEAD MODEL("X") "    note: a note\n"
                        "    mig:\n"
                        "      memory_slices: 2\n"
                        "      compute_slices: 2\n"
                        "      source: S2\n"
                        "      verified: false\n"
                        "      profiles:\n"
                        "        - {id: 1, name: 1g, compute_slices: 1, memory_slices: 1, "
                        "max_count: 2, starts: [0, 1]}\n"
                        "        - {id: 2, name: 1g+me, compute_slices: 1, memory_slices: 1, "
                        "max_count: 1, starts: [1], source: S1, verified: true}\n"
                        "    vgpu:\n"
                        "      mixed_size: false\n"
                        "      types: [{name: X-8C, framebuffer_mib: 8192, max_equal: 4, "
                        "verified: false, note: why}]\n"
                        "    sriov: {vf_counts: [1, 2, 4]}\n";
    GV_AUTOPTR(gv_catalog) c = NULL;
    const gv_gpu_model *m;
    gv_err err = {0};
    (void)state;

    assert_int_equal(gv_test_parse(text, &c, &err), 0);
    assert_int_equal(gv_catalog_n_models(c), 1);
    m = gv_catalog_model_at(c, 0);
    assert_string_equal(m->fact.note, "a note");
    assert_string_equal(m->description, "");
    assert_null(m->pci_ids[0].fact.note);
    assert_string_equal(m->pci_ids[0].fact.source, "S1");
    assert_true(m->pci_ids[0].fact.verified);
    assert_string_equal(m->mig->fact.source, "S2");
    assert_false(m->mig->fact.verified);
    assert_string_equal(m->mig->profiles[0].fact.source, "S2");
    assert_false(m->mig->profiles[0].fact.verified);
    assert_string_equal(m->mig->profiles[1].fact.source, "S1");
    assert_false(m->mig->profiles[1].fact.verified); /* not verified when its block is not */
    assert_true(m->mig->profiles[1].media_ext);
    assert_int_equal(m->mig->profiles[1].starts, 0x2);
    assert_false(m->vgpu->types[0].fact.verified);
    assert_string_equal(m->vgpu->types[0].fact.note, "why");
    assert_int_equal(m->vgpu->types[0].max_mixed, 0);
    assert_false(m->vgpu->on_vfs); /* the default: the GPU itself carries its vGPUs */
    assert_int_equal(gv_gpu_model_sriov_vfs(m), 4);
    assert_string_equal(m->sriov->fact.source, "S1");
    assert_int_equal(gv_gpu_model_n_unverified(m), 4);
    assert_string_equal(gv_catalog_source(c, "S2"), "two");
    assert_null(gv_catalog_source(c, "S3"));
    assert_string_equal(gv_catalog_source_name(c), "t.yaml");
}

/* on_vfs is read per model as given (absent: false, see above); it is no fact of its own. */
static void
test_vgpu_on_vfs(void **state)
{
    static const char text[] = HEAD MODEL("X") "    vgpu:\n"
                                               "      mixed_size: true\n"
                                               "      on_vfs: true\n"
                                               "      types: [{name: X-8C, framebuffer_mib: "
                                               "8192, max_equal: 10, max_mixed: 8}]\n"
                                               "  - name: Y\n"
                                               "    vendor: nvidia\n"
                                               "    memory_mib: 16384\n"
                                               "    source: S1\n"
                                               "    pci_ids: [{id: \"10de:1eb8\"}]\n"
                                               "    vgpu: {mixed_size: false, on_vfs: false,\n"
                                               "           types: [{name: Y-4C, "
                                               "framebuffer_mib: 4096, max_equal: 4}]}\n";
    GV_AUTOPTR(gv_catalog) c = NULL;
    gv_err err = {0};
    (void)state;

    assert_int_equal(gv_test_parse(text, &c, &err), 0);
    assert_true(gv_catalog_find(c, "X")->vgpu->on_vfs);
    assert_false(gv_catalog_find(c, "Y")->vgpu->on_vfs);
    assert_true(gv_catalog_find(c, "X")->vgpu->fact.verified);
}

static void
test_aliases(void **state)
{
    static const char text[] =
        "format: gpuvm-catalog/1\n"
        "models:\n"
        "  - name: A\n"
        "    vendor: nvidia\n"
        "    memory_mib: 2048\n"
        "    source: s\n"
        "    pci_ids: [{id: \"10de:0001\"}]\n"
        "    mig: &geo\n"
        "      memory_slices: 2\n"
        "      compute_slices: 2\n"
        "      profiles: [{id: 1, name: 1g, compute_slices: 1, memory_slices: 1, max_count: 2, "
        "starts: [0, 1]}]\n"
        "  - name: B\n"
        "    vendor: nvidia\n"
        "    memory_mib: 2048\n"
        "    source: s\n"
        "    pci_ids: [{id: \"10de:0002\"}]\n"
        "    mig: *geo\n";
    static const char self_ref[] = "format: gpuvm-catalog/1\nmodels: &m [*m]\n";
    GV_AUTOPTR(gv_catalog) c = NULL;
    gv_catalog *c2 = NULL;
    gv_err err = {0};
    (void)state;

    assert_int_equal(gv_test_parse(text, &c, &err), 0);
    assert_int_equal(gv_catalog_n_models(c), 2);
    assert_int_equal(gv_catalog_model_at(c, 1)->mig->profiles[0].starts, 0x3);
    /* A list that contains itself is refused at its fixed depth, not walked forever. */
    assert_int_equal(gv_test_parse(self_ref, &c2, &err), -GV_E_INVAL);
    assert_null(c2);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_minimal_and_inheritance),
        cmocka_unit_test(test_vgpu_on_vfs),
        cmocka_unit_test(test_aliases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
