#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/eval_table.h"
#include "cli/pass_table.h"
#include "world/csvio.h"

static const char usage[] =
    "usage: r1sim table RUN_DIR [--md] [--pass-at-k]\n"
    "       r1sim table EVAL_CSV [--md] [--pass-at-k]\n"
    "Prints a run's eval.csv (RUN_DIR/eval.csv) the way the DeepSeek-R1 paper\n"
    "prints its Table 2: the evaluated models as columns, in the file's order,\n"
    "and the figures (pass@1, maj@k, format, ...) as rows, one block per task.\n"
    "  --md          a Markdown table instead of aligned text\n"
    "  --pass-at-k   the pass@k curve instead (RUN_DIR/pass_at_k.csv): k = 1, 2, 4, ...\n"
    "                as rows, each model's pass@k and maj@k as columns\n";

/* RUN_DIR/FILE, or the argument itself when it names a file. */
static int table_path(const char *arg, const char *file, char *path, size_t cap) {
    struct stat st;
    if (stat(arg, &st) != 0) {
        fprintf(stderr, "r1sim table: %s: %s\n", arg, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(path, cap, "%s", arg);
        return 0;
    }
    size_t n = strlen(arg);
    snprintf(path, cap, "%s%s%s", arg, n && arg[n - 1] == '/' ? "" : "/", file);
    if (stat(path, &st) != 0) {
        fprintf(stderr, "r1sim table: %s: no such file (no eval stage of this run has finished)\n",
                path);
        return -1;
    }
    return 0;
}

int cli_table(int argc, char **argv) {
    static const struct option opts[] = {{"md", no_argument, 0, 'm'},
                                         {"pass-at-k", no_argument, 0, 'p'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    bool md = false, curve = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'm':
            md = true;
            break;
        case 'p':
            curve = true;
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            fputs(usage, stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "r1sim table: expected one RUN_DIR\n%s", usage);
        return CLI_EXIT_USAGE;
    }
    char path[4200], err[1024];
    if (table_path(argv[optind], curve ? "pass_at_k.csv" : "eval.csv", path, sizeof path) != 0)
        return CLI_EXIT_USAGE;
    CsvTable t;
    if (csvio_read(path, &t, err, sizeof err) != 0) {
        fprintf(stderr, "r1sim table: %s\n", err);
        return CLI_EXIT_USAGE;
    }
    int rc = curve ? pass_table_print(&t, md, stdout, err, sizeof err)
                   : eval_table_print(&t, md, stdout, err, sizeof err);
    csvio_free(&t);
    if (rc != 0) {
        fprintf(stderr, "r1sim table: %s\n", err);
        return CLI_EXIT_USAGE;
    }
    return fflush(stdout) != 0 || ferror(stdout) ? CLI_EXIT_FAIL : 0;
}
