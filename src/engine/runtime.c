#include "engine/runtime.h"

#include <blis.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static int own_products = -1;

int engine_own_products(void) {
    if (own_products < 0) {
        const char *e = getenv("R1SIM_PRODUCTS");
        if (e && strcmp(e, "blis") == 0)
            own_products = 0;
        else if (e && strcmp(e, "own") == 0)
            own_products = 1;
        else
            own_products = bli_arch_query_id() == BLIS_ARCH_GENERIC;
    }
    return own_products;
}

void engine_use_own_products(int on) {
    own_products = on != 0;
}

const char *engine_products_name(void) {
    static char name[64];
    snprintf(name, sizeof name, "%s (BLIS kernels: %s)", engine_own_products() ? "r1sim's" : "BLIS",
             bli_arch_string(bli_arch_query_id()));
    return name;
}

int engine_threads(void) {
    return thread_count;
}
