#include "cli/sweep_curves.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "world/csvio.h"

static int curve_add(SweepCurve *c, double step, double v) {
    int i = c->n;
    /* steps arrive in order within a run: look from the end */
    while (i > 0 && c->step[i - 1] > step) i--;
    if (!(i > 0 && c->step[i - 1] == step)) {
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
        size_t tail = (size_t)(c->n - i);
        memmove(c->step + i + 1, c->step + i, tail * sizeof *c->step);
        memmove(c->sum + i + 1, c->sum + i, tail * sizeof *c->sum);
        memmove(c->sq + i + 1, c->sq + i, tail * sizeof *c->sq);
        memmove(c->count + i + 1, c->count + i, tail * sizeof *c->count);
        c->step[i] = step;
        c->sum[i] = c->sq[i] = 0;
        c->count[i] = 0;
        c->n++;
    } else {
        i--;
    }
    c->sum[i] += v;
    c->sq[i] += v * v;
    c->count[i]++;
    return 0;
}

void sweep_curve_at(const SweepCurve *c, int i, int window, double *mean, double *std) {
    double s = 0, q = 0;
    int k = 0;
    for (int j = i - window + 1; j <= i; j++) {
        if (j < 0) continue;
        s += c->sum[j];
        q += c->sq[j];
        k += c->count[j];
    }
    double m = k ? s / k : 0;
    double var = k > 1 ? (q - k * m * m) / (k - 1) : 0;
    *mean = m;
    *std = var > 0 ? sqrt(var) : 0;
}

static SweepPanel *panel_for(SweepCurves *out, const char *stage, const char *metric, int *cap) {
    for (int p = 0; p < out->n; p++)
        if (!strcmp(out->panel[p].stage, stage) && !strcmp(out->panel[p].metric, metric))
            return &out->panel[p];
    if (out->n == SWEEP_PANELS_MAX) return NULL;
    if (out->n == *cap) {
        int grown = *cap ? 2 * *cap : 16;
        SweepPanel *np = realloc(out->panel, (size_t)grown * sizeof *np);
        if (!np) return NULL;
        out->panel = np;
        *cap = grown;
    }
    SweepPanel *p = &out->panel[out->n++];
    memset(p, 0, sizeof *p);
    snprintf(p->stage, sizeof p->stage, "%s", stage);
    snprintf(p->metric, sizeof p->metric, "%s", metric);
    return p;
}

int sweep_curves_load(const char *dir, const char *metric, const char *stage, SweepCurves *out,
                      char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    char path[4200];
    snprintf(path, sizeof path, "%s/metrics_long.csv", dir);
    CsvTable t;
    if (csvio_read(path, &t, err, errlen)) {
        if (access(path, F_OK) != 0) {
            size_t len = strlen(err);
            snprintf(err + len, errlen > len ? errlen - len : 0,
                     " (run r1sim sweep, or r1sim sweep --collect, first)");
        }
        return -1;
    }
    static const char *const need[] = {"script", "seed", "stage", "step", "metric", "value"};
    int col[6];
    if (csvio_cols(&t, need, 6, col, err, errlen)) {
        csvio_free(&t);
        return -1;
    }
    /* the parameter columns lie between script and seed */
    int p0 = col[0] + 1, p1 = col[1], cap = 0, rc = 0;
    for (size_t r = 0; r < t.nrows && rc == 0; r++) {
        const char *m = csvio_cell(&t, r, (size_t)col[4]), *st = csvio_cell(&t, r, (size_t)col[2]);
        if ((metric && strcmp(m, metric)) || (stage && strcmp(st, stage))) continue;
        double v, step;
        /* "nan" is no figure (a beta of 0 has no kl) */
        if (!cli_text_number(csvio_cell(&t, r, (size_t)col[5]), &v) || !isfinite(v) ||
            !cli_text_number(csvio_cell(&t, r, (size_t)col[3]), &step))
            continue;
        char key[1024] = "", label[256] = "";
        size_t at = (size_t)snprintf(key, sizeof key, "%s", csvio_cell(&t, r, (size_t)col[0]));
        size_t lat = 0;
        for (int c = p0; c < p1; c++) {
            const char *pv = csvio_cell(&t, r, (size_t)c);
            if (at < sizeof key) at += (size_t)snprintf(key + at, sizeof key - at, "\x1f%s", pv);
            if (*pv && lat < sizeof label)
                lat += (size_t)snprintf(label + lat, sizeof label - lat, "%s%s=%s", lat ? " " : "",
                                        t.header[c], pv);
        }
        SweepPanel *p = panel_for(out, st, m, &cap);
        if (!p) {
            snprintf(err, errlen, "%s: out of memory, or more than %d stage metrics", path,
                     SWEEP_PANELS_MAX);
            rc = -1;
            break;
        }
        int g = 0;
        while (g < p->n && strcmp(p->curve[g].key, key)) g++;
        if (g == p->n) {
            if (p->n == SWEEP_CURVES_MAX) {
                snprintf(err, errlen, "%s: more than %d grid points", path, SWEEP_CURVES_MAX);
                rc = -1;
                break;
            }
            snprintf(p->curve[g].key, sizeof p->curve[g].key, "%s", key);
            snprintf(p->curve[g].label, sizeof p->curve[g].label, "%s",
                     label[0] ? label : csvio_cell(&t, r, (size_t)col[0]));
            p->n++;
        }
        if (curve_add(&p->curve[g], step, v)) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        }
    }
    csvio_free(&t);
    if (rc) sweep_curves_free(out);
    return rc;
}

void sweep_curves_free(SweepCurves *c) {
    for (int p = 0; p < c->n; p++)
        for (int g = 0; g < c->panel[p].n; g++) {
            SweepCurve *cv = &c->panel[p].curve[g];
            free(cv->step);
            free(cv->sum);
            free(cv->sq);
            free(cv->count);
        }
    free(c->panel);
    memset(c, 0, sizeof *c);
}
