/*
 * test_catalog.c - the shipped catalog: every PCI id the project relies on resolves, the MIG
 * tables match facts 1.3/1.4 written out independently here, vGPU maxima match facts 2.3,
 * SR-IOV VF counts match facts 3.2; plus lookups, host resolution and merging.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gpu_test.h"

static const gv_gpu_model *
must_find(const gv_catalog *c, const char *name)
{
    const gv_gpu_model *m = gv_catalog_find(c, name);
    if (!m)
        fail_msg("model %s is not in the catalog", name);
    return m;
}

/* Every PCI id of facts 1.5 for the products the catalog covers, and the V100s of the shared
 * topologies (DGX-2 10de:1db8, JUWELS 10de:1db1, JUSUF 10de:1db4). */
static void
test_pci_ids_resolve(void **state)
{
    static const struct {
        uint16_t vendor, device;
        const char *model;
    } ids[] = {
        {0x10de, 0x20b0, "A100-SXM4-40GB"}, {0x10de, 0x20b1, "A100-PCIE-40GB"},
        {0x10de, 0x20f1, "A100-PCIE-40GB"}, {0x10de, 0x20f6, "A800-40GB"},
        {0x10de, 0x20b2, "A100-SXM4-80GB"}, {0x10de, 0x20b5, "A100-PCIE-80GB"},
        {0x10de, 0x20f3, "A800-80GB"},      {0x10de, 0x20f5, "A800-80GB"},
        {0x10de, 0x2330, "H100-SXM5-80GB"}, {0x10de, 0x2331, "H100-PCIE-80GB"},
        {0x10de, 0x2322, "H800-80GB"},      {0x10de, 0x2324, "H800-80GB"},
        {0x10de, 0x20b7, "A30-24GB"},       {0x10de, 0x2321, "H100-NVL-94GB"},
        {0x10de, 0x233a, "H800-NVL-94GB"},  {0x10de, 0x2335, "H200-SXM5-141GB"},
        {0x10de, 0x233b, "H200-NVL-141GB"}, {0x10de, 0x2901, "B200-180GB"},
        {0x10de, 0x1db8, "V100-SXM3-32GB"}, {0x10de, 0x1db1, "V100-SXM2-16GB"},
        {0x10de, 0x1db4, "V100-PCIE-16GB"}, {0x10de, 0x26b9, "L40S-48GB"},
        {0x10de, 0x27b8, "L4-24GB"},        {0x10de, 0x2236, "A10-24GB"},
        {0x10de, 0x1eb8, "T4-16GB"},        {0x1002, 0x74a1, "MI300X-192GB"},
        {0x1002, 0x740f, "MI210-64GB"},
    };
    const gv_catalog *c = *state;

    for (size_t i = 0; i < GV_N_ELEMENTS(ids); i++) {
        const gv_gpu_model *m = gv_catalog_find_pci(c, ids[i].vendor, ids[i].device);
        if (!m)
            fail_msg("%04x:%04x does not resolve", ids[i].vendor, ids[i].device);
        assert_string_equal(gv_gpu_model_name(m), ids[i].model);
    }
    assert_null(gv_catalog_find_pci(c, 0x10de, 0xffff));
    assert_null(gv_catalog_find_pci(c, 0x1002, 0x2330)); /* the vendor counts */
}

