/*
 * test_trace.c - the Alibaba trace reader: node and pod lists in both released layouts and in
 * any column order, line ends, blank lines and a BOM, gpu_spec lists, the exact location and
 * message of every error, the bounds, gv_trace_check, and a property test that writes random
 * valid tables as CSV, reads them back field for field, then breaks one field of one row and
 * expects the error on that row's line. Run with the argument "shared", it reads the released
 * files of ../shared/data/alibaba-gpu-v2023 instead (and skips with a notice without them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "gpuvm/trace.h"
#include "testlib.h"
#include "trace_write.h"
#include "util/file.h"

#define NODE_HEADER "sn,cpu_milli,memory_mib,gpu,model\n"
#define POD_HEADER5 "name,cpu_milli,memory_mib,num_gpu,gpu_milli\n"
#define POD_HEADER11                                                                               \
    "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,"            \
    "deletion_time,scheduled_time\n"

static gv_trace_nodes
nodes_ok(const char *text)
{
    gv_trace_nodes t = {0};
    gv_err err = {0};
    int rc = gv_trace_nodes_parse(text, strlen(text), "nodes.csv", &t, &err);

    if (rc < 0)
        fail_msg("%s\n-> %s: %s", text, err.where, err.msg);
    assert_int_equal(rc, (int)t.n);
    return t;
}

static gv_trace_pods
pods_ok(const char *text)
{
    gv_trace_pods t = {0};
    gv_err err = {0};
    int rc = gv_trace_pods_parse(text, strlen(text), "pods.csv", &t, &err);

    if (rc < 0)
        fail_msg("%s\n-> %s: %s", text, err.where, err.msg);
    assert_int_equal(rc, (int)t.n);
    return t;
}

static void
assert_node(const gv_trace_node *n, const char *name, int64_t cpu, int64_t mem, int gpus,
            const char *model, int line)
{
    assert_string_equal(n->name, name);
    assert_int_equal(n->cpu_milli, cpu);
    assert_int_equal(n->memory_mib, mem);
    assert_int_equal(n->gpus, gpus);
    assert_string_equal(n->model, model);
    assert_int_equal(n->line, line);
}

static void
assert_pod(const gv_trace_pod *p, const char *name, int64_t cpu, int64_t mem, int num_gpu,
           int gpu_milli, int64_t created, int64_t deleted, int64_t scheduled, int line)
{
    assert_string_equal(p->name, name);
    assert_int_equal(p->cpu_milli, cpu);
    assert_int_equal(p->memory_mib, mem);
    assert_int_equal(p->num_gpu, num_gpu);
    assert_int_equal(p->gpu_milli, gpu_milli);
    assert_int_equal(p->creation_time, created);
    assert_int_equal(p->deletion_time, deleted);
    assert_int_equal(p->scheduled_time, scheduled);
    assert_int_equal(p->line, line);
}

/* ---- good input ---- */

static void
test_nodes(void **state)
{
    gv_trace_nodes t;
    (void)state;

    t = nodes_ok(NODE_HEADER "openb-node-0000,64000,262144,2,P100\n"
                             "openb-node-0001,32000,262144,0,\n"
                             "openb-node-0002,96000,786432,8,G2\n"
                             "cpu-with-model,1000,0,0,T4\n");
    assert_int_equal(t.n, 4);
    assert_node(&t.v[0], "openb-node-0000", 64000, 262144, 2, "P100", 2);
    assert_node(&t.v[1], "openb-node-0001", 32000, 262144, 0, "", 3);
    assert_node(&t.v[2], "openb-node-0002", 96000, 786432, 8, "G2", 4);
    /* no GPUs but a model: kept */
    assert_node(&t.v[3], "cpu-with-model", 1000, 0, 0, "T4", 5);
    gv_trace_nodes_clear(&t);
    assert_int_equal(t.n, 0);
    assert_null(t.v);
    gv_trace_nodes_clear(NULL);

    /* columns in any order, unknown ones ignored, the bounds themselves accepted */
    t = nodes_ok("zone,model,gpu,,memory_mib,sn,cpu_milli\n"
                 "z1,V100M32,64,x,1099511627776,n-1,1000000000\n"
                 "z2,,0,,0,n-2,0\n");
    assert_int_equal(t.n, 2);
    assert_node(&t.v[0], "n-1", 1000000000, INT64_C(1) << 40, 64, "V100M32", 2);
    assert_node(&t.v[1], "n-2", 0, 0, 0, "", 3);
    gv_trace_nodes_clear(&t);

    /* the longest name and model */
    t = nodes_ok(NODE_HEADER
                 "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn,1,1,1,"
                 "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm\n");
    assert_int_equal(strlen(t.v[0].name), GV_TRACE_NAME_LEN - 1);
    assert_int_equal(strlen(t.v[0].model), GV_TRACE_MODEL_LEN - 1);
    gv_trace_nodes_clear(&t);

    /* a header and no rows: an empty table */
    t = nodes_ok(NODE_HEADER);
    assert_int_equal(t.n, 0);
    assert_null(t.v);
    gv_trace_nodes_clear(&t);
}

static void
test_pod_layouts(void **state)
{
    gv_trace_pods t;
    (void)state;

    /* the released layout: 11 columns */
    t = pods_ok(POD_HEADER11 "openb-pod-0000,12000,16384,1,1000,,LS,Running,0,12537496,0\n"
                             "openb-pod-0001,6000,12288,1,460,,LS,Running,427061,12902960,427061\n"
                             "openb-pod-0002,88000,327680,8,1000,,Burstable,Succeeded,9437497,"
                             "10769854,9437497\n"
                             "openb-pod-0003,12500,57344,0,0,,LS,Running,10971827,10972394,\n");
    assert_int_equal(t.n, 4);
    assert_pod(&t.v[0], "openb-pod-0000", 12000, 16384, 1, 1000, 0, 12537496, 0, 2);
    assert_pod(&t.v[1], "openb-pod-0001", 6000, 12288, 1, 460, 427061, 12902960, 427061, 3);
    assert_pod(&t.v[2], "openb-pod-0002", 88000, 327680, 8, 1000, 9437497, 10769854, 9437497, 4);
    /* an empty scheduled_time (a pending pod) */
    assert_pod(&t.v[3], "openb-pod-0003", 12500, 57344, 0, 0, 10971827, 10972394, -1, 5);
    for (size_t i = 0; i < t.n; i++)
        assert_int_equal(t.v[i].n_spec, 0);
    gv_trace_pods_clear(&t);
    gv_trace_pods_clear(NULL);

    /* the short layout: 5 columns, no times */
    t = pods_ok(POD_HEADER5 "p0,12000,16384,1,1000\n"
                            "p1,4000,15258,1,1\n"
                            "p2,1000,0,0,0\n"
                            "p3,88000,327680,64,1000\n");
    assert_int_equal(t.n, 4);
    assert_pod(&t.v[0], "p0", 12000, 16384, 1, 1000, -1, -1, -1, 2);
    assert_pod(&t.v[1], "p1", 4000, 15258, 1, 1, -1, -1, -1, 3);
    assert_pod(&t.v[2], "p2", 1000, 0, 0, 0, -1, -1, -1, 4);
    assert_pod(&t.v[3], "p3", 88000, 327680, 64, 1000, -1, -1, -1, 5);
    gv_trace_pods_clear(&t);

    /* reordered, with unknown columns and only one of the times; all times empty on one row */
    t = pods_ok("qos,gpu_milli,deletion_time,name,extra,num_gpu,memory_mib,cpu_milli\n"
                "BE,230,9973826,q0,,1,30517,4000\n"
                "LS,0,,q1,x,0,1024,500\n"
                "LS,1000,9223372036854775807,q2,,2,1,1\n");
    assert_int_equal(t.n, 3);
    assert_pod(&t.v[0], "q0", 4000, 30517, 1, 230, -1, 9973826, -1, 2);
    assert_pod(&t.v[1], "q1", 500, 1024, 0, 0, -1, -1, -1, 3);
    assert_pod(&t.v[2], "q2", 1, 1, 2, 1000, -1, INT64_MAX, -1, 4);
    gv_trace_pods_clear(&t);

    /* times all empty in the 11-column layout */
    t = pods_ok(POD_HEADER11 "r0,1,1,0,0,,BE,Pending,,,\n");
    assert_pod(&t.v[0], "r0", 1, 1, 0, 0, -1, -1, -1, 2);
    gv_trace_pods_clear(&t);
}

