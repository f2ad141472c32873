/* cpulist.c - parse and print id sets in list and hex-mask form. */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "gpuvm/alloc.h"
#include "cpulist.h"

static int
cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

size_t
gv_ids_sort_unique(int *ids, size_t n)
{
    size_t out = 0;

    if (n == 0)
        return 0;
    qsort(ids, n, sizeof(*ids), cmp_int);
    for (size_t i = 0; i < n; i++)
        if (out == 0 || ids[out - 1] != ids[i])
            ids[out++] = ids[i];
    return out;
}

/* A growable id array with doubling capacity: hostile lists can name 65536 ids. */
typedef struct id_vec {
    int *v;
    size_t n, cap;
} id_vec;

static void
id_vec_cleanup(id_vec *a)
{
    free(a->v);
}

static void
id_vec_push(id_vec *a, int id)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 64;
        a->v = gv_reallocarray(a->v, a->cap, sizeof(int));
    }
    a->v[a->n++] = id;
}

static int
id_vec_finish(id_vec *a, int **ret)
{
    size_t n = gv_ids_sort_unique(a->v, a->n);

    if (n == 0) {
        free(a->v);
        *ret = NULL;
    } else {
        *ret = a->v;
    }
    a->v = NULL;
    return (int)n;
}

static int
parse_num(const char **p, long *ret)
{
    char *end;
    long v;

    if (!isdigit((unsigned char)**p))
        return -1;
    v = strtol(*p, &end, 10);
    if (v < 0 || v > GV_CPULIST_MAX_ID)
        return -2;
    *p = end;
    *ret = v;
    return 0;
}

int
gv_cpulist_parse(const char *s, int **ret, gv_err *err)
{
    id_vec ids __attribute__((cleanup(id_vec_cleanup))) = {0};
    const char *p = s;

    while (*p == ' ')
        p++;
    while (*p && *p != '\n') {
        long a, b;
        int r = parse_num(&p, &a);
        if (r == -2)
            return gv_err_set(err, GV_E_LIMIT, NULL, "cpu list '%s': id above %d", s,
                              GV_CPULIST_MAX_ID);
        if (r < 0)
            return gv_err_set(err, GV_E_PARSE, NULL, "cpu list '%s': expected a number", s);
        b = a;
        if (*p == '-') {
            p++;
            r = parse_num(&p, &b);
            if (r == -2)
                return gv_err_set(err, GV_E_LIMIT, NULL, "cpu list '%s': id above %d", s,
                                  GV_CPULIST_MAX_ID);
            if (r < 0 || b < a)
                return gv_err_set(err, GV_E_PARSE, NULL, "cpu list '%s': bad range", s);
        }
        for (long i = a; i <= b; i++)
            id_vec_push(&ids, (int)i);
        if (*p == ',')
            p++;
        else if (*p && *p != '\n')
            return gv_err_set(err, GV_E_PARSE, NULL, "cpu list '%s': unexpected '%c'", s, *p);
    }
    return id_vec_finish(&ids, ret);
}

int
gv_cpumask_parse(const char *s, int **ret, gv_err *err)
{
    id_vec ids __attribute__((cleanup(id_vec_cleanup))) = {0};
    size_t ndigits = 0;
    size_t len = strlen(s);

    /* Walk from the least significant (rightmost) digit; commas only separate 32-bit words. */
    for (size_t i = len; i-- > 0;) {
        char c = s[i];
        int v;

        if (c == ',')
            continue;
        if (c == 'x' || c == 'X') {
            if (i == 1 && s[0] == '0')
                break;
            return gv_err_set(err, GV_E_PARSE, NULL, "cpu mask '%s': misplaced 'x'", s);
        }
        if (!isxdigit((unsigned char)c))
            return gv_err_set(err, GV_E_PARSE, NULL, "cpu mask '%s': '%c' is not a hex digit", s,
                              c);
        v = isdigit((unsigned char)c) ? c - '0' : (tolower((unsigned char)c) - 'a' + 10);
        for (int bit = 0; bit < 4; bit++) {
            if (!(v & (1 << bit)))
                continue;
            size_t id = ndigits * 4 + (size_t)bit;
            if (id > GV_CPULIST_MAX_ID)
                return gv_err_set(err, GV_E_LIMIT, NULL, "cpu mask '%s': id above %d", s,
                                  GV_CPULIST_MAX_ID);
            id_vec_push(&ids, (int)id);
        }
        ndigits++;
    }
    return id_vec_finish(&ids, ret);
}

void
gv_cpulist_format(gv_strbuf *sb, const int *ids, size_t n)
{
    bool first = true;

    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && ids[j + 1] == ids[j] + 1)
            j++;
        if (!first)
            gv_strbuf_putc(sb, ',');
        if (j == i)
            gv_strbuf_printf(sb, "%d", ids[i]);
        else
            gv_strbuf_printf(sb, "%d-%d", ids[i], ids[j]);
        first = false;
        i = j + 1;
    }
}

void
gv_cpulist_format_ids(gv_strbuf *sb, const int *ids, size_t n)
{
    GV_AUTOFREE int *sorted = NULL;

    if (!n)
        return;
    sorted = gv_reallocarray(NULL, n, sizeof(int));
    memcpy(sorted, ids, n * sizeof(int));
    n = gv_ids_sort_unique(sorted, n);
    gv_cpulist_format(sb, sorted, n);
}
