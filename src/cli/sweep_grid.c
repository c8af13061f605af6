#include "cli/sweep_grid.h"

#include <stdio.h>
#include <string.h>

int sweep_grid_add(SweepGrid *g, const char *spec, char *err, size_t errlen) {
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec) {
        snprintf(err, errlen, "--grid %.80s: expected name=value,value,...", spec);
        return -1;
    }
    size_t nlen = (size_t)(eq - spec);
    if (nlen >= SWEEP_NAME) {
        snprintf(err, errlen, "--grid %.40s...: the name is too long", spec);
        return -1;
    }
    if (g->n_axes >= SWEEP_MAX_AXES) {
        snprintf(err, errlen, "--grid %.*s: at most %d axes", (int)nlen, spec, SWEEP_MAX_AXES);
        return -1;
    }
    for (int a = 0; a < g->n_axes; a++)
        if (strlen(g->axes[a].name) == nlen && !strncmp(g->axes[a].name, spec, nlen)) {
            snprintf(err, errlen, "--grid %.*s: given twice (list every value in one --grid)",
                     (int)nlen, spec);
            return -1;
        }
    SweepAxis *ax = &g->axes[g->n_axes];
    memset(ax, 0, sizeof *ax);
    memcpy(ax->name, spec, nlen);
    const char *v = eq + 1;
    if (!*v) {
        snprintf(err, errlen, "--grid %s: no values (name=value,value,...)", ax->name);
        return -1;
    }
    for (;;) {
        size_t len = strcspn(v, ",");
        if (len == 0) {
            snprintf(err, errlen, "--grid %s: an empty value in '%.80s'", ax->name, eq + 1);
            return -1;
        }
        if (ax->n >= SWEEP_MAX_VALUES || len >= SWEEP_VALUE) {
            snprintf(err, errlen, "--grid %s: %s", ax->name,
                     len >= SWEEP_VALUE ? "a value is too long" : "too many values (at most 32)");
            return -1;
        }
        memcpy(ax->values[ax->n], v, len);
        ax->values[ax->n][len] = 0;
        for (int j = 0; j < ax->n; j++)
            if (!strcmp(ax->values[j], ax->values[ax->n])) {
                snprintf(err, errlen, "--grid %s: the value '%s' is listed twice", ax->name,
                         ax->values[j]);
                return -1;
            }
        ax->n++;
        if (!v[len]) break;
        v += len + 1;
    }
    g->n_axes++;
    return 0;
}

int sweep_grid_points(const SweepGrid *g) {
    long n = 1;
    for (int a = 0; a < g->n_axes; a++) n *= g->axes[a].n;
    return n > SWEEP_MAX_RUNS ? SWEEP_MAX_RUNS + 1 : (int)n;
}

int sweep_grid_runs(const SweepGrid *g) {
    long n = (long)sweep_grid_points(g) * (g->seeds > 0 ? g->seeds : 1);
    return n > SWEEP_MAX_RUNS ? SWEEP_MAX_RUNS + 1 : (int)n;
}

void sweep_grid_point(const SweepGrid *g, int p, int *idx) {
    for (int a = g->n_axes - 1; a >= 0; a--) {
        idx[a] = p % g->axes[a].n;
        p /= g->axes[a].n;
    }
}

void sweep_grid_run(const SweepGrid *g, int i, int *point, int *seed) {
    int seeds = g->seeds > 0 ? g->seeds : 1;
    *point = i / seeds;
    *seed = i % seeds + 1;
}

int sweep_grid_run_name(const SweepGrid *g, int i, char *buf, size_t cap) {
    int point, seed, idx[SWEEP_MAX_AXES];
    sweep_grid_run(g, i, &point, &seed);
    sweep_grid_point(g, point, idx);
    size_t at = 0;
    for (int a = 0; a < g->n_axes; a++) {
        int n = snprintf(buf + at, at < cap ? cap - at : 0, "%s%s=", a ? "," : "", g->axes[a].name);
        if (n < 0 || (at += (size_t)n) >= cap) return -1;
        for (const char *c = g->axes[a].values[idx[a]]; *c; c++) {
            if (at + 1 >= cap) return -1;
            int ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                     (*c >= '0' && *c <= '9') || strchr("._+-", *c);
            buf[at++] = ok ? *c : '_';
        }
        buf[at] = 0;
    }
    int n = snprintf(buf + at, at < cap ? cap - at : 0, "%ss%d", g->n_axes ? "_" : "", seed);
    return n < 0 || at + (size_t)n >= cap ? -1 : 0;
}
