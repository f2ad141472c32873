/*
 * trace.c - the reader of the Alibaba GPU trace (cluster-trace-gpu-v2023): node lists and pod
 * lists from comma-separated text, with columns found by header name, every value checked
 * against the invariants of trace.h, and errors located at "source:line".
 *
 * Design notes
 *
 * One driver, two row readers. parse_table walks the lines, maps the header onto a table of
 * known columns (node_columns, pod_columns), splits each row into fields and hands them to the
 * kind's row reader, which fills the row in place and checks it. The driver then refuses a
 * duplicate name through a hash set of row indexes, so that the first bad line is the one
 * reported, whatever is wrong with it.
 *
 * Bounds before work. A first pass counts the non-blank lines with memchr before anything is
 * allocated, so a file of more than GV_TRACE_MAX_ROWS rows is refused at the line that passes
 * the bound; a line is at most GV_TRACE_MAX_LINE bytes, so a row has at most
 * GV_TRACE_MAX_LINE + 1 fields and values shown in messages are cut at VALUE_SHOWN bytes,
 * with anything unprintable written as \xNN.
 *
 * Outputs. Rows are built in a local array (zero-filled by GV_ARRAY_APPEND) and handed over
 * only when the whole file is good; on failure the array is freed and *ret never touched.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpuvm/alloc.h"
#include "gpuvm/trace.h"

#define VALUE_SHOWN 64       /* bytes of a value quoted in a message */
#define MODELS_SHOWN 400     /* bytes of the valid-model list in a gv_trace_check message */
#define GPU_MILLI_WHOLE 1000 /* gpu_milli of one whole GPU */

typedef struct trace_column {
    const char *name;
    bool required;
} trace_column;

enum {
    NODE_SN,
    NODE_CPU_MILLI,
    NODE_MEMORY_MIB,
    NODE_GPU,
    NODE_MODEL,
    NODE_COL_LAST
};

static const trace_column node_columns[NODE_COL_LAST] = {
    [NODE_SN] = {.name = "sn", .required = true},
    [NODE_CPU_MILLI] = {.name = "cpu_milli", .required = true},
    [NODE_MEMORY_MIB] = {.name = "memory_mib", .required = true},
    [NODE_GPU] = {.name = "gpu", .required = true},
    [NODE_MODEL] = {.name = "model", .required = true},
};

enum {
    POD_NAME,
    POD_CPU_MILLI,
    POD_MEMORY_MIB,
    POD_NUM_GPU,
    POD_GPU_MILLI,
    POD_GPU_SPEC,
    POD_CREATION_TIME,
    POD_DELETION_TIME,
    POD_SCHEDULED_TIME,
    POD_COL_LAST
};

static const trace_column pod_columns[POD_COL_LAST] = {
    [POD_NAME] = {.name = "name", .required = true},
    [POD_CPU_MILLI] = {.name = "cpu_milli", .required = true},
    [POD_MEMORY_MIB] = {.name = "memory_mib", .required = true},
    [POD_NUM_GPU] = {.name = "num_gpu", .required = true},
    [POD_GPU_MILLI] = {.name = "gpu_milli", .required = true},
    [POD_GPU_SPEC] = {.name = "gpu_spec"},
    [POD_CREATION_TIME] = {.name = "creation_time"},
    [POD_DELETION_TIME] = {.name = "deletion_time"},
    [POD_SCHEDULED_TIME] = {.name = "scheduled_time"},
};

#define MAX_KNOWN_COLUMNS POD_COL_LAST
#define MAX_FIELDS (GV_TRACE_MAX_LINE + 1) /* a line of commas */

/* The duplicate check reads a row's name at the start of its struct. */
_Static_assert(offsetof(gv_trace_node, name) == 0, "name first");
_Static_assert(offsetof(gv_trace_pod, name) == 0, "name first");

typedef struct trace_field {
    const char *s;
    size_t n;
} trace_field;

