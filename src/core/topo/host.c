/*
 * host.c - building, copying, ordering and querying one gv_host.
 *
 * Loaders append elements with the gv_host_add_* builders, then call gv_host_sort to put the
 * host in canonical order and gv_host_check to verify it before anyone else sees it.
 */
#include <stdlib.h>
#include <string.h>

#include "gpuvm/topo.h"

gv_host *
gv_host_new(const char *name)
{
    gv_host *h = GV_NEW0(gv_host);

    h->name = gv_strdup(name ? name : "");
    h->pool = gv_strdup("");
    h->zone = gv_strdup("");
    h->hypervisor_uri = gv_strdup("");
    h->datastore = gv_strdup("");
    h->state = GV_HOST_READY;
    return h;
}

void
gv_host_free(gv_host *h)
{
    if (!h)
        return;
    free(h->name);
    free(h->pool);
    free(h->zone);
    free(h->hypervisor_uri);
    free(h->datastore);
    for (size_t i = 0; i < h->n_labels; i++) {
        free(h->labels[i].key);
        free(h->labels[i].value);
    }
    free(h->labels);
    free(h->reserved_cpus);
    for (size_t i = 0; i < h->n_numa; i++) {
        free(h->numa[i].cores);
        free(h->numa[i].cpus);
    }
    free(h->numa);
    for (size_t i = 0; i < h->n_packages; i++)
        free(h->packages[i].numa);
    free(h->packages);
    free(h->pcie);
    free(h->gpus);
    free(h->nics);
    free(h->nvme);
    free(h->links);
    free(h);
}

static void *
dup_array(const void *src, size_t n, size_t elem)
{
    void *d;

    if (n == 0 || !src)
        return NULL;
    d = gv_reallocarray(NULL, n, elem);
    memcpy(d, src, n * elem);
    return d;
}

gv_host *
gv_host_copy(const gv_host *h, const char *name)
{
    gv_host *c = GV_NEW0(gv_host);

    *c = *h;
    c->name = gv_strdup(name ? name : h->name);
    c->pool = gv_strdup(h->pool);
    c->zone = gv_strdup(h->zone);
    c->hypervisor_uri = gv_strdup(h->hypervisor_uri);
    c->datastore = gv_strdup(h->datastore);
    c->labels = dup_array(h->labels, h->n_labels, sizeof(*h->labels));
    for (size_t i = 0; i < h->n_labels; i++) {
        c->labels[i].key = gv_strdup(h->labels[i].key);
        c->labels[i].value = gv_strdup(h->labels[i].value);
    }
    c->reserved_cpus = dup_array(h->reserved_cpus, h->n_reserved_cpus, sizeof(int));
    c->numa = dup_array(h->numa, h->n_numa, sizeof(*h->numa));
    for (size_t i = 0; i < h->n_numa; i++) {
        c->numa[i].cores = dup_array(h->numa[i].cores, h->numa[i].n_cores, sizeof(gv_core));
        c->numa[i].cpus = dup_array(h->numa[i].cpus, h->numa[i].n_cpus, sizeof(int));
    }
    c->packages = dup_array(h->packages, h->n_packages, sizeof(*h->packages));
    for (size_t i = 0; i < h->n_packages; i++)
        c->packages[i].numa = dup_array(h->packages[i].numa, h->packages[i].n_numa, sizeof(int));
    c->pcie = dup_array(h->pcie, h->n_pcie, sizeof(*h->pcie));
    c->gpus = dup_array(h->gpus, h->n_gpus, sizeof(*h->gpus));
    c->nics = dup_array(h->nics, h->n_nics, sizeof(*h->nics));
    c->nvme = dup_array(h->nvme, h->n_nvme, sizeof(*h->nvme));
    c->links = dup_array(h->links, h->n_links, sizeof(*h->links));
    return c;
}

void
gv_host_set_str(char **field, const char *value)
{
    free(*field);
    *field = gv_strdup(value ? value : "");
}

gv_numa *
gv_host_add_numa(gv_host *h, int id)
{
    gv_numa *n = GV_ARRAY_APPEND(h->numa, h->n_numa);

    n->id = id;
    n->cores_known = true;
    n->memory_mib = GV_UNKNOWN;
    n->hugepages_2m = GV_UNKNOWN;
    n->hugepages_1g = GV_UNKNOWN;
    return n;
}

static int
cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

void
gv_numa_add_core(gv_numa *n, const int *threads, int n_threads)
{
    gv_core *c = GV_ARRAY_APPEND(n->cores, n->n_cores);

    if (n_threads > GV_MAX_THREADS_PER_CORE)
        n_threads = GV_MAX_THREADS_PER_CORE;
    c->n_threads = n_threads;
    if (n_threads > 0)
        memcpy(c->threads, threads, (size_t)n_threads * sizeof(int));
    if (n_threads > 1)
        qsort(c->threads, (size_t)n_threads, sizeof(int), cmp_int);
    for (int i = 0; i < n_threads; i++)
        *GV_ARRAY_APPEND(n->cpus, n->n_cpus) = c->threads[i];
}

