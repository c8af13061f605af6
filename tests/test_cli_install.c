/* An installed r1sim runs from anywhere: `make install` into a scratch
 * PREFIX, then the installed binary, from a directory that holds nothing of
 * r1sim's, finds its shipped scripts by name, their Lua modules and their
 * data files; a user's script finds the files beside it; a missing file
 * says where it was looked for. The binary is found through $R1SIM (set by
 * `make test`): its directory is the build the install is made from. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_harness.h"

static char prefix[PATH_MAX], installed[PATH_MAX + 16], elsewhere[PATH_MAX + 16];

static int setup(void **state) {
    (void)state;
    if (bin_setup("r1sim-install")) return -1;
    /* real: TREE/BUILD/r1sim */
    char real[PATH_MAX];
    if (!realpath(bin_path, real)) return -1;
    char *slash = strrchr(real, '/');
    if (!slash) return -1;
    *slash = '\0';
    slash = strrchr(real, '/');
    if (!slash) return -1;
    *slash = '\0';
    const char *tree = real, *build = slash + 1;
    snprintf(prefix, sizeof prefix, "%s/prefix", bin_dir);
    char cmd[4 * PATH_MAX], out[4096], err[4096];
    snprintf(cmd, sizeof cmd, "make -s --no-print-directory -C %s install PREFIX=%s BUILD=%s", tree,
             prefix, build);
    if (bin_run(cmd, out, sizeof out, err, sizeof err) != 0) {
        fprintf(stderr, "%s failed: %s\n", cmd, err);
        return -1;
    }
    snprintf(installed, sizeof installed, "%s/bin/r1sim", prefix);
    snprintf(elsewhere, sizeof elsewhere, "%s/elsewhere", bin_dir);
    bin_write("elsewhere", ".keep", "");
    return 0;
}

static int teardown(void **state) {
    (void)state;
    return bin_teardown();
}

static void paths_name_the_installed_share_directory(void **state) {
    (void)state;
    char cmd[4 * PATH_MAX], out[4096], want[PATH_MAX + 64];
    snprintf(cmd, sizeof cmd, "cd %s && %s paths", elsewhere, installed);
    bin_ok(cmd, out, sizeof out);
    snprintf(want, sizeof want, "share directory  %s/share/r1sim (installed)\n", prefix);
    assert_non_null(strstr(out, want));
    snprintf(cmd, sizeof cmd, "%s --version", installed);
    bin_ok(cmd, out, sizeof out);
    assert_memory_equal(out, "r1sim ", 6);
}

/* A shipped script by name (with and without .lua, with and without `run`):
 * its require()s and its data/ inputs resolve, so the dry run, which opens
 * every input file and checks its columns, passes. */
static void shipped_scripts_run_by_name(void **state) {
    (void)state;
    const char *forms[] = {"run quick", "run quick.lua", "quick.lua", "run r1"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        char cmd[4 * PATH_MAX], out[16384], err[4096];
        snprintf(cmd, sizeof cmd, "cd %s && %s %s --dry-run", elsewhere, installed, forms[i]);
        int rc = bin_run(cmd, out, sizeof out, err, sizeof err);
        if (rc != 0) fail_msg("'%s': exit %d: %s", forms[i], rc, err);
        assert_non_null(strstr(out, "cold-start"));
    }
}

/* A shipped ablation by name, from anywhere: its sweep file and the script
 * it names are found among the installed files. */
static void shipped_ablations_list_by_name(void **state) {
    (void)state;
    char cmd[4 * PATH_MAX], out[16384], err[4096];
    snprintf(cmd, sizeof cmd, "cd %s && %s sweep beta.sweep --list --out b", elsewhere, installed);
    int rc = bin_run(cmd, out, sizeof out, err, sizeof err);
    if (rc != 0) fail_msg("exit %d: %s", rc, err);
    int lines = 0;
    for (char *p = out; *p; p++) lines += *p == '\n';
    assert_int_equal(lines, 9); /* 3 values x 3 seeds */
    char want[2 * PATH_MAX];
    snprintf(want, sizeof want,
             " run %s/share/r1sim/lua/r1_zero.lua --headless --seed 3 -D beta=0.4", prefix);
    assert_non_null(strstr(out, want));
}

