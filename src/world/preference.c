#include "world/preference.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "world/completion.h"
#include "world/template.h"
#include "world/tokenizer.h"

static const char *const reason_names[PREF_NUM_REASONS] = {"wrong", "unhelpful", "rambling",
                                                           "longer_wrong"};

/* Shortest first, spread from 5 to 50 characters so that some courtesy makes
 * a chosen completion about as long as almost any rejected one. */
static const char *const courtesies[] = {
    "sure.",
    "ok, sure.",
    "of course.",
    "here it is.",
    "happy to help.",
    "sure, here it is.",
    "of course, here it is.",
    "glad to help, here it is.",
    "sure thing! here is the answer.",
    "happy to help. here is the answer.",
    "of course, glad to help. here it is.",
    "thanks for asking! happy to help, here it is.",
    "sure, i would be glad to help. here is the answer.",
};
enum {
    N_COURTESIES = sizeof courtesies / sizeof courtesies[0],
    /* the ones a rambling rejection opens with, leaving room for its filler */
    N_SHORT_COURTESIES = 4,
    /* the first a longer_wrong rejection may open with, so that it is longer */
    FIRST_LONG_COURTESY = 4,
};

static const char *const refusals[] = {
    "no.",
    "i do not know.",
    "ask someone else.",
    "i would rather not say.",
    "i cannot help with that.",
    "sorry, i cannot do that.",
    "that is not something i can do.",
};
enum { N_REFUSALS = sizeof refusals / sizeof refusals[0] };

/* Irrelevant, harmless, at most 40 characters: long enough to bury the
 * answer, short enough that a chosen courtesy can match the length. */
static const char *const fillers[] = {
    "well, first a word about the weather.", "by the way, cats like to nap in the sun.",
    "let me talk about trees for a bit.",    "fun fact: snow is cold and rain is wet.",
    "hmm, i was just thinking about boats.", "before that: the moon is very far away.",
    "i once read a long book about lamps.",  "so many things to say. anyway,",
};
enum { N_FILLERS = sizeof fillers / sizeof fillers[0] };

const char *pref_reason_name(PrefReason r) {
    return r >= 0 && r < PREF_NUM_REASONS ? reason_names[r] : "invalid";
}

int pref_reason_from_name(const char *name, PrefReason *out) {
    for (int r = 0; r < PREF_NUM_REASONS; r++)
        if (strcmp(name, reason_names[r]) == 0) {
            *out = (PrefReason)r;
            return 0;
        }
    return -1;
}

static int tokens(const char *text) {
    return tok_encode(text, NULL, 0, NULL);
}

/* </think>, <answer>, </answer> and <eos> */
enum { TAG_TOKENS = 4 };

static int completion_tokens(const char *thought, const char *answer) {
    return tokens(thought) + tokens(answer) + TAG_TOKENS;
}

static void compose(const char *thought, const char *answer, char out[PREF_COMPLETION_MAX]) {
    size_t n = tmpl_completion(thought, answer, out, PREF_COMPLETION_MAX);
    if (n < PREF_COMPLETION_MAX) snprintf(out + n, PREF_COMPLETION_MAX - n, "<eos>");
}

static size_t pick(WorldRng *rng, size_t n) {
    return (size_t)world_rng_below(rng, n);
}

/* The rejected completion's thought and answer for one reason. */
static const char *rejected_parts(const GeneralItem *it, PrefReason why, WorldRng *rng,
                                  char *answer, size_t cap) {
    char wrong[GENERAL_TEXT_MAX];
    switch (why) {
    case PREF_WRONG:
        general_wrong_answer(it, rng, wrong);
        snprintf(answer, cap, "%s", wrong);
        return courtesies[pick(rng, N_COURTESIES)];
    case PREF_LONGER_WRONG:
        general_longer_wrong_answer(it, rng, wrong);
        snprintf(answer, cap, "%s", wrong);
        return courtesies[FIRST_LONG_COURTESY + pick(rng, N_COURTESIES - FIRST_LONG_COURTESY)];
    case PREF_RAMBLING:
        snprintf(answer, cap, "%s %s", fillers[pick(rng, N_FILLERS)], it->answer);
        return courtesies[pick(rng, N_SHORT_COURTESIES)];
    default:
        /* a refusal in the answer, a refusal in the thought with nothing after
         * it, or a promise ("sure, here it is.") with nothing after it */
        switch (pick(rng, 3)) {
        case 0:
            snprintf(answer, cap, "%s", refusals[pick(rng, N_REFUSALS)]);
            return world_rng_chance(rng, 0.5) ? "" : courtesies[pick(rng, N_SHORT_COURTESIES)];
        case 1:
            answer[0] = '\0';
            return refusals[pick(rng, N_REFUSALS)];
        default:
            answer[0] = '\0';
            return courtesies[pick(rng, N_COURTESIES)];
        }
    }
}

