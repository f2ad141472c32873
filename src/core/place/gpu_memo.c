/*
 * gpu_memo.c - what one GPU's state means to the expected mix, remembered.
 *
 * Fragmentation (frag.c) asks of every GPU, for every mix shape, "could this GPU give one unit
 * of it?", and of every GPU its free capacity; MIG start choice asks it again for every start
 * it tries. The answers depend on nothing but the GPU's state and what its host and model make
 * of it, and a fleet's GPUs pass through few distinct states, so the fast path computes them
 * once per distinct state and mix (gv_gpu_memo_get) and looks them up after.
 *
 * The key is the state made canonical, keeping exactly what gv_gpu_unit and gv_gpu_free_milli
 * read: which vGPU slots or VFs are owned does not matter, only the owned slots' types (sorted)
 * and how many VFs (VFs are handed out lowest first, so the owned ones are always below the
 * GPU's VF count); the model (as the fleet's model index), whether the host is reconfigurable
 * or its MIG layout fixed, and the GPU's VF count do. The answers are computed on the state
 * rebuilt from the key, so they are a function of the key by construction; the reference path
 * never reads this memo and the reference tests compare the two.
 *
 * The table is direct-mapped: a slot holds the last key that hashed to it. An entry is valid
 * for the mix version it was computed under, so a new mix needs no flush.
 *
 * Each fill gets an id that is never reused, so an id names one key for good. A GPU of the live
 * state remembers its slot and id (gv_gpu_ref) until its host's version moves, and then needs
 * neither its key built nor hashed nor compared; the per-unit table is keyed by that id, not by
 * the key. A unit's entry also keeps the GPU's answer after giving the unit, which is what F(M)
 * after a candidate reads of the GPUs it takes (gv_frag_host_after's @picked).
 */
#include <string.h>

#include "engine.h"

#define GV_GPU_MEMO_SLOTS 16384 /* a power of two */

_Static_assert(GV_MIX_MAX <= 64, "gv_gpu_memo.able has a bit per mix entry");

/* Sorted @n types, ascending (n <= GV_VGPU_SLOTS; equal-size GPUs hold one type). */
static void
sort_types(int8_t *t, int n)
{
    for (int i = 1; i < n; i++) {
        int8_t v = t[i];
        int j = i;

        while (j > 0 && t[j - 1] > v) {
            t[j] = t[j - 1];
            j--;
        }
        t[j] = v;
    }
}

static void
key_of(const gv_engine *e, size_t h, int g, const gv_gpu_use *gu, gv_gpu_key *k)
{
    const gv_host_info *hi = &e->info[h];
    uint64_t bits;
    int n = 0;

    memset(k, 0, sizeof(*k));
    k->fleet_model = hi->fleet_model[g];
    k->reconf = (uint8_t)(hi->host->reconfigurable | hi->host->mig_fixed << 1);
    k->vfs = (uint16_t)hi->gpu_vfs[g];
    k->mode = gu->mode;
    k->vgpu_type = gu->vgpu_type;
    k->vgpu_mixed = gu->vgpu_mixed;
    k->taken = gu->taken;
    k->n_inst = gu->n_inst;
    k->inst_used = gu->inst_used;
    k->n_alloc = gu->n_alloc;
    k->used_milli = gu->used_milli;
    k->n_vf = (uint8_t)__builtin_popcountll(gu->vf_used);
    for (int i = 0; i < gu->n_inst && i < GV_GPU_MAX_INSTANCES; i++) {
        k->inst[i][0] = (uint8_t)gu->inst[i].profile;
        k->inst[i][1] = (uint8_t)gu->inst[i].start;
    }
    for (bits = gu->vgpu_used; bits; bits &= bits - 1)
        k->vgpu_types[n++] = gu->slot_type[__builtin_ctzll(bits)];
    sort_types(k->vgpu_types, n);
    k->n_vgpu = (uint8_t)n;
}

static uint64_t
low_bits(int n)
{
    return n >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << n) - 1;
}

/* The state @k stands for: owned vGPU slots and VFs packed lowest first. */
static void
use_of(const gv_gpu_key *k, gv_gpu_use *gu)
{
    gv_gpu_use_blank(gu, (gv_gpu_mode)k->mode);
    gu->vgpu_type = k->vgpu_type;
    gu->vgpu_mixed = k->vgpu_mixed;
    gu->taken = k->taken;
    gu->n_inst = k->n_inst;
    gu->inst_used = k->inst_used;
    gu->n_alloc = k->n_alloc;
    gu->used_milli = k->used_milli;
    for (int i = 0; i < k->n_inst && i < GV_GPU_MAX_INSTANCES; i++) {
        gu->inst[i].profile = k->inst[i][0];
        gu->inst[i].start = k->inst[i][1];
    }
    gu->vgpu_used = low_bits(k->n_vgpu);
    for (int s = 0; s < k->n_vgpu; s++)
        gu->slot_type[s] = k->vgpu_types[s];
    gu->vf_used = low_bits(k->n_vf);
}

static uint64_t
key_hash(const gv_gpu_key *k)
{
    /* the vGPU types past the owned ones are zero: hash the fixed part and the owned ones */
    uint64_t h = gv_hash_bytes(GV_HASH_SEED, k, offsetof(gv_gpu_key, vgpu_types) + k->n_vgpu);

    return h ^ (h >> 32);
}

/* The memo of @key, filled afresh (under a new id) when the slot holds another key or an older
 * mix's answers. */
