#include "train/kd_loss.h"

#include <math.h>
#include <string.h>

/* log sum_j exp(z_j / t), shifted by the largest term for range. */
static double lse_t(const float *z, int V, double t) {
    double top = -INFINITY;
    for (int j = 0; j < V; j++)
        if (z[j] / t > top) top = z[j] / t;
    double sum = 0.0;
    for (int j = 0; j < V; j++) sum += exp(z[j] / t - top);
    return top + log(sum);
}

void kd_loss_rows(const float *zs, const float *zt, const int *targets, int rows, int V,
                  float temperature, float kd_weight, float scale, float *dlogits, KdSums *sums) {
    const double t = temperature, w = kd_weight;
    for (int i = 0; i < rows; i++) {
        const float *s = zs + (size_t)i * V, *q = zt + (size_t)i * V;
        float *d = dlogits ? dlogits + (size_t)i * V : NULL;
        int tg = targets[i];
        if (tg < 0) {
            if (d) memset(d, 0, (size_t)V * sizeof *d);
            continue;
        }
        /* Normalisers first, so that each probability is one exp away and
         * no row buffer is needed whatever the vocabulary. */
        const double lse1 = lse_t(s, V, 1.0), lses = lse_t(s, V, t), lset = lse_t(q, V, t);
        double kl = 0.0;
        for (int j = 0; j < V; j++) {
            double logps = s[j] / t - lses, logpt = q[j] / t - lset, pt = exp(logpt);
            kl += pt * (logpt - logps);
            /* d CE/dz = p1 - onehot; d(T^2 KL)/dz = T (ps - pt) */
            if (d)
                d[j] = (float)(scale * ((1.0 - w) * (exp(s[j] - lse1) - (j == tg)) +
                                        w * t * (exp(logps) - pt)));
        }
        sums->ce += lse1 - s[tg];
        sums->kl += t * t * kl;
        sums->n++;
    }
}
