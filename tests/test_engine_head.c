/* The reward model's scalar head: finite differences of every tensor through
 * it, which position it reads, its checkpoints and their refusals, and a toy
 * preference it must learn with AdamW and the Bradley-Terry loss. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/adamw.h"
#include "engine/checkpoint.h"
#include "engine/crc32.h"
#include "engine/gpt.h"
#include "engine/reward_head.h"
#include "engine/rng.h"
#include "engine_fixtures.h"
#include "train/bt_loss.h"

enum { B = 3, T = 5 };
static const GptConfig cfg = {
    .max_seq_len = 6, .vocab_size = 11, .n_layer = 2, .n_head = 2, .d_model = 8, .has_head = 1};
static const char *const tensor_names[GPT_NUM_TENSORS] = {
    "wte",  "wpe", "ln1w", "ln1b",    "qkvw",    "qkvb", "attprojw", "attprojb", "ln2w",
    "ln2b", "fcw", "fcb",  "fcprojw", "fcprojb", "lnfw", "lnfb",     "headw",    "headb"};

typedef struct {
    int tokens[B * T];
    int pos[B];
    float coef[B]; /* L = sum coef_b * score_b */
} Problem;

static void make_problem(Problem *p) {
    fixture_tokens(p->tokens, B * T, cfg.vocab_size, 7);
    /* one row reads the last position, the others earlier ones, so that rows
     * after a chosen position get no gradient and the check covers both */
    p->pos[0] = T - 1;
    p->pos[1] = 1;
    p->pos[2] = 3;
    p->coef[0] = 0.7f;
    p->coef[1] = -1.3f;
    p->coef[2] = 0.4f;
}

static double loss_of(Gpt *m, const Problem *p) {
    float s[B];
    reward_head_forward(m, p->tokens, B, T, p->pos, s);
    double l = 0;
    for (int b = 0; b < B; b++) l += (double)p->coef[b] * s[b];
    return l;
}

/* Central differences; the tolerances are test_engine_grad's, for the same
 * model scale and step. */
static void head_gradients_match_finite_differences(void **state) {
    Problem p;
    make_problem(&p);
    Gpt *m = fixture_tiny_model(&cfg, 21, 0.3f);
    gpt_zero_grad(m);
    loss_of(m, &p);
    reward_head_backward(m, p.pos, p.coef);
    float *grad = malloc(m->num_params * sizeof(float));
    memcpy(grad, m->grads, m->num_params * sizeof(float));
    const float h = 1e-2f;
    size_t off = 0;
    for (int t = 0; t < GPT_NUM_TENSORS; t++) {
        double max_g = 0;
        assert_true(m->tensor_size[t] > 0);
        for (size_t i = 0; i < m->tensor_size[t]; i++) {
            float *w = &m->params[off + i];
            float saved = *w;
            *w = saved + h;
            double lp = loss_of(m, &p);
            *w = saved - h;
            double lm = loss_of(m, &p);
            *w = saved;
            double num = (lp - lm) / (2.0 * h), ana = grad[off + i];
            if (fabs(num - ana) > 1e-3 + 3e-2 * fabs(ana))
                fail_msg("tensor %s[%zu]: analytic %.6g, numeric %.6g", tensor_names[t], i, ana,
                         num);
            if (fabs(ana) > max_g) max_g = fabs(ana);
        }
        if (max_g < 1e-3) fail_msg("tensor %s got no gradient", tensor_names[t]);
        off += m->tensor_size[t];
    }
    /* the bias's gradient is the sum of the weights, exactly */
    assert_float_equal(m->g.headb[0], 0.7f - 1.3f + 0.4f, 1e-6f);
    free(grad);
    gpt_free(m);
}