static gv_gpu_memo *
memo_of_key(const gv_engine *e, size_t h, int g, const gv_gpu_key *k, uint32_t *slot)
{
    /* a cache of derived values is the one thing the const engine may update */
    gv_engine *me = (gv_engine *)e;
    gv_gpu_memo *m;
    gv_gpu_use t;

    *slot = (uint32_t)(key_hash(k) & (GV_GPU_MEMO_SLOTS - 1));
    m = &me->gpu_memo[*slot];
    if (m->stamp == e->mix_version + 1 && !memcmp(&m->key, k, sizeof(*k))) {
        me->gpu_memo_hits++;
        return m;
    }
    me->gpu_memo_misses++;
    use_of(k, &t);
    m->key = *k;
    m->stamp = e->mix_version + 1;
    m->id = ++me->gpu_memo_fills;
    m->free_milli = (int32_t)gv_gpu_free_milli(&e->info[h], g, &t);
    m->able = 0;
    m->unable_w = 0;
    for (size_t i = 0; i < e->n_mix; i++) {
        if (e->mix[i].shape.gpu.count > 0 && gv_gpu_unit(e, h, g, &t, &e->mix_ask[i], false, NULL))
            m->able |= UINT64_C(1) << i;
        else
            m->unable_w += e->mix_w[i];
    }
    return m;
}

/* The remembered slot and id of GPU @g of host @h when @gu is its live state, else NULL: a
 * trial state (the "after" of a candidate, a MIG start being tried) is looked up by its key. */
static gv_gpu_ref *
ref_of(const gv_engine *e, size_t h, int g, const gv_gpu_use *gu)
{
    return gu == &e->use[h].gpus[g] ? &e->frag_memo[h].refs[g] : NULL;
}

const gv_gpu_memo *
gv_gpu_memo_get(const gv_engine *e, size_t h, int g, const gv_gpu_use *gu)
{
    gv_engine *me = (gv_engine *)e;
    const gv_host_use *u = &e->use[h];
    gv_gpu_ref *ref = ref_of(e, h, g, gu);
    gv_gpu_key k;
    gv_gpu_memo *m;
    uint32_t slot;

    if (ref && ref->version == u->version + 1) {
        m = &me->gpu_memo[ref->slot];
        if (m->id == ref->id && m->stamp == e->mix_version + 1) {
            me->gpu_memo_hits++;
            return m;
        }
    }
    key_of(e, h, g, gu, &k);
    m = memo_of_key(e, h, g, &k, &slot);
    if (ref) {
        ref->version = u->version + 1;
        ref->id = m->id;
        ref->slot = slot;
    }
    return m;
}

bool
gv_gpu_unit_memo(const gv_engine *e, size_t h, int g, const gv_gpu_use *gu, const gv_ask *a,
                 gv_gpu_pick *pick, int64_t *frag_after, gv_gpu_answer *after)
{
    gv_engine *me = (gv_engine *)e;
    int mode = a->r->gpu.mode, unit = gv_ask_unit(e, a, h, g);
    const gv_gpu_ref *ref = ref_of(e, h, g, gu);
    /* the state's id stands for its key (ids are never reused), whether or not the memo slot
     * that gave it still holds it */
    uint64_t state =
        ref && ref->version == e->use[h].version + 1 ? ref->id : gv_gpu_memo_get(e, h, g, gu)->id;
    gv_unit_memo *m;

    m = &me->unit_memo[gv_hash_word(gv_hash_word(GV_HASH_SEED, state),
                                    (uint64_t)(mode << 16 | (unit & 0xffff))) &
                       (GV_GPU_MEMO_SLOTS - 1)];
    if (m->stamp != e->mix_version + 1 || m->state != state || m->mode != mode || m->unit != unit) {
        gv_gpu_key k;
        gv_gpu_use t;

        key_of(e, h, g, gu, &k);
        use_of(&k, &t);
        m->state = state;
        m->stamp = e->mix_version + 1;
        m->mode = (int8_t)mode;
        m->unit = (int16_t)unit;
        m->frag_after = 0;
        m->ok = gv_gpu_unit(e, h, g, &t, a, true, &m->pick);
        if (m->ok) {
            const gv_gpu_memo *am;

            gv_gpu_pick_apply(&t, a->r, &m->pick);
            m->frag_after = gv_frag_gpu(e, h, g, &t, false);
            am = gv_gpu_memo_get(e, h, g, &t);
            m->after.free_milli = am->free_milli;
            m->after.able = am->able;
        }
    }
    if (!m->ok)
        return false;
    *pick = m->pick;
    pick->gpu = g;
    /* the slot is the lowest free one of the actual state (the key packs them lowest first) */
    if (mode == GV_GPU_MODE_VGPU && !pick->reconfig)
        pick->slot = gv_lowest_clear(gu->vgpu_used, GV_VGPU_SLOTS);
    else if (mode == GV_GPU_MODE_SRIOV)
        pick->slot = gv_lowest_clear(gu->vf_used, e->info[h].gpu_vfs[g]);
    *frag_after = m->frag_after;
    *after = m->after;
    return true;
}

void
gv_gpu_memo_init(gv_engine *e)
{
    /* zeroed slots are empty: a filled one's stamp is its mix version + 1 */
    e->gpu_memo = gv_calloc(GV_GPU_MEMO_SLOTS, sizeof(*e->gpu_memo));
    e->unit_memo = gv_calloc(GV_GPU_MEMO_SLOTS, sizeof(*e->unit_memo));
}

size_t
gv_gpu_memo_bytes(void)
{
    return GV_GPU_MEMO_SLOTS * (sizeof(gv_gpu_memo) + sizeof(gv_unit_memo));
}
