/* r1sim cache ls|prune: what the shared stage cache holds and how much room
 * it takes, and giving that room back. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/text_table.h"
#include "pipeline/shared_cache.h"

static const char usage[] =
    "usage: r1sim cache ls [--cache DIR]\n"
    "       r1sim cache prune [--cache DIR] [--older-than DAYS]\n"
    "ls lists the shared stage cache's entries, most recently used first, with\n"
    "their sizes; prune removes the entries not used for DAYS days (default: every\n"
    "entry) and the unfinished copies of runs that are gone. DIR defaults to\n"
    "R1SIM_CACHE, else runs/.cache (where `r1sim run` keeps it by default).\n";

static void human_bytes(long long b, char *out, size_t cap) {
    const char *unit[] = {"B", "KB", "MB", "GB", "TB"};
    double v = (double)b;
    int u = 0;
    while (v >= 1000.0 && u < 4) v /= 1000.0, u++;
    if (u == 0)
        snprintf(out, cap, "%lld B", b);
    else
        snprintf(out, cap, "%.1f %s", v, unit[u]);
}

static void age_text(time_t used, time_t now, char *out, size_t cap) {
    double s = difftime(now, used);
    if (s < 0) s = 0;
    if (s < 120)
        snprintf(out, cap, "%.0f s ago", s);
    else if (s < 7200)
        snprintf(out, cap, "%.0f min ago", s / 60);
    else if (s < 2 * 86400)
        snprintf(out, cap, "%.0f h ago", s / 3600);
    else
        snprintf(out, cap, "%.0f days ago", s / 86400);
}

/* 0, or -1 after saying why. */
static int list_entries(const char *dir, SharedCacheEntry **e, int *n, long long *temp) {
    char err[512];
    if (shared_cache_list(dir, e, n, temp, err, sizeof err) == 0) return 0;
    fprintf(stderr, "r1sim cache: %s\n", err);
    return -1;
}

static int cache_ls(const char *dir) {
    SharedCacheEntry *e;
    int n;
    long long temp;
    if (list_entries(dir, &e, &n, &temp)) return CLI_EXIT_FAIL;
    printf("stage cache %s: ", dir);
    long long total = 0;
    for (int i = 0; i < n; i++) total += e[i].bytes;
    char size[32];
    human_bytes(total, size, sizeof size);
    printf("%d entr%s, %s\n", n, n == 1 ? "y" : "ies", size);
    if (temp > 0) {
        human_bytes(temp, size, sizeof size);
        printf("unfinished copies: %s (prune removes those of runs that are gone)\n", size);
    }
    if (n == 0) {
        free(e);
        return 0;
    }
    TextTable t = {.ncols = 4};
    char(*h)[TEXT_TABLE_CELL] = text_table_add_line(&t, true);
    int rc = h ? 0 : CLI_EXIT_FAIL;
    if (h) {
        snprintf(h[0], TEXT_TABLE_CELL, "stage");
        snprintf(h[1], TEXT_TABLE_CELL, "kind");
        snprintf(h[2], TEXT_TABLE_CELL, "key");
        snprintf(h[3], TEXT_TABLE_CELL, "size");
        snprintf(h[4], TEXT_TABLE_CELL, "last used");
    }
    time_t now = time(NULL);
    for (int i = 0; i < n && rc == 0; i++) {
        char(*c)[TEXT_TABLE_CELL] = text_table_add_line(&t, false);
        if (!c) {
            rc = CLI_EXIT_FAIL;
            break;
        }
        text_table_put_text(c[0], TEXT_TABLE_CELL, e[i].stage);
        text_table_put_text(c[1], TEXT_TABLE_CELL, e[i].kind);
        snprintf(c[2], TEXT_TABLE_CELL, "%016" PRIx64, e[i].key);
        human_bytes(e[i].bytes, c[3], TEXT_TABLE_CELL);
        age_text(e[i].used, now, c[4], TEXT_TABLE_CELL);
    }
    if (rc == 0 && text_table_print_plain(&t, stdout)) rc = CLI_EXIT_FAIL;
    if (rc) fprintf(stderr, "r1sim cache: out of memory\n");
    text_table_free(&t);
    free(e);
    return rc;
}

static int cache_prune(const char *dir, double older_days) {
    SharedCacheEntry *e;
    int n;
    long long temp;
    if (list_entries(dir, &e, &n, &temp)) return CLI_EXIT_FAIL;
    time_t now = time(NULL);
    long long freed = 0;
    int removed = 0, failed = 0;
    for (int i = 0; i < n; i++) {
        if (older_days > 0 && difftime(now, e[i].used) < older_days * 86400.0) continue;
        long long b = shared_cache_remove(dir, e[i].key);
        if (b < 0) {
            fprintf(stderr, "r1sim cache: %016" PRIx64 ": could not be removed\n", e[i].key);
            failed++;
            continue;
        }
        freed += b;
        removed++;
    }
    freed += shared_cache_remove_temps(dir);
    free(e);
    char size[32];
    human_bytes(freed, size, sizeof size);
    printf("removed %d of %d entr%s from %s, freed %s\n", removed, n, n == 1 ? "y" : "ies", dir,
           size);
    return failed ? CLI_EXIT_FAIL : 0;
}

int cli_cache(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        bool help = argc >= 2;
        fputs(usage, help ? stdout : stderr);
        return help ? 0 : CLI_EXIT_USAGE;
    }
    const char *what = argv[1];
    bool ls = !strcmp(what, "ls"), prune = !strcmp(what, "prune");
    if (!ls && !prune) {
        fprintf(stderr, "r1sim cache: unknown action '%s' (ls or prune)\n%s", what, usage);
        return CLI_EXIT_USAGE;
    }
    const char *dir = NULL;
    double older = 0;
    for (int i = 2; i < argc; i++) {
        const char *w = argv[i];
        bool takes = !strcmp(w, "--cache") || (prune && !strcmp(w, "--older-than"));
        if (takes && i + 1 >= argc) {
            fprintf(stderr, "r1sim cache: %s needs a value\n", w);
            return CLI_EXIT_USAGE;
        }
        if (!strcmp(w, "--cache")) {
            dir = argv[++i];
            if (!dir[0]) {
                fprintf(stderr, "r1sim cache: --cache: expected a directory, got ''\n");
                return CLI_EXIT_USAGE;
            }
        } else if (takes) {
            if (cli_parse_float("cache", "--older-than", argv[++i], 0.0, 1e6, &older))
                return CLI_EXIT_USAGE;
        } else {
            fprintf(stderr, "r1sim cache %s: unknown option '%s'\n%s", what, w, usage);
            return CLI_EXIT_USAGE;
        }
    }
    char buf[4096];
    if (!dir) {
        /* the default of a run into runs/NAME */
        if (shared_cache_default("runs/x", buf, sizeof buf)) {
            fprintf(stderr, "r1sim cache: R1SIM_CACHE is too long\n");
            return CLI_EXIT_USAGE;
        }
        dir = buf;
    }
    return ls ? cache_ls(dir) : cache_prune(dir, older);
}
