#ifndef R1SIM_TRAIN_PASS_AT_K_H
#define R1SIM_TRAIN_PASS_AT_K_H

/* The unbiased pass@k estimator of Chen et al. 2021 (Codex): with n samples of
 * a problem of which c are right, 1 - C(n-c, k) / C(n, k), the chance that k
 * of the n drawn without replacement hold a right one. Averaging it over
 * problems estimates pass@k from every sample drawn, not from one draw of k.
 * Computed as a product that neither overflows nor cancels at n in the
 * thousands. NaN unless 1 <= k <= n and 0 <= c <= n. */
double pass_at_k(int n, int c, int k);

#endif
