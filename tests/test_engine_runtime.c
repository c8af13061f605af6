/* Engine settings reach a thread other than the one that made them (the
 * pipeline's worker) through engine_thread_init: OpenMP's thread count is a
 * per-thread setting that a new thread takes from the environment, not from
 * its creator, and MXCSR is per thread too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <omp.h>
#include <pthread.h>
#include <xmmintrin.h>

#include "engine/runtime.h"

enum { FTZ_DAZ = 0x8040 };

typedef struct {
    int init;     /* call engine_thread_init first */
    int threads;  /* omp_get_max_threads() seen */
    int ftz_here; /* this thread flushes denormals */
    int ftz_team; /* every thread of its team does */
    int team_size;
} Probe;

static void *probe(void *arg) {
    Probe *p = arg;
    if (p->init) engine_thread_init();
    p->threads = omp_get_max_threads();
    p->ftz_here = (_mm_getcsr() & FTZ_DAZ) == FTZ_DAZ;
    int all = 1, size = 0;
#pragma omp parallel reduction(&& : all) reduction(+ : size)
    {
        all = (_mm_getcsr() & FTZ_DAZ) == FTZ_DAZ;
        size = 1;
    }
    p->ftz_team = all;
    p->team_size = size;
    return NULL;
}

static Probe run_probe(int init) {
    Probe p = {.init = init};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, probe, &p), 0);
    pthread_join(t, NULL);
    return p;
}

static void thread_init_applies_both_settings(void **state) {
    for (int n = 1; n <= 2; n++) {
        engine_set_threads(n);
        Probe p = run_probe(1);
        assert_int_equal(p.threads, n);
        assert_int_equal(p.team_size, n);
        assert_true(p.ftz_here);
        assert_true(p.ftz_team);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(thread_init_applies_both_settings),
    };
    return cmocka_run_group_tests_name("engine_runtime", tests, NULL, NULL);
}
