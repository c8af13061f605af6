#include "cli/sweep_jobs.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stops; /* SIGINT and SIGTERM received */

static void on_stop(int sig) {
    (void)sig;
    stops++;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static pid_t start(const SweepJob *job) {
    pid_t pid = fork();
    if (pid != 0) {
        if (pid > 0) setpgid(pid, pid); /* as the child does: whichever runs first */
        return pid;
    }
    setpgid(0, 0);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    int in = open("/dev/null", O_RDONLY);
    int out = open(job->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0) _exit(127);
    execv(job->argv[0], job->argv);
    _exit(127);
}

int sweep_jobs_run(const SweepJob *jobs, int n, int j, SweepJobEnd on_end, void *ctx) {
    if (j < 1) j = 1;
    pid_t *pid = calloc((size_t)(n > 0 ? n : 1), sizeof *pid);
    double *began = calloc((size_t)(n > 0 ? n : 1), sizeof *began);
    if (!pid || !began) {
        free(pid);
        free(began);
        for (int i = 0; i < n; i++) on_end(ctx, i, -1, 0);
        return 0;
    }
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop; /* no SA_RESTART: waitpid returns to pass a stop on */
    stops = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    int next = 0, running = 0, passed = 0;
    /* Polled rather than blocked in waitpid, so that a stop arriving just
     * before a wait is passed on at once, not when some child next ends. */
    while (running > 0 || (next < n && !stops)) {
        while (passed < stops) {
            for (int i = 0; i < next; i++)
                if (pid[i] > 0) kill(-pid[i], SIGINT);
            passed++;
        }
        int status;
        pid_t done = waitpid(-1, &status, WNOHANG);
        if (done > 0) {
            for (int i = 0; i < next; i++)
                if (pid[i] == done) {
                    pid[i] = 0;
                    running--;
                    on_end(ctx, i, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                           now_s() - began[i]);
                }
            continue;
        }
        if (!stops && next < n && running < j) {
            began[next] = now_s();
            pid[next] = start(&jobs[next]);
            if (pid[next] < 0)
                on_end(ctx, next, -1, 0);
            else
                running++;
            next++;
            continue;
        }
        struct timespec pause = {0, 50000000L};
        nanosleep(&pause, NULL);
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    free(pid);
    free(began);
    return n - next;
}
