#include "cli/run_series.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "world/csvio.h"
#include "pipeline/rundir.h"

void run_series_reset(RunSeries *s) {
    memset(s, 0, sizeof *s);
}

static bool has(const MetricsRow *row, const char *name) {
    return !isnan(metrics_row_get(row, name));
}

static void pick(RunSeries *s, const MetricsRow *row, const char *metric, const char *label) {
    if (s->n >= TUI_MAX_SERIES || !has(row, metric)) return;
    snprintf(s->metric[s->n], sizeof s->metric[s->n], "%s", metric);
    snprintf(s->series[s->n].name, sizeof s->series[s->n].name, "%.23s", label);
    s->n++;
}

/* Charts a reader of the paper looks for, most telling first: the view shows
 * as many groups as fit. */
static void choose(RunSeries *s, const MetricsRow *row) {
    s->chosen = true;
    if (has(row, "reward")) {
        pick(s, row, "reward", "reward/total");
        /* RL for all scenarios: what the reward model thinks of the general
         * answers beside what the verifier knows of them, on one chart, so
         * that reward hacking shows as two lines drifting apart */
        bool general = has(row, "general_accuracy");
        if (general) {
            pick(s, row, "reward_preference", "general/reward model");
            pick(s, row, "general_accuracy", "general/true accuracy");
        }
        /* one line per reward function, leaving room for the other charts */
        for (int i = 0; i < row->n && s->n < TUI_MAX_SERIES - 5; i++)
            if (!strncmp(row->names[i], "reward_", 7) &&
                !(general && !strcmp(row->names[i], "reward_preference"))) {
                char label[24];
                snprintf(label, sizeof label, "reward/%.16s", row->names[i] + 7);
                pick(s, row, row->names[i], label);
            }
        pick(s, row, "accuracy", "rates/accuracy");
        pick(s, row, "format_rate", "rates/format");
        pick(s, row, "kl", "kl");
        pick(s, row, "mean_length", "length");
        pick(s, row, "aha", "aha");
    } else if (has(row, "loss")) {
        pick(s, row, "loss", "loss");
        pick(s, row, "grad_norm", "grad norm");
    } else if (has(row, "pass_at_1")) {
        pick(s, row, "pass_at_1", "eval/pass@1");
        pick(s, row, "maj_at_k", "eval/maj@k");
        pick(s, row, "format_rate", "eval/format");
    } else if (has(row, "acceptance")) { /* rejection sampling */
        pick(s, row, "acceptance", "acceptance");
        pick(s, row, "kept", "rows/kept");
        for (int i = 0; i < row->n && s->n < TUI_MAX_SERIES - 1; i++)
            if (!strncmp(row->names[i], "rejected_", 9)) {
                char label[24];
                snprintf(label, sizeof label, "rows/not %.14s", row->names[i] + 9);
                pick(s, row, row->names[i], label);
            }
        pick(s, row, "duplicates", "rows/duplicate");
    } else {
        for (int i = 0; i < row->n && i < 4; i++) pick(s, row, row->names[i], row->names[i]);
    }
}

static void clear_points(RunSeries *s) {
    for (int i = 0; i < s->n; i++) s->series[i].n = 0;
}

void run_series_add(RunSeries *s, const MetricsRow *row) {
    if (!s->chosen) choose(s, row);
    if (s->n == 0) return;
    TuiSeries *f = &s->series[0];
    if (f->n > 0 && row->step < f->step0 + f->n) clear_points(s);
    for (int i = 0; i < s->n; i++) {
        TuiSeries *t = &s->series[i];
        if (t->n == 0) t->step0 = row->step;
        long at = row->step - t->step0;
        if (at >= TUI_SERIES_CAP) {
            /* keep the newer part: drop as much as needed, at least half, so
             * that this copy happens rarely */
            long drop = at - TUI_SERIES_CAP + 1;
            if (drop < TUI_SERIES_CAP / 2) drop = TUI_SERIES_CAP / 2;
            if (drop > t->n) drop = t->n;
            memmove(t->v, t->v + drop, (size_t)(t->n - drop) * sizeof t->v[0]);
            t->n -= (int)drop;
            t->step0 += drop;
            at = row->step - t->step0;
            if (at >= TUI_SERIES_CAP) { /* a jump beyond the window: start over */
                t->n = 0;
                t->step0 = row->step;
                at = 0;
            }
        }
        while (t->n < at) t->v[t->n++] = NAN; /* steps the ring dropped */
        t->v[t->n++] = (float)metrics_row_get(row, s->metric[i]);
    }
}

int run_series_load(RunSeries *s, const char *dir, const char *stage) {
    char path[4200], err[256];
    CsvTable t;
    if (rundir_path(path, sizeof path, dir, stage, "metrics.csv") ||
        csvio_read(path, &t, err, sizeof err))
        return -1;
    run_series_reset(s);
    MetricsRow *row = calloc(1, sizeof *row);
    if (!row) {
        csvio_free(&t);
        return -1;
    }
    for (size_t r = 0; r < t.nrows; r++) {
        memset(row, 0, sizeof *row);
        row->step = atol(csvio_cell(&t, r, 0));
        for (size_t c = 1; c < t.ncols && row->n < METRICS_MAX_VALUES; c++) {
            snprintf(row->names[row->n], METRICS_NAME, "%s", t.header[c]);
            const char *cell = csvio_cell(&t, r, c);
            row->values[row->n++] = cell[0] ? atof(cell) : NAN;
        }
        run_series_add(s, row);
    }
    free(row);
    csvio_free(&t);
    return 0;
}
