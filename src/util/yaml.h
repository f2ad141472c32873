/*
 * yaml.h - a thin, position-aware reader over libyaml's document API.
 *
 * Every accessor that can fail reports "source:line:col: reason" through gv_err, so that a
 * mistake in a fleet or catalog file points at its line. Schemas are strict: gv_yaml_check_keys
 * refuses unknown and duplicate keys, which catches typos that would otherwise be silently
 * ignored. Aliases are resolved by libyaml to shared nodes (no copying), so a hostile anchor
 * nest cannot make us allocate more than the document itself.
 */
#ifndef GV_UTIL_YAML_H
#define GV_UTIL_YAML_H

#include <stdbool.h>
#include <stdint.h>
#include <yaml.h>

#include "gpuvm/alloc.h"
#include "gpuvm/err.h"

/* Bounds on hostile input: nesting depth and number of values in one document. */
#define GV_YAML_MAX_DEPTH 64
#define GV_YAML_MAX_NODES 1000000

typedef struct gv_yaml gv_yaml;
typedef yaml_node_t gv_yaml_node;

/* Parse one document. An empty document is an error. Returns 0, -GV_E_PARSE or -GV_E_LIMIT. */
int gv_yaml_parse(const char *text, size_t len, const char *source, gv_yaml **ret, gv_err *err);
void gv_yaml_free(gv_yaml *y);
GV_DEFINE_AUTOPTR(gv_yaml, gv_yaml_free)

gv_yaml_node *gv_yaml_root(gv_yaml *y);
const char *gv_yaml_source(const gv_yaml *y);

/* "source:line:col" of @node into @buf (1-based line and column). */
const char *gv_yaml_where(const gv_yaml *y, const gv_yaml_node *node, char *buf, size_t n);

/* Report an error located at @node. Returns -code. */
int gv_yaml_error(const gv_yaml *y, const gv_yaml_node *node, gv_err *err, int code,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

bool gv_yaml_is_map(const gv_yaml_node *node);
bool gv_yaml_is_seq(const gv_yaml_node *node);
bool gv_yaml_is_scalar(const gv_yaml_node *node);
/* A plain scalar "", "~", "null" or "Null"/"NULL". */
bool gv_yaml_is_null(const gv_yaml_node *node);
/* The scalar's text, or NULL when @node is not a scalar. */
const char *gv_yaml_str(const gv_yaml_node *node);

size_t gv_yaml_seq_len(const gv_yaml_node *seq);
gv_yaml_node *gv_yaml_seq_at(gv_yaml *y, const gv_yaml_node *seq, size_t i);
size_t gv_yaml_map_len(const gv_yaml_node *map);
gv_yaml_node *gv_yaml_map_key_at(gv_yaml *y, const gv_yaml_node *map, size_t i);
gv_yaml_node *gv_yaml_map_value_at(gv_yaml *y, const gv_yaml_node *map, size_t i);
/* Value for scalar key @key in @map, or NULL (also NULL when @map is not a map). */
gv_yaml_node *gv_yaml_get(gv_yaml *y, const gv_yaml_node *map, const char *key);

/* @node must be a map; every key a scalar in @allowed (NULL-terminated) and none repeated. */
int gv_yaml_check_keys(gv_yaml *y, const gv_yaml_node *node, const char *what,
                       const char *const *allowed, gv_err *err);
/* @node must be a map / a sequence; @what names it in the message. */
int gv_yaml_expect_map(gv_yaml *y, const gv_yaml_node *node, const char *what, gv_err *err);
int gv_yaml_expect_seq(gv_yaml *y, const gv_yaml_node *node, const char *what, gv_err *err);

/*
 * Typed scalar reads of @map[@key]. When the key is absent: -GV_E_INVAL if @required, else 0 with
 * the output untouched (so callers pre-set defaults). A present key with the wrong type or range
 * reports at the value's position.
 */
int gv_yaml_get_str(gv_yaml *y, const gv_yaml_node *map, const char *key, bool required,
                    const char **ret, gv_err *err);
int gv_yaml_get_int(gv_yaml *y, const gv_yaml_node *map, const char *key, bool required,
                    int64_t min, int64_t max, int64_t *ret, gv_err *err);
int gv_yaml_get_double(gv_yaml *y, const gv_yaml_node *map, const char *key, bool required,
                       double min, double max, double *ret, gv_err *err);
int gv_yaml_get_bool(gv_yaml *y, const gv_yaml_node *map, const char *key, bool required, bool *ret,
                     gv_err *err);
/* Scalar must be one of @names (NULL-terminated); *ret is its index. */
int gv_yaml_get_enum(gv_yaml *y, const gv_yaml_node *map, const char *key, bool required,
                     const char *const *names, int *ret, gv_err *err);

/* The same conversions for a scalar node itself (e.g. a sequence item). */
int gv_yaml_node_int(gv_yaml *y, const gv_yaml_node *node, const char *what, int64_t min,
                     int64_t max, int64_t *ret, gv_err *err);
int gv_yaml_node_str(gv_yaml *y, const gv_yaml_node *node, const char *what, const char **ret,
                     gv_err *err);

#endif