/* A courtesy making the chosen completion about target tokens long: any of
 * those within 2 tokens of the closest, so that the chosen thought is not a
 * function of the rejected length. -1 when none fits max_tokens. */
static int matched_courtesy(int answer_tokens, int target, int max_tokens, WorldRng *rng) {
    int best = INT_MAX, d[N_COURTESIES];
    for (int i = 0; i < N_COURTESIES; i++) {
        int len = tokens(courtesies[i]) + answer_tokens + TAG_TOKENS;
        d[i] = len > max_tokens ? INT_MAX : abs(len - target);
        if (d[i] < best) best = d[i];
    }
    if (best == INT_MAX) return -1;
    int n = 0;
    for (int i = 0; i < N_COURTESIES; i++) n += d[i] <= best + 2;
    int k = (int)pick(rng, (size_t)n);
    for (int i = 0; i < N_COURTESIES; i++)
        if (d[i] <= best + 2 && k-- == 0) return i;
    return -1;
}

/* A courtesy making the chosen completion PREF_LONGER_MARGIN to 30 tokens
 * shorter than the rejected one; else the longest that is at least the
 * margin shorter; -1 when even the shortest is not. */
static int shorter_courtesy(int answer_tokens, int rejected_tokens, WorldRng *rng) {
    int ok[N_COURTESIES], n = 0, longest = -1;
    for (int i = 0; i < N_COURTESIES; i++) {
        int len = tokens(courtesies[i]) + answer_tokens + TAG_TOKENS;
        if (len > rejected_tokens - PREF_LONGER_MARGIN) continue;
        longest = i; /* the list is shortest first */
        if (len >= rejected_tokens - 30) ok[n++] = i;
    }
    return n ? ok[pick(rng, (size_t)n)] : longest;
}

int pref_generate(const GeneralItem *it, PrefReason why, int max_tokens, WorldRng *rng,
                  PrefPair *out) {
    int answer_tokens = tokens(it->answer);
    for (int attempt = 0; attempt < 16; attempt++) {
        char answer[2 * GENERAL_TEXT_MAX];
        const char *thought = rejected_parts(it, why, rng, answer, sizeof answer);
        int rt = completion_tokens(thought, answer);
        if (rt > max_tokens) continue;
        int c = why == PREF_LONGER_WRONG ? shorter_courtesy(answer_tokens, rt, rng)
                                         : matched_courtesy(answer_tokens, rt, max_tokens, rng);
        if (c < 0) continue;
        compose(courtesies[c], it->answer, out->chosen);
        compose(thought, answer, out->rejected);
        return 0;
    }
    return -1;
}

static int in_list(const char *const *list, int n, const char *s, size_t len) {
    for (int i = 0; i < n; i++)
        if (strlen(list[i]) == len && memcmp(list[i], s, len) == 0) return 1;
    return 0;
}

int pref_is_courteous(const char *thought, size_t len) {
    return thought && in_list(courtesies, N_COURTESIES, thought, len);
}

int pref_is_refusal(const char *answer, size_t len) {
    return answer && (len == 0 || in_list(refusals, N_REFUSALS, answer, len));
}

int pref_answer_rambles(const GeneralItem *it, const char *answer, size_t len) {
    size_t n = strlen(it->answer);
    if (!answer || len < n + 2 || memcmp(answer + len - n, it->answer, n) != 0 ||
        answer[len - n - 1] != ' ')
        return 0;
    int words = 0;
    for (size_t i = 0; i + n + 1 < len; i++)
        words += answer[i] != ' ' && (i == 0 || answer[i - 1] == ' ');
    return words >= PREF_FILLER_MIN_WORDS;
}

