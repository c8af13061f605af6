/* The shipped data/ files: no training prompt is a held-out eval problem, the
 * files are exactly what `r1sim make-data` writes today (so they cannot drift
 * from the generators), they pass the checker, and damaged files are reported
 * as file:line. Run from the repository root (as `make test` does), or with
 * $R1SIM_DATA naming the data directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_data.h"
#include "world/csvio.h"
#include "world/cipher.h"
#include "world/completion.h"
#include "world/cot_check.h"
#include "world/evalset.h"
#include "world/general.h"
#include "world/preference.h"
#include "world/template.h"
#include "world/tokenizer.h"
#include "file_helpers.h"

static const char *data_dir;
static char tmp[64];

static int setup(void **state) {
    data_dir = getenv("R1SIM_DATA");
    if (!data_dir || !*data_dir) data_dir = "data";
    strcpy(tmp, "/tmp/r1sim-data-XXXXXX");
    return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    return system(cmd);
}

static void read_table(const char *dir, const char *name, CsvTable *t) {
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (csvio_read(path, t, err, sizeof err) != 0) fail_msg("%s", err);
}

static void training_prompts_are_never_eval_prompts(void **state) {
    static const char *const training[] = {"coldstart.csv", "coldstart_pair4.csv", "general.csv",
                                           "preferences.csv"};
    for (size_t f = 0; f < sizeof training / sizeof training[0]; f++) {
        CsvTable t;
        read_table(data_dir, training[f], &t);
        int col = csvio_col(&t, "prompt");
        assert_true(col >= 0);
        assert_true(t.nrows >= 100);
        for (size_t r = 0; r < t.nrows; r++)
            if (world_is_eval_prompt(csvio_cell(&t, r, (size_t)col)))
                fail_msg("%s:%d: eval prompt %s", training[f], t.lines[r],
                         csvio_cell(&t, r, (size_t)col));
        csvio_free(&t);
    }
    /* and the eval sets hold nothing else */
    for (int i = 0; cli_data_file(i); i++) {
        if (strncmp(cli_data_file(i), "eval_", 5) != 0) continue;
        CsvTable t;
        read_table(data_dir, cli_data_file(i), &t);
        int col = csvio_col(&t, "prompt");
        assert_true(col >= 0 && t.nrows > 0);
        for (size_t r = 0; r < t.nrows; r++)
            assert_true(world_is_eval_prompt(csvio_cell(&t, r, (size_t)col)));
        csvio_free(&t);
    }
}

/* A few hundred readable rows, both scripts, each thought in its prompt's script. */
static void cold_start_is_curated(void **state) {
    CsvTable t;
    read_table(data_dir, "coldstart.csv", &t);
    int pc = csvio_col(&t, "prompt"), cc = csvio_col(&t, "completion"),
        sc = csvio_col(&t, "script");
    assert_true(pc >= 0 && cc >= 0 && sc >= 0);
    assert_true(t.nrows >= 200 && t.nrows <= 1000);
    int cipher = 0, waits = 0;
    for (size_t r = 0; r < t.nrows; r++) {
        CompletionParts parts;
        assert_true(completion_parse(csvio_cell(&t, r, (size_t)cc), &parts));
        WorldScript s;
        assert_int_equal(cipher_script_from_name(csvio_cell(&t, r, (size_t)sc), &s), 0);
        assert_true(completion_script_share(parts.thought, parts.thought_len, s, NULL) == 1.0);
        cipher += s == WORLD_CIPHER;
        waits += completion_count_word(parts.thought, parts.thought_len, "wait") > 0;
    }
    assert_int_equal(cipher * 2, (int)t.nrows);
    assert_true(waits > 0 && waits < (int)t.nrows / 2); /* some checks catch a slip */
    csvio_free(&t);
}

/* The pair world's cold start: whole searches in one script, every length of
 * search from a first-try hit to the last pair, each within what GRPO
 * samples, never a guess. */
