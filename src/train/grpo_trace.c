#include "train/grpo_trace.h"

#include <stdlib.h>
#include <string.h>

static int grow(void **p, size_t n, size_t size) {
    void *q = realloc(*p, n * size);
    if (!q) return -1;
    *p = q;
    return 0;
}

int grpo_trace_reset(GrpoTrace *t, int B, int G) {
    int n = B * G;
    if (B > t->cap_B) {
        if (grow((void **)&t->prompt, (size_t)B, sizeof *t->prompt) ||
            grow((void **)&t->group_mean, (size_t)B, sizeof *t->group_mean) ||
            grow((void **)&t->group_std, (size_t)B, sizeof *t->group_std))
            return -1;
        t->cap_B = B;
    }
    if (n > t->cap_n) {
        if (grow((void **)&t->seq, (size_t)n, sizeof *t->seq)) return -1;
        t->cap_n = n;
    }
    t->B = B;
    t->G = G;
    t->n = n;
    t->n_tok = 0;
    memset(t->seq, 0, sizeof *t->seq * (size_t)n);
    return 0;
}

int grpo_trace_add(GrpoTrace *t, const GrpoTraceToken *tok) {
    if (t->n_tok == t->cap_tok) {
        size_t cap = t->cap_tok ? t->cap_tok * 2 : 4096;
        if (grow((void **)&t->tok, cap, sizeof *t->tok)) return -1;
        t->cap_tok = cap;
    }
    t->tok[t->n_tok++] = *tok;
    return 0;
}

static int by_seq_pass_pos(const void *a, const void *b) {
    const GrpoTraceToken *x = a, *y = b;
    if (x->seq != y->seq) return (x->seq > y->seq) - (x->seq < y->seq);
    if (x->pass != y->pass) return (x->pass > y->pass) - (x->pass < y->pass);
    return (x->pos > y->pos) - (x->pos < y->pos);
}

void grpo_trace_finish(GrpoTrace *t) {
    if (t->n_tok) qsort(t->tok, t->n_tok, sizeof *t->tok, by_seq_pass_pos);
    for (int i = 0; i < t->n; i++) t->seq[i].tok0 = t->seq[i].n_tok = 0;
    for (size_t k = t->n_tok; k-- > 0;) {
        int i = t->tok[k].seq;
        if (i < 0 || i >= t->n) continue;
        t->seq[i].tok0 = (int)k;
        t->seq[i].n_tok++;
    }
}

int grpo_trace_copy(GrpoTrace *dst, const GrpoTrace *src) {
    if (grpo_trace_reset(dst, src->B, src->G)) return -1;
    if (src->n_tok > dst->cap_tok) {
        if (grow((void **)&dst->tok, src->n_tok, sizeof *dst->tok)) return -1;
        dst->cap_tok = src->n_tok;
    }
    /* the scalars, then the arrays over the pointers the copy just kept */
    GrpoTrace keep = *dst;
    *dst = *src;
    dst->prompt = keep.prompt;
    dst->group_mean = keep.group_mean;
    dst->group_std = keep.group_std;
    dst->seq = keep.seq;
    dst->tok = keep.tok;
    dst->cap_tok = keep.cap_tok;
    dst->cap_B = keep.cap_B;
    dst->cap_n = keep.cap_n;
    size_t B = (size_t)src->B, n = (size_t)src->n;
    memcpy(dst->prompt, src->prompt, B * sizeof *src->prompt);
    memcpy(dst->group_mean, src->group_mean, B * sizeof *src->group_mean);
    memcpy(dst->group_std, src->group_std, B * sizeof *src->group_std);
    memcpy(dst->seq, src->seq, n * sizeof *src->seq);
    if (src->n_tok) memcpy(dst->tok, src->tok, src->n_tok * sizeof *src->tok);
    return 0;
}

void grpo_trace_free(GrpoTrace *t) {
    if (!t) return;
    free(t->prompt);
    free(t->group_mean);
    free(t->group_std);
    free(t->seq);
    free(t->tok);
    memset(t, 0, sizeof *t);
}

int grpo_trace_zero_variance_groups(const GrpoTrace *t) {
    int flat = 0;
    for (int b = 0; b < t->B; b++) {
        const GrpoTraceSeq *s = t->seq + (size_t)b * t->G;
        int same = 1;
        for (int i = 1; i < t->G; i++)
            if (s[i].reward != s[0].reward) same = 0;
        flat += same;
    }
    return flat;
}
