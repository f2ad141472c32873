/* json.c - jansson parsing with positions, canonical dumping and path-aware typed reads. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

int
gv_json_parse(const char *text, size_t len, const char *source, json_t **ret, gv_err *err)
{
    json_error_t je;
    json_t *j;
    char where[GV_ERR_WHERE_MAX];

    j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        snprintf(where, sizeof(where), "%s:%d:%d", source ? source : "<input>",
                 je.line > 0 ? je.line : 1, je.column > 0 ? je.column : 1);
        return gv_err_set(err, GV_E_PARSE, where, "%s", je.text);
    }
    *ret = j;
    return 0;
}

char *
gv_json_dump(const json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
    char *out;

    if (!s)
        gv_oom();
    out = gv_asprintf("%s\n", s);
    free(s);
    return out;
}

int
gv_json_error(const char *source, const char *path, const char *key, gv_err *err, int code,
              const char *fmt, ...)
{
    char where[GV_ERR_WHERE_MAX];
    char msg[GV_ERR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(where, sizeof(where), "%s", source ? source : "<input>");
    if ((path && *path) || key)
        return gv_err_set(err, code, where, "%s%s%s: %s", path ? path : "",
                          key && path && *path ? "." : "", key ? key : "", msg);
    return gv_err_set(err, code, where, "%s", msg);
}

int
gv_json_check_keys(const json_t *obj, const char *source, const char *path,
                   const char *const *allowed, gv_err *err)
{
    const char *k;
    json_t *v;

    if (!json_is_object(obj))
        return gv_json_error(source, path, NULL, err, GV_E_INVAL, "expected an object");
    json_object_foreach((json_t *)obj, k, v)
    {
        bool known = false;
        for (size_t i = 0; allowed[i]; i++)
            if (!strcmp(allowed[i], k))
                known = true;
        if (!known)
            return gv_json_error(source, path, NULL, err, GV_E_INVAL, "unknown key '%s'", k);
    }
    return 0;
}

static int
lookup(const json_t *obj, const char *key, bool required, const char *source, const char *path,
       json_t **ret, gv_err *err)
{
    *ret = json_object_get(obj, key);
    if (!*ret && required)
        return gv_json_error(source, path, NULL, err, GV_E_INVAL, "missing required key '%s'", key);
    return 0;
}

int
gv_json_get_str(const json_t *obj, const char *key, bool required, const char *source,
                const char *path, const char **ret, gv_err *err)
{
    json_t *v;
    int r;

    if ((r = lookup(obj, key, required, source, path, &v, err)) < 0 || !v)
        return r;
    if (!json_is_string(v))
        return gv_json_error(source, path, key, err, GV_E_INVAL, "expected a string");
    *ret = json_string_value(v);
    return 0;
}

int
gv_json_get_str_nullable(const json_t *obj, const char *key, const char *source, const char *path,
                         const char **ret, gv_err *err)
{
    json_t *v = json_object_get(obj, key);

    if (!v || json_is_null(v)) {
        *ret = NULL;
        return 0;
    }
    if (!json_is_string(v))
        return gv_json_error(source, path, key, err, GV_E_INVAL, "expected a string or null");
    *ret = json_string_value(v);
    return 0;
}

int
gv_json_get_int(const json_t *obj, const char *key, bool required, const char *source,
                const char *path, int64_t min, int64_t max, int64_t *ret, gv_err *err)
{
    json_t *v;
    json_int_t x;
    int r;

    if ((r = lookup(obj, key, required, source, path, &v, err)) < 0 || !v)
        return r;
    if (!json_is_integer(v))
        return gv_json_error(source, path, key, err, GV_E_INVAL, "expected an integer");
    x = json_integer_value(v);
    if (x < min || x > max)
        return gv_json_error(source, path, key, err, GV_E_INVAL, "%lld is out of range %lld..%lld",
                             (long long)x, (long long)min, (long long)max);
    *ret = x;
    return 0;
}

int
gv_json_get_int_nullable(const json_t *obj, const char *key, const char *source, const char *path,
                         int64_t min, int64_t max, int64_t null_value, int64_t *ret, gv_err *err)
{
    json_t *v = json_object_get(obj, key);

    if (!v || json_is_null(v)) {
        *ret = null_value;
        return 0;
    }
    if (!json_is_integer(v))
        return gv_json_error(source, path, key, err, GV_E_INVAL, "expected an integer or null");
    return gv_json_get_int(obj, key, true, source, path, min, max, ret, err);
}

int
gv_json_get_bool(const json_t *obj, const char *key, bool required, const char *source,
                 const char *path, bool *ret, gv_err *err)
{
    json_t *v;
    int r;

    if ((r = lookup(obj, key, required, source, path, &v, err)) < 0 || !v)
        return r;
    if (!json_is_boolean(v))
        return gv_json_error(source, path, key, err, GV_E_INVAL, "expected true or false");
    *ret = json_is_true(v);
    return 0;
}

int
gv_json_get_double(const json_t *obj, const char *key, bool required, const char *source,
                   const char *path, double min, double max, double *ret, gv_err *err)
{
    json_t *v;
    double d;
    int r;

    if ((r = lookup(obj, key, required, source, path, &v, err)) < 0 || !v)
        return r;
    if (!json_is_number(v))
        return gv_json_error(source, path, key, err, GV_E_INVAL, "expected a number");
    d = json_number_value(v);
    if (d < min || d > max)
        return gv_json_error(source, path, key, err, GV_E_INVAL, "%g is out of range %g..%g", d,
                             min, max);
    *ret = d;
    return 0;
}

int
gv_json_get_array(const json_t *obj, const char *key, bool required, const char *source,
                  const char *path, json_t **ret, gv_err *err)
{
    json_t *v;
    int r;

    *ret = NULL;
    if ((r = lookup(obj, key, required, source, path, &v, err)) < 0 || !v)
        return r;
    if (!json_is_array(v))
        return gv_json_error(source, path, key, err, GV_E_INVAL, "expected an array");
    *ret = v;
    return 0;
}

json_t *
gv_json_int_or_null(int64_t v, int64_t null_value)
{
    return v == null_value ? json_null() : json_integer(v);
}
