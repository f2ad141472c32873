/*
 * fuzz_trace_csv.c - trace node and pod lists from untrusted bytes. The input is read both as a
 * node list and as a pod list (and checked with gv_trace_check when it is both). A failure must
 * say why, at "fuzz:LINE", and leave the output untouched; a table that parses must hold the
 * invariants of trace.h and read back to identical rows when written in the released layout.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpuvm/trace.h"
#include "unit/sim/trace_write.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A failure: located at "fuzz:N", the code returned, the output untouched. */
static void
check_failure(int rc, const gv_err *err, const void *out, const void *before, size_t n)
{
    if (err->code == 0 || rc != -err->code || strncmp(err->where, "fuzz:", 5) || !err->msg[0] ||
        memcmp(out, before, n))
        abort();
}

static bool
name_ok(const char *s, size_t size)
{
    size_t n = strnlen(s, size);

    if (n == 0 || n == size)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || s[i] == ',' || s[i] == '"')
            return false;
    /* zero-filled beyond the string */
    for (size_t i = n; i < size; i++)
        if (s[i])
            abort();
    return true;
}

static void
check_nodes(const gv_trace_nodes *t)
{
    gv_trace_nodes back = {0};
    gv_err err = {0};
    trace_layout l;
    gv_trace_node *copy;
    char *text;
    size_t len;

    for (size_t i = 0; i < t->n; i++) {
        const gv_trace_node *v = &t->v[i];

        if (!name_ok(v->name, sizeof(v->name)) || v->cpu_milli < 0 ||
            v->cpu_milli > GV_TRACE_MAX_CPU_MILLI || v->memory_mib < 0 ||
            v->memory_mib > GV_TRACE_MAX_MEMORY_MIB || v->gpus < 0 || v->gpus > GV_TRACE_MAX_GPUS ||
            (v->gpus > 0 && !v->model[0]) || strchr(v->model, '|') || v->line < 1 ||
            (i > 0 && v->line <= t->v[i - 1].line))
            abort();
    }
    copy = malloc(t->n * sizeof(*copy) + 1);
    if (!copy)
        abort();
    if (t->n)
        memcpy(copy, t->v, t->n * sizeof(*copy));
    trace_layout_nodes_default(&l);
    text = trace_write_nodes(copy, t->n, &l, &len);
    if (gv_trace_nodes_parse(text, len, "rt", &back, &err) != (int)t->n ||
        (t->n && memcmp(back.v, copy, t->n * sizeof(*copy))))
        abort();
    gv_trace_nodes_clear(&back);
    free(text);
    free(copy);
}

static void
check_pods(const gv_trace_pods *t)
{
    gv_trace_pods back = {0};
    gv_err err = {0};
    trace_layout l;
    gv_trace_pod *copy;
    char *text;
    size_t len;

    for (size_t i = 0; i < t->n; i++) {
        const gv_trace_pod *v = &t->v[i];
        bool milli_ok = v->num_gpu == 0   ? v->gpu_milli == 0
                        : v->num_gpu == 1 ? v->gpu_milli >= 1 && v->gpu_milli <= 1000
                                          : v->gpu_milli == 1000;

        if (!name_ok(v->name, sizeof(v->name)) || v->cpu_milli < 0 ||
            v->cpu_milli > GV_TRACE_MAX_CPU_MILLI || v->memory_mib < 0 ||
            v->memory_mib > GV_TRACE_MAX_MEMORY_MIB || v->num_gpu < 0 ||
            v->num_gpu > GV_TRACE_MAX_GPUS || !milli_ok || v->n_spec < 0 ||
            v->n_spec > GV_TRACE_SPEC_MAX || (v->n_spec > 0 && v->num_gpu == 0) ||
            v->creation_time < -1 || v->deletion_time < -1 || v->scheduled_time < -1 ||
            v->line < 1 || (i > 0 && v->line <= t->v[i - 1].line))
            abort();
        if (!gv_trace_pod_accepts(v, "no such model, surely") != (v->n_spec > 0))
            abort();
        for (int s = 0; s < v->n_spec; s++)
            if (!name_ok(v->spec[s], GV_TRACE_MODEL_LEN) || strchr(v->spec[s], '|') ||
                !gv_trace_pod_accepts(v, v->spec[s]))
                abort();
    }
    copy = malloc(t->n * sizeof(*copy) + 1);
    if (!copy)
        abort();
    if (t->n)
        memcpy(copy, t->v, t->n * sizeof(*copy));
    trace_layout_pods_default(&l);
    text = trace_write_pods(copy, t->n, &l, &len);
    if (gv_trace_pods_parse(text, len, "rt", &back, &err) != (int)t->n ||
        (t->n && memcmp(back.v, copy, t->n * sizeof(*copy))))
        abort();
    gv_trace_pods_clear(&back);
    free(text);
    free(copy);
}

static bool
has_gpu_model(const gv_trace_nodes *t, const char *model)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].gpus > 0 && !strcmp(t->v[i].model, model))
            return true;
    return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly @size bytes, no NUL after them: the parser must respect @len. */
    char *text = malloc(size ? size : 1);
    gv_trace_nodes nodes, nodes_before;
    gv_trace_pods pods, pods_before;
    gv_err nerr = {0}, perr = {0};
    int nrc, prc;

    if (!text)
        return 0;
    memcpy(text, data, size);
    memset(&nodes, 0x5a, sizeof(nodes));
    memcpy(&nodes_before, &nodes, sizeof(nodes));
    memset(&pods, 0x5a, sizeof(pods));
    memcpy(&pods_before, &pods, sizeof(pods));

    nrc = gv_trace_nodes_parse(text, size, "fuzz", &nodes, &nerr);
    if (nrc < 0)
        check_failure(nrc, &nerr, &nodes, &nodes_before, sizeof(nodes));
    else if ((size_t)nrc != nodes.n)
        abort();
    else
        check_nodes(&nodes);

    prc = gv_trace_pods_parse(text, size, "fuzz", &pods, &perr);
    if (prc < 0)
        check_failure(prc, &perr, &pods, &pods_before, sizeof(pods));
    else if ((size_t)prc != pods.n)
        abort();
    else
        check_pods(&pods);

    if (nrc >= 0 && prc >= 0) {
        gv_err err = {0};
        int rc = gv_trace_check(&nodes, &pods, "fuzz", &err);

        if (rc < 0 && (rc != -GV_E_INVAL || err.code != GV_E_INVAL))
            abort();
        if (rc == 0)
            for (size_t i = 0; i < pods.n; i++)
                for (int s = 0; s < pods.v[i].n_spec; s++)
                    if (!has_gpu_model(&nodes, pods.v[i].spec[s]))
                        abort();
    }
    if (nrc >= 0)
        gv_trace_nodes_clear(&nodes);
    if (prc >= 0)
        gv_trace_pods_clear(&pods);
    free(text);
    return 0;
}
