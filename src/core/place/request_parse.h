/*
 * request_parse.h - private to src/core/place: what request.c and place_config.c share with the
 * request parser. A gv_req_doc is a JSON or YAML text as jansson values that can still say where
 * a value came from: errors name the value by its path ("gpu.count", "mix[2].request.zones[0]")
 * and, for YAML, the path is walked through the YAML document to give "file:line:col".
 */
#ifndef GV_CORE_PLACE_REQUEST_PARSE_H
#define GV_CORE_PLACE_REQUEST_PARSE_H

#include <jansson.h>
#include <stdbool.h>

#include "gpuvm/place.h"
#include "util/yaml.h"

/* The one name table of each request enum (request.c). */
extern const char *const gv_req_hugepages_names[GV_HUGEPAGES_LAST];
extern const char *const gv_req_cpu_policy_names[GV_CPU_POLICY_LAST];
extern const char *const gv_req_numa_policy_names[GV_NUMA_POLICY_LAST];
extern const char *const gv_req_gpu_topology_names[GV_GPU_TOPO_LAST];
extern const char *const gv_req_locality_names[GV_LOCALITY_LAST];
extern const char *const gv_req_workload_class_names[GV_CLASS_LAST];
extern const char *const gv_req_io_names[GV_IO_LAST];
extern const char *const gv_req_place_policy_names[GV_POLICY_LAST];

/* @n names joined by ", " into @buf of @size bytes (cut to fit), for "one of: ..." messages. */
void gv_req_join_names(const char *const *names, int n, char *buf, size_t size);

/* Nesting bound for request and configuration documents (a request needs 3 levels). */
#define GV_REQ_MAX_DEPTH 16
/* Values one document may expand to, YAML aliases included. */
#define GV_REQ_MAX_VALUES 100000

/* A value's path: a chain from the value up to the document root, kept on the stack. */
typedef struct gv_req_path {
    const struct gv_req_path *up;
    const char *key; /* object member; NULL for an array item */
    size_t index;    /* array item */
} gv_req_path;

typedef struct gv_req_doc {
    json_t *root;
    gv_yaml *yaml; /* the YAML it was converted from; NULL for JSON */
    char *where;   /* JSON: where errors are located (the source name) */
} gv_req_doc;

/*
 * Parse @text as JSON (@yaml false) or YAML into a document. YAML plain scalars are typed by the
 * YAML 1.2 core schema (integers, floats, true/false, null); quoted scalars stay strings.
 * Returns: 0, -GV_E_PARSE, -GV_E_LIMIT (too deep, too many values), -GV_E_INVAL (a YAML key that
 * is not a plain string, or repeated).
 */
int gv_req_doc_parse(const char *text, size_t len, const char *source, bool yaml, gv_req_doc **ret,
                     gv_err *err);
void gv_req_doc_free(gv_req_doc *d);
GV_DEFINE_AUTOPTR(gv_req_doc, gv_req_doc_free)

/*
 * Report "@path: message" at @at (its key instead of its value with @at_key). With @at NULL the
 * message has no path. Returns -@code.
 */
int gv_req_error(const gv_req_doc *d, const gv_req_path *at, bool at_key, gv_err *err, int code,
                 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* @obj must be an object whose keys are all in @allowed (NULL-terminated). */
int gv_req_check_keys(const gv_req_doc *d, const json_t *obj, const gv_req_path *at,
                      const char *const *allowed, gv_err *err);
/* @v (at @at) must be an integer in @min..@max. */
int gv_req_int(const gv_req_doc *d, const json_t *v, const gv_req_path *at, int64_t min,
               int64_t max, int64_t *ret, gv_err *err);

/*
 * Read the request object @obj (at @at; NULL: the document root) over @base (NULL: the defaults)
 * into @ret, which is written only on success. With @need_name a request that ends up without a
 * name is refused ("name: required").
 * Returns: 0, -GV_E_INVAL, -GV_E_LIMIT.
 */
int gv_req_read(const gv_req_doc *d, const json_t *obj, const gv_req_path *at,
                const gv_request *base, bool need_name, gv_request *ret, gv_err *err);

/* gv_request_to_json's object (request.c), for documents that hold a request. New reference. */
json_t *gv_request_json(const gv_request *r);

#endif
