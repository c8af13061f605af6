#include "train/bt_loss.h"

#include <math.h>

BtStats bt_loss(const float *r_chosen, const float *r_rejected, int n, float *d_chosen,
                float *d_rejected) {
    BtStats st = {0};
    if (n <= 0) return st;
    double loss = 0.0, margin = 0.0;
    int wins = 0;
    for (int i = 0; i < n; i++) {
        double m = (double)r_chosen[i] - r_rejected[i];
        /* -log sigmoid(m) = softplus(-m), written so that neither a large
         * margin nor a large negative one overflows exp */
        loss += fmax(-m, 0.0) + log1p(exp(-fabs(m)));
        margin += m;
        wins += m > 0.0;
        if (d_chosen) {
            /* sigmoid(-m), again in the form whose exp cannot overflow */
            double s = m >= 0.0 ? exp(-m) / (1.0 + exp(-m)) : 1.0 / (1.0 + exp(m));
            d_chosen[i] = (float)(-s / n);
            d_rejected[i] = (float)(s / n);
        }
    }
    st.loss = loss / n;
    st.accuracy = (double)wins / n;
    st.margin = margin / n;
    return st;
}