static void score_reads_only_tokens_up_to_its_position(void **state) {
    Problem p;
    make_problem(&p);
    Gpt *m = fixture_tiny_model(&cfg, 22, 0.3f);
    float s0[B], s1[B];
    reward_head_forward(m, p.tokens, B, T, p.pos, s0);
    /* row 1 reads position 1: a later token cannot reach it (causal) */
    p.tokens[1 * T + 3] = (p.tokens[1 * T + 3] + 1) % cfg.vocab_size;
    reward_head_forward(m, p.tokens, B, T, p.pos, s1);
    assert_float_equal(s1[1], s0[1], 1e-6f);
    /* ... and the rows are independent */
    assert_float_equal(s1[0], s0[0], 1e-6f);
    assert_float_equal(s1[2], s0[2], 1e-6f);
    /* the token at the position itself, and one before it, do reach it */
    p.tokens[1 * T + 1] = (p.tokens[1 * T + 1] + 1) % cfg.vocab_size;
    reward_head_forward(m, p.tokens, B, T, p.pos, s1);
    assert_true(fabsf(s1[1] - s0[1]) > 1e-3f);
    make_problem(&p);
    p.tokens[1 * T + 0] = (p.tokens[1 * T + 0] + 1) % cfg.vocab_size;
    reward_head_forward(m, p.tokens, B, T, p.pos, s1);
    assert_true(fabsf(s1[1] - s0[1]) > 1e-3f);
    gpt_free(m);
}

static void score_is_the_head_applied_to_the_final_hidden_state(void **state) {
    Problem p;
    make_problem(&p);
    Gpt *m = fixture_tiny_model(&cfg, 23, 0.3f);
    float s[B];
    reward_head_forward(m, p.tokens, B, T, p.pos, s);
    gpt_forward(m, p.tokens, B, T);
    for (int b = 0; b < B; b++) {
        const float *h = m->a.lnf + ((size_t)b * T + p.pos[b]) * cfg.d_model;
        double want = m->w.headb[0];
        for (int i = 0; i < cfg.d_model; i++) want += (double)h[i] * m->w.headw[i];
        assert_float_equal(s[b], want, 1e-5f);
    }
    gpt_free(m);
}

static GptConfig policy_cfg(void) {
    GptConfig c = cfg;
    c.has_head = 0;
    return c;
}

static void attach_copies_the_trunk_and_starts_a_fresh_head(void **state) {
    GptConfig pc = policy_cfg();
    Gpt *pol = gpt_new(&pc);
    gpt_init_random(pol, 5);
    Gpt *rm = reward_head_attach(pol, 0.0f, 1);
    assert_non_null(rm);
    assert_int_equal(rm->cfg.has_head, 1);
    assert_int_equal(rm->num_params, pol->num_params + cfg.d_model + 1);
    assert_int_equal(rm->num_params, gpt_num_params(&cfg));
    assert_memory_equal(rm->params, pol->params, pol->num_params * sizeof(float));
    Problem p;
    make_problem(&p);
    float s[B];
    reward_head_forward(rm, p.tokens, B, T, p.pos, s);
    for (int b = 0; b < B; b++) assert_float_equal(s[b], 0.0f, 0.0f);
    /* a head model is not a policy to attach to; a random head is random */
    assert_null(reward_head_attach(rm, 0.02f, 1));
    Gpt *rm2 = reward_head_attach(pol, 0.02f, 1);
    double sq = 0;
    for (int i = 0; i < cfg.d_model; i++) sq += (double)rm2->w.headw[i] * rm2->w.headw[i];
    assert_true(sq > 0 && sq < 0.01);
    assert_null(pol->w.headw);
    gpt_free(rm2);
    gpt_free(rm);
    gpt_free(pol);
}

static char dir[64];

