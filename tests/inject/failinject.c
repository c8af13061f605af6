/* Failure injection for tests/test_cli_inject.c, linked into
 * build/r1sim-inject with -Wl,--wrap=SYMBOL for each function below (see
 * the Makefile's INJECT_WRAP). A link-time wrap sees exactly the calls that
 * r1sim's own objects make, and nothing inside libc, BLIS, libcsv or the
 * OpenMP runtime: those libraries have no recovery path of ours to test, and
 * glibc's stdio writes through an internal write that no interposer could
 * catch anyway. It also works under ASan, where an LD_PRELOAD of malloc
 * fights the sanitizer's own. Lua's allocations are covered because the
 * host's allocator (src/script/host.c) is ours and calls realloc.
 *
 * Controlled by the environment:
 *   R1SIM_FAIL_ALLOC_AFTER=N  allocation N+1 fails, and every later one
 *   R1SIM_FAIL_ALLOC_ONCE=1   ... only that one (a transient failure)
 *   R1SIM_FAIL_WRITE_AFTER=N  writes to regular files beyond N bytes in
 *                             all fail with ENOSPC, as a full disk does
 *   R1SIM_INJECT_REPORT=PATH  appends what was counted: a line per file
 *                             opened for writing and a last line at exit
 * Descriptors 0-2 and anything not a regular file are not counted, so the
 * progress lines and error messages still reach the test. fsync does
 * nothing here: durability across a power cut is not what the test checks,
 * and the syncs were three quarters of its wall time. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t align, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
FILE *__real_fopen(const char *path, const char *mode);
size_t __real_fwrite(const void *p, size_t size, size_t n, FILE *f);
int __real_fputs(const char *s, FILE *f);
int __real_fputc(int c, FILE *f);
int __real_putc(int c, FILE *f);
int __real_fflush(FILE *f);
int __real_fclose(FILE *f);
int __real_ferror(FILE *f);
int __real_open(const char *path, int flags, ...);
ssize_t __real_write(int fd, const void *buf, size_t n);
ssize_t __real_pwrite(int fd, const void *buf, size_t n, off_t at);

static long long alloc_after = -1, write_after = -1;
static bool alloc_once;
static atomic_llong allocs, bytes;
static int report_fd = -1;

static long long env_num(const char *name) {
    const char *v = getenv(name);
    return v && *v ? strtoll(v, NULL, 10) : -1;
}

static void report(const char *what, const char *path) {
    if (report_fd < 0) return;
    char line[600];
    int len = snprintf(line, sizeof line, "%s %lld %lld %s\n", what, (long long)bytes,
                       (long long)allocs, path ? path : "");
    if (len > 0 && __real_write(report_fd, line, (size_t)len) < 0) report_fd = -1;
}

static void at_exit(void) {
    report("exit", NULL);
}

__attribute__((constructor)) static void inject_init(void) {
    alloc_after = env_num("R1SIM_FAIL_ALLOC_AFTER");
    alloc_once = env_num("R1SIM_FAIL_ALLOC_ONCE") == 1;
    write_after = env_num("R1SIM_FAIL_WRITE_AFTER");
    const char *r = getenv("R1SIM_INJECT_REPORT");
    if (r && *r) report_fd = __real_open(r, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    atexit(at_exit);
}

/* ---- allocations ------------------------------------------------------------ */

/* Counts one allocation; true when it is to fail. */
static bool alloc_fails(void) {
    long long k = ++allocs;
    if (alloc_after < 0 || k <= alloc_after) return false;
    if (alloc_once && k != alloc_after + 1) return false;
    errno = ENOMEM;
    return true;
}

void *__wrap_malloc(size_t n) {
    return alloc_fails() ? NULL : __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t size) {
    return alloc_fails() ? NULL : __real_calloc(n, size);
}
/* A shrink to zero is a free in Lua's allocator protocol and cannot fail. */
void *__wrap_realloc(void *p, size_t n) {
    return n && alloc_fails() ? NULL : __real_realloc(p, n);
}
void *__wrap_aligned_alloc(size_t align, size_t n) {
    return alloc_fails() ? NULL : __real_aligned_alloc(align, n);
}
char *__wrap_strdup(const char *s) {
    return alloc_fails() ? NULL : __real_strdup(s);
}
char *__wrap_strndup(const char *s, size_t n) {
    return alloc_fails() ? NULL : __real_strndup(s, n);
}

/* asprintf allocates inside libc, where malloc is not wrapped. */
int __wrap_asprintf(char **out, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0) return -1;
    char *s = __wrap_malloc((size_t)len + 1);
    if (!s) return -1;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)len + 1, fmt, ap);
    va_end(ap);
    *out = s;
    return len;
}

