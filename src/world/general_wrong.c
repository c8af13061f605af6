/* The rejected side's answers: mistakes an assistant could plausibly make on
 * each general kind. A reward model should learn to tell these from the right
 * answer by correctness alone, so they stay in the right answer's alphabet
 * and (for general_wrong_answer) near its length. */
#include <stdio.h>
#include <string.h>

#include "world/cipher.h"
#include "world/general.h"

/* Other names: as long as "i am r1sim." give or take a few letters. */
static const char *const wrong_identities[] = {"i am gpt.",   "i am a cat.", "i am r2sim.",
                                               "i am r1.",    "i am sim.",   "i am r1sin.",
                                               "i am human.", "i am you."};
enum { N_WRONG_IDENTITIES = sizeof wrong_identities / sizeof wrong_identities[0] };

static const char *const longer_wrong_identities[] = {
    "i am not r1sim.", "i am r2sim, not r1sim.", "i am a small cat named sim.",
    "i am gpt, a large model.", "i am a person, not a model."};
enum { N_LONGER_IDENTITIES = sizeof longer_wrong_identities / sizeof longer_wrong_identities[0] };

static int is_number_kind(GeneralKind k) {
    return k == GEN_TO_CIPHER || k == GEN_TO_DIGITS;
}

static size_t pick(WorldRng *rng, size_t n) {
    return (size_t)world_rng_below(rng, n);
}

/* s[i] becomes its neighbour: the next or previous letter for words (a slip
 * of the hand), the next or previous row of the a=0 ... j=9 table for
 * numbers (a slip in the table). Always a change. */
static void slip(GeneralKind k, char *s, size_t i, WorldRng *rng) {
    int up = world_rng_chance(rng, 0.5);
    if (is_number_kind(k)) {
        WorldScript sc;
        int d = cipher_char_digit(s[i], &sc);
        s[i] = cipher_digit_char((d + (up ? 1 : 9)) % 10, sc);
    } else {
        s[i] = (char)('a' + (s[i] - 'a' + (up ? 1 : 25)) % 26);
    }
}

static void swap_adjacent(char *s, size_t n, WorldRng *rng) {
    if (n < 2) return;
    size_t i = pick(rng, n - 1);
    char t = s[i];
    s[i] = s[i + 1];
    s[i + 1] = t;
}

static void drop_one(char *s, size_t n, WorldRng *rng) {
    if (n < 2) return; /* an empty answer is unhelpful, not wrong */
    size_t i = pick(rng, n);
    memmove(s + i, s + i + 1, n - i);
}

static void double_one(char *s, size_t n, WorldRng *rng) {
    if (n + 1 >= GENERAL_TEXT_MAX) return;
    size_t i = pick(rng, n);
    memmove(s + i + 1, s + i, n - i + 1);
}

static void reverse_span(char *s, size_t n) {
    for (size_t i = 0; i < n / 2; i++) {
        char t = s[i];
        s[i] = s[n - 1 - i];
        s[n - 1 - i] = t;
    }
}

/* Every symbol one row off in the table: a systematic, not a random, error. */
static void shift_all(char *s, size_t n, WorldRng *rng) {
    int up = world_rng_chance(rng, 0.5);
    for (size_t i = 0; i < n; i++) {
        WorldScript sc;
        int d = cipher_char_digit(s[i], &sc);
        s[i] = cipher_digit_char((d + (up ? 1 : 9)) % 10, sc);
    }
}

/* One attempt at a mistake of the kind; may leave s unchanged (a swap of
 * equal letters), which the caller retries. */
