/*
 * cmd_sim_whatif.c - `gpuvm sim --fleet F --requests R.jsonl`: what-if replays of an operator's
 * own fleet and timed request stream through the placement engine (whatif.h), one run or two
 * side by side (--compare: two fleets or two policies), as a table, JSON, and CSV files.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "core/place/request_parse.h"
#include "gpuvm/discover.h"
#include "gpuvm/whatif.h"
#include "util/file.h"

#define MAX_RUNS 2
#define TOTAL_ROW "(total)" /* the fleet's row in the CSV summary */

static void
usage(FILE *f)
{
    fprintf(
        f,
        "usage: gpuvm sim --fleet FILE --requests FILE.jsonl [--policy P] [--config FILE]\n"
        "                 [--out DIR] [--format text|json] [--catalog FILE]\n"
        "       gpuvm sim --compare --fleet A --fleet B --requests FILE.jsonl [options]\n"
        "       gpuvm sim --compare --fleet FILE --policy P1,P2 --requests FILE.jsonl [options]\n"
        "\n"
        "What if: replay your own fleet and VM request stream through the placement engine.\n"
        "Each request arrives at its time and leaves at its departure, if it has one; at one\n"
        "time departures go first. Prints per pool and in total the requests placed and\n"
        "rejected (and why), NUMA violations, GPU allocation and stranded GPUs.\n"
        "\n"
        "  --fleet FILE       a fleet YAML or canonical JSON (twice with --compare)\n"
        "  --requests FILE    one JSON object per line: {\"at\": SECONDS, \"until\": SECONDS,\n"
        "                     \"request\": {...as gpuvm place reads it...}}; \"until\" is\n"
        "                     optional, \"flavor\": NAME starts the request from a flavor\n"
        "  --policy P         gpuvm (default), fgd, bestfit, dotprod, gpu-clustering,\n"
        "                     gpu-packing, random, firstfit; P1,P2 with --compare\n"
        "  --config FILE      placement settings (data/place.yaml); --policy overrides its policy\n"
        "  --compare          run two fleets or two policies and print both and B - A\n"
        "  --out DIR          also write DIR/summary.csv, and per run DIR/timeline-RUN.csv (a\n"
        "                     row per event) and DIR/pools-RUN.csv (a row per event and pool)\n"
        "  --format F         text (default) or json\n"
        "  --catalog FILE     GPU catalog entries merged over the shipped catalog\n"
        "\n"
        "Stranded GPUs: free GPU capacity that none of the stream's typical requests (its most\n"
        "frequent GPU request shapes) could use where it is, by the engine's own verdict; GPU\n"
        "figures are in GPUs, means time-weighted. See docs/formats.md, \"What-if replays\".\n"
        "\n"
        "Exit status: 0 ran (whatever was rejected), 2 bad usage or bad input (a bad request\n"
        "line is named as file:line; nothing is run).\n");
}

/* ---- the metrics, one table for text, JSON and CSV ---- */

typedef enum metric_unit {
    UNIT_COUNT,
    UNIT_MILLI, /* milli-GPUs: GPUs in text and CSV, integer milli in JSON */
} metric_unit;

typedef struct metric {
    const char *label; /* text */
    const char *key;   /* JSON; CSV with _milli as _gpus */
    metric_unit unit;
    size_t offset; /* in gv_whatif_totals */
    bool is_double;
} metric;

#define COUNT(l, k, field)                                                                         \
    {                                                                                              \
        .label = l, .key = k, .unit = UNIT_COUNT, .offset = offsetof(gv_whatif_totals, field)      \
    }
#define MILLI(l, k, field, d)                                                                      \
    {                                                                                              \
        .label = l, .key = k, .unit = UNIT_MILLI, .offset = offsetof(gv_whatif_totals, field),     \
        .is_double = d                                                                             \
    }

