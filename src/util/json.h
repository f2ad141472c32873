/*
 * json.h - jansson with positions and paths.
 *
 * Parse errors say "source:line:col: reason"; schema errors name the path of the value
 * ("source: hosts[2].gpus[0].numa: expected an integer or null"), since jansson does not keep
 * per-value positions. Output is canonical: keys sorted, two-space indent, trailing newline, so
 * every format we own round-trips byte for byte.
 */
#ifndef GV_UTIL_JSON_H
#define GV_UTIL_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "gpuvm/alloc.h"
#include "gpuvm/err.h"

GV_DEFINE_AUTOPTR(json_t, json_decref)

/* Parse @text (duplicate keys refused). Returns 0 or -GV_E_PARSE. */
int gv_json_parse(const char *text, size_t len, const char *source, json_t **ret, gv_err *err);

/* Canonical text of @j (caller frees). */
char *gv_json_dump(const json_t *j);

/* Report a schema error at "@source: @path[.key]". Returns -code. */
int gv_json_error(const char *source, const char *path, const char *key, gv_err *err, int code,
                  const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* @obj must be an object with only @allowed keys (NULL-terminated). */
int gv_json_check_keys(const json_t *obj, const char *source, const char *path,
                       const char *const *allowed, gv_err *err);

/*
 * Typed reads of @obj[@key] (the value's path is @path.@key). Absent keys: -GV_E_INVAL when
 * @required, else 0 and the output untouched. The _nullable forms accept JSON null and store
 * @null_value.
 */
int gv_json_get_str(const json_t *obj, const char *key, bool required, const char *source,
                    const char *path, const char **ret, gv_err *err);
int gv_json_get_str_nullable(const json_t *obj, const char *key, const char *source,
                             const char *path, const char **ret, gv_err *err);
int gv_json_get_int(const json_t *obj, const char *key, bool required, const char *source,
                    const char *path, int64_t min, int64_t max, int64_t *ret, gv_err *err);
int gv_json_get_int_nullable(const json_t *obj, const char *key, const char *source,
                             const char *path, int64_t min, int64_t max, int64_t null_value,
                             int64_t *ret, gv_err *err);
int gv_json_get_bool(const json_t *obj, const char *key, bool required, const char *source,
                     const char *path, bool *ret, gv_err *err);
int gv_json_get_double(const json_t *obj, const char *key, bool required, const char *source,
                       const char *path, double min, double max, double *ret, gv_err *err);
/* An array (or absent when !required: *ret = NULL). */
int gv_json_get_array(const json_t *obj, const char *key, bool required, const char *source,
                      const char *path, json_t **ret, gv_err *err);

/* Integer or null as JSON (null when @v == @null_value). New reference. */
json_t *gv_json_int_or_null(int64_t v, int64_t null_value);

#endif
