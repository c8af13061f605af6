#include "train/reward_model.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/reward_head.h"
#include "engine/rng.h"
#include "train/bt_loss.h"
#include "train/train_state.h"
#include "world/completion.h"
#include "world/tokenizer.h"

enum { TEXT_MAX = 512, CHUNK_ROWS = 64 };

RmConfig rm_defaults(void) {
    RmConfig c = {0};
    c.batch_size = 16;
    c.epochs = 1;
    c.steps = 0;
    c.answer_only = 1;
    c.optim = adamw_defaults();
    c.optim.lr = 1e-4f;
    c.optim.beta2 = 0.99f;
    c.optim.weight_decay = 0.0f;
    c.optim.warmup_steps = 10;
    c.seed = 1;
    return c;
}

/* What the head reads: the prompt, then the completion or its answer block. */
static int rm_text(const char *prompt, const char *completion, int answer_only, char *out,
                   size_t cap) {
    if (!answer_only) return snprintf(out, cap, "%s%s", prompt, completion) < (int)cap ? 0 : -1;
    CompletionParts p;
    completion_parse(completion, &p);
    int n = snprintf(out, cap, "%s<answer>%.*s</answer>", prompt, p.answer ? (int)p.answer_len : 0,
                     p.answer ? p.answer : "");
    return n < (int)cap ? 0 : -1;
}

/* Tokens of one scored text, cut from the front to the context. */
static int encode_row(const char *text, int *row, int ctx) {
    int n = tok_encode(text, NULL, 0, NULL);
    if (n < 1) return -1;
    int *all = malloc(sizeof *all * (size_t)n);
    if (!all) return -1;
    tok_encode(text, all, n, NULL);
    int keep = n < ctx ? n : ctx;
    memcpy(row, all + (n - keep), sizeof *row * (size_t)keep);
    free(all);
    return keep;
}

int rm_score(Gpt *model, const char *const *prompts, const char *const *completions, int n,
             int answer_only, float *scores, char *err, size_t errlen) {
    const int ctx = model->cfg.max_seq_len;
    int *tok = malloc(sizeof *tok * (size_t)CHUNK_ROWS * ctx);
    int *len = malloc(sizeof *len * CHUNK_ROWS), *pos = malloc(sizeof *pos * CHUNK_ROWS);
    int rc = -1;
    if (!tok || !len || !pos) {
        snprintf(err, errlen, "reward model: out of memory");
        goto done;
    }
    for (int from = 0; from < n; from += CHUNK_ROWS) {
        int m = n - from < CHUNK_ROWS ? n - from : CHUNK_ROWS, T = 1;
        for (int r = 0; r < m; r++) {
            char text[TEXT_MAX];
            int *row = tok + (size_t)r * ctx;
            if (rm_text(prompts[from + r], completions[from + r], answer_only, text, sizeof text) ||
                (len[r] = encode_row(text, row, ctx)) < 1) {
                snprintf(err, errlen, "reward model: completion %d does not encode", from + r);
                goto done;
            }
            if (len[r] > T) T = len[r];
        }
        /* rows packed at width T, padded after their last token (never read:
         * the causal trunk scores each row at its own last position) */
        for (int r = 0; r < m; r++) {
            memmove(tok + (size_t)r * T, tok + (size_t)r * ctx, sizeof *tok * (size_t)len[r]);
            for (int t = len[r]; t < T; t++) tok[(size_t)r * T + t] = TOK_PAD;
            pos[r] = len[r] - 1;
        }
        reward_head_score(model, tok, m, T, pos, scores + from);
    }
    rc = 0;
done:
    free(tok);
    free(len);
    free(pos);
    return rc;
}

/* Pairs form an endless stream of shuffled epochs, as in SFT: batch k takes
 * items k*B .. k*B+B-1 and each epoch's order depends on (seed, epoch) only,
 * so the optimizer step is the whole resume position. */
struct RmTrainer {
    Gpt *model;
    RmConfig cfg;
    AdamW *opt;
    long total_steps;
    int n;
    int **ids; /* per pair: chosen row, then rejected row */
    int *len;  /* (2n) */
    int *order;
    long order_epoch;
    int *tok, *pos;
    float *score, *dscore;
};

void rm_free(RmTrainer *t) {
    if (!t) return;
    for (int i = 0; t->ids && i < 2 * t->n; i++) free(t->ids[i]);
    free(t->ids);
    free(t->len);
    free(t->order);
    free(t->tok);
    free(t->pos);
    free(t->score);
    free(t->dscore);
    adamw_free(t->opt);
    free(t);
}

