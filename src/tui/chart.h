#ifndef R1SIM_TUI_CHART_H
#define R1SIM_TUI_CHART_H

#include <stdbool.h>

#include "tui/canvas.h"

/* Line charts of training curves (reward, accuracy, KL, length, loss) against
 * the step. With braille glyphs each cell holds 2x4 dots, so a cell column
 * shows two steps and a cell row four levels; without them (ASCII) one point
 * glyph per cell. Longer histories than the width are averaged into buckets,
 * so the whole run stays in view; NaN values are gaps. */

typedef struct {
    const char *name;
    const float *v;
    int n;
    long step0; /* step of v[0] */
    TuiRole role;
} TuiChartSeries;

typedef struct {
    const char *title;
    const TuiChartSeries *series;
    int n_series;
    bool fixed; /* use lo..hi below instead of autoscaling (e.g. 0..1 accuracy) */
    float lo, hi;
} TuiChart;

/* Range of the finite values of all series, padded when flat; false (and 0..1)
 * when there is none. */
bool tui_chart_range(const TuiChartSeries *s, int ns, float *lo, float *hi);

/* The plot area alone: w x h cells, values lo..hi bottom to top. */
void tui_chart_plot(TuiCanvas *c, int x, int y, int w, int h, const TuiChartSeries *s, int ns,
                    float lo, float hi);

/* The title, then a mark and the name of each series, on row y. */
void tui_chart_legend(TuiCanvas *c, int x, int y, int w, const char *title, const TuiChartSeries *s,
                      int ns);

/* Title and legend on the first row, min/max labels on the left, the step range
 * on the last row, the plot in between. Needs at least 12 x 4 cells. */
void tui_chart_draw(TuiCanvas *c, int x, int y, int w, int h, const TuiChart *ch);

#endif
