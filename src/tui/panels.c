#include "tui/panels.h"

#include <stdio.h>
#include <string.h>

#include "tui/chart.h"
#include "tui/curve_chart.h"
#include "tui/flowchart.h"

const TuiHelpLine tui_help_lines[] = {
    {"space", "run / pause the pipeline"},
    {"n", "run one step, then pause"},
    {"arrows, tab", "select a stage (shift-tab: back)"},
    {"click", "select the stage under the mouse"},
    {"enter", "stage detail: options, charts, samples"},
    {"up/down", "detail: pick an option; enter edits it"},
    {"r", "detail: options back to the script's"},
    {"e", "eval table of every model"},
    {"p", "pass@k and maj@k against k, every eval"},
    {"t", "time per stage: wall time, share, tokens/s"},
    {"i", "GRPO step inspector: tokens, objective"},
    {", . [ ]", "inspector: step back/fwd, prompt back/fwd"},
    {"l  u", "inspector: follow newest step; next pass"},
    {"esc", "back to the flowchart"},
    {"?", "this help"},
    {"q", "quit (asks first while a stage runs)"},
};
const int tui_help_count = (int)(sizeof tui_help_lines / sizeof tui_help_lines[0]);

int tui_wrap_at(const char *s, int w) {
    int len = (int)strlen(s);
    if (w < 1) w = 1;
    if (tui_text_width(s) <= w) return len;
    int cut = -1, cols = 0;
    for (int k = 0; k < len && cols < w; k++) {
        if ((s[k] & 0xC0) != 0x80) cols++;
        if (s[k] == ' ' && cols <= w) cut = k;
    }
    if (cut > 0) return cut;
    int k = 0;
    for (cols = 0; k < len && cols < w; k++)
        if ((s[k + 1] & 0xC0) != 0x80) cols++;
    return k;
}

int tui_draw_paragraph(TuiCanvas *c, TuiRect r, const char *text, TuiRole role) {
    int y = 0;
    const char *s = text;
    while (*s && y < r.h) {
        int n = tui_wrap_at(s, r.w);
        char part[512];
        snprintf(part, sizeof part, "%.*s", n < 511 ? n : 511, s);
        if (c) tui_canvas_text(c, r.x, r.y + y, part, r.w, role, 0);
        y++;
        s += n;
        while (*s == ' ') s++;
    }
    /* cut short: say so at the end of the last line */
    if (c && *s && y > 0) tui_canvas_put(c, r.x + r.w - 1, r.y + y - 1, c->g->ellipsis, role, 0);
    return y;
}

void tui_draw_frame(TuiCanvas *c, TuiRect r, const char *title, TuiRole role) {
    tui_canvas_fill(c, r.x, r.y, r.w, r.h, ' ', TUI_ROLE_DEFAULT);
    tui_canvas_box(c, r.x, r.y, r.w, r.h, role);
    if (title && title[0]) {
        tui_canvas_put(c, r.x + 1, r.y, ' ', TUI_ROLE_TITLE, 0);
        int n = tui_canvas_text(c, r.x + 2, r.y, title, r.w - 4, TUI_ROLE_TITLE, 0);
        tui_canvas_put(c, r.x + 2 + n, r.y, ' ', TUI_ROLE_TITLE, 0);
    }
}

void tui_draw_status(TuiCanvas *c, int y, int w, const TuiModel *m, int selected) {
    tui_canvas_fill(c, 0, y, w, 1, ' ', TUI_ROLE_STATUS);
    int done = 0, running = -1;
    for (int i = 0; i < m->n_stages; i++) {
        TuiStageState s = m->stages[i].state;
        done += s == TUI_STAGE_DONE || s == TUI_STAGE_CACHED;
        if (s == TUI_STAGE_RUNNING) running = i;
    }
    char buf[256];
    const char *what = running >= 0 ? m->stages[running].name : "";
    snprintf(buf, sizeof buf, " r1sim  %s%s%s  %d/%d stages done", m->paused ? "paused" : "running",
             running >= 0 ? ": " : "", what, done, m->n_stages);
    if (running < 0)
        snprintf(buf, sizeof buf, " r1sim  %s  %d/%d stages done",
                 done == m->n_stages && m->n_stages ? "finished"
                 : m->paused                        ? "paused"
                                                    : "idle",
                 done, m->n_stages);
    tui_canvas_text(c, 0, y, buf, w, TUI_ROLE_STATUS, 0);
    if (selected >= 0 && selected < m->n_stages) {
        char sel[128];
        const TuiStageView *s = &m->stages[selected];
        snprintf(sel, sizeof sel, "%s%s%s ", s->group, s->group[0] ? ": " : "", s->name);
        int sw = tui_text_width(sel);
        if (sw < w / 2) tui_canvas_text(c, w - sw, y, sel, sw, TUI_ROLE_STATUS, TUI_ATTR_BOLD);
    }
}

