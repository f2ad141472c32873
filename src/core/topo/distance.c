/*
 * distance.c - device-to-device distance classes and GPU interconnect islands.
 *
 * The classes follow `nvidia-smi topo -m`: two devices under one PCIe switch (or two functions
 * of one card under a root port) are PIX; a common switch further up is PXB; a common host
 * bridge is PHB; different host bridges of one NUMA node are NODE; anything else, including
 * unknown locality, is SYS. A direct NVLink/xGMI edge, or both GPUs on one NVSwitch fabric,
 * is NV, which ranks nearest after the device itself.
 */
#include <stdlib.h>

#include "gpuvm/topo.h"

static void
dev_loc(const gv_host *h, gv_dev_ref d, int *ret_parent, int *ret_numa)
{
    *ret_parent = -1;
    *ret_numa = GV_NUMA_UNKNOWN;
    switch (d.kind) {
    case GV_DEV_GPU:
        if (d.index >= 0 && (size_t)d.index < h->n_gpus) {
            *ret_parent = h->gpus[d.index].pcie_parent;
            *ret_numa = h->gpus[d.index].numa;
        }
        break;
    case GV_DEV_NIC:
        if (d.index >= 0 && (size_t)d.index < h->n_nics) {
            *ret_parent = h->nics[d.index].pcie_parent;
            *ret_numa = h->nics[d.index].numa;
        }
        break;
    case GV_DEV_NVME:
        if (d.index >= 0 && (size_t)d.index < h->n_nvme) {
            *ret_parent = h->nvme[d.index].pcie_parent;
            *ret_numa = h->nvme[d.index].numa;
        }
        break;
    default:
        break;
    }
}

int
gv_host_gpu_link_count(const gv_host *h, int a, int b)
{
    int direct = 0, fab_a = -1, fab_b = -1;

    if (a == b)
        return 0;
    for (size_t i = 0; i < h->n_links; i++) {
        const gv_link *l = &h->links[i];
        int c = l->count > 0 ? l->count : 1;
        if ((l->a == a && l->b == b) || (l->a == b && l->b == a))
            direct += c;
        else if (l->b == -1 && l->a == a)
            fab_a = fab_a < 0 ? c : fab_a + c;
        else if (l->b == -1 && l->a == b)
            fab_b = fab_b < 0 ? c : fab_b + c;
    }
    if (direct)
        return direct;
    if (fab_a > 0 && fab_b > 0)
        return fab_a < fab_b ? fab_a : fab_b;
    return 0;
}

gv_dist
gv_host_distance(const gv_host *h, gv_dev_ref a, gv_dev_ref b)
{
    int pa, pb, na, nb;

    if (a.kind == b.kind && a.index == b.index)
        return GV_DIST_SELF;
    if (a.kind == GV_DEV_GPU && b.kind == GV_DEV_GPU && gv_host_gpu_link_count(h, a.index, b.index))
        return GV_DIST_NVLINK;
    dev_loc(h, a, &pa, &na);
    dev_loc(h, b, &pb, &nb);

    if (pa >= 0 && pb >= 0) {
        if (pa == pb)
            return h->pcie[pa].kind == GV_PCIE_HOSTBRIDGE ? GV_DIST_PHB : GV_DIST_PIX;
        /* lowest common ancestor: walk a's chain, test each against b's chain */
        for (int x = pa; x >= 0; x = h->pcie[x].parent) {
            for (int y = pb; y >= 0; y = h->pcie[y].parent) {
                if (x != y)
                    continue;
                if (h->pcie[x].kind == GV_PCIE_HOSTBRIDGE)
                    return GV_DIST_PHB;
                return GV_DIST_PXB;
            }
        }
        /* different roots: a device's locality falls back to its root's when unknown */
        if (na == GV_NUMA_UNKNOWN) {
            int r = pa;
            while (h->pcie[r].parent >= 0)
                r = h->pcie[r].parent;
            na = h->pcie[r].numa;
        }
        if (nb == GV_NUMA_UNKNOWN) {
            int r = pb;
            while (h->pcie[r].parent >= 0)
                r = h->pcie[r].parent;
            nb = h->pcie[r].numa;
        }
    }
    if (na != GV_NUMA_UNKNOWN && na == nb)
        return GV_DIST_NODE;
    return GV_DIST_SYS;
}

static int
uf_find(int *parent, int x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

static void
uf_join(int *parent, int a, int b)
{
    a = uf_find(parent, a);
    b = uf_find(parent, b);
    if (a != b)
        parent[a < b ? b : a] = a < b ? a : b;
}

int
gv_host_gpu_islands(const gv_host *h, int *ret)
{
    GV_AUTOFREE int *parent = gv_calloc(h->n_gpus + 1, sizeof(int));
    int fabric[GV_LINK_KIND_LAST];
    int n_islands = 0;

    for (size_t i = 0; i < h->n_gpus; i++)
        parent[i] = (int)i;
    for (int k = 0; k < GV_LINK_KIND_LAST; k++)
        fabric[k] = -1;
    for (size_t i = 0; i < h->n_links; i++) {
        const gv_link *l = &h->links[i];
        if (l->a < 0 || (size_t)l->a >= h->n_gpus)
            continue;
        if (l->b >= 0 && (size_t)l->b < h->n_gpus) {
            uf_join(parent, l->a, l->b);
        } else if (l->b == -1) {
            if (fabric[l->kind] < 0)
                fabric[l->kind] = l->a;
            else
                uf_join(parent, fabric[l->kind], l->a);
        }
    }
    /* number islands 0.. in order of their first GPU */
    for (size_t i = 0; i < h->n_gpus; i++)
        ret[i] = -1;
    for (size_t i = 0; i < h->n_gpus; i++) {
        int root = uf_find(parent, (int)i);
        if (ret[root] < 0)
            ret[root] = n_islands++;
        ret[i] = ret[root];
    }
    return n_islands;
}