typedef struct trace_reader {
    const char *text;
    size_t len;
    size_t pos;
    const char *source;
    gv_err *err;
    int line;      /* 1-based number of the current line */
    const char *s; /* the current line, its line end excluded */
    size_t n;
    const trace_column *cols;
    int n_cols;
    int at[MAX_KNOWN_COLUMNS]; /* header position of each known column, -1 when absent */
    size_t width;              /* fields in the header */
    const char *header;        /* the header line, to name unknown columns in messages */
    size_t header_n;
    trace_field fields[MAX_FIELDS]; /* the current line's */
} trace_reader;

/* ---- messages ---- */

static int __attribute__((format(printf, 3, 4)))
reader_error(trace_reader *r, int code, const char *fmt, ...)
{
    char where[GV_ERR_WHERE_MAX];
    char msg[GV_ERR_MSG_MAX];
    va_list ap;

    if (r->err && r->err->code)
        return -code;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(where, sizeof(where), "%s:%d", r->source, r->line);
    return gv_err_set(r->err, code, where, "%s", msg);
}

/* @s (@n bytes) for a message: at most VALUE_SHOWN bytes, unprintable bytes as \xNN. */
static const char *
shown(const char *s, size_t n, char *buf, size_t size)
{
    size_t len = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < n && i < VALUE_SHOWN && len + 5 < size; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c >= 0x20 && c < 0x7f)
            buf[len++] = (char)c;
        else
            len += (size_t)snprintf(buf + len, size - len, "\\x%02x", c);
    }
    if (n > VALUE_SHOWN && len + 4 < size) {
        memcpy(buf + len, "...", 3);
        len += 3;
    }
    buf[len] = '\0';
    return buf;
}

#define SHOWN_MAX (VALUE_SHOWN * 4 + 8)

/* ---- lines and fields ---- */

/* Blank lines are empty once a "\r" before the newline is dropped. */
static size_t
line_content(const char *s, size_t n)
{
    return n > 0 && s[n - 1] == '\r' ? n - 1 : n;
}

/*
 * Count the non-blank lines before anything is allocated: refuse more than the header and
 * GV_TRACE_MAX_ROWS rows, or more lines than an int counts.
 */
static int
count_lines(trace_reader *r)
{
    size_t pos = r->pos, nonblank = 0;
    int64_t line = 0;

    while (pos < r->len) {
        const char *s = r->text + pos;
        const char *nl = memchr(s, '\n', r->len - pos);
        size_t n = nl ? (size_t)(nl - s) : r->len - pos;

        pos += n + (nl ? 1 : 0);
        line++;
        if (line >= INT_MAX) {
            r->line = INT_MAX;
            return reader_error(r, GV_E_LIMIT, "more than %d lines", INT_MAX - 1);
        }
        if (line_content(s, n) > 0 && ++nonblank > (size_t)GV_TRACE_MAX_ROWS + 1) {
            r->line = (int)line;
            return reader_error(r, GV_E_LIMIT, "more than %d rows", GV_TRACE_MAX_ROWS);
        }
    }
    return 0;
}

/* The next non-blank line into r->s, r->n. Returns: 1, 0 at the end, -GV_E_LIMIT. */
static int
next_line(trace_reader *r)
{
    while (r->pos < r->len) {
        const char *s = r->text + r->pos;
        const char *nl = memchr(s, '\n', r->len - r->pos);
        size_t n = nl ? (size_t)(nl - s) : r->len - r->pos;

        r->pos += n + (nl ? 1 : 0);
        r->line++;
        n = line_content(s, n);
        if (n == 0)
            continue;
        if (n > GV_TRACE_MAX_LINE)
            return reader_error(r, GV_E_LIMIT, "line is longer than %d bytes", GV_TRACE_MAX_LINE);
        r->s = s;
        r->n = n;
        return 1;
    }
    return 0;
}

/* Split the current line at commas into r->fields. Returns the number of fields. */
static size_t
split_fields(trace_reader *r)
{
    const char *s = r->s, *end = r->s + r->n;
    size_t n = 0;

    for (;;) {
        const char *comma = memchr(s, ',', (size_t)(end - s));
        const char *stop = comma ? comma : end;

        r->fields[n].s = s;
        r->fields[n].n = (size_t)(stop - s);
        n++;
        if (!comma)
            return n;
        s = comma + 1;
    }
}

