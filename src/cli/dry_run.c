#include "cli/dry_run.h"

#include <math.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/text_table.h"
#include "cli/time_table.h"
#include "pipeline/estimate.h"

/* "1.2M", "35k", "640": token counts at a glance. */
static void tokens(double v, char *buf, size_t cap) {
    if (v <= 0)
        snprintf(buf, cap, "%s", TEXT_TABLE_EMPTY);
    else if (v >= 1e6)
        snprintf(buf, cap, "%.1fM", v / 1e6);
    else if (v >= 1e3)
        snprintf(buf, cap, "%.0fk", v / 1e3);
    else
        snprintf(buf, cap, "%.0f", v);
}

int dry_run_print(Graph *g, const char *dir, const char *cache, unsigned long long seed,
                  bool fresh) {
    static int order[GRAPH_MAX_STAGES];
    static StageEstimate est[GRAPH_MAX_STAGES];
    char err[1024];
    if (graph_resolve(g, order, err, sizeof err) ||
        pipeline_estimate(g, order, dir, cache, seed, fresh, est, err, sizeof err)) {
        fprintf(stderr, "r1sim run: %s\n", err);
        return CLI_EXIT_FAIL;
    }
    TextTable t = {.ncols = 7};
    char(*c)[TEXT_TABLE_CELL] = text_table_add_line(&t, true);
    if (!c) goto oom;
    const char *head[] = {"stage",          "kind",    "would",   "model",
                          "trained tokens", "forward", "sampled", "estimate"};
    for (int i = 0; i < 8; i++) snprintf(c[i], TEXT_TABLE_CELL, "%s", head[i]);
    double total = 0;
    bool bound = false, unknown = false;
    for (int k = 0; k < g->n; k++) {
        const Stage *st = &g->stages[order[k]];
        const StageEstimate *e = &est[order[k]];
        if (!(c = text_table_add_line(&t, false))) goto oom;
        text_table_put_text(c[0], TEXT_TABLE_CELL, st->name);
        text_table_put_text(c[1], TEXT_TABLE_CELL, st->kind->name);
        snprintf(c[2], TEXT_TABLE_CELL, "%s", e->cached ? "reuse" : "run");
        if (e->have_shape)
            snprintf(c[3], TEXT_TABLE_CELL, "%dx%d", e->shape.d_model, e->shape.n_layer);
        else
            snprintf(c[3], TEXT_TABLE_CELL, "%s", TEXT_TABLE_EMPTY);
        tokens(e->work.train, c[4], TEXT_TABLE_CELL);
        tokens(e->work.forward, c[5], TEXT_TABLE_CELL);
        tokens(e->work.decode, c[6], TEXT_TABLE_CELL);
        if (e->cached) {
            snprintf(c[7], TEXT_TABLE_CELL, "%s", TEXT_TABLE_EMPTY);
        } else if (isnan(e->seconds)) {
            snprintf(c[7], TEXT_TABLE_CELL, "?");
            unknown = true;
        } else {
            char w[32];
            time_table_format(e->seconds, w, sizeof w);
            snprintf(c[7], TEXT_TABLE_CELL, "%s%s", e->work.upper ? "<= " : "", w);
            total += e->seconds;
            bound |= e->work.upper;
        }
    }
    if (!(c = text_table_add_line(&t, false))) goto oom;
    snprintf(c[0], TEXT_TABLE_CELL, "total");
    char w[32];
    time_table_format(total, w, sizeof w);
    snprintf(c[7], TEXT_TABLE_CELL, "%s%s%s", bound ? "<= " : "", w, unknown ? " + ?" : "");
    if (text_table_print_plain(&t, stdout)) goto oom;
    text_table_free(&t);
    printf("Rates measured just now with each model shape; sampled tokens count every\n"
           "completion at max_new_tokens (hence \"<=\"), dataset rows at half the context.\n");
    return 0;
oom:
    text_table_free(&t);
    fprintf(stderr, "r1sim run: out of memory\n");
    return CLI_EXIT_FAIL;
}