/* Invariants that hold for every model and every fact of the shipped file. */
static void
test_shipped_invariants(void **state)
{
    const gv_catalog *c = *state;
    size_t n = gv_catalog_n_models(c);

    assert_true(n >= 20);
    for (size_t i = 0; i < n; i++) {
        const gv_gpu_model *m = gv_catalog_model_at(c, i);

        assert_true(strlen(m->name) < GV_MODEL_LEN);
        assert_ptr_equal(gv_catalog_lookup(c, m->name), m);
        assert_non_null(gv_catalog_source(c, m->fact.source));
        assert_true(m->n_pci_ids >= 1);
        for (size_t j = 0; j < m->n_pci_ids; j++) {
            assert_int_equal(m->pci_ids[j].vendor_id, gv_gpu_vendor_pci_id(m->vendor));
            assert_ptr_equal(
                gv_catalog_find_pci(c, m->pci_ids[j].vendor_id, m->pci_ids[j].device_id), m);
            assert_non_null(gv_catalog_source(c, m->pci_ids[j].fact.source));
            /* Ids from outside the facts file must say so. */
            if (strcmp(m->pci_ids[j].fact.source, "S3") != 0)
                assert_false(m->pci_ids[j].fact.verified);
        }
        if (m->mig) {
            assert_non_null(gv_catalog_source(c, m->mig->fact.source));
            for (size_t j = 0; j < m->mig->n_profiles; j++) {
                const gv_mig_profile *p = &m->mig->profiles[j];
                assert_non_null(gv_catalog_source(c, p->fact.source));
                assert_true(p->fact.verified <= m->mig->fact.verified);
                assert_true((p->starts >> m->mig->memory_slices) == 0);
            }
        }
        if (m->vgpu)
            for (size_t j = 0; j < m->vgpu->n_types; j++) {
                const gv_vgpu_type *t = &m->vgpu->types[j];
                assert_true(strlen(t->name) < 32); /* gv_gpu.vgpu_type */
                assert_true(t->framebuffer_mib <= m->memory_mib);
                assert_true(m->vgpu->mixed_size ? t->max_mixed >= 1 : t->max_mixed == 0);
                assert_true(t->fact.verified <= m->vgpu->fact.verified);
            }
        if (m->sriov)
            assert_non_null(gv_catalog_source(c, m->sriov->fact.source));
    }
}

/* Compare a catalog MIG table with a reference one, name by name. */
static void
check_geometry(const gv_gpu_model *m, const ref_geometry *ref, const char *const *names)
{
    const gv_mig_geometry *g = m->mig;

    assert_non_null(g);
    assert_int_equal(g->memory_slices, ref->memory_slices);
    assert_int_equal(g->compute_slices, ref->compute_slices);
    assert_int_equal(g->n_profiles, ref->n_profiles);
    for (int i = 0; i < ref->n_profiles; i++) {
        const ref_profile *r = &ref->profiles[i];
        const gv_mig_profile *p = &g->profiles[i];
        uint32_t starts = 0;
        int got[GV_MIG_MAX_SLICES];

        for (int k = 0; k < r->n_starts; k++)
            starts |= UINT32_C(1) << r->starts[k];
        assert_string_equal(p->name, names ? names[i] : r->name);
        assert_int_equal(p->id, r->id);
        assert_int_equal(p->compute_slices, r->compute);
        assert_int_equal(p->memory_slices, r->size);
        assert_int_equal(p->max_count, r->max);
        assert_int_equal(p->media_ext, r->me);
        assert_int_equal(p->starts, starts);
        assert_int_equal(gv_mig_profile_placements(p, got), r->n_starts);
        assert_memory_equal(got, r->starts, (size_t)r->n_starts * sizeof(int));
        assert_int_equal(gv_mig_find_profile(m, p->name), i);
        assert_int_equal(gv_mig_find_profile_id(m, p->id), i);
    }
}

