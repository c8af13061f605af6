/* Stopping and breaking a run as a user would: signals sent to the r1sim
 * binary while it trains, a second run into a busy run directory, inputs
 * that would block, outputs that cannot be written or no longer load.
 * The deadlines are generous bounds on "ends", not timings: a stop that is
 * not honoured shows as a run still going after them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli_harness.h"

#define SCRIPT "tests/lua/pipe_grpo.lua"

static int setup(void **state) {
    (void)state;
    return bin_setup("r1sim-reliability");
}

static int teardown(void **state) {
    (void)state;
    return bin_teardown();
}

static void pause_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Starts the binary with argv (argv[0] included) and stdout and stderr into
 * LOG. */
static pid_t start_binary(char *const argv[], const char *log) {
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) _exit(99);
        dup2(fd, 1);
        dup2(fd, 2);
        execv(bin_path, argv);
        _exit(98);
    }
    return pid;
}

/* Starts `r1sim run SCRIPT --headless --out RUN -D mode=MODE -D rl_steps=N`
 * with its output into LOG. */
static pid_t start_run(const char *run, const char *mode, const char *steps, const char *log) {
    char m[64], s[64];
    snprintf(m, sizeof m, "mode=%s", mode);
    snprintf(s, sizeof s, "rl_steps=%s", steps);
    char *argv[] = {(char *)bin_path,
                    "run",
                    SCRIPT,
                    "--headless",
                    "--out",
                    (char *)run,
                    "-D",
                    m,
                    "-D",
                    s,
                    NULL};
    return start_binary(argv, log);
}

static char *slurp(const char *path) {
    static char buf[1 << 16];
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f) return buf;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Waits until LOG holds TEXT; false when the deadline passed first. */
static bool wait_for_text(const char *log, const char *text, int deadline_ms) {
    for (int t = 0; t < deadline_ms; t += 20) {
        if (strstr(slurp(log), text)) return true;
        pause_ms(20);
    }
    return false;
}

/* The exit status, or -1 when still running after the deadline (then killed). */
static int wait_exit(pid_t pid, int deadline_ms) {
    int status;
    for (int t = 0; t < deadline_ms; t += 20) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        pause_ms(20);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

/* Starts a run named NAME in the scratch directory and waits until its
 * pretrain stage is done, so that the grpo stage is what the signal meets. */
static pid_t start_past_pretrain(const char *name, const char *mode, const char *steps, char *run,
                                 char *log, size_t cap) {
    snprintf(run, cap, "%s/%s", bin_dir, name);
    snprintf(log, cap, "%s/%s.log", bin_dir, name);
    pid_t pid = start_run(run, mode, steps, log);
    assert_true(wait_for_text(log, "pretrain done", 60000));
    return pid;
}

/* A reward that backtracks for ever inside string.find never reaches the
 * instruction hook; the stop still ends the run, keeping the finished stage. */
static void stop_ends_a_reward_stuck_in_a_library_call(void **state) {
    (void)state;
    char run[256], log[256];
    pid_t pid = start_past_pretrain("stuck", "stuck", "5", run, log, sizeof run);
    assert_true(wait_for_text(log, "into the pattern match", 60000));
    kill(pid, SIGINT);
    assert_int_equal(wait_exit(pid, 10000), 130);
    assert_non_null(strstr(slurp(log), "a script function has not returned since the stop"));
    char done[300];
    snprintf(done, sizeof done, "%s/pretrain/model.ckpt", run);
    assert_int_equal(access(done, F_OK), 0);
}

/* A second Ctrl-C does not wait for the first one's consistent point. */
static void second_interrupt_ends_at_once(void **state) {
    (void)state;
    char run[256], log[256];
    pid_t pid = start_past_pretrain("twice", "stuck", "5", run, log, sizeof run);
    assert_true(wait_for_text(log, "into the pattern match", 60000));
    kill(pid, SIGINT);
    pause_ms(50); /* two signals pending at once would be delivered as one */
    kill(pid, SIGINT);
    assert_int_equal(wait_exit(pid, 10000), 130);
    const char *out = slurp(log);
    assert_non_null(strstr(out, "interrupted again; ending now"));
}

/* A stop during training writes a resume point and exits 1; the same command
 * continues from it. */
static void stop_during_grpo_resumes(void **state) {
    (void)state;
    char run[256], log[256];
    pid_t pid = start_past_pretrain("resume", "ok", "100000", run, log, sizeof run);
    pause_ms(500);
    kill(pid, SIGTERM);
    assert_int_equal(wait_exit(pid, 10000), 1);
    assert_non_null(strstr(slurp(log), "stopped; run the same command again to resume"));
    char p[300];
    snprintf(p, sizeof p, "%s/zero/resume", run);
    assert_int_equal(access(p, F_OK), 0);
}

/* Two runs into one directory: the second is refused while the first runs,
 * and the leftovers of a killed run are swept by the next one. */
static void busy_run_directory_is_refused(void **state) {
    (void)state;
    char run[256], log[256], log2[256];
    pid_t pid = start_past_pretrain("busy", "ok", "100000", run, log, sizeof run);
    snprintf(log2, sizeof log2, "%s/busy2.log", bin_dir);
    pid_t second = start_run(run, "ok", "100000", log2);
    assert_int_equal(wait_exit(second, 10000), 1);
    assert_non_null(strstr(slurp(log2), "is in use by another r1sim run (pid "));
    kill(pid, SIGKILL);
    wait_exit(pid, 10000);

    char stray[300];
    snprintf(stray, sizeof stray, "%s/zero/resume-7.ckpt.tmp.12345", run);
    bin_write("busy/zero", "resume-7.ckpt.tmp.12345", "half a checkpoint");
    pid = start_run(run, "ok", "100000", log);
    /* "removed N temporary files": the killed run may have been writing one
     * of its own (a resume point, samples.csv) besides the one made here */
    assert_true(wait_for_text(log, "left by a run that was killed", 60000));
    assert_non_null(strstr(slurp(log), "r1sim run: removed "));
    kill(pid, SIGINT);
    wait_exit(pid, 10000);
    assert_int_not_equal(access(stray, F_OK), 0);
}

/* A cached checkpoint damaged since is rebuilt, with a note, rather than
 * failing every later run of the stages that read it. */
static void damaged_cached_output_is_rebuilt(void **state) {
    (void)state;
    char run[256], log[256], ckpt[300];
    snprintf(run, sizeof run, "%s/damaged", bin_dir);
    snprintf(log, sizeof log, "%s/damaged.log", bin_dir);
    assert_int_equal(wait_exit(start_run(run, "ok", "2", log), 60000), 0);
    snprintf(ckpt, sizeof ckpt, "%s/pretrain/model.ckpt", run);
    FILE *f = fopen(ckpt, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, 2000, SEEK_SET), 0);
    fputs("garbage", f);
    fclose(f);
    assert_int_equal(wait_exit(start_run(run, "ok", "3", log), 60000), 0);
    const char *out = slurp(log);
    assert_non_null(strstr(out, "stage 'pretrain': its cached output no longer loads"));
    assert_non_null(strstr(out, "rebuilding it"));
    assert_non_null(strstr(out, "done; results in"));
}

