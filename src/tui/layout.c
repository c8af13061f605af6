#include "tui/layout.h"

#include <stdlib.h>
#include <string.h>

#include "tui/canvas.h"
#include "tui/layout_graph.h"

#define HGAP 2 /* columns between neighbours in a layer */
#define MARGIN 0

/* ---- geometry for one box mode ---------------------------------------- */

typedef struct {
    TuiBoxMode mode;
    int box_h, min_w, max_w;
} Mode;

static const Mode MODES[] = {
    {TUI_BOX_FULL, TUI_BOX_H_FULL, 14, 26},
    {TUI_BOX_COMPACT, TUI_BOX_H_COMPACT, 10, 20},
    {TUI_BOX_TINY, TUI_BOX_H_TINY, 8, 20},
    {TUI_BOX_TINY, TUI_BOX_H_TINY, 6, 12},
};
#define N_MODES ((int)(sizeof MODES / sizeof MODES[0]))
#define SCROLL_MODE 2 /* when nothing fits: tiny but legible, and scroll */

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
    return imin(imax(w, m->min_w), m->max_w);
}

static double center(const Graph *g, int it) {
    return g->x[it] + (g->w[it] - 1) / 2.0;
}

/* Keeps the order of layer k, at least HGAP apart, within [0, width). */
static void resolve(Graph *g, int k, int width) {
    int a = g->lay_start[k], b = g->lay_start[k + 1];
    for (int i = a; i < b; i++) {
        int it = g->lay_items[i];
        int lo = i == a ? 0 : g->x[g->lay_items[i - 1]] + g->w[g->lay_items[i - 1]] + HGAP;
        g->x[it] = imax(g->x[it], lo);
    }
    for (int i = b - 1; i >= a; i--) {
        int it = g->lay_items[i];
        int hi = i == b - 1 ? width - g->w[it] : g->x[g->lay_items[i + 1]] - HGAP - g->w[it];
        g->x[it] = imin(g->x[it], hi);
    }
}

static void align(Graph *g, int k, int down, int width) {
    for (int i = g->lay_start[k]; i < g->lay_start[k + 1]; i++) {
        int it = g->lay_items[i];
        double sum = 0;
        int cnt = 0;
        for (int s = 0; s < g->ns; s++) {
            const Seg *sg = &g->seg[s];
            if (down && sg->v == it) sum += center(g, sg->u), cnt++;
            if (!down && sg->u == it) sum += center(g, sg->v), cnt++;
        }
        if (cnt) g->x[it] = (int)(sum / cnt - (g->w[it] - 1) / 2.0 + 0.5);
    }
    resolve(g, k, width);
}

/* Can waypoint `it` move to column x without leaving its place in the layer? */
static int fits(const Graph *g, int it, int x, int width) {
    int k = g->layer[it], i = g->lay_start[k] + g->pos[it];
    int lo =
        i == g->lay_start[k] ? 0 : g->x[g->lay_items[i - 1]] + g->w[g->lay_items[i - 1]] + HGAP;
    int hi = i + 1 == g->lay_start[k + 1] ? width - 1 : g->x[g->lay_items[i + 1]] - HGAP - 1;
    return x >= lo && x <= hi;
}

/* Puts the waypoints of each long edge in one column where room allows, so the
 * edge runs straight down instead of zig-zagging, which would cost a track (a
 * row) in every gap it crosses. */
static void straighten(Graph *g, int width) {
    for (int e = 0; g->chain_start && e < g->n_input_edges; e++) {
        int a = g->chain_start[e], b = g->chain_start[e + 1];
        if (b - a < 2) continue;
        for (int cand = a; cand < b - 1; cand++) {
            int x = g->x[g->seg[cand].v], ok = 1;
            for (int s = a; s < b - 1 && ok; s++) ok = fits(g, g->seg[s].v, x, width);
            if (!ok) continue;
            for (int s = a; s < b - 1; s++) g->x[g->seg[s].v] = x;
            break;
        }
    }
}

static int place_x(Graph *g) {
    int width = 1;
    for (int k = 0; k < g->nl; k++) {
        int wk = 0;
        for (int i = g->lay_start[k]; i < g->lay_start[k + 1]; i++)
            wk += g->w[g->lay_items[i]] + (i > g->lay_start[k] ? HGAP : 0);
        width = imax(width, wk);
    }
    for (int k = 0; k < g->nl; k++) {
        int wk = 0;
        for (int i = g->lay_start[k]; i < g->lay_start[k + 1]; i++)
            wk += g->w[g->lay_items[i]] + (i > g->lay_start[k] ? HGAP : 0);
        int x = (width - wk) / 2;
        for (int i = g->lay_start[k]; i < g->lay_start[k + 1]; i++) {
            g->x[g->lay_items[i]] = x;
            x += g->w[g->lay_items[i]] + HGAP;
        }
    }
    for (int iter = 0; iter < 3; iter++) {
        for (int k = 1; k < g->nl; k++) align(g, k, 1, width);
        for (int k = g->nl - 2; k >= 0; k--) align(g, k, 0, width);
    }
    for (int k = 1; k < g->nl; k++) align(g, k, 1, width);
    straighten(g, width);
    return width;
}