static const metric metrics[] = {
    COUNT("hosts", "hosts", n_hosts),
    MILLI("GPUs", "capacity_milli", gpu_milli, false),
    COUNT("requests", "requests", requests),
    COUNT("placed", "placed", placed),
    COUNT("rejected", "rejected", rejected),
    COUNT("departed", "departed", departed),
    COUNT("running peak", "running_peak", running_peak),
    COUNT("NUMA viol.", "numa_violations", numa_violations),
    MILLI("alloc peak", "alloc_peak_milli", alloc_peak_milli, false),
    MILLI("alloc mean", "alloc_mean_milli", alloc_mean_milli, true),
    MILLI("stranded peak", "stranded_peak_milli", stranded_peak_milli, false),
    MILLI("stranded mean", "stranded_mean_milli", stranded_mean_milli, true),
};

static double
metric_get(const metric *m, const gv_whatif_totals *t)
{
    const char *p = (const char *)t + m->offset;

    if (m->is_double)
        return *(const double *)(const void *)p;
    if (m->unit == UNIT_MILLI)
        return (double)*(const int64_t *)(const void *)p;
    return (double)*(const size_t *)(const void *)p;
}

/* The value as text and CSV show it: counts whole, milli-GPUs as GPUs with 3 decimals. */
static void
metric_format(const metric *m, double v, bool sign, char *buf, size_t n)
{
    if (m->unit == UNIT_MILLI)
        snprintf(buf, n, sign ? "%+.3f" : "%.3f", v / 1000);
    else
        snprintf(buf, n, sign ? "%+.0f" : "%.0f", v);
}

/* The value in JSON: an integer (milli-GPUs rounded to the milli-GPU). */
static json_t *
metric_json(double v)
{
    return json_integer((json_int_t)llround(v));
}

/* NUMA violation amounts by kind, as JSON keys and CSV columns say them: with their units. */
static const char *const violation_keys[GV_VIOLATION_KIND_LAST] = {
    [GV_VIOLATION_VCPU] = "vcpus",
    [GV_VIOLATION_MEMORY] = "memory_mib",
    [GV_VIOLATION_NIC] = "nic_vfs",
    [GV_VIOLATION_SCRATCH] = "scratch_gib",
};

/* ---- runs ---- */

typedef struct run {
    char label[64]; /* policy or fleet name: column titles and file names */
    const char *fleet_path;
    gv_place_policy policy;
    gv_fleet *fleet;
    gv_whatif_result res;
} run;

typedef struct whatif_opts {
    const char *fleets[MAX_RUNS];
    size_t n_fleets;
    const char *requests, *policy_list, *config, *out;
    bool compare;
    gv_cli_common co;
} whatif_opts;

/* Flavors named by stream lines, each read once. */
typedef struct flavor_cache {
    size_t n;
    struct cached_flavor {
        char name[GV_REQ_NAME_LEN];
        gv_request request;
    } * v;
} flavor_cache;

static int
resolve_flavor(const char *name, void *userdata, gv_request *ret, gv_err *err)
{
    flavor_cache *c = userdata;
    gv_request r;
    int rc;

    for (size_t i = 0; i < c->n; i++) {
        if (!strcmp(c->v[i].name, name)) {
            *ret = c->v[i].request;
            return 0;
        }
    }
    if (strlen(name) >= GV_REQ_NAME_LEN)
        return gv_err_set(err, GV_E_INVAL, NULL, "'%.32s...' is not a flavor name", name);
    if ((rc = gv_cli_flavor_read(name, &r, err)) < 0)
        return rc;
    c->v = gv_reallocarray(c->v, c->n + 1, sizeof(*c->v));
    snprintf(c->v[c->n].name, sizeof(c->v[0].name), "%s", name);
    c->v[c->n++].request = r;
    *ret = r;
    return 0;
}

static int
parse_policies(const char *list, gv_place_policy *ret, size_t *n)
{
    char buf[256];
    char *save = NULL;

    if (strlen(list) >= sizeof(buf))
        return gv_cli_usage_error("sim", "--policy: too long");
    snprintf(buf, sizeof(buf), "%s", list);
    *n = 0;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int p = gv_place_policy_from_string(t);

        if (p < 0) {
            char valid[256];

            gv_req_join_names(gv_req_place_policy_names, GV_POLICY_LAST, valid, sizeof(valid));
            return gv_cli_usage_error("sim", "--policy: '%s' is not a policy (valid: %s)", t,
                                      valid);
        }
        if (*n == MAX_RUNS)
            return gv_cli_usage_error("sim", "--policy: at most %d policies", MAX_RUNS);
        ret[(*n)++] = (gv_place_policy)p;
    }
    return *n ? 0 : gv_cli_usage_error("sim", "--policy: no policy given");
}

