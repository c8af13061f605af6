/* r1sim compare DIR: the sweep's metrics over steps in the terminal, one
 * curve per grid point (the mean over its seeds) with a legend, a key to
 * step through every stage's metrics: r1sim plot without leaving the
 * terminal. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/sweep_curves.h"
#include "tui/compare.h"

static const char usage[] =
    "usage: r1sim compare DIR [--metric NAME] [--stage STAGE] [--smooth N] [--ascii]\n"
    "Shows DIR/metrics_long.csv (r1sim sweep) in the terminal: a metric over steps,\n"
    "the mean over seeds of each grid point as a curve, with a legend; left/right\n"
    "or Tab step through every stage's metrics, q quits. It opens on NAME (of\n"
    "STAGE), else on accuracy. --smooth N averages each curve over N steps.\n";

static const TuiRole roles[] = {TUI_ROLE_SERIES0, TUI_ROLE_SERIES1, TUI_ROLE_SERIES2,
                                TUI_ROLE_SERIES3};

/* Dense per-step values from the curve's first step to its last; NaN where
 * no seed has one. */
static float *dense(const SweepCurve *c, int smooth, long *step0, int *n) {
    *step0 = c->n ? (long)c->step[0] : 0;
    long last = c->n ? (long)c->step[c->n - 1] : 0;
    *n = c->n ? (int)(last - *step0 + 1) : 0;
    if (*n > 10000000) *n = 10000000;
    float *v = malloc((size_t)(*n > 0 ? *n : 1) * sizeof *v);
    if (!v) return NULL;
    for (int i = 0; i < *n; i++) v[i] = NAN;
    for (int i = 0; i < c->n; i++) {
        long at = (long)c->step[i] - *step0;
        double mean, std;
        sweep_curve_at(c, i, smooth, &mean, &std);
        if (at >= 0 && at < *n) v[at] = (float)mean;
    }
    return v;
}

int cli_compare(int argc, char **argv) {
    const char *dir = NULL, *metric = NULL, *stage = NULL;
    long smooth = 1;
    bool ascii = false;
    for (int i = 1; i < argc; i++) {
        const char *w = argv[i];
        bool takes = !strcmp(w, "--metric") || !strcmp(w, "--stage") || !strcmp(w, "--smooth");
        if (!strcmp(w, "--help") || !strcmp(w, "-h")) {
            fputs(usage, stdout);
            return 0;
        }
        if (takes && i + 1 >= argc) {
            fprintf(stderr, "r1sim compare: %s needs a value\n", w);
            return CLI_EXIT_USAGE;
        }
        if (!strcmp(w, "--metric")) {
            metric = argv[++i];
        } else if (!strcmp(w, "--stage")) {
            stage = argv[++i];
        } else if (!strcmp(w, "--smooth")) {
            if (cli_parse_int("compare", "--smooth", argv[++i], 1, 100000, &smooth))
                return CLI_EXIT_USAGE;
        } else if (!strcmp(w, "--ascii")) {
            ascii = true;
        } else if (w[0] == '-' || dir) {
            fprintf(stderr, "r1sim compare: %s '%s'\n%s",
                    w[0] == '-' ? "unknown option" : "one directory only, not also", w, usage);
            return CLI_EXIT_USAGE;
        } else {
            dir = w;
        }
    }
    if (!dir) {
        fputs(usage, stderr);
        return CLI_EXIT_USAGE;
    }
    char err[4400];
    SweepCurves sc;
    if (sweep_curves_load(dir, NULL, stage, &sc, err, sizeof err)) {
        fprintf(stderr, "r1sim compare: %s\n", err);
        return CLI_EXIT_USAGE;
    }
    int first = -1, rc = 0;
    for (int p = 0; p < sc.n && first < 0; p++)
        if (!strcmp(sc.panel[p].metric, metric ? metric : "accuracy")) first = p;
    if (sc.n == 0 || (metric && first < 0)) {
        fprintf(stderr, "r1sim compare: %s/metrics_long.csv: no %s%s%s%s\n", dir,
                metric ? "metric " : "metrics", metric ? metric : "", stage ? " of stage " : "",
                stage ? stage : "");
        sweep_curves_free(&sc);
        return CLI_EXIT_USAGE;
    }
    if (!isatty(0) || !isatty(1)) {
        fprintf(stderr, "r1sim compare: needs a terminal (r1sim plot draws to a file)\n");
        sweep_curves_free(&sc);
        return CLI_EXIT_USAGE;
    }
    TuiComparePanel *panels = calloc((size_t)sc.n, sizeof *panels);
    TuiChartSeries *series = calloc((size_t)sc.n * SWEEP_CURVES_MAX, sizeof *series);
    char(*names)[140] = calloc((size_t)sc.n, sizeof *names);
    if (!panels || !series || !names) rc = -1;
    for (int p = 0; p < sc.n && rc == 0; p++) {
        SweepPanel *pn = &sc.panel[p];
        snprintf(names[p], sizeof names[p], "%s: %s", pn->stage, pn->metric);
        panels[p].name = names[p];
        panels[p].series = &series[(size_t)p * SWEEP_CURVES_MAX];
        panels[p].n_series = pn->n;
        for (int g = 0; g < pn->n && rc == 0; g++) {
            TuiChartSeries *s = &series[(size_t)p * SWEEP_CURVES_MAX + g];
            s->name = pn->curve[g].label;
            s->role = roles[g % 4];
            s->v = dense(&pn->curve[g], (int)smooth, &s->step0, &s->n);
            if (!s->v) rc = -1;
        }
    }
    if (rc) {
        fprintf(stderr, "r1sim compare: out of memory\n");
    } else {
        TuiTermOptions to = {.ascii = ascii};
        if (tui_compare_run(dir, panels, sc.n, first < 0 ? 0 : first, &to, err, sizeof err)) {
            fprintf(stderr, "r1sim compare: %s\n", err);
            rc = -1;
        }
    }
    for (int i = 0; series && i < sc.n * SWEEP_CURVES_MAX; i++) free((void *)series[i].v);
    free(series);
    free(panels);
    free(names);
    sweep_curves_free(&sc);
    return rc ? CLI_EXIT_FAIL : 0;
}
