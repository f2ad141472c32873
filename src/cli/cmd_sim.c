/*
 * cmd_sim.c - `gpuvm sim openb`: replay Alibaba's GPU trace through the placement engine, one
 * run per policy and seed, on both cores, and write the per-run curves and a summary.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "core/place/request_parse.h"
#include "gpuvm/sim.h"
#include "sim_mig_report.h"
#include "sim_moments.h"
#include "sim_plot.h"
#include "util/file.h"

#ifndef GV_DATADIR
#define GV_DATADIR "data"
#endif

#define MAX_SEEDS 1000
#define MAX_JOBS 64

/* The engine's own policy and the study's baselines, each a scorer of the same engine. */
static const char *const policies[] = {"random",  "dotprod", "gpu-clustering", "gpu-packing",
                                       "bestfit", "fgd",     "gpuvm"};

static void
usage(FILE *f)
{
    fprintf(
        f, "usage: gpuvm sim openb --nodes NODES.csv --pods PODS.csv --out DIR\n"
           "                       [--policy P[,P...]] [--seeds A-B] [--jobs N] [--expected DIR]\n"
           "       gpuvm sim --fleet F.yaml --requests R.jsonl [--policy P] [--compare] ...\n"
           "\n"
           "The second form replays your own fleet and timed request stream (a what-if, one\n"
           "run or two compared); 'gpuvm sim --fleet F --help' describes it. The first:\n"
           "\n"
           "Replay Alibaba's GPU trace (cluster-trace-gpu-v2023) as the FGD study (USENIX ATC'23)\n"
           "did: pods shuffled by seed, inflated to 130%% of GPU capacity, placed online through\n"
           "the placement engine, what does not fit dropped.\n"
           "\n"
           "  --nodes FILE      the node list (openb_node_list_gpu_node.csv)\n"
           "  --pods FILE       a pod list (openb_pod_list_default.csv, ...)\n"
           "  --out DIR         where summary.csv and one CSV per run go (created)\n"
           "  --policy LIST     placement policies, comma-separated (default gpuvm)\n"
           "  --seeds A-B       seeds A..B, or one seed (default 42-51)\n"
           "  --jobs N          runs at once (default: the CPUs online)\n"
           "  --departures      replay with the trace's own times instead: a pod arrives at its\n"
           "                    creation and leaves at its deletion (no shuffle, no inflation);\n"
           "                    DIR/TRACE-departures-POLICY-SEED.csv has a row per arrival:\n"
           "                    allocation, fragmentation, running, placed and rejected pods\n"
           "  --rate R          with --departures: arrivals R times as fast (creation / R), each\n"
           "                    pod staying as long as traced: R times the load (default 1)\n"
           "  --mig             replay on an H100 fleet in MIG mode instead, three ways per seed:\n"
           "                    static (mig-parted's all-balanced layout on every GPU, fixed),\n"
           "                    first-free (instances created at the first free slot) and gpuvm\n"
           "                    (from the balanced layout, re-partitioning idle GPUs); a pod\n"
           "                    takes the smallest profile covering it, whole GPUs a 7g.80gb;\n"
           "                    DIR/mig-summary.csv and DIR/TRACE-mig-STRATEGY-SEED.csv\n"
           "  --expected DIR    the study's cached results (analysis_allo_discrete.csv), printed\n"
           "                    beside ours (default: fgd-expected-results in the shared data\n"
           "                    folder, when it is there)\n"
           "\n"
           "DIR/TRACE-curves.csv: the curves over seeds, per policy; DIR/TRACE-plots.gp draws\n"
           "them (the study's Fig. 9(a) and 7) as PNG and SVG when gnuplot is installed.\n"
           "DIR/summary.csv: trace,policy,seed,unalloc_100,unalloc_130 (unallocated GPU %% when\n"
           "100%% and 130%% of the capacity has arrived). DIR/TRACE-POLICY-SEED.csv: per arrived\n"
           "%%: allocated and unallocated GPU %%, fragmentation amount (%% of capacity) and ratio\n"
           "(%% of idle GPU) for the trace's target workload.\n"
           "\n"
           "Exit status: 0 done, 2 bad usage or input (a malformed trace line is named as\n"
           "file:line).\n");
}

