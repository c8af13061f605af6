#ifndef R1SIM_TUI_MODEL_H
#define R1SIM_TUI_MODEL_H

#include <stdbool.h>

#include "tui/inspect.h"
#include "tui/layout.h"

/* What the view shows, as plain fixed-size data: the pipeline side fills it under
 * its own lock (TuiSource.snapshot) and the view draws only from it, so drawing
 * never touches live training state and a fake source can drive every test. */

enum {
    TUI_MAX_STAGES = 48,
    TUI_MAX_EDGES = 96,
    TUI_MAX_SERIES = 8,
    TUI_SERIES_CAP = 1024, /* newest points kept per series */
    TUI_TEXT = 48,
    TUI_MAX_OPTIONS = 32,
    TUI_MAX_CURVES = 8,
    TUI_CURVE_POINTS = 11, /* k = 1, 2, 4, ..., 1024 */
};

typedef enum {
    TUI_STAGE_WAITING,
    TUI_STAGE_RUNNING,
    TUI_STAGE_CACHED,
    TUI_STAGE_DONE,
    TUI_STAGE_FAILED,
} TuiStageState;

typedef struct {
    char name[TUI_TEXT];
    char kind[16];
    TuiStageState state;
    float progress;          /* 0..1 */
    char headline[TUI_TEXT]; /* the stage's one figure, e.g. "acc 0.62" */
    /* Makes neither a checkpoint nor a dataset (an eval), so no stage takes
     * it as input: the flowchart draws it beside the model it reads. */
    bool report;
    char group[TUI_TEXT]; /* the labelled group it is drawn in; "" none */
} TuiStageView;

typedef struct {
    char name[24];           /* e.g. "reward/accuracy", "kl" */
    int n;                   /* values used, <= TUI_SERIES_CAP */
    long step0;              /* step of v[0] */
    float v[TUI_SERIES_CAP]; /* NaN marks a step without a value */
} TuiSeries;

typedef struct {
    char name[32];
    char value[96];
} TuiOption;

/* One evaluated model's pass@k curve: point i is k = 2^i. */
typedef struct {
    char name[24];                                       /* the model's label in eval.csv */
    int n;                                               /* points, <= TUI_CURVE_POINTS */
    float pass[TUI_CURVE_POINTS], maj[TUI_CURVE_POINTS]; /* NaN: no figure */
} TuiCurve;

typedef struct {
    int n_stages;
    TuiStageView stages[TUI_MAX_STAGES];
    int n_edges;
    TuiLayoutEdge edges[TUI_MAX_EDGES];
    /* Bumped by the source whenever stages or edges are added, removed or
     * renamed: the view lays the graph out again only then. */
    unsigned graph_gen;
    /* Bumped on any other change, so an idle view does not redraw. */
    unsigned data_gen;

    bool paused;
    int selected; /* owned by the view; the source reads it to choose the charts */

    /* Charts, newest sample and detail text are for the selected stage. */
    int n_series;
    TuiSeries series[TUI_MAX_SERIES];
    char sample_prompt[128];
    char sample_completion[512]; /* with <think>...</think><answer>...</answer> */
    char sample_rewards[128];
    /* The selected stage's options; editable only before the stage starts
     * (its cache key is fixed from then on). */
    int n_options;
    TuiOption options[TUI_MAX_OPTIONS];
    bool options_editable;
    char detail[1024];     /* status, inputs, key, error: one fact per line */
    char note[600];        /* what the stage is and what to watch, in plain words */
    char eval_table[2048]; /* preformatted lines, first line the header */
    char time_table[4096]; /* the run's time per stage so far, as `r1sim run` prints it */
    /* Every finished eval's pass@k and maj@k against k, in run order. */
    int n_curves;
    TuiCurve curves[TUI_MAX_CURVES];
    char log[160];
} TuiModel;

typedef enum {
    TUI_CMD_RUN,
    TUI_CMD_PAUSE,
    TUI_CMD_STEP,
    TUI_CMD_EVAL,
    TUI_CMD_SELECT, /* the selection changed: send that stage's charts */
    TUI_CMD_QUIT,
    TUI_CMD_SET_OPTION,    /* stage's option `name` = `value`; the source validates */
    TUI_CMD_RESET_OPTIONS, /* stage's options back to the script's (before it starts) */
} TuiCommandKind;

typedef struct {
    TuiCommandKind kind;
    int stage; /* for SELECT, SET_OPTION and RESET_OPTIONS; -1 otherwise */
    char name[32];
    char value[96];
} TuiCommand;

/* The view's only link to the pipeline. snapshot copies the current state into
 * *m (all fields but `selected`) and must be cheap: it is called every frame.
 * command queues a request and returns at once. */
typedef struct {
    void *ctx;
    void (*snapshot)(void *ctx, TuiModel *m);
    void (*command)(void *ctx, TuiCommand cmd);
    TuiStepSource step_trace; /* NULL: no step inspector */
} TuiSource;

static inline bool tui_model_busy(const TuiModel *m) {
    for (int i = 0; i < m->n_stages; i++)
        if (m->stages[i].state == TUI_STAGE_RUNNING) return true;
    return false;
}

#endif
