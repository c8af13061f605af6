#ifndef R1SIM_PIPELINE_RUNDIR_LOCK_H
#define R1SIM_PIPELINE_RUNDIR_LOCK_H

#include <stddef.h>

/* One run at a time per run directory. Two processes writing the same stage
 * files would each rename their own over the other's, so the second run is
 * refused while the first holds DIR/.lock (an flock: the kernel drops it
 * when the holder exits, however it exits, so a killed run leaves no stale
 * lock behind). */

/* Makes DIR if needed and takes its lock for the life of the process: the
 * descriptor (>= 0), or -1 with "DIR is in use by another r1sim run (pid N)"
 * or the system's reason in err. */
int rundir_lock(const char *dir, char *err, size_t errlen);

/* With the lock held, no temporary file in DIR or its stage directories can
 * still be in the making: those found are a killed run's leftovers (a
 * resume point cut off mid-write, say) and are removed. Returns how many. */
int rundir_remove_temps(const char *dir);

#endif