/* A file's name without its folder and extension, made safe for file names. */
static void
base_name(const char *path, char *ret, size_t n)
{
    const char *b = strrchr(path, '/');
    const char *dot;
    size_t len;

    b = b ? b + 1 : path;
    dot = strrchr(b, '.');
    len = dot && dot != b ? (size_t)(dot - b) : strlen(b);
    snprintf(ret, n, "%.*s", (int)len, b);
    for (char *c = ret; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '.' || *c == '_' || *c == '-'))
            *c = '_';
}

/* ---- text ---- */

static int
pool_width(const run *runs, size_t n_runs)
{
    int w = (int)strlen(TOTAL_ROW);

    for (size_t r = 0; r < n_runs; r++)
        for (size_t p = 0; p < runs[r].res.n_pools; p++)
            if ((int)strlen(runs[r].res.pools[p].name) > w)
                w = (int)strlen(runs[r].res.pools[p].name);
    return w;
}

/* A metric's column in the table of one run: its label, or room for 9999.999 GPUs. */
static int
column_width(const metric *m)
{
    int w = (int)strlen(m->label);

    return w > 8 ? w : 8;
}

static void
print_totals_row(FILE *out, int w, const char *name, const gv_whatif_totals *t)
{
    fprintf(out, "%-*s", w, name);
    for (size_t m = 0; m < GV_N_ELEMENTS(metrics); m++) {
        char buf[32];

        metric_format(&metrics[m], metric_get(&metrics[m], t), false, buf, sizeof(buf));
        fprintf(out, "  %*s", column_width(&metrics[m]), buf);
    }
    fputc('\n', out);
}

/* "gpu-free 3, cpu 1", or "-" */
static void
reasons_text(const gv_whatif_totals *t, char *buf, size_t n)
{
    size_t len = 0;

    buf[0] = '\0';
    for (int k = 0; k < GV_REASON_LAST && len < n; k++)
        if (t->rejected_by[k])
            len += (size_t)snprintf(buf + len, n - len, "%s%s %zu", len ? ", " : "",
                                    gv_reason_to_string((gv_reason)k), t->rejected_by[k]);
    if (!len)
        snprintf(buf, n, "-");
}

static void
violations_text(const gv_whatif_totals *t, char *buf, size_t n)
{
    static const char *const units[GV_VIOLATION_KIND_LAST] = {"", " MiB", " VFs", " GiB"};
    size_t len = 0;

    buf[0] = '\0';
    for (int k = 0; k < GV_VIOLATION_KIND_LAST && len < n; k++)
        if (t->violation_amount[k])
            len += (size_t)snprintf(buf + len, n - len, "%s%s %lld%s", len ? ", " : "",
                                    gv_violation_kind_to_string((gv_violation_kind)k),
                                    (long long)t->violation_amount[k], units[k]);
    if (!len)
        snprintf(buf, n, "-");
}