/* A user's script in a directory of its own, run from another one: an input
 * beside the script and a shipped data file both reach the stage that reads
 * them (a real run, two steps each). */
static void a_script_finds_files_beside_it_and_shipped_ones(void **state) {
    (void)state;
    bin_write("exp", "mine.csv",
              "prompt,completion\n"
              "<bos>user: 12+34? assistant: <think>,2+4=06. 1+3=04. so 46</think>"
              "<answer>46</answer><eos>\n");
    bin_write("exp", "mine.lua",
              "local b = r1sim.stage{kind = 'pretrain', name = 'p', options = {steps = 2,\n"
              "  d_model = 16, n_layer = 1, n_head = 2, context = 160, seq_len = 32,\n"
              "  batch_size = 2, task = 'add2'}}\n"
              "r1sim.stage{kind = 'sft', name = 'own', options = {steps = 2, batch_size = 2},\n"
              "  inputs = {policy = b, dataset = 'mine.csv'}}\n"
              "r1sim.stage{kind = 'sft', name = 'shipped', options = {steps = 2, batch_size = 2},\n"
              "  inputs = {policy = b, dataset = 'data/coldstart.csv'}}\n");
    char cmd[4 * PATH_MAX], out[16384], err[8192];
    snprintf(cmd, sizeof cmd, "cd %s && %s run ../exp/mine.lua --headless --out run --threads 1",
             elsewhere, installed);
    int rc = bin_run(cmd, out, sizeof out, err, sizeof err);
    if (rc != 0) fail_msg("exit %d: %s", rc, err);
    char done[PATH_MAX + 64];
    snprintf(done, sizeof done, "%s/run/shipped/model.ckpt", elsewhere);
    assert_int_equal(access(done, F_OK), 0);
    snprintf(done, sizeof done, "%s/run/own/model.ckpt", elsewhere);
    assert_int_equal(access(done, F_OK), 0);
}

static void a_missing_file_says_where_it_was_looked_for(void **state) {
    (void)state;
    bin_write("exp", "missing.lua",
              "local b = r1sim.stage{kind = 'pretrain', name = 'p', options = {steps = 2,\n"
              "  d_model = 16, n_layer = 1, n_head = 2, context = 64, seq_len = 32}}\n"
              "r1sim.stage{kind = 'sft', name = 's', inputs = {policy = b, dataset = 'no.csv'}}\n");
    char cmd[4 * PATH_MAX], want[4 * PATH_MAX];
    snprintf(cmd, sizeof cmd, "cd %s && %s run ../exp/missing.lua --dry-run", elsewhere, installed);
    snprintf(want, sizeof want,
             "missing.lua:3: stage 's': input file 'no.csv': No such file or directory (looked "
             "in ., ../exp, %s/share/r1sim)",
             prefix);
    bin_refused(cmd, want);
    snprintf(cmd, sizeof cmd, "cd %s && %s run nothing-of-that-name", elsewhere, installed);
    snprintf(want, sizeof want, "nor a shipped script of that name in %s/share/r1sim/lua", prefix);
    bin_refused(cmd, want);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(paths_name_the_installed_share_directory),
        cmocka_unit_test(shipped_scripts_run_by_name),
        cmocka_unit_test(shipped_ablations_list_by_name),
        cmocka_unit_test(a_script_finds_files_beside_it_and_shipped_ones),
        cmocka_unit_test(a_missing_file_says_where_it_was_looked_for),
    };
    return cmocka_run_group_tests_name("cli_install", tests, setup, teardown);
}