typedef struct job {
    const gv_trace_nodes *nodes;
    const gv_trace_pods *pods;
    const gv_catalog *cat;
    const char *policy;
    uint64_t seed;
    gv_place_config cfg;
    bool departures; /* replay with the trace's times (gv_sim_openb_departures) */
    double rate;     /* ... arrivals this many times as fast */
    bool mig;        /* the MIG replay (gv_sim_openb_mig) with @strategy */
    gv_sim_mig_strategy strategy;
    gv_sim_run run;
    gv_sim_mig_run mig_run;
    gv_sim_timeline tl;
    gv_err err;
    int rc;
    double seconds;
} job;

typedef struct pool {
    job *jobs;
    size_t n, next, done;
    pthread_mutex_t lock;
    bool progress;
} pool;

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *
worker(void *arg)
{
    pool *p = arg;

    for (;;) {
        job *j;
        gv_sim_openb_opts o;
        double t0;

        pthread_mutex_lock(&p->lock);
        j = p->next < p->n ? &p->jobs[p->next++] : NULL;
        pthread_mutex_unlock(&p->lock);
        if (!j)
            return NULL;
        gv_place_config_init(&j->cfg);
        j->cfg.policy = (gv_place_policy)gv_place_policy_from_string(j->policy);
        j->cfg.policy_seed = j->seed;
        o = (gv_sim_openb_opts){.seed = j->seed, .inflate = 1.3, .cfg = &j->cfg, .rate = j->rate};
        t0 = now_s();
        if (j->mig)
            j->rc =
                gv_sim_openb_mig(j->nodes, j->pods, j->cat, &o, j->strategy, &j->mig_run, &j->err);
        else if (j->departures)
            j->rc = gv_sim_openb_departures(j->nodes, j->pods, j->cat, &o, &j->tl, &j->err);
        else
            j->rc = gv_sim_openb_run(j->nodes, j->pods, j->cat, &o, &j->run, &j->err);
        j->seconds = now_s() - t0;
        pthread_mutex_lock(&p->lock);
        p->done++;
        if (p->progress) {
            int w = 40, fill = (int)(w * p->done / p->n);

            fprintf(stderr, "\r[%.*s%*s] %zu/%zu runs", fill,
                    "########################################", w - fill, "", p->done, p->n);
            if (p->done == p->n)
                fprintf(stderr, "\n");
        }
        pthread_mutex_unlock(&p->lock);
    }
}

/* "openb_pod_list_default.csv" -> "default"; anything else: the file name without .csv, with
 * every character but letters, digits, '.', '_' and '-' made '_' (it names output files and
 * goes into a gnuplot script). */
static void
trace_name(const char *path, char *ret, size_t n)
{
    const char *b = strrchr(path, '/');
    size_t len;

    b = b ? b + 1 : path;
    if (!strncmp(b, "openb_pod_list_", 15))
        b += 15;
    len = strlen(b);
    if (len > 4 && !strcmp(b + len - 4, ".csv"))
        len -= 4;
    snprintf(ret, n, "%.*s", (int)len, b);
    for (char *c = ret; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '.' || *c == '_' || *c == '-'))
            *c = '_';
}

static int
parse_seeds(const char *s, uint64_t *lo, uint64_t *hi)
{
    char *end;
    unsigned long long a, b;

    errno = 0;
    a = strtoull(s, &end, 10);
    if (end == s || errno)
        return -1;
    b = a;
    if (*end == '-') {
        const char *t = end + 1;

        b = strtoull(t, &end, 10);
        if (end == t || errno)
            return -1;
    }
    if (*end || b < a || b - a >= MAX_SEEDS)
        return -1;
    *lo = a;
    *hi = b;
    return 0;
}