/* The name of header field @i for a message, or "field N" past the header. */
static const char *
column_shown(const trace_reader *r, size_t i, char *buf, size_t size)
{
    const char *s = r->header, *end = r->header + r->header_n;

    for (size_t k = 0; k < i && s; k++) {
        s = memchr(s, ',', (size_t)(end - s));
        s = s ? s + 1 : NULL;
    }
    if (s && i < r->width) {
        const char *comma = memchr(s, ',', (size_t)(end - s));
        size_t n = comma ? (size_t)(comma - s) : (size_t)(end - s);

        if (n > 0)
            return shown(s, n, buf, size);
    }
    snprintf(buf, size, "field %zu", i + 1);
    return buf;
}

/* Refuse a double quote in the current line (the trace never quotes). */
static int
refuse_quotes(trace_reader *r, size_t n_fields, bool header)
{
    char col[SHOWN_MAX], val[SHOWN_MAX];

    if (!memchr(r->s, '"', r->n))
        return 0;
    if (header)
        return reader_error(r, GV_E_PARSE,
                            "double quote in the header (quoted CSV is not supported)");
    for (size_t i = 0; i < n_fields; i++) {
        const trace_field *f = &r->fields[i];

        if (memchr(f->s, '"', f->n))
            return reader_error(
                r, GV_E_PARSE, "%s: '%s' has a double quote (quoted CSV is not supported)",
                column_shown(r, i, col, sizeof(col)), shown(f->s, f->n, val, sizeof(val)));
    }
    return reader_error(r, GV_E_INTERNAL, "double quote in no field");
}

static int
read_header(trace_reader *r)
{
    size_t n;
    int rc;

    if ((rc = next_line(r)) <= 0) {
        if (rc == 0) {
            r->line = 1;
            return reader_error(r, GV_E_PARSE, "no header line");
        }
        return rc;
    }
    n = split_fields(r);
    if ((rc = refuse_quotes(r, n, true)) < 0)
        return rc;
    r->header = r->s;
    r->header_n = r->n;
    r->width = n;
    for (int c = 0; c < r->n_cols; c++)
        r->at[c] = -1;
    for (size_t i = 0; i < n; i++) {
        const trace_field *f = &r->fields[i];

        for (int c = 0; c < r->n_cols; c++) {
            if (strlen(r->cols[c].name) != f->n || memcmp(r->cols[c].name, f->s, f->n))
                continue;
            if (r->at[c] >= 0)
                return reader_error(r, GV_E_PARSE, "column '%s' appears twice in the header",
                                    r->cols[c].name);
            r->at[c] = (int)i;
        }
    }
    for (int c = 0; c < r->n_cols; c++)
        if (r->cols[c].required && r->at[c] < 0)
            return reader_error(r, GV_E_PARSE, "missing column '%s' in the header",
                                r->cols[c].name);
    return 0;
}

/* The field of known column @c in the current row; an absent optional column reads as "". */
static trace_field
field_of(const trace_reader *r, int c)
{
    trace_field none = {.s = "", .n = 0};

    return r->at[c] >= 0 ? r->fields[r->at[c]] : none;
}

/* ---- values ---- */

/* A plain decimal number in 0..@max; an empty field is -1 when @empty_ok. */
static int
read_number(trace_reader *r, int c, int64_t max, bool empty_ok, int64_t *ret)
{
    trace_field f = field_of(r, c);
    const char *col = r->cols[c].name;
    char val[SHOWN_MAX];
    int64_t v = 0;

    if (f.n == 0) {
        if (empty_ok) {
            *ret = -1;
            return 0;
        }
        return reader_error(r, GV_E_PARSE, "%s: empty value", col);
    }
    for (size_t i = 0; i < f.n; i++)
        if (f.s[i] < '0' || f.s[i] > '9')
            return reader_error(r, GV_E_PARSE, "%s: '%s' is not a decimal number", col,
                                shown(f.s, f.n, val, sizeof(val)));
    for (size_t i = 0; i < f.n; i++) {
        int d = f.s[i] - '0';

        if (v > (max - d) / 10)
            return reader_error(r, GV_E_LIMIT, "%s: '%s' is more than %lld", col,
                                shown(f.s, f.n, val, sizeof(val)), (long long)max);
        v = v * 10 + d;
    }
    *ret = v;
    return 0;
}

