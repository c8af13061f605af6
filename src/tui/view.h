#ifndef R1SIM_TUI_VIEW_H
#define R1SIM_TUI_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/canvas.h"
#include "tui/layout.h"
#include "tui/model.h"
#include "tui/optedit.h"
#include "tui/term.h"

/* The live view: state, key handling and screen composition, all without
 * curses so that tests can drive it with a fake TuiSource and read the canvas;
 * tui_view_run adds the terminal (term.c) and the loop.
 *
 * Screen: a status bar, the flowchart (scrolled to keep the selection in view)
 * with charts and the newest sample of the selected stage beside it when the
 * terminal is at least 100 columns wide, a log line, a key bar. Enter opens the
 * selected stage's detail, e the eval table, p the pass@k curves of every
 * eval (pass@k and maj@k against k), i the step inspector of a GRPO stage
 * (inspect.h), ? the help overlay. In the
 * detail, up/down walk the stage's options and enter edits one (before the
 * stage starts); left/right and tab move to other stages.
 *
 * R1SIM_KEYLOG=FILE makes tui_view_run append one line per key, the time from
 * reading the key to the screen refresh showing its effect. */

enum { TUI_MIN_COLS = 80, TUI_MIN_ROWS = 24, TUI_SIDE_MIN_COLS = 100 };

typedef enum {
    TUI_SCREEN_FLOW,
    TUI_SCREEN_DETAIL,
    TUI_SCREEN_EVAL,
    TUI_SCREEN_CURVES,
    TUI_SCREEN_TIME,
    TUI_SCREEN_INSPECT,
} TuiScreen;

enum {
    TUI_DIRTY_STATUS = 1, /* status and key bars */
    TUI_DIRTY_MAIN = 2,   /* flowchart, side panel, detail, overlays */
    TUI_DIRTY_LOG = 4,
    TUI_DIRTY_ALL = 7,
};

typedef struct {
    TuiSource src;
    TuiModel model;
    int selected;
    bool follow; /* the selection follows the running stage (tui_view_run sets it) */
    bool pinned; /* ... until the user picks a stage */
    TuiScreen screen;
    bool help, confirm, quit;
    int w, h;
    TuiLayout layout;
    bool have_layout;
    unsigned layout_gen;
    int layout_w, layout_h;
    int sx, sy;   /* flowchart scroll offset */
    TuiRect flow; /* flowchart area on screen, for mouse clicks */
    unsigned seen_data, seen_graph;
    bool polled;
    unsigned dirty;
    TuiOptEdit edit; /* the detail screen's options list */
    TuiInspect inspect;
    bool mono; /* the terminal shows attributes only (NO_COLOR, no colours) */
} TuiView;

void tui_view_init(TuiView *v, TuiSource src);
void tui_view_free(TuiView *v);
void tui_view_resize(TuiView *v, int w, int h);
/* Takes a snapshot; marks what changed dirty. */
void tui_view_poll(TuiView *v);
void tui_view_key(TuiView *v, TuiKey k);
/* Draws what is dirty into c (w x h, kept between calls) and clears the dirty
 * flags; returns them, so the caller copies only those rows to the screen. */
unsigned tui_view_render(TuiView *v, TuiCanvas *c);
/* Rows [*y0, *y1) that a dirty mask covers. */
void tui_view_dirty_rows(const TuiView *v, unsigned dirty, int *y0, int *y1);

/* The terminal loop: returns 0 after q (or SIGINT/SIGTERM), having sent
 * TUI_CMD_QUIT; -1 with a message when there is no usable terminal, so the
 * caller can fall back to headless mode. */
int tui_view_run(TuiSource src, const TuiTermOptions *opt, char *err, size_t errcap);

#endif
