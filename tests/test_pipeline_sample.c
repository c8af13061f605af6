/* The sample kind (rejection sampling) through a Lua script and the runner,
 * on a tiny pretrained model. A model that small gets nothing right, so rows
 * survive through Lua filters that keep a deterministic subset (by the parity
 * of a completion's first bytes): a row must pass every predicate of `keep`,
 * and is counted under the first it fails; a filter's error fails the stage
 * with the script's file:line; exact duplicates and rows over the per-prompt
 * cap are dropped; general rows make exactly general_ratio of the dataset;
 * dataset.csv round-trips through the CSV reader; an sft stage reads two
 * datasets; a stopped stage resumes to the bytes of an uninterrupted run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/runtime.h"
#include "pipeline/runner.h"
#include "script/pipeline.h"
#include "world/completion.h"
#include "world/csvio.h"
#include "world/task.h"
#include "world/template.h"
#include "file_helpers.h"

static const char script_text[] =
    "local p = r1sim.param\n"
    "local base = r1sim.stage{kind = 'pretrain', name = 'pretrain',\n"
    "  model = r1sim.model{d_model = 16, n_layer = 1, n_head = 2, context = 64},\n"
    "  options = {steps = 2, batch_size = 2, seq_len = 32, task = 'add3', warmup = 1}}\n"
    "r1sim.filter('all', function(s) return true end)\n"
    "r1sim.filter('b1_even', function(s)\n"
    "  local pass = (s.completion:byte(1) or 0) % 2 == 0\n"
    "  print(pass and 'b1 pass' or 'b1 fail')\n"
    "  return pass\n"
    "end)\n"
    "r1sim.filter('b2_even', function(s)\n"
    "  if (s.completion:byte(1) or 0) % 2 == 1 then error('b2_even saw a b1_even reject') end\n"
    "  print('b2')\n"
    "  return (s.completion:byte(2) or 0) % 2 == 0\n"
    "end)\n"
    "r1sim.filter('boom', function(s)\n"
    "  local t = nil\n"
    "  return t.x -- BOOM\n"
    "end)\n"
    "local inputs = {policy = base}\n"
    "if p('general', '') ~= '' then inputs.general = p('general', '') end\n"
    "local samp = r1sim.stage{kind = 'sample', name = 'samp', inputs = inputs, options = {\n"
    "  task = p('task', 'add3'), n_prompts = p('n_prompts', 4), k = p('k', 2),\n"
    "  prompts_per_step = p('pps', 2), temperature = p('temperature', 1.0),\n"
    "  max_new_tokens = 8, keep = p('keep', 'all'), per_prompt = p('per_prompt', 0),\n"
    "  general_ratio = p('ratio', 0.0)}}\n"
    "if p('sft_extra', '') ~= '' then\n"
    "  r1sim.stage{kind = 'sft', name = 'tune',\n"
    "    inputs = {policy = base, dataset = {samp, p('sft_extra', '')}},\n"
    "    options = {steps = 2, batch_size = 2}}\n"
    "end\n";

static Graph g;
static char err[4096];
static char tmp[64], script_path[128];

/* print() from the filters: how often each was called, and how often
 * b1_even passed */
static int n_b1, n_b1_pass, n_b2;

static void on_print(void *ctx, const char *line) {
    (void)ctx;
    n_b1 += strncmp(line, "b1 ", 3) == 0;
    n_b1_pass += strcmp(line, "b1 pass") == 0;
    if (strcmp(line, "b2") == 0) n_b2++;
}

typedef struct {
    const char *names[16], *values[16];
    int n;
} Params;

static void param(Params *p, const char *name, const char *value) {
    p->names[p->n] = name;
    p->values[p->n++] = value;
}

