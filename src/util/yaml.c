/* yaml.c - position-aware accessors over a libyaml document. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpuvm/alloc.h"
#include "enum_names.h"
#include "yaml.h"

struct gv_yaml {
    yaml_document_t doc;
    char *source;
};

/*
 * libyaml's document loader recurses once per nesting level, so a hostile "[[[[..." or
 * "- - - - ..." could exhaust the stack. Walk the event stream first (the event parser keeps
 * explicit stacks) and refuse documents nested deeper, or with more nodes, than any fleet or
 * catalog needs. Syntax errors are left to the loader, which reports them the same way.
 */
static int
yaml_check_shape(const char *text, size_t len, const char *source, gv_err *err)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    size_t depth = 0, nodes = 0;
    char where[GV_ERR_WHERE_MAX];
    int r = 0;

    if (!yaml_parser_initialize(&parser))
        gv_oom();
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    for (;;) {
        if (!yaml_parser_parse(&parser, &ev))
            break;
        if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT)
            depth++;
        else if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT)
            depth--;
        if (ev.type == YAML_SCALAR_EVENT || ev.type == YAML_SEQUENCE_START_EVENT ||
            ev.type == YAML_MAPPING_START_EVENT || ev.type == YAML_ALIAS_EVENT)
            nodes++;
        if (depth > GV_YAML_MAX_DEPTH || nodes > GV_YAML_MAX_NODES) {
            snprintf(where, sizeof(where), "%s:%zu:%zu", source, ev.start_mark.line + 1,
                     ev.start_mark.column + 1);
            r = depth > GV_YAML_MAX_DEPTH
                    ? gv_err_set(err, GV_E_LIMIT, where, "nested deeper than %d levels",
                                 GV_YAML_MAX_DEPTH)
                    : gv_err_set(err, GV_E_LIMIT, where, "more than %d values", GV_YAML_MAX_NODES);
            yaml_event_delete(&ev);
            break;
        }
        bool end = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
        if (end)
            break;
    }
    yaml_parser_delete(&parser);
    return r;
}

