/* The live view end to end: the real binary ($R1SIM) in a detached tmux pane
 * (100x30) on tests/lua/e2e_pipeline.lua with small parameters. It opens paused, asks
 * before quitting a running stage, runs on space, answers keys quickly while
 * a stage trains, draws every box done with a chart, redraws after a resize,
 * shows the help, and q gives the terminal back with exit status 0. The tests
 * share one session and run in order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char sock[64], dir[64], screen[65536];
static bool have_tmux;

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static void sleep_ms(int ms) {
    nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000L}, NULL);
}

static int tmux(const char *fmt, ...) {
    char args[8192], cmd[8400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "tmux -u -L %s %s >/dev/null 2>&1", sock, args);
    return system(cmd);
}

/* The pane's text, one line per row. */
static const char *capture(void) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "tmux -u -L %s capture-pane -p -t e2e 2>/dev/null", sock);
    FILE *p = popen(cmd, "r");
    size_t n = p ? fread(screen, 1, sizeof screen - 1, p) : 0;
    screen[n] = 0;
    if (p) pclose(p);
    return screen;
}

static bool shows(const char *text) {
    return strstr(capture(), text) != NULL;
}

/* Polls the pane every few ms until it shows `text`; false after timeout. */
static bool wait_shows(const char *text, int timeout_ms) {
    double end = now_ms() + timeout_ms;
    while (now_ms() < end) {
        if (shows(text)) return true;
        sleep_ms(5);
    }
    return false;
}

/* cmocka cuts long messages: the pane goes to stderr whole */
static void must_show(const char *text, int timeout_ms) {
    if (wait_shows(text, timeout_ms)) return;
    fprintf(stderr, "pane never showed '%s'; it shows:\n%s\n", text, screen);
    fail();
}

static int count(const char *hay, const char *needle) {
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

static int widest_line(const char *s) {
    int w = 0, cur = 0;
    for (; *s; s++) {
        if (*s == '\n') {
            w = cur > w ? cur : w;
            cur = 0;
        } else if (((unsigned char)*s & 0xC0) != 0x80) {
            cur++; /* a UTF-8 lead byte: one column for everything drawn here */
        }
    }
    return cur > w ? cur : w;
}

static int group_setup(void **state) {
    have_tmux = system("command -v tmux >/dev/null 2>&1") == 0 && getenv("R1SIM");
    if (!have_tmux) return 0;
    snprintf(sock, sizeof sock, "r1sim-e2e-%d", (int)getpid());
    snprintf(dir, sizeof dir, "/tmp/r1sim-e2e-XXXXXX");
    if (!mkdtemp(dir)) return -1;
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd)) return -1;
    /* after r1sim exits the shell prints its status and stays, so the test
     * can read both the restored screen and the status */
    return tmux("new-session -d -s e2e -x 100 -y 30 \"cd '%s' && LANG=C.UTF-8 "
                "R1SIM_KEYLOG='%s/keylog' '%s' run tests/lua/e2e_pipeline.lua -D pretrain_steps=40 "
                "-D sft_steps=4 -D eval_prompts=8 --out '%s/run' --threads 1; "
                "echo r1sim-exit=\\$?; exec sleep 120\"",
                cwd, dir, getenv("R1SIM"), dir) == 0
               ? 0
               : -1;
}