static ScriptPipeline *load(const Params *p) {
    graph_init(&g);
    ScriptOptions o = {.print = on_print};
    ScriptParams sp = {p->names, p->values, p->n};
    ScriptPipeline *s = script_pipeline_load(script_path, &sp, &o, &g, err, sizeof err);
    if (!s) fail_msg("%s", err);
    return s;
}

typedef struct {
    StageState final[GRAPH_MAX_STAGES];
    char error[GRAPH_MAX_STAGES][1024];
    long resumed_from[GRAPH_MAX_STAGES];
    int stop_stage;
    long stop_at; /* steps of stop_stage before asking to stop; 0 never */
    bool stop;
} Watch;

static void watch(void *ctx, int s, RunnerEvent ev, const StageStatus *st) {
    Watch *w = ctx;
    if (ev == RUNNER_EV_START) w->resumed_from[s] = st->resumed_from;
    if (ev == RUNNER_EV_STEP && w->stop_at && s == w->stop_stage && st->step >= w->stop_at)
        w->stop = true;
    if (ev != RUNNER_EV_END) return;
    w->final[s] = st->state;
    snprintf(w->error[s], sizeof w->error[s], "%s", st->error);
}

static bool watch_stop(void *ctx) {
    return ((Watch *)ctx)->stop;
}

static void run_in(const char *d, bool fresh, Watch *w) {
    n_b1 = n_b1_pass = n_b2 = 0;
    RunnerOptions o = {.dir = d,
                       .seed = 1,
                       .fresh = fresh,
                       .report = watch,
                       .report_ctx = w,
                       .should_stop = watch_stop,
                       .stop_ctx = w};
    Runner *r = runner_new(&g, &o, err, sizeof err);
    if (!r) fail_msg("%s", err);
    runner_run(r);
    runner_free(r);
}

/* Loads the script with p, runs it afresh in DIR/name and expects every
 * stage done. */
static void run_ok(const Params *p, const char *name) {
    ScriptPipeline *s = load(p);
    char d[128];
    snprintf(d, sizeof d, "%s/%s", tmp, name);
    Watch w = {0};
    run_in(d, true, &w);
    for (int i = 0; i < g.n; i++)
        if (w.final[i] != STAGE_DONE) fail_msg("stage %s: %s", g.stages[i].name, w.error[i]);
    script_pipeline_free(s);
}

static void read_table(const char *name, const char *file, CsvTable *t) {
    char p[256];
    snprintf(p, sizeof p, "%s/%s/%s", tmp, name, file);
    if (csvio_read(p, t, err, sizeof err)) fail_msg("%s", err);
}

static int col(const CsvTable *t, const char *name) {
    int c = csvio_col(t, name);
    if (c < 0) fail_msg("%s: no column %s", t->path, name);
    return c;
}

static long num(const CsvTable *t, size_t row, const char *name) {
    return atol(csvio_cell(t, row, (size_t)col(t, name)));
}

static long sum(const CsvTable *t, const char *name) {
    long s = 0;
    for (size_t i = 0; i < t->nrows; i++) s += num(t, i, name);
    return s;
}

/* Occurrences of the row's prompt among the table's prompts. */
static int prompt_count(const CsvTable *t, size_t row) {
    int pc = col(t, "prompt"), n = 0;
    for (size_t i = 0; i < t->nrows; i++)
        n += strcmp(csvio_cell(t, i, (size_t)pc), csvio_cell(t, row, (size_t)pc)) == 0;
    return n;
}

static int distinct_prompts(const CsvTable *t) {
    int pc = col(t, "prompt"), n = 0;
    for (size_t i = 0; i < t->nrows; i++) {
        int first = 1;
        for (size_t j = 0; j < i && first; j++)
            first = strcmp(csvio_cell(t, i, (size_t)pc), csvio_cell(t, j, (size_t)pc)) != 0;
        n += first;
    }
    return n;
}

/* Every step's generated completions are accounted for exactly once, and
 * the running totals are the sums of the steps. */
