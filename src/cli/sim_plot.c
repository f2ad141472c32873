/*
 * sim_plot.c - the figures of `gpuvm sim openb`: per trace, the curves over seeds of every
 * policy as one CSV (unallocated GPU % as the mean, fragmentation as the median, as the study
 * plots them), a gnuplot script that draws the study's Fig. 9(a) (unallocated GPU against
 * arrived workload, 70-130%) and Fig. 7 (fragmentation amount and ratio), and the PNG and SVG
 * files when gnuplot is installed.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "sim_plot.h"

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* The mean (@median false) or the median of curve @c at @x over @n runs; NAN when none has it. */
static double
over_runs(const gv_sim_run *const *runs, size_t n, int x, gv_sim_curve c, bool median)
{
    double v[1024], sum = 0;
    size_t k = 0;

    for (size_t i = 0; i < n && k < GV_N_ELEMENTS(v); i++) {
        double y = gv_sim_run_at(runs[i], x, c);

        if (!isnan(y)) {
            v[k++] = y;
            sum += y;
        }
    }
    if (!k)
        return NAN;
    if (!median)
        return sum / (double)k;
    qsort(v, k, sizeof(v[0]), cmp_double);
    return k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
}

static bool
have_gnuplot(void)
{
    const char *path = getenv("PATH");
    char buf[4096];

    for (const char *p = path; p && *p;) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);

        snprintf(buf, sizeof(buf), "%.*s/gnuplot", (int)len, p);
        if (access(buf, X_OK) == 0)
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

static void
plot_block(FILE *f, const char *title, const char *ylabel, const char *csv, int col0,
           size_t n_policies, const char *const *policies, const char *xrange)
{
    fprintf(f, "set title '%s'\nset xlabel 'arrived workload (%% of GPU capacity)'\n", title);
    fprintf(f, "set ylabel '%s'\nset xrange [%s]\nset key top right\nplot ", ylabel, xrange);
    for (size_t k = 0; k < n_policies; k++)
        fprintf(f, "%s'%s' using 1:%zu with lines lw 2 title '%s'", k ? ", " : "", csv,
                (size_t)col0 + 3 * k, policies[k]);
    fprintf(f, "\n");
}

int
gv_sim_plot(const char *dir, const char *trace, const char *const *policies, size_t n_policies,
            const gv_sim_run *const *runs, size_t n_seeds)
{
    char csv[4096], gp[4096];
    FILE *f;

    /* curves: arrived, then per policy unallocated (mean), frag amount and ratio (median) */
    snprintf(csv, sizeof(csv), "%s/%s-curves.csv", dir, trace);
    if (!(f = gv_cli_create(csv)))
        return -1;
    fprintf(f, "arrived_pct");
    for (size_t k = 0; k < n_policies; k++)
        fprintf(f, ",%s_unalloc_pct,%s_frag_amount_pct,%s_frag_ratio_pct", policies[k], policies[k],
                policies[k]);
    fprintf(f, "\n");
    for (int x = 0; x <= GV_SIM_MAX_PCT; x++) {
        fprintf(f, "%d", x);
        for (size_t k = 0; k < n_policies; k++) {
            const gv_sim_run *const *r = runs + k * n_seeds;

            fprintf(f, ",%.4f,%.4f,%.4f", over_runs(r, n_seeds, x, GV_SIM_UNALLOC, false),
                    over_runs(r, n_seeds, x, GV_SIM_FRAG_AMOUNT, true),
                    over_runs(r, n_seeds, x, GV_SIM_FRAG_RATIO, true));
        }
        fprintf(f, "\n");
    }
    if (gv_cli_close(f, csv) < 0)
        return -1;
    /* the script: each figure as PNG and SVG, paths relative to @dir */
    snprintf(gp, sizeof(gp), "%s/%s-plots.gp", dir, trace);
    if (!(f = gv_cli_create(gp)))
        return -1;
    fprintf(f,
            "# gnuplot %s-plots.gp (in this folder): the study's Fig. 9(a) and Fig. 7\n"
            "set datafile separator ','\nset datafile missing 'nan'\nset grid\n",
            trace);
    for (int fmt = 0; fmt < 2; fmt++) {
        const char *term = fmt ? "svg size 800,500" : "pngcairo size 800,500";
        const char *ext = fmt ? "svg" : "png";
        char rel[512];

        snprintf(rel, sizeof(rel), "%s-curves.csv", trace);
        fprintf(f, "set terminal %s\nset output '%s-unallocated.%s'\n", term, trace, ext);
        plot_block(f, "unallocated GPU (mean over seeds)", "unallocated GPU (%)", rel, 2,
                   n_policies, policies, "70:130");
        fprintf(f, "set output '%s-frag-amount.%s'\n", trace, ext);
        plot_block(f, "fragmentation amount (median over seeds)", "% of GPU capacity", rel, 3,
                   n_policies, policies, "0:130");
        fprintf(f, "set output '%s-frag-ratio.%s'\n", trace, ext);
        plot_block(f, "fragmentation ratio (median over seeds)", "% of idle GPU", rel, 4,
                   n_policies, policies, "0:130");
    }
    if (gv_cli_close(f, gp) < 0)
        return -1;
    if (!have_gnuplot()) {
        fprintf(stderr, "gpuvm: gnuplot not found: the plots are not drawn (script: %s)\n", gp);
        return 0;
    }
    {
        /* gnuplot runs in @dir, so the script's paths are plain file names */
        pid_t pid = fork();
        int status;

        if (pid < 0) {
            fprintf(stderr, "gpuvm: fork: %s\n", strerror(errno));
            return -1;
        }
        if (pid == 0) {
            char script[600];

            snprintf(script, sizeof(script), "%s-plots.gp", trace);
            if (chdir(dir) == 0)
                execlp("gnuplot", "gnuplot", script, (char *)NULL);
            _exit(127);
        }
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "gpuvm: gnuplot failed on %s\n", gp);
            return -1;
        }
    }
    return 0;
}
