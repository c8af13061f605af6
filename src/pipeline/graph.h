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

/* Where an option lands in the kind's trainer config, so that its default is
 * read from the trainer's own *_defaults() and the value copied without a
 * line per option (stage_options.h). FIELD_NONE: the kind reads it itself. */
typedef enum { FIELD_NONE, FIELD_INT, FIELD_FLOAT, FIELD_DOUBLE, FIELD_U64, FIELD_STR } OptField;

typedef struct {
    const char *name;
    OptType type;
    const char *def; /* default as text; NULL: formatted from the config field */
    double min, max; /* checked when min < max */
    const char *help;
    /* Further checks of a value: NULL when fine, else what was expected
     * ("grpo, dapo or dr_grpo"); NULL accepts anything of the type. */
    const char *(*check)(const char *value);
    OptField field;
    size_t offset; /* of the field in the kind's config */
} OptSpec;

/* What an input of a stage is for. A stage's inputs are assigned to roles by
 * name (Lua `inputs = {policy = base}`) or, when unnamed, to the first role
 * of their type with room: a stage that makes a checkpoint (or a .ckpt file)
 * is a checkpoint, a stage that makes a dataset (or a .csv file) a dataset,
 * a stage that makes a reward model (a checkpoint with a scalar head) a
 * reward model; a .ckpt file named for a reward-model role is taken as one
 * and checked when it loads. */
typedef enum { INPUT_CHECKPOINT, INPUT_DATASET, INPUT_REWARD_MODEL } InputType;

typedef struct {
    const char *name; /* "policy", "reference", "dataset", "teacher" */
    InputType type;
    int min, max;
    const char *help;
} InputRole;

enum { STAGE_MAX_ROLES = 4 };

struct StageOps; /* stage_kind.h: what the executor calls */

struct Stage;

/* A stage kind: one file src/pipeline/stage_<kind>.c defines one of these and
 * the registry (stage_registry.c) lists it. */
typedef struct {
    const char *name;
    const char *summary;    /* one line for help and the view */
    const OptSpec *options; /* ended by a NULL name */
    InputRole roles[STAGE_MAX_ROLES];
    int n_roles;
    bool makes_checkpoint, makes_dataset, makes_eval_row, makes_reward_model;
    const char *code_version; /* bump when the kind's numbers change */
    const struct StageOps *ops;
    /* Fills the kind's config with the trainer's defaults (for OptSpec
     * fields); NULL when no option has a field. */
    void (*defaults)(void *config);
    size_t config_size;
    /* Two or three plain sentences for the stage detail: what the stage is
     * in the R1 papers and what to watch in its charts, from its options; a
     * script's `note` replaces them. NULL: none. */
    void (*note)(const struct Stage *st, char *buf, size_t cap);
} StageKind;

const StageKind *stage_kind_find(const char *name);
/* "pretrain, sft, eval, grpo, sample" for messages. */
const char *stage_kind_names(void);
int stage_kind_count(void);
const StageKind *stage_kind_at(int i);
/* Adds a kind at run time (tests register a dummy kind). 0, or -1 when the
 * name is taken or the registry is full. */
int stage_kind_register(const StageKind *k);

typedef struct {
    char name[GRAPH_NAME];
    char value[256];
} StageOption;

typedef struct Stage {
    char name[GRAPH_NAME];
    const StageKind *kind;
    char where[128]; /* "quick.lua:12", where the script declared it, for messages */
    /* The flowchart's label for a set of stages drawn as one ("step 1 ·
     * distill"); "" for none. Only how the stage is shown: not in its cache
     * key. */
    char group[GRAPH_NAME];
    /* The script's own words for the stage detail ("" : the kind's note).
     * Not in the cache key either. */
    char note[512];
    int n_inputs;
    char inputs[GRAPH_MAX_INPUTS][256];
    char input_role_name[GRAPH_MAX_INPUTS][GRAPH_NAME]; /* as the script named it; "" unnamed */
    int input_stage[GRAPH_MAX_INPUTS]; /* index of the producing stage, -1 for a file */
    int input_role[GRAPH_MAX_INPUTS];  /* index in kind->roles, set by graph_resolve */
    int n_options;                     /* every option of the kind, defaults filled in */
    StageOption options[GRAPH_MAX_OPTIONS];
} Stage;

