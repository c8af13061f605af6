/* The Bradley-Terry loss on hand-computed pairs, its gradient against finite
 * differences, and its behaviour at margins where a naive exp overflows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "train/bt_loss.h"

static void equal_scores_cost_ln2_and_pull_apart_at_half_strength(void **state) {
    const float rc[4] = {0.0f, 1.5f, -2.0f, 7.0f}, rr[4] = {0.0f, 1.5f, -2.0f, 7.0f};
    float dc[4], dr[4];
    BtStats st = bt_loss(rc, rr, 4, dc, dr);
    assert_float_equal(st.loss, log(2.0), 1e-12);
    assert_float_equal(st.accuracy, 0.0, 0.0); /* a tie is not a win */
    assert_float_equal(st.margin, 0.0, 0.0);
    for (int i = 0; i < 4; i++) {
        assert_float_equal(dc[i], -0.5f / 4, 1e-7f);
        assert_float_equal(dr[i], 0.5f / 4, 1e-7f);
    }
}

static void a_hand_computed_mixed_batch(void **state) {
    /* margins 1 and -1: losses log(1 + e^-1) and log(1 + e), gradients
     * -sigmoid(-m) / 2 on the chosen score */
    const float rc[2] = {1.0f, 0.0f}, rr[2] = {0.0f, 1.0f};
    float dc[2], dr[2];
    BtStats st = bt_loss(rc, rr, 2, dc, dr);
    assert_float_equal(st.loss, (log1p(exp(-1.0)) + log1p(exp(1.0))) / 2, 1e-12);
    assert_float_equal(st.accuracy, 0.5, 0.0);
    assert_float_equal(st.margin, 0.0, 0.0);
    assert_float_equal(dc[0], -0.2689414f / 2, 1e-7f);
    assert_float_equal(dc[1], -0.7310586f / 2, 1e-7f);
    assert_float_equal(dr[0], 0.2689414f / 2, 1e-7f);
    assert_float_equal(dr[1], 0.7310586f / 2, 1e-7f);
}

static void large_margins_neither_overflow_nor_lose_the_gradient(void **state) {
    const float rc[2] = {1000.0f, -1000.0f}, rr[2] = {0.0f, 0.0f};
    float dc[2], dr[2];
    BtStats st = bt_loss(rc, rr, 1, dc, dr);
    /* a confident right ranking costs nothing and gets no push */
    assert_true(st.loss >= 0.0 && st.loss < 1e-12);
    assert_float_equal(st.accuracy, 1.0, 0.0);
    assert_float_equal(dc[0], 0.0f, 1e-30f);
    /* a confident wrong one costs its margin and gets the full push */
    st = bt_loss(rc + 1, rr + 1, 1, dc + 1, dr + 1);
    assert_float_equal(st.loss, 1000.0, 1e-9);
    assert_float_equal(st.accuracy, 0.0, 0.0);
    assert_float_equal(dc[1], -1.0f, 1e-7f);
    assert_float_equal(dr[1], 1.0f, 1e-7f);
    st = bt_loss(rc, rr, 2, NULL, NULL);
    assert_float_equal(st.loss, 500.0, 1e-9);
    assert_float_equal(st.margin, 0.0, 1e-9);
    assert_true(isfinite(st.loss));
}

static void gradient_matches_finite_differences(void **state) {
    float rc[3] = {0.3f, -1.2f, 2.5f}, rr[3] = {0.9f, -1.0f, -0.5f};
    float dc[3], dr[3];
    bt_loss(rc, rr, 3, dc, dr);
    const float h = 1e-2f;
    for (int i = 0; i < 3; i++) {
        float *sides[2] = {rc, rr};
        float ana[2] = {dc[i], dr[i]};
        for (int s = 0; s < 2; s++) {
            float saved = sides[s][i];
            sides[s][i] = saved + h;
            double lp = bt_loss(rc, rr, 3, NULL, NULL).loss;
            sides[s][i] = saved - h;
            double lm = bt_loss(rc, rr, 3, NULL, NULL).loss;
            sides[s][i] = saved;
            assert_float_equal(ana[s], (lp - lm) / (2.0 * h), 1e-5);
        }
    }
}

static void no_pairs_give_zeros(void **state) {
    BtStats st = bt_loss(NULL, NULL, 0, NULL, NULL);
    assert_float_equal(st.loss, 0.0, 0.0);
    assert_float_equal(st.accuracy, 0.0, 0.0);
    assert_float_equal(st.margin, 0.0, 0.0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(equal_scores_cost_ln2_and_pull_apart_at_half_strength),
        cmocka_unit_test(a_hand_computed_mixed_batch),
        cmocka_unit_test(large_margins_neither_overflow_nor_lose_the_gradient),
        cmocka_unit_test(gradient_matches_finite_differences),
        cmocka_unit_test(no_pairs_give_zeros),
    };
    return cmocka_run_group_tests_name("train_bt_loss", tests, NULL, NULL);
}