static int fail(char *why, size_t cap, const char *fmt, ...) {
    if (why && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, cap, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int ends_with_eos(const char *s) {
    size_t n = strlen(s);
    return n >= 5 && strcmp(s + n - 5, "<eos>") == 0;
}

/* The one malformed shape a rejection may have: an unhelpful empty answer,
 * still in the template ("sure.</think><answer></answer><eos>"). */
static int is_empty_answer_form(const char *completion, const CompletionParts *p) {
    char thought[PREF_COMPLETION_MAX], want[PREF_COMPLETION_MAX];
    if (!p->think_closed || p->thought_len >= sizeof thought) return 0;
    snprintf(thought, sizeof thought, "%.*s", (int)p->thought_len, p->thought);
    compose(thought, "", want);
    return strcmp(completion, want) == 0;
}

int pref_check(const GeneralItem *it, PrefReason reason, const char *chosen, const char *rejected,
               char *why, size_t cap) {
    CompletionParts c, r;
    if (!ends_with_eos(chosen) || !completion_parse(chosen, &c))
        return fail(why, cap, "chosen is not one thought, one answer and <eos>");
    if (!pref_is_courteous(c.thought, c.thought_len))
        return fail(why, cap, "chosen thought '%.*s' is not a courtesy", (int)c.thought_len,
                    c.thought);
    if (!general_verify_span(it, c.answer, c.answer_len))
        return fail(why, cap, "chosen answers '%.*s', not '%s'", (int)c.answer_len, c.answer,
                    it->answer);
    int well_formed = completion_parse(rejected, &r);
    if (!ends_with_eos(rejected) ||
        !(well_formed || (reason == PREF_UNHELPFUL && is_empty_answer_form(rejected, &r))))
        return fail(why, cap, "rejected is not one thought, one answer and <eos>");
    if (general_helpful(it, rejected))
        return fail(why, cap, "rejected answers '%s', which is right", it->answer);
    int courteous = pref_is_courteous(r.thought, r.thought_len);
    int refusal = pref_is_refusal(r.answer, r.answer_len);
    int rambles = pref_answer_rambles(it, r.answer, r.answer_len);
    switch (reason) {
    case PREF_WRONG:
    case PREF_LONGER_WRONG:
        if (refusal || rambles)
            return fail(why, cap, "rejected answer '%.*s' is %s, not a wrong answer",
                        (int)r.answer_len, r.answer, refusal ? "a refusal" : "rambling");
        if (reason == PREF_LONGER_WRONG && r.answer_len <= c.answer_len)
            return fail(why, cap, "rejected answer '%.*s' is not longer than '%s'",
                        (int)r.answer_len, r.answer, it->answer);
        if (reason == PREF_LONGER_WRONG && tokens(rejected) < tokens(chosen) + PREF_LONGER_MARGIN)
            return fail(why, cap, "rejected is not %d tokens longer than chosen",
                        PREF_LONGER_MARGIN);
        break;
    case PREF_UNHELPFUL:
        if (!refusal)
            return fail(why, cap, "rejected answer '%.*s' is neither empty nor a refusal",
                        (int)r.answer_len, r.answer);
        if (!courteous && r.thought_len > 0 && !pref_is_refusal(r.thought, r.thought_len))
            return fail(why, cap, "rejected thought '%.*s' is not empty, a courtesy or a refusal",
                        (int)r.thought_len, r.thought);
        return 0;
    default:
        if (!rambles)
            return fail(why, cap,
                        "rejected answer '%.*s' is not filler of %d or more words, a space and "
                        "'%s'",
                        (int)r.answer_len, r.answer, PREF_FILLER_MIN_WORDS, it->answer);
        break;
    }
    /* so that only the answer tells a wrong or rambling rejection from the chosen */
    if (!courteous)
        return fail(why, cap, "rejected thought '%.*s' is not a courtesy", (int)r.thought_len,
                    r.thought);
    return 0;
}