static void
print_run_text(FILE *out, const run *rn, const gv_whatif_stream *s)
{
    const gv_whatif_result *res = &rn->res;
    int w = pool_width(rn, 1);
    char buf[512];

    fprintf(out, "what-if: %zu requests from %s on %s (%zu hosts, %lld GPUs), policy %s\n", s->n,
            s->source, rn->fleet_path, res->total.n_hosts, (long long)(res->total.gpu_milli / 1000),
            gv_place_policy_to_string(rn->policy));
    if (res->n_points)
        fprintf(out, "%zu events from %.15g s to %.15g s; %zu typical request shapes\n",
                res->n_points, res->points[0].time, res->points[res->n_points - 1].time,
                res->n_typical);
    fputc('\n', out);
    fprintf(out, "%-*s", w, "pool");
    for (size_t m = 0; m < GV_N_ELEMENTS(metrics); m++)
        fprintf(out, "  %*s", column_width(&metrics[m]), metrics[m].label);
    fputc('\n', out);
    for (size_t p = 0; p < res->n_pools; p++)
        print_totals_row(out, w, res->pools[p].name, &res->pools[p].t);
    print_totals_row(out, w, TOTAL_ROW, &res->total);
    fprintf(out, "\nrejected, by the reason of the host closest to fitting:\n");
    for (size_t p = 0; p < res->n_pools; p++) {
        if (!res->pools[p].t.rejected)
            continue;
        reasons_text(&res->pools[p].t, buf, sizeof(buf));
        fprintf(out, "  %-*s  %s\n", w, res->pools[p].name, buf);
    }
    reasons_text(&res->total, buf, sizeof(buf));
    fprintf(out, "  %-*s  %s\n", w, TOTAL_ROW, buf);
    violations_text(&res->total, buf, sizeof(buf));
    fprintf(out, "NUMA violations: %zu VMs with resources off their GPUs' nodes: %s\n",
            res->total.numa_violations, buf);
}

/* The union of the pools of @a and @b, in @a's order then @b's. */
static size_t
pool_union(const gv_whatif_result *a, const gv_whatif_result *b, const char ***ret)
{
    const char **names = gv_calloc(a->n_pools + b->n_pools + 1, sizeof(*names));
    size_t n = 0;

    for (size_t p = 0; p < a->n_pools; p++)
        names[n++] = a->pools[p].name;
    for (size_t p = 0; p < b->n_pools; p++)
        if (!gv_whatif_result_pool(a, b->pools[p].name))
            names[n++] = b->pools[p].name;
    *ret = names;
    return n;
}

/* Pool @name of @r, or zeros when @r has no such pool. */
static gv_whatif_totals
pool_totals(const gv_whatif_result *r, const char *name)
{
    const gv_whatif_pool *p = gv_whatif_result_pool(r, name);
    gv_whatif_totals zero = {0};

    return p ? p->t : zero;
}

static void
print_compare_rows(FILE *out, int w, const char *name, const gv_whatif_totals *a,
                   const gv_whatif_totals *b)
{
    int mw = 14;

    for (size_t m = 0; m < GV_N_ELEMENTS(metrics); m++) {
        char va[32], vb[32], vd[32];
        double x = metric_get(&metrics[m], a), y = metric_get(&metrics[m], b);

        metric_format(&metrics[m], x, false, va, sizeof(va));
        metric_format(&metrics[m], y, false, vb, sizeof(vb));
        metric_format(&metrics[m], y - x, true, vd, sizeof(vd));
        fprintf(out, "%-*s  %-*s  %14s  %14s  %14s\n", w, m ? "" : name, mw, metrics[m].label, va,
                vb, vd);
    }
    for (int k = 0; k < GV_REASON_LAST; k++) {
        char label[48];

        if (!a->rejected_by[k] && !b->rejected_by[k])
            continue;
        snprintf(label, sizeof(label), "rej. %s", gv_reason_to_string((gv_reason)k));
        fprintf(out, "%-*s  %-*s  %14zu  %14zu  %+14lld\n", w, "", mw, label, a->rejected_by[k],
                b->rejected_by[k], (long long)b->rejected_by[k] - (long long)a->rejected_by[k]);
    }
}

static void
print_compare_text(FILE *out, const run *runs, const gv_whatif_stream *s)
{
    GV_AUTOFREE const char **names = NULL;
    size_t n = pool_union(&runs[0].res, &runs[1].res, &names);
    int w = pool_width(runs, 2);

    fprintf(out, "what-if compare: %zu requests from %s\n", s->n, s->source);
    for (int r = 0; r < 2; r++)
        fprintf(out, "  %c = %s: %s, policy %s\n", 'A' + r, runs[r].label, runs[r].fleet_path,
                gv_place_policy_to_string(runs[r].policy));
    fprintf(out, "\n%-*s  %-14s  %14s  %14s  %14s\n", w, "pool", "metric", runs[0].label,
            runs[1].label, "B - A");
    for (size_t p = 0; p < n; p++) {
        gv_whatif_totals a = pool_totals(&runs[0].res, names[p]);
        gv_whatif_totals b = pool_totals(&runs[1].res, names[p]);

        print_compare_rows(out, w, names[p], &a, &b);
    }
    print_compare_rows(out, w, TOTAL_ROW, &runs[0].res.total, &runs[1].res.total);
}