gv_package *
gv_host_add_package(gv_host *h, int id)
{
    gv_package *p = GV_ARRAY_APPEND(h->packages, h->n_packages);

    p->id = id;
    return p;
}

int
gv_host_add_pcie(gv_host *h, const char *name, gv_pcie_kind kind, int parent, int numa)
{
    gv_pcie_node *p = GV_ARRAY_APPEND(h->pcie, h->n_pcie);

    strncpy(p->name, name, sizeof(p->name) - 1);
    p->kind = kind;
    p->parent = parent;
    p->numa = numa;
    return (int)h->n_pcie - 1;
}

gv_gpu *
gv_host_add_gpu(gv_host *h)
{
    gv_gpu *g = GV_ARRAY_APPEND(h->gpus, h->n_gpus);

    g->numa = GV_NUMA_UNKNOWN;
    g->pcie_parent = -1;
    g->mode = GV_GPU_MODE_PASSTHROUGH;
    strcpy(g->model, "unknown");
    return g;
}

gv_nic *
gv_host_add_nic(gv_host *h)
{
    gv_nic *n = GV_ARRAY_APPEND(h->nics, h->n_nics);

    n->numa = GV_NUMA_UNKNOWN;
    n->pcie_parent = -1;
    n->speed_mbps = GV_UNKNOWN;
    return n;
}

gv_nvme *
gv_host_add_nvme(gv_host *h)
{
    gv_nvme *d = GV_ARRAY_APPEND(h->nvme, h->n_nvme);

    d->numa = GV_NUMA_UNKNOWN;
    d->pcie_parent = -1;
    d->capacity_gib = GV_UNKNOWN;
    return d;
}

gv_link *
gv_host_add_link(gv_host *h, gv_link_kind kind, int a, int b, int count)
{
    gv_link *l = GV_ARRAY_APPEND(h->links, h->n_links);

    l->kind = kind;
    l->a = a;
    l->b = b;
    l->count = count;
    return l;
}

void
gv_host_set_label(gv_host *h, const char *key, const char *value)
{
    for (size_t i = 0; i < h->n_labels; i++) {
        if (!strcmp(h->labels[i].key, key)) {
            gv_host_set_str(&h->labels[i].value, value);
            return;
        }
    }
    gv_label *l = GV_ARRAY_APPEND(h->labels, h->n_labels);
    l->key = gv_strdup(key);
    l->value = gv_strdup(value ? value : "");
}

const char *
gv_host_get_label(const gv_host *h, const char *key)
{
    for (size_t i = 0; i < h->n_labels; i++)
        if (!strcmp(h->labels[i].key, key))
            return h->labels[i].value;
    return NULL;
}

/* ---- canonical order ---- */

/*
 * qsort, which must not be handed NULL even for zero elements (C11 7.22.5). Arrays are usually
 * sorted already (loaders build them in order, copies keep it), so check that first: O(n).
 */
static void
sort_array(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    for (size_t i = 1; i < n; i++) {
        if (cmp((char *)base + (i - 1) * size, (char *)base + i * size) > 0) {
            qsort(base, n, size, cmp);
            return;
        }
    }
}

static int
cmp_label(const void *a, const void *b)
{
    return strcmp(((const gv_label *)a)->key, ((const gv_label *)b)->key);
}

static int
cmp_numa(const void *a, const void *b)
{
    return cmp_int(&((const gv_numa *)a)->id, &((const gv_numa *)b)->id);
}

static int
cmp_core(const void *a, const void *b)
{
    const gv_core *x = a, *y = b;
    int xa = x->n_threads ? x->threads[0] : -1, ya = y->n_threads ? y->threads[0] : -1;
    return cmp_int(&xa, &ya);
}

static int
cmp_package(const void *a, const void *b)
{
    return cmp_int(&((const gv_package *)a)->id, &((const gv_package *)b)->id);
}

/* qsort context for sort_by_pci: ties (duplicate addresses, which the checker then reports)
 * keep their original order, so the sort is stable and the result deterministic. */
typedef struct pci_key {
    const char *pci;
    int index;
} pci_key;

