#ifndef R1SIM_TRAIN_KD_LOSS_H
#define R1SIM_TRAIN_KD_LOSS_H

/* The loss of logit distillation on rows of logits, apart from any model so
 * that it can be checked alone:
 *
 *   loss = (1 - w) CE + w KL,   over the rows whose target is not negative,
 *   CE   = -log softmax(zs)[target]
 *   KL   = T^2 KL(softmax(zt / T) || softmax(zs / T))
 *
 * with zs the student's logits and zt the teacher's. The forward KL
 * (teacher first) asks the student to cover every continuation the teacher
 * gives weight to. T^2 (Hinton et al., 2015) keeps the KL term's gradient,
 * T (ps - pt), the size of the cross-entropy's as T grows, so that kd_weight
 * means the same at every temperature. */

typedef struct {
    double ce, kl; /* sums over the unmasked rows, kl including T^2 */
    long n;        /* unmasked rows */
} KdSums;

/* zs and zt are (rows, V); targets has one id per row, negative to mask it.
 * Adds the rows' sums into *sums (which the caller zeroes). When dlogits is
 * not NULL it receives (rows, V): scale * d(loss)/d(zs) for every unmasked
 * row, zero for masked ones (scale 1/N makes the loss a mean over N rows). */
void kd_loss_rows(const float *zs, const float *zt, const int *targets, int rows, int V,
                  float temperature, float kd_weight, float scale, float *dlogits, KdSums *sums);

#endif
