#include "cli_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

char cli_dir[64];
const char *cli_bin;

int cli_setup(const char *prefix) {
    cli_bin = getenv("R1SIM");
    if (!cli_bin || !*cli_bin) cli_bin = "./r1sim";
    snprintf(cli_dir, sizeof cli_dir, "/tmp/%.40s-XXXXXX", prefix);
    return mkdtemp(cli_dir) ? 0 : -1;
}

int cli_teardown(void) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", cli_dir);
    return system(cmd);
}

int harness_run(const char *cmd, char *out, size_t outcap, char *err, size_t errcap) {
    char full[4096], errpath[128];
    snprintf(errpath, sizeof errpath, "%s/stderr.txt", cli_dir);
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
