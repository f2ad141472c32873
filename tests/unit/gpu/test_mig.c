/*
 * test_mig.c - MIG placement queries against an independent reference.
 *
 * The exhaustive test walks every reachable set of GPU instances of every MIG model of the
 * shipped catalog (every set of mutually non-overlapping allowed placements with at most one
 * +me instance and at most max_count per profile) and, for each, compares what the module says
 * can still be placed with a reference that works on the facts tables written out in
 * gpu_test.h, one slice at a time with plain booleans. It also checks every 8-bit occupied mask,
 * the layouts of facts 1.3, and the error texts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gpu_test.h"

/* ---- the reference ---- */

typedef struct ref_state {
    bool slice[8];
    int count[8];
    int n_me;
    int compute;
} ref_state;

static bool
ref_allowed_start(const ref_profile *p, int start)
{
    for (int k = 0; k < p->n_starts; k++)
        if (p->starts[k] == start)
            return true;
    return false;
}

/* Can profile @prof go at @start? @with_compute: apply the compute-slice rule too. */
static bool
ref_can_place(const ref_geometry *g, const ref_state *s, int prof, int start, bool with_compute)
{
    const ref_profile *p = &g->profiles[prof];

    if (!ref_allowed_start(p, start) || start + p->size > g->memory_slices)
        return false;
    for (int i = start; i < start + p->size; i++)
        if (s->slice[i])
            return false;
    if (p->me && s->n_me > 0)
        return false;
    if (s->count[prof] >= p->max)
        return false;
    if (with_compute && s->compute + p->compute > g->compute_slices)
        return false;
    return true;
}

static void
ref_apply(const ref_geometry *g, ref_state *s, int prof, int start, int delta)
{
    const ref_profile *p = &g->profiles[prof];

    for (int i = start; i < start + p->size; i++)
        s->slice[i] = delta > 0;
    s->count[prof] += delta;
    s->n_me += p->me ? delta : 0;
    s->compute += p->compute * delta;
}

/* ---- the exhaustive walk ---- */

typedef struct walk {
    const gv_gpu_model *m;
    const ref_geometry *g;
    int n_places;
    gv_mig_instance places[64];
    gv_mig_instance insts[16];
    size_t n;
    ref_state s;
    size_t n_sets;
    size_t max_depth;
} walk;

static void
check_state(walk *w)
{
    uint32_t starts[GV_MIG_MAX_PROFILES];
    gv_mig_instance rev[16];
    gv_mig_usage u;
    gv_err err = {0};
    int n_ok = 0, r;

    r = gv_mig_available(w->m, w->insts, w->n, starts, &err);
    if (r < 0)
        fail_msg("%s: a reachable set was refused: %s", w->m->name, err.msg);
    for (int j = 0; j < w->g->n_profiles; j++) {
        uint32_t want = 0;
        for (int t = 0; t < w->g->memory_slices; t++) {
            bool ok = ref_can_place(w->g, &w->s, j, t, true);
            /* Facts 1.1 [inferred]: with the official tables, memory slices alone decide. */
            assert_int_equal(ok, ref_can_place(w->g, &w->s, j, t, false));
            if (ok)
                want |= UINT32_C(1) << t;
        }
        if (starts[j] != want)
            fail_msg("%s: %zu instances, profile %s: got starts %#x, want %#x", w->m->name, w->n,
                     w->m->mig->profiles[j].name, starts[j], want);
        n_ok += want != 0;
    }
    assert_int_equal(r, n_ok);

    /* The order of the instances does not matter. */
    for (size_t i = 0; i < w->n; i++)
        rev[i] = w->insts[w->n - 1 - i];
    assert_int_equal(gv_mig_layout_check(w->m, rev, w->n, NULL), 0);

    /* Adding one more instance succeeds exactly where the reference allows it. */
    assert_int_equal(gv_mig_usage_build(w->m, w->insts, w->n, &u, NULL), 0);
    for (int j = 0; j < w->g->n_profiles; j++)
        for (int t = 0; t < w->g->memory_slices; t++) {
            gv_mig_usage copy = u;
            bool ok = ref_can_place(w->g, &w->s, j, t, true);
            assert_int_equal(gv_mig_usage_add(w->m, &copy, j, t, NULL) == 0, ok);
            if (!ok)
                assert_memory_equal(&copy, &u, sizeof(u));
        }
}

