#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "pipeline/cache.h"
#include "pipeline/graph.h"

static Graph g;
static char err[1024];

static void add(const char *kind, const char *name, const char *in0, const char *in1) {
    const char *in[2] = {in0, in1};
    int n = in1 ? 2 : in0 ? 1 : 0;
    if (graph_add_stage(&g, kind, name, in, n, NULL, NULL, 0, "t.lua:1", err, sizeof err))
        fail_msg("%s", err);
}

static int pos(const int *order, const char *name) {
    int s = graph_find(&g, name);
    for (int k = 0; k < g.n; k++)
        if (order[k] == s) return k;
    return -1;
}

static void test_order_follows_inputs(void **state) {
    graph_init(&g);
    /* Declared out of order on purpose: eval first, its input last. */
    add("eval", "eval-sft", "sft", NULL);
    add("sft", "sft", "pretrain", "data/coldstart.csv");
    add("eval", "eval-base", "pretrain", NULL);
    add("pretrain", "pretrain", NULL, NULL);
    int order[GRAPH_MAX_STAGES];
    assert_int_equal(graph_resolve(&g, order, err, sizeof err), 0);
    assert_true(pos(order, "pretrain") < pos(order, "sft"));
    assert_true(pos(order, "sft") < pos(order, "eval-sft"));
    assert_true(pos(order, "pretrain") < pos(order, "eval-base"));
    assert_int_equal(g.stages[graph_find(&g, "sft")].input_stage[1], -1);
}

static void test_cycle_named(void **state) {
    graph_init(&g);
    add("pretrain", "pretrain", NULL, NULL);
    add("sft", "a", "b", "data/x.csv");
    add("sft", "b", "a", "data/x.csv");
    int order[GRAPH_MAX_STAGES];
    assert_int_equal(graph_resolve(&g, order, err, sizeof err), -1);
    assert_non_null(strstr(err, "cycle"));
    assert_non_null(strstr(err, " a"));
    assert_non_null(strstr(err, " b"));
    assert_null(strstr(err, "pretrain"));
}

static void test_missing_input_named(void **state) {
    graph_init(&g);
    add("eval", "eval", "pretrian", NULL);
    int order[GRAPH_MAX_STAGES];
    assert_int_equal(graph_resolve(&g, order, err, sizeof err), -1);
    assert_non_null(strstr(err, "t.lua:1"));
    assert_non_null(strstr(err, "'pretrian'"));
}

/* A number has one spelling in the graph, so the cache key does not depend on
 * how a script wrote it. */
static void test_numbers_have_one_spelling(void **state) {
    graph_init(&g);
    const char *n[] = {"lr", "steps"}, *v1[] = {"3e-3", "3200.0"},
               *v2[] = {"0.0030000000000000001", "3200"};
    assert_int_equal(graph_add_stage(&g, "pretrain", "a", NULL, 0, n, v1, 2, "", err, sizeof err),
                     0);
    assert_int_equal(graph_add_stage(&g, "pretrain", "b", NULL, 0, n, v2, 2, "", err, sizeof err),
                     0);
    add("pretrain", "c", NULL, NULL); /* the defaults */
    for (int i = 0; i < 3; i++) {
        assert_string_equal(stage_opt(&g.stages[i], "lr"), "0.003");
        assert_string_equal(stage_opt(&g.stages[i], "steps"), "3200");
    }
    const char *n3[] = {"lr"}, *v3[] = {"0.1"};
    assert_int_equal(graph_add_stage(&g, "sft", "d", (const char *[]){"a", "x.csv"}, 2, n3, v3, 1,
                                     "", err, sizeof err),
                     0);
    assert_string_equal(stage_opt(&g.stages[3], "lr"), "0.1");
}

/* Text options with a fixed vocabulary are checked when declared (and when
 * the view edits them), not when the stage opens minutes into a run. */
