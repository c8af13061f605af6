#include "engine/input_file.h"
#include "world/csvio.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void set_err(char *err, size_t errcap, const char *fmt, ...) {
    if (!err || errcap == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errcap, fmt, ap);
    va_end(ap);
}

static char *dup_bytes(const void *s, size_t n) {
    char *d = malloc(n + 1);
    if (!d) return NULL;
    if (n) memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* ---- reading ---------------------------------------------------------------- */

typedef struct {
    const char *name;
    char **fields; /* the record being assembled */
    size_t nf, capf;
    CsvTable *t;
    size_t capcells, caprows;
    int line;      /* physical line currently fed to libcsv */
    int rec_start; /* line where the record being assembled began */
    int between;   /* no record in progress: the next non-blank line starts one */
    int failed;
    char *err;
    size_t errcap;
} Parse;

static void drop_fields(Parse *p) {
    for (size_t i = 0; i < p->nf; i++) free(p->fields[i]);
    p->nf = 0;
}

static void on_field(void *s, size_t n, void *data) {
    Parse *p = data;
    if (p->failed) return;
    /* A record that began right after a bare '\r' terminator, mid-line. */
    if (p->between) {
        p->rec_start = p->line;
        p->between = 0;
    }
    if (p->nf == p->capf) {
        size_t cap = p->capf ? 2 * p->capf : 16;
        char **f = realloc(p->fields, cap * sizeof *f);
        if (!f) goto oom;
        p->fields = f;
        p->capf = cap;
    }
    char *d = dup_bytes(s ? s : "", s ? n : 0);
    if (!d) goto oom;
    p->fields[p->nf++] = d;
    return;
oom:
    set_err(p->err, p->errcap, "%s:%d: out of memory", p->name, p->line);
    p->failed = 1;
}

static void on_row(int term, void *data) {
    Parse *p = data;
    CsvTable *t = p->t;
    p->between = 1;
    if (p->failed) return;
    if (!t->header) {
        for (size_t i = 0; i < p->nf; i++)
            for (size_t j = 0; j < i; j++)
                if (strcmp(p->fields[i], p->fields[j]) == 0) {
                    set_err(p->err, p->errcap, "%s:%d: duplicate column '%s' in header", p->name,
                            p->rec_start, p->fields[i]);
                    p->failed = 1;
                    return;
                }
        t->header = p->fields;
        t->ncols = p->nf;
        p->fields = NULL;
        p->nf = p->capf = 0;
        return;
    }
    if (p->nf != t->ncols) {
        set_err(p->err, p->errcap, "%s:%d: row has %zu field%s, header has %zu", p->name,
                p->rec_start, p->nf, p->nf == 1 ? "" : "s", t->ncols);
        p->failed = 1;
        return;
    }
    if (t->nrows == p->caprows) {
        size_t cap = p->caprows ? 2 * p->caprows : 64;
        int *l = realloc(t->lines, cap * sizeof *l);
        if (!l) goto oom;
        t->lines = l;
        char **c = realloc(t->cells, cap * t->ncols * sizeof *c);
        if (!c) goto oom;
        t->cells = c;
        p->caprows = cap;
    }
    memcpy(t->cells + t->nrows * t->ncols, p->fields, t->ncols * sizeof *p->fields);
    t->lines[t->nrows++] = p->rec_start;
    p->nf = 0; /* the strings now belong to the table */
    return;
oom:
    set_err(p->err, p->errcap, "%s:%d: out of memory", p->name, p->rec_start);
    p->failed = 1;
}

static int blank_line(const char *s, const char *end) {
    for (; s < end; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n') return 0;
    return 1;
}

int csvio_parse(const char *name, const char *data, size_t len, CsvTable *t, char *err,
                size_t errcap) {
    memset(t, 0, sizeof *t);
    Parse p = {.name = name, .t = t, .between = 1, .err = err, .errcap = errcap};
    struct csv_parser cp;
    if (csv_init(&cp, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        set_err(err, errcap, "%s: out of memory", name);
        return -1;
    }
    /* Fed one physical line at a time so that the line number of a parse error
     * is simply the line being fed. */
    const char *s = data, *end = data + len;
    /* Spreadsheets save UTF-8 with a byte-order mark; kept, it would be part
     * of the first column's name, and that column not found. */
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) s += 3;
    while (s < end && !p.failed) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *stop = nl ? nl + 1 : end;
        p.line++;
        if (p.between && !blank_line(s, stop)) {
            p.rec_start = p.line;
            p.between = 0;
        }
        size_t n = (size_t)(stop - s);
        /* Every string of the table ends at its first NUL: a field holding one
         * would be read cut short. */
        const char *nul = memchr(s, '\0', n);
        if (nul) {
            set_err(err, errcap, "%s:%d: NUL byte at byte %zu of the line", name, p.line,
                    (size_t)(nul - s) + 1);
            p.failed = 1;
            break;
        }
        size_t k = csv_parse(&cp, s, n, on_field, on_row, &p);
        if (p.failed) break;
        if (k != n) {
            if (csv_error(&cp) == CSV_EPARSE)
                set_err(err, errcap,
                        "%s:%d: bad quoting at byte %zu of the line (a '\"' inside an "
                        "unquoted field, or text after a closing quote)",
                        name, p.line, k + 1);
            else
                set_err(err, errcap, "%s:%d: %s", name, p.line, csv_strerror(csv_error(&cp)));
            p.failed = 1;
        }
        s = stop;
    }
    if (!p.failed && csv_fini(&cp, on_field, on_row, &p) != 0 && !p.failed) {
        set_err(err, errcap,
                "%s:%d: unterminated quoted field (the record starting here runs "
                "to the end of the file)",
                name, p.rec_start);
        p.failed = 1;
    }
    csv_free(&cp);
    drop_fields(&p);
    free(p.fields);
    if (!p.failed && !t->header) {
        set_err(err, errcap, "%s: empty file, expected a header row", name);
        p.failed = 1;
    }
    if (p.failed) {
        csvio_free(t);
        return -1;
    }
    t->path = dup_bytes(name, strlen(name));
    if (!t->path) {
        set_err(err, errcap, "%s: out of memory", name);
        csvio_free(t);
        return -1;
    }
    return 0;
}

int csvio_read(const char *path, CsvTable *t, char *err, size_t errcap) {
    memset(t, 0, sizeof *t);
    if (input_file_check(path, err, errcap)) return -1;
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_err(err, errcap, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fclose(f);
            set_err(err, errcap, "%s: out of memory", path);
            return -1;
        }
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap) break;
        char *b = realloc(buf, cap * 2);
        if (!b) free(buf);
        buf = b;
        cap *= 2;
    }
    if (ferror(f)) {
        set_err(err, errcap, "cannot read %s: %s", path, strerror(errno));
        free(buf);
        fclose(f);
        return -1;
    }
    fclose(f);
    int rc = csvio_parse(path, buf, len, t, err, errcap);
    free(buf);
    return rc;
}

