#define NCURSES_WIDECHAR 1
#include "tui/term.h"

#include <curses.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

volatile sig_atomic_t tui_term_quit_requested;

static volatile sig_atomic_t is_open;
static int saved_stderr = -1;
static FILE *parked; /* where stderr points while curses runs */
static bool utf8_out;
static const TuiTheme *theme;
static bool colors_on;
static struct sigaction old_act[7];
static const int QUIT_SIGS[] = {SIGINT, SIGTERM, SIGHUP};
static const int CRASH_SIGS[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE};

bool tui_term_codeset_is_utf8(const char *cs) {
    return cs && (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "UTF8"));
}

static void on_quit(int sig) {
    (void)sig;
    tui_term_quit_requested = 1;
}

/* endwin is not async-signal-safe, but after a crash the alternative is a
 * terminal left in raw mode with no echo; htop makes the same trade. */
static void on_crash(int sig) {
    if (is_open) {
        is_open = 0;
        endwin();
        if (saved_stderr >= 0) dup2(saved_stderr, 2);
        static const char msg[] = "r1sim: crashed; terminal restored\n";
        ssize_t rc = write(2, msg, sizeof msg - 1);
        (void)rc;
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_handlers(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_quit;
    for (int i = 0; i < 3; i++) sigaction(QUIT_SIGS[i], &sa, &old_act[i]);
    sa.sa_handler = on_crash;
    sa.sa_flags = SA_RESETHAND;
    for (int i = 0; i < 4; i++) sigaction(CRASH_SIGS[i], &sa, &old_act[3 + i]);
}

static void restore_handlers(void) {
    for (int i = 0; i < 3; i++) sigaction(QUIT_SIGS[i], &old_act[i], NULL);
    for (int i = 0; i < 4; i++) sigaction(CRASH_SIGS[i], &old_act[3 + i], NULL);
}

static void park_stderr(const char *path) {
    fflush(stderr);
    parked = path ? fopen(path, "w+") : tmpfile();
    if (!parked) return;
    saved_stderr = dup(2);
    if (saved_stderr < 0 || dup2(fileno(parked), 2) < 0) {
        fclose(parked);
        parked = NULL;
    }
}

static void unpark_stderr(void) {
    if (!parked) return;
    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
    saved_stderr = -1;
    /* replay: warnings written during the session are not lost */
    rewind(parked);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, parked)) > 0) fwrite(buf, 1, n, stderr);
    fclose(parked);
    parked = NULL;
}

static short curses_colour(short c) {
    return c; /* TuiStyle uses curses' numbering */
}

static void setup_colours(bool color) {
    if (!color) return;
    start_color();
    use_default_colors();
    for (int r = 0; r < TUI_ROLE_COUNT; r++)
        init_pair((short)(r + 1), curses_colour(theme->role[r].fg),
                  curses_colour(theme->role[r].bg));
}

int tui_term_open(const TuiTermOptions *opt, TuiTermInfo *info, char *err, size_t errcap) {
    TuiTermOptions none = {0};
    if (!opt) opt = &none;
    if (is_open) {
        snprintf(err, errcap, "terminal already open");
        return -1;
    }
    if (!isatty(0) || !isatty(1)) {
        snprintf(err, errcap, "not a terminal");
        return -1;
    }
    /* LC_CTYPE only: LC_NUMERIC would make printf write "0,5" into CSV files
     * in some locales */
    setlocale(LC_CTYPE, "");
    utf8_out = !opt->ascii && tui_term_codeset_is_utf8(nl_langinfo(CODESET));
    const char *nc = getenv("NO_COLOR");
    bool want_color = !opt->mono && !(nc && nc[0]);

    park_stderr(opt->stderr_log);
    if (!initscr()) {
        unpark_stderr();
        snprintf(err, errcap, "cannot start curses (TERM=%s)",
                 getenv("TERM") ? getenv("TERM") : "");
        return -1;
    }
    is_open = 1;
    bool color = want_color && has_colors();
    colors_on = color;
    theme = color ? &tui_theme_color : &tui_theme_mono;
    setup_colours(color);
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25); /* Esc must feel immediate, not wait for a sequence */
    mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED, NULL);
    mouseinterval(0);
    install_handlers();
    static bool registered;
    if (!registered) atexit(tui_term_close);
    registered = true;
    info->utf8 = utf8_out;
    info->color = color;
    info->glyphs = utf8_out ? &tui_glyphs_utf8 : &tui_glyphs_ascii;
    info->theme = theme;
    return 0;
}