/* ---- JSON ---- */

static json_t *
totals_json(const gv_whatif_totals *t)
{
    json_t *o = json_object(), *by = json_object(), *viol = json_object();

    for (size_t m = 0; m < GV_N_ELEMENTS(metrics); m++)
        json_object_set_new(o, metrics[m].key, metric_json(metric_get(&metrics[m], t)));
    for (int k = 0; k < GV_REASON_LAST; k++)
        if (t->rejected_by[k])
            json_object_set_new(by, gv_reason_to_string((gv_reason)k),
                                json_integer((json_int_t)t->rejected_by[k]));
    for (int k = 0; k < GV_VIOLATION_KIND_LAST; k++)
        json_object_set_new(viol, violation_keys[k], json_integer(t->violation_amount[k]));
    json_object_set_new(o, "rejected_by", by);
    json_object_set_new(o, "numa_violation_amount", viol);
    return o;
}

/* @b - @a, key by key, for the numbers totals_json writes. */
static json_t *
totals_diff_json(const gv_whatif_totals *a, const gv_whatif_totals *b)
{
    json_t *o = json_object(), *by = json_object(), *viol = json_object();

    for (size_t m = 0; m < GV_N_ELEMENTS(metrics); m++)
        json_object_set_new(o, metrics[m].key,
                            metric_json(metric_get(&metrics[m], b) - metric_get(&metrics[m], a)));
    for (int k = 0; k < GV_REASON_LAST; k++)
        if (a->rejected_by[k] || b->rejected_by[k])
            json_object_set_new(
                by, gv_reason_to_string((gv_reason)k),
                json_integer((json_int_t)b->rejected_by[k] - (json_int_t)a->rejected_by[k]));
    for (int k = 0; k < GV_VIOLATION_KIND_LAST; k++)
        json_object_set_new(viol, violation_keys[k],
                            json_integer(b->violation_amount[k] - a->violation_amount[k]));
    json_object_set_new(o, "rejected_by", by);
    json_object_set_new(o, "numa_violation_amount", viol);
    return o;
}

static json_t *
run_json(const run *rn)
{
    json_t *o = json_object(), *pools = json_array();

    json_object_set_new(o, "label", json_string(rn->label));
    json_object_set_new(o, "fleet", json_string(rn->fleet_path));
    json_object_set_new(o, "policy", json_string(gv_place_policy_to_string(rn->policy)));
    json_object_set_new(o, "events", json_integer((json_int_t)rn->res.n_points));
    json_object_set_new(o, "typical_shapes", json_integer((json_int_t)rn->res.n_typical));
    json_object_set_new(o, "total", totals_json(&rn->res.total));
    for (size_t p = 0; p < rn->res.n_pools; p++) {
        json_t *pj = totals_json(&rn->res.pools[p].t);

        json_object_set_new(pj, "pool", json_string(rn->res.pools[p].name));
        json_array_append_new(pools, pj);
    }
    json_object_set_new(o, "pools", pools);
    return o;
}

static void
print_json(FILE *out, const run *runs, size_t n_runs, const gv_whatif_stream *s)
{
    json_t *doc = json_object(), *arr = json_array();
    char *text;

    json_object_set_new(doc, "format", json_string("gpuvm-whatif/1"));
    json_object_set_new(doc, "requests", json_string(s->source));
    for (size_t r = 0; r < n_runs; r++)
        json_array_append_new(arr, run_json(&runs[r]));
    json_object_set_new(doc, "runs", arr);
    if (n_runs == 2) {
        GV_AUTOFREE const char **names = NULL;
        size_t n = pool_union(&runs[0].res, &runs[1].res, &names);
        json_t *diff = json_object(), *pools = json_array();

        json_object_set_new(diff, "total",
                            totals_diff_json(&runs[0].res.total, &runs[1].res.total));
        for (size_t p = 0; p < n; p++) {
            gv_whatif_totals a = pool_totals(&runs[0].res, names[p]);
            gv_whatif_totals b = pool_totals(&runs[1].res, names[p]);
            json_t *pj = totals_diff_json(&a, &b);

            json_object_set_new(pj, "pool", json_string(names[p]));
            json_array_append_new(pools, pj);
        }
        json_object_set_new(diff, "pools", pools);
        json_object_set_new(doc, "diff", diff);
    }
    text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
    fprintf(out, "%s\n", text);
    free(text);
    json_decref(doc);
}