static int make_dir(void **state) {
    strcpy(dir, "/tmp/r1sim-head-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

static void checkpoint_round_trip_keeps_the_head(void **state) {
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/rm.bin", dir);
    Gpt *m = gpt_new(&cfg);
    gpt_init_random(m, 31);
    m->w.headb[0] = 0.25f;
    assert_int_equal(ckpt_save(m, path, err, sizeof err), 0);
    Gpt *back = ckpt_load_kind(path, CKPT_REWARD_MODEL, err, sizeof err);
    if (!back) fail_msg("%s", err);
    assert_memory_equal(&back->cfg, &m->cfg, sizeof cfg);
    assert_int_equal(back->num_params, m->num_params);
    assert_memory_equal(back->params, m->params, m->num_params * sizeof(float));
    assert_float_equal(back->w.headb[0], 0.25f, 0.0f);
    gpt_free(back);
    /* a caller that takes either kind gets this one */
    back = ckpt_load_kind(path, CKPT_POLICY | CKPT_REWARD_MODEL, err, sizeof err);
    assert_non_null(back);
    assert_int_equal(back->cfg.has_head, 1);
    gpt_free(back);
    gpt_free(m);
}

static void expect_message(const char *err, const char *want) {
    if (strcmp(err, want) != 0) fail_msg("message '%s', expected '%s'", err, want);
}

static void wrong_kind_is_refused_in_one_line_naming_the_file(void **state) {
    char rm_path[128], pol_path[128], err[256], want[384];
    snprintf(rm_path, sizeof rm_path, "%s/reward.bin", dir);
    snprintf(pol_path, sizeof pol_path, "%s/policy.bin", dir);
    Gpt *rm = gpt_new(&cfg);
    gpt_init_random(rm, 1);
    assert_int_equal(ckpt_save(rm, rm_path, err, sizeof err), 0);
    GptConfig pc = policy_cfg();
    Gpt *pol = gpt_new(&pc);
    gpt_init_random(pol, 1);
    assert_int_equal(ckpt_save(pol, pol_path, err, sizeof err), 0);

    assert_null(ckpt_load(rm_path, err, sizeof err));
    snprintf(want, sizeof want, "%s: a reward model (it has a scalar head), not a policy", rm_path);
    expect_message(err, want);
    assert_null(ckpt_load_kind(rm_path, CKPT_POLICY, err, sizeof err));
    expect_message(err, want);
    assert_null(ckpt_load_kind(pol_path, CKPT_REWARD_MODEL, err, sizeof err));
    snprintf(want, sizeof want, "%s: a policy, not a reward model", pol_path);
    expect_message(err, want);

    /* a policy still loads where a policy is expected, unchanged */
    Gpt *back = ckpt_load(pol_path, err, sizeof err);
    if (!back) fail_msg("%s", err);
    assert_int_equal(back->cfg.has_head, 0);
    assert_null(back->w.headw);
    assert_memory_equal(back->params, pol->params, pol->num_params * sizeof(float));
    gpt_free(back);
    gpt_free(pol);
    gpt_free(rm);
}

static void read_file(const char *path, unsigned char **buf, size_t *len) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    *buf = malloc(*len);
    assert_int_equal(fread(*buf, 1, *len, f), *len);
    fclose(f);
}

/* Both kinds' CRC covers the whole header (the CRC word as 0) and then the
 * tensors, so no header word can change unnoticed. */
static uint32_t crc_as_saved(unsigned char *buf, size_t len) {
    uint32_t stored;
    memcpy(&stored, buf + 7 * 4, 4);
    memset(buf + 7 * 4, 0, 4);
    uint32_t crc = crc32_update(crc32_update(0, buf, 1024), buf + 1024, len - 1024);
    memcpy(buf + 7 * 4, &stored, 4);
    return crc;
}

static void crc_covers_the_header_of_both_kinds(void **state) {
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/crc.bin", dir);
    GptConfig pc = policy_cfg();
    Gpt *pol = gpt_new(&pc);
    gpt_init_random(pol, 3);
    assert_int_equal(ckpt_save(pol, path, err, sizeof err), 0);
    unsigned char *buf;
    size_t len;
    read_file(path, &buf, &len);
    uint32_t stored;
    memcpy(&stored, buf + 7 * 4, 4);
    assert_int_equal(stored, crc_as_saved(buf, len));
    free(buf);
    gpt_free(pol);

    Gpt *rm = gpt_new(&cfg);
    gpt_init_random(rm, 3);
    assert_int_equal(ckpt_save(rm, path, err, sizeof err), 0);
    read_file(path, &buf, &len);
    memcpy(&stored, buf + 7 * 4, 4);
    assert_int_equal(stored, crc_as_saved(buf, len));
    buf[200 * 4] ^= 1; /* a word no field uses */
    FILE *f = fopen(path, "wb");
    fwrite(buf, 1, len, f);
    fclose(f);
    assert_null(ckpt_load_kind(path, CKPT_REWARD_MODEL, err, sizeof err));
    assert_non_null(strstr(err, "CRC-32"));
    free(buf);
    gpt_free(rm);
}

/* Rows are a random prefix ending in token A (preferred) or B: the head must
 * learn to rank any prefix's A-ending above its B-ending. */
enum { TOK_A = 0, TOK_B = 1, TT = 4, PAIRS = 8 };

static void make_pairs(int *rows, int n, unsigned long long seed) {
    Rng r;
    rng_seed(&r, seed);
    for (int i = 0; i < n; i++) {
        int *c = rows + (size_t)i * TT, *rj = rows + (size_t)(n + i) * TT;
        for (int t = 0; t < TT - 1; t++) c[t] = rj[t] = 2 + (int)rng_below(&r, 6);
        c[TT - 1] = TOK_A;
        rj[TT - 1] = TOK_B;
    }
}

static BtStats pair_stats(Gpt *m, const int *rows, int n, float *dscore) {
    int pos[2 * PAIRS];
    float s[2 * PAIRS];
    for (int i = 0; i < 2 * n; i++) pos[i] = TT - 1;
    reward_head_forward(m, rows, 2 * n, TT, pos, s);
    return bt_loss(s, s + n, n, dscore, dscore ? dscore + n : NULL);
}

static void bradley_terry_learns_a_toy_preference(void **state) {
    const GptConfig pc = {
        .max_seq_len = TT, .vocab_size = 8, .n_layer = 1, .n_head = 2, .d_model = 16};
    Gpt *pol = gpt_new(&pc);
    gpt_init_random(pol, 11);
    Gpt *m = reward_head_attach(pol, 0.02f, 12);
    AdamWConfig ac = adamw_defaults();
    ac.lr = 1e-2f;
    AdamW *opt = adamw_new(m, &ac);
    int train[2 * PAIRS * TT], held[2 * PAIRS * TT], pos[2 * PAIRS];
    for (int i = 0; i < 2 * PAIRS; i++) pos[i] = TT - 1;
    make_pairs(train, PAIRS, 1);
    make_pairs(held, PAIRS, 2);
    /* Start with the head ranking the pairs the wrong way round (b is 0, so
     * negating w negates every score), so reaching accuracy 1 is learning. */
    if (pair_stats(m, train, PAIRS, NULL).margin > 0)
        for (int i = 0; i < pc.d_model; i++) m->w.headw[i] = -m->w.headw[i];
    BtStats first = pair_stats(m, train, PAIRS, NULL);
    assert_true(first.accuracy < 0.5 && first.margin < 0);
    float dscore[2 * PAIRS];
    for (int step = 0; step < 40; step++) {
        gpt_zero_grad(m);
        pair_stats(m, train, PAIRS, dscore);
        reward_head_backward(m, pos, dscore);
        adamw_update(opt, m);
    }
    BtStats last = pair_stats(m, train, PAIRS, NULL);
    BtStats other = pair_stats(m, held, PAIRS, NULL);
    assert_float_equal(last.accuracy, 1.0, 0.0);
    assert_float_equal(other.accuracy, 1.0, 0.0);
    assert_true(last.loss < 0.1 && last.loss < first.loss);
    assert_true(last.margin > 1.0);
    /* the trunk learned too, not the head alone */
    double moved = 0;
    for (size_t i = 0; i < pol->num_params; i++) moved += fabs(m->params[i] - pol->params[i]);
    assert_true(moved > 1e-2);
    adamw_free(opt);
    gpt_free(m);
    gpt_free(pol);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(head_gradients_match_finite_differences),
        cmocka_unit_test(score_reads_only_tokens_up_to_its_position),
        cmocka_unit_test(score_is_the_head_applied_to_the_final_hidden_state),
        cmocka_unit_test(attach_copies_the_trunk_and_starts_a_fresh_head),
        cmocka_unit_test(checkpoint_round_trip_keeps_the_head),
        cmocka_unit_test(wrong_kind_is_refused_in_one_line_naming_the_file),
        cmocka_unit_test(crc_covers_the_header_of_both_kinds),
        cmocka_unit_test(bradley_terry_learns_a_toy_preference),
    };
    return cmocka_run_group_tests_name("engine_head", tests, make_dir, remove_dir);
}
