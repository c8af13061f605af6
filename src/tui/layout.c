#include "tui/layout.h"

#include <stdlib.h>
#include <string.h>

#include "tui/canvas.h"
#include "tui/layout_graph.h"

/* ---- geometry for one box mode ---------------------------------------- */

typedef struct {
    TuiBoxMode mode;
    int box_h, min_w, max_w; /* max_w 0: as wide as the name needs */
} Mode;

/* Narrow boxes are the last resort: names longer than 12, 10, 8 are cut. */
enum { FULL, COMPACT, TINY, NARROW16, NARROW14, NARROW12 };
static const Mode MODES[] = {
    [FULL] = {TUI_BOX_FULL, TUI_BOX_H_FULL, 14, 0},
    [COMPACT] = {TUI_BOX_COMPACT, TUI_BOX_H_COMPACT, 10, 0},
    [TINY] = {TUI_BOX_TINY, TUI_BOX_H_TINY, 8, 0},
    [NARROW16] = {TUI_BOX_TINY, TUI_BOX_H_TINY, 8, 16},
    [NARROW14] = {TUI_BOX_TINY, TUI_BOX_H_TINY, 8, 14},
    [NARROW12] = {TUI_BOX_TINY, TUI_BOX_H_TINY, 6, 12},
};

/* Widths follow flowchart.c's lines: full and compact boxes have a border and a
 * blank column each side ("│ name │"), tiny boxes only the border. Full: name;
 * kind, a space and the state word ("running"); a bar of at least 6 cells and
 * " 100%"; the headline. Compact: name, a space and a state glyph; bar; headline.
 * Tiny: a state glyph, a space and the name. */
static int box_width(const TuiLayoutNode *nd, const Mode *m) {
    int name = tui_text_width(nd->name ? nd->name : "");
    int kind = tui_text_width(nd->kind ? nd->kind : "");
    int w;
    if (m->mode == TUI_BOX_FULL)
        w = 4 + imax(imax(name, kind + 1 + 7), imax(nd->text_w, 11));
    else if (m->mode == TUI_BOX_COMPACT)
        w = 4 + imax(name + 2, imax(nd->text_w, 10));
    else
        w = 2 + name + 2;
    w = imax(w, m->min_w);
    return m->max_w ? imin(w, m->max_w) : w;
}

typedef struct {
    int cw, ch; /* needed canvas size */
    int *ys;    /* top row of each layer */
} Geo;

static int geometry(Graph *g, const TuiLayoutNode *nodes, const Mode *m, int spine, Geo *geo) {
    for (int i = 0; i < g->ni; i++) {
        g->w[i] = i < g->n ? box_width(&nodes[i], m) : 1;
        g->lw[i] = g->rw[i] = 0;
    }
    for (int v = 0; v < g->n; v++) {
        int h = g->host[v];
        if (h < 0) continue;
        if (g->side[v] > 0)
            g->rw[h] = SIDE_GAP + g->w[v];
        else
            g->lw[h] = SIDE_GAP + g->w[v];
    }
    g->use_spine = spine;
    int cw = tui_lg_place_x(g);
    if (tui_lg_route(g, cw)) return -1;
    /* a gap is its tracks plus the row of arrows */
    int y = 0;
    for (int k = 0; k < g->nl; k++) {
        geo->ys[k] = y;
        y += m->box_h;
        if (k + 1 < g->nl) y += g->gap_tracks[k] + 1;
    }
    geo->cw = cw;
    geo->ch = y;
    return 0;
}

/* ---- output ------------------------------------------------------------- */

static void push(TuiPoint *pts, int *n, int x, int y) {
    if (*n && pts[*n - 1].x == x && pts[*n - 1].y == y) return;
    if (*n >= 2) {
        TuiPoint a = pts[*n - 2], b = pts[*n - 1];
        if ((a.x == b.x && b.x == x) || (a.y == b.y && b.y == y)) {
            pts[*n - 1] = (TuiPoint){x, y};
            return;
        }
    }
    pts[(*n)++] = (TuiPoint){x, y};
}