static void
test_line_ends(void **state)
{
    gv_trace_nodes t;
    gv_trace_pods p;
    (void)state;

    /* CRLF */
    t = nodes_ok("sn,cpu_milli,memory_mib,gpu,model\r\n"
                 "a,1,2,1,T4\r\n"
                 "b,3,4,0,\r\n");
    assert_int_equal(t.n, 2);
    assert_node(&t.v[0], "a", 1, 2, 1, "T4", 2);
    assert_node(&t.v[1], "b", 3, 4, 0, "", 3);
    gv_trace_nodes_clear(&t);

    /* no final newline, with CRLF and with LF; the last field empty */
    t = nodes_ok("sn,cpu_milli,memory_mib,gpu,model\r\na,1,2,1,T4\r\nb,3,4,0,");
    assert_node(&t.v[1], "b", 3, 4, 0, "", 3);
    gv_trace_nodes_clear(&t);
    p = pods_ok(POD_HEADER5 "p0,1,2,1,500");
    assert_pod(&p.v[0], "p0", 1, 2, 1, 500, -1, -1, -1, 2);
    gv_trace_pods_clear(&p);
    /* a lone "\r" before the end of the text ends the line too */
    t = nodes_ok("sn,cpu_milli,memory_mib,gpu,model\na,1,2,1,T4\r");
    assert_node(&t.v[0], "a", 1, 2, 1, "T4", 2);
    gv_trace_nodes_clear(&t);

    /* blank lines, before the header too, are skipped but counted; a BOM is skipped */
    t = nodes_ok("\xef\xbb\xbf\n\r\nsn,cpu_milli,memory_mib,gpu,model\n\na,1,2,1,T4\n\r\n\n"
                 "b,3,4,0,\n\n");
    assert_int_equal(t.n, 2);
    assert_node(&t.v[0], "a", 1, 2, 1, "T4", 5);
    assert_node(&t.v[1], "b", 3, 4, 0, "", 8);
    gv_trace_nodes_clear(&t);
    t = nodes_ok("\xef\xbb\xbfsn,cpu_milli,memory_mib,gpu,model\na,1,2,1,T4\n");
    assert_node(&t.v[0], "a", 1, 2, 1, "T4", 2);
    gv_trace_nodes_clear(&t);

    /* @text need not be NUL-terminated: only @len bytes are read */
    {
        static const char text[] = NODE_HEADER "a,1,2,1,T4\nb,3,4,0,\nGARBAGE\"";
        gv_trace_nodes u = {0};
        gv_err err = {0};

        assert_int_equal(gv_trace_nodes_parse(text, strlen(text) - 8, "n", &u, &err), 2);
        assert_node(&u.v[1], "b", 3, 4, 0, "", 3);
        gv_trace_nodes_clear(&u);
    }
}

static void
test_gpu_spec(void **state)
{
    gv_trace_pods t;
    (void)state;

    t = pods_ok(POD_HEADER11 "p0,8000,32768,1,1000,T4,LS,Running,6588193,10959245,6595531\n"
                             "p1,12000,16384,1,1000,V100M16|V100M32,LS,Running,1,2,1\n"
                             "p2,88000,327680,8,1000,,Burstable,Succeeded,9,10,9\n"
                             "p3,8000,30517,8,1000,G2|P100|T4|V100M16|V100M32|A|B|C,LS,R,1,2,3\n");
    assert_int_equal(t.n, 4);
    assert_int_equal(t.v[0].n_spec, 1);
    assert_string_equal(t.v[0].spec[0], "T4");
    assert_int_equal(t.v[1].n_spec, 2);
    assert_string_equal(t.v[1].spec[0], "V100M16");
    assert_string_equal(t.v[1].spec[1], "V100M32");
    assert_int_equal(t.v[2].n_spec, 0);
    assert_int_equal(t.v[3].n_spec, GV_TRACE_SPEC_MAX);
    assert_string_equal(t.v[3].spec[7], "C");

    assert_true(gv_trace_pod_accepts(&t.v[0], "T4"));
    assert_false(gv_trace_pod_accepts(&t.v[0], "T"));
    assert_false(gv_trace_pod_accepts(&t.v[0], "T4x"));
    assert_false(gv_trace_pod_accepts(&t.v[0], "P100"));
    assert_false(gv_trace_pod_accepts(&t.v[0], ""));
    assert_false(gv_trace_pod_accepts(&t.v[0], NULL));
    assert_true(gv_trace_pod_accepts(&t.v[1], "V100M16"));
    assert_true(gv_trace_pod_accepts(&t.v[1], "V100M32"));
    assert_false(gv_trace_pod_accepts(&t.v[1], "V100M"));
    /* no spec: any model */
    assert_true(gv_trace_pod_accepts(&t.v[2], "G2"));
    assert_true(gv_trace_pod_accepts(&t.v[2], "anything"));
    assert_true(gv_trace_pod_accepts(&t.v[2], NULL));
    assert_true(gv_trace_pod_accepts(&t.v[3], "C"));
    gv_trace_pods_clear(&t);

    /* the 5-column layout plus gpu_spec */
    t = pods_ok("name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec\n"
                "p0,1,1,1,50,P100|T4\n"
                "p1,1,1,0,0,\n");
    assert_int_equal(t.v[0].n_spec, 2);
    assert_string_equal(t.v[0].spec[1], "T4");
    assert_int_equal(t.v[1].n_spec, 0);
    gv_trace_pods_clear(&t);
}

/* ---- errors ---- */

typedef struct error_case {
    const char *text;
    int code;
    const char *where;
    const char *msg;
} error_case;

