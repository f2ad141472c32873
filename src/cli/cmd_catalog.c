/*
 * cmd_catalog.c - `gpuvm catalog [MODEL]`: the GPU catalog as a table of models, or one model
 * in detail (PCI ids, MIG placement table drawn over the memory slices, vGPU types with their
 * equal-size / mixed-size maxima, SR-IOV VFs, and the notes and sources behind the data), as
 * text or canonical JSON.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gpuvm/gpu.h"
#include "util/json.h"
#include "util/strbuf.h"

static void
usage(FILE *f)
{
    fprintf(f,
            "usage: gpuvm catalog [MODEL] [--format text|json] [--catalog FILE] [--help]\n"
            "\n"
            "Without MODEL: one line per GPU model of the catalog (name, vendor:device ids,\n"
            "memory, MIG and its maximum number of instances, vGPU types, SR-IOV VFs, and\n"
            "whether every fact about the model is verified).\n"
            "With MODEL (a name, any case, or a PCI id such as 10de:2330): the model in detail,\n"
            "with its MIG placement table drawn over the memory slices and its vGPU types.\n"
            "\n"
            "  --format text|json  text (default) or canonical JSON (sorted keys)\n"
            "  --catalog FILE      a catalog YAML merged over the shipped catalog: its models\n"
            "                      replace shipped models of the same name and add new ones\n"
            "\n"
            "The shipped catalog is $GPUVM_CATALOG when set, else data/catalog/gpus.yaml.\n"
            "Exit status: 0 shown, 2 bad usage, an unknown model or an invalid catalog file.\n");
}

/* ---- text ---- */

/* "yes", "no" (the model's own facts are not), or "partly" (some of its blocks are not). */
static const char *
verified_word(const gv_gpu_model *m)
{
    if (!m->fact.verified)
        return "no";
    return gv_gpu_model_n_unverified(m) ? "partly" : "yes";
}

static void
append_gib(gv_strbuf *sb, int64_t mib)
{
    if (mib % 1024 == 0)
        gv_strbuf_printf(sb, "%lld GiB", (long long)(mib / 1024));
    else
        gv_strbuf_printf(sb, "%.1f GiB", (double)mib / 1024.0);
}

static int
mig_max_instances(const gv_gpu_model *m)
{
    int max = 0;

    for (size_t i = 0; m->mig && i < m->mig->n_profiles; i++)
        if (m->mig->profiles[i].max_count > max)
            max = m->mig->profiles[i].max_count;
    return max;
}

static void
append_vf_counts(gv_strbuf *sb, const gv_gpu_model *m)
{
    if (!m->sriov) {
        gv_strbuf_append(sb, "-");
        return;
    }
    for (size_t i = 0; i < m->sriov->n_vf_counts; i++)
        gv_strbuf_printf(sb, "%s%d", i ? "," : "", m->sriov->vf_counts[i]);
}

enum {
    COL_NAME,
    COL_VENDOR,
    COL_PCI,
    COL_MEM,
    COL_MIG,
    COL_VGPU,
    COL_VFS,
    COL_VERIFIED,
    N_COLS
};

