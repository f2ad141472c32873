/*
 * random_host.h - build random but valid hosts for property tests: 1-4 NUMA nodes (some
 * memory-only), SMT cores, a PCIe tree of host bridges, root ports and nested switches, GPUs,
 * NICs and NVMe under random parents, NVLink edges and fabrics, labels and reserved CPUs.
 */
#ifndef GV_TEST_RANDOM_HOST_H
#define GV_TEST_RANDOM_HOST_H

#include <stdio.h>
#include <stdlib.h>

#include "gpuvm/topo.h"

static unsigned gv_rand_state = 1;

static inline unsigned
gv_rand(void)
{
    gv_rand_state = gv_rand_state * 1103515245u + 12345u;
    return (gv_rand_state >> 16) & 0x7fff;
}

static inline int
gv_rand_numa(const gv_host *h)
{
    if (gv_rand() % 5 == 0)
        return GV_NUMA_UNKNOWN;
    return h->numa[gv_rand() % h->n_numa].id;
}

static inline gv_host *
gv_random_host(unsigned seed)
{
    char name[32], pci[GV_PCI_ADDR_LEN];
    int cpu = 0, bus = 1;
    gv_host *h;
    int n_numa;

    gv_rand_state = seed * 2654435761u + 1;
    snprintf(name, sizeof(name), "host-%u", seed);
    h = gv_host_new(name);
    gv_host_set_str(&h->pool, gv_rand() % 2 ? "training" : "");
    gv_host_set_str(&h->zone, gv_rand() % 2 ? "zone-a" : "zone-b");
    h->state = (gv_host_state)(gv_rand() % GV_HOST_STATE_LAST);
    h->reconfigurable = gv_rand() % 2;
    h->mig_fixed = gv_rand() % 3 == 0;
    if (gv_rand() % 2)
        gv_host_set_label(h, "rack", "r1");
    if (gv_rand() % 2)
        gv_host_set_label(h, "class", "gpu");

    n_numa = 1 + (int)(gv_rand() % 4);
    for (int i = 0, id = 0; i < n_numa; i++, id += 1 + (int)(gv_rand() % 3)) {
        gv_numa *n = gv_host_add_numa(h, id);
        int cores = (i > 0 && gv_rand() % 4 == 0) ? 0 : 1 + (int)(gv_rand() % 6);
        int smt = 1 + (int)(gv_rand() % 2);
        if (gv_rand() % 3)
            n->memory_mib = 1024 * (1 + gv_rand() % 64);
        if (gv_rand() % 3)
            n->hugepages_1g = gv_rand() % 16;
        for (int c = 0; c < cores; c++) {
            int t[2] = {cpu, cpu + 1000};
            gv_numa_add_core(n, t, smt);
            cpu++;
        }
    }
    if (cpu > 0 && gv_rand() % 2) {
        h->reserved_cpus = gv_calloc(1, sizeof(int));
        h->reserved_cpus[0] = 0;
        h->n_reserved_cpus = 1;
    }
    gv_package *p = gv_host_add_package(h, 0);
    p->numa = gv_calloc(1, sizeof(int));
    p->numa[0] = h->numa[0].id;
    p->n_numa = 1;

    /* PCIe tree: one host bridge per NUMA node (plus an unknown-locality one sometimes) */
    int n_hb = n_numa + (gv_rand() % 2);
    for (int i = 0; i < n_hb; i++) {
        char hb[16];
        snprintf(hb, sizeof(hb), "hb%d", i);
        int hbi = gv_host_add_pcie(h, hb, GV_PCIE_HOSTBRIDGE, -1,
                                   i < n_numa ? h->numa[i].id : GV_NUMA_UNKNOWN);
        int rp_n = 1 + (int)(gv_rand() % 2);
        for (int r = 0; r < rp_n; r++) {
            snprintf(pci, sizeof(pci), "0000:%02x:00.0", bus++);
            int rp = gv_host_add_pcie(h, pci, GV_PCIE_ROOTPORT, hbi, h->pcie[hbi].numa);
            int parent = rp;
            int depth = (int)(gv_rand() % 3);
            for (int d = 0; d < depth; d++) {
                snprintf(pci, sizeof(pci), "0000:%02x:00.0", bus++);
                parent = gv_host_add_pcie(h, pci, GV_PCIE_SWITCH, parent, h->pcie[hbi].numa);
            }
        }
    }
    int n_gpus = (int)(gv_rand() % 9);
    for (int i = 0; i < n_gpus; i++) {
        gv_gpu *g = gv_host_add_gpu(h);
        snprintf(g->pci, sizeof(g->pci), "0000:%02x:00.0", bus++);
        g->vendor_id = 0x10de;
        g->device_id = 0x2330;
        g->numa = gv_rand_numa(h);
        g->pcie_parent = gv_rand() % 6 ? (int)(gv_rand() % h->n_pcie) : -1;
        g->mode = (gv_gpu_mode)(gv_rand() % GV_GPU_MODE_LAST);
        if (g->mode == GV_GPU_MODE_SRIOV)
            g->sriov_vfs = 1 + (int)(gv_rand() % 8);
        if (g->mode == GV_GPU_MODE_MIG) {
            /* the topology model only requires ascending, distinct starts */
            g->n_instances = (int)(gv_rand() % 4);
            for (int k = 0; k < g->n_instances; k++) {
                snprintf(g->instances[k].profile, sizeof(g->instances[k].profile), "%dg.x", k + 1);
                g->instances[k].start = 2 * k + (int)(gv_rand() % 2);
            }
        }
    }
    int n_nics = (int)(gv_rand() % 5);
    for (int i = 0; i < n_nics; i++) {
        gv_nic *c = gv_host_add_nic(h);
        snprintf(c->pci, sizeof(c->pci), "0000:%02x:00.%d", bus, i % 2);
        if (i % 2)
            bus++;
        c->vendor_id = 0x15b3;
        c->numa = gv_rand_numa(h);
        c->pcie_parent = (int)(gv_rand() % h->n_pcie);
        c->sriov_vfs = gv_rand() % 2 ? 8 : 0;
        if (gv_rand() % 2)
            c->speed_mbps = 200000;
        snprintf(c->name, sizeof(c->name), "mlx5_%d", i);
    }
    bus++;
    if (gv_rand() % 2) {
        gv_nvme *d = gv_host_add_nvme(h);
        snprintf(d->pci, sizeof(d->pci), "0000:%02x:00.0", bus++);
        d->numa = gv_rand_numa(h);
        d->pcie_parent = (int)(gv_rand() % h->n_pcie);
        d->capacity_gib = 3840;
    }
    if (n_gpus >= 2) {
        if (gv_rand() % 2) {
            for (int i = 0; i < n_gpus; i++)
                gv_host_add_link(h, GV_LINK_NVLINK, i, -1, 18);
        } else {
            gv_host_add_link(h, GV_LINK_NVLINK, 0, 1, 4);
        }
    }
    gv_host_sort(h);
    return h;
}

#endif