/* Parse @c as nodes (or pods): it must fail as written, with the output untouched. */
static void
expect_error(const error_case *c, bool pods)
{
    gv_trace_nodes nodes = {.n = 77, .v = (gv_trace_node *)&nodes};
    gv_trace_pods pod_list = {.n = 77, .v = (gv_trace_pod *)&pod_list};
    gv_err err = {0};
    int rc;

    if (pods)
        rc = gv_trace_pods_parse(c->text, strlen(c->text), "t.csv", &pod_list, &err);
    else
        rc = gv_trace_nodes_parse(c->text, strlen(c->text), "t.csv", &nodes, &err);
    if (rc >= 0)
        fail_msg("parsed, but expected %s: %s\n%s", c->where, c->msg, c->text);
    if (err.code != c->code || rc != -c->code || strcmp(err.where, c->where) ||
        strcmp(err.msg, c->msg))
        fail_msg("%s\nexpected %s (%s): %s\n     got %s (%s): %s", c->text, c->where,
                 gv_errcode_to_string(c->code), c->msg, err.where, gv_errcode_to_string(err.code),
                 err.msg);
    /* untouched */
    assert_int_equal(nodes.n, 77);
    assert_ptr_equal(nodes.v, &nodes);
    assert_int_equal(pod_list.n, 77);
    assert_ptr_equal(pod_list.v, &pod_list);

    /* the same failure with no gv_err, and the first report wins */
    if (pods)
        rc = gv_trace_pods_parse(c->text, strlen(c->text), "t.csv", &pod_list, NULL);
    else
        rc = gv_trace_nodes_parse(c->text, strlen(c->text), "t.csv", &nodes, NULL);
    assert_int_equal(rc, -c->code);
    gv_err_clear(&err);
    gv_err_set(&err, GV_E_IO, "earlier", "an earlier error");
    if (pods)
        rc = gv_trace_pods_parse(c->text, strlen(c->text), "t.csv", &pod_list, &err);
    else
        rc = gv_trace_nodes_parse(c->text, strlen(c->text), "t.csv", &nodes, &err);
    assert_int_equal(rc, -c->code);
    assert_int_equal(err.code, GV_E_IO);
    assert_string_equal(err.where, "earlier");
}

#define N NODE_HEADER
#define P5 POD_HEADER5
#define P11 POD_HEADER11
#define STR64 "0123456789012345678901234567890123456789012345678901234567890123"
#define STR32 "01234567890123456789012345678901"

static void
test_node_errors(void **state)
{
    static const error_case cases[] = {
        /* the header */
        {"", GV_E_PARSE, "t.csv:1", "no header line"},
        {"\n\r\n\n", GV_E_PARSE, "t.csv:1", "no header line"},
        {"\xef\xbb\xbf", GV_E_PARSE, "t.csv:1", "no header line"},
        {"sn,cpu_milli,memory_mib,gpu\nn0,1,1,0\n", GV_E_PARSE, "t.csv:1",
         "missing column 'model' in the header"},
        {"name,cpu_milli,memory_mib,gpu,model\n", GV_E_PARSE, "t.csv:1",
         "missing column 'sn' in the header"},
        {"\nsn,cpu_milli,memory_mib,gpu,model,gpu\n", GV_E_PARSE, "t.csv:2",
         "column 'gpu' appears twice in the header"},
        {"SN,cpu_milli,memory_mib,gpu,model\n", GV_E_PARSE, "t.csv:1",
         "missing column 'sn' in the header"},
        {"sn,\"cpu_milli\",memory_mib,gpu,model\n", GV_E_PARSE, "t.csv:1",
         "double quote in the header (quoted CSV is not supported)"},
        /* the shape of a row */
        {N "n0,1000,1024,2,P100,extra\n", GV_E_PARSE, "t.csv:2", "6 fields, the header has 5"},
        {N "n0,1000,1024\n", GV_E_PARSE, "t.csv:2", "3 fields, the header has 5"},
        {N " \n", GV_E_PARSE, "t.csv:2", "1 field, the header has 5"},
        {N "\"n0\",1000,1024,2,P100\n", GV_E_PARSE, "t.csv:2",
         "sn: '\"n0\"' has a double quote (quoted CSV is not supported)"},
        {N "n0,1000,1024,2,\"P100,x\"\n", GV_E_PARSE, "t.csv:2",
         "model: '\"P100' has a double quote (quoted CSV is not supported)"},
        {N "n0,1000,1024,2,P100,\"\"\n", GV_E_PARSE, "t.csv:2",
         "field 6: '\"\"' has a double quote (quoted CSV is not supported)"},
        /* values */
        {N ",1000,1024,2,P100\n", GV_E_PARSE, "t.csv:2", "sn: empty value"},
        {N "n0,,1024,2,P100\n", GV_E_PARSE, "t.csv:2", "cpu_milli: empty value"},
        {N "n0,1000,,2,P100\n", GV_E_PARSE, "t.csv:2", "memory_mib: empty value"},
        {N "n0,1000,1024,,P100\n", GV_E_PARSE, "t.csv:2", "gpu: empty value"},
        {N "n0,-1,1024,2,P100\n", GV_E_PARSE, "t.csv:2", "cpu_milli: '-1' is not a decimal number"},
        {N "n0,+1,1024,2,P100\n", GV_E_PARSE, "t.csv:2", "cpu_milli: '+1' is not a decimal number"},
        {N "n0, 1,1024,2,P100\n", GV_E_PARSE, "t.csv:2", "cpu_milli: ' 1' is not a decimal number"},
        {N "n0,1 ,1024,2,P100\n", GV_E_PARSE, "t.csv:2", "cpu_milli: '1 ' is not a decimal number"},
        {N "n0,0x10,1024,2,P100\n", GV_E_PARSE, "t.csv:2",
         "cpu_milli: '0x10' is not a decimal number"},
        {N "n0,1.5,1024,2,P100\n", GV_E_PARSE, "t.csv:2",
         "cpu_milli: '1.5' is not a decimal number"},
        {N "n0,1e3,1024,2,P100\n", GV_E_PARSE, "t.csv:2",
         "cpu_milli: '1e3' is not a decimal number"},
        {N "n0,1000,1024,2x,P100\n", GV_E_PARSE, "t.csv:2", "gpu: '2x' is not a decimal number"},
        {N "n0,1\x01,1024,2,P100\n", GV_E_PARSE, "t.csv:2",
         "cpu_milli: '1\\x01' is not a decimal number"},
        {N "n0,1\r,1024,2,P100\n", GV_E_PARSE, "t.csv:2",
         "cpu_milli: '1\\x0d' is not a decimal number"},
        {N "n0," STR64 "x,1024,2,P100\n", GV_E_PARSE, "t.csv:2",
         "cpu_milli: '" STR64 "...' is not a decimal number"},
        {N "n0,1000000001,1024,2,P100\n", GV_E_LIMIT, "t.csv:2",
         "cpu_milli: '1000000001' is more than 1000000000"},
        {N "n0,99999999999999999999,1024,2,P100\n", GV_E_LIMIT, "t.csv:2",
         "cpu_milli: '99999999999999999999' is more than 1000000000"},
        {N "n0,1,1099511627777,2,P100\n", GV_E_LIMIT, "t.csv:2",
         "memory_mib: '1099511627777' is more than 1099511627776"},
        {N "n0,1,1,65,P100\n", GV_E_LIMIT, "t.csv:2", "gpu: '65' is more than 64"},
        {N "n0,1,1,2,\n", GV_E_INVAL, "t.csv:2", "model: empty, but gpu is 2"},
        {N "n0,1,1,2,A|B\n", GV_E_INVAL, "t.csv:2", "model: 'A|B' contains '|'"},
        {N "n0,1,1,0,|\n", GV_E_INVAL, "t.csv:2", "model: '|' contains '|'"},
        {N "n0,1,1,2," STR32 "\n", GV_E_LIMIT, "t.csv:2",
         "model: '" STR32 "' is longer than 31 bytes"},
        {N "n0,1,1,2,T\t4\n", GV_E_INVAL, "t.csv:2", "model: 'T\\x094' has a control character"},
        {N STR64 ",1,1,2,T4\n", GV_E_LIMIT, "t.csv:2", "sn: '" STR64 "' is longer than 63 bytes"},
        {N "n\x7f"
           "0,1,1,2,T4\n",
         GV_E_INVAL, "t.csv:2", "sn: 'n\\x7f0' has a control character"},
        /* duplicates: the line of the second and of the first */
        {N "n0,1,1,2,T4\n\nn1,1,1,2,T4\nn0,2,2,0,\n", GV_E_INVAL, "t.csv:5",
         "sn 'n0' already on line 2"},
        /* line numbers count blank lines and CRLF lines; the first bad line wins */
        {"sn,cpu_milli,memory_mib,gpu,model\r\n\r\n\r\nn0,x,1,1,T4\r\nn1,y,1,1,T4\r\n", GV_E_PARSE,
         "t.csv:4", "cpu_milli: 'x' is not a decimal number"},
        {N "n0,1,1,1,T4\nn0,1,1,1,T4\nn2,-,1,1,T4\n", GV_E_INVAL, "t.csv:3",
         "sn 'n0' already on line 2"},
    };
    (void)state;

    for (size_t i = 0; i < GV_N_ELEMENTS(cases); i++)
        expect_error(&cases[i], false);
}

