/*
 * trace.h - the reader of Alibaba's GPU cluster trace (cluster-trace-gpu-v2023, "openb"): its
 * node lists and pod lists as plain tables, checked, for the simulator to replay through the
 * placement engine. A pure parser: the caller reads the files.
 *
 * Design notes
 *
 * Format. Comma-separated text with a header line; the trace never quotes, so a double quote
 * anywhere is refused rather than half-understood. Columns are found by their header name, in
 * any order; unknown columns are ignored (qos, pod_phase), and a row must have exactly as many
 * fields as the header. Line ends are "\n" or "\r\n", the last newline may be missing, a UTF-8
 * BOM before the header is skipped, and blank lines are skipped but counted, so that every
 * error and every row's line is the line number an editor shows.
 *
 *   node list  sn,cpu_milli,memory_mib,gpu,model                      (all required)
 *   pod list   name,cpu_milli,memory_mib,num_gpu,gpu_milli            (required)
 *              gpu_spec,creation_time,deletion_time,scheduled_time    (optional)
 *
 * Values. Numbers are plain decimal digits (no sign, blank, or base prefix); an empty number is
 * an error except for the three times, where it means "absent" (-1). Names are 1..63 bytes and
 * models 1..31 bytes without control characters; a node model cannot hold '|', which separates
 * the models of a gpu_spec ("A|B": the pod runs on A or on B).
 *
 * Invariants of a parsed table (what the simulator may rely on)
 *   1. Names are unique within the table.
 *   2. A node: 0 <= cpu_milli <= GV_TRACE_MAX_CPU_MILLI, 0 <= memory_mib <=
 *      GV_TRACE_MAX_MEMORY_MIB, 0 <= gpus <= GV_TRACE_MAX_GPUS, and a model when gpus > 0.
 *   3. A pod: the same bounds for cpu_milli, memory_mib and num_gpu; gpu_milli is 0 when num_gpu
 *      is 0, in 1..1000 when it is 1 and 1000 when it is more; gpu_spec is empty when num_gpu
 *      is 0; times are -1 or in 0..INT64_MAX.
 *   4. Every struct is zero-filled beyond its strings and spec list, so rows compare with memcmp.
 *
 * Errors are located "SOURCE:LINE" (err.where) and name the column and the value:
 * "gpu_milli: '1200' is not in 1..1000 (num_gpu 1)". The first bad line wins.
 */
#ifndef GPUVM_TRACE_H
#define GPUVM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gpuvm/err.h"

#define GV_TRACE_NAME_LEN 64                       /* node and pod names, NUL included */
#define GV_TRACE_MODEL_LEN 32                      /* GPU model names, NUL included */
#define GV_TRACE_SPEC_MAX 8                        /* models in one gpu_spec */
#define GV_TRACE_MAX_GPUS 64                       /* gpu, num_gpu */
#define GV_TRACE_MAX_CPU_MILLI INT64_C(1000000000) /* 10^6 CPUs */
#define GV_TRACE_MAX_MEMORY_MIB (INT64_C(1) << 40) /* 1 EiB */
#define GV_TRACE_MAX_ROWS 10000000                 /* data rows in one file */
#define GV_TRACE_MAX_LINE 4096                     /* bytes in one line, line end excluded */

typedef struct gv_trace_node {
    char name[GV_TRACE_NAME_LEN]; /* column sn */
    int64_t cpu_milli;
    int64_t memory_mib;
    int gpus;                       /* 0..GV_TRACE_MAX_GPUS */
    char model[GV_TRACE_MODEL_LEN]; /* "" for a CPU-only node */
    int line;                       /* 1-based line in its file */
} gv_trace_node;

typedef struct gv_trace_pod {
    char name[GV_TRACE_NAME_LEN];
    int64_t cpu_milli;
    int64_t memory_mib;
    int num_gpu;   /* 0..GV_TRACE_MAX_GPUS */
    int gpu_milli; /* 0 when num_gpu is 0; 1..1000 when 1; 1000 when more */
    int n_spec;    /* acceptable GPU models, 0 = any */
    char spec[GV_TRACE_SPEC_MAX][GV_TRACE_MODEL_LEN];
    int64_t creation_time, deletion_time, scheduled_time; /* seconds; -1 when absent or empty */
    int line;                                             /* 1-based line in its file */
} gv_trace_pod;

typedef struct gv_trace_nodes {
    size_t n;
    gv_trace_node *v; /* owned; in file order */
} gv_trace_nodes;

typedef struct gv_trace_pods {
    size_t n;
    gv_trace_pod *v; /* owned; in file order */
} gv_trace_pods;

/*
 * Parse a node list / a pod list: @len bytes of @text (which need not be NUL-terminated),
 * named @source in errors (a path; NULL reads as "trace"). A header with no rows is an empty
 * table (n 0, v NULL). On success *@ret is overwritten (not cleared first) and owns its rows:
 * free them with gv_trace_nodes_clear / gv_trace_pods_clear.
 * Returns: the number of rows, or
 *   -GV_E_PARSE  malformed text: no header, a missing or repeated column, a field count that
 *                differs from the header's, a double quote, a value that is not a number
 *   -GV_E_INVAL  a well-formed but invalid value: gpu_milli against num_gpu, a GPU node
 *                without a model, a gpu_spec on a CPU-only pod, a duplicate name
 *   -GV_E_LIMIT  a value, string, line or row count over its bound
 * with err.where "SOURCE:LINE"; *@ret is untouched on failure.
 */
int gv_trace_nodes_parse(const char *text, size_t len, const char *source, gv_trace_nodes *ret,
                         gv_err *err);
int gv_trace_pods_parse(const char *text, size_t len, const char *source, gv_trace_pods *ret,
                        gv_err *err);

/* Free the rows of @t and zero it. @t may be NULL. */
void gv_trace_nodes_clear(gv_trace_nodes *t);
void gv_trace_pods_clear(gv_trace_pods *t);

/*
 * Does pod @p accept GPU model @model? Every model does when the pod has no gpu_spec; otherwise
 * @model must be one of its spec (NULL and "" are none of them).
 */
bool gv_trace_pod_accepts(const gv_trace_pod *p, const char *model);

/*
 * Check @pods against @nodes (either may be NULL: an empty table): every gpu_spec model must be
 * the model of some node with GPUs. @pods_source names the pod list in errors (NULL: "trace").
 * Returns: 0, or -GV_E_INVAL at "pods_source:LINE" of the first pod that names another model,
 * listing the valid ones sorted and comma-separated.
 */
int gv_trace_check(const gv_trace_nodes *nodes, const gv_trace_pods *pods, const char *pods_source,
                   gv_err *err);

#endif