static int
check_policies(const char *list, char names[][32], size_t *n)
{
    char buf[256];
    char *save = NULL;

    snprintf(buf, sizeof(buf), "%s", list);
    *n = 0;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        size_t i;

        for (i = 0; i < GV_N_ELEMENTS(policies) && strcmp(t, policies[i]); i++)
            ;
        if (i == GV_N_ELEMENTS(policies) || *n == 8) {
            char valid[160];

            gv_req_join_names(policies, (int)GV_N_ELEMENTS(policies), valid, sizeof(valid));
            return gv_cli_usage_error("sim", "'%s' is not a policy (valid: %s)", t, valid);
        }
        snprintf(names[(*n)++], 32, "%s", t);
    }
    return *n ? 0 : gv_cli_usage_error("sim", "--policy: no policy given");
}

/* The study's published runs (the authors' cached results, analysis_allo_discrete.csv): mean
 * and sd over seeds of unallocated GPU % at 100% and 130% arrived, for one trace and policy. */
typedef struct published {
    bool have;
    double mean[2], sd[2];
    int n;
} published;

static const char *const study_policy[][2] = {
    {"random", "01-Random"},
    {"dotprod", "02-DotProd"},
    {"gpu-clustering", "03-GpuClustering"},
    {"gpu-packing", "04-GpuPacking"},
    {"bestfit", "05-BestFit"},
    {"fgd", "06-FGD"},
};

static published
published_of(const char *dir, const char *trace, const char *policy)
{
    char path[4096], want_w[160];
    const char *want_p = NULL;
    GV_AUTOFREE char *text = NULL;
    size_t len;
    gv_err err = {0};
    gv_moments u[2] = {{0}};
    published r = {0};

    for (size_t i = 0; i < GV_N_ELEMENTS(study_policy); i++)
        if (!strcmp(study_policy[i][0], policy))
            want_p = study_policy[i][1];
    if (!dir || !want_p)
        return r;
    snprintf(path, sizeof(path), "%s/analysis_allo_discrete.csv", dir);
    snprintf(want_w, sizeof(want_w), "openb_pod_list_%s", trace);
    if (gv_file_read(path, GV_FILE_MAX_BYTES, &text, &len, &err) < 0)
        return r;
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char *f[140], *s2save = NULL;
        int n = 0;

        for (char *t = strtok_r(line, ",", &s2save); t && n < 140; t = strtok_r(NULL, ",", &s2save))
            f[n++] = t;
        /* workload,sc_policy,tune,seed,total_gpus,0..130 */
        if (n != 136 || strcmp(f[0], want_w) || strcmp(f[1], want_p))
            continue;
        for (int m = 0; m < 2; m++)
            gv_moments_add(&u[m], 100.0 - strtod(f[5 + (m ? 130 : 100)], NULL));
        r.n++;
    }
    if (r.n < 2)
        return r;
    r.have = true;
    for (int m = 0; m < 2; m++) {
        r.mean[m] = gv_moments_mean(&u[m]);
        r.sd[m] = gv_moments_sd(&u[m]);
    }
    return r;
}

/* DIR/TRACE-KIND-POLICY-SEED.csv of run @j (KIND "" for the study's replay), its path in
 * @path (@n bytes), opened for writing, or NULL after saying why on stderr. */
static FILE *
run_csv_open(const char *dir, const char *trace, const char *kind, const job *j, char *path,
             size_t n)
{
    snprintf(path, n, "%s/%s-%s%s-%llu.csv", dir, trace, kind, j->policy,
             (unsigned long long)j->seed);
    return gv_cli_create(path);
}

static int
write_run(const char *dir, const char *trace, const job *j)
{
    char path[4096];
    FILE *f;

    if (!(f = run_csv_open(dir, trace, "", j, path, sizeof(path))))
        return -1;
    fprintf(f, "arrived_pct,alloc_pct,unalloc_pct,frag_amount_pct,frag_ratio_pct\n");
    for (int x = 0; x <= GV_SIM_MAX_PCT; x++) {
        if (!j->run.bins[x].n)
            continue;
        fprintf(f, "%d,%.4f,%.4f,%.4f,%.4f\n", x, gv_sim_run_at(&j->run, x, GV_SIM_ALLOC),
                gv_sim_run_at(&j->run, x, GV_SIM_UNALLOC),
                gv_sim_run_at(&j->run, x, GV_SIM_FRAG_AMOUNT),
                gv_sim_run_at(&j->run, x, GV_SIM_FRAG_RATIO));
    }
    return gv_cli_close(f, path);
}