static void
test_pod_errors(void **state)
{
    static const error_case cases[] = {
        {"name,cpu_milli,memory_mib,gpu_milli\n", GV_E_PARSE, "t.csv:1",
         "missing column 'num_gpu' in the header"},
        {"name,cpu_milli,memory_mib,num_gpu\n", GV_E_PARSE, "t.csv:1",
         "missing column 'gpu_milli' in the header"},
        {"name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,gpu_spec\n", GV_E_PARSE, "t.csv:1",
         "column 'gpu_spec' appears twice in the header"},
        {P11 "p0,1000,1024,1,1000\n", GV_E_PARSE, "t.csv:2", "5 fields, the header has 11"},
        {P5 "p0,1000,1024,1,1000,,LS,Running,0,1,0\n", GV_E_PARSE, "t.csv:2",
         "11 fields, the header has 5"},
        {P11 "p0,1,1,1,1000,,\"LS\",Running,0,1,0\n", GV_E_PARSE, "t.csv:2",
         "qos: '\"LS\"' has a double quote (quoted CSV is not supported)"},
        {"name,cpu_milli,memory_mib,num_gpu,gpu_milli,\np0,1,1,0,0,\"\"\n", GV_E_PARSE, "t.csv:2",
         "field 6: '\"\"' has a double quote (quoted CSV is not supported)"},
        /* gpu_milli against num_gpu */
        {P5 "p0,1,1,1,1200\n", GV_E_INVAL, "t.csv:2",
         "gpu_milli: '1200' is not in 1..1000 (num_gpu 1)"},
        {P5 "p0,1,1,1,1001\n", GV_E_INVAL, "t.csv:2",
         "gpu_milli: '1001' is not in 1..1000 (num_gpu 1)"},
        {P5 "p0,1,1,1,0\n", GV_E_INVAL, "t.csv:2", "gpu_milli: '0' is not in 1..1000 (num_gpu 1)"},
        {P5 "p0,1,1,1,00\n", GV_E_INVAL, "t.csv:2",
         "gpu_milli: '00' is not in 1..1000 (num_gpu 1)"},
        {P5 "p0,1,1,0,500\n", GV_E_INVAL, "t.csv:2", "gpu_milli: '500' must be 0 (num_gpu 0)"},
        {P5 "p0,1,1,2,500\n", GV_E_INVAL, "t.csv:2", "gpu_milli: '500' must be 1000 (num_gpu 2)"},
        {P5 "p0,1,1,8,1001\n", GV_E_INVAL, "t.csv:2", "gpu_milli: '1001' must be 1000 (num_gpu 8)"},
        {P5 "p0,1,1,8,99999999999999999999\n", GV_E_LIMIT, "t.csv:2",
         "gpu_milli: '99999999999999999999' is more than 9223372036854775807"},
        {P5 "p0,1,1,65,1000\n", GV_E_LIMIT, "t.csv:2", "num_gpu: '65' is more than 64"},
        {P5 "p0,1,1,,1000\n", GV_E_PARSE, "t.csv:2", "num_gpu: empty value"},
        {P5 "p0,1,1,1,\n", GV_E_PARSE, "t.csv:2", "gpu_milli: empty value"},
        {P5 "p0,1,1,-1,1000\n", GV_E_PARSE, "t.csv:2", "num_gpu: '-1' is not a decimal number"},
        {P5 "p0,1,,1,1000\n", GV_E_PARSE, "t.csv:2", "memory_mib: empty value"},
        {P5 "p0,1000000001,1,1,1000\n", GV_E_LIMIT, "t.csv:2",
         "cpu_milli: '1000000001' is more than 1000000000"},
        {P5 ",1,1,1,1000\n", GV_E_PARSE, "t.csv:2", "name: empty value"},
        {P5 STR64 ",1,1,1,1000\n", GV_E_LIMIT, "t.csv:2",
         "name: '" STR64 "' is longer than 63 bytes"},
        /* gpu_spec */
        {P11 "p0,1,1,0,0,T4,LS,Running,0,1,0\n", GV_E_INVAL, "t.csv:2",
         "gpu_spec: 'T4' on a pod without GPUs (num_gpu 0)"},
        {P11 "p0,1,1,1,10,A||B,LS,Running,0,1,0\n", GV_E_INVAL, "t.csv:2",
         "gpu_spec: empty model in 'A||B'"},
        {P11 "p0,1,1,1,10,A|,LS,Running,0,1,0\n", GV_E_INVAL, "t.csv:2",
         "gpu_spec: empty model in 'A|'"},
        {P11 "p0,1,1,1,10,|A,LS,Running,0,1,0\n", GV_E_INVAL, "t.csv:2",
         "gpu_spec: empty model in '|A'"},
        {P11 "p0,1,1,1,10,|,LS,Running,0,1,0\n", GV_E_INVAL, "t.csv:2",
         "gpu_spec: empty model in '|'"},
        {P11 "p0,1,1,1,10,A|B|C|D|E|F|G|H|I,LS,Running,0,1,0\n", GV_E_LIMIT, "t.csv:2",
         "gpu_spec: 'A|B|C|D|E|F|G|H|I' has more than 8 models"},
        {P11 "p0,1,1,1,10,T4|" STR32 ",LS,Running,0,1,0\n", GV_E_LIMIT, "t.csv:2",
         "gpu_spec: '" STR32 "' is longer than 31 bytes"},
        {P11 "p0,1,1,1,10,T4|P100|T4,LS,Running,0,1,0\n", GV_E_INVAL, "t.csv:2",
         "gpu_spec: model 'T4' appears twice in 'T4|P100|T4'"},
        {P11 "p0,1,1,1,10,T\x1b,LS,Running,0,1,0\n", GV_E_INVAL, "t.csv:2",
         "gpu_spec: 'T\\x1b' has a control character"},
        /* times */
        {P11 "p0,1,1,1,10,,LS,Running,-5,1,0\n", GV_E_PARSE, "t.csv:2",
         "creation_time: '-5' is not a decimal number"},
        {P11 "p0,1,1,1,10,,LS,Running,0,9223372036854775808,0\n", GV_E_LIMIT, "t.csv:2",
         "deletion_time: '9223372036854775808' is more than 9223372036854775807"},
        {P11 "p0,1,1,1,10,,LS,Running,0,1,1 \n", GV_E_PARSE, "t.csv:2",
         "scheduled_time: '1 ' is not a decimal number"},
        /* duplicates */
        {P5 "openb-pod-0001,1,1,0,0\n"
            "openb-pod-0002,1,1,0,0\n"
            "\n"
            "openb-pod-0003,1,1,0,0\n"
            "openb-pod-0004,1,1,0,0\n"
            "openb-pod-0003,1,1,0,0\n",
         GV_E_INVAL, "t.csv:7", "name 'openb-pod-0003' already on line 5"},
    };
    (void)state;

    for (size_t i = 0; i < GV_N_ELEMENTS(cases); i++)
        expect_error(&cases[i], true);
}

