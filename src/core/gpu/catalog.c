/*
 * catalog.c - the catalog container: models and sources, lookups by name and PCI id, merging an
 * override catalog over the shipped one, resolving the GPUs of a host to models, and the small
 * per-model helpers (vendor table, SR-IOV VF count, unverified-fact count).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "gpuvm/gpu.h"

typedef struct catalog_source {
    char *key;
    char *text;
} catalog_source;

struct gv_catalog {
    char *source; /* a file name, for merge errors */
    size_t n_models;
    gv_gpu_model **models; /* in file order; merge keeps replaced models in place */
    size_t n_sources;
    catalog_source *sources;
};

static const struct {
    const char *name;
    uint16_t pci;
} vendors[GV_GPU_VENDOR_LAST] = {
    [GV_GPU_VENDOR_NVIDIA] = {"nvidia", 0x10de},
    [GV_GPU_VENDOR_AMD] = {"amd", 0x1002},
    [GV_GPU_VENDOR_INTEL] = {"intel", 0x8086},
};

const char *
gv_gpu_vendor_to_string(gv_gpu_vendor v)
{
    return (unsigned)v < GV_GPU_VENDOR_LAST ? vendors[v].name : "unknown";
}

int
gv_gpu_vendor_from_string(const char *s)
{
    for (int i = 0; i < GV_GPU_VENDOR_LAST; i++)
        if (s && !strcmp(s, vendors[i].name))
            return i;
    return -1;
}

uint16_t
gv_gpu_vendor_pci_id(gv_gpu_vendor v)
{
    return (unsigned)v < GV_GPU_VENDOR_LAST ? vendors[v].pci : 0;
}

/* ---- models ---- */

static void
fact_clear(gv_fact *f)
{
    free(f->source);
    free(f->note);
}

void
gv_gpu_model_free(gv_gpu_model *m)
{
    if (!m)
        return;
    free(m->name);
    free(m->description);
    for (size_t i = 0; i < m->n_pci_ids; i++)
        fact_clear(&m->pci_ids[i].fact);
    free(m->pci_ids);
    if (m->mig) {
        for (size_t i = 0; i < m->mig->n_profiles; i++) {
            free(m->mig->profiles[i].name);
            fact_clear(&m->mig->profiles[i].fact);
        }
        free(m->mig->profiles);
        fact_clear(&m->mig->fact);
        free(m->mig);
    }
    if (m->vgpu) {
        for (size_t i = 0; i < m->vgpu->n_types; i++) {
            free(m->vgpu->types[i].name);
            fact_clear(&m->vgpu->types[i].fact);
        }
        free(m->vgpu->types);
        fact_clear(&m->vgpu->fact);
        free(m->vgpu);
    }
    if (m->sriov) {
        free(m->sriov->vf_counts);
        fact_clear(&m->sriov->fact);
        free(m->sriov);
    }
    fact_clear(&m->fact);
    free(m);
}

const char *
gv_gpu_model_name(const gv_gpu_model *m)
{
    return m ? m->name : NULL;
}

size_t
gv_gpu_model_n_unverified(const gv_gpu_model *m)
{
    size_t n = !m->fact.verified;

    for (size_t i = 0; i < m->n_pci_ids; i++)
        n += !m->pci_ids[i].fact.verified;
    if (m->mig) {
        n += !m->mig->fact.verified;
        for (size_t i = 0; i < m->mig->n_profiles; i++)
            n += !m->mig->profiles[i].fact.verified;
    }
    if (m->vgpu) {
        n += !m->vgpu->fact.verified;
        for (size_t i = 0; i < m->vgpu->n_types; i++)
            n += !m->vgpu->types[i].fact.verified;
    }
    if (m->sriov)
        n += !m->sriov->fact.verified;
    return n;
}

int
gv_gpu_model_sriov_vfs(const gv_gpu_model *m)
{
    if (!m || !m->sriov || m->sriov->n_vf_counts == 0)
        return 0;
    return m->sriov->vf_counts[m->sriov->n_vf_counts - 1];
}

/* ---- the catalog ---- */

gv_catalog *
gv_catalog_new(const char *source)
{
    gv_catalog *c = GV_NEW0(gv_catalog);

    c->source = gv_strdup(source ? source : "<catalog>");
    return c;
}

