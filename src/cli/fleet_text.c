/*
 * fleet_text.c - the fleet summary: hosts per pool, zone and state, GPUs per model and
 * attachment mode, MIG geometry of the MIG models in use, and totals of cores and memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util/strbuf.h"

/* A small counted set of string keys, kept in first-seen order then sorted for printing. */
typedef struct tally {
    char *key;
    size_t hosts, gpus, cores, cpus, vfs;
    int64_t mem_mib;
    size_t by_state[GV_HOST_STATE_LAST];
    const gv_host *last_host;
} tally;

static tally *
tally_get(tally **arr, size_t *n, const char *key)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*arr)[i].key, key))
            return &(*arr)[i];
    tally *t = GV_ARRAY_APPEND(*arr, *n);
    t->key = gv_strdup(key);
    return t;
}

static int
cmp_tally(const void *a, const void *b)
{
    return strcmp(((const tally *)a)->key, ((const tally *)b)->key);
}

static void
tally_free(tally *arr, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(arr[i].key);
    free(arr);
}

static void
add_host(tally *t, const gv_host *h)
{
    t->hosts++;
    t->by_state[h->state]++;
    t->gpus += h->n_gpus;
    t->cores += gv_host_n_cores(h);
    t->cpus += gv_host_n_cpus(h);
    t->mem_mib += gv_host_memory_mib(h);
}

static void
print_host_table(FILE *out, const char *title, tally *t, size_t n)
{
    qsort(t, n, sizeof(*t), cmp_tally);
    fprintf(out, "\n%-14s %6s %6s %9s %6s %5s %7s %8s %11s\n", title, "hosts", "ready", "cordoned",
            "maint", "down", "GPUs", "cores", "memory");
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%-14s %6zu %6zu %9zu %6zu %5zu %7zu %8zu %7lld GiB\n",
                t[i].key[0] ? t[i].key : "(none)", t[i].hosts, t[i].by_state[GV_HOST_READY],
                t[i].by_state[GV_HOST_CORDONED], t[i].by_state[GV_HOST_MAINTENANCE],
                t[i].by_state[GV_HOST_DOWN], t[i].gpus, t[i].cores,
                (long long)(t[i].mem_mib / 1024));
}

static void
print_gpu_table(FILE *out, const gv_fleet *f)
{
    tally *t = NULL;
    size_t n = 0;

    for (size_t i = 0; i < f->n_hosts; i++) {
        const gv_host *h = f->hosts[i];
        for (size_t g = 0; g < h->n_gpus; g++) {
            const gv_gpu *gpu = &h->gpus[g];
            char key[128];
            if (gpu->mode == GV_GPU_MODE_VGPU && gpu->vgpu_type[0])
                snprintf(key, sizeof(key), "%s\t%s:%s", gpu->model, "vgpu", gpu->vgpu_type);
            else
                snprintf(key, sizeof(key), "%s\t%s", gpu->model, gv_gpu_mode_to_string(gpu->mode));
            tally *x = tally_get(&t, &n, key);
            x->gpus++;
            x->vfs += (size_t)gpu->sriov_vfs;
            if (x->last_host != h) {
                x->hosts++;
                x->last_host = h;
            }
        }
    }
    qsort(t, n, sizeof(*t), cmp_tally);
    fprintf(out, "\n%-22s %-22s %6s %6s %5s\n", "GPU model", "mode", "GPUs", "hosts", "VFs");
    for (size_t i = 0; i < n; i++) {
        char *tab = strchr(t[i].key, '\t');
        *tab = '\0';
        fprintf(out, "%-22s %-22s %6zu %6zu %5zu\n", t[i].key, tab + 1, t[i].gpus, t[i].hosts,
                t[i].vfs);
    }
    if (!n)
        fprintf(out, "(no GPUs)\n");
    tally_free(t, n);
}

/* One model's MIG placement table: a row per profile, a column per memory slice. */
static void
print_mig_table(FILE *out, const gv_gpu_model *m)
{
    const gv_mig_geometry *g = m->mig;

    fprintf(out, "  %s: %d memory slices, %d compute slices\n", m->name, g->memory_slices,
            g->compute_slices);
    fprintf(out, "    %-12s %4s %4s  starts\n", "profile", "size", "max");
    for (size_t i = 0; i < g->n_profiles; i++) {
        const gv_mig_profile *p = &g->profiles[i];
        fprintf(out, "    %-12s %4d %4d  ", p->name, p->memory_slices, p->max_count);
        for (int s = 0; s < g->memory_slices; s++)
            fputc(p->starts & (1u << s) ? '0' + s : '.', out);
        fputc('\n', out);
    }
}

