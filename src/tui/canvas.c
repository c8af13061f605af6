#include "tui/canvas.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N TUI_LINE_N
#define E TUI_LINE_E
#define S TUI_LINE_S
#define W TUI_LINE_W

/* A lone stub still draws as a full line segment, so a line of length one shows. */
const TuiGlyphs tui_glyphs_utf8 = {
    .utf8 = true,
    .braille = true,
    .lines =
        {
            [0] = ' ',
            [N] = 0x2502,
            [S] = 0x2502,
            [N | S] = 0x2502, /* │ */
            [E] = 0x2500,
            [W] = 0x2500,
            [E | W] = 0x2500, /* ─ */
            [E | S] = 0x256D,
            [S | W] = 0x256E, /* ╭ ╮ */
            [N | E] = 0x2570,
            [N | W] = 0x256F, /* ╰ ╯ */
            [N | E | S] = 0x251C,
            [N | S | W] = 0x2524, /* ├ ┤ */
            [E | S | W] = 0x252C,
            [N | E | W] = 0x2534,     /* ┬ ┴ */
            [N | E | S | W] = 0x253C, /* ┼ */
        },
    .arrow_down = 0x25BC,
    .arrow_right = 0x25B6,
    .arrow_up = 0x25B2,
    .arrow_left = 0x25C0,
    .bar_full = 0x2588,
    .bar_empty = 0x2591,
    .bar_part = {0, 0x258F, 0x258E, 0x258D, 0x258C, 0x258B, 0x258A, 0x2589},
    .state = {0x25CB, 0x25CF, 0x25C6, 0x2713, 0x2717}, /* ○ ● ◆ ✓ ✗ */
    .point = {0x2022, 0x25AA, 0x25E6, 0x00D7},         /* • ▪ ◦ × */
    .ellipsis = 0x2026,
    .selected = 0x25B8, /* ▸ */
};

const TuiGlyphs tui_glyphs_ascii = {
    .utf8 = false,
    .braille = false,
    .lines =
        {
            [0] = ' ',
            [N] = '|',
            [S] = '|',
            [N | S] = '|',
            [E] = '-',
            [W] = '-',
            [E | W] = '-',
            [E | S] = '+',
            [S | W] = '+',
            [N | E] = '+',
            [N | W] = '+',
            [N | E | S] = '+',
            [N | S | W] = '+',
            [E | S | W] = '+',
            [N | E | W] = '+',
            [N | E | S | W] = '+',
        },
    .arrow_down = 'v',
    .arrow_right = '>',
    .arrow_up = '^',
    .arrow_left = '<',
    .bar_full = '#',
    .bar_empty = '.',
    .bar_part = {0},
    .state = {'.', '*', '=', '+', 'x'},
    .point = {'*', '+', 'o', 'x'},
    .ellipsis = '~',
    .selected = '>',
};

#undef N
#undef E
#undef S
#undef W

enum { BLACK, RED, GREEN, YELLOW, BLUE, MAGENTA, CYAN, WHITE };
#define DEF (-1)

const TuiTheme tui_theme_color = {
    .name = "color",
    .role =
        {
            [TUI_ROLE_DEFAULT] = {DEF, DEF, 0},
            [TUI_ROLE_BORDER] = {DEF, DEF, 0},
            [TUI_ROLE_EDGE] = {BLUE, DEF, 0},
            [TUI_ROLE_EDGE_ACTIVE] = {YELLOW, DEF, TUI_ATTR_BOLD},
            [TUI_ROLE_TITLE] = {DEF, DEF, TUI_ATTR_BOLD},
            [TUI_ROLE_KIND] = {CYAN, DEF, 0},
            [TUI_ROLE_WAITING] = {DEF, DEF, TUI_ATTR_DIM},
            [TUI_ROLE_RUNNING] = {YELLOW, DEF, TUI_ATTR_BOLD},
            [TUI_ROLE_CACHED] = {BLUE, DEF, 0},
            [TUI_ROLE_DONE] = {GREEN, DEF, 0},
            [TUI_ROLE_FAILED] = {RED, DEF, TUI_ATTR_BOLD},
            [TUI_ROLE_SELECTED] = {DEF, DEF, TUI_ATTR_REVERSE},
            [TUI_ROLE_BAR_FILL] = {GREEN, DEF, 0},
            [TUI_ROLE_BAR_EMPTY] = {DEF, DEF, TUI_ATTR_DIM},
            [TUI_ROLE_THINK] = {MAGENTA, DEF, 0},
            [TUI_ROLE_ANSWER] = {GREEN, DEF, TUI_ATTR_BOLD},
            [TUI_ROLE_AXIS] = {DEF, DEF, TUI_ATTR_DIM},
            [TUI_ROLE_SERIES0] = {GREEN, DEF, 0},
            [TUI_ROLE_SERIES1] = {CYAN, DEF, 0},
            [TUI_ROLE_SERIES2] = {MAGENTA, DEF, 0},
            [TUI_ROLE_SERIES3] = {YELLOW, DEF, 0},
            [TUI_ROLE_STATUS] = {BLACK, CYAN, 0},
            [TUI_ROLE_WARN] = {RED, DEF, TUI_ATTR_BOLD},
            [TUI_ROLE_DIM] = {DEF, DEF, TUI_ATTR_DIM},
            [TUI_ROLE_PUSH_UP] = {GREEN, DEF, 0},
            [TUI_ROLE_PUSH_DOWN] = {RED, DEF, 0},
            [TUI_ROLE_CLIPPED] = {BLACK, YELLOW, 0},
        },
};

