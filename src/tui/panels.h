#ifndef R1SIM_TUI_PANELS_H
#define R1SIM_TUI_PANELS_H

#include "tui/canvas.h"
#include "tui/layout.h"
#include "tui/model.h"
#include "tui/optedit.h"

/* Everything on screen besides the flowchart, drawn from the model into a
 * canvas: status and key bars, charts, the newest sample, the stage detail,
 * the eval table and the overlays. */

typedef struct {
    const char *keys, *what;
} TuiHelpLine;

/* Every key the view answers to, in the order the help overlay lists them. */
extern const TuiHelpLine tui_help_lines[];
extern const int tui_help_count;

void tui_draw_status(TuiCanvas *c, int y, int w, const TuiModel *m, int selected);
void tui_draw_keybar(TuiCanvas *c, int y, int w, const char *hint);
void tui_draw_log(TuiCanvas *c, int y, int w, const char *log);
/* One chart per group of series sharing a "group/" name prefix. */
void tui_draw_charts(TuiCanvas *c, TuiRect r, const TuiModel *m);
/* Prompt, then the completion wrapped with <think>/<answer> coloured, then rewards. */
void tui_draw_sample(TuiCanvas *c, TuiRect r, const TuiModel *m);
/* The stage detail (detail.c): options list with the editor's cursor (ed may
 * be NULL), status text, charts and the newest sample. */
void tui_draw_detail(TuiCanvas *c, TuiRect r, const TuiModel *m, int selected,
                     const TuiOptEdit *ed);
/* Lines of text, the first in role `first`, cut to the rect. */
void tui_draw_lines(TuiCanvas *c, TuiRect r, const char *text, TuiRole first, TuiRole rest);
/* Where text breaks to fit w columns: after the last word that fits, or
 * mid-word when none does (a byte count). */
int tui_wrap_at(const char *s, int w);
/* Text wrapped at words into r, at most r.h lines (an ellipsis ends the last
 * when it does not all fit); returns the lines it takes (drawing nothing
 * when c is NULL). */
int tui_draw_paragraph(TuiCanvas *c, TuiRect r, const char *text, TuiRole role);
void tui_draw_eval(TuiCanvas *c, TuiRect r, const TuiModel *m);
/* Every eval's pass@k over its maj@k, against k. */
void tui_draw_curves(TuiCanvas *c, TuiRect r, const TuiModel *m);
/* The time table: per stage its state, steps, wall time, share, tokens/s. */
void tui_draw_time(TuiCanvas *c, TuiRect r, const TuiModel *m);
void tui_draw_help(TuiCanvas *c, int w, int h);
void tui_draw_confirm(TuiCanvas *c, int w, int h, const char *question);
void tui_draw_too_small(TuiCanvas *c, int w, int h, int min_w, int min_h);
/* A bordered, cleared box with a title in its top border. */
void tui_draw_frame(TuiCanvas *c, TuiRect r, const char *title, TuiRole role);

#endif