static void
print_list(const gv_catalog *cat)
{
    static const char *const heads[N_COLS] = {"MODEL", "VENDOR", "PCI IDS", "MEMORY",
                                              "MIG",   "VGPU",   "VFS",     "VERIFIED"};
    size_t n = gv_catalog_n_models(cat);
    GV_AUTOFREE gv_strbuf *cells = gv_calloc((n + 1) * N_COLS, sizeof(gv_strbuf));
    size_t width[N_COLS] = {0};

    for (int c = 0; c < N_COLS; c++)
        gv_strbuf_append(&cells[c], heads[c]);
    for (size_t i = 0; i < n; i++) {
        const gv_gpu_model *m = gv_catalog_model_at(cat, i);
        gv_strbuf *row = &cells[(i + 1) * N_COLS];

        gv_strbuf_append(&row[COL_NAME], m->name);
        gv_strbuf_append(&row[COL_VENDOR], gv_gpu_vendor_to_string(m->vendor));
        for (size_t j = 0; j < m->n_pci_ids; j++)
            gv_strbuf_printf(&row[COL_PCI], "%s%04x:%04x", j ? "," : "", m->pci_ids[j].vendor_id,
                             m->pci_ids[j].device_id);
        append_gib(&row[COL_MEM], m->memory_mib);
        if (m->mig)
            gv_strbuf_printf(&row[COL_MIG], "yes (%d)", mig_max_instances(m));
        else
            gv_strbuf_append(&row[COL_MIG], "no");
        if (m->vgpu)
            gv_strbuf_printf(&row[COL_VGPU], "%zu", m->vgpu->n_types);
        else
            gv_strbuf_append(&row[COL_VGPU], "-");
        append_vf_counts(&row[COL_VFS], m);
        gv_strbuf_append(&row[COL_VERIFIED], verified_word(m));
    }
    for (size_t i = 0; i <= n; i++)
        for (int c = 0; c < N_COLS; c++)
            if (cells[i * N_COLS + c].len > width[c])
                width[c] = cells[i * N_COLS + c].len;
    for (size_t i = 0; i <= n; i++) {
        gv_strbuf line = {0};

        for (int c = 0; c < N_COLS; c++) {
            size_t start = line.len;
            gv_strbuf_append(&line, gv_strbuf_str(&cells[i * N_COLS + c]));
            if (c + 1 < N_COLS) {
                gv_strbuf_pad(&line, start, width[c]);
                gv_strbuf_append(&line, "  ");
            }
            gv_strbuf_reset(&cells[i * N_COLS + c]);
        }
        printf("%s\n", gv_strbuf_str(&line));
        gv_strbuf_reset(&line);
    }
    printf("\n%zu models. 'gpuvm catalog MODEL' shows one in detail.\n", n);
}

static void
print_fact(const char *what, const gv_fact *f, bool show_source)
{
    if (show_source)
        printf("  %-14s [%s]%s%s\n", what, f->source, f->verified ? "" : " unverified",
               f->note ? ":" : "");
    else
        printf("  %-14s%s%s\n", what, f->verified ? "" : " unverified", f->note ? ":" : "");
    if (f->note)
        printf("  %-14s %s\n", "", f->note);
}

/* A row of the placement table: each allowed start drawn as "[s---]" over its slices. */
static void
draw_placements(gv_strbuf *sb, const gv_mig_geometry *g, const gv_mig_profile *p, int w)
{
    for (int s = 0; s < g->memory_slices;) {
        if (p->starts & (UINT32_C(1) << s)) {
            int cells = p->memory_slices * w - 1;
            size_t start = sb->len;

            gv_strbuf_printf(sb, "[%d", s);
            while ((int)(sb->len - start) < cells - 1)
                gv_strbuf_putc(sb, '-');
            gv_strbuf_append(sb, "] ");
            s += p->memory_slices;
        } else {
            size_t start = sb->len;
            gv_strbuf_append(sb, " .");
            gv_strbuf_pad(sb, start, (size_t)w);
            s++;
        }
    }
}

static void
print_mig(const gv_gpu_model *m)
{
    const gv_mig_geometry *g = m->mig;
    int w = g->memory_slices > 10 ? 5 : 4;
    gv_strbuf sb = {0};

    printf("\nMIG: %d memory slices, %d compute slices; placements in memory slices [%s]%s\n",
           g->memory_slices, g->compute_slices, g->fact.source,
           g->fact.verified ? "" : " (unverified)");
    if (g->fact.note)
        printf("  %s\n", g->fact.note);
    gv_strbuf_printf(&sb, "  %3s  %-12s %7s %6s %4s  ", "id", "profile", "compute", "memory",
                     "max");
    for (int s = 0; s < g->memory_slices; s++) {
        size_t start = sb.len;
        gv_strbuf_printf(&sb, " %d", s);
        gv_strbuf_pad(&sb, start, (size_t)w);
    }
    while (sb.len && sb.buf[sb.len - 1] == ' ')
        sb.buf[--sb.len] = '\0';
    printf("%s\n", gv_strbuf_str(&sb));
    gv_strbuf_reset(&sb);
    for (size_t i = 0; i < g->n_profiles; i++) {
        const gv_mig_profile *p = &g->profiles[i];

        gv_strbuf_printf(&sb, "  %3d  %-12s %7d %6d %4d  ", p->id, p->name, p->compute_slices,
                         p->memory_slices, p->max_count);
        draw_placements(&sb, g, p, w);
        while (sb.len && sb.buf[sb.len - 1] == ' ')
            sb.buf[--sb.len] = '\0';
        printf("%s%s\n", gv_strbuf_str(&sb), p->fact.verified || !g->fact.verified ? "" : "  *");
        gv_strbuf_reset(&sb);
    }
    printf("  [s--] a placement starting at memory slice s, over the slices it covers; at most\n"
           "  one +me instance per GPU; instances may not share a memory slice.\n");
}

