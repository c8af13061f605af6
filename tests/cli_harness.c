#include "cli_harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

char bin_dir[64];
const char *bin_path;

int bin_setup(const char *prefix) {
    bin_path = getenv("R1SIM");
    if (!bin_path || !*bin_path) bin_path = "./r1sim";
    snprintf(bin_dir, sizeof bin_dir, "/tmp/%.40s-XXXXXX", prefix);
    return mkdtemp(bin_dir) ? 0 : -1;
}

int bin_teardown(void) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", bin_dir);
    return system(cmd);
}

int bin_run(const char *cmd, char *out, size_t outcap, char *err, size_t errcap) {
    char full[4096], errpath[128];
    snprintf(errpath, sizeof errpath, "%s/stderr.txt", bin_dir);
    snprintf(full, sizeof full, "%s 2>%s", cmd, errpath);
    FILE *p = popen(full, "r");
    if (!p) return -1;
    size_t n = fread(out, 1, outcap - 1, p);
    out[n] = 0;
    int status = pclose(p);
    FILE *e = fopen(errpath, "r");
    n = e ? fread(err, 1, errcap - 1, e) : 0;
    err[n] = 0;
    if (e) fclose(e);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void bin_write(const char *run, const char *file, const char *text) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", bin_dir, run);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/%s/%s", bin_dir, run, file);
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) fail_msg("cannot write %s", path);
}

void bin_ok(const char *cmd, char *out, size_t outcap) {
    char err[1024];
    int rc = bin_run(cmd, out, outcap, err, sizeof err);
    if (rc != 0) fail_msg("'%s': exit %d, stderr: %s", cmd, rc, err);
    assert_string_equal(err, "");
}

void bin_refused(const char *cmd, const char *expect) {
    char out[1024], err[2048];
    int rc = bin_run(cmd, out, sizeof out, err, sizeof err);
    if (rc != 2) fail_msg("'%s': exit %d, stderr: %s", cmd, rc, err);
    assert_string_equal(out, "");
    char *nl = strchr(err, '\n');
    if (!nl || nl[1] != '\0') fail_msg("'%s': not one line: '%s'", cmd, err);
    if (!strstr(err, expect)) fail_msg("'%s': expected '%s' in: %s", cmd, expect, err);
}