static void
walk_from(walk *w, int first)
{
    check_state(w);
    w->n_sets++;
    if (w->n > w->max_depth)
        w->max_depth = w->n;
    for (int i = first; i < w->n_places; i++) {
        gv_mig_instance pl = w->places[i];

        if (!ref_can_place(w->g, &w->s, pl.profile, pl.start, true))
            continue;
        ref_apply(w->g, &w->s, pl.profile, pl.start, +1);
        w->insts[w->n++] = pl;
        walk_from(w, i + 1);
        w->n--;
        ref_apply(w->g, &w->s, pl.profile, pl.start, -1);
    }
}

static size_t
walk_model(const gv_gpu_model *m, const ref_geometry *g, size_t *ret_depth)
{
    walk w = {.m = m, .g = g};

    for (int j = 0; j < g->n_profiles; j++)
        for (int k = 0; k < g->profiles[j].n_starts; k++)
            w.places[w.n_places++] = (gv_mig_instance){j, g->profiles[j].starts[k]};
    walk_from(&w, 0);
    *ret_depth = w.max_depth;
    return w.n_sets;
}

/* The model's table must be the reference one before the reference can judge it. */
static void
assert_same_geometry(const gv_gpu_model *m, const ref_geometry *g)
{
    assert_non_null(m->mig);
    assert_int_equal(m->mig->memory_slices, g->memory_slices);
    assert_int_equal(m->mig->compute_slices, g->compute_slices);
    assert_int_equal(m->mig->n_profiles, g->n_profiles);
    for (int j = 0; j < g->n_profiles; j++) {
        const gv_mig_profile *p = &m->mig->profiles[j];
        uint32_t starts = 0;
        for (int k = 0; k < g->profiles[j].n_starts; k++)
            starts |= UINT32_C(1) << g->profiles[j].starts[k];
        assert_int_equal(p->compute_slices, g->profiles[j].compute);
        assert_int_equal(p->memory_slices, g->profiles[j].size);
        assert_int_equal(p->max_count, g->profiles[j].max);
        assert_int_equal(p->media_ext, g->profiles[j].me);
        assert_int_equal(p->starts, starts);
    }
}

static void
test_exhaustive(void **state)
{
    const gv_catalog *c = *state;
    size_t n_models = 0;

    for (size_t i = 0; i < gv_catalog_n_models(c); i++) {
        const gv_gpu_model *m = gv_catalog_model_at(c, i);
        const ref_geometry *g;
        size_t sets, depth;

        if (!m->mig)
            continue;
        g = m->mig->memory_slices == 4 ? &ref_a30 : &ref_a100_family;
        assert_same_geometry(m, g);
        sets = walk_model(m, g, &depth);
        printf("%-16s %zu reachable instance sets, at most %zu instances\n", m->name, sets, depth);
        /* Counts from an independent brute force over all subsets of placements. */
        if (g == &ref_a100_family) {
            assert_int_equal(sets, 2319);
            assert_int_equal(depth, 7);
        } else {
            assert_int_equal(sets, 76);
            assert_int_equal(depth, 4);
        }
        n_models++;
    }
    assert_int_equal(n_models, 15);
}