void
gv_catalog_free(gv_catalog *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_models; i++)
        gv_gpu_model_free(c->models[i]);
    free(c->models);
    for (size_t i = 0; i < c->n_sources; i++) {
        free(c->sources[i].key);
        free(c->sources[i].text);
    }
    free(c->sources);
    free(c->source);
    free(c);
}

const char *
gv_catalog_source_name(const gv_catalog *c)
{
    return c->source;
}

const char *
gv_catalog_source(const gv_catalog *c, const char *key)
{
    for (size_t i = 0; i < c->n_sources; i++)
        if (!strcmp(c->sources[i].key, key))
            return c->sources[i].text;
    return NULL;
}

int
gv_catalog_add_source(gv_catalog *c, const char *key, const char *text, gv_err *err)
{
    const char *old = gv_catalog_source(c, key);
    catalog_source *s;

    if (old) {
        if (strcmp(old, text))
            return gv_err_set(err, GV_E_CONFLICT, c->source,
                              "source '%s' is already declared with another text", key);
        return 0;
    }
    s = GV_ARRAY_APPEND(c->sources, c->n_sources);
    s->key = gv_strdup(key);
    s->text = gv_strdup(text);
    return 0;
}

size_t
gv_catalog_n_models(const gv_catalog *c)
{
    return c->n_models;
}

const gv_gpu_model *
gv_catalog_model_at(const gv_catalog *c, size_t i)
{
    return i < c->n_models ? c->models[i] : NULL;
}

const gv_gpu_model *
gv_catalog_find(const gv_catalog *c, const char *name)
{
    for (size_t i = 0; i < c->n_models; i++)
        if (!strcmp(c->models[i]->name, name))
            return c->models[i];
    return NULL;
}

static ssize_t
find_index_icase(const gv_catalog *c, const char *name)
{
    for (size_t i = 0; i < c->n_models; i++)
        if (!strcasecmp(c->models[i]->name, name))
            return (ssize_t)i;
    return -1;
}

const gv_gpu_model *
gv_catalog_find_pci(const gv_catalog *c, uint16_t vendor_id, uint16_t device_id)
{
    for (size_t i = 0; i < c->n_models; i++)
        for (size_t j = 0; j < c->models[i]->n_pci_ids; j++)
            if (c->models[i]->pci_ids[j].vendor_id == vendor_id &&
                c->models[i]->pci_ids[j].device_id == device_id)
                return c->models[i];
    return NULL;
}

/* "10de:2330", "0x10de:0x2330": exactly two 1-4 digit hex fields. */
static bool
parse_pci_id(const char *s, uint16_t *ret_vendor, uint16_t *ret_device)
{
    unsigned v[2];

    for (int f = 0; f < 2; f++) {
        int digits = 0;

        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
            s += 2;
        v[f] = 0;
        for (; *s && *s != ':'; s++, digits++) {
            int d;
            if (*s >= '0' && *s <= '9')
                d = *s - '0';
            else if (*s >= 'a' && *s <= 'f')
                d = *s - 'a' + 10;
            else if (*s >= 'A' && *s <= 'F')
                d = *s - 'A' + 10;
            else
                return false;
            v[f] = v[f] * 16 + (unsigned)d;
            if (digits >= 4)
                return false;
        }
        if (digits == 0 || (f == 0 && *s != ':') || (f == 1 && *s))
            return false;
        if (f == 0)
            s++;
    }
    *ret_vendor = (uint16_t)v[0];
    *ret_device = (uint16_t)v[1];
    return true;
}

const gv_gpu_model *
gv_catalog_lookup(const gv_catalog *c, const char *name_or_pci)
{
    ssize_t i = find_index_icase(c, name_or_pci);
    uint16_t vendor, device;

    if (i >= 0)
        return c->models[i];
    if (parse_pci_id(name_or_pci, &vendor, &device))
        return gv_catalog_find_pci(c, vendor, device);
    return NULL;
}

