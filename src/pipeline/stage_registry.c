/* The one list of stage kinds. A new kind is its file and one line here. */
#include <stdio.h>
#include <string.h>

#include "pipeline/graph.h"

extern const StageKind stage_kind_pretrain, stage_kind_sft, stage_kind_eval, stage_kind_grpo,
    stage_kind_sample, stage_kind_reward_model, stage_kind_distill;

static const StageKind *const builtin[] = {
    &stage_kind_pretrain, &stage_kind_sft,          &stage_kind_eval,    &stage_kind_grpo,
    &stage_kind_sample,   &stage_kind_reward_model, &stage_kind_distill,
};

enum { N_BUILTIN = sizeof builtin / sizeof builtin[0], MAX_EXTRA = 8 };

static const StageKind *extra[MAX_EXTRA];
static int n_extra;

int stage_kind_count(void) {
    return N_BUILTIN + n_extra;
}

const StageKind *stage_kind_at(int i) {
    if (i < 0 || i >= stage_kind_count()) return NULL;
    return i < N_BUILTIN ? builtin[i] : extra[i - N_BUILTIN];
}

const StageKind *stage_kind_find(const char *name) {
    for (int i = 0; i < stage_kind_count(); i++)
        if (strcmp(stage_kind_at(i)->name, name) == 0) return stage_kind_at(i);
    return NULL;
}

int stage_kind_register(const StageKind *k) {
    if (!k || stage_kind_find(k->name) || n_extra >= MAX_EXTRA) return -1;
    extra[n_extra++] = k;
    return 0;
}

const char *stage_kind_names(void) {
    static char buf[256];
    size_t at = 0;
    for (int i = 0; i < stage_kind_count() && at < sizeof buf; i++)
        at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%s", i ? ", " : "",
                               stage_kind_at(i)->name);
    return buf;
}
