#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "world/completion.h"
#include "world/corpus.h"
#include "world/evalset.h"
#include "world/general.h"
#include "world/task.h"
#include "world/tokenizer.h"

static int encodes(const char *text) {
    int ids[1024];
    return tok_encode(text, ids, 1024, NULL) >= 0;
}

/* The question of a document ("347+589?"), rebuilt for plain lines. */
static int question_of(const char *doc, char *q, size_t cap) {
    const char *head = "<bos>user: ", *mid = " assistant: ";
    if (strncmp(doc, head, strlen(head)) == 0) {
        const char *s = doc + strlen(head), *e = strstr(s, mid);
        if (!e) return -1;
        snprintf(q, cap, "%.*s", (int)(e - s), s);
        return 0;
    }
    const char *s = doc + strlen("<bos>"), *eq = strchr(s, '=');
    if (!eq) return -1;
    snprintf(q, cap, "%.*s?", (int)(eq - s), s);
    return 0;
}

static double total_weight(const CorpusConfig *c) {
    double t = 0;
    for (int k = 0; k < DOC_NUM_KINDS; k++) t += c->weight[k];
    return t;
}

static void check_proportions(const CorpusConfig *cfg, uint64_t seed, int n) {
    Corpus c;
    assert_int_equal(corpus_init(&c, cfg, seed), 0);
    int count[DOC_NUM_KINDS] = {0};
    char doc[CORPUS_DOC_MAX];
    for (int i = 0; i < n; i++) {
        DocKind k;
        int len = corpus_next(&c, doc, sizeof doc, &k);
        assert_true(len > 0 && (size_t)len == strlen(doc));
        count[k]++;
    }
    double t = total_weight(cfg);
    for (int k = 0; k < DOC_NUM_KINDS; k++) {
        double want = cfg->weight[k] / t, got = (double)count[k] / n;
        /* 4 standard errors of a binomial share, at least 0.005. */
        double tol = fmax(0.005, 4 * sqrt(want * (1 - want) / n));
        if (fabs(got - want) > tol)
            fail_msg("%s: asked %.3f, got %.3f", corpus_kind_name((DocKind)k), want, got);
        if (cfg->weight[k] == 0) assert_int_equal(count[k], 0);
    }
}

static void mixer_follows_the_requested_proportions(void **state) {
    CorpusConfig cfg;
    assert_int_equal(corpus_config_preset("prototype", &cfg), 0);
    check_proportions(&cfg, 1, 4000);
    assert_int_equal(corpus_config_preset("graded", &cfg), 0);
    check_proportions(&cfg, 2, 4000);
    /* A caller's own mix: weights need not sum to one. */
    memset(cfg.weight, 0, sizeof cfg.weight);
    cfg.weight[DOC_CHAT_SLIP] = 3;
    cfg.weight[DOC_PLAIN] = 1;
    cfg.weight[DOC_GENERAL] = 0.5;
    check_proportions(&cfg, 3, 3000);
}

static void presets_match_the_design(void **state) {
    CorpusConfig cfg;
    assert_int_equal(corpus_config_preset("prototype", &cfg), 0);
    double t = total_weight(&cfg), tagged = 0;
    for (int k = DOC_CHAT_DIRECT; k <= DOC_CHAT_MIXED; k++) tagged += cfg.weight[k];
    assert_true(fabs(t - 100) < 1e-9);
    assert_true(fabs(tagged - 57) < 1e-9);
    assert_true(fabs(cfg.weight[DOC_CHAT_DIRECT] / tagged - 0.58) < 1e-9);
    assert_true(fabs(cfg.weight[DOC_PLAIN] - 12) < 1e-9);
    assert_true(fabs(cfg.malformed_prob - 0.45) < 1e-9);
    assert_int_equal(corpus_config_preset("graded", &cfg), 0);
    t = total_weight(&cfg);
    double direct = cfg.weight[DOC_CHAT_DIRECT] + cfg.weight[DOC_UNTAGGED_DIRECT];
    assert_true(fabs(direct / t - 0.10) < 1e-9);
    assert_true(cfg.weight[DOC_PLAIN] == 0);
    assert_true(cfg.weight[DOC_CHAT_TERSE] > 0 && cfg.weight[DOC_CHAT_PAD] > 0 &&
                cfg.weight[DOC_CHAT_CHECKED] > 0);
    assert_int_equal(corpus_config_preset("web", &cfg), -1);
}