static void
test_mig_tables(void **state)
{
    static const char *const a100_40[] = {"1g.5gb",  "1g.5gb+me", "1g.10gb", "2g.10gb",
                                          "3g.20gb", "4g.20gb",   "7g.40gb"};
    static const char *const g80[] = {"1g.10gb", "1g.10gb+me", "1g.20gb", "2g.20gb",
                                      "3g.40gb", "4g.40gb",    "7g.80gb"};
    static const char *const nvl[] = {"1g.12gb", "1g.12gb+me", "1g.24gb", "2g.24gb",
                                      "3g.47gb", "4g.47gb",    "7g.94gb"};
    static const char *const h200[] = {"1g.18gb", "1g.18gb+me", "1g.35gb", "2g.35gb",
                                       "3g.71gb", "4g.71gb",    "7g.141gb"};
    static const char *const b200[] = {"1g.23gb", "1g.23gb+me", "1g.45gb", "2g.45gb",
                                       "3g.90gb", "4g.90gb",    "7g.180gb"};
    static const struct {
        const char *model;
        const char *const *names;
        bool verified;
    } family[] = {
        {"A100-SXM4-40GB", a100_40, true}, {"A100-PCIE-40GB", a100_40, true},
        {"A800-40GB", a100_40, false},     {"A100-SXM4-80GB", g80, true},
        {"A100-PCIE-80GB", g80, true},     {"A800-80GB", g80, false},
        {"H100-SXM5-80GB", g80, true},     {"H100-PCIE-80GB", g80, true},
        {"H800-80GB", g80, false},         {"H100-NVL-94GB", nvl, true},
        {"H800-NVL-94GB", nvl, false},     {"H200-SXM5-141GB", h200, false},
        {"H200-NVL-141GB", h200, false},   {"B200-180GB", b200, false},
    };
    const gv_catalog *c = *state;
    size_t n_mig = 0;

    for (size_t i = 0; i < GV_N_ELEMENTS(family); i++) {
        const gv_gpu_model *m = must_find(c, family[i].model);
        check_geometry(m, &ref_a100_family, family[i].names);
        assert_int_equal(m->mig->fact.verified, family[i].verified);
    }
    check_geometry(must_find(c, "A30-24GB"), &ref_a30, NULL);
    assert_true(must_find(c, "A30-24GB")->mig->fact.verified);
    /* H200: facts 1.4 marks the placements unverified and ids 15, 9, 5 inferred. */
    for (size_t i = 0; i < 7; i++)
        assert_false(must_find(c, "H200-SXM5-141GB")->mig->profiles[i].fact.verified);
    /* Nothing else claims MIG. */
    for (size_t i = 0; i < gv_catalog_n_models(c); i++)
        n_mig += gv_catalog_model_at(c, i)->mig != NULL;
    assert_int_equal(n_mig, GV_N_ELEMENTS(family) + 1);
    assert_null(must_find(c, "L40S-48GB")->mig);
    assert_int_equal(gv_mig_find_profile(must_find(c, "T4-16GB"), "1g.5gb"), -1);
}

static const gv_vgpu_type *
vgpu_type(const gv_gpu_model *m, const char *name)
{
    int i = gv_vgpu_find_type(m, name);
    if (i < 0)
        fail_msg("%s has no vGPU type %s", m->name, name);
    return &m->vgpu->types[i];
}