void tui_draw_keybar(TuiCanvas *c, int y, int w, const char *hint) {
    tui_canvas_fill(c, 0, y, w, 1, ' ', TUI_ROLE_DEFAULT);
    tui_canvas_text(c, 0, y, hint, w, TUI_ROLE_DIM, 0);
}

void tui_draw_log(TuiCanvas *c, int y, int w, const char *log) {
    tui_canvas_fill(c, 0, y, w, 1, ' ', TUI_ROLE_DEFAULT);
    tui_canvas_text(c, 1, y, log, w - 2, TUI_ROLE_DEFAULT, 0);
}

static int group_len(const char *name) {
    const char *s = strchr(name, '/');
    return s ? (int)(s - name) : (int)strlen(name);
}

void tui_draw_charts(TuiCanvas *c, TuiRect r, const TuiModel *m) {
    int ns = m->n_series < TUI_MAX_SERIES ? m->n_series : TUI_MAX_SERIES;
    if (ns <= 0) {
        tui_canvas_text(c, r.x + 1, r.y, "no metrics for this stage yet", r.w - 2, TUI_ROLE_DIM, 0);
        return;
    }
    /* groups: runs of series with the same prefix, in the source's order */
    int start[TUI_MAX_SERIES + 1], ng = 0;
    for (int i = 0; i < ns; i++) {
        const char *a = m->series[i].name, *b = i ? m->series[i - 1].name : "";
        int la = group_len(a);
        if (!i || la != group_len(b) || strncmp(a, b, (size_t)la)) start[ng++] = i;
    }
    start[ng] = ns;
    int each = r.h / ng;
    if (each < 5) each = 5;
    int shown = r.h / each;
    if (shown > ng) shown = ng;
    for (int gi = 0; gi < shown; gi++) {
        TuiChartSeries cs[TUI_MAX_SERIES];
        int n = 0;
        for (int i = start[gi]; i < start[gi + 1]; i++) {
            const TuiSeries *s = &m->series[i];
            const char *slash = strchr(s->name, '/');
            cs[n] = (TuiChartSeries){slash ? slash + 1 : s->name, s->v, s->n, s->step0,
                                     (TuiRole)(TUI_ROLE_SERIES0 + n % 4)};
            n++;
        }
        char title[32];
        snprintf(title, sizeof title, "%.*s", group_len(m->series[start[gi]].name),
                 m->series[start[gi]].name);
        TuiChart ch = {title, cs, n, false, 0, 0};
        int h = gi == shown - 1 ? r.h - gi * each : each;
        tui_chart_draw(c, r.x, r.y + gi * each, r.w, h - (gi == shown - 1 ? 0 : 1), &ch);
    }
}

/* Writes text from *s wrapped into the rect starting at row *row, switching the
 * role at <think> and <answer> tags; returns false when the rect is full. */
