/*
 * test_placement_parse.c - gv_placement_from_json reads back what gv_placement_to_json writes.
 *
 * Round trip: placements the engine makes on random fleets (every attachment mode, shared and
 * dedicated vCPUs, NIC VFs, scratch, reconfigured GPUs) and the renderer fixture's full one are
 * written, read and written again, byte for byte, and what is read is the placement but for
 * its indices. Malformed documents (unknown keys, wrong types, values that do not fit, lists
 * longer than a placement holds, derived values that disagree, text cut short or nested too
 * deep) are refused with the value's path, and the output is left untouched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "random_fleet.h"
#include "render_fixture.h"
#include "testlib.h"
#include "util/json.h"

/* @p written, read and written again: the same text; what is read is @p but for indices (and,
 * unless @exact, for the GPU fields its mode does not write: the fixture leaves them 0). */
static void
assert_round_trip(const gv_placement *p, bool exact)
{
    GV_AUTOFREE char *text = gv_placement_to_json(p);
    GV_AUTOFREE char *again = NULL;
    GV_AUTOFREE char *req_a = NULL;
    GV_AUTOFREE char *req_b = NULL;
    gv_placement q;
    gv_err err = {0};

    if (gv_placement_from_json(text, strlen(text), "p.json", &q, &err) < 0)
        fail_msg("%s: %s\n%s", err.where, err.msg, text);
    again = gv_placement_to_json(&q);
    assert_string_equal(text, again);
    assert_int_equal(q.host_index, -1);
    assert_string_equal(q.vm, p->vm);
    assert_string_equal(q.host, p->host);
    req_a = gv_request_to_json(&p->request);
    req_b = gv_request_to_json(&q.request);
    assert_string_equal(req_a, req_b);
    assert_memory_equal(q.pins, p->pins, (size_t)p->request.vcpus * sizeof(gv_vcpu_pin));
    assert_int_equal(q.n_owned_cpus, p->n_owned_cpus);
    if (p->n_owned_cpus)
        assert_memory_equal(q.owned_cpus, p->owned_cpus, p->n_owned_cpus * sizeof(int));
    assert_int_equal(q.n_numa_vcpus, p->n_numa_vcpus);
    assert_memory_equal(q.numa_vcpus, p->numa_vcpus, p->n_numa_vcpus * sizeof(gv_numa_vcpus));
    assert_int_equal(q.n_cells, p->n_cells);
    for (size_t i = 0; i < p->n_cells; i++) {
        assert_int_equal(q.cells[i].first_vcpu, p->cells[i].first_vcpu);
        assert_int_equal(q.cells[i].n_vcpus, p->cells[i].n_vcpus);
        assert_int_equal(q.cells[i].memory_mib, p->cells[i].memory_mib);
    }
    assert_int_equal(q.n_gpus, p->n_gpus);
    for (size_t k = 0; k < p->n_gpus; k++) {
        gv_placed_gpu g = p->gpus[k];

        assert_int_equal(q.gpus[k].gpu, -1);
        g.gpu = -1;
        if (exact)
            assert_memory_equal(&q.gpus[k], &g, sizeof(g));
        assert_string_equal(q.gpus[k].pci, g.pci);
        assert_int_equal(q.gpus[k].vf, g.vf);
        assert_int_equal(q.gpus[k].reconfigured, g.reconfigured);
    }
    assert_int_equal(q.n_vfs, p->n_vfs);
    for (size_t k = 0; k < p->n_vfs; k++) {
        assert_int_equal(q.vfs[k].vf, p->vfs[k].vf);
        assert_string_equal(q.vfs[k].vf_pci, p->vfs[k].vf_pci);
    }
    assert_string_equal(q.scratch.pci, p->scratch.pci);
    assert_int_equal(q.scratch.gib, p->scratch.gib);
    assert_memory_equal(&q.score, &p->score, sizeof(q.score));
    gv_placement_clear(&q);
}