int
gv_yaml_parse(const char *text, size_t len, const char *source, gv_yaml **ret, gv_err *err)
{
    yaml_parser_t parser;
    gv_yaml *y;
    char where[GV_ERR_WHERE_MAX];

    if (yaml_check_shape(text, len, source ? source : "<input>", err) < 0)
        return -GV_E_LIMIT;
    if (!yaml_parser_initialize(&parser))
        gv_oom();
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    y = GV_NEW0(gv_yaml);
    y->source = gv_strdup(source ? source : "<input>");
    if (!yaml_parser_load(&parser, &y->doc)) {
        const yaml_mark_t *m =
            parser.problem_mark.line || parser.problem_mark.column || !parser.context_mark.line
                ? &parser.problem_mark
                : &parser.context_mark;
        snprintf(where, sizeof(where), "%s:%zu:%zu", y->source, m->line + 1, m->column + 1);
        gv_err_set(err, GV_E_PARSE, where, "%s%s%s",
                   parser.problem ? parser.problem : "malformed YAML", parser.context ? " " : "",
                   parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        free(y->source);
        free(y);
        return -GV_E_PARSE;
    }
    yaml_parser_delete(&parser);
    if (!yaml_document_get_root_node(&y->doc)) {
        snprintf(where, sizeof(where), "%s:1:1", y->source);
        gv_yaml_free(y);
        return gv_err_set(err, GV_E_PARSE, where, "empty document");
    }
    *ret = y;
    return 0;
}

void
gv_yaml_free(gv_yaml *y)
{
    if (!y)
        return;
    yaml_document_delete(&y->doc);
    free(y->source);
    free(y);
}

gv_yaml_node *
gv_yaml_root(gv_yaml *y)
{
    return yaml_document_get_root_node(&y->doc);
}

const char *
gv_yaml_source(const gv_yaml *y)
{
    return y->source;
}

const char *
gv_yaml_where(const gv_yaml *y, const gv_yaml_node *node, char *buf, size_t n)
{
    if (node)
        snprintf(buf, n, "%s:%zu:%zu", y->source, node->start_mark.line + 1,
                 node->start_mark.column + 1);
    else
        snprintf(buf, n, "%s", y->source);
    return buf;
}

int
gv_yaml_error(const gv_yaml *y, const gv_yaml_node *node, gv_err *err, int code, const char *fmt,
              ...)
{
    char where[GV_ERR_WHERE_MAX];
    char msg[GV_ERR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return gv_err_set(err, code, gv_yaml_where(y, node, where, sizeof(where)), "%s", msg);
}

bool
gv_yaml_is_map(const gv_yaml_node *node)
{
    return node && node->type == YAML_MAPPING_NODE;
}

bool
gv_yaml_is_seq(const gv_yaml_node *node)
{
    return node && node->type == YAML_SEQUENCE_NODE;
}

bool
gv_yaml_is_scalar(const gv_yaml_node *node)
{
    return node && node->type == YAML_SCALAR_NODE;
}

bool
gv_yaml_is_null(const gv_yaml_node *node)
{
    const char *s;

    if (!gv_yaml_is_scalar(node) || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    s = (const char *)node->data.scalar.value;
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

const char *
gv_yaml_str(const gv_yaml_node *node)
{
    return gv_yaml_is_scalar(node) ? (const char *)node->data.scalar.value : NULL;
}

size_t
gv_yaml_seq_len(const gv_yaml_node *seq)
{
    if (!gv_yaml_is_seq(seq))
        return 0;
    return (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
}

gv_yaml_node *
gv_yaml_seq_at(gv_yaml *y, const gv_yaml_node *seq, size_t i)
{
    if (i >= gv_yaml_seq_len(seq))
        return NULL;
    return yaml_document_get_node(&y->doc, seq->data.sequence.items.start[i]);
}

size_t
gv_yaml_map_len(const gv_yaml_node *map)
{
    if (!gv_yaml_is_map(map))
        return 0;
    return (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
}

gv_yaml_node *
gv_yaml_map_key_at(gv_yaml *y, const gv_yaml_node *map, size_t i)
{
    if (i >= gv_yaml_map_len(map))
        return NULL;
    return yaml_document_get_node(&y->doc, map->data.mapping.pairs.start[i].key);
}

gv_yaml_node *
gv_yaml_map_value_at(gv_yaml *y, const gv_yaml_node *map, size_t i)
{
    if (i >= gv_yaml_map_len(map))
        return NULL;
    return yaml_document_get_node(&y->doc, map->data.mapping.pairs.start[i].value);
}

gv_yaml_node *
gv_yaml_get(gv_yaml *y, const gv_yaml_node *map, const char *key)
{
    size_t n = gv_yaml_map_len(map);

    for (size_t i = 0; i < n; i++) {
        const char *k = gv_yaml_str(gv_yaml_map_key_at(y, map, i));
        if (k && !strcmp(k, key))
            return gv_yaml_map_value_at(y, map, i);
    }
    return NULL;
}

int
gv_yaml_expect_map(gv_yaml *y, const gv_yaml_node *node, const char *what, gv_err *err)
{
    if (!gv_yaml_is_map(node))
        return gv_yaml_error(y, node, err, GV_E_INVAL, "%s: expected a mapping", what);
    return 0;
}

int
gv_yaml_expect_seq(gv_yaml *y, const gv_yaml_node *node, const char *what, gv_err *err)
{
    if (!gv_yaml_is_seq(node))
        return gv_yaml_error(y, node, err, GV_E_INVAL, "%s: expected a list", what);
    return 0;
}

int
gv_yaml_check_keys(gv_yaml *y, const gv_yaml_node *node, const char *what,
                   const char *const *allowed, gv_err *err)
{
    size_t n;
    int r;

    if ((r = gv_yaml_expect_map(y, node, what, err)) < 0)
        return r;
    n = gv_yaml_map_len(node);
    for (size_t i = 0; i < n; i++) {
        gv_yaml_node *kn = gv_yaml_map_key_at(y, node, i);
        const char *k = gv_yaml_str(kn);
        bool known = false;

        if (!k)
            return gv_yaml_error(y, kn, err, GV_E_INVAL, "%s: keys must be plain strings", what);
        for (size_t j = 0; allowed[j]; j++)
            if (!strcmp(allowed[j], k))
                known = true;
        if (!known)
            return gv_yaml_error(y, kn, err, GV_E_INVAL, "%s: unknown key '%s'", what, k);
        for (size_t j = 0; j < i; j++) {
            const char *prev = gv_yaml_str(gv_yaml_map_key_at(y, node, j));
            if (prev && !strcmp(prev, k))
                return gv_yaml_error(y, kn, err, GV_E_INVAL, "%s: duplicate key '%s'", what, k);
        }
    }
    return 0;
}

static int
lookup(gv_yaml *y, const gv_yaml_node *map, const char *key, bool required, gv_yaml_node **ret,
       gv_err *err)
{
    *ret = gv_yaml_get(y, map, key);
    if (!*ret && required)
        return gv_yaml_error(y, map, err, GV_E_INVAL, "missing required key '%s'", key);
    return 0;
}

int
gv_yaml_node_str(gv_yaml *y, const gv_yaml_node *node, const char *what, const char **ret,
                 gv_err *err)
{
    if (!gv_yaml_is_scalar(node) || gv_yaml_is_null(node))
        return gv_yaml_error(y, node, err, GV_E_INVAL, "%s: expected a string", what);
    *ret = gv_yaml_str(node);
    return 0;
}

int
gv_yaml_node_int(gv_yaml *y, const gv_yaml_node *node, const char *what, int64_t min, int64_t max,
                 int64_t *ret, gv_err *err)
{
    const char *s = gv_yaml_str(node);
    char *end;
    long long v;

    if (!s || !*s)
        return gv_yaml_error(y, node, err, GV_E_INVAL, "%s: expected an integer", what);
    errno = 0;
    v = strtoll(s, &end, 0);
    if (errno || *end)
        return gv_yaml_error(y, node, err, GV_E_INVAL, "%s: '%s' is not an integer", what, s);
    if (v < min || v > max)
        return gv_yaml_error(y, node, err, GV_E_INVAL, "%s: %lld is out of range %lld..%lld", what,
                             v, (long long)min, (long long)max);
    *ret = v;
    return 0;
}

int
gv_yaml_get_str(gv_yaml *y, const gv_yaml_node *map, const char *key, bool required,
                const char **ret, gv_err *err)
{
    gv_yaml_node *v;
    int r;

    if ((r = lookup(y, map, key, required, &v, err)) < 0 || !v)
        return r;
    return gv_yaml_node_str(y, v, key, ret, err);
}

int
gv_yaml_get_int(gv_yaml *y, const gv_yaml_node *map, const char *key, bool required, int64_t min,
                int64_t max, int64_t *ret, gv_err *err)
{
    gv_yaml_node *v;
    int r;

    if ((r = lookup(y, map, key, required, &v, err)) < 0 || !v)
        return r;
    return gv_yaml_node_int(y, v, key, min, max, ret, err);
}

int
gv_yaml_get_double(gv_yaml *y, const gv_yaml_node *map, const char *key, bool required, double min,
                   double max, double *ret, gv_err *err)
{
    gv_yaml_node *v;
    const char *s;
    char *end;
    double d;
    int r;

    if ((r = lookup(y, map, key, required, &v, err)) < 0 || !v)
        return r;
    s = gv_yaml_str(v);
    if (!s || !*s)
        return gv_yaml_error(y, v, err, GV_E_INVAL, "%s: expected a number", key);
    errno = 0;
    d = strtod(s, &end);
    if (errno || *end || !isfinite(d))
        return gv_yaml_error(y, v, err, GV_E_INVAL, "%s: '%s' is not a number", key, s);
    if (d < min || d > max)
        return gv_yaml_error(y, v, err, GV_E_INVAL, "%s: %g is out of range %g..%g", key, d, min,
                             max);
    *ret = d;
    return 0;
}

int
gv_yaml_get_bool(gv_yaml *y, const gv_yaml_node *map, const char *key, bool required, bool *ret,
                 gv_err *err)
{
    gv_yaml_node *v;
    const char *s;
    int r;

    if ((r = lookup(y, map, key, required, &v, err)) < 0 || !v)
        return r;
    s = gv_yaml_str(v);
    if (s && (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "yes"))) {
        *ret = true;
        return 0;
    }
    if (s && (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "no"))) {
        *ret = false;
        return 0;
    }
    return gv_yaml_error(y, v, err, GV_E_INVAL, "%s: expected true or false", key);
}

int
gv_yaml_get_enum(gv_yaml *y, const gv_yaml_node *map, const char *key, bool required,
                 const char *const *names, int *ret, gv_err *err)
{
    const char *s = NULL;
    gv_yaml_node *v;
    char list[256];
    int r;

    if ((r = lookup(y, map, key, required, &v, err)) < 0 || !v)
        return r;
    if ((r = gv_yaml_node_str(y, v, key, &s, err)) < 0)
        return r;
    for (int i = 0; names[i]; i++) {
        if (!strcmp(names[i], s)) {
            *ret = i;
            return 0;
        }
    }
    return gv_yaml_error(y, v, err, GV_E_INVAL, "%s: '%s' is not one of: %s", key, s,
                         gv_enum_list(names, list, sizeof(list)));
}