static void check_accounting(const CsvTable *m, const char *const *rejected, int n_rej,
                             long per_step) {
    long kept = 0, gen = 0;
    for (size_t i = 0; i < m->nrows; i++) {
        long r = 0;
        for (int j = 0; j < n_rej; j++) r += num(m, i, rejected[j]);
        long g_i = num(m, i, "generated");
        if (per_step) assert_int_equal(g_i, per_step);
        assert_int_equal(g_i,
                         num(m, i, "kept") + r + num(m, i, "duplicates") + num(m, i, "over_cap"));
        kept += num(m, i, "kept");
        gen += g_i;
        assert_int_equal(num(m, i, "kept_total"), kept);
        assert_int_equal(num(m, i, "generated_total"), gen);
        assert_float_equal(atof(csvio_cell(m, i, (size_t)col(m, "acceptance"))),
                           (double)kept / (double)gen, 1e-6);
    }
}

/* A dataset row of the sample stage: the problem its prompt holds, its
 * answer, and its own stage as the source. */
static void check_sampled_row(const CsvTable *d, size_t i) {
    assert_string_equal(csvio_cell(d, i, (size_t)col(d, "task")), "add3");
    assert_string_equal(csvio_cell(d, i, (size_t)col(d, "script")), "digits");
    assert_string_equal(csvio_cell(d, i, (size_t)col(d, "source")), "samp");
    char q[TASK_PROMPT_MAX];
    assert_true(tmpl_question(csvio_cell(d, i, (size_t)col(d, "prompt")), q, sizeof q) > 0);
    Problem p;
    assert_int_equal(task_parse_prompt(q, &p), 0);
    assert_string_equal(csvio_cell(d, i, (size_t)col(d, "answer")), p.answer);
}

static void test_keep_is_a_conjunction(void **state) {
    (void)state;
    Params p = {0};
    param(&p, "keep", "b1_even+b2_even");
    param(&p, "n_prompts", "8");
    param(&p, "pps", "4");
    param(&p, "k", "4");
    run_ok(&p, "conj");
    CsvTable m, d;
    read_table("conj", "samp/metrics.csv", &m);
    read_table("conj", "samp/dataset.csv", &d);
    const char *const expect[] = {
        "step",       "generated", "kept",       "rejected_b1_even", "rejected_b2_even",
        "duplicates", "over_cap",  "kept_total", "generated_total",  "acceptance"};
    assert_int_equal(m.ncols, 10);
    for (int c = 0; c < 10; c++) assert_string_equal(m.header[c], expect[c]);
    assert_int_equal(m.nrows, 2);
    const char *const rej[] = {"rejected_b1_even", "rejected_b2_even"};
    check_accounting(&m, rej, 2, 16);
    long gen = sum(&m, "generated"), r1 = sum(&m, "rejected_b1_even"),
         r2 = sum(&m, "rejected_b2_even"), kept = sum(&m, "kept");
    /* the test means something only if each way out was taken */
    assert_true(r1 > 0 && r2 > 0 && kept > 0);
    /* the second filter sees only what passed the first; it errors otherwise */
    assert_int_equal(n_b1, gen);
    assert_int_equal(r1, n_b1 - n_b1_pass);
    assert_int_equal(n_b2, n_b1_pass);
    assert_int_equal(r2, n_b2 - kept - sum(&m, "duplicates") - sum(&m, "over_cap"));
    /* what was kept passes both */
    assert_int_equal(d.nrows, (size_t)kept);
    int cc = col(&d, "completion");
    for (size_t i = 0; i < d.nrows; i++) {
        const unsigned char *c = (const unsigned char *)csvio_cell(&d, i, (size_t)cc);
        assert_int_equal(c[0] % 2, 0);
        assert_int_equal(c[0] ? c[1] % 2 : 0, 0);
        check_sampled_row(&d, i);
    }
    csvio_free(&m);
    csvio_free(&d);

    /* with a built-in: after a Lua filter, failures are the built-in's;
     * before one, the Lua filter only sees what passed it */
    const char *const keeps[] = {"b1_even+well_formed", "well_formed+b1_even"};
    for (int k = 0; k < 2; k++) {
        Params q = {0};
        param(&q, "keep", keeps[k]);
        param(&q, "n_prompts", "4");
        param(&q, "k", "4");
        run_ok(&q, "conj2");
        read_table("conj2", "samp/metrics.csv", &m);
        read_table("conj2", "samp/dataset.csv", &d);
        const char *lua = "rejected_b1_even", *wf = "rejected_well_formed";
        assert_string_equal(m.header[3], k == 0 ? lua : wf);
        assert_string_equal(m.header[4], k == 0 ? wf : lua);
        const char *const rej2[] = {lua, wf};
        check_accounting(&m, rej2, 2, 8);
        long rest = sum(&m, "kept") + sum(&m, "duplicates") + sum(&m, "over_cap");
        assert_int_equal(sum(&m, lua), n_b1 - n_b1_pass);
        if (k == 0) {
            assert_int_equal(n_b1, 16);
            assert_true(n_b1_pass > 0);
            assert_int_equal(sum(&m, wf), n_b1_pass - rest);
        } else {
            assert_int_equal(n_b1, 16 - sum(&m, wf));
        }
        assert_true(sum(&m, wf) > 0);
        for (size_t i = 0; i < d.nrows; i++) {
            CompletionParts parts;
            assert_true(completion_parse(csvio_cell(&d, i, (size_t)col(&d, "completion")), &parts));
        }
        csvio_free(&m);
        csvio_free(&d);
    }
}

