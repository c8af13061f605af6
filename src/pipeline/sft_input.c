#include "pipeline/sft_input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "world/csvio.h"

static void count_origin(SftOrigins *s, const char *input, const char *source, int rows) {
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->origin[i].input, input) && !strcmp(s->origin[i].source, source)) {
            s->origin[i].rows += rows;
            return;
        }
    if (s->n == SFT_MAX_ORIGINS) return;
    SftOrigin *o = &s->origin[s->n++];
    snprintf(o->input, sizeof o->input, "%s", input);
    snprintf(o->source, sizeof o->source, "%s", source);
    o->rows = rows;
}

/* Appends the usable rows of one dataset to ex; the strings stay in *t. */
static int read_dataset(const StageCtx *c, SftOrigins *s, int d, const char *path, CsvTable *t,
                        SftExample *ex, int *n, int cap, char *err, size_t errlen) {
    if (csvio_read(path, t, err, errlen)) return -1;
    static const char *const cols[] = {"prompt", "completion"};
    int idx[2];
    if (csvio_cols(t, cols, 2, idx, err, errlen)) return -1;
    int tcol = csvio_col(t, "task"), scol = csvio_col(t, "source");
    const char *task = stage_opt(c->st, "task"), *input = stage_input_name(c, "dataset", d);
    if (task[0] && tcol < 0) {
        /* Without the column no row can be told to be of the task: keeping
         * them all would train on what the option excludes. */
        char e[512];
        static const char *const want[] = {"task"};
        csvio_cols(t, want, 1, &tcol, e, sizeof e);
        snprintf(err, errlen, "stage '%s': %s for option task = '%s'", c->st->name, e, task);
        return -1;
    }
    long limit = (long)stage_opt_num(c->st, "limit");
    if (scol < 0) count_origin(s, input, input, 0); /* listed even when it gives no row */
    for (size_t i = 0; i < t->nrows && *n < cap && (limit <= 0 || *n < limit); i++) {
        if (task[0] && tcol >= 0 && strcmp(csvio_cell(t, i, (size_t)tcol), task) != 0) continue;
        ex[*n].prompt = csvio_cell(t, i, (size_t)idx[0]);
        ex[*n].completion = csvio_cell(t, i, (size_t)idx[1]);
        ex[*n].file = t->path;
        ex[*n].line = t->lines[i];
        (*n)++;
        const char *src = scol >= 0 ? csvio_cell(t, i, (size_t)scol) : "";
        count_origin(s, input, src[0] ? src : input, 1);
    }
    return 0;
}

Sft *sft_input_open(StageCtx *c, const char *model_role, const SftConfig *config, SftOrigins *o,
                    char *err, size_t errlen) {
    const Stage *st = c->st;
    CsvTable tables[SFT_MAX_SOURCES];
    int n_tables = 0;
    SftExample *ex = NULL;
    Sft *sft = NULL;
    o->n = 0;
    c->model = stage_input_model(c, model_role, 0, err, errlen);
    if (!c->model) return NULL;
    int n_inputs = stage_input_count(c, "dataset");
    size_t cap = 0;
    for (int d = 0; d < n_inputs; d++) {
        char p[4200];
        stage_input_file(c, "dataset", d, p, sizeof p);
        /* Rows are counted first so that one array holds every dataset. */
        if (csvio_read(p, &tables[0], err, errlen)) return NULL;
        cap += tables[0].nrows;
        csvio_free(&tables[0]);
    }
    ex = calloc(cap ? cap : 1, sizeof *ex);
    if (!ex) {
        snprintf(err, errlen, "stage '%s': out of memory", st->name);
        return NULL;
    }
    int n = 0;
    for (int d = 0; d < n_inputs; d++) {
        char p[4200];
        stage_input_file(c, "dataset", d, p, sizeof p);
        int rc = read_dataset(c, o, d, p, &tables[n_tables], ex, &n, (int)cap, err, errlen);
        n_tables++;
        if (rc) goto done;
    }
    const char *task = stage_opt(st, "task");
    if (n == 0) {
        snprintf(err, errlen, "stage '%s': its datasets have no usable rows%s%s", st->name,
                 task[0] ? " for task " : "", task);
        goto done;
    }
    SftConfig sc = *config;
    sc.seed = c->seed;
    char e[512];
    sft = sft_new(c->model, &sc, ex, n, e, sizeof e);
    if (!sft) snprintf(err, errlen, "stage '%s': %s", st->name, e);
done:
    free(ex);
    for (int i = 0; i < n_tables; i++) csvio_free(&tables[i]);
    return sft;
}

int sft_input_finish(void *state, StageCtx *c, char *err, size_t errlen) {
    const SftOrigins *s = &((SftInputState *)state)->origins;
    static const char *const header[] = {"input", "source", "rows"};
    const char *cells[SFT_MAX_ORIGINS * 3];
    char num[SFT_MAX_ORIGINS][16];
    for (int i = 0; i < s->n; i++) {
        snprintf(num[i], sizeof num[i], "%d", s->origin[i].rows);
        cells[3 * i] = s->origin[i].input;
        cells[3 * i + 1] = s->origin[i].source;
        cells[3 * i + 2] = num[i];
    }
    char p[4200];
    stage_file(c, "sources.csv", p, sizeof p);
    return csvio_write(p, header, 3, cells, (size_t)s->n, err, errlen);
}

/* Dataset files are read when the stage opens, maybe an hour into a run;
 * their columns are checked when the script loads. */
int sft_input_check(const Stage *st, const GraphHooks *hooks, char *err, size_t errlen) {
    (void)hooks;
    static const char *const need[] = {"prompt", "completion", "task"};
    if (stage_check_file_columns(st, "dataset", need, 2, err, errlen)) return -1;
    const char *task = stage_opt(st, "task");
    if (!task[0]) return 0;
    char e[1024];
    if (!stage_check_file_columns(st, "dataset", need + 2, 1, e, sizeof e)) return 0;
    snprintf(err, errlen, "%s for option task = '%s'", e, task);
    return -1;
}

int sft_input_save(void *state, StageCtx *c, const char *prefix, char *err, size_t errlen) {
    (void)c;
    char p[4200];
    snprintf(p, sizeof p, "%s.state", prefix);
    return sft_save_state(((SftInputState *)state)->sft, p, err, errlen);
}

int sft_input_load(void *state, StageCtx *c, const char *prefix, char *err, size_t errlen) {
    (void)c;
    char p[4200];
    snprintf(p, sizeof p, "%s.state", prefix);
    return sft_load_state(((SftInputState *)state)->sft, p, err, errlen);
}
