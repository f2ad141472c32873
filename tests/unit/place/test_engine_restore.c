/*
 * test_engine_restore.c - gv_engine_restore and gv_engine_set_host_state.
 *
 * The property: random place/release sequences on random fleets (every attachment mode); at
 * random points a second engine over the same fleet gets every placement of the first back,
 * through their JSON (gv_placement_to_json, gv_placement_from_json) and in a shuffled order.
 * Then the two states are the same (gv_engine_state_dump), the second passes gv_engine_check,
 * every restored VM writes the JSON it was restored from, and a further random stream of places
 * and releases decides the same on both (the mix is configured, so no learning differs; the
 * second engine alternates the fast path and the reference). At the end releasing every VM of
 * the restored engine leaves it as a fresh one.
 *
 * Conflicts: a placement restored twice, or a copy of a placement under another name (its
 * threads, GPU units, VFs taken), is refused with -GV_E_CONFLICT naming the resource and the
 * state unchanged. Host states: a cordoned host receives nothing, fast path and reference
 * alike, shapes cached before the cordon included; once ready again it does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "engine_asserts.h"
#include "random_fleet.h"
#include "testlib.h"

#define MAX_LIVE 400

static const gv_place_policy policies[] = {GV_POLICY_GPUVM,   GV_POLICY_GPUVM,
                                           GV_POLICY_FGD,     GV_POLICY_FIRSTFIT,
                                           GV_POLICY_BESTFIT, GV_POLICY_PACKING};

static void
assert_same_state(const gv_engine *a, const gv_engine *b, unsigned seed, int step)
{
    GV_AUTOFREE char *da = gv_engine_state_dump(a);
    GV_AUTOFREE char *db = gv_engine_state_dump(b);

    assert_same_text("states", seed, step, "first", da, "restored", db);
    /* kept beside the state, not in its dump */
    assert_true(gv_engine_gpu_utilization(a) == gv_engine_gpu_utilization(b));
    assert_int_equal(gv_engine_n_vms(a), gv_engine_n_vms(b));
}

/* A configured mix: a few random shapes (and a whole GPU of each mode the fleets have). */
static void
config_init(gv_place_config *cfg, unsigned seed)
{
    gv_place_config_init(cfg);
    cfg->policy = policies[seed % GV_N_ELEMENTS(policies)];
    cfg->n_mix = 6;
    for (size_t i = 0; i < cfg->n_mix; i++) {
        rf_request(&cfg->mix[i].shape, 0);
        cfg->mix[i].weight = 1 + gv_rand() % 3;
    }
}

/* @p through its JSON: the placement a daemon reads back from its store. */
static void
placement_reread(const gv_placement *p, gv_placement *ret)
{
    GV_AUTOFREE char *text = gv_placement_to_json(p);
    gv_err err = {0};

    if (gv_placement_from_json(text, strlen(text), "store", ret, &err) < 0)
        fail_msg("%s: %s\n%s", err.where, err.msg, text);
}

/* What the property test restored, for its coverage check. */
static struct {
    int gpus[GV_GPU_MODE_LAST];
    int reconfigured, idle_mig, dedicated, shared, nic_vfs, scratch;
    int inherited; /* reconfigured GPUs of VMs that took no reconfigure step themselves */
} restored;

static void
count_restored(const gv_placement *p)
{
    for (size_t k = 0; k < p->n_gpus; k++) {
        restored.gpus[p->gpus[k].mode]++;
        restored.reconfigured += p->gpus[k].reconfigured;
        restored.inherited += p->gpus[k].reconfigured && !p->n_reconfigure;
        restored.idle_mig += p->gpus[k].mode == GV_GPU_MODE_MIG && !p->gpus[k].created;
    }
    restored.dedicated += p->request.cpu_policy == GV_CPU_DEDICATED;
    restored.shared += p->request.cpu_policy == GV_CPU_SHARED;
    restored.nic_vfs += (int)p->n_vfs;
    restored.scratch += p->scratch.nvme >= 0;
}

