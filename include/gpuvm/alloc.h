/*
 * alloc.h - allocation that cannot fail, and scoped cleanup.
 *
 * Out-of-memory aborts in one place (gv_oom); callers never test for NULL. Sizes that come from
 * users must be bounded before they reach these functions. The cleanup macros follow systemd's
 * _cleanup_/TAKE_PTR and GLib's g_autoptr/g_steal_pointer: ownership is handed over only on
 * success with GV_STEAL_PTR, and every free function accepts NULL.
 */
#ifndef GPUVM_ALLOC_H
#define GPUVM_ALLOC_H

#include <stddef.h>
#include <stdlib.h>

_Noreturn void gv_oom(void);

void *gv_malloc(size_t n);
void *gv_calloc(size_t nmemb, size_t size);
void *gv_realloc(void *p, size_t n);
/* realloc for arrays: overflow-checked nmemb * size. */
void *gv_reallocarray(void *p, size_t nmemb, size_t size);
char *gv_strdup(const char *s); /* NULL in, NULL out */
char *gv_strndup(const char *s, size_t n);
char *gv_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define GV_NEW0(type) ((type *)gv_calloc(1, sizeof(type)))

/*
 * Append one zeroed element to the heap array @arr of @n elements (both lvalues; @n a size_t)
 * and return a pointer to it. Growth is geometric; the capacity is the allocator's block size
 * (malloc_usable_size), so arrays need no capacity field beside their count.
 */
#define GV_ARRAY_APPEND(arr, n)                                                                    \
    ((__typeof__(arr))gv_array_append((void **)&(arr), &(n), sizeof(*(arr))))

void *gv_array_append(void **arr, size_t *n, size_t elem);

static inline void
gv_freep(void *p)
{
    free(*(void **)p);
}

#define GV_AUTOFREE __attribute__((cleanup(gv_freep)))

/* Declare `type *`-cleanup for @func, then use GV_AUTOPTR(type) x = NULL; */
#define GV_DEFINE_AUTOPTR(type, func)                                                              \
    static inline void gv_autoptr_cleanup_##type(type **p)                                         \
    {                                                                                              \
        if (*p)                                                                                    \
            func(*p);                                                                              \
    }
#define GV_AUTOPTR(type) __attribute__((cleanup(gv_autoptr_cleanup_##type))) type *

#define GV_STEAL_PTR(p)                                                                            \
    ({                                                                                             \
        __typeof__(p) gv_steal_tmp_ = (p);                                                         \
        (p) = NULL;                                                                                \
        gv_steal_tmp_;                                                                             \
    })

#define GV_N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

#endif
