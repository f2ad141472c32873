/*
 * topo_text.c - one host as text: summary, NUMA nodes, devices, the PCIe tree, and the
 * device-to-device matrix in the layout of `nvidia-smi topo -m`.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "util/cpulist.h"
#include "util/strbuf.h"

static const char *
numa_str(int numa, char *buf, size_t n)
{
    if (numa == GV_NUMA_UNKNOWN)
        snprintf(buf, n, "?");
    else
        snprintf(buf, n, "%d", numa);
    return buf;
}

static void
print_mib(FILE *out, int64_t mib)
{
    if (mib < 0)
        fprintf(out, "%10s", "?");
    else if (mib >= 1024 && mib % 1024 == 0)
        fprintf(out, "%6lld GiB", (long long)(mib / 1024));
    else if (mib >= 1024)
        fprintf(out, "%6.1f GiB", (double)mib / 1024.0);
    else
        fprintf(out, "%6lld MiB", (long long)mib);
}

static void
print_numa(FILE *out, const gv_host *h)
{
    fprintf(out, "\nNUMA  %-24s %5s %7s %10s  %s\n", "CPUs", "cores", "threads", "memory",
            "hugepages 2M/1G");
    for (size_t i = 0; i < h->n_numa; i++) {
        const gv_numa *n = &h->numa[i];
        gv_strbuf sb = {0};
        char hp2[24], hp1[24];

        gv_cpulist_format(&sb, n->cpus, n->n_cpus);
        if (!n->n_cpus)
            gv_strbuf_append(&sb, "(memory only)");
        snprintf(hp2, sizeof(hp2), n->hugepages_2m < 0 ? "?" : "%lld", (long long)n->hugepages_2m);
        snprintf(hp1, sizeof(hp1), n->hugepages_1g < 0 ? "?" : "%lld", (long long)n->hugepages_1g);
        fprintf(out, "%-5d %-24s ", n->id, gv_strbuf_str(&sb));
        if (n->cores_known)
            fprintf(out, "%5zu ", n->n_cores);
        else
            fprintf(out, "%5s ", "?");
        fprintf(out, "%7zu ", n->n_cpus);
        print_mib(out, n->memory_mib);
        fprintf(out, "  %s/%s\n", hp2, hp1);
        gv_strbuf_reset(&sb);
    }
}

static const char *
parent_str(const gv_host *h, int parent)
{
    return parent >= 0 ? h->pcie[parent].name : "-";
}

static void
print_devices(FILE *out, const gv_host *h)
{
    char nb[16];

    fprintf(out, "\nGPUs: %zu\n", h->n_gpus);
    if (h->n_gpus)
        fprintf(out, "  %-5s %-13s %-9s %-20s %-4s %-12s %s\n", "", "PCI", "id", "model", "NUMA",
                "mode", "PCIe parent");
    for (size_t i = 0; i < h->n_gpus; i++) {
        const gv_gpu *g = &h->gpus[i];
        char mode[48];
        if (g->mode == GV_GPU_MODE_SRIOV)
            snprintf(mode, sizeof(mode), "sriov:%d", g->sriov_vfs);
        else if (g->mode == GV_GPU_MODE_VGPU && g->vgpu_type[0])
            snprintf(mode, sizeof(mode), "vgpu:%s", g->vgpu_type);
        else
            snprintf(mode, sizeof(mode), "%s", gv_gpu_mode_to_string(g->mode));
        fprintf(out, "  GPU%-2zu %-13s %04x:%04x %-20s %-4s %-12s %s\n", i, g->pci, g->vendor_id,
                g->device_id, g->model, numa_str(g->numa, nb, sizeof(nb)), mode,
                parent_str(h, g->pcie_parent));
    }
    for (size_t i = 0; i < h->n_gpus; i++) {
        const gv_gpu *g = &h->gpus[i];
        if (!g->n_instances)
            continue;
        fprintf(out, "  GPU%-2zu MIG instances:", i);
        for (int k = 0; k < g->n_instances; k++)
            fprintf(out, " %s@%d", g->instances[k].profile, g->instances[k].start);
        fprintf(out, "\n");
    }
    fprintf(out, "\nNICs: %zu\n", h->n_nics);
    if (h->n_nics)
        fprintf(out, "  %-5s %-13s %-9s %-10s %-4s %-4s %-10s %s\n", "", "PCI", "id", "name",
                "NUMA", "VFs", "speed", "PCIe parent");
    for (size_t i = 0; i < h->n_nics; i++) {
        const gv_nic *c = &h->nics[i];
        char speed[24];
        if (c->speed_mbps < 0)
            snprintf(speed, sizeof(speed), "?");
        else
            snprintf(speed, sizeof(speed), "%lld Gb/s", (long long)(c->speed_mbps / 1000));
        fprintf(out, "  NIC%-2zu %-13s %04x:%04x %-10s %-4s %-4d %-10s %s\n", i, c->pci,
                c->vendor_id, c->device_id, c->name[0] ? c->name : "-",
                numa_str(c->numa, nb, sizeof(nb)), c->sriov_vfs, speed,
                parent_str(h, c->pcie_parent));
    }
    fprintf(out, "\nNVMe: %zu\n", h->n_nvme);
    if (h->n_nvme)
        fprintf(out, "  %-6s %-13s %-9s %-10s %-4s %-9s %s\n", "", "PCI", "id", "name", "NUMA",
                "capacity", "PCIe parent");
    for (size_t i = 0; i < h->n_nvme; i++) {
        const gv_nvme *d = &h->nvme[i];
        char cap[24];
        if (d->capacity_gib < 0)
            snprintf(cap, sizeof(cap), "?");
        else
            snprintf(cap, sizeof(cap), "%lld GiB", (long long)d->capacity_gib);
        fprintf(out, "  NVME%-2zu %-13s %04x:%04x %-10s %-4s %-9s %s\n", i, d->pci, d->vendor_id,
                d->device_id, d->name[0] ? d->name : "-", numa_str(d->numa, nb, sizeof(nb)), cap,
                parent_str(h, d->pcie_parent));
    }
}

static void
print_pcie_subtree(FILE *out, const gv_host *h, int node, int depth)
{
    char nb[16];

    for (size_t i = 0; i < h->n_pcie; i++) {
        if (h->pcie[i].parent != node)
            continue;
        fprintf(out, "  %*s%s %s", depth * 2, "", gv_pcie_kind_to_string(h->pcie[i].kind),
                h->pcie[i].name);
        if (node < 0)
            fprintf(out, " (NUMA %s)", numa_str(h->pcie[i].numa, nb, sizeof(nb)));
        fprintf(out, "\n");
        for (size_t g = 0; g < h->n_gpus; g++)
            if (h->gpus[g].pcie_parent == (int)i)
                fprintf(out, "  %*sGPU%zu %s %s\n", depth * 2 + 2, "", g, h->gpus[g].pci,
                        h->gpus[g].model);
        for (size_t c = 0; c < h->n_nics; c++)
            if (h->nics[c].pcie_parent == (int)i)
                fprintf(out, "  %*sNIC%zu %s %s\n", depth * 2 + 2, "", c, h->nics[c].pci,
                        h->nics[c].name);
        for (size_t d = 0; d < h->n_nvme; d++)
            if (h->nvme[d].pcie_parent == (int)i)
                fprintf(out, "  %*sNVME%zu %s %s\n", depth * 2 + 2, "", d, h->nvme[d].pci,
                        h->nvme[d].name);
        print_pcie_subtree(out, h, (int)i, depth + 1);
    }
}

static void
print_pcie(FILE *out, const gv_host *h)
{
    size_t orphans = 0;

    if (!h->n_pcie)
        return;
    fprintf(out, "\nPCIe tree:\n");
    print_pcie_subtree(out, h, -1, 0);
    for (size_t g = 0; g < h->n_gpus; g++)
        orphans += h->gpus[g].pcie_parent < 0;
    for (size_t c = 0; c < h->n_nics; c++)
        orphans += h->nics[c].pcie_parent < 0;
    for (size_t d = 0; d < h->n_nvme; d++)
        orphans += h->nvme[d].pcie_parent < 0;
    if (orphans)
        fprintf(out, "  (%zu devices with no known PCIe parent)\n", orphans);
}

/* The CPUs local to a device: its NUMA node's, as nvidia-smi's "CPU Affinity" column. */
static void
affinity(gv_strbuf *sb, const gv_host *h, int numa)
{
    int i = numa == GV_NUMA_UNKNOWN ? -1 : gv_host_find_numa(h, numa);

    if (i < 0 || !h->numa[i].n_cpus)
        gv_strbuf_append(sb, "N/A");
    else
        gv_cpulist_format(sb, h->numa[i].cpus, h->numa[i].n_cpus);
}