/* @s (@n bytes) fits a field of @size bytes and holds no control character. */
static int
check_text(trace_reader *r, const char *col, const char *s, size_t n, size_t size)
{
    char val[SHOWN_MAX];

    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return reader_error(r, GV_E_INVAL, "%s: '%s' has a control character", col,
                                shown(s, n, val, sizeof(val)));
    if (n >= size)
        return reader_error(r, GV_E_LIMIT, "%s: '%s' is longer than %zu bytes", col,
                            shown(s, n, val, sizeof(val)), size - 1);
    return 0;
}

/* The field of column @c into @dst (@size bytes, already zeroed). */
static int
read_text(trace_reader *r, int c, char *dst, size_t size, bool empty_ok)
{
    trace_field f = field_of(r, c);
    int rc;

    if (f.n == 0 && !empty_ok)
        return reader_error(r, GV_E_PARSE, "%s: empty value", r->cols[c].name);
    if ((rc = check_text(r, r->cols[c].name, f.s, f.n, size)) < 0)
        return rc;
    memcpy(dst, f.s, f.n);
    return 0;
}

/* ---- rows ---- */

static int
read_node(trace_reader *r, void *row)
{
    gv_trace_node *node = row;
    char val[SHOWN_MAX];
    int64_t gpus;
    int rc;

    node->line = r->line;
    if ((rc = read_text(r, NODE_SN, node->name, sizeof(node->name), false)) < 0 ||
        (rc = read_number(r, NODE_CPU_MILLI, GV_TRACE_MAX_CPU_MILLI, false, &node->cpu_milli)) <
            0 ||
        (rc = read_number(r, NODE_MEMORY_MIB, GV_TRACE_MAX_MEMORY_MIB, false, &node->memory_mib)) <
            0 ||
        (rc = read_number(r, NODE_GPU, GV_TRACE_MAX_GPUS, false, &gpus)) < 0 ||
        (rc = read_text(r, NODE_MODEL, node->model, sizeof(node->model), true)) < 0)
        return rc;
    node->gpus = (int)gpus;
    if (strchr(node->model, '|'))
        return reader_error(r, GV_E_INVAL, "model: '%s' contains '|'",
                            shown(node->model, strlen(node->model), val, sizeof(val)));
    if (gpus > 0 && !node->model[0])
        return reader_error(r, GV_E_INVAL, "model: empty, but gpu is %d", node->gpus);
    return 0;
}

/* "A|B" into the spec list of @pod. */
static int
read_spec(trace_reader *r, gv_trace_pod *pod)
{
    trace_field f = field_of(r, POD_GPU_SPEC);
    const char *s = f.s, *end = f.s + f.n;
    char val[SHOWN_MAX];

    if (f.n == 0)
        return 0;
    for (;;) {
        const char *bar = memchr(s, '|', (size_t)(end - s));
        size_t n = bar ? (size_t)(bar - s) : (size_t)(end - s);
        char *dst;
        int rc;

        if (n == 0)
            return reader_error(r, GV_E_INVAL, "gpu_spec: empty model in '%s'",
                                shown(f.s, f.n, val, sizeof(val)));
        if (pod->n_spec == GV_TRACE_SPEC_MAX)
            return reader_error(r, GV_E_LIMIT, "gpu_spec: '%s' has more than %d models",
                                shown(f.s, f.n, val, sizeof(val)), GV_TRACE_SPEC_MAX);
        if ((rc = check_text(r, "gpu_spec", s, n, GV_TRACE_MODEL_LEN)) < 0)
            return rc;
        dst = pod->spec[pod->n_spec];
        memcpy(dst, s, n);
        for (int i = 0; i < pod->n_spec; i++)
            if (!strcmp(pod->spec[i], dst))
                return reader_error(r, GV_E_INVAL, "gpu_spec: model '%s' appears twice in '%s'",
                                    dst, shown(f.s, f.n, val, sizeof(val)));
        pod->n_spec++;
        if (!bar)
            return 0;
        s = bar + 1;
    }
}

