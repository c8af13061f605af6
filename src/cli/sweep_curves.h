#ifndef R1SIM_CLI_SWEEP_CURVES_H
#define R1SIM_CLI_SWEEP_CURVES_H

/* A sweep's metrics over steps, from its metrics_long.csv, as r1sim plot and
 * r1sim compare show them: one panel per stage and metric, in it one curve
 * per grid point (the script and every parameter value, the seed aside),
 * each step's value pooled over the point's seeds. */

#include <stddef.h>

enum { SWEEP_CURVES_MAX = 64, SWEEP_PANELS_MAX = 256 };

typedef struct {
    char label[256]; /* "beta=0.04 group_size=8", or the script */
    char key[1024];
    int n, cap; /* distinct steps, in order */
    double *step;
    double *sum, *sq; /* of the seeds' values at each step */
    int *count;       /* seeds with a value at each step */
} SweepCurve;

typedef struct {
    char stage[64], metric[64];
    int n;
    SweepCurve curve[SWEEP_CURVES_MAX];
} SweepPanel;

typedef struct {
    int n;
    SweepPanel *panel; /* n, malloc'd */
} SweepCurves;

/* Reads DIR/metrics_long.csv; only metric and stage when not NULL. 0, or -1
 * with a message naming the file. */
int sweep_curves_load(const char *dir, const char *metric, const char *stage, SweepCurves *out,
                      char *err, size_t errlen);
void sweep_curves_free(SweepCurves *c);

/* Point i's mean and sample std over the seeds of the trailing `window`
 * points (1: the point alone). */
void sweep_curve_at(const SweepCurve *c, int i, int window, double *mean, double *std);

#endif