RmTrainer *rm_new(Gpt *model, const RmConfig *cfg, const RmPair *pairs, int n, char *err,
                  size_t errlen) {
    if (!model->cfg.has_head || n < 1 || cfg->batch_size < 1) {
        snprintf(err, errlen, "reward model: %s",
                 !model->cfg.has_head ? "the model has no scalar head" : "no pairs to train on");
        return NULL;
    }
    RmTrainer *t = calloc(1, sizeof *t);
    const int ctx = model->cfg.max_seq_len, B = cfg->batch_size;
    if (!t) goto oom;
    t->model = model;
    t->cfg = *cfg;
    t->n = n;
    t->ids = calloc((size_t)2 * n, sizeof *t->ids);
    t->len = calloc((size_t)2 * n, sizeof *t->len);
    t->order = calloc((size_t)n, sizeof *t->order);
    t->tok = calloc((size_t)2 * B * ctx, sizeof *t->tok);
    t->pos = calloc((size_t)2 * B, sizeof *t->pos);
    t->score = calloc((size_t)2 * B, sizeof *t->score);
    t->dscore = calloc((size_t)2 * B, sizeof *t->dscore);
    if (!t->ids || !t->len || !t->order || !t->tok || !t->pos || !t->score || !t->dscore) goto oom;
    for (int i = 0; i < 2 * n; i++) {
        const RmPair *p = &pairs[i / 2];
        char text[TEXT_MAX];
        int row[4096];
        if (ctx > 4096 || rm_text(p->prompt, i % 2 ? p->rejected : p->chosen, cfg->answer_only,
                                  text, sizeof text)) {
            snprintf(err, errlen, "reward model: pair %d is too long", i / 2);
            rm_free(t);
            return NULL;
        }
        int full = tok_encode(text, NULL, 0, NULL);
        if (full < 1 || full > ctx) {
            snprintf(err, errlen, "reward model: pair %d %s", i / 2,
                     full < 1 ? "has text outside the vocabulary" : "does not fit the context");
            rm_free(t);
            return NULL;
        }
        t->len[i] = encode_row(text, row, ctx);
        t->ids[i] = malloc(sizeof(int) * (size_t)t->len[i]);
        if (!t->ids[i]) goto oom;
        memcpy(t->ids[i], row, sizeof(int) * (size_t)t->len[i]);
    }
    t->total_steps = cfg->steps > 0 ? cfg->steps : ((long)cfg->epochs * n + B - 1) / B;
    AdamWConfig oc = cfg->optim;
    if (oc.total_steps <= 0) oc.total_steps = (int)t->total_steps;
    t->opt = adamw_new(model, &oc);
    if (!t->opt) goto oom;
    t->order_epoch = -1;
    return t;
oom:
    rm_free(t);
    snprintf(err, errlen, "reward model: out of memory");
    return NULL;
}

long rm_total_steps(const RmTrainer *t) {
    return t->total_steps;
}

static int stream_pair(RmTrainer *t, long pos) {
    long epoch = pos / t->n;
    if (epoch != t->order_epoch) {
        Rng r;
        rng_seed(&r, t->cfg.seed * 1000003ULL + (unsigned long long)epoch);
        for (int i = 0; i < t->n; i++) t->order[i] = i;
        for (int i = t->n - 1; i > 0; i--) {
            int j = (int)rng_below(&r, (uint32_t)(i + 1));
            int x = t->order[i];
            t->order[i] = t->order[j];
            t->order[j] = x;
        }
        t->order_epoch = epoch;
    }
    return t->order[pos % t->n];
}

int rm_step(RmTrainer *t, RmStep *out) {
    if (t->opt->step >= t->total_steps) return 1;
    const int B = t->cfg.batch_size;
    long base = t->opt->step * (long)B;
    int T = 1;
    for (int b = 0; b < B; b++) {
        int p = stream_pair(t, base + b);
        for (int side = 0; side < 2; side++)
            if (t->len[2 * p + side] > T) T = t->len[2 * p + side];
    }
    /* rows 0..B-1 chosen, B..2B-1 rejected */
    for (int b = 0; b < B; b++) {
        int p = stream_pair(t, base + b);
        for (int side = 0; side < 2; side++) {
            int r = side * B + b, L = t->len[2 * p + side];
            int *row = t->tok + (size_t)r * T;
            memcpy(row, t->ids[2 * p + side], sizeof(int) * (size_t)L);
            for (int x = L; x < T; x++) row[x] = TOK_PAD;
            t->pos[r] = L - 1;
        }
    }
    gpt_zero_grad(t->model);
    reward_head_forward(t->model, t->tok, 2 * B, T, t->pos, t->score);
    BtStats st = bt_loss(t->score, t->score + B, B, t->dscore, t->dscore + B);
    reward_head_backward(t->model, t->pos, t->dscore);
    float lr = adamw_lr_at(&t->opt->cfg, t->opt->step);
    float norm = adamw_update(t->opt, t->model);
    if (out) {
        out->loss = st.loss;
        out->accuracy = st.accuracy;
        out->margin = st.margin;
        out->grad_norm = norm;
        out->lr = lr;
    }
    return 0;
}

enum { W_SEED, W_BATCH, W_PAIRS, W_ANSWER_ONLY, W_COUNT };
static const char *const must_match[W_COUNT] = {"seed", "batch_size", "pair count", "answer_only"};

static void state_words(const RmTrainer *t, uint64_t *w) {
    w[W_SEED] = t->cfg.seed;
    w[W_BATCH] = (uint64_t)t->cfg.batch_size;
    w[W_PAIRS] = (uint64_t)t->n;
    w[W_ANSWER_ONLY] = (uint64_t)t->cfg.answer_only;
}

int rm_save_state(const RmTrainer *t, const char *path, char *err, size_t errlen) {
    uint64_t w[W_COUNT];
    state_words(t, w);
    return train_state_save(path, "reward_model", t->opt, w, W_COUNT, err, errlen);
}

int rm_load_state(RmTrainer *t, const char *path, char *err, size_t errlen) {
    uint64_t w[W_COUNT];
    state_words(t, w);
    return train_state_load(path, "reward_model", t->opt, w, W_COUNT, must_match, err, errlen);
}