void csvio_free(CsvTable *t) {
    if (!t) return;
    for (size_t i = 0; t->header && i < t->ncols; i++) free(t->header[i]);
    for (size_t i = 0; t->cells && i < t->nrows * t->ncols; i++) free(t->cells[i]);
    free(t->header);
    free(t->cells);
    free(t->lines);
    free(t->path);
    memset(t, 0, sizeof *t);
}

int csvio_col(const CsvTable *t, const char *name) {
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->header[i], name) == 0) return (int)i;
    return -1;
}

int csvio_cols(const CsvTable *t, const char *const *names, size_t n, int *idx, char *err,
               size_t errcap) {
    for (size_t i = 0; i < n; i++) {
        idx[i] = csvio_col(t, names[i]);
        if (idx[i] >= 0) continue;
        char have[512] = "";
        size_t used = 0;
        for (size_t c = 0; c < t->ncols && used < sizeof have; c++)
            used += (size_t)snprintf(have + used, sizeof have - used, "%s%s", c ? ", " : "",
                                     t->header[c]);
        set_err(err, errcap, "%s:1: no column '%s' (columns: %s)", t->path ? t->path : "?",
                names[i], have);
        return -1;
    }
    return 0;
}

/* ---- writing ---------------------------------------------------------------- */

/* libcsv trims unquoted blanks and skips empty lines, so a field must be quoted
 * whenever writing it bare would not read back as the same bytes. */
static int needs_quotes(const char *s, size_t n, size_t nfields) {
    if (n == 0) return nfields == 1;
    if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t') return 1;
    return strpbrk(s, ",\"\r\n") != NULL;
}

char *csvio_format_row(const char *const *fields, size_t n, size_t *len) {
    size_t total = n ? n : 1; /* separators and the final newline */
    for (size_t i = 0; i < n; i++) {
        const char *s = fields[i] ? fields[i] : "";
        size_t sl = strlen(s);
        total += needs_quotes(s, sl, n) ? csv_write(NULL, 0, s, sl) : sl;
    }
    char *out = malloc(total + 1);
    if (!out) return NULL;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = fields[i] ? fields[i] : "";
        size_t sl = strlen(s);
        if (i) out[at++] = ',';
        if (needs_quotes(s, sl, n))
            at += csv_write(out + at, total - at, s, sl);
        else {
            memcpy(out + at, s, sl);
            at += sl;
        }
    }
    out[at++] = '\n';
    out[at] = '\0';
    *len = at;
    return out;
}

