/* The stage detail screen: the stage's options on the left (a cursor and a
 * one-line editor while the stage has not started), its status, charts and
 * newest sample on the right. */
#include <stdio.h>
#include <string.h>

#include "tui/flowchart.h"
#include "tui/panels.h"

static void draw_options(TuiCanvas *c, TuiRect r, const TuiModel *m, const TuiOptEdit *ed) {
    const char *head = m->options_editable ? "options (enter edits)" : "options (fixed: started)";
    if (!m->n_options) head = "options";
    tui_canvas_text(c, r.x, r.y, head, r.w, TUI_ROLE_TITLE, 0);
    TuiRect list = {r.x, r.y + 1, r.w, r.h - 1};
    if (!m->n_options) { /* a source without structured options: its text */
        tui_draw_lines(c, list, m->detail[0] ? m->detail : "(none)", TUI_ROLE_DEFAULT,
                       TUI_ROLE_DEFAULT);
        return;
    }
    int cur = ed && ed->cursor < m->n_options ? ed->cursor : 0;
    /* scroll so the cursor stays in view; the drawing keeps no state of its
     * own, so the first row follows from the cursor alone */
    int top = cur - list.h + 1 > 0 ? cur - list.h + 1 : 0;
    int namew = 0;
    for (int i = 0; i < m->n_options; i++) {
        int w = tui_text_width(m->options[i].name);
        namew = w > namew ? w : namew;
    }
    if (namew > r.w / 2) namew = r.w / 2;
    for (int row = 0; row < list.h && top + row < m->n_options; row++) {
        int i = top + row;
        const TuiOption *o = &m->options[i];
        bool at = ed && i == cur && m->options_editable;
        bool editing = at && ed->editing;
        char line[192];
        snprintf(line, sizeof line, "%-*.*s = %s%s", namew, namew, o->name,
                 editing ? ed->buf : o->value, editing ? "_" : "");
        TuiRole role = editing ? TUI_ROLE_SELECTED : TUI_ROLE_DEFAULT;
        tui_canvas_fill(c, list.x, list.y + row, list.w, 1, ' ', role);
        tui_canvas_text(c, list.x, list.y + row, line, list.w, role,
                        at && !editing ? TUI_ATTR_REVERSE : 0);
    }
}

void tui_draw_detail(TuiCanvas *c, TuiRect r, const TuiModel *m, int selected,
                     const TuiOptEdit *ed) {
    if (selected < 0 || selected >= m->n_stages) return;
    const TuiStageView *s = &m->stages[selected];
    char title[128];
    snprintf(title, sizeof title, "%s (%s) %s", s->name, s->kind,
             tui_state_name(s->state, m->paused));
    tui_draw_frame(c, r, title, tui_state_role(s->state));
    TuiRect in = {r.x + 2, r.y + 1, r.w - 4, r.h - 2};
    int left = in.w / 3 < 30 ? 30 : in.w / 3;
    if (left > in.w / 2) left = in.w / 2;
    draw_options(c, (TuiRect){in.x, in.y, left - 1, in.h}, m, ed);

    /* right: facts (with structured options the detail text is status only),
     * then the charts, then the newest sample */
    TuiRect right = {in.x + left + 1, in.y, in.w - left - 1, in.h};
    if (m->note[0]) { /* the plain words first: what a teacher reads out */
        int rows =
            tui_draw_paragraph(c, (TuiRect){right.x, right.y, right.w, 5}, m->note, TUI_ROLE_KIND);
        right.y += rows + 1;
        right.h -= rows + 1;
    }
    int facts = 0;
    if (m->n_options && m->detail[0]) {
        for (const char *p = m->detail; *p; p++) facts += *p == '\n';
        facts += 1;
        if (facts > 5) facts = 5;
        tui_draw_lines(c, (TuiRect){right.x, right.y, right.w, facts}, m->detail, TUI_ROLE_DEFAULT,
                       TUI_ROLE_DIM);
    }
    int rest = right.h - facts;
    int sample_h = rest / 3 < 8 ? rest / 3 : 8;
    if (sample_h < 3) sample_h = 0;
    tui_draw_charts(
        c, (TuiRect){right.x, right.y + facts, right.w, rest - sample_h - (sample_h > 0)}, m);
    if (sample_h) {
        int y = right.y + right.h - sample_h;
        tui_canvas_line(c, right.x, y - 1, right.x + right.w - 1, y - 1, TUI_ROLE_BORDER);
        tui_draw_sample(c, (TuiRect){right.x, y, right.w, sample_h}, m);
    }
}
