#ifndef R1SIM_TRAIN_BT_LOSS_H
#define R1SIM_TRAIN_BT_LOSS_H

/* The Bradley-Terry preference loss a reward model trains on (InstructGPT,
 * and R1's helpfulness and harmlessness rewards): for a pair whose chosen
 * completion scored rc and rejected one rr, -log sigmoid(rc - rr). A pure
 * function so it can be checked against hand-computed values on its own. */

typedef struct {
    double loss;     /* mean over pairs of -log sigmoid(rc - rr) */
    double accuracy; /* fraction of pairs with rc > rr (a tie is not a win) */
    double margin;   /* mean of rc - rr */
} BtStats;

/* Over n pairs; n = 0 gives zeros. d_chosen and d_rejected (n each, or both
 * NULL) get dL/drc = -sigmoid(rr - rc) / n and dL/drr = -dL/drc, the
 * gradient of the mean loss. */
BtStats bt_loss(const float *r_chosen, const float *r_rejected, int n, float *d_chosen,
                float *d_rejected);

#endif
