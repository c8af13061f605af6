#ifndef R1SIM_WORLD_EVALSET_H
#define R1SIM_WORLD_EVALSET_H

#include <stdint.h>

#include "world/task.h"

/* The held-out split. Eval figures mean something only if no training data
 * (corpus, SFT sets, GRPO prompts) ever shows an eval problem, so membership is
 * a pure function of the problem: a keyed hash puts one problem in
 * WORLD_EVAL_DENOM in the held-out slice. No table to build, share or keep in
 * sync; any task and width works; training generators just reject held-out
 * problems.
 *
 * The key is the task kind and the operand values, not the width or the
 * script: "347+589?" and its cipher "deh+fij?" are held out together, and so are
 * "047+589?" and "47+89?" (same numbers in add3 and add2). Addition is keyed on
 * the unordered pair, so 589+347 is held out with 347+589. */

#define WORLD_EVAL_SEED 0x9e7a1d5ee0c0ffeeULL
enum { WORLD_EVAL_DENOM = 16 };

/* 1 when the problem is in the held-out slice. */
int world_is_eval_problem(const Problem *p);

/* The same for a question ("347+589?") or a templated prompt
 * ("<bos>user: 347+589? assistant: <think>"); 0 for text that is not a task. */
int world_is_eval_prompt(const char *prompt);

/* task_generate, skipping held-out problems: what every training generator
 * uses. 0 on success, -1 for an invalid spec. */
int task_generate_train(TaskSpec spec, WorldScript script, WorldRng *rng, Problem *out);

/* The eval set of a task: up to n distinct held-out problems drawn from
 * WORLD_EVAL_SEED, the same problems in either script. Returns how many were
 * written (fewer than n only when the task is too small to hold n, e.g. add1).
 * Cost is O(n^2): meant for eval sets of hundreds to a few thousand. */
int evalset_generate(TaskSpec spec, WorldScript script, int n, Problem *out);

#endif
