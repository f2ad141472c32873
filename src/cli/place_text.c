/*
 * place_text.c - a placement result as a human-readable report: for a placed VM the host, the
 * score beside the runner-up's, CPU pins as vCPU ranges -> host CPU ranges, guest NUMA cells,
 * memory per node, GPUs, NIC VFs, scratch, reconfiguration steps and NUMA violations; for a VM
 * that fits nowhere, how many hosts failed for each reason and the hosts closest to fitting.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "util/cpulist.h"
#include "util/strbuf.h"

#define MIN_PAIR_RUN 4 /* vCPUs: shorter interleaved runs read better as single pins */

static void
print_size(FILE *out, int64_t mib)
{
    if (mib >= 1024 && mib % 1024 == 0)
        fprintf(out, "%lld GiB", (long long)(mib / 1024));
    else
        fprintf(out, "%lld MiB", (long long)mib);
}

static void
print_numa(FILE *out, int numa)
{
    if (numa == GV_NUMA_UNKNOWN)
        fprintf(out, "node ?");
    else
        fprintf(out, "node %d", numa);
}

static void
print_range(FILE *out, int first, int last)
{
    if (first == last)
        fprintf(out, "%d", first);
    else
        fprintf(out, "%d-%d", first, last);
}

/* @ids (any order) as a cpulist. */
static void
print_cpulist(FILE *out, const int *ids, size_t n)
{
    gv_strbuf sb = {0};

    gv_cpulist_format_ids(&sb, ids, n);
    fputs(n ? gv_strbuf_str(&sb) : "-", out);
    gv_strbuf_reset(&sb);
}

static const char *
reason_str(gv_reason r)
{
    const char *s = gv_reason_to_string(r);
    return s ? s : "unknown";
}

/* ---- score ----------------------------------------------------------------------------------- */

static void
print_score(FILE *out, const gv_place_result *r)
{
    const gv_score *s = &r->placement.score, *ru = &r->explain.runner_up_score;
    bool both = r->explain.has_runner_up;
    static const char *const rows[] = {"total",    "fragmentation",     "locality",
                                       "strategy", "reconfigured GPUs", "FGD delta (mGPU)"};
    const int64_t mine[] = {s->total,    s->fragmentation, s->locality,
                            s->strategy, s->reconfigured,  s->frag_delta_milli};
    const int64_t other[] = {ru->total,    ru->fragmentation, ru->locality,
                             ru->strategy, ru->reconfigured,  ru->frag_delta_milli};

    fprintf(out, "\n%-20s %10s", "score", "placed");
    if (both)
        fprintf(out, "  runner-up %s", r->explain.runner_up);
    fprintf(out, "\n");
    for (size_t i = 0; i < GV_N_ELEMENTS(rows); i++) {
        fprintf(out, "  %-18s %10lld", rows[i], (long long)mine[i]);
        if (both)
            fprintf(out, "  %9lld", (long long)other[i]);
        fprintf(out, "\n");
    }
}

/* ---- CPUs ------------------------------------------------------------------------------------ */

static const gv_guest_cell *
cell_by_id(const gv_placement *p, int id)
{
    for (size_t i = 0; i < p->n_cells && i < GV_PLACE_MAX_CELLS; i++)
        if (p->cells[i].id == id)
            return &p->cells[i];
    return NULL;
}

/* vCPUs @i.. pinned to consecutive host threads: the run's length. */
static int
stride_run(const gv_vcpu_pin *pins, int n, int i)
{
    int j = i;

    while (j + 1 < n && pins[j + 1].pcpu >= 0 && pins[j + 1].pcpu == pins[j].pcpu + 1)
        j++;
    return j - i + 1;
}

/* vCPUs @i.. alternating between two runs of consecutive threads (SMT pairs): the length. */
static int
pair_run(const gv_vcpu_pin *pins, int n, int i)
{
    int j = i;

    while (j + 1 < n && pins[j].pcpu >= 0 && pins[j + 1].pcpu >= 0 &&
           (j == i ||
            (pins[j].pcpu == pins[j - 2].pcpu + 1 && pins[j + 1].pcpu == pins[j - 1].pcpu + 1)))
        j += 2;
    return j - i;
}

