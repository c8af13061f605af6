#include "world/general.h"

#include <stdio.h>
#include <string.h>

#include "world/cipher.h"
#include "world/completion.h"

static const char *const kind_names[GEN_NUM_KINDS] = {"copy", "reverse", "to_cipher", "to_digits",
                                                      "identity"};

/* Question prefixes of the kinds that take an argument, in kind order. */
static const char *const prefixes[GEN_IDENTITY] = {"copy: ", "reverse: ", "cipher: ", "digits: "};

static const char *const identity_questions[] = {"who are you?", "what are you?",
                                                 "what is your name?"};
enum { N_IDENTITY = sizeof identity_questions / sizeof identity_questions[0] };

/* More ways to ask, for varied items only (the corpus keeps the three
 * above): enough phrasings that "who is asked about" can be learnt as a
 * meaning, so that a model can answer the held-out ones below. */
static const char *const varied_identity_questions[] = {
    "who are you?",        "what are you?",       "what is your name?",      "who is this?",
    "tell me your name?",  "what do i call you?", "who am i chatting with?", "say who you are?",
    "what model are you?", "who are you, then?",  "tell me what you are?",   "and you are?"};
enum { N_VARIED_IDENTITY = sizeof varied_identity_questions / sizeof varied_identity_questions[0] };

/* Phrasings only held-out preference prompts use. */
static const char *const heldout_identity_questions[] = {
    "tell me who you are?", "what should i call you?", "who am i talking to?"};
enum {
    N_HELDOUT_IDENTITY = sizeof heldout_identity_questions / sizeof heldout_identity_questions[0]
};

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

/* Disjoint from words, so held-out copy and reverse prompts are new questions. */
static const char *const heldout_words[] = {
    "frog",  "cloud", "bread", "chair", "glass", "plant", "sheep", "smile", "table", "water",
    "house", "paper", "grass", "horse", "apple", "music", "storm", "field", "spoon", "sugar",
    "tiger", "flame", "clock", "shell", "ocean", "honey", "pearl", "wheel", "bell",  "cake",
};
enum { N_HELDOUT_WORDS = sizeof heldout_words / sizeof heldout_words[0] };

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

typedef struct {
    const char *const *words;
    int nwords;
    const char *const *questions;
    int nquestions;
    double invented; /* chance that a copy or reverse argument is an invented string */
} Pool;

static const Pool train_pool = {words, N_WORDS, identity_questions, N_IDENTITY, 0.0};
static const Pool heldout_pool = {heldout_words, N_HELDOUT_WORDS, heldout_identity_questions,
                                  N_HELDOUT_IDENTITY, 0.0};
/* Mostly strings no list holds: data from which copying and reversing can
 * only be learnt as skills, not as fifty memorised answers. */
static const Pool varied_pool = {words, N_WORDS, varied_identity_questions, N_VARIED_IDENTITY, 0.7};

static int is_heldout_word(const char *s) {
    for (int i = 0; i < N_HELDOUT_WORDS; i++)
        if (strcmp(s, heldout_words[i]) == 0) return 1;
    return 0;
}

/* GENERAL_INVENTED_MIN..MAX random letters, never a held-out word, so that
 * held-out questions stay unseen. */
static size_t invent_word(WorldRng *rng, char *arg) {
    size_t n;
    do {
        n = GENERAL_INVENTED_MIN +
            (size_t)world_rng_below(rng, GENERAL_INVENTED_MAX - GENERAL_INVENTED_MIN + 1);
        for (size_t i = 0; i < n; i++) arg[i] = (char)('a' + world_rng_below(rng, 26));
        arg[n] = '\0';
    } while (is_heldout_word(arg));
    return n;
}

static void generate_from(const Pool *pool, GeneralKind kind, WorldRng *rng, GeneralItem *out) {
    memset(out, 0, sizeof *out);
    out->kind = kind;
    char arg[GENERAL_WORD_MAX + 1];
    size_t n = 0;
    switch (kind) {
    case GEN_COPY:
    case GEN_REVERSE:
        if (pool->invented > 0 && world_rng_chance(rng, pool->invented)) {
            n = invent_word(rng, arg);
            break;
        }
        snprintf(arg, sizeof arg, "%s", pool->words[world_rng_below(rng, (uint64_t)pool->nwords)]);
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
                 pool->questions[world_rng_below(rng, (uint64_t)pool->nquestions)]);
        answer_for(out, "", 0);
        return;
    }
    snprintf(out->prompt, sizeof out->prompt, "%s%s?", prefixes[kind], arg);
    answer_for(out, arg, n);
}

void general_generate(GeneralKind kind, WorldRng *rng, GeneralItem *out) {
    generate_from(&train_pool, kind, rng, out);
}

void general_generate_any(WorldRng *rng, GeneralItem *out) {
    general_generate((GeneralKind)world_rng_below(rng, GEN_NUM_KINDS), rng, out);
}

void general_generate_varied(GeneralKind kind, WorldRng *rng, GeneralItem *out) {
    generate_from(&varied_pool, kind, rng, out);
}

void general_generate_varied_any(WorldRng *rng, GeneralItem *out) {
    general_generate_varied((GeneralKind)world_rng_below(rng, GEN_NUM_KINDS), rng, out);
}

void general_generate_heldout(GeneralKind kind, WorldRng *rng, GeneralItem *out) {
    generate_from(&heldout_pool, kind, rng, out);
}

void general_generate_heldout_any(WorldRng *rng, GeneralItem *out) {
    general_generate_heldout((GeneralKind)world_rng_below(rng, GEN_NUM_KINDS), rng, out);
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

static int is_identity_question(const char *prompt) {
    for (int i = 0; i < N_IDENTITY; i++)
        if (strcmp(prompt, identity_questions[i]) == 0) return 1;
    for (int i = 0; i < N_VARIED_IDENTITY; i++)
        if (strcmp(prompt, varied_identity_questions[i]) == 0) return 1;
    for (int i = 0; i < N_HELDOUT_IDENTITY; i++)
        if (strcmp(prompt, heldout_identity_questions[i]) == 0) return 1;
    return 0;
}

int general_parse_prompt(const char *prompt, GeneralItem *out) {
    memset(out, 0, sizeof *out);
    if (is_identity_question(prompt)) {
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

int general_helpful(const GeneralItem *it, const char *completion) {
    CompletionParts parts;
    return completion != NULL && completion_parse(completion, &parts) &&
           general_verify_span(it, parts.answer, parts.answer_len);
}