static void
print_matrix(FILE *out, const gv_host *h)
{
    size_t n = h->n_gpus + h->n_nics + h->n_nvme;
    gv_dev_ref *devs;
    char(*labels)[12];
    int *numa;
    size_t k = 0;

    if (n == 0)
        return;
    devs = gv_calloc(n, sizeof(*devs));
    labels = gv_calloc(n, sizeof(*labels));
    numa = gv_calloc(n, sizeof(int));
    for (size_t i = 0; i < h->n_gpus; i++, k++) {
        devs[k] = (gv_dev_ref){GV_DEV_GPU, (int)i};
        snprintf(labels[k], sizeof(labels[k]), "GPU%zu", i);
        numa[k] = h->gpus[i].numa;
    }
    for (size_t i = 0; i < h->n_nics; i++, k++) {
        devs[k] = (gv_dev_ref){GV_DEV_NIC, (int)i};
        snprintf(labels[k], sizeof(labels[k]), "NIC%zu", i);
        numa[k] = h->nics[i].numa;
    }
    for (size_t i = 0; i < h->n_nvme; i++, k++) {
        devs[k] = (gv_dev_ref){GV_DEV_NVME, (int)i};
        snprintf(labels[k], sizeof(labels[k]), "NVME%zu", i);
        numa[k] = h->nvme[i].numa;
    }
    fprintf(out, "\nTopology matrix:\n%-7s", "");
    for (size_t j = 0; j < n; j++)
        fprintf(out, "%-7s", labels[j]);
    fprintf(out, "%-22s %s\n", "CPU Affinity", "NUMA Affinity");
    for (size_t i = 0; i < n; i++) {
        gv_strbuf sb = {0};
        char nb[16];
        fprintf(out, "%-7s", labels[i]);
        for (size_t j = 0; j < n; j++) {
            gv_dist d = gv_host_distance(h, devs[i], devs[j]);
            if (d == GV_DIST_NVLINK) {
                char nv[12];
                snprintf(nv, sizeof(nv), "NV%d",
                         gv_host_gpu_link_count(h, devs[i].index, devs[j].index));
                fprintf(out, "%-7s", nv);
            } else {
                fprintf(out, "%-7s", gv_dist_to_string(d));
            }
        }
        affinity(&sb, h, numa[i]);
        fprintf(out, "%-22s %s\n", gv_strbuf_str(&sb),
                numa[i] == GV_NUMA_UNKNOWN ? "N/A" : numa_str(numa[i], nb, sizeof(nb)));
        gv_strbuf_reset(&sb);
    }
    fprintf(out, "\nLegend:\n"
                 "  X    = self\n"
                 "  NV#  = a bonded set of # NVLinks/xGMI links (directly or through a switch "
                 "fabric)\n"
                 "  PIX  = at most one PCIe switch between the two\n"
                 "  PXB  = several PCIe switches, no host bridge\n"
                 "  PHB  = through a PCIe host bridge\n"
                 "  NODE = between host bridges of one NUMA node\n"
                 "  SYS  = across NUMA nodes (or locality unknown)\n");
    free(devs);
    free(labels);
    free(numa);
}

