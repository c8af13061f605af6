#ifndef R1SIM_TESTS_FUZZ_INPUT_H
#define R1SIM_TESTS_FUZZ_INPUT_H

/* The loaders under test take a path, so each input goes into one memfd that
 * lives for the whole run: no disk traffic, nothing left behind, and the path
 * (/proc/self/fd/N) names a regular file, which input_file_check accepts. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *fuzz_input_path(const uint8_t *data, size_t size) {
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("r1sim-fuzz", 0);
        if (fd < 0) {
            perror("memfd_create");
            abort();
        }
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size)) {
        perror("fuzz input");
        abort();
    }
    return path;
}

#endif