static bool wrap(TuiCanvas *c, TuiRect r, int *row, int *col, const char *s, TuiRole *role) {
    const char *start = s;
    while (*s) {
        if (*s == '<') {
            static const struct {
                const char *tag;
                TuiRole role;
            } T[] = {{"<think>", TUI_ROLE_THINK},
                     {"</think>", TUI_ROLE_DEFAULT},
                     {"<answer>", TUI_ROLE_ANSWER},
                     {"</answer>", TUI_ROLE_DEFAULT}};
            for (int i = 0; i < 4; i++) {
                size_t n = strlen(T[i].tag);
                if (!strncmp(s, T[i].tag, n)) {
                    /* the tag itself in the role of what it opens, dimmed */
                    TuiRole tr = T[i].role == TUI_ROLE_DEFAULT ? *role : T[i].role;
                    if (*col + (int)n > r.w) ++*row, *col = 0;
                    if (*row >= r.h) return false;
                    tui_canvas_text(c, r.x + *col, r.y + *row, T[i].tag, (int)n, tr, TUI_ATTR_DIM);
                    *col += (int)n;
                    *role = T[i].role;
                    s += n;
                    goto next;
                }
            }
        }
        if (*s == '\n') {
            ++*row, *col = 0;
            s++;
            continue;
        }
        if (*s != ' ' && (s == start || s[-1] == ' ')) { /* wrap before a word that fits a line */
            int ww = 0;
            for (const char *q = s; *q && *q != ' ' && *q != '\n' && *q != '<';)
                ww += tui_cp_width(tui_utf8_decode(&q));
            if (*col > 0 && *col + ww > r.w && ww <= r.w) ++*row, *col = 0;
        }
        if (*s == ' ' && *col == 0 && s != start) { /* no blank at a line start */
            s++;
            continue;
        }
        {
            const char *p = s;
            uint32_t cp = tui_utf8_decode(&p);
            int cw = tui_cp_width(cp);
            if (*col + cw > r.w) ++*row, *col = 0;
            if (*row >= r.h) return false;
            if (cw) tui_canvas_put(c, r.x + *col, r.y + *row, cp, *role, 0);
            *col += cw;
            s = p;
        }
    next:;
    }
    return true;
}

void tui_draw_sample(TuiCanvas *c, TuiRect r, const TuiModel *m) {
    if (r.h <= 0 || r.w <= 0) return;
    if (!m->sample_prompt[0] && !m->sample_completion[0]) {
        tui_canvas_text(c, r.x, r.y, "no sample yet", r.w, TUI_ROLE_DIM, 0);
        return;
    }
    int row = 0, col = 0;
    TuiRole role = TUI_ROLE_DIM;
    TuiRect body = {r.x, r.y, r.w, r.h - (m->sample_rewards[0] ? 1 : 0)};
    wrap(c, body, &row, &col, m->sample_prompt, &role);
    role = TUI_ROLE_DEFAULT;
    if (col) row++, col = 0;
    wrap(c, body, &row, &col, m->sample_completion, &role);
    if (m->sample_rewards[0])
        tui_canvas_text(c, r.x, r.y + r.h - 1, m->sample_rewards, r.w, TUI_ROLE_KIND, 0);
}

void tui_draw_lines(TuiCanvas *c, TuiRect r, const char *text, TuiRole first, TuiRole rest) {
    int row = 0;
    const char *s = text;
    while (*s && row < r.h) {
        const char *e = strchr(s, '\n');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        char line[512];
        if (n >= sizeof line) n = sizeof line - 1;
        memcpy(line, s, n);
        line[n] = '\0';
        tui_canvas_text(c, r.x, r.y + row, line, r.w, row ? rest : first, 0);
        row++;
        s = e ? e + 1 : s + strlen(s);
    }
}

void tui_draw_eval(TuiCanvas *c, TuiRect r, const TuiModel *m) {
    tui_draw_frame(c, r, "eval: pass@1, maj@k, format, language, length", TUI_ROLE_BORDER);
    TuiRect in = {r.x + 2, r.y + 1, r.w - 4, r.h - 2};
    if (!m->eval_table[0])
        tui_canvas_text(c, in.x, in.y, "no evaluations yet: eval stages add their rows here", in.w,
                        TUI_ROLE_DIM, 0);
    else
        tui_draw_lines(c, in, m->eval_table, TUI_ROLE_TITLE, TUI_ROLE_DEFAULT);
}

void tui_draw_time(TuiCanvas *c, TuiRect r, const TuiModel *m) {
    tui_draw_frame(c, r, "time per stage (this run)", TUI_ROLE_BORDER);
    TuiRect in = {r.x + 2, r.y + 1, r.w - 4, r.h - 2};
    if (!m->time_table[0])
        tui_canvas_text(c, in.x, in.y, "no stage has run yet", in.w, TUI_ROLE_DIM, 0);
    else
        tui_draw_lines(c, in, m->time_table, TUI_ROLE_TITLE, TUI_ROLE_DEFAULT);
}