/* Every 8-bit occupied mask, for every profile of the A100/H100 geometry. */
static void
test_every_mask(void **state)
{
    const gv_gpu_model *m = gv_catalog_find(*state, "H100-SXM5-80GB");
    const ref_geometry *g = &ref_a100_family;

    assert_same_geometry(m, g);
    for (int j = 0; j < g->n_profiles; j++) {
        const ref_profile *rp = &g->profiles[j];
        const gv_mig_profile *p = &m->mig->profiles[j];

        for (uint32_t occ = 0; occ < 256; occ++) {
            gv_mig_usage u = {.occupied = occ};
            uint32_t want = 0;

            for (int k = 0; k < rp->n_starts; k++) {
                bool free = true;
                for (int i = rp->starts[k]; i < rp->starts[k] + rp->size; i++)
                    free = free && !(occ & (1u << i));
                if (free)
                    want |= UINT32_C(1) << rp->starts[k];
            }
            assert_int_equal(gv_mig_free_starts(p, occ), want);
            /* With no instance counted, only the slices decide. */
            assert_int_equal(gv_mig_usage_starts(m, &u, j), want);
        }
    }
    for (int j = 0; j < g->n_profiles; j++) {
        const gv_mig_profile *p = &m->mig->profiles[j];
        for (int s = 0; s < 8; s++) {
            uint32_t want = 0;
            for (int i = s; i < s + p->memory_slices && i < 32; i++)
                want |= UINT32_C(1) << i;
            assert_int_equal(gv_mig_placement_mask(p, s), s + p->memory_slices <= 32 ? want : 0);
        }
        assert_int_equal(gv_mig_placement_mask(p, -1), 0);
        assert_int_equal(gv_mig_placement_mask(p, 32), 0);
    }
}

/* ---- facts 1.3 layouts ---- */

/* "3g.40gb@0 2g.20gb@4" -> instances of @m. Returns the count. */
static size_t
parse_layout(const gv_gpu_model *m, const char *text, gv_mig_instance *ret)
{
    char buf[256];
    size_t n = 0;

    snprintf(buf, sizeof(buf), "%s", text);
    for (char *save = NULL, *tok = strtok_r(buf, " ", &save); tok;
         tok = strtok_r(NULL, " ", &save)) {
        char *at = strchr(tok, '@');
        assert_non_null(at);
        *at = '\0';
        ret[n].profile = gv_mig_find_profile(m, tok);
        if (ret[n].profile < 0)
            fail_msg("no profile %s", tok);
        ret[n].start = atoi(at + 1);
        n++;
    }
    return n;
}

