/*
 * name_range.c - expand host name patterns such as "gpu-r1-[01-16]" (Slurm/pdsh style).
 *
 * A bracket holds comma-separated numbers and ranges; a range keeps the zero padding of its
 * first number. Several brackets multiply: "r[1-2]-n[1-3]" is six names.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpuvm/topo.h"
#include "util/strbuf.h"

void
gv_strv_free(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

typedef struct range_item {
    long lo, hi;
    int width; /* zero-pad to this many digits (0 = none) */
} range_item;

/* Parse "[...]" starting at @p (after '['); return the position after ']' or NULL. */
static const char *
parse_bracket(const char *pattern, const char *p, range_item **ret, size_t *ret_n, gv_err *err)
{
    range_item *items = NULL;
    size_t n = 0;

    for (;;) {
        range_item it = {0};
        char *end;
        const char *start = p;

        if (!isdigit((unsigned char)*p))
            goto bad;
        it.lo = strtol(p, &end, 10);
        it.width = (*start == '0' && end - start > 1) ? (int)(end - start) : 0;
        it.hi = it.lo;
        p = end;
        if (*p == '-') {
            p++;
            if (!isdigit((unsigned char)*p))
                goto bad;
            it.hi = strtol(p, &end, 10);
            p = end;
            if (it.hi < it.lo) {
                gv_err_set(err, GV_E_INVAL, NULL, "host pattern '%s': range %ld-%ld goes down",
                           pattern, it.lo, it.hi);
                free(items);
                return NULL;
            }
        }
        if (it.hi - it.lo >= GV_NAME_RANGE_MAX) {
            gv_err_set(err, GV_E_LIMIT, NULL, "host pattern '%s' expands to more than %d names",
                       pattern, GV_NAME_RANGE_MAX);
            free(items);
            return NULL;
        }
        *GV_ARRAY_APPEND(items, n) = it;
        if (*p == ',') {
            p++;
            continue;
        }
        if (*p == ']')
            break;
        goto bad;
    }
    *ret = items;
    *ret_n = n;
    return p + 1;
bad:
    gv_err_set(err, GV_E_INVAL, NULL, "host pattern '%s': expected [N], [N-M] or [N-M,K] at '%s'",
               pattern, p);
    free(items);
    return NULL;
}

int
gv_name_range_expand(const char *pattern, char ***ret, gv_err *err)
{
    char **names = gv_calloc(1, sizeof(char *));
    size_t n = 1;
    const char *p = pattern;

    names[0] = gv_strdup("");
    if (!*pattern) {
        gv_strv_free(names, n);
        return gv_err_set(err, GV_E_INVAL, NULL, "empty host name");
    }
    while (*p) {
        const char *lit = p;
        while (*p && *p != '[' && *p != ']')
            p++;
        if (*p == ']') {
            gv_strv_free(names, n);
            return gv_err_set(err, GV_E_INVAL, NULL, "host pattern '%s': unmatched ']'", pattern);
        }
        if (p > lit) {
            for (size_t i = 0; i < n; i++) {
                char *s = gv_asprintf("%s%.*s", names[i], (int)(p - lit), lit);
                free(names[i]);
                names[i] = s;
            }
        }
        if (*p == '[') {
            range_item *items = NULL;
            size_t n_items = 0, count = 0, k = 0;
            char **next;

            p = parse_bracket(pattern, p + 1, &items, &n_items, err);
            if (!p) {
                gv_strv_free(names, n);
                return err ? -err->code : -GV_E_INVAL;
            }
            for (size_t i = 0; i < n_items; i++)
                count += (size_t)(items[i].hi - items[i].lo + 1);
            if (count * n > GV_NAME_RANGE_MAX) {
                free(items);
                gv_strv_free(names, n);
                return gv_err_set(err, GV_E_LIMIT, NULL,
                                  "host pattern '%s' expands to more than %d names", pattern,
                                  GV_NAME_RANGE_MAX);
            }
            next = gv_calloc(count * n, sizeof(char *));
            for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < n_items; j++)
                    for (long v = items[j].lo; v <= items[j].hi; v++)
                        next[k++] = gv_asprintf("%s%0*ld", names[i], items[j].width, v);
            free(items);
            gv_strv_free(names, n);
            names = next;
            n = count * n;
        }
    }
    *ret = names;
    return (int)n;
}