static void emit_boxes(TuiLayout *lo, const Graph *g, const Geo *geo, const Mode *m, int dx) {
    for (int i = 0; i < g->n; i++) {
        lo->layer[i] = g->layer[i];
        if (g->host[i] < 0)
            lo->boxes[i] = (TuiRect){g->x[i] + dx, geo->ys[g->layer[i]], g->w[i], m->box_h};
    }
    for (int v = 0; v < g->n; v++) {
        TuiRect h = lo->boxes[g->host[v] >= 0 ? g->host[v] : v];
        if (g->host[v] < 0) continue;
        int x = g->side[v] > 0 ? h.x + h.w + SIDE_GAP : h.x - SIDE_GAP - g->w[v];
        lo->boxes[v] = (TuiRect){x, h.y, g->w[v], m->box_h};
    }
}

static int emit(TuiLayout *lo, const Graph *g, const Geo *geo, const Mode *m,
                const TuiLayoutEdge *edges, int ne, int dx) {
    emit_boxes(lo, g, geo, m, dx);
    for (int e = 0; e < ne; e++) {
        TuiLayoutPath *p = &lo->edges[e];
        p->from = g->edge_ok[e] ? edges[e].from : -1;
        p->to = g->edge_ok[e] ? edges[e].to : -1;
        p->npts = 0;
        int nseg = g->chain_start[e + 1] - g->chain_start[e];
        if (!nseg && !g->edge_side[e]) continue;
        p->pts = malloc(sizeof *p->pts * (size_t)(4 * nseg + 2));
        if (!p->pts) return -1;
        if (g->edge_side[e]) {
            TuiRect a = lo->boxes[p->from], b = lo->boxes[p->to];
            int right = b.x > a.x;
            p->beside = true;
            p->pts[p->npts++] = (TuiPoint){right ? a.x + a.w - 1 : a.x, a.y + 1};
            p->pts[p->npts++] = (TuiPoint){right ? b.x : b.x + b.w - 1, a.y + 1};
            continue;
        }
        for (int s = g->chain_start[e]; s < g->chain_start[e + 1]; s++) {
            const Seg *sg = &g->seg[s];
            int k = g->layer[sg->u];
            int yb = geo->ys[k] + m->box_h - 1, yt = geo->ys[k + 1];
            push(p->pts, &p->npts, sg->xs + dx, yb);
            if (sg->xs != sg->xt) {
                int yc = yb + 1 + sg->track;
                push(p->pts, &p->npts, sg->xs + dx, yc);
                push(p->pts, &p->npts, sg->xt + dx, yc);
            }
            push(p->pts, &p->npts, sg->xt + dx, yt);
        }
    }
    return 0;
}

/* What is tried, best first: a mode where the whole graph fits; else tiny
 * boxes at full width, scrolled vertically; names are cut only when that is too
 * wide, as little as will do, and the view scrolls both ways only when even
 * the shortest cut is too wide. The spine in its column is worth more than a
 * line per box, not more than seeing the whole graph. */
typedef struct {
    int mode, whole, spine;
} Try;

static const Try TRIES[] = {
    {FULL, 1, 1},     {COMPACT, 1, 1},  {TINY, 1, 1},     {FULL, 1, 0},     {COMPACT, 1, 0},
    {TINY, 1, 0},     {TINY, 0, 1},     {TINY, 0, 0},     {NARROW16, 1, 1}, {NARROW16, 1, 0},
    {NARROW16, 0, 1}, {NARROW16, 0, 0}, {NARROW14, 1, 1}, {NARROW14, 1, 0}, {NARROW14, 0, 1},
    {NARROW14, 0, 0}, {NARROW12, 1, 1}, {NARROW12, 1, 0}, {NARROW12, 0, 1}, {NARROW12, 0, 0},
};
#define N_TRIES ((int)(sizeof TRIES / sizeof TRIES[0]))

static int choose(Graph *g, const TuiLayoutNode *nodes, Geo *geo, int rows, int cols) {
    for (int t = 0; t < N_TRIES; t++) {
        if (geometry(g, nodes, &MODES[TRIES[t].mode], TRIES[t].spine, geo)) return -1;
        if (geo->cw <= cols && (!TRIES[t].whole || geo->ch <= rows)) return t;
    }
    return N_TRIES - 2; /* narrow with the spine, scrolled both ways */
}