/* --departures: one CSV per run (a row per arrival) and a table of means over seeds. */
static int
report_departures(const char *dir, const char *trace, const job *jobs, size_t n_jobs,
                  size_t n_policies)
{
    int status = GV_EXIT_OK;

    printf("%-11s %-14s %4s %9s %9s %12s %12s %12s %8s %7s\n", "trace", "policy", "runs", "placed",
           "rejected", "alloc mean %", "alloc peak %", "frag ratio %", "running", "s/run");
    for (size_t i = 0; i < n_jobs; i++) {
        const job *j = &jobs[i];
        char path[4096];
        FILE *f;

        if (!(f = run_csv_open(dir, trace, "departures-", j, path, sizeof(path)))) {
            status = GV_EXIT_INPUT;
            continue;
        }
        fprintf(f, "time,alloc_pct,frag_amount_pct,frag_ratio_pct,active,placed,rejected\n");
        for (size_t k = 0; k < j->tl.n; k++) {
            const gv_sim_point *pt = &j->tl.v[k];

            fprintf(f, "%lld,%.4f,%.4f,%.4f,%zu,%zu,%zu\n", (long long)pt->time, pt->alloc_pct,
                    pt->frag_amount_pct, pt->frag_ratio_pct, pt->active, pt->placed, pt->rejected);
        }
        if (gv_cli_close(f, path) < 0)
            status = GV_EXIT_INPUT;
    }
    for (size_t k = 0; k < n_policies; k++) {
        double placed = 0, rejected = 0, alloc = 0, ratio = 0, secs = 0, peak = 0;
        size_t n = 0, running = 0;

        for (size_t i = k; i < n_jobs; i += n_policies) {
            const gv_sim_timeline *t = &jobs[i].tl;
            double a = 0, fr = 0;

            for (size_t m = 0; m < t->n; m++) {
                a += t->v[m].alloc_pct;
                fr += t->v[m].frag_ratio_pct;
                peak = t->v[m].alloc_pct > peak ? t->v[m].alloc_pct : peak;
                running = t->v[m].active > running ? t->v[m].active : running;
            }
            placed += (double)t->n_placed;
            rejected += (double)t->n_rejected;
            alloc += t->n ? a / (double)t->n : 0;
            ratio += t->n ? fr / (double)t->n : 0;
            secs += jobs[i].seconds;
            n++;
        }
        printf("%-11s %-14s %4zu %9.1f %9.1f %12.2f %12.2f %12.2f %8zu %7.3f\n", trace,
               jobs[k].policy, n, placed / (double)n, rejected / (double)n, alloc / (double)n, peak,
               ratio / (double)n, running, secs / (double)n);
    }
    return status;
}

/* --mig: the runs side by side for sim_mig_report.c. */
static int
report_mig(const char *dir, const char *trace, const job *jobs, size_t n_jobs, size_t n_strategies)
{
    GV_AUTOFREE gv_sim_mig_run *runs = gv_calloc(n_jobs, sizeof(*runs));
    GV_AUTOFREE double *secs = gv_calloc(n_jobs, sizeof(*secs));

    for (size_t i = 0; i < n_jobs; i++) {
        runs[i] = jobs[i].mig_run;
        secs[i] = jobs[i].seconds;
    }
    return gv_sim_mig_report(dir, trace, runs, secs, n_strategies, n_jobs / n_strategies) < 0
               ? GV_EXIT_INPUT
               : GV_EXIT_OK;
}

static int
load_trace(const char *nodes_path, const char *pods_path, gv_trace_nodes *nodes,
           gv_trace_pods *pods)
{
    GV_AUTOFREE char *a = NULL;
    GV_AUTOFREE char *b = NULL;
    size_t la, lb;
    gv_err err = {0};

    if (gv_file_read(nodes_path, GV_FILE_MAX_BYTES, &a, &la, &err) < 0 ||
        gv_trace_nodes_parse(a, la, nodes_path, nodes, &err) < 0 ||
        gv_file_read(pods_path, GV_FILE_MAX_BYTES, &b, &lb, &err) < 0 ||
        gv_trace_pods_parse(b, lb, pods_path, pods, &err) < 0 ||
        gv_trace_check(nodes, pods, pods_path, &err) < 0)
        return gv_cli_report(&err);
    return GV_EXIT_OK;
}

