#include "tui/chart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BRAILLE 0x2800u

/* dot bit for (column 0/1, row 0..3 from the top) of a braille cell */
static const uint8_t DOT[2][4] = {{0x01, 0x02, 0x04, 0x40}, {0x08, 0x10, 0x20, 0x80}};

bool tui_chart_range(const TuiChartSeries *s, int ns, float *lo, float *hi) {
    bool any = false;
    float a = 0, b = 1;
    for (int i = 0; i < ns; i++)
        for (int k = 0; k < s[i].n; k++) {
            float v = s[i].v[k];
            if (!isfinite(v)) continue;
            if (!any || v < a) a = v;
            if (!any || v > b) b = v;
            if (!any) a = b = v;
            any = true;
        }
    if (any && a == b) {
        float pad = fabsf(a) > 0 ? fabsf(a) * 0.1f : 0.5f;
        a -= pad;
        b += pad;
    }
    *lo = any ? a : 0;
    *hi = any ? b : 1;
    return any;
}

static void steps_span(const TuiChartSeries *s, int ns, long *first, long *last) {
    bool any = false;
    for (int i = 0; i < ns; i++) {
        if (s[i].n <= 0) continue;
        long a = s[i].step0, b = s[i].step0 + s[i].n - 1;
        if (!any || a < *first) *first = a;
        if (!any || b > *last) *last = b;
        any = true;
    }
    if (!any) *first = *last = 0;
}

/* Averages one series into `slots` columns over the shared step span. */
static void bucket(const TuiChartSeries *s, long first, long span, int slots, float *out,
                   int *cnt) {
    for (int j = 0; j < slots; j++) out[j] = 0, cnt[j] = 0;
    for (int k = 0; k < s->n; k++) {
        float v = s->v[k];
        if (!isfinite(v)) continue;
        long off = s->step0 + k - first;
        int j = span <= slots ? (int)off : (int)(off * slots / span);
        if (j < 0 || j >= slots) continue;
        out[j] += v;
        cnt[j]++;
    }
    for (int j = 0; j < slots; j++) out[j] = cnt[j] ? out[j] / (float)cnt[j] : NAN;
}

static void dot(TuiCanvas *c, int x, int y, int h, int col, int level, TuiRole role) {
    int cy = y + h - 1 - level / 4, cx = x + col / 2;
    const TuiCell *p = tui_canvas_at(c, cx, cy);
    if (!p) return;
    uint32_t cur = p->ch >= BRAILLE && p->ch <= BRAILLE + 0xFF ? p->ch : BRAILLE;
    tui_canvas_put(c, cx, cy, cur | DOT[col & 1][3 - level % 4], role, 0);
}

void tui_chart_plot(TuiCanvas *c, int x, int y, int w, int h, const TuiChartSeries *s, int ns,
                    float lo, float hi) {
    if (w <= 0 || h <= 0) return;
    bool br = c->g->braille;
    int slots = br ? 2 * w : w, levels = br ? 4 * h : h;
    float *val = malloc(sizeof *val * (size_t)slots);
    int *cnt = malloc(sizeof *cnt * (size_t)slots);
    if (!val || !cnt) {
        free(val);
        free(cnt);
        return;
    }
    long first, last;
    steps_span(s, ns, &first, &last);
    float span_v = hi > lo ? hi - lo : 1;
    for (int i = 0; i < ns; i++) {
        bucket(&s[i], first, last - first + 1, slots, val, cnt);
        int prev = -1;
        for (int j = 0; j < slots; j++) {
            if (isnan(val[j])) {
                prev = -1; /* a gap is not bridged */
                continue;
            }
            float t = (val[j] - lo) / span_v;
            int lv = (int)lroundf(t * (float)(levels - 1));
            if (lv < 0) lv = 0;
            if (lv >= levels) lv = levels - 1;
            if (br) {
                /* fill the vertical run from the previous sample so steep
                 * changes read as a line, not scattered dots */
                int a = prev < 0 ? lv : (prev < lv ? prev + 1 : lv);
                int b = prev < 0 ? lv : (prev > lv ? prev - 1 : lv);
                for (int l = a; l <= b; l++) dot(c, x, y, h, j, l, s[i].role);
                dot(c, x, y, h, j, lv, s[i].role);
            } else {
                tui_canvas_put(c, x + j, y + h - 1 - lv, c->g->point[i % 4], s[i].role, 0);
            }
            prev = lv;
        }
    }
    free(val);
    free(cnt);
}