void tui_term_close(void) {
    if (!is_open) return;
    is_open = 0;
    curs_set(1);
    endwin();
    restore_handlers();
    unpark_stderr();
}

void tui_term_size(int *cols, int *rows) {
    int y, x;
    getmaxyx(stdscr, y, x);
    *cols = x;
    *rows = y;
}

TuiKey tui_term_key(int timeout_ms) {
    TuiKey k = {TUI_KEY_NONE, 0, 0};
    timeout(timeout_ms);
    wint_t ch;
    int rc = get_wch(&ch);
    if (rc == ERR) return k;
    if (rc == KEY_CODE_YES) {
        switch (ch) {
        case KEY_UP:
            k.key = TUI_KEY_UP;
            break;
        case KEY_DOWN:
            k.key = TUI_KEY_DOWN;
            break;
        case KEY_LEFT:
            k.key = TUI_KEY_LEFT;
            break;
        case KEY_RIGHT:
            k.key = TUI_KEY_RIGHT;
            break;
        case KEY_BTAB:
            k.key = TUI_KEY_BTAB;
            break;
        case KEY_ENTER:
            k.key = TUI_KEY_ENTER;
            break;
        case KEY_PPAGE:
            k.key = TUI_KEY_PGUP;
            break;
        case KEY_NPAGE:
            k.key = TUI_KEY_PGDN;
            break;
        case KEY_HOME:
            k.key = TUI_KEY_HOME;
            break;
        case KEY_END:
            k.key = TUI_KEY_END;
            break;
        case KEY_RESIZE:
            k.key = TUI_KEY_RESIZE;
            break;
        case KEY_BACKSPACE:
        case KEY_DC:
            k.key = TUI_KEY_BACKSPACE;
            break;
        case KEY_MOUSE: {
            MEVENT ev;
            if (getmouse(&ev) == OK && (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED))) {
                k.key = TUI_KEY_MOUSE;
                k.x = ev.x;
                k.y = ev.y;
            }
            break;
        }
        default:
            break;
        }
        return k;
    }
    switch (ch) {
    case '\t':
        k.key = TUI_KEY_TAB;
        break;
    case '\r':
    case '\n':
        k.key = TUI_KEY_ENTER;
        break;
    case 27:
        k.key = TUI_KEY_ESC;
        break;
    case 8:
    case 127:
        k.key = TUI_KEY_BACKSPACE;
        break;
    default:
        k.key = (int)ch;
    }
    return k;
}

static attr_t curses_attr(uint8_t a) {
    attr_t r = A_NORMAL;
    if (a & TUI_ATTR_BOLD) r |= A_BOLD;
    if (a & TUI_ATTR_REVERSE) r |= A_REVERSE;
    if (a & TUI_ATTR_DIM) r |= A_DIM;
    if (a & TUI_ATTR_UNDERLINE) r |= A_UNDERLINE;
    return r;
}

void tui_term_blit(const TuiCanvas *c, int y0, int y1) {
    if (!is_open) return;
    int cols, rows;
    tui_term_size(&cols, &rows);
    for (int y = y0 < 0 ? 0 : y0; y < y1 && y < c->h && y < rows; y++)
        for (int x = 0; x < c->w && x < cols; x++) {
            const TuiCell *p = tui_canvas_at(c, x, y);
            if (p->wide) continue;
            uint32_t cp = tui_canvas_glyph(c, x, y);
            if (!utf8_out && cp > 0x7E) cp = '?';
            const TuiStyle *st = &theme->role[p->role < TUI_ROLE_COUNT ? p->role : 0];
            wchar_t wc[2] = {(wchar_t)cp, 0};
            cchar_t cc;
            setcchar(&cc, wc, curses_attr(st->attr | p->attr), colors_on ? (short)(p->role + 1) : 0,
                     NULL);
            mvadd_wch(y, x, &cc);
        }
    refresh();
}
