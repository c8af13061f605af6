/* The view's option editor driven by any model and any keys: the first
 * bytes give the options (count, editable, values), the rest is a key
 * sequence in which some bytes change the model between keys, as a stage
 * that starts while its option is being edited does. After every key: the
 * buffer is terminated within its size and len is its length, the cursor is
 * on an option, editing only on an editable stage's option, a commit only
 * from editing and for the option the edit began on, and a fresh edit
 * starts from the option's value. */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tui/optedit.h"

/* Which invariant broke, for the crash report. */
#define BROKEN()                                                                                   \
    do {                                                                                           \
        fprintf(stderr, "fuzz_optedit: invariant of line %d broken\n", __LINE__);                  \
        __builtin_trap();                                                                          \
    } while (0)

static const int specials[] = {TUI_KEY_UP,        TUI_KEY_DOWN,   TUI_KEY_LEFT,  TUI_KEY_RIGHT,
                               TUI_KEY_TAB,       TUI_KEY_BTAB,   TUI_KEY_ENTER, TUI_KEY_ESC,
                               TUI_KEY_BACKSPACE, TUI_KEY_PGUP,   TUI_KEY_PGDN,  TUI_KEY_HOME,
                               TUI_KEY_END,       TUI_KEY_RESIZE, TUI_KEY_NONE,  21 /* ctrl-u */};

/* Next byte of the input, 0 past its end. */
static uint8_t next(const uint8_t *data, size_t size, size_t *at) {
    return *at < size ? data[(*at)++] : 0;
}

static void check(const TuiOptEdit *e, const TuiModel *m, const TuiOptEdit *before, TuiEditResult r,
                  int key, int edited) {
    int n = m->n_options;
    if (e->len < 0 || e->len >= (int)sizeof e->buf || e->buf[e->len] != 0 ||
        strlen(e->buf) != (size_t)e->len)
        BROKEN();
    if (e->cursor < 0 || e->cursor >= (n > 0 ? n : 1)) BROKEN();
    if (e->editing && (!m->options_editable || n == 0)) BROKEN();
    if (r == TUI_EDIT_COMMIT && (!before->editing || e->editing || e->cursor != edited)) BROKEN();
    if (!before->editing && e->editing) {
        /* starts with the value as shown, cut to the buffer */
        const char *v = m->options[e->cursor].value;
        if (key != TUI_KEY_ENTER || strncmp(e->buf, v, sizeof e->buf - 1) != 0) BROKEN();
    }
    if (before->editing && e->editing && r != TUI_EDIT_HANDLED) BROKEN();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static TuiModel m; /* large */
    memset(&m, 0, sizeof m);
    size_t at = 0;
    m.n_options = next(data, size, &at) % (TUI_MAX_OPTIONS + 1);
    m.options_editable = next(data, size, &at) & 1;
    for (int i = 0; i < m.n_options; i++) {
        size_t len = next(data, size, &at) % sizeof m.options[i].value;
        for (size_t c = 0; c < len; c++) {
            uint8_t b = next(data, size, &at);
            m.options[i].value[c] = (char)(b ? b : 'x'); /* the source's strings end at a NUL */
        }
        snprintf(m.options[i].name, sizeof m.options[i].name, "opt%d", i);
    }
    TuiOptEdit e;
    tui_optedit_reset(&e);
    int edited = -1; /* the option being edited */
    while (at < size) {
        uint8_t b = next(data, size, &at);
        if (b == 0xff) { /* the stage starts, or another stage is selected */
            uint8_t c = next(data, size, &at);
            if (c & 0x80)
                m.options_editable = !m.options_editable;
            else
                m.n_options = c % (TUI_MAX_OPTIONS + 1);
            continue;
        }
        TuiKey k = {.key = b >= 0xf0 ? specials[b - 0xf0] : b};
        TuiOptEdit before = e;
        TuiEditResult r = tui_optedit_key(&e, &m, k);
        if (!before.editing && e.editing) edited = e.cursor;
        check(&e, &m, &before, r, k.key, edited);
    }
    return 0;
}
