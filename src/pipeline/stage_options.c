#include "pipeline/stage_options.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/grpo.h"
#include "world/task.h"

static void *field_at(void *config, const OptSpec *o) {
    return (char *)config + o->offset;
}

void stage_options_fill(const Stage *st, void *config) {
    const StageKind *k = st->kind;
    if (k->defaults) k->defaults(config);
    for (const OptSpec *o = k->options; o->name; o++) {
        const char *v = stage_opt(st, o->name);
        if (!v || o->field == FIELD_NONE) continue;
        void *f = field_at(config, o);
        switch (o->field) {
        case FIELD_INT:
            *(int *)f = (int)strtod(v, NULL);
            break;
        case FIELD_FLOAT:
            *(float *)f = (float)strtod(v, NULL);
            break;
        case FIELD_DOUBLE:
            *(double *)f = strtod(v, NULL);
            break;
        case FIELD_U64:
            *(unsigned long long *)f = strtoull(v, NULL, 10);
            break;
        case FIELD_STR:
            *(const char **)f = v;
            break;
        case FIELD_NONE:
            break;
        }
    }
}

/* Value checks, so that a typo fails the script at load (or a view edit at
 * once) rather than the stage minutes into a run. */
const char *stage_check_task(const char *v) {
    TaskSpec t;
    return task_spec_parse(v, &t) ? "a task such as add3, sub3, mul1x3 or pair4" : NULL;
}

const char *stage_check_task_or_empty(const char *v) {
    return v[0] ? stage_check_task(v) : NULL;
}

const char *stage_check_task_list(const char *v) {
    TaskSpec t[GRPO_MAX_TASKS];
    return task_spec_parse_list(v, t, GRPO_MAX_TASKS) < 0
               ? "tasks such as add3 or add3,sub3 (at most 8)"
               : NULL;
}