/* Every kind, over several tasks: documents encode, are whole <bos>...<eos>
 * strings, hold no eval problem, and tagged ones carry the answer their
 * thought concludes. */
static void documents_encode_and_avoid_the_eval_set(void **state) {
    CorpusConfig cfg;
    corpus_config_preset("graded", &cfg);
    cfg.n_tasks = 4;
    cfg.tasks[0] = (TaskSpec){TASK_ADD, 3};
    cfg.tasks[1] = (TaskSpec){TASK_SUB, 3};
    cfg.tasks[2] = (TaskSpec){TASK_MUL, 3};
    cfg.tasks[3] = (TaskSpec){TASK_ADD, 9};
    cfg.malformed_prob = 0.0;
    WorldRng r;
    world_rng_seed(&r, 5);
    char doc[CORPUS_DOC_MAX], q[64];
    for (int k = 0; k < DOC_NUM_KINDS; k++) {
        int right = 0, n = 150;
        for (int i = 0; i < n; i++) {
            int len = corpus_write_doc(&cfg, (DocKind)k, &r, doc, sizeof doc);
            assert_true(len > 0);
            if (!encodes(doc)) fail_msg("does not encode: %s", doc);
            assert_int_equal(strncmp(doc, "<bos>", 5), 0);
            assert_string_equal(doc + len - 5, "<eos>");
            assert_int_equal(question_of(doc, q, sizeof q), 0);
            Problem p;
            GeneralItem g;
            if (k == DOC_GENERAL) {
                assert_int_equal(general_parse_prompt(q, &g), 0);
                continue;
            }
            assert_int_equal(task_parse_prompt(q, &p), 0);
            assert_false(world_is_eval_prompt(q));
            if (k == DOC_PLAIN) {
                assert_int_equal(p.script, WORLD_DIGITS);
                assert_non_null(strstr(doc, p.answer));
                continue;
            }
            const char *body = strstr(doc, " assistant: ") + strlen(" assistant: ");
            if (k == DOC_UNTAGGED_DIRECT || k == DOC_UNTAGGED_PAD) {
                assert_null(strstr(body, "<think>"));
                continue;
            }
            char completion[CORPUS_DOC_MAX];
            snprintf(completion, sizeof completion, "%s", body);
            CompletionParts c;
            assert_int_equal(completion_parse(completion, &c), 1);
            right += task_verify_span(&p, c.answer, c.answer_len);
            if (k == DOC_CHAT_DIRECT) assert_true(completion_thought_is_empty(&c));
        }
        /* Reliable kinds are always right; guesses are wrong at guess_wrong_prob. */
        if (k == DOC_CHAT_GUESS)
            assert_true(right > n * 0.3 && right < n * 0.7);
        else if (k <= DOC_CHAT_MIXED)
            assert_int_equal(right, n);
    }
}

static void a_share_of_tagged_closings_is_malformed(void **state) {
    CorpusConfig cfg;
    corpus_config_preset("prototype", &cfg);
    Corpus c;
    assert_int_equal(corpus_init(&c, &cfg, 9), 0);
    char doc[CORPUS_DOC_MAX];
    int tagged = 0, bad = 0;
    for (int i = 0; i < 3000; i++) {
        DocKind k;
        corpus_next(&c, doc, sizeof doc, &k);
        const char *t = strstr(doc, "<think>");
        if (!t) continue;
        tagged++;
        CompletionParts p;
        bad += !completion_parse(t, &p);
    }
    double share = (double)bad / tagged;
    assert_true(fabs(share - cfg.malformed_prob) < 0.04);
}

