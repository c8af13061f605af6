#ifndef R1SIM_SCRIPT_SPEC_H
#define R1SIM_SCRIPT_SPEC_H

#include <lua.h>
#include <stdbool.h>
#include <stddef.h>

#include "script/host.h"

/* Reading the plain tables a pipeline script declares (models, stages, stage
 * options, rewards) into C structs, against a declared field spec. A user's
 * typo must be an error that names it — `stages[3].options.betta: unknown
 * field (did you mean 'beta'?)` — never a silently ignored option, because a
 * classroom ablation that quietly runs with the default teaches the wrong
 * lesson. Lua-facing: for src/script/ only.
 *
 * A spec is an array of SpecField ended by an entry whose name is NULL:
 *
 *     static const SpecField grpo_spec[] = {
 *         {"group_size", SPEC_INTEGER, .offset = offsetof(Grpo, g), .def_number = 8,
 *          .min = 2, .max = 1024},
 *         {"beta", SPEC_NUMBER, .offset = offsetof(Grpo, beta), .def_number = 0.04},
 *         {"loss", SPEC_STRING, .offset = offsetof(Grpo, loss), .def_string = "grpo",
 *          .choices = (const char *const[]){"grpo", "dapo", "dr_grpo", NULL}},
 *         {"reward", SPEC_FUNCTION, .required = true, .offset = offsetof(Grpo, reward)},
 *         {NULL},
 *     };
 */

typedef enum {
    SPEC_NUMBER,   /* double */
    SPEC_INTEGER,  /* long long; a float with an integral value is accepted */
    SPEC_BOOLEAN,  /* bool */
    SPEC_STRING,   /* char *, a malloc'd copy (NULL when absent with no default) */
    SPEC_FUNCTION, /* ScriptRef (SCRIPT_NOREF when absent) */
    SPEC_TABLE,    /* with .fields: a nested struct at .offset, read recursively;
                      without: a ScriptRef to the table */
} SpecType;

#define SPEC_NO_OUT ((size_t)-1) /* offset of a field that is only validated */

typedef struct SpecField {
    const char *name;
    SpecType type;
    bool required;
    size_t offset;     /* where the value goes in the output struct */
    double def_number; /* NUMBER, INTEGER; BOOLEAN: non-zero is true */
    const char *def_string;
    double min, max;                /* NUMBER and INTEGER range, checked when min < max */
    const char *const *choices;     /* STRING: allowed values, NULL-terminated */
    const struct SpecField *fields; /* TABLE: nested spec */
} SpecField;

/* Reads the table at idx into out. `path` names the table in messages
 * ("stages[3].options"; NULL or "" for a top-level table). Unknown fields,
 * missing required fields, wrong types, out-of-range numbers and strings not
 * among the choices are errors: -1 and a message in err such as
 * `stages[3].options.beta: expected number, got string`.
 *
 * out is always fully set (defaults where nothing was read), even on failure,
 * and must be released with script_spec_release. */
int script_spec_read(lua_State *L, int idx, const char *path, const SpecField *spec, void *out,
                     char *err, size_t errcap);

/* Sets out to the spec's defaults without reading anything. */
void script_spec_defaults(const SpecField *spec, void *out);

/* Frees strings and drops references held in out. */
void script_spec_release(lua_State *L, const SpecField *spec, void *out);

/* For a C function called from Lua (r1sim.stage{...}): raises msg as a Lua
 * error prefixed with the calling script's file:line. Never returns. */
int script_spec_raise(lua_State *L, const char *msg);

#endif
