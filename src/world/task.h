#ifndef R1SIM_WORLD_TASK_H
#define R1SIM_WORLD_TASK_H

#include <stddef.h>
#include <stdint.h>

#include "world/cipher.h"
#include "world/rng.h"

/* The reasoning tasks and their verifiers: the rule-based ground truth that
 * accuracy rewards, rejection sampling and eval all rest on.
 *
 * Tasks have a fixed width: both operands are always written with exactly
 * `width` digits, zero-padded ("047+589?"), because a tiny model with learned
 * absolute positions can only learn a scratchpad when every digit sits at a
 * fixed position. Names: "add3" (3+3 digits), "sub3", "mul1x3" (one digit times
 * three digits, written "7*347?"), and "pair4": a search, "which two of the
 * digits 3,8,5,9 sum to 14?", written "3859 sum 14?" and answered "5+9" (the
 * two digits in prompt order). A pair problem has exactly one pair of
 * positions that sums to the target, so it has one answer; checking a pair is
 * one small sum, finding it may take every pair (pair3, pair4: a full pair5
 * search would not fit the 96 new tokens GRPO samples).
 *
 * Subtraction never goes negative: a generated problem has a >= b (two operands
 * are drawn and the larger comes first), and a prompt with a < b is not a task.
 *
 * Answers are canonical decimals: digits only, no sign, no leading zeros ("0"
 * for zero), no spaces, always in digits even when the prompt is in the cipher.
 * The verifier accepts exactly that string, so "0936" and " 936" are wrong:
 * one spelling per answer keeps exact-match rewards and majority votes honest
 * and makes the format part of what is learned. */

enum { TASK_MAX_WIDTH = 9, TASK_PROMPT_MAX = 32, TASK_ANSWER_MAX = 24 };

typedef enum { TASK_ADD = 0, TASK_SUB, TASK_MUL, TASK_PAIR, TASK_NUM_KINDS } TaskKind;

enum { TASK_PAIR_MIN = 3, TASK_PAIR_MAX = 4 }; /* digits in a pair prompt */

typedef struct {
    TaskKind kind;
    int width; /* digits of each operand (mul: of the multi-digit one; pair: digits to pick
                  from, TASK_PAIR_MIN..TASK_PAIR_MAX), 1..TASK_MAX_WIDTH */
} TaskSpec;

typedef struct {
    TaskSpec spec;
    uint64_t a, b;                /* operands in prompt order; for mul, a is the one-digit factor;
                                     for pair, a holds the digits and b the target */
    uint64_t result;              /* a+b, a-b or a*b; for pair 10x+y, x and y the picked digits */
    WorldScript script;           /* script of the prompt */
    char prompt[TASK_PROMPT_MAX]; /* "347+589?" or "deh+fij?" */
    char answer[TASK_ANSWER_MAX]; /* "936" or "5+9", always digits */
} Problem;

/* Parses "add3", "sub2", "mul1x3", "pair4"; 0 on success, -1 otherwise. */
int task_spec_parse(const char *name, TaskSpec *out);
/* Parses a comma-separated list ("add3,sub3") into at most max specs; the
 * count (at least 1), or -1 for an empty list, an unknown name or too many. */
int task_spec_parse_list(const char *list, TaskSpec *out, int max);
/* Writes the name ("mul1x3"); returns its length like snprintf. */
int task_spec_name(TaskSpec spec, char *out, size_t cap);
/* 1 when the kind is known and 1 <= width <= TASK_MAX_WIDTH (pair:
 * TASK_PAIR_MIN..TASK_PAIR_MAX). */
int task_spec_valid(TaskSpec spec);
/* The operator character: '+', '-' or '*' ('+' for pair). */
char task_op_char(TaskKind kind);

/* Digit i of a pair problem's digits, counted from the left as written. */
int task_pair_digit(const Problem *p, int i);
/* The pair of positions i < j as a value, 10x+y (what Problem.result holds). */
uint64_t task_pair_value(const Problem *p, int i, int j);

/* The canonical answer for a concluded value: the decimal ("936"), or for
 * pair the digits of 10x+y as "x+y". Returns the length like snprintf. */
int task_format_answer(const Problem *p, uint64_t value, char *out, size_t cap);

/* Builds a problem from operands: 0 on success, -1 when the operands do not fit
 * the spec (too wide, mul factor above 9, subtraction with a < b, a pair
 * target that no pair or more than one pair of positions reaches). */
int task_make(TaskSpec spec, uint64_t a, uint64_t b, WorldScript script, Problem *out);

/* A uniformly random problem of the spec (operands uniform over all fixed-width
 * values; for sub, the larger of two uniform draws comes first). Deterministic
 * given the RNG state. 0 on success, -1 for an invalid spec. Does not avoid the
 * eval set; see evalset.h for the training generator that does. */
int task_generate(TaskSpec spec, WorldScript script, WorldRng *rng, Problem *out);

/* Parses a prompt ("347+589?", "deh+fij?", "3859 sum 14?") back into a problem, inferring the
 * task and width from its shape; trailing text is not allowed. 0 on success,
 * -1 when the text is not a task prompt (mixed scripts, unequal widths, ...). */
int task_parse_prompt(const char *prompt, Problem *out);

/* 1 when the answer text is exactly the canonical answer, else 0. */
int task_verify(const Problem *p, const char *answer);
/* The same for an answer given as a span (e.g. from completion_parse). */
int task_verify_span(const Problem *p, const char *answer, size_t len);

#endif
