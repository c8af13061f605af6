#include "tui/compare.h"

#include <stdio.h>

void tui_compare_draw(TuiCanvas *c, const char *title, const TuiComparePanel *panels, int n,
                      int p) {
    tui_canvas_clear(c);
    int w = c->w, h = c->h;
    if (n <= 0 || p < 0 || p >= n) {
        tui_canvas_text(c, 0, 0, "nothing to compare", w, TUI_ROLE_DIM, 0);
        return;
    }
    const TuiComparePanel *pn = &panels[p];
    tui_canvas_printf(c, 0, 0, w, TUI_ROLE_TITLE, TUI_ATTR_BOLD, "%s  [%d/%d] %s", title, p + 1, n,
                      pn->name);
    tui_canvas_text(c, 0, h - 1, "\xe2\x86\x90/\xe2\x86\x92 Tab: another metric   q: quit", w,
                    TUI_ROLE_STATUS, 0);
    /* the legend, one grid point a line, under the chart */
    int legend = pn->n_series < h / 3 ? pn->n_series : h / 3;
    for (int s = 0; s < legend; s++) {
        tui_canvas_text(c, 2, h - 1 - legend + s, "\xe2\x94\x80\xe2\x94\x80", 2, pn->series[s].role,
                        0);
        tui_canvas_text(c, 5, h - 1 - legend + s, pn->series[s].name, w - 5, TUI_ROLE_DEFAULT, 0);
    }
    int ch = h - 2 - legend;
    if (ch < 4 || w < 12) return;
    TuiChart chart = {.title = pn->name, .series = pn->series, .n_series = pn->n_series};
    tui_chart_draw(c, 0, 1, w, ch, &chart);
}

int tui_compare_key(int p, int n, int key) {
    switch (key) {
    case 'q':
    case 'Q':
    case TUI_KEY_ESC:
        return -1;
    case TUI_KEY_RIGHT:
    case TUI_KEY_TAB:
    case 'n':
    case ' ':
        return n ? (p + 1) % n : p;
    case TUI_KEY_LEFT:
    case TUI_KEY_BTAB:
    case 'p':
        return n ? (p + n - 1) % n : p;
    case TUI_KEY_HOME:
        return 0;
    case TUI_KEY_END:
        return n ? n - 1 : p;
    default:
        return p;
    }
}

int tui_compare_run(const char *title, const TuiComparePanel *panels, int n, int first,
                    const TuiTermOptions *opt, char *err, size_t errcap) {
    TuiTermInfo info;
    if (tui_term_open(opt, &info, err, errcap)) return -1;
    TuiCanvas c;
    int w, h, p = first, shown = -1;
    tui_term_size(&w, &h);
    if (tui_canvas_init(&c, w, h, info.glyphs)) {
        tui_term_close();
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    int rc = 0;
    while (p >= 0 && !tui_term_quit_requested) {
        if (p != shown) {
            tui_compare_draw(&c, title, panels, n, p);
            tui_term_blit(&c, 0, c.h);
            shown = p;
        }
        TuiKey k = tui_term_key(100);
        if (k.key == TUI_KEY_RESIZE) {
            tui_term_size(&w, &h);
            if (tui_canvas_resize(&c, w, h)) {
                snprintf(err, errcap, "out of memory");
                rc = -1;
                break;
            }
            shown = -1;
            continue;
        }
        p = tui_compare_key(p, n, k.key);
    }
    tui_term_close();
    tui_canvas_free(&c);
    return rc;
}
