#include "engine/input_file.h"

#include <stdio.h>
#include <sys/stat.h>

static const char *file_type(mode_t m) {
    if (S_ISFIFO(m)) return "a fifo";
    if (S_ISCHR(m)) return "a character device";
    if (S_ISBLK(m)) return "a block device";
    if (S_ISDIR(m)) return "a directory";
    if (S_ISSOCK(m)) return "a socket";
    return "not a plain file";
}

int input_file_check(const char *path, char *err, size_t errlen) {
    struct stat sb;
    if (stat(path, &sb) != 0 || S_ISREG(sb.st_mode)) return 0;
    snprintf(err, errlen, "%s: not a regular file (%s)", path, file_type(sb.st_mode));
    return -1;
}