static void
test_vgpu_tables(void **state)
{
    static const struct {
        const char *model, *type;
        int64_t fb;
        int equal, mixed;
    } rows[] = {
        {"A100-PCIE-40GB", "A100-4C", 4096, 10, 8},
        {"A100-SXM4-40GB", "A100X-4C", 4096, 10, 8},
        {"A100-PCIE-40GB", "A100-8C", 8192, 5, 4},
        {"A100-PCIE-40GB", "A100-40C", 40960, 1, 1},
        {"A100-PCIE-80GB", "A100D-4C", 4096, 20, 16},
        {"A100-SXM4-80GB", "A100DX-4C", 4096, 20, 16},
        {"A100-PCIE-80GB", "A100D-16C", 16384, 5, 4},
        {"H100-PCIE-80GB", "H100-4C", 4096, 20, 16},
        {"H100-SXM5-80GB", "H100XM-4C", 4096, 20, 16},
        {"H100-SXM5-80GB", "H100XM-5C", 5120, 16, 16},
        {"H800-80GB", "H800-16C", 16384, 5, 4},
        {"H100-NVL-94GB", "H100L-4C", 4096, 23, 16},
        {"H100-NVL-94GB", "H100L-6C", 6144, 15, 8},
        {"H200-SXM5-141GB", "H200X-4C", 4096, 32, 32},
        {"H200-NVL-141GB", "H200-28C", 28672, 5, 5},
        {"A30-24GB", "A30-8C", 8192, 3, 2},
        {"L40S-48GB", "L40S-4C", 4096, 12, 8},
        {"L4-24GB", "L4-4C", 4096, 6, 4},
        {"A10-24GB", "A10-8C", 8192, 3, 2},
        {"T4-16GB", "T4-4C", 4096, 4, 0},
        {"V100-SXM2-32GB", "V100DX-4C", 4096, 8, 0},
    };
    const gv_catalog *c = *state;

    for (size_t i = 0; i < GV_N_ELEMENTS(rows); i++) {
        const gv_vgpu_type *t = vgpu_type(must_find(c, rows[i].model), rows[i].type);
        assert_int_equal(t->framebuffer_mib, rows[i].fb);
        assert_int_equal(t->max_equal, rows[i].equal);
        assert_int_equal(t->max_mixed, rows[i].mixed);
    }
    /* Turing and Volta have no mixed-size mode (facts 2.2); Ampere and later do. */
    assert_false(must_find(c, "T4-16GB")->vgpu->mixed_size);
    assert_false(must_find(c, "V100-SXM2-32GB")->vgpu->mixed_size);
    assert_true(must_find(c, "A100-PCIE-40GB")->vgpu->mixed_size);
    assert_true(must_find(c, "L4-24GB")->vgpu->mixed_size);
    /* Ampere and later carry each vGPU on an SR-IOV VF; Turing and Volta on the GPU itself
     * (facts 2.4). Every NVIDIA model with vGPU types says which. */
    {
        static const char *const on_vfs[] = {
            "A30-24GB",       "A100-SXM4-40GB", "A100-PCIE-40GB", "A100-SXM4-80GB",
            "A100-PCIE-80GB", "A800-80GB",      "A10-24GB",       "H100-SXM5-80GB",
            "H100-PCIE-80GB", "H800-80GB",      "H100-NVL-94GB",  "H200-SXM5-141GB",
            "H200-NVL-141GB", "L40S-48GB",      "L4-24GB",
        };
        static const char *const on_gpu[] = {"T4-16GB", "V100-SXM2-32GB"};
        size_t with_vgpu = 0;

        for (size_t i = 0; i < GV_N_ELEMENTS(on_vfs); i++)
            assert_true(must_find(c, on_vfs[i])->vgpu->on_vfs);
        for (size_t i = 0; i < GV_N_ELEMENTS(on_gpu); i++)
            assert_false(must_find(c, on_gpu[i])->vgpu->on_vfs);
        for (size_t i = 0; i < gv_catalog_n_models(c); i++)
            with_vgpu += gv_catalog_model_at(c, i)->vgpu != NULL;
        assert_int_equal(with_vgpu, GV_N_ELEMENTS(on_vfs) + GV_N_ELEMENTS(on_gpu));
    }
    /* The one contradiction of facts 2.3 is flagged, not silently kept. */
    assert_false(vgpu_type(must_find(c, "H100-SXM5-80GB"), "H100XM-16C")->fact.verified);
    assert_true(vgpu_type(must_find(c, "H100-SXM5-80GB"), "H100XM-4C")->fact.verified);
    assert_null(must_find(c, "MI300X-192GB")->vgpu);
    assert_int_equal(gv_vgpu_find_type(must_find(c, "MI300X-192GB"), "A100-4C"), -1);
}

