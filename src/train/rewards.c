#include "train/rewards.h"

#include <math.h>
#include <string.h>

#include "world/completion.h"
#include "world/tokenizer.h"

double reward_accuracy(void *ctx, const RewardSample *s) {
    (void)ctx;
    if (!s->problem) return 0.0;
    CompletionParts p;
    completion_parse(s->completion, &p);
    return p.answer && task_verify_span(s->problem, p.answer, p.answer_len) ? 1.0 : 0.0;
}

double reward_format(void *ctx, const RewardSample *s) {
    (void)ctx;
    CompletionParts p;
    return completion_parse(s->completion, &p) ? 1.0 : 0.0;
}

static int count_of(const char *text, const char *needle) {
    int n = 0;
    size_t len = strlen(needle);
    for (const char *p = strstr(text, needle); p; p = strstr(p + len, needle)) n++;
    return n;
}

double reward_tag_count(void *ctx, const RewardSample *s) {
    (void)ctx;
    const char *c = s->completion;
    double r = 0.0;
    if (count_of(c, "</think>") == 1) r += 0.25;
    if (count_of(c, "<answer>") == 1) r += 0.25;
    if (count_of(c, "</answer>") == 1) r += 0.25;
    const char *end = strstr(c, "</answer>");
    if (end) {
        end += strlen("</answer>");
        if (strncmp(end, "<eos>", 5) == 0) end += 5;
        if (*end == '\0') r += 0.25;
    }
    return r;
}

double reward_language(void *ctx, const RewardSample *s) {
    (void)ctx;
    if (!s->problem) return 1.0;
    CompletionParts p;
    completion_parse(s->completion, &p);
    return completion_script_share(p.thought, p.thought_len, s->problem->script, NULL);
}

/* Word trigrams of the thought, words split at anything that is not a-z/0-9. */
double reward_repetition(void *ctx, const RewardSample *s) {
    (void)ctx;
    CompletionParts p;
    completion_parse(s->completion, &p);
    enum { MAX_WORDS = 256 };
    const char *word[MAX_WORDS];
    int wlen[MAX_WORDS], n = 0;
    for (size_t i = 0; i < p.thought_len && n < MAX_WORDS;) {
        while (i < p.thought_len && !((p.thought[i] >= 'a' && p.thought[i] <= 'z') ||
                                      (p.thought[i] >= '0' && p.thought[i] <= '9')))
            i++;
        size_t start = i;
        while (i < p.thought_len && ((p.thought[i] >= 'a' && p.thought[i] <= 'z') ||
                                     (p.thought[i] >= '0' && p.thought[i] <= '9')))
            i++;
        if (i > start) {
            word[n] = p.thought + start;
            wlen[n++] = (int)(i - start);
        }
    }
    int grams = n - 2;
    if (grams < 2) return 0.0;
    int unique = 0;
    for (int g = 0; g < grams; g++) {
        int seen = 0;
        for (int h = 0; h < g && !seen; h++) {
            int same = 1;
            for (int k = 0; k < 3 && same; k++)
                same = wlen[g + k] == wlen[h + k] &&
                       memcmp(word[g + k], word[h + k], wlen[g + k]) == 0;
            seen = same;
        }
        unique += !seen;
    }
    return -(1.0 - (double)unique / grams);
}

double reward_cosine_length(void *ctx, const RewardSample *s) {
    static const CosineLengthParams defaults = {0.5, 1.0, -1.0, -0.5};
    const CosineLengthParams *c = ctx ? ctx : &defaults;
    int correct = reward_accuracy(NULL, s) > 0.5;
    double frac = s->max_length > 0 ? (double)s->length / s->max_length : 1.0;
    if (frac > 1.0) frac = 1.0;
    double cosv = cos(frac * 3.141592653589793);
    /* correct: max at length 0, min at the limit; wrong: the reverse */
    double lo = correct ? c->min_correct : c->max_wrong;
    double hi = correct ? c->max_correct : c->min_wrong;
    return lo + 0.5 * (hi - lo) * (1.0 + cosv);
}

double reward_soft_overlong(void *ctx, const RewardSample *s) {
    int cache = ctx ? ((const OverlongParams *)ctx)->cache : s->max_length / 4;
    if (s->truncated) return -1.0;
    int start = s->max_length - cache;
    if (s->length <= start || cache <= 0) return 0.0;
    if (s->length >= s->max_length) return -1.0;
    return (double)(start - s->length) / cache;
}

RewardScope reward_builtin_scope(const char *name) {
    return strcmp(name, "accuracy") == 0 ? REWARD_SCOPE_REASONING : REWARD_SCOPE_ALL;
}

RewardFn reward_builtin(const char *name, void **ctx) {
    static const struct {
        const char *name;
        RewardFn fn;
    } table[] = {{"accuracy", reward_accuracy},          {"format", reward_format},
                 {"tag_count", reward_tag_count},        {"language", reward_language},
                 {"repetition", reward_repetition},      {"cosine_length", reward_cosine_length},
                 {"soft_overlong", reward_soft_overlong}};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(name, table[i].name) == 0) {
            if (ctx) *ctx = NULL;
            return table[i].fn;
        }
    return NULL;
}
