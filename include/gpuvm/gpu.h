/*
 * gpu.h - the GPU device catalog: per model its PCI ids, memory, MIG geometry, vGPU types and
 * SR-IOV VF counts, loaded from data (data/catalog/gpus.yaml), never hard-coded.
 *
 * Design notes
 *
 * Definitions
 *   model      one GPU product as the catalog names it ("H100-SXM5-80GB"), with the PCI
 *              vendor:device ids that identify it. Names are unique ignoring case; a PCI id
 *              belongs to at most one model.
 *   fact       every block of data (model, PCI id, MIG geometry, MIG profile, vGPU block, vGPU
 *              type, SR-IOV block) carries the key of its source in the catalog's `sources`
 *              table (inherited from the enclosing block unless given) and a verified flag:
 *              false where the facts file marks a value [unverified] or [inferred], or where
 *              the value comes from outside it. A MIG profile or vGPU type is verified only
 *              when its block is; the model's own flag covers its own fields (memory).
 *   slice      MIG placements are in memory slices (NVML nvmlGpuInstancePlacement_t). A set of
 *              slices is a uint32_t mask, bit i = memory slice i.
 *   placement  (profile, start): the instance occupies slices start..start+size-1, where size
 *              is the profile's memory_slices. Allowed starts are a mask per profile.
 *   instance   a GPU instance (MIG) or a vGPU (time-sliced) that exists on one GPU; queries
 *              take the GPU's instances as a plain array and never keep state.
 *
 * Invariants of a catalog (enforced when it is parsed or merged)
 *   1. Model names are unique ignoring case, at most GV_MODEL_LEN - 1 characters; PCI ids
 *      are unique across models and their vendor is the model's vendor.
 *   2. MIG: every placement lies inside the GPU's memory slices and starts at a multiple of
 *      its size; profile names and ids are unique within a model; max_count is at least 1 and
 *      at most both the number of disjoint placements and compute_slices / profile compute;
 *      a media-extension (+me) profile has max_count 1.
 *   3. vGPU: type names are unique within a model; max_mixed is given exactly when the model
 *      supports mixed-size mode, and then max_mixed <= max_equal and max_mixed x framebuffer
 *      fits in the GPU memory.
 *   4. Every source key used by a file that declares `sources` is declared there.
 *
 * MIG rules (facts 1.1): a new GPU instance may not overlap an occupied memory slice; at most
 * one +me instance per GPU; at most max_count instances of a profile; the compute slices in use
 * never exceed the GPU's (this never binds with the official tables, it is kept as a guard for
 * catalog entries of other geometries).
 *
 * vGPU rules (facts 2.2): in equal-size mode all vGPUs of a GPU have one type and their count
 * stays below max_equal. In mixed-size mode each type's count stays below max_mixed and the
 * framebuffers of all vGPUs together fit in the GPU memory. The second half is an inferred
 * rule: NVIDIA publishes no placement-id table for mixed-size mode (facts 2.2 and caveat 9);
 * the driver's creatable placements (nvmlDeviceGetVgpuTypeCreatablePlacements) stay the final
 * word on a real host.
 *
 * Ownership: a catalog owns its models; a model owns every string and array it points to.
 * Queries are pure: they read the model and the instance arrays they are given; their errors
 * name the model as the location (gv_err.where) and the offending instance in the message.
 */
#ifndef GPUVM_GPU_H
#define GPUVM_GPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gpuvm/alloc.h"
#include "gpuvm/err.h"
#include "gpuvm/topo.h"

typedef struct gv_catalog gv_catalog;
typedef struct gv_gpu_model gv_gpu_model;

/*
 * Parse a catalog YAML text (the schema is described in data/catalog/gpus.yaml). Strict:
 * unknown and duplicate keys are refused, and invariants 1-4 are checked, each error located
 * at the offending value. No I/O: the caller reads the file.
 * Returns 0 or -GV_E_PARSE / -GV_E_INVAL / -GV_E_LIMIT ("source:line:col: ...").
 */
int gv_catalog_parse(const char *text, size_t len, const char *source, gv_catalog **ret,
                     gv_err *err);
void gv_catalog_free(gv_catalog *c);
GV_DEFINE_AUTOPTR(gv_catalog, gv_catalog_free)