/* Each MIG layout in use, per model: "3g.40gb@4 2g.20gb@0 ..." -> GPUs. */
static void
print_mig_layouts(FILE *out, const gv_fleet *f)
{
    tally *t = NULL;
    size_t n = 0;

    for (size_t i = 0; i < f->n_hosts; i++) {
        const gv_host *h = f->hosts[i];
        for (size_t g = 0; g < h->n_gpus; g++) {
            const gv_gpu *gpu = &h->gpus[g];
            gv_strbuf key = {0};
            if (gpu->mode != GV_GPU_MODE_MIG)
                continue;
            gv_strbuf_printf(&key, "%s\t", gpu->model);
            for (int k = 0; k < gpu->n_instances; k++)
                gv_strbuf_printf(&key, "%s%s@%d", k ? " " : "", gpu->instances[k].profile,
                                 gpu->instances[k].start);
            if (!gpu->n_instances)
                gv_strbuf_append(&key, "(no instances yet: created per VM)");
            tally_get(&t, &n, gv_strbuf_str(&key))->gpus++;
            gv_strbuf_reset(&key);
        }
    }
    if (!n)
        return;
    qsort(t, n, sizeof(*t), cmp_tally);
    fprintf(out, "\n%-22s %-46s %6s\n", "MIG model", "GPU instances (profile@start)", "GPUs");
    for (size_t i = 0; i < n; i++) {
        char *tab = strchr(t[i].key, '\t');
        *tab = '\0';
        fprintf(out, "%-22s %-46s %6zu\n", t[i].key, tab + 1, t[i].gpus);
    }
    tally_free(t, n);
}

static void
print_mig_geometry(FILE *out, const gv_fleet *f, const gv_catalog *cat)
{
    const char **seen = NULL;
    size_t n_seen = 0;

    for (size_t i = 0; cat && i < f->n_hosts; i++) {
        const gv_host *h = f->hosts[i];
        for (size_t g = 0; g < h->n_gpus; g++) {
            const gv_gpu *gpu = &h->gpus[g];
            const gv_gpu_model *m;
            bool dup = false;
            if (gpu->mode != GV_GPU_MODE_MIG)
                continue;
            for (size_t k = 0; k < n_seen; k++)
                dup |= !strcmp(seen[k], gpu->model);
            if (dup || !(m = gv_catalog_find(cat, gpu->model)))
                continue;
            *GV_ARRAY_APPEND(seen, n_seen) = gpu->model;
            if (n_seen == 1)
                fprintf(out, "\nMIG geometry of the models in MIG mode:\n");
            print_mig_table(out, m);
        }
    }
    free(seen);
}

void
gv_fleet_print_text(FILE *out, const gv_fleet *f, const gv_catalog *cat)
{
    tally *pools = NULL, *zones = NULL, all = {0};
    size_t n_pools = 0, n_zones = 0, nics = 0, vfs = 0, nvme = 0, partial = 0;

    for (size_t i = 0; i < f->n_hosts; i++) {
        const gv_host *h = f->hosts[i];
        add_host(tally_get(&pools, &n_pools, h->pool), h);
        add_host(tally_get(&zones, &n_zones, h->zone), h);
        add_host(&all, h);
        nics += h->n_nics;
        nvme += h->n_nvme;
        for (size_t n = 0; n < h->n_numa; n++)
            if (!h->numa[n].cores_known || h->numa[n].memory_mib < 0) {
                partial++;
                break;
            }
        for (size_t c = 0; c < h->n_nics; c++)
            vfs += (size_t)h->nics[c].sriov_vfs;
    }
    fprintf(out, "%zu hosts in %zu pools and %zu zones\n", f->n_hosts, n_pools, n_zones);
    if (f->n_pools) {
        fprintf(out, "\n%-14s %-8s %-12s %s\n", "pool", "strategy", "mix classes",
                "CPU overcommit");
        for (size_t i = 0; i < f->n_pools; i++)
            fprintf(out, "%-14s %-8s %-12s %.2f\n", f->pools[i].name,
                    gv_pool_strategy_to_string(f->pools[i].strategy),
                    f->pools[i].mix_classes ? "yes" : "no", f->pools[i].cpu_overcommit);
    }
    print_host_table(out, "pool", pools, n_pools);
    print_host_table(out, "zone", zones, n_zones);
    print_gpu_table(out, f);
    print_mig_layouts(out, f);
    print_mig_geometry(out, f, cat);
    fprintf(out,
            "\ntotal: %zu hosts, %zu cores, %zu threads, %lld GiB memory, %zu GPUs, %zu NICs "
            "(%zu SR-IOV VFs), %zu NVMe\n",
            all.hosts, all.cores, all.cpus, (long long)(all.mem_mib / 1024), all.gpus, nics, vfs,
            nvme);
    if (partial)
        fprintf(out,
                "note: %zu hosts do not report all cores or memory (e.g. from NCCL topology "
                "files): their cores and memory are not in the counts above\n",
                partial);
    tally_free(pools, n_pools);
    tally_free(zones, n_zones);
}