static void
test_round_trip_engine(void **state)
{
    const gv_catalog *cat = *state;
    int modes[GV_GPU_MODE_LAST] = {0}, policies[GV_CPU_POLICY_LAST] = {0};
    int vfs = 0, scratch = 0, reconfigured = 0, cells = 0;

    for (unsigned seed = 1; seed <= 20; seed++) {
        GV_AUTOPTR(gv_fleet) f = rf_fleet(seed, 8);
        GV_AUTOPTR(gv_engine) e = NULL;
        gv_err err = {0};

        assert_int_equal(gv_engine_new(f, cat, NULL, &e, &err), 0);
        for (unsigned i = 0; i < 150; i++) {
            gv_request r;
            gv_place_result res;

            rf_request(&r, i);
            if (gv_engine_place(e, &r, 0, &res, &err) == 1) {
                const gv_placement *p = &res.placement;

                assert_round_trip(p, true);
                for (size_t k = 0; k < p->n_gpus; k++) {
                    modes[p->gpus[k].mode]++;
                    reconfigured += p->gpus[k].reconfigured;
                }
                policies[p->request.cpu_policy]++;
                vfs += (int)p->n_vfs;
                scratch += p->scratch.nvme >= 0;
                cells += p->n_cells > 1;
            }
            gv_place_result_clear(&res);
        }
    }
    for (int m = 0; m < GV_GPU_MODE_LAST; m++)
        if (!modes[m])
            fail_msg("no %s placement read back", gv_gpu_mode_to_string(m));
    assert_true(policies[GV_CPU_DEDICATED] && policies[GV_CPU_SHARED]);
    assert_true(vfs && scratch && reconfigured && cells);
}

/* The renderer's hand-made placement: every mode at once, 1G pages, two cells, violations. */
static void
test_round_trip_fixture(void **state)
{
    gv_placement p;

    (void)state;
    fx_full(&p, "train-1");
    p.gpus[2].vf = 2; /* a vGPU on a VF, and a reconfigured GPU */
    snprintf(p.gpus[2].vf_pci, sizeof(p.gpus[2].vf_pci), "0000:86:00.3");
    p.gpus[1].reconfigured = true;
    p.numa_violations = 4098;
    p.n_violations = 2;
    p.violations[0] = (gv_numa_violation){.kind = GV_VIOLATION_VCPU, .numa = 1, .amount = 2};
    p.violations[1] = (gv_numa_violation){.kind = GV_VIOLATION_NIC, .numa = -1, .amount = 1};
    assert_round_trip(&p, false);
    gv_placement_clear(&p);
    fx_placement(&p, "notebook-7", 4, 8192, GV_CPU_SHARED, 2); /* shared, two cells */
    assert_round_trip(&p, false);
    gv_placement_clear(&p);
}

/* A valid placement's document, for the malformed cases to break (caller decrefs). */
static json_t *
valid_doc(void)
{
    gv_placement p;
    GV_AUTOFREE char *text = NULL;
    json_t *j = NULL;
    gv_err err = {0};

    fx_full(&p, "train-1");
    text = gv_placement_to_json(&p);
    gv_placement_clear(&p);
    assert_int_equal(gv_json_parse(text, strlen(text), "fx", &j, &err), 0);
    return j;
}

/* @text is refused with @code, the message holding @path; @ret is left as it was. */
static void
assert_refused(const char *text, size_t len, int code, const char *path)
{
    gv_placement q, before;
    gv_err err = {0};
    int rc;

    memset(&q, 0xab, sizeof(q));
    memcpy(&before, &q, sizeof(q));
    rc = gv_placement_from_json(text, len, "bad.json", &q, &err);
    if (rc != -code || !strstr(err.msg, path))
        fail_msg("expected %s at '%s', got %d: %s: %s", gv_errcode_to_string(code), path, rc,
                 err.where, err.msg);
    assert_true(!strncmp(err.where, "bad.json", 8)); /* and a line:col for syntax */
    assert_memory_equal(&q, &before, sizeof(q));
}

static void
assert_doc_refused(json_t *doc, int code, const char *path)
{
    GV_AUTOFREE char *text = gv_json_dump(doc);

    assert_refused(text, strlen(text), code, path);
    json_decref(doc);
}

