#ifndef R1SIM_TUI_COMPARE_H
#define R1SIM_TUI_COMPARE_H

/* The compare screen (r1sim compare): one metric of a sweep over steps, a
 * curve per grid point with a legend, full screen; the keys step through
 * the sweep's stage metrics. It draws what it is handed and reads nothing
 * else. */

#include "tui/chart.h"
#include "tui/term.h"

typedef struct {
    const char *name; /* "r1-zero: accuracy" */
    const TuiChartSeries *series;
    int n_series;
} TuiComparePanel;

/* Panel p of n on the whole canvas: a header line (its place among the
 * panels, its name, the keys), the chart with its legend below. */
void tui_compare_draw(TuiCanvas *c, const char *title, const TuiComparePanel *panels, int n, int p);

/* The panel shown after a key: right, Tab, n or space the next, left,
 * Shift-Tab or p the previous (wrapping), Home and End the first and last;
 * -1 for q or Esc (leave); p itself for any other key. */
int tui_compare_key(int p, int n, int key);

/* Runs the screen from panel `first` until q. 0, or -1 with a message. */
int tui_compare_run(const char *title, const TuiComparePanel *panels, int n, int first,
                    const TuiTermOptions *opt, char *err, size_t errcap);

#endif
