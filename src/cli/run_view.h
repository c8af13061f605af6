#ifndef R1SIM_CLI_RUN_VIEW_H
#define R1SIM_CLI_RUN_VIEW_H

/* The live view's source over a Runner: turns runner status, the metrics
 * ring, stage options and run-directory files into TuiModel snapshots, and
 * view commands into runner commands. It sits between the two layers so that
 * the tui never includes pipeline headers and the pipeline knows nothing of a
 * view.
 *
 * Threads: snapshot and command run on the view's thread; run_view_print may
 * be called from any (the script's print() runs on the runner's worker). All
 * runner state is read through the runner's locked calls, so a snapshot never
 * waits for a training step. */

#include "pipeline/runner.h"
#include "tui/model.h"

typedef struct RunView RunView;

/* Created before the script is loaded, so that print() has a destination;
 * the runner comes later (run_view_attach). NULL when out of memory. */
RunView *run_view_new(void);
void run_view_attach(RunView *v, Runner *r, const char *dir);
void run_view_free(RunView *v);
TuiSource run_view_source(RunView *v);

/* ScriptOptions.print: a script's print() line goes to the log line, and to
 * stderr, which is parked while the view runs and replayed when it closes. */
void run_view_print(void *ctx, const char *line);

/* True once the view sent TUI_CMD_QUIT (the user quit on purpose). */
bool run_view_quit(const RunView *v);

#endif