/* A run whose eval.csv cannot be written has not done what it says: it
 * exits non-zero, naming the file. A directory in its place makes the final
 * rename fail even for root. */
static void unwritable_eval_csv_fails_the_run(void **state) {
    (void)state;
    char run[256], log[256], eval[300];
    snprintf(run, sizeof run, "%s/noeval", bin_dir);
    snprintf(log, sizeof log, "%s/noeval.log", bin_dir);
    snprintf(eval, sizeof eval, "%s/eval.csv", run);
    assert_int_equal(mkdir(run, 0755), 0);
    assert_int_equal(mkdir(eval, 0755), 0);
    assert_int_equal(wait_exit(start_run(run, "ok", "2", log), 60000), 1);
    const char *out = slurp(log);
    assert_non_null(strstr(out, "eval.csv"));
    assert_null(strstr(out, "done; results in"));
}

/* A script call stuck inside one library call with nobody asking for a
 * stop (a sweep overnight): the watchdog ends it some seconds past the
 * per-call time limit, with exit 1 and a line saying why, instead of the
 * run hanging for ever. Here in the script's main chunk, at load. */
static void a_stuck_call_ends_without_a_stop(void **state) {
    (void)state;
    bin_write("hang", "s.lua",
              "string.find(string.rep('a', 5000), '.-.-.-.-b')\n"
              "r1sim.stage{kind = 'pretrain', name = 'p', options = {steps = 2}}\n");
    char log[256], script[256];
    snprintf(log, sizeof log, "%s/hang.log", bin_dir);
    snprintf(script, sizeof script, "%s/hang/s.lua", bin_dir);
    char *argv[] = {(char *)bin_path, "run", script, "--dry-run", NULL};
    assert_int_equal(wait_exit(start_binary(argv, log), 60000), 1);
    assert_non_null(strstr(slurp(log), "a script function has run for 12 s inside one Lua "
                                       "library call"));
}

/* Opening a fifo blocks until a writer comes; it is refused unopened. */
static void fifo_script_is_refused(void **state) {
    (void)state;
    char fifo[256], cmd[600];
    snprintf(fifo, sizeof fifo, "%s/script.lua", bin_dir);
    assert_int_equal(mkfifo(fifo, 0644), 0);
    snprintf(cmd, sizeof cmd, "%s run %s --headless --out %s/f", bin_path, fifo, bin_dir);
    bin_refused(cmd, "not a regular file (a fifo)");
    snprintf(cmd, sizeof cmd, "%s run %s --headless --out %s/f -D mode=x", bin_path, "/dev/zero",
             bin_dir);
    bin_refused(cmd, "/dev/zero: not a regular file (a character device)");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(stop_ends_a_reward_stuck_in_a_library_call, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(second_interrupt_ends_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(stop_during_grpo_resumes, setup, teardown),
        cmocka_unit_test_setup_teardown(busy_run_directory_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(fifo_script_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(a_stuck_call_ends_without_a_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(damaged_cached_output_is_rebuilt, setup, teardown),
        cmocka_unit_test_setup_teardown(unwritable_eval_csv_fails_the_run, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