static int
read_pod(trace_reader *r, void *row)
{
    gv_trace_pod *pod = row;
    trace_field milli = field_of(r, POD_GPU_MILLI);
    char val[SHOWN_MAX];
    int64_t num_gpu, gpu_milli;
    int rc;

    pod->line = r->line;
    if ((rc = read_text(r, POD_NAME, pod->name, sizeof(pod->name), false)) < 0 ||
        (rc = read_number(r, POD_CPU_MILLI, GV_TRACE_MAX_CPU_MILLI, false, &pod->cpu_milli)) < 0 ||
        (rc = read_number(r, POD_MEMORY_MIB, GV_TRACE_MAX_MEMORY_MIB, false, &pod->memory_mib)) <
            0 ||
        (rc = read_number(r, POD_NUM_GPU, GV_TRACE_MAX_GPUS, false, &num_gpu)) < 0 ||
        (rc = read_number(r, POD_GPU_MILLI, INT64_MAX, false, &gpu_milli)) < 0)
        return rc;
    shown(milli.s, milli.n, val, sizeof(val));
    if (num_gpu == 0 && gpu_milli != 0)
        return reader_error(r, GV_E_INVAL, "gpu_milli: '%s' must be 0 (num_gpu 0)", val);
    if (num_gpu == 1 && (gpu_milli < 1 || gpu_milli > GPU_MILLI_WHOLE))
        return reader_error(r, GV_E_INVAL, "gpu_milli: '%s' is not in 1..%d (num_gpu 1)", val,
                            GPU_MILLI_WHOLE);
    if (num_gpu > 1 && gpu_milli != GPU_MILLI_WHOLE)
        return reader_error(r, GV_E_INVAL, "gpu_milli: '%s' must be %d (num_gpu %d)", val,
                            GPU_MILLI_WHOLE, (int)num_gpu);
    pod->num_gpu = (int)num_gpu;
    pod->gpu_milli = (int)gpu_milli;
    if ((rc = read_spec(r, pod)) < 0)
        return rc;
    if (pod->n_spec > 0 && num_gpu == 0) {
        trace_field f = field_of(r, POD_GPU_SPEC);
        return reader_error(r, GV_E_INVAL, "gpu_spec: '%s' on a pod without GPUs (num_gpu 0)",
                            shown(f.s, f.n, val, sizeof(val)));
    }
    if ((rc = read_number(r, POD_CREATION_TIME, INT64_MAX, true, &pod->creation_time)) < 0 ||
        (rc = read_number(r, POD_DELETION_TIME, INT64_MAX, true, &pod->deletion_time)) < 0 ||
        (rc = read_number(r, POD_SCHEDULED_TIME, INT64_MAX, true, &pod->scheduled_time)) < 0)
        return rc;
    return 0;
}

/* ---- unique names ---- */

/* Open addressing over row indexes; the names live in the rows. */
typedef struct name_set {
    size_t cap; /* a power of two; 0 before the first insert */
    size_t n;
    uint32_t *slot; /* row index + 1; 0 is an empty slot */
} name_set;

static uint64_t
name_hash(const char *s)
{
    uint64_t h = UINT64_C(14695981039346656037);

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
    return h;
}

static const char *
row_name(const void *rows, size_t stride, size_t i)
{
    return (const char *)rows + i * stride;
}

/* The row among @rows named @name, or SIZE_MAX. */
static size_t
name_set_find(const name_set *set, const void *rows, size_t stride, const char *name)
{
    if (!set->cap)
        return SIZE_MAX;
    for (size_t i = name_hash(name) & (set->cap - 1);; i = (i + 1) & (set->cap - 1)) {
        if (!set->slot[i])
            return SIZE_MAX;
        if (!strcmp(row_name(rows, stride, set->slot[i] - 1), name))
            return set->slot[i] - 1;
    }
}

