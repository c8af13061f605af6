#ifndef R1SIM_ENGINE_FASTMATH_H
#define R1SIM_ENGINE_FASTMATH_H

/* Branch-free exp and tanh that the compiler can vectorise. glibc's expf and
 * tanhf are scalar calls without -ffast-math; in the GELU and softmax loops
 * they cost more than the matrix products around them at these model sizes.
 * Accuracy: relative error of exp_approx below 2e-7 over [-87, 88] (a degree-6
 * Taylor polynomial on |r| <= ln2/2 after range reduction); tanh_approx has
 * absolute error below 3e-7. */

#include <stdint.h>
#include <string.h>

static inline float exp_approx(float x) {
    x = x < -87.0f ? -87.0f : x;
    x = x > 88.0f ? 88.0f : x;
    /* round to nearest by the 1.5 * 2^23 trick: no libm call, so the loop
     * vectorises (valid without -ffast-math, which would fold it away) */
    float kf = (x * 1.4426950408889634f + 12582912.0f) - 12582912.0f;
    /* ln 2 split in two so that kf * ln2 is exact in its high part */
    float r = x - kf * 0.693145751953125f - kf * 1.428606765330187e-06f;
    float p = 1.0f + r * (1.0f + r * (0.5f + r * (1.6666667e-1f +
                                                  r * (4.1666668e-2f +
                                                       r * (8.3333338e-3f + r * 1.3888889e-3f)))));
    /* unsigned: a NaN x (a diverged model) gives a negative kf here, whose
     * shift would be undefined; p is NaN then, so the result stays NaN */
    uint32_t bits = ((uint32_t)(int32_t)kf + 127u) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

static inline float tanh_approx(float u) {
    return 1.0f - 2.0f / (exp_approx(2.0f * u) + 1.0f);
}

#endif
