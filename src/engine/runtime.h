#ifndef R1SIM_ENGINE_RUNTIME_H
#define R1SIM_ENGINE_RUNTIME_H

/* Process-wide engine settings: the thread count shared by BLIS and the
 * engine's own loops (one OpenMP runtime serves both), and flush-to-zero /
 * denormals-are-zero on every worker thread, since tiny models with weight
 * decay produce denormals that are ~100x slower to compute with. */

/* Sets the number of threads (>= 1) for BLIS and for the engine's loops, and
 * enables FTZ/DAZ on every thread of the pool. Call before training. */
void engine_set_threads(int n);
/* The same settings for the calling thread and the OpenMP team it leads. A
 * new thread takes OpenMP's thread count from the environment, not from its
 * creator, so a thread other than the one that called engine_set_threads (a
 * pipeline's worker) calls this before its first engine call, or its loops
 * run with the default count (Linux threads do inherit MXCSR, but nothing
 * promises it). */
void engine_thread_init(void);
int engine_threads(void);

/* Whether the model's dense products (ops.h: mm_inp_wT, mm_dout_w,
 * mm_dw_acc) run on r1sim's own register-tiled loop instead of BLIS: when
 * BLIS found no kernels for this CPU and runs its generic ones (Debian's
 * BLIS 0.9 on recent AMD EPYCs: a quarter of what the loop, compiled for
 * the machine, reaches). Fixed per machine, so a run's numbers do not
 * depend on timing; R1SIM_PRODUCTS=blis or =own overrides it. */
int engine_own_products(void);
/* Sets it (tests compare the two paths). */
void engine_use_own_products(int on);
/* "r1sim's (BLIS kernels: generic)", for the benchmarks' reports. */
const char *engine_products_name(void);

#endif