static void
test_layouts(void **state)
{
    static const struct {
        const char *layout;
        int ret;
        const char *msg;
    } cases[] = {
        /* Valid full layouts of facts 1.3. */
        {"7g.80gb@0", 0, NULL},
        {"4g.40gb@0 3g.40gb@4", 0, NULL}, /* R510+ */
        {"3g.40gb@0 3g.40gb@4", 0, NULL},
        {"3g.40gb@0 2g.20gb@4 1g.10gb@6", 0, NULL},
        {"3g.40gb@4 2g.20gb@0 1g.10gb@2 1g.10gb@3", 0, NULL},
        {"1g.10gb@0 1g.10gb@1 2g.20gb@2 3g.40gb@4", 0, NULL}, /* the doc's "3-2-1-1" */
        {"2g.20gb@0 2g.20gb@2 2g.20gb@4 1g.10gb@6", 0, NULL},
        {"1g.10gb@0 1g.10gb@1 1g.10gb@2 1g.10gb@3 1g.10gb@4 1g.10gb@5 1g.10gb@6", 0, NULL},
        {"1g.20gb@0 1g.20gb@2 1g.20gb@4 1g.20gb@6", 0, NULL},
        {"1g.10gb@0 1g.10gb@1 1g.10gb@2 1g.10gb@3 1g.10gb@4 1g.10gb@5 1g.20gb@6", 0, NULL},
        {"1g.10gb+me@3 1g.10gb@0 3g.40gb@4", 0, NULL},
        {"", 0, NULL},
        /* Invalid ones. */
        {"3g.40gb@2", -GV_E_INVAL, "instance 0: 3g.40gb@2: 2 is not an allowed start (0, 4)"},
        {"2g.20gb@6", -GV_E_INVAL, "instance 0: 2g.20gb@6: 6 is not an allowed start (0, 2, 4)"},
        {"4g.40gb@4", -GV_E_INVAL, "instance 0: 4g.40gb@4: 4 is not an allowed start (0)"},
        {"1g.10gb@7", -GV_E_INVAL,
         "instance 0: 1g.10gb@7: 7 is not an allowed start (0, 1, 2, 3, 4, 5, 6)"},
        {"1g.10gb+me@0 1g.10gb+me@1", -GV_E_CONFLICT,
         "instance 1: 1g.10gb+me@1: the GPU already has a media-extension (+me) instance"},
        {"4g.40gb@0 2g.20gb@2", -GV_E_CONFLICT,
         "instance 1: 2g.20gb@2: memory slices 2, 3 are already in use"},
        {"7g.80gb@0 1g.10gb@6", -GV_E_CONFLICT,
         "instance 1: 1g.10gb@6: memory slices 6 are already in use"},
        {"1g.10gb@0 1g.10gb@0", -GV_E_CONFLICT,
         "instance 1: 1g.10gb@0: memory slices 0 are already in use"},
    };
    const gv_gpu_model *m = gv_catalog_find(*state, "H100-SXM5-80GB");

    for (size_t i = 0; i < GV_N_ELEMENTS(cases); i++) {
        gv_mig_instance insts[16];
        size_t n = parse_layout(m, cases[i].layout, insts);
        gv_err err = {0};
        int r = gv_mig_layout_check(m, insts, n, &err);

        if (r != cases[i].ret)
            fail_msg("'%s': got %d (%s), want %d", cases[i].layout, r, err.msg, cases[i].ret);
        if (cases[i].msg) {
            assert_string_equal(err.where, "H100-SXM5-80GB");
            assert_string_equal(err.msg, cases[i].msg);
        }
    }
}

static void
test_available_examples(void **state)
{
    const gv_gpu_model *m = gv_catalog_find(*state, "A100-SXM4-40GB");
    gv_mig_instance insts[8];
    uint32_t starts[GV_MIG_MAX_PROFILES];
    size_t n;

    /* Empty GPU: every profile everywhere it is allowed. */
    assert_int_equal(gv_mig_available(m, NULL, 0, starts, NULL), 7);
    for (size_t j = 0; j < m->mig->n_profiles; j++)
        assert_int_equal(starts[j], m->mig->profiles[j].starts);
    /* 3g@4 placed: the left half takes 4g@0, 3g@0, 2g@0/2, 1g.10gb@0/2, 1g@0-3; no 7g. */
    n = parse_layout(m, "3g.20gb@4", insts);
    assert_int_equal(gv_mig_available(m, insts, n, starts, NULL), 6);
    assert_int_equal(starts[gv_mig_find_profile(m, "7g.40gb")], 0);
    assert_int_equal(starts[gv_mig_find_profile(m, "4g.20gb")], 0x01);
    assert_int_equal(starts[gv_mig_find_profile(m, "3g.20gb")], 0x01);
    assert_int_equal(starts[gv_mig_find_profile(m, "2g.10gb")], 0x05);
    assert_int_equal(starts[gv_mig_find_profile(m, "1g.10gb")], 0x05);
    assert_int_equal(starts[gv_mig_find_profile(m, "1g.5gb")], 0x0f);
    assert_int_equal(starts[gv_mig_find_profile(m, "1g.5gb+me")], 0x0f);
    /* With a +me instance, no second one; 1g@0..5 + 1g.10gb@6 is full. */
    n = parse_layout(m, "1g.5gb+me@0 1g.5gb@1 1g.5gb@2 1g.5gb@3 1g.5gb@4 1g.5gb@5 1g.10gb@6",
                     insts);
    assert_int_equal(gv_mig_available(m, insts, n, starts, NULL), 0);
}