/* The line of the script holding `marker`, 1-based. */
static int line_of(const char *marker) {
    const char *at = strstr(script_text, marker);
    assert_non_null(at);
    int line = 1;
    for (const char *c = script_text; c < at; c++) line += *c == '\n';
    return line;
}

static void test_filter_error_fails_the_stage(void **state) {
    (void)state;
    Params p = {0};
    param(&p, "keep", "all+boom");
    ScriptPipeline *s = load(&p);
    char d[128], want[192], f[256];
    snprintf(d, sizeof d, "%s/boom", tmp);
    for (int round = 0; round < 2; round++) { /* a failed stage is not reused */
        Watch w = {0};
        run_in(d, round == 0, &w);
        int samp = graph_find(&g, "samp");
        assert_int_equal(w.final[samp], STAGE_FAILED);
        snprintf(want, sizeof want, "%s:%d:", script_path, line_of("BOOM"));
        if (!strstr(w.error[samp], want) || !strstr(w.error[samp], "filter 'boom'") ||
            !strstr(w.error[samp], "stage 'samp'"))
            fail_msg("expected '%s' and the filter's name in: %s", want, w.error[samp]);
        snprintf(f, sizeof f, "%s/samp/dataset.csv", d);
        assert_null(fopen(f, "r"));
    }
    script_pipeline_free(s);
}

/* Greedy sampling gives each prompt k identical completions: one is kept,
 * k - 1 are duplicates. */
static void test_duplicates_are_dropped(void **state) {
    (void)state;
    Params p = {0};
    param(&p, "temperature", "0");
    param(&p, "k", "6");
    param(&p, "n_prompts", "4");
    param(&p, "per_prompt", "1000");
    run_ok(&p, "dedupe");
    CsvTable m, d;
    read_table("dedupe", "samp/metrics.csv", &m);
    read_table("dedupe", "samp/dataset.csv", &d);
    const char *const rej[] = {"rejected_all"};
    check_accounting(&m, rej, 1, 12);
    for (size_t i = 0; i < m.nrows; i++) {
        assert_int_equal(num(&m, i, "kept"), 2);
        assert_int_equal(num(&m, i, "duplicates"), 2 * 5);
        assert_int_equal(num(&m, i, "over_cap"), 0);
        assert_int_equal(num(&m, i, "rejected_all"), 0);
    }
    assert_int_equal(d.nrows, 4);
    assert_int_equal(distinct_prompts(&d), 4);
    csvio_free(&m);
    csvio_free(&d);
}

