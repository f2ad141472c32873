/*
 * host_check.c - the fleet model's invariant checker (invariants 1-7 of topo.h).
 *
 * Loaders run it before handing a host over; tests run it after every mutation. It reports the
 * first violation with the host name and the offending element.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpuvm/topo.h"

/* Errors name the host in the message; the caller's location (file, line) goes in "where". */
#define HOST_ERR(h, err, fmt, ...)                                                                 \
    gv_err_set(err, GV_E_INVAL, NULL, "host %s: " fmt, (h)->name[0] ? (h)->name : "(unnamed)",     \
               ##__VA_ARGS__)

static int
cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool
bit_test(const uint8_t *bits, int i)
{
    return bits[i / 8] & (1u << (i % 8));
}

static bool
numa_ok(const gv_host *h, int numa)
{
    return numa == GV_NUMA_UNKNOWN || gv_host_find_numa(h, numa) >= 0;
}

/* "dddd:bb:dd.f" in lower case, device <= 0x1f, function <= 7: what gv_pci_addr_normalize
 * writes, tested directly (this runs for every device of every host checked). */
static bool
pci_is_canonical(const char *s)
{
    static const char shape[] = "hhhh:hh:hh.h";

    for (size_t i = 0; i < sizeof(shape); i++) {
        char c = s[i];
        if (shape[i] == 'h' ? !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) : c != shape[i])
            return false;
    }
    return s[8] <= '1' && s[11] <= '7';
}

/* The first string of @v (n entries) that appears twice, or NULL. Sorts @v. */
static const char *
first_duplicate(const char **v, size_t n)
{
    if (n > 1)
        qsort(v, n, sizeof(*v), cmp_str);
    for (size_t i = 1; i < n; i++)
        if (!strcmp(v[i - 1], v[i]))
            return v[i];
    return NULL;
}

static int
check_pci(const gv_host *h, const char *what, size_t i, const char *pci, int numa, int parent,
          gv_err *err)
{
    if (!pci_is_canonical(pci))
        return HOST_ERR(h, err, "%s %zu: '%s' is not a canonical PCI address", what, i, pci);
    if (!numa_ok(h, numa))
        return HOST_ERR(h, err, "%s %s: NUMA node %d does not exist", what, pci, numa);
    if (parent < -1 || parent >= (int)h->n_pcie)
        return HOST_ERR(h, err, "%s %s: PCIe parent %d out of range", what, pci, parent);
    return 0;
}

static int
check_numa(const gv_host *h, gv_err *err)
{
    GV_AUTOFREE uint8_t *bits = NULL;
    int max_cpu = 0;

    for (size_t i = 0; i < h->n_numa; i++) {
        const gv_numa *n = &h->numa[i];
        size_t in_cores = 0;

        if (n->id < 0)
            return HOST_ERR(h, err, "NUMA node index %zu has negative id %d", i, n->id);
        if (i > 0 && h->numa[i - 1].id >= n->id)
            return HOST_ERR(h, err, "NUMA node %d: ids not unique or not ascending", n->id);
        if (n->memory_mib < GV_UNKNOWN || n->hugepages_2m < GV_UNKNOWN ||
            n->hugepages_1g < GV_UNKNOWN)
            return HOST_ERR(h, err, "NUMA node %d: negative memory or hugepage count", n->id);
        if (!n->cores_known && n->n_cores)
            return HOST_ERR(h, err, "NUMA node %d: cores listed but marked unknown", n->id);
        for (size_t k = 0; k < n->n_cpus; k++) {
            if (n->cpus[k] < 0)
                return HOST_ERR(h, err, "NUMA node %d: negative CPU id", n->id);
            if (k > 0 && n->cpus[k - 1] >= n->cpus[k])
                return HOST_ERR(h, err, "NUMA node %d: cpus not ascending or repeated", n->id);
            if (n->cpus[k] > max_cpu)
                max_cpu = n->cpus[k];
        }
        for (size_t c = 0; c < n->n_cores; c++) {
            const gv_core *core = &n->cores[c];
            if (core->n_threads < 1 || core->n_threads > GV_MAX_THREADS_PER_CORE)
                return HOST_ERR(h, err, "NUMA node %d: core %zu has %d threads", n->id, c,
                                core->n_threads);
            for (int t = 0; t < core->n_threads; t++) {
                if (t > 0 && core->threads[t - 1] >= core->threads[t])
                    return HOST_ERR(h, err, "NUMA node %d: core %zu threads not ascending", n->id,
                                    c);
                /* cpus were checked ascending above */
                if (!n->n_cpus ||
                    !bsearch(&core->threads[t], n->cpus, n->n_cpus, sizeof(int), cmp_int))
                    return HOST_ERR(h, err, "NUMA node %d: CPU %d of a core is not in cpus", n->id,
                                    core->threads[t]);
            }
            in_cores += (size_t)core->n_threads;
        }
        if (n->cores_known && in_cores != n->n_cpus)
            return HOST_ERR(h, err, "NUMA node %d: cpus (%zu) are not the union of its cores (%zu)",
                            n->id, n->n_cpus, in_cores);
    }
    /* every CPU in one node only: a bitmap over 0..max (cpus of a node are ascending) */
    bits = gv_calloc((size_t)max_cpu / 8 + 1, 1);
    for (size_t i = 0; i < h->n_numa; i++) {
        for (size_t k = 0; k < h->numa[i].n_cpus; k++) {
            int c = h->numa[i].cpus[k];
            if (bit_test(bits, c))
                return HOST_ERR(h, err, "CPU %d belongs to more than one NUMA node", c);
            bits[c / 8] |= (uint8_t)(1u << (c % 8));
        }
    }
    for (size_t k = 0; k < h->n_reserved_cpus; k++) {
        int c = h->reserved_cpus[k];
        if (c < 0 || c > max_cpu || !bit_test(bits, c))
            return HOST_ERR(h, err, "reserved CPU %d is not a CPU of the host", c);
    }
    for (size_t i = 0; i < h->n_packages; i++)
        for (size_t k = 0; k < h->packages[i].n_numa; k++)
            if (gv_host_find_numa(h, h->packages[i].numa[k]) < 0)
                return HOST_ERR(h, err, "package %d: NUMA node %d does not exist",
                                h->packages[i].id, h->packages[i].numa[k]);
    return 0;
}

