/*
 * test_shared_topologies.c - conformance of the topology loaders against the real machines in
 * ../shared/data/topologies/. Every file there is loaded with gv_topo_file_load() and compared
 * with tests/shared/topologies.expect (our reading of that folder's README: the GPUs, NICs and
 * NVMe drives with their NUMA nodes, NUMA/package/PU counts, or the refusal and its reason). A
 * fixture without an expectation, or an expectation without a fixture, fails. For every file that
 * loads, the one-host fleet must also survive the canonical JSON round trip byte for byte.
 *
 * The log reads as a report: one "OK"/"FAIL" line per file, each mismatch naming the file, the
 * device and the expected and actual values, and a table at the end.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gpuvm/discover.h"
#include "gpuvm/topo.h"
#include "testlib.h"

#define TEST_NAME "shared/topologies"
#define MAX_LINE 4096

/* The fixture folders of topologies/ whose every entry needs an expectation. */
static const char *const fixture_dirs[] = {"hwloc-xml", "nccl-topo", "nvidia-smi", "sysfs"};

typedef enum count_kind {
    COUNT_GPU,
    COUNT_NIC,
    COUNT_NVME,
    COUNT_NUMA,
    COUNT_PACKAGE,
    COUNT_PU,
    COUNT_KIND_LAST
} count_kind;

/* check_devices indexes counts by gv_dev_kind. */
_Static_assert(COUNT_GPU == (int)GV_DEV_GPU && COUNT_NIC == (int)GV_DEV_NIC &&
                   COUNT_NVME == (int)GV_DEV_NVME,
               "count kinds follow gv_dev_kind");

static const char *const count_names[COUNT_KIND_LAST] = {
    [COUNT_GPU] = "gpu",   [COUNT_NIC] = "nic",         [COUNT_NVME] = "nvme",
    [COUNT_NUMA] = "numa", [COUNT_PACKAGE] = "package", [COUNT_PU] = "pu",
};

typedef struct exp_dev {
    gv_dev_kind kind;
    char pci[GV_PCI_ADDR_LEN];
    int numa; /* GV_NUMA_UNKNOWN for '?' */
} exp_dev;

typedef struct id_set {
    bool given;
    size_t n;
    int *ids; /* ascending, unique */
} id_set;

typedef struct exp_file {
    char *path; /* relative to topologies/ */
    int line;   /* of its "file" directive */
    bool load;
    bool refuse;
    int refuse_code;             /* gv_errcode */
    char *refuse_text;           /* substring of the error message */
    long count[COUNT_KIND_LAST]; /* -1 when not stated */
    size_t n_devs;
    exp_dev *devs;
    id_set numa_ids;
    id_set memonly;
    bool cores_unknown;
    bool partial[GV_DEV_KIND_LAST]; /* the list of that kind is shorter than its count */

    char *test_name; /* cmocka names: they must outlive the run */
    char *rt_test_name;
    const char *result; /* for the final table */
    const char *rt_result;
} exp_file;

static struct {
    char *root; /* .../topologies */
    char *expect_path;
    size_t n_files;
    exp_file *files;
    const char *coverage_result;
} g;

/* ---- small helpers ------------------------------------------------------------------------- */

static const char *
numa_str(int numa, char buf[16])
{
    if (numa == GV_NUMA_UNKNOWN)
        return "?";
    snprintf(buf, 16, "%d", numa);
    return buf;
}

static int
int_cmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static bool
id_set_has(const id_set *s, int id)
{
    return bsearch(&id, s->ids, s->n, sizeof(int), int_cmp) != NULL;
}

/* "{0,8,250-255}" */
static void
fprint_ids(FILE *out, const int *ids, size_t n)
{
    fputc('{', out);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && ids[j + 1] == ids[j] + 1)
            j++;
        fprintf(out, i ? "," : "");
        if (j > i + 1)
            fprintf(out, "%d-%d", ids[i], ids[j]);
        else if (j == i + 1)
            fprintf(out, "%d,%d", ids[i], ids[j]);
        else
            fprintf(out, "%d", ids[i]);
        i = j + 1;
    }
    fputc('}', out);
}

