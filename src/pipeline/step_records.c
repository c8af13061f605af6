#include "pipeline/step_records.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pipeline/rundir.h"
#include "world/tokenizer.h"

const char *const step_records_columns[STEP_RECORDS_NCOLS] = {
    "step", "sample",   "group", "pass", "minibatch", "pos",    "token",     "text", "logp_old",
    "logp", "logp_ref", "ratio", "clip", "kl",        "weight", "objective", "push"};

int step_records_append(CsvAppender *a, const GrpoTrace *t, char *err, size_t errlen) {
    char num[STEP_RECORDS_NCOLS][32];
    const char *f[STEP_RECORDS_NCOLS];
    for (int c = 0; c < STEP_RECORDS_NCOLS; c++) f[c] = num[c];
    for (size_t k = 0; k < t->n_tok; k++) {
        const GrpoTraceToken *x = &t->tok[k];
        const char *text = tok_text(x->token);
        snprintf(num[0], 32, "%ld", t->step);
        snprintf(num[1], 32, "%d", x->seq);
        snprintf(num[2], 32, "%d", x->seq / (t->G > 0 ? t->G : 1));
        snprintf(num[3], 32, "%d", x->pass);
        snprintf(num[4], 32, "%d", x->minibatch);
        snprintf(num[5], 32, "%d", x->pos);
        snprintf(num[6], 32, "%d", x->token);
        f[7] = text ? text : "";
        /* float's digits: the values are the trainer's floats */
        const float v[] = {x->logp_old, x->logp, x->logp_ref, x->ratio};
        for (int c = 0; c < 4; c++) snprintf(num[8 + c], 32, "%.7g", v[c]);
        snprintf(num[12], 32, "%d", x->clip);
        const float w[] = {x->kl, x->weight, x->objective, x->push};
        for (int c = 0; c < 4; c++) snprintf(num[13 + c], 32, "%.7g", w[c]);
        if (csvio_append_row(a, f, STEP_RECORDS_NCOLS, err, errlen)) return -1;
    }
    return 0;
}

void step_index_free(StepIndex *ix) {
    free(ix->step);
    free(ix->offset);
    memset(ix, 0, sizeof *ix);
}

static int push_step(StepIndex *ix, long step, long offset) {
    if (ix->n + 2 > ix->cap) {
        int cap = ix->cap ? ix->cap * 2 : 64;
        long *s = realloc(ix->step, sizeof *s * (size_t)cap);
        if (!s) return -1;
        ix->step = s;
        long *o = realloc(ix->offset, sizeof *o * (size_t)cap);
        if (!o) return -1;
        ix->offset = o;
        ix->cap = cap;
    }
    ix->step[ix->n] = step;
    ix->offset[ix->n] = offset;
    ix->n++;
    return 0;
}

static void index_reset(StepIndex *ix, const char *path) {
    free(ix->step);
    free(ix->offset);
    ix->step = ix->offset = NULL;
    ix->n = ix->cap = 0;
    ix->scanned = 0;
    ix->header[0] = 0;
    ix->dev = ix->ino = 0;
    snprintf(ix->path, sizeof ix->path, "%s", path);
}

/* The same file, grown only: same inode, not shorter, and the byte before
 * the indexed end still a row's end. A resume rewrites the file (a new
 * inode, cut back) and a fresh run removes it; either means index afresh. */
static int same_file(StepIndex *ix, FILE *f, const struct stat *sb) {
    if (ix->scanned == 0) return 1;
    if ((unsigned long long)sb->st_dev != ix->dev || (unsigned long long)sb->st_ino != ix->ino ||
        sb->st_size < ix->scanned)
        return 0;
    char last;
    return fseek(f, ix->scanned - 1, SEEK_SET) == 0 && fread(&last, 1, 1, f) == 1 && last == '\n';
}

