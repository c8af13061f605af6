/* The r1sim binary as a user runs it: init, score, sample, and refusal of
 * damaged checkpoints with a one-line error and exit status 2. The binary is
 * found through $R1SIM (set by `make test`), else ./r1sim. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_harness.h"

static int setup(void **state) {
    (void)state;
    return bin_setup("r1sim-cli");
}

static int teardown(void **state) {
    (void)state;
    return bin_teardown();
}

static void init_model(const char *name) {
    char cmd[512], out[256], err[512];
    snprintf(cmd, sizeof cmd, "%s init --layers 2 --dim 32 --heads 4 --ctx 48 --seed 3 -o %s/%s",
             bin_path, bin_dir, name);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 0);
}

static void score_prints_one_row_per_token_after_the_first(void **state) {
    init_model("m.bin");
    char cmd[512], out[8192], err[512];
    snprintf(cmd, sizeof cmd, "printf '12+3\\n<think>\\n' | %s score %s/m.bin", bin_path, bin_dir);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 0);
    /* line 1: <bos> 1 2 + 3 -> 4 rows; line 2: <bos> <think> -> 1 row */
    int rows = 0, line, pos, id;
    char tok[32];
    float lp;
    const char *p = out;
    int expect_line[] = {1, 1, 1, 1, 2}, expect_pos[] = {1, 2, 3, 4, 1};
    const char *expect_tok[] = {"1", "2", "+", "3", "<think>"};
    while (sscanf(p, "%d\t%d\t%d\t%31[^\t]\t%f", &line, &pos, &id, tok, &lp) == 5) {
        assert_true(rows < 5);
        assert_int_equal(line, expect_line[rows]);
        assert_int_equal(pos, expect_pos[rows]);
        assert_string_equal(tok, expect_tok[rows]);
        assert_true(lp < 0.0f && lp > -20.0f);
        rows++;
        p = strchr(p, '\n');
        if (!p) break;
        p++;
    }
    assert_int_equal(rows, 5);
}

static void score_refuses_characters_outside_the_vocabulary(void **state) {
    init_model("m.bin");
    char cmd[512], out[4096], err[512];
    snprintf(cmd, sizeof cmd, "printf '1+1\\nHELLO\\n' | %s score %s/m.bin", bin_path, bin_dir);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 2);
    assert_non_null(strstr(err, "stdin:2"));
}

/* A NUL would end the line early for the encoder; the line is refused
 * instead of being scored shorter than given. */
static void score_refuses_a_nul_byte(void **state) {
    init_model("m.bin");
    char cmd[512], out[4096], err[512];
    snprintf(cmd, sizeof cmd, "printf '1+1\\n2\\0003\\n' | %s score %s/m.bin", bin_path, bin_dir);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 2);
    assert_string_equal(err, "r1sim score: stdin:2: NUL byte at byte 2 of the line\n");
}

static void sample_is_reproducible_for_a_seed(void **state) {
    init_model("m.bin");
    char cmd[512], a[4096], b[4096], err[512];
    snprintf(cmd, sizeof cmd, "%s sample %s/m.bin --prompt 'user: 1+2?' -n 12 --samples 3 --seed 9",
             bin_path, bin_dir);
    assert_int_equal(bin_run(cmd, a, sizeof a, err, sizeof err), 0);
    assert_int_equal(bin_run(cmd, b, sizeof b, err, sizeof err), 0);
    assert_string_equal(a, b);
    assert_non_null(strstr(a, "<bos>user: 1+2?"));
}

static void bad_options_are_named(void **state) {
    char cmd[512], out[256], err[512];
    snprintf(cmd, sizeof cmd, "%s init --layers x --dim 8 --heads 2 --ctx 8 -o %s/y.bin", bin_path,
             bin_dir);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 2);
    assert_non_null(strstr(err, "--layers"));
    snprintf(cmd, sizeof cmd, "%s init --layers 1 --dim 10 --heads 3 --ctx 8 -o %s/y.bin", bin_path,
             bin_dir);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 2);
    assert_non_null(strstr(err, "multiple of n_head"));
    snprintf(cmd, sizeof cmd, "%s bench --config X", bin_path);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 2);
    assert_non_null(strstr(err, "--config"));
    snprintf(cmd, sizeof cmd, "%s frobnicate", bin_path);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 2);
}

/* Damages a fresh checkpoint with a shell command (given the path as $F)
 * and expects score and sample to refuse it: exit 2, one line on stderr
 * naming the file and containing `expect`. */
static void expect_refused(const char *damage, const char *expect) {
    init_model("d.bin");
    char cmd[1024], out[256], err[1024];
    snprintf(cmd, sizeof cmd, "F=%s/d.bin; %s", bin_dir, damage);
    assert_int_equal(system(cmd), 0);
    const char *uses[] = {"echo 1+1 | %s score %s/d.bin", "%s sample %s/d.bin --prompt 1"};
    for (int u = 0; u < 2; u++) {
        snprintf(cmd, sizeof cmd, uses[u], bin_path, bin_dir);
        int rc = bin_run(cmd, out, sizeof out, err, sizeof err);
        if (rc != 2) fail_msg("'%s' after '%s': exit %d, stderr: %s", cmd, damage, rc, err);
        char *nl = strchr(err, '\n');
        if (!nl || nl[1] != '\0') fail_msg("not one line: '%s'", err);
        if (!strstr(err, expect) || !strstr(err, "d.bin"))
            fail_msg("'%s' lacks '%s' or the file name", err, expect);
    }
}

static void damaged_checkpoints_exit_2_with_one_line(void **state) {
    expect_refused("truncate -s -5 $F", "truncated");
    expect_refused("truncate -s 10 $F", "truncated header");
    expect_refused("printf 'XXXX' | dd of=$F bs=1 seek=0 conv=notrunc status=none",
                   "not an r1sim checkpoint");
    expect_refused("printf '\\377' | dd of=$F bs=1 seek=3000 conv=notrunc status=none", "CRC-32");
    expect_refused("printf '\\377\\377\\377\\177' | dd of=$F bs=1 seek=16 conv=notrunc status=none",
                   "n_layer out of range");
    expect_refused("printf '\\001\\000\\000\\000' | dd of=$F bs=1 seek=12 conv=notrunc status=none",
                   "vocab_size out of range");
    expect_refused(": > $F", "truncated header");
    /* a file of the format before the CRC covered the header */
    expect_refused("printf '\\001' | dd of=$F bs=1 seek=4 conv=notrunc status=none",
                   "unsupported checkpoint version 1");
    expect_refused("printf '\\001' | dd of=$F bs=1 seek=400 conv=notrunc status=none", "CRC-32");
    char cmd[256], out[64], err[512];
    snprintf(cmd, sizeof cmd, "echo 1 | %s score %s/missing.bin", bin_path, bin_dir);
    assert_int_equal(bin_run(cmd, out, sizeof out, err, sizeof err), 2);
    assert_non_null(strstr(err, "missing.bin"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(score_prints_one_row_per_token_after_the_first),
        cmocka_unit_test(score_refuses_characters_outside_the_vocabulary),
        cmocka_unit_test(score_refuses_a_nul_byte),
        cmocka_unit_test(sample_is_reproducible_for_a_seed),
        cmocka_unit_test(bad_options_are_named),
        cmocka_unit_test(damaged_checkpoints_exit_2_with_one_line),
    };
    return cmocka_run_group_tests_name("cli", tests, setup, teardown);
}
