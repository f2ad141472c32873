/* alloc.c - the one place where running out of memory is handled: we abort. */
#include <malloc.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gpuvm/alloc.h"

_Noreturn void
gv_oom(void)
{
    static const char msg[] = "gpuvm: out of memory\n";
    ssize_t r = write(STDERR_FILENO, msg, sizeof(msg) - 1);
    (void)r;
    abort();
}

void *
gv_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        gv_oom();
    return p;
}

void *
gv_calloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
    if (!p)
        gv_oom();
    return p;
}

void *
gv_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        gv_oom();
    return q;
}

void *
gv_reallocarray(void *p, size_t nmemb, size_t size)
{
    if (size && nmemb > SIZE_MAX / size)
        gv_oom();
    return gv_realloc(p, nmemb * size);
}

char *
gv_strdup(const char *s)
{
    return s ? gv_strndup(s, strlen(s)) : NULL;
}

char *
gv_strndup(const char *s, size_t n)
{
    char *d;
    size_t len;

    if (!s)
        return NULL;
    len = strnlen(s, n);
    d = gv_malloc(len + 1);
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *
gv_asprintf(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    int r;

    va_start(ap, fmt);
    r = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (r < 0)
        gv_oom();
    return s;
}

void *
gv_array_append(void **arr, size_t *n, size_t elem)
{
    char *slot;

    /*
     * Geometric growth without a capacity field: the allocator knows how big the block is.
     * Amortised O(1) per append, even for hostile inputs that make an array long (a topology
     * with 65536 CPUs), and under ASan, whose realloc always moves.
     */
    if (!*arr || malloc_usable_size(*arr) / elem < *n + 1)
        *arr = gv_reallocarray(*arr, *n < 4 ? 4 : 2 * *n, elem);
    slot = (char *)*arr + *n * elem;
    memset(slot, 0, elem);
    (*n)++;
    return slot;
}