/*
 * Overlay @over onto @base: a model of @over replaces the model of @base with the same name
 * (ignoring case; it keeps its place), new models are added at the end, sources are united.
 * Nothing changes unless all of it can be applied. @over is consumed (freed) on success and
 * stays the caller's on failure. Errors carry no location: the caller prefixes @over's file
 * name (gv_err_prefix).
 * Returns: 0; -GV_E_CONFLICT when a PCI id of @over belongs to a model of @base that is not
 * replaced, or a source key has two texts; -GV_E_LIMIT beyond GV_CATALOG_MAX_MODELS.
 */
int gv_catalog_merge(gv_catalog *base, gv_catalog *over, gv_err *err);

size_t gv_catalog_n_models(const gv_catalog *c);
const gv_gpu_model *gv_catalog_model_at(const gv_catalog *c, size_t i);
/* By name (exact, e.g. "H100-SXM5-80GB"), or NULL. */
const gv_gpu_model *gv_catalog_find(const gv_catalog *c, const char *name);
/* By PCI vendor:device id, or NULL. */
const gv_gpu_model *gv_catalog_find_pci(const gv_catalog *c, uint16_t vendor_id,
                                        uint16_t device_id);
const char *gv_gpu_model_name(const gv_gpu_model *m);

/*
 * Set the model of every GPU of @h whose model is "unknown" from its PCI ids; GPUs not in the
 * catalog stay "unknown" (they still work as whole devices). Returns how many were resolved.
 */
int gv_catalog_resolve_host(const gv_catalog *c, gv_host *h);

/* ---- catalog module: MIG and vGPU queries ---- */

#define GV_CATALOG_FORMAT "gpuvm-catalog/1"
#define GV_CATALOG_MAX_MODELS 1024
#define GV_GPU_MAX_PCI_IDS 64
#define GV_MIG_MAX_SLICES 32 /* memory slices per GPU: the bits of a uint32_t */
#define GV_MIG_MAX_PROFILES 32
#define GV_VGPU_MAX_TYPES 64
#define GV_VGPU_MAX_INSTANCES 256
#define GV_SRIOV_MAX_VFS 256

typedef enum gv_gpu_vendor {
    GV_GPU_VENDOR_NVIDIA,
    GV_GPU_VENDOR_AMD,
    GV_GPU_VENDOR_INTEL,
    GV_GPU_VENDOR_LAST
} gv_gpu_vendor;

const char *gv_gpu_vendor_to_string(gv_gpu_vendor v); /* "nvidia", "amd", "intel" */
int gv_gpu_vendor_from_string(const char *s);         /* -1 when unknown */
uint16_t gv_gpu_vendor_pci_id(gv_gpu_vendor v);       /* 0x10de, 0x1002, 0x8086 */

/* Where a block of catalog data comes from. Strings are owned by the model. */
typedef struct gv_fact {
    char *source;  /* key into the catalog's sources ("S1"), never NULL */
    bool verified; /* false: [unverified]/[inferred] in the facts file, or not from it */
    char *note;    /* NULL when none */
} gv_fact;

typedef struct gv_gpu_pci_id {
    uint16_t vendor_id;
    uint16_t device_id;
    gv_fact fact;
} gv_gpu_pci_id;

typedef struct gv_mig_profile {
    char *name;         /* "3g.40gb", "1g.10gb+me" */
    int id;             /* NVIDIA GPU instance profile id; per product, not global (facts 1.1) */
    int compute_slices; /* SM slices */
    int memory_slices;  /* = the placement size */
    int max_count;      /* instances of this profile per GPU */
    bool media_ext;     /* a +me profile: at most one +me instance per GPU */
    uint32_t starts;    /* allowed starts: bit s = memory slice s */
    gv_fact fact;
} gv_mig_profile;

typedef struct gv_mig_geometry {
    int memory_slices;  /* 8; A30: 4 */
    int compute_slices; /* 7; A30: 4 */
    size_t n_profiles;
    gv_mig_profile *profiles; /* in catalog order */
    gv_fact fact;
} gv_mig_geometry;

typedef struct gv_vgpu_type {
    char *name; /* "A100-4C" */
    int64_t framebuffer_mib;
    int max_equal; /* vGPUs of this type per GPU in equal-size mode */
    int max_mixed; /* ... in mixed-size mode; 0 when the model has none */
    gv_fact fact;
} gv_vgpu_type;

