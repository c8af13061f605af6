#include <stdlib.h>
#include <string.h>

#include "tui/layout_graph.h"

/* Where each segment leaves and enters a box (ports), and on which row of the
 * gap it turns (tracks). */

static double center(const Graph *g, int it) {
    return g->x[it] + (g->w[it] - 1) / 2.0;
}

static int seg_cmp_key(const Graph *g, const Seg *s, int out) {
    /* out ports are ordered by where they go, in ports by where they come from,
     * so the edges of one box do not cross each other */
    return out ? (int)(2 * center(g, s->v)) : (int)(2 * center(g, s->u));
}

/* The i-th of k ports spread evenly over columns [lo, hi]. */
static int spread(int lo, int hi, int i, int k) {
    int p = lo - 1 + (i + 1) * (hi - lo + 2) / (k + 1);
    return imax(lo, imin(hi, p));
}

/* Places the ports of item `it` on one side of its border, in the order of
 * the boxes at their other ends, so that the edges of one box do not cross;
 * waypoints have a single column. The spine's segment takes the box's middle
 * column, so the spine is one straight line, and the other ports go either
 * side of it. A port goes straight above or below the other end's column when
 * that is on the border and keeps the order (no turn, no track); else ports
 * spread evenly, moving off columns in `taken`, which ports of other edges use
 * in the same gap, because two edges sharing a column would read as one. */
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
    int mid = -1, lo = g->x[it] + 1, hi = g->x[it] + g->w[it] - 2,
        c = g->x[it] + (g->w[it] - 1) / 2;
    for (int i = 0; g->use_spine && it < g->n && i < k; i++)
        if (g->seg[idx[i]].spine) mid = i;
    int prev = lo - 1;
    for (int i = 0; i < k; i++) {
        Seg *s = &g->seg[idx[i]];
        int p, a = mid < 0 || i < mid ? lo : c + 1, b = mid < 0 || i > mid ? hi : c - 1;
        int left =
            mid < 0 || i > mid ? k - 1 - i : mid - 1 - i; /* ports still to place in [a, b] */
        int other = out ? (s->v >= g->n ? g->x[s->v] : -1) : s->xs;
        if (it >= g->n) {
            p = g->x[it];
        } else if (i == mid) {
            p = c;
        } else if (other > prev && other >= a && other <= b - left) {
            p = other;
        } else {
            if (mid < 0)
                p = spread(lo, hi, i, k);
            else if (i < mid)
                p = spread(lo, c - 1, i, mid);
            else
                p = spread(c + 1, hi, i - mid - 1, k - mid - 1);
            p = imax(p, imin(prev + 1, b));
            for (int d = 0; taken && d <= b - a; d++) {
                int c1 = p + d, c2 = p - d;
                if (c1 <= b && c1 < cw && (!taken[c1] || c1 == other)) {
                    p = c1;
                    break;
                }
                if (c2 >= a && c2 > prev && c2 < cw && (!taken[c2] || c2 == other)) {
                    p = c2;
                    break;
                }
            }
        }
        prev = p;
        if (out)
            s->xs = p;
        else
            s->xt = p;
    }
}

/* Interval colouring of the horizontal runs in each gap: runs on one track are
 * at least one blank cell apart. One more rule keeps two edges from sharing a
 * column: when A leaves at the column where B arrives, A turns on a track above
 * B's, so A's drop ends before B's begins. Returns the number of tracks, 0 when
 * every segment of the gap runs straight down. */
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
    return nt;
}

int tui_lg_route(Graph *g, int cw) {
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
    free(taken);
    return 0;
}
