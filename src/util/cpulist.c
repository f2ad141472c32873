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
    GV_AUTOFREE int *ids = NULL;
    size_t n = 0;
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
            *GV_ARRAY_APPEND(ids, n) = (int)i;
        if (*p == ',')
            p++;
        else if (*p && *p != '\n')
            return gv_err_set(err, GV_E_PARSE, NULL, "cpu list '%s': unexpected '%c'", s, *p);
    }
    n = gv_ids_sort_unique(ids, n);
    *ret = n ? GV_STEAL_PTR(ids) : NULL;
    return (int)n;
}

int
gv_cpumask_parse(const char *s, int **ret, gv_err *err)
{
    GV_AUTOFREE int *ids = NULL;
    size_t n = 0, ndigits = 0;
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
            *GV_ARRAY_APPEND(ids, n) = (int)id;
        }
        ndigits++;
    }
    n = gv_ids_sort_unique(ids, n);
    *ret = n ? GV_STEAL_PTR(ids) : NULL;
    return (int)n;
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
