#include "cli/run_record.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "world/csvio.h"

static const char *const header[] = {"key", "value"};

int run_record_write(const char *dir, const char *script, unsigned long long seed,
                     const char *const *names, const char *const *values, int n, char *err,
                     size_t errlen) {
    char path[4200], seed_text[32], keys[RUN_RECORD_MAX_PARAMS][RUN_RECORD_NAME + 8];
    if (n > RUN_RECORD_MAX_PARAMS ||
        snprintf(path, sizeof path, "%s/run.csv", dir) >= (int)sizeof path) {
        snprintf(err, errlen, "%s/run.csv: too long", dir);
        return -1;
    }
    const char *cells[2 * (RUN_RECORD_MAX_PARAMS + 2)];
    snprintf(seed_text, sizeof seed_text, "%llu", seed);
    cells[0] = "script";
    cells[1] = script;
    cells[2] = "seed";
    cells[3] = seed_text;
    for (int i = 0; i < n; i++) {
        snprintf(keys[i], sizeof keys[i], "param.%.*s", RUN_RECORD_NAME - 1, names[i]);
        cells[4 + 2 * i] = keys[i];
        cells[5 + 2 * i] = values[i];
    }
    return csvio_write(path, header, 2, cells, (size_t)n + 2, err, errlen);
}

int run_record_read(const char *dir, RunRecord *r, char *err, size_t errlen) {
    char path[4200];
    struct stat sb;
    memset(r, 0, sizeof *r);
    snprintf(path, sizeof path, "%s/run.csv", dir);
    if (stat(path, &sb) != 0 && errno == ENOENT) return 1;
    CsvTable t;
    if (csvio_read(path, &t, err, errlen)) return -1;
    int rc = 0;
    if (t.ncols != 2 || strcmp(t.header[0], "key") || strcmp(t.header[1], "value")) {
        snprintf(err, errlen, "%s:1: expected the header key,value", path);
        rc = -1;
    }
    int have_seed = 0;
    for (size_t i = 0; rc == 0 && i < t.nrows; i++) {
        const char *k = csvio_cell(&t, i, 0), *v = csvio_cell(&t, i, 1);
        if (!strcmp(k, "script")) {
            snprintf(r->script, sizeof r->script, "%s", v);
        } else if (!strcmp(k, "seed")) {
            char *end;
            errno = 0;
            r->seed = strtoull(v, &end, 10);
            have_seed = 1;
            if (!*v || *end || errno) {
                snprintf(err, errlen, "%s:%d: seed: expected a number, got '%.60s'", path,
                         t.lines[i], v);
                rc = -1;
            }
        } else if (!strncmp(k, "param.", 6) && k[6] && strlen(k + 6) < RUN_RECORD_NAME &&
                   strlen(v) < RUN_RECORD_VALUE && r->n < RUN_RECORD_MAX_PARAMS) {
            memcpy(r->names[r->n], k + 6, strlen(k + 6) + 1);
            memcpy(r->values[r->n], v, strlen(v) + 1);
            r->n++;
        } else {
            snprintf(err, errlen, "%s:%d: unknown key '%.60s' (script, seed, param.NAME)", path,
                     t.lines[i], k);
            rc = -1;
        }
    }
    if (rc == 0 && (!r->script[0] || !have_seed)) {
        snprintf(err, errlen, "%s: no %s row", path, r->script[0] ? "seed" : "script");
        rc = -1;
    }
    csvio_free(&t);
    return rc;
}

const char *run_record_param(const RunRecord *r, const char *name) {
    for (int i = 0; i < r->n; i++)
        if (!strcmp(r->names[i], name)) return r->values[i];
    return NULL;
}