static void test_per_prompt_cap(void **state) {
    (void)state;
    for (int cap = 1; cap <= 2; cap++) {
        Params p = {0};
        char v[8];
        snprintf(v, sizeof v, "%d", cap);
        param(&p, "per_prompt", v);
        param(&p, "k", "4");
        param(&p, "n_prompts", "6");
        param(&p, "pps", "3");
        run_ok(&p, "cap");
        CsvTable m, d;
        read_table("cap", "samp/metrics.csv", &m);
        read_table("cap", "samp/dataset.csv", &d);
        const char *const rej[] = {"rejected_all"};
        check_accounting(&m, rej, 1, 12);
        assert_true(sum(&m, "over_cap") > 0);
        long kept = sum(&m, "kept");
        assert_int_equal(d.nrows, (size_t)kept);
        assert_int_equal(distinct_prompts(&d), 6); /* every prompt keeps its first */
        for (size_t i = 0; i < d.nrows; i++) assert_true(prompt_count(&d, i) <= cap);
        if (cap == 1)
            assert_int_equal(kept, 6);
        else
            assert_true(kept > 6 && kept <= 12);
        csvio_free(&m);
        csvio_free(&d);
    }
}

/* A general CSV whose completions hold commas, quotes and newlines,
 * written by hand (not by the writer under test), and what it holds. */
static const char general_csv[] =
    "prompt,completion,kind\n"
    "\"<bos>user: say hi, please assistant: <think>\",\"he said \"\"hi, there\"\"\n"
    "and left</think><answer>a, \"\"b\"\"</answer>\",chat\n"
    "plain,\"line1\n"
    "line2, with comma</think><answer>ok</answer>\",chat\n"
    "\"q3\",\"no answer here\",\"write, \"\"well\"\"\"\n";
static const char *const general_prompt[] = {"<bos>user: say hi, please assistant: <think>",
                                             "plain", "q3"};
static const char *const general_completion[] = {
    "he said \"hi, there\"\nand left</think><answer>a, \"b\"</answer>",
    "line1\nline2, with comma</think><answer>ok</answer>", "no answer here"};
static const char *const general_kind[] = {"chat", "chat", "write, \"well\""};
static const char *const general_answer[] = {"a, \"b\"", "ok", ""};

static char general_path[128];

static int general_index(const char *prompt) {
    for (int i = 0; i < 3; i++)
        if (strcmp(prompt, general_prompt[i]) == 0) return i;
    return -1;
}