/* ---- CSV ---- */

static void
csv_totals_row(FILE *f, const char *label, const char *pool, const gv_whatif_totals *t)
{
    fprintf(f, "%s,%s", label, pool);
    for (size_t m = 0; m < GV_N_ELEMENTS(metrics); m++) {
        char buf[32];

        metric_format(&metrics[m], metric_get(&metrics[m], t), false, buf, sizeof(buf));
        fprintf(f, ",%s", buf);
    }
    for (int k = 0; k < GV_VIOLATION_KIND_LAST; k++)
        fprintf(f, ",%lld", (long long)t->violation_amount[k]);
    for (int k = 0; k < GV_REASON_LAST; k++)
        fprintf(f, ",%zu", t->rejected_by[k]);
    fputc('\n', f);
}

static FILE *
open_out(const char *dir, const char *name, const char *label, char *path, size_t n)
{
    if (label)
        snprintf(path, n, "%s/%s-%s.csv", dir, name, label);
    else
        snprintf(path, n, "%s/%s.csv", dir, name);
    return gv_cli_create(path);
}

static int
write_summary(const char *dir, const run *runs, size_t n_runs)
{
    char path[4096];
    FILE *f = open_out(dir, "summary", NULL, path, sizeof(path));

    if (!f)
        return -1;
    fprintf(f, "run,pool");
    for (size_t m = 0; m < GV_N_ELEMENTS(metrics); m++) {
        const char *key = metrics[m].key;
        size_t len = strlen(key);

        if (metrics[m].unit == UNIT_MILLI && len > 6 && !strcmp(key + len - 6, "_milli"))
            fprintf(f, ",%.*s_gpus", (int)(len - 6), key);
        else
            fprintf(f, ",%s", key);
    }
    for (int k = 0; k < GV_VIOLATION_KIND_LAST; k++)
        fprintf(f, ",violation_%s", violation_keys[k]);
    for (int k = 0; k < GV_REASON_LAST; k++)
        fprintf(f, ",rejected_%s", gv_reason_to_string((gv_reason)k));
    fputc('\n', f);
    for (size_t r = 0; r < n_runs; r++) {
        for (size_t p = 0; p < runs[r].res.n_pools; p++)
            csv_totals_row(f, runs[r].label, runs[r].res.pools[p].name, &runs[r].res.pools[p].t);
        csv_totals_row(f, runs[r].label, TOTAL_ROW, &runs[r].res.total);
    }
    return gv_cli_close(f, path);
}

