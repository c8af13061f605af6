#ifndef R1SIM_PIPELINE_STAGES_H
#define R1SIM_PIPELINE_STAGES_H

/* The executor every stage kind shares, as a step iterator so that the
 * runner can pause, single-step and stop between steps:
 *   open   opens the kind (stage_kind.h) and, when a resume point of the
 *          same key exists, continues from it (the kind's step files are cut
 *          back to that step);
 *   step   one step of the kind (eval: the whole evaluation, one step);
 *   save   writes a resume point: the model's weights, the kind's state,
 *          then the commit file DIR/STAGE/resume naming its step;
 *   finish writes model.ckpt (a kind that makes a checkpoint) and the
 *          kind's outputs; the runner then marks the stage done. */

#include <stddef.h>
#include <stdint.h>

#include "pipeline/graph.h"
#include "pipeline/metrics.h"
#include "pipeline/stage_kind.h"

typedef struct StageRun StageRun;

/* Where a stage's newest completion goes for the view. */
typedef void (*StagePublish)(void *ctx, const char *prompt, const char *completion,
                             const char *const *names, const double *values, int n);

/* run_seed is the run's --seed: 1 leaves every stage's own seed option as it
 * is, any other value derives a different seed from each. publish may be
 * NULL. */
/* Where a kind with long steps asks whether to stop (StageCtx.stopping);
 * until set, never. */
void stage_run_set_stop(StageRun *r, bool (*stopping)(void *ctx), void *ctx);

/* Where a GRPO stage's newest step goes, token by token, for the step
 * inspector (StageCtx.publish_trace); until set, nowhere. */
void stage_run_set_trace(StageRun *r, StagePublishTrace publish, void *ctx);

StageRun *stage_run_open(const Graph *g, int s, const char *dir, uint64_t key,
                         unsigned long long run_seed, StagePublish publish, void *publish_ctx,
                         char *err, size_t errlen);
/* The seed a stage with seed option stage_seed uses in a run seeded run_seed. */
unsigned long long stage_seed_for_run(unsigned long long stage_seed, unsigned long long run_seed);
long stage_run_step_count(const StageRun *r); /* steps done */
long stage_run_total(const StageRun *r);
int stage_run_resumed(const StageRun *r); /* 1 when open continued a resume point */
/* 0 a step was taken and row filled; 1 nothing left; -1 error. A step of a
 * kind that trains its model is an error when its loss, grad_norm, lr or
 * reward, or any weight, is NaN or infinite ("stage 'S': step 37: loss is
 * NaN"): the row is not written and nothing is saved. */
int stage_run_step(StageRun *r, MetricsRow *row, char *err, size_t errlen);
int stage_run_save(StageRun *r, char *err, size_t errlen);
int stage_run_finish(StageRun *r, char *err, size_t errlen);
/* The stage's one figure for the flowchart and the progress line. */
void stage_run_headline(const StageRun *r, char *buf, size_t cap);
void stage_run_free(StageRun *r);

/* For a stage reused from the cache: its headline and step count, read back
 * from its metrics.csv (headline "" and *steps 0 when unreadable). */
/* Whether a finished stage's outputs still load (its model.ckpt, its
 * dataset.csv): a file damaged or truncated since, or of a format this build
 * no longer reads, must not be reused for ever. 0, or -1 with the reason. */
int stage_cached_outputs_load(const Stage *st, const char *dir, char *err, size_t errlen);

void stage_cached_summary(const Stage *st, const char *dir, char *headline, size_t cap,
                          long *steps);

#endif
