#include "tui/flowchart.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The widest figure a stage shows while it runs, "acc 0.62 len 38"; the same
 * for every kind, so that the view need not know which kind writes what. */
#define HEADLINE_ROOM 15

int tui_flowchart_layout(TuiLayout *lo, const TuiModel *m, int rows, int cols) {
    TuiLayoutNode nodes[TUI_MAX_STAGES];
    int n = m->n_stages < TUI_MAX_STAGES ? m->n_stages : TUI_MAX_STAGES;
    for (int i = 0; i < n; i++) {
        const TuiStageView *s = &m->stages[i];
        /* room for the figure that appears later, so that boxes do not grow
         * and the graph does not jump when training starts */
        int hw = tui_text_width(s->headline);
        nodes[i] =
            (TuiLayoutNode){s->name, s->kind, hw > HEADLINE_ROOM ? hw : HEADLINE_ROOM, s->report};
    }
    int ne = m->n_edges < TUI_MAX_EDGES ? m->n_edges : TUI_MAX_EDGES;
    return tui_layout(lo, nodes, n, m->edges, ne, rows, cols);
}

const char *tui_state_name(TuiStageState s, bool paused) {
    switch (s) {
    case TUI_STAGE_WAITING:
        return "waiting";
    case TUI_STAGE_RUNNING:
        return paused ? "paused" : "running";
    case TUI_STAGE_CACHED:
        return "cached";
    case TUI_STAGE_DONE:
        return "done";
    case TUI_STAGE_FAILED:
        return "failed";
    }
    return "?";
}

TuiRole tui_state_role(TuiStageState s) {
    switch (s) {
    case TUI_STAGE_WAITING:
        return TUI_ROLE_WAITING;
    case TUI_STAGE_RUNNING:
        return TUI_ROLE_RUNNING;
    case TUI_STAGE_CACHED:
        return TUI_ROLE_CACHED;
    case TUI_STAGE_DONE:
        return TUI_ROLE_DONE;
    case TUI_STAGE_FAILED:
        return TUI_ROLE_FAILED;
    }
    return TUI_ROLE_DEFAULT;
}

void tui_draw_bar(TuiCanvas *c, int x, int y, int w, float frac) {
    if (w <= 0) return;
    if (!(frac >= 0)) frac = 0; /* NaN too */
    if (frac > 1) frac = 1;
    const TuiGlyphs *g = c->g;
    int eighths = g->bar_part[1] ? 8 : 1;
    int units = (int)lroundf(frac * (float)(w * eighths));
    for (int i = 0; i < w; i++) {
        int u = units - i * eighths;
        if (u >= eighths)
            tui_canvas_put(c, x + i, y, g->bar_full, TUI_ROLE_BAR_FILL, 0);
        else if (u > 0)
            tui_canvas_put(c, x + i, y, g->bar_part[u], TUI_ROLE_BAR_FILL, 0);
        else
            tui_canvas_put(c, x + i, y, g->bar_empty, TUI_ROLE_BAR_EMPTY, 0);
    }
}

static float shown_progress(const TuiStageView *s) {
    if (s->state == TUI_STAGE_DONE || s->state == TUI_STAGE_CACHED) return 1;
    return s->progress;
}

/* The group label as a box's top border can hold it in `room` cells: whole
 * when it fits, else its head before a " · " or ": " ("step 3" of
 * "step 3 · multi-stage"), which the border cuts if it must. */
static void group_tag(const char *label, int room, char *out, size_t cap) {
    snprintf(out, cap, "%s", label);
    if (tui_text_width(out) <= room) return;
    const char *seps[] = {" \u00b7 ", ": "};
    for (int i = 0; i < 2; i++) {
        const char *at = strstr(out, seps[i]);
        if (at && at > out) out[at - out] = 0;
    }
}

