#ifndef R1SIM_TUI_LAYOUT_H
#define R1SIM_TUI_LAYOUT_H

#include <stdbool.h>

/* The flowchart's geometry as a pure function of (graph, rows, cols), so that it
 * can be tested across terminal sizes without a terminal.
 *
 * Stages are laid out in layers from the top, like the paper's figures: a stage's
 * layer is its longest path from a source (a second source, such as a distilled
 * student's base, moves down with what only it feeds to just above its first
 * use);
 * edges that skip layers pass through one-column waypoints in the layers
 * between; the order inside each layer comes from barycenter sweeps that reduce
 * crossings. Edges are orthogonal polylines that leave the bottom border of their
 * source, run along a horizontal track in the gap between two layers, and enter
 * the top border of their target; no point of one lies inside a box other than
 * its own two ends.
 *
 * Two rules give the DeepSeek-R1 figure its shape. A report (an eval) with a
 * single input is drawn beside that input, in its layer, reached by a short
 * horizontal edge, so evaluating every model does not add a layer per model. And
 * one path, the spine, stands in a single column: the path through the most
 * merges (stages taking two or more stages' outputs, like a cold start on a
 * base and a dataset), which is the R1 chain; where two inputs tie it takes the
 * one from higher up, so a chain that branches off and rejoins through a merge
 * (R1-Zero and its samples) stays a side branch while the long edge from the
 * base is the spine.
 *
 * When the graph does not fit the area, boxes get fewer lines (full → compact →
 * tiny); when even tiny boxes do not fit, the canvas is taller than the area and
 * the view scrolls it (tui_layout_scroll_to); names are cut only when tiny boxes
 * at full width would not fit the width either. */

typedef struct {
    const char *name;
    const char *kind;
    int text_w;  /* widest other line the box must show (headline), 0 if unknown */
    bool report; /* makes nothing another stage takes (an eval): may sit beside its input */
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
    /* into a report beside its source: then pts is one run on the boxes'
     * first inner row, from the source's side border to the report's facing
     * side border */
    bool beside;
} TuiLayoutPath;

typedef struct {
    int n_nodes, n_edges;
    TuiRect *boxes;         /* one per node, in canvas coordinates */
    int *layer;             /* one per node */
    TuiLayoutPath *edges;   /* one per input edge, same order */
    int canvas_w, canvas_h; /* >= the area given; larger means scroll */
    TuiBoxMode mode;
    int n_layers;
    int spine_x; /* canvas column the spine stands in, -1 when it could not be kept */
} TuiLayout;

/* 0 on success, -1 on allocation failure (lo is then empty and safe to free).
 * Cycles are broken by dropping the edges that close them. */
int tui_layout(TuiLayout *lo, const TuiLayoutNode *nodes, int n_nodes, const TuiLayoutEdge *edges,
               int n_edges, int rows, int cols);
void tui_layout_free(TuiLayout *lo);

/* Adjusts a scroll offset (*sx,*sy) so that box `node` is inside a view of
 * view_w x view_h, with a few rows of context above and below where the view
 * has room (the edges in and out), and the offset stays within the canvas. */
void tui_layout_scroll_to(const TuiLayout *lo, int node, int view_w, int view_h, int *sx, int *sy);

/* Index of the box containing canvas point (x, y), or -1. */
int tui_layout_hit(const TuiLayout *lo, int x, int y);

/* The nearest box from `node` in a direction (dx,dy one of -1/0/1), for arrow
 * keys; returns node itself when there is none. */
int tui_layout_neighbor(const TuiLayout *lo, int node, int dx, int dy);

#endif