static void
print_vgpu(const gv_gpu_model *m)
{
    const gv_vgpu_info *v = m->vgpu;

    printf("\nvGPU (time-sliced, C-series): %s [%s]%s\n",
           v->mixed_size ? "equal-size and mixed-size mode" : "equal-size mode only (no mixed)",
           v->fact.source, v->fact.verified ? "" : " (unverified)");
    printf("  %s\n", v->on_vfs ? "each vGPU on an SR-IOV VF of the GPU (facts 2.4)"
                               : "vGPUs on the GPU itself, no VFs (facts 2.4)");
    if (v->fact.note)
        printf("  %s\n", v->fact.note);
    printf("  %-14s %16s %6s %6s\n", "type", "framebuffer", "equal", "mixed");
    for (size_t i = 0; i < v->n_types; i++) {
        const gv_vgpu_type *t = &v->types[i];
        char mixed[16];

        snprintf(mixed, sizeof(mixed), "%d", t->max_mixed);
        printf("  %-14s %12lld MiB %6d %6s%s\n", t->name, (long long)t->framebuffer_mib,
               t->max_equal, v->mixed_size ? mixed : "-",
               t->fact.verified || !v->fact.verified ? "" : "  *");
    }
}

/* Notes of unverified rows marked "*" in the tables. */
static void
print_row_notes(const gv_gpu_model *m)
{
    bool header = false;

    for (size_t i = 0; m->mig && m->mig->fact.verified && i < m->mig->n_profiles; i++) {
        const gv_mig_profile *p = &m->mig->profiles[i];
        if (p->fact.verified)
            continue;
        if (!header)
            printf("\n* unverified:\n");
        header = true;
        printf("  %s: %s\n", p->name, p->fact.note ? p->fact.note : "(no note)");
    }
    for (size_t i = 0; m->vgpu && m->vgpu->fact.verified && i < m->vgpu->n_types; i++) {
        const gv_vgpu_type *t = &m->vgpu->types[i];
        if (t->fact.verified)
            continue;
        if (!header)
            printf("\n* unverified:\n");
        header = true;
        printf("  %s: %s\n", t->name, t->fact.note ? t->fact.note : "(no note)");
    }
}

/* Source keys used by @m, each once, in order of first use. */
static size_t
model_sources(const gv_gpu_model *m, const char **keys, size_t max)
{
    const gv_fact *facts[2 + GV_GPU_MAX_PCI_IDS + GV_MIG_MAX_PROFILES + GV_VGPU_MAX_TYPES + 2];
    size_t n_facts = 0, n = 0;

    facts[n_facts++] = &m->fact;
    for (size_t i = 0; i < m->n_pci_ids; i++)
        facts[n_facts++] = &m->pci_ids[i].fact;
    if (m->mig) {
        facts[n_facts++] = &m->mig->fact;
        for (size_t i = 0; i < m->mig->n_profiles; i++)
            facts[n_facts++] = &m->mig->profiles[i].fact;
    }
    if (m->vgpu) {
        facts[n_facts++] = &m->vgpu->fact;
        for (size_t i = 0; i < m->vgpu->n_types; i++)
            facts[n_facts++] = &m->vgpu->types[i].fact;
    }
    if (m->sriov)
        facts[n_facts++] = &m->sriov->fact;
    for (size_t i = 0; i < n_facts; i++) {
        bool seen = false;
        for (size_t j = 0; j < n; j++)
            seen = seen || !strcmp(keys[j], facts[i]->source);
        if (!seen && n < max)
            keys[n++] = facts[i]->source;
    }
    return n;
}