/* Without colour, state must still be readable: running is bold, failed is
 * underlined, waiting dim, selection reversed. */
const TuiTheme tui_theme_mono = {
    .name = "mono",
    .role =
        {
            [TUI_ROLE_DEFAULT] = {DEF, DEF, 0},
            [TUI_ROLE_BORDER] = {DEF, DEF, 0},
            [TUI_ROLE_EDGE] = {DEF, DEF, 0},
            [TUI_ROLE_EDGE_ACTIVE] = {DEF, DEF, TUI_ATTR_BOLD},
            [TUI_ROLE_TITLE] = {DEF, DEF, TUI_ATTR_BOLD},
            [TUI_ROLE_KIND] = {DEF, DEF, 0},
            [TUI_ROLE_WAITING] = {DEF, DEF, TUI_ATTR_DIM},
            [TUI_ROLE_RUNNING] = {DEF, DEF, TUI_ATTR_BOLD},
            [TUI_ROLE_CACHED] = {DEF, DEF, 0},
            [TUI_ROLE_DONE] = {DEF, DEF, 0},
            [TUI_ROLE_FAILED] = {DEF, DEF, TUI_ATTR_BOLD | TUI_ATTR_UNDERLINE},
            [TUI_ROLE_SELECTED] = {DEF, DEF, TUI_ATTR_REVERSE},
            [TUI_ROLE_BAR_FILL] = {DEF, DEF, 0},
            [TUI_ROLE_BAR_EMPTY] = {DEF, DEF, TUI_ATTR_DIM},
            [TUI_ROLE_THINK] = {DEF, DEF, TUI_ATTR_DIM},
            [TUI_ROLE_ANSWER] = {DEF, DEF, TUI_ATTR_BOLD},
            [TUI_ROLE_AXIS] = {DEF, DEF, TUI_ATTR_DIM},
            [TUI_ROLE_SERIES0] = {DEF, DEF, 0},
            [TUI_ROLE_SERIES1] = {DEF, DEF, 0},
            [TUI_ROLE_SERIES2] = {DEF, DEF, 0},
            [TUI_ROLE_SERIES3] = {DEF, DEF, 0},
            [TUI_ROLE_STATUS] = {DEF, DEF, TUI_ATTR_REVERSE},
            [TUI_ROLE_WARN] = {DEF, DEF, TUI_ATTR_BOLD},
            [TUI_ROLE_DIM] = {DEF, DEF, TUI_ATTR_DIM},
            /* sign by attribute: underline up, reverse down */
            [TUI_ROLE_PUSH_UP] = {DEF, DEF, TUI_ATTR_UNDERLINE},
            [TUI_ROLE_PUSH_DOWN] = {DEF, DEF, TUI_ATTR_REVERSE},
            [TUI_ROLE_CLIPPED] = {DEF, DEF, TUI_ATTR_BOLD | TUI_ATTR_UNDERLINE | TUI_ATTR_REVERSE},
        },
};

