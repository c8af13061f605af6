#ifndef R1SIM_CLI_DRY_RUN_H
#define R1SIM_CLI_DRY_RUN_H

/* `r1sim run --dry-run`: the stages the run would train or reuse, each
 * with its work in tokens and an estimated wall time on this machine
 * (pipeline/estimate.h), as a table on stdout. Nothing is written. */

#include <stdbool.h>

#include "pipeline/graph.h"

/* The process exit status: 0, or 1 with a message on stderr. */
int dry_run_print(Graph *g, const char *dir, const char *cache, unsigned long long seed,
                  bool fresh);

#endif
