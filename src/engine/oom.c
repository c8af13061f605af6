#include "engine/oom.h"

#include <stdio.h>
#include <unistd.h>

_Noreturn void engine_out_of_memory(const char *what, size_t bytes) {
    char line[256];
    int len = snprintf(line, sizeof line,
                       "r1sim: out of memory: cannot allocate %zu bytes for %s; the last resume "
                       "point is kept\n",
                       bytes, what);
    /* One write, not stdio: another thread may hold stderr's lock, and
     * _exit skips exit handlers that could run beside the other threads. */
    if (len > 0 && write(2, line, (size_t)len) < 0) len = 0;
    _exit(1);
}
