#ifndef R1SIM_WORLD_COT_CHECK_H
#define R1SIM_WORLD_COT_CHECK_H

#include <stddef.h>

#include "world/task.h"

/* Judging a pair-search thought, for the checker of curated cold-start data.
 * What a curated search is gets spelled out here on its own, not by calling
 * the generator, so that a generator bug cannot pass its own test:
 *
 *   3859 sum 14?   3+8=11 wait. 3+5=08 wait. 3+9=12 wait. 8+5=13 wait. 8+9=17 wait. 5+9=14. so 5+9
 *
 * pairs tried in reading order, each sum right and two digits wide, each miss
 * followed by " wait. ", the hit by ". so X+Y" and nothing after it; all of
 * it in one script. A search that stops before the hit (a give-up), a guess,
 * a slip, a second script or a pair out of order is not curated. */

/* 0 when `thought` (len bytes) is the whole search of pair problem p written
 * in `script`; -1 otherwise, with the reason in why ("try 2 should be
 * '3+5=08', got ..."). Also -1 when p is not a pair problem. */
int cot_check_pair_search(const Problem *p, WorldScript script, const char *thought, size_t len,
                          char *why, size_t cap);

#endif
