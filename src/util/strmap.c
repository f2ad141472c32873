/*
 * strmap.c - open addressing with linear probing; the table is a power of two at most 70% full
 * (tombstones included), so a probe always ends at an empty slot.
 */
#include <stdint.h>
#include <string.h>

#include "gpuvm/alloc.h"
#include "util/strmap.h"

typedef struct slot {
    char *key; /* NULL: empty; TOMB: removed */
    void *value;
    uint64_t hash;
} slot;

static char tomb_;
#define TOMB (&tomb_)

struct gv_strmap {
    size_t cap, len, used; /* used: live + tombstones */
    slot *slots;
};

static uint64_t
hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h ^ (h >> 29);
}

gv_strmap *
gv_strmap_new(void)
{
    gv_strmap *m = GV_NEW0(gv_strmap);

    m->cap = 16;
    m->slots = gv_calloc(m->cap, sizeof(slot));
    return m;
}

void
gv_strmap_free(gv_strmap *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key && m->slots[i].key != TOMB)
            free(m->slots[i].key);
    free(m->slots);
    free(m);
}

size_t
gv_strmap_len(const gv_strmap *m)
{
    return m->len;
}

static slot *
find(const gv_strmap *m, const char *key, uint64_t h)
{
    for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        slot *s = &m->slots[i];

        if (!s->key)
            return NULL;
        if (s->key != TOMB && s->hash == h && !strcmp(s->key, key))
            return s;
    }
}

void *
gv_strmap_get(const gv_strmap *m, const char *key)
{
    slot *s = find(m, key, hash_str(key));
    return s ? s->value : NULL;
}

static void
grow(gv_strmap *m)
{
    slot *old = m->slots;
    size_t old_cap = m->cap;

    if (m->len * 2 >= m->cap)
        m->cap *= 2;
    m->slots = gv_calloc(m->cap, sizeof(slot));
    m->used = m->len;
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i].key || old[i].key == TOMB)
            continue;
        size_t j = old[i].hash & (m->cap - 1);
        while (m->slots[j].key)
            j = (j + 1) & (m->cap - 1);
        m->slots[j] = old[i];
    }
    free(old);
}

void *
gv_strmap_put(gv_strmap *m, const char *key, void *value)
{
    uint64_t h = hash_str(key);
    slot *s = find(m, key, h);
    size_t i;

    if (s) {
        void *prev = s->value;
        s->value = value;
        return prev;
    }
    if ((m->used + 1) * 10 > m->cap * 7)
        grow(m);
    for (i = h & (m->cap - 1); m->slots[i].key && m->slots[i].key != TOMB;
         i = (i + 1) & (m->cap - 1))
        ;
    if (!m->slots[i].key)
        m->used++;
    m->slots[i] = (slot){.key = gv_strdup(key), .value = value, .hash = h};
    m->len++;
    return NULL;
}

void *
gv_strmap_remove(gv_strmap *m, const char *key)
{
    slot *s = find(m, key, hash_str(key));
    void *v;

    if (!s)
        return NULL;
    v = s->value;
    free(s->key);
    s->key = TOMB;
    s->value = NULL;
    m->len--;
    return v;
}

void
gv_strmap_each(const gv_strmap *m, bool (*fn)(void *ctx, const char *key, void *value), void *ctx)
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key && m->slots[i].key != TOMB &&
            !fn(ctx, m->slots[i].key, m->slots[i].value))
            return;
}

size_t
gv_strmap_memory_bytes(const gv_strmap *m)
{
    size_t n = sizeof(*m) + m->cap * sizeof(slot);

    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key && m->slots[i].key != TOMB)
            n += strlen(m->slots[i].key) + 1;
    return n;
}