static int
check_pcie(const gv_host *h, gv_err *err)
{
    for (size_t i = 0; i < h->n_pcie; i++) {
        const gv_pcie_node *p = &h->pcie[i];
        size_t steps = 0;

        if (!p->name[0])
            return HOST_ERR(h, err, "PCIe node %zu has no name", i);
        if ((unsigned)p->kind >= GV_PCIE_KIND_LAST)
            return HOST_ERR(h, err, "PCIe node %s: invalid kind", p->name);
        if (!numa_ok(h, p->numa))
            return HOST_ERR(h, err, "PCIe node %s: NUMA node %d does not exist", p->name, p->numa);
        if (p->parent < -1 || p->parent >= (int)h->n_pcie)
            return HOST_ERR(h, err, "PCIe node %s: parent %d out of range", p->name, p->parent);
        if (p->kind == GV_PCIE_HOSTBRIDGE && p->parent != -1)
            return HOST_ERR(h, err, "PCIe node %s: a host bridge has no parent", p->name);
        for (int q = p->parent; q >= 0; q = h->pcie[q].parent)
            if (++steps > h->n_pcie)
                return HOST_ERR(h, err, "PCIe node %s: parent chain has a cycle", p->name);
    }
    if (h->n_pcie > 1) {
        GV_AUTOFREE const char **names = gv_calloc(h->n_pcie, sizeof(*names));
        const char *dup;
        for (size_t i = 0; i < h->n_pcie; i++)
            names[i] = h->pcie[i].name;
        if ((dup = first_duplicate(names, h->n_pcie)))
            return HOST_ERR(h, err, "PCIe node %s appears twice", dup);
    }
    return 0;
}

