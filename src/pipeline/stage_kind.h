#ifndef R1SIM_PIPELINE_STAGE_KIND_H
#define R1SIM_PIPELINE_STAGE_KIND_H

/* The interface a stage kind implements, and what the shared executor
 * (stages.c) gives it. A kind is one file, src/pipeline/stage_<kind>.c,
 * defining a StageKind (graph.h: options, input roles, outputs) whose ops
 * point at the functions below, and one line in stage_registry.c.
 *
 * The executor owns everything kinds share: the run directory, the cache
 * key, the resume commit point (DIR/STAGE/resume names the last complete
 * resume point), the model's weights in resume points and model.ckpt, and
 * the metrics.csv appender. A kind owns its state and its other files. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/gpt.h"
#include "pipeline/graph.h"
#include "pipeline/metrics.h"
#include "train/grpo_trace.h"
#include "train/rewards.h"

/* A stage's work in tokens, before it runs. Completion lengths are not
 * known then: sampled tokens count every completion at max_new_tokens, so
 * a figure with `upper` set is a bound, not a forecast. */
typedef struct {
    double train;    /* tokens through forward, backward and AdamW */
    double forward;  /* tokens through a no-grad forward (reference, teacher) */
    double decode;   /* tokens sampled */
    double rows_out; /* rows of the dataset the stage makes, at most */
    int upper;
} StageWork;

typedef struct {
    double rows;    /* rows of the stage's dataset inputs (files counted, stages estimated) */
    int row_tokens; /* tokens a dataset row is taken to hold: half the context */
    int context;    /* the model's context */
} StageWorkIn;

typedef void (*StagePublishTrace)(void *ctx, const GrpoTrace *t);

/* What a kind's functions see of the running stage. */
typedef struct StageCtx {
    const Graph *g;
    const Stage *st;
    const char *dir;         /* run directory */
    unsigned long long seed; /* the stage's seed option mixed with the run's */
    long done;               /* steps done (set by the executor) */
    /* The model the stage trains or evaluates, set by open when it has one:
     * the executor frees it, keeps it in resume points and, for a kind that
     * makes a checkpoint, writes it as model.ckpt. */
    Gpt *model;
    /* Publishes the stage's newest completion to the view; never NULL. */
    void (*publish)(void *ctx, const char *prompt, const char *completion, const char *const *names,
                    const double *values, int n);
    void *publish_ctx;
    /* Publishes a GRPO step's whole trace (copied before it returns); never
     * NULL. */
    StagePublishTrace publish_trace;
    void *trace_ctx;
    /* True when the user has asked the run to stop; a kind whose one step is
     * long (an eval) polls it between batches and returns STAGE_STEP_STOPPED.
     * Never NULL. */
    bool (*stopping)(void *ctx);
    void *stop_ctx;
} StageCtx;

/* A step's return when it gave up part-way because of a stop: the step did
 * not happen, and the stage stops as it would between two steps. */
enum { STAGE_STEP_STOPPED = 2 };

