#include "tui/layout_graph.h"

/* Columns for the items of each layer: the spine first, in one column, then
 * everything else pulled towards the mean of its neighbours without changing
 * the order the crossing reduction chose. An item takes its box plus the
 * reports beside it: [x - lw, x + w + rw). */

static int left_end(const Graph *g, int it) {
    return g->x[it] - g->lw[it];
}

static int right_end(const Graph *g, int it) { /* one past */
    return g->x[it] + g->w[it] + g->rw[it];
}

static int extent(const Graph *g, int it) {
    return g->lw[it] + g->w[it] + g->rw[it];
}

static int pinned(const Graph *g, int it) {
    return g->use_spine && g->on_spine[it];
}

static double center(const Graph *g, int it) {
    return g->x[it] + (g->w[it] - 1) / 2.0;
}

/* Keeps the order of layer k, at least HGAP apart, within [0, width); the
 * spine's item does not move, the rest make room around it. */
static void resolve(Graph *g, int k, int width) {
    int a = g->lay_start[k], b = g->lay_start[k + 1];
    for (int i = a; i < b; i++) {
        int it = g->lay_items[i];
        int lo = i == a ? 0 : right_end(g, g->lay_items[i - 1]) + HGAP;
        if (!pinned(g, it)) g->x[it] = imax(g->x[it], lo + g->lw[it]);
    }
    for (int i = b - 1; i >= a; i--) {
        int it = g->lay_items[i];
        int hi = i == b - 1 ? width : left_end(g, g->lay_items[i + 1]) - HGAP;
        if (!pinned(g, it)) g->x[it] = imin(g->x[it], hi - g->w[it] - g->rw[it]);
    }
}

static void align(Graph *g, int k, int down, int width) {
    for (int i = g->lay_start[k]; i < g->lay_start[k + 1]; i++) {
        int it = g->lay_items[i];
        if (pinned(g, it)) continue;
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

/* Can item `it` move to column x without leaving its place in the layer? */
static int fits(const Graph *g, int it, int x, int width) {
    if (pinned(g, it)) return x == g->x[it];
    int k = g->layer[it], i = g->lay_start[k] + g->pos[it];
    int lo = i == g->lay_start[k] ? 0 : right_end(g, g->lay_items[i - 1]) + HGAP;
    int hi = i + 1 == g->lay_start[k + 1] ? width : left_end(g, g->lay_items[i + 1]) - HGAP;
    return x - g->lw[it] >= lo && x + g->w[it] + g->rw[it] <= hi;
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

/* The column of a lone port, as tui_lg_route will put it. */
static int lone_port(const Graph *g, int it, const Seg *s) {
    if (it >= g->n) return g->x[it];
    return g->x[it] + (s->spine && g->use_spine ? (g->w[it] - 1) / 2 : g->w[it] / 2);
}

/* A box fed only by a box that feeds only it goes right under it where its
 * layer has room (or the other way round), so the chain runs straight and
 * saves a track in the gap. Top down, so a longer chain follows its head. */
static void stack_chains(Graph *g, int width) {
    for (int k = 0; k + 1 < g->nl; k++)
        for (int s = 0; s < g->ns; s++) {
            const Seg *sg = &g->seg[s];
            if (g->layer[sg->u] != k) continue;
            int outs = 0, ins = 0;
            for (int o = 0; o < g->ns; o++)
                outs += g->seg[o].u == sg->u, ins += g->seg[o].v == sg->v;
            if (outs != 1 || ins != 1) continue;
            int want = g->x[sg->v] + lone_port(g, sg->u, sg) - lone_port(g, sg->v, sg);
            if (fits(g, sg->v, want, width)) {
                g->x[sg->v] = want;
                continue;
            }
            want = g->x[sg->u] + lone_port(g, sg->v, sg) - lone_port(g, sg->u, sg);
            if (fits(g, sg->u, want, width)) g->x[sg->u] = want;
        }
}

static int packed_width(const Graph *g, int k) {
    int wk = 0;
    for (int i = g->lay_start[k]; i < g->lay_start[k + 1]; i++)
        wk += extent(g, g->lay_items[i]) + (i > g->lay_start[k] ? HGAP : 0);
    return wk;
}

/* The spine's column: far enough right for the widest packing left of it in
 * any layer; returns the width the layers then need. */
static int spine_column(Graph *g, int *width) {
    int col = 0, right = 0;
    for (int k = 0; k < g->nl; k++) {
        int sp = g->spine[k];
        if (sp < 0) continue;
        int left = 0, i = g->lay_start[k];
        for (; g->lay_items[i] != sp; i++) left += extent(g, g->lay_items[i]) + HGAP;
        int r = 0;
        for (int j = i + 1; j < g->lay_start[k + 1]; j++) r += HGAP + extent(g, g->lay_items[j]);
        int half = (g->w[sp] - 1) / 2;
        col = imax(col, left + g->lw[sp] + half);
        right = imax(right, g->w[sp] - 1 - half + g->rw[sp] + r);
    }
    *width = imax(*width, col + right + 1);
    return col;
}

int tui_lg_place_x(Graph *g) {
    int width = 1;
    for (int k = 0; k < g->nl; k++) width = imax(width, packed_width(g, k));
    g->spine_x = g->use_spine ? spine_column(g, &width) : -1;
    for (int k = 0; k < g->nl; k++) {
        int a = g->lay_start[k], b = g->lay_start[k + 1], sp = g->use_spine ? g->spine[k] : -1;
        int x = (width - packed_width(g, k)) / 2;
        if (sp >= 0) {
            /* pack the layer tight around the spine's item */
            g->x[sp] = g->spine_x - (g->w[sp] - 1) / 2;
            x = left_end(g, sp);
            for (int i = a; g->lay_items[i] != sp; i++) x -= extent(g, g->lay_items[i]) + HGAP;
        }
        for (int i = a; i < b; i++) {
            int it = g->lay_items[i];
            if (it != sp) g->x[it] = x + g->lw[it];
            x += extent(g, it) + HGAP;
        }
    }
    for (int iter = 0; iter < 3; iter++) {
        for (int k = 1; k < g->nl; k++) align(g, k, 1, width);
        for (int k = g->nl - 2; k >= 0; k--) align(g, k, 0, width);
    }
    for (int k = 1; k < g->nl; k++) align(g, k, 1, width);
    straighten(g, width);
    stack_chains(g, width);
    return width;
}