static void
test_sriov(void **state)
{
    const gv_catalog *c = *state;
    const gv_gpu_model *mi300x = must_find(c, "MI300X-192GB");

    assert_int_equal(gv_gpu_model_sriov_vfs(mi300x), 8);
    assert_int_equal(mi300x->sriov->n_vf_counts, 2);
    assert_int_equal(mi300x->sriov->vf_counts[0], 1);
    assert_string_equal(mi300x->sriov->fact.source, "S10");
    assert_int_equal(gv_gpu_model_sriov_vfs(must_find(c, "MI210-64GB")), 1);
    /* NVIDIA VFs only carry vGPUs (facts 3.2): no model lists them. */
    assert_int_equal(gv_gpu_model_sriov_vfs(must_find(c, "H100-SXM5-80GB")), 0);
    assert_int_equal(gv_gpu_model_sriov_vfs(must_find(c, "MI100-32GB")), 0);
    assert_int_equal(gv_gpu_model_sriov_vfs(NULL), 0);
}

static void
test_lookup(void **state)
{
    const gv_catalog *c = *state;
    const gv_gpu_model *h100 = must_find(c, "H100-SXM5-80GB");

    assert_null(gv_catalog_find(c, "h100-sxm5-80gb")); /* exact */
    assert_ptr_equal(gv_catalog_lookup(c, "h100-sxm5-80gb"), h100);
    assert_ptr_equal(gv_catalog_lookup(c, "10de:2330"), h100);
    assert_ptr_equal(gv_catalog_lookup(c, "10DE:2330"), h100);
    assert_ptr_equal(gv_catalog_lookup(c, "0x10de:0x2330"), h100);
    assert_null(gv_catalog_lookup(c, "10de:2330:1"));
    assert_null(gv_catalog_lookup(c, "10de:"));
    assert_null(gv_catalog_lookup(c, "10de:12345"));
    assert_null(gv_catalog_lookup(c, "H100"));
    assert_string_equal(gv_gpu_vendor_to_string(GV_GPU_VENDOR_AMD), "amd");
    assert_int_equal(gv_gpu_vendor_from_string("intel"), GV_GPU_VENDOR_INTEL);
    assert_int_equal(gv_gpu_vendor_from_string("Nvidia"), -1);
    assert_int_equal(gv_gpu_model_n_unverified(must_find(c, "A30-24GB")), 0);
    assert_true(gv_gpu_model_n_unverified(must_find(c, "H200-SXM5-141GB")) >= 8);
}

static void
test_resolve_host(void **state)
{
    const gv_catalog *c = *state;
    GV_AUTOPTR(gv_host) h = gv_host_new("dgx2");
    gv_gpu *g;

    for (int i = 0; i < 16; i++) {
        g = gv_host_add_gpu(h);
        g->vendor_id = 0x10de;
        g->device_id = 0x1db8;
    }
    g = gv_host_add_gpu(h);
    g->vendor_id = 0x10de;
    g->device_id = 0x1db1;
    g = gv_host_add_gpu(h);
    g->vendor_id = 0x10de;
    g->device_id = 0x1db4;
    g = gv_host_add_gpu(h);
    g->vendor_id = 0x10de;
    g->device_id = 0x1234; /* not in the catalog: stays unknown */
    g = gv_host_add_gpu(h);
    g->vendor_id = 0x10de;
    g->device_id = 0x2330;
    strcpy(g->model, "my-own-name"); /* already set: left alone */

    assert_int_equal(gv_catalog_resolve_host(c, h), 18);
    for (int i = 0; i < 16; i++)
        assert_string_equal(h->gpus[i].model, "V100-SXM3-32GB");
    assert_string_equal(h->gpus[16].model, "V100-SXM2-16GB");
    assert_string_equal(h->gpus[17].model, "V100-PCIE-16GB");
    assert_string_equal(h->gpus[18].model, "unknown");
    assert_string_equal(h->gpus[19].model, "my-own-name");
    assert_int_equal(gv_catalog_resolve_host(c, h), 0);
}

