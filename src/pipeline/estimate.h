#ifndef R1SIM_PIPELINE_ESTIMATE_H
#define R1SIM_PIPELINE_ESTIMATE_H

/* `r1sim run --dry-run`: what each stage would cost before anything runs.
 * Each stage kind counts its work in tokens from its options (stage_kind.h,
 * StageWork); a short measurement of this machine with each model shape
 * (engine/rates.h) turns tokens into seconds. Stages the cache would reuse
 * cost nothing. Sampled tokens count every completion at its length
 * limit, so estimates of sampling stages are upper bounds. */

#include <stdbool.h>

#include "engine/gpt.h"
#include "engine/rates.h"
#include "pipeline/graph.h"
#include "pipeline/stage_kind.h"

typedef struct {
    bool cached;     /* the run would reuse it */
    bool have_shape; /* the model's shape is known (a pretrain, or an input checkpoint) */
    GptConfig shape;
    StageWork work;
    EngineRates rates;
    double seconds; /* NaN when the kind gives no estimate or the shape is unknown */
} StageEstimate;

/* Estimates every stage of a resolved graph (order from graph_resolve).
 * 0, or -1 with a message. */
/* cache: the shared stage cache (shared_cache.h), or NULL. */
int pipeline_estimate(const Graph *g, const int *order, const char *dir, const char *cache,
                      unsigned long long seed, bool fresh, StageEstimate *out, char *err,
                      size_t errlen);

#endif