typedef struct gv_vgpu_info {
    bool mixed_size; /* the GPU supports mixed-size (heterogeneous) mode */
    bool on_vfs;     /* each vGPU rides on an SR-IOV VF of the GPU (NVIDIA Ampere and later,
                        facts 2.4); false: the GPU itself is the mdev parent (Turing, Volta) */
    size_t n_types;
    gv_vgpu_type *types;
    gv_fact fact;
} gv_vgpu_info;

typedef struct gv_sriov_info {
    size_t n_vf_counts;
    int *vf_counts; /* the VF counts the GPU can be split into, ascending (MI300X: 1, 8) */
    gv_fact fact;
} gv_sriov_info;

struct gv_gpu_model {
    char *name; /* stable key, e.g. "H100-SXM5-80GB" */
    gv_gpu_vendor vendor;
    char *description;  /* free text, "" when none */
    int64_t memory_mib; /* nominal: marketed GB x 1024 */
    size_t n_pci_ids;
    gv_gpu_pci_id *pci_ids;
    gv_mig_geometry *mig; /* NULL: not MIG-capable */
    gv_vgpu_info *vgpu;   /* NULL: no time-sliced vGPU types in the catalog */
    gv_sriov_info *sriov; /* NULL: the GPU hands no SR-IOV VFs to VMs itself */
    gv_fact fact;
};

/* ---- building and inspecting catalogs ---- */

/* An empty catalog; @source names it in merge errors (a file name), NULL = "<catalog>". */
gv_catalog *gv_catalog_new(const char *source);
const char *gv_catalog_source_name(const gv_catalog *c);

/*
 * Declare source @key with description @text. Returns 0, or -GV_E_CONFLICT when @key is
 * declared with another text.
 */
int gv_catalog_add_source(gv_catalog *c, const char *key, const char *text, gv_err *err);
/* The description of source @key, or NULL. */
const char *gv_catalog_source(const gv_catalog *c, const char *key);

/*
 * Append @m, taking ownership on success. The model must satisfy invariants 2-3 (the parser
 * checks them with positions). Returns 0, or -GV_E_CONFLICT when its name (ignoring case) or
 * one of its PCI ids is taken; @m stays the caller's then.
 */
int gv_catalog_add_model(gv_catalog *c, gv_gpu_model *m, gv_err *err);
void gv_gpu_model_free(gv_gpu_model *m);
GV_DEFINE_AUTOPTR(gv_gpu_model, gv_gpu_model_free)

/* By name ignoring case, or by PCI id "vvvv:dddd" (hex, "0x" prefixes allowed); NULL if none. */
const gv_gpu_model *gv_catalog_lookup(const gv_catalog *c, const char *name_or_pci);

/* Facts of @m (all blocks, profiles, types and ids) whose verified flag is false. */
size_t gv_gpu_model_n_unverified(const gv_gpu_model *m);

/* ---- MIG ---- */

/* One GPU instance: a profile (index into model->mig->profiles) at a start memory slice. */
typedef struct gv_mig_instance {
    int profile;
    int start;
} gv_mig_instance;

/* What a set of instances uses; built by gv_mig_usage_build, extended by gv_mig_usage_add. */
typedef struct gv_mig_usage {
    uint32_t occupied;              /* memory slices in use */
    int compute_used;               /* compute slices in use */
    int n_media;                    /* +me instances */
    int count[GV_MIG_MAX_PROFILES]; /* instances per profile index */
} gv_mig_usage;

/* Index of profile @name (exact) / NVIDIA profile @id in @m, or -1 (also when not MIG). */
int gv_mig_find_profile(const gv_gpu_model *m, const char *name);
int gv_mig_find_profile_id(const gv_gpu_model *m, int id);

/* The slices profile @p occupies when started at @start (0 when it does not fit in 32 bits). */
uint32_t gv_mig_placement_mask(const gv_mig_profile *p, int start);

/*
 * Enumerate the placements of @p: its allowed starts, ascending, into @ret_starts (room for
 * GV_MIG_MAX_SLICES). Returns the count.
 */
int gv_mig_profile_placements(const gv_mig_profile *p, int *ret_starts);