#define PL(doc) json_object_get((doc), "placement")
#define AT(o, k) json_object_get((o), (k))

static void
test_malformed(void **state)
{
    json_t *d, *a;

    (void)state;
    d = valid_doc();
    json_object_set_new(PL(d), "bogus", json_true());
    assert_doc_refused(d, GV_E_INVAL, "placement.bogus: unknown key");

    d = valid_doc();
    json_object_set_new(d, "extra", json_true());
    assert_doc_refused(d, GV_E_INVAL, "extra: unknown key");

    d = valid_doc();
    json_object_set_new(json_array_get(AT(PL(d), "gpus"), 1), "foo", json_integer(1));
    assert_doc_refused(d, GV_E_INVAL, "placement.gpus[1].foo: unknown key");

    d = valid_doc(); /* a key of another mode */
    json_object_set_new(json_array_get(AT(PL(d), "gpus"), 0), "slot", json_integer(1));
    assert_doc_refused(d, GV_E_INVAL, "placement.gpus[0].slot: unknown key");

    d = valid_doc();
    json_object_set_new(json_array_get(AT(PL(d), "gpus"), 1), "start", json_string("4"));
    assert_doc_refused(d, GV_E_INVAL, "placement.gpus[1].start: expected an integer");

    d = valid_doc();
    json_object_set_new(json_array_get(AT(PL(d), "gpus"), 1), "start", json_integer(32));
    assert_doc_refused(d, GV_E_INVAL, "placement.gpus[1].start: expected an integer in 0..31");

    d = valid_doc();
    json_object_set_new(json_array_get(AT(PL(d), "gpus"), 1), "created", json_integer(1));
    assert_doc_refused(d, GV_E_INVAL, "placement.gpus[1].created: expected true or false");

    d = valid_doc();
    json_object_set_new(json_array_get(AT(PL(d), "gpus"), 0), "mode", json_string("magic"));
    assert_doc_refused(d, GV_E_INVAL, "placement.gpus[0].mode");

    d = valid_doc(); /* written only when true */
    json_object_set_new(json_array_get(AT(PL(d), "gpus"), 0), "reconfigured", json_false());
    assert_doc_refused(d, GV_E_INVAL, "placement.gpus[0].reconfigured: does not agree");

    d = valid_doc();
    json_object_set_new(AT(AT(PL(d), "request"), "gpu"), "count", json_string("x"));
    assert_doc_refused(d, GV_E_INVAL, "placement.request.gpu.count: expected an integer");

    d = valid_doc();
    json_object_set_new(AT(PL(d), "request"), "flavor", json_null());
    assert_doc_refused(d, GV_E_INVAL, "placement.request.flavor");

    d = valid_doc();
    json_object_set_new(AT(PL(d), "request"), "name", json_string("other"));
    assert_doc_refused(d, GV_E_INVAL, "placement.vm: 'train-1' is not the request's name");

    d = valid_doc();
    json_object_set_new(PL(d), "vm",
                        json_string("a-name-longer-than-sixty-three-bytes-does-not-"
                                    "fit-the-field-it-goes-to"));
    assert_doc_refused(d, GV_E_INVAL, "placement.vm: expected a string of at most 63 bytes");

    d = valid_doc();
    json_object_del(PL(d), "owned_cpus");
    assert_doc_refused(d, GV_E_INVAL, "placement.owned_cpus: required");

    d = valid_doc();
    json_object_del(PL(d), "memory");
    assert_doc_refused(d, GV_E_INVAL, "placement.memory: required");

    d = valid_doc();
    json_object_set_new(PL(d), "emulator_cpus", json_string("0-x"));
    assert_doc_refused(d, GV_E_INVAL, "placement.emulator_cpus");

    d = valid_doc();
    json_object_set_new(PL(d), "scratch", json_integer(0));
    assert_doc_refused(d, GV_E_INVAL, "placement.scratch: expected an object");

    d = valid_doc();
    json_object_set_new(AT(PL(d), "score"), "total", json_real(1.5));
    assert_doc_refused(d, GV_E_INVAL, "placement.score.total: expected an integer");

    d = valid_doc();
    json_object_set_new(json_array_get(AT(PL(d), "guest_numa"), 1), "vcpus", json_string("8-99"));
    assert_doc_refused(d, GV_E_INVAL, "placement.guest_numa[1].vcpus: '8-99' is not a range");

    /* what is derived must agree with what it comes from */
    d = valid_doc();
    json_object_set_new(json_array_get(AT(PL(d), "memory"), 0), "mib", json_integer(1));
    assert_doc_refused(d, GV_E_INVAL, "placement.memory[0].mib: does not agree");

    d = valid_doc();
    json_object_set_new(PL(d), "cpu_policy", json_string("shared"));
    assert_doc_refused(d, GV_E_INVAL, "placement.cpu_policy: does not agree");

    d = valid_doc(); /* one vCPU fewer than the request has */
    json_array_remove(AT(PL(d), "cpus"), 15);
    assert_doc_refused(d, GV_E_INVAL, "placement.cpus: expected 16 entries");

    d = valid_doc();
    json_object_set_new(json_array_get(AT(PL(d), "cpus"), 3), "vcpu", json_integer(4));
    assert_doc_refused(d, GV_E_INVAL, "placement.cpus[3].vcpu: expected an integer in 3..3");

    /* lists longer than a placement holds */
    d = valid_doc();
    a = AT(PL(d), "gpus");
    while (json_array_size(a) <= GV_REQ_MAX_GPUS)
        json_array_append(a, json_array_get(a, 0));
    assert_doc_refused(d, GV_E_LIMIT, "placement.gpus: more than 16 entries");

    d = valid_doc();
    a = AT(PL(d), "violations");
    while (json_array_size(a) <= GV_PLACE_MAX_VIOLATIONS)
        json_array_append_new(
            a, json_pack("{s:s, s:i, s:i}", "kind", "vcpus", "numa", 0, "amount", 1));
    assert_doc_refused(d, GV_E_LIMIT, "placement.violations: more than 32 entries");

    d = valid_doc();
    a = AT(PL(d), "guest_numa");
    while (json_array_size(a) <= GV_PLACE_MAX_CELLS)
        json_array_append(a, json_array_get(a, 0));
    assert_doc_refused(d, GV_E_LIMIT, "placement.guest_numa: more than 8 entries");

    d = valid_doc();
    a = AT(PL(d), "nics");
    while (json_array_size(a) <= GV_REQ_MAX_NIC_VFS)
        json_array_append(a, json_array_get(a, 0));
    assert_doc_refused(d, GV_E_LIMIT, "placement.nics: more than 16 entries");

    d = valid_doc();
    a = AT(PL(d), "numa_vcpus");
    while (json_array_size(a) <= GV_PLACE_MAX_NUMA)
        json_array_append_new(a, json_pack("{s:i, s:i}", "numa", 0, "vcpus", 1));
    assert_doc_refused(d, GV_E_LIMIT, "placement.numa_vcpus: more than 64 entries");

    /* not a placement document at all */
    {
        GV_AUTOPTR(json_t) ok = valid_doc();
        GV_AUTOFREE char *text = gv_json_dump(ok);
        char deep[64];

        assert_refused(text, strlen(text) / 2, GV_E_PARSE, "");
        assert_refused(text, 0, GV_E_PARSE, "");
        assert_refused("[]", 2, GV_E_INVAL, "expected an object");
        assert_refused("{}", 2, GV_E_INVAL, "placement: required");
        assert_refused("{\"placement\": 7}", 16, GV_E_INVAL, "placement: expected an object");
        memset(deep, '[', sizeof(deep));
        assert_refused(deep, sizeof(deep), GV_E_LIMIT, "nested deeper");
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_engine),
        cmocka_unit_test(test_round_trip_fixture),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, gv_test_catalog_setup, gv_test_catalog_teardown);
}