static void pair_cold_start_is_whole_searches(void **state) {
    CsvTable t;
    read_table(data_dir, "coldstart_pair4.csv", &t);
    int cols[5];
    static const char *const names[] = {"task", "script", "prompt", "completion", "answer"};
    char err[512];
    if (csvio_cols(&t, names, 5, cols, err, sizeof err) != 0) fail_msg("%s", err);
    assert_int_equal(t.nrows, 400);
    int cipher = 0, by_misses[6] = {0};
    for (size_t r = 0; r < t.nrows; r++) {
        const char *c[5];
        for (int j = 0; j < 5; j++) c[j] = csvio_cell(&t, r, (size_t)cols[j]);
        assert_string_equal(c[0], "pair4");
        char q[64], why[256];
        Problem p;
        WorldScript s;
        CompletionParts parts;
        assert_true(tmpl_question(c[2], q, sizeof q) > 0);
        assert_int_equal(task_parse_prompt(q, &p), 0);
        assert_int_equal(cipher_script_from_name(c[1], &s), 0);
        assert_int_equal(s, p.script);
        assert_true(completion_parse(c[3], &parts));
        assert_true(task_verify_span(&p, parts.answer, parts.answer_len));
        assert_string_equal(c[4], p.answer);
        if (cot_check_pair_search(&p, s, parts.thought, parts.thought_len, why, sizeof why) != 0)
            fail_msg("coldstart_pair4.csv:%d: %s", t.lines[r], why);
        assert_int_equal(completion_count_word(parts.thought, parts.thought_len, "guess"), 0);
        assert_true(tok_encode(c[3], NULL, 0, NULL) <= 96);
        cipher += s == WORLD_CIPHER;
        by_misses[completion_count_word(parts.thought, parts.thought_len, "wait")]++;
    }
    assert_int_equal(cipher * 2, (int)t.nrows);
    for (int m = 0; m < 6; m++) assert_true(by_misses[m] >= 20);
    csvio_free(&t);
}

static int tokens(const char *s) {
    return tok_encode(s, NULL, 0, NULL);
}

/* 3000 train and 500 held-out pairs, the reasons in equal numbers, every kind
 * in both splits, held-out questions new, the answer alone telling chosen from
 * rejected, and lengths matched except for longer_wrong. */
static void preferences_are_balanced_held_out_and_length_matched(void **state) {
    CsvTable t;
    read_table(data_dir, "preferences.csv", &t);
    static const char *const names[] = {"split", "kind", "prompt", "chosen", "rejected", "reason"};
    int cols[6];
    char err[512];
    if (csvio_cols(&t, names, 6, cols, err, sizeof err) != 0) fail_msg("%s", err);
    int count[2][PREF_NUM_REASONS] = {{0}}, kinds[2][GEN_NUM_KINDS] = {{0}};
    double len[2][PREF_NUM_REASONS] = {{0}}; /* chosen, rejected */
    for (size_t r = 0; r < t.nrows; r++) {
        const char *c[6];
        for (int j = 0; j < 6; j++) c[j] = csvio_cell(&t, r, (size_t)cols[j]);
        int held = strcmp(c[0], "heldout") == 0;
        assert_true(held || strcmp(c[0], "train") == 0);
        PrefReason why;
        assert_int_equal(pref_reason_from_name(c[5], &why), 0);
        char q[64];
        GeneralItem it;
        assert_true(tmpl_question(c[2], q, sizeof q) > 0);
        assert_int_equal(general_parse_prompt(q, &it), 0);
        assert_string_equal(general_kind_name(it.kind), c[1]);
        if (!general_helpful(&it, c[3]) || general_helpful(&it, c[4]))
            fail_msg("preferences.csv:%d: chosen not helpful or rejected helpful", t.lines[r]);
        CompletionParts rp;
        completion_parse(c[4], &rp);
        if (why != PREF_RAMBLING) assert_false(general_verify_span(&it, rp.answer, rp.answer_len));
        int np = tokens(c[2]), nc = tokens(c[3]), nr = tokens(c[4]);
        assert_true(nc <= 96 && nr <= 96 && np + nc <= 128 && np + nr <= 128);
        if (why == PREF_LONGER_WRONG) assert_true(nr >= nc + PREF_LONGER_MARGIN);
        count[held][why]++;
        kinds[held][it.kind]++;
        len[0][why] += nc;
        len[1][why] += nr;
        /* held-out questions are not asked in train */
        if (held)
            for (size_t k = 0; k < t.nrows; k++)
                if (strcmp(csvio_cell(&t, k, (size_t)cols[0]), "train") == 0 &&
                    strcmp(csvio_cell(&t, k, (size_t)cols[2]), c[2]) == 0)
                    fail_msg("preferences.csv:%d: held-out prompt in train", t.lines[r]);
    }
    for (int w = 0; w < PREF_NUM_REASONS; w++) {
        assert_int_equal(count[0][w], 750);
        assert_int_equal(count[1][w], 125);
        double gap = (len[1][w] - len[0][w]) / (count[0][w] + count[1][w]);
        if (w == PREF_LONGER_WRONG ? gap < PREF_LONGER_MARGIN : gap < -1.5 || gap > 1.5)
            fail_msg("%s: rejected is %.1f tokens longer on average", pref_reason_name(w), gap);
    }
    for (int k = 0; k < GEN_NUM_KINDS; k++) assert_true(kinds[0][k] >= 300 && kinds[1][k] >= 50);
    csvio_free(&t);
}