/* ---- writes ----------------------------------------------------------------- */

/* Streams that met the full disk: a real ENOSPC on a buffered stream shows at
 * the write or later at fflush/fclose, and sets the error flag; so here. */
#define MAX_FAILED 64
static FILE *failed[MAX_FAILED];

static void mark_failed(FILE *f) {
    for (int i = 0; i < MAX_FAILED; i++)
        if (failed[i] == f) return;
    for (int i = 0; i < MAX_FAILED; i++)
        if (!failed[i]) {
            failed[i] = f;
            return;
        }
}

static bool unmark(FILE *f) {
    for (int i = 0; i < MAX_FAILED; i++)
        if (failed[i] == f) {
            failed[i] = NULL;
            return true;
        }
    return false;
}

static bool counted_fd(int fd) {
    struct stat st;
    return fd > 2 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

/* How many of n bytes to fd the disk still takes; counts them. */
static size_t room_for(int fd, size_t n) {
    if (!counted_fd(fd)) return n;
    long long left = write_after < 0 ? (long long)n : write_after - (long long)bytes;
    size_t take = left <= 0 ? 0 : (size_t)left < n ? (size_t)left : n;
    bytes += (long long)take;
    return take;
}

FILE *__wrap_fopen(const char *path, const char *mode) {
    FILE *f = __real_fopen(path, mode);
    if (f && strpbrk(mode, "wa+")) report("open", path);
    return f;
}

int __wrap_open(const char *path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
    va_end(ap);
    int fd = __real_open(path, flags, mode);
    if (fd >= 0 && (flags & (O_WRONLY | O_RDWR))) report("open", path);
    return fd;
}

size_t __wrap_fwrite(const void *p, size_t size, size_t n, FILE *f) {
    if (size == 0 || n == 0) return __real_fwrite(p, size, n, f);
    size_t want = size * n, take = room_for(fileno(f), want);
    if (take == want) return __real_fwrite(p, size, n, f);
    size_t whole = take / size;
    if (whole) __real_fwrite(p, size, whole, f);
    mark_failed(f);
    errno = ENOSPC;
    return whole;
}

int __wrap_fputs(const char *s, FILE *f) {
    size_t len = strlen(s);
    return __wrap_fwrite(s, 1, len, f) == len ? 0 : EOF;
}

int __wrap_fputc(int c, FILE *f) {
    unsigned char b = (unsigned char)c;
    return __wrap_fwrite(&b, 1, 1, f) == 1 ? b : EOF;
}

int __wrap_putc(int c, FILE *f) {
    return __wrap_fputc(c, f);
}

int __wrap_fprintf(FILE *f, const char *fmt, ...) {
    char small[512], *s = small;
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (len < 0) return len;
    if ((size_t)len >= sizeof small) {
        s = __real_malloc((size_t)len + 1);
        if (!s) return -1;
        va_start(ap, fmt);
        vsnprintf(s, (size_t)len + 1, fmt, ap);
        va_end(ap);
    }
    size_t put = __wrap_fwrite(s, 1, (size_t)len, f);
    if (s != small) free(s);
    return put == (size_t)len ? len : -1;
}

int __wrap_fflush(FILE *f) {
    int rc = __real_fflush(f);
    bool bad = false;
    for (int i = 0; f && i < MAX_FAILED; i++) bad = bad || failed[i] == f;
    if (bad) errno = ENOSPC;
    return bad ? EOF : rc;
}

int __wrap_fclose(FILE *f) {
    bool bad = unmark(f);
    int rc = __real_fclose(f);
    if (bad) errno = ENOSPC;
    return bad ? EOF : rc;
}

int __wrap_ferror(FILE *f) {
    for (int i = 0; i < MAX_FAILED; i++)
        if (failed[i] == f) return 1;
    return __real_ferror(f);
}

ssize_t __wrap_write(int fd, const void *buf, size_t n) {
    size_t take = room_for(fd, n);
    if (take == 0 && n > 0) {
        errno = ENOSPC;
        return -1;
    }
    return __real_write(fd, buf, take);
}

int __wrap_fsync(int fd) {
    struct stat st;
    return fstat(fd, &st);
}

ssize_t __wrap_pwrite(int fd, const void *buf, size_t n, off_t at) {
    size_t take = room_for(fd, n);
    if (take == 0 && n > 0) {
        errno = ENOSPC;
        return -1;
    }
    return __real_pwrite(fd, buf, take, at);
}