int
gv_cmd_sim(int argc, char **argv)
{
    enum {
        OPT_DEPARTURES = 100,
        OPT_RATE,
        OPT_MIG,
        OPT_NODES = 1,
        OPT_PODS,
        OPT_OUT,
        OPT_POLICY,
        OPT_SEEDS,
        OPT_JOBS,
        OPT_EXPECTED
    };
    static const struct option opts[] = {
        {"nodes", required_argument, NULL, OPT_NODES},
        {"pods", required_argument, NULL, OPT_PODS},
        {"out", required_argument, NULL, OPT_OUT},
        {"policy", required_argument, NULL, OPT_POLICY},
        {"seeds", required_argument, NULL, OPT_SEEDS},
        {"jobs", required_argument, NULL, OPT_JOBS},
        {"expected", required_argument, NULL, OPT_EXPECTED},
        {"departures", no_argument, NULL, OPT_DEPARTURES},
        {"rate", required_argument, NULL, OPT_RATE},
        {"mig", no_argument, NULL, OPT_MIG},
        GV_CLI_COMMON_OPTIONS,
        {0},
    };
    const char *nodes_path = NULL, *pods_path = NULL, *out = NULL, *policy_list = NULL;
    const char *expected_arg = NULL, *expected = NULL;
    bool departures = false, mig = false;
    double rate = 1;
    char expected_buf[4096];
    struct stat st;
    char policy[8][32], trace[128], path[4096];
    published pub[8];
    bool with_study = false;
    size_t n_policies = 0, n_jobs = 0;
    uint64_t lo = 42, hi = 51;
    long jobs_max = sysconf(_SC_NPROCESSORS_ONLN);
    gv_cli_common co = {0};
    GV_AUTOPTR(gv_catalog) cat = NULL;
    gv_trace_nodes nodes = {0};
    gv_trace_pods pods = {0};
    GV_AUTOFREE job *jobs = NULL;
    GV_AUTOFREE pthread_t *threads = NULL;
    pool p = {0};
    FILE *sum;
    int c, r, status = GV_EXIT_OK;
    double t0;

    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? GV_EXIT_INPUT : GV_EXIT_OK;
    }
    if (argv[1][0] == '-' && argv[1][1] == '-')
        return gv_cmd_sim_whatif(argc, argv); /* gpuvm sim --fleet F --requests R.jsonl */
    if (strcmp(argv[1], "openb"))
        return gv_cli_usage_error("sim", "'%s' is not a sim command (openb)", argv[1]);
    optind = 1;
    opterr = 0;
    argc--;
    argv++;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_NODES:
            nodes_path = optarg;
            break;
        case OPT_PODS:
            pods_path = optarg;
            break;
        case OPT_OUT:
            out = optarg;
            break;
        case OPT_POLICY:
            policy_list = optarg;
            break;
        case OPT_SEEDS:
            if (parse_seeds(optarg, &lo, &hi) < 0)
                return gv_cli_usage_error("sim", "--seeds: '%s' is not A-B or A (at most %d)",
                                          optarg, MAX_SEEDS);
            break;
        case OPT_EXPECTED:
            expected_arg = optarg;
            break;
        case OPT_DEPARTURES:
            departures = true;
            break;
        case OPT_MIG:
            mig = true;
            break;
        case OPT_RATE: {
            char *end;

            rate = strtod(optarg, &end);
            if (end == optarg || *end || !(rate >= 1 && rate <= 1e6))
                return gv_cli_usage_error("sim", "--rate: '%s' is not a number in 1..1000000",
                                          optarg);
            break;
        }
        case OPT_JOBS:
            jobs_max = strtol(optarg, NULL, 10);
            if (jobs_max < 1 || jobs_max > MAX_JOBS)
                return gv_cli_usage_error("sim", "--jobs: '%s' is not in 1..%d", optarg, MAX_JOBS);
            break;
        default:
            if ((r = gv_cli_common_opt(c, "sim", argv, usage, &co)) >= 0)
                return r;
        }
    }
    if (optind < argc)
        return gv_cli_usage_error("sim", "unexpected argument '%s'", argv[optind]);
    if (!nodes_path || !pods_path || !out)
        return gv_cli_usage_error("sim", "--nodes, --pods and --out are required");
    if (rate != 1 && !departures)
        return gv_cli_usage_error("sim", "--rate needs --departures");
    if (mig && (departures || policy_list))
        return gv_cli_usage_error("sim", "--mig runs its own three strategies: no --%s with it",
                                  departures ? "departures" : "policy");
    if (mig) {
        for (int k = 0; k < GV_SIM_MIG_LAST; k++)
            snprintf(policy[n_policies++], 32, "%s",
                     gv_sim_mig_strategy_to_string((gv_sim_mig_strategy)k));
    } else if ((r = check_policies(policy_list ? policy_list : "gpuvm", policy, &n_policies)) !=
               0) {
        return r;
    }
    if ((r = gv_cli_load_catalog(co.catalog_file, &cat)) != GV_EXIT_OK)
        return r;
    if ((r = load_trace(nodes_path, pods_path, &nodes, &pods)) != GV_EXIT_OK)
        goto done_input;
    if (gv_mkdir_p(out) < 0) {
        fprintf(stderr, "gpuvm: %s: %s\n", out, strerror(errno));
        r = GV_EXIT_INPUT;
        goto done_input;
    }
    trace_name(pods_path, trace, sizeof(trace));
    /* the study's runs: --expected, else the shared data folder's copy when it is there */
    if (expected_arg) {
        expected = expected_arg;
    } else {
        const char *sh = getenv("GV_SHARED_DATA");

        snprintf(expected_buf, sizeof(expected_buf), "%s/fgd-expected-results",
                 sh && *sh ? sh : GV_DATADIR "/../../shared/data");
        if (stat(expected_buf, &st) == 0 && S_ISDIR(st.st_mode))
            expected = expected_buf;
    }
    n_jobs = n_policies * (size_t)(hi - lo + 1);
    jobs = gv_calloc(n_jobs, sizeof(job));
    for (size_t i = 0; i < n_jobs; i++)
        jobs[i] = (job){.nodes = &nodes,
                        .pods = &pods,
                        .cat = cat,
                        .policy = policy[i % n_policies],
                        .seed = lo + i / n_policies,
                        .departures = departures,
                        .rate = rate,
                        .mig = mig,
                        .strategy = (gv_sim_mig_strategy)(i % n_policies)};
    if (jobs_max > (long)n_jobs)
        jobs_max = (long)n_jobs;
    p = (pool){.jobs = jobs, .n = n_jobs, .progress = isatty(STDERR_FILENO)};
    pthread_mutex_init(&p.lock, NULL);
    threads = gv_calloc((size_t)jobs_max, sizeof(pthread_t));
    t0 = now_s();
    for (long t = 0; t < jobs_max; t++)
        pthread_create(&threads[t], NULL, worker, &p);
    for (long t = 0; t < jobs_max; t++)
        pthread_join(threads[t], NULL);
    pthread_mutex_destroy(&p.lock);
    for (size_t i = 0; i < n_jobs; i++)
        if (jobs[i].rc < 0) {
            r = gv_cli_report(&jobs[i].err);
            goto done_input;
        }
    if (mig) {
        r = report_mig(out, trace, jobs, n_jobs, n_policies);
        printf("%zu runs in %.2f s on %ld threads; per-run curves and mig-summary.csv in %s\n",
               n_jobs, now_s() - t0, jobs_max, out);
        goto done_input;
    }
    if (departures) {
        r = report_departures(out, trace, jobs, n_jobs, n_policies);
        printf("%zu runs in %.2f s on %ld threads; per-run timelines in %s\n", n_jobs, now_s() - t0,
               jobs_max, out);
        goto done_input;
    }
    snprintf(path, sizeof(path), "%s/summary.csv", out);
    if (!(sum = gv_cli_create(path))) {
        r = GV_EXIT_INPUT;
        goto done_input;
    }
    fprintf(sum, "trace,policy,seed,unalloc_100,unalloc_130\n");
    for (size_t i = 0; i < n_jobs; i++) {
        fprintf(sum, "%s,%s,%llu,%.4f,%.4f\n", trace, jobs[i].policy,
                (unsigned long long)jobs[i].seed, gv_sim_run_at(&jobs[i].run, 100, GV_SIM_UNALLOC),
                gv_sim_run_at(&jobs[i].run, GV_SIM_MAX_PCT, GV_SIM_UNALLOC));
        if (write_run(out, trace, &jobs[i]) < 0)
            status = GV_EXIT_INPUT;
    }
    if (gv_cli_close(sum, path) < 0)
        status = GV_EXIT_INPUT;
    {
        /* the figures: runs policy by policy */
        size_t n_seeds = n_jobs / n_policies;
        GV_AUTOFREE const gv_sim_run **runs = gv_calloc(n_jobs, sizeof(*runs));
        const char *names[8];

        for (size_t k = 0; k < n_policies; k++) {
            names[k] = policy[k];
            for (size_t s = 0; s < n_seeds; s++)
                runs[k * n_seeds + s] = &jobs[s * n_policies + k].run;
        }
        if (gv_sim_plot(out, trace, names, n_policies, runs, n_seeds) < 0)
            status = GV_EXIT_INPUT;
    }
    /* mean and sd over seeds, per policy, beside the study's published runs; a trace the study
     * did not run (cpu0, gpushare20, ...) gets our columns alone */
    for (size_t k = 0; k < n_policies; k++) {
        pub[k] = published_of(expected, trace, policy[k]);
        with_study |= pub[k].have;
    }
    printf("%-11s %-14s %4s %15s %15s", "trace", "policy", "runs", "unalloc@100 %",
           "unalloc@130 %");
    if (with_study)
        printf(" %15s %15s %7s", "study @100", "study @130", "diff");
    printf(" %s\n", "s/run");
    for (size_t k = 0; k < n_policies; k++) {
        gv_moments u[2] = {{0}};
        double secs = 0;

        for (size_t i = k; i < n_jobs; i += n_policies) {
            gv_moments_add(&u[0], gv_sim_run_at(&jobs[i].run, 100, GV_SIM_UNALLOC));
            gv_moments_add(&u[1], gv_sim_run_at(&jobs[i].run, GV_SIM_MAX_PCT, GV_SIM_UNALLOC));
            secs += jobs[i].seconds;
        }
        double mean100 = gv_moments_mean(&u[0]);

        printf("%-11s %-14s %4zu", trace, policy[k], u[0].n);
        for (int m = 0; m < 2; m++)
            printf("  %6.2f (%5.2f)", gv_moments_mean(&u[m]), gv_moments_sd(&u[m]));
        if (pub[k].have) {
            double d = mean100 - pub[k].mean[0], tol = fmax(0.5, 3 * pub[k].sd[0]);

            printf("  %6.2f (%5.2f)  %6.2f (%5.2f) %+7.2f %s", pub[k].mean[0], pub[k].sd[0],
                   pub[k].mean[1], pub[k].sd[1], d, fabs(d) <= tol ? "within" : "OFF");
        } else if (with_study) {
            printf("  %15s  %15s %7s", "-", "-", "-");
        }
        printf(" %.3f\n", secs / (double)u[0].n);
    }
    if (with_study)
        printf("study: the authors' runs in %s; 'within': |diff| <= max(0.5, 3 sd of the study)\n",
               expected);
    printf("%zu runs in %.2f s on %ld threads; per-run curves and summary.csv in %s\n", n_jobs,
           now_s() - t0, jobs_max, out);
    r = status;
done_input:
    for (size_t i = 0; jobs && i < n_jobs; i++)
        gv_sim_timeline_clear(&jobs[i].tl);
    gv_trace_nodes_clear(&nodes);
    gv_trace_pods_clear(&pods);
    return r;
}