static void test_general_ratio_and_round_trip(void **state) {
    (void)state;
    CsvTable gt; /* the hand-written file says what it is meant to */
    if (csvio_read(general_path, &gt, err, sizeof err)) fail_msg("%s", err);
    assert_int_equal(gt.nrows, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(csvio_cell(&gt, i, 0), general_prompt[i]);
        assert_string_equal(csvio_cell(&gt, i, 1), general_completion[i]);
        assert_string_equal(csvio_cell(&gt, i, 2), general_kind[i]);
    }
    csvio_free(&gt);

    /* 8 kept rows: 2.67 general rows at 0.25 (3, not 2), 8 at 0.5, and
     * 0.89 at 0.1 (1, not 0); more than the file holds at 0.5 */
    const char *ratios[] = {"0.25", "0.5", "0.1"};
    for (int k = 0; k < 3; k++) {
        Params p = {0};
        param(&p, "general", general_path);
        param(&p, "ratio", ratios[k]);
        param(&p, "k", "2");
        param(&p, "n_prompts", "4");
        run_ok(&p, "general");
        CsvTable m, d, kept;
        read_table("general", "samp/metrics.csv", &m);
        read_table("general", "samp/dataset.csv", &d);
        read_table("general", "samp/kept.csv", &kept);
        static const char *const header[] = {"task",     "script", "prompt",   "completion",
                                             "answer",   "source", "accuracy", "format",
                                             "language", "length"};
        assert_int_equal(d.ncols, 10);
        for (int c = 0; c < 10; c++) assert_string_equal(d.header[c], header[c]);
        size_t n_kept = (size_t)sum(&m, "kept");
        assert_int_equal(n_kept, 8);
        double r = atof(ratios[k]);
        size_t n_general = (size_t)llround(r * (double)n_kept / (1 - r));
        assert_int_equal(d.nrows, n_kept + n_general);
        /* the kept rows first, as kept.csv holds them */
        assert_int_equal(kept.nrows, n_kept);
        for (size_t i = 0; i < n_kept; i++) {
            for (size_t c = 0; c < 10; c++)
                assert_string_equal(csvio_cell(&d, i, c), csvio_cell(&kept, i, c + 1));
            check_sampled_row(&d, i);
        }
        /* then the general rows, each exactly as the file held it, drawn in
         * turn so that no row is used twice before every row is used once */
        int used[3] = {0};
        for (size_t i = n_kept; i < d.nrows; i++) {
            int gi = general_index(csvio_cell(&d, i, 2));
            if (gi < 0)
                fail_msg("row %zu: prompt '%s' is not a general row", i, csvio_cell(&d, i, 2));
            used[gi]++;
            assert_string_equal(csvio_cell(&d, i, 0), general_kind[gi]);
            assert_string_equal(csvio_cell(&d, i, 3), general_completion[gi]);
            assert_string_equal(csvio_cell(&d, i, 4), general_answer[gi]);
            assert_string_equal(csvio_cell(&d, i, 5), general_path);
        }
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) assert_true(abs(used[a] - used[b]) <= 1);
        csvio_free(&m);
        csvio_free(&d);
        csvio_free(&kept);
    }
}

static void test_sft_reads_two_datasets(void **state) {
    (void)state;
    char extra[128];
    snprintf(extra, sizeof extra, "%s/extra.csv", tmp);
    FILE *f = fopen(extra, "w");
    assert_non_null(f);
    fputs("task,prompt,completion\n"
          "add3,<bos>user: 347+589? assistant: <think>,so 936</think><answer>936</answer>\n"
          "add3,<bos>user: 100+200? assistant: <think>,so 300</think><answer>300</answer>\n"
          "add3,<bos>user: 111+111? assistant: <think>,so 222</think><answer>222</answer>\n",
          f);
    fclose(f);
    Params p = {0};
    param(&p, "sft_extra", extra);
    run_ok(&p, "sft");
    CsvTable d, s;
    read_table("sft", "samp/dataset.csv", &d);
    read_table("sft", "tune/sources.csv", &s);
    assert_true(d.nrows > 0);
    assert_int_equal(s.nrows, 2);
    assert_string_equal(s.header[0], "input");
    assert_string_equal(s.header[1], "source");
    assert_string_equal(s.header[2], "rows");
    /* the sample stage's rows carry its name as their source */
    assert_string_equal(csvio_cell(&s, 0, 0), "samp");
    assert_string_equal(csvio_cell(&s, 0, 1), "samp");
    assert_int_equal(atol(csvio_cell(&s, 0, 2)), (long)d.nrows);
    assert_string_equal(csvio_cell(&s, 1, 0), extra);
    assert_string_equal(csvio_cell(&s, 1, 1), extra);
    assert_string_equal(csvio_cell(&s, 1, 2), "3");
    csvio_free(&d);
    csvio_free(&s);
    char ck[256];
    snprintf(ck, sizeof ck, "%s/sft/tune/model.ckpt", tmp);
    FILE *c = fopen(ck, "rb");
    assert_non_null(c);
    fclose(c);
}

