/*
 * sim_mig_report.h - what `gpuvm sim openb --mig` writes and prints (sim_mig_report.c).
 */
#ifndef GV_CLI_SIM_MIG_REPORT_H
#define GV_CLI_SIM_MIG_REPORT_H

#include <stddef.h>

#include "gpuvm/sim.h"

/*
 * Write DIR/mig-summary.csv (trace,strategy,seed, then at 100% and 130% arrived: unallocated
 * GPU %, MIG rounding %, pods dropped and whole-GPU pods dropped, and GPUs re-partitioned) and
 * DIR/TRACE-mig-STRATEGY-SEED.csv (per arrived %: allocated, unallocated and rounding %, pods
 * dropped so far), and print a table of means over the seeds, one row per strategy. @runs holds
 * @n_strategies x @n_seeds runs, seed by seed (runs[s * n_strategies + k]); @secs their times.
 * Returns: 0, or -1 when a file could not be written (said on stderr).
 */
int gv_sim_mig_report(const char *dir, const char *trace, const gv_sim_mig_run *runs,
                      const double *secs, size_t n_strategies, size_t n_seeds);

#endif
