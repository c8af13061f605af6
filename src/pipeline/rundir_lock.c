#include "pipeline/rundir_lock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipeline/rundir.h"

int rundir_lock(const char *dir, char *err, size_t errlen) {
    if (rundir_make(dir, NULL, err, errlen)) return -1;
    char path[4200];
    snprintf(path, sizeof path, "%s/.lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        char pid[32] = "";
        ssize_t n = pread(fd, pid, sizeof pid - 1, 0);
        pid[n > 0 ? n : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        if (e == EWOULDBLOCK)
            snprintf(err, errlen,
                     "%s is in use by another r1sim run%s%s%s; wait for it or give --out", dir,
                     pid[0] ? " (pid " : "", pid, pid[0] ? ")" : "");
        else
            snprintf(err, errlen, "%s: cannot lock: %s", path, strerror(e));
        close(fd);
        return -1;
    }
    char pid[32];
    int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    /* the pid is only for the message above; a failure to record it is not one */
    if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)len, 0) < 0) errno = 0;
    return fd;
}

/* NAME.tmp (a stage's step file) or NAME.tmp.PID (atomic_file, csvio) */
static int is_temp_name(const char *name) {
    const char *t = strstr(name, ".tmp");
    while (t) {
        const char *rest = t + 4;
        if (*rest == '\0') return 1;
        if (*rest == '.' && rest[1]) {
            const char *d = rest + 1;
            while (*d >= '0' && *d <= '9') d++;
            if (*d == '\0') return 1;
        }
        t = strstr(t + 1, ".tmp");
    }
    return 0;
}

static int remove_temps_in(const char *path, int depth) {
    DIR *d = opendir(path);
    if (!d) return 0;
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char f[4400];
        struct stat sb;
        snprintf(f, sizeof f, "%s/%s", path, e->d_name);
        if (lstat(f, &sb) != 0) continue;
        if (S_ISDIR(sb.st_mode) && depth == 0)
            removed += remove_temps_in(f, 1);
        else if (S_ISREG(sb.st_mode) && is_temp_name(e->d_name) && unlink(f) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}

int rundir_remove_temps(const char *dir) {
    return remove_temps_in(dir, 0);
}