void
gv_topo_print_text(FILE *out, const gv_host *h)
{
    int64_t mem = gv_host_memory_mib(h);
    bool cores_known = true;

    for (size_t i = 0; i < h->n_numa; i++)
        cores_known &= h->numa[i].cores_known;
    fprintf(out, "host %s\n", h->name[0] ? h->name : "(unnamed)");
    if (h->n_packages)
        fprintf(out, "  packages %zu, NUMA nodes %zu, ", h->n_packages, h->n_numa);
    else
        fprintf(out, "  packages ?, NUMA nodes %zu, ", h->n_numa);
    if (cores_known)
        fprintf(out, "cores %zu, ", gv_host_n_cores(h));
    else
        fprintf(out, "cores ?, ");
    fprintf(out, "threads %zu, memory ", gv_host_n_cpus(h));
    if (mem > 0)
        fprintf(out, "%lld GiB\n", (long long)(mem / 1024));
    else
        fprintf(out, "?\n");
    fprintf(out, "  GPUs %zu, NICs %zu, NVMe %zu\n", h->n_gpus, h->n_nics, h->n_nvme);
    if (h->n_packages) {
        fprintf(out, "  packages:");
        for (size_t i = 0; i < h->n_packages; i++) {
            gv_strbuf sb = {0};
            gv_cpulist_format(&sb, h->packages[i].numa, h->packages[i].n_numa);
            fprintf(out, " %d (NUMA %s)%s", h->packages[i].id, gv_strbuf_str(&sb),
                    i + 1 < h->n_packages ? "," : "");
            gv_strbuf_reset(&sb);
        }
        fprintf(out, "\n");
    }
    print_numa(out, h);
    print_devices(out, h);
    print_pcie(out, h);
    print_matrix(out, h);
}