static void streams_are_deterministic_per_seed(void **state) {
    CorpusConfig cfg;
    corpus_config_preset("graded", &cfg);
    Corpus a, b, o;
    corpus_init(&a, &cfg, 100);
    corpus_init(&b, &cfg, 100);
    corpus_init(&o, &cfg, 101);
    int differs = 0;
    for (int i = 0; i < 300; i++) {
        char x[CORPUS_DOC_MAX], y[CORPUS_DOC_MAX], z[CORPUS_DOC_MAX];
        corpus_next(&a, x, sizeof x, NULL);
        corpus_next(&b, y, sizeof y, NULL);
        corpus_next(&o, z, sizeof z, NULL);
        assert_string_equal(x, y);
        differs += strcmp(x, z) != 0;
    }
    assert_true(differs > 250);
}

static void unusable_configs_are_refused(void **state) {
    CorpusConfig good, cfg;
    Corpus c;
    corpus_config_preset("graded", &good);
    cfg = good;
    cfg.n_tasks = 0;
    assert_int_equal(corpus_init(&c, &cfg, 1), -1);
    cfg = good;
    cfg.tasks[0].width = 12;
    assert_int_equal(corpus_init(&c, &cfg, 1), -1);
    cfg = good;
    cfg.weight[DOC_PLAIN] = -1;
    assert_int_equal(corpus_init(&c, &cfg, 1), -1);
    cfg = good;
    memset(cfg.weight, 0, sizeof cfg.weight);
    assert_int_equal(corpus_init(&c, &cfg, 1), -1);
    cfg = good;
    cfg.malformed_prob = 1.5;
    assert_int_equal(corpus_init(&c, &cfg, 1), -1);
    cfg = good;
    cfg.weight[DOC_GENERAL] = NAN;
    assert_int_equal(corpus_init(&c, &cfg, 1), -1);
    char small[16];
    assert_int_equal(corpus_init(&c, &good, 1), 0);
    assert_int_equal(corpus_next(&c, small, sizeof small, NULL), -1);
}

/* A mix names kinds and their new weights; anything else leaves the config
 * untouched. */
static void mixes_override_named_weights_only(void **state) {
    CorpusConfig base, cfg;
    corpus_config_preset("ready", &base);
    cfg = base;
    assert_int_equal(corpus_apply_mix(&cfg, ""), 0);
    assert_memory_equal(&cfg, &base, sizeof cfg);
    assert_int_equal(corpus_apply_mix(&cfg, "chat_checked=12,chat_pad=0,plain=2.5"), 0);
    assert_true(cfg.weight[DOC_CHAT_CHECKED] == 12);
    assert_true(cfg.weight[DOC_CHAT_PAD] == 0);
    assert_true(cfg.weight[DOC_PLAIN] == 2.5);
    assert_int_equal(corpus_apply_mix(&cfg, "check_slip=0.4,guess_wrong=1,cipher=0"), 0);
    assert_true(cfg.check_slip_prob == 0.4 && cfg.guess_wrong_prob == 1 && cfg.cipher_prob == 0);
    assert_true(cfg.malformed_prob == base.malformed_prob);
    for (int k = 0; k < DOC_NUM_KINDS; k++)
        if (k != DOC_CHAT_CHECKED && k != DOC_CHAT_PAD && k != DOC_PLAIN)
            assert_true(cfg.weight[k] == base.weight[k]);
    static const char *const bad[] = {
        "blog=1",      "chat_pad",        "chat_pad=",         "=3",
        "chat_pad=-1", "chat_pad=1,,x=2", "chat_pad=1x",       "chat_pad=inf",
        ",",           "chat_pad=nan",    "chat_pad=1,blog=2", "check_slip=1.5",
        "slip=-0.1",
    };
    cfg = base;
    corpus_apply_mix(&cfg, "chat_checked=12,chat_pad=0,plain=2.5");
    base = cfg;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cfg = base;
        assert_int_equal(corpus_apply_mix(&cfg, bad[i]), -1);
        assert_memory_equal(&cfg, &base, sizeof cfg);
    }
}

/* Whole checked documents fit the model's context and their completions the
 * 96 new tokens GRPO samples: a cut-off check cannot pay. */
