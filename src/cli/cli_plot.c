/* r1sim plot: one metric of a sweep over steps, the mean over seeds as a
 * line and mean +- std as a band per grid point, drawn by gnuplot from the
 * sweep's metrics_long.csv. Without gnuplot the data and the gnuplot script
 * are written all the same, with a word on how to get the chart. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "world/csvio.h"

static const char usage[] =
    "usage: r1sim plot DIR --metric NAME [--stage STAGE] [--smooth N] [-o FILE.png]\n"
    "Draws NAME (a column of the stages' metrics.csv: accuracy, reward, kl,\n"
    "mean_length, loss, ...) over steps from DIR/metrics_long.csv (r1sim sweep):\n"
    "per grid point the mean over seeds as a line and mean +- std as a band,\n"
    "through gnuplot, into FILE.png (default DIR/plot-NAME.png). --smooth N\n"
    "averages each curve over N steps (default 1). The data and the gnuplot\n"
    "script are written beside the chart (.dat, .gp), so it can be restyled.\n";

enum { MAX_GROUPS = 64 };

typedef struct {
    char label[256];
    char key[1024]; /* script and parameter values, the seed aside */
    int n;          /* points: distinct steps */
    int cap;
    double *step;
    /* per step: the sum and the sum of squares of the seeds' values, and how
     * many seeds had one */
    double *sum, *sq;
    int *count;
} Curve;

static int curve_add(Curve *c, double step, double v) {
    int i = 0;
    while (i < c->n && c->step[i] != step) i++;
    if (i == c->n) {
        if (c->n == c->cap) {
            int cap = c->cap ? 2 * c->cap : 256;
            double *s = realloc(c->step, (size_t)cap * sizeof *s);
            if (s) c->step = s;
            double *u = realloc(c->sum, (size_t)cap * sizeof *u);
            if (u) c->sum = u;
            double *q = realloc(c->sq, (size_t)cap * sizeof *q);
            if (q) c->sq = q;
            int *k = realloc(c->count, (size_t)cap * sizeof *k);
            if (k) c->count = k;
            if (!s || !u || !q || !k) return -1;
            c->cap = cap;
        }
        c->step[i] = step;
        c->sum[i] = c->sq[i] = 0;
        c->count[i] = 0;
        c->n++;
    }
    c->sum[i] += v;
    c->sq[i] += v * v;
    c->count[i]++;
    return 0;
}

/* Steps arrive in order per run; runs may differ in length, so sort. */
static void curve_sort(Curve *c) {
    for (int i = 1; i < c->n; i++)
        for (int j = i; j > 0 && c->step[j - 1] > c->step[j]; j--) {
            double t = c->step[j];
            c->step[j] = c->step[j - 1];
            c->step[j - 1] = t;
            t = c->sum[j];
            c->sum[j] = c->sum[j - 1];
            c->sum[j - 1] = t;
            t = c->sq[j];
            c->sq[j] = c->sq[j - 1];
            c->sq[j - 1] = t;
            int k = c->count[j];
            c->count[j] = c->count[j - 1];
            c->count[j - 1] = k;
        }
}

static bool on_path(const char *prog) {
    const char *path = getenv("PATH");
    if (!path) return false;
    while (*path) {
        size_t len = strcspn(path, ":");
        char full[4200];
        snprintf(full, sizeof full, "%.*s/%s", (int)len, path, prog);
        if (len && access(full, X_OK) == 0) return true;
        path += len + (path[len] == ':');
    }
    return false;
}

static int write_data(Curve *cv, int n, int smooth, const char *path) {
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    for (int g = 0; g < n; g++) {
        Curve *c = &cv[g];
        fprintf(f, "%s# %s\n# step mean std seeds\n", g ? "\n\n" : "", c->label);
        for (int i = 0; i < c->n; i++) {
            /* the window's points, each point's seeds pooled */
            double s = 0, q = 0;
            int k = 0;
            for (int j = i - smooth + 1; j <= i; j++) {
                if (j < 0) continue;
                s += c->sum[j];
                q += c->sq[j];
                k += c->count[j];
            }
            double mean = k ? s / k : 0;
            double var = k > 1 ? (q - k * mean * mean) / (k - 1) : 0;
            fprintf(f, "%.9g %.9g %.9g %d\n", c->step[i], mean, var > 0 ? sqrt(var) : 0,
                    c->count[i]);
        }
    }
    return fclose(f) == 0 ? 0 : -1;
}