/* Lines and rows over their bounds, and exactly at them. */
static void
test_limits(void **state)
{
    gv_strbuf sb = {0};
    gv_trace_nodes t = {0};
    gv_err err = {0};
    size_t rows = (size_t)GV_TRACE_MAX_ROWS;
    GV_AUTOFREE char *big = NULL;
    size_t len;
    int rc;
    (void)state;

    /* a line of GV_TRACE_MAX_LINE bytes is read, one more byte is refused */
    gv_strbuf_append(&sb, NODE_HEADER "n0,1,1,1,");
    for (size_t i = 0; i < GV_TRACE_MAX_LINE - strlen("n0,1,1,1,"); i++)
        gv_strbuf_putc(&sb, i % 2 ? ',' : 'x');
    gv_strbuf_append(&sb, "\r\n");
    rc = gv_trace_nodes_parse(sb.buf, sb.len, "t.csv", &t, &err);
    assert_int_equal(rc, -GV_E_PARSE); /* read, then refused for its field count */
    assert_string_equal(err.where, "t.csv:2");
    assert_string_equal(err.msg, "2048 fields, the header has 5");
    gv_err_clear(&err);
    sb.len -= 2;
    gv_strbuf_append(&sb, "x\n");
    rc = gv_trace_nodes_parse(sb.buf, sb.len, "t.csv", &t, &err);
    assert_int_equal(rc, -GV_E_LIMIT);
    assert_string_equal(err.where, "t.csv:2");
    assert_string_equal(err.msg, "line is longer than 4096 bytes");
    gv_err_clear(&err);
    gv_strbuf_reset(&sb);

    /* a header of GV_TRACE_MAX_LINE commas: the most fields a line can have */
    {
        GV_AUTOFREE char *commas = gv_malloc(GV_TRACE_MAX_LINE + 1);

        memset(commas, ',', GV_TRACE_MAX_LINE);
        rc = gv_trace_nodes_parse(commas, GV_TRACE_MAX_LINE, "t.csv", &t, &err);
        assert_int_equal(rc, -GV_E_PARSE);
        assert_string_equal(err.msg, "missing column 'sn' in the header");
        gv_err_clear(&err);
    }

    /*
     * More than GV_TRACE_MAX_ROWS non-blank lines after the header are refused before anything
     * is read; exactly that many are read (here the first row is bad, which says so).
     */
    len = strlen(NODE_HEADER) + 2 * (rows + 1) + 1;
    big = gv_malloc(len);
    memcpy(big, NODE_HEADER, strlen(NODE_HEADER));
    for (size_t i = strlen(NODE_HEADER); i + 1 < len; i += 2)
        memcpy(big + i, "x\n", 2);
    big[len - 1] = '\n'; /* a trailing blank line does not count */
    rc = gv_trace_nodes_parse(big, len, "t.csv", &t, &err);
    assert_int_equal(rc, -GV_E_LIMIT);
    assert_string_equal(err.where, "t.csv:10000002");
    assert_string_equal(err.msg, "more than 10000000 rows");
    gv_err_clear(&err);
    rc = gv_trace_nodes_parse(big, len - 3, "t.csv", &t, &err);
    assert_int_equal(rc, -GV_E_PARSE);
    assert_string_equal(err.where, "t.csv:2");
    assert_string_equal(err.msg, "1 field, the header has 5");
    assert_int_equal(t.n, 0);
    assert_null(t.v);

    /* a NUL byte is a control character, not the end of the text */
    {
        static const char text[] = NODE_HEADER "n\0"
                                               "0,1,1,2,T4\n";

        gv_err_clear(&err);
        rc = gv_trace_nodes_parse(text, sizeof(text) - 1, "t.csv", &t, &err);
        assert_int_equal(rc, -GV_E_INVAL);
        assert_string_equal(err.where, "t.csv:2");
        assert_string_equal(err.msg, "sn: 'n\\x000' has a control character");
    }

    /* NULL text with no length: no header */
    gv_err_clear(&err);
    assert_int_equal(gv_trace_nodes_parse(NULL, 0, NULL, &t, &err), -GV_E_PARSE);
    assert_string_equal(err.where, "trace:1");
}

/* ---- gv_trace_check ---- */

