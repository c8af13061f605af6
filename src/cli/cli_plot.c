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
#include "cli/sweep_curves.h"

static const char usage[] =
    "usage: r1sim plot DIR --metric NAME [--stage STAGE] [--smooth N] [-o FILE.png]\n"
    "Draws NAME (a column of the stages' metrics.csv: accuracy, reward, kl,\n"
    "mean_length, loss, ...) over steps from DIR/metrics_long.csv (r1sim sweep):\n"
    "per grid point the mean over seeds as a line and mean +- std as a band,\n"
    "through gnuplot, into FILE.png (default DIR/plot-NAME.png). --smooth N\n"
    "averages each curve over N steps (default 1). The data and the gnuplot\n"
    "script are written beside the chart (.dat, .gp), so it can be restyled.\n";

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

static int write_data(const SweepPanel *p, int smooth, const char *path) {
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    for (int g = 0; g < p->n; g++) {
        const SweepCurve *c = &p->curve[g];
        fprintf(f, "%s# %s\n# step mean std seeds\n", g ? "\n\n" : "", c->label);
        for (int i = 0; i < c->n; i++) {
            double mean, std;
            sweep_curve_at(c, i, smooth, &mean, &std);
            fprintf(f, "%.9g %.9g %.9g %d\n", c->step[i], mean, std, c->count[i]);
        }
    }
    return fclose(f) == 0 ? 0 : -1;
}

static void gp_text(FILE *f, const char *s) {
    for (; *s; s++) fputs(*s == '\'' ? "''" : (char[]){*s, 0}, f);
}

static int write_script(const SweepPanel *pn, const char *dat, const char *png, const char *path) {
    const char *metric = pn->metric, *stage = pn->stage;
    int n = pn->n;
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
        gp_text(f, pn->curve[g].label);
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
    char err[4400];
    SweepCurves sc;
    if (sweep_curves_load(dir, metric, stage, &sc, err, sizeof err)) {
        fprintf(stderr, "r1sim plot: %s\n", err);
        return CLI_EXIT_USAGE;
    }
    if (sc.n != 1) {
        if (sc.n == 0)
            fprintf(stderr, "r1sim plot: %s/metrics_long.csv: no stage%s%s has the metric '%s'\n",
                    dir, stage ? " " : "", stage ? stage : "", metric);
        else
            fprintf(stderr,
                    "r1sim plot: %s/metrics_long.csv: more than one stage has '%s' (%s, %s%s): "
                    "name one with --stage\n",
                    dir, metric, sc.panel[0].stage, sc.panel[1].stage, sc.n > 2 ? ", ..." : "");
        sweep_curves_free(&sc);
        return CLI_EXIT_USAGE;
    }
    const SweepPanel *pn = &sc.panel[0];
    int n = pn->n, rc = 0;
    char dat[4300], gp[4300], pngbuf[4300];
    if (!png) {
        snprintf(pngbuf, sizeof pngbuf, "%s/plot-%s.png", dir, metric);
        png = pngbuf;
    }
    size_t base = strlen(png);
    if (base > 4 && !strcmp(png + base - 4, ".png")) base -= 4;
    snprintf(dat, sizeof dat, "%.*s.dat", (int)base, png);
    snprintf(gp, sizeof gp, "%.*s.gp", (int)base, png);
    if (write_data(pn, (int)smooth, dat) || write_script(pn, dat, png, gp)) {
        fprintf(stderr, "r1sim plot: cannot write %s or %s: %s\n", dat, gp, strerror(errno));
        rc = CLI_EXIT_FAIL;
    }
    sweep_curves_free(&sc);
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
