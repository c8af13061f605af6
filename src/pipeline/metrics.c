#include "pipeline/metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int metrics_ring_init(MetricsRing *r, size_t cap) {
    memset(r, 0, sizeof *r);
    if (cap == 0) cap = 1;
    r->rows = calloc(cap, sizeof *r->rows);
    if (!r->rows) return -1;
    r->cap = cap;
    pthread_mutex_init(&r->mu, NULL);
    return 0;
}

void metrics_ring_destroy(MetricsRing *r) {
    if (!r->rows) return;
    pthread_mutex_destroy(&r->mu);
    free(r->rows);
    r->rows = NULL;
}

void metrics_ring_push(MetricsRing *r, const MetricsRow *row) {
    pthread_mutex_lock(&r->mu);
    r->rows[r->pushed % r->cap] = *row;
    r->pushed++;
    pthread_mutex_unlock(&r->mu);
}

size_t metrics_ring_snapshot(MetricsRing *r, MetricsRow *out, size_t max,
                             unsigned long long *since) {
    pthread_mutex_lock(&r->mu);
    unsigned long long end = r->pushed;
    unsigned long long first = end > r->cap ? end - r->cap : 0;
    if (since && *since > first) first = *since < end ? *since : end;
    if (end - first > max) first = end - max;
    size_t n = 0;
    for (unsigned long long i = first; i < end; i++) out[n++] = r->rows[i % r->cap];
    if (since) *since = end;
    pthread_mutex_unlock(&r->mu);
    return n;
}

double metrics_row_get(const MetricsRow *row, const char *name) {
    for (int i = 0; i < row->n; i++)
        if (strcmp(row->names[i], name) == 0) return row->values[i];
    return NAN;
}
