/*
 * test_host_check.c - the invariant checker: random valid hosts pass, and each kind of
 * corruption, applied to a valid host, is caught with a message naming it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "gpuvm/topo.h"
#include "random_host.h"

/* A host guaranteed to have 2 NUMA nodes with cores, 2 GPUs, a NIC and a PCIe node. */
static gv_host *
rich_host(void)
{
    for (unsigned seed = 1;; seed++) {
        gv_host *h = gv_random_host(seed);
        if (h->n_numa >= 2 && h->numa[0].n_cores >= 2 && h->n_gpus >= 2 && h->n_nics >= 1 &&
            h->n_pcie >= 2)
            return h;
        gv_host_free(h);
    }
}

static void
expect_caught(void (*corrupt)(gv_host *), const char *msg_part)
{
    gv_host *h = rich_host();
    gv_err err = {0};

    assert_int_equal(gv_host_check(h, NULL), 0);
    corrupt(h);
    assert_int_equal(gv_host_check(h, &err), -GV_E_INVAL);
    if (!strstr(err.msg, msg_part))
        fail_msg("want '%s' in '%s'", msg_part, err.msg);
    gv_host_free(h);
}

static void
dup_numa_id(gv_host *h)
{
    h->numa[1].id = h->numa[0].id;
}
static void
cpu_twice(gv_host *h)
{
    h->numa[1].cpus[0] = h->numa[0].cpus[0];
}
static void
bad_gpu_numa(gv_host *h)
{
    h->gpus[0].numa = 999;
}
static void
dup_pci(gv_host *h)
{
    strcpy(h->nics[0].pci, h->gpus[1].pci);
}
static void
bad_pci(gv_host *h)
{
    strcpy(h->gpus[0].pci, "0000:1:0.0");
}
static void
pcie_cycle(gv_host *h)
{
    /* find a non-root node and make its root point at it */
    for (size_t i = 0; i < h->n_pcie; i++) {
        if (h->pcie[i].parent >= 0) {
            int root = h->pcie[i].parent;
            while (h->pcie[root].parent >= 0)
                root = h->pcie[root].parent;
            h->pcie[root].kind = GV_PCIE_SWITCH;
            h->pcie[root].parent = (int)i;
            return;
        }
    }
}
static void
self_link(gv_host *h)
{
    gv_host_add_link(h, GV_LINK_NVLINK, 1, 1, 4);
}
static void
reserved_missing(gv_host *h)
{
    h->reserved_cpus = gv_realloc(h->reserved_cpus, sizeof(int));
    h->reserved_cpus[0] = 60000;
    h->n_reserved_cpus = 1;
}
static void
core_not_in_cpus(gv_host *h)
{
    h->numa[0].cores[0].threads[0] = 59999;
}
static void
vfs_without_sriov(gv_host *h)
{
    h->gpus[0].mode = GV_GPU_MODE_PASSTHROUGH;
    h->gpus[0].sriov_vfs = 4;
}
static void
instances_unsorted(gv_host *h)
{
    h->gpus[0].mode = GV_GPU_MODE_MIG;
    h->gpus[0].sriov_vfs = 0;
    h->gpus[0].n_instances = 2;
    h->gpus[0].instances[0] = (gv_gpu_instance){"1g.10gb", 4};
    h->gpus[0].instances[1] = (gv_gpu_instance){"3g.40gb", 0};
}
static void
instances_not_mig(gv_host *h)
{
    h->gpus[0].mode = GV_GPU_MODE_PASSTHROUGH;
    h->gpus[0].sriov_vfs = 0;
    h->gpus[0].n_instances = 1;
    h->gpus[0].instances[0] = (gv_gpu_instance){"7g.80gb", 0};
}
static void
labels_unsorted(gv_host *h)
{
    gv_host_set_label(h, "zz", "1");
    gv_host_set_label(h, "aa", "2");
}

static void
test_corruptions(void **state)
{
    (void)state;
    expect_caught(dup_numa_id, "ids not unique");
    expect_caught(cpu_twice, "not");
    expect_caught(bad_gpu_numa, "NUMA node 999 does not exist");
    expect_caught(dup_pci, "is used by two devices");
    expect_caught(bad_pci, "is not a canonical PCI address");
    expect_caught(pcie_cycle, "cycle");
    expect_caught(self_link, "linked to itself");
    expect_caught(reserved_missing, "reserved CPU 60000 is not a CPU of the host");
    expect_caught(core_not_in_cpus, "CPU 59999 of a core is not in cpus");
    expect_caught(vfs_without_sriov, "SR-IOV VFs but mode is passthrough");
    expect_caught(labels_unsorted, "labels not sorted");
    expect_caught(instances_unsorted, "MIG instances not ascending by start");
    expect_caught(instances_not_mig, "MIG instances but mode is passthrough");
}

