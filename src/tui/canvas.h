#ifndef R1SIM_TUI_CANVAS_H
#define R1SIM_TUI_CANVAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A grid of cells that every renderer draws into, so that drawing can be tested
 * as text without a terminal; the curses view only copies a canvas to the screen.
 *
 * A cell holds either a code point or a set of line stubs (north/east/south/west).
 * Lines are kept as stubs rather than glyphs so that crossing and touching lines
 * (an edge leaving a box border, two edges crossing) resolve to the right junction
 * (┬ ┼ ├) whatever order they were drawn in. Text written over a cell wins. */

/* Semantic roles: renderers say what a cell means, the theme says how it looks. */
typedef enum {
    TUI_ROLE_DEFAULT,
    TUI_ROLE_BORDER,
    TUI_ROLE_EDGE,
    TUI_ROLE_EDGE_ACTIVE, /* edges into the running stage */
    TUI_ROLE_TITLE,
    TUI_ROLE_KIND,
    TUI_ROLE_WAITING,
    TUI_ROLE_RUNNING,
    TUI_ROLE_CACHED,
    TUI_ROLE_DONE,
    TUI_ROLE_FAILED,
    TUI_ROLE_SELECTED,
    TUI_ROLE_BAR_FILL,
    TUI_ROLE_BAR_EMPTY,
    TUI_ROLE_THINK,
    TUI_ROLE_ANSWER,
    TUI_ROLE_AXIS,
    TUI_ROLE_SERIES0,
    TUI_ROLE_SERIES1,
    TUI_ROLE_SERIES2,
    TUI_ROLE_SERIES3,
    TUI_ROLE_STATUS,
    TUI_ROLE_WARN,
    TUI_ROLE_DIM,
    TUI_ROLE_PUSH_UP,   /* the step inspector: a token the update reinforces */
    TUI_ROLE_PUSH_DOWN, /* ... suppresses */
    TUI_ROLE_CLIPPED,   /* ... whose ratio the clip held */
    TUI_ROLE_COUNT
} TuiRole;

enum { TUI_LINE_N = 1, TUI_LINE_E = 2, TUI_LINE_S = 4, TUI_LINE_W = 8 };

/* Glyph tables are chosen once at start-up (UTF-8 terminal or not). */
typedef struct {
    bool utf8;
    bool braille;       /* charts use 2x4 braille dots; else one point per cell */
    uint32_t lines[16]; /* indexed by N|E|S|W stub mask; corners rounded */
    uint32_t arrow_down, arrow_right, arrow_up, arrow_left;
    uint32_t bar_full, bar_empty;
    uint32_t bar_part[8]; /* eighths of a cell, [0] unused; ASCII has none */
    uint32_t state[5];    /* per TuiStageState: waiting running cached done failed */
    uint32_t point[4];    /* chart points when there is no braille */
    uint32_t ellipsis;
    uint32_t selected; /* marker before the selected box's name */
} TuiGlyphs;

extern const TuiGlyphs tui_glyphs_utf8;
extern const TuiGlyphs tui_glyphs_ascii;

enum { TUI_ATTR_BOLD = 1, TUI_ATTR_REVERSE = 2, TUI_ATTR_DIM = 4, TUI_ATTR_UNDERLINE = 8 };

/* Colours are the 8 curses colours (0..7), -1 the terminal's default. */
typedef struct {
    short fg, bg;
    uint8_t attr;
} TuiStyle;

typedef struct {
    const char *name;
    TuiStyle role[TUI_ROLE_COUNT];
} TuiTheme;

extern const TuiTheme tui_theme_color;
extern const TuiTheme tui_theme_mono; /* NO_COLOR: attributes only */

typedef struct {
    uint32_t ch;   /* 0: blank, or lines if any stub is set */
    uint8_t lines; /* TUI_LINE_* stubs */
    uint8_t role;  /* TuiRole */
    uint8_t attr;  /* TUI_ATTR_* added to the role's own style */
    uint8_t wide;  /* 1: second half of a double-width character */
} TuiCell;

typedef struct {
    int w, h;
    TuiCell *cells;
    /* Drawing outside [clip_x0, clip_x1) x [clip_y0, clip_y1) is dropped. */
    int clip_x0, clip_y0, clip_x1, clip_y1;
    const TuiGlyphs *g;
} TuiCanvas;

int tui_canvas_init(TuiCanvas *c, int w, int h, const TuiGlyphs *g);
int tui_canvas_resize(TuiCanvas *c, int w, int h);
void tui_canvas_free(TuiCanvas *c);
void tui_canvas_clear(TuiCanvas *c);
void tui_canvas_clip(TuiCanvas *c, int x, int y, int w, int h);
void tui_canvas_unclip(TuiCanvas *c);
void tui_canvas_fill(TuiCanvas *c, int x, int y, int w, int h, uint32_t ch, TuiRole role);

const TuiCell *tui_canvas_at(const TuiCanvas *c, int x, int y);
void tui_canvas_put(TuiCanvas *c, int x, int y, uint32_t ch, TuiRole role, uint8_t attr);
/* Recolours a cell without touching its content. */
void tui_canvas_style(TuiCanvas *c, int x, int y, TuiRole role, uint8_t attr);
/* Writes UTF-8 text on one row, at most maxw columns (<0: no limit); text cut
 * short ends with the ellipsis glyph. Returns the columns used. */
int tui_canvas_text(TuiCanvas *c, int x, int y, const char *utf8, int maxw, TuiRole role,
                    uint8_t attr);
/* printf into tui_canvas_text. */
int tui_canvas_printf(TuiCanvas *c, int x, int y, int maxw, TuiRole role, uint8_t attr,
                      const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Horizontal or vertical line from (x0,y0) to (x1,y1), as stubs; a polyline is
 * a chain of these. Stubs at the two ends point only inwards. */
void tui_canvas_line(TuiCanvas *c, int x0, int y0, int x1, int y1, TuiRole role);
void tui_canvas_box(TuiCanvas *c, int x, int y, int w, int h, TuiRole role);

/* The code point a cell shows: its character, its resolved line glyph, or ' '. */
uint32_t tui_canvas_glyph(const TuiCanvas *c, int x, int y);
/* Row y as UTF-8 (wide characters once); returns the bytes written. */
size_t tui_canvas_row_utf8(const TuiCanvas *c, int y, char *out, size_t cap);

/* UTF-8 helpers shared by the renderers. */
int tui_utf8_encode(uint32_t cp, char out[4]);
uint32_t tui_utf8_decode(const char **s); /* 0 at the end; U+FFFD on bad bytes */
int tui_cp_width(uint32_t cp);            /* 0, 1 or 2 columns */
int tui_text_width(const char *utf8);

#endif