/* ---- the expectation file ------------------------------------------------------------------ */

/* Next whitespace-separated token of *p, or a "quoted string" (no escapes). NULL at the end. */
static char *
next_token(char **p, bool *bad_quote)
{
    char *s = *p, *tok;

    s += strspn(s, " \t\r\n");
    if (!*s)
        return NULL;
    if (*s == '"') {
        tok = ++s;
        s = strchr(s, '"');
        if (!s) {
            *bad_quote = true;
            return NULL;
        }
    } else {
        tok = s;
        s += strcspn(s, " \t\r\n");
    }
    if (*s)
        *s++ = '\0';
    *p = s;
    return tok;
}

static bool
parse_long(const char *s, long *ret)
{
    char *end;
    long v;

    if (!s || !*s)
        return false;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < 0)
        return false;
    *ret = v;
    return true;
}

/* The rest of the line as ids and ranges "a-b" into a sorted set. Returns false on bad input. */
static bool
parse_id_set(char **p, id_set *s)
{
    bool bad = false;
    char *tok;

    s->given = true;
    while ((tok = next_token(p, &bad))) {
        char *dash = strchr(tok, '-');
        long a, b;
        if (dash) {
            *dash = '\0';
            if (!parse_long(tok, &a) || !parse_long(dash + 1, &b) || b < a || b - a > 4096)
                return false;
        } else if (!parse_long(tok, &a)) {
            return false;
        } else {
            b = a;
        }
        for (long id = a; id <= b; id++)
            *GV_ARRAY_APPEND(s->ids, s->n) = (int)id;
    }
    if (bad || s->n == 0)
        return false;
    qsort(s->ids, s->n, sizeof(int), int_cmp);
    for (size_t i = 1; i < s->n; i++)
        if (s->ids[i] == s->ids[i - 1])
            return false;
    return true;
}

static int
errcode_from_string(const char *s)
{
    for (int c = 1; c < GV_E_LAST; c++)
        if (!strcmp(gv_errcode_to_string(c), s))
            return c;
    return -1;
}