static int count_newlines(const char *s, size_t n) {
    int c = 0;
    for (size_t i = 0; i < n; i++) c += s[i] == '\n';
    return c;
}

struct CsvWriter {
    char *path, *tmp;
    FILE *f;
    size_t ncols;
    int line;          /* physical line the next row starts on */
    char failure[512]; /* first error; a non-empty failure poisons the writer */
};

void csvio_writer_abort(CsvWriter *w) {
    if (!w) return;
    if (w->f) fclose(w->f);
    unlink(w->tmp);
    free(w->path);
    free(w->tmp);
    free(w);
}

static int writer_put(CsvWriter *w, const char *const *fields, size_t n) {
    size_t len;
    char *row = csvio_format_row(fields, n, &len);
    if (!row) {
        set_err(w->failure, sizeof w->failure, "%s:%d: out of memory", w->path, w->line);
        return -1;
    }
    size_t put = fwrite(row, 1, len, w->f);
    w->line += count_newlines(row, len);
    free(row);
    if (put != len) {
        set_err(w->failure, sizeof w->failure, "cannot write %s: %s", w->tmp, strerror(errno));
        return -1;
    }
    return 0;
}

CsvWriter *csvio_writer_open(const char *path, const char *const *header, size_t ncols, char *err,
                             size_t errcap) {
    CsvWriter *w = calloc(1, sizeof *w);
    if (!w || ncols == 0 || asprintf(&w->tmp, "%s.tmp.%ld", path, (long)getpid()) < 0) {
        set_err(err, errcap, ncols ? "%s: out of memory" : "%s: a CSV file needs columns", path);
        free(w);
        return NULL;
    }
    w->path = strdup(path);
    w->ncols = ncols;
    w->line = 1;
    w->f = w->path ? fopen(w->tmp, "wb") : NULL;
    if (!w->f) {
        set_err(err, errcap, "cannot create %s: %s", w->tmp, strerror(errno));
        csvio_writer_abort(w);
        return NULL;
    }
    if (writer_put(w, header, ncols) != 0) {
        set_err(err, errcap, "%s", w->failure);
        csvio_writer_abort(w);
        return NULL;
    }
    return w;
}

int csvio_writer_row(CsvWriter *w, const char *const *fields, size_t n, char *err, size_t errcap) {
    if (w->failure[0]) {
        set_err(err, errcap, "%s", w->failure);
        return -1;
    }
    if (n != w->ncols) {
        set_err(w->failure, sizeof w->failure, "%s:%d: row has %zu field%s, header has %zu",
                w->path, w->line, n, n == 1 ? "" : "s", w->ncols);
    } else {
        writer_put(w, fields, n);
    }
    if (w->failure[0]) {
        set_err(err, errcap, "%s", w->failure);
        return -1;
    }
    return 0;
}

/* Makes the rename itself durable; failure here does not undo the write. */
static void sync_parent_dir(const char *path) {
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
    if (!dir) return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

int csvio_writer_commit(CsvWriter *w, char *err, size_t errcap) {
    if (!w->failure[0]) {
        if (fflush(w->f) != 0 || fsync(fileno(w->f)) != 0)
            set_err(w->failure, sizeof w->failure, "cannot write %s: %s", w->tmp, strerror(errno));
    }
    if (!w->failure[0]) {
        int rc = fclose(w->f);
        w->f = NULL;
        if (rc != 0)
            set_err(w->failure, sizeof w->failure, "cannot write %s: %s", w->tmp, strerror(errno));
        else if (rename(w->tmp, w->path) != 0)
            set_err(w->failure, sizeof w->failure, "cannot rename %s to %s: %s", w->tmp, w->path,
                    strerror(errno));
    }
    if (w->failure[0]) {
        set_err(err, errcap, "%s (%s not written)", w->failure, w->path);
        csvio_writer_abort(w);
        return -1;
    }
    sync_parent_dir(w->path);
    free(w->path);
    free(w->tmp);
    free(w);
    return 0;
}

int csvio_write(const char *path, const char *const *header, size_t ncols, const char *const *cells,
                size_t nrows, char *err, size_t errcap) {
    CsvWriter *w = csvio_writer_open(path, header, ncols, err, errcap);
    if (!w) return -1;
    for (size_t r = 0; r < nrows; r++)
        if (csvio_writer_row(w, cells + r * ncols, ncols, err, errcap) != 0) {
            csvio_writer_abort(w);
            return -1;
        }
    return csvio_writer_commit(w, err, errcap);
}

/* ---- appending -------------------------------------------------------------- */

struct CsvAppender {
    char *path;
    int fd;
    size_t ncols;
    int line;
};

/* One write(2) per row; on any failure the file is cut back to `before`, so the
 * file only ever grows by whole rows. */
static int append_bytes(CsvAppender *a, const char *buf, size_t len, char *err, size_t errcap) {
    off_t before = lseek(a->fd, 0, SEEK_END);
    size_t done = 0;
    while (done < len) {
        ssize_t k = write(a->fd, buf + done, len - done);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            int e = k < 0 ? errno : ENOSPC;
            if (before >= 0 && ftruncate(a->fd, before) != 0) { /* nothing more to do */
            }
            set_err(err, errcap, "cannot append to %s: %s", a->path, strerror(e));
            return -1;
        }
        done += (size_t)k;
    }
    a->line += count_newlines(buf, len);
    return 0;
}