static int
write_timelines(const char *dir, const run *rn, const gv_whatif_stream *s)
{
    const gv_whatif_result *res = &rn->res;
    char path[4096];
    FILE *f = open_out(dir, "timeline", rn->label, path, sizeof(path));

    if (!f)
        return -1;
    fprintf(f, "time,event,vm,host,pool,reason,running,placed,rejected,alloc_gpus,stranded_gpus\n");
    for (size_t k = 0; k < res->n_points; k++) {
        const gv_whatif_point *pt = &res->points[k];
        const gv_host *h = pt->host >= 0 ? rn->fleet->hosts[pt->host] : NULL;
        const gv_request *q = &s->v[pt->request].request;
        /* the pool the event counts in (whatif.h): the host's, or the one a rejection asked */
        const char *pool = h ? h->pool : q->pool;

        fprintf(f, "%.15g,%s,%s,%s,%s,%s,%zu,%zu,%zu,%.3f,%.3f\n", pt->time,
                gv_whatif_event_to_string(pt->event), q->name, h ? h->name : "",
                pool[0] ? pool : GV_WHATIF_NO_POOL,
                pt->event == GV_WHATIF_REJECTED ? gv_reason_to_string(pt->reason) : "", pt->running,
                pt->placed, pt->rejected, (double)pt->alloc_milli / 1000,
                (double)pt->stranded_milli / 1000);
    }
    if (gv_cli_close(f, path) < 0)
        return -1;
    if (!(f = open_out(dir, "pools", rn->label, path, sizeof(path))))
        return -1;
    fprintf(f, "time,pool,alloc_gpus,stranded_gpus\n");
    for (size_t k = 0; k < res->n_points; k++)
        for (size_t p = 0; p < res->n_pools; p++)
            fprintf(f, "%.15g,%s,%.3f,%.3f\n", res->points[k].time, res->pools[p].name,
                    (double)res->pool_alloc_milli[k * res->n_pools + p] / 1000,
                    (double)res->pool_stranded_milli[k * res->n_pools + p] / 1000);
    return gv_cli_close(f, path);
}

/* ---- the command ---- */

static int
parse_args(int argc, char **argv, whatif_opts *o)
{
    enum {
        OPT_FLEET = 1,
        OPT_REQUESTS,
        OPT_POLICY,
        OPT_CONFIG,
        OPT_OUT,
        OPT_COMPARE
    };
    static const struct option opts[] = {
        {"fleet", required_argument, NULL, OPT_FLEET},
        {"requests", required_argument, NULL, OPT_REQUESTS},
        {"policy", required_argument, NULL, OPT_POLICY},
        {"config", required_argument, NULL, OPT_CONFIG},
        {"out", required_argument, NULL, OPT_OUT},
        {"compare", no_argument, NULL, OPT_COMPARE},
        GV_CLI_COMMON_OPTIONS,
        {0},
    };
    int c, r;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_FLEET:
            if (o->n_fleets == MAX_RUNS)
                return gv_cli_usage_error("sim", "--fleet: at most %d fleets", MAX_RUNS);
            o->fleets[o->n_fleets++] = optarg;
            break;
        case OPT_REQUESTS:
            o->requests = optarg;
            break;
        case OPT_POLICY:
            o->policy_list = optarg;
            break;
        case OPT_CONFIG:
            o->config = optarg;
            break;
        case OPT_OUT:
            o->out = optarg;
            break;
        case OPT_COMPARE:
            o->compare = true;
            break;
        default:
            if ((r = gv_cli_common_opt(c, "sim", argv, usage, &o->co)) >= 0)
                return r;
        }
    }
    if (optind != argc)
        return gv_cli_usage_error("sim", "unexpected argument '%s'", argv[optind]);
    if (!o->n_fleets || !o->requests)
        return gv_cli_usage_error("sim", "--fleet FILE and --requests FILE are required");
    return -1;
}

/* The runs the options ask for: one, or two differing in fleet or in policy. */
static int
plan_runs(const whatif_opts *o, const gv_place_config *cfg, run *runs, size_t *n_runs)
{
    gv_place_policy pol[MAX_RUNS] = {cfg->policy};
    size_t n_pol = 1;
    int r;

    if (o->policy_list && (r = parse_policies(o->policy_list, pol, &n_pol)) != 0)
        return r;
    if (o->n_fleets == 2 && n_pol == 2)
        return gv_cli_usage_error("sim", "--compare: two fleets or two policies, not both");
    if (!o->compare && (o->n_fleets == 2 || n_pol == 2))
        return gv_cli_usage_error("sim", "two %s need --compare",
                                  o->n_fleets == 2 ? "fleets" : "policies");
    if (o->compare && o->n_fleets < 2 && n_pol < 2)
        return gv_cli_usage_error("sim", "--compare needs two fleets (--fleet A --fleet B) or two "
                                         "policies (--policy A,B)");
    *n_runs = o->compare ? 2 : 1;
    for (size_t k = 0; k < *n_runs; k++) {
        runs[k].fleet_path = o->fleets[o->n_fleets == 2 ? k : 0];
        runs[k].policy = pol[n_pol == 2 ? k : 0];
        if (o->n_fleets == 2)
            base_name(runs[k].fleet_path, runs[k].label, sizeof(runs[k].label));
        else
            snprintf(runs[k].label, sizeof(runs[k].label), "%s",
                     gv_place_policy_to_string(runs[k].policy));
    }
    if (*n_runs == 2 && !strcmp(runs[0].label, runs[1].label)) {
        snprintf(runs[0].label, sizeof(runs[0].label), "A");
        snprintf(runs[1].label, sizeof(runs[1].label), "B");
    }
    return 0;
}

