/* Any bytes as a pipeline script, loaded as `r1sim run` and `--dry-run`
 * load one (script_pipeline_load: the sandbox, the r1sim module, the graph's
 * resolution and checks), give a graph that resolves to an order of its
 * stages, or a refusal with a message. No stage runs. The instruction
 * budget, the time limit and the memory cap are smaller than a run's so
 * that every input ends well inside libFuzzer's -timeout; the code paths are
 * the same. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "pipeline/graph.h"
#include "script/pipeline.h"

/* Every input may fill its 32 MiB cap; ASan's default 256 MiB quarantine of
 * such blocks, with the pages its allocator keeps, grew the process past
 * libFuzzer's 2 GB -rss_limit_mb in a few minutes. A small quarantine still
 * catches a use after free of the last inputs' memory. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) {
    return "quarantine_size_mb=16:allocator_release_to_os_interval_ms=500";
}

static void discard(void *ctx, const char *line) {
    (void)ctx;
    (void)line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static Graph g; /* large */
    static int order[GRAPH_MAX_STAGES];
    /* the shipped modules (r1_stages, rewards) and the test ones, as
     * `require` finds them from the repository's root */
    ScriptOptions so = {.mem_limit = (size_t)32 << 20,
                        .instr_limit = 5000000,
                        .time_limit = 1,
                        .lua_path = "lua;tests/lua",
                        .print = discard};
    /* -D task=pair4 for a script that mentions a task, as the shipped ones
     * ask for it: r1sim.param's conversions are reached, and a script that
     * does not ask is refused for it, as a run is. */
    static const char *const names[] = {"task"}, *const values[] = {"pair4"};
    ScriptParams params = {names, values, memmem(data, size, "task", 4) != NULL};
    char err[4096];
    err[0] = 0;
    graph_init(&g);
    ScriptPipeline *sp =
        script_pipeline_load(fuzz_input_path(data, size), &params, &so, &g, err, sizeof err);
    if (!sp) {
        if (!err[0]) __builtin_trap();
        return 0;
    }
    /* Loaded means resolved: once more gives every stage once. */
    char why[1024];
    if (g.n < 1 || g.n > GRAPH_MAX_STAGES || graph_resolve(&g, order, why, sizeof why))
        __builtin_trap();
    unsigned char seen[GRAPH_MAX_STAGES] = {0};
    for (int k = 0; k < g.n; k++) {
        if (order[k] < 0 || order[k] >= g.n || seen[order[k]]++) __builtin_trap();
        const Stage *st = &g.stages[order[k]];
        if (!st->kind || !st->name[0] || strnlen(st->name, sizeof st->name) == sizeof st->name)
            __builtin_trap();
    }
    script_pipeline_free(sp);
    return 0;
}
