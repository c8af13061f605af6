#include "train/grpo_update.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "world/tokenizer.h"

/* Rows of one forward/backward pass; larger minibatches accumulate. */
enum { MICRO_ROWS = 2048 };

struct GrpoUpdate {
    int *inp, *tgt;
    float *logp, *ref_logp, *entropy, *dlogp;
    double *old_row; /* (rows) pi_old logp per target */
    int *row_seq;    /* (rows) sequence of each row's target, -1 if masked */
    int *sorted;     /* (max_seqs) a minibatch's sequences by length */
    int max_seqs;
    GrpoTrace *trace; /* NULL: not recording */
    int trace_pass, trace_minibatch;
};

GrpoUpdate *grpo_update_new(const GptConfig *cfg, int max_seqs) {
    GrpoUpdate *u = calloc(1, sizeof *u);
    if (!u) return NULL;
    size_t rows = (size_t)MICRO_ROWS + (size_t)cfg->max_seq_len; /* one sequence may overshoot */
    u->inp = calloc(rows, sizeof(int));
    u->tgt = calloc(rows, sizeof(int));
    u->logp = calloc(rows, sizeof(float));
    u->ref_logp = calloc(rows, sizeof(float));
    u->entropy = calloc(rows, sizeof(float));
    u->dlogp = calloc(rows, sizeof(float));
    u->old_row = calloc(rows, sizeof(double));
    u->row_seq = calloc(rows, sizeof(int));
    u->sorted = calloc((size_t)(max_seqs > 0 ? max_seqs : 1), sizeof(int));
    u->max_seqs = max_seqs;
    if (!u->sorted || !u->inp || !u->tgt || !u->logp || !u->ref_logp || !u->entropy || !u->dlogp ||
        !u->old_row || !u->row_seq) {
        grpo_update_free(u);
        return NULL;
    }
    return u;
}

void grpo_update_free(GrpoUpdate *u) {
    if (!u) return;
    free(u->inp);
    free(u->tgt);
    free(u->logp);
    free(u->ref_logp);
    free(u->entropy);
    free(u->dlogp);
    free(u->old_row);
    free(u->row_seq);
    free(u->sorted);
    free(u);
}

void grpo_update_trace(GrpoUpdate *u, GrpoTrace *t, int pass, int minibatch) {
    u->trace = t;
    u->trace_pass = pass;
    u->trace_minibatch = minibatch;
}

