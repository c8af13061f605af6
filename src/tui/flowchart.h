#ifndef R1SIM_TUI_FLOWCHART_H
#define R1SIM_TUI_FLOWCHART_H

#include "tui/canvas.h"
#include "tui/layout.h"
#include "tui/model.h"

/* The pipeline drawn as boxes and arrows: a layout (geometry) plus a model
 * (state) into a canvas. */

/* Lays out the model's graph for an area of rows x cols. */
int tui_flowchart_layout(TuiLayout *lo, const TuiModel *m, int rows, int cols);

/* Draws with canvas point (x, y) at (x + ox, y + oy), within the canvas's clip;
 * for a scrolled view ox = area_x - scroll_x. */
void tui_flowchart_draw(TuiCanvas *c, const TuiLayout *lo, const TuiModel *m, int ox, int oy);

const char *tui_state_name(TuiStageState s, bool paused);
TuiRole tui_state_role(TuiStageState s);

/* A progress bar of w cells, eighths where the glyphs allow. */
void tui_draw_bar(TuiCanvas *c, int x, int y, int w, float frac);

#endif
