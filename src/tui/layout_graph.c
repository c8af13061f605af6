#include "tui/layout_graph.h"

#include <stdlib.h>
#include <string.h>

/* ---- layering ---------------------------------------------------------- */

/* Depth-first search that drops back edges, so a cyclic script still draws. */
static void dfs(int v, const TuiLayoutEdge *edges, int ne, int *color, int *edge_ok, int *post,
                int *np) {
    color[v] = 1;
    for (int e = 0; e < ne; e++) {
        if (!edge_ok[e] || edges[e].from != v) continue;
        int t = edges[e].to;
        if (color[t] == 1)
            edge_ok[e] = 0;
        else if (color[t] == 0)
            dfs(t, edges, ne, color, edge_ok, post, np);
    }
    color[v] = 2;
    post[(*np)++] = v;
}

int tui_lg_build(Graph *g, const TuiLayoutEdge *edges, int n, int ne) {
    int *color = calloc((size_t)n + 1, sizeof *color);
    int *post = calloc((size_t)n + 1, sizeof *post);
    g->edge_ok = calloc((size_t)ne + 1, sizeof *g->edge_ok);
    g->layer = NULL;
    if (!color || !post || !g->edge_ok) goto fail;
    for (int e = 0; e < ne; e++)
        g->edge_ok[e] = edges[e].from >= 0 && edges[e].from < n && edges[e].to >= 0 &&
                        edges[e].to < n && edges[e].from != edges[e].to;
    int np = 0;
    for (int v = 0; v < n; v++)
        if (!color[v]) dfs(v, edges, ne, color, g->edge_ok, post, &np);

    /* Longest path from the sources, in topological order (reverse post-order). */
    int *lay = calloc((size_t)n + 1, sizeof *lay);
    if (!lay) goto fail;
    for (int i = np - 1; i >= 0; i--) {
        int v = post[i];
        for (int e = 0; e < ne; e++)
            if (g->edge_ok[e] && edges[e].from == v)
                lay[edges[e].to] = imax(lay[edges[e].to], lay[v] + 1);
    }
    int nd = 0, ns = 0;
    g->nl = n ? 1 : 0;
    for (int v = 0; v < n; v++) g->nl = imax(g->nl, lay[v] + 1);
    for (int e = 0; e < ne; e++)
        if (g->edge_ok[e]) {
            int span = lay[edges[e].to] - lay[edges[e].from];
            nd += span - 1;
            ns += span;
        }
    g->n = n;
    g->ni = n + nd;
    g->ns = ns;
    size_t ni = (size_t)g->ni + 1;
    g->layer = calloc(ni, sizeof *g->layer);
    if (g->layer) memcpy(g->layer, lay, (size_t)n * sizeof *lay);
    free(lay);
    if (!g->layer) goto fail;
    g->pos = calloc(ni, sizeof *g->pos);
    g->w = calloc(ni, sizeof *g->w);
    g->x = calloc(ni, sizeof *g->x);
    g->lay_start = calloc((size_t)g->nl + 2, sizeof *g->lay_start);
    g->lay_items = calloc(ni, sizeof *g->lay_items);
    g->seg = calloc((size_t)ns + 1, sizeof *g->seg);
    g->chain_start = calloc((size_t)ne + 1, sizeof *g->chain_start);
    g->gap_tracks = calloc((size_t)g->nl + 1, sizeof *g->gap_tracks);
    if (!g->pos || !g->w || !g->x || !g->lay_start || !g->lay_items || !g->seg || !g->chain_start ||
        !g->gap_tracks)
        goto fail;

    int item = n, s = 0;
    for (int e = 0; e < ne; e++) {
        g->chain_start[e] = s;
        if (!g->edge_ok[e]) continue;
        int prev = edges[e].from;
        for (int k = g->layer[edges[e].from] + 1; k <= g->layer[edges[e].to]; k++) {
            int next = k == g->layer[edges[e].to] ? edges[e].to : item++;
            if (next >= n) g->layer[next] = k;
            g->seg[s++] = (Seg){.u = prev, .v = next, .edge = e, .track = -1};
            prev = next;
        }
    }
    g->chain_start[ne] = s;
    g->n_input_edges = ne;

    /* Initial order inside each layer: real nodes by index, then waypoints. */
    for (int i = 0; i < g->ni; i++) g->lay_start[g->layer[i] + 1]++;
    for (int k = 0; k < g->nl; k++) g->lay_start[k + 1] += g->lay_start[k];
    int *fill = calloc((size_t)g->nl + 1, sizeof *fill);
    if (!fill) goto fail;
    for (int i = 0; i < g->ni; i++) {
        int k = g->layer[i];
        g->pos[i] = fill[k];
        g->lay_items[g->lay_start[k] + fill[k]++] = i;
    }
    free(fill);
    free(color);
    free(post);
    return 0;
fail:
    free(color);
    free(post);
    return -1;
}