static int seg_cmp_key(const Graph *g, const Seg *s, int out) {
    /* out ports are ordered by where they go, in ports by where they come from,
     * so the edges of one box do not cross each other */
    return out ? (int)(2 * center(g, s->v)) : (int)(2 * center(g, s->u));
}

/* Spreads the ports of item `it` on one side over its border; waypoints have a
 * single column. `taken` marks columns that ports of other edges already use in
 * the same gap, which a port moves away from when it can, because two edges
 * sharing a column in a gap would read as one line. */
static void assign_ports(Graph *g, int it, int out, const unsigned char *taken, int cw) {
    int idx[256], k = 0;
    for (int s = 0; s < g->ns && k < 256; s++)
        if ((out ? g->seg[s].u : g->seg[s].v) == it) idx[k++] = s;
    for (int i = 1; i < k; i++) {
        int t = idx[i], j = i;
        while (j > 0 &&
               seg_cmp_key(g, &g->seg[idx[j - 1]], out) > seg_cmp_key(g, &g->seg[t], out)) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = t;
    }
    for (int i = 0; i < k; i++) {
        Seg *s = &g->seg[idx[i]];
        int p;
        if (it >= g->n) {
            p = g->x[it];
        } else {
            int lo = g->x[it] + 1, hi = g->x[it] + g->w[it] - 2;
            p = g->x[it] + (i + 1) * g->w[it] / (k + 1);
            p = imax(lo, imin(hi, p));
            /* an edge may keep a column its own other end uses */
            int other = out ? (s->v >= g->n ? g->x[s->v] : -1) : s->xs;
            for (int d = 0; taken && d <= hi - lo; d++) {
                int c1 = p + d, c2 = p - d;
                if (c1 <= hi && c1 < cw && (!taken[c1] || c1 == other)) {
                    p = c1;
                    break;
                }
                if (c2 >= lo && c2 < cw && (!taken[c2] || c2 == other)) {
                    p = c2;
                    break;
                }
            }
        }
        if (out)
            s->xs = p;
        else
            s->xt = p;
    }
}

/* Interval colouring of the horizontal runs in each gap: runs on one track are
 * at least one blank cell apart. One more rule keeps two edges from sharing a
 * column: when A leaves at the column where B arrives, A turns on a track above
 * B's, so A's drop ends before B's begins. Returns the number of tracks (>= 1). */
static int assign_tracks(Graph *g, int k) {
    int nt = 0;
    for (;;) {
        int best = -1, best_lo = 0, best_ready = 0;
        for (int s = 0; s < g->ns; s++) {
            Seg *sg = &g->seg[s];
            if (g->layer[sg->u] != k || sg->xs == sg->xt || sg->track >= 0) continue;
            int ready = 1; /* every run that must lie above it is placed */
            for (int o = 0; o < g->ns && ready; o++) {
                const Seg *so = &g->seg[o];
                if (o != s && g->layer[so->u] == k && so->xs != so->xt && so->track < 0 &&
                    so->xs == sg->xt)
                    ready = 0;
            }
            int lo = imin(sg->xs, sg->xt);
            if (best < 0 || ready > best_ready || (ready == best_ready && lo < best_lo))
                best = s, best_lo = lo, best_ready = ready;
        }
        if (best < 0) break;
        Seg *sg = &g->seg[best];
        int lo = best_lo, hi = imax(sg->xs, sg->xt), t = 0;
        for (int o = 0; o < g->ns; o++) { /* below every run leaving where it arrives */
            const Seg *so = &g->seg[o];
            if (o != best && g->layer[so->u] == k && so->track >= 0 && so->xs == sg->xt)
                t = imax(t, so->track + 1);
        }
        for (int moved = 1; moved;) {
            moved = 0;
            for (int o = 0; o < g->ns; o++) {
                const Seg *so = &g->seg[o];
                if (o == best || g->layer[so->u] != k || so->track != t) continue;
                int olo = imin(so->xs, so->xt), ohi = imax(so->xs, so->xt);
                if (olo <= hi + 1 && lo <= ohi + 1) {
                    t++;
                    moved = 1;
                    break;
                }
            }
        }
        sg->track = t;
        nt = imax(nt, t + 1);
    }
    return imax(nt, 1);
}

typedef struct {
    int cw, ch; /* needed canvas size */
    int *ys;    /* top row of each layer */
} Geo;