static void
test_check(void **state)
{
    gv_trace_nodes nodes = nodes_ok(NODE_HEADER "n0,1,1,2,P100\n"
                                                "n1,1,1,0,G9\n" /* no GPUs: not a valid model */
                                                "n2,1,1,8,V100M32\n"
                                                "n3,1,1,4,T4\n"
                                                "n4,1,1,2,P100\n"
                                                "n5,1,1,0,\n");
    gv_trace_nodes cpu_only = nodes_ok(NODE_HEADER "c0,1,1,0,\nc1,1,1,0,T4\n");
    gv_trace_pods ok = pods_ok(P11 "p0,1,1,1,10,T4|P100,LS,R,0,1,0\n"
                                   "p1,1,1,0,0,,LS,R,0,1,0\n"
                                   "p2,1,1,8,1000,V100M32,LS,R,0,1,0\n");
    gv_trace_pods bad = pods_ok(P11 "p0,1,1,1,10,T4|P100,LS,R,0,1,0\n"
                                    "\n"
                                    "p1,1,1,1,10,T4|G9,LS,R,0,1,0\n"
                                    "p2,1,1,1,10,H100,LS,R,0,1,0\n");
    gv_trace_pods any = pods_ok(P5 "p0,1,1,1,10\n");
    gv_err err = {0};
    (void)state;

    assert_int_equal(gv_trace_check(&nodes, &ok, "pods.csv", &err), 0);
    assert_int_equal(gv_trace_check(&nodes, &any, "pods.csv", &err), 0);
    assert_int_equal(gv_trace_check(&cpu_only, &any, "pods.csv", &err), 0);
    assert_int_equal(gv_trace_check(NULL, NULL, NULL, &err), 0);
    assert_int_equal(gv_trace_check(&nodes, NULL, NULL, &err), 0);
    assert_int_equal(gv_trace_check(NULL, &any, NULL, &err), 0);
    assert_int_equal(err.code, 0);

    assert_int_equal(gv_trace_check(&nodes, &bad, "pods.csv", &err), -GV_E_INVAL);
    assert_string_equal(err.where, "pods.csv:4");
    assert_string_equal(err.msg, "gpu_spec: no node has model 'G9' (valid: P100, T4, V100M32)");
    gv_err_clear(&err);
    assert_int_equal(gv_trace_check(&cpu_only, &ok, NULL, &err), -GV_E_INVAL);
    assert_string_equal(err.where, "trace:2");
    assert_string_equal(err.msg, "gpu_spec: no node has model 'T4' (no node has a GPU)");
    gv_err_clear(&err);
    assert_int_equal(gv_trace_check(NULL, &ok, "p", &err), -GV_E_INVAL);
    assert_string_equal(err.msg, "gpu_spec: no node has model 'T4' (no node has a GPU)");
    gv_err_clear(&err);

    /* a long list of models is cut */
    {
        gv_strbuf sb = {0};
        gv_trace_nodes many;
        GV_AUTOFREE char *text = NULL;
        size_t n;

        gv_strbuf_append(&sb, NODE_HEADER);
        for (int i = 0; i < 60; i++)
            gv_strbuf_printf(&sb, "n%d,1,1,1,MODEL-%02d-abcdefghij\n", i, 59 - i);
        text = gv_strbuf_steal(&sb);
        many = nodes_ok(text);
        assert_int_equal(gv_trace_check(&many, &bad, "pods.csv", &err), -GV_E_INVAL);
        n = strlen(err.msg);
        assert_true(n < 450);
        assert_string_equal(err.msg + n - 4, "...)");
        assert_non_null(strstr(err.msg, "(valid: MODEL-00-abcdefghij, MODEL-01-abcdefghij, "));
        gv_trace_nodes_clear(&many);
    }

    gv_trace_nodes_clear(&nodes);
    gv_trace_nodes_clear(&cpu_only);
    gv_trace_pods_clear(&ok);
    gv_trace_pods_clear(&bad);
    gv_trace_pods_clear(&any);
}

/* ---- property: random tables round-trip, and one broken field is found on its line ---- */

static uint64_t rng_state;

static uint64_t
rng(void)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * UINT64_C(2685821657736338717);
}

static uint64_t
rng_below(uint64_t n)
{
    return n ? rng() % n : 0;
}

/* In 0..max, often at the ends. */
static int64_t
rng_value(int64_t max)
{
    switch (rng_below(6)) {
    case 0:
        return 0;
    case 1:
        return max;
    case 2:
        return (int64_t)rng_below(max < 1000 ? (uint64_t)max + 1 : 1000);
    default:
        return (int64_t)rng_below((uint64_t)max + 1);
    }
}

/* 1..max bytes from @chars. */
static void
rng_text(char *dst, size_t max, const char *chars)
{
    size_t n = rng_below(4) ? 1 + rng_below(12) : 1 + rng_below(max);

    for (size_t i = 0; i < n; i++)
        dst[i] = chars[rng_below(strlen(chars))];
    dst[n] = '\0';
}

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCXYZ0123456789-_.:/ |~#'"
#define MODEL_CHARS "ABCDGMPTV0123456789-_ x"

static bool
name_used(const char *name, const void *rows, size_t n, size_t size)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp((const char *)rows + i * size, name))
            return true;
    return false;
}

static void
random_node(gv_trace_node *v, const gv_trace_node *before, size_t n_before)
{
    memset(v, 0, sizeof(*v));
    do
        rng_text(v->name, GV_TRACE_NAME_LEN - 1, NAME_CHARS);
    while (name_used(v->name, before, n_before, sizeof(*v)));
    v->cpu_milli = rng_value(GV_TRACE_MAX_CPU_MILLI);
    v->memory_mib = rng_value(GV_TRACE_MAX_MEMORY_MIB);
    v->gpus = (int)rng_value(GV_TRACE_MAX_GPUS);
    if (v->gpus > 0 || rng_below(2))
        rng_text(v->model, GV_TRACE_MODEL_LEN - 1, MODEL_CHARS);
}

static void
random_pod(gv_trace_pod *v, const gv_trace_pod *before, size_t n_before, const trace_layout *l)
{
    bool has[4] = {false};

    for (int c = 0; c < l->n_cols; c++) {
        static const char *const opt[] = {"gpu_spec", "creation_time", "deletion_time",
                                          "scheduled_time"};
        for (int k = 0; k < 4; k++)
            has[k] |= !strcmp(l->cols[c], opt[k]);
    }
    memset(v, 0, sizeof(*v));
    do
        rng_text(v->name, GV_TRACE_NAME_LEN - 1, NAME_CHARS);
    while (name_used(v->name, before, n_before, sizeof(*v)));
    v->cpu_milli = rng_value(GV_TRACE_MAX_CPU_MILLI);
    v->memory_mib = rng_value(GV_TRACE_MAX_MEMORY_MIB);
    switch (rng_below(4)) {
    case 0:
        v->num_gpu = 0;
        break;
    case 1:
        v->num_gpu = 1;
        break;
    default:
        v->num_gpu = (int)rng_value(GV_TRACE_MAX_GPUS);
    }
    v->gpu_milli = v->num_gpu == 0 ? 0 : v->num_gpu == 1 ? 1 + (int)rng_below(1000) : 1000;
    if (has[0] && v->num_gpu > 0 && rng_below(2)) {
        int want = 1 + (int)rng_below(GV_TRACE_SPEC_MAX);

        while (v->n_spec < want) {
            char *m = v->spec[v->n_spec];
            bool dup = false;

            rng_text(m, GV_TRACE_MODEL_LEN - 1, MODEL_CHARS);
            for (int i = 0; i < v->n_spec; i++)
                dup |= !strcmp(v->spec[i], m);
            if (dup)
                memset(m, 0, GV_TRACE_MODEL_LEN);
            else
                v->n_spec++;
        }
    }
    v->creation_time = has[1] && rng_below(4) ? rng_value(INT64_MAX) : -1;
    v->deletion_time = has[2] && rng_below(4) ? rng_value(INT64_MAX) : -1;
    v->scheduled_time = has[3] && rng_below(4) ? rng_value(INT64_MAX) : -1;
}

static void
shuffle(const char **cols, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rng_below((uint64_t)i + 1);
        const char *t = cols[i];

        cols[i] = cols[j];
        cols[j] = t;
    }
}

