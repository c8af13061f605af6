#ifndef R1SIM_TUI_LAYOUT_H
#define R1SIM_TUI_LAYOUT_H

/* The flowchart's geometry as a pure function of (graph, rows, cols), so that it
 * can be tested across terminal sizes without a terminal.
 *
 * Stages are laid out in layers from the top, like the paper's figures: a stage's
 * layer is its longest path from a source; edges that skip layers pass through
 * one-column waypoints in the layers between; the order inside each layer comes
 * from barycenter sweeps that reduce crossings. Edges are orthogonal polylines
 * that leave the bottom border of their source, run along a horizontal track in
 * the gap between two layers, and enter the top border of their target; no point
 * of one lies inside a box other than its own two ends.
 *
 * When the graph does not fit the area, boxes get fewer lines (full → compact →
 * tiny) and narrower; when even tiny boxes do not fit, the canvas is larger than
 * the area and the view scrolls it (tui_layout_scroll_to). */

typedef struct {
    const char *name;
    const char *kind;
    int text_w; /* widest other line the box must show (headline), 0 if unknown */
} TuiLayoutNode;

typedef struct {
    int from, to; /* node indices; self loops and out-of-range ends are ignored */
} TuiLayoutEdge;

typedef struct {
    int x, y, w, h;
} TuiRect;

typedef struct {
    int x, y;
} TuiPoint;

typedef enum {
    TUI_BOX_FULL,    /* name, kind + state, progress bar, headline */
    TUI_BOX_COMPACT, /* name + state, bar + headline */
    TUI_BOX_TINY,    /* state glyph + name */
} TuiBoxMode;

enum { TUI_BOX_H_FULL = 6, TUI_BOX_H_COMPACT = 4, TUI_BOX_H_TINY = 3 };

typedef struct {
    int from, to;  /* -1 when the edge was dropped (bad index, self loop, cycle) */
    int npts;      /* corners including both ends, >= 2 when drawn */
    TuiPoint *pts; /* pts[0] on the source's bottom border, pts[npts-1] on the
                      target's top border; consecutive points share x or y */
} TuiLayoutPath;

typedef struct {
    int n_nodes, n_edges;
    TuiRect *boxes;         /* one per node, in canvas coordinates */
    int *layer;             /* one per node */
    TuiLayoutPath *edges;   /* one per input edge, same order */
    int canvas_w, canvas_h; /* >= the area given; larger means scroll */
    TuiBoxMode mode;
    int n_layers;
} TuiLayout;

/* 0 on success, -1 on allocation failure (lo is then empty and safe to free).
 * Cycles are broken by dropping the edges that close them. */
int tui_layout(TuiLayout *lo, const TuiLayoutNode *nodes, int n_nodes, const TuiLayoutEdge *edges,
               int n_edges, int rows, int cols);
void tui_layout_free(TuiLayout *lo);

/* Adjusts a scroll offset (*sx,*sy) so that box `node` is inside a view of
 * view_w x view_h, and the offset stays within the canvas. */
void tui_layout_scroll_to(const TuiLayout *lo, int node, int view_w, int view_h, int *sx, int *sy);

/* Index of the box containing canvas point (x, y), or -1. */
int tui_layout_hit(const TuiLayout *lo, int x, int y);

/* The nearest box from `node` in a direction (dx,dy one of -1/0/1), for arrow
 * keys; returns node itself when there is none. */
int tui_layout_neighbor(const TuiLayout *lo, int node, int dx, int dy);

#endif
