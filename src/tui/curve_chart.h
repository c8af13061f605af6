#ifndef R1SIM_TUI_CURVE_CHART_H
#define R1SIM_TUI_CURVE_CHART_H

#include "tui/chart.h"

/* Rates against k on a log2 axis (pass@k and maj@k): point i of a series is
 * k = 2^i, the points evenly spaced across the width and joined by straight
 * lines, the k of each under the axis, on a fixed 0..1 scale so that charts
 * of different models and figures compare at a glance. A series' step0 is
 * unused; NaN points are gaps. The plot is chart.c's, fed one value per dot
 * column. Needs at least 12 x 4 cells. */
void tui_curve_chart_draw(TuiCanvas *c, int x, int y, int w, int h, const char *title,
                          const TuiChartSeries *s, int ns);

/* Where point i of np falls among `slots` dot columns. */
int tui_curve_slot(int i, int np, int slots);

#endif