static void
print_pins(FILE *out, const gv_placement *p, const gv_host *h)
{
    int n = p->request.vcpus;
    int shown[64]; /* NUMA node ids of the emulator CPUs printed so far */
    size_t n_shown = 0;

    fprintf(out, "\nCPUs: %d vCPUs, %s\n", n, gv_cpu_policy_to_string(p->request.cpu_policy));
    for (int i = 0; p->pins && i < n;) {
        const gv_vcpu_pin *pin = &p->pins[i];
        int len;

        fprintf(out, "  vCPU ");
        if (pin->pcpu < 0) {
            const gv_guest_cell *c = cell_by_id(p, pin->cell);
            len = 1;
            while (i + len < n && p->pins[i + len].pcpu < 0 && p->pins[i + len].cell == pin->cell)
                len++;
            print_range(out, i, i + len - 1);
            fprintf(out, " -> host ");
            if (c)
                print_cpulist(out, c->shared_cpus, c->n_shared_cpus);
            else
                fprintf(out, "-");
            fprintf(out, " (shared, cell %d)\n", pin->cell);
        } else {
            int stride = stride_run(p->pins, n, i), pairs = pair_run(p->pins, n, i);
            if (pairs >= MIN_PAIR_RUN && pairs > stride) {
                len = pairs;
                print_range(out, i, i + len - 1);
                fprintf(out, " -> host ");
                print_range(out, pin->pcpu, pin->pcpu + len / 2 - 1);
                fprintf(out, " and ");
                print_range(out, p->pins[i + 1].pcpu, p->pins[i + 1].pcpu + len / 2 - 1);
                fprintf(out, ", interleaved\n");
            } else {
                len = stride;
                print_range(out, i, i + len - 1);
                fprintf(out, " -> host ");
                print_range(out, pin->pcpu, pin->pcpu + len - 1);
                fprintf(out, "\n");
            }
        }
        i += len;
    }
    fprintf(out, "  emulator -> host ");
    print_cpulist(out, p->emulator_cpus, p->n_emulator_cpus);
    /* every node, in order of first appearance: the emulator spans several when the VM's own
     * nodes had no room for it */
    for (size_t i = 0; h && i < p->n_emulator_cpus; i++) {
        int numa = gv_host_cpu_numa(h, p->emulator_cpus[i]);
        size_t j;

        for (j = 0; j < n_shown && shown[j] != numa; j++)
            ;
        if (j < n_shown || n_shown == GV_N_ELEMENTS(shown))
            continue;
        fprintf(out, n_shown ? ", " : " (");
        print_numa(out, numa);
        shown[n_shown++] = numa;
    }
    fprintf(out, p->n_emulator_cpus && h ? ")\n" : "\n");
}

/* ---- memory and cells ------------------------------------------------------------------------ */

static void
print_cells(FILE *out, const gv_placement *p)
{
    int64_t total = 0;

    fprintf(out, "\nguest NUMA: %zu cell%s\n", p->n_cells, p->n_cells == 1 ? "" : "s");
    for (size_t i = 0; i < p->n_cells && i < GV_PLACE_MAX_CELLS; i++) {
        const gv_guest_cell *c = &p->cells[i];
        fprintf(out, "  cell %d: vCPUs ", c->id);
        if (c->n_vcpus > 0)
            print_range(out, c->first_vcpu, c->first_vcpu + c->n_vcpus - 1);
        else
            fprintf(out, "-");
        fprintf(out, ", ");
        print_size(out, c->memory_mib);
        fprintf(out, " on host ");
        print_numa(out, c->host_numa);
        fprintf(out, "\n");
        total += c->memory_mib;
    }
    fprintf(out, "\nmemory: ");
    print_size(out, total ? total : p->request.memory_mib);
    fprintf(out, ", hugepages %s\n", gv_hugepages_to_string(p->request.hugepages));
    for (size_t i = 0; i < p->n_cells && i < GV_PLACE_MAX_CELLS; i++) {
        fprintf(out, "  ");
        print_numa(out, p->cells[i].host_numa);
        fprintf(out, ": ");
        print_size(out, p->cells[i].memory_mib);
        fprintf(out, "\n");
    }
}

/* ---- devices --------------------------------------------------------------------------------- */

static void
print_gpus(FILE *out, const gv_placement *p)
{
    if (!p->n_gpus)
        return;
    fprintf(out, "\nGPUs: %zu\n", p->n_gpus);
    for (size_t i = 0; i < p->n_gpus && i < GV_REQ_MAX_GPUS; i++) {
        const gv_placed_gpu *g = &p->gpus[i];
        char numa[16];

        snprintf(numa, sizeof(numa), g->numa == GV_NUMA_UNKNOWN ? "node ?" : "node %d", g->numa);
        fprintf(out, "  %-13s %-20s %-7s %s", g->pci, g->model, numa,
                gv_gpu_mode_to_string(g->mode));
        switch (g->mode) {
        case GV_GPU_MODE_MIG:
            fprintf(out, " %s, slices ", g->profile);
            print_range(out, g->start, g->start + g->size - 1);
            fprintf(out, g->created ? " (created)" : " (existing instance)");
            break;
        case GV_GPU_MODE_VGPU:
            fprintf(out, " %s, slot %d", g->vgpu_type, g->slot);
            if (g->vf_pci[0])
                fprintf(out, " on VF %s", g->vf_pci);
            break;
        case GV_GPU_MODE_SRIOV:
            fprintf(out, " VF %d (%s)", g->vf, g->vf_pci[0] ? g->vf_pci : "?");
            break;
        case GV_GPU_MODE_SHARE:
            fprintf(out, " %d milli-GPU", g->milli);
            break;
        default:
            break;
        }
        fprintf(out, "\n");
    }
}

