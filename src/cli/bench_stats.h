#ifndef R1SIM_CLI_BENCH_STATS_H
#define R1SIM_CLI_BENCH_STATS_H

/* The clock and the median the benchmarks share. */

/* Seconds on the monotonic clock. */
double bench_now(void);
/* The median of v[0..n), n >= 1; sorts v. */
double bench_median(double *v, int n);

#endif