static void
print_model(const gv_catalog *cat, const gv_gpu_model *m)
{
    const char *keys[64];
    size_t n_keys;
    gv_strbuf sb = {0};

    printf("%s", m->name);
    if (m->description[0])
        printf(" - %s", m->description);
    printf("\n");
    printf("  %-14s %s\n", "vendor", gv_gpu_vendor_to_string(m->vendor));
    append_gib(&sb, m->memory_mib);
    printf("  %-14s %s (%lld MiB)\n", "memory", gv_strbuf_str(&sb), (long long)m->memory_mib);
    gv_strbuf_reset(&sb);
    print_fact("model facts", &m->fact, true);
    for (size_t i = 0; i < m->n_pci_ids; i++) {
        char what[32];
        snprintf(what, sizeof(what), "pci %04x:%04x", m->pci_ids[i].vendor_id,
                 m->pci_ids[i].device_id);
        print_fact(what, &m->pci_ids[i].fact, true);
    }
    printf("  %-14s %s\n", "mig", m->mig ? "yes" : "no");
    printf("  %-14s %s\n", "vgpu", m->vgpu ? "yes" : "no");
    if (m->sriov) {
        append_vf_counts(&sb, m);
        printf("  %-14s %s VFs [%s]%s\n", "sr-iov", gv_strbuf_str(&sb), m->sriov->fact.source,
               m->sriov->fact.verified ? "" : " unverified");
        if (m->sriov->fact.note)
            printf("  %-14s %s\n", "", m->sriov->fact.note);
        gv_strbuf_reset(&sb);
    } else {
        printf("  %-14s %s\n", "sr-iov", "no VFs to VMs");
    }
    if (m->mig)
        print_mig(m);
    if (m->vgpu)
        print_vgpu(m);
    print_row_notes(m);
    n_keys = model_sources(m, keys, GV_N_ELEMENTS(keys));
    printf("\nSources:\n");
    for (size_t i = 0; i < n_keys; i++) {
        const char *text = gv_catalog_source(cat, keys[i]);
        printf("  %-4s %s\n", keys[i], text ? text : "(not declared)");
    }
}

/* ---- JSON ---- */

static json_t *
fact_json(json_t *obj, const gv_fact *f)
{
    json_object_set_new(obj, "source", json_string(f->source));
    json_object_set_new(obj, "verified", json_boolean(f->verified));
    json_object_set_new(obj, "note", f->note ? json_string(f->note) : json_null());
    return obj;
}

static json_t *
mig_json(const gv_mig_geometry *g)
{
    json_t *o = json_object(), *profiles = json_array();

    json_object_set_new(o, "memory_slices", json_integer(g->memory_slices));
    json_object_set_new(o, "compute_slices", json_integer(g->compute_slices));
    for (size_t i = 0; i < g->n_profiles; i++) {
        const gv_mig_profile *p = &g->profiles[i];
        json_t *po = json_object(), *starts = json_array();
        int s[GV_MIG_MAX_SLICES];
        int n = gv_mig_profile_placements(p, s);

        for (int k = 0; k < n; k++)
            json_array_append_new(starts, json_integer(s[k]));
        json_object_set_new(po, "id", json_integer(p->id));
        json_object_set_new(po, "name", json_string(p->name));
        json_object_set_new(po, "compute_slices", json_integer(p->compute_slices));
        json_object_set_new(po, "memory_slices", json_integer(p->memory_slices));
        json_object_set_new(po, "max_count", json_integer(p->max_count));
        json_object_set_new(po, "media_ext", json_boolean(p->media_ext));
        json_object_set_new(po, "starts", starts);
        json_array_append_new(profiles, fact_json(po, &p->fact));
    }
    json_object_set_new(o, "profiles", profiles);
    return fact_json(o, &g->fact);
}

static json_t *
vgpu_json(const gv_vgpu_info *v)
{
    json_t *o = json_object(), *types = json_array();

    json_object_set_new(o, "mixed_size", json_boolean(v->mixed_size));
    json_object_set_new(o, "on_vfs", json_boolean(v->on_vfs));
    for (size_t i = 0; i < v->n_types; i++) {
        const gv_vgpu_type *t = &v->types[i];
        json_t *to = json_object();

        json_object_set_new(to, "name", json_string(t->name));
        json_object_set_new(to, "framebuffer_mib", json_integer(t->framebuffer_mib));
        json_object_set_new(to, "max_equal", json_integer(t->max_equal));
        json_object_set_new(to, "max_mixed",
                            v->mixed_size ? json_integer(t->max_mixed) : json_null());
        json_array_append_new(types, fact_json(to, &t->fact));
    }
    json_object_set_new(o, "types", types);
    return fact_json(o, &v->fact);
}