static void gp_text(FILE *f, const char *s) {
    for (; *s; s++) fputs(*s == '\'' ? "''" : (char[]){*s, 0}, f);
}

static int write_script(const Curve *cv, int n, const char *metric, const char *stage,
                        const char *dat, const char *png, const char *path) {
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fprintf(f, "# r1sim plot: %s%s%s, mean over seeds and a band of +- one std\n", metric,
            stage ? " of " : "", stage ? stage : "");
    fprintf(f, "set encoding utf8\nset terminal pngcairo size 960,560 font ',11'\nset output '");
    gp_text(f, png);
    fprintf(f, "'\nset title '");
    gp_text(f, metric);
    if (stage) {
        fputs(" (", f);
        gp_text(f, stage);
        fputc(')', f);
    }
    fprintf(f, ", mean \xc2\xb1 std over seeds'\nset xlabel 'step'\nset ylabel '");
    gp_text(f, metric);
    fprintf(f, "'\nset key outside right top\nset grid\nset style fill transparent solid "
               "0.18 noborder\nplot \\\n");
    for (int g = 0; g < n; g++) {
        fprintf(f, "  '");
        gp_text(f, dat);
        fprintf(f, "' index %d using 1:($2-$3):($2+$3) with filledcurves lc %d notitle, \\\n", g,
                g + 1);
        fprintf(f, "  '");
        gp_text(f, dat);
        fprintf(f, "' index %d using 1:2 with lines lw 2 lc %d title '", g, g + 1);
        gp_text(f, cv[g].label);
        fprintf(f, "'%s\n", g + 1 < n ? ", \\" : "");
    }
    return fclose(f) == 0 ? 0 : -1;
}