int step_index_update(StepIndex *ix, const char *dir, const char *stage, char *err, size_t errlen) {
    char path[4200];
    if (rundir_path(path, sizeof path, dir, stage, "tokens.csv") ||
        rundir_path(ix->samples, sizeof ix->samples, dir, stage, "samples.csv")) {
        snprintf(err, errlen, "%s/%s: path too long", dir, stage);
        return -1;
    }
    FILE *f = fopen(path, "rb");
    struct stat sb;
    if (!f || fstat(fileno(f), &sb) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        if (f) fclose(f);
        index_reset(ix, path); /* gone (a fresh run): no stale steps */
        return -1;
    }
    if (strcmp(path, ix->path) != 0 || !same_file(ix, f, &sb)) index_reset(ix, path);
    ix->dev = (unsigned long long)sb.st_dev;
    ix->ino = (unsigned long long)sb.st_ino;
    long size = (long)sb.st_size;
    if (size == ix->scanned) {
        fclose(f);
        return 0;
    }
    long n = size - ix->scanned;
    char *buf = malloc((size_t)n + 1);
    if (!buf || fseek(f, ix->scanned, SEEK_SET) || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        snprintf(err, errlen, "%s: cannot read", path);
        return -1;
    }
    fclose(f);
    /* Records end at a newline outside quotes; only whole records count,
     * so a row being appended is indexed on a later call. */
    long rec = 0;
    int quoted = 0, rc = 0;
    for (long i = 0; i < n && rc == 0; i++) {
        if (buf[i] == '"') quoted = !quoted;
        if (buf[i] != '\n' || quoted) continue;
        long at = ix->scanned + rec;
        if (at == 0) { /* the header */
            long len = i - rec;
            if (len > 0 && buf[i - 1] == '\r') len--;
            snprintf(ix->header, sizeof ix->header, "%.*s", (int)len, buf);
            if (strncmp(ix->header, "step,sample,", 12) != 0) {
                snprintf(err, errlen, "%s:1: not a tokens.csv header", path);
                rc = -1;
            }
        } else {
            char *end;
            long step = strtol(buf + rec, &end, 10);
            if (end == buf + rec || *end != ',') {
                snprintf(err, errlen, "%s: a row without a step at byte %ld", path, at);
                rc = -1;
            } else if (ix->n > 0 && step < ix->step[ix->n - 1]) {
                snprintf(err, errlen, "%s: step %ld after step %ld at byte %ld", path, step,
                         ix->step[ix->n - 1], at);
                rc = -1;
            } else if ((ix->n == 0 || ix->step[ix->n - 1] != step) && push_step(ix, step, at)) {
                snprintf(err, errlen, "out of memory");
                rc = -1;
            }
        }
        rec = i + 1;
    }
    free(buf);
    if (rc == 0) {
        ix->scanned += rec;
        if (push_step(ix, -1, ix->scanned)) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        } else {
            ix->n--; /* [n] is the end marker */
        }
    }
    /* a damaged file: nothing of it is trusted, and the next call reads it anew */
    if (rc) index_reset(ix, path);
    return rc;
}

int step_index_find(const StepIndex *ix, long step, int dir) {
    int best = -1;
    for (int i = 0; i < ix->n; i++) {
        long s = ix->step[i];
        if (dir == 0 && s == step) return i;
        if (dir < 0 && s < step && (best < 0 || s > ix->step[best])) best = i;
        if (dir > 0 && s > step && (best < 0 || s < ix->step[best])) best = i;
    }
    return best;
}

static double cell_num(const CsvTable *t, size_t row, int col) {
    return col < 0 ? 0 : strtod(csvio_cell(t, row, (size_t)col), NULL);
}

/* The step's completions from samples.csv into the trace. */
static int load_samples(const StepIndex *ix, long step, GrpoTrace *out, char *err, size_t errlen) {
    CsvTable t;
    if (csvio_read(ix->samples, &t, err, errlen)) return -1;
    static const char *const need[] = {"step",   "group",     "prompt", "completion",
                                       "reward", "advantage", "length", "truncated"};
    int col[8];
    if (csvio_cols(&t, need, 8, col, err, errlen)) {
        csvio_free(&t);
        return -1;
    }
    int term_col[GRPO_TRACE_REWARDS];
    for (int k = 0; k < out->n_rewards; k++) term_col[k] = csvio_col(&t, out->reward_name[k]);
    int i = 0, rc = 0;
    for (size_t r = 0; r < t.nrows && rc == 0; r++) {
        if (strtol(csvio_cell(&t, r, (size_t)col[0]), NULL, 10) != step) continue;
        if (i >= out->n) {
            snprintf(err, errlen, "%s:%d: step %ld has more than B x G = %d completions",
                     ix->samples, t.lines[r], step, out->n);
            rc = -1;
            break;
        }
        GrpoTraceSeq *s = &out->seq[i];
        s->group = i / out->G;
        s->reward = (float)cell_num(&t, r, col[4]);
        s->advantage = (float)cell_num(&t, r, col[5]);
        s->length = (int)cell_num(&t, r, col[6]);
        s->truncated = (int)cell_num(&t, r, col[7]);
        for (int k = 0; k < out->n_rewards; k++) s->term[k] = (float)cell_num(&t, r, term_col[k]);
        if (i % out->G == 0)
            snprintf(out->prompt[s->group], GRPO_TRACE_PROMPT, "%s",
                     csvio_cell(&t, r, (size_t)col[2]));
        i++;
    }
    if (rc == 0 && i != out->n) {
        snprintf(err, errlen, "%s: step %ld has %d completions, not B x G = %d", ix->samples, step,
                 i, out->n);
        rc = -1;
    }
    csvio_free(&t);
    for (int b = 0; rc == 0 && b < out->B; b++) {
        double mean = 0, var = 0;
        for (int j = 0; j < out->G; j++) mean += out->seq[b * out->G + j].reward;
        mean /= out->G;
        for (int j = 0; j < out->G; j++) {
            double d = out->seq[b * out->G + j].reward - mean;
            var += d * d;
        }
        out->group_mean[b] = (float)mean;
        out->group_std[b] = (float)sqrt(var / out->G);
    }
    return rc;
}