static void
name_set_put(name_set *set, const void *rows, size_t stride, size_t row)
{
    size_t i = name_hash(row_name(rows, stride, row)) & (set->cap - 1);

    while (set->slot[i])
        i = (i + 1) & (set->cap - 1);
    set->slot[i] = (uint32_t)(row + 1);
}

/* Add row @row (not in the set yet), keeping the load under one half. */
static void
name_set_add(name_set *set, const void *rows, size_t stride, size_t row)
{
    if (2 * (set->n + 1) > set->cap) {
        name_set old = *set;

        set->cap = old.cap ? 2 * old.cap : 64;
        set->slot = gv_calloc(set->cap, sizeof(*set->slot));
        for (size_t i = 0; i < old.cap; i++)
            if (old.slot[i])
                name_set_put(set, rows, stride, old.slot[i] - 1);
        free(old.slot);
    }
    name_set_put(set, rows, stride, row);
    set->n++;
}

/* ---- the driver ---- */

/* What parse_table needs to know of a kind of table. */
typedef struct trace_kind {
    const trace_column *cols; /* cols[0] is the name column */
    int n_cols;
    size_t stride;      /* bytes of a row */
    size_t line_offset; /* of the row's line */
    int (*read_row)(trace_reader *r, void *row);
} trace_kind;

static const trace_kind node_kind = {
    .cols = node_columns,
    .n_cols = NODE_COL_LAST,
    .stride = sizeof(gv_trace_node),
    .line_offset = offsetof(gv_trace_node, line),
    .read_row = read_node,
};

static const trace_kind pod_kind = {
    .cols = pod_columns,
    .n_cols = POD_COL_LAST,
    .stride = sizeof(gv_trace_pod),
    .line_offset = offsetof(gv_trace_pod, line),
    .read_row = read_pod,
};

static int
parse_table(const trace_kind *kind, const char *text, size_t len, const char *source,
            void **ret_rows, size_t *ret_n, gv_err *err)
{
    GV_AUTOFREE trace_reader *r = GV_NEW0(trace_reader);
    size_t stride = kind->stride;
    name_set names = {0};
    void *rows = NULL;
    size_t n = 0;
    int rc;

    r->text = text ? text : "";
    r->len = text ? len : 0;
    r->source = source ? source : "trace";
    r->err = err;
    r->cols = kind->cols;
    r->n_cols = kind->n_cols;
    if (r->len >= 3 && !memcmp(r->text, "\xef\xbb\xbf", 3))
        r->pos = 3;
    if ((rc = count_lines(r)) < 0 || (rc = read_header(r)) < 0)
        return rc;
    while ((rc = next_line(r)) > 0) {
        char name[SHOWN_MAX];
        size_t n_fields = split_fields(r), dup;
        void *row;

        if ((rc = refuse_quotes(r, n_fields, false)) < 0)
            break;
        if (n_fields != r->width) {
            rc = reader_error(r, GV_E_PARSE, "%zu field%s, the header has %zu", n_fields,
                              n_fields == 1 ? "" : "s", r->width);
            break;
        }
        row = gv_array_append(&rows, &n, stride);
        if ((rc = kind->read_row(r, row)) < 0)
            break;
        dup = name_set_find(&names, rows, stride, row_name(rows, stride, n - 1));
        if (dup != SIZE_MAX) {
            const char *s = row_name(rows, stride, n - 1);
            int first_line;

            memcpy(&first_line, (const char *)rows + dup * stride + kind->line_offset,
                   sizeof(first_line));
            rc = reader_error(r, GV_E_INVAL, "%s '%s' already on line %d", kind->cols[0].name,
                              shown(s, strlen(s), name, sizeof(name)), first_line);
            break;
        }
        name_set_add(&names, rows, stride, n - 1);
    }
    free(names.slot);
    if (rc < 0) {
        free(rows);
        return rc;
    }
    *ret_rows = rows;
    *ret_n = n;
    return (int)n;
}

