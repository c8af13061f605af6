#ifndef R1SIM_PIPELINE_METRICS_H
#define R1SIM_PIPELINE_METRICS_H

/* The metrics stream: every step of every stage pushes one row here. The worker
 * thread writes, the view reads snapshots, so the ring is the only state the
 * two threads share besides the command queue (runner.h); one mutex guards it
 * and no call holds it longer than a copy. Old rows are overwritten: the CSV
 * files on disk are the full record, the ring only feeds the charts. */

#include <pthread.h>
#include <stddef.h>

enum { METRICS_MAX_VALUES = 40, METRICS_NAME = 24 };

typedef struct {
    int stage;  /* index in the graph */
    long step;  /* steps done after this one (1-based) */
    long total; /* steps the stage will take */
    int n;      /* values used */
    char names[METRICS_MAX_VALUES][METRICS_NAME];
    double values[METRICS_MAX_VALUES];
} MetricsRow;

typedef struct {
    pthread_mutex_t mu;
    MetricsRow *rows;
    size_t cap;
    unsigned long long pushed; /* rows ever pushed; the newest is pushed-1 */
} MetricsRing;

int metrics_ring_init(MetricsRing *r, size_t cap);
void metrics_ring_destroy(MetricsRing *r);
void metrics_ring_push(MetricsRing *r, const MetricsRow *row);

/* Copies the newest rows, oldest first, into out (at most max) and returns how
 * many. With since set, only rows whose sequence number is >= *since; *since
 * then receives the sequence number after the newest, so a reader polling
 * with the same variable sees every row at most once (and learns of none it
 * missed only through the gap). */
size_t metrics_ring_snapshot(MetricsRing *r, MetricsRow *out, size_t max,
                             unsigned long long *since);

/* Value named `name` in a row, or NaN. */
double metrics_row_get(const MetricsRow *row, const char *name);

#endif
