/*
 * cpulist.h - CPU and NUMA id sets in the two text forms the kernel and hwloc use:
 * lists ("0-3,8,10-11", as in /sys/.../cpulist) and hex masks ("ffffffff,00000000": 32-bit
 * words, most significant first, as in hwloc XML cpusets and NCCL topology affinity).
 */
#ifndef GV_UTIL_CPULIST_H
#define GV_UTIL_CPULIST_H

#include <stddef.h>

#include "gpuvm/err.h"
#include "strbuf.h"

/* Largest id accepted from input; bounds the memory a hostile mask or list can make us use. */
#define GV_CPULIST_MAX_ID 65535

/*
 * Parse a list ("0-3,8"). Empty string is the empty set. Ids come out sorted and unique.
 * Returns: the number of ids (*ret owned by caller, may be NULL when 0), or -GV_E_PARSE /
 * -GV_E_LIMIT.
 */
int gv_cpulist_parse(const char *s, int **ret, gv_err *err);

/* Parse a hex mask ("0x00ff,ffffffff" or "ff"); same returns as gv_cpulist_parse. */
int gv_cpumask_parse(const char *s, int **ret, gv_err *err);

/* Append the list form of sorted unique @ids to @sb ("" for none). */
void gv_cpulist_format(gv_strbuf *sb, const int *ids, size_t n);

/* Append the list form of @ids in any order, duplicates allowed ("" for none). */
void gv_cpulist_format_ids(gv_strbuf *sb, const int *ids, size_t n);

/* Sort and remove duplicates in place. Returns the new count. */
size_t gv_ids_sort_unique(int *ids, size_t n);

#endif