static const char over_yaml[] =
    "format: gpuvm-catalog/1\n"
    "models:\n"
    "  - name: a30-24gb\n" /* replaces A30-24GB, ignoring case */
    "    vendor: nvidia\n"
    "    memory_mib: 24000\n"
    "    source: lab\n"
    "    pci_ids: [{id: \"10de:20b7\"}, {id: \"10de:20ff\"}]\n"
    "  - name: RTX-PRO-6000-96GB\n"
    "    vendor: nvidia\n"
    "    memory_mib: 98304\n"
    "    source: lab\n"
    "    verified: false\n"
    "    pci_ids: [{id: \"10de:2bb5\"}]\n"
    "    mig:\n"
    "      memory_slices: 4\n"
    "      compute_slices: 4\n"
    "      profiles:\n"
    "        - {id: 14, name: 1g.24gb, compute_slices: 1, memory_slices: 1, max_count: 4,"
    " starts: [0, 1, 2, 3]}\n"
    "        - {id: 5, name: 2g.48gb, compute_slices: 2, memory_slices: 2, max_count: 2,"
    " starts: [0, 2]}\n"
    "        - {id: 0, name: 4g.96gb, compute_slices: 4, memory_slices: 4, max_count: 1,"
    " starts: [0]}\n";

static void
test_merge(void **state)
{
    GV_AUTOPTR(gv_catalog) base = gv_test_shipped_catalog();
    gv_catalog *over = NULL;
    size_t n = gv_catalog_n_models(base);
    size_t a30_pos = 0;
    const gv_gpu_model *m;
    gv_err err = {0};
    (void)state;

    while (strcmp(gv_catalog_model_at(base, a30_pos)->name, "A30-24GB"))
        a30_pos++;
    assert_int_equal(gv_test_parse(over_yaml, &over, &err), 0);
    assert_int_equal(gv_catalog_merge(base, over, &err), 0); /* over is consumed */
    assert_int_equal(gv_catalog_n_models(base), n + 1);
    m = gv_catalog_model_at(base, a30_pos);
    assert_string_equal(m->name, "a30-24gb");
    assert_int_equal(m->memory_mib, 24000);
    assert_null(m->mig);
    assert_null(gv_catalog_find(base, "A30-24GB"));
    assert_ptr_equal(gv_catalog_lookup(base, "10de:20ff"), m);
    m = gv_catalog_model_at(base, n);
    assert_string_equal(m->name, "RTX-PRO-6000-96GB");
    assert_ptr_equal(gv_catalog_lookup(base, "10de:2bb5"), m);
    assert_false(m->fact.verified);
    assert_true(m->mig->fact.verified); /* the model's flag does not flow into its blocks */
    assert_string_equal(m->mig->profiles[2].fact.source, "lab");
}

