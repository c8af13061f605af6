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

static int core(const Graph *g, int e) {
    return g->edge_ok[e] && !g->edge_side[e];
}

/* A report whose every edge comes from one box, and that feeds nothing, is
 * drawn beside that box: the first to its right, a second to its left; more
 * would need a row the box does not have, so they get a layer as usual. */
static void find_side(Graph *g, const TuiLayoutNode *nodes, const TuiLayoutEdge *edges, int n,
                      int ne, int *count) {
    for (int v = 0; v < n; v++) {
        g->host[v] = -1;
        if (!nodes[v].report) continue;
        int h = -1, ok = 1;
        for (int e = 0; e < ne && ok; e++) {
            if (!g->edge_ok[e]) continue;
            if (edges[e].from == v) ok = 0;
            if (edges[e].to == v) {
                if (h >= 0 && h != edges[e].from) ok = 0;
                h = edges[e].from;
            }
        }
        if (!ok || h < 0 || count[h] >= 2) continue;
        g->host[v] = h;
        g->side[v] = count[h]++ ? -1 : 1;
        for (int e = 0; e < ne; e++)
            if (g->edge_ok[e] && edges[e].to == v) g->edge_side[e] = 1;
    }
}

/* Moves source v, with what only it feeds, down as one block to just above the
 * first stage that also takes something else, so a second base (a distilled
 * student's) and its own branch do not hang long edges from the top. */
static void sink_block(Graph *g, const TuiLayoutEdge *edges, int ne, const int *post, int np, int v,
                       int *lay, unsigned char *in) {
    memset(in, 0, (size_t)g->n);
    in[v] = 1;
    for (int i = np - 1; i >= 0; i--) { /* topological order: inputs first */
        int u = post[i], any = 0, all = 1;
        if (u == v) continue;
        for (int e = 0; e < ne; e++)
            if (core(g, e) && edges[e].to == u) any = 1, all &= in[edges[e].from];
        in[u] = (unsigned char)(any && all);
    }
    int down = -1;
    for (int e = 0; e < ne; e++)
        if (core(g, e) && in[edges[e].from] && !in[edges[e].to]) {
            int slack = lay[edges[e].to] - lay[edges[e].from] - 1;
            down = down < 0 ? slack : imin(down, slack);
        }
    for (int u = 0; down > 0 && u < g->n; u++)
        if (in[u]) lay[u] += down;
}

/* Longest path from the sources over the edges that take a layer, in
 * topological order (reverse post-order), then sink_block for each source. */
static void layer_nodes(Graph *g, const TuiLayoutEdge *edges, int ne, const int *post, int np,
                        int *lay, unsigned char *in) {
    for (int i = np - 1; i >= 0; i--) {
        int v = post[i];
        for (int e = 0; e < ne; e++)
            if (core(g, e) && edges[e].from == v)
                lay[edges[e].to] = imax(lay[edges[e].to], lay[v] + 1);
    }
    for (int v = 0; v < g->n; v++) {
        int source = g->host[v] < 0;
        for (int e = 0; e < ne && source; e++)
            if (core(g, e) && edges[e].to == v) source = 0;
        if (source) sink_block(g, edges, ne, post, np, v, lay, in);
    }
    for (int v = 0; v < g->n; v++)
        if (g->host[v] >= 0) lay[v] = lay[g->host[v]];
}

/* The spine (see layout.h): merges[v] counts the merges on the best path from
 * a source to v; the spine ends at the node with the most (the deepest among
 * equals) and is walked back through the input with the most, the one from
 * higher up among equals. */
static int find_spine(Graph *g, const TuiLayoutEdge *edges, int ne, const int *post, int np) {
    int n = g->n;
    int *merges = calloc((size_t)n + 1, sizeof *merges);
    int *via = calloc((size_t)n + 1, sizeof *via);
    if (!merges || !via) {
        free(merges);
        free(via);
        return -1;
    }
    for (int i = np - 1; i >= 0; i--) {
        int v = post[i], from = -1, best = 0;
        via[v] = -1;
        for (int e = 0; e < ne; e++) {
            if (!core(g, e) || edges[e].to != v) continue;
            int u = edges[e].from;
            if (from >= 0 && u != from) merges[v] = 1; /* two different inputs */
            from = u;
            if (via[v] < 0 || merges[u] > best ||
                (merges[u] == best && g->layer[u] < g->layer[edges[via[v]].from]))
                via[v] = e, best = merges[u];
        }
        if (via[v] >= 0) merges[v] += best;
    }
    int end = -1;
    for (int v = 0; v < n; v++) {
        if (g->host[v] >= 0) continue;
        if (end < 0 || merges[v] > merges[end] ||
            (merges[v] == merges[end] && g->layer[v] > g->layer[end]))
            end = v;
    }
    for (int v = end; v >= 0; v = via[v] >= 0 ? edges[via[v]].from : -1) {
        g->on_spine[v] = 1;
        g->spine[g->layer[v]] = v;
        if (via[v] < 0) break;
        for (int s = g->chain_start[via[v]]; s < g->chain_start[via[v] + 1]; s++) {
            g->seg[s].spine = 1;
            int it = g->seg[s].v;
            if (it >= n) {
                g->on_spine[it] = 1;
                g->spine[g->layer[it]] = it;
            }
        }
    }
    free(merges);
    free(via);
    return 0;
}