static int load_tokens(const StepIndex *ix, int i, GrpoTrace *out, char *err, size_t errlen) {
    long from = ix->offset[i], to = ix->offset[i + 1];
    if (to <= from || !ix->header[0]) {
        snprintf(err, errlen, "%s: step %ld has no rows", ix->path, ix->step[i]);
        return -1;
    }
    size_t hl = strlen(ix->header);
    char *buf = malloc(hl + 1 + (size_t)(to - from));
    FILE *f = buf ? fopen(ix->path, "rb") : NULL;
    int ok = f && fseek(f, from, SEEK_SET) == 0 &&
             fread(buf + hl + 1, 1, (size_t)(to - from), f) == (size_t)(to - from);
    if (f) fclose(f);
    if (!ok) {
        free(buf);
        snprintf(err, errlen, "%s: cannot read step %ld", ix->path, ix->step[i]);
        return -1;
    }
    memcpy(buf, ix->header, hl);
    buf[hl] = '\n';
    CsvTable t;
    int rc = csvio_parse(ix->path, buf, hl + 1 + (size_t)(to - from), &t, err, errlen);
    free(buf);
    if (rc) return -1;
    int col[STEP_RECORDS_NCOLS];
    if (csvio_cols(&t, step_records_columns, STEP_RECORDS_NCOLS, col, err, errlen)) {
        csvio_free(&t);
        return -1;
    }
    double objective = 0;
    for (size_t r = 0; r < t.nrows && rc == 0; r++) {
        if (strtol(csvio_cell(&t, r, (size_t)col[0]), NULL, 10) != ix->step[i]) {
            snprintf(err, errlen, "%s: step %ld: row %zu is of step %s (the file changed)",
                     ix->path, ix->step[i], r + 1, csvio_cell(&t, r, (size_t)col[0]));
            rc = -1;
            break;
        }
        GrpoTraceToken x;
        x.seq = (int)cell_num(&t, r, col[1]);
        x.pass = (int)cell_num(&t, r, col[3]);
        x.minibatch = (int)cell_num(&t, r, col[4]);
        x.pos = (int)cell_num(&t, r, col[5]);
        x.token = (int)cell_num(&t, r, col[6]);
        x.logp_old = (float)cell_num(&t, r, col[8]);
        x.logp = (float)cell_num(&t, r, col[9]);
        x.logp_ref = (float)cell_num(&t, r, col[10]);
        x.ratio = (float)cell_num(&t, r, col[11]);
        x.clip = (signed char)cell_num(&t, r, col[12]);
        x.kl = (float)cell_num(&t, r, col[13]);
        x.weight = (float)cell_num(&t, r, col[14]);
        x.objective = (float)cell_num(&t, r, col[15]);
        x.push = (float)cell_num(&t, r, col[16]);
        if (x.seq < 0 || x.seq >= out->n || x.pos < 0 || x.token < 0 || x.token >= TOK_VOCAB_SIZE) {
            /* the row's line counts from the step's first row */
            snprintf(err, errlen, "%s: step %ld: row %zu names no completion token of the step",
                     ix->path, ix->step[i], r + 1);
            rc = -1;
        } else if (grpo_trace_add(out, &x)) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        }
        if (x.minibatch < 0 && x.seq >= 0 && x.seq < out->n) out->seq[x.seq].masked = 1;
        objective += x.objective;
    }
    csvio_free(&t);
    int updates = out->mu * out->minibatches;
    out->loss = updates > 0 ? -objective / updates : 0;
    return rc;
}

int step_records_load(const StepIndex *ix, int i, const Stage *st, GrpoTrace *out, char *err,
                      size_t errlen) {
    if (i < 0 || i >= ix->n) {
        snprintf(err, errlen, "%s: no such recorded step", ix->path);
        return -1;
    }
    if (stage_grpo_trace_header(st, ix->step[i], out, err, errlen)) return -1;
    out->step = ix->step[i];
    if (load_samples(ix, out->step, out, err, errlen) || load_tokens(ix, i, out, err, errlen))
        return -1;
    grpo_trace_finish(out);
    return 0;
}
