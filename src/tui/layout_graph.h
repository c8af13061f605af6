#ifndef R1SIM_TUI_LAYOUT_GRAPH_H
#define R1SIM_TUI_LAYOUT_GRAPH_H

/* Private to layout*.c: the layered graph the layout works on. */

#include "tui/layout.h"

#define HGAP 2     /* columns between neighbours in a layer */
#define SIDE_GAP 3 /* columns between a box and a report beside it: "──▶" */

/* Working graph: items are the real nodes followed by one-column waypoints
 * ("dummies") that carry an edge through each layer it skips, so that every
 * segment joins two adjacent layers and routing only ever looks at one gap.
 * Reports drawn beside their input are real nodes but not items of any layer:
 * their host's item is widened by lw/rw to hold them. */
typedef struct {
    int u, v;   /* items, layer(v) == layer(u) + 1 */
    int edge;   /* input edge this segment belongs to */
    int xs, xt; /* port columns on u's bottom and v's top */
    int track;  /* horizontal track in the gap, -1 when straight */
    int spine;  /* part of a spine edge */
} Seg;

typedef struct {
    int n, ni, nl, ns;
    int *layer, *pos, *w, *x;   /* per item (x: left border of the box itself) */
    int *lw, *rw;               /* per item: columns the reports beside it take, gap included */
    unsigned char *on_spine;    /* per item */
    int *lay_start, *lay_items; /* items of layer k: lay_items[lay_start[k] .. lay_start[k+1]) */
    Seg *seg;
    int *chain_start; /* segments of input edge e: seg[chain_start[e] .. chain_start[e+1]) */
    int *gap_tracks;  /* per layer gap */
    int n_input_edges;
    int *edge_ok;             /* per input edge: drawn (in range, no self loop, no cycle) */
    unsigned char *edge_side; /* per input edge: into a report beside its source */
    int *host, *side;         /* per node: the box it sits beside (-1 none); -1 left, +1 right */
    int *spine;               /* per layer: the spine's item there, -1 */
    int use_spine;            /* spine items keep one column (else placed like the rest) */
    int spine_x;              /* that column, -1 */
} Graph;

static inline int imax(int a, int b) {
    return a > b ? a : b;
}
static inline int imin(int a, int b) {
    return a < b ? a : b;
}

/* Side reports, layers (longest path), waypoints, segments and the spine; drops
 * self loops, bad indices and the edges that close cycles. 0, or -1 on
 * allocation failure. */
int tui_lg_build(Graph *g, const TuiLayoutNode *nodes, const TuiLayoutEdge *edges, int n, int ne);
/* Barycenter sweeps over the order inside each layer, keeping the best seen. */
int tui_lg_order(Graph *g);
void tui_lg_free(Graph *g);

/* Columns (g->x) for widths g->w, g->lw, g->rw: returns the canvas width. */
int tui_lg_place_x(Graph *g);
/* Ports and tracks of every segment; g->gap_tracks. -1 on allocation failure. */
int tui_lg_route(Graph *g, int width);

#endif
