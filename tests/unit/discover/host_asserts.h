/*
 * host_asserts.h - assertions on loaded hosts that the loader tests (hwloc, NCCL) share: one
 * PCIe node, GPU or NIC compared field by field, so a failure names the field that differs, and
 * a NUMA node's CPUs as text.
 */
#ifndef GV_TEST_HOST_ASSERTS_H
#define GV_TEST_HOST_ASSERTS_H

#include "gpuvm/topo.h"
#include "util/cpulist.h"

/* A NUMA node's CPUs as a list ("0-3,8"); caller frees. */
static inline char *
cpus_str(const gv_numa *n)
{
    gv_strbuf sb = {0};

    gv_cpulist_format(&sb, n->cpus, n->n_cpus);
    return gv_strbuf_steal(&sb);
}

static inline void
assert_pcie(const gv_host *h, size_t i, const char *name, gv_pcie_kind kind, int parent, int numa)
{
    assert_string_equal(h->pcie[i].name, name);
    assert_int_equal(h->pcie[i].kind, kind);
    assert_int_equal(h->pcie[i].parent, parent);
    assert_int_equal(h->pcie[i].numa, numa);
}

/* GPU @i as a loader leaves it: model unresolved, whole-device mode. */
static inline void
assert_gpu(const gv_host *h, size_t i, const char *pci, unsigned vendor, unsigned device, int numa,
           const char *parent)
{
    const gv_gpu *g = &h->gpus[i];

    assert_string_equal(g->pci, pci);
    assert_int_equal(g->vendor_id, vendor);
    assert_int_equal(g->device_id, device);
    assert_int_equal(g->numa, numa);
    assert_int_equal(g->pcie_parent, gv_host_find_pcie(h, parent));
    assert_string_equal(g->model, "unknown");
    assert_int_equal(g->mode, GV_GPU_MODE_PASSTHROUGH);
    assert_int_equal(g->sriov_vfs, 0);
}

static inline void
assert_nic_full(const gv_host *h, size_t i, const char *pci, unsigned vendor, unsigned device,
                int numa, const char *parent, const char *name, int vfs, int64_t speed)
{
    const gv_nic *c = &h->nics[i];

    assert_string_equal(c->pci, pci);
    assert_int_equal(c->vendor_id, vendor);
    assert_int_equal(c->device_id, device);
    assert_int_equal(c->numa, numa);
    assert_int_equal(c->pcie_parent, gv_host_find_pcie(h, parent));
    assert_string_equal(c->name, name);
    assert_int_equal(c->speed_mbps, speed);
    assert_int_equal(c->sriov_vfs, vfs);
}

#endif