int
gv_trace_nodes_parse(const char *text, size_t len, const char *source, gv_trace_nodes *ret,
                     gv_err *err)
{
    void *rows = NULL;
    size_t n = 0;
    int rc = parse_table(&node_kind, text, len, source, &rows, &n, err);

    if (rc < 0)
        return rc;
    ret->n = n;
    ret->v = rows;
    return rc;
}

int
gv_trace_pods_parse(const char *text, size_t len, const char *source, gv_trace_pods *ret,
                    gv_err *err)
{
    void *rows = NULL;
    size_t n = 0;
    int rc = parse_table(&pod_kind, text, len, source, &rows, &n, err);

    if (rc < 0)
        return rc;
    ret->n = n;
    ret->v = rows;
    return rc;
}

void
gv_trace_nodes_clear(gv_trace_nodes *t)
{
    if (!t)
        return;
    free(t->v);
    memset(t, 0, sizeof(*t));
}

void
gv_trace_pods_clear(gv_trace_pods *t)
{
    if (!t)
        return;
    free(t->v);
    memset(t, 0, sizeof(*t));
}

/* ---- queries ---- */

bool
gv_trace_pod_accepts(const gv_trace_pod *p, const char *model)
{
    if (p->n_spec == 0)
        return true;
    if (!model || !*model)
        return false;
    for (int i = 0; i < p->n_spec && i < GV_TRACE_SPEC_MAX; i++)
        if (!strncmp(p->spec[i], model, GV_TRACE_MODEL_LEN))
            return true;
    return false;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "A10, G2, T4" into @buf, cut with "..." when it does not fit. */
static void
join_models(const char *const *models, size_t n, char *buf, size_t size)
{
    size_t len = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t need = strlen(models[i]) + (i ? 2 : 0);

        if (len + need + 6 > size) { /* room for ", ..." */
            snprintf(buf + len, size - len, "%s...", i ? ", " : "");
            return;
        }
        len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "", models[i]);
    }
}

int
gv_trace_check(const gv_trace_nodes *nodes, const gv_trace_pods *pods, const char *pods_source,
               gv_err *err)
{
    size_t n_nodes = nodes ? nodes->n : 0, n_pods = pods ? pods->n : 0, n_models = 0;
    GV_AUTOFREE const char **models = gv_calloc(n_nodes, sizeof(*models));

    for (size_t i = 0; i < n_nodes; i++)
        if (nodes->v[i].gpus > 0 && nodes->v[i].model[0])
            models[n_models++] = nodes->v[i].model;
    if (n_models > 0)
        qsort(models, n_models, sizeof(*models), cmp_str);
    /* Unique, for the message. */
    if (n_models > 1) {
        size_t k = 1;

        for (size_t i = 1; i < n_models; i++)
            if (strcmp(models[i], models[k - 1]))
                models[k++] = models[i];
        n_models = k;
    }
    for (size_t i = 0; i < n_pods; i++) {
        const gv_trace_pod *p = &pods->v[i];

        for (int s = 0; s < p->n_spec && s < GV_TRACE_SPEC_MAX; s++) {
            const char *want = p->spec[s];
            char where[GV_ERR_WHERE_MAX], list[MODELS_SHOWN], val[SHOWN_MAX];

            if (n_models > 0 && bsearch(&want, models, n_models, sizeof(*models), cmp_str))
                continue;
            snprintf(where, sizeof(where), "%s:%d", pods_source ? pods_source : "trace", p->line);
            shown(want, strnlen(want, GV_TRACE_MODEL_LEN), val, sizeof(val));
            if (n_models == 0)
                return gv_err_set(err, GV_E_INVAL, where,
                                  "gpu_spec: no node has model '%s' (no node has a GPU)", val);
            join_models(models, n_models, list, sizeof(list));
            return gv_err_set(err, GV_E_INVAL, where,
                              "gpu_spec: no node has model '%s' (valid: %s)", val, list);
        }
    }
    return 0;
}
