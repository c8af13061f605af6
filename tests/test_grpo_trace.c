/* The trace of a GRPO step holds the numbers the update used: for a tiny
 * model, every recorded token's ratio, clip flag, KL, weight and objective
 * term are recomputed here from its recorded log-probs and the batch's
 * advantages, and the objective terms, summed, give the loss the trainer
 * reported, for every loss type. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "engine/gpt.h"
#include "train/grpo.h"
#include "world/tokenizer.h"

static const GptConfig cfg = {
    .max_seq_len = 40, .vocab_size = TOK_VOCAB_SIZE, .n_layer = 1, .n_head = 2, .d_model = 32};

static double ones_share(void *ctx, const RewardSample *s) {
    (void)ctx;
    size_t n = strlen(s->completion), ones = 0;
    for (size_t i = 0; i < n; i++) ones += s->completion[i] == '1';
    return n ? (double)ones / n : 0.0;
}

static GrpoConfig config(GrpoLossType lt) {
    GrpoConfig c = grpo_defaults();
    c.prompts_per_step = 3;
    c.group_size = 4;
    c.max_new_tokens = 8;
    c.steps = 10;
    c.mu = 2;
    c.minibatches = 2;
    c.beta = 0.3f;                  /* large enough that the KL term shows in the sums */
    c.eps_low = c.eps_high = 0.02f; /* narrow, so that some tokens clip */
    c.optim.lr = 3e-2f;
    c.loss_type = lt;
    c.mask_truncated = 1;
    task_spec_parse("add2", &c.tasks[0]);
    return c;
}

static double close_to(double a, double b) {
    return fabs(a - b) <= 1e-5 + 1e-4 * fabs(b);
}

/* Checks one step's trace against the formulas; returns the clipped count. */
static int check_trace(const GrpoTrace *t, const GrpoConfig *c, const GrpoStep *st) {
    assert_int_equal(t->n, c->prompts_per_step * c->group_size);
    assert_int_equal(t->step, st->step);
    const int updates = c->mu * c->minibatches;
    double mb_sum[16] = {0};
    int mb_seqs[16] = {0}, mb_tokens[16] = {0}, clipped = 0;
    char seen[16][64] = {{0}};
    for (size_t k = 0; k < t->n_tok; k++) {
        const GrpoTraceToken *x = &t->tok[k];
        if (x->minibatch < 0) continue;
        assert_true(x->minibatch < updates);
        mb_tokens[x->minibatch]++;
        if (!seen[x->minibatch][x->seq]) mb_seqs[x->minibatch]++;
        seen[x->minibatch][x->seq] = 1;
    }
    for (size_t k = 0; k < t->n_tok; k++) {
        const GrpoTraceToken *x = &t->tok[k];
        const GrpoTraceSeq *s = &t->seq[x->seq];
        if (x->minibatch < 0) { /* masked: in the trace, not in the loss */
            assert_true(s->masked);
            assert_true(x->weight == 0 && x->objective == 0 && x->push == 0);
            continue;
        }
        assert_false(s->masked);
        double rho = exp((double)x->logp - x->logp_old);
        assert_true(close_to(x->ratio, rho));
        double A = s->advantage;
        double lo = 1 - c->eps_low, hi = 1 + c->eps_high;
        double crho = rho < lo ? lo : rho > hi ? hi : rho;
        int clip = crho * A < rho * A ? (A < 0 ? -1 : 1) : 0;
        /* a ratio at the clip's edge may round either way in float */
        if (fabs(rho - lo) > 1e-5 && fabs(rho - hi) > 1e-5) assert_int_equal(x->clip, clip);
        clipped += x->clip != 0;
        double d = (double)x->logp_ref - x->logp, kl = exp(d) - d - 1;
        assert_true(close_to(x->kl, kl));
        /* the minibatch's sequences, masked ones included (they add 0) */
        int mb = x->minibatch % c->minibatches;
        int n = t->n * (mb + 1) / c->minibatches - t->n * mb / c->minibatches;
        assert_true(mb_seqs[x->minibatch] <= n);
        double w = c->loss_type == GRPO_LOSS_GRPO   ? 1.0 / (n * (double)s->length)
                   : c->loss_type == GRPO_LOSS_DAPO ? 1.0 / mb_tokens[x->minibatch]
                                                    : 1.0 / (n * (double)c->max_new_tokens);
        assert_true(close_to(x->weight, w));
        double surrogate = rho * A < crho * A ? rho * A : crho * A;
        assert_true(close_to(x->objective, w * (surrogate - c->beta * kl)));
        /* the push: the surrogate's slope where unclipped, and the KL's pull */
        double push = w * ((x->clip ? 0 : rho * A) - c->beta * (1 - exp(d)));
        assert_true(close_to(x->push, push));
        mb_sum[x->minibatch] += x->objective;
    }
    /* every completion token is there once per pass */
    for (int i = 0; i < t->n; i++) {
        const GrpoTraceSeq *s = &t->seq[i];
        assert_int_equal(s->n_tok, s->masked ? s->length : s->length * c->mu);
        for (int j = 0; j < s->n_tok; j++) assert_int_equal(t->tok[s->tok0 + j].seq, i);
    }
    double loss = 0;
    for (int m = 0; m < updates; m++) loss -= mb_sum[m];
    assert_true(close_to(loss / updates, st->loss));
    assert_true(close_to(t->loss, st->loss));
    return clipped;
}

