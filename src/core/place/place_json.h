/*
 * place_json.h - the JSON objects behind gv_placement_to_json and gv_explain_to_json, for callers
 * inside gpuvm that compose them into larger documents ({"placement": ..., "explain": ...}).
 * Private: the public headers do not expose jansson.
 */
#ifndef GV_CORE_PLACE_JSON_H
#define GV_CORE_PLACE_JSON_H

#include <jansson.h>

#include "gpuvm/place.h"

/* The value of "placement": {"vm", "host", "cpus", ...}. New reference. */
json_t *gv_placement_json(const gv_placement *p);

/*
 * The value of "explain": {"hosts", "feasible", "reasons", "closest"}, plus "runner_up":
 * {"host", "score"} when @x has one (a placed request explained). New reference.
 */
json_t *gv_explain_json(const gv_explain *x);

/*
 * {"placement": {...}, "explain": {...}}: a placed request explained (GV_PLACE_EXPLAIN), its
 * score in "placement" beside the runner-up's in "explain"; with @x NULL, {"placement": {...}}.
 * The _doc_json form is the object (new reference) for callers that add keys; the _to_json form
 * is canonical JSON text (caller frees); with @x NULL exactly gv_placement_to_json.
 */
json_t *gv_placement_doc_json(const gv_placement *p, const gv_explain *x);
char *gv_placement_explain_to_json(const gv_placement *p, const gv_explain *x);

/* {"error": {"code": "nothing-fits", ...}, "explain": {...}}: gv_explain_to_json's object.
 * New reference. */
json_t *gv_nothing_fits_doc_json(const gv_request *r, const gv_explain *x);

#endif