static void
random_layout(trace_layout *l, bool pods)
{
    static const char *const unknown[] = {"qos", "pod_phase", "zone", "", "Name", "gpu "};

    if (pods)
        trace_layout_pods_default(l);
    else
        trace_layout_nodes_default(l);
    if (pods && rng_below(4) == 0) {
        l->n_cols = 5; /* the short released layout */
    } else if (rng_below(4) != 0) {
        if (pods) {
            /* the required columns, some optional ones, some unknown ones, shuffled */
            static const char *const opt[] = {"gpu_spec", "creation_time", "deletion_time",
                                              "scheduled_time"};
            l->n_cols = 5;
            for (int k = 0; k < 4; k++)
                if (rng_below(2))
                    l->cols[l->n_cols++] = opt[k];
        }
        for (int k = (int)rng_below(4); k > 0; k--)
            l->cols[l->n_cols++] = unknown[rng_below(GV_N_ELEMENTS(unknown))];
        shuffle(l->cols, l->n_cols);
    }
    l->crlf = rng_below(3) == 0;
    l->bom = rng_below(5) == 0;
    l->no_final_newline = rng_below(4) == 0;
    l->blank_head = rng_below(5) == 0 ? 1 + (int)rng_below(2) : 0;
    l->blank_mod = rng_below(3) == 0 ? 1 + (int)rng_below(5) : 0;
    l->blank_seed = (int)rng_below(5);
}

/* A value for column @col of row @i that the reader must refuse on that row's line. */
static const char *
bad_value(const char *col, bool pods, const void *rows, size_t i, char *buf)
{
    const gv_trace_node *node = pods ? NULL : (const gv_trace_node *)rows + i;
    const gv_trace_pod *pod = pods ? (const gv_trace_pod *)rows + i : NULL;
    size_t size = pods ? sizeof(gv_trace_pod) : sizeof(gv_trace_node);

    if (!strcmp(col, "sn") || !strcmp(col, "name")) {
        static const char *const v[] = {"", STR64, "a\x01z", "\"q\""};
        if (i > 0 && rng_below(3) == 0) /* the name of an earlier row */
            return (const char *)rows + rng_below(i) * size;
        return v[rng_below(GV_N_ELEMENTS(v))];
    }
    if (!strcmp(col, "cpu_milli")) {
        static const char *const v[] = {"-1", "1000000001", "", "1.0", "99999999999999999999",
                                        " 1", "0x1"};
        return v[rng_below(GV_N_ELEMENTS(v))];
    }
    if (!strcmp(col, "memory_mib")) {
        static const char *const v[] = {"1099511627777", "x", "", "-0"};
        return v[rng_below(GV_N_ELEMENTS(v))];
    }
    if (!strcmp(col, "gpu")) {
        static const char *const v[] = {"65", "", "1a", "18446744073709551616"};
        return v[rng_below(GV_N_ELEMENTS(v))];
    }
    if (!strcmp(col, "model")) {
        if (node->gpus > 0 && rng_below(2))
            return "";
        return rng_below(2) ? "A|B" : STR32;
    }
    if (!strcmp(col, "num_gpu")) {
        if (rng_below(3) == 0)
            return "65";
        /* break the rule between num_gpu and gpu_milli */
        return pod->gpu_milli == 0 ? "1" : "0";
    }
    if (!strcmp(col, "gpu_milli")) {
        if (pod->num_gpu == 0)
            return "1";
        if (pod->num_gpu == 1)
            return rng_below(2) ? "0" : "1001";
        return "999";
    }
    if (!strcmp(col, "gpu_spec")) {
        static const char *const v[] = {"A||B", "|", "A|B|C|D|E|F|G|H|I", STR32, "X|X", "T\x02"};
        if (pod->num_gpu == 0)
            return "T4";
        return v[rng_below(GV_N_ELEMENTS(v))];
    }
    if (strstr(col, "_time")) {
        static const char *const v[] = {"-1", "1x", "9223372036854775808", " "};
        return v[rng_below(GV_N_ELEMENTS(v))];
    }
    /* an unknown column: only a quote makes it bad */
    snprintf(buf, 16, "\"%s\"", rng_below(2) ? "" : "LS");
    return buf;
}

static void
run_property(uint64_t seed, bool pods)
{
    size_t n = rng_below(4) == 0 ? 0 : 1 + rng_below(60);
    size_t size = pods ? sizeof(gv_trace_pod) : sizeof(gv_trace_node);
    GV_AUTOFREE void *rows = gv_calloc(n ? n : 1, size);
    GV_AUTOFREE char *text = NULL;
    GV_AUTOFREE char *broken = NULL;
    trace_layout l;
    char where[64], buf[16];
    gv_err err = {0};
    size_t len;
    int rc;

    random_layout(&l, pods);
    for (size_t i = 0; i < n; i++) {
        if (pods)
            random_pod((gv_trace_pod *)rows + i, rows, i, &l);
        else
            random_node((gv_trace_node *)rows + i, rows, i);
    }
    text = pods ? trace_write_pods(rows, n, &l, &len) : trace_write_nodes(rows, n, &l, &len);

    /* every field comes back, on the line it was written on */
    if (pods) {
        gv_trace_pods t = {0};

        rc = gv_trace_pods_parse(text, len, "prop.csv", &t, &err);
        if (rc < 0)
            fail_msg("seed %" PRIu64 ": %s: %s\n%s", seed, err.where, err.msg, text);
        assert_int_equal(rc, (int)n);
        assert_int_equal(t.n, n);
        for (size_t i = 0; i < n; i++)
            if (memcmp(&t.v[i], (gv_trace_pod *)rows + i, sizeof(gv_trace_pod)))
                fail_msg("seed %" PRIu64 ": pod %zu (line %d) differs\n%s", seed, i,
                         ((gv_trace_pod *)rows)[i].line, text);
        gv_trace_pods_clear(&t);
    } else {
        gv_trace_nodes t = {0};

        rc = gv_trace_nodes_parse(text, len, "prop.csv", &t, &err);
        if (rc < 0)
            fail_msg("seed %" PRIu64 ": %s: %s\n%s", seed, err.where, err.msg, text);
        assert_int_equal(rc, (int)n);
        assert_int_equal(t.n, n);
        for (size_t i = 0; i < n; i++)
            if (memcmp(&t.v[i], (gv_trace_node *)rows + i, sizeof(gv_trace_node)))
                fail_msg("seed %" PRIu64 ": node %zu (line %d) differs\n%s", seed, i,
                         ((gv_trace_node *)rows)[i].line, text);
        gv_trace_nodes_clear(&t);
    }
    if (n == 0)
        return;

    /* one field of one row broken: refused on that row's line, the output untouched */
    l.bad_row = (long)rng_below(n);
    l.bad_col = l.cols[rng_below((uint64_t)l.n_cols)];
    l.bad_value = bad_value(l.bad_col, pods, rows, (size_t)l.bad_row, buf);
    broken = pods ? trace_write_pods(rows, n, &l, &len) : trace_write_nodes(rows, n, &l, &len);
    snprintf(where, sizeof(where), "prop.csv:%d",
             pods ? ((gv_trace_pod *)rows)[l.bad_row].line
                  : ((gv_trace_node *)rows)[l.bad_row].line);
    gv_err_clear(&err);
    if (pods) {
        gv_trace_pods t = {.n = 5, .v = NULL};

        rc = gv_trace_pods_parse(broken, len, "prop.csv", &t, &err);
        assert_int_equal(t.n, 5);
        assert_null(t.v);
    } else {
        gv_trace_nodes t = {.n = 5, .v = NULL};

        rc = gv_trace_nodes_parse(broken, len, "prop.csv", &t, &err);
        assert_int_equal(t.n, 5);
        assert_null(t.v);
    }
    if (rc >= 0 || rc != -err.code || strcmp(err.where, where))
        fail_msg("seed %" PRIu64 ": %s of row %ld set to '%s': expected an error at %s, got %d "
                 "%s: %s\n%s",
                 seed, l.bad_col, l.bad_row, l.bad_value, where, rc, err.where, err.msg, broken);
}