static void
test_merge_conflicts(void **state)
{
    static const char steal_id[] = "format: gpuvm-catalog/1\n"
                                   "models:\n"
                                   "  - {name: mine, vendor: nvidia, memory_mib: 1, source: x,\n"
                                   "     pci_ids: [{id: \"10de:2330\"}]}\n";
    static const char other_text[] = "format: gpuvm-catalog/1\n"
                                     "sources: {S1: \"something else\"}\n"
                                     "models: []\n";
    static const char same_text[] =
        "format: gpuvm-catalog/1\n"
        "sources: {S1: \"NVIDIA MIG User Guide v580 (Supported MIG Profiles, Getting Started, "
        "Concepts)\", LAB: \"our lab\"}\n"
        "models:\n"
        "  - {name: H100-SXM5-80GB, vendor: nvidia, memory_mib: 81920, source: LAB,\n"
        "     pci_ids: [{id: \"10de:2330\"}]}\n"
        "  - {name: mine, vendor: nvidia, memory_mib: 1, source: S1,\n"
        "     pci_ids: [{id: \"10de:0001\"}]}\n";
    GV_AUTOPTR(gv_catalog) base = gv_test_shipped_catalog();
    GV_AUTOPTR(gv_catalog) over = NULL;
    size_t n = gv_catalog_n_models(base);
    gv_err err = {0};
    (void)state;

    assert_int_equal(gv_test_parse(steal_id, &over, &err), 0);
    assert_int_equal(gv_catalog_merge(base, over, &err), -GV_E_CONFLICT);
    gv_err_prefix(&err, "over.yaml");
    assert_string_equal(err.where, "over.yaml");
    assert_non_null(strstr(err.msg, "model 'mine': PCI id 10de:2330 is already used by model "
                                    "'H100-SXM5-80GB' of "));
    assert_int_equal(gv_catalog_n_models(base), n); /* nothing changed */
    gv_catalog_free(GV_STEAL_PTR(over));
    gv_err_clear(&err);

    assert_int_equal(gv_test_parse(other_text, &over, &err), 0);
    assert_int_equal(gv_catalog_merge(base, over, &err), -GV_E_CONFLICT);
    assert_string_equal(err.where, "");
    assert_non_null(strstr(err.msg, "source 'S1' is already declared in "));
    gv_catalog_free(GV_STEAL_PTR(over));
    gv_err_clear(&err);

    /* Replacing the owner of an id frees the id; identical source texts are fine. */
    assert_int_equal(gv_test_parse(same_text, &over, &err), 0);
    assert_int_equal(gv_catalog_merge(base, GV_STEAL_PTR(over), &err), 0);
    assert_int_equal(gv_catalog_n_models(base), n + 1);
    assert_string_equal(gv_catalog_lookup(base, "10de:2330")->fact.source, "LAB");
    assert_null(gv_catalog_lookup(base, "H100-SXM5-80GB")->mig);
    assert_string_equal(gv_catalog_source(base, "LAB"), "our lab");
}

static void
test_add_model_conflicts(void **state)
{
    GV_AUTOPTR(gv_catalog) c = gv_catalog_new("mem");
    gv_gpu_model *a = GV_NEW0(gv_gpu_model), *b = GV_NEW0(gv_gpu_model);
    gv_err err = {0};
    (void)state;

    a->name = gv_strdup("X");
    a->description = gv_strdup("");
    a->n_pci_ids = 1;
    a->pci_ids = gv_calloc(1, sizeof(*a->pci_ids));
    a->pci_ids[0].vendor_id = 0x10de;
    a->pci_ids[0].device_id = 1;
    b->name = gv_strdup("x");
    assert_int_equal(gv_catalog_add_model(c, a, &err), 0);
    assert_int_equal(gv_catalog_add_model(c, b, &err), -GV_E_CONFLICT);
    assert_string_equal(err.where, "mem");
    assert_string_equal(err.msg, "model 'x' is already defined as 'X'");
    gv_gpu_model_free(b);
    assert_int_equal(gv_catalog_add_source(c, "k", "one", &err), 0);
    assert_int_equal(gv_catalog_add_source(c, "k", "one", &err), 0);
    gv_err_clear(&err);
    assert_int_equal(gv_catalog_add_source(c, "k", "two", &err), -GV_E_CONFLICT);
    assert_string_equal(err.msg, "source 'k' is already declared with another text");
    gv_gpu_model_free(NULL);
    gv_catalog_free(NULL);
}

#define WITH_CATALOG(t)                                                                            \
    cmocka_unit_test_setup_teardown(t, gv_test_catalog_setup, gv_test_catalog_teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        WITH_CATALOG(test_pci_ids_resolve),
        WITH_CATALOG(test_shipped_invariants),
        WITH_CATALOG(test_mig_tables),
        WITH_CATALOG(test_vgpu_tables),
        WITH_CATALOG(test_sriov),
        WITH_CATALOG(test_lookup),
        WITH_CATALOG(test_resolve_host),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_merge_conflicts),
        cmocka_unit_test(test_add_model_conflicts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
