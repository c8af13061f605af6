#include "pipeline/shared_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/crc32.h"
#include "pipeline/cache.h"
#include "pipeline/rundir.h"

enum { MANIFEST_MAX_FILES = 64, NAME_CAP = 256 };

typedef struct {
    char name[NAME_CAP];
    long long size;
    uint32_t crc;
} ManifestFile;

typedef struct {
    uint64_t key;
    char kind[32], stage[64];
    int n;
    ManifestFile files[MANIFEST_MAX_FILES];
} Manifest;

int shared_cache_default(const char *run_dir, char *buf, size_t cap) {
    const char *env = getenv("R1SIM_CACHE");
    int n;
    if (env && env[0]) {
        n = snprintf(buf, cap, "%s", env);
    } else {
        const char *slash = strrchr(run_dir, '/');
        if (!slash)
            n = snprintf(buf, cap, ".cache");
        else if (slash == run_dir)
            n = snprintf(buf, cap, "/.cache");
        else
            n = snprintf(buf, cap, "%.*s/.cache", (int)(slash - run_dir), run_dir);
    }
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static int join(char *buf, size_t cap, const char *a, const char *b) {
    int n = snprintf(buf, cap, "%s/%s", a, b);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static void key_name(uint64_t key, char out[17]) {
    snprintf(out, 17, "%016" PRIx64, key);
}

static int parse_key_name(const char *name, uint64_t *key) {
    if (strlen(name) != 16 || strspn(name, "0123456789abcdef") != 16) return 0;
    *key = strtoull(name, NULL, 16);
    return 1;
}

/* Files of a finished stage directory that belong in the cache: not its
 * bookkeeping (key, done), resume points or temporary files. */
static int cacheable(const char *name) {
    if (name[0] == '.' || !strcmp(name, "key") || !strcmp(name, "done")) return 0;
    if (!strcmp(name, "resume") || !strncmp(name, "resume-", 7)) return 0;
    if (strstr(name, ".tmp")) return 0;
    return strlen(name) < NAME_CAP && !strchr(name, ' ');
}

/* Copies src to dst (created or truncated), fsynced; its size and CRC. 0;
 * COPY_NO_SOURCE when src cannot be read; -1 when dst cannot be written. */
enum { COPY_NO_SOURCE = 1 };

static int copy_file(const char *src, const char *dst, long long *size, uint32_t *crc) {
    *size = 0;
    *crc = 0;
    int in = open(src, O_RDONLY);
    if (in < 0) return COPY_NO_SOURCE;
    int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (out < 0) {
        close(in);
        return -1;
    }
    unsigned char buf[65536];
    long long total = 0;
    uint32_t c = 0;
    int rc = 0;
    for (;;) {
        ssize_t got = read(in, buf, sizeof buf);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) rc = COPY_NO_SOURCE;
        if (got <= 0) break;
        c = crc32_update(c, buf, (size_t)got);
        total += got;
        for (ssize_t at = 0; at < got;) {
            ssize_t put = write(out, buf + at, (size_t)(got - at));
            if (put < 0 && errno == EINTR) continue;
            if (put <= 0) {
                rc = -1;
                break;
            }
            at += put;
        }
        if (rc) break;
    }
    if (fsync(out) != 0 && !rc) rc = -1;
    if (close(out) != 0 && !rc) rc = -1;
    close(in);
    *size = total;
    *crc = c;
    return rc;
}

/* The bytes of DIR's regular files; with drop, the files and DIR are
 * removed too, and the bytes are those removed. */
static long long tree_bytes(const char *dir, int drop) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    long long bytes = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char f[4400];
        struct stat sb;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (join(f, sizeof f, dir, e->d_name) || lstat(f, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue;
        if (!drop || unlink(f) == 0) bytes += sb.st_size;
    }
    closedir(d);
    if (drop) rmdir(dir);
    return bytes;
}

static long long remove_tree(const char *dir) {
    return tree_bytes(dir, 1);
}

static int read_manifest(const char *entry_dir, Manifest *m) {
    char path[4400];
    if (join(path, sizeof path, entry_dir, "manifest")) return -1;
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    memset(m, 0, sizeof *m);
    char line[512];
    int version = 0, ok = 1;
    while (ok && fgets(line, sizeof line, f)) {
        char name[NAME_CAP];
        long long size;
        unsigned crc;
        if (sscanf(line, "r1sim-cache %d", &version) == 1) continue;
        if (sscanf(line, "key %" SCNx64, &m->key) == 1) continue;
        if (sscanf(line, "kind %31s", m->kind) == 1) continue;
        if (sscanf(line, "stage %63s", m->stage) == 1) continue;
        if (sscanf(line, "file %255s %lld %x", name, &size, &crc) == 3 &&
            m->n < MANIFEST_MAX_FILES && cacheable(name)) {
            ManifestFile *mf = &m->files[m->n++];
            memcpy(mf->name, name, sizeof mf->name);
            mf->size = size;
            mf->crc = crc;
            continue;
        }
        ok = 0;
    }
    ok &= !ferror(f);
    fclose(f);
    return ok && version == 1 && m->key ? 0 : -1;
}

/* This host's name as it goes into an unfinished entry's name, which
 * splits on '-'. */
static void host_tag(char *host, size_t cap) {
    if (gethostname(host, cap) != 0) snprintf(host, cap, "host");
    host[cap - 1] = 0;
    for (char *p = host; *p; p++)
        if (*p == '/' || *p == '-') *p = '_';
}

static int entry_dir(char *buf, size_t cap, const char *cache, uint64_t key) {
    char k[17];
    key_name(key, k);
    return join(buf, cap, cache, k);
}

int shared_cache_has(const char *cache, uint64_t key) {
    char dir[4096];
    Manifest m;
    return entry_dir(dir, sizeof dir, cache, key) == 0 && read_manifest(dir, &m) == 0 &&
           m.key == key;
}

int shared_cache_restore(const char *cache, uint64_t key, const char *run_dir, const char *stage,
                         char *err, size_t errlen) {
    char dir[4096];
    Manifest m;
    if (entry_dir(dir, sizeof dir, cache, key) || read_manifest(dir, &m) || m.key != key) return 0;
    if (rundir_make(run_dir, stage, err, errlen)) return -1;
    rundir_clear_stage(run_dir, stage);
    for (int i = 0; i < m.n; i++) {
        char src[4400], dst[4096], tmp[4400];
        long long size;
        uint32_t crc;
        if (join(src, sizeof src, dir, m.files[i].name) ||
            rundir_path(dst, sizeof dst, run_dir, stage, m.files[i].name)) {
            snprintf(err, errlen, "%s/%s: path too long", run_dir, stage);
            return -1;
        }
        snprintf(tmp, sizeof tmp, "%s.tmp.%ld", dst, (long)getpid());
        int copied = copy_file(src, tmp, &size, &crc);
        if (copied < 0) {
            snprintf(err, errlen, "%s: cannot write: %s", tmp, strerror(errno));
            remove(tmp);
            return -1;
        }
        if (copied == COPY_NO_SOURCE || size != m.files[i].size || crc != m.files[i].crc) {
            /* damaged, or pruned while it was read: never reused */
            remove(tmp);
            rundir_clear_stage(run_dir, stage);
            remove_tree(dir);
            return 0;
        }
        if (rename(tmp, dst) != 0) {
            snprintf(err, errlen, "%s: cannot write: %s", dst, strerror(errno));
            remove(tmp);
            return -1;
        }
    }
    if (cache_mark_done(run_dir, stage, key, err, errlen)) return -1;
    char manifest[4400];
    if (join(manifest, sizeof manifest, dir, "manifest") == 0 &&
        utimensat(AT_FDCWD, manifest, NULL, 0) != 0)
        errno = 0; /* the entry's age is for prune only */
    return 1;
}

static int write_manifest(const char *dir, const Manifest *m) {
    char path[4400];
    if (join(path, sizeof path, dir, "manifest")) return -1;
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    int bad = fprintf(f, "r1sim-cache 1\nkey %016" PRIx64 "\nkind %s\nstage %s\n", m->key, m->kind,
                      m->stage) < 0;
    for (int i = 0; i < m->n; i++)
        bad |= fprintf(f, "file %s %lld %08x\n", m->files[i].name, m->files[i].size,
                       (unsigned)m->files[i].crc) < 0;
    bad |= fflush(f) != 0 || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    return bad ? -1 : 0;
}

int shared_cache_publish(const char *cache, uint64_t key, const char *run_dir, const char *stage,
                         const char *kind, char *err, size_t errlen) {
    char dir[4096], src_dir[4096], tmp[4400], host[64] = "host";
    Manifest m;
    if (entry_dir(dir, sizeof dir, cache, key) ||
        rundir_path(src_dir, sizeof src_dir, run_dir, stage, NULL)) {
        snprintf(err, errlen, "%s: path too long", cache);
        return -1;
    }
    if (read_manifest(dir, &m) == 0 && m.key == key) return 0;
    if (rundir_make(cache, NULL, err, errlen)) return -1;
    host_tag(host, sizeof host);
    char k[17];
    key_name(key, k);
    snprintf(tmp, sizeof tmp, "%s/tmp-%s-%s-%ld", cache, k, host, (long)getpid());
    remove_tree(tmp); /* this pid's own leftover, from an earlier attempt */
    if (mkdir(tmp, 0777) != 0) {
        snprintf(err, errlen, "%s: cannot create directory: %s", tmp, strerror(errno));
        return -1;
    }
    memset(&m, 0, sizeof m);
    m.key = key;
    snprintf(m.kind, sizeof m.kind, "%s", kind);
    snprintf(m.stage, sizeof m.stage, "%s", stage);
    DIR *d = opendir(src_dir);
    int rc = d ? 0 : -1;
    struct dirent *e;
    while (rc == 0 && d && (e = readdir(d)) != NULL) {
        char src[4400], dst[4400];
        struct stat sb;
        if (!cacheable(e->d_name) || join(src, sizeof src, src_dir, e->d_name) ||
            lstat(src, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue;
        if (m.n >= MANIFEST_MAX_FILES || join(dst, sizeof dst, tmp, e->d_name)) {
            rc = -1;
            break;
        }
        ManifestFile *mf = &m.files[m.n];
        snprintf(mf->name, sizeof mf->name, "%s", e->d_name);
        if (copy_file(src, dst, &mf->size, &mf->crc) != 0) rc = -1;
        m.n++;
    }
    if (d) closedir(d);
    if (rc == 0) rc = write_manifest(tmp, &m);
    if (rc != 0) {
        snprintf(err, errlen, "%s: cannot store stage '%s' in the cache: %s", cache, stage,
                 errno ? strerror(errno) : "too many files");
        remove_tree(tmp);
        return -1;
    }
    if (rename(tmp, dir) != 0) {
        int why = errno;
        remove_tree(tmp);
        /* another process stored the same key first: its entry is as good */
        if (why == EEXIST || why == ENOTEMPTY) return 0;
        snprintf(err, errlen, "%s: cannot store stage '%s' in the cache: %s", dir, stage,
                 strerror(why));
        return -1;
    }
    return 0;
}

int shared_cache_claim(const char *cache, uint64_t key, int *busy) {
    char path[4200], k[17], e[256];
    *busy = 0;
    key_name(key, k);
    if (rundir_make(cache, NULL, e, sizeof e) ||
        snprintf(path, sizeof path, "%s/lock-%s", cache, k) >= (int)sizeof path)
        return -1;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) return -1;
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) return fd;
    *busy = errno == EWOULDBLOCK;
    close(fd);
    return -1;
}

void shared_cache_release(int fd) {
    if (fd >= 0) close(fd); /* closing drops the flock */
}

static int by_use(const void *a, const void *b) {
    const SharedCacheEntry *x = a, *y = b;
    if (x->used != y->used) return x->used < y->used ? 1 : -1;
    return x->key < y->key ? -1 : x->key > y->key;
}

int shared_cache_list(const char *cache, SharedCacheEntry **out, int *n, long long *temp_bytes,
                      char *err, size_t errlen) {
    *out = NULL;
    *n = 0;
    *temp_bytes = 0;
    DIR *d = opendir(cache);
    if (!d) {
        if (errno == ENOENT) return 0;
        snprintf(err, errlen, "%s: cannot read: %s", cache, strerror(errno));
        return -1;
    }
    int cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char dir[4400];
        uint64_t key;
        if (join(dir, sizeof dir, cache, e->d_name)) continue;
        if (!strncmp(e->d_name, "tmp-", 4)) {
            *temp_bytes += tree_bytes(dir, 0);
            continue;
        }
        Manifest m;
        if (!parse_key_name(e->d_name, &key) || read_manifest(dir, &m) || m.key != key) continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 32;
            SharedCacheEntry *grown = realloc(*out, (size_t)cap * sizeof **out);
            if (!grown) {
                closedir(d);
                free(*out);
                *out = NULL;
                *n = 0;
                snprintf(err, errlen, "out of memory");
                return -1;
            }
            *out = grown;
        }
        SharedCacheEntry *c = &(*out)[(*n)++];
        memset(c, 0, sizeof *c);
        c->key = key;
        memcpy(c->kind, m.kind, sizeof c->kind);
        memcpy(c->stage, m.stage, sizeof c->stage);
        c->bytes = tree_bytes(dir, 0);
        char manifest[4500];
        struct stat sb;
        if (join(manifest, sizeof manifest, dir, "manifest") == 0 && stat(manifest, &sb) == 0)
            c->used = sb.st_mtime;
    }
    closedir(d);
    if (*n > 1) qsort(*out, (size_t)*n, sizeof **out, by_use);
    return 0;
}

