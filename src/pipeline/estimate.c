#include "pipeline/estimate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/checkpoint.h"
#include "pipeline/cache.h"
#include "pipeline/shared_cache.h"
#include "world/tokenizer.h"

enum { MAX_SHAPES = 16 };

/* Data rows of a CSV file: its lines but the header. */
static double csv_rows(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    long lines = 0;
    int c, last = '\n';
    while ((c = fgetc(f)) != EOF) {
        if (c == '\n') lines++;
        last = c;
    }
    if (last != '\n') lines++;
    fclose(f);
    return lines > 1 ? (double)(lines - 1) : 0;
}

static bool same_shape(const GptConfig *a, const GptConfig *b) {
    return a->max_seq_len == b->max_seq_len && a->vocab_size == b->vocab_size &&
           a->n_layer == b->n_layer && a->n_head == b->n_head && a->d_model == b->d_model;
}

typedef struct {
    GptConfig shape[MAX_SHAPES];
    EngineRates rates[MAX_SHAPES];
    int n;
} RateCache;

static int rates_for(RateCache *rc, const GptConfig *c, EngineRates *out) {
    for (int i = 0; i < rc->n; i++)
        if (same_shape(&rc->shape[i], c)) {
            *out = rc->rates[i];
            return 0;
        }
    if (engine_measure_rates(c, out)) return -1;
    if (rc->n < MAX_SHAPES) {
        rc->shape[rc->n] = *c;
        rc->rates[rc->n++] = *out;
    }
    return 0;
}

/* The shape of the model a stage trains or runs: a pretrain's own options,
 * else the input filling the kind's first role (policy, student, trunk,
 * model), a stage estimated before it or a checkpoint file. */
static bool stage_shape(const Stage *st, const StageEstimate *est, GptConfig *out) {
    if (strcmp(st->kind->name, "pretrain") == 0) {
        *out = (GptConfig){.max_seq_len = (int)stage_opt_num(st, "context"),
                           .vocab_size = TOK_VOCAB_SIZE,
                           .n_layer = (int)stage_opt_num(st, "n_layer"),
                           .n_head = (int)stage_opt_num(st, "n_head"),
                           .d_model = (int)stage_opt_num(st, "d_model")};
        return gpt_config_error(out) == NULL;
    }
    for (int i = 0; i < st->n_inputs; i++) {
        if (st->input_role[i] != 0 || st->kind->roles[0].type == INPUT_DATASET) continue;
        int j = st->input_stage[i];
        if (j >= 0) {
            *out = est[j].shape;
            return est[j].have_shape;
        }
        char why[256];
        Gpt *m = ckpt_load_kind(st->inputs[i], CKPT_POLICY | CKPT_REWARD_MODEL, why, sizeof why);
        if (!m) return false;
        *out = m->cfg;
        gpt_free(m);
        return true;
    }
    return false;
}

int pipeline_estimate(const Graph *g, const int *order, const char *dir, const char *cache,
                      unsigned long long seed, bool fresh, StageEstimate *out, char *err,
                      size_t errlen) {
    uint64_t keys[GRAPH_MAX_STAGES];
    if (cache_keys(g, order, seed, keys, err, errlen)) return -1;
    static RateCache rc; /* large; one dry run per process */
    rc.n = 0;
    for (int k = 0; k < g->n; k++) {
        const int s = order[k];
        const Stage *st = &g->stages[s];
        StageEstimate *e = &out[s];
        memset(e, 0, sizeof *e);
        e->seconds = NAN;
        e->cached = !fresh && (cache_is_done(dir, st->name, keys[s]) ||
                               (cache && shared_cache_has(cache, keys[s])));
        e->have_shape = stage_shape(st, out, &e->shape);
        StageWorkIn in = {.row_tokens = e->have_shape ? e->shape.max_seq_len / 2 : 0,
                          .context = e->have_shape ? e->shape.max_seq_len : 0};
        for (int i = 0; i < st->n_inputs; i++) {
            int r = st->input_role[i];
            if (r < 0 || st->kind->roles[r].type != INPUT_DATASET) continue;
            int j = st->input_stage[i];
            in.rows += j >= 0 ? out[j].work.rows_out : csv_rows(st->inputs[i]);
        }
        if (!st->kind->ops->work) continue;
        st->kind->ops->work(st, &in, &e->work);
        if (st->kind->makes_dataset && e->work.rows_out == 0) e->work.rows_out = in.rows;
        if (e->cached) {
            e->seconds = 0;
            continue;
        }
        if (!e->have_shape) continue;
        if (rates_for(&rc, &e->shape, &e->rates)) {
            snprintf(err, errlen, "stage '%s': cannot measure a model of its shape", st->name);
            return -1;
        }
        const EngineRates *r = &e->rates;
        e->seconds = e->work.train / r->train_tok_s + e->work.forward / r->forward_tok_s +
                     e->work.decode / r->decode_tok_s;
    }
    return 0;
}
