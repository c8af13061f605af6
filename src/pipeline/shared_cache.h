#ifndef R1SIM_PIPELINE_SHARED_CACHE_H
#define R1SIM_PIPELINE_SHARED_CACHE_H

/* The stage cache shared between run directories: a finished stage's files
 * stored once under its key (cache.h), so that another run, a sweep's other
 * grid points, or the same run after an option was toggled and back, gets
 * the stage without training it again.
 *
 * Layout: CACHE/KEY/ (KEY: 16 hex digits) holds copies of the stage
 * directory's files and CACHE/KEY/manifest, which lists each file with its
 * size and CRC-32. An entry is built in CACHE/tmp-KEY-HOST-PID/ and renamed
 * into place, so it appears whole or not at all: of two processes finishing
 * the same key, one rename wins and the other drops its copy. A restore
 * checks every file's size and CRC against the manifest while it copies, so
 * an entry damaged since (a cut-off copy, a full disk) is never reused; it
 * is removed and the stage rebuilt. Files are copied, not linked, since a
 * run directory's files are rewritten in place when its stage runs again. */

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* The cache a run directory uses by default: R1SIM_CACHE, else .cache
 * beside the run directory (runs/quick -> runs/.cache). -1 if it does not
 * fit. */
int shared_cache_default(const char *run_dir, char *buf, size_t cap);

/* 1 when CACHE holds an entry for key (its files unchecked). */
int shared_cache_has(const char *cache, uint64_t key);

/* Copies CACHE/KEY into RUN/STAGE (after clearing it) and marks the stage
 * done there. 1 when restored; 0 when the cache has no sound entry for the
 * key (a damaged one is removed); -1 with a message when the copy into the
 * run directory failed. */
int shared_cache_restore(const char *cache, uint64_t key, const char *run_dir, const char *stage,
                         char *err, size_t errlen);

/* Stores RUN/STAGE's files as CACHE/KEY (its kind and stage name recorded
 * for `r1sim cache ls`); an existing entry for the key is kept. 0, or -1
 * with a message (the run's own files are unaffected either way). */
int shared_cache_publish(const char *cache, uint64_t key, const char *run_dir, const char *stage,
                         const char *kind, char *err, size_t errlen);

/* The right to build key, so that of several runs needing the same stage
 * at once (a sweep's runs of one seed) one trains it and the others wait
 * for its entry: an exclusive flock on CACHE/lock-KEY, which the system
 * releases however the holder ends. The lock's descriptor when claimed;
 * -1 with *busy set when another process holds it; -1 with *busy clear
 * when it cannot be taken at all (then build without it). */
int shared_cache_claim(const char *cache, uint64_t key, int *busy);
/* Gives a claim up (a negative fd is a no-op). */
void shared_cache_release(int fd);

typedef struct {
    uint64_t key;
    char kind[32], stage[64];
    long long bytes;
    time_t used; /* last stored or restored */
} SharedCacheEntry;

/* The entries of CACHE, most recently used first, and the bytes held by
 * unfinished entries (tmp-*). 0 (an absent cache is empty), or -1 with a
 * message. *out is malloc'd. */
int shared_cache_list(const char *cache, SharedCacheEntry **out, int *n, long long *temp_bytes,
                      char *err, size_t errlen);

/* Removes the entry for key; its bytes, or -1. */
long long shared_cache_remove(const char *cache, uint64_t key);

/* Removes unfinished entries whose writer is gone (this host's, pid not
 * running) or that are older than a day, and the lock files no run holds;
 * the bytes removed. */
long long shared_cache_remove_temps(const char *cache);

#endif
