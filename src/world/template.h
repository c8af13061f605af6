#ifndef R1SIM_WORLD_TEMPLATE_H
#define R1SIM_WORLD_TEMPLATE_H

#include <stddef.h>

/* R1-Zero's prompt template in miniature, kept in one place so that corpus
 * documents, SFT data, rollouts and eval all show the model the same bytes:
 *
 *   prompt:      <bos>user: 347+589? assistant: <think>
 *   completion:  7+9+0=16. 4+8+1=13. 3+5+1=09. so 936</think><answer>936</answer>
 *
 * The prompt opens the thought, as in the paper, so a completion starts inside
 * it; a direct answer is the empty thought "</think><answer>936</answer>". */

#define TMPL_PROMPT_HEAD "<bos>user: "
#define TMPL_PROMPT_TAIL " assistant: <think>"

/* Wraps a question ("347+589?") in the template. Returns the length like
 * snprintf (out is NUL-terminated when cap > 0). */
size_t tmpl_prompt(const char *question, char *out, size_t cap);

/* A well-formed completion: thought, "</think><answer>", answer, "</answer>". */
size_t tmpl_completion(const char *thought, const char *answer, char *out, size_t cap);

/* The question inside a templated prompt (the inverse of tmpl_prompt): its
 * length like snprintf, or -1 when prompt is not exactly one templated question. */
int tmpl_question(const char *prompt, char *out, size_t cap);

#endif