int tui_canvas_init(TuiCanvas *c, int w, int h, const TuiGlyphs *g) {
    memset(c, 0, sizeof *c);
    c->g = g ? g : &tui_glyphs_ascii;
    return tui_canvas_resize(c, w, h);
}

int tui_canvas_resize(TuiCanvas *c, int w, int h) {
    if (w < 0) w = 0;
    if (h < 0) h = 0;
    size_t n = (size_t)w * (size_t)h;
    TuiCell *cells = calloc(n ? n : 1, sizeof *cells);
    if (!cells) return -1;
    free(c->cells);
    c->cells = cells;
    c->w = w;
    c->h = h;
    tui_canvas_unclip(c);
    return 0;
}

void tui_canvas_free(TuiCanvas *c) {
    free(c->cells);
    c->cells = NULL;
    c->w = c->h = 0;
}

void tui_canvas_clear(TuiCanvas *c) {
    memset(c->cells, 0, (size_t)c->w * (size_t)c->h * sizeof *c->cells);
}

void tui_canvas_clip(TuiCanvas *c, int x, int y, int w, int h) {
    c->clip_x0 = x < 0 ? 0 : x;
    c->clip_y0 = y < 0 ? 0 : y;
    c->clip_x1 = x + w > c->w ? c->w : x + w;
    c->clip_y1 = y + h > c->h ? c->h : y + h;
}

void tui_canvas_unclip(TuiCanvas *c) {
    c->clip_x0 = c->clip_y0 = 0;
    c->clip_x1 = c->w;
    c->clip_y1 = c->h;
}

static TuiCell *cell(TuiCanvas *c, int x, int y) {
    if (x < c->clip_x0 || y < c->clip_y0 || x >= c->clip_x1 || y >= c->clip_y1) return NULL;
    return &c->cells[(size_t)y * (size_t)c->w + (size_t)x];
}

const TuiCell *tui_canvas_at(const TuiCanvas *c, int x, int y) {
    if (x < 0 || y < 0 || x >= c->w || y >= c->h) return NULL;
    return &c->cells[(size_t)y * (size_t)c->w + (size_t)x];
}

void tui_canvas_put(TuiCanvas *c, int x, int y, uint32_t ch, TuiRole role, uint8_t attr) {
    TuiCell *p = cell(c, x, y);
    if (!p) return;
    /* Overwriting half of a wide character blanks the other half. */
    if (p->wide && x > 0) {
        TuiCell *l = cell(c, x - 1, y);
        if (l) l->ch = ' ';
    }
    if (!p->wide && tui_cp_width(p->ch) == 2) {
        TuiCell *r = cell(c, x + 1, y);
        if (r) memset(r, 0, sizeof *r);
    }
    p->ch = ch;
    p->lines = 0;
    p->role = (uint8_t)role;
    p->attr = attr;
    p->wide = 0;
}

void tui_canvas_style(TuiCanvas *c, int x, int y, TuiRole role, uint8_t attr) {
    TuiCell *p = cell(c, x, y);
    if (!p) return;
    p->role = (uint8_t)role;
    p->attr = attr;
}

void tui_canvas_fill(TuiCanvas *c, int x, int y, int w, int h, uint32_t ch, TuiRole role) {
    for (int j = y; j < y + h; j++)
        for (int i = x; i < x + w; i++) tui_canvas_put(c, i, j, ch, role, 0);
}

int tui_utf8_encode(uint32_t cp, char out[4]) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

uint32_t tui_utf8_decode(const char **s) {
    const unsigned char *p = (const unsigned char *)*s;
    if (!*p) return 0;
    int n = *p < 0x80 ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3 : (*p >> 3) == 30 ? 4 : 0;
    if (!n) {
        (*s)++;
        return 0xFFFD;
    }
    uint32_t cp = n == 1 ? *p : (uint32_t)(*p & (0x7F >> n));
    for (int i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *s += i;
            return 0xFFFD;
        }
        cp = cp << 6 | (p[i] & 0x3F);
    }
    *s += n;
    return cp;
}

/* Enough of wcwidth for what a pipeline script may name things: control and
 * combining characters take nothing, East Asian wide ranges two columns. Kept
 * here rather than using wcwidth(3) so a canvas does not depend on the locale. */
