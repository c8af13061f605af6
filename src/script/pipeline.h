#ifndef R1SIM_SCRIPT_PIPELINE_H
#define R1SIM_SCRIPT_PIPELINE_H

/* A pipeline script, loaded: runs the script once (its declarations call
 * r1sim.stage{...}, r1sim.model{...}, r1sim.param(...)), which fills a Graph
 * through the pipeline's C API, and installs the script's hooks as the
 * graph's callbacks. The host stays alive with the graph, since the hooks
 * call back into it on the runner's worker thread. The contract is written
 * down in r1sim-lua(5). */

#include <stddef.h>

#include "pipeline/graph.h"
#include "script/host.h"

typedef struct ScriptPipeline ScriptPipeline;

typedef struct {
    const char *const *names; /* -D name=value overrides of r1sim.param */
    const char *const *values;
    int n;
} ScriptParams;

/* NULL with `file:line: message` (and a traceback for runtime errors) in err
 * when the script fails or declares an invalid graph. A -D name that the
 * script never asks for through r1sim.param is an error too (a typo in a
 * sweep must not run the default silently). */
ScriptPipeline *script_pipeline_load(const char *path, const ScriptParams *params,
                                     const ScriptOptions *opts, Graph *g, char *err, size_t errlen);
void script_pipeline_free(ScriptPipeline *p);

/* The names the script asked r1sim.param for, in the order of their first
 * call: what -D (and a sweep's --grid) may set. */
int script_pipeline_n_params(const ScriptPipeline *p);
const char *script_pipeline_param(const ScriptPipeline *p, int i);
/* The same as one "a, b, c" line (cut to cap). */
void script_pipeline_param_list(const ScriptPipeline *p, char *buf, size_t cap);
ScriptHost *script_pipeline_host(ScriptPipeline *p);

#endif