static json_t *
model_json(const gv_gpu_model *m)
{
    json_t *o = json_object(), *ids = json_array();

    json_object_set_new(o, "name", json_string(m->name));
    json_object_set_new(o, "vendor", json_string(gv_gpu_vendor_to_string(m->vendor)));
    json_object_set_new(o, "description", json_string(m->description));
    json_object_set_new(o, "memory_mib", json_integer(m->memory_mib));
    for (size_t i = 0; i < m->n_pci_ids; i++) {
        char id[16];
        snprintf(id, sizeof(id), "%04x:%04x", m->pci_ids[i].vendor_id, m->pci_ids[i].device_id);
        json_array_append_new(ids, fact_json(json_pack("{s:s}", "id", id), &m->pci_ids[i].fact));
    }
    json_object_set_new(o, "pci_ids", ids);
    json_object_set_new(o, "mig", m->mig ? mig_json(m->mig) : json_null());
    json_object_set_new(o, "vgpu", m->vgpu ? vgpu_json(m->vgpu) : json_null());
    if (m->sriov) {
        json_t *s = json_object(), *counts = json_array();
        for (size_t i = 0; i < m->sriov->n_vf_counts; i++)
            json_array_append_new(counts, json_integer(m->sriov->vf_counts[i]));
        json_object_set_new(s, "vf_counts", counts);
        json_object_set_new(o, "sriov", fact_json(s, &m->sriov->fact));
    } else {
        json_object_set_new(o, "sriov", json_null());
    }
    return fact_json(o, &m->fact);
}

static void
add_sources(json_t *sources, const gv_catalog *cat, const gv_gpu_model *m)
{
    const char *keys[64];
    size_t n = model_sources(m, keys, GV_N_ELEMENTS(keys));

    for (size_t i = 0; i < n; i++) {
        const char *text = gv_catalog_source(cat, keys[i]);
        json_object_set_new(sources, keys[i], text ? json_string(text) : json_null());
    }
}

static void
print_json(const gv_catalog *cat, const gv_gpu_model *only)
{
    GV_AUTOPTR(json_t) root = json_object();
    json_t *models = json_array(), *sources = json_object();
    GV_AUTOFREE char *text = NULL;

    for (size_t i = 0; i < gv_catalog_n_models(cat); i++) {
        const gv_gpu_model *m = gv_catalog_model_at(cat, i);
        if (only && m != only)
            continue;
        json_array_append_new(models, model_json(m));
        add_sources(sources, cat, m);
    }
    json_object_set_new(root, "format", json_string(GV_CATALOG_FORMAT));
    json_object_set_new(root, "models", models);
    json_object_set_new(root, "sources", sources);
    text = gv_json_dump(root);
    fputs(text, stdout);
}

int
gv_cmd_catalog(int argc, char **argv)
{
    static const struct option opts[] = {
        GV_CLI_COMMON_OPTIONS,
        {0},
    };
    gv_cli_common co = {0};
    GV_AUTOPTR(gv_catalog) cat = NULL;
    const char *name = NULL;
    const gv_gpu_model *m = NULL;
    int c, r;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        default:
            if ((r = gv_cli_common_opt(c, "catalog", argv, usage, &co)) >= 0)
                return r;
        }
    }
    if (optind + 1 < argc)
        return gv_cli_usage_error("catalog", "takes at most one MODEL");
    if (optind < argc)
        name = argv[optind];
    if ((r = gv_cli_load_catalog(co.catalog_file, &cat)) != GV_EXIT_OK)
        return r;
    if (name && !(m = gv_catalog_lookup(cat, name))) {
        fprintf(stderr, "gpuvm catalog: '%s' is not a model in the catalog (see 'gpuvm catalog')\n",
                name);
        return GV_EXIT_INPUT;
    }
    if (co.format == GV_FORMAT_JSON)
        print_json(cat, m);
    else if (m)
        print_model(cat, m);
    else
        print_list(cat);
    return GV_EXIT_OK;
}
