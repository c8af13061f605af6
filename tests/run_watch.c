#include "run_watch.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "world/csvio.h"

static void watch(void *ctx, int s, RunnerEvent ev, const StageStatus *st) {
    RunWatch *w = ctx;
    if (ev == RUNNER_EV_START) w->resumed_from[s] = st->resumed_from;
    if (ev == RUNNER_EV_STEP && s == w->stop_stage && w->stop_at && st->step >= w->stop_at)
        w->stop = true;
    if (ev != RUNNER_EV_END) return;
    w->final[s] = st->state;
    snprintf(w->error[s], sizeof w->error[s], "%s", st->error);
}

static bool watch_stop(void *ctx) {
    return ((RunWatch *)ctx)->stop;
}

void rw_run(Graph *g, const char *dir, bool fresh, RunWatch *w) {
    char err[4096];
    RunnerOptions o = {.dir = dir,
                       .seed = 1,
                       .fresh = fresh,
                       .report = watch,
                       .report_ctx = w,
                       .should_stop = watch_stop,
                       .stop_ctx = w};
    Runner *r = runner_new(g, &o, err, sizeof err);
    if (!r) fail_msg("%s", err);
    runner_run(r);
    runner_free(r);
}

void rw_assert_same_metrics(const char *a, const char *b) {
    char err[1024];
    CsvTable x, y;
    if (csvio_read(a, &x, err, sizeof err)) fail_msg("%s", err);
    if (csvio_read(b, &y, err, sizeof err)) fail_msg("%s", err);
    assert_int_equal(x.nrows, y.nrows);
    assert_int_equal(x.ncols, y.ncols);
    int skip = csvio_col(&x, "tokens_per_s");
    assert_true(skip > 0);
    for (size_t i = 0; i < x.nrows; i++)
        for (size_t c = 0; c < x.ncols; c++)
            if ((int)c != skip && strcmp(csvio_cell(&x, i, c), csvio_cell(&y, i, c)))
                fail_msg("%s vs %s, row %zu col %s: %s vs %s", a, b, i, x.header[c],
                         csvio_cell(&x, i, c), csvio_cell(&y, i, c));
    csvio_free(&x);
    csvio_free(&y);
}