/* Allowed starts of @p whose slices are all free in @occupied (the overlap rule alone). */
uint32_t gv_mig_free_starts(const gv_mig_profile *p, uint32_t occupied);

/*
 * Check @insts as a layout of one GPU of model @m and summarise it into @ret (untouched on
 * failure). Instances are checked in order; the first bad one is reported, naming its index.
 * Returns: 0; -GV_E_INVAL when @m has no MIG, a profile index is out of range or a start is
 * not allowed; -GV_E_CONFLICT when an instance overlaps an earlier one, is a second +me
 * instance, exceeds its profile's max_count or the compute slices.
 */
int gv_mig_usage_build(const gv_gpu_model *m, const gv_mig_instance *insts, size_t n,
                       gv_mig_usage *ret, gv_err *err);

/* gv_mig_usage_build without the summary. */
int gv_mig_layout_check(const gv_gpu_model *m, const gv_mig_instance *insts, size_t n, gv_err *err);

/*
 * The starts at which profile @profile can still be placed on a GPU in state @u: free slices,
 * +me uniqueness, max_count and compute slices all respected. 0 when none (or @profile is out
 * of range).
 */
uint32_t gv_mig_usage_starts(const gv_gpu_model *m, const gv_mig_usage *u, int profile);

/* Add one instance to @u. Returns 0, or the errors of gv_mig_usage_build (@u untouched). */
int gv_mig_usage_add(const gv_gpu_model *m, gv_mig_usage *u, int profile, int start, gv_err *err);

/*
 * What can still be placed on a GPU holding @insts: @ret_starts[i] = gv_mig_usage_starts for
 * every profile i (room for m->mig->n_profiles). Returns the number of profiles with at least
 * one start, or the errors of gv_mig_usage_build.
 */
int gv_mig_available(const gv_gpu_model *m, const gv_mig_instance *insts, size_t n,
                     uint32_t *ret_starts, gv_err *err);

/* ---- vGPU (time-sliced) ---- */

/* Index of vGPU type @name (exact) in @m, or -1 (also when @m has no vGPU types). */
int gv_vgpu_find_type(const gv_gpu_model *m, const char *name);

/*
 * Check the vGPUs of one GPU: @types[i] is the type index of vGPU i; @mixed says whether the
 * GPU is in mixed-size mode. Returns: 0; -GV_E_INVAL when @m has no vGPU types, a type index
 * is out of range, @mixed is asked of a model without mixed-size mode, or @n exceeds
 * GV_VGPU_MAX_INSTANCES; -GV_E_CONFLICT when the set breaks the mode's rules (see the notes).
 */
int gv_vgpu_check(const gv_gpu_model *m, const int *types, size_t n, bool mixed, gv_err *err);

/*
 * Which types can still be added to a GPU holding the vGPUs @types: @ret_ok[t] for every type
 * t (room for m->vgpu->n_types). Returns the number of addable types, or the errors of
 * gv_vgpu_check for the current set.
 */
int gv_vgpu_available(const gv_gpu_model *m, const int *types, size_t n, bool mixed, bool *ret_ok,
                      gv_err *err);

/*
 * Place @n profiles (indices into m->mig->profiles, any order) on one empty GPU: a depth-first
 * search, largest profiles first, starts ascending, so the result is deterministic.
 * Returns: 0 with @ret[0..n) the instances (largest first); -GV_E_CONFLICT when they cannot all
 * fit; -GV_E_INVAL / -GV_E_LIMIT for a model without MIG, a bad index or too many.
 */
int gv_mig_layout_place(const gv_gpu_model *m, const int *profiles, size_t n, gv_mig_instance *ret,
                        gv_err *err);

/* ---- hosts ---- */

/*
 * Check every GPU of @h against its catalog model: MIG only on MIG models and with instances
 * that fit the geometry, a vGPU type of the model, a supported VF count; a GPU whose model the
 * catalog does not know only as passthrough.
 * Returns: 0, or -GV_E_INVAL with "host H: GPU P (MODEL): MODE: reason".
 */
int gv_catalog_check_host(const gv_catalog *c, const gv_host *h, gv_err *err);

/* ---- SR-IOV ---- */

/* The largest number of VFs @m hands to VMs, or 0 when it hands none. */
int gv_gpu_model_sriov_vfs(const gv_gpu_model *m);

#endif