/* Is a PCI id of @m taken by a model of @c other than those @skip says to ignore? */
static const gv_gpu_model *
pci_owner(const gv_catalog *c, const gv_gpu_model *m, const bool *skip, uint16_t *ret_vendor,
          uint16_t *ret_device)
{
    for (size_t k = 0; k < m->n_pci_ids; k++)
        for (size_t i = 0; i < c->n_models; i++) {
            if (skip && skip[i])
                continue;
            for (size_t j = 0; j < c->models[i]->n_pci_ids; j++)
                if (c->models[i]->pci_ids[j].vendor_id == m->pci_ids[k].vendor_id &&
                    c->models[i]->pci_ids[j].device_id == m->pci_ids[k].device_id) {
                    *ret_vendor = m->pci_ids[k].vendor_id;
                    *ret_device = m->pci_ids[k].device_id;
                    return c->models[i];
                }
        }
    return NULL;
}

int
gv_catalog_add_model(gv_catalog *c, gv_gpu_model *m, gv_err *err)
{
    const gv_gpu_model *owner;
    uint16_t vendor, device;
    ssize_t i;

    if (c->n_models >= GV_CATALOG_MAX_MODELS)
        return gv_err_set(err, GV_E_LIMIT, c->source, "more than %d models", GV_CATALOG_MAX_MODELS);
    if ((i = find_index_icase(c, m->name)) >= 0)
        return gv_err_set(err, GV_E_CONFLICT, c->source, "model '%s' is already defined as '%s'",
                          m->name, c->models[i]->name);
    if ((owner = pci_owner(c, m, NULL, &vendor, &device)))
        return gv_err_set(err, GV_E_CONFLICT, c->source,
                          "model '%s': PCI id %04x:%04x is already used by model '%s'", m->name,
                          vendor, device, owner->name);
    *GV_ARRAY_APPEND(c->models, c->n_models) = m;
    return 0;
}

int
gv_catalog_merge(gv_catalog *base, gv_catalog *over, gv_err *err)
{
    GV_AUTOFREE bool *replaced = gv_calloc(base->n_models + 1, sizeof(bool));
    GV_AUTOFREE ssize_t *target = gv_calloc(over->n_models + 1, sizeof(ssize_t));
    size_t n_new = 0;

    /* Validate everything first: the merge applies fully or not at all. */
    for (size_t i = 0; i < over->n_sources; i++) {
        const char *old = gv_catalog_source(base, over->sources[i].key);
        if (old && strcmp(old, over->sources[i].text))
            return gv_err_set(err, GV_E_CONFLICT, NULL,
                              "source '%s' is already declared in %s with another text",
                              over->sources[i].key, base->source);
    }
    for (size_t i = 0; i < over->n_models; i++) {
        target[i] = find_index_icase(base, over->models[i]->name);
        if (target[i] >= 0)
            replaced[target[i]] = true;
        else
            n_new++;
    }
    if (base->n_models + n_new > GV_CATALOG_MAX_MODELS)
        return gv_err_set(err, GV_E_LIMIT, NULL, "more than %d models after merging",
                          GV_CATALOG_MAX_MODELS);
    for (size_t i = 0; i < over->n_models; i++) {
        uint16_t vendor, device;
        const gv_gpu_model *owner = pci_owner(base, over->models[i], replaced, &vendor, &device);

        if (owner)
            return gv_err_set(err, GV_E_CONFLICT, NULL,
                              "model '%s': PCI id %04x:%04x is already used by model '%s' of %s",
                              over->models[i]->name, vendor, device, owner->name, base->source);
    }

    for (size_t i = 0; i < over->n_sources; i++)
        gv_catalog_add_source(base, over->sources[i].key, over->sources[i].text, NULL);
    for (size_t i = 0; i < over->n_models; i++) {
        gv_gpu_model *m = GV_STEAL_PTR(over->models[i]);
        if (target[i] >= 0) {
            gv_gpu_model_free(base->models[target[i]]);
            base->models[target[i]] = m;
        } else {
            *GV_ARRAY_APPEND(base->models, base->n_models) = m;
        }
    }
    over->n_models = 0;
    gv_catalog_free(over);
    return 0;
}

int
gv_catalog_resolve_host(const gv_catalog *c, gv_host *h)
{
    int n = 0;

    for (size_t i = 0; i < h->n_gpus; i++) {
        gv_gpu *g = &h->gpus[i];
        const gv_gpu_model *m;

        if (g->model[0] && strcmp(g->model, "unknown"))
            continue;
        m = gv_catalog_find_pci(c, g->vendor_id, g->device_id);
        if (!m)
            continue;
        snprintf(g->model, sizeof(g->model), "%s", m->name);
        n++;
    }
    return n;
}
