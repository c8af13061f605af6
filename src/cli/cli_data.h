#ifndef R1SIM_CLI_DATA_H
#define R1SIM_CLI_DATA_H

/* The data files shipped in data/, generated from the world's generators with
 * fixed seeds by `r1sim make-data DIR` (so they can be regenerated and checked
 * for drift), and validated by `r1sim make-data --check DIR`:
 *
 *   coldstart.csv   task,script,prompt,completion,answer
 *       curated long CoT for the cold-start SFT: a full pad and a check, the
 *       whole thought in the prompt's script, the final answer right
 *   coldstart_pair4.csv   the same columns, for the pair-search world:
 *       whole searches (pairs in reading order up to the hit, no guess, no
 *       give-up, no slip), in the prompt's script, within GRPO's 96 new tokens
 *   general.csv     kind,prompt,completion
 *       non-reasoning items (copy, reverse, to_cipher, to_digits, identity)
 *   preferences.csv   split,kind,prompt,chosen,rejected,reason
 *       chosen/rejected pairs on general questions for a reward model
 *       (world/preference.h): train and heldout splits, held-out questions
 *       never asked in train, reasons wrong/unhelpful/rambling/longer_wrong
 *   eval_TASK.csv   prompt,answer
 *       the first problems of the task's held-out set (evalset_generate, in
 *       digits): what `r1sim eval` and eval stages sample
 *
 * Prompts are templated exactly as the model sees them ("<bos>user: 347+589?
 * assistant: <think>"); completions are what follows, ending with "<eos>", so a
 * row is an SftExample as it stands. No training prompt is a held-out eval
 * problem: the generators draw through task_generate_train, and the writer and
 * the checker both refuse any prompt world_is_eval_prompt accepts. */

#include <stdio.h>

/* Name of the i-th file make-data writes ("coldstart.csv", ...); NULL past the end. */
const char *cli_data_file(int i);

/* Writes every file into dir (which must exist), each through a temporary
 * file and a rename. log (may be NULL) gets one line per file. 0, or -1 with
 * a one-line message in err. */
int cli_data_write(const char *dir, FILE *log, char *err, size_t errlen);

/* Validates one data file, its kind known from its name; errors name
 * file:line. 0, or -1 with a message in err. */
int cli_data_check_file(const char *path, char *err, size_t errlen);

/* Validates every file make-data writes, as found in dir. */
int cli_data_check(const char *dir, FILE *log, char *err, size_t errlen);

#endif