static void one_mistake(GeneralKind k, char *s, WorldRng *rng) {
    size_t n = strlen(s);
    switch (k) {
    case GEN_COPY:
        switch (pick(rng, 4)) {
        case 0:
            slip(k, s, pick(rng, n), rng);
            break;
        case 1:
            swap_adjacent(s, n, rng);
            break;
        case 2:
            drop_one(s, n, rng);
            break;
        default:
            double_one(s, n, rng);
            break;
        }
        break;
    case GEN_REVERSE:
        switch (pick(rng, 4)) {
        case 0:
            reverse_span(s, n);
            break; /* not reversed at all */
        case 1:
            reverse_span(s, (n + 1) / 2);
            break; /* only the first half put back */
        case 2:
            slip(k, s, pick(rng, n), rng);
            break;
        default:
            swap_adjacent(s, n, rng);
            break;
        }
        break;
    default:
        switch (pick(rng, 4)) {
        case 0:
            slip(k, s, pick(rng, n), rng);
            break;
        case 1:
            swap_adjacent(s, n, rng);
            break;
        case 2:
            shift_all(s, n, rng);
            break;
        default:
            drop_one(s, n, rng);
            break;
        }
        break;
    }
}

void general_wrong_answer(const GeneralItem *it, WorldRng *rng, char out[GENERAL_TEXT_MAX]) {
    if (it->kind == GEN_IDENTITY) {
        snprintf(out, GENERAL_TEXT_MAX, "%s", wrong_identities[pick(rng, N_WRONG_IDENTITIES)]);
        return;
    }
    for (int attempt = 0; attempt < 8; attempt++) {
        snprintf(out, GENERAL_TEXT_MAX, "%s", it->answer);
        one_mistake(it->kind, out, rng);
        if (strcmp(out, it->answer) != 0) return;
    }
    /* "reverse: noon?" and the like: a slip always changes the answer */
    snprintf(out, GENERAL_TEXT_MAX, "%s", it->answer);
    slip(it->kind, out, pick(rng, strlen(out)), rng);
}

void general_longer_wrong_answer(const GeneralItem *it, WorldRng *rng, char out[GENERAL_TEXT_MAX]) {
    const char *a = it->answer;
    size_t n = strlen(a);
    if (it->kind == GEN_IDENTITY) {
        snprintf(out, GENERAL_TEXT_MAX, "%s",
                 longer_wrong_identities[pick(rng, N_LONGER_IDENTITIES)]);
        return;
    }
    /* answers other than identity's are at most one word long */
    enum { W = GENERAL_WORD_MAX };
    switch (pick(rng, 3)) {
    case 0:
        /* the answer twice: "plan plan", "nalp plan" (both ways), "dehdeh" */
        if (it->kind == GEN_REVERSE) {
            char word[GENERAL_TEXT_MAX];
            snprintf(word, sizeof word, "%s", a);
            reverse_span(word, n);
            snprintf(out, GENERAL_TEXT_MAX, "%.*s %.*s", W, a, W, word);
        } else {
            snprintf(out, GENERAL_TEXT_MAX, is_number_kind(it->kind) ? "%.*s%.*s" : "%.*s %.*s", W,
                     a, W, a);
        }
        break;
    case 1: {
        /* every symbol doubled: "ppllaann" */
        size_t m = 0;
        for (size_t i = 0; i < n && m + 2 < GENERAL_TEXT_MAX; i++) {
            out[m++] = a[i];
            out[m++] = a[i];
        }
        out[m] = '\0';
        break;
    }
    default: {
        /* the answer and then some: extra letters or symbols */
        size_t extra = 1 + pick(rng, 3);
        snprintf(out, GENERAL_TEXT_MAX, "%s", a);
        for (size_t i = 0; i < extra && n + i + 1 < GENERAL_TEXT_MAX; i++) {
            WorldScript sc = it->kind == GEN_TO_CIPHER ? WORLD_CIPHER : WORLD_DIGITS;
            out[n + i] = is_number_kind(it->kind) ? cipher_digit_char((int)pick(rng, 10), sc)
                                                  : (char)('a' + pick(rng, 26));
            out[n + i + 1] = '\0';
        }
        break;
    }
    }
}
