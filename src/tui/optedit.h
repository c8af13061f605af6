#ifndef R1SIM_TUI_OPTEDIT_H
#define R1SIM_TUI_OPTEDIT_H

#include <stdbool.h>

#include "tui/model.h"
#include "tui/term.h"

/* The options list of the stage detail screen: a cursor over the selected
 * stage's options and a one-line editor for the value under it. Editing is
 * offered only while the stage has not started (TuiModel.options_editable);
 * the value goes to the source as typed, because validation (type, range,
 * unknown names) belongs to the pipeline, which reports refusals in the log. */

typedef struct {
    int cursor; /* highlighted option */
    bool editing;
    char buf[96];
    int len;
} TuiOptEdit;

typedef enum {
    TUI_EDIT_IGNORED, /* not an editor key: the view handles it */
    TUI_EDIT_HANDLED,
    TUI_EDIT_COMMIT, /* enter while editing: send buf for options[cursor] */
} TuiEditResult;

/* up/down move the cursor; enter starts editing (value prefilled), then
 * printable keys type, backspace deletes, ctrl-u clears, enter commits and esc
 * cancels. While editing every key is the editor's. */
TuiEditResult tui_optedit_key(TuiOptEdit *e, const TuiModel *m, TuiKey k);
void tui_optedit_reset(TuiOptEdit *e);

#endif
