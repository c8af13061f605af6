#include "train/sft.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rng.h"
#include "train/lm_step.h"
#include "train/train_state.h"
#include "train/xent.h"
#include "world/tokenizer.h"

/* The examples form one endless stream, epoch after epoch, each epoch in its
 * own shuffled order; batch k takes stream items k*B .. k*B+B-1, so a batch
 * may span two epochs and nothing is dropped. Each epoch's order is a pure
 * function of (seed, epoch), which makes the optimizer step the whole stream
 * position: resuming needs no RNG state. Every example starts at position 0
 * of its row, like a prompt at sampling time, and rows are padded with <pad>
 * (masked) to the longest example of the batch. */

struct Sft {
    Gpt *model;
    SftConfig cfg;
    AdamW *opt;
    long total_steps;
    int n;
    int **ids;       /* per example: prompt then completion ids */
    int *len;        /* total ids */
    int *prompt_len; /* ids of the prompt; targets before it are masked */
    int *order;      /* the permutation of order_epoch */
    long order_epoch;
    int *inputs, *targets; /* (B, ctx) */
    float *scratch;
    KdTeacher kd; /* kd.teacher NULL: plain cross-entropy */
    float *kd_scratch;
};

SftConfig sft_defaults(void) {
    SftConfig c;
    c.batch_size = 16;
    c.epochs = 2; /* the R1 paper fine-tunes the base for two epochs */
    c.steps = 0;
    c.optim = adamw_defaults();
    c.optim.lr = 3e-4f;
    c.optim.beta2 = 0.99f;
    c.optim.warmup_steps = 10;
    c.optim.total_steps = 0; /* follows the run's length */
    c.seed = 1;
    return c;
}

SftConfig sft_distill_defaults(void) {
    SftConfig c = sft_defaults();
    c.optim.min_lr_frac = 0.0f;
    return c;
}

void sft_free(Sft *s) {
    if (!s) return;
    adamw_free(s->opt);
    if (s->ids)
        for (int i = 0; i < s->n; i++) free(s->ids[i]);
    free(s->ids);
    free(s->len);
    free(s->prompt_len);
    free(s->order);
    free(s->inputs);
    free(s->targets);
    free(s->scratch);
    free(s->kd_scratch);
    free(s);
}

/* Encodes text into a fresh array; the count, or -1 with a message that
 * starts with `at`, the example's place. */
static int encode(const char *text, int **out, const char *at, const char *what, char *err,
                  size_t errlen) {
    size_t bad = 0;
    int n = tok_encode(text, NULL, 0, &bad);
    if (n < 0) {
        unsigned char c = (unsigned char)text[bad];
        if (c >= 0x20 && c < 0x7f)
            snprintf(err, errlen, "%s: %s has '%c' at byte %zu, outside the vocabulary", at, what,
                     c, bad);
        else
            snprintf(err, errlen, "%s: %s has byte 0x%02x at byte %zu, outside the vocabulary", at,
                     what, c, bad);
        return -1;
    }
    *out = malloc((size_t)(n > 0 ? n : 1) * sizeof **out);
    if (!*out) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    tok_encode(text, *out, n, NULL);
    return n;
}

/* Tokenises example i into s. 0, or -1 with a message naming the example. */
static int add_example(Sft *s, const SftExample *e, int i, char *err, size_t errlen) {
    char at[512];
    if (e->file)
        snprintf(at, sizeof at, "%s:%d", e->file, e->line);
    else
        snprintf(at, sizeof at, "example %d", i);
    if (!e->prompt || !e->completion) {
        snprintf(err, errlen, "%s: missing %s", at, e->prompt ? "completion" : "prompt");
        return -1;
    }
    int *p = NULL, *c = NULL;
    int np = encode(e->prompt, &p, at, "prompt", err, errlen);
    int nc = np < 0 ? -1 : encode(e->completion, &c, at, "completion", err, errlen);
    int rc = -1;
    const int ctx = s->model->cfg.max_seq_len;
    if (nc < 0) {
        /* message already written */
    } else if (np == 0 || nc == 0) {
        snprintf(err, errlen, "%s: empty %s", at, np == 0 ? "prompt" : "completion");
    } else if (np + nc - 1 > ctx) {
        /* The last token is only ever a target, so np + nc tokens need np + nc - 1 positions. */
        snprintf(err, errlen,
                 "%s: too long: prompt %d + completion %d tokens need %d positions, "
                 "the context is %d",
                 at, np, nc, np + nc - 1, ctx);
    } else if ((s->ids[i] = malloc((size_t)(np + nc) * sizeof(int))) == NULL) {
        snprintf(err, errlen, "out of memory");
    } else {
        memcpy(s->ids[i], p, (size_t)np * sizeof(int));
        memcpy(s->ids[i] + np, c, (size_t)nc * sizeof(int));
        s->len[i] = np + nc;
        s->prompt_len[i] = np;
        rc = 0;
    }
    free(p);
    free(c);
    return rc;
}

