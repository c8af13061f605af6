#include "world/general.h"

#include <stdio.h>
#include <string.h>

#include "world/cipher.h"

static const char *const kind_names[GEN_NUM_KINDS] = {"copy", "reverse", "to_cipher", "to_digits",
                                                      "identity"};

/* Question prefixes of the kinds that take an argument, in kind order. */
static const char *const prefixes[GEN_IDENTITY] = {"copy: ", "reverse: ", "cipher: ", "digits: "};

static const char *const identity_questions[] = {"who are you?", "what are you?",
                                                 "what is your name?"};
enum { N_IDENTITY = sizeof identity_questions / sizeof identity_questions[0] };

/* Short common words; letters outside a..j keep most of them from reading as
 * cipher numbers. */
static const char *const words[] = {
    "cat",   "dog",   "sun",   "moon",  "tree",  "road", "rain",  "snow",  "bird",  "fish",
    "plan",  "word",  "note",  "song",  "ship",  "star", "wind",  "lamp",  "door",  "book",
    "milk",  "salt",  "rock",  "leaf",  "hill",  "lake", "river", "stone", "light", "sound",
    "think", "learn", "reply", "train", "model", "mind", "step",  "sum",   "carry", "digit",
    "wait",  "check", "right", "wrong", "green", "blue", "small", "quick", "zero",  "seven",
};
enum { N_WORDS = sizeof words / sizeof words[0] };

const char *general_kind_name(GeneralKind k) {
    return k >= 0 && k < GEN_NUM_KINDS ? kind_names[k] : "invalid";
}

int general_kind_from_name(const char *name, GeneralKind *out) {
    for (int k = 0; k < GEN_NUM_KINDS; k++)
        if (strcmp(name, kind_names[k]) == 0) {
            *out = (GeneralKind)k;
            return 0;
        }
    return -1;
}

/* Fills answer from kind and argument; argument validity is the caller's. */
static void answer_for(GeneralItem *it, const char *arg, size_t n) {
    switch (it->kind) {
    case GEN_COPY:
        snprintf(it->answer, sizeof it->answer, "%.*s", (int)n, arg);
        break;
    case GEN_REVERSE:
        for (size_t i = 0; i < n; i++) it->answer[i] = arg[n - 1 - i];
        it->answer[n] = '\0';
        break;
    case GEN_TO_CIPHER:
    case GEN_TO_DIGITS: {
        char tmp[GENERAL_TEXT_MAX];
        snprintf(tmp, sizeof tmp, "%.*s", (int)n, arg);
        cipher_translate(tmp, it->kind == GEN_TO_CIPHER ? WORLD_CIPHER : WORLD_DIGITS, it->answer,
                         sizeof it->answer);
        break;
    }
    default:
        snprintf(it->answer, sizeof it->answer, "%s", GENERAL_IDENTITY_ANSWER);
        break;
    }
}

void general_generate(GeneralKind kind, WorldRng *rng, GeneralItem *out) {
    memset(out, 0, sizeof *out);
    out->kind = kind;
    char arg[GENERAL_WORD_MAX + 1];
    size_t n = 0;
    switch (kind) {
    case GEN_COPY:
    case GEN_REVERSE:
        snprintf(arg, sizeof arg, "%s", words[world_rng_below(rng, N_WORDS)]);
        n = strlen(arg);
        break;
    case GEN_TO_CIPHER:
    case GEN_TO_DIGITS:
        /* 1..6 symbols, leading zeros allowed: this is translation, not arithmetic. */
        n = 1 + (size_t)world_rng_below(rng, 6);
        for (size_t i = 0; i < n; i++)
            arg[i] = cipher_digit_char((int)world_rng_below(rng, 10),
                                       kind == GEN_TO_CIPHER ? WORLD_DIGITS : WORLD_CIPHER);
        arg[n] = '\0';
        break;
    default:
        out->kind = GEN_IDENTITY;
        snprintf(out->prompt, sizeof out->prompt, "%s",
                 identity_questions[world_rng_below(rng, N_IDENTITY)]);
        answer_for(out, "", 0);
        return;
    }
    snprintf(out->prompt, sizeof out->prompt, "%s%s?", prefixes[kind], arg);
    answer_for(out, arg, n);
}

void general_generate_any(WorldRng *rng, GeneralItem *out) {
    general_generate((GeneralKind)world_rng_below(rng, GEN_NUM_KINDS), rng, out);
}

static int arg_ok(GeneralKind k, const char *s, size_t n) {
    if (n == 0 || n > GENERAL_WORD_MAX) return 0;
    for (size_t i = 0; i < n; i++) {
        WorldScript sc;
        int d = cipher_char_digit(s[i], &sc);
        switch (k) {
        case GEN_TO_CIPHER:
            if (d < 0 || sc != WORLD_DIGITS) return 0;
            break;
        case GEN_TO_DIGITS:
            if (d < 0 || sc != WORLD_CIPHER) return 0;
            break;
        default:
            if (s[i] < 'a' || s[i] > 'z') return 0;
            break;
        }
    }
    return 1;
}

int general_parse_prompt(const char *prompt, GeneralItem *out) {
    memset(out, 0, sizeof *out);
    for (int i = 0; i < N_IDENTITY; i++)
        if (strcmp(prompt, identity_questions[i]) == 0) {
            out->kind = GEN_IDENTITY;
            snprintf(out->prompt, sizeof out->prompt, "%s", prompt);
            answer_for(out, "", 0);
            return 0;
        }
    for (int k = 0; k < GEN_IDENTITY; k++) {
        size_t np = strlen(prefixes[k]), n = strlen(prompt);
        if (strncmp(prompt, prefixes[k], np) != 0 || n < np + 1 || prompt[n - 1] != '?') continue;
        const char *arg = prompt + np;
        size_t na = n - np - 1;
        if (!arg_ok((GeneralKind)k, arg, na)) return -1;
        out->kind = (GeneralKind)k;
        snprintf(out->prompt, sizeof out->prompt, "%s", prompt);
        answer_for(out, arg, na);
        return 0;
    }
    return -1;
}

int general_verify_span(const GeneralItem *it, const char *answer, size_t len) {
    return answer != NULL && len == strlen(it->answer) && memcmp(answer, it->answer, len) == 0;
}

int general_verify(const GeneralItem *it, const char *answer) {
    return answer != NULL && general_verify_span(it, answer, strlen(answer));
}
