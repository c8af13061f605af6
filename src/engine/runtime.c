#include "engine/runtime.h"

#include <blis.h>
#include <omp.h>
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

static int thread_count = 1;

static void flush_denormals_here(void) {
#if defined(__x86_64__) || defined(__i386__)
    /* bit 15 FTZ, bit 6 DAZ */
    _mm_setcsr(_mm_getcsr() | 0x8040);
#endif
}

void engine_set_threads(int n) {
    if (n < 1) n = 1;
    thread_count = n;
    omp_set_num_threads(n);
    bli_thread_set_num_threads(n);
    flush_denormals_here();
    /* the pool's threads persist between regions, so setting MXCSR once in
     * each of them covers later parallel loops and BLIS's own work */
#pragma omp parallel num_threads(n)
    flush_denormals_here();
}

void engine_thread_init(void) {
    omp_set_num_threads(thread_count);
    flush_denormals_here();
#pragma omp parallel num_threads(thread_count)
    flush_denormals_here();
}

int engine_threads(void) {
    return thread_count;
}
