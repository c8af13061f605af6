#ifndef R1SIM_PIPELINE_STAGE_GRPO_H
#define R1SIM_PIPELINE_STAGE_GRPO_H

/* The grpo stage kind: reads its options into a GrpoConfig, resolves its
 * rewards (built-ins by name, the script's through the graph's reward hook),
 * steps the GRPO trainer, and turns each step into a metrics row; every
 * `samples_every` steps the whole rollout batch goes to samples.csv. */

#include <stddef.h>

#include "engine/gpt.h"
#include "pipeline/graph.h"
#include "pipeline/metrics.h"

enum { GRPO_STAGE_MAX_REWARDS = 16 };

typedef struct {
    int n;
    char names[GRPO_STAGE_MAX_REWARDS][GRAPH_NAME];
    double weights[GRPO_STAGE_MAX_REWARDS];
    int scripted[GRPO_STAGE_MAX_REWARDS]; /* 1: defined by the script, not built in */
} GrpoRewardList;

/* Parses the `rewards` option, "accuracy=1,format=0.5" (a bare name weighs
 * 1). Each name must be a built-in reward or one the script defines (hooks may
 * be NULL: built-ins only). -1 with a message naming the stage otherwise. */
int grpo_rewards_parse(const Stage *st, const GraphHooks *hooks, GrpoRewardList *out, char *err,
                       size_t errlen);

typedef struct GrpoStage GrpoStage;

/* Trains `model` in place (borrowed). */
GrpoStage *grpo_stage_open(const Graph *g, const Stage *st, Gpt *model, unsigned long long seed,
                           char *err, size_t errlen);
/* Opens (or, on a resume, reopens) samples.csv; before the first step. */
int grpo_stage_open_samples(GrpoStage *s, const char *path, char *err, size_t errlen);
/* A resume point: the trainer's state, and the reference model when
 * ref_reset_every makes it differ from the input (ref_path NULL otherwise). */
int grpo_stage_save(GrpoStage *s, const char *state_path, const char *ref_path, char *err,
                    size_t errlen);
int grpo_stage_load(GrpoStage *s, const char *state_path, const char *ref_path, char *err,
                    size_t errlen);

void grpo_stage_free(GrpoStage *s);
long grpo_stage_total(const GrpoStage *s);
/* The metrics.csv columns after "step", in row order. */
int grpo_stage_columns(const GrpoStage *s, const char **names, int max);
/* One GRPO step into row (values only; the caller sets step). 0, or -1 with
 * err (a script reward's error comes with its file:line). */
int grpo_stage_step(GrpoStage *s, long step, MetricsRow *row, char *err, size_t errlen);
void grpo_stage_headline(const GrpoStage *s, char *buf, size_t cap);

#endif
