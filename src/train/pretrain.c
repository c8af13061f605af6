#include "train/pretrain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/lm_step.h"
#include "train/train_state.h"
#include "train/xent.h"
#include "world/rng.h"
#include "world/tokenizer.h"

/* Batches hold one document per row, starting at position 0 and padded with
 * <pad> (masked) to the longest document of the batch. Concatenating documents
 * into full rows would waste no compute, but it would start most documents at
 * arbitrary positions, and with learned absolute positions a tiny model learns
 * the scratchpad only when every digit sits at the position it will have in the
 * template at eval and RL time (docs/design.md, "Fixed-width problems are
 * decisive"). To keep padding cheap, rows are sized to the batch's longest
 * document, and the documents of length_buckets consecutive steps (a group)
 * are drawn together and dealt out by length, so that a batch of direct
 * answers does not pay for a checked pad's length; the group's batches run in
 * a shuffled order. A document longer than seq_len + 1 tokens is cut (its
 * first seq_len + 1 tokens are kept).
 *
 * Each group's documents come from a corpus stream seeded by (seed, group), so
 * the optimizer step alone says where the run is: resuming needs no stream
 * state, and the state file only guards the settings. */

struct Pretrainer {
    Gpt *model;
    PretrainConfig cfg;
    CorpusConfig corpus;
    AdamW *opt;
    int group_steps; /* K */
    long group;      /* the group held in docs, -1 before the first */
    int *docs;       /* (K*B, seq_len + 1) token ids of the group's documents */
    int *lens;       /* (K*B) */
    int *by_len;     /* (K*B) document indices, shortest first */
    int *batch_of;   /* (K) which length slice each step of the group takes */
    int *inputs;     /* (B, T) */
    int *targets;
    float *scratch;
    char text[CORPUS_DOC_MAX];
};

/* Measured with corpus preset "ready" on add3 at d128 L4 H4, ctx 128 (see
 * corpus.c): 3200 steps of 16 documents take ~7 min on two cores of an AMD
 * EPYC and give a base that thinks 26-37 % of the time, right 30-50 % of the
 * time when it thinks and 0 % when it does not (seeds 1 and 2). Batches of 16
 * learn the pad faster per token than 32; lr 4e-3 (or, on add2, more steps)
 * also teaches direct answers (forced direct 32 %), which leaves RL less to
 * find in thinking. */
PretrainConfig pretrain_defaults(void) {
    PretrainConfig c;
    c.batch_size = 16;
    c.seq_len = 128;
    c.steps = 3200;
    c.optim = adamw_defaults();
    c.optim.lr = 3e-3f;
    c.optim.beta2 = 0.99f;
    c.optim.weight_decay = 0.0f;
    c.optim.warmup_steps = 30;
    c.optim.total_steps = 0; /* follows steps */
    c.seed = 1;
    c.length_buckets = 8;
    return c;
}

void pretrainer_free(Pretrainer *p) {
    if (!p) return;
    adamw_free(p->opt);
    free(p->docs);
    free(p->lens);
    free(p->by_len);
    free(p->batch_of);
    free(p->inputs);
    free(p->targets);
    free(p->scratch);
    free(p);
}