typedef struct StageOps {
    /* Reads options and inputs, builds the kind's state; sets c->model when
     * there is one and *total to the steps the stage will take. NULL with a
     * one-line message naming the stage. */
    void *(*open)(StageCtx *c, long *total, char *err, size_t errlen);
    /* The metrics.csv columns after "step", in the order step fills them. */
    int (*columns)(const void *state, const char **names, int max);
    /* One step into row (values only). 0, 1 when nothing is left,
     * STAGE_STEP_STOPPED, or -1 with a message. */
    int (*step)(void *state, StageCtx *c, MetricsRow *row, char *err, size_t errlen);
    /* A resume point beyond the model's weights: the kind writes what it
     * needs to files named prefix + a suffix of its own (".state", ...).
     * NULL: the kind does not resume (it restarts from step 0). */
    int (*save)(void *state, StageCtx *c, const char *prefix, char *err, size_t errlen);
    int (*load)(void *state, StageCtx *c, const char *prefix, char *err, size_t errlen);
    /* Files the kind appends to, cut back to a resume point's step on
     * resume (metrics.csv always is); ended by NULL; may be NULL. */
    const char *const *step_files;
    /* Called after open (and any resume): open the kind's appenders. May be
     * NULL. resumed is 1 when continuing a resume point. */
    int (*start)(void *state, StageCtx *c, int resumed, char *err, size_t errlen);
    /* Writes the kind's outputs besides model.ckpt (dataset.csv,
     * eval_rows.csv). May be NULL. */
    int (*finish)(void *state, StageCtx *c, char *err, size_t errlen);
    /* The one figure for the flowchart box and the progress line, from a
     * metrics row (the running stage's newest, or a cached stage's last row
     * read back from metrics.csv). */
    void (*headline)(const char *const *names, const double *values, int n, char *buf, size_t cap);
    void (*free)(void *state);
    /* Checks what needs the whole script loaded (reward and filter names).
     * May be NULL. */
    int (*check)(const Stage *st, const GraphHooks *hooks, char *err, size_t errlen);
    /* The script functions the stage uses, for its cache key. May be NULL. */
    int (*script_fns)(const Stage *st, const GraphHooks *hooks, ScriptFnKind *kinds,
                      char (*names)[GRAPH_NAME], int max);
    /* The work a run of the stage does, for `r1sim run --dry-run`, from its
     * options and the rows of its dataset inputs. May be NULL (no estimate). */
    void (*work)(const Stage *st, const StageWorkIn *in, StageWork *out);
} StageOps;

/* ---- for kinds: inputs, paths, rows -------------------------------------- */

/* Number of inputs filling role `role` (a name from the kind's roles). */
int stage_input_count(const StageCtx *c, const char *role);
/* The i-th input of the role: its name as the script wrote it (a stage's
 * name or a file path), and the file it provides (the stage's model.ckpt or
 * dataset.csv, or the file itself). NULL when there is no such input. */
const char *stage_input_name(const StageCtx *c, const char *role, int i);
const char *stage_input_file(const StageCtx *c, const char *role, int i, char *buf, size_t cap);
/* Loads the role's i-th checkpoint. NULL with a message. */
Gpt *stage_input_model(const StageCtx *c, const char *role, int i, char *err, size_t errlen);
/* DIR/STAGE/file. */
int stage_file(const StageCtx *c, const char *file, char *buf, size_t cap);
/* Appends a named value to a metrics row. */
void stage_row_set(MetricsRow *row, const char *name, double v);
/* A named value of a headline's row; NaN when absent. */
double stage_row_value(const char *const *names, const double *values, int n, const char *name);
/* The columns and row of the kinds that train on tokens (pretrain, sft,
 * distill): loss, grad_norm, lr, tokens_per_s. */
int stage_train_columns(const void *state, const char **names, int max);
void stage_train_row(MetricsRow *row, double loss, double grad_norm, double lr,
                     double tokens_per_s);
/* The headline every training kind shares: "loss 0.873". */
void stage_headline_loss(const char *const *names, const double *values, int n, char *buf,
                         size_t cap);

/* What a script reward or filter sees of one completion (GraphRewardArgs,
 * pointing into the sample and into this struct). */
typedef struct {
    GraphRewardArgs a;
    char task[32]; /* "pair4", or "general:to_cipher" */
} StageScriptArgs;
void stage_script_args(const RewardSample *s, StageScriptArgs *out);

/* Every file input filling `role` must be a CSV with these columns: checked
 * when the script loads, so that a bad file fails before anything runs. -1
 * with "stage 'S': ROLE input FILE:LINE: ...". */
int stage_check_file_columns(const Stage *st, const char *role, const char *const *cols, int n,
                             char *err, size_t errlen);

/* ---- for the executor: checks over a loaded script ----------------------- */

/* Runs every stage kind's check (rewards, filters named by the script): at
 * load, so that a typo fails the script rather than the stage hours later.
 * -1 with a message prefixed with the stage's file:line. */
int stage_kinds_check(const Graph *g, char *err, size_t errlen);
/* A hash of the code of the script functions the stage uses (0: none). */
uint64_t stage_script_fingerprint(const Graph *g, const Stage *st);

#endif