static void checked_documents_fit_the_budget(void **state) {
    CorpusConfig cfg;
    corpus_config_preset("ready", &cfg);
    WorldRng r;
    world_rng_seed(&r, 11);
    static const DocKind kinds[] = {DOC_CHAT_CHECKED, DOC_CHAT_GUESS_CHECK, DOC_CHAT_SLIP};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        for (int i = 0; i < 3000; i++) {
            char doc[CORPUS_DOC_MAX];
            int ids[CORPUS_DOC_MAX];
            assert_true(corpus_write_doc(&cfg, kinds[k], &r, doc, sizeof doc) > 0);
            const char *end = strstr(doc, "</answer>");
            if (!end || strstr(end + 1, "<answer>")) continue; /* malformed closings */
            int total = tok_encode(doc, ids, CORPUS_DOC_MAX, NULL);
            const char *think = strstr(doc, "<think>");
            assert_non_null(think);
            int to_answer_end = tok_encode(think, ids, CORPUS_DOC_MAX, NULL) -
                                tok_encode(end, ids, CORPUS_DOC_MAX, NULL) + 1;
            assert_true(total <= 128);
            assert_true(to_answer_end - 1 <= 96); /* without <think>, with </answer> */
        }
}

/* The search preset's world: pair4 problems; searches to the end are always
 * right, searches that stop early only sometimes, direct answers a quarter of
 * the time, and a wrong direct answer is still a pair of the prompt's digits
 * in prompt order; every well-formed document fits the context and the 96
 * new tokens GRPO samples. */
static int is_pair_of(const Problem *p, const char *a, size_t len) {
    if (len != 3 || a[1] != '+') return 0;
    for (int i = 0; i < p->spec.width; i++)
        for (int j = i + 1; j < p->spec.width; j++)
            if (a[0] - '0' == task_pair_digit(p, i) && a[2] - '0' == task_pair_digit(p, j))
                return 1;
    return 0;
}

static void search_documents_follow_the_preset(void **state) {
    CorpusConfig cfg;
    assert_int_equal(corpus_config_preset("search", &cfg), 0);
    assert_true(cfg.n_tasks == 1 && cfg.tasks[0].kind == TASK_PAIR && cfg.tasks[0].width == 4);
    WorldRng r;
    world_rng_seed(&r, 17);
    for (int k = 0; k < DOC_NUM_KINDS; k++) {
        if (cfg.weight[k] <= 0 || k == DOC_GENERAL) continue;
        int right = 0, formed = 0;
        for (int i = 0; i < 1000; i++) {
            char doc[CORPUS_DOC_MAX], q[64], completion[CORPUS_DOC_MAX];
            int ids[CORPUS_DOC_MAX];
            assert_true(corpus_write_doc(&cfg, (DocKind)k, &r, doc, sizeof doc) > 0);
            int total = tok_encode(doc, ids, CORPUS_DOC_MAX, NULL);
            if (total < 0 || total > 128) fail_msg("%d tokens: %s", total, doc);
            assert_int_equal(question_of(doc, q, sizeof q), 0);
            Problem p;
            assert_int_equal(task_parse_prompt(q, &p), 0);
            assert_int_equal(p.spec.kind, TASK_PAIR);
            assert_false(world_is_eval_prompt(q));
            if (k == DOC_UNTAGGED_PAD || k == DOC_UNTAGGED_DIRECT) continue;
            snprintf(completion, sizeof completion, "%s", strstr(doc, "<think>") + 7);
            CompletionParts c;
            if (completion_parse(completion, &c) != 1) continue; /* a malformed closing */
            formed++;
            const char *end = strstr(doc, "</answer>");
            /* from <think> to </answer>: the completion, <think> left out, </answer> in */
            int to_end = tok_encode(strstr(doc, "<think>"), ids, CORPUS_DOC_MAX, NULL) -
                         tok_encode(end, ids, CORPUS_DOC_MAX, NULL);
            assert_true(to_end <= 96);
            assert_true(is_pair_of(&p, c.answer, c.answer_len));
            right += task_verify_span(&p, c.answer, c.answer_len);
        }
        if (k == DOC_UNTAGGED_PAD || k == DOC_UNTAGGED_DIRECT) continue;
        if (formed <= 500) fail_msg("%s: %d well formed", corpus_kind_name((DocKind)k), formed);
        double rate = (double)right / formed;
        if (k == DOC_CHAT_PAD || k == DOC_CHAT_MIXED)
            assert_true(rate == 1.0);
        else if (k == DOC_CHAT_TERSE)
            assert_true(rate > 0.5 && rate < 0.85);
        else if (k == DOC_CHAT_DIRECT)
            assert_true(rate > 0.2 && rate < 0.3);
        else if (k == DOC_CHAT_GUESS)
            assert_true(rate > 0.33 && rate < 0.47); /* guess_wrong_prob 0.6 */
    }
}