static void
test_property(void **state)
{
    const char *env = getenv("GV_TEST_SEED");
    uint64_t base = env ? strtoull(env, NULL, 10) : 20230605;
    (void)state;

    for (uint64_t k = 0; k < 400; k++) {
        uint64_t seed = base * 1000 + k;

        rng_state = seed * UINT64_C(0x9e3779b97f4a7c15) + 1;
        run_property(seed, k % 2 == 1);
    }
}

/* ---- the released files (argument "shared") ---- */

static char *trace_dir;

static char *
read_trace_file(const char *name, size_t *len)
{
    GV_AUTOFREE char *path = gv_asprintf("%s/%s", trace_dir, name);
    char *text = NULL;
    gv_err err = {0};

    if (gv_file_read(path, GV_FILE_MAX_BYTES, &text, len, &err) < 0)
        fail_msg("%s: %s", err.where, err.msg);
    return text;
}

static gv_trace_nodes
load_nodes(const char *name)
{
    size_t len = 0;
    GV_AUTOFREE char *text = read_trace_file(name, &len);
    gv_trace_nodes t = {0};
    gv_err err = {0};

    if (gv_trace_nodes_parse(text, len, name, &t, &err) < 0)
        fail_msg("%s: %s", err.where, err.msg);
    return t;
}

static void
test_shared_nodes(void **state)
{
    gv_trace_nodes gpu = load_nodes("openb_node_list_gpu_node.csv");
    gv_trace_nodes all = load_nodes("openb_node_list_all_node.csv");
    long gpus = 0, cpu_only = 0;
    (void)state;

    assert_int_equal(gpu.n, 1213);
    for (size_t i = 0; i < gpu.n; i++) {
        assert_true(gpu.v[i].gpus > 0);
        gpus += gpu.v[i].gpus;
    }
    assert_int_equal(gpus, 6212);
    assert_string_equal(gpu.v[0].name, "openb-node-0000");
    assert_int_equal(gpu.v[0].line, 2);
    assert_int_equal(all.n, 1523);
    for (size_t i = 0; i < all.n; i++)
        cpu_only += all.v[i].gpus == 0 && !all.v[i].model[0];
    assert_int_equal(cpu_only, 310);
    gv_trace_nodes_clear(&gpu);
    gv_trace_nodes_clear(&all);
}

static int
cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
test_shared_pods(void **state)
{
    /* data rows per file, from the folder's README */
    static const struct {
        const char *name;
        size_t rows;
    } expect[] = {
        {"openb_pod_list_cpu0.csv", 7064},        {"openb_pod_list_cpu037.csv", 7336},
        {"openb_pod_list_cpu050.csv", 7439},      {"openb_pod_list_cpu072.csv", 7608},
        {"openb_pod_list_cpu100.csv", 7853},      {"openb_pod_list_cpu200.csv", 8832},
        {"openb_pod_list_cpu235.csv", 9240},      {"openb_pod_list_cpu250.csv", 9420},
        {"openb_pod_list_cpu300.csv", 10094},     {"openb_pod_list_default.csv", 8152},
        {"openb_pod_list_gpushare100.csv", 8152}, {"openb_pod_list_gpushare20.csv", 8152},
        {"openb_pod_list_gpushare40.csv", 8152},  {"openb_pod_list_gpushare60.csv", 8152},
        {"openb_pod_list_gpushare80.csv", 8152},
    };
    gv_trace_nodes nodes = load_nodes("openb_node_list_gpu_node.csv");
    DIR *d = opendir(trace_dir);
    struct dirent *e;
    char **names = NULL;
    size_t n_names = 0, n_known = 0;
    (void)state;

    assert_non_null(d);
    while ((e = readdir(d)))
        if (!strncmp(e->d_name, "openb_pod_list_", 15) && strstr(e->d_name, ".csv"))
            *GV_ARRAY_APPEND(names, n_names) = gv_strdup(e->d_name);
    closedir(d);
    qsort(names, n_names, sizeof(*names), cmp_name);
    assert_true(n_names > 0);
    for (size_t f = 0; f < n_names; f++) {
        size_t len = 0;
        GV_AUTOFREE char *text = read_trace_file(names[f], &len);
        gv_trace_pods pods = {0};
        gv_err err = {0};
        size_t cpu = 0, multi = 0;

        if (gv_trace_pods_parse(text, len, names[f], &pods, &err) < 0 ||
            gv_trace_check(&nodes, &pods, names[f], &err) < 0)
            fail_msg("%s: %s", err.where, err.msg);
        for (size_t i = 0; i < GV_N_ELEMENTS(expect); i++) {
            if (strcmp(expect[i].name, names[f]))
                continue;
            assert_int_equal(pods.n, expect[i].rows);
            n_known++;
        }
        for (size_t i = 0; i < pods.n; i++) {
            cpu += pods.v[i].num_gpu == 0;
            multi += pods.v[i].num_gpu > 1;
        }
        printf("%s: %zu pods, %zu without GPUs, %zu with more than one\n", names[f], pods.n, cpu,
               multi);
        if (!strcmp(names[f], "openb_pod_list_default.csv")) {
            assert_int_equal(pods.n, 8152);
            assert_int_equal(cpu, 1088);
            assert_int_equal(multi, 75);
            assert_string_equal(pods.v[1].name, "openb-pod-0001");
            assert_int_equal(pods.v[1].gpu_milli, 460);
            assert_int_equal(pods.v[1].creation_time, 427061);
        }
        gv_trace_pods_clear(&pods);
        free(names[f]);
    }
    free(names);
    /* every file the README lists is there */
    assert_int_equal(n_known, GV_N_ELEMENTS(expect));
    gv_trace_nodes_clear(&nodes);
}

int
main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nodes),       cmocka_unit_test(test_pod_layouts),
        cmocka_unit_test(test_line_ends),   cmocka_unit_test(test_gpu_spec),
        cmocka_unit_test(test_node_errors), cmocka_unit_test(test_pod_errors),
        cmocka_unit_test(test_limits),      cmocka_unit_test(test_check),
        cmocka_unit_test(test_property),
    };
    const struct CMUnitTest shared_tests[] = {
        cmocka_unit_test(test_shared_nodes),
        cmocka_unit_test(test_shared_pods),
    };
    int r;

    if (argc < 2 || strcmp(argv[1], "shared"))
        return cmocka_run_group_tests(tests, NULL, NULL);
    trace_dir = gv_test_shared_dir("sim/trace-shared", "alibaba-gpu-v2023");
    r = cmocka_run_group_tests(shared_tests, NULL, NULL);
    free(trace_dir);
    return r;
}