int tui_cp_width(uint32_t cp) {
    if (cp == 0) return 1;
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return 0;
    if ((cp >= 0x0300 && cp < 0x0370) || (cp >= 0x200B && cp <= 0x200F) ||
        (cp >= 0xFE00 && cp <= 0xFE0F))
        return 0;
    if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
        (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
        (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
        (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
        (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD))
        return 2;
    return 1;
}

int tui_text_width(const char *s) {
    int w = 0;
    uint32_t cp;
    while ((cp = tui_utf8_decode(&s))) w += tui_cp_width(cp);
    return w;
}

int tui_canvas_text(TuiCanvas *c, int x, int y, const char *s, int maxw, TuiRole role,
                    uint8_t attr) {
    if (!s) return 0;
    if (maxw < 0) maxw = 1 << 30;
    int total = tui_text_width(s);
    int room = total > maxw ? maxw - 1 : maxw; /* leave a column for the ellipsis */
    int used = 0;
    uint32_t cp;
    while ((cp = tui_utf8_decode(&s))) {
        int cw = tui_cp_width(cp);
        if (cw == 0) continue;
        if (used + cw > room) break;
        tui_canvas_put(c, x + used, y, cp, role, attr);
        if (cw == 2) {
            TuiCell *r = cell(c, x + used + 1, y);
            if (r) {
                memset(r, 0, sizeof *r);
                r->wide = 1;
                r->role = (uint8_t)role;
                r->attr = attr;
            }
        }
        used += cw;
    }
    if (total > maxw && maxw > 0) {
        tui_canvas_put(c, x + used, y, c->g->ellipsis, role, attr);
        used++;
    }
    return used;
}

int tui_canvas_printf(TuiCanvas *c, int x, int y, int maxw, TuiRole role, uint8_t attr,
                      const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return tui_canvas_text(c, x, y, buf, maxw, role, attr);
}

static void stub(TuiCanvas *c, int x, int y, uint8_t bits, TuiRole role) {
    TuiCell *p = cell(c, x, y);
    if (!p || p->wide) return;
    if (p->ch && p->ch != ' ') return; /* text wins over lines, blanks do not */
    p->ch = 0;
    p->lines |= bits;
    p->role = (uint8_t)role;
}

void tui_canvas_line(TuiCanvas *c, int x0, int y0, int x1, int y1, TuiRole role) {
    if (y0 == y1) {
        int a = x0 < x1 ? x0 : x1, b = x0 < x1 ? x1 : x0;
        if (a == b) {
            stub(c, a, y0, TUI_LINE_E | TUI_LINE_W, role);
            return;
        }
        for (int x = a; x <= b; x++)
            stub(c, x, y0, (uint8_t)((x > a ? TUI_LINE_W : 0) | (x < b ? TUI_LINE_E : 0)), role);
    } else if (x0 == x1) {
        int a = y0 < y1 ? y0 : y1, b = y0 < y1 ? y1 : y0;
        for (int y = a; y <= b; y++)
            stub(c, x0, y, (uint8_t)((y > a ? TUI_LINE_N : 0) | (y < b ? TUI_LINE_S : 0)), role);
    }
}

void tui_canvas_box(TuiCanvas *c, int x, int y, int w, int h, TuiRole role) {
    if (w < 2 || h < 2) return;
    tui_canvas_line(c, x, y, x + w - 1, y, role);
    tui_canvas_line(c, x, y + h - 1, x + w - 1, y + h - 1, role);
    tui_canvas_line(c, x, y, x, y + h - 1, role);
    tui_canvas_line(c, x + w - 1, y, x + w - 1, y + h - 1, role);
}

uint32_t tui_canvas_glyph(const TuiCanvas *c, int x, int y) {
    const TuiCell *p = tui_canvas_at(c, x, y);
    if (!p || p->wide) return 0;
    if (p->ch) return p->ch;
    if (p->lines) return c->g->lines[p->lines & 15];
    return ' ';
}

size_t tui_canvas_row_utf8(const TuiCanvas *c, int y, char *out, size_t cap) {
    size_t n = 0;
    if (!cap) return 0;
    for (int x = 0; x < c->w; x++) {
        uint32_t cp = tui_canvas_glyph(c, x, y);
        if (!cp) continue;
        char b[4];
        int k = tui_utf8_encode(cp, b);
        if (n + (size_t)k + 1 > cap) break;
        memcpy(out + n, b, (size_t)k);
        n += (size_t)k;
    }
    out[n] = '\0';
    return n;
}