void tui_draw_curves(TuiCanvas *c, TuiRect r, const TuiModel *m) {
    tui_draw_frame(c, r, "pass@k and maj@k against k (log2)", TUI_ROLE_BORDER);
    TuiRect in = {r.x + 2, r.y + 1, r.w - 4, r.h - 2};
    int n = m->n_curves < TUI_MAX_CURVES ? m->n_curves : TUI_MAX_CURVES;
    if (n <= 0) {
        tui_canvas_text(c, in.x, in.y, "no pass@k curves yet: each finished eval adds one", in.w,
                        TUI_ROLE_DIM, 0);
        return;
    }
    TuiChartSeries pass[TUI_MAX_CURVES], maj[TUI_MAX_CURVES];
    for (int i = 0; i < n; i++) {
        const TuiCurve *cv = &m->curves[i];
        TuiRole role = (TuiRole)(TUI_ROLE_SERIES0 + i % 4);
        pass[i] = (TuiChartSeries){cv->name, cv->pass, cv->n, 0, role};
        maj[i] = (TuiChartSeries){cv->name, cv->maj, cv->n, 0, role};
    }
    /* one above the other: the same k at the same column, so that a gap that
     * closes in pass@k and stays in maj@k reads straight down */
    int top = in.h / 2;
    tui_curve_chart_draw(c, in.x, in.y, in.w, top - 1, "pass@k", pass, n);
    tui_curve_chart_draw(c, in.x, in.y + top, in.w, in.h - top, "maj@k", maj, n);
}

void tui_draw_help(TuiCanvas *c, int w, int h) {
    int bw = 62 < w - 2 ? 62 : w - 2, bh = tui_help_count + 4;
    TuiRect r = {(w - bw) / 2, (h - bh) / 2, bw, bh};
    tui_draw_frame(c, r, "keys", TUI_ROLE_TITLE);
    for (int i = 0; i < tui_help_count; i++) {
        tui_canvas_text(c, r.x + 2, r.y + 1 + i, tui_help_lines[i].keys, 12, TUI_ROLE_KIND,
                        TUI_ATTR_BOLD);
        tui_canvas_text(c, r.x + 15, r.y + 1 + i, tui_help_lines[i].what, bw - 17, TUI_ROLE_DEFAULT,
                        0);
    }
    tui_canvas_text(c, r.x + 2, r.y + bh - 2, "any key closes this help", bw - 4, TUI_ROLE_DIM, 0);
}

void tui_draw_confirm(TuiCanvas *c, int w, int h, const char *q) {
    int bw = tui_text_width(q) + 6;
    if (bw < 30) bw = 30;
    if (bw > w - 2) bw = w - 2;
    TuiRect r = {(w - bw) / 2, (h - 5) / 2, bw, 5};
    tui_draw_frame(c, r, "quit?", TUI_ROLE_WARN);
    tui_canvas_text(c, r.x + 3, r.y + 1, q, bw - 6, TUI_ROLE_DEFAULT, 0);
    tui_canvas_text(c, r.x + 3, r.y + 3, "y quit   n / esc stay", bw - 6, TUI_ROLE_DIM, 0);
}

void tui_draw_too_small(TuiCanvas *c, int w, int h, int min_w, int min_h) {
    tui_canvas_clear(c);
    char a[64], b[64];
    snprintf(a, sizeof a, "terminal too small: %dx%d", w, h);
    snprintf(b, sizeof b, "r1sim needs %dx%d; q quits", min_w, min_h);
    int y = h / 2 - 1 < 0 ? 0 : h / 2 - 1;
    int aw = (int)strlen(a), bw = (int)strlen(b);
    tui_canvas_text(c, aw < w ? (w - aw) / 2 : 0, y, a, w, TUI_ROLE_WARN, 0);
    tui_canvas_text(c, bw < w ? (w - bw) / 2 : 0, y + 1, b, w, TUI_ROLE_DEFAULT, 0);
}
