#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "pipeline/metrics.h"

enum { N_PUSH = 200000, CAP = 256 };

static void *writer(void *arg) {
    MetricsRing *r = arg;
    MetricsRow row = {0};
    row.n = 2;
    snprintf(row.names[0], METRICS_NAME, "loss");
    snprintf(row.names[1], METRICS_NAME, "twice");
    for (long i = 1; i <= N_PUSH; i++) {
        row.step = i;
        row.values[0] = (double)i;
        row.values[1] = 2.0 * (double)i;
        metrics_ring_push(r, &row);
    }
    return NULL;
}

/* A reader snapshotting while the worker pushes sees whole rows (the two
 * values agree), in order, never a row twice, and the newest row last. */
static void test_snapshot_under_concurrency(void **state) {
    MetricsRing r;
    assert_int_equal(metrics_ring_init(&r, CAP), 0);
    pthread_t t;
    pthread_create(&t, NULL, writer, &r);
    static MetricsRow buf[CAP];
    unsigned long long since = 0;
    long last = 0, seen = 0;
    for (;;) {
        size_t n = metrics_ring_snapshot(&r, buf, CAP, &since);
        for (size_t i = 0; i < n; i++) {
            assert_true(buf[i].step > last);
            assert_true(metrics_row_get(&buf[i], "twice") ==
                        2.0 * metrics_row_get(&buf[i], "loss"));
            assert_true(metrics_row_get(&buf[i], "loss") == (double)buf[i].step);
            last = buf[i].step;
            seen++;
        }
        if (last == N_PUSH) break;
    }
    pthread_join(t, NULL);
    assert_true(seen > 0 && seen <= N_PUSH);
    assert_true(isnan(metrics_row_get(&buf[0], "kl")));
    /* A fresh reader gets the newest CAP rows, oldest first. */
    size_t n = metrics_ring_snapshot(&r, buf, CAP, NULL);
    assert_int_equal(n, CAP);
    assert_int_equal(buf[0].step, N_PUSH - CAP + 1);
    assert_int_equal(buf[CAP - 1].step, N_PUSH);
    metrics_ring_destroy(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snapshot_under_concurrency),
    };
    return cmocka_run_group_tests_name("pipeline_metrics", tests, NULL, NULL);
}
