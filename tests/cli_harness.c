#include "cli_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
