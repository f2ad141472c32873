/*
 * strmap.h - a string-keyed hash map (open addressing, linear probing, tombstones on removal).
 *
 * Keys are copied; values are borrowed pointers. Not thread-safe: callers lock.
 */
#ifndef GV_UTIL_STRMAP_H
#define GV_UTIL_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct gv_strmap gv_strmap;

gv_strmap *gv_strmap_new(void);
void gv_strmap_free(gv_strmap *m); /* values are not freed */
size_t gv_strmap_len(const gv_strmap *m);
void *gv_strmap_get(const gv_strmap *m, const char *key);
/* Insert or replace. Returns the value replaced, or NULL. */
void *gv_strmap_put(gv_strmap *m, const char *key, void *value);
/* Remove. Returns the value removed, or NULL. */
void *gv_strmap_remove(gv_strmap *m, const char *key);
/* Every (key, value) in no particular order; @fn returns false to stop. */
void gv_strmap_each(const gv_strmap *m, bool (*fn)(void *ctx, const char *key, void *value),
                    void *ctx);
size_t gv_strmap_memory_bytes(const gv_strmap *m);

#endif