static void
print_vfs(FILE *out, const gv_placement *p, const gv_host *h)
{
    if (!p->n_vfs)
        return;
    fprintf(out, "\nNIC VFs: %zu\n", p->n_vfs);
    for (size_t i = 0; i < p->n_vfs && i < GV_REQ_MAX_NIC_VFS; i++) {
        const gv_placed_vf *v = &p->vfs[i];
        const char *name = v->pf_name;

        if (!name[0] && h && v->nic >= 0 && (size_t)v->nic < h->n_nics)
            name = h->nics[v->nic].name;
        fprintf(out, "  %-13s VF %d of %s%s%s%s  ", v->vf_pci[0] ? v->vf_pci : "?", v->vf,
                name[0] ? name : v->pf_pci, name[0] ? " (" : "", name[0] ? v->pf_pci : "",
                name[0] ? ")" : "");
        print_numa(out, v->numa);
        fprintf(out, "\n");
    }
}

static void
print_scratch(FILE *out, const gv_placement *p)
{
    const gv_placed_scratch *s = &p->scratch;

    if (s->nvme < 0)
        return;
    fprintf(out, "\nscratch: %lld GiB on %s%s%s%s, ", (long long)s->gib, s->name[0] ? s->name : "",
            s->name[0] ? " (" : "", s->pci, s->name[0] ? ")" : "");
    print_numa(out, s->numa);
    fprintf(out, "\n");
}

static void
print_reconfigure(FILE *out, const gv_placement *p)
{
    if (!p->n_reconfigure)
        return;
    fprintf(out, "\nreconfigure before start:\n");
    for (size_t i = 0; i < p->n_reconfigure && i < GV_REQ_MAX_GPUS; i++) {
        const gv_reconfigure *c = &p->reconfigure[i];
        fprintf(out, "  %s: %s -> %s", c->pci, gv_gpu_mode_to_string(c->from),
                gv_gpu_mode_to_string(c->to));
        if (c->destroyed_instances)
            fprintf(out, ", destroying %d idle MIG instance%s", c->destroyed_instances,
                    c->destroyed_instances == 1 ? "" : "s");
        fprintf(out, "\n");
    }
}

static void
print_violations(FILE *out, const gv_placement *p)
{
    /* the unit of each gv_violation_kind's amount */
    static const char *const units[GV_VIOLATION_KIND_LAST] = {"vCPUs", "MiB of memory", "NIC VFs",
                                                              "GiB of scratch"};

    if (!p->numa_violations && !p->n_violations)
        return;
    fprintf(out, "\nNUMA violations: %lld units off the GPUs' nodes\n",
            (long long)p->numa_violations);
    for (size_t i = 0; i < p->n_violations && i < GV_PLACE_MAX_VIOLATIONS; i++) {
        const gv_numa_violation *v = &p->violations[i];
        fprintf(out, "  %lld %s on ", (long long)v->amount,
                (unsigned)v->kind < GV_VIOLATION_KIND_LAST ? units[v->kind] : "units");
        print_numa(out, v->numa);
        fprintf(out, "\n");
    }
}

/* ---- the report ------------------------------------------------------------------------------ */

static void
print_not_placed(FILE *out, const char *vm, const gv_explain *x)
{
    fprintf(out, "no host can take VM '%s'\n", vm);
    if (!x->n_hosts)
        fprintf(out, "  the fleet has no hosts\n");
    for (size_t i = 0; i < x->n_reasons && i < GV_REASON_LAST; i++) {
        const gv_explain_reason *e = &x->reasons[i];
        fprintf(out, "  %zu host%s: %s%s%s\n", e->n_hosts, e->n_hosts == 1 ? "" : "s",
                reason_str(e->reason), e->detail[0] ? ": " : "", e->detail);
    }
    if (!x->n_closest)
        return;
    fprintf(out, "closest hosts:\n");
    for (size_t i = 0; i < x->n_closest && i < GV_EXPLAIN_MAX_CLOSEST; i++) {
        const gv_explain_host *c = &x->closest[i];
        fprintf(out, "  %s: %s%s%s\n", c->host, reason_str(c->reason), c->detail[0] ? ": " : "",
                c->detail);
    }
}

void
gv_place_print_text(FILE *out, const gv_host *h, const gv_place_result *r, const gv_request *req)
{
    const gv_placement *p = &r->placement;
    const char *vm = req ? req->name : p->vm;

    if (!r->placed) {
        print_not_placed(out, vm, &r->explain);
        return;
    }
    fprintf(out, "VM '%s' -> host %s\n", p->vm, p->host);
    if (r->explain.n_hosts)
        fprintf(out, "hosts: %zu considered, %zu feasible\n", r->explain.n_hosts,
                r->explain.n_feasible);
    print_score(out, r);
    print_pins(out, p, h);
    print_cells(out, p);
    print_gpus(out, p);
    print_vfs(out, p, h);
    print_scratch(out, p);
    print_reconfigure(out, p);
    print_violations(out, p);
}