static void run(GrpoLossType lt) {
    GrpoConfig c = config(lt);
    Gpt *m = gpt_new(&cfg);
    gpt_init_random(m, 7);
    RewardTerm r[] = {{.name = "ones", .fn = ones_share, .weight = 1.0},
                      {.name = "format", .fn = reward_format, .weight = 0.5, .from_step = 3}};
    char err[256];
    Grpo *g = grpo_new(m, &c, r, 2, err, sizeof err);
    if (!g) fail_msg("%s", err);
    assert_int_equal(grpo_trace(g)->n_tok, 0);
    int clipped = 0, masked = 0;
    for (int s = 0; s < 6; s++) {
        GrpoStep st;
        if (grpo_step(g, &st, err, sizeof err)) fail_msg("%s", err);
        const GrpoTrace *t = grpo_trace(g);
        clipped += check_trace(t, &c, &st);
        for (int i = 0; i < t->n; i++) masked += t->seq[i].masked;
        /* a reward that starts at step 3 weighs nothing in the totals before */
        assert_true(t->reward_weight[1] == (s + 1 >= 3 ? 0.5f : 0.0f));
        assert_int_equal(grpo_trace_zero_variance_groups(t),
                         (int)lround(st.zero_variance_groups * c.prompts_per_step));
        if (s == 0) {
            /* the first update starts at the sampling policy and the reference */
            for (size_t k = 0; k < t->n_tok; k++)
                if (t->tok[k].minibatch == 0) {
                    assert_true(fabs(t->tok[k].logp - t->tok[k].logp_old) < 1e-3);
                    assert_true(t->tok[k].logp == t->tok[k].logp_ref);
                }
        }
    }
    assert_true(clipped > 0); /* the clip's branch was checked, not only the plain one */
    assert_true(masked > 0);  /* and masked completions */
    GrpoTrace copy = {0};
    assert_int_equal(grpo_trace_copy(&copy, grpo_trace(g)), 0);
    assert_int_equal(copy.n_tok, grpo_trace(g)->n_tok);
    assert_memory_equal(copy.tok, grpo_trace(g)->tok, copy.n_tok * sizeof *copy.tok);
    assert_string_equal(copy.prompt[2], grpo_trace(g)->prompt[2]);
    grpo_trace_free(&copy);
    grpo_free(g);
    gpt_free(m);
}

static void grpo_loss_trace(void **state) {
    (void)state;
    run(GRPO_LOSS_GRPO);
}
static void dapo_loss_trace(void **state) {
    (void)state;
    run(GRPO_LOSS_DAPO);
}
static void dr_grpo_loss_trace(void **state) {
    (void)state;
    run(GRPO_LOSS_DR_GRPO);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(grpo_loss_trace),
        cmocka_unit_test(dapo_loss_trace),
        cmocka_unit_test(dr_grpo_loss_trace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
