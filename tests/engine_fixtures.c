#include "engine_fixtures.h"

#include "engine/rng.h"

Gpt *fixture_tiny_model(const GptConfig *cfg, unsigned long long seed, float scale) {
    Gpt *m = gpt_new(cfg);
    if (!m) return NULL;
    Rng r;
    rng_seed(&r, seed);
    for (size_t i = 0; i < m->num_params; i++) m->params[i] = scale * rng_normal(&r);
    /* LayerNorm gains near 1 keep the normalised activations well scaled. */
    float *gains[] = {m->w.ln1w, m->w.ln2w, m->w.lnfw};
    size_t n[] = {m->tensor_size[2], m->tensor_size[8], m->tensor_size[14]};
    for (int t = 0; t < 3; t++)
        for (size_t i = 0; i < n[t]; i++) gains[t][i] = 1.0f + 0.1f * rng_normal(&r);
    return m;
}

void fixture_tokens(int *out, int n, int V, unsigned long long seed) {
    Rng r;
    rng_seed(&r, seed);
    for (int i = 0; i < n; i++) out[i] = (int)rng_below(&r, (uint32_t)V);
}
