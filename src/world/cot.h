#ifndef R1SIM_WORLD_COT_H
#define R1SIM_WORLD_COT_H

#include <stddef.h>
#include <stdint.h>

#include "world/cipher.h"
#include "world/rng.h"
#include "world/task.h"

/* Scratchpad (chain-of-thought) text for the tasks: what the pretraining
 * corpus, cold-start data and curated samples teach a model to think.
 *
 * A pad works least significant column first, with the carry (or borrow) as an
 * explicit operand, and ends with "so N". Every step has the same width (the
 * carry written even when 0, two-digit results and minuends), so each step
 * sits at a fixed position:
 *   add  347+589   7+9+0=16. 4+8+1=13. 3+5+1=09. so 936
 *   sub  347-189   17-9-0=08. 14-8-1=05. 03-1-1=01. so 158   (a borrowed ten is the leading 1)
 *   mul  7*347     7*7+0=49. 7*4+4=32. 7*3+3=24. so 2429
 * In the cipher script every digit becomes a..j ("h+j=bg. ... so jdg"); the
 * words (so, wait, check, guess, not) contain letters outside a..j, so they are
 * neutral for the language reward.
 *
 * Styles grade thoroughness, because R1-Zero's gradual length growth needs
 * detail that pays by degrees: a terse pad (only the first columns, the rest
 * jumped over) < a full pad < a full pad followed by a check. The check redoes
 * every column (in the same operand order) and, when the first
 * pass was wrong, says "wait," before the corrected "so 936" — the
 * functional reflection the aha meter counts. Guesses ("guess 926") are direct
 * answers written in the thought; a guess with a check is the guess-then-verify
 * pattern.
 *
 * The pair search (task "pair4") is a different kind of thought: pairs are
 * tried in reading order and each miss is rejected with "wait.",
 *   pair4 3859 sum 14?   3+8=11 wait. 3+5=08 wait. ... 8+9=17 wait. 5+9=14. so 5+9
 * terse stops after 1..n-1 misses and names an untried pair ("so 8+9"), full
 * and checked search to the pair, guess names a pair unworked ("guess 8+9")
 * and guess_check tries the guessed pair first. Here the check is cheap and
 * the search is what takes length, so going on pays by degrees.
 *
 * Slips are first-pass steps whose result is off by one; later steps carry on
 * from the slipped value, so an uncorrected slip gives a consistent but wrong pad.
 * With fix_slips the slip is followed at once by "wait, <the step done right>."
 * The check pass and the steps after a fix never slip: the check is the reliable
 * route to the right answer. */

typedef enum {
    COT_TERSE,
    COT_FULL,
    COT_CHECKED,
    COT_GUESS,
    COT_GUESS_CHECK,
    COT_NUM_STYLES
} CotStyle;

enum { COT_MAX = 512 }; /* enough for any style at TASK_MAX_WIDTH */

typedef struct {
    CotStyle style;
    WorldScript script;      /* the script of the pad (normally the prompt's) */
    double slip_prob;        /* per first-pass step: chance its result is off by one */
    int fix_slips;           /* 1: each slip is followed by "wait, <correct step>." */
    double switch_prob;      /* per written unit: chance it is in the other script (mixing) */
    double guess_wrong_prob; /* guess styles: chance the guess has one wrong digit */
} CotOptions;

typedef struct {
    uint64_t value; /* what the thought concludes: the last "so N" (or the guess); for pair
                       10x+y of the pair "x+y" */
    int correct;    /* value equals the problem's result */
    int steps;      /* column steps written, over all passes */
    int slips;      /* steps written with a wrong result */
    int waits;      /* "wait"s written */
} CotResult;

/* Options with no slips, no mixing and no wrong guesses. */
CotOptions cot_options(CotStyle style, WorldScript script);

/* Writes the thought for p (no tags). Returns its length, or -1 when it does
 * not fit in cap (out then holds a truncated, NUL-terminated prefix). res may be
 * NULL. Deterministic given the RNG state; draws from rng only as needed. */
int cot_write(const Problem *p, const CotOptions *o, WorldRng *rng, char *out, size_t cap,
              CotResult *res);

/* The first step of the full pad followed by its ". " ("7+9+0=16. "); for
 * pair the first try alone ("3+8=11"), since what follows it depends on
 * whether it hit: the prefill that forces thinking mode when eval measures
 * thought vs direct accuracy (a direct answer is forced by prefilling
 * "</think>"). Returns the length like cot_write. */
int cot_prefill(const Problem *p, WorldScript script, char *out, size_t cap);

/* The number after the last "so " in a thought, in either script (a number
 * mixing scripts still reads digit by digit); for arithmetic thoughts only (a
 * pair's "so 5+9" reads as 5). 0 on success, -1 when there is none. */
int cot_final_value(const char *thought, size_t len, uint64_t *value);

/* "terse", "full", "checked", "guess", "guess_check"; and back (-1 if unknown). */
const char *cot_style_name(CotStyle s);
int cot_style_from_name(const char *name, CotStyle *out);

#endif
