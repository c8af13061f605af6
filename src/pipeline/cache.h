#ifndef R1SIM_PIPELINE_CACHE_H
#define R1SIM_PIPELINE_CACHE_H

/* The stage cache. A stage's key hashes (FNV-1a, 64 bits) the code version of
 * its kind, its kind and options, and its inputs' keys — a producing stage's
 * key, or the bytes of a data file — plus the run's seed and the checkpoint
 * format version. Because a key includes its inputs' keys, a changed option
 * changes that stage's key and every key downstream, so exactly those stages
 * re-run. A finished stage writes its key to DIR/STAGE/done as its last act;
 * a stage is reused when that file holds the key it would have now. */

#include <stdint.h>
#include <stddef.h>

#include "pipeline/graph.h"

/* Computes keys[s] for every stage; order from graph_resolve (inputs first).
 * -1 with a message when a data file cannot be read. */
int cache_keys(const Graph *g, const int *order, unsigned long long seed, uint64_t *keys, char *err,
               size_t errlen);

uint64_t cache_hash_bytes(uint64_t h, const void *p, size_t n);
#define CACHE_HASH_INIT 1469598103934665603ULL

/* 1 when DIR/STAGE/done holds key. */
int cache_is_done(const char *run_dir, const char *stage, uint64_t key);
/* Records the stage finished with key (written last, atomically). */
int cache_mark_done(const char *run_dir, const char *stage, uint64_t key, char *err, size_t errlen);
/* Forgets a finished stage (its outputs are then rebuilt). */
void cache_forget(const char *run_dir, const char *stage);

/* The key a partially run stage was started under (DIR/STAGE/key), so that a
 * resume only continues work done under the same key; 0 when none. */
uint64_t cache_started_key(const char *run_dir, const char *stage);
int cache_mark_started(const char *run_dir, const char *stage, uint64_t key, char *err,
                       size_t errlen);

#endif