Sft *sft_new(Gpt *model, const SftConfig *cfg, const SftExample *examples, int n, char *err,
             size_t errlen) {
    if (model->cfg.vocab_size < TOK_VOCAB_SIZE) {
        snprintf(err, errlen, "model vocabulary %d is smaller than the tokenizer's %d",
                 model->cfg.vocab_size, TOK_VOCAB_SIZE);
        return NULL;
    }
    if (n < 1) {
        snprintf(err, errlen, "no examples");
        return NULL;
    }
    if (cfg->batch_size < 1 || (cfg->steps <= 0 && cfg->epochs < 1)) {
        snprintf(err, errlen, "batch_size (%d) and epochs (%d) or steps (%d) must be at least 1",
                 cfg->batch_size, cfg->epochs, cfg->steps);
        return NULL;
    }
    if (!(cfg->optim.lr > 0.0f)) {
        snprintf(err, errlen, "learning rate must be positive");
        return NULL;
    }
    Sft *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->model = model;
    s->cfg = *cfg;
    s->n = n;
    s->order_epoch = -1;
    s->total_steps = cfg->steps > 0
                         ? cfg->steps
                         : ((long)cfg->epochs * n + cfg->batch_size - 1) / cfg->batch_size;
    const int ctx = model->cfg.max_seq_len;
    const size_t B = (size_t)cfg->batch_size;
    s->ids = calloc((size_t)n, sizeof *s->ids);
    s->len = calloc((size_t)n, sizeof *s->len);
    s->prompt_len = calloc((size_t)n, sizeof *s->prompt_len);
    s->order = malloc((size_t)n * sizeof *s->order);
    s->inputs = malloc(B * (size_t)ctx * sizeof *s->inputs);
    s->targets = malloc(B * (size_t)ctx * sizeof *s->targets);
    s->scratch = malloc(xent_scratch_floats(ctx) * sizeof *s->scratch);
    AdamWConfig oc = cfg->optim;
    if (oc.total_steps <= 0) oc.total_steps = (int)s->total_steps;
    s->opt = adamw_new(model, &oc);
    if (!s->ids || !s->len || !s->prompt_len || !s->order || !s->inputs || !s->targets ||
        !s->scratch || !s->opt) {
        sft_free(s);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (int i = 0; i < n; i++)
        if (add_example(s, &examples[i], i, err, errlen) != 0) {
            sft_free(s);
            return NULL;
        }
    return s;
}

int sft_set_teacher(Sft *s, const KdTeacher *kd, char *err, size_t errlen) {
    const GptConfig *t = &kd->teacher->cfg, *m = &s->model->cfg;
    if (t->vocab_size != m->vocab_size) {
        snprintf(err, errlen,
                 "teacher vocabulary %d differs from the student's %d: they must share a tokenizer",
                 t->vocab_size, m->vocab_size);
        return -1;
    }
    if (t->max_seq_len < m->max_seq_len) {
        snprintf(err, errlen, "teacher context %d is shorter than the student's %d", t->max_seq_len,
                 m->max_seq_len);
        return -1;
    }
    if (!(kd->temperature > 0.0f) || !(kd->weight >= 0.0f && kd->weight <= 1.0f)) {
        snprintf(err, errlen, "kd_temperature must be positive and kd_weight in [0, 1]");
        return -1;
    }
    free(s->kd_scratch);
    s->kd_scratch = malloc(kd_scratch_floats(m->max_seq_len, m->vocab_size) * sizeof(float));
    if (!s->kd_scratch) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    s->kd = *kd;
    return 0;
}

long sft_total_steps(const Sft *s) {
    return s->total_steps;
}

/* The example at position pos of the endless shuffled stream. */
static int stream_example(Sft *s, long pos) {
    long epoch = pos / s->n;
    if (epoch != s->order_epoch) {
        Rng r;
        rng_seed(&r, s->cfg.seed ^ (0x9e3779b97f4a7c15ULL * (uint64_t)(epoch + 1)));
        for (int i = 0; i < s->n; i++) s->order[i] = i;
        for (int i = s->n - 1; i > 0; i--) {
            int j = (int)rng_below(&r, (uint32_t)i + 1);
            int t = s->order[i];
            s->order[i] = s->order[j];
            s->order[j] = t;
        }
        s->order_epoch = epoch;
    }
    return s->order[pos % s->n];
}

int sft_step(Sft *s, SftStep *out) {
    if (s->opt->step >= s->total_steps) return 1;
    const int B = s->cfg.batch_size;
    int longest = 2;
    long base = s->opt->step * (long)B;
    for (int b = 0; b < B; b++) {
        int e = stream_example(s, base + b);
        if (s->len[e] > longest) longest = s->len[e];
    }
    const int T = longest - 1;
    for (int b = 0; b < B; b++) {
        int e = stream_example(s, base + b);
        const int *row = s->ids[e];
        int *in = s->inputs + (size_t)b * T, *tg = s->targets + (size_t)b * T;
        for (int t = 0; t < T; t++) {
            in[t] = t < s->len[e] ? row[t] : TOK_PAD;
            /* target t is token t+1: learned only inside the completion */
            tg[t] = t + 1 >= s->prompt_len[e] && t + 1 < s->len[e] ? row[t + 1] : -1;
        }
    }
    KdStepResult r = {.kl = 0.0};
    if (s->kd.teacher) {
        kd_train_step(s->model, &s->kd, s->opt, s->inputs, s->targets, B, T, s->kd_scratch, &r);
    } else {
        lm_train_step(s->model, s->opt, s->inputs, s->targets, B, T, s->scratch, &r.lm);
        r.ce = r.lm.loss;
    }
    if (out) {
        out->step = s->opt->step;
        out->loss = (float)r.lm.loss;
        out->grad_norm = r.lm.grad_norm;
        out->lr = r.lm.lr;
        out->tokens_per_s = r.lm.tokens_per_s;
        out->ce = r.ce;
        out->kl = r.kl;
    }
    return 0;
}

/* The step is the stream position; the rest must match for a faithful resume
 * (the distillation settings only with a teacher, so that a plain SFT's
 * files keep their layout). */
enum {
    W_SEED,
    W_BATCH,
    W_EXAMPLES,
    W_DATA_HASH,
    W_COUNT,
    W_KD_TEMP = W_COUNT,
    W_KD_WEIGHT,
    W_KD_COUNT
};
static const char *const must_match[W_KD_COUNT] = {"seed",      "batch_size",     "example count",
                                                   "data hash", "kd_temperature", "kd_weight"};

/* FNV-1a over the tokenised examples, so a resume on different data fails. */
static uint64_t data_hash(const Sft *s) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (int i = 0; i < s->n; i++) {
        uint32_t words[2] = {(uint32_t)s->len[i], (uint32_t)s->prompt_len[i]};
        const unsigned char *bytes[2] = {(const unsigned char *)words,
                                         (const unsigned char *)s->ids[i]};
        size_t sizes[2] = {sizeof words, (size_t)s->len[i] * sizeof(int)};
        for (int k = 0; k < 2; k++)
            for (size_t j = 0; j < sizes[k]; j++) h = (h ^ bytes[k][j]) * 0x100000001b3ULL;
    }
    return h;
}

static uint64_t float_bits(float f) {
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    return b;
}

/* The words and their count, and the kind tag of the file. */
static int state_words(const Sft *s, uint64_t *w, const char **kind) {
    w[W_SEED] = s->cfg.seed;
    w[W_BATCH] = (uint64_t)s->cfg.batch_size;
    w[W_EXAMPLES] = (uint64_t)s->n;
    w[W_DATA_HASH] = data_hash(s);
    *kind = "sft";
    if (!s->kd.teacher) return W_COUNT;
    w[W_KD_TEMP] = float_bits(s->kd.temperature);
    w[W_KD_WEIGHT] = float_bits(s->kd.weight);
    *kind = "sft-kd";
    return W_KD_COUNT;
}

int sft_save_state(const Sft *s, const char *path, char *err, size_t errlen) {
    uint64_t w[W_KD_COUNT];
    const char *kind;
    int n = state_words(s, w, &kind);
    return train_state_save(path, kind, s->opt, w, n, err, errlen);
}

int sft_load_state(Sft *s, const char *path, char *err, size_t errlen) {
    uint64_t w[W_KD_COUNT];
    const char *kind;
    int n = state_words(s, w, &kind);
    return train_state_load(path, kind, s->opt, w, n, must_match, err, errlen);
}