static int geometry(Graph *g, const TuiLayoutNode *nodes, const Mode *m, Geo *geo) {
    for (int i = 0; i < g->ni; i++) g->w[i] = i < g->n ? box_width(&nodes[i], m) : 1;
    int cw = place_x(g);
    unsigned char *taken = calloc((size_t)cw + 1, 1);
    if (!taken) return -1;
    for (int s = 0; s < g->ns; s++) g->seg[s].track = -1;
    for (int k = 0; k < g->nl; k++) {
        /* waypoint columns first: they cannot move */
        memset(taken, 0, (size_t)cw);
        if (k + 1 < g->nl)
            for (int i = g->lay_start[k + 1]; i < g->lay_start[k + 2]; i++)
                if (g->lay_items[i] >= g->n) taken[g->x[g->lay_items[i]]] = 1;
        for (int i = g->lay_start[k]; i < g->lay_start[k + 1]; i++) {
            int it = g->lay_items[i];
            if (it >= g->n) {
                for (int s = 0; s < g->ns; s++)
                    if (g->seg[s].u == it) g->seg[s].xs = g->x[it];
                continue;
            }
            assign_ports(g, it, 1, taken, cw);
        }
        memset(taken, 0, (size_t)cw);
        for (int s = 0; s < g->ns; s++)
            if (g->layer[g->seg[s].u] == k) taken[g->seg[s].xs] = 1;
        if (k + 1 < g->nl)
            for (int i = g->lay_start[k + 1]; i < g->lay_start[k + 2]; i++)
                assign_ports(g, g->lay_items[i], 0, taken, cw);
        g->gap_tracks[k] = assign_tracks(g, k);
    }
    int y = MARGIN;
    for (int k = 0; k < g->nl; k++) {
        geo->ys[k] = y;
        y += m->box_h;
        if (k + 1 < g->nl) y += g->gap_tracks[k] + 1;
    }
    geo->cw = cw;
    geo->ch = y;
    free(taken);
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

static int emit(TuiLayout *lo, const Graph *g, const Geo *geo, const Mode *m,
                const TuiLayoutEdge *edges, int ne, int dx) {
    for (int i = 0; i < g->n; i++)
        lo->boxes[i] = (TuiRect){g->x[i] + dx, geo->ys[g->layer[i]], g->w[i], m->box_h};
    for (int i = 0; i < g->n; i++) lo->layer[i] = g->layer[i];
    for (int e = 0; e < ne; e++) {
        TuiLayoutPath *p = &lo->edges[e];
        p->from = g->edge_ok[e] ? edges[e].from : -1;
        p->to = g->edge_ok[e] ? edges[e].to : -1;
        p->npts = 0;
        int nseg = g->chain_start[e + 1] - g->chain_start[e];
        if (!nseg) continue;
        p->pts = malloc(sizeof *p->pts * (size_t)(4 * nseg));
        if (!p->pts) return -1;
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
    if (tui_lg_build(&g, edges, n, ne) || tui_lg_order(&g)) goto out;
    geo.ys = calloc((size_t)g.nl + 1, sizeof *geo.ys);
    if (!geo.ys) goto out;

    int pick = SCROLL_MODE;
    for (int mi = 0; mi < N_MODES; mi++) {
        if (geometry(&g, nodes, &MODES[mi], &geo)) goto out;
        if (geo.cw <= cols && geo.ch <= rows) {
            pick = mi;
            break;
        }
    }
    if (geometry(&g, nodes, &MODES[pick], &geo)) goto out;
    lo->mode = MODES[pick].mode;
    lo->n_layers = g.nl;
    lo->canvas_w = imax(geo.cw, cols);
    lo->canvas_h = imax(geo.ch, rows);
    if (emit(lo, &g, &geo, &MODES[pick], edges, ne, (lo->canvas_w - geo.cw) / 2)) goto out;
    rc = 0;
out:
    free(geo.ys);
    tui_lg_free(&g);
    if (rc) {
        tui_layout_free(lo);
    }
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
        if (r.x < *sx) *sx = r.x;
        if (r.x + r.w > *sx + vw) *sx = r.x + r.w - vw;
        if (r.y < *sy) *sy = r.y;
        if (r.y + r.h > *sy + vh) *sy = r.y + r.h - vh;
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
    for (int i = 0; i < lo->n_nodes; i++) {
        if (i == node) continue;
        TuiRect b = lo->boxes[i];
        int bx = b.x + b.w / 2, by = b.y + b.h / 2;
        long along = (long)(bx - ax) * dx + (long)(by - ay) * dy;
        if (along <= 0) continue;
        long across = dx ? labs((long)(by - ay)) : labs((long)(bx - ax));
        /* prefer boxes straight ahead: sideways distance counts double */
        long d = along + 2 * across;
        if (best == node || d < best_d) best = i, best_d = d;
    }
    return best;
}