static int group_teardown(void **state) {
    if (!have_tmux) return 0;
    tmux("kill-server");
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void opens_paused_and_asks_before_quitting(void **state) {
    if (!have_tmux) skip();
    must_show("space run/pause", 10000);
    must_show("paused: pretrain", 10000);
    assert_true(shows("eval-cold-start"));
    tmux("send-keys -t e2e q");
    must_show("quit now?", 2000);
    tmux("send-keys -t e2e n");
    must_show("space run/pause", 2000);
    assert_false(shows("quit now?"));
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Every key is answered while pretrain trains: the pane shows its effect (the
 * selected stage's name at the right of the status bar). The latency is
 * printed, not asserted: a timed assertion fails on a loaded machine (median
 * 500 ms with three trainings beside it) and says nothing about the code, so
 * the 100 ms target is measured by hand (R1SIM_KEYLOG, r1sim(1)). */
static void keys_are_answered_quickly_while_training(void **state) {
    if (!have_tmux) skip();
    tmux("send-keys -t e2e Space");
    must_show("running: pretrain", 3000);
    enum { N = 8 };
    double ms[N];
    for (int i = 0; i < N; i++) {
        /* the status bar's right end (capture-pane drops trailing blanks) */
        const char *want = i % 2 ? "pretrain\n" : "eval-base\n";
        double t0 = now_ms();
        tmux("send-keys -t e2e %s", i % 2 ? "BTab" : "Tab");
        double end = t0 + 2000;
        while (now_ms() < end && !strstr(capture(), want)) sleep_ms(1);
        ms[i] = now_ms() - t0;
        if (!strstr(screen, want)) {
            fprintf(stderr, "key %d not answered:\n%s\n", i, screen);
            fail();
        }
        sleep_ms(50);
    }
    qsort(ms, N, sizeof ms[0], cmp_double);
    print_message("key to screen through tmux while training: median %.1f ms, max %.1f ms\n",
                  (ms[N / 2 - 1] + ms[N / 2]) / 2, ms[N - 1]);
}

/* `label` followed by a decimal number, as in a box's "loss 1.234". */
static int has_figure(const char *s, const char *label) {
    for (const char *p = strstr(s, label); p; p = strstr(p + 1, label)) {
        const char *q = p + strlen(label);
        while (*q >= '0' && *q <= '9') q++;
        if (q > p + strlen(label) && *q == '.' && q[1] >= '0' && q[1] <= '9') return 1;
    }
    return 0;
}

static void every_box_reaches_done_with_a_chart(void **state) {
    if (!have_tmux) skip();
    must_show("finished  4/4 stages done", 60000);
    const char *s = capture();
    assert_true(count(s, " done ") + count(s, " done│") + count(s, " done|") >= 4);
    assert_non_null(strstr(s, "pretrain"));
    assert_non_null(strstr(s, "cold-start-sft"));
    assert_true(has_figure(s, "loss "));     /* a box's headline */
    assert_non_null(strstr(s, "pass@1 "));   /* an eval box's headline */
    assert_non_null(strstr(s, "grad norm")); /* the charts of the selected stage */
    assert_non_null(strstr(s, "step 40"));   /* their step axis */
    /* the status line can come one redraw after the title's count */
    must_show("pipeline finished", 5000);
}

static void redraws_after_a_resize(void **state) {
    if (!have_tmux) skip();
    tmux("resize-window -t e2e -x 80 -y 24");
    /* below 100 columns the side panel goes: its chart disappears */
    double end = now_ms() + 3000;
    while (now_ms() < end && (strstr(capture(), "grad norm") || widest_line(screen) > 80))
        sleep_ms(10);
    assert_null(strstr(screen, "grad norm"));
    assert_true(widest_line(screen) <= 80);
    assert_non_null(strstr(screen, "eval-cold-start")); /* names whole while there is room */
    assert_non_null(strstr(screen, "4/4 stages done"));
    assert_non_null(strstr(screen, "space run/pause"));
    assert_null(strstr(screen, "too small"));
    tmux("resize-window -t e2e -x 100 -y 30");
    must_show("grad norm", 3000);
    assert_true(shows("4/4 stages done"));
}

static void question_mark_shows_help(void **state) {
    if (!have_tmux) skip();
    tmux("send-keys -t e2e '?'");
    must_show("any key closes this help", 2000);
    assert_true(shows("run / pause the pipeline"));
    tmux("send-keys -t e2e Escape");
    double end = now_ms() + 2000;
    while (now_ms() < end && shows("any key closes")) sleep_ms(10);
    assert_false(shows("any key closes"));
}

static void q_exits_and_restores_the_terminal(void **state) {
    if (!have_tmux) skip();
    tmux("send-keys -t e2e q");
    must_show("r1sim-exit=0", 10000);
    const char *s = capture();
    /* the view's screen is gone: curses left the alternate screen */
    assert_null(strstr(s, "space run/pause"));
    assert_null(strstr(s, "4/4 stages done"));
    /* what went to stderr meanwhile was parked, then replayed */
    assert_non_null(strstr(s, "[4/4] eval-cold-start"));
    assert_non_null(strstr(s, "r1sim run: done"));

    /* the key log: key read to the frame showing it, inside the program */
    char p[128];
    snprintf(p, sizeof p, "%s/keylog", dir);
    FILE *f = fopen(p, "r");
    assert_non_null(f);
    double v[256], busy[256];
    int n = 0, nb = 0, key;
    char line[128];
    while (fgets(line, sizeof line, f) && n < 256) {
        double ms;
        if (sscanf(line, "key %d %lf ms", &key, &ms) != 2) continue;
        v[n++] = ms;
        if (strstr(line, "busy")) busy[nb++] = ms;
    }
    fclose(f);
    assert_true(n >= 8);
    qsort(v, (size_t)n, sizeof v[0], cmp_double);
    qsort(busy, (size_t)nb, sizeof busy[0], cmp_double);
    print_message("key to refresh inside r1sim: median %.2f ms, max %.2f ms over %d keys; "
                  "while training median %.2f ms over %d\n",
                  v[n / 2], v[n - 1], n, nb ? busy[nb / 2] : 0.0, nb);
    assert_true(v[n / 2] < 100);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(opens_paused_and_asks_before_quitting),
        cmocka_unit_test(keys_are_answered_quickly_while_training),
        cmocka_unit_test(every_box_reaches_done_with_a_chart),
        cmocka_unit_test(redraws_after_a_resize),
        cmocka_unit_test(question_mark_shows_help),
        cmocka_unit_test(q_exits_and_restores_the_terminal),
    };
    return cmocka_run_group_tests_name("tui_e2e", tests, group_setup, group_teardown);
}
