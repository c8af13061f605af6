/* The pass@k estimator on cases worked by hand, at its edges (no right
 * sample, all right, k = 1, k = n, fewer wrong samples than k), against the
 * binomial form where that is exact, and where the binomials overflow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "train/pass_at_k.h"

/* Hand-computed: 1 - C(n-c, k) / C(n, k). */
static void hand_cases(void **state) {
    static const struct {
        int n, c, k;
        double want;
    } cases[] = {
        {4, 1, 1, 0.25},                 /* k = 1 is c / n */
        {4, 1, 2, 0.5},                  /* 1 - C(3,2)/C(4,2) = 1 - 3/6 */
        {4, 2, 2, 5.0 / 6},              /* 1 - C(2,2)/C(4,2) = 1 - 1/6 */
        {5, 2, 2, 0.7},                  /* 1 - C(3,2)/C(5,2) = 1 - 3/10 */
        {10, 3, 4, 1.0 - 35.0 / 210},    /* C(7,4) = 35, C(10,4) = 210 */
        {8, 1, 4, 0.5},                  /* one right: k / n */
        {64, 1, 16, 0.25},               /* one right: k / n */
        {64, 2, 32, 1.0 - 496.0 / 2016}, /* 1 - (32*31)/(64*63) */
        {6, 3, 2, 0.8},                  /* 1 - C(3,2)/C(6,2) = 1 - 3/15 */
        {3, 1, 3, 1.0},                  /* k = n: some sample is right */
        {7, 5, 3, 1.0},                  /* n - c = 2 < k = 3: every subset holds one */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_float_equal(pass_at_k(cases[i].n, cases[i].c, cases[i].k), cases[i].want, 1e-12);
}

static void no_right_sample_and_all_right(void **state) {
    for (int n = 1; n <= 64; n++)
        for (int k = 1; k <= n; k++) {
            assert_true(pass_at_k(n, 0, k) == 0.0);
            assert_true(pass_at_k(n, n, k) == 1.0);
        }
    /* k = n: 1 with any right sample, 0 without */
    assert_true(pass_at_k(64, 1, 64) == 1.0);
    assert_true(pass_at_k(64, 0, 64) == 0.0);
}

static double binomial(int n, int k) {
    if (k < 0 || k > n) return 0.0;
    double b = 1.0;
    for (int i = 1; i <= k; i++) b = b * (n - k + i) / i;
    return b;
}

static void product_form_matches_the_binomials(void **state) {
    for (int n = 1; n <= 24; n++)
        for (int c = 0; c <= n; c++)
            for (int k = 1; k <= n; k++)
                assert_float_equal(pass_at_k(n, c, k), 1.0 - binomial(n - c, k) / binomial(n, k),
                                   1e-12);
}

/* The curve rises with k and never falls below pass@1. */
static void monotone_in_k(void **state) {
    for (int c = 0; c <= 64; c++) {
        double prev = pass_at_k(64, c, 1);
        assert_float_equal(prev, c / 64.0, 1e-15);
        for (int k = 2; k <= 64; k++) {
            double p = pass_at_k(64, c, k);
            assert_true(p >= prev - 1e-15);
            prev = p;
        }
    }
}

static void large_n_does_not_overflow(void **state) {
    /* C(1024, 512) is beyond a double: one right of 1024 is found by half */
    assert_float_equal(pass_at_k(1024, 1, 512), 0.5, 1e-12);
    assert_float_equal(pass_at_k(4096, 3, 1024), 1.0 - pow(3072.0 / 4096.0, 3), 1e-3);
}

static void out_of_range_is_nan(void **state) {
    assert_true(isnan(pass_at_k(4, 1, 5)));  /* k > n */
    assert_true(isnan(pass_at_k(4, 5, 1)));  /* c > n */
    assert_true(isnan(pass_at_k(4, -1, 1))); /* c < 0 */
    assert_true(isnan(pass_at_k(4, 1, 0)));  /* k < 1 */
    assert_true(isnan(pass_at_k(0, 0, 1)));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hand_cases),
        cmocka_unit_test(no_right_sample_and_all_right),
        cmocka_unit_test(product_form_matches_the_binomials),
        cmocka_unit_test(monotone_in_k),
        cmocka_unit_test(large_n_does_not_overflow),
        cmocka_unit_test(out_of_range_is_nan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
