/*
 * sim_mig_report.c - the MIG replay's files and table (sim_mig_report.h).
 */
#include <math.h>
#include <stdio.h>

#include "cli.h"
#include "sim_mig_report.h"
#include "sim_moments.h"

/* The figures of one run at arrived @x %; false when no arrival is near @x. */
typedef struct mig_point {
    double unalloc, rounding;
    size_t dropped, dropped_whole;
} mig_point;

static bool
point_at(const gv_sim_mig_run *r, int x, mig_point *p)
{
    return gv_sim_mig_at(r, x, &p->unalloc, &p->rounding, &p->dropped, &p->dropped_whole);
}

static int
write_run(const char *dir, const char *trace, const gv_sim_mig_run *r)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s-mig-%s-%llu.csv", dir, trace,
             gv_sim_mig_strategy_to_string(r->strategy), (unsigned long long)r->seed);
    if (!(f = gv_cli_create(path)))
        return -1;
    fprintf(f, "arrived_pct,alloc_pct,unalloc_pct,rounding_pct,dropped,dropped_whole\n");
    for (int x = 0; x <= GV_SIM_MAX_PCT; x++) {
        mig_point p;

        if (r->bins[x].n && point_at(r, x, &p))
            fprintf(f, "%d,%.4f,%.4f,%.4f,%zu,%zu\n", x, 100.0 - p.unalloc, p.unalloc, p.rounding,
                    p.dropped, p.dropped_whole);
    }
    return gv_cli_close(f, path);
}

int
gv_sim_mig_report(const char *dir, const char *trace, const gv_sim_mig_run *runs,
                  const double *secs, size_t n_strategies, size_t n_seeds)
{
    char path[4096];
    FILE *sum;
    int rc = 0;

    snprintf(path, sizeof(path), "%s/mig-summary.csv", dir);
    if (!(sum = gv_cli_create(path)))
        return -1;
    fprintf(sum, "trace,strategy,seed,unalloc_100,rounding_100,dropped_100,dropped_whole_100,"
                 "unalloc_130,rounding_130,dropped_130,dropped_whole_130,repartitioned\n");
    for (size_t i = 0; i < n_strategies * n_seeds; i++) {
        const gv_sim_mig_run *r = &runs[i];
        mig_point p[2] = {{NAN, NAN, 0, 0}, {NAN, NAN, 0, 0}};

        point_at(r, 100, &p[0]);
        point_at(r, GV_SIM_MAX_PCT, &p[1]);
        fprintf(sum, "%s,%s,%llu", trace, gv_sim_mig_strategy_to_string(r->strategy),
                (unsigned long long)r->seed);
        for (int m = 0; m < 2; m++)
            fprintf(sum, ",%.4f,%.4f,%zu,%zu", p[m].unalloc, p[m].rounding, p[m].dropped,
                    p[m].dropped_whole);
        fprintf(sum, ",%zu\n", r->n_repartitioned);
        if (write_run(dir, trace, r) < 0)
            rc = -1;
    }
    if (gv_cli_close(sum, path) < 0)
        rc = -1;
    printf(
        "MIG replay on H100-SXM5-80GB: each sharing pod takes the smallest profile covering it,\n"
        "whole-GPU pods take 7g.80gb (whole GPUs); means over %zu seeds at 100%% arrived\n",
        n_seeds);
    printf("%-11s %-11s %4s %15s %10s %9s %12s %14s %7s\n", "trace", "strategy", "runs",
           "unalloc@100 %", "rounding %", "dropped", "whole-GPU", "repartitioned", "s/run");
    for (size_t k = 0; k < n_strategies; k++) {
        gv_moments u = {0}, rd = {0}, dr = {0}, dw = {0}, rp = {0};
        double t = 0;

        for (size_t s = 0; s < n_seeds; s++) {
            const gv_sim_mig_run *r = &runs[s * n_strategies + k];
            mig_point p;

            if (!point_at(r, 100, &p))
                continue;
            gv_moments_add(&u, p.unalloc);
            gv_moments_add(&rd, p.rounding);
            gv_moments_add(&dr, (double)p.dropped);
            gv_moments_add(&dw, (double)p.dropped_whole);
            gv_moments_add(&rp, (double)r->n_repartitioned);
            t += secs[s * n_strategies + k];
        }
        printf("%-11s %-11s %4zu  %6.2f (%5.2f) %10.2f %9.1f %12.1f %14.1f %7.3f\n", trace,
               gv_sim_mig_strategy_to_string(runs[k].strategy), u.n, gv_moments_mean(&u),
               gv_moments_sd(&u), gv_moments_mean(&rd), gv_moments_mean(&dr), gv_moments_mean(&dw),
               gv_moments_mean(&rp), u.n ? t / (double)u.n : 0);
    }
    return rc;
}
