/*
 * fuzz_whatif_stream.c - a what-if request stream from untrusted bytes (gv_whatif_stream_parse,
 * with a resolver that knows one flavor), then, when it parses and has at most 64 requests, its
 * replay on a two-host fleet. A refused stream says where ("fuzz.jsonl:LINE") and leaves the
 * output untouched; a parsed one has unique names, times in range and departures after
 * arrivals; a replay keeps whatif.h's counts (placed + rejected = requests, per pool too).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpuvm/discover.h"
#include "gpuvm/whatif.h"
#include "testlib.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fleet_yaml[] =
    "templates:\n"
    "  a30:\n"
    "    topology:\n"
    "      numa: [{id: 0, cores: [[0, 4], [1, 5], [2, 6], [3, 7]], memory_mib: 65536}]\n"
    "      packages: [{id: 0, numa: [0]}]\n"
    "      pcie: [{name: hb0, kind: hostbridge, numa: 0}]\n"
    "      gpus:\n"
    "        - {pci: '41:00.0', vendor_id: '0x10de', device_id: '0x20b7', numa: 0,"
    " pcie_parent: hb0}\n"
    "        - {pci: '42:00.0', vendor_id: '0x10de', device_id: '0x20b7', numa: 0,"
    " pcie_parent: hb0}\n"
    "hosts:\n"
    "  - {name: p1, template: a30, pool: whole, gpu_mode: passthrough}\n"
    "  - {name: m1, template: a30, pool: sliced, gpu_mode: mig, reconfigurable: true}\n";

static int
flavor(const char *name, void *userdata, gv_request *ret, gv_err *err)
{
    (void)userdata;
    if (strcmp(name, "slice"))
        return gv_err_set(err, GV_E_NOTFOUND, "flavors", "no flavor '%s'", name);
    gv_request_init(ret);
    ret->cpu_policy = GV_CPU_SHARED;
    ret->gpu.count = 1;
    ret->gpu.mode = GV_GPU_MODE_MIG;
    strcpy(ret->gpu.profile, "1g.6gb");
    return 0;
}

static void
check_stream(const gv_whatif_stream *s)
{
    for (size_t i = 0; i < s->n; i++) {
        const gv_whatif_request *q = &s->v[i];

        if (!q->request.name[0] || q->line < 1 || !(q->at >= 0) || q->at > GV_WHATIF_MAX_TIME ||
            (q->has_until && !(q->until > q->at && q->until <= GV_WHATIF_MAX_TIME)) ||
            (i && q->line <= s->v[i - 1].line))
            abort();
        for (size_t j = 0; j < i; j++)
            if (!strcmp(s->v[j].request.name, q->request.name))
                abort();
    }
}

static void
replay(const gv_whatif_stream *s)
{
    static gv_catalog *cat;
    static gv_fleet *fleet;
    gv_whatif_result r = {0};
    gv_err err = {0};
    size_t placed = 0, rejected = 0;

    if (!cat) {
        cat = gv_test_shipped_catalog();
        if (gv_fleet_parse(fleet_yaml, strlen(fleet_yaml), "fleet.yaml", cat, &fleet, &err) < 0)
            abort();
    }
    if (gv_whatif_run(fleet, cat, NULL, s, &r, &err) < 0) {
        if (err.code != GV_E_INVAL || strncmp(err.where, "fuzz.jsonl:", 11))
            abort();
        return;
    }
    for (size_t p = 0; p < r.n_pools; p++) {
        if (r.pools[p].t.requests != r.pools[p].t.placed + r.pools[p].t.rejected)
            abort();
        placed += r.pools[p].t.placed;
        rejected += r.pools[p].t.rejected;
    }
    if (r.total.requests != s->n || placed != r.total.placed || rejected != r.total.rejected ||
        r.total.departed > r.total.placed ||
        (r.n_points && r.points[r.n_points - 1].placed != r.total.placed))
        abort();
    gv_whatif_result_clear(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gv_whatif_stream s, before;
    gv_err err = {0};
    int rc;

    memset(&s, 0xa5, sizeof(s));
    memcpy(&before, &s, sizeof(s));
    rc = gv_whatif_stream_parse((const char *)data, size, "fuzz.jsonl", flavor, NULL, &s, &err);
    if (rc < 0) {
        if (err.code == 0 || rc != -err.code || strncmp(err.where, "fuzz.jsonl:", 11) ||
            memcmp(&s, &before, sizeof(s)))
            abort();
        return 0;
    }
    if (err.code)
        abort();
    check_stream(&s);
    if (s.n <= 64)
        replay(&s);
    gv_whatif_stream_clear(&s);
    return 0;
}
