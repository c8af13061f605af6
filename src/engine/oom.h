#ifndef R1SIM_ENGINE_OOM_H
#define R1SIM_ENGINE_OOM_H

/* Running out of memory in the middle of a forward, a backward or a sampling
 * step, where no caller has an error to hand on. */

#include <stddef.h>

/* Says on stderr which buffer of how many bytes could not be had, and ends
 * the process with exit status 1. Every file r1sim writes is renamed into
 * place whole, so the finished stages and the last resume point stay valid
 * and the same command resumes (redis' zmalloc does the same on OOM). */
_Noreturn void engine_out_of_memory(const char *what, size_t bytes);

#endif
