#ifndef R1SIM_CLI_RUN_SERIES_H
#define R1SIM_CLI_RUN_SERIES_H

/* The chart history of one stage, built from metrics rows (the runner's ring
 * while it trains, the stage's metrics.csv for a stage finished or reused
 * before this process started). Which metrics become series follows from the
 * row's columns rather than the stage kind, so a new kind gets charts too:
 *   reward columns (grpo)  reward and reward_<fn>, accuracy and format_rate,
 *                          kl, mean_length, aha
 *   loss (pretrain, sft)   loss, grad_norm
 *   pass_at_1 (eval)       pass@1, maj@k, format
 *   anything else          its first columns
 * Series are named "group/label" so that the view draws a group as one chart. */

#include <stdbool.h>

#include "pipeline/metrics.h"
#include "tui/model.h"

typedef struct {
    bool chosen; /* the series were picked (from the first row) */
    int n;
    char metric[TUI_MAX_SERIES][METRICS_NAME]; /* column feeding series[i] */
    TuiSeries series[TUI_MAX_SERIES];
} RunSeries;

void run_series_reset(RunSeries *s);
/* Appends a row. A step at or before the newest one (the stage started over
 * after an edit, or resumed) restarts the history; skipped steps are gaps. */
void run_series_add(RunSeries *s, const MetricsRow *row);
/* Reads DIR/STAGE/metrics.csv into s; -1 when there is none. */
int run_series_load(RunSeries *s, const char *dir, const char *stage);

#endif
