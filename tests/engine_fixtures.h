#ifndef R1SIM_TESTS_ENGINE_FIXTURES_H
#define R1SIM_TESTS_ENGINE_FIXTURES_H

/* Small models shared by the engine tests. */

#include "engine/gpt.h"

/* A tiny model whose weights are large enough (N(0, scale)) that every
 * parameter has a gradient well above float round-off. */
Gpt *fixture_tiny_model(const GptConfig *cfg, unsigned long long seed, float scale);
/* Random token ids in [0, V). */
void fixture_tokens(int *out, int n, int V, unsigned long long seed);

#endif