static int
check_devices(const gv_host *h, gv_err *err)
{
    const char **addrs = gv_calloc(h->n_gpus + h->n_nics + h->n_nvme + 1, sizeof(char *));
    const char *dup;
    size_t n = 0;
    int r = 0;

    for (size_t i = 0; i < h->n_gpus && r == 0; i++) {
        const gv_gpu *g = &h->gpus[i];
        r = check_pci(h, "GPU", i, g->pci, g->numa, g->pcie_parent, err);
        if (r == 0 && (unsigned)g->mode >= GV_GPU_MODE_LAST)
            r = HOST_ERR(h, err, "GPU %s: invalid mode", g->pci);
        if (r == 0 && (g->sriov_vfs < 0 || (g->sriov_vfs > 0 && g->mode != GV_GPU_MODE_SRIOV)))
            r = HOST_ERR(h, err, "GPU %s: %d SR-IOV VFs but mode is %s", g->pci, g->sriov_vfs,
                         gv_gpu_mode_to_string(g->mode));
        if (r == 0 && !g->model[0])
            r = HOST_ERR(h, err, "GPU %s: empty model (use \"unknown\")", g->pci);
        if (r == 0 && (g->n_instances < 0 || g->n_instances > GV_GPU_MAX_INSTANCES))
            r = HOST_ERR(h, err, "GPU %s: %d MIG instances (0..%d)", g->pci, g->n_instances,
                         GV_GPU_MAX_INSTANCES);
        if (r == 0 && g->n_instances > 0 && g->mode != GV_GPU_MODE_MIG)
            r = HOST_ERR(h, err, "GPU %s: MIG instances but mode is %s", g->pci,
                         gv_gpu_mode_to_string(g->mode));
        for (int k = 0; r == 0 && k < g->n_instances; k++) {
            const gv_gpu_instance *gi = &g->instances[k];
            if (!gi->profile[0] || !memchr(gi->profile, '\0', sizeof(gi->profile)))
                r = HOST_ERR(h, err, "GPU %s: MIG instance %d has no profile", g->pci, k);
            else if (gi->start < 0 || gi->start >= 32)
                r = HOST_ERR(h, err, "GPU %s: MIG instance %s starts at %d", g->pci, gi->profile,
                             gi->start);
            else if (k > 0 && g->instances[k - 1].start >= gi->start)
                r = HOST_ERR(h, err,
                             "GPU %s: MIG instances not ascending by start, or two at one start",
                             g->pci);
        }
        addrs[n++] = g->pci;
    }
    for (size_t i = 0; i < h->n_nics && r == 0; i++) {
        const gv_nic *c = &h->nics[i];
        r = check_pci(h, "NIC", i, c->pci, c->numa, c->pcie_parent, err);
        if (r == 0 && c->sriov_vfs < 0)
            r = HOST_ERR(h, err, "NIC %s: negative VF count", c->pci);
        addrs[n++] = c->pci;
    }
    for (size_t i = 0; i < h->n_nvme && r == 0; i++) {
        r = check_pci(h, "NVMe", i, h->nvme[i].pci, h->nvme[i].numa, h->nvme[i].pcie_parent, err);
        addrs[n++] = h->nvme[i].pci;
    }
    if (r == 0 && (dup = first_duplicate(addrs, n)))
        r = HOST_ERR(h, err, "PCI address %s is used by two devices", dup);
    free(addrs);
    return r;
}

static int
check_links(const gv_host *h, gv_err *err)
{
    for (size_t i = 0; i < h->n_links; i++) {
        const gv_link *l = &h->links[i];
        if ((unsigned)l->kind >= GV_LINK_KIND_LAST)
            return HOST_ERR(h, err, "link %zu: invalid kind", i);
        if (l->a < 0 || l->a >= (int)h->n_gpus || l->b < -1 || l->b >= (int)h->n_gpus)
            return HOST_ERR(h, err, "link %zu: GPU index out of range", i);
        if (l->a == l->b)
            return HOST_ERR(h, err, "link %zu: GPU %s linked to itself", i, h->gpus[l->a].pci);
        if (l->count < 0)
            return HOST_ERR(h, err, "link %zu: negative link count", i);
    }
    return 0;
}

int
gv_host_check(const gv_host *h, gv_err *err)
{
    int r;

    if (!h->name || !h->pool || !h->zone || !h->hypervisor_uri || !h->datastore)
        return HOST_ERR(h, err, "a string attribute is NULL");
    if ((unsigned)h->state >= GV_HOST_STATE_LAST)
        return HOST_ERR(h, err, "invalid state");
    for (size_t i = 0; i < h->n_labels; i++) {
        if (!h->labels[i].key[0])
            return HOST_ERR(h, err, "label with an empty key");
        if (i > 0 && strcmp(h->labels[i - 1].key, h->labels[i].key) >= 0)
            return HOST_ERR(h, err, "labels not sorted or key '%s' repeated", h->labels[i].key);
    }
    if ((r = check_numa(h, err)) < 0 || (r = check_pcie(h, err)) < 0 ||
        (r = check_devices(h, err)) < 0 || (r = check_links(h, err)) < 0)
        return r;
    return 0;
}
