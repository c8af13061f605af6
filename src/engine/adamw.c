#include "engine/adamw.h"

#include <math.h>
#include <stdlib.h>

#include "engine/ops.h"

AdamWConfig adamw_defaults(void) {
    return (AdamWConfig){.lr = 3e-4f,
                         .beta1 = 0.9f,
                         .beta2 = 0.999f,
                         .eps = 1e-8f,
                         .weight_decay = 0.0f,
                         .grad_clip = 1.0f,
                         .warmup_steps = 0,
                         .total_steps = 0,
                         .min_lr_frac = 0.1f};
}

AdamW *adamw_new(const Gpt *model, const AdamWConfig *cfg) {
    AdamW *o = calloc(1, sizeof *o);
    if (!o) return NULL;
    o->cfg = *cfg;
    o->n = model->num_params;
    o->m = engine_alloc_floats(o->n);
    o->v = engine_alloc_floats(o->n);
    if (!o->m || !o->v) {
        adamw_free(o);
        return NULL;
    }
    return o;
}

void adamw_free(AdamW *o) {
    if (!o) return;
    free(o->m);
    free(o->v);
    free(o);
}

float adamw_lr_at(const AdamWConfig *c, long step) {
    if (c->warmup_steps > 0 && step < c->warmup_steps)
        return c->lr * (float)(step + 1) / (float)c->warmup_steps;
    if (c->total_steps <= 0 || c->total_steps <= c->warmup_steps) return c->lr;
    double progress = (double)(step - c->warmup_steps) / (double)(c->total_steps - c->warmup_steps);
    if (progress > 1.0) progress = 1.0;
    double floor_lr = c->lr * c->min_lr_frac;
    return (float)(floor_lr + 0.5 * (c->lr - floor_lr) * (1.0 + cos(3.141592653589793 * progress)));
}

/* The sum is taken over fixed blocks, then the blocks' sums in order, so
 * that its rounding, and so every clipped update, is the same for any
 * thread count: a sweep running one thread per run must reproduce a run
 * made on two (an OpenMP reduction adds the threads' partial sums in an
 * order that depends on how many there are). */
enum { NORM_BLOCK = 16384, NORM_MAX_BLOCKS = 4096 };

float gpt_grad_norm(const Gpt *model) {
    const float *g = model->grads;
    size_t n = model->num_params;
    size_t blocks = (n + NORM_BLOCK - 1) / NORM_BLOCK;
    if (blocks > NORM_MAX_BLOCKS) blocks = NORM_MAX_BLOCKS;
    size_t per = blocks ? (n + blocks - 1) / blocks : 0;
    double part[NORM_MAX_BLOCKS];
#pragma omp parallel for if (n > 65536) schedule(static)
    for (size_t b = 0; b < blocks; b++) {
        size_t lo = b * per, hi = lo + per < n ? lo + per : n;
        double s = 0.0;
        for (size_t i = lo; i < hi; i++) s += (double)g[i] * g[i];
        part[b] = s;
    }
    double sum = 0.0;
    for (size_t b = 0; b < blocks; b++) sum += part[b];
    return (float)sqrt(sum);
}

/* Tensors that get weight decay: the embeddings, the four weight matrices
 * per layer and the reward head's weight vector (indices into the checkpoint
 * order). */
static int decays(int tensor) {
    return tensor == 0 || tensor == 1 || tensor == 4 || tensor == 6 || tensor == 10 ||
           tensor == 12 || tensor == 16;
}

float adamw_update(AdamW *o, Gpt *model) {
    const AdamWConfig *c = &o->cfg;
    float norm = gpt_grad_norm(model);
    float gscale = (c->grad_clip > 0.0f && norm > c->grad_clip) ? c->grad_clip / norm : 1.0f;
    float lr = adamw_lr_at(c, o->step);
    o->step++;
    float bc1 = 1.0f - powf(c->beta1, (float)o->step);
    float bc2 = 1.0f - powf(c->beta2, (float)o->step);
    float *p = model->params, *g = model->grads;
    size_t off = 0;
    for (int t = 0; t < GPT_NUM_TENSORS; t++) {
        size_t n = model->tensor_size[t];
        float wd = decays(t) ? c->weight_decay : 0.0f;
        float *pt = p + off, *gt = g + off, *mt = o->m + off, *vt = o->v + off;
#pragma omp parallel for if (n > 65536) schedule(static)
        for (size_t i = 0; i < n; i++) {
            float gi = gt[i] * gscale;
            float mi = c->beta1 * mt[i] + (1.0f - c->beta1) * gi;
            float vi = c->beta2 * vt[i] + (1.0f - c->beta2) * gi * gi;
            mt[i] = mi;
            vt[i] = vi;
            float mhat = mi / bc1, vhat = vi / bc2;
            pt[i] -= lr * (mhat / (sqrtf(vhat) + c->eps) + wd * pt[i]);
        }
        off += n;
    }
    return norm;
}