static void shipped_files_pass_the_checker(void **state) {
    char err[512] = "";
    if (cli_data_check(data_dir, NULL, err, sizeof err) != 0) fail_msg("%s", err);
}

static void shipped_files_equal_what_make_data_writes(void **state) {
    char err[512] = "";
    if (cli_data_write(tmp, NULL, err, sizeof err) != 0) fail_msg("%s", err);
    for (int i = 0; cli_data_file(i); i++) {
        char a[512], b[512];
        snprintf(a, sizeof a, "%s/%s", data_dir, cli_data_file(i));
        snprintf(b, sizeof b, "%s/%s", tmp, cli_data_file(i));
        size_t na = 0, nb = 0;
        FILE *shipped = fopen(a, "rb");
        if (!shipped) fail_msg("%s is missing; run `r1sim make-data %s`", a, data_dir);
        fclose(shipped);
        char *x = tf_slurp(a, &na), *y = tf_slurp(b, &nb);
        if (na != nb || memcmp(x, y, na) != 0)
            fail_msg("%s differs from what make-data writes now; rerun `r1sim make-data %s`", a,
                     data_dir);
        free(x);
        free(y);
    }
}

/* Writes text to tmp/name and expects the checker to fail naming `expect`. */
static void expect_refused(const char *name, const char *text, const char *expect) {
    char path[512], err[512] = "";
    snprintf(path, sizeof path, "%s/%s", tmp, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(cli_data_check_file(path, err, sizeof err), -1);
    if (!strstr(err, expect)) fail_msg("expected '%s' in: %s", expect, err);
    char whole[600];
    snprintf(whole, sizeof whole, "%s:", path);
    if (!strstr(err, whole) && !strstr(err, path)) fail_msg("file not named: %s", err);
}

static void damaged_files_name_file_and_line(void **state) {
    static const char good_row[] =
        "copy,<bos>user: copy: plan? assistant: <think>,</think><answer>plan</answer><eos>\n";
    char text[1024];
    /* a wrong column count on line 3 */
    snprintf(text, sizeof text, "kind,prompt,completion\n%scopy,only two\n", good_row);
    expect_refused("general.csv", text, "general.csv:3:");
    /* a quote inside an unquoted field on line 2 */
    snprintf(text, sizeof text, "kind,prompt,completion\ncopy,a\"b,c\n");
    expect_refused("general.csv", text, "general.csv:2:");
    /* an unterminated quote that starts on line 3 */
    snprintf(text, sizeof text, "kind,prompt,completion\n%scopy,\"open,x\n", good_row);
    expect_refused("general.csv", text, "general.csv:3:");
    /* a missing column */
    expect_refused("general.csv", "kind,prompt\ncopy,x\n", "completion");
    /* a wrong answer, on line 3 after a quoted field with a newline on line 2 */
    snprintf(text, sizeof text,
             "kind,prompt,completion\n"
             "copy,<bos>user: copy: plan? assistant: <think>,\"\n"
             "</think><answer>plan</answer><eos>\"\n"
             "copy,<bos>user: copy: plan? assistant: <think>,</think><answer>pla</answer><eos>\n");
    expect_refused("general.csv", text, "general.csv:4:");
}

static void held_out_prompts_in_training_files_are_refused(void **state) {
    Problem p[1];
    assert_int_equal(evalset_generate((TaskSpec){TASK_ADD, 3}, WORLD_DIGITS, 1, p), 1);
    char prompt[64], text[1024];
    tmpl_prompt(p[0].prompt, prompt, sizeof prompt);
    snprintf(text, sizeof text,
             "task,script,prompt,completion,answer\n"
             "add3,digits,%s,so %s. check so %s</think><answer>%s</answer><eos>,%s\n",
             prompt, p[0].answer, p[0].answer, p[0].answer, p[0].answer);
    expect_refused("coldstart.csv", text, "coldstart.csv:2: prompt");
    char err[512];
    snprintf(text, sizeof text, "%s/coldstart.csv", tmp);
    cli_data_check_file(text, err, sizeof err);
    assert_non_null(strstr(err, "held-out"));
    /* and an eval set holding a training problem is refused too */
    expect_refused("eval_add3.csv",
                   "prompt,answer\n<bos>user: 000+000? assistant: <think>,0\n"
                   "<bos>user: 001+000? assistant: <think>,1\n"
                   "<bos>user: 002+000? assistant: <think>,2\n"
                   "<bos>user: 003+000? assistant: <think>,3\n"
                   "<bos>user: 004+000? assistant: <think>,4\n"
                   "<bos>user: 005+000? assistant: <think>,5\n"
                   "<bos>user: 006+000? assistant: <think>,6\n"
                   "<bos>user: 007+000? assistant: <think>,7\n"
                   "<bos>user: 008+000? assistant: <think>,8\n"
                   "<bos>user: 009+000? assistant: <think>,9\n"
                   "<bos>user: 010+000? assistant: <think>,10\n"
                   "<bos>user: 011+000? assistant: <think>,11\n"
                   "<bos>user: 012+000? assistant: <think>,12\n"
                   "<bos>user: 013+000? assistant: <think>,13\n"
                   "<bos>user: 014+000? assistant: <think>,14\n"
                   "<bos>user: 015+000? assistant: <think>,15\n"
                   "<bos>user: 016+000? assistant: <think>,16\n",
                   "is not a held-out problem");
    expect_refused("notes.csv", "a\n1\n", "not a data file");
}

/* Preference rows the checker refuses, each naming file:line. */
static void damaged_preferences_are_refused(void **state) {
    static const char head[] = "split,kind,prompt,chosen,rejected,reason\n";
    static const char good[] = "train,reverse,<bos>user: reverse: plan? assistant: <think>,"
                               "sure.</think><answer>nalp</answer><eos>,"
                               "sure.</think><answer>plan</answer><eos>,wrong\n";
    static const struct {
        const char *row, *expect;
    } cases[] = {
        {"dev,reverse,<bos>user: reverse: plan? assistant: <think>,"
         "sure.</think><answer>nalp</answer><eos>,sure.</think><answer>plan</answer><eos>,wrong\n",
         "split 'dev'"},
        {"train,copy,<bos>user: reverse: plan? assistant: <think>,"
         "sure.</think><answer>nalp</answer><eos>,sure.</think><answer>plan</answer><eos>,wrong\n",
         "kind is 'copy'"},
        {"train,reverse,<bos>user: reverse: plan? assistant: <think>,"
         "sure.</think><answer>nalp</answer><eos>,sure.</think><answer>plan</answer><eos>,rude\n",
         "reason 'rude'"},
        {"train,reverse,<bos>user: reverse: plan? assistant: <think>,"
         "sure.</think><answer>nalp</answer><eos>,sure.</think><answer>nalp</answer><eos>,wrong\n",
         "which is right"},
        {"train,reverse,<bos>user: reverse: plan? assistant: <think>,"
         "sure.</think><answer>nalp</answer><eos>,\"sure.</think><answer>one, two, three. "
         "nalp</answer><eos>\",wrong\n",
         "rambling, not a wrong answer"},
        {"heldout,reverse,<bos>user: reverse: plan? assistant: <think>,"
         "sure.</think><answer>nalp</answer><eos>,sure.</think><answer>lpan</answer><eos>,wrong\n",
         "held-out prompt '<bos>user: reverse: plan? assistant: <think>' is also a train"},
        {"train,reverse,<bos>user: reverse: plan? assistant: <think>,"
         "sure.</think><answer>nalp</answer><eos>,sure.</think><answer>nalp~</answer><eos>,wrong\n",
         "outside the tokenizer"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[2048];
        snprintf(text, sizeof text, "%s%s%s", head, good, cases[i].row);
        expect_refused("preferences.csv", text, cases[i].expect);
        expect_refused("preferences.csv", text, "preferences.csv:3:");
    }
    /* a completion past the 96 new tokens */
    char text[2048];
    snprintf(
        text, sizeof text,
        "%s%strain,reverse,<bos>user: reverse: plan? assistant: <think>,"
        "sure.</think><answer>nalp</answer><eos>,sure.</think><answer>%s plan</answer><eos>,"
        "longer_wrong\n",
        head, good,
        "nalp nalp nalp nalp nalp nalp nalp nalp nalp nalp nalp nalp nalp nalp nalp nalp nalp");
    expect_refused("preferences.csv", text, "over the 96 new tokens");
}

/* Pair rows that are not whole searches in one script, within budget. */
static void pair_rows_that_are_not_whole_searches_are_refused(void **state) {
    static const struct {
        const char *completion, *expect;
    } cases[] = {
        /* the whole search, for reference: accepted */
        {"3+8=11 wait. 3+5=08 wait. 3+9=12 wait. 8+5=13 wait. 8+9=17 wait. 5+9=14. so 5+9", NULL},
        /* a give-up: stops after two misses and names a pair */
        {"3+8=11 wait. 3+5=08 wait. so 5+9", "try 3 should be '3+9=12'"},
        {"guess 5+9", "try 1 should be '3+8=11'"},
        /* a slip: a wrong sum, even one that is only a miss */
        {"3+8=12 wait. 3+5=08 wait. 3+9=12 wait. 8+5=13 wait. 8+9=17 wait. 5+9=14. so 5+9",
         "try 1 should be '3+8=11'"},
        /* the guessed pair first */
        {"5+9=14. so 5+9", "try 1 should be"},
        /* more after the hit */
        {"3+8=11 wait. 3+5=08 wait. 3+9=12 wait. 8+5=13 wait. 8+9=17 wait. 5+9=14. so 5+9. ok",
         "should end the thought"},
        /* one try in the other script */
        {"3+8=11 wait. d+f=ai wait. 3+9=12 wait. 8+5=13 wait. 8+9=17 wait. 5+9=14. so 5+9",
         "prompt's script"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024], path[512], err[512] = "";
        snprintf(text, sizeof text,
                 "task,script,prompt,completion,answer\n"
                 "pair4,digits,<bos>user: 3859 sum 14? assistant: <think>,\"%s</think>"
                 "<answer>5+9</answer><eos>\",5+9\n",
                 cases[i].completion);
        if (!cases[i].expect) {
            snprintf(path, sizeof path, "%s/coldstart_pair4.csv", tmp);
            FILE *f = fopen(path, "w");
            assert_non_null(f);
            fputs(text, f);
            fclose(f);
            if (cli_data_check_file(path, err, sizeof err) != 0) fail_msg("%s", err);
            continue;
        }
        expect_refused("coldstart_pair4.csv", text, cases[i].expect);
        expect_refused("coldstart_pair4.csv", text, "coldstart_pair4.csv:2:");
    }
    /* a whole search padded past the 96 tokens GRPO samples */
    char text[1024];
    snprintf(text, sizeof text,
             "task,script,prompt,completion,answer\n"
             "pair4,digits,<bos>user: 3859 sum 14? assistant: <think>,3+8=11 wait. 3+5=08 wait. "
             "3+9=12 wait. 8+5=13 wait. 8+9=17 wait. 5+9=14. so 5+9</think>%20s<answer>5+9"
             "</answer><eos>,5+9\n",
             "");
    expect_refused("coldstart_pair4.csv", text, "over the 96 new tokens");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(training_prompts_are_never_eval_prompts),
        cmocka_unit_test(cold_start_is_curated),
        cmocka_unit_test(pair_cold_start_is_whole_searches),
        cmocka_unit_test(preferences_are_balanced_held_out_and_length_matched),
        cmocka_unit_test(shipped_files_pass_the_checker),
        cmocka_unit_test(shipped_files_equal_what_make_data_writes),
        cmocka_unit_test(damaged_files_name_file_and_line),
        cmocka_unit_test(held_out_prompts_in_training_files_are_refused),
        cmocka_unit_test(damaged_preferences_are_refused),
        cmocka_unit_test(pair_rows_that_are_not_whole_searches_are_refused),
    };
    return cmocka_run_group_tests_name("data", tests, setup, teardown);
}