/* Wrong direct answers are random numbers of the right width, at the set rate;
 * every other kind is untouched by the setting. */
static void direct_answers_are_wrong_at_the_set_rate(void **state) {
    CorpusConfig cfg;
    corpus_config_preset("ready", &cfg);
    cfg.malformed_prob = 0;
    cfg.direct_wrong_prob = 0.75;
    WorldRng r;
    world_rng_seed(&r, 3);
    static const DocKind kinds[] = {DOC_CHAT_DIRECT, DOC_UNTAGGED_DIRECT};
    for (size_t k = 0; k < 2; k++) {
        int right = 0, n = 2000;
        for (int i = 0; i < n; i++) {
            char doc[CORPUS_DOC_MAX], q[64], got[32];
            corpus_write_doc(&cfg, kinds[k], &r, doc, sizeof doc);
            assert_int_equal(question_of(doc, q, sizeof q), 0);
            Problem p;
            assert_int_equal(task_parse_prompt(q, &p), 0);
            const char *a = strstr(doc, kinds[k] == DOC_CHAT_DIRECT ? "<answer>" : "assistant: ");
            a += kinds[k] == DOC_CHAT_DIRECT ? 8 : 11;
            size_t len = strspn(a, "0123456789");
            assert_true(len == strlen(p.answer) && len < sizeof got);
            memcpy(got, a, len);
            got[len] = '\0';
            if (len > 1) assert_true(got[0] != '0');
            right += strcmp(got, p.answer) == 0;
        }
        assert_true(right > n * 0.22 && right < n * 0.28);
    }
    /* The pads still conclude their own value. */
    for (int i = 0; i < 200; i++) {
        char doc[CORPUS_DOC_MAX], q[64];
        corpus_write_doc(&cfg, DOC_CHAT_PAD, &r, doc, sizeof doc);
        question_of(doc, q, sizeof q);
        Problem p;
        task_parse_prompt(q, &p);
        assert_non_null(strstr(doc, p.answer));
    }
}

static void kind_names_round_trip(void **state) {
    for (int k = 0; k < DOC_NUM_KINDS; k++) {
        DocKind back;
        assert_int_equal(corpus_kind_from_name(corpus_kind_name((DocKind)k), &back), 0);
        assert_int_equal(back, k);
    }
    DocKind x;
    assert_int_equal(corpus_kind_from_name("blog", &x), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mixer_follows_the_requested_proportions),
        cmocka_unit_test(presets_match_the_design),
        cmocka_unit_test(documents_encode_and_avoid_the_eval_set),
        cmocka_unit_test(a_share_of_tagged_closings_is_malformed),
        cmocka_unit_test(streams_are_deterministic_per_seed),
        cmocka_unit_test(unusable_configs_are_refused),
        cmocka_unit_test(kind_names_round_trip),
        cmocka_unit_test(mixes_override_named_weights_only),
        cmocka_unit_test(checked_documents_fit_the_budget),
        cmocka_unit_test(search_documents_follow_the_preset),
        cmocka_unit_test(direct_answers_are_wrong_at_the_set_rate),
    };
    return cmocka_run_group_tests_name("world_corpus", tests, NULL, NULL);
}