Pretrainer *pretrainer_new(Gpt *model, const PretrainConfig *cfg, const CorpusConfig *corpus,
                           char *err, size_t errlen) {
    const int ctx = model->cfg.max_seq_len;
    if (model->cfg.vocab_size < TOK_VOCAB_SIZE) {
        snprintf(err, errlen, "model vocabulary %d is smaller than the tokenizer's %d",
                 model->cfg.vocab_size, TOK_VOCAB_SIZE);
        return NULL;
    }
    if (cfg->batch_size < 1 || cfg->steps < 1) {
        snprintf(err, errlen, "batch_size (%d) and steps (%d) must be at least 1", cfg->batch_size,
                 cfg->steps);
        return NULL;
    }
    if (cfg->seq_len < 1 || cfg->seq_len > ctx) {
        snprintf(err, errlen, "seq_len %d must be in 1..%d (the model's context)", cfg->seq_len,
                 ctx);
        return NULL;
    }
    if (!(cfg->optim.lr > 0.0f)) {
        snprintf(err, errlen, "learning rate must be positive");
        return NULL;
    }
    Pretrainer *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    p->model = model;
    p->cfg = *cfg;
    p->corpus = *corpus;
    p->group = -1;
    p->group_steps = cfg->length_buckets > 1 ? cfg->length_buckets : 1;
    Corpus probe;
    if (corpus_init(&probe, corpus, cfg->seed) != 0) {
        snprintf(err, errlen,
                 "unusable corpus configuration (no valid task, or a bad weight or "
                 "probability)");
        free(p);
        return NULL;
    }
    AdamWConfig oc = cfg->optim;
    if (oc.total_steps <= 0) oc.total_steps = cfg->steps;
    const size_t B = (size_t)cfg->batch_size, S = (size_t)cfg->seq_len;
    p->opt = adamw_new(model, &oc);
    const size_t KB = (size_t)p->group_steps * B;
    p->docs = malloc(KB * (S + 1) * sizeof *p->docs);
    p->lens = malloc(KB * sizeof *p->lens);
    p->by_len = malloc(KB * sizeof *p->by_len);
    p->batch_of = malloc((size_t)p->group_steps * sizeof *p->batch_of);
    p->inputs = malloc(B * S * sizeof *p->inputs);
    p->targets = malloc(B * S * sizeof *p->targets);
    p->scratch = malloc(xent_scratch_floats(cfg->seq_len) * sizeof *p->scratch);
    if (!p->opt || !p->docs || !p->lens || !p->by_len || !p->batch_of || !p->inputs ||
        !p->targets || !p->scratch) {
        pretrainer_free(p);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    return p;
}

/* Draws the documents of group g, orders them by length (ties by draw order)
 * and shuffles which length slice each step of the group gets. */
static void load_group(Pretrainer *p, long g) {
    const int S = p->cfg.seq_len, KB = p->group_steps * p->cfg.batch_size;
    uint64_t gseed = world_rng_mix(p->cfg.seed ^ world_rng_mix(0x70726574ULL + (uint64_t)g));
    Corpus c;
    corpus_init(&c, &p->corpus, gseed);
    for (int d = 0; d < KB; d++) {
        int *row = p->docs + (size_t)d * (S + 1);
        int n = -1;
        /* Every corpus document encodes (corpus.h); the loop only guards
         * against a config whose documents overflow the text buffer. */
        for (int tries = 0; n < 2 && tries < 100; tries++)
            if (corpus_next(&c, p->text, sizeof p->text, NULL) >= 0)
                n = tok_encode(p->text, row, S + 1, NULL);
        p->lens[d] = n < 2 ? 0 : n > S + 1 ? S + 1 : n;
    }
    /* insertion sort: stable, and groups are a few hundred documents */
    for (int d = 0; d < KB; d++) {
        int j = d;
        while (j > 0 && p->lens[p->by_len[j - 1]] > p->lens[d]) {
            p->by_len[j] = p->by_len[j - 1];
            j--;
        }
        p->by_len[j] = d;
    }
    WorldRng r;
    world_rng_seed(&r, gseed);
    for (int k = 0; k < p->group_steps; k++) p->batch_of[k] = k;
    for (int k = p->group_steps - 1; k > 0; k--) {
        int j = (int)world_rng_below(&r, (uint64_t)k + 1), t = p->batch_of[k];
        p->batch_of[k] = p->batch_of[j];
        p->batch_of[j] = t;
    }
    p->group = g;
}

/* Fills inputs and targets for the current step; returns T, the row length. */
static int next_batch(Pretrainer *p) {
    const int B = p->cfg.batch_size, S = p->cfg.seq_len, K = p->group_steps;
    long g = p->opt->step / K;
    if (g != p->group) load_group(p, g);
    const int *slice = p->by_len + (size_t)p->batch_of[p->opt->step % K] * B;
    int longest = 2;
    for (int b = 0; b < B; b++)
        if (p->lens[slice[b]] > longest) longest = p->lens[slice[b]];
    const int T = longest - 1;
    for (int b = 0; b < B; b++) {
        const int *row = p->docs + (size_t)slice[b] * (S + 1);
        const int len = p->lens[slice[b]];
        int *in = p->inputs + (size_t)b * T, *tg = p->targets + (size_t)b * T;
        for (int t = 0; t < T; t++) {
            in[t] = t < len ? row[t] : TOK_PAD;
            tg[t] = t + 1 < len ? row[t + 1] : -1;
        }
    }
    return T;
}

int pretrainer_step(Pretrainer *p, PretrainStep *out) {
    if (p->opt->step >= p->cfg.steps) return 1;
    int T = next_batch(p);
    LmStepResult r;
    lm_train_step(p->model, p->opt, p->inputs, p->targets, p->cfg.batch_size, T, p->scratch, &r);
    if (out) {
        out->step = p->opt->step;
        out->loss = (float)r.loss;
        out->grad_norm = r.grad_norm;
        out->lr = r.lr;
        out->tokens_per_s = r.tokens_per_s;
    }
    return 0;
}

/* Settings a resumed run must share with the run that saved; the stream
 * position is the optimizer's step. */
enum { W_SEED, W_BATCH, W_SEQ_LEN, W_BUCKETS, W_COUNT };
static const char *const must_match[W_COUNT] = {"seed", "batch_size", "seq_len", "length_buckets"};

static void state_words(const Pretrainer *p, uint64_t *w) {
    w[W_SEED] = p->cfg.seed;
    w[W_BATCH] = (uint64_t)p->cfg.batch_size;
    w[W_SEQ_LEN] = (uint64_t)p->cfg.seq_len;
    w[W_BUCKETS] = (uint64_t)p->group_steps;
}

int pretrainer_save_state(const Pretrainer *p, const char *path, char *err, size_t errlen) {
    uint64_t w[W_COUNT];
    state_words(p, w);
    return train_state_save(path, "pretrain", p->opt, w, W_COUNT, err, errlen);
}

int pretrainer_load_state(Pretrainer *p, const char *path, char *err, size_t errlen) {
    uint64_t w[W_COUNT];
    state_words(p, w);
    return train_state_load(path, "pretrain", p->opt, w, W_COUNT, must_match, err, errlen);
}
