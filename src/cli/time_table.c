#include "cli/time_table.h"

#include <math.h>
#include <string.h>

#include "cli/text_table.h"

void time_table_format(double seconds, char *buf, size_t cap) {
    long t = seconds > 0 ? lround(seconds) : 0;
    if (t >= 3600)
        snprintf(buf, cap, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, cap, "%ld:%02ld", t / 60, t % 60);
}

int time_table_print(Runner *r, FILE *out) {
    const Graph *g = runner_graph(r);
    const int *order = runner_order(r);
    double total = 0;
    for (int k = 0; k < g->n; k++) {
        StageStatus st;
        runner_status(r, order[k], &st);
        total += st.seconds;
    }
    TextTable t = {.ncols = 6};
    char(*c)[TEXT_TABLE_CELL] = text_table_add_line(&t, true);
    if (!c) return -1;
    const char *head[] = {"stage", "kind", "state", "steps", "wall", "share", "tokens/s"};
    for (int i = 0; i < 7; i++) snprintf(c[i], TEXT_TABLE_CELL, "%s", head[i]);
    for (int k = 0; k < g->n; k++) {
        const Stage *s = &g->stages[order[k]];
        StageStatus st;
        runner_status(r, order[k], &st);
        if (!(c = text_table_add_line(&t, false))) {
            text_table_free(&t);
            return -1;
        }
        text_table_put_text(c[0], TEXT_TABLE_CELL, s->name);
        text_table_put_text(c[1], TEXT_TABLE_CELL, s->kind->name);
        text_table_put_text(c[2], TEXT_TABLE_CELL, stage_state_name(st.state));
        snprintf(c[3], TEXT_TABLE_CELL, "%ld", st.step);
        bool ran = st.seconds > 0;
        if (ran)
            time_table_format(st.seconds, c[4], TEXT_TABLE_CELL);
        else
            snprintf(c[4], TEXT_TABLE_CELL, "%s", TEXT_TABLE_EMPTY);
        if (ran && total > 0)
            snprintf(c[5], TEXT_TABLE_CELL, "%.1f %%", 100.0 * st.seconds / total);
        else
            snprintf(c[5], TEXT_TABLE_CELL, "%s", TEXT_TABLE_EMPTY);
        if (ran && st.tokens > 0)
            snprintf(c[6], TEXT_TABLE_CELL, "%.0f", st.tokens / st.seconds);
        else
            snprintf(c[6], TEXT_TABLE_CELL, "%s", TEXT_TABLE_EMPTY);
    }
    if (!(c = text_table_add_line(&t, false))) {
        text_table_free(&t);
        return -1;
    }
    snprintf(c[0], TEXT_TABLE_CELL, "total");
    time_table_format(total, c[4], TEXT_TABLE_CELL);
    for (int i = 1; i < 7; i++)
        if (!c[i][0]) snprintf(c[i], TEXT_TABLE_CELL, "%s", i == 5 && total > 0 ? "100.0 %" : "");
    int rc = text_table_print_plain(&t, out);
    text_table_free(&t);
    return rc;
}
