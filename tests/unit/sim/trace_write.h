/*
 * trace_write.h - node and pod tables written back as trace CSV, for the unit tests and the fuzz
 * target: columns in any order with unknown ones among them, "\r\n" line ends, blank lines, a
 * BOM, no final newline, and one field of one row replaced by a given text. The writer records
 * in each row the line it was written on, so a parse of the text must give back the rows as
 * they are.
 */
#ifndef GV_TEST_TRACE_WRITE_H
#define GV_TEST_TRACE_WRITE_H

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "gpuvm/trace.h"
#include "util/strbuf.h"

#define TRACE_LAYOUT_MAX_COLS 16

typedef struct trace_layout {
    int n_cols;
    const char *cols[TRACE_LAYOUT_MAX_COLS]; /* header names; unknown ones get filler values */
    bool crlf;
    bool bom;
    bool no_final_newline;
    int blank_head; /* blank lines before the header */
    int blank_mod;  /* > 0: a blank line before row i when (i + blank_seed) % blank_mod == 0 */
    int blank_seed;
    long bad_row; /* >= 0: the row whose column bad_col is written as bad_value */
    const char *bad_col;
    const char *bad_value;
} trace_layout;

/* The layout of the released files: every column, in the released order. */
static inline void
trace_layout_nodes_default(trace_layout *l)
{
    static const char *const cols[] = {"sn", "cpu_milli", "memory_mib", "gpu", "model"};

    memset(l, 0, sizeof(*l));
    l->n_cols = 5;
    memcpy(l->cols, cols, sizeof(cols));
    l->bad_row = -1;
}

static inline void
trace_layout_pods_default(trace_layout *l)
{
    static const char *const cols[] = {
        "name", "cpu_milli", "memory_mib",    "num_gpu",       "gpu_milli",     "gpu_spec",
        "qos",  "pod_phase", "creation_time", "deletion_time", "scheduled_time"};

    memset(l, 0, sizeof(*l));
    l->n_cols = 11;
    memcpy(l->cols, cols, sizeof(cols));
    l->bad_row = -1;
}

static inline void
trace_write_eol(gv_strbuf *sb, const trace_layout *l)
{
    gv_strbuf_append(sb, l->crlf ? "\r\n" : "\n");
}

static inline void
trace_write_time(gv_strbuf *sb, int64_t t)
{
    if (t >= 0)
        gv_strbuf_printf(sb, "%" PRId64, t);
}

/* One field of node @v for column @col. */
static inline void
trace_write_node_field(gv_strbuf *sb, const gv_trace_node *v, const char *col)
{
    if (!strcmp(col, "sn"))
        gv_strbuf_append(sb, v->name);
    else if (!strcmp(col, "cpu_milli"))
        gv_strbuf_printf(sb, "%" PRId64, v->cpu_milli);
    else if (!strcmp(col, "memory_mib"))
        gv_strbuf_printf(sb, "%" PRId64, v->memory_mib);
    else if (!strcmp(col, "gpu"))
        gv_strbuf_printf(sb, "%d", v->gpus);
    else if (!strcmp(col, "model"))
        gv_strbuf_append(sb, v->model);
    else
        gv_strbuf_append(sb, "extra");
}

static inline void
trace_write_pod_field(gv_strbuf *sb, const gv_trace_pod *v, const char *col)
{
    if (!strcmp(col, "name")) {
        gv_strbuf_append(sb, v->name);
    } else if (!strcmp(col, "cpu_milli")) {
        gv_strbuf_printf(sb, "%" PRId64, v->cpu_milli);
    } else if (!strcmp(col, "memory_mib")) {
        gv_strbuf_printf(sb, "%" PRId64, v->memory_mib);
    } else if (!strcmp(col, "num_gpu")) {
        gv_strbuf_printf(sb, "%d", v->num_gpu);
    } else if (!strcmp(col, "gpu_milli")) {
        gv_strbuf_printf(sb, "%d", v->gpu_milli);
    } else if (!strcmp(col, "gpu_spec")) {
        for (int i = 0; i < v->n_spec; i++)
            gv_strbuf_printf(sb, "%s%s", i ? "|" : "", v->spec[i]);
    } else if (!strcmp(col, "creation_time")) {
        trace_write_time(sb, v->creation_time);
    } else if (!strcmp(col, "deletion_time")) {
        trace_write_time(sb, v->deletion_time);
    } else if (!strcmp(col, "scheduled_time")) {
        trace_write_time(sb, v->scheduled_time);
    } else if (!strcmp(col, "qos")) {
        gv_strbuf_append(sb, "LS");
    } else if (!strcmp(col, "pod_phase")) {
        gv_strbuf_append(sb, "Running");
    }
    /* other unknown columns stay empty */
}

/*
 * @n rows of @size bytes at @rows as CSV in layout @l, each row's line (an int at @line_offset)
 * set to the line it is written on. Caller frees; *ret_len is the length.
 */
static inline char *
trace_write_rows(void *rows, size_t n, size_t size, size_t line_offset,
                 void (*field)(gv_strbuf *sb, const void *row, const char *col),
                 const trace_layout *l, size_t *ret_len)
{
    gv_strbuf sb = {0};
    int line = 1;
    char *text;

    if (l->bom)
        gv_strbuf_append(&sb, "\xef\xbb\xbf");
    for (int i = 0; i < l->blank_head; i++, line++)
        trace_write_eol(&sb, l);
    for (int c = 0; c < l->n_cols; c++)
        gv_strbuf_printf(&sb, "%s%s", c ? "," : "", l->cols[c]);
    line++;
    for (size_t i = 0; i < n; i++) {
        char *row = (char *)rows + i * size;
        int row_line;

        trace_write_eol(&sb, l);
        if (l->blank_mod > 0 && (i + (size_t)l->blank_seed) % (size_t)l->blank_mod == 0) {
            trace_write_eol(&sb, l);
            line++;
        }
        row_line = line++;
        memcpy(row + line_offset, &row_line, sizeof(row_line));
        for (int c = 0; c < l->n_cols; c++) {
            if (c)
                gv_strbuf_putc(&sb, ',');
            if (l->bad_row == (long)i && l->bad_col && !strcmp(l->bad_col, l->cols[c]))
                gv_strbuf_append(&sb, l->bad_value);
            else
                field(&sb, row, l->cols[c]);
        }
    }
    if (!l->no_final_newline)
        trace_write_eol(&sb, l);
    *ret_len = sb.len;
    text = gv_strbuf_steal(&sb);
    return text;
}

static inline void
trace_write_node_field_cb(gv_strbuf *sb, const void *row, const char *col)
{
    trace_write_node_field(sb, row, col);
}

static inline void
trace_write_pod_field_cb(gv_strbuf *sb, const void *row, const char *col)
{
    trace_write_pod_field(sb, row, col);
}

static inline char *
trace_write_nodes(gv_trace_node *v, size_t n, const trace_layout *l, size_t *ret_len)
{
    return trace_write_rows(v, n, sizeof(*v), offsetof(gv_trace_node, line),
                            trace_write_node_field_cb, l, ret_len);
}

static inline char *
trace_write_pods(gv_trace_pod *v, size_t n, const trace_layout *l, size_t *ret_len)
{
    return trace_write_rows(v, n, sizeof(*v), offsetof(gv_trace_pod, line),
                            trace_write_pod_field_cb, l, ret_len);
}

#endif