/* Restore every VM of @a (names @live) into @b, in a shuffled order, through JSON. */
static void
restore_all(const gv_engine *a, gv_engine *b, char (*live)[GV_REQ_NAME_LEN], int n_live,
            unsigned seed, int step)
{
    int order[MAX_LIVE];

    for (int i = 0; i < n_live; i++)
        order[i] = i;
    for (int i = n_live - 1; i > 0; i--) {
        int j = (int)(gv_rand() % (unsigned)(i + 1)), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (int i = 0; i < n_live; i++) {
        const gv_placement *p = gv_engine_find_vm(a, live[order[i]]);
        GV_AUTOFREE char *want = NULL;
        GV_AUTOFREE char *got = NULL;
        gv_placement q;
        gv_err err = {0};

        assert_non_null(p);
        placement_reread(p, &q);
        if (gv_engine_restore(b, &q, &err) < 0)
            fail_msg("seed %u step %d: restore of %s: %s: %s", seed, step, q.vm, err.where,
                     err.msg);
        gv_placement_clear(&q);
        count_restored(p);
        want = gv_placement_to_json(p);
        got = gv_placement_to_json(gv_engine_find_vm(b, live[order[i]]));
        assert_same_text("restored placements", seed, step, "first", want, "restored", got);
    }
    assert_int_equal(gv_engine_n_vms(b), (size_t)n_live);
}

/* Place @r on @a (fast path) and on @b (alternately the fast path and the reference): the same
 * decision, written the same. Returns what gv_engine_place did. */
static int
place_both(gv_engine *a, gv_engine *b, const gv_request *r, bool reference, unsigned seed, int step)
{
    gv_place_result ra, rb;
    gv_err ea = {0}, eb = {0};
    int rc = gv_engine_place(a, r, 0, &ra, &ea);

    assert_int_equal(gv_engine_place(b, r, reference ? GV_PLACE_REFERENCE : 0, &rb, &eb), rc);
    if (rc == 1) {
        GV_AUTOFREE char *ja = gv_placement_to_json(&ra.placement);
        GV_AUTOFREE char *jb = gv_placement_to_json(&rb.placement);
        assert_same_text("next decisions", seed, step, "first", ja, "restored", jb);
    }
    gv_place_result_clear(&ra);
    gv_place_result_clear(&rb);
    return rc;
}

static void
run_seed(const gv_catalog *cat, unsigned seed)
{
    GV_AUTOPTR(gv_fleet) f = rf_fleet(seed, 10);
    GV_AUTOPTR(gv_engine) a = NULL;
    gv_place_config cfg;
    gv_err err = {0};
    char live[MAX_LIVE][GV_REQ_NAME_LEN];
    int n_live = 0, serial = 0, checks = 0;

    assert_int_equal(gv_fleet_check(f, &err), 0);
    config_init(&cfg, seed);
    assert_int_equal(gv_engine_new(f, cat, &cfg, &a, &err), 0);
    for (int step = 0; step < 300; step++) {
        /* most requests fit nowhere on a small random fleet: release seldom, to fill it */
        if (n_live && gv_rand() % 8 == 0) {
            int k = (int)(gv_rand() % (unsigned)n_live);
            assert_int_equal(gv_engine_release(a, live[k], &err), 0);
            memcpy(live[k], live[--n_live], sizeof(live[k]));
        } else {
            gv_request r;
            gv_place_result res;

            rf_request(&r, (unsigned)serial++);
            if (gv_engine_place(a, &r, 0, &res, &err) == 1 && n_live < MAX_LIVE)
                memcpy(live[n_live++], r.name, sizeof(live[0]));
            else if (res.placed)
                assert_int_equal(gv_engine_release(a, r.name, &err), 0);
            gv_place_result_clear(&res);
        }
        if (step == 299 || gv_rand() % 60 == 0) {
            GV_AUTOPTR(gv_engine) b = NULL;

            checks++;
            assert_int_equal(gv_engine_new(f, cat, &cfg, &b, &err), 0);
            restore_all(a, b, live, n_live, seed, step);
            assert_same_state(a, b, seed, step);
            assert_engine_ok(b, seed, step);
            /* a further stream: the same decisions on both */
            for (int k = 0; k < 40; k++) {
                if (n_live && gv_rand() % 4 == 0) {
                    int v = (int)(gv_rand() % (unsigned)n_live);
                    assert_int_equal(gv_engine_release(a, live[v], &err), 0);
                    assert_int_equal(gv_engine_release(b, live[v], &err), 0);
                    memcpy(live[v], live[--n_live], sizeof(live[v]));
                } else {
                    gv_request r;

                    rf_request(&r, (unsigned)serial++);
                    if (place_both(a, b, &r, k % 2, seed, step) == 1) {
                        if (n_live < MAX_LIVE) {
                            memcpy(live[n_live++], r.name, sizeof(live[0]));
                        } else {
                            assert_int_equal(gv_engine_release(a, r.name, &err), 0);
                            assert_int_equal(gv_engine_release(b, r.name, &err), 0);
                        }
                    }
                }
                assert_same_state(a, b, seed, step);
            }
            assert_engine_ok(b, seed, step);
            if (step == 299) {
                /* releasing all a restored engine holds leaves it fresh */
                GV_AUTOPTR(gv_engine) fresh = NULL;

                for (int v = 0; v < n_live; v++)
                    assert_int_equal(gv_engine_release(b, live[v], &err), 0);
                assert_engine_ok(b, seed, step);
                assert_int_equal(gv_engine_new(f, cat, &cfg, &fresh, &err), 0);
                assert_same_state(fresh, b, seed, step);
            }
        }
    }
    assert_true(checks > 0);
}

static void
test_restore_property(void **state)
{
    memset(&restored, 0, sizeof(restored));
    for (unsigned seed = 1; seed <= 24; seed++)
        run_seed(*state, seed);
    for (int m = 0; m < GV_GPU_MODE_LAST; m++)
        if (!restored.gpus[m])
            fail_msg("no %s GPU unit restored", gv_gpu_mode_to_string(m));
    if (!restored.reconfigured || !restored.inherited || !restored.idle_mig ||
        !restored.dedicated || !restored.shared || !restored.nic_vfs || !restored.scratch)
        fail_msg("restored: %d reconfigured GPUs, %d idle MIG instances, %d dedicated and %d "
                 "shared VMs, %d NIC VFs, %d scratch disks",
                 restored.reconfigured, restored.idle_mig, restored.dedicated, restored.shared,
                 restored.nic_vfs, restored.scratch);
    fprintf(stderr,
            "restored: %d passthrough, %d mig, %d vgpu, %d sriov, %d share units; %d "
            "reconfigured (%d by another VM), %d idle MIG; %d dedicated, %d shared; %d NIC VFs, %d "
            "scratch\n",
            restored.gpus[0], restored.gpus[1], restored.gpus[2], restored.gpus[3],
            restored.gpus[4], restored.reconfigured, restored.inherited, restored.idle_mig,
            restored.dedicated, restored.shared, restored.nic_vfs, restored.scratch);
}

/* Which kinds of resource a placement holds that no other VM can share. */
static bool
holds_exclusive(const gv_placement *p)
{
    if (p->n_owned_cpus || p->n_vfs)
        return true;
    for (size_t k = 0; k < p->n_gpus; k++)
        if (p->gpus[k].mode != GV_GPU_MODE_SHARE)
            return true;
    return false;
}

/*
 * Every placement restored a second time is refused (the name is placed), and a copy of it
 * under another name is refused when it holds a thread, GPU unit or VF of its own, naming it;
 * either way the state stays as it was.
 */
static void
test_restore_conflicts(void **state)
{
    const gv_catalog *cat = *state;
    int seen_kind[GV_GPU_MODE_LAST] = {0}, conflicts = 0;

    for (unsigned seed = 1; seed <= 12; seed++) {
        GV_AUTOPTR(gv_fleet) f = rf_fleet(seed, 8);
        GV_AUTOPTR(gv_engine) a = NULL;
        GV_AUTOPTR(gv_engine) b = NULL;
        gv_place_config cfg;
        gv_err err = {0};
        char live[MAX_LIVE][GV_REQ_NAME_LEN];
        int n_live = 0;

        config_init(&cfg, seed);
        assert_int_equal(gv_engine_new(f, cat, &cfg, &a, &err), 0);
        assert_int_equal(gv_engine_new(f, cat, &cfg, &b, &err), 0);
        for (int i = 0; i < 120; i++) {
            gv_request r;
            gv_place_result res;

            rf_request(&r, (unsigned)i);
            if (r.gpu.count && i % 2) {
                /* nothing else of its own, so that a copy collides on its GPU units first */
                r.cpu_policy = GV_CPU_SHARED;
                r.cpu_milli = 0;
                r.nic_vfs = 0;
            }
            if (gv_engine_place(a, &r, 0, &res, &err) == 1)
                memcpy(live[n_live++], r.name, sizeof(live[0]));
            gv_place_result_clear(&res);
        }
        restore_all(a, b, live, n_live, seed, 0);
        for (int i = 0; i < n_live; i++) {
            const gv_placement *p = gv_engine_find_vm(a, live[i]);
            GV_AUTOFREE char *before = gv_engine_state_dump(b);
            GV_AUTOFREE char *after = NULL;
            gv_placement q;
            int rc;

            placement_reread(p, &q);
            gv_err_clear(&err);
            assert_int_equal(gv_engine_restore(b, &q, &err), -GV_E_CONFLICT);
            assert_non_null(strstr(err.msg, "already placed"));
            snprintf(q.vm, sizeof(q.vm), "copy-of-%s", p->vm);
            memcpy(q.request.name, q.vm, sizeof(q.vm));
            gv_err_clear(&err);
            rc = gv_engine_restore(b, &q, &err);
            after = gv_engine_state_dump(b);
            if (rc == 0) {
                /* shared vCPUs and GPU shares: the copy fits beside, and goes again */
                assert_false(holds_exclusive(p));
                assert_engine_ok(b, seed, i);
                assert_int_equal(gv_engine_release(b, q.vm, &err), 0);
                free(after);
                after = gv_engine_state_dump(b);
            } else {
                if (rc != -GV_E_CONFLICT)
                    fail_msg("seed %u: a copy of %s: %d (%s)", seed, p->vm, rc, err.msg);
                /* the message names what is taken: a thread, a GPU, a NIC or a node's room */
                assert_true(strstr(err.msg, "cpu ") || strstr(err.msg, "nic ") ||
                            strstr(err.msg, "NUMA node") ||
                            (p->n_gpus && strstr(err.msg, p->gpus[0].pci)));
                if (p->n_gpus && strstr(err.msg, p->gpus[0].pci))
                    seen_kind[p->gpus[0].mode]++;
                conflicts++;
            }
            assert_string_equal(before, after);
            gv_placement_clear(&q);
        }
        assert_engine_ok(b, seed, 0);
    }
    assert_true(conflicts > 0);
    for (int m = 0; m < GV_GPU_MODE_SHARE; m++)
        if (!seen_kind[m])
            fail_msg("no conflict on a %s GPU unit was tried", gv_gpu_mode_to_string(m));
}

/* The place of a MIG instance taken: the slices are named. */
static void
test_restore_mig_slices(void **state)
{
    const gv_catalog *cat = *state;
    bool seen = false;

    for (unsigned seed = 1; seed <= 40 && !seen; seed++) {
        GV_AUTOPTR(gv_fleet) f = rf_fleet(seed, 6);
        GV_AUTOPTR(gv_engine) a = NULL;
        GV_AUTOPTR(gv_engine) b = NULL;
        gv_err err = {0};
        gv_request r;
        gv_place_result res;

        assert_int_equal(gv_engine_new(f, cat, NULL, &a, &err), 0);
        assert_int_equal(gv_engine_new(f, cat, NULL, &b, &err), 0);
        gv_request_init(&r);
        snprintf(r.name, sizeof(r.name), "mig-1");
        r.cpu_policy = GV_CPU_SHARED; /* no thread of its own to collide first */
        r.gpu.count = 1;
        r.gpu.mode = GV_GPU_MODE_MIG;
        snprintf(r.gpu.profile, sizeof(r.gpu.profile), "3g.40gb");
        if (gv_engine_place(a, &r, 0, &res, &err) == 1 && res.placement.gpus[0].created) {
            GV_AUTOFREE char *before = NULL;
            GV_AUTOFREE char *after = NULL;
            GV_AUTOFREE char *want = NULL;
            gv_placement q;

            placement_reread(&res.placement, &q);
            assert_int_equal(gv_engine_restore(b, &q, &err), 0);
            snprintf(q.vm, sizeof(q.vm), "mig-2");
            memcpy(q.request.name, q.vm, sizeof(q.vm));
            before = gv_engine_state_dump(b);
            assert_int_equal(gv_engine_restore(b, &q, &err), -GV_E_CONFLICT);
            after = gv_engine_state_dump(b);
            assert_string_equal(before, after);
            want = gv_asprintf("gpu %s MIG slices %d-%d are in use", q.gpus[0].pci, q.gpus[0].start,
                               q.gpus[0].start + q.gpus[0].size - 1);
            assert_string_equal(err.msg, want);
            gv_placement_clear(&q);
            seen = true;
        }
        gv_place_result_clear(&res);
    }
    assert_true(seen);
}

/* What restore refuses outright: an unknown host or device, and a placement that disagrees
 * with itself or its host; the state stays as it was. */
static void
test_restore_invalid(void **state)
{
    const gv_catalog *cat = *state;
    GV_AUTOPTR(gv_fleet) f = rf_fleet(3, 6);
    GV_AUTOPTR(gv_engine) a = NULL;
    GV_AUTOPTR(gv_engine) b = NULL;
    GV_AUTOFREE char *before = NULL;
    gv_err err = {0};
    int tried = 0;

    assert_int_equal(gv_engine_new(f, cat, NULL, &a, &err), 0);
    assert_int_equal(gv_engine_new(f, cat, NULL, &b, &err), 0);
    before = gv_engine_state_dump(b);
    for (unsigned i = 0; i < 60; i++) {
        gv_request r;
        gv_place_result res;
        gv_placement q;

        rf_request(&r, i);
        if (gv_engine_place(a, &r, 0, &res, &err) != 1) {
            gv_place_result_clear(&res);
            continue;
        }
        tried++;
        placement_reread(&res.placement, &q);
        snprintf(q.host, sizeof(q.host), "no-such-host");
        assert_int_equal(gv_engine_restore(b, &q, &err), -GV_E_NOTFOUND);
        gv_err_clear(&err);
        snprintf(q.host, sizeof(q.host), "%s", res.placement.host);
        q.host_index = (res.placement.host_index + 1) % (int)f->n_hosts;
        assert_int_equal(gv_engine_restore(b, &q, &err), -GV_E_INVAL);
        gv_err_clear(&err);
        q.host_index = -1;
        q.cells[0].memory_mib += res.placement.request.hugepages == GV_HUGEPAGES_1G ? 1024 : 2;
        assert_int_equal(gv_engine_restore(b, &q, &err), -GV_E_INVAL);
        gv_err_clear(&err);
        q.cells[0].memory_mib = res.placement.cells[0].memory_mib;
        if (q.n_gpus) {
            snprintf(q.gpus[0].pci, sizeof(q.gpus[0].pci), "0000:ff:1f.7");
            assert_int_equal(gv_engine_restore(b, &q, &err), -GV_E_NOTFOUND);
            gv_err_clear(&err);
        }
        if (q.n_owned_cpus) {
            q.owned_cpus[0] = 100000;
            assert_int_equal(gv_engine_restore(b, &q, &err), -GV_E_INVAL);
            gv_err_clear(&err);
        }
        gv_placement_clear(&q);
        gv_place_result_clear(&res);
        {
            GV_AUTOFREE char *after = gv_engine_state_dump(b);
            assert_string_equal(before, after);
        }
    }
    assert_true(tried > 10);
    assert_int_equal(gv_engine_n_vms(b), 0);
}

/* Place @r on both engines (fast, reference): the same decision; not on host @not. */
static int
place_twice(gv_engine *fast, gv_engine *ref, const gv_request *r, const char * not, char *ret_host)
{
    gv_place_result rf, rr;
    gv_err err = {0};
    int rc = gv_engine_place(fast, r, 0, &rf, &err);

    assert_int_equal(gv_engine_place(ref, r, GV_PLACE_REFERENCE, &rr, &err), rc);
    if (rc == 1) {
        GV_AUTOFREE char *jf = gv_placement_to_json(&rf.placement);
        GV_AUTOFREE char *jr = gv_placement_to_json(&rr.placement);
        assert_string_equal(jf, jr);
        if (not &&!strcmp(rf.placement.host, not ))
            fail_msg("%s placed on %s, which is not ready", r->name, not );
        snprintf(ret_host, GV_REQ_NAME_LEN * 2, "%s", rf.placement.host);
    }
    gv_place_result_clear(&rf);
    gv_place_result_clear(&rr);
    return rc;
}

/* Where @r would go on @e now (a dry run), into @ret_host; false when nowhere. */
static bool
would_go(gv_engine *e, const gv_request *r, char *ret_host)
{
    gv_place_result res;
    gv_err err = {0};
    bool placed = gv_engine_place(e, r, GV_PLACE_DRY_RUN, &res, &err) == 1;

    if (placed)
        snprintf(ret_host, GV_REQ_NAME_LEN * 2, "%s", res.placement.host);
    gv_place_result_clear(&res);
    return placed;
}

static void
set_state_both(gv_engine *fast, gv_engine *ref, const char *host, gv_host_state s)
{
    gv_err err = {0};

    assert_int_equal(gv_engine_set_host_state(fast, host, s, &err), 0);
    assert_int_equal(gv_engine_set_host_state(ref, host, s, &err), 0);
}

/*
 * The host a request's shape would go to, cordoned, receives it no more (the fast path's
 * cached verdicts for the shape said it fits); ready again, fast path and reference agree on
 * it. With every other host down, what is placed goes to it; with every host ready, the hosts
 * the fleet cordoned included, the two still agree. Fast path and reference each run over
 * their own copy of the fleet (the state is written into it).
 */
static void
test_host_state(void **state)
{
    const gv_catalog *cat = *state;
    int cordoned = 0, on_target = 0;

    for (unsigned seed = 1; seed <= 10; seed++) {
        GV_AUTOPTR(gv_fleet) f1 = rf_fleet(seed, 8);
        GV_AUTOPTR(gv_fleet) f2 = rf_fleet(seed, 8);
        GV_AUTOPTR(gv_engine) fast = NULL;
        GV_AUTOPTR(gv_engine) ref = NULL;
        gv_request shapes[6];
        gv_place_config cfg;
        gv_err err = {0};
        char host[GV_REQ_NAME_LEN * 2] = "", target[GV_REQ_NAME_LEN * 2] = "";
        unsigned serial = 0;

        config_init(&cfg, seed);
        assert_int_equal(gv_engine_new(f1, cat, &cfg, &fast, &err), 0);
        assert_int_equal(gv_engine_new(f2, cat, &cfg, &ref, &err), 0);
        for (int i = 0; i < 6; i++)
            rf_request(&shapes[i], 0);
        for (int i = 0; i < 30; i++) { /* the fast path's shapes, built and in use */
            gv_request r = shapes[i % 6];
            snprintf(r.name, sizeof(r.name), "warm-%u", serial++);
            place_twice(fast, ref, &r, NULL, host);
        }
        for (int i = 0; i < 6; i++) {
            gv_request r = shapes[i];

            snprintf(r.name, sizeof(r.name), "cordoned-%u", serial++);
            if (!would_go(fast, &r, target))
                continue;
            set_state_both(fast, ref, target, GV_HOST_CORDONED);
            cordoned += place_twice(fast, ref, &r, target, host) == 1;
            set_state_both(fast, ref, target, GV_HOST_READY);
            snprintf(r.name, sizeof(r.name), "ready-%u", serial++);
            place_twice(fast, ref, &r, NULL, host);
        }
        assert_int_equal(gv_engine_check(fast, &err), 0);
        if (!target[0])
            continue;
        /* the target ready, every other host down: what is placed goes to the target */
        for (size_t h = 0; h < f1->n_hosts; h++)
            set_state_both(fast, ref, f1->hosts[h]->name,
                           strcmp(f1->hosts[h]->name, target) ? GV_HOST_DOWN : GV_HOST_READY);
        for (int i = 0; i < 60; i++) {
            gv_request r = shapes[i % 6];
            if (i % 2)
                rf_request(&r, 0);
            snprintf(r.name, sizeof(r.name), "only-%u", serial++);
            if (place_twice(fast, ref, &r, NULL, host) == 1) {
                assert_string_equal(host, target);
                on_target++;
            }
        }
        /* every host ready, those the fleet cordoned included */
        for (size_t h = 0; h < f1->n_hosts; h++)
            set_state_both(fast, ref, f1->hosts[h]->name, GV_HOST_READY);
        for (int i = 0; i < 40; i++) {
            gv_request r = shapes[i % 6];
            if (i % 2)
                rf_request(&r, 0);
            snprintf(r.name, sizeof(r.name), "all-%u", serial++);
            place_twice(fast, ref, &r, NULL, host);
        }
        assert_int_equal(gv_engine_check(fast, &err), 0);
        assert_int_equal(gv_engine_check(ref, &err), 0);
        assert_int_equal(gv_engine_set_host_state(fast, "no-such-host", GV_HOST_READY, &err),
                         -GV_E_NOTFOUND);
        assert_int_equal(gv_engine_set_host_state(fast, target, GV_HOST_STATE_LAST, &err),
                         -GV_E_INVAL);
    }
    assert_true(cordoned > 0 && on_target > 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_restore_property),   cmocka_unit_test(test_restore_conflicts),
        cmocka_unit_test(test_restore_mig_slices), cmocka_unit_test(test_restore_invalid),
        cmocka_unit_test(test_host_state),
    };
    return cmocka_run_group_tests(tests, gv_test_catalog_setup, gv_test_catalog_teardown);
}