static void test_text_options_are_checked(void **state) {
    static const struct {
        const char *kind, *name, *value, *want;
    } bad[] = {
        {"grpo", "loss_type", "drgrpo", "grpo, dapo or dr_grpo"},
        {"grpo", "task", "add3,ad4", "tasks such as"},
        {"grpo", "task", "", "tasks such as"},
        {"grpo", "rewards", "accuracy=x", "name=weight"},
        {"grpo", "rewards", "=1", "name=weight"},
        {"pretrain", "corpus", "redy", "ready, search, graded or prototype"},
        {"pretrain", "task", "add", "a task such as"},
        {"eval", "task", "", "a task such as"},
    };
    graph_init(&g);
    add("pretrain", "p", NULL, NULL);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *n[] = {bad[i].name}, *v[] = {bad[i].value}, *in[] = {"p"};
        int ni = strcmp(bad[i].kind, "pretrain") ? 1 : 0;
        assert_int_equal(
            graph_add_stage(&g, bad[i].kind, "x", in, ni, n, v, 1, "", err, sizeof err), -1);
        if (!strstr(err, bad[i].want) || !strstr(err, bad[i].name))
            fail_msg("%s.%s = '%s': %s", bad[i].kind, bad[i].name, bad[i].value, err);
    }
    const char *n[] = {"task", "rewards", "loss_type"},
               *v[] = {"add3,sub3", "accuracy,format=0.5", "dr_grpo"};
    const char *in[] = {"p"};
    assert_int_equal(graph_add_stage(&g, "grpo", "z", in, 1, n, v, 3, "", err, sizeof err), 0);
    assert_int_equal(stage_set_opt(&g.stages[1], "loss_type", "dapo2", err, sizeof err), -1);
    assert_string_equal(stage_opt(&g.stages[1], "loss_type"), "dr_grpo");
}

static void test_options_validated(void **state) {
    graph_init(&g);
    const char *n1[] = {"stpes"}, *v1[] = {"10"};
    assert_int_equal(graph_add_stage(&g, "pretrain", "p", NULL, 0, n1, v1, 1, "", err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "unknown option 'stpes'"));
    const char *n2[] = {"steps"}, *v2[] = {"ten"};
    assert_int_equal(graph_add_stage(&g, "pretrain", "p", NULL, 0, n2, v2, 1, "", err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "expects a number"));
    const char *v3[] = {"2.5"};
    assert_int_equal(graph_add_stage(&g, "pretrain", "p", NULL, 0, n2, v3, 1, "", err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "integer"));
    assert_int_equal(graph_add_stage(&g, "grpo2", "p", NULL, 0, NULL, NULL, 0, "", err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "unknown kind"));
    /* Inputs are counted against the kind's roles when the graph resolves. */
    Graph g2;
    graph_init(&g2);
    assert_int_equal(
        graph_add_stage(&g2, "eval", "e", NULL, 0, NULL, NULL, 0, "x.lua:3", err, sizeof err), 0);
    int order[GRAPH_MAX_STAGES];
    assert_int_equal(graph_resolve(&g2, order, err, sizeof err), -1);
    assert_non_null(strstr(err, "x.lua:3: stage 'e': model needs 1 checkpoint input, got 0"));
    add("pretrain", "p", NULL, NULL);
    assert_string_equal(stage_opt(&g.stages[0], "steps"), "3200");
    assert_int_equal(
        graph_add_stage(&g, "pretrain", "p", NULL, 0, NULL, NULL, 0, "", err, sizeof err), -1);
    assert_non_null(strstr(err, "twice"));
}

/* A changed option changes that stage's key and every key downstream, and
 * nothing upstream or beside it. */
static void test_keys_invalidate_downstream(void **state) {
    graph_init(&g);
    add("pretrain", "pretrain", NULL, NULL);
    add("eval", "eval-base", "pretrain", NULL);
    add("pretrain", "other", NULL, NULL);
    add("eval", "eval-other", "other", NULL);
    int order[GRAPH_MAX_STAGES];
    uint64_t k1[GRAPH_MAX_STAGES], k2[GRAPH_MAX_STAGES], k3[GRAPH_MAX_STAGES];
    assert_int_equal(graph_resolve(&g, order, err, sizeof err), 0);
    assert_int_equal(cache_keys(&g, order, 1, k1, err, sizeof err), 0);
    assert_int_equal(stage_set_opt(&g.stages[0], "lr", "0.002", err, sizeof err), 0);
    assert_int_equal(cache_keys(&g, order, 1, k2, err, sizeof err), 0);
    assert_true(k1[0] != k2[0]);
    assert_true(k1[1] != k2[1]);
    assert_true(k1[2] == k2[2]);
    assert_true(k1[3] == k2[3]);
    assert_int_equal(cache_keys(&g, order, 2, k3, err, sizeof err), 0);
    assert_true(k3[2] != k2[2]); /* the seed counts */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_follows_inputs),
        cmocka_unit_test(test_cycle_named),
        cmocka_unit_test(test_missing_input_named),
        cmocka_unit_test(test_options_validated),
        cmocka_unit_test(test_numbers_have_one_spelling),
        cmocka_unit_test(test_text_options_are_checked),
        cmocka_unit_test(test_keys_invalidate_downstream),
    };
    return cmocka_run_group_tests_name("pipeline_graph", tests, NULL, NULL);
}
