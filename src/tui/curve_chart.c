#include "tui/curve_chart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tui_curve_slot(int i, int np, int slots) {
    if (np <= 1 || slots <= 1) return 0;
    return (int)lround((double)i * (slots - 1) / (np - 1));
}

/* Series s linearly interpolated between its points, one value per slot. */
static void resample(const TuiChartSeries *s, int np, int slots, float *out) {
    for (int j = 0; j < slots; j++) {
        double t = np > 1 && slots > 1 ? (double)j * (np - 1) / (slots - 1) : 0;
        int i = (int)floor(t);
        double f = t - i;
        if (i >= s->n || (i == s->n - 1 && f > 1e-9)) {
            out[j] = NAN; /* beyond this curve's largest k */
        } else if (f < 1e-9) {
            out[j] = s->v[i];
        } else {
            out[j] = (float)((1 - f) * s->v[i] + f * s->v[i + 1]); /* NaN stays NaN */
        }
    }
}

/* Column of the label of point i, centred under it and kept in the plot. */
static int label_at(int i, int np, int px, int pw, int per_cell, int len) {
    int at = px + tui_curve_slot(i, np, pw * per_cell) / per_cell - (len - 1) / 2;
    if (at + len > px + pw) at = px + pw - len;
    return at < px ? px : at;
}

/* k under each point; the largest k always, the others left to right where
 * they do not touch the one before or the largest. */
static void k_labels(TuiCanvas *c, int px, int pw, int y, int np, int per_cell) {
    char k[16];
    int len = snprintf(k, sizeof k, "%d", 1 << (np - 1));
    int last = label_at(np - 1, np, px, pw, per_cell, len);
    tui_canvas_text(c, last, y, k, len, TUI_ROLE_AXIS, 0);
    int free_from = px;
    for (int i = 0; i < np - 1; i++) {
        len = snprintf(k, sizeof k, "%d", 1 << i);
        int at = label_at(i, np, px, pw, per_cell, len);
        if (at < free_from || at + len >= last) continue;
        tui_canvas_text(c, at, y, k, len, TUI_ROLE_AXIS, 0);
        free_from = at + len + 1;
    }
}

void tui_curve_chart_draw(TuiCanvas *c, int x, int y, int w, int h, const char *title,
                          const TuiChartSeries *s, int ns) {
    if (w < 12 || h < 4) return;
    tui_chart_legend(c, x, y, w, title, s, ns);
    int np = 0;
    for (int i = 0; i < ns; i++)
        if (s[i].n > np) np = s[i].n;
    const int lw = 1, px = x + lw + 1, pw = w - lw - 1, py = y + 1, ph = h - 2;
    for (int j = 0; j < ph; j++)
        tui_canvas_put(c, px - 1, py + j, c->g->lines[TUI_LINE_N | TUI_LINE_S], TUI_ROLE_AXIS, 0);
    tui_canvas_put(c, px - 1, y + h - 1, c->g->lines[TUI_LINE_N | TUI_LINE_E], TUI_ROLE_AXIS, 0);
    if (np == 0) {
        tui_canvas_text(c, px + 1, py + (ph - 1) / 2, "no data yet", pw - 1, TUI_ROLE_DIM, 0);
        return;
    }
    tui_canvas_text(c, x, py, "1", lw, TUI_ROLE_AXIS, 0);
    tui_canvas_text(c, x, py + ph - 1, "0", lw, TUI_ROLE_AXIS, 0);
    int per_cell = c->g->braille ? 2 : 1, slots = pw * per_cell;
    float *v = malloc(sizeof *v * (size_t)slots * (size_t)(ns > 0 ? ns : 1));
    TuiChartSeries *rs = malloc(sizeof *rs * (size_t)(ns > 0 ? ns : 1));
    if (v && rs) {
        for (int i = 0; i < ns; i++) {
            resample(&s[i], np, slots, v + (size_t)i * slots);
            rs[i] = (TuiChartSeries){s[i].name, v + (size_t)i * slots, slots, 0, s[i].role};
        }
        tui_chart_plot(c, px, py, pw, ph, rs, ns, 0, 1);
    }
    free(v);
    free(rs);
    k_labels(c, px, pw, y + h - 1, np, per_cell);
}
