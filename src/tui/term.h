#ifndef R1SIM_TUI_TERM_H
#define R1SIM_TUI_TERM_H

#include <signal.h>
#include <stdbool.h>

#include "tui/canvas.h"

/* The terminal, and the only file that includes curses. It owns the screen
 * between tui_term_open and tui_term_close and promises to give it back sane:
 * on a normal close, on exit() (atexit), and on SIGSEGV/SIGBUS/SIGABRT/SIGFPE,
 * whose handler restores the terminal and re-raises. SIGINT, SIGTERM and SIGHUP
 * only set tui_term_quit_requested, which the loop reads; resizes arrive as
 * TUI_KEY_RESIZE (ncurses' own SIGWINCH handler, which also only sets a flag). */

enum {
    TUI_KEY_NONE = -1,
    TUI_KEY_UP = 0x10000,
    TUI_KEY_DOWN,
    TUI_KEY_LEFT,
    TUI_KEY_RIGHT,
    TUI_KEY_TAB,
    TUI_KEY_BTAB,
    TUI_KEY_ENTER,
    TUI_KEY_ESC,
    TUI_KEY_PGUP,
    TUI_KEY_PGDN,
    TUI_KEY_HOME,
    TUI_KEY_END,
    TUI_KEY_RESIZE,
    TUI_KEY_MOUSE, /* a left click at (x, y) */
    TUI_KEY_BACKSPACE,
};

typedef struct {
    int key; /* a character or TUI_KEY_* */
    int x, y;
} TuiKey;

typedef struct {
    bool ascii;             /* force ASCII glyphs even in a UTF-8 locale */
    bool mono;              /* force monochrome even without NO_COLOR */
    const char *stderr_log; /* where stderr goes while curses owns the screen;
                               NULL: an anonymous temporary file */
} TuiTermOptions;

typedef struct {
    bool utf8, color;
    const TuiGlyphs *glyphs;
    const TuiTheme *theme;
} TuiTermInfo;

extern volatile sig_atomic_t tui_term_quit_requested;

/* Fails (-1, message in err) when stdin/stdout is not a terminal or curses
 * cannot start; the terminal is then untouched. */
int tui_term_open(const TuiTermOptions *opt, TuiTermInfo *info, char *err, size_t errcap);
/* Idempotent. Puts stderr back and replays what was written to it meanwhile. */
void tui_term_close(void);
void tui_term_size(int *cols, int *rows);
/* Waits up to timeout_ms for a key; TUI_KEY_NONE on timeout. */
TuiKey tui_term_key(int timeout_ms);
/* Copies rows [y0, y1) of a screen-sized canvas to the screen and refreshes. */
void tui_term_blit(const TuiCanvas *c, int y0, int y1);

/* Pure helper for tests: is this locale codeset UTF-8? */
bool tui_term_codeset_is_utf8(const char *codeset);

#endif