typedef enum { SCRIPT_FN_REWARD, SCRIPT_FN_FILTER } ScriptFnKind;

/* One completion as a script-defined reward or filter sees it. */
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
    /* Functions the script defines by name: rewards (r1sim.reward) and
     * filters (r1sim.filter). has_fn: 1 when `name` is one of that kind.
     * call_fn: runs it on one completion into *out (a filter gives 1 to keep,
     * 0 to drop), or -1 with the script's `file:line: message` in err.
     * fingerprint: a hash of the function's code, mixed into the cache key of
     * every stage that uses it, so that editing it re-runs those stages. */
    int (*has_fn)(void *ctx, ScriptFnKind kind, const char *name);
    int (*call_fn)(void *ctx, ScriptFnKind kind, const char *name, const GraphRewardArgs *a,
                   double *out, char *err, size_t errlen);
    uint64_t (*fingerprint)(void *ctx, ScriptFnKind kind, const char *name);
} GraphHooks;

enum { GRAPH_MAX_INPUT_DIRS = 4, GRAPH_DIR = 1024 };

typedef struct Graph {
    int n;
    Stage stages[GRAPH_MAX_STAGES];
    GraphHooks hooks;
    /* Where a relative input file is looked for when the current directory
     * does not have it, in order: the script's own directory, the shipped
     * data (graph_add_input_dir). */
    int n_input_dirs;
    char input_dirs[GRAPH_MAX_INPUT_DIRS][GRAPH_DIR];
} Graph;

void graph_init(Graph *g);

/* One more directory for relative input files (see Graph.input_dirs); -1
 * when there is no room or the name is too long. */
int graph_add_input_dir(Graph *g, const char *dir);

/* Adds a stage. opts holds n_opts name/value pairs as text; each must be an
 * option of the kind and parse as its type. -1 with a message naming the
 * stage and the offending option (the caller prefixes the script's file:line). */
int graph_add_stage(Graph *g, const char *kind, const char *name, const char *const *inputs,
                    int n_inputs, const char *const *opt_names, const char *const *opt_values,
                    int n_opts, const char *where, char *err, size_t errlen);

/* Names the role input `input` of stage `stage` fills (Lua's
 * `inputs = {policy = base}`); unnamed inputs take the first role of their
 * type with room. -1 with a message listing the kind's roles. */
int graph_name_input_role(Graph *g, int stage, int input, const char *role, char *err,
                          size_t errlen);

/* Resolves inputs to stages and assigns them to the kind's input roles,
 * then orders the graph: order receives the stage
 * indices so that every stage follows its inputs (declaration order among
 * independent stages). A relative input file missing from the current
 * directory but found in one of the input directories is replaced by that
 * path. -1 with a message (prefixed with the stage's `where`)
 * on an input naming no stage and no file, an input no role takes, a role
 * short of inputs, or a cycle (naming the stages on it). */
int graph_resolve(Graph *g, int *order, char *err, size_t errlen);

/* After graph_resolve: -1 with a message (prefixed with the stage's `where`)
 * when an input file cannot be opened for reading (naming the directories
 * looked in for a relative one), so that a mistyped path stops the script at
 * load instead of failing every stage downstream. */
int graph_check_input_files(const Graph *g, char *err, size_t errlen);

/* The option's default as text: o->def, or its config field's value in the
 * kind's defaults, in the one spelling stage_set_opt gives numbers. */
void stage_option_default(const StageKind *k, const OptSpec *o, char *buf, size_t cap);

/* The shortest text that reads back as v (as a double, or as a float when
 * as_float), so that equal values give equal cache keys. */
void stage_format_number(double v, int as_float, char *buf, size_t cap);

int graph_find(const Graph *g, const char *name);
const char *stage_opt(const Stage *st, const char *name);
/* The stage detail's plain words: the script's note, else the kind's. */
void stage_note(const Stage *st, char *buf, size_t cap);
double stage_opt_num(const Stage *st, const char *name);
/* Sets one option (the TUI's edit). Same validation as graph_add_stage. */
int stage_set_opt(Stage *st, const char *name, const char *value, char *err, size_t errlen);
/* 1 when the text names a file rather than a stage. */
int graph_input_is_file(const char *input);

#endif
