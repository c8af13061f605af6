#include "train/pass_at_k.h"

#include <math.h>

double pass_at_k(int n, int c, int k) {
    if (k < 1 || n < k || c < 0 || c > n) return NAN;
    /* k = 1 is c/n; the product below gives it only to round-off */
    if (k == 1) return (double)c / n;
    if (n - c < k) return 1.0; /* every k-subset holds a right sample */
    /* C(n-c, k) / C(n, k) = prod_{i = n-c+1}^{n} (1 - k / i): c factors in
     * (0, 1), where the binomials themselves overflow a double by n = 1030 */
    double none = 1.0;
    for (int i = n - c + 1; i <= n; i++) none *= 1.0 - (double)k / i;
    return 1.0 - none;
}
