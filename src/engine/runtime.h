#ifndef R1SIM_ENGINE_RUNTIME_H
#define R1SIM_ENGINE_RUNTIME_H

/* Process-wide engine settings: the thread count shared by BLIS and the
 * engine's own loops (one OpenMP runtime serves both), and flush-to-zero /
 * denormals-are-zero on every worker thread, since tiny models with weight
 * decay produce denormals that are ~100x slower to compute with. */

/* Sets the number of threads (>= 1) for BLIS and for the engine's loops, and
 * enables FTZ/DAZ on every thread of the pool. Call before training. */
void engine_set_threads(int n);
int engine_threads(void);

#endif