long long shared_cache_remove(const char *cache, uint64_t key) {
    char dir[4096];
    if (entry_dir(dir, sizeof dir, cache, key) || access(dir, F_OK) != 0) return -1;
    return remove_tree(dir);
}

/* tmp-KEY-HOST-PID of this host whose process has ended */
static int writer_gone(const char *name) {
    char host[64];
    host_tag(host, sizeof host);
    const char *pid_at = strrchr(name, '-');
    size_t hlen = strlen(host);
    if (!pid_at || strlen(name) < 4 + 17 + hlen + 2 || strncmp(name + 4 + 17, host, hlen) ||
        name + 4 + 17 + hlen != pid_at)
        return 0;
    long pid = strtol(pid_at + 1, NULL, 10);
    return pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

long long shared_cache_remove_temps(const char *cache) {
    DIR *d = opendir(cache);
    if (!d) return 0;
    long long bytes = 0;
    time_t now = time(NULL);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char dir[4400];
        struct stat sb;
        if (!strncmp(e->d_name, "lock-", 5) && join(dir, sizeof dir, cache, e->d_name) == 0) {
            /* unlinked only while held here, so no run waits on it */
            int fd = open(dir, O_RDWR | O_CLOEXEC);
            if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0) unlink(dir);
            if (fd >= 0) close(fd);
            continue;
        }
        if (strncmp(e->d_name, "tmp-", 4) || join(dir, sizeof dir, cache, e->d_name) ||
            lstat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
            continue;
        if (writer_gone(e->d_name) || now - sb.st_mtime > 86400) bytes += remove_tree(dir);
    }
    closedir(d);
    return bytes;
}