int tui_lg_build(Graph *g, const TuiLayoutNode *nodes, const TuiLayoutEdge *edges, int n, int ne) {
    int *color = calloc((size_t)n + 1, sizeof *color);
    int *post = calloc((size_t)n + 1, sizeof *post);
    int *count = calloc((size_t)n + 1, sizeof *count);
    int *lay = calloc((size_t)n + 1, sizeof *lay);
    unsigned char *block = calloc((size_t)n + 1, 1);
    g->edge_ok = calloc((size_t)ne + 1, sizeof *g->edge_ok);
    g->edge_side = calloc((size_t)ne + 1, sizeof *g->edge_side);
    g->host = calloc((size_t)n + 1, sizeof *g->host);
    g->side = calloc((size_t)n + 1, sizeof *g->side);
    g->layer = NULL;
    if (!color || !post || !count || !lay || !block || !g->edge_ok || !g->edge_side || !g->host ||
        !g->side)
        goto fail;
    for (int e = 0; e < ne; e++)
        g->edge_ok[e] = edges[e].from >= 0 && edges[e].from < n && edges[e].to >= 0 &&
                        edges[e].to < n && edges[e].from != edges[e].to;
    int np = 0;
    for (int v = 0; v < n; v++)
        if (!color[v]) dfs(v, edges, ne, color, g->edge_ok, post, &np);
    find_side(g, nodes, edges, n, ne, count);
    g->n = n;
    layer_nodes(g, edges, ne, post, np, lay, block);

    int nd = 0, ns = 0;
    g->nl = n ? 1 : 0;
    for (int v = 0; v < n; v++) g->nl = imax(g->nl, lay[v] + 1);
    for (int e = 0; e < ne; e++)
        if (core(g, e)) {
            int span = lay[edges[e].to] - lay[edges[e].from];
            nd += span - 1;
            ns += span;
        }
    g->n = n;
    g->ni = n + nd;
    g->ns = ns;
    size_t ni = (size_t)g->ni + 1;
    g->layer = calloc(ni, sizeof *g->layer);
    if (!g->layer) goto fail;
    memcpy(g->layer, lay, (size_t)n * sizeof *lay);
    g->pos = calloc(ni, sizeof *g->pos);
    g->w = calloc(ni, sizeof *g->w);
    g->x = calloc(ni, sizeof *g->x);
    g->lw = calloc(ni, sizeof *g->lw);
    g->rw = calloc(ni, sizeof *g->rw);
    g->on_spine = calloc(ni, 1);
    g->lay_start = calloc((size_t)g->nl + 2, sizeof *g->lay_start);
    g->lay_items = calloc(ni, sizeof *g->lay_items);
    g->seg = calloc((size_t)ns + 1, sizeof *g->seg);
    g->chain_start = calloc((size_t)ne + 1, sizeof *g->chain_start);
    g->gap_tracks = calloc((size_t)g->nl + 1, sizeof *g->gap_tracks);
    g->spine = malloc(((size_t)g->nl + 1) * sizeof *g->spine);
    if (!g->pos || !g->w || !g->x || !g->lw || !g->rw || !g->on_spine || !g->lay_start ||
        !g->lay_items || !g->seg || !g->chain_start || !g->gap_tracks || !g->spine)
        goto fail;
    for (int k = 0; k < g->nl; k++) g->spine[k] = -1;
    g->spine_x = -1;

    int item = n, s = 0;
    for (int e = 0; e < ne; e++) {
        g->chain_start[e] = s;
        if (!core(g, e)) continue;
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

    /* Initial order inside each layer: real nodes by index, then waypoints;
     * reports beside a box are in no layer. */
    for (int i = 0; i < g->ni; i++)
        if (i >= n || g->host[i] < 0) g->lay_start[g->layer[i] + 1]++;
    for (int k = 0; k < g->nl; k++) g->lay_start[k + 1] += g->lay_start[k];
    int *fill = calloc((size_t)g->nl + 1, sizeof *fill);
    if (!fill) goto fail;
    for (int i = 0; i < g->ni; i++) {
        if (i < n && g->host[i] >= 0) continue;
        int k = g->layer[i];
        g->pos[i] = fill[k];
        g->lay_items[g->lay_start[k] + fill[k]++] = i;
    }
    free(fill);
    if (find_spine(g, edges, ne, post, np)) goto fail;
    free(color);
    free(post);
    free(count);
    free(lay);
    free(block);
    return 0;
fail:
    free(color);
    free(post);
    free(count);
    free(lay);
    free(block);
    return -1;
}

void tui_lg_free(Graph *g) {
    free(g->layer);
    free(g->pos);
    free(g->w);
    free(g->x);
    free(g->lw);
    free(g->rw);
    free(g->on_spine);
    free(g->lay_start);
    free(g->lay_items);
    free(g->seg);
    free(g->chain_start);
    free(g->gap_tracks);
    free(g->edge_ok);
    free(g->edge_side);
    free(g->host);
    free(g->side);
    free(g->spine);
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