static int expect_error(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
expect_error(int line, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s:%d: ", g.expect_path, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return -1;
}

/* Checks that a finished block is a complete statement. */
static int
expect_finish_block(const exp_file *e)
{
    if (!e)
        return 0;
    if (e->load == e->refuse)
        return expect_error(e->line, "%s: a block needs exactly one of 'load' or 'refuse'",
                            e->path);
    if (e->refuse && (e->n_devs || e->numa_ids.given || e->memonly.given || e->cores_unknown ||
                      e->partial[GV_DEV_GPU] || e->partial[GV_DEV_NIC] || e->partial[GV_DEV_NVME]))
        return expect_error(e->line, "%s: a 'refuse' block asserts nothing else", e->path);
    if (e->refuse)
        return 0;
    for (count_kind k = COUNT_GPU; k <= COUNT_NVME; k++) {
        size_t listed = 0;
        if (e->count[k] < 0)
            return expect_error(e->line, "%s: 'count %s' is required in a 'load' block", e->path,
                                count_names[k]);
        for (size_t i = 0; i < e->n_devs; i++)
            listed += e->devs[i].kind == (gv_dev_kind)k;
        if ((long)listed > e->count[k] || ((long)listed < e->count[k] && !e->partial[k]))
            return expect_error(e->line,
                                "%s: %zu %s lines but 'count %s %ld' (a shorter list needs "
                                "'partial %s')",
                                e->path, listed, count_names[k], count_names[k], e->count[k],
                                count_names[k]);
    }
    return 0;
}

static int
expect_parse_line(char *line, int lineno, exp_file **cur)
{
    bool bad = false;
    char *p = line;
    char *word = next_token(&p, &bad);
    exp_file *e = *cur;

    if (!word || word[0] == '#')
        return 0;
    if (!strcmp(word, "file")) {
        char *path = next_token(&p, &bad);
        if (!path || next_token(&p, &bad))
            return expect_error(lineno, "usage: file <path>");
        if (expect_finish_block(e) < 0)
            return -1;
        for (size_t i = 0; i < g.n_files; i++)
            if (!strcmp(g.files[i].path, path))
                return expect_error(lineno, "%s is already described on line %d", path,
                                    g.files[i].line);
        e = GV_ARRAY_APPEND(g.files, g.n_files);
        e->path = gv_strdup(path);
        e->line = lineno;
        for (int k = 0; k < COUNT_KIND_LAST; k++)
            e->count[k] = -1;
        *cur = e;
        return 0;
    }
    if (!e)
        return expect_error(lineno, "'%s' before the first 'file'", word);

    if (!strcmp(word, "load")) {
        if (next_token(&p, &bad) || e->load || e->refuse)
            return expect_error(lineno, "usage: load (once, instead of refuse)");
        e->load = true;
    } else if (!strcmp(word, "refuse")) {
        char *code = next_token(&p, &bad), *text = next_token(&p, &bad);
        if (!code || !text || bad || next_token(&p, &bad) || e->load || e->refuse)
            return expect_error(lineno, "usage: refuse <code> \"<text>\" (once, instead of load)");
        if ((e->refuse_code = errcode_from_string(code)) < 0)
            return expect_error(lineno, "unknown error code '%s'", code);
        e->refuse = true;
        e->refuse_text = gv_strdup(text);
    } else if (!strcmp(word, "gpu") || !strcmp(word, "nic") || !strcmp(word, "nvme")) {
        char *pci = next_token(&p, &bad), *numa = next_token(&p, &bad);
        char canon[GV_PCI_ADDR_LEN];
        exp_dev d = {.kind = !strcmp(word, "gpu")   ? GV_DEV_GPU
                             : !strcmp(word, "nic") ? GV_DEV_NIC
                                                    : GV_DEV_NVME};
        long n;
        if (!pci || !numa || next_token(&p, &bad))
            return expect_error(lineno, "usage: %s <pci> <numa|?>", word);
        if (gv_pci_addr_normalize(pci, canon, NULL) < 0 || strcmp(canon, pci))
            return expect_error(lineno, "'%s' is not a canonical PCI address (dddd:bb:dd.f)", pci);
        if (!strcmp(numa, "?"))
            d.numa = GV_NUMA_UNKNOWN;
        else if (parse_long(numa, &n) && n < 65536)
            d.numa = (int)n;
        else
            return expect_error(lineno, "bad NUMA node '%s' (an OS index or ?)", numa);
        for (size_t i = 0; i < e->n_devs; i++)
            if (!strcmp(e->devs[i].pci, pci))
                return expect_error(lineno, "%s is listed twice in %s", pci, e->path);
        snprintf(d.pci, sizeof(d.pci), "%s", pci);
        *GV_ARRAY_APPEND(e->devs, e->n_devs) = d;
    } else if (!strcmp(word, "count")) {
        char *what = next_token(&p, &bad), *num = next_token(&p, &bad);
        int k;
        long n;
        for (k = 0; k < COUNT_KIND_LAST; k++)
            if (what && !strcmp(what, count_names[k]))
                break;
        if (k == COUNT_KIND_LAST || !parse_long(num, &n) || next_token(&p, &bad))
            return expect_error(lineno, "usage: count gpu|nic|nvme|numa|package|pu <n>");
        if (e->count[k] >= 0)
            return expect_error(lineno, "'count %s' given twice", what);
        e->count[k] = n;
    } else if (!strcmp(word, "numa-ids") || !strcmp(word, "numa-memonly")) {
        id_set *s = word[5] == 'i' ? &e->numa_ids : &e->memonly;
        if (s->given || !parse_id_set(&p, s))
            return expect_error(lineno, "usage: %s <id|a-b> ... (once, unique ids)", word);
    } else if (!strcmp(word, "partial")) {
        char *what = next_token(&p, &bad);
        int k;
        for (k = 0; k <= COUNT_NVME; k++)
            if (what && !strcmp(what, count_names[k]))
                break;
        if (k > COUNT_NVME || next_token(&p, &bad))
            return expect_error(lineno, "usage: partial gpu|nic|nvme");
        e->partial[k] = true;
    } else if (!strcmp(word, "cores")) {
        char *what = next_token(&p, &bad);
        if (!what || strcmp(what, "unknown") || next_token(&p, &bad))
            return expect_error(lineno, "usage: cores unknown");
        e->cores_unknown = true;
    } else {
        return expect_error(lineno, "unknown directive '%s'", word);
    }
    return 0;
}

static int
expect_load(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[MAX_LINE];
    exp_file *cur = NULL;
    int lineno = 0;

    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            fclose(f);
            return expect_error(lineno, "line too long");
        }
        if (expect_parse_line(line, lineno, &cur) < 0) {
            fclose(f);
            return -1;
        }
    }
    fclose(f);
    if (expect_finish_block(cur) < 0)
        return -1;
    if (g.n_files == 0)
        return expect_error(lineno, "no 'file' blocks");
    return 0;
}