static void
test_random_valid(void **state)
{
    (void)state;
    for (unsigned seed = 1; seed <= 1000; seed++) {
        gv_host *h = gv_random_host(seed);
        gv_err err = {0};
        if (gv_host_check(h, &err) < 0)
            fail_msg("seed %u: %s", seed, err.msg);
        gv_host *c = gv_host_copy(h, "copy");
        assert_int_equal(gv_host_check(c, NULL), 0);
        gv_host_free(c);
        gv_host_free(h);
    }
}

static void
test_fleet_check(void **state)
{
    gv_fleet *f = gv_fleet_new();
    gv_host *h = gv_random_host(3);
    gv_err err = {0};
    (void)state;

    gv_host_set_str(&h->pool, "nosuch");
    gv_fleet_set_pool(f, "training");
    assert_int_equal(gv_fleet_add_host(f, h, NULL), 0);
    assert_int_equal(gv_fleet_check(f, &err), -GV_E_INVAL);
    assert_string_equal(err.msg, "host host-3: pool 'nosuch' is not defined in the fleet");
    gv_host_set_str(&h->pool, "training");
    assert_int_equal(gv_fleet_check(f, NULL), 0);
    gv_host *dup = gv_host_copy(h, NULL);
    /* refused: the host stays the caller's */
    assert_int_equal(gv_fleet_add_host(f, dup, &err), -GV_E_CONFLICT);
    assert_int_equal(f->n_hosts, 1);
    gv_host_free(dup);
    gv_fleet_free(f);
}

/* The fleet's name index against a linear reference, through growth, staleness and renames. */
static void
test_fleet_name_index(void **state)
{
    gv_fleet *f = gv_fleet_new();
    char name[32];
    gv_err err = {0};
    (void)state;

    for (int i = 0; i < 3000; i++) {
        snprintf(name, sizeof(name), "n%d", (i * 7919) % 3000);
        assert_int_equal(gv_fleet_add_host(f, gv_host_new(name), NULL), 0);
    }
    for (int i = 0; i < 3100; i++) {
        gv_host *ref = NULL;
        snprintf(name, sizeof(name), "n%d", i);
        for (size_t k = 0; k < f->n_hosts; k++)
            if (!strcmp(f->hosts[k]->name, name))
                ref = f->hosts[k];
        assert_ptr_equal(gv_fleet_find_host(f, name), ref);
    }
    /* duplicates refused, the fleet unchanged */
    gv_host *dup = gv_host_new("n42");
    assert_int_equal(gv_fleet_add_host(f, dup, &err), -GV_E_CONFLICT);
    assert_int_equal(f->n_hosts, 3000);
    gv_host_free(dup);
    assert_int_equal(gv_fleet_check(f, NULL), 0);

    /* hosts taken out behind the index's back: lookups stay right, the next add rebuilds */
    gv_host *last = f->hosts[--f->n_hosts];
    assert_null(gv_fleet_find_host(f, last->name));
    assert_non_null(gv_fleet_find_host(f, f->hosts[0]->name));
    assert_int_equal(gv_fleet_add_host(f, last, NULL), 0);
    assert_ptr_equal(gv_fleet_find_host(f, last->name), last);

    /* a rename in place is reported */
    gv_err_clear(&err);
    gv_host_set_str(&f->hosts[5]->name, "renamed");
    assert_int_equal(gv_fleet_check(f, &err), -GV_E_INTERNAL);
    assert_string_equal(err.msg, "host renamed: renamed while in the fleet (names are indexed)");
    gv_fleet_free(f);
}

/* The checker's canonical-address test agrees with "normalising gives the same string". */
static void
test_canonical_pci_property(void **state)
{
    static const char alphabet[] = "0123456789abcdefABF:.x";
    gv_host *h = gv_host_new("p");
    gv_gpu *g = gv_host_add_gpu(h);
    (void)state;

    gv_rand_state = 7;
    for (int iter = 0; iter < 200000; iter++) {
        char s[GV_PCI_ADDR_LEN], canon[GV_PCI_ADDR_LEN];
        /* mostly near-canonical strings: "dddd:bb:dd.f" with a few characters changed */
        strcpy(s, "0000:18:00.0");
        for (int k = (int)(gv_rand() % 4); k > 0; k--)
            s[gv_rand() % 12] = alphabet[gv_rand() % (sizeof(alphabet) - 1)];
        if (gv_rand() % 8 == 0)
            s[gv_rand() % 13] = '\0';
        strcpy(g->pci, s);
        bool want = gv_pci_addr_normalize(s, canon, NULL) == 0 && !strcmp(canon, s);
        if ((gv_host_check(h, NULL) == 0) != want)
            fail_msg("'%s': checker says %s, normaliser says %s", s, want ? "bad" : "good",
                     want ? "good" : "bad");
    }
    gv_host_free(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_valid),
        cmocka_unit_test(test_corruptions),
        cmocka_unit_test(test_fleet_check),
        cmocka_unit_test(test_fleet_name_index),
        cmocka_unit_test(test_canonical_pci_property),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
