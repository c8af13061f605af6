#ifndef R1SIM_TUI_LAYOUT_GRAPH_H
#define R1SIM_TUI_LAYOUT_GRAPH_H

/* Private to layout.c and layout_graph.c: the layered graph the layout works on. */

#include "tui/layout.h"

/* Working graph: items are the real nodes followed by one-column waypoints
 * ("dummies") that carry an edge through each layer it skips, so that every
 * segment joins two adjacent layers and routing only ever looks at one gap. */
typedef struct {
    int u, v;   /* items, layer(v) == layer(u) + 1 */
    int edge;   /* input edge this segment belongs to */
    int xs, xt; /* port columns on u's bottom and v's top */
    int track;  /* horizontal track in the gap, -1 when straight */
} Seg;

typedef struct {
    int n, ni, nl, ns;
    int *layer, *pos, *w, *x;   /* per item */
    int *lay_start, *lay_items; /* items of layer k: lay_items[lay_start[k] .. lay_start[k+1]) */
    Seg *seg;
    int *chain_start; /* segments of input edge e: seg[chain_start[e] .. chain_start[e+1]) */
    int *gap_tracks;  /* per layer gap */
    int n_input_edges;
    int *edge_ok;
} Graph;

static inline int imax(int a, int b) {
    return a > b ? a : b;
}
static inline int imin(int a, int b) {
    return a < b ? a : b;
}

/* Layers (longest path), waypoints and segments; drops self loops, bad indices
 * and the edges that close cycles. 0, or -1 on allocation failure. */
int tui_lg_build(Graph *g, const TuiLayoutEdge *edges, int n, int ne);
/* Barycenter sweeps over the order inside each layer, keeping the best seen. */
int tui_lg_order(Graph *g);
void tui_lg_free(Graph *g);

#endif