/* Rules the official tables never exercise: max_count below the placements, compute limit. */
static void
test_counts_and_compute(void **state)
{
    static const char yaml[] =
        "format: gpuvm-catalog/1\n"
        "models:\n"
        "  - name: T\n"
        "    vendor: nvidia\n"
        "    memory_mib: 4096\n"
        "    source: test\n"
        "    pci_ids: [{id: \"10de:0001\"}]\n"
        "    mig:\n"
        "      memory_slices: 4\n"
        "      compute_slices: 3\n"
        "      profiles:\n"
        "        - {id: 1, name: a, compute_slices: 1, memory_slices: 1, max_count: 2, "
        "starts: [0, 1, 2, 3]}\n"
        "        - {id: 2, name: b, compute_slices: 1, memory_slices: 1, max_count: 3, "
        "starts: [0, 1, 2, 3]}\n";
    GV_AUTOPTR(gv_catalog) c = NULL;
    const gv_gpu_model *m;
    gv_mig_instance insts[] = {{0, 0}, {0, 1}, {0, 2}};
    gv_mig_instance three[] = {{0, 0}, {0, 1}, {1, 2}, {1, 3}};
    gv_mig_usage u;
    gv_err err = {0};
    (void)state;

    assert_int_equal(gv_test_parse(yaml, &c, &err), 0);
    m = gv_catalog_find(c, "T");
    assert_int_equal(gv_mig_layout_check(m, insts, 3, &err), -GV_E_CONFLICT);
    assert_string_equal(err.msg, "instance 2: a@2: the GPU already has the maximum of 2 a "
                                 "instances");
    gv_err_clear(&err);
    assert_int_equal(gv_mig_layout_check(m, three, 4, &err), -GV_E_CONFLICT);
    assert_string_equal(err.msg, "instance 3: b@3: 3 compute slices in use, 1 more exceed the "
                                 "3 of the GPU");
    assert_int_equal(gv_mig_usage_build(m, three, 3, &u, NULL), 0);
    assert_int_equal(gv_mig_usage_starts(m, &u, 0), 0);
    assert_int_equal(gv_mig_usage_starts(m, &u, 1), 0);
    assert_int_equal(u.compute_used, 3);
    assert_int_equal(u.occupied, 0x7);
    gv_err_clear(&err);
    assert_int_equal(gv_mig_usage_add(m, &u, 5, 0, &err), -GV_E_INVAL);
    assert_string_equal(err.msg, "profile index 5 is out of range 0..1");
    assert_int_equal(gv_mig_usage_starts(m, &u, 5), 0);
    assert_int_equal(gv_mig_usage_starts(m, &u, -1), 0);
}

static void
test_not_mig(void **state)
{
    const gv_gpu_model *t4 = gv_catalog_find(*state, "T4-16GB");
    gv_mig_usage u = {0};
    uint32_t starts[4];
    gv_err err = {0};

    assert_int_equal(gv_mig_layout_check(t4, NULL, 0, &err), -GV_E_INVAL);
    assert_string_equal(err.where, "T4-16GB");
    assert_string_equal(err.msg, "model 'T4-16GB' has no MIG geometry");
    assert_int_equal(gv_mig_available(t4, NULL, 0, starts, NULL), -GV_E_INVAL);
    assert_int_equal(gv_mig_usage_add(t4, &u, 0, 0, NULL), -GV_E_INVAL);
    assert_int_equal(gv_mig_usage_starts(t4, &u, 0), 0);
    assert_int_equal(gv_mig_find_profile_id(t4, 19), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exhaustive),
        cmocka_unit_test(test_every_mask),
        cmocka_unit_test(test_layouts),
        cmocka_unit_test(test_available_examples),
        cmocka_unit_test(test_counts_and_compute),
        cmocka_unit_test(test_not_mig),
    };
    return cmocka_run_group_tests(tests, gv_test_catalog_setup, gv_test_catalog_teardown);
}
