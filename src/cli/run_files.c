#include "cli/run_files.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "world/csvio.h"
#include "pipeline/rundir.h"

static const char *cell(const CsvTable *t, size_t r, const char *col) {
    int c = csvio_col(t, col);
    return c >= 0 ? csvio_cell(t, r, (size_t)c) : "";
}

/* A number cell with fixed decimals, or "-" when empty (a metric that does
 * not apply, e.g. maj@k with k = 1). */
static void num(char *buf, size_t cap, const char *text, int decimals) {
    if (!text[0])
        snprintf(buf, cap, "-");
    else
        snprintf(buf, cap, "%.*f", decimals, atof(text));
}

void run_files_eval_table(const char *dir, const char *const *stages, int n, char *out,
                          size_t cap) {
    size_t at = 0;
    out[0] = 0;
    for (int i = 0; i < n && at < cap; i++) {
        char path[4200], err[256];
        CsvTable t;
        if (rundir_path(path, sizeof path, dir, stages[i], "eval_rows.csv") ||
            csvio_read(path, &t, err, sizeof err))
            continue;
        for (size_t r = 0; r < t.nrows && at < cap; r++) {
            if (!at) {
                char maj[16];
                snprintf(maj, sizeof maj, "maj@%s", cell(&t, r, "k"));
                at += (size_t)snprintf(
                    out + at, cap - at, "%-14s %-6s %7s %7s %7s %8s %7s %6s %6s\n", "model", "task",
                    "pass@1", maj, "format", "language", "length", "aha", "think");
            }
            char p1[16], mk[16], fm[16], lg[16], ln[16], ah[16], th[16];
            num(p1, sizeof p1, cell(&t, r, "pass_at_1"), 3);
            num(mk, sizeof mk, cell(&t, r, "maj_at_k"), 3);
            num(fm, sizeof fm, cell(&t, r, "format_rate"), 3);
            num(lg, sizeof lg, cell(&t, r, "language_consistency"), 3);
            num(ln, sizeof ln, cell(&t, r, "mean_length"), 1);
            num(ah, sizeof ah, cell(&t, r, "aha_per_completion"), 2);
            /* the share of completions that reason step by step: with pass@1
             * it is the base-readiness figure R1-Zero depends on */
            num(th, sizeof th, cell(&t, r, "think_rate"), 2);
            at += (size_t)snprintf(
                out + at, cap - at, "%-14.14s %-6.6s %7s %7s %7s %8s %7s %6s %6s\n",
                cell(&t, r, "model"), cell(&t, r, "task"), p1, mk, fm, lg, ln, ah, th);
        }
        csvio_free(&t);
    }
    if (at >= cap) at = cap - 1;
    if (at > 0 && out[at - 1] == '\n') out[at - 1] = 0; /* no empty last line */
}

static float figure(const char *text) {
    char *end;
    double v = strtod(text, &end);
    return text[0] && !*end ? (float)v : NAN;
}

int run_files_curves(const char *dir, const char *const *stages, int n, TuiCurve *out, int max) {
    int filled = 0;
    for (int i = 0; i < n && filled < max; i++) {
        char path[4200], err[256];
        CsvTable t;
        if (rundir_path(path, sizeof path, dir, stages[i], "pass_at_k.csv") ||
            csvio_read(path, &t, err, sizeof err))
            continue;
        TuiCurve *c = &out[filled];
        memset(c, 0, sizeof *c);
        for (size_t r = 0; r < t.nrows && c->n < TUI_CURVE_POINTS; r++) {
            if (atoi(cell(&t, r, "k")) != 1 << c->n) break;
            c->pass[c->n] = figure(cell(&t, r, "pass_at_k"));
            c->maj[c->n] = figure(cell(&t, r, "maj_at_k"));
            c->n++;
        }
        if (c->n > 0) {
            snprintf(c->name, sizeof c->name, "%.23s", cell(&t, 0, "model"));
            filled++;
        }
        csvio_free(&t);
    }
    return filled;
}

static bool numeric(const char *s) {
    char *end;
    if (!s[0]) return false;
    strtod(s, &end);
    return *end == 0;
}

int run_files_last_sample(const char *dir, const char *stage, char *prompt, size_t pcap,
                          char *completion, size_t ccap, char *scores, size_t scap) {
    char path[4200], err[256];
    CsvTable t;
    if (rundir_path(path, sizeof path, dir, stage, "samples.csv") ||
        csvio_read(path, &t, err, sizeof err))
        return -1;
    int pc = csvio_col(&t, "prompt"), cc = csvio_col(&t, "completion");
    if (t.nrows == 0 || pc < 0 || cc < 0) {
        csvio_free(&t);
        return -1;
    }
    size_t r = t.nrows - 1;
    snprintf(prompt, pcap, "%s", csvio_cell(&t, r, (size_t)pc));
    snprintf(completion, ccap, "%s", csvio_cell(&t, r, (size_t)cc));
    size_t at = 0;
    scores[0] = 0;
    for (size_t c = 0; c < t.ncols && at < scap; c++) {
        const char *v = csvio_cell(&t, r, c);
        if ((int)c == pc || (int)c == cc || !numeric(v)) continue;
        at += (size_t)snprintf(scores + at, scap - at, "%s%s %s", at ? "  " : "", t.header[c], v);
    }
    csvio_free(&t);
    return 0;
}