static void record(GrpoUpdate *u, const GrpoSeq *seqs, int i, int r, int T, double logp,
                   double ref_lp, const GrpoToken *tok, double w, double beta) {
    const GrpoSeq *s = &seqs[i];
    const int pos = r % T - (s->prompt_len - 1);
    const double kl = beta > 0 ? grpo_kl(logp, ref_lp) : 0.0;
    GrpoTraceToken x = {.seq = i,
                        .pass = u->trace_pass,
                        .minibatch = u->trace_minibatch,
                        .pos = pos,
                        .token = u->tgt[r],
                        .logp_old = (float)u->old_row[r],
                        .logp = (float)logp,
                        .logp_ref = (float)ref_lp,
                        .ratio = (float)exp(logp - u->old_row[r]),
                        .clip = (signed char)(tok->clipped_low    ? -1
                                              : tok->clipped_high ? 1
                                                                  : 0),
                        .kl = (float)kl,
                        .weight = (float)w,
                        .objective = (float)(-w * tok->loss),
                        .push = (float)(-w * tok->dlogp)};
    grpo_trace_add(u->trace, &x);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Lays out sequences idx[from..to) as rows of width T; targets are the
 * completion tokens only, i.e. positions P-1 .. L-2. Returns the row count. */
static int layout_rows(GrpoUpdate *u, const GrpoSeq *seqs, const int *idx, int from, int to,
                       int T) {
    int r = 0;
    for (int k = from; k < to; k++, r++) {
        const int i = idx[k];
        const GrpoSeq *s = &seqs[i];
        const int P = s->prompt_len, L = P + s->len;
        for (int t = 0; t < T; t++) {
            size_t at = (size_t)r * T + t;
            u->inp[at] = t < P ? s->prompt[t] : t < L ? s->tokens[t - P] : TOK_PAD;
            int j = t - (P - 1);
            if (t >= P - 1 && t < L - 1 && !s->masked) {
                u->tgt[at] = s->tokens[j];
                u->old_row[at] = s->old_logp[j];
                u->row_seq[at] = i;
            } else {
                u->tgt[at] = -1;
                u->row_seq[at] = -1;
            }
        }
    }
    return r;
}

/* Row width of one sequence: its length - 1, at most the context. */
static int width_of(const GrpoSeq *s, int ctx) {
    int T = s->prompt_len + s->len - 1;
    return T < 1 ? 1 : T < ctx ? T : ctx;
}

static int by_length(const void *a, const void *b, void *ctx) {
    const GrpoSeq *seqs = ctx;
    const int i = *(const int *)a, j = *(const int *)b;
    const int li = seqs[i].prompt_len + seqs[i].len, lj = seqs[j].prompt_len + seqs[j].len;
    return li != lj ? (li > lj) - (li < lj) : (i > j) - (i < j);
}

float grpo_update_minibatch(GrpoUpdate *u, Gpt *policy, Gpt *ref, AdamW *opt, const GrpoSeq *seqs,
                            const int *idx, int n, const GrpoLossConfig *lc, GrpoTotals *tot) {
    const int ctx = policy->cfg.max_seq_len;
    int total_tokens = 0;
    for (int k = 0; k < n; k++)
        if (!seqs[idx[k]].masked) total_tokens += seqs[idx[k]].len;
    /* Micro-batches of sequences of like length, each padded only to its own
     * longest: completions of one step range from a few tokens to the limit,
     * and padding them all to the longest wasted a third of the update. */
    memcpy(u->sorted, idx, (size_t)n * sizeof(int));
    qsort_r(u->sorted, (size_t)n, sizeof(int), by_length, (void *)seqs);
    gpt_zero_grad(policy);
    for (int m0 = 0; m0 < n;) {
        /* as many sequences as fit MICRO_ROWS at the width of the longest,
         * which is the last one, the order being ascending */
        int m1 = m0 + 1;
        while (m1 < n && (long)(m1 + 1 - m0) * width_of(&seqs[u->sorted[m1]], ctx) <= MICRO_ROWS)
            m1++;
        const int T = width_of(&seqs[u->sorted[m1 - 1]], ctx);
        int rows = layout_rows(u, seqs, u->sorted, m0, m1, T), R = rows * T;
        m0 = m1;
        if (lc->beta > 0) {
            double t0 = now();
            gpt_forward_nograd(ref, u->inp, rows, T);
            gpt_logp(ref, u->tgt, lc->temperature, u->ref_logp, NULL);
            tot->ref_seconds += now() - t0;
        }
        gpt_forward(policy, u->inp, rows, T);
        gpt_logp(policy, u->tgt, lc->temperature, u->logp, u->entropy);
        for (int r = 0; r < R; r++) {
            u->dlogp[r] = 0.0f;
            int i = u->row_seq[r];
            if (i < 0) continue;
            /* without a reference the KL term is zero: ref_logp = logp */
            double ref_lp = lc->beta > 0 ? u->ref_logp[r] : u->logp[r];
            GrpoToken tok = grpo_token(u->logp[r], u->old_row[r], ref_lp, seqs[i].adv, lc->eps_low,
                                       lc->eps_high, lc->beta);
            double w =
                grpo_token_weight(lc->loss_type, n, total_tokens, seqs[i].len, lc->max_new_tokens);
            u->dlogp[r] = (float)(w * tok.dlogp);
            if (u->trace) record(u, seqs, i, r, T, u->logp[r], ref_lp, &tok, w, lc->beta);
            tot->loss += w * tok.loss;
            if (lc->beta > 0) tot->kl += grpo_kl(u->logp[r], ref_lp);
            tot->entropy += u->entropy[r];
            tot->clip_low += tok.clipped_low;
            tot->clip_high += tok.clipped_high;
            tot->tokens += 1;
        }
        gpt_backward_logp(policy, u->tgt, u->dlogp);
    }
    return adamw_update(opt, policy);
}
