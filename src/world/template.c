#include "world/template.h"

#include <stdio.h>
#include <string.h>

size_t tmpl_prompt(const char *question, char *out, size_t cap) {
    int n = snprintf(out, cap, "%s%s%s", TMPL_PROMPT_HEAD, question, TMPL_PROMPT_TAIL);
    return n < 0 ? 0 : (size_t)n;
}

size_t tmpl_completion(const char *thought, const char *answer, char *out, size_t cap) {
    int n = snprintf(out, cap, "%s</think><answer>%s</answer>", thought, answer);
    return n < 0 ? 0 : (size_t)n;
}

int tmpl_question(const char *prompt, char *out, size_t cap) {
    size_t nh = strlen(TMPL_PROMPT_HEAD), nt = strlen(TMPL_PROMPT_TAIL), n = strlen(prompt);
    if (n < nh + nt || strncmp(prompt, TMPL_PROMPT_HEAD, nh) != 0 ||
        strcmp(prompt + n - nt, TMPL_PROMPT_TAIL) != 0)
        return -1;
    int len = (int)(n - nh - nt);
    return snprintf(out, cap, "%.*s", len, prompt + nh);
}