static void draw_box(TuiCanvas *c, TuiRect r, const TuiStageView *s, bool selected, bool paused,
                     TuiBoxMode mode) {
    const TuiGlyphs *g = c->g;
    TuiRole srole = tui_state_role(s->state);
    TuiRole border = s->state == TUI_STAGE_RUNNING || s->state == TUI_STAGE_FAILED ? srole
                     : selected                                                    ? TUI_ROLE_TITLE
                                : TUI_ROLE_BORDER;
    /* clear the inside: a box hides whatever a scrolled edge drew under it */
    tui_canvas_fill(c, r.x + 1, r.y + 1, r.w - 2, r.h - 2, ' ', TUI_ROLE_DEFAULT);
    tui_canvas_box(c, r.x, r.y, r.w, r.h, border);
    /* the group's label on the top border of each of its boxes, so that a
     * group reads as one wherever the layout puts its stages */
    if (s->group[0] && r.w >= 8) {
        char word[TUI_TEXT], tag[TUI_TEXT + 2];
        group_tag(s->group, r.w - 6, word, sizeof word);
        snprintf(tag, sizeof tag, " %s ", word);
        tui_canvas_text(c, r.x + 2, r.y, tag, r.w - 4, TUI_ROLE_KIND, 0);
    }
    TuiRole name_role = selected ? TUI_ROLE_SELECTED : TUI_ROLE_TITLE;
    const char *state = tui_state_name(s->state, paused);
    int pct = (int)lroundf(shown_progress(s) * 100);
    if (pct < 0) pct = 0;
    if (pct > 100) pct = 100;

    if (mode == TUI_BOX_TINY) {
        int x = r.x + 1, iw = r.w - 2;
        tui_canvas_put(c, x, r.y + 1, g->state[s->state], srole, 0);
        tui_canvas_put(c, x + 1, r.y + 1, ' ', name_role, 0);
        tui_canvas_text(c, x + 2, r.y + 1, s->name, iw - 2, name_role, 0);
        return;
    }
    int x = r.x + 2, iw = r.w - 4;
    if (selected) tui_canvas_put(c, r.x + 1, r.y + 1, g->selected, TUI_ROLE_SELECTED, 0);
    if (mode == TUI_BOX_COMPACT) {
        tui_canvas_text(c, x, r.y + 1, s->name, iw - 2, name_role, 0);
        tui_canvas_put(c, x + iw - 1, r.y + 1, g->state[s->state], srole, 0);
        if (s->state == TUI_STAGE_RUNNING || !s->headline[0]) {
            tui_draw_bar(c, x, r.y + 2, iw - 5, shown_progress(s));
            tui_canvas_printf(c, x + iw - 4, r.y + 2, 4, TUI_ROLE_DEFAULT, 0, "%3d%%", pct);
        } else {
            tui_canvas_text(c, x, r.y + 2, s->headline, iw, TUI_ROLE_DEFAULT, 0);
        }
        return;
    }
    tui_canvas_text(c, x, r.y + 1, s->name, iw, name_role, 0);
    int sw = (int)strlen(state);
    tui_canvas_text(c, x, r.y + 2, s->kind, iw - sw - 1, TUI_ROLE_KIND, 0);
    tui_canvas_text(c, x + iw - sw, r.y + 2, state, sw, srole, 0);
    tui_draw_bar(c, x, r.y + 3, iw - 5, shown_progress(s));
    tui_canvas_printf(c, x + iw - 4, r.y + 3, 4, TUI_ROLE_DEFAULT, 0, "%3d%%", pct);
    tui_canvas_text(c, x, r.y + 4, s->headline, iw, TUI_ROLE_DEFAULT, 0);
}

/* The arrow stands in the last cell before the target's border, pointing the
 * way the last run goes (down into a layer, sideways into a report). */
static void draw_edge(TuiCanvas *c, const TuiLayoutPath *p, int ox, int oy, TuiRole role) {
    if (p->npts < 2) return;
    TuiPoint y = p->pts[p->npts - 2], z = p->pts[p->npts - 1];
    int dx = (z.x > y.x) - (z.x < y.x), dy = (z.y > y.y) - (z.y < y.y);
    TuiPoint tip = {z.x - dx, z.y - dy};
    for (int k = 0; k + 1 < p->npts; k++) {
        TuiPoint a = p->pts[k], b = k + 2 == p->npts ? tip : p->pts[k + 1];
        tui_canvas_line(c, a.x + ox, a.y + oy, b.x + ox, b.y + oy, role);
    }
    const TuiGlyphs *g = c->g;
    uint32_t arrow = dy > 0   ? g->arrow_down
                     : dy < 0 ? g->arrow_up
                     : dx > 0 ? g->arrow_right
                              : g->arrow_left;
    tui_canvas_put(c, tip.x + ox, tip.y + oy, arrow, role, 0);
}

void tui_flowchart_draw(TuiCanvas *c, const TuiLayout *lo, const TuiModel *m, int ox, int oy) {
    int n = lo->n_nodes < m->n_stages ? lo->n_nodes : m->n_stages;
    for (int i = 0; i < n; i++) {
        TuiRect r = lo->boxes[i];
        TuiRole border =
            m->stages[i].state == TUI_STAGE_RUNNING ? TUI_ROLE_RUNNING : TUI_ROLE_BORDER;
        tui_canvas_box(c, r.x + ox, r.y + oy, r.w, r.h, border);
    }
    /* active edges last, so where lines share a cell the highlight wins */
    for (int pass = 0; pass < 2; pass++)
        for (int e = 0; e < lo->n_edges; e++) {
            const TuiLayoutPath *p = &lo->edges[e];
            if (p->to < 0 || p->to >= n) continue;
            bool active = m->stages[p->to].state == TUI_STAGE_RUNNING;
            if (active == (pass == 1))
                draw_edge(c, p, ox, oy, active ? TUI_ROLE_EDGE_ACTIVE : TUI_ROLE_EDGE);
        }
    for (int i = 0; i < n; i++) {
        TuiRect r = lo->boxes[i];
        r.x += ox;
        r.y += oy;
        draw_box(c, r, &m->stages[i], i == m->selected, m->paused, lo->mode);
    }
}
