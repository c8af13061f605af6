#ifndef R1SIM_PIPELINE_GRAPH_H
#define R1SIM_PIPELINE_GRAPH_H

/* The stage graph a pipeline script declares, as plain C: the TUI draws it, the
 * runner executes it, the script layer builds it (the pipeline never sees Lua).
 *
 * A stage has a kind, a unique name, inputs and options. An input is either
 * another stage's name (its checkpoint or dataset) or a file path containing a
 * '/' or ending in ".csv" (data/coldstart.csv). Options are name = value pairs
 * validated against the kind's option table, so that a typo is an error naming
 * it rather than a silently ignored setting. Values are kept as text (numbers
 * formatted with %.17g) because text is what the cache hashes, the CSV records
 * and the TUI edits. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { GRAPH_MAX_STAGES = 48, GRAPH_MAX_INPUTS = 8, GRAPH_MAX_OPTIONS = 32, GRAPH_NAME = 48 };

typedef enum { OPT_NUMBER, OPT_INTEGER, OPT_STRING } OptType;

typedef struct {
    const char *name;
    OptType type;
    const char *def; /* default as text */
    double min, max; /* checked when min < max */
    const char *help;
    /* Further checks of a value: NULL when fine, else what was expected
     * ("grpo, dapo or dr_grpo"); NULL accepts anything of the type. */
    const char *(*check)(const char *value);
} OptSpec;

/* One row of the kind table. Adding a kind (grpo, sample, distill) is adding a
 * row here and an executor in stages.c. */
typedef struct {
    const char *name;
    const OptSpec *options; /* ended by a NULL name */
    int min_inputs, max_inputs;
    bool makes_checkpoint, makes_dataset;
    const char *code_version; /* bump when the kind's numbers change */
} StageKind;

const StageKind *stage_kind_find(const char *name);
/* "pretrain, sft, eval" for messages. */
const char *stage_kind_names(void);

typedef struct {
    char name[GRAPH_NAME];
    char value[256];
} StageOption;

typedef struct {
    char name[GRAPH_NAME];
    const StageKind *kind;
    char where[128]; /* "quick.lua:12", where the script declared it, for messages */
    int n_inputs;
    char inputs[GRAPH_MAX_INPUTS][256];
    int input_stage[GRAPH_MAX_INPUTS]; /* index of the producing stage, -1 for a file */
    int n_options;                     /* every option of the kind, defaults filled in */
    StageOption options[GRAPH_MAX_OPTIONS];
} Stage;

/* One completion as a script-defined reward sees it. */
typedef struct {
    const char *prompt;     /* the templated prompt */
    const char *completion; /* what the model wrote after the prompt */
    const char *question;   /* the task instance, "347+589?"; "" for a non-task prompt */
    const char *expected;   /* its canonical answer, "936" */
    const char *task;       /* "add3" */
    const char *thought;    /* the thought, parsed out of the completion */
    size_t thought_len;
    const char *answer; /* inside <answer>...</answer>; NULL when there is none */
    size_t answer_len;
    int well_formed, length, max_length, truncated;
} GraphRewardArgs;

/* Hooks the runner calls on the worker thread; any may be NULL. A negative
 * return marks the stage failed with the message left in err; on_step
 * returning 1 ends the stage early as done (a script's early stopping). */
typedef struct {
    void *ctx;
    int (*on_step)(void *ctx, const Stage *st, long step, long total, const char *const *names,
                   const double *values, int n, char *err, size_t errlen);
    int (*on_stage_end)(void *ctx, const Stage *st, const char *status, const char *const *names,
                        const double *values, int n, char *err, size_t errlen);
    /* Rewards the script defines by name (r1sim.reward). has_reward: 1 when
     * `name` is one. reward: scores one completion into *score, or -1 with the
     * script's `file:line: message` in err. fingerprint: a hash of the code of
     * the script rewards the stage uses, mixed into its cache key so that
     * editing a reward function re-runs the stages that use it. */
    int (*has_reward)(void *ctx, const char *name);
    int (*reward)(void *ctx, const char *name, const GraphRewardArgs *a, double *score, char *err,
                  size_t errlen);
    uint64_t (*fingerprint)(void *ctx, const Stage *st);
} GraphHooks;

typedef struct {
    int n;
    Stage stages[GRAPH_MAX_STAGES];
    GraphHooks hooks;
} Graph;

void graph_init(Graph *g);

/* Adds a stage. opts holds n_opts name/value pairs as text; each must be an
 * option of the kind and parse as its type. -1 with a message naming the
 * stage and the offending option (the caller prefixes the script's file:line). */
int graph_add_stage(Graph *g, const char *kind, const char *name, const char *const *inputs,
                    int n_inputs, const char *const *opt_names, const char *const *opt_values,
                    int n_opts, const char *where, char *err, size_t errlen);

/* Resolves inputs to stages and orders the graph: order receives the stage
 * indices so that every stage follows its inputs (declaration order among
 * independent stages). -1 with a message on an input naming no stage and no
 * file, or on a cycle (naming the stages on it). */
int graph_resolve(Graph *g, int *order, char *err, size_t errlen);

int graph_find(const Graph *g, const char *name);
const char *stage_opt(const Stage *st, const char *name);
double stage_opt_num(const Stage *st, const char *name);
/* Sets one option (the TUI's edit). Same validation as graph_add_stage. */
int stage_set_opt(Stage *st, const char *name, const char *value, char *err, size_t errlen);
/* 1 when the text names a file rather than a stage. */
int graph_input_is_file(const char *input);

#endif