static int
cmp_pci_key(const void *a, const void *b)
{
    const pci_key *x = a, *y = b;
    int c = strcmp(x->pci, y->pci);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/*
 * Sort an array of devices whose first member is the PCI address, and return the permutation
 * (old index -> new index) so that references can be rewritten. Caller frees the permutation.
 */
static int *
sort_by_pci(void *arr, size_t n, size_t elem)
{
    pci_key *keys = gv_calloc(n ? n : 1, sizeof(*keys));
    int *perm = gv_calloc(n ? n : 1, sizeof(int));
    char *tmp = gv_calloc(n ? n : 1, elem);

    for (size_t i = 0; i < n; i++)
        keys[i] = (pci_key){.pci = (const char *)arr + i * elem, .index = (int)i};
    sort_array(keys, n, sizeof(*keys), cmp_pci_key);
    for (size_t i = 0; i < n; i++) {
        memcpy(tmp + i * elem, (char *)arr + (size_t)keys[i].index * elem, elem);
        perm[keys[i].index] = (int)i;
    }
    if (n)
        memcpy(arr, tmp, n * elem);
    free(keys);
    free(tmp);
    return perm;
}

static int
cmp_instance(const void *a, const void *b)
{
    const gv_gpu_instance *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

static int
cmp_link(const void *a, const void *b)
{
    const gv_link *x = a, *y = b;
    if (x->a != y->a)
        return (x->a > y->a) - (x->a < y->a);
    if (x->b != y->b)
        return (x->b > y->b) - (x->b < y->b);
    if (x->kind != y->kind)
        return (x->kind > y->kind) - (x->kind < y->kind);
    return (x->count > y->count) - (x->count < y->count);
}

void
gv_host_sort(gv_host *h)
{
    GV_AUTOFREE int *gperm = NULL;

    sort_array(h->labels, h->n_labels, sizeof(*h->labels), cmp_label);
    sort_array(h->numa, h->n_numa, sizeof(*h->numa), cmp_numa);
    for (size_t i = 0; i < h->n_numa; i++) {
        gv_numa *n = &h->numa[i];
        sort_array(n->cores, n->n_cores, sizeof(*n->cores), cmp_core);
        sort_array(n->cpus, n->n_cpus, sizeof(int), cmp_int);
    }
    sort_array(h->packages, h->n_packages, sizeof(*h->packages), cmp_package);
    for (size_t i = 0; i < h->n_packages; i++)
        sort_array(h->packages[i].numa, h->packages[i].n_numa, sizeof(int), cmp_int);
    sort_array(h->reserved_cpus, h->n_reserved_cpus, sizeof(int), cmp_int);

    for (size_t i = 0; i < h->n_gpus; i++)
        sort_array(h->gpus[i].instances, (size_t)h->gpus[i].n_instances,
                   sizeof(h->gpus[i].instances[0]), cmp_instance);
    gperm = sort_by_pci(h->gpus, h->n_gpus, sizeof(*h->gpus));
    for (size_t i = 0; i < h->n_links; i++) {
        gv_link *l = &h->links[i];
        if (l->a >= 0 && (size_t)l->a < h->n_gpus)
            l->a = gperm[l->a];
        if (l->b >= 0 && (size_t)l->b < h->n_gpus)
            l->b = gperm[l->b];
        if (l->b >= 0 && l->b < l->a) {
            int t = l->a;
            l->a = l->b;
            l->b = t;
        }
    }
    /* links in (a, b) order; fabric links (b = -1) first for each a */
    sort_array(h->links, h->n_links, sizeof(*h->links), cmp_link);
    free(sort_by_pci(h->nics, h->n_nics, sizeof(*h->nics)));
    free(sort_by_pci(h->nvme, h->n_nvme, sizeof(*h->nvme)));
}

/* ---- lookups ---- */

int
gv_host_find_numa(const gv_host *h, int id)
{
    for (size_t i = 0; i < h->n_numa; i++)
        if (h->numa[i].id == id)
            return (int)i;
    return -1;
}

int
gv_host_find_pcie(const gv_host *h, const char *name)
{
    for (size_t i = 0; i < h->n_pcie; i++)
        if (!strcmp(h->pcie[i].name, name))
            return (int)i;
    return -1;
}

#define FIND_BY_PCI(fn, arr, n)                                                                    \
    int fn(const gv_host *h, const char *pci)                                                      \
    {                                                                                              \
        for (size_t i = 0; i < h->n; i++)                                                          \
            if (!strcmp(h->arr[i].pci, pci))                                                       \
                return (int)i;                                                                     \
        return -1;                                                                                 \
    }

FIND_BY_PCI(gv_host_find_gpu, gpus, n_gpus)
FIND_BY_PCI(gv_host_find_nic, nics, n_nics)
FIND_BY_PCI(gv_host_find_nvme, nvme, n_nvme)

int
gv_host_cpu_numa(const gv_host *h, int cpu)
{
    for (size_t i = 0; i < h->n_numa; i++)
        for (size_t j = 0; j < h->numa[i].n_cpus; j++)
            if (h->numa[i].cpus[j] == cpu)
                return h->numa[i].id;
    return GV_NUMA_UNKNOWN;
}

size_t
gv_host_n_cores(const gv_host *h)
{
    size_t n = 0;
    for (size_t i = 0; i < h->n_numa; i++)
        n += h->numa[i].n_cores;
    return n;
}

size_t
gv_host_n_cpus(const gv_host *h)
{
    size_t n = 0;
    for (size_t i = 0; i < h->n_numa; i++)
        n += h->numa[i].n_cpus;
    return n;
}

int64_t
gv_host_memory_mib(const gv_host *h)
{
    int64_t m = 0;
    for (size_t i = 0; i < h->n_numa; i++)
        if (h->numa[i].memory_mib > 0)
            m += h->numa[i].memory_mib;
    return m;
}
