#include "tui/step_model.h"

#include <stdlib.h>
#include <string.h>

static int grow(void **p, size_t n, size_t size) {
    void *q = realloc(*p, (n ? n : 1) * size);
    if (!q) return -1;
    *p = q;
    return 0;
}

int tui_step_reserve(TuiStep *s, int B, int G, size_t n_tok) {
    int n = B * G;
    if (B > s->cap_B) {
        if (grow((void **)&s->prompt, (size_t)B, sizeof *s->prompt) ||
            grow((void **)&s->group_mean, (size_t)B, sizeof *s->group_mean) ||
            grow((void **)&s->group_std, (size_t)B, sizeof *s->group_std))
            return -1;
        s->cap_B = B;
    }
    if (n > s->cap_n) {
        if (grow((void **)&s->seq, (size_t)n, sizeof *s->seq)) return -1;
        s->cap_n = n;
    }
    if (n_tok > s->cap_tok || !s->tok) {
        if (grow((void **)&s->tok, n_tok, sizeof *s->tok)) return -1;
        s->cap_tok = n_tok;
    }
    s->B = B;
    s->G = G;
    s->n = n;
    s->n_tok = n_tok;
    return 0;
}

void tui_step_free(TuiStep *s) {
    if (!s) return;
    free(s->prompt);
    free(s->group_mean);
    free(s->group_std);
    free(s->seq);
    free(s->tok);
    memset(s, 0, sizeof *s);
}
