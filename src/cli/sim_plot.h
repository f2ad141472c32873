/*
 * sim_plot.h - the figures of `gpuvm sim openb` (sim_plot.c).
 */
#ifndef GV_CLI_SIM_PLOT_H
#define GV_CLI_SIM_PLOT_H

#include <stddef.h>

#include "gpuvm/sim.h"

/*
 * Write DIR/TRACE-curves.csv (per arrived %, per policy: mean unallocated GPU %, median
 * fragmentation amount and ratio over the seeds) and DIR/TRACE-plots.gp, and draw the figures
 * (TRACE-unallocated, -frag-amount, -frag-ratio, as .png and .svg) when gnuplot is installed.
 * @runs holds @n_policies x @n_seeds runs, policy by policy. @trace must be a plain file-name
 * word (letters, digits, '.', '_', '-').
 * Returns: 0 (also when gnuplot is missing, after saying so), -1 after printing why.
 */
int gv_sim_plot(const char *dir, const char *trace, const char *const *policies, size_t n_policies,
                const gv_sim_run *const *runs, size_t n_seeds);

#endif