int cli_plot(int argc, char **argv) {
    const char *dir = NULL, *metric = NULL, *stage = NULL, *png = NULL;
    long smooth = 1;
    for (int i = 1; i < argc; i++) {
        const char *w = argv[i];
        bool takes = !strcmp(w, "--metric") || !strcmp(w, "--stage") || !strcmp(w, "-o") ||
                     !strcmp(w, "--smooth");
        if (!strcmp(w, "--help") || !strcmp(w, "-h")) {
            fputs(usage, stdout);
            return 0;
        }
        if (takes && i + 1 >= argc) {
            fprintf(stderr, "r1sim plot: %s needs a value\n", w);
            return CLI_EXIT_USAGE;
        }
        if (!strcmp(w, "--metric"))
            metric = argv[++i];
        else if (!strcmp(w, "--stage"))
            stage = argv[++i];
        else if (!strcmp(w, "-o"))
            png = argv[++i];
        else if (!strcmp(w, "--smooth")) {
            if (cli_parse_int("plot", "--smooth", argv[++i], 1, 100000, &smooth))
                return CLI_EXIT_USAGE;
        } else if (w[0] == '-') {
            fprintf(stderr, "r1sim plot: unknown option '%s'\n%s", w, usage);
            return CLI_EXIT_USAGE;
        } else if (!dir) {
            dir = w;
        } else {
            fprintf(stderr, "r1sim plot: one directory only ('%s' and '%s')\n", dir, w);
            return CLI_EXIT_USAGE;
        }
    }
    if (!dir || !metric) {
        fprintf(stderr, "r1sim plot: %s\n%s", dir ? "--metric is needed" : "no directory", usage);
        return CLI_EXIT_USAGE;
    }
    char path[4200], err[4400];
    snprintf(path, sizeof path, "%s/metrics_long.csv", dir);
    CsvTable t;
    if (csvio_read(path, &t, err, sizeof err)) {
        fprintf(stderr, "r1sim plot: %s%s\n", err,
                access(path, F_OK) ? " (run r1sim sweep, or r1sim sweep --collect, first)" : "");
        return CLI_EXIT_USAGE;
    }
    static const char *const need[] = {"script", "seed", "stage", "step", "metric", "value"};
    int col[6];
    if (csvio_cols(&t, need, 6, col, err, sizeof err)) {
        fprintf(stderr, "r1sim plot: %s\n", err);
        csvio_free(&t);
        return CLI_EXIT_USAGE;
    }
    /* the parameter columns lie between script and seed */
    int p0 = col[0] + 1, p1 = col[1];
    static Curve cv[MAX_GROUPS];
    int n = 0, rc = 0;
    char stages[1024] = "";
    const char *only = stage;
    for (size_t r = 0; r < t.nrows && rc == 0; r++) {
        if (strcmp(csvio_cell(&t, r, (size_t)col[4]), metric)) continue;
        const char *st = csvio_cell(&t, r, (size_t)col[2]);
        if (!only) only = st; /* the first stage with it, unless it is not the only one */
        if (strcmp(st, only)) {
            if (!stage) {
                snprintf(stages, sizeof stages, "%s, %s", only, st);
                rc = -2;
            }
            continue;
        }
        char key[1024] = "", label[256] = "";
        size_t at = 0, lat = 0;
        at += (size_t)snprintf(key, sizeof key, "%s", csvio_cell(&t, r, (size_t)col[0]));
        for (int c = p0; c < p1; c++) {
            const char *v = csvio_cell(&t, r, (size_t)c);
            if (at < sizeof key) at += (size_t)snprintf(key + at, sizeof key - at, "\x1f%s", v);
            if (*v && lat < sizeof label)
                lat += (size_t)snprintf(label + lat, sizeof label - lat, "%s%s=%s", lat ? " " : "",
                                        t.header[c], v);
        }
        int g = 0;
        while (g < n && strcmp(cv[g].key, key)) g++;
        if (g == n) {
            if (n == MAX_GROUPS) {
                fprintf(stderr, "r1sim plot: more than %d grid points\n", MAX_GROUPS);
                rc = -1;
                break;
            }
            snprintf(cv[g].key, sizeof cv[g].key, "%s", key);
            snprintf(cv[g].label, sizeof cv[g].label, "%s",
                     label[0] ? label : csvio_cell(&t, r, (size_t)col[0]));
            n++;
        }
        char *end;
        double step = strtod(csvio_cell(&t, r, (size_t)col[3]), &end);
        double v = strtod(csvio_cell(&t, r, (size_t)col[5]), &end);
        if (*end || !isfinite(v)) continue;
        if (curve_add(&cv[g], step, v)) {
            fprintf(stderr, "r1sim plot: out of memory\n");
            rc = -1;
        }
    }
    char stage_name[256] = "";
    if (only) snprintf(stage_name, sizeof stage_name, "%s", only);
    only = only ? stage_name : NULL; /* the table's cells go now */
    csvio_free(&t);
    if (rc == -2)
        fprintf(stderr,
                "r1sim plot: %s: more than one stage has '%s' (%s ...): name one with "
                "--stage\n",
                path, metric, stages);
    else if (rc == 0 && n == 0)
        fprintf(stderr, "r1sim plot: %s: no stage%s%s has the metric '%s'\n", path,
                stage ? " " : "", stage ? stage : "", metric);
    if (rc || n == 0) {
        for (int g = 0; g < n; g++)
            free(cv[g].step), free(cv[g].sum), free(cv[g].sq), free(cv[g].count);
        return rc == -1 ? CLI_EXIT_FAIL : CLI_EXIT_USAGE;
    }
    for (int g = 0; g < n; g++) curve_sort(&cv[g]);
    char dat[4300], gp[4300], pngbuf[4300];
    if (!png) {
        snprintf(pngbuf, sizeof pngbuf, "%s/plot-%s.png", dir, metric);
        png = pngbuf;
    }
    size_t base = strlen(png);
    if (base > 4 && !strcmp(png + base - 4, ".png")) base -= 4;
    snprintf(dat, sizeof dat, "%.*s.dat", (int)base, png);
    snprintf(gp, sizeof gp, "%.*s.gp", (int)base, png);
    rc = 0;
    if (write_data(cv, n, (int)smooth, dat) || write_script(cv, n, metric, only, dat, png, gp)) {
        fprintf(stderr, "r1sim plot: cannot write %s or %s: %s\n", dat, gp, strerror(errno));
        rc = CLI_EXIT_FAIL;
    }
    for (int g = 0; g < n; g++)
        free(cv[g].step), free(cv[g].sum), free(cv[g].sq), free(cv[g].count);
    if (rc) return rc;
    if (!on_path("gnuplot")) {
        fprintf(stderr,
                "r1sim plot: gnuplot is not installed (apt-get install gnuplot-nox); wrote %s "
                "and %s: run gnuplot %s for the chart\n",
                dat, gp, gp);
        return 0;
    }
    pid_t pid = fork();
    if (pid == 0) {
        execlp("gnuplot", "gnuplot", gp, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
        fprintf(stderr, "r1sim plot: gnuplot %s failed; the data is in %s\n", gp, dat);
        return CLI_EXIT_FAIL;
    }
    printf("wrote %s (%d grid point%s; data %s, script %s)\n", png, n, n == 1 ? "" : "s", dat, gp);
    return 0;
}
