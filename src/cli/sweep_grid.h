#ifndef R1SIM_CLI_SWEEP_GRID_H
#define R1SIM_CLI_SWEEP_GRID_H

/* A sweep's runs: the cross product of its --grid axes over its seeds. Run
 * i is grid point i / seeds (the last axis varying fastest) with seed
 * i % seeds + 1, so that runs started side by side have different seeds,
 * and so different base models, rather than wait on one. */

#include <stddef.h>

enum {
    SWEEP_MAX_AXES = 8,
    SWEEP_MAX_VALUES = 32,
    SWEEP_NAME = 64,
    SWEEP_VALUE = 128,
    SWEEP_MAX_RUNS = 4096
};

typedef struct {
    char name[SWEEP_NAME];
    int n;
    char values[SWEEP_MAX_VALUES][SWEEP_VALUE];
} SweepAxis;

typedef struct {
    int n_axes;
    SweepAxis axes[SWEEP_MAX_AXES];
    int seeds;
} SweepGrid;

/* Adds "name=v1,v2,..." as an axis. 0, or -1 with a message (no '=', an
 * empty name or value list, an empty or repeated value, a name given twice,
 * too many axes or values). */
int sweep_grid_add(SweepGrid *g, const char *spec, char *err, size_t errlen);

int sweep_grid_points(const SweepGrid *g);
int sweep_grid_runs(const SweepGrid *g);

/* The value index of each axis at grid point p (idx: n_axes entries). */
void sweep_grid_point(const SweepGrid *g, int p, int *idx);

/* Run i's grid point and seed. */
void sweep_grid_run(const SweepGrid *g, int i, int *point, int *seed);

/* Run i's directory name: "beta=0.04,g=8_s2" ("s2" with no axes), every
 * byte outside [A-Za-z0-9._+-] of a value written as '_'. -1 if it does
 * not fit. */
int sweep_grid_run_name(const SweepGrid *g, int i, char *buf, size_t cap);

#endif
