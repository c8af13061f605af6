#ifndef R1SIM_CLI_SWEEP_COLLECT_H
#define R1SIM_CLI_SWEEP_COLLECT_H

/* A sweep's results, from finished run directories alone (their run.csv,
 * eval.csv and STAGE/metrics.csv), so that runs made anywhere — by
 * `r1sim sweep`, by its --list under GNU parallel, by a Slurm array, by a
 * shell loop — are summarised the same way:
 *
 *   OUT/summary.csv       one row per grid point x evaluated model (model,
 *                         task, k as in eval.csv): script, every -D
 *                         parameter, model, task, k, n (the runs, i.e.
 *                         seeds, it averages), then FIGURE_mean and
 *                         FIGURE_std (sample standard deviation; empty
 *                         for n < 2) of every other eval.csv column.
 *   OUT/metrics_long.csv  run, script, every parameter, seed, stage, step,
 *                         metric, value: every stage's metrics.csv in long
 *                         form.
 *
 * A grid point is the script and the values of every parameter the runs
 * were given (-D), the seed aside. Runs and stages are read in name order,
 * so the files are the same however and wherever the runs were made. */

#include <stdio.h>

/* x[0..n-1]: their mean and sample standard deviation (0 when n < 2). */
void sweep_mean_std(const double *x, int n, double *mean, double *std);

/* Reads the runs under roots (each a run directory, holding run.csv, or a
 * directory of them) and writes OUT/summary.csv and OUT/metrics_long.csv.
 * When table is not NULL, prints pass@1 mean +- std per grid point and
 * model there. OUT is made when missing. 0, or -1 with a message naming
 * the file. */
int sweep_collect(const char *const *roots, int n_roots, const char *out, FILE *table, char *err,
                  size_t errlen);

#endif