/* ---- comparison ---------------------------------------------------------------------------- */

/* Mismatches of one file, collected so that the file's line comes first. */
typedef struct report {
    const char *path;
    char *text;
    size_t len;
    FILE *out;
    int n;
} report;

static void
report_open(report *r, const char *path)
{
    memset(r, 0, sizeof(*r));
    r->path = path;
    r->out = open_memstream(&r->text, &r->len);
    if (!r->out)
        gv_oom();
}

static void mismatch(report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
mismatch(report *r, const char *fmt, ...)
{
    va_list ap;

    fprintf(r->out, "    MISMATCH %s: ", r->path);
    va_start(ap, fmt);
    vfprintf(r->out, fmt, ap);
    va_end(ap);
    fputc('\n', r->out);
    r->n++;
}

/* Print "OK path (summary)" or "FAIL path: n mismatch(es)" and the details; free the report. */
static void
report_close(report *r, const char *summary)
{
    fclose(r->out);
    if (r->n == 0)
        printf("OK   %s (%s)\n", r->path, summary);
    else
        printf("FAIL %s: %d mismatch%s\n%s", r->path, r->n, r->n == 1 ? "" : "es", r->text);
    fflush(stdout);
    free(r->text);
}

typedef struct dev_view {
    const char *pci;
    int numa;
    uint16_t vendor_id, device_id;
} dev_view;

static size_t
host_n_devs(const gv_host *h, gv_dev_kind k)
{
    return k == GV_DEV_GPU ? h->n_gpus : k == GV_DEV_NIC ? h->n_nics : h->n_nvme;
}

static dev_view
host_dev(const gv_host *h, gv_dev_kind k, size_t i)
{
    if (k == GV_DEV_GPU)
        return (dev_view){h->gpus[i].pci, h->gpus[i].numa, h->gpus[i].vendor_id,
                          h->gpus[i].device_id};
    if (k == GV_DEV_NIC)
        return (dev_view){h->nics[i].pci, h->nics[i].numa, h->nics[i].vendor_id,
                          h->nics[i].device_id};
    return (dev_view){h->nvme[i].pci, h->nvme[i].numa, h->nvme[i].vendor_id, h->nvme[i].device_id};
}

static int
host_find_dev(const gv_host *h, gv_dev_kind k, const char *pci)
{
    return k == GV_DEV_GPU   ? gv_host_find_gpu(h, pci)
           : k == GV_DEV_NIC ? gv_host_find_nic(h, pci)
                             : gv_host_find_nvme(h, pci);
}

static void
check_devices(const exp_file *e, const gv_host *h, report *r)
{
    char b1[16], b2[16];

    for (size_t i = 0; i < e->n_devs; i++) {
        const exp_dev *d = &e->devs[i];
        const char *kind = gv_dev_kind_to_string(d->kind);
        int idx = host_find_dev(h, d->kind, d->pci);

        if (idx < 0) {
            const char *other = NULL;
            for (gv_dev_kind k = 0; k < GV_DEV_KIND_LAST && !other; k++)
                if (k != d->kind && host_find_dev(h, k, d->pci) >= 0)
                    other = gv_dev_kind_to_string(k);
            if (other)
                mismatch(r, "%s %s: expected a %s (numa %s), got it as a %s", kind, d->pci, kind,
                         numa_str(d->numa, b1), other);
            else
                mismatch(r, "%s %s: expected (numa %s), got no such device", kind, d->pci,
                         numa_str(d->numa, b1));
            continue;
        }
        dev_view v = host_dev(h, d->kind, (size_t)idx);
        if (v.numa != d->numa)
            mismatch(r, "%s %s: numa expected %s, got %s", kind, d->pci, numa_str(d->numa, b1),
                     numa_str(v.numa, b2));
    }

    for (gv_dev_kind k = 0; k < GV_DEV_KIND_LAST; k++) {
        const char *kind = gv_dev_kind_to_string(k);
        size_t n = host_n_devs(h, k), listed = 0;

        for (size_t i = 0; i < e->n_devs; i++)
            listed += e->devs[i].kind == k;
        if (e->count[k] >= 0 && (long)n != e->count[k])
            mismatch(r, "count %s: expected %ld, got %zu", kind, e->count[k], n);
        /* A complete list: name every device it does not know. */
        if ((long)listed != e->count[k])
            continue;
        for (size_t i = 0; i < n; i++) {
            dev_view v = host_dev(h, k, i);
            bool known = false;
            for (size_t j = 0; j < e->n_devs && !known; j++)
                known = e->devs[j].kind == k && !strcmp(e->devs[j].pci, v.pci);
            if (!known)
                mismatch(r, "%s %s: not expected, got one (numa %s, %04x:%04x)", kind, v.pci,
                         numa_str(v.numa, b1), v.vendor_id, v.device_id);
        }
    }
}

static void
check_numa(const exp_file *e, const gv_host *h, report *r)
{
    int *ids = gv_calloc(h->n_numa + 1, sizeof(int));
    int *memonly = gv_calloc(h->n_numa + 1, sizeof(int));
    size_t n_memonly = 0;

    for (size_t i = 0; i < h->n_numa; i++) {
        ids[i] = h->numa[i].id;
        if (h->numa[i].n_cpus == 0)
            memonly[n_memonly++] = h->numa[i].id;
    }
    qsort(ids, h->n_numa, sizeof(int), int_cmp);

    if (e->count[COUNT_NUMA] >= 0 && (long)h->n_numa != e->count[COUNT_NUMA])
        mismatch(r, "count numa: expected %ld, got %zu", e->count[COUNT_NUMA], h->n_numa);
    if (e->numa_ids.given) {
        bool same = e->numa_ids.n == h->n_numa;
        for (size_t i = 0; same && i < h->n_numa; i++)
            same = ids[i] == e->numa_ids.ids[i];
        if (!same) {
            mismatch(r, "numa-ids: see next line");
            fprintf(r->out, "        expected ");
            fprint_ids(r->out, e->numa_ids.ids, e->numa_ids.n);
            fprintf(r->out, ", got ");
            fprint_ids(r->out, ids, h->n_numa);
            fputc('\n', r->out);
        }
    }
    /* Exactly the README's memory-only nodes have no CPUs (none unless it names some). */
    for (size_t i = 0; i < e->memonly.n; i++) {
        int id = e->memonly.ids[i], at = gv_host_find_numa(h, id);
        if (at < 0)
            mismatch(r, "numa %d: expected a memory-only node, got no such node", id);
        else if (h->numa[at].n_cpus != 0 || h->numa[at].n_cores != 0)
            mismatch(r, "numa %d: expected memory-only (no CPUs), got %zu CPUs", id,
                     h->numa[at].n_cpus);
    }
    for (size_t i = 0; i < n_memonly; i++)
        if (!id_set_has(&e->memonly, memonly[i]))
            mismatch(r, "numa %d: expected CPUs, got a node with none", memonly[i]);
    if (e->cores_unknown)
        for (size_t i = 0; i < h->n_numa; i++)
            if (h->numa[i].cores_known)
                mismatch(r, "numa %d: expected cores unknown (format has none), got cores_known",
                         h->numa[i].id);
    free(ids);
    free(memonly);
}

static void
check_host(const exp_file *e, const gv_host *h, report *r)
{
    gv_err err = {0};
    char buf[GV_ERR_WHERE_MAX + GV_ERR_MSG_MAX + 4];

    if (gv_host_check(h, &err) < 0)
        mismatch(r, "gv_host_check: expected 0, got %s", gv_err_format(&err, buf, sizeof(buf)));
    check_devices(e, h, r);
    check_numa(e, h, r);
    if (e->count[COUNT_PACKAGE] >= 0 && (long)h->n_packages != e->count[COUNT_PACKAGE])
        mismatch(r, "count package: expected %ld, got %zu", e->count[COUNT_PACKAGE], h->n_packages);
    if (e->count[COUNT_PU] >= 0 && (long)gv_host_n_cpus(h) != e->count[COUNT_PU])
        mismatch(r, "count pu: expected %ld, got %zu", e->count[COUNT_PU], gv_host_n_cpus(h));
}

static char *
fixture_path(const exp_file *e)
{
    return gv_asprintf("%s/%s", g.root, e->path);
}

/* ---- tests --------------------------------------------------------------------------------- */

/*
 * The work of each test runs in a function of its own and the test fails only after it returned:
 * cmocka fails by longjmp, which would skip the scoped cleanups (and leak under ASan).
 */

/* Load @e's file and compare. Returns the number of mismatches (printed). */
static int
conformance_run(exp_file *e)
{
    GV_AUTOFREE char *path = fixture_path(e);
    GV_AUTOPTR(gv_host) h = NULL;
    gv_err err = {0};
    char buf[GV_ERR_WHERE_MAX + GV_ERR_MSG_MAX + 4], summary[160] = "";
    report r;
    int rc, n;

    report_open(&r, e->path);
    rc = gv_topo_file_load(path, &h, &err);
    gv_err_format(&err, buf, sizeof(buf));

    if (e->load) {
        if (rc < 0) {
            mismatch(&r, "expected to load, got error '%s': %s", gv_errcode_to_string(rc), buf);
        } else if (!h) {
            mismatch(&r, "expected a host, got rc %d and no host", rc);
        } else {
            check_host(e, h, &r);
            snprintf(summary, sizeof(summary), "%zu gpu, %zu nic, %zu nvme, %zu numa, %zu pu",
                     h->n_gpus, h->n_nics, h->n_nvme, h->n_numa, gv_host_n_cpus(h));
        }
    } else {
        if (rc >= 0) {
            mismatch(&r, "expected refusal (%s, \"%s\"), got a host (%zu gpu, %zu nic)",
                     gv_errcode_to_string(e->refuse_code), e->refuse_text, h ? h->n_gpus : 0,
                     h ? h->n_nics : 0);
        } else {
            if (-rc != e->refuse_code)
                mismatch(&r, "refusal code: expected %s, got %s (%s)",
                         gv_errcode_to_string(e->refuse_code), gv_errcode_to_string(rc), buf);
            if (err.code != -rc)
                mismatch(&r, "gv_err code: expected %s as returned, got %s",
                         gv_errcode_to_string(rc), gv_errcode_to_string(err.code));
            if (!strstr(buf, e->refuse_text))
                mismatch(&r, "refusal reason: expected text \"%s\", got \"%s\"", e->refuse_text,
                         buf);
            if (h)
                mismatch(&r, "refusal: expected *ret untouched (NULL), got a host");
        }
        snprintf(summary, sizeof(summary), "refused, %s: %s", gv_errcode_to_string(err.code),
                 err.msg);
    }
    e->result = r.n ? "FAIL" : "OK";
    n = r.n;
    report_close(&r, summary);
    return n;
}

static void
test_conformance(void **state)
{
    exp_file *e = *state;
    int n = conformance_run(e);

    if (n)
        fail_msg("%s: %d mismatch%s (details above)", e->path, n, n == 1 ? "" : "es");
}

/* Index of the first byte where @a and @b differ; prints both lines there. */
static void
print_first_difference(const char *a, const char *b)
{
    size_t i = 0, line = 1, bol = 0;

    while (a[i] && a[i] == b[i]) {
        if (a[i] == '\n') {
            line++;
            bol = i + 1;
        }
        i++;
    }
    printf("    first difference at byte %zu, line %zu:\n", i, line);
    printf("      written:   %.*s\n", (int)strcspn(a + bol, "\n"), a + bol);
    printf("      rewritten: %.*s\n", (int)strcspn(b + bol, "\n"), b + bol);
}

/*
 * Load @e's file as a one-host fleet, write it, parse that, write again: the two texts must be
 * identical. Sets e->rt_result ("OK", "FAIL", or "SKIP" when the file does not load).
 */
static void
roundtrip_run(exp_file *e)
{
    GV_AUTOFREE char *path = fixture_path(e);
    GV_AUTOFREE char *first = NULL;
    GV_AUTOFREE char *second = NULL;
    GV_AUTOPTR(gv_host) h = NULL;
    GV_AUTOPTR(gv_fleet) f = NULL;
    GV_AUTOPTR(gv_fleet) back = NULL;
    gv_err err = {0};
    char buf[GV_ERR_WHERE_MAX + GV_ERR_MSG_MAX + 4];

    e->rt_result = "SKIP";
    if (gv_topo_file_load(path, &h, &err) < 0) {
        printf("SKIP json round trip %s: does not load (see its conformance result)\n", e->path);
        return;
    }
    e->rt_result = "FAIL";
    /* A fleet needs named hosts; loaders leave the name empty when the source has none. */
    if (!h->name[0])
        gv_host_set_str(&h->name, e->path);
    f = gv_fleet_new();
    if (gv_fleet_add_host(f, h, &err) < 0) {
        printf("FAIL json round trip %s: gv_fleet_add_host: %s\n", e->path,
               gv_err_format(&err, buf, sizeof(buf)));
        return;
    }
    h = NULL;
    if (gv_fleet_check(f, &err) < 0) {
        printf("FAIL json round trip %s: gv_fleet_check of the one-host fleet: %s\n", e->path,
               gv_err_format(&err, buf, sizeof(buf)));
        return;
    }
    first = gv_fleet_to_json(f);
    if (gv_fleet_from_json(first, strlen(first), e->path, &back, &err) < 0) {
        printf("FAIL json round trip %s: our own output does not parse back: %s\n", e->path,
               gv_err_format(&err, buf, sizeof(buf)));
        return;
    }
    if (gv_fleet_check(back, &err) < 0) {
        printf("FAIL json round trip %s: gv_fleet_check after parsing: %s\n", e->path,
               gv_err_format(&err, buf, sizeof(buf)));
        return;
    }
    second = gv_fleet_to_json(back);
    if (strcmp(first, second)) {
        printf("FAIL json round trip %s: JSON -> fleet -> JSON is not byte-identical (%zu bytes "
               "written, %zu rewritten)\n",
               e->path, strlen(first), strlen(second));
        print_first_difference(first, second);
        return;
    }
    printf("OK   json round trip %s (%zu bytes)\n", e->path, strlen(first));
    e->rt_result = "OK";
}

static void
test_json_roundtrip(void **state)
{
    exp_file *e = *state;

    roundtrip_run(e);
    fflush(stdout);
    if (!strcmp(e->rt_result, "SKIP"))
        skip();
    if (strcmp(e->rt_result, "OK"))
        fail_msg("%s: JSON round trip failed (details above)", e->path);
}

/* Every fixture has an expectation, and every expectation a fixture. */
static void
test_coverage(void **state)
{
    int bad = 0;
    (void)state;

    g.coverage_result = "FAIL";
    for (size_t i = 0; i < g.n_files; i++) {
        GV_AUTOFREE char *path = fixture_path(&g.files[i]);
        struct stat st;
        if (stat(path, &st) != 0) {
            printf("FAIL coverage: topologies.expect:%d names %s, which does not exist\n",
                   g.files[i].line, g.files[i].path);
            bad++;
        }
    }

    DIR *top = opendir(g.root);
    assert_non_null(top);
    for (struct dirent *de; (de = readdir(top));) {
        bool known = de->d_name[0] == '.' || !strcmp(de->d_name, "README.md");
        for (size_t i = 0; i < GV_N_ELEMENTS(fixture_dirs) && !known; i++)
            known = !strcmp(de->d_name, fixture_dirs[i]);
        if (!known) {
            printf("FAIL coverage: topologies/%s is a new fixture folder; add it to "
                   "fixture_dirs and describe its files in topologies.expect\n",
                   de->d_name);
            bad++;
        }
    }
    closedir(top);

    for (size_t d = 0; d < GV_N_ELEMENTS(fixture_dirs); d++) {
        GV_AUTOFREE char *dir = gv_asprintf("%s/%s", g.root, fixture_dirs[d]);
        DIR *dh = opendir(dir);
        if (!dh) {
            printf("FAIL coverage: %s: %s\n", dir, strerror(errno));
            bad++;
            continue;
        }
        for (struct dirent *de; (de = readdir(dh));) {
            if (de->d_name[0] == '.')
                continue;
            GV_AUTOFREE char *rel = gv_asprintf("%s/%s", fixture_dirs[d], de->d_name);
            bool found = false;
            for (size_t i = 0; i < g.n_files && !found; i++)
                found = !strcmp(g.files[i].path, rel);
            if (!found) {
                printf("FAIL coverage: fixture %s has no expectation in topologies.expect\n", rel);
                bad++;
            }
        }
        closedir(dh);
    }
    if (bad)
        fail_msg("%d fixture(s) and expectation(s) do not match up (details above)", bad);
    printf("OK   coverage: %zu fixtures, each with an expectation\n", g.n_files);
    g.coverage_result = "OK";
}

static void
print_table(void)
{
    int ok = 0, failed = 0;

    printf("\n%-58s %-12s %s\n", "file", "conformance", "json round trip");
    for (size_t i = 0; i < g.n_files; i++) {
        const exp_file *e = &g.files[i];
        const char *res = e->result ? e->result : "NOT RUN";
        printf("%-58s %-12s %s\n", e->path, res,
               e->load ? (e->rt_result ? e->rt_result : "NOT RUN") : "-");
        if (!strcmp(res, "OK"))
            ok++;
        else
            failed++;
    }
    printf("coverage: %s\n", g.coverage_result ? g.coverage_result : "NOT RUN");
    printf("%d files conform, %d do not\n", ok, failed);
}

int
main(void)
{
    GV_AUTOFREE struct CMUnitTest *tests = NULL;
    size_t n_tests = 0;
    int failed;

    g.root = gv_test_shared_dir(TEST_NAME, "topologies");
    g.expect_path = gv_test_src("tests/shared/topologies.expect");
    if (expect_load(g.expect_path) < 0)
        return 1;

    *GV_ARRAY_APPEND(tests, n_tests) = (struct CMUnitTest){
        .name = "coverage",
        .test_func = test_coverage,
    };
    for (size_t i = 0; i < g.n_files; i++) {
        exp_file *e = &g.files[i];
        e->test_name = gv_asprintf("conformance %s", e->path);
        *GV_ARRAY_APPEND(tests, n_tests) = (struct CMUnitTest){
            .name = e->test_name,
            .test_func = test_conformance,
            .initial_state = e,
        };
    }
    for (size_t i = 0; i < g.n_files; i++) {
        exp_file *e = &g.files[i];
        if (!e->load)
            continue;
        e->rt_test_name = gv_asprintf("json round trip %s", e->path);
        *GV_ARRAY_APPEND(tests, n_tests) = (struct CMUnitTest){
            .name = e->rt_test_name,
            .test_func = test_json_roundtrip,
            .initial_state = e,
        };
    }

    failed = _cmocka_run_group_tests(TEST_NAME, tests, n_tests, NULL, NULL);
    print_table();

    for (size_t i = 0; i < g.n_files; i++) {
        exp_file *e = &g.files[i];
        free(e->path);
        free(e->refuse_text);
        free(e->devs);
        free(e->numa_ids.ids);
        free(e->memonly.ids);
        free(e->test_name);
        free(e->rt_test_name);
    }
    free(g.files);
    free(g.root);
    free(g.expect_path);
    return failed ? 1 : 0;
}