static void fmt_value(char *buf, size_t cap, float v) {
    float a = fabsf(v);
    if (a != 0 && (a >= 1e5f || a < 1e-3f))
        snprintf(buf, cap, "%.0e", (double)v);
    else if (a >= 100)
        snprintf(buf, cap, "%.0f", (double)v);
    else
        snprintf(buf, cap, "%.3g", (double)v);
}

void tui_chart_legend(TuiCanvas *c, int x, int y, int w, const char *title, const TuiChartSeries *s,
                      int ns) {
    int tx = x + tui_canvas_text(c, x, y, title ? title : "", w / 2, TUI_ROLE_TITLE, 0);
    for (int i = 0; i < ns && tx < x + w - 2; i++) {
        if (ns == 1 && title) break; /* the title names it */
        tui_canvas_put(c, tx + 1, y, c->g->braille ? 0x25A0 : c->g->point[i % 4], s[i].role, 0);
        tx += 3 + tui_canvas_text(c, tx + 3, y, s[i].name, x + w - tx - 3, TUI_ROLE_DIM, 0);
    }
}

void tui_chart_draw(TuiCanvas *c, int x, int y, int w, int h, const TuiChart *ch) {
    if (w < 12 || h < 4) return;
    tui_chart_legend(c, x, y, w, ch->title, ch->series, ch->n_series);
    float lo, hi;
    bool any = tui_chart_range(ch->series, ch->n_series, &lo, &hi);
    if (ch->fixed) lo = ch->lo, hi = ch->hi;
    char top[16], bot[16];
    fmt_value(top, sizeof top, hi);
    fmt_value(bot, sizeof bot, lo);
    int lw = (int)(strlen(top) > strlen(bot) ? strlen(top) : strlen(bot));
    int px = x + lw + 1, pw = w - lw - 1, py = y + 1, ph = h - 2;
    for (int j = 0; j < ph; j++)
        tui_canvas_put(c, px - 1, py + j, c->g->lines[5], TUI_ROLE_AXIS, 0);
    if (!any) {
        tui_canvas_text(c, px + 1, py + (ph - 1) / 2, "no data yet", pw - 1, TUI_ROLE_DIM, 0);
    } else {
        tui_canvas_text(c, x + lw - (int)strlen(top), py, top, lw, TUI_ROLE_AXIS, 0);
        tui_canvas_text(c, x + lw - (int)strlen(bot), py + ph - 1, bot, lw, TUI_ROLE_AXIS, 0);
        tui_chart_plot(c, px, py, pw, ph, ch->series, ch->n_series, lo, hi);
    }
    long first, last;
    steps_span(ch->series, ch->n_series, &first, &last);
    char a[24], b[32];
    snprintf(a, sizeof a, "%ld", first);
    snprintf(b, sizeof b, "step %ld", last);
    tui_canvas_put(c, px - 1, y + h - 1, c->g->lines[3], TUI_ROLE_AXIS, 0); /* └ or + */
    tui_canvas_text(c, px, y + h - 1, a, pw, TUI_ROLE_AXIS, 0);
    int bw = (int)strlen(b);
    if (any && bw + (int)strlen(a) + 1 < pw)
        tui_canvas_text(c, px + pw - bw, y + h - 1, b, bw, TUI_ROLE_AXIS, 0);
}