static int append_put(CsvAppender *a, const char *const *fields, size_t n, char *err,
                      size_t errcap) {
    size_t len;
    char *row = csvio_format_row(fields, n, &len);
    if (!row) {
        set_err(err, errcap, "%s:%d: out of memory", a->path, a->line);
        return -1;
    }
    int rc = append_bytes(a, row, len, err, errcap);
    free(row);
    return rc;
}

CsvAppender *csvio_append_open(const char *path, const char *const *header, size_t ncols, char *err,
                               size_t errcap) {
    if (ncols == 0) {
        set_err(err, errcap, "%s: a CSV file needs columns", path);
        return NULL;
    }
    CsvAppender *a = calloc(1, sizeof *a);
    if (!a || !(a->path = strdup(path))) {
        set_err(err, errcap, "%s: out of memory", path);
        free(a);
        return NULL;
    }
    a->ncols = ncols;
    a->line = 1;
    a->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    struct stat st;
    if (a->fd < 0 || fstat(a->fd, &st) != 0) {
        set_err(err, errcap, "cannot open %s: %s", path, strerror(errno));
        goto fail;
    }
    if (st.st_size == 0) {
        if (append_put(a, header, ncols, err, errcap) != 0) goto fail;
        return a;
    }
    /* Resuming: the rows already there must be whole and of the same columns. */
    CsvTable old;
    if (csvio_read(path, &old, err, errcap) != 0) goto fail;
    int same = old.ncols == ncols;
    for (size_t i = 0; same && i < ncols; i++) same = strcmp(old.header[i], header[i]) == 0;
    if (!same) {
        char have[256] = "", want[256] = "";
        size_t u = 0, v = 0;
        for (size_t i = 0; i < old.ncols && u < sizeof have; i++)
            u += (size_t)snprintf(have + u, sizeof have - u, "%s%s", i ? "," : "", old.header[i]);
        for (size_t i = 0; i < ncols && v < sizeof want; i++)
            v += (size_t)snprintf(want + v, sizeof want - v, "%s%s", i ? "," : "", header[i]);
        set_err(err, errcap, "%s:1: existing header (%s) differs from this run's (%s)", path, have,
                want);
        csvio_free(&old);
        goto fail;
    }
    csvio_free(&old);
    /* Physical lines so far, for messages about later rows. */
    FILE *f = fopen(path, "rb");
    int c, last = '\n';
    if (f) {
        while ((c = getc(f)) != EOF) {
            a->line += c == '\n';
            last = c;
        }
        fclose(f);
    }
    if (last != '\n' && append_bytes(a, "\n", 1, err, errcap) != 0) goto fail;
    return a;
fail:
    if (a->fd >= 0) close(a->fd);
    free(a->path);
    free(a);
    return NULL;
}

int csvio_append_row(CsvAppender *a, const char *const *fields, size_t n, char *err,
                     size_t errcap) {
    if (n != a->ncols) {
        set_err(err, errcap, "%s:%d: row has %zu field%s, header has %zu", a->path, a->line, n,
                n == 1 ? "" : "s", a->ncols);
        return -1;
    }
    return append_put(a, fields, n, err, errcap);
}

int csvio_append_close(CsvAppender *a, char *err, size_t errcap) {
    if (!a) return 0;
    int rc = 0;
    if (fsync(a->fd) != 0 && errno != EINVAL) {
        set_err(err, errcap, "cannot sync %s: %s", a->path, strerror(errno));
        rc = -1;
    }
    if (close(a->fd) != 0 && rc == 0) {
        set_err(err, errcap, "cannot close %s: %s", a->path, strerror(errno));
        rc = -1;
    }
    free(a->path);
    free(a);
    return rc;
}
