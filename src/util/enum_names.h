/*
 * enum_names.h - the one way an enum meets its strings: a table indexed by value, looked up
 * both ways, and a macro that defines the public <prefix>_to_string / <prefix>_from_string pair.
 */
#ifndef GV_UTIL_ENUM_NAMES_H
#define GV_UTIL_ENUM_NAMES_H

#include <stdio.h>
#include <string.h>

/* @names[@v], or "invalid" when @v is out of range or has no name. */
static inline const char *
gv_enum_to_string(const char *const *names, int n, int v)
{
    return v >= 0 && v < n && names[v] ? names[v] : "invalid";
}

/* The value whose name is @s, or -1. */
static inline int
gv_enum_from_string(const char *const *names, int n, const char *s)
{
    for (int i = 0; s && i < n; i++)
        if (names[i] && !strcmp(names[i], s))
            return i;
    return -1;
}

/* The names of NULL-terminated @names joined by ", " into @buf (cut to @len), for "is not one
 * of ..." errors. Returns @buf. */
static inline const char *
gv_enum_list(const char *const *names, char *buf, size_t len)
{
    size_t off = 0;

    buf[0] = '\0';
    for (int i = 0; names[i]; i++) {
        int n = snprintf(buf + off, len - off, "%s%s", i ? ", " : "", names[i]);

        if (n < 0 || (size_t)n >= len - off) {
            buf[off] = '\0';
            break;
        }
        off += (size_t)n;
    }
    return buf;
}

#define GV_ENUM_IMPL(type, prefix, table, last)                                                    \
    const char *prefix##_to_string(type v)                                                         \
    {                                                                                              \
        return gv_enum_to_string(table, last, (int)v);                                             \
    }                                                                                              \
    int prefix##_from_string(const char *s)                                                        \
    {                                                                                              \
        return gv_enum_from_string(table, last, s);                                                \
    }

#endif
