#ifndef R1SIM_ENGINE_ATOMIC_FILE_H
#define R1SIM_ENGINE_ATOMIC_FILE_H

/* Whole-file writes that never leave a partial file behind: the parts go to
 * "PATH.tmp.PID", are flushed and fsynced, and the file is renamed into place;
 * on any failure the temporary file is removed and PATH is untouched. */

#include <stddef.h>

/* Writes n parts (parts[i] of sizes[i] bytes) to path. Returns 0, or -1 with
 * a one-line message naming the file in err. */
int atomic_write_parts(const char *path, const void *const *parts, const size_t *sizes, int n,
                       char *err, size_t errlen);

#endif
