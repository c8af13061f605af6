#include "train/filters.h"

#include <string.h>

#include "train/eval.h"
#include "world/completion.h"

static const char *const names[] = {NULL, "correct", "well_formed", "readable"};

FilterBuiltin filter_builtin(const char *name) {
    for (int i = 1; i < (int)(sizeof names / sizeof names[0]); i++)
        if (strcmp(names[i], name) == 0) return (FilterBuiltin)i;
    return FILTER_NONE;
}

const char *filter_builtin_names(void) {
    return "correct, well_formed, readable";
}

static int readable(const FilterInput *in) {
    CompletionParts parts;
    completion_parse(in->completion, &parts);
    if (!parts.well_formed || in->truncated || in->length > in->max_tokens) return 0;
    if (in->problem) {
        int counted = 0;
        double share = completion_script_share(parts.thought, parts.thought_len,
                                               in->problem->script, &counted);
        if (counted > 0 && share < 1.0) return 0;
    }
    return !completion_repeated_trigram_run(parts.thought, parts.thought_len, 2);
}

int filter_passes(FilterBuiltin f, const FilterInput *in) {
    switch (f) {
    case FILTER_CORRECT: {
        if (!in->problem) return 0;
        EvalSampleScore sc;
        eval_score_completion(in->problem, in->completion, &sc);
        return sc.correct;
    }
    case FILTER_WELL_FORMED: {
        CompletionParts parts;
        completion_parse(in->completion, &parts);
        return parts.well_formed;
    }
    case FILTER_READABLE:
        return readable(in);
    case FILTER_NONE:
        break;
    }
    return 0;
}
