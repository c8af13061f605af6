#include "tui/optedit.h"

#include <stdio.h>
#include <string.h>

void tui_optedit_reset(TuiOptEdit *e) {
    memset(e, 0, sizeof *e);
}

static TuiEditResult edit_key(TuiOptEdit *e, TuiKey k) {
    switch (k.key) {
    case TUI_KEY_ENTER:
        e->editing = false;
        return TUI_EDIT_COMMIT;
    case TUI_KEY_ESC:
        e->editing = false;
        return TUI_EDIT_HANDLED;
    case TUI_KEY_BACKSPACE:
        if (e->len > 0) e->buf[--e->len] = '\0';
        return TUI_EDIT_HANDLED;
    case 21: /* ctrl-u, as in a shell */
        e->len = 0;
        e->buf[0] = '\0';
        return TUI_EDIT_HANDLED;
    default:
        /* values are numbers, task names and reward lists: ASCII suffices */
        if (k.key >= 32 && k.key < 127 && e->len + 1 < (int)sizeof e->buf) {
            e->buf[e->len++] = (char)k.key;
            e->buf[e->len] = '\0';
        }
        return TUI_EDIT_HANDLED; /* nothing leaks to the view while typing */
    }
}

TuiEditResult tui_optedit_key(TuiOptEdit *e, const TuiModel *m, TuiKey k) {
    int n = m->n_options;
    /* Fewer options than the cursor: another stage's, so a value being
     * typed was for an option no longer under the cursor and would be
     * committed to the wrong one. */
    bool moved = e->cursor >= n;
    if (moved) e->cursor = n > 0 ? n - 1 : 0;
    if (e->editing) {
        if (!m->options_editable || n == 0 || moved) { /* the stage started or changed meanwhile */
            e->editing = false;
            return TUI_EDIT_IGNORED;
        }
        return edit_key(e, k);
    }
    switch (k.key) {
    case TUI_KEY_UP:
    case TUI_KEY_DOWN:
        if (n == 0) return TUI_EDIT_IGNORED; /* arrows then move between stages */
        e->cursor += k.key == TUI_KEY_UP ? (e->cursor > 0 ? -1 : 0) : (e->cursor + 1 < n);
        return TUI_EDIT_HANDLED;
    case TUI_KEY_ENTER:
        if (!m->options_editable || n == 0) return TUI_EDIT_IGNORED;
        e->editing = true;
        snprintf(e->buf, sizeof e->buf, "%s", m->options[e->cursor].value);
        e->len = (int)strlen(e->buf);
        return TUI_EDIT_HANDLED;
    default:
        return TUI_EDIT_IGNORED;
    }
}