int tui_layout(TuiLayout *lo, const TuiLayoutNode *nodes, int n, const TuiLayoutEdge *edges, int ne,
               int rows, int cols) {
    memset(lo, 0, sizeof *lo);
    if (n < 0) n = 0;
    if (ne < 0) ne = 0;
    Graph g;
    memset(&g, 0, sizeof g);
    Geo geo = {0};
    int rc = -1;
    lo->boxes = calloc((size_t)n + 1, sizeof *lo->boxes);
    lo->layer = calloc((size_t)n + 1, sizeof *lo->layer);
    lo->edges = calloc((size_t)ne + 1, sizeof *lo->edges);
    if (!lo->boxes || !lo->layer || !lo->edges) goto out;
    lo->n_nodes = n;
    lo->n_edges = ne;
    if (tui_lg_build(&g, nodes, edges, n, ne) || tui_lg_order(&g)) goto out;
    geo.ys = calloc((size_t)g.nl + 1, sizeof *geo.ys);
    if (!geo.ys) goto out;
    int t = choose(&g, nodes, &geo, rows, cols);
    if (t < 0) goto out;
    const Mode *m = &MODES[TRIES[t].mode];
    if (geometry(&g, nodes, m, TRIES[t].spine, &geo)) goto out;
    lo->mode = m->mode;
    lo->n_layers = g.nl;
    lo->canvas_w = imax(geo.cw, cols);
    lo->canvas_h = imax(geo.ch, rows);
    int dx = (lo->canvas_w - geo.cw) / 2;
    lo->spine_x = g.spine_x >= 0 ? g.spine_x + dx : -1;
    if (emit(lo, &g, &geo, m, edges, ne, dx)) goto out;
    rc = 0;
out:
    free(geo.ys);
    tui_lg_free(&g);
    if (rc) tui_layout_free(lo);
    return rc;
}

void tui_layout_free(TuiLayout *lo) {
    for (int e = 0; lo->edges && e < lo->n_edges; e++) free(lo->edges[e].pts);
    free(lo->boxes);
    free(lo->layer);
    free(lo->edges);
    memset(lo, 0, sizeof *lo);
}

void tui_layout_scroll_to(const TuiLayout *lo, int node, int vw, int vh, int *sx, int *sy) {
    if (node >= 0 && node < lo->n_nodes) {
        TuiRect r = lo->boxes[node];
        /* context: the arrows in and out, the ends of the boxes they join */
        int my = imin(4, imax(0, (vh - r.h) / 2)), mx = imin(2, imax(0, (vw - r.w) / 2));
        if (r.x - mx < *sx) *sx = r.x - mx;
        if (r.x + r.w + mx > *sx + vw) *sx = r.x + r.w + mx - vw;
        if (r.y - my < *sy) *sy = r.y - my;
        if (r.y + r.h + my > *sy + vh) *sy = r.y + r.h + my - vh;
    }
    *sx = imax(0, imin(*sx, lo->canvas_w - vw));
    *sy = imax(0, imin(*sy, lo->canvas_h - vh));
}

int tui_layout_hit(const TuiLayout *lo, int x, int y) {
    for (int i = 0; i < lo->n_nodes; i++) {
        TuiRect r = lo->boxes[i];
        if (x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h) return i;
    }
    return -1;
}

int tui_layout_neighbor(const TuiLayout *lo, int node, int dx, int dy) {
    if (node < 0 || node >= lo->n_nodes) return lo->n_nodes ? 0 : -1;
    TuiRect a = lo->boxes[node];
    int ax = a.x + a.w / 2, ay = a.y + a.h / 2, best = node;
    long best_d = 0;
    /* boxes within 45 degrees of the direction first (left from an eval
     * beside its model is that model, not the box below), then any ahead */
    for (int cone = 1; cone >= 0 && best == node; cone--)
        for (int i = 0; i < lo->n_nodes; i++) {
            if (i == node) continue;
            TuiRect b = lo->boxes[i];
            int bx = b.x + b.w / 2, by = b.y + b.h / 2;
            long along = (long)(bx - ax) * dx + (long)(by - ay) * dy;
            long across = dx ? labs((long)(by - ay)) : labs((long)(bx - ax));
            /* rows are about twice as tall as columns are wide */
            long seen = dx ? 2 * across : across / 2;
            if (along <= 0 || (cone && seen > along)) continue;
            /* prefer boxes straight ahead: sideways distance counts double */
            long d = along + 2 * across;
            if (best == node || d < best_d) best = i, best_d = d;
        }
    return best;
}