static void append(const char *dir, const char *file, const char *text) {
    char p[256];
    snprintf(p, sizeof p, "%s/samp/%s", dir, file);
    FILE *f = fopen(p, "a");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_resume_matches_uninterrupted(void **state) {
    (void)state;
    Params p = {0};
    /* add1 has few problems, so later steps ask prompts of earlier ones again:
     * the duplicate and per-prompt counts must survive the resume too */
    param(&p, "task", "add1");
    param(&p, "keep", "b1_even+b2_even");
    param(&p, "n_prompts", "30");
    param(&p, "pps", "10");
    param(&p, "k", "2");
    param(&p, "per_prompt", "1");
    ScriptPipeline *s = load(&p);
    int samp = graph_find(&g, "samp");
    char a[128], b[128], fa[256], fb[256];
    snprintf(a, sizeof a, "%s/whole", tmp);
    snprintf(b, sizeof b, "%s/stopped", tmp);
    Watch w = {0};
    run_in(a, true, &w);
    assert_int_equal(w.final[samp], STAGE_DONE);

    Watch s1 = {.stop_stage = samp, .stop_at = 1};
    run_in(b, true, &s1);
    assert_int_equal(s1.final[samp], STAGE_STOPPED);
    snprintf(fb, sizeof fb, "%s/samp/dataset.csv", b);
    assert_null(fopen(fb, "r"));
    /* As if the process died after step 2 logged rows past the resume point:
     * the resumed run must drop them and take step 2 again. */
    append(b, "kept.csv", "2,add1,digits,<bos>x,yy,1,samp,0,0,0,2\n");
    append(b, "metrics.csv", "2,8,1,3,4,0,0,9,9,0.5\n");
    Watch s2 = {0};
    run_in(b, false, &s2);
    assert_int_equal(s2.final[samp], STAGE_DONE);
    assert_int_equal(s2.resumed_from[samp], 1);
    script_pipeline_free(s);
    const char *files[] = {"dataset.csv", "metrics.csv"};
    for (int i = 0; i < 2; i++) {
        snprintf(fa, sizeof fa, "%s/samp/%s", a, files[i]);
        snprintf(fb, sizeof fb, "%s/samp/%s", b, files[i]);
        tf_assert_same_file(fa, fb);
    }
    /* and it is a real comparison: three steps with rows kept */
    CsvTable m;
    snprintf(fa, sizeof fa, "%s/samp/metrics.csv", a);
    assert_int_equal(csvio_read(fa, &m, err, sizeof err), 0);
    assert_int_equal(m.nrows, 3);
    assert_true(sum(&m, "kept") > 0);
    csvio_free(&m);
}

static int setup(void **state) {
    (void)state;
    engine_set_threads(1);
    if (tf_scratch(tmp, sizeof tmp, "r1sim-sample")) return -1;
    snprintf(script_path, sizeof script_path, "%s/sample.lua", tmp);
    snprintf(general_path, sizeof general_path, "%s/general.csv", tmp);
    FILE *f = fopen(script_path, "w");
    if (!f || fputs(script_text, f) < 0 || fclose(f)) return -1;
    f = fopen(general_path, "w");
    if (!f || fputs(general_csv, f) < 0 || fclose(f)) return -1;
    return 0;
}

static int teardown(void **state) {
    (void)state;
    return tf_remove(tmp);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keep_is_a_conjunction),
        cmocka_unit_test(test_filter_error_fails_the_stage),
        cmocka_unit_test(test_duplicates_are_dropped),
        cmocka_unit_test(test_per_prompt_cap),
        cmocka_unit_test(test_general_ratio_and_round_trip),
        cmocka_unit_test(test_sft_reads_two_datasets),
        cmocka_unit_test(test_resume_matches_uninterrupted),
    };
    return cmocka_run_group_tests_name("pipeline_sample", tests, setup, teardown);
}