void tui_lg_free(Graph *g) {
    free(g->layer);
    free(g->pos);
    free(g->w);
    free(g->x);
    free(g->lay_start);
    free(g->lay_items);
    free(g->seg);
    free(g->chain_start);
    free(g->gap_tracks);
    free(g->edge_ok);
}

/* ---- crossing reduction ------------------------------------------------ */

static long crossings(const Graph *g) {
    long c = 0;
    for (int a = 0; a < g->ns; a++)
        for (int b = a + 1; b < g->ns; b++) {
            const Seg *p = &g->seg[a], *q = &g->seg[b];
            if (g->layer[p->u] != g->layer[q->u]) continue;
            long du = g->pos[p->u] - g->pos[q->u], dv = g->pos[p->v] - g->pos[q->v];
            c += du * dv < 0;
        }
    return c;
}

/* Reorders layer k by the mean position of each item's neighbours in the layer
 * above (down = 1) or below; items without such neighbours keep their place. */
static void barycenter(Graph *g, int k, int down, double *key) {
    int a = g->lay_start[k], b = g->lay_start[k + 1];
    for (int i = a; i < b; i++) {
        int it = g->lay_items[i];
        double sum = 0;
        int cnt = 0;
        for (int s = 0; s < g->ns; s++) {
            const Seg *sg = &g->seg[s];
            if (down && sg->v == it) sum += g->pos[sg->u], cnt++;
            if (!down && sg->u == it) sum += g->pos[sg->v], cnt++;
        }
        key[it] = cnt ? sum / cnt : g->pos[it];
    }
    for (int i = a + 1; i < b; i++) { /* stable insertion sort */
        int it = g->lay_items[i], j = i;
        while (j > a && key[g->lay_items[j - 1]] > key[it]) {
            g->lay_items[j] = g->lay_items[j - 1];
            j--;
        }
        g->lay_items[j] = it;
    }
    for (int i = a; i < b; i++) g->pos[g->lay_items[i]] = i - a;
}

int tui_lg_order(Graph *g) {
    double *key = calloc((size_t)g->ni + 1, sizeof *key);
    int *best = malloc(((size_t)g->ni + 1) * sizeof *best);
    if (!key || !best) {
        free(key);
        free(best);
        return -1;
    }
    memcpy(best, g->lay_items, (size_t)g->ni * sizeof *best);
    long best_c = crossings(g);
    for (int iter = 0; iter < 8 && best_c > 0; iter++) {
        for (int k = 1; k < g->nl; k++) barycenter(g, k, 1, key);
        for (int k = g->nl - 2; k >= 0; k--) barycenter(g, k, 0, key);
        long c = crossings(g);
        if (c < best_c) {
            best_c = c;
            memcpy(best, g->lay_items, (size_t)g->ni * sizeof *best);
        }
    }
    memcpy(g->lay_items, best, (size_t)g->ni * sizeof *best);
    for (int k = 0; k < g->nl; k++)
        for (int i = g->lay_start[k]; i < g->lay_start[k + 1]; i++)
            g->pos[g->lay_items[i]] = i - g->lay_start[k];
    free(key);
    free(best);
    return 0;
}