static int
run_all(run *runs, size_t n_runs, const gv_catalog *cat, const gv_place_config *base,
        const gv_whatif_stream *s)
{
    for (size_t k = 0; k < n_runs; k++) {
        gv_place_config cfg = *base;
        gv_err err = {0};

        cfg.policy = runs[k].policy;
        if (gv_fleet_file_load(runs[k].fleet_path, cat, &runs[k].fleet, &err) < 0)
            return gv_cli_report(&err);
        if (gv_whatif_run(runs[k].fleet, cat, &cfg, s, &runs[k].res, &err) < 0) {
            if (n_runs == 2 && strcmp(runs[0].fleet_path, runs[1].fleet_path)) {
                /* which of the two fleets cannot take it */
                size_t len = strlen(err.msg);

                snprintf(err.msg + len, sizeof(err.msg) - len, " (fleet %s)", runs[k].fleet_path);
            }
            if (strncmp(err.where, s->source, strlen(s->source)))
                gv_err_prefix(&err, runs[k].fleet_path); /* the engine refused the fleet */
            return gv_cli_report(&err);
        }
    }
    return GV_EXIT_OK;
}

int
gv_cmd_sim_whatif(int argc, char **argv)
{
    whatif_opts o = {0};
    run runs[MAX_RUNS] = {0};
    size_t n_runs = 0;
    GV_AUTOPTR(gv_catalog) cat = NULL;
    GV_AUTOFREE char *text = NULL;
    gv_whatif_stream s = {0};
    flavor_cache flavors = {0};
    gv_place_config cfg;
    gv_err err = {0};
    size_t len;
    int r;

    if ((r = parse_args(argc, argv, &o)) >= 0)
        return r;
    if ((r = gv_cli_load_config(o.config, &cfg)) != GV_EXIT_OK)
        return r;
    if ((r = plan_runs(&o, &cfg, runs, &n_runs)) != 0)
        return r;
    if ((r = gv_cli_load_catalog(o.co.catalog_file, &cat)) != GV_EXIT_OK)
        return r;
    if (gv_file_read(o.requests, 1u << 30, &text, &len, &err) < 0 ||
        gv_whatif_stream_parse(text, len, o.requests, resolve_flavor, &flavors, &s, &err) < 0) {
        free(flavors.v);
        return gv_cli_report(&err);
    }
    free(flavors.v);
    r = run_all(runs, n_runs, cat, &cfg, &s);
    if (r == GV_EXIT_OK && o.out) {
        if (gv_mkdir_p(o.out) < 0) {
            fprintf(stderr, "gpuvm: %s: %s\n", o.out, strerror(errno));
            r = GV_EXIT_INPUT;
        } else if (write_summary(o.out, runs, n_runs) < 0) {
            r = GV_EXIT_INPUT;
        }
        for (size_t k = 0; r == GV_EXIT_OK && k < n_runs; k++)
            if (write_timelines(o.out, &runs[k], &s) < 0)
                r = GV_EXIT_INPUT;
    }
    if (r == GV_EXIT_OK) {
        if (o.co.format == GV_FORMAT_JSON)
            print_json(stdout, runs, n_runs, &s);
        else if (n_runs == 2)
            print_compare_text(stdout, runs, &s);
        else
            print_run_text(stdout, &runs[0], &s);
    }
    for (size_t k = 0; k < n_runs; k++) {
        gv_whatif_result_clear(&runs[k].res);
        gv_fleet_free(runs[k].fleet);
    }
    gv_whatif_stream_clear(&s);
    return r;
}
