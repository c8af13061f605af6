#ifndef R1SIM_CLI_TIME_TABLE_H
#define R1SIM_CLI_TIME_TABLE_H

/* Where a run's time went: one line per stage, in run order (state, steps,
 * this run's wall time, its share of the run, tokens/s where the kind
 * reports tokens), and a total, printed when `r1sim run` ends. */

#include <stdio.h>

#include "pipeline/runner.h"

/* 0, or -1 when out of memory (nothing printed). */
int time_table_print(Runner *r, FILE *out);

/* "1:05:09", "3:50", "0:07": minutes and seconds, hours when there are. */
void time_table_format(double seconds, char *buf, size_t cap);

#endif
