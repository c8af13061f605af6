#ifndef R1SIM_TUI_INSPECT_H
#define R1SIM_TUI_INSPECT_H

/* The step inspector: one GRPO step of a stage, a prompt at a time, its G
 * completions stacked and sorted by advantage, every token coloured by its
 * push (reinforced or suppressed, intensity by size; clipped tokens marked,
 * masked ones greyed), a cursor over the tokens, and below them the
 * explainer: the objective written out with the numbers of the token under
 * the cursor. The data is a TuiStep (step_model.h) that the source fills
 * (TuiSource.step_trace): a running stage's newest step from memory, or any
 * recorded step read back from tokens.csv. */

#include <stdbool.h>

#include "tui/canvas.h"
#include "tui/layout.h"
#include "tui/step_model.h"
#include "tui/term.h"

enum { TUI_STEP_NEWEST = -1 };

/* The configuration a trace was trained under, to say which term moved. */
typedef struct {
    bool set;
    long step;
    int stage;
    char loss[12]; /* the loss type's name */
    float beta, eps_low, eps_high;
    int scale_rewards;
} TuiStepConfig;

typedef struct {
    int index, count; /* the step's place among the recorded steps; index -1: newest, in memory */
    bool live;        /* the running stage's newest step */
    unsigned long seq;
    TuiStepConfig base; /* GRPO's defaults, which a first step is compared with */
} TuiStepInfo;

/* How the view asks its source for a step (TuiSource.step_trace): the
 * newest step of `stage` (step TUI_STEP_NEWEST: a running stage's from
 * memory, else its last recorded one), or recorded step `step` (dir 0), or
 * the recorded step before (-1) or after (+1) it. `have` is the seq of the
 * newest step the view holds, so an unchanged one is not copied again.
 * Returns 1 with *out and *info filled, 0 when the newest step is the one
 * the view has, -1 with a one-line msg (nothing recorded, no such step, a
 * damaged file); *out is untouched unless 1. */
typedef int (*TuiStepSource)(void *ctx, int stage, long step, int dir, unsigned long have,
                             TuiStep *out, TuiStepInfo *info, char *msg, size_t cap);

typedef struct {
    TuiStep trace;
    bool have;
    TuiStepInfo info;
    int stage; /* whose trace it is */
    bool live; /* follow the newest step */
    int group; /* the prompt shown */
    int row;   /* cursor: the completion, by rank of advantage within the group */
    int pos;   /* cursor: the token within the completion */
    int pass;  /* 0 .. mu-1 */
    bool mono; /* the terminal shows no colour: the legend says what attributes mean */
    char msg[160];
    TuiStepConfig shown; /* the configuration of the trace shown */
    /* "since the step shown before (step 10): beta 0.04 -> 0.4: the KL term",
     * or the same against GRPO's defaults for the first step shown */
    char moved[200];
} TuiInspect;

void tui_inspect_init(TuiInspect *in);
void tui_inspect_free(TuiInspect *in);
/* A new trace was loaded into in->trace: keep the cursor where it can be,
 * and note a change of configuration. */
void tui_inspect_loaded(TuiInspect *in, int stage);

typedef enum {
    TUI_INSPECT_IGNORED,
    TUI_INSPECT_MOVED,  /* the cursor or the prompt changed: redraw */
    TUI_INSPECT_PREV,   /* load the recorded step before this one */
    TUI_INSPECT_NEXT,   /* ... after it */
    TUI_INSPECT_NEWEST, /* follow the newest step again */
} TuiInspectAction;

TuiInspectAction tui_inspect_key(TuiInspect *in, TuiKey k);
void tui_draw_inspect(TuiCanvas *c, TuiRect r, const TuiInspect *in, const char *stage_name);

/* Completions of group g in the order they are shown (advantage, highest
 * first; ties by index): out[0..G). */
void tui_inspect_order(const TuiStep *t, int g, int *out);

#endif
